//! Runs: creating them (on demand, with a scope, on schedule), processing users through the
//! durable job queue, and recording the history Graph exposes.
//!
//! A run is written with its user results, queued task results, task reports and jobs in one
//! transaction (streamed in slices, so memory stays flat). Workers lease jobs (several nodes
//! share them), process each job's users' tasks in order, and commit the directory effects
//! together with the results, so a crash resumes where it stopped without repeating a
//! finished task.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use store::{result_kinds, DirectoryEffect, Job, ResultQuery, ResultRow, ResultWrite, Store};

use crate::scope::CompiledConditions;
use crate::tasks::{is_mail_task, plan_task, Effect, Outcome, TaskInput};
use crate::tasks_access::{is_access_package_task, load_access_data, AccessChange, AccessData};
use crate::Clock;

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
pub const JOB_PROCESS_USERS: &str = "processUsers";

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

/// How a run came about (`workflowExecutionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionType {
    Scheduled,
    OnDemand,
    ActivatedWithScope,
    Preview,
}

impl ExecutionType {
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionType::Scheduled => "scheduled",
            ExecutionType::OnDemand => "onDemand",
            ExecutionType::ActivatedWithScope => "activatedWithScope",
            ExecutionType::Preview => "preview",
        }
    }
}

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
    /// [`JOBS_IN_FLIGHT`].
    job_slots: Arc<tokio::sync::Semaphore>,
}

fn ts(dt: DateTime<Utc>) -> String {
    model::time::format_datetime(dt)
}

/// Wall-clock times in the fixed width the store orders by (leases, due times).
pub(crate) fn fixed(dt: DateTime<Utc>) -> String {
    dt.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
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
        })
    }

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

    /// Create a run for `users` of a workflow and queue their processing.
    pub async fn activate(
        &self,
        tenant: &str,
        workflow: &Value,
        act: Activation,
    ) -> Result<String> {
        let now = self.clock.now();
        let wf_id = str_of(workflow, "id").to_string();
        let version = workflow.get("version").and_then(Value::as_i64).unwrap_or(1);
        let tasks: Vec<Value> = workflow
            .get("tasks")
            .and_then(Value::as_array)
            .map(|t| {
                t.iter()
                    .filter(|t| t.get("isEnabled").and_then(Value::as_bool).unwrap_or(true))
                    .filter(|t| {
                        act.task_ids
                            .as_ref()
                            .is_none_or(|ids| ids.iter().any(|i| i == str_of(t, "id")))
                    })
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let run_id = model::new_sequential_id();
        let exec = act.execution_type.as_str();
        let mut run_batch = PipelinedBatch::begin(&self.store, tenant).await?;
        let mut writes = Vec::new();
        let run_doc = json!({
            "id": run_id,
            "workflowExecutionType": exec,
            "processingStatus": "queued",
            "scheduledDateTime": ts(now),
            "startedDateTime": null,
            "completedDateTime": null,
            "lastUpdatedDateTime": ts(now),
            "totalUsersCount": act.user_ids.len(),
            "successfulUsersCount": 0,
            "failedUsersCount": 0,
            "totalTasksCount": act.user_ids.len() * tasks.len(),
            "failedTasksCount": 0,
            "totalUnprocessedTasksCount": act.user_ids.len() * tasks.len(),
            "activatedOnScope": act.activated_on_scope,
        });
        writes.push(ResultWrite::Put(ResultRow {
            kind: result_kinds::RUN,
            id: run_id.clone(),
            workflow_id: wf_id.clone(),
            run_id: run_id.clone(),
            status: "queued".into(),
            execution_type: exec.into(),
            workflow_version: version,
            scheduled_at: Some(ts(now)),
            created_at: Some(ts(now)),
            total_tasks: (act.user_ids.len() * tasks.len()) as i64,
            seq: self.store.next_seq(),
            doc: run_doc,
            ..Default::default()
        }));
        for task in &tasks {
            let report_id = model::new_sequential_id();
            writes.push(ResultWrite::Put(ResultRow {
                kind: result_kinds::REPORT,
                id: report_id.clone(),
                workflow_id: wf_id.clone(),
                run_id: run_id.clone(),
                task_id: str_of(task, "id").to_string(),
                task_definition_id: str_of(task, "taskDefinitionId").to_string(),
                status: "queued".into(),
                execution_type: exec.into(),
                workflow_version: version,
                scheduled_at: Some(ts(now)),
                seq: self.store.next_seq(),
                doc: json!({
                    "id": report_id,
                    "runId": run_id,
                    "processingStatus": "queued",
                    "startedDateTime": null,
                    "completedDateTime": null,
                    "lastUpdatedDateTime": ts(now),
                    "totalUsersCount": act.user_ids.len(),
                    "successfulUsersCount": 0,
                    "failedUsersCount": 0,
                    "unprocessedUsersCount": act.user_ids.len(),
                    "task": task,
                    "taskDefinition": {"id": str_of(task, "taskDefinitionId")},
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
                kind: result_kinds::USER,
                id: upr_id.clone(),
                workflow_id: wf_id.clone(),
                run_id: run_id.clone(),
                subject_id: user_id.clone(),
                status: "queued".into(),
                execution_type: exec.into(),
                workflow_version: version,
                scheduled_at: Some(ts(now)),
                total_tasks: tasks.len() as i64,
                seq: self.store.next_seq(),
                doc: json!({
                    "id": upr_id,
                    "processingStatus": "queued",
                    "workflowExecutionType": exec,
                    "workflowVersion": version,
                    "scheduledDateTime": ts(now),
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
                writes.push(self.job(tenant, &wf_id, &run_id, std::mem::take(&mut batch), now));
                // Large runs are streamed into the batch in slices so memory stays flat; the
                // run becomes visible (and its jobs due) only when the whole batch commits, so
                // no worker can finish it while it is still being written.
                if writes.len() >= WRITE_SLICE {
                    run_batch = run_batch.push(std::mem::take(&mut writes)).await?;
                }
            }
        }
        if !batch.is_empty() {
            writes.push(self.job(tenant, &wf_id, &run_id, batch, now));
        }
        if act.user_ids.is_empty() {
            // Nothing to process: the run completes at once.
            writes.push(self.job(tenant, &wf_id, &run_id, Vec::new(), now));
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
        _now: DateTime<Utc>,
    ) -> ResultWrite {
        ResultWrite::Enqueue(Job {
            id: model::new_id(),
            tenant_id: tenant.to_string(),
            kind: JOB_PROCESS_USERS.into(),
            payload: json!({"workflowId": wf_id, "runId": run_id, "userResults": user_results}),
            // Jobs are due at once: availability is wall time, like leases.
            available_at: fixed(Utc::now()),
            attempts: 0,
        })
    }

    async fn process_job(&self, job: &Job) -> Result<()> {
        let tenant = job.tenant_id.as_str();
        let run_id = str_of(&job.payload, "runId").to_string();
        let user_results: Vec<String> = job
            .payload
            .get("userResults")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let Some(mut run) = self
            .reader
            .get_result(tenant, result_kinds::RUN, &run_id)
            .await?
        else {
            self.store
                .write_results(tenant, &[ResultWrite::CompleteJob(job.id.clone())])
                .await?;
            return Ok(());
        };
        if run.status == "queued" {
            let now = self.clock.now();
            run.status = "inProgress".into();
            run.started_at = Some(ts(now));
            run.doc["processingStatus"] = json!("inProgress");
            run.doc["startedDateTime"] = json!(ts(now));
            run.doc["lastUpdatedDateTime"] = json!(ts(now));
            self.store
                .write_results(tenant, &[ResultWrite::Put(run.clone())])
                .await?;
        }
        let canceled = run.status == "canceled" || run.status == "canceling";
        let now = self.clock.now();
        // Everything the job needs is read in a few queries, planned in memory, and committed
        // in one transaction together with the job's completion: a job is done exactly once.
        let many = usize::MAX / 4;
        let (uprs, _, _) = self
            .reader
            .list_results(
                tenant,
                &ResultQuery {
                    kind: result_kinds::USER,
                    ids: Some(&user_results),
                    top: many,
                    ..Default::default()
                },
            )
            .await?;
        let pending: Vec<ResultRow> = uprs.into_iter().filter(|u| !is_final(&u.status)).collect();
        let mut writes = Vec::new();
        let mut effects = Vec::new();
        if !pending.is_empty() {
            // A user result still `queued` was never planned, so it has no task results yet
            // (they are written with its first planning): only the others are looked up.
            // Besides a query per job, this spares PostgreSQL a lookup its statistics, stale
            // while a large run adds task rows, planned as a scan of the tenant.
            let upr_ids: Vec<String> = pending
                .iter()
                .filter(|u| u.status != "queued")
                .map(|u| u.id.clone())
                .collect();
            let tprs = if upr_ids.is_empty() {
                Vec::new()
            } else {
                self.reader
                    .list_results(
                        tenant,
                        &ResultQuery {
                            kind: result_kinds::TASK,
                            user_result_ids: Some(&upr_ids),
                            top: many,
                            ..Default::default()
                        },
                    )
                    .await?
                    .0
            };
            let mut tasks_by_user: HashMap<String, Vec<ResultRow>> = HashMap::new();
            for t in tprs {
                tasks_by_user
                    .entry(t.user_result_id.clone())
                    .or_default()
                    .push(t);
            }
            // The run's task reports hold the one copy of each workflow task that planning
            // reads; task results are planned against it, not each a copy of their own.
            let (reports, _, _) = self
                .reader
                .list_results(
                    tenant,
                    &ResultQuery {
                        kind: result_kinds::REPORT,
                        run_id: Some(&run_id),
                        top: many,
                        ..Default::default()
                    },
                )
                .await?;
            // Users processed for the first time get their task processing results now,
            // one per task report of the run (in task order).
            let mut template = TaskResultTemplate::default();
            for upr in &pending {
                if !tasks_by_user.contains_key(&upr.id) {
                    let results = template.results(&self.store, upr, &reports);
                    tasks_by_user.insert(upr.id.clone(), results);
                }
            }
            let task_copies: HashMap<String, Value> = reports
                .into_iter()
                .map(|mut r| {
                    let task = r
                        .doc
                        .get_mut("task")
                        .map(Value::take)
                        .unwrap_or(Value::Null);
                    (r.task_id, task)
                })
                .collect();
            let subject_ids: Vec<String> = pending.iter().map(|u| u.subject_id.clone()).collect();
            let mut users: HashMap<String, store::UserRow> = self
                .reader
                .get_users_by_ids(tenant, &subject_ids)
                .await?
                .into_iter()
                .map(|u| (u.id.clone(), u))
                .collect();
            let mut memberships = self.reader.group_ids_of_many(tenant, &subject_ids).await?;
            // The groups planning can look at: those the users are in and those the tasks
            // name (not the whole tenant's, which can be many).
            let mut group_ids: Vec<String> = memberships
                .values()
                .flatten()
                .map(|g| g.to_ascii_lowercase())
                .collect();
            for task in task_copies.values() {
                if let Some(args) = task.get("arguments").and_then(Value::as_array) {
                    group_ids.extend(crate::tasks::groups_named(args));
                }
            }
            group_ids.sort_unstable();
            group_ids.dedup();
            let groups = self.groups_by_ids(tenant, &group_ids).await?;
            // Other people e-mail tasks read: managers and explicit `to` / `cc` recipients,
            // and the sender domain. Only loaded when the job has an e-mail task.
            let sends_mail = tasks_by_user
                .values()
                .flatten()
                .any(|t| is_mail_task(&t.task_definition_id));
            let mut people: HashMap<String, Value> = HashMap::new();
            let mut sender_domain = "lcw.local".to_string();
            if sends_mail {
                let mut people_ids: Vec<String> = users
                    .values()
                    .filter_map(|u| u.manager_id.clone())
                    .collect();
                for task in task_copies.values() {
                    people_ids.extend(mail_recipient_ids(task));
                }
                people_ids.sort();
                people_ids.dedup();
                if !people_ids.is_empty() {
                    people = self
                        .reader
                        .get_users_by_ids(tenant, &people_ids)
                        .await?
                        .into_iter()
                        .map(|u| (u.id.to_ascii_lowercase(), u.doc))
                        .collect();
                }
                if let Some(domain) = self
                    .reader
                    .get(tenant, store::kinds::SETTINGS, "settings")
                    .await?
                    .and_then(|r| {
                        r.doc
                            .get("emailSettings")
                            .and_then(|e| e.get("senderDomain"))
                            .and_then(Value::as_str)
                            .map(str::to_string)
                    })
                {
                    sender_domain = domain;
                }
            }
            // Access packages and the users' assignments, only for jobs with such a task.
            let access = if tasks_by_user
                .values()
                .flatten()
                .any(|t| is_access_package_task(&t.task_definition_id))
            {
                load_access_data(&self.reader, tenant, &subject_ids).await?
            } else {
                AccessData::default()
            };
            let watched = self.watched_attributes(tenant).await?;
            let ctx = JobContext {
                watched: &watched,
                task_copies: &task_copies,
                groups: &groups,
                people: &people,
                sender_domain: &sender_domain,
                access: &access,
                canceled,
                now,
                now_text: ts(now),
            };
            let mut user_updates = Vec::with_capacity(pending.len());
            // A user's document is moved out for its last pending result, cloned before.
            let mut uses: HashMap<String, usize> = HashMap::with_capacity(pending.len());
            for upr in &pending {
                *uses.entry(upr.subject_id.clone()).or_default() += 1;
            }
            for upr in pending {
                let tasks = tasks_by_user.remove(&upr.id).unwrap_or_default();
                let last_use = uses.get_mut(&upr.subject_id).is_some_and(|n| {
                    *n -= 1;
                    *n == 0
                });
                let row = if last_use {
                    users.remove(&upr.subject_id)
                } else {
                    users.get(&upr.subject_id).cloned()
                };
                let manager = row
                    .as_ref()
                    .and_then(|u| u.manager_id.as_ref())
                    .and_then(|m| people.get(&m.to_ascii_lowercase()))
                    .cloned();
                let user = row.map(|u| u.doc);
                let group_ids = memberships.remove(&upr.subject_id).unwrap_or_default();
                let (user_writes, user_effects) =
                    plan_user(upr.clone(), tasks, user, group_ids, manager, &ctx);
                // Updates after the task rows: each kind then goes in a few statements.
                for w in user_writes {
                    match w {
                        ResultWrite::Update(_) => user_updates.push(w),
                        _ => writes.push(w),
                    }
                }
                if !user_effects.is_empty() {
                    effects.push((upr.subject_id.clone(), user_effects));
                }
            }
            writes.extend(user_updates);
        }
        self.store
            .apply_job(tenant, &job.id, &effects, &writes)
            .await?;
        self.store.refresh_stale_statistics().await?;
        self.finish_run_if_done(tenant, &run_id).await
    }

    /// The user attributes any live workflow of the tenant triggers on. A task's change to
    /// one is logged like a change through the API; changes nobody watches are not, so a
    /// run of a tenant without such workflows writes no log rows. (A workflow that starts
    /// watching an attribute later reads the log from its own creation on, so it could only
    /// miss task changes made before it watched.)
    async fn watched_attributes(&self, tenant: &str) -> Result<Vec<String>> {
        let workflows = self
            .reader
            .list(tenant, store::kinds::WORKFLOW, None)
            .await?;
        let mut names: Vec<String> = workflows
            .iter()
            .filter(|w| w.deleted_at.is_none())
            .filter_map(|w| w.doc.get("executionConditions"))
            .flat_map(crate::scope::watched_attributes)
            .collect();
        names.sort_unstable();
        names.dedup();
        Ok(names)
    }

    /// Groups by lower-case id.
    async fn groups_by_ids(&self, tenant: &str, ids: &[String]) -> Result<HashMap<String, Value>> {
        let groups = self.reader.get_groups_by_ids(tenant, ids).await?;
        Ok(groups
            .into_iter()
            .filter_map(|g| {
                let id = g.get("id").and_then(Value::as_str)?.to_ascii_lowercase();
                Some((id, g))
            })
            .collect())
    }

    /// When no user of the run is still pending, compute the run's and its task reports'
    /// counts and final status from SQL aggregates. Idempotent: two nodes finishing together
    /// agree.
    async fn finish_run_if_done(&self, tenant: &str, run_id: &str) -> Result<()> {
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
            .get_result(tenant, result_kinds::RUN, run_id)
            .await?
        else {
            return Ok(());
        };
        if run.completed_at.is_some() {
            return Ok(());
        }
        let users = self
            .store
            .run_counts(tenant, result_kinds::USER, run_id)
            .await?;
        if users.is_empty() && run.execution_type == ExecutionType::Scheduled.as_str() {
            // Another node claimed every user of this scheduled run first: it never happened.
            return Ok(self.store.delete_empty_run(tenant, run_id).await?);
        }
        let tasks = self
            .store
            .run_counts(tenant, result_kinds::TASK, run_id)
            .await?;
        let count = |rows: &[(String, String, i64)], pred: &dyn Fn(&str) -> bool| -> i64 {
            rows.iter()
                .filter(|(_, s, _)| pred(s))
                .map(|(_, _, n)| n)
                .sum()
        };
        let now = self.clock.now();
        let total_users = count(&users, &|_| true);
        let successful = count(&users, &|s| s == "completed");
        let failed_users = total_users - successful;
        let total_tasks = count(&tasks, &|_| true);
        let failed_tasks = count(&tasks, &|s| s == "failed");
        let unprocessed = count(&tasks, &|s| !matches!(s, "completed" | "failed"));
        let wholly_failed = count(&users, &|s| matches!(s, "failed" | "canceled"));
        let status = if run.status == "canceling" || run.status == "canceled" {
            "canceled"
        } else if failed_users == 0 {
            "completed"
        } else if wholly_failed < total_users {
            "completedWithErrors"
        } else {
            "failed"
        };
        run.status = status.into();
        run.completed_at = Some(ts(now));
        run.failed_tasks = failed_tasks;
        if run.started_at.is_none() {
            run.started_at = Some(ts(now));
            run.doc["startedDateTime"] = json!(ts(now));
        }
        run.doc["processingStatus"] = json!(status);
        run.doc["completedDateTime"] = json!(ts(now));
        run.doc["lastUpdatedDateTime"] = json!(ts(now));
        run.doc["totalUsersCount"] = json!(total_users);
        run.doc["successfulUsersCount"] = json!(successful);
        run.doc["failedUsersCount"] = json!(failed_users);
        run.doc["totalTasksCount"] = json!(total_tasks);
        run.doc["failedTasksCount"] = json!(failed_tasks);
        run.doc["totalUnprocessedTasksCount"] = json!(unprocessed);
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
                    kind: result_kinds::REPORT,
                    run_id: Some(run_id),
                    top: 1000,
                    ..Default::default()
                },
            )
            .await?;
        for mut rep in reports {
            let of_task: Vec<(String, String, i64)> = tasks
                .iter()
                .filter(|(t, _, _)| *t == rep.task_id)
                .cloned()
                .collect();
            let ok = count(&of_task, &|s| s == "completed");
            let bad = count(&of_task, &|s| s == "failed");
            let rest = count(&of_task, &|_| true) - ok - bad;
            let rstatus = if status == "canceled" {
                "canceled"
            } else if bad == 0 && rest == 0 {
                "completed"
            } else if ok > 0 || rest == 0 {
                "completedWithErrors"
            } else {
                "failed"
            };
            rep.status = rstatus.into();
            rep.completed_at = Some(ts(now));
            rep.failed_tasks = bad;
            rep.total_tasks = ok + bad + rest;
            rep.doc["processingStatus"] = json!(rstatus);
            rep.doc["startedDateTime"] = run_started.clone();
            rep.doc["completedDateTime"] = json!(ts(now));
            rep.doc["lastUpdatedDateTime"] = json!(ts(now));
            rep.doc["successfulUsersCount"] = json!(ok);
            rep.doc["failedUsersCount"] = json!(bad);
            rep.doc["unprocessedUsersCount"] = json!(rest);
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
            .get_result(tenant, result_kinds::RUN, run_id)
            .await?
            .filter(|r| r.workflow_id == workflow_id)
            .ok_or_else(|| EngineError::NotFound(format!("Run '{run_id}' was not found.")))?;
        if !matches!(run.status.as_str(), "queued" | "inProgress") {
            return Err(EngineError::Invalid(format!(
                "Run '{run_id}' is {}; only queued or in-progress runs can be canceled.",
                run.status
            )));
        }
        let mut run = run;
        run.status = "canceling".into();
        run.doc["processingStatus"] = json!("canceling");
        self.store
            .write_results(tenant, &[ResultWrite::Put(run)])
            .await?;
        self.wake.notify_waiters();
        Ok(())
    }

    /// Wake this node's workers (a job was queued outside `activate`).
    pub(crate) fn notify(&self) {
        self.wake.notify_waiters();
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

fn is_final(status: &str) -> bool {
    matches!(
        status,
        "completed" | "completedWithErrors" | "failed" | "canceled"
    )
}

fn continue_on_error(task: &Value) -> bool {
    task.get("continueOnError")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn to_store_effect(e: Effect, now: DateTime<Utc>) -> DirectoryEffect {
    match e {
        Effect::SetAccountEnabled(b) => DirectoryEffect::SetAccountEnabled(b),
        Effect::AddToGroup(g) => DirectoryEffect::AddToGroup(g),
        Effect::RemoveFromGroup(g) => DirectoryEffect::RemoveFromGroup(g),
        Effect::DeleteUser => DirectoryEffect::DeleteUser,
        Effect::SetAssignedLicenses(l) => DirectoryEffect::SetAssignedLicenses(l),
        Effect::RevokeSessions(at) => DirectoryEffect::RevokeSessions(ts(at.max(now))),
        Effect::SendMail(m) => DirectoryEffect::QueueMail(store::OutboxMail {
            id: model::new_id(),
            from: m.from,
            to: m.to,
            cc: m.cc,
            subject: m.subject,
            body: m.body,
        }),
        Effect::CreateTemporaryAccessPass {
            id,
            start,
            lifetime_minutes,
            usable_once,
        } => DirectoryEffect::CreateTemporaryAccessPass(store::TapRow {
            id,
            user_id: String::new(),
            created_at: ts(now),
            start_at: ts(start),
            lifetime_minutes,
            usable_once,
        }),
        Effect::AccessPackage(change) => DirectoryEffect::AccessPackage(match change {
            AccessChange::Request {
                access_package_id,
                policy_id,
                pending,
            } => store::AccessPackageEffect::Request {
                request_id: model::new_id(),
                assignment_id: model::new_id(),
                access_package_id,
                policy_id,
                pending,
                justification: None,
                at: ts(now),
            },
            AccessChange::Remove { assignment_id } => store::AccessPackageEffect::Remove {
                request_id: model::new_id(),
                assignment_id,
                at: ts(now),
            },
            AccessChange::Cancel { request_id } => store::AccessPackageEffect::Cancel {
                request_id,
                at: ts(now),
            },
        }),
    }
}

/// User ids named in a task's `to` (when it is an id) and `cc` arguments.
fn mail_recipient_ids(task: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let args = task.get("arguments").and_then(Value::as_array);
    for a in args.into_iter().flatten() {
        let name = str_of(a, "name");
        let value = str_of(a, "value");
        if name.eq_ignore_ascii_case("to") || name.eq_ignore_ascii_case("cc") {
            out.extend(
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|v| model::is_guid(v))
                    .map(str::to_ascii_lowercase),
            );
        }
    }
    out
}

/// The queued task processing results of users about to be processed: one per task report
/// of the run. Without their `task`: the store keeps that copy once, in the report. Their
/// document is cloned from one built per creation time (a job's users share it) and given
/// its id and subject.
#[derive(Default)]
struct TaskResultTemplate {
    created: Option<String>,
    doc: Value,
}

impl TaskResultTemplate {
    fn results(&mut self, store: &Store, upr: &ResultRow, reports: &[ResultRow]) -> Vec<ResultRow> {
        let created = upr.scheduled_at.clone().unwrap_or_default();
        if self.created.as_ref() != Some(&created) {
            // In the form of the other timestamps of the document (the column keeps fixed
            // width).
            let display = model::time::normalize_datetime(&created).unwrap_or(created.clone());
            self.doc = json!({
                "id": "",
                "processingStatus": "queued",
                "createdDateTime": display,
                "startedDateTime": null,
                "completedDateTime": null,
                "failureReason": null,
                "processingInfo": null,
                "subject": {"id": ""},
                "workflowSubject": null,
            });
            self.created = Some(created.clone());
        }
        reports
            .iter()
            .map(|report| {
                let id = model::new_sequential_id();
                let mut doc = self.doc.clone();
                doc["id"] = Value::String(id.clone());
                doc["subject"]["id"] = Value::String(upr.subject_id.clone());
                ResultRow {
                    kind: result_kinds::TASK,
                    id,
                    workflow_id: upr.workflow_id.clone(),
                    run_id: upr.run_id.clone(),
                    user_result_id: upr.id.clone(),
                    subject_id: upr.subject_id.clone(),
                    task_id: report.task_id.clone(),
                    task_definition_id: report.task_definition_id.clone(),
                    status: "queued".into(),
                    execution_type: upr.execution_type.clone(),
                    workflow_version: upr.workflow_version,
                    scheduled_at: upr.scheduled_at.clone(),
                    created_at: Some(created.clone()),
                    seq: store.next_seq(),
                    doc,
                    ..Default::default()
                }
            })
            .collect()
    }
}

/// What planning every user of a job shares.
struct JobContext<'a> {
    /// Attributes the tenant's mover workflows watch (see `Engine::watched_attributes`).
    watched: &'a [String],
    /// The run's workflow tasks by id (from its task reports).
    task_copies: &'a HashMap<String, Value>,
    /// The groups the job's users are in and its tasks name, by lower-case id.
    groups: &'a HashMap<String, Value>,
    /// Managers and e-mail recipients by lower-case id.
    people: &'a HashMap<String, Value>,
    sender_domain: &'a str,
    access: &'a AccessData,
    canceled: bool,
    now: DateTime<Utc>,
    /// `now` as documents carry it, formatted once per job.
    now_text: String,
}

/// The compiled conditions of a workflow, for scope checks.
pub fn compile(workflow: &Value) -> std::result::Result<CompiledConditions, EngineError> {
    let conditions = workflow
        .get("executionConditions")
        .cloned()
        .unwrap_or(Value::Null);
    CompiledConditions::new(&conditions).map_err(|e| EngineError::Invalid(e.to_string()))
}

/// Plan one user's tasks in execution order (skipping those already final) against an
/// in-memory copy of the user that each planned effect updates, so later tasks see earlier
/// ones. Returns the result writes and the directory effects to commit.
fn plan_user(
    mut upr: ResultRow,
    tasks: Vec<ResultRow>,
    mut user: Option<Value>,
    mut group_ids: Vec<String>,
    manager: Option<Value>,
    ctx: &JobContext,
) -> (Vec<ResultWrite>, Vec<DirectoryEffect>) {
    let (canceled, groups, now) = (ctx.canceled, ctx.groups, ctx.now);
    let now_text = &ctx.now_text;
    let preview = upr.execution_type == ExecutionType::Preview.as_str();
    let mut writes = Vec::with_capacity(tasks.len() + 1);
    let mut effects = Vec::new();
    let mut stop_reason: Option<String> = canceled.then(|| "The run was canceled.".to_string());
    let mut failed = 0;
    let mut unprocessed = 0;
    // A task waiting for its custom task extension holds back the user's later tasks.
    let mut waiting = false;
    let task_of = |t: &ResultRow| ctx.task_copies.get(&t.task_id).unwrap_or(&Value::Null);
    for mut t in tasks {
        if is_final(&t.status) {
            match t.status.as_str() {
                "failed" => {
                    failed += 1;
                    if !continue_on_error(task_of(&t)) {
                        stop_reason.get_or_insert_with(|| {
                            "A previous task failed and continueOnError is false.".into()
                        });
                    }
                }
                "completed" => {}
                _ => unprocessed += 1,
            }
            continue;
        }
        if let Some(reason) = &stop_reason {
            t.status = "canceled".into();
            t.completed_at = Some(now_text.clone());
            t.doc["processingStatus"] = json!("canceled");
            t.doc["processingInfo"] = json!(reason);
            t.doc["completedDateTime"] = json!(now_text);
            unprocessed += 1;
            writes.push(ResultWrite::Put(t));
            continue;
        }
        if waiting || t.status == "inProgress" {
            // Behind, or itself, a callout not resolved yet: untouched until it is. Written
            // as it is, because a user's task results first exist when the user is planned.
            waiting = true;
            unprocessed += 1;
            writes.push(ResultWrite::Put(t));
            continue;
        }
        let mut callout: Option<String> = None;
        let (status, planned, info, reason) = match &user {
            None => (
                "failed",
                Vec::new(),
                None,
                Some("The user no longer exists in the directory.".to_string()),
            ),
            Some(u) => {
                let args = task_of(&t)
                    .get("arguments")
                    .and_then(Value::as_array)
                    .map_or(&[][..], Vec::as_slice);
                let input = TaskInput {
                    definition_id: &t.task_definition_id,
                    arguments: args,
                    user: u,
                    user_group_ids: &group_ids,
                    groups: &|id| by_lower_id(groups, id),
                    manager: manager.as_ref(),
                    user_by_id: &|id| by_lower_id(ctx.people, id),
                    sender_domain: ctx.sender_domain,
                    access: ctx.access,
                    now,
                };
                match plan_task(&input) {
                    Outcome::Completed {
                        effects,
                        processing_info,
                    } => ("completed", effects, processing_info, None),
                    Outcome::Failed { reason } | Outcome::NotImplemented { reason } => {
                        ("failed", Vec::new(), None, Some(reason))
                    }
                    Outcome::Callout { .. } if preview => ("completed", Vec::new(), None, None),
                    Outcome::Callout { extension_id } => {
                        callout = Some(extension_id);
                        ("inProgress", Vec::new(), None, None)
                    }
                }
            }
        };
        let done = (status != "inProgress").then(|| now_text.clone());
        t.status = status.into();
        t.started_at = Some(now_text.clone());
        t.completed_at = done.clone();
        t.doc["processingStatus"] = json!(status);
        t.doc["startedDateTime"] = json!(now_text);
        t.doc["completedDateTime"] = json!(done);
        t.doc["processingInfo"] = json!(info);
        t.doc["failureReason"] = json!(reason);
        if status == "failed" {
            failed += 1;
            if !continue_on_error(task_of(&t)) {
                stop_reason = Some("A previous task failed and continueOnError is false.".into());
            }
        }
        if preview {
            // A preview records what would happen and changes nothing.
            if status == "completed" {
                let would = if t
                    .task_definition_id
                    .eq_ignore_ascii_case(model::catalog::ids::RUN_CUSTOM_TASK_EXTENSION)
                {
                    "the custom task extension was not called"
                } else if planned.is_empty() {
                    "nothing to change"
                } else {
                    "changes were not applied"
                };
                t.doc["processingInfo"] = json!(format!("Preview: {would}."));
            }
        } else {
            for e in planned {
                effects.extend(watched_change(&e, user.as_ref(), now, ctx.watched));
                apply_locally(&e, &mut user, &mut group_ids, now);
                effects.push(to_store_effect(e, now));
            }
        }
        if let Some(extension_id) = callout {
            // Queued with the inProgress result; the callout worker makes the call.
            waiting = true;
            unprocessed += 1;
            effects.push(DirectoryEffect::QueueCallout(store::NewCallout {
                id: t.id.clone(),
                workflow_id: t.workflow_id.clone(),
                run_id: t.run_id.clone(),
                user_result_id: t.user_result_id.clone(),
                subject_id: t.subject_id.clone(),
                extension_id,
            }));
        }
        writes.push(ResultWrite::Put(t));
    }
    let status = if canceled {
        "canceled"
    } else if waiting {
        "inProgress"
    } else if failed == 0 && unprocessed == 0 {
        "completed"
    } else if unprocessed == 0 {
        "completedWithErrors"
    } else {
        "failed"
    };
    upr.status = status.into();
    upr.failed_tasks = failed as i64;
    upr.started_at.get_or_insert_with(|| now_text.clone());
    let done = (status != "inProgress").then(|| now_text.clone());
    upr.completed_at = done.clone();
    upr.doc["processingStatus"] = json!(status);
    if upr.doc.get("startedDateTime").is_none_or(Value::is_null) {
        upr.doc["startedDateTime"] = json!(now_text);
    }
    upr.doc["completedDateTime"] = json!(done);
    upr.doc["failedTasksCount"] = json!(failed);
    upr.doc["totalUnprocessedTasksCount"] = json!(unprocessed);
    writes.push(ResultWrite::Update(upr));
    (writes, effects)
}

/// A group or person of a job by id, from a map keyed by lower-case id (which ids in task
/// arguments almost always are already).
fn by_lower_id<'m>(map: &'m HashMap<String, Value>, id: &str) -> Option<&'m Value> {
    map.get(id).or_else(|| map.get(&id.to_ascii_lowercase()))
}

/// The change log entry for `e` when it changes an attribute that is `watched`: the value
/// before comes from the in-memory user, which earlier tasks already changed.
fn watched_change(
    e: &Effect,
    user: Option<&Value>,
    now: DateTime<Utc>,
    watched: &[String],
) -> Option<DirectoryEffect> {
    let (name, new) = match e {
        Effect::SetAccountEnabled(b) => ("accountEnabled", Value::Bool(*b)),
        Effect::SetAssignedLicenses(l) => ("assignedLicenses", Value::Array(l.clone())),
        Effect::RevokeSessions(at) => (
            "signInSessionsValidFromDateTime",
            Value::String(ts((*at).max(now))),
        ),
        _ => return None,
    };
    if !watched.iter().any(|w| w.eq_ignore_ascii_case(name)) {
        return None;
    }
    let old = user?.get(name).cloned().unwrap_or(Value::Null);
    (old != new).then(|| DirectoryEffect::AttributeChanged {
        name: name.to_string(),
        old,
        new,
    })
}

/// Mirror a planned effect on the in-memory user so the next task plans against it.
fn apply_locally(
    e: &Effect,
    user: &mut Option<Value>,
    group_ids: &mut Vec<String>,
    now: DateTime<Utc>,
) {
    match e {
        Effect::SetAccountEnabled(b) => {
            if let Some(u) = user {
                u["accountEnabled"] = json!(b);
            }
        }
        Effect::AddToGroup(g) => {
            if !group_ids.iter().any(|x| x.eq_ignore_ascii_case(g)) {
                group_ids.push(g.clone());
            }
        }
        Effect::RemoveFromGroup(g) => group_ids.retain(|x| !x.eq_ignore_ascii_case(g)),
        Effect::DeleteUser => *user = None,
        Effect::SetAssignedLicenses(l) => {
            if let Some(u) = user {
                u["assignedLicenses"] = Value::Array(l.clone());
            }
        }
        Effect::RevokeSessions(at) => {
            if let Some(u) = user {
                u["signInSessionsValidFromDateTime"] = json!(ts((*at).max(now)));
            }
        }
        // Access package and TAP changes are read from the store, not the user document.
        Effect::SendMail(_)
        | Effect::CreateTemporaryAccessPass { .. }
        | Effect::AccessPackage(_) => {}
    }
}
