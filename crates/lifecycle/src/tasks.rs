//! A workflow's tasks: list, read, add, change and remove them.
//!
//! Adding or removing a task changes what the workflow does, so lcw records it as a new
//! version, exactly as createNewVersion would; renaming a task (PATCH) does not.

use serde_json::{json, Value};
use store::{Resource, Write};

use crate::{Body, Caller, Error, Result, Scope, Service};

/// The tasks of a workflow or version document.
pub(crate) fn tasks_of(doc: &Value) -> Vec<Value> {
    doc.get("tasks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn same_id(task: &Value, id: &str) -> bool {
    task.get("id")
        .and_then(Value::as_str)
        .is_some_and(|x| x.eq_ignore_ascii_case(id))
}

pub(crate) fn find_task(tasks: &[Value], id: &str) -> Result<Value> {
    tasks
        .iter()
        .find(|t| same_id(t, id))
        .cloned()
        .ok_or_else(|| Error::NotFound(format!("Task with id '{id}' was not found.")))
}

fn resequence(tasks: &mut [Value]) {
    for (i, t) in tasks.iter_mut().enumerate() {
        t["executionSequence"] = json!(i + 1);
    }
}

/// A task just added, and the workflow it belongs to.
#[derive(Debug, Clone)]
pub struct CreatedTask {
    pub workflow_id: String,
    pub task: Value,
}

impl Service {
    pub async fn list_tasks(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
    ) -> Result<Vec<Value>> {
        let r = self.load_workflow(caller, workflow_id, scope).await?;
        Ok(tasks_of(&r.doc))
    }

    pub async fn get_task(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        task_id: &str,
    ) -> Result<Value> {
        let r = self.load_workflow(caller, workflow_id, scope).await?;
        find_task(&tasks_of(&r.doc), task_id)
    }

    /// Append a task (at most [`model::workflow::MAX_TASKS_PER_WORKFLOW`]) as a new version.
    pub async fn create_task(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        definition: Body,
    ) -> Result<CreatedTask> {
        let r = self
            .load_live_workflow_for_write(caller, workflow_id, scope)
            .await?;
        let task = model::workflow::new_task(&r.doc, &definition?)?;
        let mut tasks = tasks_of(&r.doc);
        if tasks.len() >= model::workflow::MAX_TASKS_PER_WORKFLOW {
            return Err(Error::invalid(format!(
                "A workflow can have at most {} tasks.",
                model::workflow::MAX_TASKS_PER_WORKFLOW
            )));
        }
        tasks.push(task);
        resequence(&mut tasks);
        self.check_references(caller, &json!({ "tasks": tasks }))
            .await?;
        let created = tasks.last().cloned().unwrap_or(Value::Null);
        self.save_tasks_as_new_version(caller, &r, tasks).await?;
        Ok(CreatedTask {
            workflow_id: r.id,
            task: created,
        })
    }

    /// Remove a task as a new version; a workflow keeps at least one.
    pub async fn delete_task(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        task_id: &str,
    ) -> Result<()> {
        let r = self
            .load_live_workflow_for_write(caller, workflow_id, scope)
            .await?;
        let mut tasks = tasks_of(&r.doc);
        find_task(&tasks, task_id)?;
        tasks.retain(|t| !same_id(t, task_id));
        if tasks.is_empty() {
            return Err(Error::invalid(
                "A workflow needs at least one task; this is its last one.",
            ));
        }
        resequence(&mut tasks);
        self.save_tasks_as_new_version(caller, &r, tasks).await
    }

    /// Change a task in place: the workflow and its current version's snapshot, no new
    /// version.
    pub async fn update_task(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        task_id: &str,
        patch: Body,
    ) -> Result<()> {
        let r = self
            .load_live_workflow_for_write(caller, workflow_id, scope)
            .await?;
        let mut tasks = tasks_of(&r.doc);
        let current = find_task(&tasks, task_id)?;
        let updated = model::workflow::patch_task(&current, &patch?)?;
        for t in tasks.iter_mut().filter(|t| same_id(t, task_id)) {
            *t = updated.clone();
        }
        let mut doc = r.doc.clone();
        doc["tasks"] = Value::Array(tasks);
        let current_version = self.current_version(caller, &r.id, &doc).await?;
        let mut steps = vec![Write::Put(Resource {
            doc: doc.clone(),
            ..r
        })];
        if let Some(mut v) = current_version {
            v.doc["tasks"] = doc["tasks"].clone();
            steps.push(Write::Put(v));
        }
        Ok(self.store.write(&caller.tenant, steps).await?)
    }

    async fn save_tasks_as_new_version(
        &self,
        caller: &Caller,
        r: &Resource,
        tasks: Vec<Value>,
    ) -> Result<()> {
        let mut next = r.doc.clone();
        next["tasks"] = Value::Array(tasks);
        next["version"] = json!(r.doc.get("version").and_then(Value::as_i64).unwrap_or(1) + 1);
        next["lastModifiedDateTime"] = json!(model::time::format_datetime(caller.now));
        next["lastModifiedBy"] = json!({ "id": caller.actor.id });
        self.commit_new_version(caller, r, next).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::{json, Value};

    use crate::workflows::Expand;
    use crate::{Caller, Error, Scope, Service};

    async fn service(name: &str) -> (Service, Caller) {
        let dir = std::env::temp_dir().join(format!("lcw-lifecycle-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.db"));
        let _ = std::fs::remove_file(&path);
        let store = store::Store::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let now = chrono::Utc::now();
        let clock: Arc<dyn engine::Clock> = Arc::new(engine::ManualClock::new(now));
        let engine = engine::runner::Engine::new(store.clone(), clock.clone());
        let caller = Caller {
            tenant: "t1".into(),
            actor: model::workflow::Actor { id: "admin".into() },
            now,
        };
        (Service::new(store, engine, clock), caller)
    }

    fn definition() -> Value {
        json!({
            "category": "leaver",
            "displayName": "Leavers",
            "isEnabled": true,
            "executionConditions": {
                "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
                "scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "department eq 'Sales'"},
                "trigger": {"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger", "timeBasedAttribute": "employeeLeaveDateTime", "offsetInDays": 0}
            },
            "tasks": [
                {"displayName": "Delete account", "taskDefinitionId": "8d18588d-9ad3-4c0f-99d0-ec215f0e3dff", "arguments": []}
            ]
        })
    }

    fn id_of(v: &Value) -> String {
        v["id"].as_str().unwrap().to_string()
    }

    /// Adding a task records a new version and leaves the old one as it was; the last task
    /// cannot be removed.
    #[tokio::test]
    async fn adding_a_task_is_a_new_version() {
        let (svc, caller) = service("new-version").await;
        let wf = svc
            .create_workflow(&caller, &definition(), Expand::default())
            .await
            .unwrap();
        let wf_id = id_of(&wf.doc);
        let task = json!({"displayName": "Disable account", "taskDefinitionId": "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950", "arguments": []});
        let created = svc
            .create_task(&caller, &wf_id, Scope::Active, Ok(task))
            .await
            .unwrap();
        assert_eq!(created.workflow_id, wf_id);
        assert_eq!(created.task["executionSequence"], json!(2));

        let versions = svc
            .list_versions(&caller, &wf_id, Scope::Active, Expand::default())
            .await
            .unwrap();
        let task_counts: Vec<usize> = versions
            .iter()
            .map(|v| v.doc["tasks"].as_array().unwrap().len())
            .collect();
        assert_eq!(task_counts, [1, 2]);

        let first = svc
            .list_tasks(&caller, &wf_id, Scope::Active)
            .await
            .unwrap()
            .remove(0);
        svc.delete_task(&caller, &wf_id, Scope::Active, &id_of(&first))
            .await
            .unwrap();
        let last = id_of(&created.task);
        let refused = svc.delete_task(&caller, &wf_id, Scope::Active, &last).await;
        assert!(matches!(refused, Err(Error::Invalid { .. })), "{refused:?}");
    }

    /// Only a deleted workflow is restored or purged; expanded users fall back to their stub.
    #[tokio::test]
    async fn delete_restore_and_purge() {
        let (svc, caller) = service("delete-restore").await;
        let wf = svc
            .create_workflow(&caller, &definition(), Expand::default())
            .await
            .unwrap();
        let wf_id = id_of(&wf.doc);
        let live_restore = svc
            .restore_workflow(&caller, &wf_id, Scope::Active, Expand::default())
            .await;
        assert!(matches!(live_restore, Err(Error::Invalid { .. })));
        let live_purge = svc.purge_workflow(&caller, &wf_id).await;
        assert!(matches!(live_purge, Err(Error::NotFound(_))));

        svc.delete_workflow(&caller, &wf_id, Scope::Active)
            .await
            .unwrap();
        let deleted = svc
            .list_workflows(&caller, Scope::Deleted, Expand::default())
            .await
            .unwrap();
        assert_eq!(deleted.len(), 1);
        let asked = Expand {
            created_by: true,
            ..Expand::default()
        };
        let restored = svc
            .restore_workflow(&caller, &wf_id, Scope::Deleted, asked)
            .await
            .unwrap();
        assert_eq!(restored.created_by, Some(json!({"id": "admin"})));
        assert_eq!(restored.last_modified_by, None);
        assert_eq!(restored.doc["deletedDateTime"], Value::Null);

        svc.delete_workflow(&caller, &wf_id, Scope::Active)
            .await
            .unwrap();
        svc.purge_workflow(&caller, &wf_id).await.unwrap();
        let gone = svc
            .get_workflow(&caller, &wf_id, Scope::Deleted, Expand::default())
            .await;
        assert!(matches!(gone, Err(Error::NotFound(_))));
    }
}
