//! Handlers, one module per Graph resource area. Each `*_route` function serves one
//! declaration of `crate::ops::OPERATIONS`.

pub mod actions;
pub mod authentication;
pub mod catalog;
pub mod directory;
pub mod entitlement;
pub mod extensions;
pub mod resume;
pub mod runs;
pub mod settings;
pub mod tasks;
pub mod workflows;

use serde_json::{json, Value};

use crate::ctx::Ctx;
use crate::error::ApiError;

/// Resolve a `{"id": ...}` stub (createdBy, lastModifiedBy) to the directory user when the
/// user is known, else keep the stub: app callers have no user object.
pub(crate) async fn resolve_user_stub(ctx: &Ctx, stub: &Value) -> Result<Value, ApiError> {
    let Some(id) = stub.get("id").and_then(Value::as_str) else {
        return Ok(Value::Null);
    };
    match ctx.state.store.get_user(ctx.tenant(), id).await? {
        Some(u) => Ok(u.doc),
        None => Ok(json!({ "id": id })),
    }
}
