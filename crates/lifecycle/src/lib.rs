//! lcw's domain layer: the operations of Lifecycle Workflows and of the directory it runs
//! against, between the HTTP API and the store/engine.
//!
//! Each Graph operation is one function here: it takes the [`Caller`] and a typed input,
//! decides (loading, validating, enforcing limits, writing in one transaction) and returns a
//! typed result or an [`Error`]. Nothing here knows HTTP: no status codes, no `@odata.*`
//! annotations, no `$select`. The API parses the request, calls one function, and renders.
//! One module per area; modules may share helpers through this crate, never through `api`.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod error;

pub mod activation;
pub mod admin;
pub mod authentication;
pub mod body;
pub mod directory;
pub mod entitlement;
pub mod extensions;
pub mod identity;
pub mod insights;
pub mod reprocess;
pub mod resume;
pub mod runs;
pub mod settings;
pub mod tallies;
pub mod tasks;
pub mod versions;
pub mod workflows;

use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use body::Body;
pub use error::{Error, Result};

/// Whether a path names a live workflow (`/workflows/{id}`) or a soft-deleted one
/// (`/deletedItems/workflows/{id}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Active,
    Deleted,
}

/// Who asks, for which tenant, and when (the tenant's clock at the request).
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: String,
    pub actor: model::workflow::Actor,
    pub now: DateTime<Utc>,
}

/// The domain's entry point: what every operation needs, cheap to clone.
#[derive(Clone)]
pub struct Service {
    pub(crate) store: store::Store,
    pub(crate) engine: Arc<engine::runner::Engine>,
    pub(crate) clock: Arc<dyn engine::Clock>,
}

impl Service {
    pub fn new(
        store: store::Store,
        engine: Arc<engine::runner::Engine>,
        clock: Arc<dyn engine::Clock>,
    ) -> Self {
        Service {
            store,
            engine,
            clock,
        }
    }

    /// `tenant`'s current time (with the manual clock, each tenant has its own).
    pub fn now(&self, tenant: &str) -> DateTime<Utc> {
        self.clock.now(tenant)
    }
}
