//! `/workflows` and `/deletedItems/workflows`: create, read, change, soft delete, restore,
//! purge and version workflows.

use lifecycle::workflows::{Expand, Expanded, UserNav};
use serde_json::Value;

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;
use crate::render::{expand_asked, inline_tasks, render_expanded};
use lifecycle::Scope;

const WORKFLOW: &str = model::types::WORKFLOW;
const ENTITY_CONTEXT: &str = "identityGovernance/lifecycleWorkflows/workflows/$entity";
/// What `restore` and `createNewVersion` answer, as the docs show it: the action's return
/// type, not an entity set.
const ACTION_CONTEXT: &str = "microsoft.graph.identityGovernance.workflow";

/// The workflow as GET returns it: tasks inline (with their context) when `with_tasks` or
/// `$expand=tasks`, then the navigations that were expanded.
fn render(ctx: &Ctx, mut e: Expanded, with_tasks: bool) -> Value {
    let show_tasks = with_tasks || ctx.expands("tasks");
    let context = show_tasks.then(|| {
        let id = e.doc.get("id").and_then(Value::as_str).unwrap_or("");
        format!(
            "{}/$metadata#identityGovernance/lifecycleWorkflows/workflows('{id}')/tasks",
            ctx.base
        )
    });
    inline_tasks(&mut e.doc, context);
    render_expanded(e)
}

async fn workflows_in(ctx: &Ctx, scope: Scope) -> Result<Vec<Value>, ApiError> {
    let found = ctx
        .domain()
        .list_workflows(&ctx.caller(), scope, expand_asked(ctx))
        .await?;
    Ok(found.into_iter().map(|e| render(ctx, e, false)).collect())
}

pub async fn list_workflows_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = workflows_in(&ctx, Scope::Active).await?;
    ctx.collection(items)
}

pub async fn list_deleted_workflows_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = workflows_in(&ctx, Scope::Deleted).await?;
    ctx.collection(items)
}

pub async fn count_workflows_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = workflows_in(&ctx, Scope::Active).await?;
    ctx.count(&items)
}

pub async fn count_deleted_workflows_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = workflows_in(&ctx, Scope::Deleted).await?;
    ctx.count(&items)
}

/// What a create or createNewVersion answer expands: what was asked, and the administration
/// scope targets the definition gave, which Graph echoes.
fn expand_for_definition(ctx: &Ctx, definition: Option<&Value>) -> Expand {
    let mut expand = expand_asked(ctx);
    expand.administration_scope_targets |=
        definition.is_some_and(|d| d.get("administrationScopeTargets").is_some());
    expand
}

pub async fn create_workflow_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let body = ctx.json_body()?;
    let expand = expand_for_definition(&ctx, Some(&body));
    let created = ctx
        .domain()
        .create_workflow(&ctx.caller(), &body, expand)
        .await?;
    let shown = render(&ctx, created, true);
    Ok(ctx.created(WORKFLOW, shown, ENTITY_CONTEXT))
}

pub async fn get_workflow_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let found = ctx
        .domain()
        .get_workflow(
            &ctx.caller(),
            ctx.key("workflow-id")?,
            ctx.scope(),
            expand_asked(&ctx),
        )
        .await?;
    let shown = render(&ctx, found, true);
    ctx.entity(shown)
}

pub async fn update_workflow_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .update_workflow(
            &ctx.caller(),
            ctx.key("workflow-id")?,
            ctx.scope(),
            ctx.body_after_lookup(),
        )
        .await?;
    Ok(Reply::NoContent)
}

pub async fn delete_workflow_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .delete_workflow(&ctx.caller(), ctx.key("workflow-id")?, ctx.scope())
        .await?;
    Ok(Reply::NoContent)
}

pub async fn purge_workflow_route(ctx: Ctx) -> Result<Reply, ApiError> {
    // Declared at `/deletedItems/workflows/{id}` (not a mirror), so the route's scope does not
    // say "deleted": the domain purges only a soft-deleted workflow, never a live one.
    ctx.domain()
        .purge_workflow(&ctx.caller(), ctx.key("workflow-id")?)
        .await?;
    Ok(Reply::NoContent)
}

pub async fn restore_workflow_route(ctx: Ctx) -> Result<Reply, ApiError> {
    if ctx
        .optional_json_body()?
        .is_some_and(|b| b.as_object().is_some_and(|m| !m.is_empty()))
    {
        return Err(ApiError::bad_request("restore takes no request body."));
    }
    let restored = ctx
        .domain()
        .restore_workflow(
            &ctx.caller(),
            ctx.key("workflow-id")?,
            ctx.scope(),
            expand_asked(&ctx),
        )
        .await?;
    let shown = render(&ctx, restored, true);
    Ok(ctx.action_entity(WORKFLOW, shown, ACTION_CONTEXT, true))
}

/// createNewVersion's one parameter, `workflow`: the new definition (or why the body does
/// not hold one, which the domain reports only after it found the workflow).
fn new_version_parameter(body: Value) -> lifecycle::Result<Value> {
    if let Some(unknown) = body
        .as_object()
        .into_iter()
        .flat_map(|m| m.keys())
        .find(|k| *k != "workflow" && !k.starts_with('@'))
    {
        return Err(lifecycle::Error::invalid_at(
            format!("Property '{unknown}' is not a parameter of createNewVersion."),
            unknown.clone(),
        ));
    }
    match body {
        Value::Object(mut m) => m.remove("workflow").filter(Value::is_object),
        _ => None,
    }
    .ok_or_else(|| {
        lifecycle::Error::invalid_at("The parameter 'workflow' is required.", "workflow")
    })
}

pub async fn create_new_version_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let definition = ctx.body_after_lookup().and_then(new_version_parameter);
    let expand = expand_for_definition(&ctx, definition.as_ref().ok());
    let next = ctx
        .domain()
        .create_new_version(
            &ctx.caller(),
            ctx.key("workflow-id")?,
            ctx.scope(),
            definition,
            expand,
        )
        .await?;
    let shown = render(&ctx, next, true);
    // The docs' createNewVersion answers carry no `@odata.type`; restore's do.
    Ok(ctx.action_entity(WORKFLOW, shown, ACTION_CONTEXT, false))
}

async fn user_nav(ctx: Ctx, nav: UserNav) -> Result<Reply, ApiError> {
    let user = ctx
        .domain()
        .workflow_user(&ctx.caller(), ctx.key("workflow-id")?, ctx.scope(), nav)
        .await?;
    ctx.entity(user)
}

pub async fn get_workflow_created_by_route(ctx: Ctx) -> Result<Reply, ApiError> {
    user_nav(ctx, UserNav::CreatedBy).await
}

pub async fn get_workflow_last_modified_by_route(ctx: Ctx) -> Result<Reply, ApiError> {
    user_nav(ctx, UserNav::LastModifiedBy).await
}

/// The version number in the path, on the routes under `/versions/{...}`.
fn version_key(ctx: &Ctx) -> Option<&str> {
    // Absent on the routes under the workflow itself.
    ctx.key("workflowVersion-versionNumber").ok()
}

async fn administration_scope_targets(ctx: &Ctx) -> Result<Vec<Value>, ApiError> {
    Ok(ctx
        .domain()
        .administration_scope_targets(
            &ctx.caller(),
            ctx.key("workflow-id")?,
            ctx.scope(),
            version_key(ctx),
        )
        .await?)
}

pub async fn list_administration_scope_targets_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let targets = administration_scope_targets(&ctx).await?;
    ctx.collection(targets)
}

pub async fn count_administration_scope_targets_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let targets = administration_scope_targets(&ctx).await?;
    ctx.count(&targets)
}

pub async fn get_administration_scope_target_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let target = ctx
        .domain()
        .administration_scope_target(
            &ctx.caller(),
            ctx.key("workflow-id")?,
            ctx.scope(),
            version_key(&ctx),
            ctx.key("directoryObject-id")?,
        )
        .await?;
    ctx.entity(target)
}
