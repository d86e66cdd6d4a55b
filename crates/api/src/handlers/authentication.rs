//! `/users/{id}/authentication/temporaryAccessPassMethods`: the user's Temporary Access
//! Pass (`lifecycle::authentication` decides; this module reads requests and renders).

use lifecycle::authentication::TAP_TYPE;

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;

pub async fn list_taps_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = ctx
        .domain()
        .list_taps(&ctx.caller(), ctx.key("user-id")?)
        .await?;
    ctx.collection(items)
}

pub async fn get_tap_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let doc = ctx
        .domain()
        .get_tap(
            &ctx.caller(),
            ctx.key("user-id")?,
            ctx.key("temporaryAccessPassAuthenticationMethod-id")?,
        )
        .await?;
    ctx.entity(doc)
}

pub async fn delete_tap_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .delete_tap(
            &ctx.caller(),
            ctx.key("user-id")?,
            ctx.key("temporaryAccessPassAuthenticationMethod-id")?,
        )
        .await?;
    Ok(Reply::NoContent)
}

pub async fn create_tap_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let created = ctx
        .domain()
        .create_tap(&ctx.caller(), ctx.key("user-id")?, ctx.body_after_lookup())
        .await?;
    Ok(ctx.created(
        TAP_TYPE,
        created.document,
        &format!(
            "users('{}')/authentication/temporaryAccessPassMethods/$entity",
            created.user_id
        ),
    ))
}
