//! Tenants: an id (the `tid` of tokens) and a unique domain name, so that the identity
//! endpoints can be addressed by either; emptying a tenant's data (reset) and deleting a
//! tenant.
//!
//! Every other table holds data of one tenant in its `tenant_id` column. Tokens from
//! `lcw token` work for tenants never created here, so those tables do not refer to this one.

use sqlx::Row;

use crate::{directory::is_unique_violation, Result, Store, StoreError};

/// Every table holding a tenant's data (not its identity: the tenant and its app
/// registrations stay through a reset). A new tenant-scoped table belongs here, so a reset
/// leaves nothing of the tenant behind.
const TENANT_DATA_TABLES: &[&str] = &[
    "resources",
    "users",
    "groups",
    "group_members",
    "results",
    "result_links",
    "occurrences",
    "jobs",
    "directory_changes",
    "outbox",
    "tap_methods",
    "ap_assignments",
    "ap_requests",
    "callouts",
    // The tenant's manual clock: a reset tenant starts again on the server's clock.
    "tenant_clocks",
];

/// The tenant's identity, deleted with the tenant (children first).
const TENANT_IDENTITY_TABLES: &[&str] = &["app_certificates", "app_secrets", "apps"];

/// A tenant (RFC 3339 time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantRow {
    pub id: String,
    pub domain: String,
    pub created_at: String,
}

fn tenant_of(r: &sqlx::any::AnyRow) -> Result<TenantRow> {
    Ok(TenantRow {
        id: r.try_get(0)?,
        domain: r.try_get(1)?,
        created_at: r.try_get(2)?,
    })
}

/// Insert a tenant unless one with its id exists: whether it was created. A domain another
/// tenant has is a conflict.
pub(crate) async fn insert_tenant(conn: &mut sqlx::AnyConnection, t: &TenantRow) -> Result<bool> {
    let outcome = sqlx::query(
        "INSERT INTO tenants (id, domain, domain_lower, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&t.id)
    .bind(&t.domain)
    .bind(t.domain.to_lowercase())
    .bind(&t.created_at)
    .execute(&mut *conn)
    .await;
    match outcome {
        Ok(done) => Ok(done.rows_affected() == 1),
        Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict(format!(
            "Another tenant has the domain name '{}'.",
            t.domain
        ))),
        Err(e) => Err(e.into()),
    }
}

impl Store {
    /// Create a tenant; `false` when one with its id exists already (it is left as it is).
    pub async fn create_tenant(&self, tenant: &TenantRow) -> Result<bool> {
        let mut tx = self.begin().await?;
        let created = insert_tenant(&mut tx, tenant).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// A tenant by id or by domain name (case-insensitive).
    pub async fn tenant(&self, id_or_domain: &str) -> Result<Option<TenantRow>> {
        let row = sqlx::query(
            "SELECT id, domain, created_at FROM tenants WHERE id = $1 OR domain_lower = $2",
        )
        .bind(id_or_domain.to_ascii_lowercase())
        .bind(id_or_domain.to_lowercase())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(tenant_of).transpose()
    }

    /// Every tenant, oldest first.
    pub async fn list_tenants(&self) -> Result<Vec<TenantRow>> {
        let rows =
            sqlx::query("SELECT id, domain, created_at FROM tenants ORDER BY created_at, id")
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(tenant_of).collect()
    }

    /// Empty the tenant's data, as a fresh tenant's (the tenant and its app registrations
    /// stay), in one transaction. Runs in flight for the tenant should have finished: a job
    /// that commits afterwards writes its results into the emptied tenant.
    pub async fn reset_tenant(&self, tenant: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        delete_rows(&mut tx, TENANT_DATA_TABLES, tenant).await?;
        tx.commit().await?;
        self.bump(tenant);
        Ok(())
    }

    /// Delete a tenant with its data and app registrations; whether it existed.
    pub async fn delete_tenant(&self, tenant: &str) -> Result<bool> {
        let mut tx = self.begin().await?;
        delete_rows(&mut tx, TENANT_DATA_TABLES, tenant).await?;
        delete_rows(&mut tx, TENANT_IDENTITY_TABLES, tenant).await?;
        let gone = sqlx::query("DELETE FROM tenants WHERE id = $1")
            .bind(tenant)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        self.bump(tenant);
        Ok(gone > 0)
    }
}

async fn delete_rows(conn: &mut sqlx::AnyConnection, tables: &[&str], tenant: &str) -> Result<()> {
    for table in tables {
        sqlx::query(&format!("DELETE FROM {table} WHERE tenant_id = $1"))
            .bind(tenant)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
