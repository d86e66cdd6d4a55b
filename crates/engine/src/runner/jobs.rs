//! The durable job queue on this node: leasing due jobs (renewed while they run), running
//! them a few at a time, retrying or dropping the ones that fail.

use std::sync::Arc;

use chrono::Utc;
use store::{Job, ResultWrite, Store};

use super::{fixed, Engine, EngineError, Result, LEASE_RENEWAL, LEASE_SECS, MAX_ATTEMPTS};

impl Engine {
    /// Start the worker loop on this node.
    pub fn spawn_workers(self: &Arc<Self>) {
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                match me.work_once(32).await {
                    Ok(0) => {
                        if let Err(e) = me.finish_open_runs().await {
                            tracing::warn!(error = %e, "finishing open runs failed");
                        }
                        let _ = tokio::time::timeout(
                            std::time::Duration::from_millis(250),
                            me.wake.notified(),
                        )
                        .await;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "engine worker pass failed");
                        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    }
                }
            }
        });
    }

    /// Lease due jobs, `limit` at a time, and process them until none is due; returns how
    /// many were processed. The next lease is taken while the last jobs of the one before
    /// still run, so the writer does not wait at each lease's end.
    pub async fn work_once(self: &Arc<Self>, limit: i64) -> Result<usize> {
        let mut leased = std::collections::VecDeque::new();
        let mut running = tokio::task::JoinSet::new();
        let mut processed = 0;
        let mut failure = None;
        let held = HeldJobs::default();
        let _renewal = held.keep_renewed(self.store.clone(), self.node_id.clone());
        loop {
            if leased.is_empty() {
                match self.lease(limit).await {
                    Ok(jobs) if jobs.is_empty() => break,
                    Ok(jobs) => {
                        held.add(jobs.iter().map(|j| j.id.clone()));
                        leased.extend(jobs);
                    }
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
            }
            let Some(job) = leased.pop_front() else { break };
            let Ok(slot) = self.job_slots.clone().acquire_owned().await else {
                failure = Some(EngineError::JobAborted("the job slots were closed".into()));
                break;
            };
            let (me, held) = (self.clone(), held.clone());
            running.spawn(async move {
                let _slot = slot;
                let outcome = me.run_job(&job).await;
                // A job that failed is retried once its lease runs out, not renewed.
                held.remove(&job.id);
                outcome
            });
            processed += 1;
            while let Some(outcome) = running.try_join_next() {
                note_failure(&mut failure, outcome);
            }
        }
        // Every started job runs to its end (dropping the set would abort them).
        while let Some(outcome) = running.join_next().await {
            note_failure(&mut failure, outcome);
        }
        match failure {
            Some(e) => Err(e),
            None => Ok(processed),
        }
    }

    async fn lease(&self, limit: i64) -> Result<Vec<Job>> {
        // Leases use wall time: they guard against crashed nodes, not workflow time.
        let now = Utc::now();
        Ok(self
            .store
            .claim_jobs(
                &self.node_id,
                &fixed(now),
                &fixed(now + chrono::Duration::seconds(LEASE_SECS)),
                limit,
            )
            .await?)
    }

    /// Process one leased job; a job that keeps failing is dropped after `MAX_ATTEMPTS`.
    async fn run_job(&self, job: &Job) -> Result<()> {
        if let Err(e) = self.process_job(job).await {
            if job.attempts >= MAX_ATTEMPTS {
                tracing::error!(job = job.id, error = %e, "job failed {MAX_ATTEMPTS} times; giving up on it");
                self.store
                    .write_results(&job.tenant_id, &[ResultWrite::CompleteJob(job.id.clone())])
                    .await?;
            } else {
                tracing::warn!(job = job.id, error = %e, "job failed; it will be retried when its lease expires");
            }
        }
        Ok(())
    }

    /// Process until no job is due (tests, `activateAndWait`, the manual clock).
    /// Jobs another worker holds count too: this returns once the queue is empty, or after
    /// 60 s. A crashed node's jobs are taken over here once their leases run out (within
    /// `LEASE_SECS`).
    pub async fn drain(self: &Arc<Self>) -> Result<()> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            if self.work_once(64).await? > 0 {
                continue;
            }
            if self.store.pending_jobs().await? == 0 || std::time::Instant::now() > deadline {
                // A job another worker just completed may not have finished its run yet.
                return self.finish_open_runs().await;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

/// The jobs a `work_once` holds leases on, renewed in the background while it runs.
#[derive(Clone, Default)]
struct HeldJobs(Arc<std::sync::Mutex<std::collections::HashSet<String>>>);

impl HeldJobs {
    fn add(&self, ids: impl Iterator<Item = String>) {
        if let Ok(mut held) = self.0.lock() {
            held.extend(ids);
        }
    }

    fn remove(&self, id: &str) {
        if let Ok(mut held) = self.0.lock() {
            held.remove(id);
        }
    }

    /// Renew the leases every `LEASE_RENEWAL` until the returned guard is dropped.
    fn keep_renewed(&self, store: Store, owner: String) -> AbortOnDrop {
        let held = self.clone();
        let renewal = tokio::spawn(async move {
            loop {
                tokio::time::sleep(LEASE_RENEWAL).await;
                let ids: Vec<String> = match held.0.lock() {
                    Ok(held) => held.iter().cloned().collect(),
                    Err(_) => return,
                };
                if ids.is_empty() {
                    continue;
                }
                let until = fixed(Utc::now() + chrono::Duration::seconds(LEASE_SECS));
                if let Err(e) = store.renew_job_leases(&owner, &ids, &until).await {
                    tracing::warn!(error = %e, "renewing job leases failed");
                }
            }
        });
        AbortOnDrop(renewal.abort_handle())
    }
}

/// Stops a background task when dropped.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Keep the first failure of a job's task.
fn note_failure(
    failure: &mut Option<EngineError>,
    outcome: std::result::Result<Result<()>, tokio::task::JoinError>,
) {
    let error = match outcome {
        Ok(Ok(())) => return,
        Ok(Err(e)) => e,
        Err(e) => EngineError::JobAborted(e.to_string()),
    };
    failure.get_or_insert(error);
}
