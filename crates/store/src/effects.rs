//! What directory tasks do to users, applied in the same transaction that records the task's
//! result: a task's effect and its "completed" mark land together or not at all, so a crash
//! never repeats or loses a finished task.

use serde_json::Value;
use sqlx::Row;

use crate::outbox::{queue_mail, OutboxMail};
use crate::results::{apply_result_writes, ResultWrite};
use crate::waiting::{queue_callout, NewCallout};
use crate::{Result, Store, StoreError};

/// A change a task makes to one user.
#[derive(Debug, Clone, PartialEq)]
pub enum DirectoryEffect {
    SetAccountEnabled(bool),
    AddToGroup(String),
    RemoveFromGroup(String),
    DeleteUser,
    SetAssignedLicenses(Vec<Value>),
    /// `signInSessionsValidFromDateTime` (RFC 3339).
    RevokeSessions(String),
    /// Queue an e-mail in the outbox (the mailer delivers it).
    QueueMail(OutboxMail),
    /// Queue a custom task extension callout (the engine's callout worker makes it).
    QueueCallout(NewCallout),
}

impl Store {
    /// Apply `effects` to `user_id` and `writes` to the run history atomically.
    pub async fn apply_effects(
        &self,
        tenant: &str,
        user_id: &str,
        effects: &[DirectoryEffect],
        writes: &[ResultWrite],
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        apply_user_effects(&mut tx, tenant, user_id, effects).await?;
        apply_result_writes(&mut tx, tenant, writes).await?;
        tx.commit().await?;
        if !effects.is_empty() {
            self.bump(tenant);
        }
        Ok(())
    }

    /// Commit one engine job: every user's effects, every result write, and the job's
    /// completion, in one transaction. Returns false (and changes nothing) when the job was
    /// already completed (another node took over an expired lease and finished first).
    pub async fn apply_job(
        &self,
        tenant: &str,
        job_id: &str,
        effects: &[(String, Vec<DirectoryEffect>)],
        writes: &[ResultWrite],
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let mine = sqlx::query("UPDATE jobs SET done = 1, lease_owner = NULL, lease_until = NULL WHERE id = $1 AND done = 0")
            .bind(job_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        if !mine {
            return Ok(false);
        }
        for (user_id, e) in effects {
            apply_user_effects(&mut tx, tenant, user_id, e).await?;
        }
        apply_result_writes(&mut tx, tenant, writes).await?;
        tx.commit().await?;
        if effects.iter().any(|(_, e)| !e.is_empty()) {
            self.bump(tenant);
        }
        Ok(true)
    }
}

/// Apply one user's effects inside a transaction.
async fn apply_user_effects(
    tx: &mut sqlx::AnyConnection,
    tenant: &str,
    user_id: &str,
    effects: &[DirectoryEffect],
) -> Result<()> {
    let mut doc_change: Option<Value> = None;
    for e in effects {
        match e {
            DirectoryEffect::AddToGroup(g) => {
                sqlx::query("INSERT INTO group_members (tenant_id, group_id, member_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                        .bind(tenant)
                        .bind(g)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?;
            }
            DirectoryEffect::RemoveFromGroup(g) => {
                sqlx::query("DELETE FROM group_members WHERE tenant_id = $1 AND group_id = $2 AND member_id = $3")
                        .bind(tenant)
                        .bind(g)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?;
            }
            DirectoryEffect::DeleteUser => {
                for sql in [
                    "DELETE FROM users WHERE tenant_id = $1 AND id = $2",
                    "DELETE FROM group_members WHERE tenant_id = $1 AND member_id = $2",
                    "UPDATE users SET manager_id = NULL WHERE tenant_id = $1 AND manager_id = $2",
                ] {
                    sqlx::query(sql)
                        .bind(tenant)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?;
                }
                doc_change = None;
            }
            DirectoryEffect::QueueMail(mail) => queue_mail(&mut *tx, tenant, mail).await?,
            DirectoryEffect::QueueCallout(c) => queue_callout(&mut *tx, tenant, c).await?,
            other => {
                let doc = match doc_change.take() {
                    Some(d) => d,
                    None => {
                        let row =
                            sqlx::query("SELECT doc FROM users WHERE tenant_id = $1 AND id = $2")
                                .bind(tenant)
                                .bind(user_id)
                                .fetch_optional(&mut *tx)
                                .await?;
                        match row {
                            Some(r) => serde_json::from_str(&r.try_get::<String, _>(0)?)
                                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                            None => continue,
                        }
                    }
                };
                let mut doc = doc;
                match other {
                    DirectoryEffect::SetAccountEnabled(b) => {
                        doc["accountEnabled"] = Value::Bool(*b)
                    }
                    DirectoryEffect::SetAssignedLicenses(l) => {
                        doc["assignedLicenses"] = Value::Array(l.clone())
                    }
                    DirectoryEffect::RevokeSessions(at) => {
                        doc["signInSessionsValidFromDateTime"] = Value::String(at.clone())
                    }
                    _ => {}
                }
                doc_change = Some(doc);
            }
        }
    }
    if let Some(doc) = doc_change {
        let enabled = doc
            .get("accountEnabled")
            .and_then(Value::as_bool)
            .map(i64::from);
        let text = serde_json::to_string(&doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "UPDATE users SET doc = $3, account_enabled = $4 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant)
        .bind(user_id)
        .bind(text)
        .bind(enabled)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}
