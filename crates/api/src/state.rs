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
            cache: cache::ResponseCache::default(),
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
