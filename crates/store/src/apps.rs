//! App registrations: per tenant, a client id (unique across tenants, as Entra's appId),
//! the object id its tokens carry as `oid`, the granted application permissions, and its
//! credentials: client secrets as hashes only (the secret itself is shown once, when made)
//! and certificates as thumbprints and public key.

use sqlx::Row;

use crate::tenants::{insert_tenant, TenantRow};
use crate::{directory::is_unique_violation, Result, Store, StoreError};

/// An app registration (RFC 3339 time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppRow {
    pub tenant_id: String,
    pub client_id: String,
    pub object_id: String,
    pub display_name: String,
    pub permissions: Vec<String>,
    pub created_at: String,
}

/// A client secret: its hash, never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRow {
    pub key_id: String,
    pub display_name: String,
    /// The secret's first characters, as Entra shows them.
    pub hint: String,
    pub secret_hash: String,
    pub created_at: String,
    pub expires_at: String,
}

/// A certificate: what verifying a client assertion signed with it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRow {
    pub key_id: String,
    /// Hex SHA-1 of the DER certificate (`x5t`).
    pub thumbprint_sha1: String,
    /// Hex SHA-256 of the DER certificate (`x5t#S256`).
    pub thumbprint_sha256: String,
    /// `RSA` or `EC`.
    pub key_type: String,
    /// Base64 of the public key (the subjectPublicKey bits).
    pub public_key: String,
    pub created_at: String,
    pub expires_at: Option<String>,
}

/// An app with its credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppCredentials {
    pub app: AppRow,
    pub secrets: Vec<SecretRow>,
    pub certificates: Vec<CertificateRow>,
}

const APP_COLUMNS: &str = "tenant_id, client_id, object_id, display_name, permissions, created_at";
const SECRET_COLUMNS: &str = "key_id, display_name, hint, secret_hash, created_at, expires_at";
const CERT_COLUMNS: &str =
    "key_id, thumbprint_sha1, thumbprint_sha256, key_type, public_key, created_at, expires_at";

fn app_of(r: &sqlx::any::AnyRow) -> Result<AppRow> {
    let permissions: String = r.try_get(4)?;
    Ok(AppRow {
        tenant_id: r.try_get(0)?,
        client_id: r.try_get(1)?,
        object_id: r.try_get(2)?,
        display_name: r.try_get(3)?,
        permissions: serde_json::from_str(&permissions)
            .map_err(|e| StoreError::Corrupt(format!("app permissions: {e}")))?,
        created_at: r.try_get(5)?,
    })
}

fn secret_of(r: &sqlx::any::AnyRow) -> Result<SecretRow> {
    Ok(SecretRow {
        key_id: r.try_get(0)?,
        display_name: r.try_get(1)?,
        hint: r.try_get(2)?,
        secret_hash: r.try_get(3)?,
        created_at: r.try_get(4)?,
        expires_at: r.try_get(5)?,
    })
}

fn certificate_of(r: &sqlx::any::AnyRow) -> Result<CertificateRow> {
    Ok(CertificateRow {
        key_id: r.try_get(0)?,
        thumbprint_sha1: r.try_get(1)?,
        thumbprint_sha256: r.try_get(2)?,
        key_type: r.try_get(3)?,
        public_key: r.try_get(4)?,
        created_at: r.try_get(5)?,
        expires_at: r.try_get(6)?,
    })
}

/// How to create an app: in which tenant (created with it when new) and, optionally, only
/// once per database (the default app).
pub struct NewApp<'a> {
    pub tenant: &'a TenantRow,
    pub app: &'a AppRow,
    pub secret: Option<&'a SecretRow>,
    /// An `lcw_meta` name: the app is created only by the first caller to claim it.
    pub once: Option<&'a str>,
}

impl Store {
    /// Create an app (and its tenant, when new) with its first secret, in one transaction.
    /// `false` when `once` was claimed before (nothing is written).
    pub async fn create_app(&self, new: NewApp<'_>) -> Result<bool> {
        let mut tx = self.begin().await?;
        if let Some(name) = new.once {
            let claimed = sqlx::query(
                "INSERT INTO lcw_meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(&new.app.client_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed == 0 {
                return Ok(false);
            }
        }
        insert_tenant(&mut tx, new.tenant).await?;
        let a = new.app;
        let permissions = serde_json::to_string(&a.permissions)
            .map_err(|e| StoreError::Corrupt(format!("app permissions: {e}")))?;
        sqlx::query(&format!(
            "INSERT INTO apps ({APP_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
        ))
        .bind(&a.tenant_id)
        .bind(&a.client_id)
        .bind(&a.object_id)
        .bind(&a.display_name)
        .bind(permissions)
        .bind(&a.created_at)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Conflict(format!("An app with client id '{}' exists.", a.client_id))
            } else {
                e.into()
            }
        })?;
        if let Some(secret) = new.secret {
            insert_secret(&mut tx, &a.tenant_id, &a.client_id, secret).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// An app by client id, with its credentials (any tenant's: client ids are unique).
    pub async fn app(&self, client_id: &str) -> Result<Option<AppCredentials>> {
        let Some(row) = sqlx::query(&format!(
            "SELECT {APP_COLUMNS} FROM apps WHERE client_id = $1"
        ))
        .bind(client_id.to_ascii_lowercase())
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let app = app_of(&row)?;
        let secrets = sqlx::query(&format!(
            "SELECT {SECRET_COLUMNS} FROM app_secrets WHERE tenant_id = $1 AND client_id = $2 ORDER BY created_at, key_id"
        ))
        .bind(&app.tenant_id)
        .bind(&app.client_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(secret_of)
        .collect::<Result<Vec<_>>>()?;
        let certificates = sqlx::query(&format!(
            "SELECT {CERT_COLUMNS} FROM app_certificates WHERE tenant_id = $1 AND client_id = $2 ORDER BY created_at, key_id"
        ))
        .bind(&app.tenant_id)
        .bind(&app.client_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(certificate_of)
        .collect::<Result<Vec<_>>>()?;
        Ok(Some(AppCredentials {
            app,
            secrets,
            certificates,
        }))
    }

    /// The apps of one tenant, or of every tenant, oldest first.
    pub async fn list_apps(&self, tenant: Option<&str>) -> Result<Vec<AppRow>> {
        let rows = match tenant {
            Some(t) => {
                sqlx::query(&format!(
                    "SELECT {APP_COLUMNS} FROM apps WHERE tenant_id = $1 ORDER BY created_at, client_id"
                ))
                .bind(t)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {APP_COLUMNS} FROM apps ORDER BY tenant_id, created_at, client_id"
                ))
                .fetch_all(self.pool())
                .await?
            }
        };
        rows.iter().map(app_of).collect()
    }

    /// Delete an app with its credentials; whether it existed.
    pub async fn delete_app(&self, client_id: &str) -> Result<bool> {
        let client_id = client_id.to_ascii_lowercase();
        let mut tx = self.begin().await?;
        let mut gone = 0;
        for table in ["app_certificates", "app_secrets", "apps"] {
            gone = sqlx::query(&format!("DELETE FROM {table} WHERE client_id = $1"))
                .bind(&client_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        tx.commit().await?;
        // The last statement deleted the app itself.
        Ok(gone > 0)
    }

    /// Add a secret to an app.
    pub async fn add_app_secret(
        &self,
        tenant: &str,
        client_id: &str,
        secret: &SecretRow,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_secret(&mut tx, tenant, client_id, secret).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Add a certificate to an app.
    pub async fn add_app_certificate(
        &self,
        tenant: &str,
        client_id: &str,
        cert: &CertificateRow,
    ) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO app_certificates (tenant_id, client_id, {CERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(tenant)
        .bind(client_id)
        .bind(&cert.key_id)
        .bind(&cert.thumbprint_sha1)
        .bind(&cert.thumbprint_sha256)
        .bind(&cert.key_type)
        .bind(&cert.public_key)
        .bind(&cert.created_at)
        .bind(&cert.expires_at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }
}

async fn insert_secret(
    conn: &mut sqlx::AnyConnection,
    tenant: &str,
    client_id: &str,
    s: &SecretRow,
) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO app_secrets (tenant_id, client_id, {SECRET_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(tenant)
    .bind(client_id)
    .bind(&s.key_id)
    .bind(&s.display_name)
    .bind(&s.hint)
    .bind(&s.secret_hash)
    .bind(&s.created_at)
    .bind(&s.expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
