//! What every request handler can reach: the store, the domain, the engine, the clock.

use std::sync::Arc;

use crate::error::ApiError;
use crate::{auth, cache};

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
    /// How long clients may take, and how many connections are served at once.
    pub limits: ConnectionLimits,
    /// Take the scheme and host of absolute links from `Forwarded` / `X-Forwarded-*`
    /// headers: only behind a proxy that sets them, or clients could poison the links.
    pub trust_proxy: bool,
    /// Serve `GET /metrics` on this listener (`lcw serve --metrics`).
    pub metrics: Option<Arc<crate::telemetry::Metrics>>,
    pub(crate) cache: cache::ResponseCache,
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
            limits: ConnectionLimits::default(),
            trust_proxy: false,
            metrics: None,
            cache: cache::ResponseCache::default(),
        }
    }
}

/// Limits that keep slow or idle clients from holding the server.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// A request's head must arrive within this time of the connection opening (or of the
    /// previous response on a kept-alive connection), else the connection is closed.
    pub header_timeout: std::time::Duration,
    /// A request's body must arrive within this time of its head, else `408`.
    pub body_timeout: std::time::Duration,
    /// Connections served at once; further ones wait in the listen backlog.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: std::time::Duration::from_secs(30),
            body_timeout: std::time::Duration::from_secs(30),
            max_connections: 4096,
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
