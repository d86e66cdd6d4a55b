//! The lcw HTTP API: Graph routing, authentication and authorisation, OData envelopes and the
//! Graph error body. Each Graph operation is declared once in [`ops`]; handlers live in one
//! module per resource area under [`handlers`].
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod admin;
pub mod auth;
pub mod ctx;
pub mod error;
pub mod handlers;
pub mod ledger;
pub mod ops;
mod render_runs;
mod result_path;
pub mod routing;
mod server;

use std::sync::Arc;

pub use error::ApiError;
pub use server::{router, serve};

/// Everything a request handler can reach.
pub struct AppState {
    pub store: store::Store,
    pub auth: auth::Authenticator,
    pub clock: Arc<dyn engine::Clock>,
    pub engine: Arc<engine::runner::Engine>,
    /// The domain operations every handler calls.
    pub domain: lifecycle::Service,
    /// Set when the server runs with `--clock manual`: the admin endpoints move it.
    pub manual_clock: Option<Arc<engine::ManualClock>>,
    /// Largest accepted request body in bytes.
    pub body_limit: usize,
    cache: server::ResponseCache,
}

impl AppState {
    pub fn new(
        store: store::Store,
        auth: auth::Authenticator,
        clock: Arc<dyn engine::Clock>,
    ) -> Self {
        let engine = engine::runner::Engine::new(store.clone(), clock.clone());
        let domain = lifecycle::Service::new(store.clone(), engine.clone(), clock.clone());
        AppState {
            domain,
            store,
            auth,
            clock,
            engine,
            manual_clock: None,
            body_limit: 1024 * 1024,
            cache: server::ResponseCache::default(),
        }
    }
}

/// Load (or create on first start) the dev signing key shared by every node on the database.
pub async fn load_signing_key(store: &store::Store) -> Result<auth::SigningKey, ApiError> {
    let (kid, secret) = store
        .signing_key(|| auth::SigningKey::generate().unwrap_or_default())
        .await?;
    if kid.is_empty() || secret.is_empty() {
        return Err(ApiError::Internal(
            "could not generate a signing key".into(),
        ));
    }
    auth::SigningKey::from_stored(&kid, &secret)
}
