//! Workflow tasks and workflow versions (with their task snapshots).

use lifecycle::workflows::{Expanded, UserNav};
use serde_json::Value;

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;
use crate::render::{expand_asked, inline_tasks, render_expanded};

const TASK: &str = model::types::TASK;

fn workflow_key(ctx: &Ctx) -> Result<&str, ApiError> {
    ctx.key("workflow-id")
}

fn version_key(ctx: &Ctx) -> Result<&str, ApiError> {
    ctx.key("workflowVersion-versionNumber")
}

fn task_key(ctx: &Ctx) -> Result<&str, ApiError> {
    ctx.key("task-id")
}

pub async fn list_tasks_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let tasks = ctx
        .domain()
        .list_tasks(&ctx.caller(), workflow_key(&ctx)?, ctx.scope())
        .await?;
    ctx.collection(tasks)
}

pub async fn count_tasks_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let tasks = ctx
        .domain()
        .list_tasks(&ctx.caller(), workflow_key(&ctx)?, ctx.scope())
        .await?;
    ctx.count(&tasks)
}

pub async fn get_task_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let task = ctx
        .domain()
        .get_task(
            &ctx.caller(),
            workflow_key(&ctx)?,
            ctx.scope(),
            task_key(&ctx)?,
        )
        .await?;
    ctx.entity(task)
}

pub async fn create_task_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let created = ctx
        .domain()
        .create_task(
            &ctx.caller(),
            workflow_key(&ctx)?,
            ctx.scope(),
            ctx.body_after_lookup(),
        )
        .await?;
    let context = format!(
        "identityGovernance/lifecycleWorkflows/workflows('{}')/tasks/$entity",
        created.workflow_id
    );
    Ok(ctx.created(TASK, created.task, &context))
}

pub async fn delete_task_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .delete_task(
            &ctx.caller(),
            workflow_key(&ctx)?,
            ctx.scope(),
            task_key(&ctx)?,
        )
        .await?;
    Ok(Reply::NoContent)
}

pub async fn update_task_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .update_task(
            &ctx.caller(),
            workflow_key(&ctx)?,
            ctx.scope(),
            task_key(&ctx)?,
            ctx.body_after_lookup(),
        )
        .await?;
    Ok(Reply::NoContent)
}

// ---- versions ----

/// A version as GET returns it: tasks inline (with their context) when `with_tasks` or
/// `$expand=tasks`, then the navigations that were expanded.
fn render_version(ctx: &Ctx, mut e: Expanded, with_tasks: bool) -> Result<Value, ApiError> {
    let context = if with_tasks || ctx.expands("tasks") {
        let wf_id = workflow_key(ctx)?.to_ascii_lowercase();
        let n = e
            .doc
            .get("versionNumber")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        Some(format!(
            "{}/$metadata#identityGovernance/lifecycleWorkflows/workflows('{wf_id}')/versions({n})/tasks",
            ctx.base
        ))
    } else {
        None
    };
    inline_tasks(&mut e.doc, context);
    Ok(render_expanded(e))
}

pub async fn list_versions_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let versions = ctx
        .domain()
        .list_versions(
            &ctx.caller(),
            workflow_key(&ctx)?,
            ctx.scope(),
            expand_asked(&ctx),
        )
        .await?;
    let items = versions
        .into_iter()
        .map(|v| render_version(&ctx, v, false))
        .collect::<Result<Vec<_>, _>>()?;
    ctx.collection(items)
}

pub async fn count_versions_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let versions = ctx
        .domain()
        .list_versions(
            &ctx.caller(),
            workflow_key(&ctx)?,
            ctx.scope(),
            Default::default(),
        )
        .await?;
    let docs: Vec<Value> = versions.into_iter().map(|v| v.doc).collect();
    ctx.count(&docs)
}

pub async fn get_version_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let version = ctx
        .domain()
        .get_version(
            &ctx.caller(),
            workflow_key(&ctx)?,
            ctx.scope(),
            version_key(&ctx)?,
            expand_asked(&ctx),
        )
        .await?;
    let shown = render_version(&ctx, version, true)?;
    ctx.entity(shown)
}

async fn version_user_nav(ctx: Ctx, nav: UserNav) -> Result<Reply, ApiError> {
    let user = ctx
        .domain()
        .version_user(
            &ctx.caller(),
            workflow_key(&ctx)?,
            ctx.scope(),
            version_key(&ctx)?,
            nav,
        )
        .await?;
    ctx.entity(user)
}

pub async fn get_version_created_by_route(ctx: Ctx) -> Result<Reply, ApiError> {
    version_user_nav(ctx, UserNav::CreatedBy).await
}

pub async fn get_version_last_modified_by_route(ctx: Ctx) -> Result<Reply, ApiError> {
    version_user_nav(ctx, UserNav::LastModifiedBy).await
}

pub async fn list_version_tasks_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let tasks = ctx
        .domain()
        .version_tasks(
            &ctx.caller(),
            workflow_key(&ctx)?,
            ctx.scope(),
            version_key(&ctx)?,
        )
        .await?;
    ctx.collection(tasks)
}

pub async fn count_version_tasks_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let tasks = ctx
        .domain()
        .version_tasks(
            &ctx.caller(),
            workflow_key(&ctx)?,
            ctx.scope(),
            version_key(&ctx)?,
        )
        .await?;
    ctx.count(&tasks)
}

pub async fn get_version_task_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let task = ctx
        .domain()
        .version_task(
            &ctx.caller(),
            workflow_key(&ctx)?,
            ctx.scope(),
            version_key(&ctx)?,
            task_key(&ctx)?,
        )
        .await?;
    ctx.entity(task)
}

/// Versions are the record of what ran; the domain refuses any change to their tasks.
pub async fn write_version_task_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let refused = ctx
        .domain()
        .write_version_task(
            &ctx.caller(),
            workflow_key(&ctx)?,
            ctx.scope(),
            version_key(&ctx)?,
        )
        .await?;
    match refused {}
}
