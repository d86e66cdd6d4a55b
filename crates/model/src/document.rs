//! Pieces every resource document shares: who changed it, and the checks of required
//! properties.

use serde_json::{json, Map, Value};

use crate::ModelError;

/// Who made a change, from the token's `oid`.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: String,
}

impl Actor {
    pub(crate) fn stub(&self) -> Value {
        json!({ "id": self.id })
    }
}

pub(crate) fn require<'a>(m: &'a Map<String, Value>, k: &str) -> Result<&'a Value, ModelError> {
    match m.get(k) {
        Some(v) if !v.is_null() => Ok(v),
        _ => Err(ModelError::Missing(k.to_string())),
    }
}

/// The longest `displayName` Graph documents for users and groups.
pub const MAX_DISPLAY_NAME_CHARS: usize = 256;

/// Refuse a string property `k` of `m` longer than `max` characters (Unicode scalar values,
/// not bytes), naming it as `path`.
pub(crate) fn check_max_chars(
    m: &Map<String, Value>,
    k: &str,
    path: &str,
    max: usize,
) -> Result<(), ModelError> {
    match m.get(k).and_then(Value::as_str) {
        Some(s) if s.chars().count() > max => Err(ModelError::invalid(
            path,
            &format!("must be at most {max} characters long"),
        )),
        _ => Ok(()),
    }
}

pub(crate) fn non_empty_str(m: &Map<String, Value>, k: &str) -> Result<String, ModelError> {
    let v = require(m, k)?;
    match v.as_str() {
        Some(s) if !s.trim().is_empty() => Ok(s.to_string()),
        _ => Err(ModelError::invalid(k, "must be a non-empty string")),
    }
}
