//! The durable job queue on this node: leasing due jobs as slots free up (renewed while
//! they run), running them a few at a time, retrying or dropping the ones that fail, and
//! handing back what the node holds when it stops.

use std::sync::Arc;

use chrono::Utc;
use store::{Job, ResultWrite, Store};

use super::{
    fixed, Engine, EngineError, Result, JOBS_IN_FLIGHT, LEASE_RENEWAL, LEASE_SECS, MAX_ATTEMPTS,
};

impl Engine {
    /// Start the worker loop on this node; it ends once the node stops.
    pub fn spawn_workers(self: &Arc<Self>) {
        let me = self.clone();
        tokio::spawn(async move {
            while !me.is_stopping() {
                match me.work_once(JOBS_IN_FLIGHT as i64).await {
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

    /// Process due jobs until none is due (or the node stops); returns how many were
    /// processed. A job is leased only when a slot is free to run it, at most `limit` in
    /// one lease: the node holds leases on the jobs in flight and no more, so other nodes
    /// take the rest of a run, and a node that stalls delays only its own few jobs. A slot
    /// freed by one job is filled while the others still run, so the writer does not wait
    /// at a batch's end.
    pub async fn work_once(self: &Arc<Self>, limit: i64) -> Result<usize> {
        let mut running = tokio::task::JoinSet::new();
        let mut processed = 0;
        let mut failure = None;
        let held = HeldJobs::default();
        let _renewal = held.keep_renewed(self.store.clone(), self.node_id.clone());
        while !self.is_stopping() {
            let slots = match self.free_slots(limit).await {
                Some(slots) => slots,
                // Closed: the node stopped.
                None => break,
            };
            if self.is_stopping() {
                break;
            }
            let jobs = match self.lease(slots.len() as i64).await {
                Ok(jobs) if jobs.is_empty() => break,
                Ok(jobs) => jobs,
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            };
            held.add(jobs.iter().map(|j| j.id.clone()));
            // A job leased before and not done: its earlier lease ended unfinished.
            let taken_over = jobs.iter().filter(|j| j.attempts > 1).count();
            if taken_over > 0 {
                metrics::counter!(crate::telemetry::LEASE_TAKEOVERS).increment(taken_over as u64);
            }
            // Slots beyond the jobs leased go back with the rest of `slots`.
            for (job, slot) in jobs.into_iter().zip(slots) {
                let (me, held) = (self.clone(), held.clone());
                running.spawn(async move {
                    let _slot = slot;
                    let outcome = me.run_job(&job).await;
                    // A job that failed is retried once its lease runs out, not renewed.
                    held.remove(&job.id);
                    outcome
                });
                processed += 1;
            }
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

    /// Wait for one free job slot, then take the others free at that moment too, up to
    /// `limit`; `None` once the slots are closed (the node stopped).
    async fn free_slots(&self, limit: i64) -> Option<Vec<tokio::sync::OwnedSemaphorePermit>> {
        let first = self.job_slots.clone().acquire_owned().await.ok()?;
        let mut slots = vec![first];
        while (slots.len() as i64) < limit {
            match self.job_slots.clone().try_acquire_owned() {
                Ok(slot) => slots.push(slot),
                Err(_) => break,
            }
        }
        Some(slots)
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
    /// `LEASE_SECS`). A node that stops returns at once and leaves the queue to others.
    pub async fn drain(self: &Arc<Self>) -> Result<()> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            if self.work_once(JOBS_IN_FLIGHT as i64).await? > 0 {
                continue;
            }
            if self.is_stopping() {
                return Ok(());
            }
            if self.store.pending_jobs().await? == 0 || std::time::Instant::now() > deadline {
                // A job another worker just completed may not have finished its run yet.
                return self.finish_open_runs().await;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Stop taking work: no job is leased, no callout made and no drain continued after
    /// this; what already started runs on. Called as soon as the node is told to stop, so
    /// the requests it is still answering end soon.
    pub fn stop_taking_work(&self) {
        self.stopping.send_replace(true);
        self.wake.notify_waiters();
    }

    /// Stop the engine of this node: take no more work, let the jobs and the callout pass in
    /// flight finish until `deadline`, then hand back every lease the node still holds
    /// (jobs, callouts), so another node (or this one restarted) continues at once instead
    /// of after the leases run out. Returns how many leases were handed back.
    pub async fn stop(&self, deadline: tokio::time::Instant) -> Result<u64> {
        self.stop_taking_work();
        // Every slot free means no job is in flight; kept, so none starts after.
        match tokio::time::timeout_at(deadline, self.job_slots.acquire_many(JOBS_IN_FLIGHT as u32))
            .await
        {
            Ok(Ok(all)) => all.forget(),
            Ok(Err(_)) => {}
            Err(_) => {
                tracing::warn!("jobs still in flight when stopping; handing back their leases")
            }
        }
        self.job_slots.close();
        // Held until the leases are handed back: no callout pass starts in between.
        let callouts = tokio::time::timeout_at(deadline, self.callout_pass.lock()).await;
        if callouts.is_err() {
            tracing::warn!("callouts still in flight when stopping; handing back their leases");
        }
        let released = self.store.release_leases(&self.node_id).await?;
        drop(callouts);
        Ok(released)
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
