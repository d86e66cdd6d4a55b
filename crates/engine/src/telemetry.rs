//! The engine's metrics, named once here. They go through the `metrics` facade, which does
//! nothing until a recorder is installed (`lcw serve` installs one; tests and tools that
//! embed the engine pay nothing). Labels never carry tenant data: no tenant, workflow or
//! user ids, only fixed words.

use model::run::{ProcessingStatus, ResultKind};
use store::ResultWrite;

pub const USERS_PROCESSED: &str = "lcw_engine_users_processed_total";
pub const USERS_FAILED: &str = "lcw_engine_users_failed_total";
pub const TASKS_PROCESSED: &str = "lcw_engine_tasks_processed_total";
pub const TASKS_FAILED: &str = "lcw_engine_tasks_failed_total";
pub const JOBS_PROCESSED: &str = "lcw_engine_jobs_processed_total";
pub const LEASE_TAKEOVERS: &str = "lcw_engine_lease_takeovers_total";
pub const SCHEDULER_PASSES: &str = "lcw_scheduler_passes_total";
pub const SCHEDULER_PASS_SECONDS: &str = "lcw_scheduler_pass_duration_seconds";
pub const SCHEDULER_RUNS_CREATED: &str = "lcw_scheduler_runs_created_total";
pub const SCHEDULER_USERS_QUEUED: &str = "lcw_scheduler_users_queued_total";
pub const SCHEDULER_USERS_MISSED: &str = "lcw_scheduler_missed_users_total";
pub const MAIL_SENT: &str = "lcw_mail_sent_total";
pub const MAIL_FAILED: &str = "lcw_mail_failed_total";
pub const MAIL_RETRIED: &str = "lcw_mail_retries_total";
pub const CALLOUTS: &str = "lcw_callouts_total";

/// Help texts of the engine's metrics, for the exporter's `# HELP` lines.
pub fn describe() {
    use metrics::{describe_counter, describe_histogram, Unit};
    describe_counter!(
        USERS_PROCESSED,
        "Users whose processing reached a final status (completed, completedWithErrors, failed, canceled)."
    );
    describe_counter!(USERS_FAILED, "Users whose processing ended failed.");
    describe_counter!(
        TASKS_PROCESSED,
        "Task processing results that reached a final status."
    );
    describe_counter!(TASKS_FAILED, "Task processing results that failed.");
    describe_counter!(
        JOBS_PROCESSED,
        "Engine jobs (up to 500 users each) committed by this node."
    );
    describe_counter!(
        LEASE_TAKEOVERS,
        "Jobs this node leased that an earlier lease had left unfinished (a node crashed, stopped or failed the job)."
    );
    describe_counter!(
        SCHEDULER_PASSES,
        "Scheduler passes, by outcome (ok, error)."
    );
    describe_histogram!(
        SCHEDULER_PASS_SECONDS,
        Unit::Seconds,
        "Time a scheduler pass takes to evaluate due workflows and queue their users."
    );
    describe_counter!(SCHEDULER_RUNS_CREATED, "Scheduled runs created.");
    describe_counter!(SCHEDULER_USERS_QUEUED, "Users queued by scheduled runs.");
    describe_counter!(
        SCHEDULER_USERS_MISSED,
        "Users whose trigger date passed outside the catch-up window since the previous pass: they were not processed."
    );
    describe_counter!(MAIL_SENT, "E-mails delivered to the SMTP server.");
    describe_counter!(MAIL_FAILED, "E-mails the SMTP server refused for good.");
    describe_counter!(
        MAIL_RETRIED,
        "E-mail deliveries that failed for now and wait for a retry."
    );
    describe_counter!(
        CALLOUTS,
        "Custom task extension callouts, by outcome (completed, waiting, failed, skipped, timedOut, canceled)."
    );
}

/// Count what a committed job decided: users and tasks that reached a final status.
pub(crate) fn job_committed(writes: &[ResultWrite]) {
    let (mut users, mut users_failed, mut tasks, mut tasks_failed) = (0u64, 0u64, 0u64, 0u64);
    for w in writes {
        let (ResultWrite::Put(row) | ResultWrite::Update(row)) = w else {
            continue;
        };
        let status = ProcessingStatus::of(&row.status);
        if !status.is_final() {
            continue;
        }
        let failed = status == ProcessingStatus::Failed;
        if row.kind == ResultKind::User.as_str() {
            users += 1;
            users_failed += u64::from(failed);
        } else if row.kind == ResultKind::Task.as_str() {
            tasks += 1;
            tasks_failed += u64::from(failed);
        }
    }
    metrics::counter!(JOBS_PROCESSED).increment(1);
    metrics::counter!(USERS_PROCESSED).increment(users);
    metrics::counter!(USERS_FAILED).increment(users_failed);
    metrics::counter!(TASKS_PROCESSED).increment(tasks);
    metrics::counter!(TASKS_FAILED).increment(tasks_failed);
}

/// A scheduler pass ended after `seconds`, with its report unless it failed.
pub(crate) fn pass_ended(report: Option<&crate::scheduler::PassReport>, seconds: f64) {
    metrics::histogram!(SCHEDULER_PASS_SECONDS).record(seconds);
    match report {
        Some(report) => {
            metrics::counter!(SCHEDULER_PASSES, "outcome" => "ok").increment(1);
            metrics::counter!(SCHEDULER_RUNS_CREATED).increment(report.runs_created as u64);
            metrics::counter!(SCHEDULER_USERS_QUEUED).increment(report.users_queued as u64);
            metrics::counter!(SCHEDULER_USERS_MISSED).increment(report.users_missed as u64);
        }
        None => metrics::counter!(SCHEDULER_PASSES, "outcome" => "error").increment(1),
    }
}

/// A custom task extension callout ended this way.
pub(crate) fn callout(outcome: &'static str) {
    metrics::counter!(CALLOUTS, "outcome" => outcome).increment(1);
}
