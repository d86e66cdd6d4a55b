//! Tenants and app registrations, and signing an app in with its credentials (the token
//! endpoint's decision; the API reads the request and writes Entra's answer).
//!
//! Client secrets are random (256 bits), shown once, and stored as SHA-256 hashes. A
//! secret that random needs no slow password hash: nobody can guess it from its hash
//! faster than by trying 2^256 values, and checking it stays cheap enough to sign apps in
//! at thousands per second.

pub mod certificate;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};

use crate::{Error, Result, Service};

/// The application permissions lcw knows (Graph's names), which an app may be granted.
pub const KNOWN_PERMISSIONS: &[&str] = &[
    "LifecycleWorkflows.Read.All",
    "LifecycleWorkflows.ReadWrite.All",
    "LifecycleWorkflows-Workflow.ReadBasic.All",
    "LifecycleWorkflows-Workflow.Read.All",
    "LifecycleWorkflows-Workflow.ReadWrite.All",
    "LifecycleWorkflows-Workflow.Activate",
    "LifecycleWorkflows-Reports.Read.All",
    "LifecycleWorkflows-CustomExt.Read.All",
    "LifecycleWorkflows-CustomExt.ReadWrite.All",
    "User.ReadBasic.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Group.Read.All",
    "Group.ReadWrite.All",
    "GroupMember.Read.All",
    "GroupMember.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "UserAuthenticationMethod.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
    "EntitlementManagement.Read.All",
    "EntitlementManagement.ReadWrite.All",
    "Application.ReadWrite.All",
];

/// The permissions of the default app: everything lcw serves, and managing tenants and
/// apps (`Application.ReadWrite.All`).
pub const FULL_PERMISSIONS: &[&str] = &[
    "LifecycleWorkflows.ReadWrite.All",
    "User.ReadWrite.All",
    "Group.ReadWrite.All",
    "UserAuthenticationMethod.ReadWrite.All",
    "EntitlementManagement.ReadWrite.All",
    "Application.ReadWrite.All",
];

/// The tenant of the default app (and of `lcw token` without `--tenant`).
pub const DEFAULT_TENANT: &str = "00000000-0000-0000-0000-000000000001";
const DEFAULT_TENANT_DOMAIN: &str = "lcw.onmicrosoft.com";
/// The `lcw_meta` step that creates the default app once per database.
const DEFAULT_APP_ONCE: &str = "default_app";

/// How long a new secret is valid unless said otherwise (Entra's recommended maximum).
pub const DEFAULT_SECRET_DAYS: i64 = 180;
/// The longest a secret may be valid: Entra's two years.
pub const MAX_SECRET_DAYS: i64 = 730;

/// A new app registration's settings.
#[derive(Debug, Clone)]
pub struct NewRegistration {
    /// The tenant, created (with a domain name of its id) when new.
    pub tenant_id: String,
    pub display_name: String,
    pub permissions: Vec<String>,
    pub secret_days: i64,
}

/// A secret as made: its text exists only in this value.
#[derive(Debug, Clone)]
pub struct NewSecret {
    pub key_id: String,
    pub text: String,
    pub hint: String,
    pub display_name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// How long a new secret is valid.
#[derive(Debug, Clone, Copy)]
pub enum SecretLifetime {
    /// From now, 1 to [`MAX_SECRET_DAYS`] days.
    Days(i64),
    /// Until a time, which may have passed already (for trying out expired secrets).
    Until(DateTime<Utc>),
}

/// A registered app with the secret made with it.
#[derive(Debug, Clone)]
pub struct Registered {
    pub app: store::AppRow,
    pub secret: NewSecret,
}

/// How a client proves it is the app.
pub enum ClientProof<'a> {
    Secret(&'a str),
    /// A client assertion naming a registered certificate by thumbprint (`x5t` is SHA-1,
    /// `x5t#S256` SHA-256); `verify` checks the assertion against that certificate (the
    /// API reads JWTs).
    Assertion {
        sha1: Option<Vec<u8>>,
        sha256: Option<Vec<u8>>,
        verify: &'a (dyn Fn(&store::CertificateRow) -> std::result::Result<(), String> + Sync),
    },
}

/// Why an app could not sign in. The API answers each with Entra's error.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("Tenant '{0}' not found.")]
    UnknownTenant(String),
    #[error(
        "Application with identifier '{client_id}' was not found in the directory '{tenant}'."
    )]
    UnknownApp { client_id: String, tenant: String },
    #[error("Invalid client secret provided for app '{0}'.")]
    InvalidSecret(String),
    #[error("The provided client secret keys for app '{0}' are expired.")]
    ExpiredSecret(String),
    #[error("No certificate of app '{0}' has the thumbprint the client assertion names.")]
    UnknownCertificate(String),
    #[error("{0}")]
    InvalidAssertion(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; N];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::Internal("the system's random source failed".into()))?;
    Ok(bytes)
}

/// The stored form of a secret (see the module comment for why SHA-256 suffices).
pub fn hash_secret(secret: &str) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, secret.as_bytes()).as_ref())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn new_secret(display_name: &str, days: i64, now: DateTime<Utc>) -> Result<NewSecret> {
    let text = URL_SAFE_NO_PAD.encode(random_bytes::<32>()?);
    Ok(NewSecret {
        key_id: uuid::Uuid::new_v4().to_string(),
        hint: text.chars().take(3).collect(),
        text,
        display_name: display_name.to_string(),
        created_at: now,
        expires_at: now + Duration::days(days),
    })
}

fn secret_row(s: &NewSecret) -> store::SecretRow {
    store::SecretRow {
        key_id: s.key_id.clone(),
        display_name: s.display_name.clone(),
        hint: s.hint.clone(),
        secret_hash: hash_secret(&s.text),
        created_at: model::time::format_datetime(s.created_at),
        expires_at: model::time::format_datetime(s.expires_at),
    }
}

fn invalid(message: String, target: &str) -> Error {
    Error::Invalid {
        message,
        target: Some(target.into()),
    }
}

/// A domain name: dot-separated labels of letters, digits and hyphens.
fn check_domain(domain: &str) -> Result<()> {
    let ok = domain.len() <= 253
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if ok {
        Ok(())
    } else {
        Err(invalid(
            format!("'{domain}' is not a domain name such as contoso.onmicrosoft.com."),
            "domainName",
        ))
    }
}

fn check_guid(id: &str, what: &str) -> Result<String> {
    if model::is_guid(id) {
        Ok(id.to_ascii_lowercase())
    } else {
        Err(invalid(format!("The {what} '{id}' is not a GUID."), what))
    }
}

fn check_days(days: i64) -> Result<i64> {
    if (1..=MAX_SECRET_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(invalid(
            format!("A secret is valid for 1 to {MAX_SECRET_DAYS} days, not {days}."),
            "secretExpiresInDays",
        ))
    }
}

/// The domain name a tenant created without one gets.
fn default_domain(tenant_id: &str) -> String {
    if tenant_id == DEFAULT_TENANT {
        DEFAULT_TENANT_DOMAIN.to_string()
    } else {
        format!("{tenant_id}.lcw.local")
    }
}

impl Service {
    /// Create a tenant with a domain name (and an id, generated when not given).
    pub async fn create_tenant(&self, domain: &str, id: Option<&str>) -> Result<store::TenantRow> {
        check_domain(domain)?;
        let id = match id {
            Some(id) => check_guid(id, "id")?,
            None => uuid::Uuid::new_v4().to_string(),
        };
        let tenant = store::TenantRow {
            id: id.clone(),
            domain: domain.to_string(),
            created_at: model::time::format_datetime(Utc::now()),
        };
        if !self.store.create_tenant(&tenant).await? {
            return Err(Error::Conflict(format!("The tenant '{id}' exists.")));
        }
        Ok(tenant)
    }

    pub async fn tenants(&self) -> Result<Vec<store::TenantRow>> {
        Ok(self.store.list_tenants().await?)
    }

    /// A tenant by id or domain name.
    pub async fn tenant(&self, id_or_domain: &str) -> Result<store::TenantRow> {
        self.store
            .tenant(id_or_domain)
            .await?
            .ok_or_else(|| Error::NotFound(format!("There is no tenant '{id_or_domain}'.")))
    }

    /// Delete a tenant, its data and its apps.
    pub async fn delete_tenant(&self, id_or_domain: &str) -> Result<()> {
        let tenant = self.tenant(id_or_domain).await?;
        self.store.delete_tenant(&tenant.id).await?;
        // Its clock row went with it: this node's manual clock forgets it too.
        self.engine.adopt_persisted_clocks().await?;
        Ok(())
    }

    /// Empty a tenant's data (it keeps its apps). Tenants only ever used through
    /// `lcw token` tokens are not registered, so any tenant id may be reset.
    pub async fn reset_tenant(&self, id_or_domain: &str) -> Result<String> {
        let id = match self.store.tenant(id_or_domain).await? {
            Some(t) => t.id,
            None => check_guid(id_or_domain, "tenant")?,
        };
        self.store.reset_tenant(&id).await?;
        // The clock is part of what a reset empties: back to the start time on this node
        // (other nodes pick the reset up at their next adoption of persisted clocks).
        self.engine.adopt_persisted_clocks().await?;
        Ok(id)
    }

    /// Register an app with a first secret; its tenant is created when new.
    pub async fn register_app(&self, new: &NewRegistration) -> Result<Registered> {
        self.register(new, None).await?.ok_or_else(|| {
            Error::Internal("an app registration without a once-step was skipped".into())
        })
    }

    /// On a fresh database, the default tenant's app with every permission: its
    /// credentials, once per database (`None` on every later call, on any node).
    pub async fn create_default_app(&self) -> Result<Option<Registered>> {
        let new = NewRegistration {
            tenant_id: DEFAULT_TENANT.into(),
            display_name: "lcw default app".into(),
            permissions: FULL_PERMISSIONS.iter().map(|p| p.to_string()).collect(),
            secret_days: MAX_SECRET_DAYS,
        };
        self.register(&new, Some(DEFAULT_APP_ONCE)).await
    }

    async fn register(
        &self,
        new: &NewRegistration,
        once: Option<&str>,
    ) -> Result<Option<Registered>> {
        let tenant_id = check_guid(&new.tenant_id, "tenantId")?;
        let display_name = new.display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 256 {
            return Err(invalid(
                "An app's displayName is 1 to 256 characters.".into(),
                "displayName",
            ));
        }
        let mut permissions: Vec<String> = Vec::new();
        for p in &new.permissions {
            let Some(known) = KNOWN_PERMISSIONS
                .iter()
                .find(|k| k.eq_ignore_ascii_case(p.trim()))
            else {
                return Err(invalid(
                    format!(
                        "'{p}' is not an application permission lcw knows: {}.",
                        KNOWN_PERMISSIONS.join(", ")
                    ),
                    "permissions",
                ));
            };
            if !permissions.iter().any(|q| q == known) {
                permissions.push(known.to_string());
            }
        }
        let now = Utc::now();
        let created_at = model::time::format_datetime(now);
        let secret = new_secret("default", check_days(new.secret_days)?, now)?;
        let app = store::AppRow {
            tenant_id: tenant_id.clone(),
            client_id: uuid::Uuid::new_v4().to_string(),
            object_id: uuid::Uuid::new_v4().to_string(),
            display_name: display_name.to_string(),
            permissions,
            created_at: created_at.clone(),
        };
        let tenant = store::TenantRow {
            domain: default_domain(&tenant_id),
            id: tenant_id,
            created_at,
        };
        let created = self
            .store
            .create_app(store::NewApp {
                tenant: &tenant,
                app: &app,
                secret: Some(&secret_row(&secret)),
                once,
            })
            .await?;
        Ok(created.then_some(Registered { app, secret }))
    }

    /// The apps of a tenant (id or domain name), or of every tenant.
    pub async fn apps(&self, tenant: Option<&str>) -> Result<Vec<store::AppRow>> {
        let id = match tenant {
            Some(t) => Some(self.tenant(t).await?.id),
            None => None,
        };
        Ok(self.store.list_apps(id.as_deref()).await?)
    }

    /// An app with its credentials (hashes and thumbprints only).
    pub async fn app(&self, client_id: &str) -> Result<store::AppCredentials> {
        self.store
            .app(client_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("There is no app '{client_id}'.")))
    }

    pub async fn remove_app(&self, client_id: &str) -> Result<()> {
        if self.store.delete_app(client_id).await? {
            Ok(())
        } else {
            Err(Error::NotFound(format!("There is no app '{client_id}'.")))
        }
    }

    /// Add a secret to an app; its text is returned this once.
    pub async fn add_app_secret(
        &self,
        client_id: &str,
        display_name: Option<&str>,
        lifetime: SecretLifetime,
    ) -> Result<NewSecret> {
        let app = self.app(client_id).await?.app;
        let now = Utc::now();
        let name = display_name.unwrap_or("secret");
        let secret = match lifetime {
            SecretLifetime::Days(days) => new_secret(name, check_days(days)?, now)?,
            SecretLifetime::Until(end) => {
                if end > now + Duration::days(MAX_SECRET_DAYS) {
                    return Err(invalid(
                        format!("A secret is valid for at most {MAX_SECRET_DAYS} days."),
                        "endDateTime",
                    ));
                }
                NewSecret {
                    expires_at: end,
                    ..new_secret(name, 1, now)?
                }
            }
        };
        self.store
            .add_app_secret(&app.tenant_id, &app.client_id, &secret_row(&secret))
            .await?;
        Ok(secret)
    }

    /// Add a certificate (PEM, base64 DER or DER) to an app, for client assertions.
    pub async fn add_app_certificate(
        &self,
        client_id: &str,
        certificate: &[u8],
    ) -> Result<store::CertificateRow> {
        let app = self.app(client_id).await?.app;
        let parsed = certificate::parse(certificate).ok_or_else(|| {
            invalid(
                "The certificate is not an X.509 certificate (PEM or DER) with an RSA or P-256 key."
                    .into(),
                "certificate",
            )
        })?;
        let row = store::CertificateRow {
            key_id: uuid::Uuid::new_v4().to_string(),
            thumbprint_sha1: hex(&parsed.sha1),
            thumbprint_sha256: hex(&parsed.sha256),
            key_type: parsed.key_type.to_string(),
            public_key: base64::engine::general_purpose::STANDARD.encode(&parsed.public_key),
            created_at: model::time::format_datetime(Utc::now()),
            expires_at: parsed.not_after.map(model::time::format_datetime),
        };
        self.store
            .add_app_certificate(&app.tenant_id, &app.client_id, &row)
            .await?;
        Ok(row)
    }

    /// The tenant a sign-in names, by id or domain name.
    pub async fn sign_in_tenant(
        &self,
        id_or_domain: &str,
    ) -> std::result::Result<store::TenantRow, SignInError> {
        self.store
            .tenant(id_or_domain)
            .await?
            .ok_or_else(|| SignInError::UnknownTenant(id_or_domain.to_string()))
    }

    /// Check an app's credentials: the app (of `tenant`) when they hold.
    pub async fn sign_in_app(
        &self,
        tenant: &store::TenantRow,
        client_id: &str,
        proof: ClientProof<'_>,
    ) -> std::result::Result<store::AppRow, SignInError> {
        let unknown = || SignInError::UnknownApp {
            client_id: client_id.to_string(),
            tenant: tenant.id.clone(),
        };
        let creds = self
            .store
            .app(client_id)
            .await?
            .filter(|c| c.app.tenant_id == tenant.id)
            .ok_or_else(unknown)?;
        let now = Utc::now();
        let expired = |at: &str| model::time::parse_datetime(at).is_none_or(|t| t <= now);
        match proof {
            ClientProof::Secret(text) => {
                let hash = hash_secret(text);
                // Comparing hashes, not secrets: how long a comparison takes tells nothing
                // about the secret.
                let matched = creds.secrets.iter().find(|s| s.secret_hash == hash);
                match matched {
                    Some(s) if !expired(&s.expires_at) => Ok(creds.app),
                    Some(_) => Err(SignInError::ExpiredSecret(creds.app.client_id)),
                    None => Err(SignInError::InvalidSecret(creds.app.client_id)),
                }
            }
            ClientProof::Assertion {
                sha1,
                sha256,
                verify,
            } => {
                let wanted = |c: &&store::CertificateRow| {
                    sha1.as_deref().is_some_and(|t| hex(t) == c.thumbprint_sha1)
                        || sha256
                            .as_deref()
                            .is_some_and(|t| hex(t) == c.thumbprint_sha256)
                };
                let cert =
                    creds.certificates.iter().find(wanted).ok_or_else(|| {
                        SignInError::UnknownCertificate(creds.app.client_id.clone())
                    })?;
                if cert.expires_at.as_deref().is_some_and(expired) {
                    return Err(SignInError::InvalidAssertion(format!(
                        "The certificate '{}' of app '{}' has expired.",
                        cert.thumbprint_sha1, creds.app.client_id
                    )));
                }
                verify(cert).map_err(SignInError::InvalidAssertion)?;
                Ok(creds.app)
            }
        }
    }
}
