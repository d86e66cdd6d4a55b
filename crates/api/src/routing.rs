//! Path matching over Graph URL templates.
//!
//! Each API version has its own segment trie, holding the served operations (from
//! `ops::OPERATIONS`) that exist in that version and every endpoint of its reference list
//! (`reference/api-endpoints.json` for beta, `reference/api-endpoints-v1.0.json` for v1.0).
//! A request that reaches a reference endpoint nobody serves gets a Graph-shaped 501; a known
//! path with another method gets 405; anything else is a 400 naming the first unknown
//! segment, as Graph answers — so a beta-only path asked of v1.0 is an unknown segment.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::http::Method;

use crate::operation::Route;
use crate::ops::{Handler, Served, OPERATIONS};
use model::ApiVersion;

pub const LW: &str = "/identityGovernance/lifecycleWorkflows";
const NS: &str = "microsoft.graph.identityGovernance.";

/// Whether an operation answers under `/workflows/{id}` or `/deletedItems/workflows/{id}`.
pub use lifecycle::Scope;

/// A route and the handler that serves it.
pub struct ServedRoute {
    pub route: Route,
    pub handler: Handler,
}

#[derive(Default)]
struct Node {
    literals: HashMap<String, Node>,
    param: Option<Box<Node>>,
    /// Bound functions: lower-cased bare name → node; the argument text is captured.
    functions: HashMap<String, Node>,
    served: Vec<(Method, usize)>,
    /// Methods of reference endpoints at this node (for 501).
    reference: Vec<Method>,
}

/// What one API version serves and what its reference lists.
#[derive(Default)]
struct VersionTable {
    root: Node,
    reference: Vec<ReferenceEndpoint>,
}

pub struct Router {
    beta: VersionTable,
    v1: VersionTable,
    /// Every concrete route of every version (a route two versions have is listed once).
    pub routes: Vec<ServedRoute>,
}

#[derive(Debug, Clone)]
pub struct ReferenceEndpoint {
    pub method: Method,
    pub path: String,
    /// The body's type as the reference writes it, if the request has one.
    pub request_type: Option<String>,
}

/// The reference endpoint lists, as shipped with the crate.
const REFERENCES: [(ApiVersion, &str); 2] = [
    (
        ApiVersion::Beta,
        include_str!("../reference/api-endpoints.json"),
    ),
    (
        ApiVersion::V1,
        include_str!("../reference/api-endpoints-v1.0.json"),
    ),
];

fn parse_reference(text: &str) -> Vec<ReferenceEndpoint> {
    let entries: Vec<serde_json::Value> = serde_json::from_str(text).unwrap_or_default();
    entries
        .iter()
        .filter_map(|e| {
            let method = e.get("method")?.as_str()?.parse::<Method>().ok()?;
            let path = e.get("path")?.as_str()?.to_string();
            let request_type = e
                .get("requestType")
                .and_then(|v| v.as_str())
                .map(str::to_string);
            Some(ReferenceEndpoint {
                method,
                path,
                request_type,
            })
        })
        .collect()
}

pub enum Lookup<'a> {
    Found {
        route: &'a Route,
        handler: Handler,
        params: Vec<String>,
        function_args: Option<String>,
    },
    NotImplemented,
    MethodNotAllowed,
    /// The first segment that matched nothing.
    NoSuchSegment(String),
}

/// A template segment. Namespaced bound-operation names are kept bare and lower-cased, so
/// `/restore` and `/microsoft.graph.identityGovernance.restore` reach the same node.
enum TSeg {
    Literal(String),
    Param,
    Function(String),
}

fn bare_lower(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    match lower.strip_prefix(&NS.to_ascii_lowercase()) {
        Some(b) => b.to_string(),
        None => lower,
    }
}

fn template_segments(t: &str) -> Vec<TSeg> {
    t.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.starts_with('{') {
                TSeg::Param
            } else if let Some(open) = s.find('(') {
                TSeg::Function(bare_lower(&s[..open]))
            } else {
                TSeg::Literal(bare_lower(s))
            }
        })
        .collect()
}

impl Node {
    fn insert(&mut self, segs: &[TSeg]) -> &mut Node {
        let Some((first, rest)) = segs.split_first() else {
            return self;
        };
        let next = match first {
            TSeg::Literal(l) => self.literals.entry(l.clone()).or_default(),
            TSeg::Param => self.param.get_or_insert_with(Default::default),
            TSeg::Function(name) => self.functions.entry(name.clone()).or_default(),
        };
        next.insert(rest)
    }
}

fn deleted_template(t: &str) -> Option<String> {
    t.strip_prefix(&format!("{LW}/workflows/{{workflow-id}}"))
        .map(|rest| format!("{LW}/deletedItems/workflows/{{workflow-id}}{rest}"))
}

impl Router {
    fn build() -> Router {
        Router::build_from(OPERATIONS, &REFERENCES)
    }

    fn build_from(operations: &'static [Served], references: &[(ApiVersion, &str)]) -> Router {
        let mut router = Router {
            beta: VersionTable::default(),
            v1: VersionTable::default(),
            routes: Vec::new(),
        };
        for (version, text) in references {
            router.table_mut(*version).reference = parse_reference(text);
        }
        for served in operations {
            let op = &served.op;
            let mut templates = vec![(op.path.to_string(), Scope::Active)];
            if op.mirror {
                if let Some(t) = deleted_template(op.path) {
                    templates.push((t, Scope::Deleted));
                }
            }
            for (template, scope) in templates {
                let idx = router.routes.len();
                let request_type = router.request_type(&op.method, &template);
                let segs = template_segments(&template);
                router.routes.push(ServedRoute {
                    route: Route {
                        op,
                        scope,
                        name: format!("{} {template}", op.method),
                        template,
                        request_type,
                    },
                    handler: served.handler,
                });
                for version in ApiVersion::ALL.into_iter().filter(|v| op.exists_in(*v)) {
                    router
                        .table_mut(version)
                        .root
                        .insert(&segs)
                        .served
                        .push((op.method.clone(), idx));
                }
            }
        }
        for version in ApiVersion::ALL {
            let table = router.table_mut(version);
            let endpoints: Vec<(Method, Vec<TSeg>)> = table
                .reference
                .iter()
                .map(|e| (e.method.clone(), template_segments(&e.path)))
                .collect();
            for (method, segs) in endpoints {
                table.root.insert(&segs).reference.push(method);
            }
        }
        router
    }

    fn table(&self, version: ApiVersion) -> &VersionTable {
        match version {
            ApiVersion::Beta => &self.beta,
            ApiVersion::V1 => &self.v1,
        }
    }

    fn table_mut(&mut self, version: ApiVersion) -> &mut VersionTable {
        match version {
            ApiVersion::Beta => &mut self.beta,
            ApiVersion::V1 => &mut self.v1,
        }
    }

    /// The body type the references give a method and template (the versions agree).
    fn request_type(&self, method: &Method, template: &str) -> Option<String> {
        ApiVersion::ALL.into_iter().find_map(|v| {
            self.table(v)
                .reference
                .iter()
                .find(|e| e.method == *method && e.path == template)
                .and_then(|e| e.request_type.clone())
        })
    }

    /// The endpoints `version`'s reference lists.
    pub fn reference(&self, version: ApiVersion) -> &[ReferenceEndpoint] {
        &self.table(version).reference
    }

    /// The process-wide router (the tables are static).
    pub fn get() -> &'static Router {
        static ROUTER: OnceLock<Router> = OnceLock::new();
        ROUTER.get_or_init(Router::build)
    }

    /// Match decoded path segments (after the version root) among `version`'s routes.
    pub fn lookup(&self, version: ApiVersion, method: &Method, segments: &[String]) -> Lookup<'_> {
        let mut node = &self.table(version).root;
        let mut params = Vec::new();
        let mut function_args = None;
        for seg in segments {
            let bare = bare_lower(seg);
            if let Some(next) = node.literals.get(&bare) {
                node = next;
                continue;
            }
            if let Some(open) = bare.find('(') {
                if bare.ends_with(')') {
                    if let Some(next) = node.functions.get(&bare[..open]) {
                        // Keep the caller's spelling of the arguments.
                        let start = seg.len() - (bare.len() - open);
                        function_args = seg.get(start + 1..seg.len() - 1).map(str::to_string);
                        node = next;
                        continue;
                    }
                }
            }
            if let Some(next) = &node.param {
                params.push(seg.clone());
                node = next;
                continue;
            }
            return Lookup::NoSuchSegment(seg.clone());
        }
        if let Some((_, idx)) = node.served.iter().find(|(m, _)| m == method) {
            if let Some(served) = self.routes.get(*idx) {
                return Lookup::Found {
                    route: &served.route,
                    handler: served.handler,
                    params,
                    function_args,
                };
            }
        }
        if node.reference.contains(method) {
            return Lookup::NotImplemented;
        }
        if !node.served.is_empty() || !node.reference.is_empty() {
            return Lookup::MethodNotAllowed;
        }
        Lookup::NoSuchSegment(segments.last().cloned().unwrap_or_default())
    }

    /// Whether `version` serves a reference endpoint (for the ledger).
    pub fn serves(&self, version: ApiVersion, e: &ReferenceEndpoint) -> bool {
        let segs: Vec<String> = e
            .path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                if s.starts_with('{') {
                    "x".to_string()
                } else {
                    s.to_string()
                }
            })
            .collect();
        matches!(self.lookup(version, &e.method, &segs), Lookup::Found { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::Reply;
    use crate::ops::{get, Served};

    fn answer(_: crate::ctx::Ctx) -> crate::ops::HandlerFuture {
        Box::pin(async { Ok(Reply::NoContent) })
    }

    static TABLE: &[Served] = &[
        Served {
            op: get(
                "/things",
                crate::auth::Permission {
                    least: "Things.Read.All",
                    needs_lcw_role: false,
                },
            ),
            handler: answer,
        },
        Served {
            op: get(
                "/things/{thing-id}",
                crate::auth::Permission {
                    least: "Things.Read.All",
                    needs_lcw_role: false,
                },
            ),
            handler: answer,
        },
        Served {
            op: get(
                "/things/{thing-id}/betaPart",
                crate::auth::Permission {
                    least: "Things.Read.All",
                    needs_lcw_role: false,
                },
            )
            .beta_only(),
            handler: answer,
        },
    ];

    fn segs(path: &str) -> Vec<String> {
        path.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn a_beta_only_operation_is_an_unknown_segment_on_v1() {
        let router = Router::build_from(TABLE, &[]);
        for version in ApiVersion::ALL {
            assert!(matches!(
                router.lookup(version, &Method::GET, &segs("/things")),
                Lookup::Found { .. }
            ));
        }
        assert!(matches!(
            router.lookup(ApiVersion::Beta, &Method::GET, &segs("/things/x/betaPart")),
            Lookup::Found { .. }
        ));
        match router.lookup(ApiVersion::V1, &Method::GET, &segs("/things/x/betaPart")) {
            Lookup::NoSuchSegment(seg) => assert_eq!(seg, "betaPart"),
            _ => panic!("a beta-only path must be an unknown segment on v1.0"),
        }
    }

    #[test]
    fn every_v1_reference_endpoint_is_served() {
        let router = Router::get();
        let unserved: Vec<String> = router
            .reference(ApiVersion::V1)
            .iter()
            .filter(|e| !router.serves(ApiVersion::V1, e))
            .map(|e| format!("{} {}", e.method, e.path))
            .collect();
        assert_eq!(router.reference(ApiVersion::V1).len(), 259);
        assert!(unserved.is_empty(), "{unserved:#?}");
    }
}
