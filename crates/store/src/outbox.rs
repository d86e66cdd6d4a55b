//! The e-mail outbox: messages e-mail tasks queue (in the same transaction as the task's
//! result) and the engine's mailer delivers over SMTP, marking them sent.

use serde_json::{json, Value};
use sqlx::Row;

use crate::{Result, Store};

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

/// A stored outbox row.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub tenant_id: String,
    pub id: String,
    pub created_at: String,
    pub mail: OutboxMail,
    pub sent_at: Option<String>,
    pub attempts: i64,
    pub last_error: Option<String>,
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
            "sentDateTime": self.sent_at,
            "attempts": self.attempts,
            "lastError": self.last_error,
        })
    }
}

fn split(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

const COLUMNS: &str =
    "tenant_id, id, created_at, mail_from, mail_to, mail_cc, subject, body, sent_at, attempts, last_error";

fn row_of(r: &sqlx::any::AnyRow) -> Result<OutboxRow> {
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
        sent_at: r.try_get(8)?,
        attempts: r.try_get(9)?,
        last_error: r.try_get(10)?,
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
    /// The tenant's messages, oldest first.
    pub async fn list_outbox(&self, tenant: &str) -> Result<Vec<OutboxRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE tenant_id = $1 ORDER BY created_at, id"
        ))
        .bind(tenant)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(row_of).collect()
    }

    /// Lease up to `limit` unsent messages of every tenant (oldest first, fewer than
    /// `max_attempts` tries) for `owner` until `lease_until`, counting the attempt: with
    /// several nodes on one database each message goes to one node's mailer. A node that
    /// dies mid-send leaves its lease to expire; the message is then sent again (at least
    /// once).
    pub async fn claim_outbox(
        &self,
        owner: &str,
        now: &str,
        lease_until: &str,
        max_attempts: i64,
        limit: i64,
    ) -> Result<Vec<OutboxRow>> {
        // Ids are GUIDs, unique across tenants.
        let rows = self
            .lease_rows(
                "outbox",
                &format!("sent_at IS NULL AND attempts < {max_attempts}"),
                "created_at, id",
                COLUMNS,
                (owner, now, lease_until, limit),
            )
            .await?;
        rows.iter().map(row_of).collect()
    }

    /// Record the outcome of a leased delivery attempt and release the lease: `error` None
    /// marks the message sent at `at`.
    pub async fn mark_outbox(
        &self,
        tenant: &str,
        id: &str,
        at: &str,
        error: Option<&str>,
    ) -> Result<()> {
        match error {
            None => {
                sqlx::query("UPDATE outbox SET sent_at = $3, last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant)
                    .bind(id)
                    .bind(at)
                    .execute(self.pool())
                    .await?;
            }
            Some(e) => {
                sqlx::query("UPDATE outbox SET last_error = $3, lease_owner = NULL, lease_until = NULL WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant)
                    .bind(id)
                    .bind(e)
                    .execute(self.pool())
                    .await?;
            }
        }
        Ok(())
    }
}
