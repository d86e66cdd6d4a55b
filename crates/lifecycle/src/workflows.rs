//! Workflows: create, read, change, soft delete, restore, purge and version them (the stored
//! versions themselves are in `versions`).
//!
//! The loaders at the top are shared by every area that works on a workflow (tasks, runs,
//! activation, resume, extensions): keep their signatures.

use serde_json::{json, Value};
use store::{kinds, Resource, Write};

use crate::{Body, Caller, Error, Result, Scope, Service};

pub fn workflow_not_found(id: &str) -> Error {
    Error::NotFound(format!("Workflow with id '{id}' was not found."))
}

/// The key of version `n` of a workflow in the store.
pub fn version_id(workflow_id: &str, n: i64) -> String {
    format!("{workflow_id}:{n}")
}

/// The stored snapshot of the version `wf` is at.
pub(crate) fn version_resource(store: &store::Store, workflow_id: &str, wf: &Value) -> Resource {
    let n = wf.get("version").and_then(Value::as_i64).unwrap_or(1);
    Resource {
        kind: kinds::WORKFLOW_VERSION,
        id: version_id(workflow_id, n),
        parent_id: workflow_id.to_string(),
        deleted_at: None,
        seq: store.next_seq(),
        doc: model::workflow::version_snapshot(wf),
    }
}

impl Service {
    /// The workflow `id`, live or deleted as `scope` says.
    pub async fn load_workflow(&self, caller: &Caller, id: &str, scope: Scope) -> Result<Resource> {
        let id = id.to_ascii_lowercase();
        match self.store.get(&caller.tenant, kinds::WORKFLOW, &id).await? {
            Some(r) if (scope == Scope::Deleted) == r.deleted_at.is_some() => Ok(r),
            _ => Err(workflow_not_found(&id)),
        }
    }

    /// The workflow `id` for a change: writes other than restore and purge are refused on
    /// deleted workflows.
    pub async fn load_live_workflow_for_write(
        &self,
        caller: &Caller,
        id: &str,
        scope: Scope,
    ) -> Result<Resource> {
        let found = self.load_workflow(caller, id, scope).await?;
        if scope == Scope::Deleted {
            return Err(Error::invalid(
                "The workflow is deleted; restore it before changing it.",
            ));
        }
        Ok(found)
    }

    /// Apply `steps` (which add or revive one live resource of `kind`) unless the tenant
    /// already holds `max` live ones; the check runs inside the write's transaction.
    pub async fn write_within_limit(
        &self,
        caller: &Caller,
        kind: &'static str,
        max: usize,
        steps: Vec<Write>,
    ) -> Result<()> {
        let mut all = vec![Write::Limit {
            kind,
            max: max as i64,
        }];
        all.extend(steps);
        Ok(self.store.write(&caller.tenant, all).await?)
    }

    /// Version `number` (as the path writes it) of workflow `wf`.
    pub async fn load_version(
        &self,
        caller: &Caller,
        wf: &Resource,
        number: &str,
    ) -> Result<Value> {
        let n: i64 = number.parse().map_err(|_| {
            Error::invalid_at(
                format!("The version number '{number}' is not an integer."),
                "versionNumber",
            )
        })?;
        self.store
            .get(
                &caller.tenant,
                kinds::WORKFLOW_VERSION,
                &version_id(&wf.id, n),
            )
            .await?
            .map(|r| r.doc)
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "Version {n} of workflow '{}' was not found.",
                    wf.id
                ))
            })
    }

    /// The stored snapshot of the version workflow `id` (as `doc`) is at, if any.
    pub(crate) async fn current_version(
        &self,
        caller: &Caller,
        id: &str,
        doc: &Value,
    ) -> Result<Option<Resource>> {
        let n = doc.get("version").and_then(Value::as_i64).unwrap_or(1);
        Ok(self
            .store
            .get(&caller.tenant, kinds::WORKFLOW_VERSION, &version_id(id, n))
            .await?)
    }

    /// A `{"id": ...}` stub (createdBy, lastModifiedBy) resolved to the directory user when
    /// the user is known, else the stub itself: app callers have no user object.
    pub async fn user_or_stub(&self, caller: &Caller, stub: &Value) -> Result<Value> {
        let Some(id) = stub.get("id").and_then(Value::as_str) else {
            return Ok(Value::Null);
        };
        match self.store.get_user(&caller.tenant, id).await? {
            Some(u) => Ok(u.doc),
            None => Ok(json!({ "id": id })),
        }
    }
}

/// The navigations of a workflow, version or extension a caller asked to expand.
#[derive(Debug, Clone, Copy, Default)]
pub struct Expand {
    pub created_by: bool,
    pub last_modified_by: bool,
    pub administration_scope_targets: bool,
    /// Workflows only.
    pub versions: bool,
    /// Workflows only: the users the workflow's execution conditions select now.
    pub preview_scope: bool,
}

/// A document with the navigations that were asked for, resolved; each is `None` when it was
/// not asked for. Where they appear in the answer is the API's business.
#[derive(Debug, Clone)]
pub struct Expanded {
    pub doc: Value,
    pub created_by: Option<Value>,
    pub last_modified_by: Option<Value>,
    pub administration_scope_targets: Option<Vec<Value>>,
    pub versions: Option<Vec<Value>>,
    pub preview_scope: Option<Vec<Value>>,
}

/// The user navigations of workflows, versions and extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserNav {
    CreatedBy,
    LastModifiedBy,
}

impl UserNav {
    /// The property that holds the user's `{"id": ...}` stub.
    pub fn property(self) -> &'static str {
        match self {
            UserNav::CreatedBy => "createdBy",
            UserNav::LastModifiedBy => "lastModifiedBy",
        }
    }
}

/// Remove a workflow's or version's administration scope targets from its document.
pub(crate) fn take_scope_targets(doc: &mut Value) -> Vec<Value> {
    match doc
        .as_object_mut()
        .and_then(|m| m.remove(model::workflow::ADMINISTRATION_SCOPE_TARGETS))
    {
        Some(Value::Array(targets)) => targets,
        _ => Vec::new(),
    }
}

fn id_of(doc: &Value) -> &str {
    doc.get("id").and_then(Value::as_str).unwrap_or("")
}

/// The custom task extension a "Run a Custom Task Extension" task calls, if it is one (empty
/// when its argument is missing, which no extension matches).
fn called_extension(task: &Value) -> Option<&str> {
    let def = task
        .get("taskDefinitionId")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !def.eq_ignore_ascii_case(model::catalog::ids::RUN_CUSTOM_TASK_EXTENSION) {
        return None;
    }
    Some(
        task.get("arguments")
            .and_then(Value::as_array)
            .and_then(|a| {
                a.iter().find(|x| {
                    x.get("name").and_then(Value::as_str) == Some("customTaskExtensionID")
                })
            })
            .and_then(|x| x.get("value").and_then(Value::as_str))
            .unwrap_or(""),
    )
}

impl Service {
    /// Resolve the navigations `what` names on `doc`.
    pub(crate) async fn expand(
        &self,
        caller: &Caller,
        mut doc: Value,
        what: Expand,
    ) -> Result<Expanded> {
        // A navigation: shown only expanded (or read through its own path).
        let targets = take_scope_targets(&mut doc);
        let created_by = if what.created_by {
            Some(
                self.user_or_stub_at(caller, &doc, UserNav::CreatedBy)
                    .await?,
            )
        } else {
            None
        };
        let last_modified_by = if what.last_modified_by {
            Some(
                self.user_or_stub_at(caller, &doc, UserNav::LastModifiedBy)
                    .await?,
            )
        } else {
            None
        };
        let administration_scope_targets = what.administration_scope_targets.then_some(targets);
        let versions = if what.versions {
            let stored = self
                .store
                .list(&caller.tenant, kinds::WORKFLOW_VERSION, Some(id_of(&doc)))
                .await?;
            Some(stored.into_iter().map(|v| v.doc).collect())
        } else {
            None
        };
        let preview_scope = if what.preview_scope {
            Some(self.engine.scope_users(&caller.tenant, &doc).await?)
        } else {
            None
        };
        Ok(Expanded {
            doc,
            created_by,
            last_modified_by,
            administration_scope_targets,
            versions,
            preview_scope,
        })
    }

    /// The user (or stub) a navigation of `doc` names; null when it names none.
    async fn user_or_stub_at(&self, caller: &Caller, doc: &Value, nav: UserNav) -> Result<Value> {
        let stub = doc.get(nav.property()).unwrap_or(&Value::Null);
        self.user_or_stub(caller, stub).await
    }

    /// The user a navigation of `doc` names; 404 (naming `owner`) when it names none.
    pub(crate) async fn navigation_user(
        &self,
        caller: &Caller,
        doc: &Value,
        nav: UserNav,
        owner: &str,
    ) -> Result<Value> {
        let user = self.user_or_stub_at(caller, doc, nav).await?;
        if user.is_null() {
            return Err(Error::NotFound(format!(
                "The {owner} has no {}.",
                nav.property()
            )));
        }
        Ok(user)
    }

    /// Custom task extensions referenced by the tasks of `wf` must exist in the tenant.
    pub(crate) async fn check_references(&self, caller: &Caller, wf: &Value) -> Result<()> {
        let tasks = wf
            .get("tasks")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (i, ext_id) in tasks
            .iter()
            .enumerate()
            .filter_map(|(i, t)| called_extension(t).map(|ext| (i, ext)))
        {
            let found = self
                .store
                .get(
                    &caller.tenant,
                    kinds::CUSTOM_TASK_EXTENSION,
                    &ext_id.to_ascii_lowercase(),
                )
                .await?;
            if found.is_none() {
                return Err(Error::invalid_at(
                    format!("Invalid value for 'tasks[{i}].arguments': custom task extension '{ext_id}' does not exist."),
                    format!("tasks[{i}].arguments"),
                ));
            }
        }
        Ok(())
    }

    /// The workflows in `scope`, with the navigations asked for.
    pub async fn list_workflows(
        &self,
        caller: &Caller,
        scope: Scope,
        expand: Expand,
    ) -> Result<Vec<Expanded>> {
        let all = self
            .store
            .list(&caller.tenant, kinds::WORKFLOW, None)
            .await?;
        let mut out = Vec::new();
        for r in all
            .into_iter()
            .filter(|r| r.deleted_at.is_some() == (scope == Scope::Deleted))
        {
            out.push(self.expand(caller, r.doc, expand).await?);
        }
        Ok(out)
    }

    /// Create a workflow from its definition, with its first version, within the tenant's
    /// limit.
    pub async fn create_workflow(
        &self,
        caller: &Caller,
        definition: &Value,
        expand: Expand,
    ) -> Result<Expanded> {
        let wf = model::workflow::new_workflow(definition, caller.now, &caller.actor)?;
        self.check_references(caller, &wf).await?;
        let id = id_of(&wf).to_string();
        if self
            .store
            .get(&caller.tenant, kinds::WORKFLOW, &id)
            .await?
            .is_some()
        {
            return Err(Error::Conflict(format!(
                "A workflow with id '{id}' already exists."
            )));
        }
        let version = version_resource(&self.store, &id, &wf);
        self.write_within_limit(
            caller,
            kinds::WORKFLOW,
            model::workflow::MAX_WORKFLOWS_PER_TENANT,
            vec![
                Write::Put(Resource {
                    kind: kinds::WORKFLOW,
                    id,
                    parent_id: String::new(),
                    deleted_at: None,
                    seq: self.store.next_seq(),
                    doc: wf.clone(),
                }),
                Write::Put(version),
            ],
        )
        .await?;
        self.expand(caller, wf, expand).await
    }

    pub async fn get_workflow(
        &self,
        caller: &Caller,
        id: &str,
        scope: Scope,
        expand: Expand,
    ) -> Result<Expanded> {
        let r = self.load_workflow(caller, id, scope).await?;
        self.expand(caller, r.doc, expand).await
    }

    /// Change a workflow's basic properties; its current version's snapshot shows them too.
    pub async fn update_workflow(
        &self,
        caller: &Caller,
        id: &str,
        scope: Scope,
        patch: Body,
    ) -> Result<()> {
        let r = self.load_workflow(caller, id, scope).await?;
        let updated = model::workflow::patch_workflow(&r.doc, &patch?, caller.now, &caller.actor)?;
        let current_version = self.current_version(caller, &r.id, &updated).await?;
        let mut steps = vec![Write::Put(Resource {
            doc: updated.clone(),
            ..r
        })];
        if let Some(mut v) = current_version {
            for k in [
                "displayName",
                "description",
                "isEnabled",
                "isSchedulingEnabled",
                "lastModifiedDateTime",
                "lastModifiedBy",
            ] {
                if let Some(val) = updated.get(k) {
                    v.doc[k] = val.clone();
                }
            }
            steps.push(Write::Put(v));
        }
        Ok(self.store.write(&caller.tenant, steps).await?)
    }

    /// Soft delete: the workflow moves to `deletedItems`, whence it can be restored.
    pub async fn delete_workflow(&self, caller: &Caller, id: &str, scope: Scope) -> Result<()> {
        let mut r = self.load_workflow(caller, id, scope).await?;
        r.doc["deletedDateTime"] = json!(model::time::format_datetime(caller.now));
        r.deleted_at = Some(caller.now.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string());
        Ok(self
            .store
            .write(&caller.tenant, vec![Write::Put(r)])
            .await?)
    }

    /// Remove a soft-deleted workflow for good, with its versions; a live one is not found.
    pub async fn purge_workflow(&self, caller: &Caller, id: &str) -> Result<()> {
        let r = self.load_workflow(caller, id, Scope::Deleted).await?;
        Ok(self
            .store
            .purge_workflow(
                &caller.tenant,
                kinds::WORKFLOW,
                kinds::WORKFLOW_VERSION,
                &r.id,
            )
            .await?)
    }

    /// Bring a soft-deleted workflow back, within the tenant's limit of live workflows.
    pub async fn restore_workflow(
        &self,
        caller: &Caller,
        id: &str,
        scope: Scope,
        expand: Expand,
    ) -> Result<Expanded> {
        let mut r = self.load_workflow(caller, id, scope).await?;
        if scope == Scope::Active {
            return Err(Error::invalid(format!(
                "Workflow '{}' is not deleted; only deleted workflows can be restored.",
                r.id
            )));
        }
        r.doc["deletedDateTime"] = Value::Null;
        r.deleted_at = None;
        let doc = r.doc.clone();
        self.write_within_limit(
            caller,
            kinds::WORKFLOW,
            model::workflow::MAX_WORKFLOWS_PER_TENANT,
            vec![Write::Put(r)],
        )
        .await?;
        self.expand(caller, doc, expand).await
    }

    /// createNewVersion: `definition` (the action's `workflow` parameter) replaces the
    /// workflow's definition as its next version.
    pub async fn create_new_version(
        &self,
        caller: &Caller,
        id: &str,
        scope: Scope,
        definition: Body,
        expand: Expand,
    ) -> Result<Expanded> {
        let r = self.load_live_workflow_for_write(caller, id, scope).await?;
        let next = model::workflow::next_version(&r.doc, &definition?, caller.now, &caller.actor)?;
        self.check_references(caller, &next).await?;
        self.commit_new_version(caller, &r, next.clone()).await?;
        self.expand(caller, next, expand).await
    }

    /// The user who created or last changed the workflow.
    pub async fn workflow_user(
        &self,
        caller: &Caller,
        id: &str,
        scope: Scope,
        nav: UserNav,
    ) -> Result<Value> {
        let r = self.load_workflow(caller, id, scope).await?;
        self.navigation_user(caller, &r.doc, nav, "workflow").await
    }

    /// The administrative units a workflow (or, with `version`, one of its versions) is
    /// scoped to: none, as lcw does not support that scoping; the owner must still exist.
    pub async fn administration_scope_targets(
        &self,
        caller: &Caller,
        id: &str,
        scope: Scope,
        version: Option<&str>,
    ) -> Result<Vec<Value>> {
        let mut r = self.load_workflow(caller, id, scope).await?;
        if let Some(number) = version {
            let mut v = self.load_version(caller, &r, number).await?;
            return Ok(take_scope_targets(&mut v));
        }
        Ok(take_scope_targets(&mut r.doc))
    }

    /// One administrative unit of [`Self::administration_scope_targets`].
    pub async fn administration_scope_target(
        &self,
        caller: &Caller,
        id: &str,
        scope: Scope,
        version: Option<&str>,
        target_id: &str,
    ) -> Result<Value> {
        self.administration_scope_targets(caller, id, scope, version)
            .await?
            .into_iter()
            .find(|t| id_of(t).eq_ignore_ascii_case(target_id))
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "Administration scope target '{target_id}' was not found."
                ))
            })
    }
}
