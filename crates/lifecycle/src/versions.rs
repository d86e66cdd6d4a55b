//! Workflow versions: the read-only record of each definition a workflow has had, with the
//! task snapshots its runs used.

use serde_json::{json, Value};
use store::{kinds, Resource, Write};

use crate::tasks::{find_task, tasks_of};
use crate::workflows::{version_id, version_resource, Expand, Expanded, UserNav};
use crate::{Caller, Error, Result, Scope, Service};

impl Service {
    /// Store a new version of a workflow in one transaction: the workflow, its snapshot, and
    /// the previous snapshot's `lastModifiedDateTime` set to when it was superseded.
    pub(crate) async fn commit_new_version(
        &self,
        caller: &Caller,
        current: &Resource,
        next: Value,
    ) -> Result<()> {
        let prev_n = current
            .doc
            .get("version")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let snapshot = version_resource(&self.store, &current.id, &next);
        let mut steps = vec![
            Write::Put(Resource {
                doc: next,
                ..current.clone()
            }),
            Write::Put(snapshot),
        ];
        if let Some(mut prev) = self
            .store
            .get(
                &caller.tenant,
                kinds::WORKFLOW_VERSION,
                &version_id(&current.id, prev_n),
            )
            .await?
        {
            prev.doc["lastModifiedDateTime"] = json!(model::time::format_datetime(caller.now));
            steps.push(Write::Put(prev));
        }
        Ok(self.store.write(&caller.tenant, steps).await?)
    }

    /// A workflow's versions, oldest first, with the navigations asked for.
    pub async fn list_versions(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        expand: Expand,
    ) -> Result<Vec<Expanded>> {
        let r = self.load_workflow(caller, workflow_id, scope).await?;
        let mut versions: Vec<Value> = self
            .store
            .list(&caller.tenant, kinds::WORKFLOW_VERSION, Some(&r.id))
            .await?
            .into_iter()
            .map(|v| v.doc)
            .collect();
        versions.sort_by_key(|v| v.get("versionNumber").and_then(Value::as_i64).unwrap_or(0));
        let mut out = Vec::with_capacity(versions.len());
        for v in versions {
            out.push(self.expand(caller, v, version_only(expand)).await?);
        }
        Ok(out)
    }

    pub async fn get_version(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        number: &str,
        expand: Expand,
    ) -> Result<Expanded> {
        let v = self.version_of(caller, workflow_id, scope, number).await?;
        self.expand(caller, v, version_only(expand)).await
    }

    /// The user who created or last changed a version.
    pub async fn version_user(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        number: &str,
        nav: UserNav,
    ) -> Result<Value> {
        let v = self.version_of(caller, workflow_id, scope, number).await?;
        self.navigation_user(caller, &v, nav, "version").await
    }

    /// The tasks of a version, as they were when it was current.
    pub async fn version_tasks(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        number: &str,
    ) -> Result<Vec<Value>> {
        let v = self.version_of(caller, workflow_id, scope, number).await?;
        Ok(tasks_of(&v))
    }

    pub async fn version_task(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        number: &str,
        task_id: &str,
    ) -> Result<Value> {
        let v = self.version_of(caller, workflow_id, scope, number).await?;
        find_task(&tasks_of(&v), task_id)
    }

    /// Any change to a version's tasks is refused: versions are the record of what ran, and
    /// never change after the fact. The version must still exist.
    pub async fn write_version_task(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        number: &str,
    ) -> Result<std::convert::Infallible> {
        self.version_of(caller, workflow_id, scope, number).await?;
        Err(Error::invalid(
            "Workflow versions are read-only snapshots; change the workflow's tasks instead, or create a new version with createNewVersion.",
        ))
    }

    async fn version_of(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        number: &str,
    ) -> Result<Value> {
        let r = self.load_workflow(caller, workflow_id, scope).await?;
        self.load_version(caller, &r, number).await
    }
}

/// Versions have no versions of their own.
fn version_only(expand: Expand) -> Expand {
    Expand {
        versions: false,
        preview_scope: false,
        ..expand
    }
}
