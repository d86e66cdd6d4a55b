//! Processing one job: everything its users need is read in a few queries, planned in
//! memory (`plan`), and committed in one transaction together with the job's completion.

use std::collections::HashMap;

use model::run::{JobPayload, ProcessUsers, ProcessingStatus, ResultKind, TaskKind};
use model::time::format_datetime;
use model::workflow_view::{TaskView, WorkflowView};
use serde_json::{json, Value};
use store::{Job, ResultQuery, ResultRow, ResultWrite, Store};

use super::plan::{plan_user, JobContext};
use super::{Engine, Result};
use crate::task_mail::recipient_ids;
use crate::tasks_access::{load_access_data, AccessData};

impl Engine {
    pub(super) async fn process_job(&self, job: &Job) -> Result<()> {
        let tenant = job.tenant_id.as_str();
        let (run_id, user_results) = match JobPayload::from_parts(&job.kind, &job.payload) {
            Ok(JobPayload::ProcessUsers(ProcessUsers {
                run_id,
                user_results,
                ..
            })) => (run_id, user_results),
            Err(e) => {
                // Retrying cannot help a job this version cannot read.
                tracing::error!(job = job.id, error = %e, "dropping an unreadable job");
                self.store
                    .write_results(tenant, &[ResultWrite::CompleteJob(job.id.clone())])
                    .await?;
                return Ok(());
            }
        };
        let Some(mut run) = self
            .reader
            .get_result(tenant, ResultKind::Run.as_str(), &run_id)
            .await?
        else {
            self.store
                .write_results(tenant, &[ResultWrite::CompleteJob(job.id.clone())])
                .await?;
            return Ok(());
        };
        if ProcessingStatus::of(&run.status) == ProcessingStatus::Queued {
            let now = format_datetime(self.clock.now(tenant));
            let in_progress = ProcessingStatus::InProgress.as_str();
            run.status = in_progress.into();
            run.started_at = Some(now.clone());
            run.doc["processingStatus"] = json!(in_progress);
            run.doc["startedDateTime"] = json!(now);
            run.doc["lastUpdatedDateTime"] = json!(now);
            self.store
                .write_results(tenant, &[ResultWrite::Put(run.clone())])
                .await?;
        }
        let canceled = ProcessingStatus::of(&run.status).is_canceled();
        let now = self.clock.now(tenant);
        // Everything the job needs is read in a few queries, planned in memory, and committed
        // in one transaction together with the job's completion: a job is done exactly once.
        let many = usize::MAX / 4;
        let (uprs, _, _) = self
            .reader
            .list_results(
                tenant,
                &ResultQuery {
                    kind: ResultKind::User.as_str(),
                    ids: Some(&user_results),
                    top: many,
                    ..Default::default()
                },
            )
            .await?;
        let pending: Vec<ResultRow> = uprs
            .into_iter()
            .filter(|u| !ProcessingStatus::of(&u.status).is_final())
            .collect();
        let mut writes = Vec::new();
        let mut effects = Vec::new();
        if !pending.is_empty() {
            // A user result still `queued` was never planned, so it has no task results yet
            // (they are written with its first planning): only the others are looked up.
            // Besides a query per job, this spares PostgreSQL a lookup its statistics, stale
            // while a large run adds task rows, planned as a scan of the tenant.
            let upr_ids: Vec<String> = pending
                .iter()
                .filter(|u| ProcessingStatus::of(&u.status) != ProcessingStatus::Queued)
                .map(|u| u.id.clone())
                .collect();
            let tprs = if upr_ids.is_empty() {
                Vec::new()
            } else {
                self.reader
                    .list_results(
                        tenant,
                        &ResultQuery {
                            kind: ResultKind::Task.as_str(),
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
                        kind: ResultKind::Report.as_str(),
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
            // Parsed once per job: planning reads each user's tasks through these views.
            let task_views: HashMap<&str, TaskView> = task_copies
                .iter()
                .map(|(id, task)| (id.as_str(), TaskView::of(task)))
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
            for task in task_views.values() {
                group_ids.extend(crate::tasks::groups_named(task.arguments));
            }
            group_ids.sort_unstable();
            group_ids.dedup();
            let groups = self.groups_by_ids(tenant, &group_ids).await?;
            // Other people e-mail tasks read: managers and explicit `to` / `cc` recipients,
            // and the sender domain. Only loaded when the job has an e-mail task.
            let sends_mail = task_views
                .values()
                .any(|t| t.kind.is_some_and(TaskKind::sends_mail));
            let mut people: HashMap<String, Value> = HashMap::new();
            let mut sender_domain = "lcw.local".to_string();
            if sends_mail {
                let mut people_ids: Vec<String> = users
                    .values()
                    .filter_map(|u| u.manager_id.clone())
                    .collect();
                for task in task_views.values() {
                    people_ids.extend(recipient_ids(task.arguments));
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
            let access = if task_views
                .values()
                .any(|t| t.kind.is_some_and(TaskKind::reads_access_packages))
            {
                load_access_data(&self.reader, tenant, &subject_ids).await?
            } else {
                AccessData::default()
            };
            let watched = self.watched_attributes(tenant).await?;
            let ctx = JobContext {
                watched: &watched,
                tasks: &task_views,
                groups: &groups,
                people: &people,
                sender_domain: &sender_domain,
                access: &access,
                canceled,
                now,
                now_text: format_datetime(now),
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
        crate::telemetry::job_committed(&writes);
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
            .flat_map(|w| {
                crate::scope::watched_attributes(WorkflowView::of(&w.doc).execution_conditions)
            })
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
                "processingStatus": ProcessingStatus::Queued.as_str(),
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
                    kind: ResultKind::Task.as_str(),
                    id,
                    workflow_id: upr.workflow_id.clone(),
                    run_id: upr.run_id.clone(),
                    user_result_id: upr.id.clone(),
                    subject_id: upr.subject_id.clone(),
                    task_id: report.task_id.clone(),
                    task_definition_id: report.task_definition_id.clone(),
                    status: ProcessingStatus::Queued.as_str().into(),
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
