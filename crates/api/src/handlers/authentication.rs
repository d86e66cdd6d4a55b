//! `/users/{id}/authentication/temporaryAccessPassMethods`: the user's Temporary Access
//! Pass, created directly here or by the "Generate TAP and send email" task.
//!
//! As in Graph, the pass (`temporaryAccessPass`) is returned only in the answer to the
//! POST that creates it; reads answer `null`. lcw keeps no copy of it at all (the task's
//! copy is in the e-mail it queues). Creating a pass replaces the user's previous one.

use chrono::{DateTime, Utc};
use model::tap::{self, TapInfo};
use serde_json::Value;
use store::{TapRow, UserRow};

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;
use crate::handlers::directory::directory_not_found;

const TAP: &str = "microsoft.graph.temporaryAccessPassAuthenticationMethod";

async fn load_user(ctx: &Ctx) -> Result<UserRow, ApiError> {
    let key = ctx.param(0)?;
    ctx.state
        .store
        .get_user(ctx.tenant(), key)
        .await?
        .ok_or_else(|| directory_not_found(key))
}

fn info(row: &TapRow) -> Result<TapInfo, ApiError> {
    let at = |s: &str| {
        model::time::parse_datetime(s)
            .ok_or_else(|| ApiError::Internal(format!("stored pass has a bad time '{s}'")))
    };
    Ok(TapInfo {
        id: row.id.clone(),
        created: at(&row.created_at)?,
        start: at(&row.start_at)?,
        lifetime_minutes: row.lifetime_minutes,
        usable_once: row.usable_once,
    })
}

pub async fn list_taps_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let user = load_user(&ctx).await?;
    let now = ctx.now();
    let items = ctx
        .state
        .store
        .list_taps(ctx.tenant(), &user.id)
        .await?
        .iter()
        .map(|r| info(r).map(|i| tap::document(&i, None, now)))
        .collect::<Result<Vec<_>, _>>()?;
    ctx.collection(items)
}

pub async fn get_tap_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let user = load_user(&ctx).await?;
    let id = ctx.param(1)?;
    let row = ctx
        .state
        .store
        .get_tap(ctx.tenant(), &user.id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    ctx.entity(tap::document(&info(&row)?, None, ctx.now()))
}

pub async fn delete_tap_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let user = load_user(&ctx).await?;
    let id = ctx.param(1)?;
    if !ctx
        .state
        .store
        .delete_tap(ctx.tenant(), &user.id, id)
        .await?
    {
        return Err(not_found(id));
    }
    Ok(Reply::NoContent)
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!(
        "Temporary Access Pass authentication method '{id}' was not found."
    ))
}

fn bad(property: &str, message: String) -> ApiError {
    ApiError::BadRequest {
        message,
        target: Some(property.to_string()),
    }
}

/// `{startDateTime?, lifetimeInMinutes?, isUsableOnce?}`; read-only properties and
/// annotations are ignored, anything else is a 400.
fn parse_create(body: &Value, now: DateTime<Utc>) -> Result<(DateTime<Utc>, i64, bool), ApiError> {
    let mut start = now;
    let mut lifetime = tap::DEFAULT_LIFETIME;
    let mut once = false;
    let Some(obj) = body.as_object() else {
        return Err(ApiError::bad_request(
            "The request body must be a JSON object.",
        ));
    };
    for (k, v) in obj {
        match k.as_str() {
            "startDateTime" => {
                if !v.is_null() {
                    start = v
                        .as_str()
                        .and_then(model::time::parse_datetime)
                        .ok_or_else(|| {
                            bad(
                                k,
                                format!("Invalid value for '{k}': expected a date-time, got {v}."),
                            )
                        })?;
                }
            }
            "lifetimeInMinutes" => {
                if !v.is_null() {
                    let n = v.as_i64().ok_or_else(|| {
                        bad(
                            k,
                            format!("Invalid value for '{k}': expected an integer, got {v}."),
                        )
                    })?;
                    lifetime = tap::check_lifetime(n)
                        .map_err(|e| bad(k, format!("Invalid value for '{k}': {e}.")))?;
                }
            }
            "isUsableOnce" => {
                if !v.is_null() {
                    once = v.as_bool().ok_or_else(|| {
                        bad(
                            k,
                            format!("Invalid value for '{k}': expected true or false, got {v}."),
                        )
                    })?;
                }
            }
            "id"
            | "createdDateTime"
            | "isUsable"
            | "methodUsabilityReason"
            | "temporaryAccessPass"
            | "lastUsedDateTime" => {}
            _ if k.starts_with("@odata.") => {}
            _ => {
                return Err(bad(
                    k,
                    format!("Property '{k}' does not exist on type '{TAP}'."),
                ))
            }
        }
    }
    Ok((start, lifetime, once))
}

pub async fn create_tap_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let user = load_user(&ctx).await?;
    let body = ctx.json_body()?;
    let now = ctx.now();
    let (start, lifetime, once) = parse_create(&body, now)?;
    let info = TapInfo {
        id: model::new_id(),
        created: now,
        start,
        lifetime_minutes: lifetime,
        usable_once: once,
    };
    let row = TapRow {
        id: info.id.clone(),
        user_id: user.id.clone(),
        created_at: model::time::format_datetime(now),
        start_at: model::time::format_datetime(start),
        lifetime_minutes: lifetime,
        usable_once: once,
    };
    ctx.state
        .store
        .create_tap(ctx.tenant(), &user.id, &row)
        .await?;
    let pass = tap::new_pass();
    Ok(ctx.created(
        TAP,
        tap::document(&info, Some(&pass), now),
        &format!(
            "users('{}')/authentication/temporaryAccessPassMethods/$entity",
            user.id
        ),
    ))
}
