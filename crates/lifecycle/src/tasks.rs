//! A workflow's tasks: list, read, add, change and remove them.
//!
//! Adding or removing a task changes what the workflow does, so lcw records it as a new
//! version, exactly as createNewVersion would; renaming a task (PATCH) does not.

use serde_json::{json, Value};
use store::{kinds, Resource, Write};

use crate::workflows::version_id;
use crate::{Caller, Error, Result, Scope, Service};

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
        definition: &Value,
    ) -> Result<CreatedTask> {
        let r = self
            .load_live_workflow_for_write(caller, workflow_id, scope)
            .await?;
        let task = model::workflow::new_task(&r.doc, definition)?;
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
        patch: &Value,
    ) -> Result<()> {
        let r = self
            .load_live_workflow_for_write(caller, workflow_id, scope)
            .await?;
        let mut tasks = tasks_of(&r.doc);
        let current = find_task(&tasks, task_id)?;
        let updated = model::workflow::patch_task(&current, patch)?;
        for t in tasks.iter_mut().filter(|t| same_id(t, task_id)) {
            *t = updated.clone();
        }
        let mut doc = r.doc.clone();
        doc["tasks"] = Value::Array(tasks);
        let n = doc.get("version").and_then(Value::as_i64).unwrap_or(1);
        let current_version = self
            .store
            .get(
                &caller.tenant,
                kinds::WORKFLOW_VERSION,
                &version_id(&r.id, n),
            )
            .await?;
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
