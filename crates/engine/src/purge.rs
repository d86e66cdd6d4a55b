//! Deleted workflows stay restorable for 30 days, then are purged with their subtree.

use std::sync::Arc;

use store::{kinds, Store};

use crate::Clock;

pub const RETENTION_DAYS: i64 = 30;

/// Purge workflows deleted more than 30 days ago; returns how many went.
pub async fn purge_expired(store: &Store, clock: &dyn Clock) -> Result<usize, store::StoreError> {
    let cutoff = clock.now() - chrono::Duration::days(RETENTION_DAYS);
    let cutoff = model::time::format_fixed(cutoff);
    let purged = store
        .purge_deleted_before(kinds::WORKFLOW, kinds::WORKFLOW_VERSION, &cutoff)
        .await?;
    for (tenant, id) in &purged {
        tracing::info!(
            tenant,
            workflow = id,
            "purged deleted workflow after retention"
        );
    }
    Ok(purged.len())
}

/// Run the purge every `every` until the process ends.
pub fn spawn_purge_loop(store: Store, clock: Arc<dyn Clock>, every: std::time::Duration) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = purge_expired(&store, clock.as_ref()).await {
                tracing::warn!(error = %e, "purge of deleted workflows failed");
            }
            tokio::time::sleep(every).await;
        }
    });
}
