//! Bound actions on a workflow that start, preview or stop processing (`activate`,
//! `activateWithScope`, `activateAndWait`, `previewWorkflow`, `previewTaskFailures`,
//! `cancelProcessing`, `clearQuarantine`) and the tenant-wide insights functions.
//!
//! The domain checks each body once it found the workflow; these handlers pass the body on
//! as decoded and shape the answer.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;
use crate::render::runs::{for_domain, function_result, NS};

/// `POST .../activate` `{subjects: [{id}]}`.
pub async fn activate_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .activate(
            &ctx.caller(),
            ctx.key("workflow-id")?,
            ctx.scope(),
            for_domain(ctx.json_body()),
        )
        .await?;
    Ok(Reply::NoContent)
}

/// `POST .../activateWithScope` `{scope: activateUserScope | activateGroupScope |
/// activateRunScope | activateProcessingResultScope}`.
pub async fn activate_with_scope_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .activate_with_scope(
            &ctx.caller(),
            ctx.key("workflow-id")?,
            ctx.scope(),
            for_domain(ctx.json_body()),
        )
        .await?;
    Ok(Reply::NoContent)
}

/// `POST .../activateAndWait` `{subject: provisioningObjectWorkflowSubject |
/// directoryObjectWorkflowSubject}`: run for one user and answer when done, echoing the
/// subject as sent.
pub async fn activate_and_wait_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let done = ctx
        .domain()
        .activate_and_wait(
            &ctx.caller(),
            ctx.key("workflow-id")?,
            ctx.scope(),
            for_domain(ctx.json_body()),
        )
        .await?;
    Ok(function_result(
        &ctx,
        "awaitedWorkflowProcessingResult",
        json!({
            "processingStatus": done.status,
            "statusReasons": done.status_reasons,
            "subject": echoed_subject(done.subject),
        }),
    ))
}

/// The request's subject as the answer shows it: typed with a leading `#`, a directory
/// object reduced to its reference.
fn echoed_subject(mut subject: Value) -> Value {
    if let Some(m) = subject.as_object_mut() {
        if let Some(Value::String(t)) = m.get_mut("@odata.type") {
            if !t.starts_with('#') {
                t.insert(0, '#');
            }
        }
    }
    subject
}

/// `POST .../previewWorkflow` `{subjects: [{id}]}`: a run of type `preview`.
pub async fn preview_workflow_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .preview_workflow(
            &ctx.caller(),
            ctx.key("workflow-id")?,
            ctx.scope(),
            for_domain(ctx.json_body()),
        )
        .await?;
    Ok(Reply::NoContent)
}

/// `POST .../previewTaskFailures`: the tasks lcw would fail (not implemented ones).
pub async fn preview_task_failures_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let failures = ctx
        .domain()
        .preview_task_failures(
            &ctx.caller(),
            ctx.key("workflow-id")?,
            ctx.scope(),
            for_domain(ctx.optional_json_body()),
        )
        .await?;
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
    ctx.domain()
        .cancel_processing(
            &ctx.caller(),
            ctx.key("workflow-id")?,
            ctx.scope(),
            for_domain(ctx.json_body()),
        )
        .await?;
    Ok(Reply::NoContent)
}

/// `POST .../clearQuarantine`: reset `quarantineDetails`; answers the workflow.
pub async fn clear_quarantine_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let wf = ctx
        .domain()
        .clear_quarantine(
            &ctx.caller(),
            ctx.key("workflow-id")?,
            ctx.scope(),
            for_domain(ctx.optional_json_body()),
        )
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
        true,
    ))
}

// ---- insights (tenant-wide) ----

fn function_args(ctx: &Ctx) -> &str {
    ctx.function_args.as_deref().unwrap_or("")
}

pub async fn workflows_processed_summary_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let s = ctx
        .domain()
        .workflows_processed_summary(&ctx.caller(), function_args(&ctx))
        .await?;
    Ok(function_result(
        &ctx,
        "workflowsInsightsSummary",
        json!({
            "totalRuns": s.runs.total,
            "successfulRuns": s.runs.completed,
            "failedRuns": s.runs.failed,
            "totalUsers": s.users.total,
            "successfulUsers": s.users.completed,
            "failedUsers": s.users.failed,
            "totalTasks": s.tasks.total,
            "successfulTasks": s.tasks.completed,
            "failedTasks": s.tasks.failed,
        }),
    ))
}

pub async fn workflows_processed_by_category_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let by = ctx
        .domain()
        .workflows_processed_by_category(&ctx.caller(), function_args(&ctx))
        .await?;
    let (j, l, m) = (by.joiner, by.leaver, by.mover);
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
    let items = ctx
        .domain()
        .top_workflows_processed(&ctx.caller(), function_args(&ctx))
        .await?;
    insights_collection(&ctx, "topWorkflowsInsightsSummary", items)
}

pub async fn top_tasks_processed_summary_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = ctx
        .domain()
        .top_tasks_processed(&ctx.caller(), function_args(&ctx))
        .await?;
    insights_collection(&ctx, "topTasksInsightsSummary", items)
}
