//! Tenant-wide Lifecycle Workflows settings.

use serde_json::Value;
use store::{kinds, Resource, Write};

use crate::{Caller, Result, Service};

/// The one settings record a tenant has.
const SETTINGS_ID: &str = "settings";

impl Service {
    /// The tenant's settings, or the defaults it starts with.
    pub async fn settings(&self, caller: &Caller) -> Result<Value> {
        Ok(self
            .store
            .get(&caller.tenant, kinds::SETTINGS, SETTINGS_ID)
            .await?
            .map(|r| r.doc)
            .unwrap_or_else(model::workflow::default_settings))
    }

    pub async fn update_settings(&self, caller: &Caller, patch: &Value) -> Result<()> {
        let current = self.settings(caller).await?;
        let updated = model::workflow::patch_settings(&current, patch)?;
        Ok(self
            .store
            .write(
                &caller.tenant,
                vec![Write::Put(Resource {
                    kind: kinds::SETTINGS,
                    id: SETTINGS_ID.into(),
                    parent_id: String::new(),
                    deleted_at: None,
                    seq: 0,
                    doc: updated,
                })],
            )
            .await?)
    }
}
