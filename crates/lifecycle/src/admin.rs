//! lcw's own operations (not Graph), for operators and tests: read the e-mail outbox, run
//! the scheduler now, and wait for the engine to finish its queued work.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::{Caller, Error, Result, Service};

/// What one scheduler run did, and how long its two phases took (wall time, for the
/// engine benchmark).
#[derive(Debug, Clone)]
pub struct SchedulerRun {
    /// The tenant clock when the run finished.
    pub now: DateTime<Utc>,
    pub workflows_evaluated: usize,
    pub runs_created: usize,
    pub users_queued: usize,
    /// Users whose trigger date passed outside the catch-up window since the previous pass:
    /// not processed (see `engine::scheduler::PassReport::users_missed`).
    pub users_missed: usize,
    /// Finding the due workflows and queueing their users.
    pub pass_ms: u64,
    /// Processing what the pass queued.
    pub processing_ms: u64,
}

pub use engine::clock::ClockMove;

/// A page of the outbox and, when more follow, the id the next page starts after.
#[derive(Debug, Clone)]
pub struct OutboxPage {
    pub messages: Vec<Value>,
    pub next: Option<String>,
}

/// An engine failure here is lcw's own (the admin endpoints take no input the engine could
/// refuse), so it is reported as internal rather than mapped like a Graph operation's.
fn engine_failure(e: engine::runner::EngineError) -> Error {
    Error::Internal(e.to_string())
}

impl Service {
    /// One page of the caller's tenant's e-mail outbox, oldest first, as lcw's admin API
    /// lists it: up to `query.limit` messages after `query.after` (the previous page's
    /// `next`), of one status or all.
    pub async fn outbox(&self, caller: &Caller, query: &store::OutboxQuery) -> Result<OutboxPage> {
        // One more than the page holds tells whether another page follows.
        let probe = store::OutboxQuery {
            limit: query.limit.saturating_add(1),
            ..query.clone()
        };
        let mut rows = self
            .store
            .list_outbox(&caller.tenant, &probe)
            .await?
            .ok_or_else(|| Error::Invalid {
                message: "The $skiptoken is not valid; use the @odata.nextLink as given.".into(),
                target: Some("$skiptoken".into()),
            })?;
        let page_size = usize::try_from(query.limit).unwrap_or(usize::MAX);
        let next = if rows.len() > page_size {
            rows.truncate(page_size);
            rows.last().map(|r| r.id.clone())
        } else {
            None
        };
        Ok(OutboxPage {
            messages: rows.iter().map(store::OutboxRow::to_json).collect(),
            next,
        })
    }

    /// Send a failed (or waiting) message of the caller's tenant again, now. A sent message
    /// is refused: sending it again would deliver it twice.
    pub async fn requeue_outbox(&self, caller: &Caller, id: &str) -> Result<Value> {
        match self.store.requeue_outbox(&caller.tenant, id).await? {
            store::Requeue::Requeued(row) => Ok(row.to_json()),
            store::Requeue::AlreadySent => Err(Error::Conflict(format!(
                "The message '{id}' was already sent; requeueing it would deliver it twice."
            ))),
            store::Requeue::NotFound => Err(Error::NotFound(format!(
                "The outbox holds no message '{id}'."
            ))),
        }
    }

    /// One scheduler pass over the caller's tenant, evaluating every scheduled workflow now
    /// (due or not), then the processing of what it queued. Other tenants are left to their
    /// own clocks and passes.
    pub async fn run_scheduler_now(&self, caller: &Caller) -> Result<SchedulerRun> {
        let started = std::time::Instant::now();
        let report = self
            .engine
            .scheduler_pass_now(&caller.tenant)
            .await
            .map_err(engine_failure)?;
        let pass_ms = started.elapsed().as_millis() as u64;
        self.engine.drain().await.map_err(engine_failure)?;
        let processing_ms = (started.elapsed().as_millis() as u64).saturating_sub(pass_ms);
        Ok(SchedulerRun {
            now: self.now(&caller.tenant),
            workflows_evaluated: report.workflows_evaluated,
            runs_created: report.runs_created,
            users_queued: report.users_queued,
            users_missed: report.users_missed,
            pass_ms,
            processing_ms,
        })
    }

    /// Move the caller's tenant's manual clock; it is kept, so a restart or another node
    /// sees it. Returns the tenant's new time.
    pub async fn move_clock(
        &self,
        caller: &Caller,
        clock: &engine::ManualClock,
        how: ClockMove,
    ) -> Result<DateTime<Utc>> {
        self.engine
            .move_clock(clock, &caller.tenant, how)
            .await?
            .map_err(|e| Error::Invalid {
                message: format!("{e}; it keeps its time."),
                target: None,
            })
    }

    /// Take up the tenant clocks other nodes persisted.
    pub async fn adopt_persisted_clocks(&self) -> Result<()> {
        // A store fault here is the database's, and answers like one (503 when transient).
        Ok(self.engine.adopt_persisted_clocks().await?)
    }

    /// Wait until the engine has no queued work left.
    pub async fn drain_engine(&self) -> Result<()> {
        self.engine.drain().await.map_err(engine_failure)
    }
}
