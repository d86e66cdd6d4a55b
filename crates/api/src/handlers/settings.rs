//! Tenant-wide Lifecycle Workflows settings.

use serde_json::Value;
use store::{kinds, Resource, Write};

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;

const SETTINGS_ID: &str = "settings";

/// The tenant's settings, or the defaults it starts with.
pub(crate) async fn tenant_settings(ctx: &Ctx) -> Result<Value, ApiError> {
    Ok(ctx
        .state
        .store
        .get(ctx.tenant(), kinds::SETTINGS, SETTINGS_ID)
        .await?
        .map(|r| r.doc)
        .unwrap_or_else(model::workflow::default_settings))
}

pub async fn get_settings_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let s = tenant_settings(&ctx).await?;
    ctx.entity(s)
}

pub async fn update_settings_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let body = ctx.json_body()?;
    let current = tenant_settings(&ctx).await?;
    let updated = model::workflow::patch_settings(&current, &body)?;
    ctx.state
        .store
        .write(
            ctx.tenant(),
            vec![Write::Put(Resource {
                kind: kinds::SETTINGS,
                id: SETTINGS_ID.into(),
                parent_id: String::new(),
                deleted_at: None,
                seq: 0,
                doc: updated,
            })],
        )
        .await?;
    Ok(Reply::NoContent)
}
