//! Rules that make a custom task extension valid, and its server-assigned properties.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::document::{non_empty_str, require, Actor};
use crate::time::{format_datetime, parse_duration};
use crate::types::CUSTOM_TASK_EXTENSION;
use crate::{new_id, validate_body, ModelError};

/// Validate a custom task extension on create (`current` = None) or update.
pub fn custom_task_extension(
    current: Option<&Value>,
    body: &Value,
    now: DateTime<Utc>,
    actor: &Actor,
) -> Result<Value, ModelError> {
    let patch = validate_body(CUSTOM_TASK_EXTENSION, body)?;
    let mut ext = current
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (k, v) in patch {
        if k != "@odata.type" && k != "id" {
            ext.insert(k, v);
        }
    }
    non_empty_str(&ext, "displayName")?;
    require(&ext, "endpointConfiguration")?;
    require(&ext, "authenticationConfiguration")?;
    if let Some(cc) = ext.get("clientConfiguration").filter(|v| !v.is_null()) {
        if let Some(t) = cc.get("timeoutInMilliseconds").and_then(Value::as_i64) {
            if !(200..=2000).contains(&t) {
                return Err(ModelError::invalid(
                    "clientConfiguration.timeoutInMilliseconds",
                    "must be between 200 and 2000",
                ));
            }
        }
        if let Some(r) = cc.get("maximumRetries").and_then(Value::as_i64) {
            if !(0..=1).contains(&r) {
                return Err(ModelError::invalid(
                    "clientConfiguration.maximumRetries",
                    "must be 0 or 1",
                ));
            }
        }
    }
    if let Some(cb) = ext.get("callbackConfiguration").filter(|v| !v.is_null()) {
        if let Some(d) = cb
            .get("timeoutDuration")
            .and_then(Value::as_str)
            .and_then(parse_duration)
        {
            if d < chrono::Duration::minutes(5) || d > chrono::Duration::hours(3) {
                return Err(ModelError::invalid(
                    "callbackConfiguration.timeoutDuration",
                    "must be between 5 minutes and 3 hours",
                ));
            }
        }
    }
    let ts = Value::String(format_datetime(now));
    if current.is_none() {
        ext.insert("id".into(), Value::String(new_id()));
        ext.insert("createdDateTime".into(), ts.clone());
        ext.insert("createdBy".into(), actor.stub());
        ext.entry("description").or_insert(Value::Null);
        ext.entry("clientConfiguration").or_insert(Value::Null);
        ext.entry("callbackConfiguration").or_insert(Value::Null);
    }
    let reply_mode = if ext
        .get("callbackConfiguration")
        .is_some_and(|v| !v.is_null())
    {
        "callback"
    } else {
        "none"
    };
    ext.entry("replyMode")
        .or_insert(Value::String(reply_mode.into()));
    ext.insert("lastModifiedDateTime".into(), ts);
    ext.insert("lastModifiedBy".into(), actor.stub());
    Ok(Value::Object(ext))
}
