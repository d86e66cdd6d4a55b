//! Run history under `/workflows/{id}` (and `/deletedItems/workflows/{id}`): runs, user and
//! subject processing results, task processing results, task reports, their summaries,
//! `reprocessedRuns` (with `$ref` removal), `executionScope` and `previewScope`.
//!
//! One set of handlers serves every path: the route is read as a [`ResultPath`], the domain
//! resolves and answers it, and the handler shapes the answer for the wire (subject view,
//! summaries' types, `@odata.*`).

use axum::http::StatusCode;
use lifecycle::runs::{collection_step, Expand, PageWindow, ResultListing, ResultPath, Summary};
use serde_json::{json, Value};

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;
use crate::render::runs::{as_subject_result, for_domain, function_result};
use crate::render::typed_user;
use crate::result_path::result_path;

const SUBJECT_RESULTS: &str = "subjectProcessingResults";

fn refuse_search(ctx: &Ctx) -> Result<(), ApiError> {
    if ctx.query.search.is_some() {
        return Err(ApiError::BadRequest {
            message: "$search is not supported on this collection; use $filter.".into(),
            target: Some("$search".into()),
        });
    }
    Ok(())
}

/// The navigations the request asks to expand.
fn expand(ctx: &Ctx) -> Expand {
    Expand {
        subject: ctx.expands("subject"),
        task_definition: ctx.expands("taskDefinition"),
    }
}

fn route_type(ctx: &Ctx) -> &'static str {
    match ctx.route.op.shape {
        crate::operation::Shape::Collection(t) | crate::operation::Shape::Entity(t) => t,
        _ => "",
    }
}

// ---- collections, items, counts ----

/// `GET .../{collection}`: a page of runs / results / reports, in SQL.
pub async fn list_results_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.check_query()?;
    refuse_search(&ctx)?;
    let path = result_path(&ctx)?;
    let page = ctx
        .page_window()
        .map(|(skip, top)| PageWindow { skip, top });
    let listing = ResultListing {
        filter: ctx.query.filter.as_ref(),
        orderby: &ctx.query.orderby,
        page: for_domain(page),
        count: ctx.wants_count(),
        expand: expand(&ctx),
    };
    let found = ctx
        .domain()
        .list_results(&ctx.caller(), &path, listing)
        .await?;
    let subject_view = collection_step(&path.steps).is_some_and(|s| s.name == SUBJECT_RESULTS);
    let items = if subject_view {
        found.items.into_iter().map(as_subject_result).collect()
    } else {
        found.items
    };
    ctx.collection_page(route_type(&ctx), items, found.total, found.next_skip)
}

/// `GET .../{collection}/$count`.
pub async fn count_results_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.check_query()?;
    refuse_search(&ctx)?;
    let path = result_path(&ctx)?;
    let n = ctx
        .domain()
        .count_results(&ctx.caller(), &path, ctx.query.filter.as_ref())
        .await?;
    Ok(Reply::Count(n))
}

/// `GET .../{collection}/{id}`: the innermost keyed item.
pub async fn get_result_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let path = result_path(&ctx)?;
    let doc = ctx
        .domain()
        .get_result(&ctx.caller(), &path, expand(&ctx))
        .await?;
    let subject_view = path.steps.last().is_some_and(|s| s.name == SUBJECT_RESULTS);
    ctx.entity(if subject_view {
        as_subject_result(doc)
    } else {
        doc
    })
}

/// `GET .../{result}/subject`: the directory user (a stub when the user is gone).
pub async fn get_subject_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let path = result_path(&ctx)?;
    let user = ctx.domain().result_subject(&ctx.caller(), &path).await?;
    ctx.entity(user)
}

/// `GET .../{taskProcessingResult|taskReport}/task`: the task as it was when processed.
pub async fn get_result_task_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let path = result_path(&ctx)?;
    let task = ctx.domain().result_task(&ctx.caller(), &path).await?;
    ctx.entity(task)
}

/// `GET .../taskReports/{id}/taskDefinition`.
pub async fn get_report_definition_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let path = result_path(&ctx)?;
    let definition = ctx.domain().report_definition(&ctx.caller(), &path).await?;
    ctx.entity(definition)
}

// ---- reprocessedRuns references ----

/// `GET .../reprocessedRuns/$ref`: the links as `@odata.id`s.
pub async fn list_reprocessed_refs_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let path = result_path(&ctx)?;
    let linked = ctx.domain().reprocessed_runs(&ctx.caller(), &path).await?;
    let value: Vec<Value> = linked
        .run_ids
        .iter()
        .map(|id| {
            json!({"@odata.id": format!(
                "{}/identityGovernance/lifecycleWorkflows/workflows/{}/runs/{id}",
                ctx.base, linked.workflow_id
            )})
        })
        .collect();
    Ok(Reply::Json(
        StatusCode::OK,
        json!({
            "@odata.context": format!("{}/$metadata#Collection($ref)", ctx.base),
            "value": value,
        }),
    ))
}

/// `DELETE .../reprocessedRuns/{run-id}/$ref`: drop the link, never the run. Allowed on
/// deleted workflows.
pub async fn delete_reprocessed_ref_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let path = result_path(&ctx)?;
    ctx.domain()
        .unlink_reprocessed_run(&ctx.caller(), &path)
        .await?;
    Ok(Reply::NoContent)
}

// ---- summaries ----

/// A summary as its Graph type and body.
fn summary_body(summary: Summary) -> (&'static str, Value) {
    match summary {
        Summary::Runs { runs, users } => (
            "runSummary",
            json!({
                "totalRuns": runs.total,
                "successfulRuns": runs.completed,
                "failedRuns": runs.failed,
                "totalUsers": users.total,
                "totalTasks": runs.tasks,
                "failedTasks": runs.failed_tasks,
            }),
        ),
        Summary::UserProcessingResults(u) => (
            "userSummary",
            json!({
                "totalUsers": u.total,
                "successfulUsers": u.completed,
                "failedUsers": u.failed,
                "totalTasks": u.tasks,
                "failedTasks": u.failed_tasks,
            }),
        ),
        Summary::SubjectProcessingResults(u) => (
            "subjectSummary",
            json!({
                "totalSubjects": u.total,
                "successfulSubjects": u.completed,
                "failedSubjects": u.failed,
                "totalTasks": u.tasks,
                "failedTasks": u.failed_tasks,
            }),
        ),
        Summary::TaskReports(t) => (
            "taskReportSummary",
            json!({
                "totalTasks": t.total,
                "successfulTasks": t.completed,
                "failedTasks": t.failed,
                "unprocessedTasks": t.other,
            }),
        ),
    }
}

/// `GET .../{runs|userProcessingResults|subjectProcessingResults|taskReports}/summary(...)`.
pub async fn summary_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let path: ResultPath = result_path(&ctx)?;
    let args = ctx.function_args.as_deref().unwrap_or("");
    let summary = ctx.domain().summary(&ctx.caller(), &path, args).await?;
    let (type_name, body) = summary_body(summary);
    Ok(function_result(&ctx, type_name, body))
}

// ---- execution scope and preview scope ----

pub async fn list_execution_scope_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = ctx
        .domain()
        .execution_scope(
            &ctx.caller(),
            ctx.key("workflow-id")?,
            ctx.scope(),
            expand(&ctx),
        )
        .await?;
    ctx.collection(items)
}

pub async fn count_execution_scope_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = ctx
        .domain()
        .execution_scope(
            &ctx.caller(),
            ctx.key("workflow-id")?,
            ctx.scope(),
            Expand::default(),
        )
        .await?;
    ctx.count(&items)
}

pub async fn get_execution_scope_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let item = ctx
        .domain()
        .execution_scope_item(
            &ctx.caller(),
            ctx.key("workflow-id")?,
            ctx.scope(),
            ctx.key("userProcessingResult-id")?,
            expand(&ctx),
        )
        .await?;
    ctx.entity(item)
}

async fn preview_scope(ctx: &Ctx) -> Result<Vec<Value>, ApiError> {
    let users = ctx
        .domain()
        .preview_scope(&ctx.caller(), ctx.key("workflow-id")?, ctx.scope())
        .await?;
    Ok(users.into_iter().map(typed_user).collect())
}

pub async fn list_preview_scope_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = preview_scope(&ctx).await?;
    ctx.collection(items)
}

pub async fn count_preview_scope_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = preview_scope(&ctx).await?;
    ctx.count(&items)
}

pub async fn get_preview_scope_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let user = ctx
        .domain()
        .preview_scope_user(
            &ctx.caller(),
            ctx.key("workflow-id")?,
            ctx.scope(),
            ctx.key("directoryObject-id")?,
        )
        .await?;
    ctx.entity(typed_user(user))
}
