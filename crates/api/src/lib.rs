//! The lcw HTTP API: Graph routing, authentication and authorisation, OData envelopes and the
//! Graph error body. Each Graph operation is declared once in [`ops`]; handlers live in one
//! module per resource area under [`handlers`].
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod admin;
pub mod auth;
mod batch;
mod cache;
pub mod ctx;
pub mod error;
pub mod handlers;
pub mod identity;
pub mod ledger;
mod listen;
mod metadata;
pub mod operation;
pub mod ops;
mod render;
mod result_path;
pub mod routing;
mod server;
mod state;
pub mod telemetry;

pub use error::ApiError;
pub use listen::{rustls, serve, serve_metrics, tls_config, TlsConfig};
pub use server::router;
pub use state::{load_signing_key, AppState, ConnectionLimits};
