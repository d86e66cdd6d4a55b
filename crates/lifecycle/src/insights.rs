//! Tenant-wide insights: how many runs, users and tasks every workflow processed in a window.

use std::collections::HashMap;

use serde_json::{json, Value};
use store::{kinds, result_kinds, Resource};

use crate::tallies::{Tally, Window};
use crate::{Caller, Result, Service};

/// `workflowsProcessedSummary`: the tallies of every workflow together.
#[derive(Debug, Default, Clone, Copy)]
pub struct ProcessedSummary {
    pub runs: Tally,
    pub users: Tally,
    pub tasks: Tally,
}

/// `workflowsProcessedByCategory`: run tallies per workflow category.
#[derive(Debug, Default, Clone, Copy)]
pub struct ProcessedByCategory {
    pub joiner: Tally,
    pub leaver: Tally,
    pub mover: Tally,
}

fn str_of(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

impl Service {
    /// Every workflow of the tenant, live and deleted: their history counts either way.
    async fn all_workflows(&self, caller: &Caller) -> Result<Vec<Resource>> {
        Ok(self
            .store
            .list(&caller.tenant, kinds::WORKFLOW, None)
            .await?)
    }

    /// `function_args` is the text between the function's parentheses.
    pub async fn workflows_processed_summary(
        &self,
        caller: &Caller,
        function_args: &str,
    ) -> Result<ProcessedSummary> {
        let window = Window::parse(function_args)?;
        let mut s = ProcessedSummary::default();
        for wf in self.all_workflows(caller).await? {
            let id = Some(wf.id.as_str());
            s.runs.add(
                self.tally(caller, result_kinds::RUN, id, None, &window)
                    .await?,
            );
            s.users.add(
                self.tally(caller, result_kinds::USER, id, None, &window)
                    .await?,
            );
            s.tasks.add(
                self.tally(caller, result_kinds::TASK, id, None, &window)
                    .await?,
            );
        }
        Ok(s)
    }

    pub async fn workflows_processed_by_category(
        &self,
        caller: &Caller,
        function_args: &str,
    ) -> Result<ProcessedByCategory> {
        let window = Window::parse(function_args)?;
        let mut by: HashMap<String, Tally> = HashMap::new();
        for wf in self.all_workflows(caller).await? {
            let t = self
                .tally(caller, result_kinds::RUN, Some(&wf.id), None, &window)
                .await?;
            by.entry(str_of(&wf.doc, "category")).or_default().add(t);
        }
        let get = |c: &str| by.get(c).copied().unwrap_or_default();
        Ok(ProcessedByCategory {
            joiner: get("joiner"),
            leaver: get("leaver"),
            mover: get("mover"),
        })
    }

    /// `topWorkflowsInsightsSummary` items of the workflows that ran in the window, most runs
    /// first.
    pub async fn top_workflows_processed(
        &self,
        caller: &Caller,
        function_args: &str,
    ) -> Result<Vec<Value>> {
        let window = Window::parse(function_args)?;
        let mut items = Vec::new();
        for wf in self.all_workflows(caller).await? {
            let runs = self
                .tally(caller, result_kinds::RUN, Some(&wf.id), None, &window)
                .await?;
            if runs.total == 0 {
                continue;
            }
            let users = self
                .tally(caller, result_kinds::USER, Some(&wf.id), None, &window)
                .await?;
            items.push(json!({
                "workflowId": wf.id,
                "workflowDisplayName": str_of(&wf.doc, "displayName"),
                "workflowCategory": str_of(&wf.doc, "category"),
                "workflowVersion": wf.doc.get("version").and_then(Value::as_i64).unwrap_or(1),
                "totalRuns": runs.total,
                "successfulRuns": runs.completed,
                "failedRuns": runs.failed,
                "totalUsers": users.total,
                "successfulUsers": users.completed,
                "failedUsers": users.failed,
            }));
        }
        items.sort_by(|a, b| {
            b["totalRuns"]
                .as_i64()
                .cmp(&a["totalRuns"].as_i64())
                .then_with(|| {
                    str_of(a, "workflowDisplayName").cmp(&str_of(b, "workflowDisplayName"))
                })
        });
        Ok(items)
    }

    /// `topTasksInsightsSummary` items per task definition, most tasks first.
    pub async fn top_tasks_processed(
        &self,
        caller: &Caller,
        function_args: &str,
    ) -> Result<Vec<Value>> {
        let window = Window::parse(function_args)?;
        let workflow_ids: Vec<String> = self
            .all_workflows(caller)
            .await?
            .into_iter()
            .map(|wf| wf.id)
            .collect();
        let tallies = self
            .store
            .task_definition_tallies(&caller.tenant, &workflow_ids, &window.from, &window.to)
            .await?;
        let mut items: Vec<Value> = tallies
            .into_iter()
            .map(|t| {
                let name = model::catalog::task_definition(&t.definition_id)
                    .map(|d| str_of(d, "displayName"))
                    .unwrap_or_default();
                json!({
                    "taskDefinitionId": t.definition_id,
                    "taskDefinitionDisplayName": name,
                    "totalTasks": t.tasks,
                    "successfulTasks": t.completed,
                    "failedTasks": t.failed,
                    "totalUsers": t.users,
                    "successfulUsers": t.users_completed,
                    "failedUsers": t.users_failed,
                })
            })
            .collect();
        items.sort_by(|a, b| {
            b["totalTasks"]
                .as_i64()
                .cmp(&a["totalTasks"].as_i64())
                .then_with(|| str_of(a, "taskDefinitionId").cmp(&str_of(b, "taskDefinitionId")))
        });
        Ok(items)
    }
}
