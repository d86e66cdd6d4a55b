//! The containers of the Lifecycle Workflows API (`lifecycleWorkflows` itself, its
//! `deletedItems` and `insights`): every tenant has each, they hold only navigations, so a
//! read shows the container, a change carries nothing to keep and a removal is refused.

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;
use crate::operation::Shape;

/// The container's type, from the operation's declared shape.
fn container_type(ctx: &Ctx) -> Result<&'static str, ApiError> {
    match ctx.route.op.shape {
        Shape::Entity(ty) => Ok(ty),
        _ => Err(ApiError::Internal(format!(
            "container route {} declares no type",
            ctx.route.template
        ))),
    }
}

pub async fn get_container_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.entity(serde_json::json!({}))
}

/// A container has only navigations, which a PATCH cannot change: any property a body
/// names (annotations aside) is refused.
pub async fn update_container_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let body = ctx.json_body()?;
    let container = container_type(&ctx)?;
    model::refuse_navigations(container, &body)?;
    model::validate_body(container, &body)?;
    Ok(Reply::NoContent)
}

pub async fn delete_container_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let segment = ctx.route.template.rsplit('/').next().unwrap_or_default();
    Err(ApiError::bad_request(format!(
        "The '{segment}' container belongs to every tenant and cannot be deleted."
    )))
}
