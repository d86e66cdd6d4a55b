//! The time window of summary and insights functions, and the status tallies of results
//! within it: the counts behind every summary.

use chrono::{DateTime, Utc};

use crate::{Caller, Error, Result, Service};

/// A `startDateTime`..`endDateTime` window as fixed-width UTC text, the form the store
/// compares result times in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub(crate) from: String,
    pub(crate) to: String,
}

impl Window {
    /// The window named by a function's argument text (`startDateTime=...,endDateTime=...`).
    pub fn parse(function_args: &str) -> Result<Window> {
        let names = ["startDateTime", "endDateTime"];
        let params = odata::parse_function_params(function_args, &names).map_err(|e| {
            let target = match &e {
                odata::FunctionParamError::Missing { name }
                | odata::FunctionParamError::Duplicate { name } => Some(name.clone()),
                _ => None,
            };
            Error::Invalid {
                message: format!("Invalid function parameters: {e}."),
                target,
            }
        })?;
        let mut bounds = Vec::new();
        for (name, v) in params {
            let dt = odata::parse_datetime_param(&v).map_err(|e| {
                Error::invalid_at(
                    format!("Invalid value for function parameter '{name}': {e}."),
                    name.clone(),
                )
            })?;
            bounds.push(dt);
        }
        let (Some(start), Some(end)) = (bounds.first().copied(), bounds.get(1).copied()) else {
            return Err(Error::invalid(
                "The parameters 'startDateTime' and 'endDateTime' are required.",
            ));
        };
        if end < start {
            return Err(Error::invalid_at(
                "'endDateTime' must not be before 'startDateTime'.",
                "endDateTime",
            ));
        }
        let fixed =
            |d: DateTime<Utc>| store::fixed_ts(&d.to_rfc3339()).unwrap_or_else(|| d.to_rfc3339());
        Ok(Window {
            from: fixed(start),
            to: fixed(end),
        })
    }
}

/// Status tallies of one kind of result in a window.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub total: i64,
    pub completed: i64,
    /// `failed` and `completedWithErrors`.
    pub failed: i64,
    /// Neither completed nor failed (queued, in progress, canceled, ...).
    pub other: i64,
    pub tasks: i64,
    pub failed_tasks: i64,
}

impl Tally {
    pub fn add(&mut self, o: Tally) {
        self.total += o.total;
        self.completed += o.completed;
        self.failed += o.failed;
        self.other += o.other;
        self.tasks += o.tasks;
        self.failed_tasks += o.failed_tasks;
    }
}

impl Service {
    /// Tally the results of `kind` (of one workflow and run when given) within `window`.
    pub(crate) async fn tally(
        &self,
        caller: &Caller,
        kind: &'static str,
        workflow_id: Option<&str>,
        run_id: Option<&str>,
        window: &Window,
    ) -> Result<Tally> {
        let rows = self
            .store
            .result_status_counts(
                &caller.tenant,
                kind,
                workflow_id,
                run_id,
                &window.from,
                &window.to,
            )
            .await?;
        let mut t = Tally::default();
        for (status, n, tasks, failed_tasks) in rows {
            t.total += n;
            t.tasks += tasks;
            t.failed_tasks += failed_tasks;
            match status.as_str() {
                "completed" => t.completed += n,
                "failed" | "completedWithErrors" => t.failed += n,
                _ => t.other += n,
            }
        }
        Ok(t)
    }

    /// taskReportSummary's counts: task processing results (one per task and user), as
    /// the workflow's task reports in `window` count them; `completed`, `failed` and
    /// `other` are the successful, failed and unprocessed ones.
    pub(crate) async fn task_result_tally(
        &self,
        caller: &Caller,
        workflow_id: &str,
        window: &Window,
    ) -> Result<Tally> {
        let reports = self
            .all_result_rows(
                caller,
                store::result_kinds::REPORT,
                Some(workflow_id),
                None,
                None,
            )
            .await?;
        let count = |doc: &serde_json::Value, name: &str| {
            doc.get(name)
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(0)
        };
        let mut t = Tally::default();
        for r in reports.iter().filter(|r| {
            r.scheduled_at
                .as_deref()
                .is_some_and(|at| (window.from.as_str()..=window.to.as_str()).contains(&at))
        }) {
            t.total += count(&r.doc, "totalUsersCount");
            t.completed += count(&r.doc, "successfulUsersCount");
            t.failed += count(&r.doc, "failedUsersCount");
            t.other += count(&r.doc, "unprocessedUsersCount");
        }
        Ok(t)
    }

    /// Every result row of `kind` for a workflow, run or user result: engine-sized
    /// listings for activation and reprocessing.
    pub(crate) async fn all_result_rows(
        &self,
        caller: &Caller,
        kind: &'static str,
        workflow_id: Option<&str>,
        run_id: Option<&str>,
        user_result_id: Option<&str>,
    ) -> Result<Vec<store::ResultRow>> {
        let q = store::ResultQuery {
            kind,
            workflow_id,
            run_id,
            user_result_id,
            top: 1_000_000,
            ..Default::default()
        };
        Ok(self.store.list_results(&caller.tenant, &q).await?.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_needs_ordered_bounds() {
        let w =
            Window::parse("startDateTime=2026-01-01T00:00:00Z,endDateTime=2026-02-01T00:00:00Z")
                .unwrap();
        assert!(w.from < w.to);
        let backwards =
            Window::parse("startDateTime=2026-02-01T00:00:00Z,endDateTime=2026-01-01T00:00:00Z");
        assert!(
            matches!(backwards, Err(Error::Invalid { target: Some(t), .. }) if t == "endDateTime")
        );
        assert!(Window::parse("startDateTime=2026-02-01T00:00:00Z").is_err());
    }
}
