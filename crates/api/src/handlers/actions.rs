//! Bound actions on a workflow that start, preview or stop processing (`activate`,
//! `activateWithScope`, `activateAndWait`, `previewWorkflow`, `previewTaskFailures`,
//! `cancelProcessing`, `clearQuarantine`) and the tenant-wide insights functions.

use std::collections::{BTreeSet, HashMap};

use axum::http::StatusCode;
use engine::runner::{Activation, ExecutionType};
use serde_json::{json, Map, Value};
use store::{kinds, result_kinds, Resource, ResultRow, Write};

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;
use crate::handlers::runs::{all_rows, function_result, tally, window, Tally};
use crate::handlers::workflows::load_live_workflow_for_write;

const NS: &str = "microsoft.graph.identityGovernance.";
/// Users per on-demand selection (service limit).
const MAX_SUBJECTS: usize = 10;

fn bad(target: &str, message: impl Into<String>) -> ApiError {
    ApiError::BadRequest {
        message: message.into(),
        target: Some(target.to_string()),
    }
}

/// Reject members other than `allowed` (annotations such as `@odata.type` are accepted).
fn check_keys(obj: &Map<String, Value>, allowed: &[&str], path: &str) -> Result<(), ApiError> {
    for k in obj.keys() {
        if k.starts_with('@') || allowed.contains(&k.as_str()) {
            continue;
        }
        let full = if path.is_empty() {
            k.clone()
        } else {
            format!("{path}.{k}")
        };
        return Err(bad(
            &full,
            format!("Property '{full}' is not a parameter of this action."),
        ));
    }
    Ok(())
}

fn body_object(ctx: &Ctx, allowed: &[&str]) -> Result<Map<String, Value>, ApiError> {
    let body = ctx.json_body()?;
    let obj = body.as_object().cloned().unwrap_or_default();
    check_keys(&obj, allowed, "")?;
    Ok(obj)
}

/// An action without parameters: no body, `{}`, or only annotations.
fn no_body(ctx: &Ctx) -> Result<(), ApiError> {
    if let Some(b) = ctx.optional_json_body()? {
        check_keys(b.as_object().unwrap_or(&Map::new()), &[], "")?;
    }
    Ok(())
}

fn object<'a>(v: Option<&'a Value>, path: &str) -> Result<&'a Map<String, Value>, ApiError> {
    match v {
        Some(Value::Object(m)) => Ok(m),
        None | Some(Value::Null) => Err(bad(path, format!("The parameter '{path}' is required."))),
        Some(_) => Err(bad(
            path,
            format!("Invalid value for '{path}': expected an object."),
        )),
    }
}

fn array<'a>(v: Option<&'a Value>, path: &str) -> Result<&'a Vec<Value>, ApiError> {
    match v {
        Some(Value::Array(a)) => Ok(a),
        None | Some(Value::Null) => Err(bad(path, format!("The parameter '{path}' is required."))),
        Some(_) => Err(bad(
            path,
            format!("Invalid value for '{path}': expected an array."),
        )),
    }
}

/// `{"id": ...}` of a reference object.
fn ref_id(v: &Value, path: &str) -> Result<String, ApiError> {
    let m = object(Some(v), path)?;
    check_keys(m, &["id"], path)?;
    m.get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| {
            bad(
                &format!("{path}.id"),
                format!("The property '{path}.id' is required."),
            )
        })
}

/// The bare type name of an `@odata.type` (`#microsoft.graph.identityGovernance.x` → `x`).
fn odata_type(m: &Map<String, Value>, path: &str) -> Result<String, ApiError> {
    let t = m
        .get("@odata.type")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            bad(
                &format!("{path}.@odata.type"),
                format!("'{path}' needs an '@odata.type' naming its type."),
            )
        })?;
    let t = t.strip_prefix('#').unwrap_or(t);
    let lower = t.to_ascii_lowercase();
    Ok(lower
        .strip_prefix(&NS.to_ascii_lowercase())
        .unwrap_or(&lower)
        .to_string())
}

/// Existing directory users for `subjects` (1..=10 `{id}` references), deduplicated.
async fn subject_users(ctx: &Ctx, v: Option<&Value>, path: &str) -> Result<Vec<String>, ApiError> {
    let items = array(v, path)?;
    if items.is_empty() {
        return Err(bad(path, format!("'{path}' needs at least one user.")));
    }
    if items.len() > MAX_SUBJECTS {
        return Err(bad(
            path,
            format!(
                "'{path}' has {} entries; at most {MAX_SUBJECTS} users can be selected per request.",
                items.len()
            ),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let id = ref_id(item, &p)?;
        let user = ctx
            .state
            .store
            .get_user(ctx.tenant(), &id)
            .await?
            .ok_or_else(|| {
                bad(
                    &p,
                    format!("Invalid value for '{p}': user '{id}' does not exist."),
                )
            })?;
        if !out.contains(&user.id) {
            out.push(user.id);
        }
    }
    Ok(out)
}

fn require_enabled(wf: &Resource) -> Result<(), ApiError> {
    if wf.doc.get("isEnabled").and_then(Value::as_bool) == Some(true) {
        return Ok(());
    }
    Err(ApiError::bad_request(format!(
        "Workflow '{}' is disabled; enable it (isEnabled) before running it on demand.",
        wf.id
    )))
}

async fn start(ctx: &Ctx, wf: &Resource, act: Activation) -> Result<String, ApiError> {
    Ok(ctx
        .state
        .engine
        .activate(ctx.tenant(), &wf.doc, act)
        .await?)
}

/// `POST .../activate` `{subjects: [{id}]}`.
pub async fn activate_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let wf = load_live_workflow_for_write(&ctx).await?;
    let body = body_object(&ctx, &["subjects"])?;
    let users = subject_users(&ctx, body.get("subjects"), "subjects").await?;
    require_enabled(&wf)?;
    start(&ctx, &wf, Activation::new(ExecutionType::OnDemand, users)).await?;
    Ok(Reply::NoContent)
}

/// An `all…`/`failed…` scope enum (`taskScope`, `userScope`): true for the failed-only member.
fn failed_only(
    m: &Map<String, Value>,
    key: &str,
    all: &str,
    failed: &str,
    path: &str,
) -> Result<bool, ApiError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::String(s)) if s.eq_ignore_ascii_case(all) => Ok(false),
        Some(Value::String(s)) if s.eq_ignore_ascii_case(failed) => Ok(true),
        Some(other) => Err(bad(
            &format!("{path}.{key}"),
            format!("Invalid value {other} for '{path}.{key}': expected '{all}' or '{failed}'."),
        )),
    }
}

fn task_scope(m: &Map<String, Value>, path: &str) -> Result<bool, ApiError> {
    failed_only(m, "taskScope", "allTasks", "failedTasks", path)
}

fn user_scope(m: &Map<String, Value>, path: &str) -> Result<bool, ApiError> {
    failed_only(m, "userScope", "allUsers", "failedUsers", path)
}

/// Rerun `uprs` (user processing results of this workflow): every task, or only the tasks
/// that failed for them. The new run is linked from each source run and user result.
async fn reprocess(
    ctx: &Ctx,
    uprs: &[ResultRow],
    failed_tasks: bool,
    scope: Value,
    path: &str,
) -> Result<Activation, ApiError> {
    if uprs.is_empty() {
        return Err(bad(
            path,
            "There are no user processing results to reprocess in this scope.",
        ));
    }
    let mut users: Vec<String> = Vec::new();
    let mut runs: BTreeSet<String> = BTreeSet::new();
    let mut by_user: HashMap<String, Vec<String>> = HashMap::new();
    let mut task_ids: BTreeSet<String> = BTreeSet::new();
    for u in uprs {
        if !users.contains(&u.subject_id) {
            users.push(u.subject_id.clone());
        }
        runs.insert(u.run_id.clone());
        by_user
            .entry(u.subject_id.clone())
            .or_default()
            .push(u.id.clone());
        if failed_tasks {
            for t in all_rows(ctx, result_kinds::TASK, None, None, Some(&u.id)).await? {
                if t.status == "failed" {
                    task_ids.insert(t.task_id.clone());
                }
            }
        }
    }
    if failed_tasks && task_ids.is_empty() {
        return Err(bad(
            path,
            "No task failed for the selected users; use taskScope 'allTasks' to rerun every task.",
        ));
    }
    let mut act = Activation::new(ExecutionType::ActivatedWithScope, users);
    act.activated_on_scope = Some(scope);
    act.reprocesses = runs.into_iter().collect();
    act.reprocessed_user_results = by_user;
    if failed_tasks {
        act.task_ids = Some(task_ids.into_iter().collect());
    }
    Ok(act)
}

/// `POST .../activateWithScope` `{scope: activateUserScope | activateGroupScope |
/// activateRunScope | activateProcessingResultScope}`.
pub async fn activate_with_scope_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let wf = load_live_workflow_for_write(&ctx).await?;
    let body = body_object(&ctx, &["scope"])?;
    let scope = object(body.get("scope"), "scope")?;
    let ty = odata_type(scope, "scope")?;
    let act = match ty.as_str() {
        "activateuserscope" => {
            check_keys(scope, &["users"], "scope")?;
            let users = subject_users(&ctx, scope.get("users"), "scope.users").await?;
            let echo = json!({
                "@odata.type": format!("#{NS}activateUserScope"),
                "users": users.iter().map(|u| json!({"id": u})).collect::<Vec<_>>(),
            });
            let mut act = Activation::new(ExecutionType::ActivatedWithScope, users);
            act.activated_on_scope = Some(echo);
            act
        }
        "activategroupscope" => {
            check_keys(scope, &["group"], "scope")?;
            let gid = ref_id(scope.get("group").unwrap_or(&Value::Null), "scope.group")?;
            if ctx.state.store.get_group(ctx.tenant(), &gid).await?.is_none() {
                return Err(bad(
                    "scope.group",
                    format!("Invalid value for 'scope.group': group '{gid}' does not exist."),
                ));
            }
            let members = ctx.state.store.member_users(ctx.tenant(), &gid).await?;
            let users: Vec<String> = members
                .iter()
                .filter_map(|u| u.get("id").and_then(Value::as_str).map(str::to_string))
                .collect();
            if users.is_empty() {
                return Err(bad("scope.group", format!("Group '{gid}' has no user members.")));
            }
            let mut act = Activation::new(ExecutionType::ActivatedWithScope, users);
            act.activated_on_scope = Some(json!({
                "@odata.type": format!("#{NS}activateGroupScope"),
                "group": {"id": gid},
            }));
            act
        }
        "activaterunscope" => {
            check_keys(scope, &["run", "taskScope", "userScope"], "scope")?;
            let run_id = ref_id(scope.get("run").unwrap_or(&Value::Null), "scope.run")?;
            let run = ctx
                .state
                .store
                .get_result(ctx.tenant(), result_kinds::RUN, &run_id)
                .await?
                .filter(|r| r.workflow_id == wf.id)
                .ok_or_else(|| {
                    bad(
                        "scope.run",
                        format!("Invalid value for 'scope.run': run '{run_id}' of this workflow does not exist."),
                    )
                })?;
            let failed_tasks = task_scope(scope, "scope")?;
            let failed_users = user_scope(scope, "scope")?;
            let uprs: Vec<ResultRow> =
                all_rows(&ctx, result_kinds::USER, Some(&wf.id), Some(&run.id), None)
                    .await?
                    .into_iter()
                    .filter(|u| {
                        !failed_users
                            || matches!(
                                u.status.as_str(),
                                "failed" | "completedWithErrors" | "canceled"
                            )
                    })
                    .collect();
            let echo = json!({
                "@odata.type": format!("#{NS}activateRunScope"),
                "run": {"id": run.id},
                "taskScope": if failed_tasks { "failedTasks" } else { "allTasks" },
                "userScope": if failed_users { "failedUsers" } else { "allUsers" },
            });
            let mut act = reprocess(&ctx, &uprs, failed_tasks, echo, "scope").await?;
            act.reprocesses = vec![run.id];
            act
        }
        "activateprocessingresultscope" => {
            check_keys(scope, &["processingResults", "taskScope"], "scope")?;
            let items = array(scope.get("processingResults"), "scope.processingResults")?;
            let failed_tasks = task_scope(scope, "scope")?;
            let mut uprs: Vec<ResultRow> = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let p = format!("scope.processingResults[{i}]");
                let id = ref_id(item, &p)?;
                let row = ctx
                    .state
                    .store
                    .get_result(ctx.tenant(), result_kinds::USER, &id)
                    .await?
                    .filter(|r| r.workflow_id == wf.id)
                    .ok_or_else(|| {
                        bad(&p, format!("Invalid value for '{p}': user processing result '{id}' of this workflow does not exist."))
                    })?;
                if !uprs.iter().any(|u| u.id == row.id) {
                    uprs.push(row);
                }
            }
            let echo = json!({
                "@odata.type": format!("#{NS}activateProcessingResultScope"),
                "processingResults": uprs.iter().map(|u| json!({"id": u.id})).collect::<Vec<_>>(),
                "taskScope": if failed_tasks { "failedTasks" } else { "allTasks" },
            });
            reprocess(&ctx, &uprs, failed_tasks, echo, "scope.processingResults").await?
        }
        _ => {
            return Err(bad(
                "scope.@odata.type",
                "Invalid value for 'scope.@odata.type': expected activateUserScope, activateGroupScope, activateRunScope or activateProcessingResultScope.",
            ))
        }
    };
    require_enabled(&wf)?;
    start(&ctx, &wf, act).await?;
    Ok(Reply::NoContent)
}

/// `POST .../activateAndWait` `{subject: directoryObjectWorkflowSubject}`: run for one user
/// and answer when done.
pub async fn activate_and_wait_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let wf = load_live_workflow_for_write(&ctx).await?;
    let body = body_object(&ctx, &["subject"])?;
    let subject = object(body.get("subject"), "subject")?;
    let ty = odata_type(subject, "subject")?;
    let uid = match ty.as_str() {
        "directoryobjectworkflowsubject" => {
            check_keys(subject, &["directoryObject"], "subject")?;
            let id = ref_id(
                subject.get("directoryObject").unwrap_or(&Value::Null),
                "subject.directoryObject",
            )?;
            ctx.state
                .store
                .get_user(ctx.tenant(), &id)
                .await?
                .ok_or_else(|| {
                    bad(
                        "subject.directoryObject",
                        format!("Invalid value for 'subject.directoryObject': user '{id}' does not exist."),
                    )
                })?
                .id
        }
        "provisioningobjectworkflowsubject" => {
            return Err(bad(
                "subject",
                "lcw processes directory users only; provisioningObjectWorkflowSubject is not supported.",
            ))
        }
        _ => {
            return Err(bad(
                "subject.@odata.type",
                "Invalid value for 'subject.@odata.type': expected directoryObjectWorkflowSubject.",
            ))
        }
    };
    require_enabled(&wf)?;
    let run_id = start(
        &ctx,
        &wf,
        Activation::new(ExecutionType::OnDemand, vec![uid.clone()]),
    )
    .await?;
    ctx.state.engine.drain().await?;
    // A worker may hold the job's lease: wait (bounded) for it to finish.
    let mut upr: Option<ResultRow> = None;
    for _ in 0..500 {
        let rows = all_rows(&ctx, result_kinds::USER, Some(&wf.id), Some(&run_id), None).await?;
        upr = rows.into_iter().next();
        if upr.as_ref().is_some_and(|u| {
            matches!(
                u.status.as_str(),
                "completed" | "completedWithErrors" | "failed" | "canceled"
            )
        }) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        ctx.state.engine.drain().await?;
    }
    let upr = upr.ok_or_else(|| ApiError::Internal(format!("run {run_id} has no user result")))?;
    let reasons: Vec<Value> = all_rows(&ctx, result_kinds::TASK, None, None, Some(&upr.id))
        .await?
        .iter()
        .filter(|t| t.status == "failed")
        .filter_map(|t| {
            t.doc
                .get("failureReason")
                .filter(|v| v.is_string())
                .cloned()
        })
        .collect();
    Ok(function_result(
        &ctx,
        "awaitedWorkflowProcessingResult",
        json!({
            "processingStatus": upr.status,
            "statusReasons": reasons,
            "subject": {
                "@odata.type": format!("#{NS}directoryObjectWorkflowSubject"),
                "directoryObject": {"id": uid},
            },
        }),
    ))
}

/// `POST .../previewWorkflow` `{subjects: [{id}]}`: a run of type `preview`.
///
/// Until the engine can execute tasks without applying their effects, the preview run
/// carries no tasks (`task_ids = []`): it records the users a real run would process and
/// changes nothing in the directory.
pub async fn preview_workflow_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let wf = load_live_workflow_for_write(&ctx).await?;
    let body = body_object(&ctx, &["subjects"])?;
    let users = subject_users(&ctx, body.get("subjects"), "subjects").await?;
    // A preview run plans every task and records the outcome; the engine applies no effect.
    start(&ctx, &wf, Activation::new(ExecutionType::Preview, users)).await?;
    Ok(Reply::NoContent)
}

/// `POST .../previewTaskFailures`: the tasks lcw would fail (not implemented ones).
pub async fn preview_task_failures_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let wf = load_live_workflow_for_write(&ctx).await?;
    no_body(&ctx)?;
    let tasks = wf
        .doc
        .get("tasks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let failures: Vec<Value> = tasks
        .iter()
        .filter(|t| {
            let def = t
                .get("taskDefinitionId")
                .and_then(Value::as_str)
                .unwrap_or("");
            !engine::tasks::is_implemented(def)
        })
        .map(|t| {
            let s = |k: &str| t.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let name = s("displayName");
            json!({
                "taskId": s("id"),
                "definitionId": s("taskDefinitionId"),
                "name": name,
                "failureReason": format!("The task '{name}' is not implemented by lcw yet."),
            })
        })
        .collect();
    Ok(Reply::Json(
        StatusCode::OK,
        json!({
            "@odata.context": format!("{}/$metadata#Collection({NS}previewFailedTask)", ctx.base),
            "value": failures,
        }),
    ))
}

/// `POST .../cancelProcessing` `{scope: cancelRunsScope{runs: [{id}]}}` (one run).
pub async fn cancel_processing_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let wf = load_live_workflow_for_write(&ctx).await?;
    let body = body_object(&ctx, &["scope"])?;
    let scope = object(body.get("scope"), "scope")?;
    if scope.contains_key("@odata.type") && odata_type(scope, "scope")? != "cancelrunsscope" {
        return Err(bad(
            "scope.@odata.type",
            "Invalid value for 'scope.@odata.type': expected cancelRunsScope.",
        ));
    }
    check_keys(scope, &["runs"], "scope")?;
    let runs = array(scope.get("runs"), "scope.runs")?;
    if runs.len() != 1 {
        return Err(bad(
            "scope.runs",
            format!(
                "'scope.runs' must name exactly one run (it has {}).",
                runs.len()
            ),
        ));
    }
    let run_id = ref_id(runs.first().unwrap_or(&Value::Null), "scope.runs[0]")?;
    ctx.state
        .engine
        .cancel_run(ctx.tenant(), &wf.id, &run_id)
        .await?;
    Ok(Reply::NoContent)
}

/// `POST .../clearQuarantine`: reset `quarantineDetails`; answers the workflow.
pub async fn clear_quarantine_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let mut wf = load_live_workflow_for_write(&ctx).await?;
    no_body(&ctx)?;
    wf.doc["quarantineDetails"] = json!({
        "quarantinedDateTime": null,
        "quarantineReason": null,
        "quarantineType": "notQuarantined",
    });
    ctx.state
        .store
        .write(ctx.tenant(), vec![Write::Put(wf.clone())])
        .await?;
    let mut doc = wf.doc;
    if let Some(m) = doc.as_object_mut() {
        let tasks = m.remove("tasks").unwrap_or(json!([]));
        m.insert(
            "tasks@odata.context".into(),
            json!(format!(
                "{}/$metadata#identityGovernance/lifecycleWorkflows/workflows('{}')/tasks",
                ctx.base, wf.id
            )),
        );
        m.insert("tasks".into(), tasks);
    }
    Ok(ctx.action_entity(
        model::types::WORKFLOW,
        doc,
        "identityGovernance/lifecycleWorkflows/workflows/$entity",
    ))
}

// ---- insights (tenant-wide) ----

/// Every workflow of the tenant, live and deleted.
async fn all_workflows(ctx: &Ctx) -> Result<Vec<Resource>, ApiError> {
    Ok(ctx
        .state
        .store
        .list(ctx.tenant(), kinds::WORKFLOW, None)
        .await?)
}

fn str_of(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

pub async fn workflows_processed_summary_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let (from, to) = window(&ctx)?;
    let (mut runs, mut users, mut tasks) = (Tally::default(), Tally::default(), Tally::default());
    for wf in all_workflows(&ctx).await? {
        let id = Some(wf.id.as_str());
        runs.add(tally(&ctx, result_kinds::RUN, id, None, &from, &to).await?);
        users.add(tally(&ctx, result_kinds::USER, id, None, &from, &to).await?);
        tasks.add(tally(&ctx, result_kinds::TASK, id, None, &from, &to).await?);
    }
    Ok(function_result(
        &ctx,
        "workflowsInsightsSummary",
        json!({
            "totalRuns": runs.total,
            "successfulRuns": runs.completed,
            "failedRuns": runs.failed,
            "totalUsers": users.total,
            "successfulUsers": users.completed,
            "failedUsers": users.failed,
            "totalTasks": tasks.total,
            "successfulTasks": tasks.completed,
            "failedTasks": tasks.failed,
        }),
    ))
}

pub async fn workflows_processed_by_category_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let (from, to) = window(&ctx)?;
    let mut by: HashMap<String, Tally> = HashMap::new();
    for wf in all_workflows(&ctx).await? {
        let t = tally(&ctx, result_kinds::RUN, Some(&wf.id), None, &from, &to).await?;
        by.entry(str_of(&wf.doc, "category")).or_default().add(t);
    }
    let get = |c: &str| by.get(c).copied().unwrap_or_default();
    let (j, l, m) = (get("joiner"), get("leaver"), get("mover"));
    Ok(function_result(
        &ctx,
        "workflowsInsightsByCategory",
        json!({
            "totalJoinerRuns": j.total, "successfulJoinerRuns": j.completed, "failedJoinerRuns": j.failed,
            "totalLeaverRuns": l.total, "successfulLeaverRuns": l.completed, "failedLeaverRuns": l.failed,
            "totalMoverRuns": m.total, "successfulMoverRuns": m.completed, "failedMoverRuns": m.failed,
        }),
    ))
}

/// A function returning a collection: filter/page in memory, then the collection context.
fn insights_collection(ctx: &Ctx, type_name: &str, items: Vec<Value>) -> Result<Reply, ApiError> {
    let reply = ctx.collection(items)?;
    Ok(match reply {
        Reply::Json(status, mut v) => {
            v["@odata.context"] = json!(format!(
                "{}/$metadata#Collection({NS}{type_name})",
                ctx.base
            ));
            Reply::Json(status, v)
        }
        other => other,
    })
}

pub async fn top_workflows_processed_summary_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let (from, to) = window(&ctx)?;
    let mut items = Vec::new();
    for wf in all_workflows(&ctx).await? {
        let runs = tally(&ctx, result_kinds::RUN, Some(&wf.id), None, &from, &to).await?;
        if runs.total == 0 {
            continue;
        }
        let users = tally(&ctx, result_kinds::USER, Some(&wf.id), None, &from, &to).await?;
        items.push(json!({
            "workflowId": wf.id,
            "workflowDisplayName": str_of(&wf.doc, "displayName"),
            "workflowCategory": str_of(&wf.doc, "category"),
            "workflowVersion": wf.doc.get("version").and_then(Value::as_i64).unwrap_or(1),
            "totalRuns": runs.total,
            "successfulRuns": runs.completed,
            "failedRuns": runs.failed,
            "totalUsers": users.total,
            "successfulUsers": users.completed,
            "failedUsers": users.failed,
        }));
    }
    items.sort_by(|a, b| {
        b["totalRuns"]
            .as_i64()
            .cmp(&a["totalRuns"].as_i64())
            .then_with(|| str_of(a, "workflowDisplayName").cmp(&str_of(b, "workflowDisplayName")))
    });
    insights_collection(&ctx, "topWorkflowsInsightsSummary", items)
}

pub async fn top_tasks_processed_summary_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let (from, to) = window(&ctx)?;
    let workflow_ids: Vec<String> = all_workflows(&ctx)
        .await?
        .into_iter()
        .map(|wf| wf.id)
        .collect();
    let tallies = ctx
        .state
        .store
        .task_definition_tallies(ctx.tenant(), &workflow_ids, &from, &to)
        .await?;
    let mut items: Vec<Value> = tallies
        .into_iter()
        .map(|t| {
            let name = model::catalog::task_definition(&t.definition_id)
                .map(|d| str_of(d, "displayName"))
                .unwrap_or_default();
            json!({
                "taskDefinitionId": t.definition_id,
                "taskDefinitionDisplayName": name,
                "totalTasks": t.tasks,
                "successfulTasks": t.completed,
                "failedTasks": t.failed,
                "totalUsers": t.users,
                "successfulUsers": t.users_completed,
                "failedUsers": t.users_failed,
            })
        })
        .collect();
    items.sort_by(|a, b| {
        b["totalTasks"]
            .as_i64()
            .cmp(&a["totalTasks"].as_i64())
            .then_with(|| str_of(a, "taskDefinitionId").cmp(&str_of(b, "taskDefinitionId")))
    });
    insights_collection(&ctx, "topTasksInsightsSummary", items)
}
