//! Finishing a run: once no user of it is pending, its counts and final status (and its
//! task reports') come from SQL aggregates; and canceling one.

use model::run::{ExecutionType, ProcessingStatus, ResultKind};
use model::time::format_datetime;
use serde_json::{json, Value};
use store::{ResultQuery, ResultWrite};

use super::{Engine, EngineError, Result};

/// Result rows of a run counted by `(task id, status)`, as `Store::run_counts` returns them.
type Counts = [(String, String, i64)];

/// How many of `rows` are in a status `pred` accepts.
fn count(rows: &Counts, pred: impl Fn(ProcessingStatus) -> bool) -> i64 {
    rows.iter()
        .filter(|(_, s, _)| pred(ProcessingStatus::of(s)))
        .map(|(_, _, n)| n)
        .sum()
}

/// What a run's user and task results add up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RunTally {
    total_users: i64,
    successful_users: i64,
    failed_users: i64,
    /// Users that failed or were canceled as a whole (no task of theirs completed).
    wholly_failed_users: i64,
    total_tasks: i64,
    failed_tasks: i64,
    unprocessed_tasks: i64,
}

impl RunTally {
    fn of(users: &Counts, tasks: &Counts) -> RunTally {
        use ProcessingStatus::{Canceled, Completed, Failed};
        let total_users = count(users, |_| true);
        let successful_users = count(users, |s| s == Completed);
        RunTally {
            total_users,
            successful_users,
            failed_users: total_users - successful_users,
            wholly_failed_users: count(users, |s| matches!(s, Failed | Canceled)),
            total_tasks: count(tasks, |_| true),
            failed_tasks: count(tasks, |s| s == Failed),
            unprocessed_tasks: count(tasks, |s| !matches!(s, Completed | Failed)),
        }
    }

    /// The run's final status: canceled when asked to, else by how its users did.
    fn status(&self, current: ProcessingStatus) -> ProcessingStatus {
        if current.is_canceled() {
            ProcessingStatus::Canceled
        } else if self.failed_users == 0 {
            ProcessingStatus::Completed
        } else if self.wholly_failed_users < self.total_users {
            ProcessingStatus::CompletedWithErrors
        } else {
            ProcessingStatus::Failed
        }
    }
}

/// One task report's users: completed, failed, and the rest (canceled or never reached).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ReportTally {
    successful: i64,
    failed: i64,
    unprocessed: i64,
}

impl ReportTally {
    fn of(tasks: &Counts, task_id: &str) -> ReportTally {
        let mut tally = ReportTally {
            successful: 0,
            failed: 0,
            unprocessed: 0,
        };
        for (_, status, n) in tasks.iter().filter(|(t, _, _)| t == task_id) {
            match ProcessingStatus::of(status) {
                ProcessingStatus::Completed => tally.successful += n,
                ProcessingStatus::Failed => tally.failed += n,
                _ => tally.unprocessed += n,
            }
        }
        tally
    }

    fn status(&self, run_status: ProcessingStatus) -> ProcessingStatus {
        if run_status == ProcessingStatus::Canceled {
            ProcessingStatus::Canceled
        } else if self.failed == 0 && self.unprocessed == 0 {
            ProcessingStatus::Completed
        } else if self.successful > 0 || self.unprocessed == 0 {
            ProcessingStatus::CompletedWithErrors
        } else {
            ProcessingStatus::Failed
        }
    }
}

impl Engine {
    /// When no user of the run is still pending, compute the run's and its task reports'
    /// counts and final status from SQL aggregates. Idempotent: two nodes finishing together
    /// agree.
    pub(super) async fn finish_run_if_done(&self, tenant: &str, run_id: &str) -> Result<()> {
        // Asked on a read connection: every job asks, and on SQLite the writer is the
        // engine's bottleneck. A reader sees this job's commit; the job that commits the
        // run's last users sees none pending.
        if self.reader.run_has_pending_users(tenant, run_id).await? {
            return Ok(());
        }
        // One at a time; whoever comes second finds the run completed below.
        let _finishing = self.finishing.lock().await;
        let Some(mut run) = self
            .store
            .get_result(tenant, ResultKind::Run.as_str(), run_id)
            .await?
        else {
            return Ok(());
        };
        if run.completed_at.is_some() {
            return Ok(());
        }
        let users = self
            .store
            .run_counts(tenant, ResultKind::User.as_str(), run_id)
            .await?;
        if users.is_empty()
            && ExecutionType::parse(&run.execution_type) == Some(ExecutionType::Scheduled)
        {
            // Another node claimed every user of this scheduled run first: it never happened.
            return Ok(self.store.delete_empty_run(tenant, run_id).await?);
        }
        let tasks = self
            .store
            .run_counts(tenant, ResultKind::Task.as_str(), run_id)
            .await?;
        let now = format_datetime(self.clock.now(tenant));
        let tally = RunTally::of(&users, &tasks);
        let status = tally.status(ProcessingStatus::of(&run.status));
        run.status = status.as_str().into();
        run.completed_at = Some(now.clone());
        run.failed_tasks = tally.failed_tasks;
        if run.started_at.is_none() {
            run.started_at = Some(now.clone());
            run.doc["startedDateTime"] = json!(now);
        }
        run.doc["processingStatus"] = json!(status.as_str());
        run.doc["completedDateTime"] = json!(now);
        run.doc["lastUpdatedDateTime"] = json!(now);
        run.doc["totalUsersCount"] = json!(tally.total_users);
        run.doc["successfulUsersCount"] = json!(tally.successful_users);
        run.doc["failedUsersCount"] = json!(tally.failed_users);
        run.doc["totalTasksCount"] = json!(tally.total_tasks);
        run.doc["failedTasksCount"] = json!(tally.failed_tasks);
        run.doc["totalUnprocessedTasksCount"] = json!(tally.unprocessed_tasks);
        let run_started = run
            .doc
            .get("startedDateTime")
            .cloned()
            .unwrap_or(Value::Null);
        let mut writes = vec![ResultWrite::Put(run)];
        let (reports, _, _) = self
            .store
            .list_results(
                tenant,
                &ResultQuery {
                    kind: ResultKind::Report.as_str(),
                    run_id: Some(run_id),
                    top: 1000,
                    ..Default::default()
                },
            )
            .await?;
        for mut rep in reports {
            let of_task = ReportTally::of(&tasks, &rep.task_id);
            let report_status = of_task.status(status);
            rep.status = report_status.as_str().into();
            rep.completed_at = Some(now.clone());
            rep.failed_tasks = of_task.failed;
            rep.total_tasks = of_task.successful + of_task.failed + of_task.unprocessed;
            rep.doc["processingStatus"] = json!(report_status.as_str());
            rep.doc["startedDateTime"] = run_started.clone();
            rep.doc["completedDateTime"] = json!(now);
            rep.doc["lastUpdatedDateTime"] = json!(now);
            rep.doc["successfulUsersCount"] = json!(of_task.successful);
            rep.doc["failedUsersCount"] = json!(of_task.failed);
            rep.doc["unprocessedUsersCount"] = json!(of_task.unprocessed);
            writes.push(ResultWrite::Put(rep));
        }
        self.store.write_results(tenant, &writes).await?;
        Ok(())
    }

    /// Finish every run whose users are all done; covers a node that died between committing
    /// a run's last job and finishing the run.
    pub async fn finish_open_runs(&self) -> Result<()> {
        for (tenant, run_id) in self.store.open_runs().await? {
            self.finish_run_if_done(&tenant, &run_id).await?;
        }
        Ok(())
    }

    /// Mark a queued or in-progress run canceled; pending users and tasks are not processed.
    pub async fn cancel_run(&self, tenant: &str, workflow_id: &str, run_id: &str) -> Result<()> {
        let run = self
            .store
            .get_result(tenant, ResultKind::Run.as_str(), run_id)
            .await?
            .filter(|r| r.workflow_id == workflow_id)
            .ok_or_else(|| EngineError::NotFound(format!("Run '{run_id}' was not found.")))?;
        if !matches!(
            ProcessingStatus::of(&run.status),
            ProcessingStatus::Queued | ProcessingStatus::InProgress
        ) {
            return Err(EngineError::Invalid(format!(
                "Run '{run_id}' is {}; only queued or in-progress runs can be canceled.",
                run.status
            )));
        }
        let mut run = run;
        let canceling = ProcessingStatus::Canceling.as_str();
        run.status = canceling.into();
        run.doc["processingStatus"] = json!(canceling);
        self.store
            .write_results(tenant, &[ResultWrite::Put(run)])
            .await?;
        self.wake.notify_waiters();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProcessingStatus::*;

    fn rows(items: &[(&str, ProcessingStatus, i64)]) -> Vec<(String, String, i64)> {
        items
            .iter()
            .map(|(t, s, n)| (t.to_string(), s.as_str().to_string(), *n))
            .collect()
    }

    #[test]
    fn a_run_completes_fails_or_completes_with_errors_by_its_users() {
        let tasks = rows(&[("t1", Completed, 3), ("t1", Failed, 1), ("t2", Canceled, 1)]);
        let all_good = RunTally::of(&rows(&[("", Completed, 4)]), &tasks);
        assert_eq!(all_good.status(InProgress), Completed);
        assert_eq!(
            (
                all_good.total_tasks,
                all_good.failed_tasks,
                all_good.unprocessed_tasks
            ),
            (5, 1, 1)
        );
        let mixed = RunTally::of(&rows(&[("", Completed, 3), ("", Failed, 1)]), &tasks);
        assert_eq!(mixed.status(InProgress), CompletedWithErrors);
        assert_eq!((mixed.successful_users, mixed.failed_users), (3, 1));
        let partly = RunTally::of(&rows(&[("", CompletedWithErrors, 2)]), &tasks);
        assert_eq!(partly.status(InProgress), CompletedWithErrors);
        let none = RunTally::of(&rows(&[("", Failed, 1), ("", Canceled, 1)]), &tasks);
        assert_eq!(none.status(InProgress), Failed);
        assert_eq!(all_good.status(Canceling), Canceled);
        assert_eq!(all_good.status(Canceled), Canceled);
    }

    #[test]
    fn a_report_counts_its_own_task_only() {
        let tasks = rows(&[
            ("t1", Completed, 3),
            ("t1", Failed, 1),
            ("t2", Failed, 2),
            ("t3", Completed, 1),
            ("t3", Canceled, 1),
            ("t4", Canceled, 2),
        ]);
        let t1 = ReportTally::of(&tasks, "t1");
        assert_eq!((t1.successful, t1.failed, t1.unprocessed), (3, 1, 0));
        assert_eq!(t1.status(Completed), CompletedWithErrors);
        // Every user reached the task, so the report counts as done with errors.
        assert_eq!(
            ReportTally::of(&tasks, "t2").status(Failed),
            CompletedWithErrors
        );
        assert_eq!(
            ReportTally::of(&tasks, "t3").status(CompletedWithErrors),
            CompletedWithErrors
        );
        assert_eq!(ReportTally::of(&tasks, "t4").status(Failed), Failed);
        assert_eq!(ReportTally::of(&tasks, "t5").status(Completed), Completed);
        assert_eq!(t1.status(Canceled), Canceled);
    }
}
