//! Users' Temporary Access Passes (`/users/{id}/authentication/temporaryAccessPassMethods`).
//!
//! Only the pass's metadata is stored: the pass itself is returned once to the caller that
//! created it, or travels in the e-mail the TAP task queues; lcw keeps no copy to leak.
//! A user has at most one pass: creating one replaces the previous (as Graph does).

use sqlx::Row;

use crate::{Result, Store};

/// One stored pass (RFC 3339 times).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapRow {
    pub id: String,
    pub user_id: String,
    pub created_at: String,
    pub start_at: String,
    pub lifetime_minutes: i64,
    pub usable_once: bool,
}

const COLUMNS: &str = "id, user_id, created_at, start_at, lifetime_minutes, usable_once";

fn row_of(r: &sqlx::any::AnyRow) -> Result<TapRow> {
    Ok(TapRow {
        id: r.try_get(0)?,
        user_id: r.try_get(1)?,
        created_at: r.try_get(2)?,
        start_at: r.try_get(3)?,
        lifetime_minutes: r.try_get(4)?,
        usable_once: r.try_get::<i64, _>(5)? != 0,
    })
}

/// Replace the user's pass inside a transaction (the task effect and the API create).
pub(crate) async fn put_tap(
    tx: &mut sqlx::AnyConnection,
    tenant: &str,
    user_id: &str,
    tap: &TapRow,
) -> Result<()> {
    sqlx::query("DELETE FROM tap_methods WHERE tenant_id = $1 AND user_id = $2")
        .bind(tenant)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(&format!(
        "INSERT INTO tap_methods (tenant_id, {COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    ))
    .bind(tenant)
    .bind(&tap.id)
    .bind(user_id)
    .bind(&tap.created_at)
    .bind(&tap.start_at)
    .bind(tap.lifetime_minutes)
    .bind(i64::from(tap.usable_once))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl Store {
    /// Create (replace) a user's pass directly (`POST .../temporaryAccessPassMethods`).
    pub async fn create_tap(&self, tenant: &str, user_id: &str, tap: &TapRow) -> Result<()> {
        let mut tx = self.begin().await?;
        put_tap(&mut tx, tenant, user_id, tap).await?;
        tx.commit().await?;
        self.bump(tenant);
        Ok(())
    }

    /// The user's passes (zero or one).
    pub async fn list_taps(&self, tenant: &str, user_id: &str) -> Result<Vec<TapRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM tap_methods WHERE tenant_id = $1 AND user_id = $2 ORDER BY created_at, id"
        ))
        .bind(tenant)
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(row_of).collect()
    }

    pub async fn get_tap(&self, tenant: &str, user_id: &str, id: &str) -> Result<Option<TapRow>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM tap_methods WHERE tenant_id = $1 AND user_id = $2 AND id = $3"
        ))
        .bind(tenant)
        .bind(user_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(row_of).transpose()
    }

    /// Delete one pass; false when there was none with this id.
    pub async fn delete_tap(&self, tenant: &str, user_id: &str, id: &str) -> Result<bool> {
        let n = sqlx::query(
            "DELETE FROM tap_methods WHERE tenant_id = $1 AND user_id = $2 AND id = $3",
        )
        .bind(tenant)
        .bind(user_id)
        .bind(id)
        .execute(self.pool())
        .await?
        .rows_affected();
        if n > 0 {
            self.bump(tenant);
        }
        Ok(n > 0)
    }
}
