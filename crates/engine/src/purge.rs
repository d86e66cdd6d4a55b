//! Deleted workflows stay restorable for 30 days, then are purged with their subtree.

use std::sync::Arc;

use store::{kinds, Store};

use crate::Clock;

pub const RETENTION_DAYS: i64 = 30;

/// Purge workflows deleted more than 30 days ago (each tenant on its own clock); returns
/// how many went.
pub async fn purge_expired(store: &Store, clock: &dyn Clock) -> Result<usize, store::StoreError> {
    let cutoff = |now: chrono::DateTime<chrono::Utc>| {
        model::time::format_fixed(now - chrono::Duration::days(RETENTION_DAYS))
    };
    let kinds = (kinds::WORKFLOW, kinds::WORKFLOW_VERSION);
    let own_times = clock.tenant_times();
    let moved: Vec<String> = own_times.iter().map(|(t, _)| t.clone()).collect();
    let mut purged = store
        .purge_deleted_before(kinds, &cutoff(clock.shared_now()), None, &moved)
        .await?;
    for (tenant, now) in &own_times {
        purged.extend(
            store
                .purge_deleted_before(kinds, &cutoff(*now), Some(tenant), &[])
                .await?,
        );
    }
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
