//! The Graph resource model of lcw: type and enum tables, request validation, response
//! rendering, the built-in task catalog and the rules that make a workflow definition valid.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod catalog;
pub mod directory;
pub mod schema;
pub mod tap;
pub mod time;
pub mod types;
pub mod validate;
pub mod workflow;

pub use validate::{render, validate_body};

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
pub fn new_sequential_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
