//! Planning a job's users: pure (no I/O). Given a user's results, the user, their groups
//! and what the job loaded, decide each task's outcome in order and the directory effects
//! to commit.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use model::run::{ExecutionType, ProcessingStatus, TaskKind};
use model::time::format_datetime;
use model::workflow_view::TaskView;
use serde_json::{json, Value};
use store::{DirectoryEffect, ResultRow, ResultWrite};

use crate::tasks::{plan_task, Effect, Outcome, TaskInput};
use crate::tasks_access::{AccessChange, AccessData};

/// What planning every user of a job shares.
pub(super) struct JobContext<'a> {
    /// Attributes the tenant's mover workflows watch (see `Engine::watched_attributes`).
    pub watched: &'a [String],
    /// The run's workflow tasks by id (from its task reports), parsed once per job.
    pub tasks: &'a HashMap<&'a str, TaskView<'a>>,
    /// The groups the job's users are in and its tasks name, by lower-case id.
    pub groups: &'a HashMap<String, Value>,
    /// Managers and e-mail recipients by lower-case id.
    pub people: &'a HashMap<String, Value>,
    pub sender_domain: &'a str,
    pub access: &'a AccessData,
    /// The run is canceled (or being canceled): pending tasks are canceled, not planned.
    pub canceled: bool,
    pub now: DateTime<Utc>,
    /// `now` as documents carry it, formatted once per job.
    pub now_text: String,
}

/// Plan one user's tasks in execution order (skipping those already final) against an
/// in-memory copy of the user that each planned effect updates, so later tasks see earlier
/// ones. Returns the result writes and the directory effects to commit.
pub(super) fn plan_user(
    mut upr: ResultRow,
    tasks: Vec<ResultRow>,
    mut user: Option<Value>,
    mut group_ids: Vec<String>,
    manager: Option<Value>,
    ctx: &JobContext,
) -> (Vec<ResultWrite>, Vec<DirectoryEffect>) {
    use ProcessingStatus::{Canceled, Completed, Failed, InProgress};
    let (canceled, groups, now) = (ctx.canceled, ctx.groups, ctx.now);
    let now_text = &ctx.now_text;
    let execution = ExecutionType::parse(&upr.execution_type);
    let preview = execution == Some(ExecutionType::Preview);
    let scheduled = execution == Some(ExecutionType::Scheduled);
    let mut writes = Vec::with_capacity(tasks.len() + 1);
    let mut effects = Vec::new();
    let mut stop_reason: Option<String> = canceled.then(|| "The run was canceled.".to_string());
    let mut failed = 0;
    let mut unprocessed = 0;
    // A task waiting for its custom task extension holds back the user's later tasks.
    let mut waiting = false;
    let view_of = |t: &ResultRow| ctx.tasks.get(t.task_id.as_str());
    let continues_on_error = |t: &ResultRow| view_of(t).is_some_and(|v| v.continue_on_error);
    for mut t in tasks {
        let current = ProcessingStatus::of(&t.status);
        if current.is_final() {
            match current {
                Failed => {
                    failed += 1;
                    if !continues_on_error(&t) {
                        stop_reason.get_or_insert_with(|| STOPPED_BY_FAILURE.into());
                    }
                }
                Completed => {}
                _ => unprocessed += 1,
            }
            continue;
        }
        if let Some(reason) = &stop_reason {
            t.status = Canceled.as_str().into();
            t.completed_at = Some(now_text.clone());
            t.doc["processingStatus"] = json!(Canceled.as_str());
            t.doc["processingInfo"] = json!(reason);
            t.doc["completedDateTime"] = json!(now_text);
            unprocessed += 1;
            writes.push(ResultWrite::Put(t));
            continue;
        }
        if waiting || current == InProgress {
            // Behind, or itself, a callout not resolved yet: untouched until it is. Written
            // as it is, because a user's task results first exist when the user is planned.
            waiting = true;
            unprocessed += 1;
            writes.push(ResultWrite::Put(t));
            continue;
        }
        let view = view_of(&t);
        // The report's copy names the kind; a row without one is read from its own column.
        let kind = match view {
            Some(v) => v.kind,
            None => TaskKind::from_id(&t.task_definition_id),
        };
        let mut callout: Option<String> = None;
        let (status, planned, info, reason) = match &user {
            None => (
                Failed,
                Vec::new(),
                None,
                Some("The user no longer exists in the directory.".to_string()),
            ),
            Some(u) => {
                let input = TaskInput {
                    definition_id: &t.task_definition_id,
                    kind,
                    arguments: view.map_or(&[][..], |v| v.arguments),
                    user: u,
                    user_group_ids: &group_ids,
                    groups: &|id| by_lower_id(groups, id),
                    manager: manager.as_ref(),
                    user_by_id: &|id| by_lower_id(ctx.people, id),
                    sender_domain: ctx.sender_domain,
                    access: ctx.access,
                    now,
                    scheduled,
                };
                match plan_task(&input) {
                    Outcome::Completed {
                        effects,
                        processing_info,
                    } => (Completed, effects, processing_info, None),
                    Outcome::Failed { reason } | Outcome::NotImplemented { reason } => {
                        (Failed, Vec::new(), None, Some(reason))
                    }
                    Outcome::Callout { .. } if preview => (Completed, Vec::new(), None, None),
                    Outcome::Callout { extension_id } => {
                        callout = Some(extension_id);
                        (InProgress, Vec::new(), None, None)
                    }
                }
            }
        };
        let done = (status != InProgress).then(|| now_text.clone());
        t.status = status.as_str().into();
        t.started_at = Some(now_text.clone());
        t.completed_at = done.clone();
        t.doc["processingStatus"] = json!(status.as_str());
        t.doc["startedDateTime"] = json!(now_text);
        t.doc["completedDateTime"] = json!(done);
        t.doc["processingInfo"] = json!(info);
        t.doc["failureReason"] = json!(reason);
        if status == Failed {
            failed += 1;
            if !continues_on_error(&t) {
                stop_reason = Some(STOPPED_BY_FAILURE.into());
            }
        }
        if preview {
            // A preview records what would happen and changes nothing.
            if status == Completed {
                let would = if kind == Some(TaskKind::RunCustomTaskExtension) {
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
    let status = user_status(canceled, waiting, failed, unprocessed);
    upr.status = status.as_str().into();
    upr.failed_tasks = failed as i64;
    upr.started_at.get_or_insert_with(|| now_text.clone());
    let done = (status != InProgress).then(|| now_text.clone());
    upr.completed_at = done.clone();
    upr.doc["processingStatus"] = json!(status.as_str());
    if upr.doc.get("startedDateTime").is_none_or(Value::is_null) {
        upr.doc["startedDateTime"] = json!(now_text);
    }
    upr.doc["completedDateTime"] = json!(done);
    upr.doc["failedTasksCount"] = json!(failed);
    upr.doc["totalUnprocessedTasksCount"] = json!(unprocessed);
    writes.push(ResultWrite::Update(upr));
    (writes, effects)
}

const STOPPED_BY_FAILURE: &str = "A previous task failed and continueOnError is false.";

/// A user's status once their tasks are planned: in progress while a callout holds them,
/// else by how many of their tasks failed or were never carried out.
fn user_status(
    canceled: bool,
    waiting: bool,
    failed: usize,
    unprocessed: usize,
) -> ProcessingStatus {
    if canceled {
        ProcessingStatus::Canceled
    } else if waiting {
        ProcessingStatus::InProgress
    } else if failed == 0 && unprocessed == 0 {
        ProcessingStatus::Completed
    } else if unprocessed == 0 {
        ProcessingStatus::CompletedWithErrors
    } else {
        ProcessingStatus::Failed
    }
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
            Value::String(format_datetime((*at).max(now))),
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
                u["signInSessionsValidFromDateTime"] = json!(format_datetime((*at).max(now)));
            }
        }
        // Access package and TAP changes are read from the store, not the user document.
        Effect::SendMail(_)
        | Effect::CreateTemporaryAccessPass { .. }
        | Effect::AccessPackage(_) => {}
    }
}

fn to_store_effect(e: Effect, now: DateTime<Utc>) -> DirectoryEffect {
    match e {
        Effect::SetAccountEnabled(b) => DirectoryEffect::SetAccountEnabled(b),
        Effect::AddToGroup(g) => DirectoryEffect::AddToGroup(g),
        Effect::RemoveFromGroup(g) => DirectoryEffect::RemoveFromGroup(g),
        Effect::DeleteUser => DirectoryEffect::DeleteUser,
        Effect::SetAssignedLicenses(l) => DirectoryEffect::SetAssignedLicenses(l),
        Effect::RevokeSessions(at) => DirectoryEffect::RevokeSessions(format_datetime(at.max(now))),
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
            created_at: format_datetime(now),
            start_at: format_datetime(start),
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
                at: format_datetime(now),
            },
            AccessChange::Remove { assignment_id } => store::AccessPackageEffect::Remove {
                request_id: model::new_id(),
                assignment_id,
                at: format_datetime(now),
            },
            AccessChange::Cancel { request_id } => store::AccessPackageEffect::Cancel {
                request_id,
                at: format_datetime(now),
            },
        }),
    }
}

#[cfg(test)]
mod tests;
