//! Tenant-wide Lifecycle Workflows settings.

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;

pub async fn get_settings_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let settings = ctx.domain().settings(&ctx.caller()).await?;
    ctx.entity(settings)
}

pub async fn update_settings_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let body = ctx.json_body()?;
    ctx.domain().update_settings(&ctx.caller(), &body).await?;
    Ok(Reply::NoContent)
}
