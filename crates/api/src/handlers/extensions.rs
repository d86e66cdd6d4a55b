//! Custom task extensions: the callouts the "Run a Custom Task Extension" task makes.

use lifecycle::workflows::UserNav;
use serde_json::Value;

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;
use crate::render::{expand_asked, render_expanded};

const CTE: &str = model::types::CUSTOM_TASK_EXTENSION;

/// An extension as Graph's examples show it: `clientConfiguration` and the user references
/// carry their `@odata.type`.
fn typed(mut doc: Value) -> Value {
    let Some(m) = doc.as_object_mut() else {
        return doc;
    };
    for (property, ty) in [
        (
            "clientConfiguration",
            "#microsoft.graph.customExtensionClientConfiguration",
        ),
        ("createdBy", "#microsoft.graph.user"),
        ("lastModifiedBy", "#microsoft.graph.user"),
    ] {
        if let Some(Value::Object(inner)) = m.get_mut(property) {
            inner
                .entry("@odata.type")
                .or_insert_with(|| Value::String(ty.into()));
        }
    }
    doc
}

fn extension_key(ctx: &Ctx) -> Result<&str, ApiError> {
    ctx.key("customTaskExtension-id")
}

pub async fn list_custom_task_extensions_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let found = ctx
        .domain()
        .list_custom_task_extensions(&ctx.caller(), expand_asked(&ctx))
        .await?;
    ctx.collection(
        found
            .into_iter()
            .map(|e| typed(render_expanded(e)))
            .collect(),
    )
}

pub async fn count_custom_task_extensions_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let found = ctx
        .domain()
        .list_custom_task_extensions(&ctx.caller(), Default::default())
        .await?;
    let docs: Vec<Value> = found.into_iter().map(|e| e.doc).collect();
    ctx.count(&docs)
}

pub async fn create_custom_task_extension_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let body = ctx.json_body()?;
    let ext = ctx
        .domain()
        .create_custom_task_extension(&ctx.caller(), &body)
        .await?;
    Ok(ctx.created(
        CTE,
        typed(ext),
        "identityGovernance/lifecycleWorkflows/customTaskExtensions/$entity",
    ))
}

pub async fn get_custom_task_extension_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let found = ctx
        .domain()
        .get_custom_task_extension(&ctx.caller(), extension_key(&ctx)?, expand_asked(&ctx))
        .await?;
    ctx.entity(typed(render_expanded(found)))
}

pub async fn update_custom_task_extension_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .update_custom_task_extension(&ctx.caller(), extension_key(&ctx)?, ctx.body_after_lookup())
        .await?;
    Ok(Reply::NoContent)
}

pub async fn delete_custom_task_extension_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .delete_custom_task_extension(&ctx.caller(), extension_key(&ctx)?)
        .await?;
    Ok(Reply::NoContent)
}

async fn user_nav(ctx: Ctx, nav: UserNav) -> Result<Reply, ApiError> {
    let user = ctx
        .domain()
        .custom_task_extension_user(&ctx.caller(), extension_key(&ctx)?, nav)
        .await?;
    ctx.entity(user)
}

pub async fn get_custom_task_extension_created_by_route(ctx: Ctx) -> Result<Reply, ApiError> {
    user_nav(ctx, UserNav::CreatedBy).await
}

pub async fn get_custom_task_extension_last_modified_by_route(ctx: Ctx) -> Result<Reply, ApiError> {
    user_nav(ctx, UserNav::LastModifiedBy).await
}
