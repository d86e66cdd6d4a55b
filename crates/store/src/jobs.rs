//! The durable job queue: jobs are enqueued and completed inside result writes
//! (writes.rs), and leased by engine nodes, which renew their leases while they work.

use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Dialect, Result, Store, StoreError};

/// A unit of durable work.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub tenant_id: String,
    pub kind: String,
    pub payload: Value,
    /// Not before (RFC 3339 fixed-width, see `fixed_ts`).
    pub available_at: String,
    pub attempts: i64,
}

/// Queue `job` (inside a result write); a job already queued stays as it is.
pub(crate) async fn enqueue(tx: &mut sqlx::AnyConnection, j: &Job) -> Result<()> {
    let payload =
        serde_json::to_string(&j.payload).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO jobs (id, tenant_id, kind, payload, available_at, lease_owner, lease_until, attempts, done)
         VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6, 0) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&j.id)
    .bind(&j.tenant_id)
    .bind(&j.kind)
    .bind(payload)
    .bind(&j.available_at)
    .bind(j.attempts)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Mark a job done (inside a result write).
pub(crate) async fn complete(tx: &mut sqlx::AnyConnection, id: &str) -> Result<()> {
    sqlx::query("UPDATE jobs SET done = 1, lease_owner = NULL, lease_until = NULL WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

impl Store {
    /// Lease up to `limit` rows of a work table (jobs, callouts) that are `due` (`$3` is
    /// now) for `owner` until `lease_until`, oldest by `order` first, and return their
    /// `returning` columns. Expired leases (a crashed node) are taken over; PostgreSQL nodes
    /// skip rows another node is claiming.
    pub(crate) async fn lease_rows(
        &self,
        table: &str,
        due: &str,
        order: &str,
        returning: &str,
        (owner, now, lease_until, limit): (&str, &str, &str, i64),
    ) -> Result<Vec<AnyRow>> {
        let lock = if self.dialect() == Dialect::Postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE {table} SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 WHERE id IN (
               SELECT id FROM {table} WHERE {due} AND (lease_until IS NULL OR lease_until < $3)
               ORDER BY {order} LIMIT $4{lock})
             RETURNING {returning}"
        );
        let mut tx = self.begin().await?;
        let rows = sqlx::query(&sql)
            .bind(owner)
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Lease up to `limit` due jobs for `owner` until `lease_until`. Expired leases (a crashed
    /// node) are taken over. PostgreSQL nodes skip rows another node is claiming.
    pub async fn claim_jobs(
        &self,
        owner: &str,
        now: &str,
        lease_until: &str,
        limit: i64,
    ) -> Result<Vec<Job>> {
        let rows = self
            .lease_rows(
                "jobs",
                "done = 0 AND available_at <= $3",
                "available_at, id",
                "id, tenant_id, kind, payload, available_at, attempts",
                (owner, now, lease_until, limit),
            )
            .await?;
        rows.iter()
            .map(|r| {
                let payload: String = r.try_get(3)?;
                Ok(Job {
                    id: r.try_get(0)?,
                    tenant_id: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    payload: serde_json::from_str(&payload)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    available_at: r.try_get(4)?,
                    attempts: r.try_get(5)?,
                })
            })
            .collect()
    }

    /// Extend `owner`'s leases of the jobs `ids` (those not done) to `lease_until`: a node
    /// renews the jobs it holds, so their leases can be short and a crashed node's jobs are
    /// taken over soon.
    pub async fn renew_job_leases(
        &self,
        owner: &str,
        ids: &[String],
        lease_until: &str,
    ) -> Result<()> {
        let dialect = self.dialect();
        let mut tx = self.begin().await?;
        for chunk in ids.chunks(crate::KEYS_PER_STATEMENT) {
            let sql = format!(
                "UPDATE jobs SET lease_until = {} WHERE lease_owner = {} AND done = 0 AND id IN {}",
                dialect.placeholder(1),
                dialect.placeholder(2),
                dialect.values_list(3, 1, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(lease_until).bind(owner);
            for id in chunk {
                q = q.bind(id);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Jobs not yet done (for tests and shutdown).
    pub async fn pending_jobs(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM jobs WHERE done = 0")
            .fetch_one(self.pool())
            .await?
            .try_get(0)?)
    }

    /// Hand back every lease `owner` still holds on open work (jobs not done, callouts
    /// still to make, messages not sent): a node that stops gracefully lets another take
    /// that work at once instead of after the lease runs out. Returns how many rows were
    /// handed back. Attempts are left as counted: a row handed back may have been tried.
    pub async fn release_leases(&self, owner: &str) -> Result<u64> {
        let mut released = 0;
        for (table, open) in [
            ("jobs", "done = 0"),
            ("callouts", "state = 'pending'"),
            ("outbox", "status = 'pending'"),
        ] {
            released += self.release_rows(table, open, owner).await?;
        }
        Ok(released)
    }

    /// Hand back `owner`'s leases on the `open` rows of `table`. On PostgreSQL rows a
    /// transaction still holds (a job of this node being committed) are skipped rather than
    /// waited for: that transaction either completes the row or, rolled back, leaves its
    /// lease to expire.
    async fn release_rows(&self, table: &str, open: &str, owner: &str) -> Result<u64> {
        let lock = if self.dialect() == Dialect::Postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE {table} SET lease_owner = NULL, lease_until = NULL WHERE id IN (
               SELECT id FROM {table} WHERE lease_owner = $1 AND {open}{lock})"
        );
        Ok(sqlx::query(&sql)
            .bind(owner)
            .execute(self.pool())
            .await?
            .rows_affected())
    }
}
