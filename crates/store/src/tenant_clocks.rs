//! Each tenant's manual clock, kept so that a restart or another node sees where a test put
//! it (only a server started with `--clock manual` reads or writes these rows).

use sqlx::Row;

use crate::{Result, Store};

impl Store {
    /// Every tenant whose manual clock was moved, with its time (RFC 3339).
    pub async fn tenant_clocks(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT tenant_id, now FROM tenant_clocks")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Record where `tenant`'s manual clock stands.
    pub async fn set_tenant_clock(&self, tenant: &str, now: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO tenant_clocks (tenant_id, now) VALUES ($1, $2)
             ON CONFLICT (tenant_id) DO UPDATE SET now = excluded.now",
        )
        .bind(tenant)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
