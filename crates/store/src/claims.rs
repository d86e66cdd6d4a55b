//! Exactly-once trigger occurrences: a user is processed for a workflow version and
//! trigger occurrence only by the transaction that first claims it, across crashes and
//! nodes. Claims made with a result write are batched here; writes.rs applies the writes
//! that follow the claims taken.

use std::collections::HashSet;

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::prepared::Prepared;
use crate::{Result, Store};

/// Occurrences claimed per statement (5 parameters each).
pub(crate) const CLAIMS_PER_STATEMENT: usize = 500;

/// An occurrence claim's key: (workflow, version, user, occurrence).
pub(crate) type ClaimKey<'a> = (&'a str, i64, &'a str, &'a str);

type OwnedKey = (String, i64, String, String);

/// Which keys of one [`claim_all`] statement this transaction claimed.
pub(crate) struct Claimed {
    /// The keys the database named: those claimed, or (`listed_are_claimed` false) those
    /// already claimed before.
    listed: HashSet<OwnedKey>,
    listed_are_claimed: bool,
}

impl Claimed {
    /// Whether this transaction claimed `key`.
    pub(crate) fn taken(&self, (workflow_id, version, user_id, occurrence): &ClaimKey<'_>) -> bool {
        let key = (
            workflow_id.to_string(),
            *version,
            user_id.to_string(),
            occurrence.to_string(),
        );
        self.listed.contains(&key) == self.listed_are_claimed
    }

    /// Whether this transaction claimed every one of `keys` (all that were asked for).
    pub(crate) fn all_taken(&self, keys: &[ClaimKey<'_>]) -> bool {
        if self.listed_are_claimed {
            keys.iter().all(|k| self.taken(k))
        } else {
            // SQLite lists the keys already claimed, so every claim was taken when none is.
            self.listed.is_empty()
        }
    }
}

/// Claim `keys` in one statement.
pub(crate) async fn claim_all(
    tx: &mut sqlx::AnyConnection,
    tenant: &str,
    keys: &[ClaimKey<'_>],
) -> Result<Claimed> {
    let dialect = crate::dialect_of(tx);
    let bind_keys = |sql: &str| -> Result<Prepared> {
        let mut q = Prepared::new(sql.to_string());
        for (workflow_id, version, user_id, occurrence) in keys {
            q = q
                .bind(tenant.to_string())?
                .bind(workflow_id.to_string())?
                .bind(*version)?
                .bind(user_id.to_string())?
                .bind(occurrence.to_string())?;
        }
        Ok(q)
    };
    let values = dialect.values_list(1, keys.len(), 5);
    let insert = format!(
        "INSERT INTO occurrences (tenant_id, workflow_id, workflow_version, user_id, occurrence) VALUES {values}
         ON CONFLICT DO NOTHING"
    );
    let key_of = |r: &AnyRow| -> Result<OwnedKey> {
        Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))
    };
    // Whether this transaction claimed a key: on PostgreSQL (other nodes claim at the same
    // time) the insert names what it claimed. On SQLite this transaction is the only writer
    // (BEGIN IMMEDIATE), so it claims whatever was not claimed when it asks; the answer
    // (those already claimed, as a rule none) spares streaming every claim back.
    let (listing, listed_are_claimed) = if dialect.single_writer() {
        (
            format!(
                "SELECT o.workflow_id, o.workflow_version, o.user_id, o.occurrence
                 FROM (VALUES {values}) AS v JOIN occurrences o ON o.tenant_id = v.column1
                    AND o.workflow_id = v.column2 AND o.workflow_version = v.column3
                    AND o.user_id = v.column4 AND o.occurrence = v.column5"
            ),
            false,
        )
    } else {
        (
            format!("{insert} RETURNING workflow_id, workflow_version, user_id, occurrence"),
            true,
        )
    };
    let listed: HashSet<_> = bind_keys(&listing)?
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(key_of)
        .collect::<Result<_>>()?;
    if dialect.single_writer() {
        bind_keys(&insert)?.execute(&mut *tx).await?;
    }
    Ok(Claimed {
        listed,
        listed_are_claimed,
    })
}

impl Store {
    /// Every `(user, occurrence)` already claimed for a workflow version.
    pub async fn claimed_occurrences(
        &self,
        tenant: &str,
        workflow_id: &str,
        version: i64,
    ) -> Result<std::collections::HashSet<(String, String)>> {
        let rows = sqlx::query(
            "SELECT user_id, occurrence FROM occurrences WHERE tenant_id = $1 AND workflow_id = $2 AND workflow_version = $3",
        )
        .bind(tenant)
        .bind(workflow_id)
        .bind(version)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Claim the processing of `user` for one workflow version and trigger occurrence. Only the
    /// first claim succeeds, across restarts and nodes.
    pub async fn claim_occurrence(
        &self,
        tenant: &str,
        workflow_id: &str,
        version: i64,
        user_id: &str,
        key: &str,
    ) -> Result<bool> {
        let n = sqlx::query(
            "INSERT INTO occurrences (tenant_id, workflow_id, workflow_version, user_id, occurrence) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(tenant)
        .bind(workflow_id)
        .bind(version)
        .bind(user_id)
        .bind(key)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(n > 0)
    }
}
