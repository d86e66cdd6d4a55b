//! Creating a run: the run, its task reports, user results and jobs, streamed in slices
//! into one transaction.

use std::sync::Arc;

use chrono::Utc;
use model::run::{JobPayload, ProcessUsers, ProcessingStatus, ResultKind};
use model::time::format_datetime;
use model::workflow_view::{TaskView, WorkflowView};
use serde_json::{json, Value};
use store::{Job, ResultRow, ResultWrite, Store};

use super::{
    fixed, Activation, Engine, EngineError, Result, BULK_RUN_USERS, USERS_PER_JOB, WRITE_SLICE,
};

const QUEUED: ProcessingStatus = ProcessingStatus::Queued;

impl Engine {
    /// Create a run for `users` of a workflow and queue their processing.
    pub async fn activate(
        &self,
        tenant: &str,
        workflow: &Value,
        act: Activation,
    ) -> Result<String> {
        let now = self.clock.now(tenant);
        let now_text = format_datetime(now);
        let view = WorkflowView::of(workflow);
        let wf_id = view.id.to_string();
        let version = view.version;
        let tasks: Vec<&TaskView> = view.tasks_to_run(act.task_ids.as_deref()).collect();
        let run_id = model::new_sequential_id();
        let exec = act.execution_type.as_str();
        let mut run_batch = PipelinedBatch::begin(&self.store, tenant).await?;
        let mut writes = Vec::new();
        let run_doc = json!({
            "id": run_id,
            "workflowExecutionType": exec,
            "processingStatus": QUEUED.as_str(),
            "scheduledDateTime": now_text,
            "startedDateTime": null,
            "completedDateTime": null,
            "lastUpdatedDateTime": now_text,
            "totalUsersCount": act.user_ids.len(),
            "successfulUsersCount": 0,
            "failedUsersCount": 0,
            "totalTasksCount": act.user_ids.len() * tasks.len(),
            "failedTasksCount": 0,
            "totalUnprocessedTasksCount": act.user_ids.len() * tasks.len(),
            "activatedOnScope": act.activated_on_scope,
        });
        writes.push(ResultWrite::Put(ResultRow {
            kind: ResultKind::Run.as_str(),
            id: run_id.clone(),
            workflow_id: wf_id.clone(),
            run_id: run_id.clone(),
            status: QUEUED.as_str().into(),
            execution_type: exec.into(),
            workflow_version: version,
            scheduled_at: Some(now_text.clone()),
            created_at: Some(now_text.clone()),
            total_tasks: (act.user_ids.len() * tasks.len()) as i64,
            seq: self.store.next_seq(),
            doc: run_doc,
            ..Default::default()
        }));
        for task in &tasks {
            let report_id = model::new_sequential_id();
            writes.push(ResultWrite::Put(ResultRow {
                kind: ResultKind::Report.as_str(),
                id: report_id.clone(),
                workflow_id: wf_id.clone(),
                run_id: run_id.clone(),
                task_id: task.id.to_string(),
                task_definition_id: task.definition_id.to_string(),
                status: QUEUED.as_str().into(),
                execution_type: exec.into(),
                workflow_version: version,
                scheduled_at: Some(now_text.clone()),
                seq: self.store.next_seq(),
                doc: json!({
                    "id": report_id,
                    "runId": run_id,
                    "processingStatus": QUEUED.as_str(),
                    "startedDateTime": null,
                    "completedDateTime": null,
                    "lastUpdatedDateTime": now_text,
                    "totalUsersCount": act.user_ids.len(),
                    "successfulUsersCount": 0,
                    "failedUsersCount": 0,
                    "unprocessedUsersCount": act.user_ids.len(),
                    "task": task.doc,
                    "taskDefinition": {"id": task.definition_id},
                }),
                ..Default::default()
            }));
        }
        for source in &act.reprocesses {
            writes.push(ResultWrite::Link {
                source_id: source.clone(),
                run_id: run_id.clone(),
            });
        }
        let mut batch: Vec<String> = Vec::new();
        for user_id in &act.user_ids {
            let upr_id = model::new_sequential_id();
            let mut uw: Vec<ResultWrite> = Vec::with_capacity(tasks.len() + 1);
            uw.push(ResultWrite::Put(ResultRow {
                kind: ResultKind::User.as_str(),
                id: upr_id.clone(),
                workflow_id: wf_id.clone(),
                run_id: run_id.clone(),
                subject_id: user_id.clone(),
                status: QUEUED.as_str().into(),
                execution_type: exec.into(),
                workflow_version: version,
                scheduled_at: Some(now_text.clone()),
                total_tasks: tasks.len() as i64,
                seq: self.store.next_seq(),
                doc: json!({
                    "id": upr_id,
                    "processingStatus": QUEUED.as_str(),
                    "workflowExecutionType": exec,
                    "workflowVersion": version,
                    "scheduledDateTime": now_text,
                    "startedDateTime": null,
                    "completedDateTime": null,
                    "totalTasksCount": tasks.len(),
                    "failedTasksCount": 0,
                    "totalUnprocessedTasksCount": tasks.len(),
                    "subject": {"id": user_id},
                }),
                ..Default::default()
            }));
            for source in act
                .reprocessed_user_results
                .get(user_id)
                .into_iter()
                .flatten()
            {
                uw.push(ResultWrite::Link {
                    source_id: source.clone(),
                    run_id: run_id.clone(),
                });
            }
            // Task processing results are written when the user is processed (from the
            // run's task reports, which carry the task copies): a run of many users then
            // costs one row per user to create.
            // Scheduled users carry their trigger occurrence: their results are written only
            // if this transaction is the one that claims it.
            match act.occurrences.get(user_id) {
                Some(key) => writes.push(ResultWrite::Claimed {
                    workflow_id: wf_id.clone(),
                    version,
                    user_id: user_id.clone(),
                    occurrence: key.clone(),
                    then: uw,
                }),
                None => writes.extend(uw),
            }
            batch.push(upr_id);
            if batch.len() == USERS_PER_JOB {
                writes.push(self.job(tenant, &wf_id, &run_id, std::mem::take(&mut batch)));
                // Large runs are streamed into the batch in slices so memory stays flat; the
                // run becomes visible (and its jobs due) only when the whole batch commits, so
                // no worker can finish it while it is still being written.
                if writes.len() >= WRITE_SLICE {
                    run_batch = run_batch.push(std::mem::take(&mut writes)).await?;
                }
            }
        }
        if !batch.is_empty() {
            writes.push(self.job(tenant, &wf_id, &run_id, batch));
        }
        if act.user_ids.is_empty() {
            // Nothing to process: the run completes at once.
            writes.push(self.job(tenant, &wf_id, &run_id, Vec::new()));
        }
        run_batch.push(writes).await?.commit().await?;
        if act.user_ids.len() >= BULK_RUN_USERS {
            self.store.refresh_statistics().await?;
        }
        self.wake.notify_waiters();
        Ok(run_id)
    }

    fn job(
        &self,
        tenant: &str,
        wf_id: &str,
        run_id: &str,
        user_results: Vec<String>,
    ) -> ResultWrite {
        let job = JobPayload::ProcessUsers(ProcessUsers {
            workflow_id: wf_id.to_string(),
            run_id: run_id.to_string(),
            user_results,
        });
        ResultWrite::Enqueue(Job {
            id: model::new_id(),
            tenant_id: tenant.to_string(),
            kind: job.kind().into(),
            payload: job.payload(),
            // Jobs are due at once: availability is wall time, like leases.
            available_at: fixed(Utc::now()),
            attempts: 0,
        })
    }
}

/// A run's writes stored slice by slice in one transaction. Each slice is encoded in a task
/// of its own while the slice before it is stored, so building a large run's rows and
/// writing them overlap instead of taking turns.
struct PipelinedBatch {
    store: Store,
    tenant: String,
    /// The transaction, or the task storing the last slice, which hands it on.
    last: SliceWrite,
    /// Slices encoded or stored at once: bounds the memory a large run takes.
    slices: Arc<tokio::sync::Semaphore>,
}

enum SliceWrite {
    Idle(store::ResultBatch),
    Writing(tokio::task::JoinHandle<Result<store::ResultBatch>>),
}

impl SliceWrite {
    async fn finished(self) -> Result<store::ResultBatch> {
        match self {
            SliceWrite::Idle(batch) => Ok(batch),
            SliceWrite::Writing(task) => task
                .await
                .map_err(|e| EngineError::JobAborted(e.to_string()))?,
        }
    }
}

impl PipelinedBatch {
    async fn begin(store: &Store, tenant: &str) -> Result<PipelinedBatch> {
        Ok(PipelinedBatch {
            store: store.clone(),
            tenant: tenant.to_string(),
            last: SliceWrite::Idle(store.result_batch(tenant).await?),
            slices: Arc::new(tokio::sync::Semaphore::new(2)),
        })
    }

    /// Queue a slice; it is stored after the slices queued before it.
    async fn push(mut self, writes: Vec<ResultWrite>) -> Result<PipelinedBatch> {
        let slot = self
            .slices
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| EngineError::JobAborted(e.to_string()))?;
        let (store, tenant) = (self.store.clone(), self.tenant.clone());
        let before = self.last;
        self.last = SliceWrite::Writing(tokio::spawn(async move {
            let _slot = slot;
            let prepared = store.prepare_results(&tenant, &writes);
            let mut batch = before.finished().await?;
            batch.write_prepared(prepared?).await?;
            Ok(batch)
        }));
        Ok(self)
    }

    async fn commit(self) -> Result<()> {
        Ok(self.last.finished().await?.commit().await?)
    }
}
