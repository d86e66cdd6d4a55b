//! What `/metrics` samples from the database at scrape time: the job queue, the outbox and
//! the connection pools. Counts over every tenant, never a tenant's data.

use sqlx::Row;

use crate::{Dialect, Result, Store};

/// The job queue as a scrape sees it.
#[derive(Debug, Clone, Default)]
pub struct JobQueue {
    /// Jobs not done yet (queued or leased).
    pub pending: i64,
    /// `available_at` of the oldest pending job (fixed-width RFC 3339), if any.
    pub oldest_available_at: Option<String>,
}

/// Use of one connection pool.
#[derive(Debug, Clone)]
pub struct PoolUse {
    /// `read` and `write` on SQLite (one writer connection); `shared` on PostgreSQL.
    pub name: &'static str,
    /// Connections open.
    pub open: u32,
    /// Open connections nobody is using.
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

impl Store {
    /// Pending jobs and the oldest one's due time (both through the `jobs_due` index).
    pub async fn job_queue(&self) -> Result<JobQueue> {
        let row = sqlx::query("SELECT COUNT(*), MIN(available_at) FROM jobs WHERE done = 0")
            .fetch_one(self.pool())
            .await?;
        Ok(JobQueue {
            pending: row.try_get(0)?,
            oldest_available_at: row.try_get(1)?,
        })
    }

    /// Messages waiting in the outbox to be sent (first tries and retries).
    pub async fn outbox_pending(&self) -> Result<i64> {
        Ok(
            sqlx::query("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
                .fetch_one(self.pool())
                .await?
                .try_get(0)?,
        )
    }

    /// The connection pools' use now (no query).
    pub fn pool_use(&self) -> Vec<PoolUse> {
        let of = |name, pool: &sqlx::AnyPool| PoolUse {
            name,
            open: pool.size(),
            idle: pool.num_idle() as u32,
            max: pool.options().get_max_connections(),
        };
        match self.dialect() {
            Dialect::Sqlite => vec![of("read", &self.pool), of("write", &self.writer)],
            _ => vec![of("shared", &self.pool)],
        }
    }
}
