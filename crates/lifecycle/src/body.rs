//! The body of a write addressed to an existing object.
//!
//! Graph looks the addressed object up before it reads the request body, so an unknown (or
//! deleted) object answers "not found" even when the body is missing or malformed. The API
//! therefore reads the body without failing and hands the domain a [`Body`]: the parsed JSON,
//! or why it could not be read. The domain opens it only after its lookup.

use serde_json::Value;

use crate::Result;

/// The parsed JSON body (or a parameter taken from it), or why it could not be read.
pub type Body = Result<Value>;
