//! Custom task extension callouts and the tasks waiting on them.
//!
//! A "Run a Custom Task Extension" task queues a callout row in the same transaction that
//! marks its result `inProgress` (like the e-mail outbox), so the waiting state exists exactly
//! when the task started. The engine's callout worker leases `pending` rows and makes the HTTP
//! call outside any transaction; an extension with a callback then leaves the row `waiting`
//! until `resume` or its `deadline`. Resolving a row (`done`) and writing the task's final
//! result and the follow-up job happen in one transaction guarded by the row's state, so a
//! resume racing a timeout (or two nodes) resolves the task once.
//!
//! States: `pending` (to call, or being called under a lease) → `waiting` (called, callback
//! expected) → `done`. A crash after the call but before its outcome is recorded lets the
//! lease expire and the call is made again: callouts are delivered at least once.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::writes::{apply_result_writes, ResultWrite};
use crate::{Result, Store};

/// A callout to queue: the task processing result it belongs to and the extension to call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCallout {
    /// The task processing result id (the callout's id).
    pub id: String,
    pub workflow_id: String,
    pub run_id: String,
    pub user_result_id: String,
    pub subject_id: String,
    pub extension_id: String,
}

/// A stored callout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callout {
    pub tenant_id: String,
    pub id: String,
    pub workflow_id: String,
    pub run_id: String,
    pub user_result_id: String,
    pub subject_id: String,
    pub extension_id: String,
    /// `pending`, `waiting` or `done`.
    pub state: String,
    /// Times the row was leased for calling.
    pub attempts: i64,
    /// When a `waiting` callout times out (workflow clock, fixed-width RFC 3339).
    pub deadline: Option<String>,
}

const COLUMNS: &str =
    "tenant_id, id, workflow_id, run_id, user_result_id, subject_id, extension_id, state, attempts, deadline";

fn row_of(r: &AnyRow) -> Result<Callout> {
    Ok(Callout {
        tenant_id: r.try_get(0)?,
        id: r.try_get(1)?,
        workflow_id: r.try_get(2)?,
        run_id: r.try_get(3)?,
        user_result_id: r.try_get(4)?,
        subject_id: r.try_get(5)?,
        extension_id: r.try_get(6)?,
        state: r.try_get(7)?,
        attempts: r.try_get(8)?,
        deadline: r.try_get(9)?,
    })
}

/// Queue a callout inside the transaction that records its task as `inProgress`. Queuing one
/// that exists already (a job replayed after a crash) changes nothing.
pub(crate) async fn queue_callout(
    tx: &mut sqlx::AnyConnection,
    tenant: &str,
    c: &NewCallout,
) -> Result<()> {
    let now = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string();
    sqlx::query(
        "INSERT INTO callouts (tenant_id, id, workflow_id, run_id, user_result_id, subject_id, extension_id, state, created_at, lease_owner, lease_until, attempts, deadline, last_error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, NULL, NULL, 0, NULL, NULL) ON CONFLICT DO NOTHING",
    )
    .bind(tenant)
    .bind(&c.id)
    .bind(&c.workflow_id)
    .bind(&c.run_id)
    .bind(&c.user_result_id)
    .bind(&c.subject_id)
    .bind(&c.extension_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl Store {
    /// One callout of a tenant by its task processing result id.
    pub async fn get_callout(&self, tenant: &str, id: &str) -> Result<Option<Callout>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM callouts WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant)
        .bind(id.to_ascii_lowercase())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(row_of).transpose()
    }

    /// Lease up to `limit` pending callouts (of every tenant) for `owner` until `lease_until`
    /// (wall time, like job leases); expired leases of a crashed node are taken over.
    pub async fn claim_callouts(
        &self,
        owner: &str,
        now: &str,
        lease_until: &str,
        limit: i64,
    ) -> Result<Vec<Callout>> {
        // Ids are task processing result GUIDs, unique across tenants.
        let rows = self
            .lease_rows(
                "callouts",
                "state = 'pending'",
                "created_at, id",
                COLUMNS,
                (owner, now, lease_until, limit),
            )
            .await?;
        rows.iter().map(row_of).collect()
    }

    /// The call was answered and a callback is expected: `pending` → `waiting` until
    /// `deadline`. False when the callout was resolved meanwhile (a resume that overtook the
    /// HTTP answer).
    pub async fn callout_waiting(&self, tenant: &str, id: &str, deadline: &str) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE callouts SET state = 'waiting', deadline = $3, lease_owner = NULL, lease_until = NULL
             WHERE tenant_id = $1 AND id = $2 AND state = 'pending'",
        )
        .bind(tenant)
        .bind(id)
        .bind(deadline)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(n > 0)
    }

    /// Resolve a callout and apply `writes` (the task's final result, the job that moves the
    /// user on) in one transaction. False, with nothing written, when it was already resolved.
    pub async fn resolve_callout(
        &self,
        tenant: &str,
        id: &str,
        error: Option<&str>,
        writes: &[ResultWrite],
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let mine = sqlx::query(
            "UPDATE callouts SET state = 'done', lease_owner = NULL, lease_until = NULL, last_error = $3
             WHERE tenant_id = $1 AND id = $2 AND state <> 'done'",
        )
        .bind(tenant)
        .bind(id)
        .bind(error)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        if !mine {
            return Ok(false);
        }
        apply_result_writes(&mut tx, tenant, writes).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Waiting callouts whose deadline passed (`now` on the workflow clock) of one tenant, or
    /// (`None`) of every tenant.
    pub async fn expired_callouts(
        &self,
        now: &str,
        tenant: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Callout>> {
        let sql = match tenant {
            Some(_) => format!(
                "SELECT {COLUMNS} FROM callouts WHERE state = 'waiting' AND deadline < $1 AND tenant_id = $3 ORDER BY deadline, id LIMIT $2"
            ),
            None => format!(
                "SELECT {COLUMNS} FROM callouts WHERE state = 'waiting' AND deadline < $1 ORDER BY deadline, id LIMIT $2"
            ),
        };
        let mut query = sqlx::query(&sql).bind(now).bind(limit);
        if let Some(t) = tenant {
            query = query.bind(t);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(row_of).collect()
    }

    /// Unresolved callouts whose run is being canceled: their users must move on (to
    /// `canceled`) without waiting for a callback that no longer matters.
    pub async fn canceled_callouts(&self, limit: i64) -> Result<Vec<Callout>> {
        let cols = COLUMNS
            .split(", ")
            .map(|c| format!("c.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(&format!(
            "SELECT {cols} FROM callouts c JOIN results r
               ON r.tenant_id = c.tenant_id AND r.kind = 'run' AND r.id = c.run_id
             WHERE c.state <> 'done' AND r.status IN ('canceling', 'canceled') LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(row_of).collect()
    }
}
