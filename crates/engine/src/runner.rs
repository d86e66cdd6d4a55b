//! Runs: creating them (on demand, with a scope, on schedule), processing users through the
//! durable job queue, and recording the history Graph exposes.
//!
//! A run is written with its user results, queued task results, task reports and jobs in one
//! transaction (streamed in slices, so memory stays flat). Workers lease jobs (several nodes
//! share them), process each job's users' tasks in order, and commit the directory effects
//! together with the results, so a crash resumes where it stopped without repeating a
//! finished task.
//!
//! The work is split by responsibility: `create` writes a run, `jobs` leases and runs the
//! queue's jobs, `process` loads what a job's users need and commits their plan, `plan`
//! decides (pure, no I/O) what happens to each user, and `finish` computes a run's final
//! counts and status.

mod create;
mod finish;
mod jobs;
mod plan;
mod process;

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use store::Store;

use crate::scope::CompiledConditions;
use crate::Clock;

pub use model::run::ExecutionType;
/// Wall-clock times in the fixed width the store orders by (leases, due times).
pub(crate) use model::time::format_fixed as fixed;

/// The kind of the one job the engine queues (see [`model::run::JobPayload`]).
pub const JOB_PROCESS_USERS: &str = model::run::JobPayload::PROCESS_USERS;

/// Users per job: one job processes this many users' tasks.
const USERS_PER_JOB: usize = 500;
/// Rows per slice streamed into the transaction that creates a run.
const WRITE_SLICE: usize = 2_000;
/// How long a lease on a job lasts. A node renews the leases of the jobs it holds every
/// `LEASE_RENEWAL`, so a job outlives its first lease while its node is alive, and a crashed
/// node's jobs are taken over within this time.
const LEASE_SECS: i64 = 15;
const LEASE_RENEWAL: std::time::Duration = std::time::Duration::from_secs(5);
/// Jobs in flight per node: while one job's transaction holds the writer (SQLite has one),
/// the others read and plan. Planning a job takes longer than writing it, so it takes
/// three others to keep SQLite's writer busy (four ran about a tenth faster than three,
/// five and eight slower and larger); PostgreSQL runs their transactions side by side.
const JOBS_IN_FLIGHT: usize = 4;
/// Runs at least this large refresh the database's planner statistics once written.
const BULK_RUN_USERS: usize = 5_000;
/// A job that fails this often is dropped (and logged) instead of blocking the queue.
const MAX_ATTEMPTS: i64 = 5;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    /// A job's task ended without finishing (it panicked or the runtime is shutting down).
    #[error("engine task did not finish: {0}")]
    JobAborted(String),
}

pub type Result<T> = std::result::Result<T, EngineError>;

/// What to run.
#[derive(Debug, Clone)]
pub struct Activation {
    pub execution_type: ExecutionType,
    pub user_ids: Vec<String>,
    /// Only these workflow task ids (reprocessing failed tasks); `None` = every enabled task.
    pub task_ids: Option<Vec<String>>,
    /// Echoed as `run.activatedOnScope`.
    pub activated_on_scope: Option<Value>,
    /// Runs and user processing results this run reprocesses (they get a reprocessedRuns link).
    pub reprocesses: Vec<String>,
    /// Per user: the user processing result this user's new result reprocesses.
    pub reprocessed_user_results: HashMap<String, Vec<String>>,
    /// Per user: the trigger occurrence this run processes (scheduled runs). A user whose
    /// occurrence is already claimed is left out.
    pub occurrences: HashMap<String, String>,
}

impl Activation {
    pub fn new(execution_type: ExecutionType, user_ids: Vec<String>) -> Self {
        Activation {
            execution_type,
            user_ids,
            task_ids: None,
            activated_on_scope: None,
            reprocesses: Vec::new(),
            reprocessed_user_results: HashMap::new(),
            occurrences: HashMap::new(),
        }
    }
}

pub struct Engine {
    /// Writes, and reads that must see them (on SQLite the one writer connection).
    pub store: Store,
    /// A job's reads before it plans. On SQLite these run on the read connections, so one
    /// job reads and plans while another's transaction holds the writer.
    pub(crate) reader: Store,
    pub clock: Arc<dyn Clock>,
    node_id: String,
    wake: tokio::sync::Notify,
    /// Held while a run's final counts are computed: the worker that commits a run's last
    /// job and a drain finishing open runs would otherwise both count a large run (one
    /// after the other, on SQLite's one writer connection).
    finishing: tokio::sync::Mutex<()>,
    /// Jobs in flight on this node, whoever leased them (the worker loop, a drain), at most
    /// [`JOBS_IN_FLIGHT`]. A job is leased only once it has a slot, so the node holds
    /// leases on the jobs it works on and other nodes take the rest.
    job_slots: Arc<tokio::sync::Semaphore>,
    /// Held by the callout worker for each pass, so a stopping node can wait for the calls
    /// in flight before it hands back its callout leases.
    pub(crate) callout_pass: tokio::sync::Mutex<()>,
    /// Set when the node stops: no job, callout or drain starts after it.
    stopping: tokio::sync::watch::Sender<bool>,
    /// Serialises moving a manual clock with adopting the persisted clocks.
    pub(crate) clock_sync: tokio::sync::Mutex<()>,
}

impl Engine {
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Arc<Engine> {
        Arc::new(Engine {
            job_slots: Arc::new(tokio::sync::Semaphore::new(JOBS_IN_FLIGHT)),
            reader: store.clone(),
            store: store.writer_view(),
            clock,
            node_id: model::new_id(),
            wake: tokio::sync::Notify::new(),
            finishing: tokio::sync::Mutex::new(()),
            callout_pass: tokio::sync::Mutex::new(()),
            stopping: tokio::sync::watch::Sender::new(false),
            clock_sync: tokio::sync::Mutex::new(()),
        })
    }

    /// The owner this node's leases (jobs, callouts) are recorded under.
    pub fn node_id(&self) -> &str {
        &self.node_id
    }

    /// Whether the node is stopping (see [`Engine::stop_taking_work`]).
    pub fn is_stopping(&self) -> bool {
        *self.stopping.borrow()
    }

    /// Resolves once the node starts stopping.
    pub(crate) async fn stopped(&self) {
        let mut watch = self.stopping.subscribe();
        let _ = watch.wait_for(|stopping| *stopping).await;
    }

    /// Wake this node's workers (a job was queued outside `activate`).
    pub(crate) fn notify(&self) {
        self.wake.notify_waiters();
    }
}

/// The compiled conditions of a workflow, for scope checks.
pub fn compile(workflow: &Value) -> std::result::Result<CompiledConditions, EngineError> {
    let conditions = model::workflow_view::WorkflowView::of(workflow).execution_conditions;
    CompiledConditions::new(conditions).map_err(|e| EngineError::Invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use model::run::ResultKind;

    #[test]
    fn result_kinds_are_the_stores() {
        let store_kinds = [
            store::result_kinds::RUN,
            store::result_kinds::USER,
            store::result_kinds::TASK,
            store::result_kinds::REPORT,
        ];
        let kinds: Vec<&str> = ResultKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(kinds, store_kinds);
    }
}
