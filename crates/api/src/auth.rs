//! Bearer-token validation, the dev token issuer, and permission checks.
//!
//! By default lcw is its own identity provider: an ES256 key pair generated on first start and
//! kept in the database (every node on one database shares it) signs tokens from `lcw token`.
//! With `--issuer/--audience/--jwks` tokens of an external provider are accepted instead.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::ApiError;

/// Audiences accepted for dev tokens: Graph's URL and app id.
pub const GRAPH_AUDIENCES: &[&str] = &[
    "https://graph.microsoft.com",
    "https://graph.microsoft.com/",
    "00000003-0000-0000-c000-000000000000",
];
pub const DEFAULT_TENANT: &str = lifecycle::identity::DEFAULT_TENANT;
pub const DEFAULT_APP_OBJECT_ID: &str = "00000000-0000-0000-0000-0000000000a1";
pub const DEFAULT_APP_ID: &str = "00000000-0000-0000-0000-0000000000a2";
pub const DEFAULT_USER_OBJECT_ID: &str = "00000000-0000-0000-0000-0000000000b1";
const LEEWAY_SECS: u64 = 30;

/// Directory roles relevant to Lifecycle Workflows (template ids as in `wids`).
pub mod roles {
    pub const LIFECYCLE_WORKFLOWS_ADMINISTRATOR: &str = "59d46f88-662b-457b-bceb-5c3809e5908f";
    pub const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
    pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";

    /// Accept a role by template id or by display name.
    pub fn resolve(name_or_id: &str) -> Option<&'static str> {
        let k = name_or_id
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '-', '_'], "");
        [
            (
                LIFECYCLE_WORKFLOWS_ADMINISTRATOR,
                "lifecycleworkflowsadministrator",
            ),
            (GLOBAL_READER, "globalreader"),
            (GLOBAL_ADMINISTRATOR, "globaladministrator"),
        ]
        .into_iter()
        .find(|(id, name)| k == *name || k == id.replace('-', ""))
        .map(|(id, _)| id)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub aud: Value,
    pub iss: String,
    pub tid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    /// The client application of v2.0 tokens (v1.0 tokens carry `appid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wids: Option<Vec<String>>,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    #[serde(default)]
    pub iat: i64,
    /// Token version, as Graph's tokens say it (`1.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ver: Option<String>,
    /// `app` for an application's own token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idtyp: Option<String>,
    /// How the app proved itself: `1` a secret, `2` a certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appidacr: Option<String>,
}

/// Who is calling, after the token checked out.
#[derive(Debug, Clone)]
pub struct Principal {
    pub tenant_id: String,
    pub object_id: String,
    pub app_id: Option<String>,
    /// Delegated (`scp`) rather than application (`roles`) permissions.
    pub delegated: bool,
    pub permissions: Vec<String>,
    pub directory_roles: Vec<String>,
    pub expires_at: i64,
}

/// The dev issuer URL for a tenant.
pub fn dev_issuer(tenant: &str) -> String {
    format!("https://sts.lcw.local/{tenant}/")
}

/// The dev signing key, stored as base64 PKCS#8.
pub struct SigningKey {
    pub kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    x: String,
    y: String,
}

impl SigningKey {
    /// Generate a fresh P-256 key: `(kid, base64 pkcs8)`.
    pub fn generate() -> Result<(String, String), ApiError> {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| ApiError::Internal("key generation failed".into()))?;
        Ok((
            uuid::Uuid::new_v4().simple().to_string(),
            STANDARD.encode(pkcs8.as_ref()),
        ))
    }

    pub fn from_stored(kid: &str, secret_b64: &str) -> Result<SigningKey, ApiError> {
        let der = STANDARD
            .decode(secret_b64)
            .map_err(|e| ApiError::Internal(format!("stored signing key: {e}")))?;
        let rng = ring::rand::SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der, &rng)
            .map_err(|e| ApiError::Internal(format!("stored signing key: {e}")))?;
        let public = pair.public_key().as_ref();
        if public.len() != 65 {
            return Err(ApiError::Internal("unexpected public key length".into()));
        }
        let x = URL_SAFE_NO_PAD.encode(&public[1..33]);
        let y = URL_SAFE_NO_PAD.encode(&public[33..65]);
        let decoding = DecodingKey::from_ec_components(&x, &y)
            .map_err(|e| ApiError::Internal(format!("public key: {e}")))?;
        Ok(SigningKey {
            kid: kid.to_string(),
            encoding: EncodingKey::from_ec_der(&der),
            decoding,
            x,
            y,
        })
    }

    /// The public key as a JWKS document, for receivers that verify lcw's tokens.
    pub fn jwks(&self) -> Value {
        json!({"keys": [{"kty": "EC", "crv": "P-256", "x": self.x, "y": self.y, "kid": self.kid, "use": "sig", "alg": "ES256"}]})
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, ApiError> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .map_err(|e| ApiError::Internal(format!("sign: {e}")))
    }
}

/// An external identity provider's verification keys.
pub struct ExternalIdp {
    /// Expected `iss`; `{tenantid}` is replaced by the token's `tid`.
    pub issuer: String,
    pub audience: String,
    pub jwks: JwksSource,
    keys: RwLock<HashMap<String, (Algorithm, DecodingKey)>>,
    last_fetch: Mutex<Option<Instant>>,
}

#[derive(Debug, Clone)]
pub enum JwksSource {
    File(std::path::PathBuf),
    Url(String),
}

impl ExternalIdp {
    pub fn new(issuer: String, audience: String, jwks: JwksSource) -> Self {
        ExternalIdp {
            issuer,
            audience,
            jwks,
            keys: RwLock::new(HashMap::new()),
            last_fetch: Mutex::new(None),
        }
    }

    /// Load the key set now (at start, so a bad `--jwks` fails fast).
    pub async fn refresh(&self) -> Result<usize, String> {
        let text = match &self.jwks {
            JwksSource::File(p) => std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read JWKS file {}: {e}", p.display()))?,
            JwksSource::Url(u) => fetch_url(u).await?,
        };
        let doc: Value =
            serde_json::from_str(&text).map_err(|e| format!("JWKS is not JSON: {e}"))?;
        let mut keys = HashMap::new();
        for k in doc
            .get("keys")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
        {
            let kid = k
                .get("kid")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let s = |n: &str| k.get(n).and_then(Value::as_str).unwrap_or("").to_string();
            let parsed = match s("kty").as_str() {
                "RSA" => DecodingKey::from_rsa_components(&s("n"), &s("e"))
                    .ok()
                    .map(|d| {
                        let alg = match s("alg").as_str() {
                            "RS384" => Algorithm::RS384,
                            "RS512" => Algorithm::RS512,
                            "PS256" => Algorithm::PS256,
                            _ => Algorithm::RS256,
                        };
                        (alg, d)
                    }),
                "EC" => DecodingKey::from_ec_components(&s("x"), &s("y"))
                    .ok()
                    .map(|d| {
                        (
                            if s("crv") == "P-384" {
                                Algorithm::ES384
                            } else {
                                Algorithm::ES256
                            },
                            d,
                        )
                    }),
                _ => None,
            };
            if let Some(p) = parsed {
                keys.insert(kid, p);
            }
        }
        let n = keys.len();
        if n == 0 {
            return Err("the JWKS holds no usable RSA or EC keys".into());
        }
        if let Ok(mut k) = self.keys.write() {
            *k = keys;
        }
        if let Ok(mut t) = self.last_fetch.lock() {
            *t = Some(Instant::now());
        }
        Ok(n)
    }

    fn key(&self, kid: &str) -> Option<(Algorithm, DecodingKey)> {
        self.keys.read().ok()?.get(kid).cloned()
    }

    /// Unknown `kid`: refetch at most once a minute (keys rotate; don't let bad tokens hammer
    /// the provider).
    async fn key_refreshing(&self, kid: &str) -> Option<(Algorithm, DecodingKey)> {
        if let Some(k) = self.key(kid) {
            return Some(k);
        }
        let due = self
            .last_fetch
            .lock()
            .ok()
            .map(|t| t.is_none_or(|t| t.elapsed() > Duration::from_secs(60)))
            .unwrap_or(false);
        if due && self.refresh().await.is_ok() {
            return self.key(kid);
        }
        None
    }
}

async fn fetch_url(url: &str) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let resp = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("cannot fetch JWKS from {url}: {e}"))?;
    if !resp.status().is_success() {
        return Err(format!(
            "cannot fetch JWKS from {url}: HTTP {}",
            resp.status()
        ));
    }
    resp.text().await.map_err(|e| e.to_string())
}

/// Validates bearer tokens; caches good ones so the signature is checked once per token.
pub struct Authenticator {
    dev_key: SigningKey,
    external: Option<ExternalIdp>,
    cache: Mutex<HashMap<String, Principal>>,
}

const CACHE_LIMIT: usize = 10_000;

fn unauth(msg: &str) -> ApiError {
    ApiError::Unauthenticated(msg.to_string())
}

impl Authenticator {
    pub fn new(dev_key: SigningKey, external: Option<ExternalIdp>) -> Self {
        Authenticator {
            dev_key,
            external,
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn dev_key(&self) -> &SigningKey {
        &self.dev_key
    }

    /// Check an `Authorization` header value and return the caller.
    pub async fn authenticate(&self, header: Option<&str>) -> Result<Principal, ApiError> {
        let header = header.ok_or_else(|| unauth("Access token is empty."))?;
        let (scheme, token) = header
            .trim()
            .split_once(' ')
            .ok_or_else(|| unauth("Access token is empty."))?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(unauth("The authorization scheme must be Bearer."));
        }
        let token = token.trim();
        if token.is_empty() {
            return Err(unauth("Access token is empty."));
        }
        let now = chrono::Utc::now().timestamp();
        if let Some(p) = self.cache.lock().ok().and_then(|c| c.get(token).cloned()) {
            if p.expires_at + LEEWAY_SECS as i64 > now {
                return Ok(p);
            }
            return Err(unauth("Lifetime validation failed, the token is expired."));
        }
        let principal = self.verify(token).await?;
        if let Ok(mut c) = self.cache.lock() {
            if c.len() >= CACHE_LIMIT {
                c.clear();
            }
            c.insert(token.to_string(), principal.clone());
        }
        Ok(principal)
    }

    async fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| unauth("IDX14100: JWT is not well formed."))?;
        let kid = header.kid.clone().unwrap_or_default();
        let (alg, key, audiences): (Algorithm, DecodingKey, Vec<String>) = match &self.external {
            Some(ext) => {
                let (alg, key) = ext
                    .key_refreshing(&kid)
                    .await
                    .ok_or_else(|| unauth("The token's signing key (kid) is not known."))?;
                (alg, key, vec![ext.audience.clone()])
            }
            None => {
                if kid != self.dev_key.kid {
                    return Err(unauth("The token's signing key (kid) is not known."));
                }
                (
                    Algorithm::ES256,
                    self.dev_key.decoding.clone(),
                    GRAPH_AUDIENCES.iter().map(|s| s.to_string()).collect(),
                )
            }
        };
        if header.alg != alg {
            return Err(unauth("The token's signing algorithm is not accepted."));
        }
        let mut validation = Validation::new(alg);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_audience(&audiences);
        validation.set_required_spec_claims(&["exp", "aud"]);
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::ExpiredSignature => {
                    unauth("Lifetime validation failed, the token is expired.")
                }
                ErrorKind::ImmatureSignature => {
                    unauth("Lifetime validation failed, the token is not yet valid (nbf).")
                }
                ErrorKind::InvalidAudience => unauth("Invalid audience."),
                ErrorKind::InvalidSignature => unauth("Signature validation failed."),
                _ => unauth("Access token validation failure. Invalid token."),
            }
        })?;
        let c = data.claims;
        let expected_iss = match &self.external {
            Some(ext) => ext.issuer.replace("{tenantid}", &c.tid),
            None => dev_issuer(&c.tid),
        };
        if c.iss != expected_iss {
            return Err(unauth("Invalid issuer."));
        }
        if !model::is_guid(&c.tid) {
            return Err(unauth("The token's tenant (tid) is not a GUID."));
        }
        let delegated = c.scp.is_some();
        let permissions = match (&c.scp, &c.roles) {
            (Some(scp), _) => scp.split_whitespace().map(str::to_string).collect(),
            (None, Some(roles)) => roles.clone(),
            (None, None) => Vec::new(),
        };
        Ok(Principal {
            tenant_id: c.tid.to_ascii_lowercase(),
            object_id: c.oid.or(c.sub).unwrap_or_default(),
            app_id: c.appid.or(c.azp),
            delegated,
            permissions,
            directory_roles: c.wids.unwrap_or_default(),
            expires_at: c.exp,
        })
    }
}

/// What a token must grant for an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    /// Least-privileged permission from the reference.
    pub least: &'static str,
    /// Delegated callers also need a directory role (Lifecycle Workflows operations).
    pub needs_lcw_role: bool,
}

/// Whether `granted` satisfies `required` (the required one or a higher one).
pub fn grants(required: &str, granted: &str) -> bool {
    if granted == required {
        return true;
    }
    let is_read = required.ends_with(".Read.All") || required.ends_with(".ReadBasic.All");
    if let Some(base) = required.strip_suffix(".Read.All") {
        if granted == format!("{base}.ReadWrite.All") {
            return true;
        }
    }
    if required == "LifecycleWorkflows-Workflow.ReadBasic.All"
        && matches!(
            granted,
            "LifecycleWorkflows-Workflow.Read.All" | "LifecycleWorkflows-Workflow.ReadWrite.All"
        )
    {
        return true;
    }
    if required == "LifecycleWorkflows-Workflow.Activate"
        && granted == "LifecycleWorkflows-Workflow.ReadWrite.All"
    {
        return true;
    }
    if required.starts_with("LifecycleWorkflows-") {
        return granted == "LifecycleWorkflows.ReadWrite.All"
            || (is_read && granted == "LifecycleWorkflows.Read.All");
    }
    let directory_area = ["User.", "Group.", "GroupMember."]
        .iter()
        .any(|p| required.starts_with(p));
    if directory_area {
        if granted == "Directory.ReadWrite.All" {
            return true;
        }
        if is_read && granted == "Directory.Read.All" {
            return true;
        }
        if required.starts_with("GroupMember.") {
            let upgraded = required.replacen("GroupMember.", "Group.", 1);
            return grants(&upgraded, granted);
        }
        if required == "User.ReadBasic.All" {
            return matches!(granted, "User.Read.All" | "User.ReadWrite.All");
        }
    }
    false
}

impl Principal {
    /// Enforce the permission table for one operation.
    pub fn authorize(&self, perm: Permission, write: bool) -> Result<(), ApiError> {
        if !self.permissions.iter().any(|g| grants(perm.least, g)) {
            return Err(ApiError::Forbidden(format!(
                "Insufficient privileges to complete the operation. Requires the '{}' permission (or a higher one) in the token's {}.",
                perm.least,
                if self.delegated { "scp" } else { "roles" }
            )));
        }
        if self.delegated && perm.needs_lcw_role {
            let has = |r: &str| {
                self.directory_roles
                    .iter()
                    .any(|w| w.eq_ignore_ascii_case(r))
            };
            // Global Administrator holds every permission of the lesser roles.
            let ok = if write {
                has(roles::LIFECYCLE_WORKFLOWS_ADMINISTRATOR) || has(roles::GLOBAL_ADMINISTRATOR)
            } else {
                has(roles::LIFECYCLE_WORKFLOWS_ADMINISTRATOR)
                    || has(roles::GLOBAL_READER)
                    || has(roles::GLOBAL_ADMINISTRATOR)
            };
            if !ok {
                return Err(ApiError::Forbidden(format!(
                    "Insufficient privileges to complete the operation. The signed-in user needs the {} directory role.",
                    if write { "Lifecycle Workflows Administrator (or Global Administrator)" } else { "Lifecycle Workflows Administrator, Global Reader or Global Administrator" }
                )));
            }
        }
        Ok(())
    }
}

/// Options for minting a dev token (`lcw token`).
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub tenant: String,
    pub delegated: bool,
    pub permissions: Vec<String>,
    pub directory_roles: Vec<String>,
    pub object_id: String,
    /// The calling application (`appid`).
    pub app_id: String,
    pub expires_in: i64,
}

impl TokenRequest {
    /// The default app token: full Lifecycle Workflows and directory permissions.
    pub fn default_app() -> Self {
        TokenRequest {
            tenant: DEFAULT_TENANT.into(),
            delegated: false,
            permissions: lifecycle::identity::FULL_PERMISSIONS
                .iter()
                .map(|p| p.to_string())
                .collect(),
            directory_roles: Vec::new(),
            object_id: DEFAULT_APP_OBJECT_ID.into(),
            app_id: DEFAULT_APP_ID.into(),
            expires_in: 24 * 3600,
        }
    }
}

/// Sign a dev token.
pub fn issue_token(key: &SigningKey, req: &TokenRequest) -> Result<String, ApiError> {
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        aud: json!(GRAPH_AUDIENCES[0]),
        iss: dev_issuer(&req.tenant),
        tid: req.tenant.clone(),
        oid: Some(req.object_id.clone()),
        sub: Some(req.object_id.clone()),
        appid: Some(req.app_id.clone()),
        azp: None,
        roles: (!req.delegated).then(|| req.permissions.clone()),
        scp: req.delegated.then(|| req.permissions.join(" ")),
        wids: req.delegated.then(|| req.directory_roles.clone()),
        exp: now + req.expires_in,
        nbf: Some(now),
        iat: now,
        ver: None,
        idtyp: None,
        appidacr: None,
    };
    key.sign(&claims)
}

/// How long tokens from the token endpoint live (Entra's are valid 60 to 90 minutes).
pub const APP_TOKEN_SECONDS: i64 = 3599;

/// The access token the token endpoint issues to a signed-in app, shaped as Graph's app
/// tokens: `roles`, `tid`, `appid` and `azp`, `oid` and `sub` (the app's object id), Graph's
/// audience, and the issuer every lcw node on the database accepts.
pub fn issue_app_token(
    key: &SigningKey,
    app: &store::AppRow,
    with_certificate: bool,
) -> Result<String, ApiError> {
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        aud: json!(GRAPH_AUDIENCES[0]),
        iss: dev_issuer(&app.tenant_id),
        tid: app.tenant_id.clone(),
        oid: Some(app.object_id.clone()),
        sub: Some(app.object_id.clone()),
        appid: Some(app.client_id.clone()),
        azp: Some(app.client_id.clone()),
        roles: Some(app.permissions.clone()),
        scp: None,
        wids: None,
        exp: now + APP_TOKEN_SECONDS,
        nbf: Some(now),
        iat: now,
        ver: Some("1.0".into()),
        idtyp: Some("app".into()),
        appidacr: Some(if with_certificate { "2" } else { "1" }.into()),
    };
    key.sign(&claims)
}

/// Callout tokens: lcw calling a custom task extension as Lifecycle Workflows. Receivers verify
/// them with `/.well-known/jwks.json`; the audience is the extension's resource.
impl engine::callout::CalloutSigner for SigningKey {
    fn token(&self, tenant: &str, audience: &str) -> Result<String, String> {
        let now = chrono::Utc::now().timestamp();
        let app = engine::callout::LIFECYCLE_WORKFLOWS_APP_ID;
        let claims = Claims {
            aud: json!(audience),
            iss: dev_issuer(tenant),
            tid: tenant.to_string(),
            oid: Some(app.into()),
            sub: Some(app.into()),
            appid: Some(app.into()),
            azp: Some(app.into()),
            roles: None,
            scp: None,
            wids: None,
            exp: now + 600,
            nbf: Some(now),
            iat: now,
            ver: None,
            idtyp: None,
            appidacr: None,
        };
        self.sign(&claims).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn higher_permissions_satisfy_lower_ones() {
        assert!(grants(
            "LifecycleWorkflows-Workflow.ReadBasic.All",
            "LifecycleWorkflows.Read.All"
        ));
        assert!(grants(
            "LifecycleWorkflows-Workflow.ReadBasic.All",
            "LifecycleWorkflows-Workflow.ReadWrite.All"
        ));
        assert!(grants(
            "LifecycleWorkflows-Reports.Read.All",
            "LifecycleWorkflows.ReadWrite.All"
        ));
        assert!(grants(
            "LifecycleWorkflows.Read.All",
            "LifecycleWorkflows.ReadWrite.All"
        ));
        assert!(grants(
            "LifecycleWorkflows-Workflow.Activate",
            "LifecycleWorkflows-Workflow.ReadWrite.All"
        ));
        assert!(!grants(
            "LifecycleWorkflows-Workflow.ReadWrite.All",
            "LifecycleWorkflows.Read.All"
        ));
        assert!(!grants(
            "LifecycleWorkflows-Workflow.ReadWrite.All",
            "LifecycleWorkflows-Workflow.Read.All"
        ));
        assert!(!grants(
            "LifecycleWorkflows.ReadWrite.All",
            "LifecycleWorkflows-Workflow.ReadWrite.All"
        ));
        assert!(grants("User.Read.All", "Directory.Read.All"));
        assert!(grants("GroupMember.ReadWrite.All", "Group.ReadWrite.All"));
        assert!(!grants("User.ReadWrite.All", "User.Read.All"));
    }
}
