//! What an operation is, apart from the code that serves it: method, path, permission,
//! response shape (which decides the OData options accepted), expandable navigations. The
//! table of served operations is `ops::OPERATIONS`; handlers see their operation through
//! [`Route`]. This module depends on nothing else of the API's, so the request context can
//! name it without depending on the table of handlers.

use axum::http::Method;

use crate::auth::Permission;
use lifecycle::Scope;
use model::{ApiVersion, Versions};

/// What the operation answers; decides which OData system query options it accepts.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// A collection of this type: `$select $expand $filter $orderby $top $skip $count $search`.
    Collection(&'static str),
    /// One entity of this type: `$select $expand`.
    Entity(&'static str),
    /// A `/$count` segment: `$filter $search`.
    Count,
    /// Actions and writes: no query options.
    Action,
}

/// One Graph operation's declaration, built with the constructors and setters below, e.g.
/// `get(path, LW_WF_READ).entity(WORKFLOW).mirrored()`.
#[derive(Debug)]
pub struct Operation {
    pub method: Method,
    /// The path as the reference writes it (`{workflow-id}` keys, namespaced actions).
    pub path: &'static str,
    /// Also served under `/deletedItems/workflows/{workflow-id}/...`.
    pub mirror: bool,
    /// Least-privileged permission, and whether delegated callers need a directory role.
    pub permission: Permission,
    pub shape: Shape,
    pub expand: &'static [&'static str],
    /// The type a `/$count` counts, to validate its `$filter`.
    pub count_of: Option<&'static str>,
    /// GET responses may be cached until the tenant's data changes.
    pub cacheable: bool,
    /// The API versions that have the operation; elsewhere its path is an unknown segment.
    pub versions: Versions,
    /// The collection carries `@odata.count` even without `$count=true`, as Graph's do.
    pub always_counted: bool,
}

const fn declare(method: Method, path: &'static str, permission: Permission) -> Operation {
    Operation {
        method,
        path,
        mirror: false,
        permission,
        shape: Shape::Action,
        expand: &[],
        count_of: None,
        cacheable: false,
        versions: Versions::ALL,
        always_counted: false,
    }
}

pub const fn get(path: &'static str, permission: Permission) -> Operation {
    declare(Method::GET, path, permission)
}

pub const fn post(path: &'static str, permission: Permission) -> Operation {
    declare(Method::POST, path, permission)
}

pub const fn put(path: &'static str, permission: Permission) -> Operation {
    declare(Method::PUT, path, permission)
}

pub const fn patch(path: &'static str, permission: Permission) -> Operation {
    declare(Method::PATCH, path, permission)
}

pub const fn delete(path: &'static str, permission: Permission) -> Operation {
    declare(Method::DELETE, path, permission)
}

/// `GET .../$count` of a collection of `of`: cacheable like every read of the tenant's data.
pub const fn count(path: &'static str, permission: Permission, of: &'static str) -> Operation {
    let mut op = declare(Method::GET, path, permission);
    op.shape = Shape::Count;
    op.count_of = Some(of);
    op.cacheable = true;
    op
}

impl Operation {
    /// Answers a collection of `ty`.
    pub const fn collection(mut self, ty: &'static str) -> Self {
        self.shape = Shape::Collection(ty);
        self
    }

    /// Answers one entity of `ty`.
    pub const fn entity(mut self, ty: &'static str) -> Self {
        self.shape = Shape::Entity(ty);
        self
    }

    pub const fn expand(mut self, navigations: &'static [&'static str]) -> Self {
        self.expand = navigations;
        self
    }

    /// Answers `@odata.count` without `$count=true` (Graph does on a few collections).
    pub const fn counted(mut self) -> Self {
        self.always_counted = true;
        self
    }

    pub const fn cacheable(mut self) -> Self {
        self.cacheable = true;
        self
    }

    /// Also served for soft-deleted workflows, under `/deletedItems/workflows/{workflow-id}`.
    pub const fn mirrored(mut self) -> Self {
        self.mirror = true;
        self
    }

    /// Served on `/beta` only: no v1.0 artefact (metadata, SDK, docs) has the operation.
    pub const fn beta_only(mut self) -> Self {
        self.versions = Versions::BETA_ONLY;
        self
    }

    pub const fn exists_in(&self, version: ApiVersion) -> bool {
        self.versions.has(version)
    }

    /// Reads under `deletedItems` need `LifecycleWorkflows-Workflow.Read.All` where the live
    /// workflow list and item only need `ReadBasic`.
    pub fn permission_for(&self, scope: Scope) -> Permission {
        let least = match (scope, self.permission.least) {
            (Scope::Deleted, "LifecycleWorkflows-Workflow.ReadBasic.All") => {
                "LifecycleWorkflows-Workflow.Read.All"
            }
            (_, p) => p,
        };
        Permission {
            least,
            needs_lcw_role: self.permission.needs_lcw_role,
        }
    }
}

/// One concrete route: an operation at one template (its own path, or its `deletedItems`
/// mirror).
#[derive(Debug)]
pub struct Route {
    pub op: &'static Operation,
    pub scope: Scope,
    /// The template as written in the reference (`{workflow-id}` keys, namespaced actions).
    pub template: String,
    /// The request body's type as the reference writes it (`microsoft.graph.identityGovernance.workflow`,
    /// `{scope: microsoft.graph.identityGovernance.activationScope}`), when it has one.
    pub request_type: Option<String>,
    /// Method and template (`GET /identityGovernance/.../{workflow-id}`): how metrics and
    /// logs name the operation, with no id or tenant data in it.
    pub name: String,
}

impl Route {
    /// The position of key `{name}` among the template's keys.
    pub fn key_index(&self, name: &str) -> Option<usize> {
        self.template
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .position(|k| k == name)
    }
}
