//! Workflows: create, read, change, soft delete, restore, purge and version them.
//!
//! The loaders at the top are shared by every area that works on a workflow (tasks, runs,
//! activation, resume, extensions): keep their signatures.

use serde_json::{json, Value};
use store::{kinds, Resource, Write};

use crate::{Caller, Error, Result, Scope, Service};

pub fn workflow_not_found(id: &str) -> Error {
    Error::NotFound(format!("Workflow with id '{id}' was not found."))
}

/// The key of version `n` of a workflow in the store.
pub fn version_id(workflow_id: &str, n: i64) -> String {
    format!("{workflow_id}:{n}")
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
