//! Reprocess links: which runs reprocessed a run or a user processing result
//! (`reprocessedRuns`).

use sqlx::Row;

use crate::{Result, Store, StoreError};

/// Record that `run_id` reprocessed `source_id` (inside a result write).
pub(crate) async fn link(
    tx: &mut sqlx::AnyConnection,
    tenant: &str,
    source_id: &str,
    run_id: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO result_links (tenant_id, source_id, run_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(tenant)
        .bind(source_id)
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

impl Store {
    pub async fn linked_runs(&self, tenant: &str, source_id: &str) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT run_id FROM result_links WHERE tenant_id = $1 AND source_id = $2 ORDER BY run_id")
            .bind(tenant)
            .bind(source_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| r.try_get(0).map_err(StoreError::from))
            .collect()
    }

    /// Drop one link (the run itself stays); false when there was none.
    pub async fn unlink_run(&self, tenant: &str, source_id: &str, run_id: &str) -> Result<bool> {
        let n = sqlx::query(
            "DELETE FROM result_links WHERE tenant_id = $1 AND source_id = $2 AND run_id = $3",
        )
        .bind(tenant)
        .bind(source_id)
        .bind(run_id)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(n > 0)
    }
}
