//! The Graph resource model of lcw: type and enum tables, request validation, response
//! rendering, the built-in task catalog and the rules that make a workflow definition valid.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod catalog;
pub mod conditions;
pub mod csdl;
pub mod descriptor;
pub mod directory;
pub mod document;
pub mod extension;
pub mod mail;
pub mod run;
pub mod schema;
pub mod service;
pub mod tap;
pub mod time;
pub mod types;
pub mod validate;
pub mod version;
pub mod workflow;
pub mod workflow_view;

pub use validate::{check_request, refuse_navigations, render, validate_body};
pub use version::{ApiVersion, Versions};

/// A request body or definition that breaks a model rule; the API layer turns every variant
/// into one 400 `BadRequest` whose message names the offending property.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("Property '{property}' does not exist on type '{type_name}'.")]
    UnknownProperty { type_name: String, property: String },
    #[error("Invalid value for '{path}': {message}.")]
    InvalidValue { path: String, message: String },
    #[error("The property '{0}' is required.")]
    Missing(String),
    #[error("{0}")]
    Rule(String),
    /// A value refused in Graph's own words, which clients may match verbatim.
    #[error("{message}")]
    Refused { property: String, message: String },
    #[error("internal model error: {0}")]
    Internal(String),
}

impl ModelError {
    pub fn invalid(path: &str, message: &str) -> Self {
        ModelError::InvalidValue {
            path: path.to_string(),
            message: message.to_string(),
        }
    }

    /// The property the error is about, for the error's `target`.
    pub fn target(&self) -> Option<&str> {
        match self {
            ModelError::UnknownProperty { property, .. } => Some(property),
            ModelError::InvalidValue { path, .. } => Some(path),
            ModelError::Missing(p) => Some(p),
            ModelError::Refused { property, .. } => Some(property),
            _ => None,
        }
    }
}

/// A GUID in the 8-4-4-4-12 hex form.
pub fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A fresh object id.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A new time-ordered id (UUID version 7) for rows written in bulk (runs and processing
/// results): consecutive ids sort together, so inserting them appends to the primary key
/// index instead of touching a random page per row.
///
/// Ids of one millisecond are told apart by a 42-bit counter (RFC 9562, 6.2 method 1) and 32
/// random bits drawn once per millisecond; `Uuid::now_v7` drew fresh randomness, a system
/// call, for every id, several times per user a run processes.
pub fn new_sequential_id() -> String {
    use std::sync::Mutex;
    struct Clock {
        millis: u64,
        counter: u64,
        random: [u8; 4],
    }
    static CLOCK: Mutex<Clock> = Mutex::new(Clock {
        millis: 0,
        counter: 0,
        random: [0; 4],
    });
    const COUNTER_MAX: u64 = (1 << 42) - 1;
    let now = u64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis()),
    )
    .unwrap_or(u64::MAX);
    let (millis, counter, random) = {
        let mut clock = CLOCK
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if now > clock.millis {
            clock.millis = now;
            clock.counter = 0;
            let fresh = uuid::Uuid::new_v4().into_bytes();
            clock.random.copy_from_slice(&fresh[..4]);
        } else if clock.counter == COUNTER_MAX {
            // Out of ids for this millisecond: borrow the next one, which keeps ids rising.
            clock.millis += 1;
            clock.counter = 0;
        } else {
            clock.counter += 1;
        }
        (clock.millis, clock.counter, clock.random)
    };
    // The 74 bits after the timestamp that version and variant leave free: the counter's
    // 12 + 30 bits, then the random ones.
    let c = counter;
    let bytes = [
        (c >> 38) as u8 & 0x0f,
        (c >> 30) as u8,
        (c >> 24) as u8 & 0x3f,
        (c >> 16) as u8,
        (c >> 8) as u8,
        c as u8,
        random[0],
        random[1],
        random[2],
        random[3],
    ];
    let id = uuid::Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid();
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    id.hyphenated().encode_lower(&mut text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_ids_are_increasing_version_7_guids() {
        let ids: Vec<String> = (0..10_000).map(|_| new_sequential_id()).collect();
        for pair in ids.windows(2) {
            assert!(pair[0] < pair[1], "{} then {}", pair[0], pair[1]);
        }
        for id in &ids {
            assert!(is_guid(id), "{id}");
            let parsed = uuid::Uuid::parse_str(id).unwrap();
            assert_eq!(parsed.get_version_num(), 7, "{id}");
            assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122, "{id}");
        }
    }
}
