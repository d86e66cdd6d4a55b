//! The e-mail outbox: messages e-mail tasks queue (in the same transaction as the task's
//! result) and the engine's mailer delivers over SMTP, marking them sent.

use serde_json::{json, Value};
use sqlx::Row;

use crate::{Result, Store, StoreError};

/// One queued message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    /// Unique id of the message (chosen by the caller).
    pub id: String,
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
}

/// Where a message stands. Stored as the lower-case word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStatus {
    /// Not delivered yet; the mailer keeps trying (with backoff) until it is.
    Pending,
    Sent,
    /// Refused for good (a 5xx reply, or a message that cannot be built); only a requeue
    /// sends it again.
    Failed,
}

impl OutboxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<OutboxStatus> {
        match text {
            "pending" => Some(OutboxStatus::Pending),
            "sent" => Some(OutboxStatus::Sent),
            "failed" => Some(OutboxStatus::Failed),
            _ => None,
        }
    }
}

/// A stored outbox row.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub tenant_id: String,
    pub id: String,
    pub created_at: String,
    pub mail: OutboxMail,
    pub status: OutboxStatus,
    pub sent_at: Option<String>,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// When a pending message is tried next; None: as soon as a mailer is free.
    pub next_attempt_at: Option<String>,
}

impl OutboxRow {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "createdDateTime": self.created_at,
            "from": self.mail.from,
            "to": self.mail.to,
            "cc": self.mail.cc,
            "subject": self.mail.subject,
            "body": self.mail.body,
            "status": self.status.as_str(),
            "sentDateTime": self.sent_at,
            "attempts": self.attempts,
            "lastError": self.last_error,
            "nextAttemptDateTime": self.next_attempt_at,
        })
    }
}

/// One page of a tenant's outbox: messages after `after` (a message id, the previous
/// page's last), oldest first, of one status or all.
#[derive(Debug, Clone, Default)]
pub struct OutboxQuery {
    pub status: Option<OutboxStatus>,
    pub after: Option<String>,
    pub limit: i64,
}

/// What a requeue found.
#[derive(Debug, Clone)]
pub enum Requeue {
    /// The message is pending again, due now.
    Requeued(Box<OutboxRow>),
    /// Already delivered: sending it again would be a duplicate.
    AlreadySent,
    NotFound,
}

fn split(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

const COLUMNS: &str = "tenant_id, id, created_at, mail_from, mail_to, mail_cc, subject, body, sent_at, attempts, last_error, status, next_attempt_at";

fn row_of(r: &sqlx::any::AnyRow) -> Result<OutboxRow> {
    let status: String = r.try_get(11)?;
    Ok(OutboxRow {
        tenant_id: r.try_get(0)?,
        id: r.try_get(1)?,
        created_at: r.try_get(2)?,
        mail: OutboxMail {
            id: r.try_get(1)?,
            from: r.try_get(3)?,
            to: split(&r.try_get::<String, _>(4)?),
            cc: split(&r.try_get::<String, _>(5)?),
            subject: r.try_get(6)?,
            body: r.try_get(7)?,
        },
        status: OutboxStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("outbox status '{status}'")))?,
        sent_at: r.try_get(8)?,
        attempts: r.try_get(9)?,
        last_error: r.try_get(10)?,
        next_attempt_at: r.try_get(12)?,
    })
}

/// Queue a message inside a transaction.
pub(crate) async fn queue_mail(
    tx: &mut sqlx::AnyConnection,
    tenant: &str,
    mail: &OutboxMail,
) -> Result<()> {
    let now = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string();
    sqlx::query(
        "INSERT INTO outbox (tenant_id, id, created_at, mail_from, mail_to, mail_cc, subject, body, sent_at, attempts, last_error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, 0, NULL)",
    )
    .bind(tenant)
    .bind(&mail.id)
    .bind(now)
    .bind(&mail.from)
    .bind(mail.to.join(","))
    .bind(mail.cc.join(","))
    .bind(&mail.subject)
    .bind(&mail.body)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl Store {
    /// One page of the tenant's messages, oldest first. An `after` that names no message of
    /// the tenant is None.
    pub async fn list_outbox(
        &self,
        tenant: &str,
        query: &OutboxQuery,
    ) -> Result<Option<Vec<OutboxRow>>> {
        let mut sql = format!("SELECT {COLUMNS} FROM outbox WHERE tenant_id = $1");
        let mut anchor = None;
        if let Some(after) = &query.after {
            let found =
                sqlx::query("SELECT created_at FROM outbox WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant)
                    .bind(after)
                    .fetch_optional(self.pool())
                    .await?;
            let Some(found) = found else {
                return Ok(None);
            };
            let created_at: String = found.try_get(0)?;
            sql.push_str(" AND (created_at > $2 OR (created_at = $2 AND id > $3))");
            anchor = Some((created_at, after.clone()));
        }
        let next = if anchor.is_some() { 4 } else { 2 };
        if query.status.is_some() {
            sql.push_str(&format!(" AND status = ${next}"));
        }
        let limit = if query.status.is_some() {
            next + 1
        } else {
            next
        };
        sql.push_str(&format!(" ORDER BY created_at, id LIMIT ${limit}"));
        let mut q = sqlx::query(&sql).bind(tenant);
        if let Some((created_at, id)) = anchor {
            q = q.bind(created_at).bind(id);
        }
        if let Some(status) = query.status {
            q = q.bind(status.as_str());
        }
        let rows = q.bind(query.limit).fetch_all(self.pool()).await?;
        rows.iter().map(row_of).collect::<Result<_>>().map(Some)
    }

    /// Lease up to `limit` pending messages of every tenant that are due at `now` (oldest
    /// first) for `owner` until `lease_until`, counting the attempt: with several nodes on
    /// one database each message goes to one node's mailer. A node that dies mid-send
    /// leaves its lease to expire, and the message goes to another node.
    pub async fn claim_outbox(
        &self,
        owner: &str,
        now: &str,
        lease_until: &str,
        limit: i64,
    ) -> Result<Vec<OutboxRow>> {
        // Ids are GUIDs, unique across tenants.
        let rows = self
            .lease_rows(
                "outbox",
                "status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= $3)",
                "created_at, id",
                COLUMNS,
                (owner, now, lease_until, limit),
            )
            .await?;
        rows.iter().map(row_of).collect()
    }

    /// Extend `owner`'s lease on a message it is sending; false when the lease was lost
    /// (it expired and another node took the message), so the owner must not send it.
    pub async fn renew_outbox_lease(
        &self,
        owner: &str,
        id: &str,
        lease_until: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET lease_until = $3 WHERE id = $2 AND lease_owner = $1 AND status = 'pending'",
        )
        .bind(owner)
        .bind(id)
        .bind(lease_until)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The message was delivered at `at`: mark it sent and release the lease.
    pub async fn mark_outbox_sent(&self, tenant: &str, id: &str, at: &str) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET status = 'sent', sent_at = $3, last_error = NULL, next_attempt_at = NULL,
               lease_owner = NULL, lease_until = NULL WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant)
        .bind(id)
        .bind(at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A delivery attempt failed for a reason that may pass: record it, release the lease
    /// and try again at `retry_at`. A message another node has meanwhile sent stays sent.
    pub async fn mark_outbox_retry(
        &self,
        tenant: &str,
        id: &str,
        error: &str,
        retry_at: &str,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET last_error = $3, next_attempt_at = $4, lease_owner = NULL, lease_until = NULL
             WHERE tenant_id = $1 AND id = $2 AND status = 'pending'",
        )
        .bind(tenant)
        .bind(id)
        .bind(error)
        .bind(retry_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The message was refused for good: mark it failed with the reason.
    pub async fn mark_outbox_failed(&self, tenant: &str, id: &str, error: &str) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET status = 'failed', last_error = $3, next_attempt_at = NULL,
               lease_owner = NULL, lease_until = NULL
             WHERE tenant_id = $1 AND id = $2 AND status = 'pending'",
        )
        .bind(tenant)
        .bind(id)
        .bind(error)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Make a failed (or waiting) message pending and due now, its backoff started over.
    /// The last error stays until it is delivered, as a record of what went wrong.
    pub async fn requeue_outbox(&self, tenant: &str, id: &str) -> Result<Requeue> {
        let done = sqlx::query(
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = NULL
             WHERE tenant_id = $1 AND id = $2 AND status <> 'sent'",
        )
        .bind(tenant)
        .bind(id)
        .execute(self.pool())
        .await?;
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(match row {
            None => Requeue::NotFound,
            Some(_) if done.rows_affected() == 0 => Requeue::AlreadySent,
            Some(r) => Requeue::Requeued(Box::new(row_of(&r)?)),
        })
    }
}
