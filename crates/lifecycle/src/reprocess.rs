//! Reprocessing: `activateWithScope` over a past run (`activateRunScope`) or over chosen
//! user processing results (`activateProcessingResultScope`), rerunning every task or only
//! the failed ones. The new run is linked from each source run and user result.

use std::collections::{BTreeSet, HashMap};

use engine::runner::{Activation, ExecutionType};
use serde_json::{json, Map, Value};
use store::{result_kinds, Resource, ResultRow};

use crate::activation::{array, bad, check_keys, ref_id, NS};
use crate::{Caller, Result, Service};

/// An `all…`/`failed…` scope enum (`taskScope`, `userScope`): true for the failed-only member.
fn failed_only(
    m: &Map<String, Value>,
    key: &str,
    all: &str,
    failed: &str,
    path: &str,
) -> Result<bool> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::String(s)) if s.eq_ignore_ascii_case(all) => Ok(false),
        Some(Value::String(s)) if s.eq_ignore_ascii_case(failed) => Ok(true),
        Some(other) => Err(bad(
            &format!("{path}.{key}"),
            format!("Invalid value {other} for '{path}.{key}': expected '{all}' or '{failed}'."),
        )),
    }
}

fn failed_tasks_only(m: &Map<String, Value>, path: &str) -> Result<bool> {
    failed_only(m, "taskScope", "allTasks", "failedTasks", path)
}

fn failed_users_only(m: &Map<String, Value>, path: &str) -> Result<bool> {
    failed_only(m, "userScope", "allUsers", "failedUsers", path)
}

fn task_scope_name(failed_tasks: bool) -> &'static str {
    if failed_tasks {
        "failedTasks"
    } else {
        "allTasks"
    }
}

impl Service {
    /// Rerun `uprs` (user processing results of this workflow): every task, or only the
    /// tasks that failed for them.
    async fn reprocess(
        &self,
        caller: &Caller,
        uprs: &[ResultRow],
        failed_tasks: bool,
        echo: Value,
        path: &str,
    ) -> Result<Activation> {
        if uprs.is_empty() {
            return Err(bad(
                path,
                "There are no user processing results to reprocess in this scope.",
            ));
        }
        let mut users: Vec<String> = Vec::new();
        let mut runs: BTreeSet<String> = BTreeSet::new();
        let mut by_user: HashMap<String, Vec<String>> = HashMap::new();
        let mut task_ids: BTreeSet<String> = BTreeSet::new();
        for u in uprs {
            if !users.contains(&u.subject_id) {
                users.push(u.subject_id.clone());
            }
            runs.insert(u.run_id.clone());
            by_user
                .entry(u.subject_id.clone())
                .or_default()
                .push(u.id.clone());
            if failed_tasks {
                let tasks = self
                    .all_result_rows(caller, result_kinds::TASK, None, None, Some(&u.id))
                    .await?;
                task_ids.extend(
                    tasks
                        .into_iter()
                        .filter(|t| t.status == "failed")
                        .map(|t| t.task_id),
                );
            }
        }
        if failed_tasks && task_ids.is_empty() {
            return Err(bad(
                path,
                "No task failed for the selected users; use taskScope 'allTasks' to rerun every task.",
            ));
        }
        let mut act = Activation::new(ExecutionType::ActivatedWithScope, users);
        act.activated_on_scope = Some(echo);
        act.reprocesses = runs.into_iter().collect();
        act.reprocessed_user_results = by_user;
        if failed_tasks {
            act.task_ids = Some(task_ids.into_iter().collect());
        }
        Ok(act)
    }

    /// `activateRunScope` `{run, taskScope, userScope}`: rerun a past run's users (all, or
    /// those that failed or were canceled).
    pub(crate) async fn run_scope_activation(
        &self,
        caller: &Caller,
        wf: &Resource,
        selection: &Map<String, Value>,
    ) -> Result<Activation> {
        check_keys(selection, &["run", "taskScope", "userScope"], "scope")?;
        let run_id = ref_id(selection.get("run").unwrap_or(&Value::Null), "scope.run")?;
        let run = self
            .store
            .get_result(&caller.tenant, result_kinds::RUN, &run_id)
            .await?
            .filter(|r| r.workflow_id == wf.id)
            .ok_or_else(|| {
                bad(
                    "scope.run",
                    format!("Invalid value for 'scope.run': run '{run_id}' of this workflow does not exist."),
                )
            })?;
        let failed_tasks = failed_tasks_only(selection, "scope")?;
        let failed_users = failed_users_only(selection, "scope")?;
        let uprs: Vec<ResultRow> = self
            .all_result_rows(
                caller,
                result_kinds::USER,
                Some(&wf.id),
                Some(&run.id),
                None,
            )
            .await?
            .into_iter()
            .filter(|u| {
                !failed_users
                    || matches!(
                        u.status.as_str(),
                        "failed" | "completedWithErrors" | "canceled"
                    )
            })
            .collect();
        let echo = json!({
            "@odata.type": format!("#{NS}activateRunScope"),
            "run": {"id": run.id},
            "taskScope": task_scope_name(failed_tasks),
            "userScope": if failed_users { "failedUsers" } else { "allUsers" },
        });
        let mut act = self
            .reprocess(caller, &uprs, failed_tasks, echo, "scope")
            .await?;
        act.reprocesses = vec![run.id];
        Ok(act)
    }

    /// `activateProcessingResultScope` `{processingResults: [{id}], taskScope}`.
    pub(crate) async fn processing_result_scope_activation(
        &self,
        caller: &Caller,
        wf: &Resource,
        selection: &Map<String, Value>,
    ) -> Result<Activation> {
        check_keys(selection, &["processingResults", "taskScope"], "scope")?;
        let items = array(
            selection.get("processingResults"),
            "scope.processingResults",
        )?;
        let failed_tasks = failed_tasks_only(selection, "scope")?;
        let mut uprs: Vec<ResultRow> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let p = format!("scope.processingResults[{i}]");
            let id = ref_id(item, &p)?;
            let row = self
                .store
                .get_result(&caller.tenant, result_kinds::USER, &id)
                .await?
                .filter(|r| r.workflow_id == wf.id)
                .ok_or_else(|| {
                    bad(&p, format!("Invalid value for '{p}': user processing result '{id}' of this workflow does not exist."))
                })?;
            if !uprs.iter().any(|u| u.id == row.id) {
                uprs.push(row);
            }
        }
        let echo = json!({
            "@odata.type": format!("#{NS}activateProcessingResultScope"),
            "processingResults": uprs.iter().map(|u| json!({"id": u.id})).collect::<Vec<_>>(),
            "taskScope": task_scope_name(failed_tasks),
        });
        self.reprocess(caller, &uprs, failed_tasks, echo, "scope.processingResults")
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_enums_default_to_all() {
        let m = |v: Value| v.as_object().cloned().unwrap();
        assert!(!failed_tasks_only(&m(json!({})), "scope").unwrap());
        assert!(failed_tasks_only(&m(json!({"taskScope": "FailedTasks"})), "scope").unwrap());
        assert!(!failed_users_only(&m(json!({"userScope": "allUsers"})), "scope").unwrap());
        assert!(failed_users_only(&m(json!({"userScope": 3})), "scope").is_err());
    }
}
