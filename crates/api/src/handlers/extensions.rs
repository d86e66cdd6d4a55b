//! Custom task extensions: the callouts the "Run a Custom Task Extension" task makes.

use serde_json::Value;
use store::{kinds, Resource, Write};

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;
use crate::handlers::resolve_user_stub;
use crate::handlers::workflows::write_within_limit;

const CTE: &str = model::types::CUSTOM_TASK_EXTENSION;

async fn load(ctx: &Ctx) -> Result<Resource, ApiError> {
    let id = ctx.param(0)?.to_ascii_lowercase();
    ctx.state
        .store
        .get(ctx.tenant(), kinds::CUSTOM_TASK_EXTENSION, &id)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "Custom task extension with id '{id}' was not found."
            ))
        })
}

async fn present(ctx: &Ctx, mut doc: Value) -> Result<Value, ApiError> {
    for nav in ["createdBy", "lastModifiedBy"] {
        if ctx.expands(nav) {
            let stub = doc.get(nav).cloned().unwrap_or(Value::Null);
            doc[nav] = resolve_user_stub(ctx, &stub).await?;
        }
    }
    Ok(doc)
}

pub async fn list_custom_task_extensions_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let all = ctx
        .state
        .store
        .list(ctx.tenant(), kinds::CUSTOM_TASK_EXTENSION, None)
        .await?;
    let mut items = Vec::with_capacity(all.len());
    for r in all {
        items.push(present(&ctx, r.doc).await?);
    }
    ctx.collection(items)
}

pub async fn count_custom_task_extensions_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let all = ctx
        .state
        .store
        .list(ctx.tenant(), kinds::CUSTOM_TASK_EXTENSION, None)
        .await?;
    let docs: Vec<Value> = all.into_iter().map(|r| r.doc).collect();
    ctx.count(&docs)
}

pub async fn create_custom_task_extension_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let body = ctx.json_body()?;
    let ext = model::workflow::custom_task_extension(None, &body, ctx.now(), &ctx.actor())?;
    let id = ext
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let store = &ctx.state.store;
    write_within_limit(
        &ctx,
        kinds::CUSTOM_TASK_EXTENSION,
        model::workflow::MAX_CUSTOM_TASK_EXTENSIONS_PER_TENANT,
        vec![Write::Put(Resource {
            kind: kinds::CUSTOM_TASK_EXTENSION,
            id,
            parent_id: String::new(),
            deleted_at: None,
            seq: store.next_seq(),
            doc: ext.clone(),
        })],
    )
    .await?;
    Ok(ctx.created(
        CTE,
        ext,
        "identityGovernance/lifecycleWorkflows/customTaskExtensions/$entity",
    ))
}

pub async fn get_custom_task_extension_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load(&ctx).await?;
    let doc = present(&ctx, r.doc).await?;
    ctx.entity(doc)
}

pub async fn update_custom_task_extension_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load(&ctx).await?;
    let body = ctx.json_body()?;
    let updated =
        model::workflow::custom_task_extension(Some(&r.doc), &body, ctx.now(), &ctx.actor())?;
    ctx.state
        .store
        .write(
            ctx.tenant(),
            vec![Write::Put(Resource { doc: updated, ..r })],
        )
        .await?;
    Ok(Reply::NoContent)
}

/// Workflows (live or deleted) whose tasks call this extension.
async fn users_of_extension(ctx: &Ctx, ext_id: &str) -> Result<Vec<String>, ApiError> {
    let workflows = ctx
        .state
        .store
        .list(ctx.tenant(), kinds::WORKFLOW, None)
        .await?;
    Ok(workflows
        .into_iter()
        .filter(|w| {
            w.doc
                .get("tasks")
                .and_then(Value::as_array)
                .is_some_and(|tasks| {
                    tasks.iter().any(|t| {
                        t.get("arguments")
                            .and_then(Value::as_array)
                            .is_some_and(|args| {
                                args.iter().any(|a| {
                                    a.get("name").and_then(Value::as_str)
                                        == Some("customTaskExtensionID")
                                        && a.get("value")
                                            .and_then(Value::as_str)
                                            .is_some_and(|v| v.eq_ignore_ascii_case(ext_id))
                                })
                            })
                    })
                })
        })
        .map(|w| w.id)
        .collect())
}

pub async fn delete_custom_task_extension_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load(&ctx).await?;
    let users = users_of_extension(&ctx, &r.id).await?;
    if !users.is_empty() {
        return Err(ApiError::bad_request(format!(
            "The custom task extension is used by workflow(s) {}; remove it from their tasks first.",
            users.join(", ")
        )));
    }
    ctx.state
        .store
        .write(
            ctx.tenant(),
            vec![Write::Delete {
                kind: kinds::CUSTOM_TASK_EXTENSION,
                id: r.id,
            }],
        )
        .await?;
    Ok(Reply::NoContent)
}

async fn user_nav(ctx: Ctx, nav: &str) -> Result<Reply, ApiError> {
    let r = load(&ctx).await?;
    let stub = r.doc.get(nav).cloned().unwrap_or(Value::Null);
    let user = resolve_user_stub(&ctx, &stub).await?;
    if user.is_null() {
        return Err(ApiError::NotFound(format!(
            "The custom task extension has no {nav}."
        )));
    }
    ctx.entity(user)
}

pub async fn get_custom_task_extension_created_by_route(ctx: Ctx) -> Result<Reply, ApiError> {
    user_nav(ctx, "createdBy").await
}

pub async fn get_custom_task_extension_last_modified_by_route(ctx: Ctx) -> Result<Reply, ApiError> {
    user_nav(ctx, "lastModifiedBy").await
}
