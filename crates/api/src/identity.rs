//! Entra's sign-in endpoints on lcw's own listener, with login.microsoftonline.com's paths
//! and shapes (`{tenant}` is a tenant id or its domain name):
//!
//! - `GET /{tenant}/v2.0/.well-known/openid-configuration`: the discovery document, every
//!   URL on lcw's origin as the caller reached it;
//! - `GET /{tenant}/discovery/v2.0/keys`: the key that signs lcw's tokens;
//! - `POST /{tenant}/oauth2/v2.0/token`: the client credentials grant, with a client secret
//!   (form or HTTP Basic) or a client assertion signed with a registered certificate.
//!
//! Also lcw's admin endpoints for tenants and app registrations (`/lcw/admin/tenants`,
//! `/lcw/admin/apps`), and the JSON both they and `lcw tenant|app --json` print.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};

use crate::auth::Permission;
use crate::error::{ApiError, EntraError};
use crate::server::{header_str, origin, read_any_body, RequestIds};
use crate::AppState;

/// Which identity endpoint a path names, with the tenant as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    OpenIdConfiguration(String),
    Keys(String),
    Token(String),
}

impl Endpoint {
    /// The endpoint of a request path, if it is one.
    pub fn of(path: &str) -> Option<Endpoint> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let (tenant, rest) = segments.split_first()?;
        let tenant = odata::percent_decode(tenant);
        if tenant.is_empty() {
            return None;
        }
        match rest {
            ["v2.0", ".well-known", "openid-configuration"] => {
                Some(Endpoint::OpenIdConfiguration(tenant))
            }
            // MSAL asks an `adfs` authority for its document without the `/v2.0`.
            [".well-known", "openid-configuration"] if is_adfs_alias(&tenant) => {
                Some(Endpoint::OpenIdConfiguration(tenant))
            }
            ["discovery", "v2.0", "keys"] => Some(Endpoint::Keys(tenant)),
            ["oauth2", "v2.0", "token"] => Some(Endpoint::Token(tenant)),
            _ => None,
        }
    }
}

/// MSAL (so azure-identity's synchronous credentials) asks login.microsoftonline.com about any
/// authority host it does not know, unless told `disable_instance_discovery`, or unless the
/// authority's tenant is `adfs`. lcw answers that name as its default tenant, so
/// `AZURE_TENANT_ID=adfs` signs the default tenant's apps in with no flag at all.
fn is_adfs_alias(tenant: &str) -> bool {
    tenant.eq_ignore_ascii_case("adfs")
}

/// The tenant a sign-in names, the `adfs` alias resolved.
fn sign_in_name(tenant: &str) -> &str {
    if is_adfs_alias(tenant) {
        crate::auth::DEFAULT_TENANT
    } else {
        tenant
    }
}

/// The client assertion type of a certificate credential (RFC 7523).
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Graph's application id, one of the resources a scope may name.
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
/// Seconds of clock difference tolerated in a client assertion's `exp` and `nbf`.
const ASSERTION_LEEWAY: i64 = 300;

/// Answer an identity endpoint; every failure is Entra's error JSON.
pub(crate) async fn serve(
    state: &AppState,
    endpoint: Endpoint,
    req: Request,
    ids: &RequestIds,
) -> Response {
    match answer(state, endpoint, req).await {
        Ok(value) => entra_json(StatusCode::OK, &value),
        Err(e) => {
            let body = e.body(&ids.request_id, &ids.client_request_id, chrono::Utc::now());
            let mut resp = Response::new(Body::from(body));
            *resp.status_mut() = e.status;
            set_json(&mut resp);
            if e.status == StatusCode::UNAUTHORIZED {
                resp.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"lcw\""),
                );
            }
            resp
        }
    }
}

fn set_json(resp: &mut Response) {
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    // Tokens and their errors must not be cached (RFC 6749 §5.1).
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

fn entra_json(status: StatusCode, value: &Value) -> Response {
    let mut resp = Response::new(Body::from(serde_json::to_vec(value).unwrap_or_default()));
    *resp.status_mut() = status;
    set_json(&mut resp);
    resp
}

fn from_api(e: ApiError) -> EntraError {
    match e {
        ApiError::PayloadTooLarge(_) | ApiError::RequestTimeout | ApiError::BadRequest { .. } => {
            EntraError::invalid_request(900144, e.to_string())
        }
        other => {
            tracing::error!(detail = %other, "identity endpoint failed");
            EntraError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                50000,
                "There was an error issuing a token or an issue with our sign-in service.",
            )
        }
    }
}

async fn answer(state: &AppState, endpoint: Endpoint, req: Request) -> Result<Value, EntraError> {
    let (parts, body) = req.into_parts();
    let base = origin(&parts, state.trust_proxy)
        .map(|o| format!("{}://{}", o.scheme, o.host))
        .map_err(from_api)?;
    match endpoint {
        Endpoint::OpenIdConfiguration(t) | Endpoint::Keys(t) if parts.method != Method::GET => {
            Err(only(&parts.method, "GET", &t))
        }
        Endpoint::OpenIdConfiguration(t) => {
            let tenant = discovery_tenant(state, &t).await?;
            Ok(openid_configuration(&base, &tenant.id))
        }
        Endpoint::Keys(t) => {
            discovery_tenant(state, &t).await?;
            Ok(state.auth.dev_key().jwks())
        }
        Endpoint::Token(t) if parts.method != Method::POST => Err(only(&parts.method, "POST", &t)),
        Endpoint::Token(t) => {
            let bytes = read_any_body(state, body, &parts.headers)
                .await
                .map_err(from_api)?;
            let form = Form::parse(&bytes);
            let basic = header_str(&parts.headers, "authorization").and_then(basic_credentials);
            token(state, &base, &t, &form, basic).await
        }
    }
}

fn only(method: &Method, allowed: &str, _tenant: &str) -> EntraError {
    EntraError::invalid_request(
        900561,
        format!("The endpoint only accepts {allowed} requests. Received a {method} request."),
    )
}

async fn discovery_tenant(state: &AppState, tenant: &str) -> Result<store::TenantRow, EntraError> {
    state
        .domain
        .sign_in_tenant(sign_in_name(tenant))
        .await
        .map_err(|e| match e {
            lifecycle::identity::SignInError::UnknownTenant(t) => {
                EntraError::unknown_tenant(&t, "invalid_tenant")
            }
            other => other.into(),
        })
}

/// Entra's discovery document for a tenant, on lcw's origin `base`.
fn openid_configuration(base: &str, tenant_id: &str) -> Value {
    let at = |path: &str| format!("{base}/{tenant_id}/{path}");
    let host = base.split("://").nth(1).unwrap_or(base);
    json!({
        "token_endpoint": at("oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": at("discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": at("v2.0"),
        "request_uri_parameter_supported": false,
        "authorization_endpoint": at("oauth2/v2.0/authorize"),
        "device_authorization_endpoint": at("oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": at("oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "tid", "ver", "oid", "roles", "appid", "azp"],
        "kerberos_endpoint": at("kerberos"),
        "tenant_region_scope": null,
        "cloud_instance_name": host,
        "cloud_graph_host_name": host,
        "msgraph_host": host,
        "rbac_url": base,
        "grant_types_supported": ["client_credentials"],
    })
}

/// An `application/x-www-form-urlencoded` body. Fields lcw does not use (`client_info`,
/// `claims` for continuous access evaluation, ...) are read and ignored.
struct Form(Vec<(String, String)>);

impl Form {
    fn parse(body: &[u8]) -> Form {
        let text = String::from_utf8_lossy(body);
        let decode = |s: &str| odata::percent_decode(&s.replace('+', " "));
        Form(
            text.split('&')
                .filter(|p| !p.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    (decode(k), decode(v))
                })
                .collect(),
        )
    }

    /// A field's value; an empty one counts as absent.
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// `Authorization: Basic` client credentials: `client_id:client_secret`, each form-encoded
/// (RFC 6749 §2.3.1).
fn basic_credentials(header: &str) -> Option<(String, String)> {
    let (scheme, value) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(value.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let decode = |s: &str| odata::percent_decode(&s.replace('+', " "));
    Some((decode(id), decode(secret)))
}

/// The client credentials grant.
async fn token(
    state: &AppState,
    base: &str,
    tenant_ref: &str,
    form: &Form,
    basic: Option<(String, String)>,
) -> Result<Value, EntraError> {
    match form.get("grant_type") {
        None => return Err(EntraError::missing("grant_type")),
        Some("client_credentials") => {}
        Some(other) => {
            return Err(EntraError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                70003,
                format!("The app requested an unsupported grant type '{other}'. lcw grants client_credentials only."),
            ))
        }
    }
    let tenant = state
        .domain
        .sign_in_tenant(sign_in_name(tenant_ref))
        .await?;
    let (basic_id, basic_secret) = basic.unzip();
    let client_id = form
        .get("client_id")
        .map(str::to_string)
        .or(basic_id)
        .ok_or_else(|| EntraError::missing("client_id"))?;
    check_scope(form.get("scope"), base)?;
    let secret = form
        .get("client_secret")
        .map(str::to_string)
        .or(basic_secret);
    let app = match (secret, form.get("client_assertion")) {
        (Some(secret), _) => {
            state
                .domain
                .sign_in_app(
                    &tenant,
                    &client_id,
                    lifecycle::identity::ClientProof::Secret(&secret),
                )
                .await?
        }
        (None, Some(assertion)) => {
            if form.get("client_assertion_type") != Some(JWT_BEARER) {
                return Err(EntraError::invalid_request(
                    50027,
                    format!("The client_assertion_type must be '{JWT_BEARER}'."),
                ));
            }
            let audiences = [
                format!("{base}/{tenant_ref}/oauth2/v2.0/token"),
                format!("{base}/{}/oauth2/v2.0/token", tenant.id),
                format!("{base}/{}/oauth2/v2.0/token", tenant.domain),
            ];
            let (sha1, sha256, alg) = read_assertion(assertion, &client_id, &audiences)?;
            let verify = |cert: &store::CertificateRow| verify_assertion(assertion, alg, cert);
            let proof = lifecycle::identity::ClientProof::Assertion {
                sha1,
                sha256,
                verify: &verify,
            };
            let app = state.domain.sign_in_app(&tenant, &client_id, proof).await?;
            return issued(state, &app, true);
        }
        (None, None) => {
            return Err(EntraError::invalid_client(
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            ))
        }
    };
    issued(state, &app, false)
}

fn issued(state: &AppState, app: &store::AppRow, certificate: bool) -> Result<Value, EntraError> {
    let token =
        crate::auth::issue_app_token(state.auth.dev_key(), app, certificate).map_err(from_api)?;
    Ok(json!({
        "token_type": "Bearer",
        "expires_in": crate::auth::APP_TOKEN_SECONDS,
        "ext_expires_in": crate::auth::APP_TOKEN_SECONDS,
        "access_token": token,
    }))
}

/// The client credentials grant asks for a resource's `/.default`: Graph's (by URL or app
/// id), or lcw's own origin, which the Graph SDKs ask for when no scope is configured.
/// OpenID scopes beside it are ignored.
fn check_scope(scope: Option<&str>, base: &str) -> Result<(), EntraError> {
    let scope = scope.ok_or_else(|| EntraError::missing("scope"))?;
    let resources: Vec<&str> = scope
        .split_whitespace()
        .filter(|s| !matches!(*s, "openid" | "profile" | "offline_access" | "email"))
        .collect();
    let invalid = || {
        EntraError::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            70011,
            format!(
                "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."
            ),
        )
    };
    let [resource] = resources.as_slice() else {
        return Err(invalid());
    };
    let Some(resource) = resource.strip_suffix("/.default") else {
        return Err(EntraError::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        ));
    };
    let resource = resource.trim_end_matches('/').to_ascii_lowercase();
    let known = ["https://graph.microsoft.com", GRAPH_APP_ID]
        .iter()
        .any(|r| *r == resource)
        || resource == base.to_ascii_lowercase();
    if known {
        Ok(())
    } else {
        Err(invalid())
    }
}

/// Check a client assertion's header and claims (its signature is checked against the
/// certificate it names, once found): the certificate's thumbprints and the algorithm.
#[allow(clippy::type_complexity)]
fn read_assertion(
    assertion: &str,
    client_id: &str,
    audiences: &[String],
) -> Result<(Option<Vec<u8>>, Option<Vec<u8>>, jsonwebtoken::Algorithm), EntraError> {
    let bad = |why: &str| {
        EntraError::invalid_client(
            700027,
            format!("Client assertion failed signature validation. {why}"),
        )
    };
    let header = jsonwebtoken::decode_header(assertion)
        .map_err(|_| bad("The client assertion is not a well-formed JWT."))?;
    let alg = header.alg;
    if !matches!(
        alg,
        jsonwebtoken::Algorithm::RS256
            | jsonwebtoken::Algorithm::PS256
            | jsonwebtoken::Algorithm::ES256
    ) {
        return Err(bad(
            "The client assertion must be signed with RS256, PS256 or ES256.",
        ));
    }
    let thumb =
        |t: Option<&String>| t.and_then(|t| URL_SAFE_NO_PAD.decode(t.trim_end_matches('=')).ok());
    let (sha1, sha256) = (thumb(header.x5t.as_ref()), thumb(header.x5t_s256.as_ref()));
    if sha1.is_none() && sha256.is_none() {
        return Err(bad(
            "The client assertion's header names no certificate (x5t or x5t#S256).",
        ));
    }
    let claims: Value = assertion
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| bad("The client assertion's claims are not JSON."))?;
    let text = |name: &str| claims.get(name).and_then(Value::as_str).unwrap_or("");
    if !text("iss").eq_ignore_ascii_case(client_id) || !text("sub").eq_ignore_ascii_case(client_id)
    {
        return Err(EntraError::invalid_request(
            700021,
            "Client assertion application identifier doesn't match 'client_id' parameter.",
        ));
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => audiences
            .iter()
            .any(|x| x.eq_ignore_ascii_case(a.trim_end_matches('/'))),
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).any(|a| {
            audiences
                .iter()
                .any(|x| x.eq_ignore_ascii_case(a.trim_end_matches('/')))
        }),
        _ => false,
    };
    if !aud_ok {
        return Err(bad(&format!(
            "The client assertion's audience must be the token endpoint, {}.",
            audiences.first().map(String::as_str).unwrap_or("")
        )));
    }
    let now = chrono::Utc::now().timestamp();
    // NumericDate may carry fractions of a second: MSAL Python writes `time.time() + 600`.
    let seconds = |name: &str| claims.get(name).and_then(Value::as_f64).map(|s| s as i64);
    let (exp, nbf) = (seconds("exp"), seconds("nbf"));
    if exp.is_none_or(|e| e + ASSERTION_LEEWAY < now)
        || nbf.is_some_and(|n| n - ASSERTION_LEEWAY > now)
    {
        return Err(EntraError::invalid_client(
            700024,
            "Client assertion is not within its valid time range.",
        ));
    }
    Ok((sha1, sha256, alg))
}

/// Verify a client assertion's signature with a registered certificate's public key.
fn verify_assertion(
    assertion: &str,
    alg: jsonwebtoken::Algorithm,
    cert: &store::CertificateRow,
) -> Result<(), String> {
    use jsonwebtoken::Algorithm as A;
    let key = STANDARD
        .decode(&cert.public_key)
        .map_err(|_| "The registered certificate's key is unreadable.".to_string())?;
    let decoding = match (cert.key_type.as_str(), alg) {
        ("RSA", A::RS256 | A::PS256) => jsonwebtoken::DecodingKey::from_rsa_der(&key),
        ("EC", A::ES256) => jsonwebtoken::DecodingKey::from_ec_der(&key),
        _ => {
            return Err(format!(
                "The assertion's algorithm {alg:?} does not fit the certificate's {} key.",
                cert.key_type
            ))
        }
    };
    let mut validation = jsonwebtoken::Validation::new(alg);
    // Times and audience were checked already; only the signature is left.
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(assertion, &decoding, &validation)
        .map(|_| ())
        .map_err(|_| "The signature does not verify with the registered certificate.".to_string())
}

// ---- /lcw/admin/tenants and /lcw/admin/apps ----

/// Whether an admin route is one of these.
pub(crate) fn is_admin_route(route: &str) -> bool {
    ["tenants", "apps"]
        .iter()
        .any(|r| route == *r || route.starts_with(&format!("{r}/")))
}

/// Tenants and apps are every tenant's: managing them takes `Application.ReadWrite.All`.
pub(crate) async fn admin(
    state: &AppState,
    method: &Method,
    authorization: Option<&str>,
    route: &str,
    query: Option<&str>,
    body: &Bytes,
) -> Result<(StatusCode, Value), ApiError> {
    let principal = state.auth.authenticate(authorization).await?;
    principal.authorize(
        Permission {
            least: "Application.ReadWrite.All",
            needs_lcw_role: false,
        },
        *method != Method::GET,
    )?;
    let domain = &state.domain;
    let segments: Vec<String> = route.split('/').map(odata::percent_decode).collect();
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    let not_found =
        || ApiError::NotFound(format!("No admin endpoint {method} /lcw/admin/{route}."));
    match (method.as_str(), segs.as_slice()) {
        ("GET", ["tenants"]) => {
            let list = domain.tenants().await?;
            Ok((
                StatusCode::OK,
                json!({ "value": list.iter().map(tenant_json).collect::<Vec<_>>() }),
            ))
        }
        ("POST", ["tenants"]) => {
            let b = json_body(body)?;
            let domain_name = b.get("domainName").and_then(Value::as_str).ok_or_else(|| {
                ApiError::BadRequest {
                    message: "A tenant needs a 'domainName'.".into(),
                    target: Some("domainName".into()),
                }
            })?;
            let id = b.get("id").and_then(Value::as_str);
            let tenant = domain.create_tenant(domain_name, id).await?;
            Ok((StatusCode::CREATED, tenant_json(&tenant)))
        }
        ("GET", ["tenants", id]) => Ok((StatusCode::OK, tenant_json(&domain.tenant(id).await?))),
        ("DELETE", ["tenants", id]) => {
            domain.delete_tenant(id).await?;
            Ok((StatusCode::NO_CONTENT, Value::Null))
        }
        ("POST", ["tenants", id, "reset"]) => {
            domain.reset_tenant(id).await?;
            Ok((StatusCode::NO_CONTENT, Value::Null))
        }
        ("GET", ["apps"]) => {
            let tenant = query
                .unwrap_or("")
                .split('&')
                .find_map(|p| p.strip_prefix("tenantId="))
                .map(odata::percent_decode);
            let apps = domain.apps(tenant.as_deref()).await?;
            Ok((
                StatusCode::OK,
                json!({ "value": apps.iter().map(app_json).collect::<Vec<_>>() }),
            ))
        }
        ("POST", ["apps"]) => {
            let b = json_body(body)?;
            let new = lifecycle::identity::NewRegistration {
                tenant_id: b
                    .get("tenantId")
                    .and_then(Value::as_str)
                    .unwrap_or(&principal.tenant_id)
                    .to_string(),
                display_name: b
                    .get("displayName")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                permissions: string_list(&b, "permissions")?,
                secret_days: days(&b, "secretExpiresInDays")?,
            };
            let registered = domain.register_app(&new).await?;
            let mut out = app_json(&registered.app);
            out["clientSecret"] = json!(registered.secret.text);
            out["passwordCredentials"] = json!([secret_json(&registered.secret)]);
            Ok((StatusCode::CREATED, out))
        }
        ("GET", ["apps", id]) => Ok((StatusCode::OK, credentials_json(&domain.app(id).await?))),
        ("DELETE", ["apps", id]) => {
            domain.remove_app(id).await?;
            Ok((StatusCode::NO_CONTENT, Value::Null))
        }
        ("POST", ["apps", id, "secrets"]) => {
            let b = json_body(body)?;
            let name = b.get("displayName").and_then(Value::as_str);
            let lifetime = match b.get("endDateTime").and_then(Value::as_str) {
                Some(end) => lifecycle::identity::SecretLifetime::Until(
                    model::time::parse_datetime(end).ok_or_else(|| ApiError::BadRequest {
                        message: format!(
                            "'endDateTime' must be an RFC 3339 date-time, got '{end}'."
                        ),
                        target: Some("endDateTime".into()),
                    })?,
                ),
                None => lifecycle::identity::SecretLifetime::Days(days(&b, "expiresInDays")?),
            };
            let secret = domain.add_app_secret(id, name, lifetime).await?;
            Ok((StatusCode::CREATED, secret_json(&secret)))
        }
        ("POST", ["apps", id, "certificates"]) => {
            let b = json_body(body)?;
            let cert = b
                .get("certificate")
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::BadRequest {
                    message: "Send the certificate (PEM or base64 DER) as 'certificate'.".into(),
                    target: Some("certificate".into()),
                })?;
            let row = domain.add_app_certificate(id, cert.as_bytes()).await?;
            Ok((StatusCode::CREATED, certificate_json(&row)))
        }
        _ => Err(not_found()),
    }
}

fn json_body(body: &Bytes) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("The request body is not valid JSON: {e}.")))
}

fn string_list(b: &Value, name: &str) -> Result<Vec<String>, ApiError> {
    match b.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| ApiError::BadRequest {
                        message: format!("'{name}' must be a list of strings."),
                        target: Some(name.into()),
                    })
            })
            .collect(),
        Some(_) => Err(ApiError::BadRequest {
            message: format!("'{name}' must be a list of strings."),
            target: Some(name.into()),
        }),
    }
}

fn days(b: &Value, name: &str) -> Result<i64, ApiError> {
    match b.get(name) {
        None | Some(Value::Null) => Ok(lifecycle::identity::DEFAULT_SECRET_DAYS),
        Some(v) => v.as_i64().ok_or_else(|| ApiError::BadRequest {
            message: format!("'{name}' must be a whole number of days."),
            target: Some(name.into()),
        }),
    }
}

/// A tenant as lcw's admin API and `lcw tenant --json` show it.
pub fn tenant_json(t: &store::TenantRow) -> Value {
    json!({ "id": t.id, "domainName": t.domain, "createdDateTime": t.created_at })
}

/// An app registration without its credentials.
pub fn app_json(a: &store::AppRow) -> Value {
    json!({
        "tenantId": a.tenant_id,
        "clientId": a.client_id,
        "objectId": a.object_id,
        "displayName": a.display_name,
        "permissions": a.permissions,
        "createdDateTime": a.created_at,
    })
}

/// An app with what is known of its credentials: secrets' hints and expiry, certificates'
/// thumbprints; never a secret.
pub fn credentials_json(c: &store::AppCredentials) -> Value {
    let mut out = app_json(&c.app);
    out["passwordCredentials"] = c
        .secrets
        .iter()
        .map(|s| {
            json!({
                "keyId": s.key_id, "displayName": s.display_name, "hint": s.hint,
                "startDateTime": s.created_at, "endDateTime": s.expires_at,
            })
        })
        .collect();
    out["keyCredentials"] = c.certificates.iter().map(certificate_json).collect();
    out
}

/// A secret as made: the only time its text is shown (`secretText`, as Graph's
/// `addPassword` answers).
pub fn secret_json(s: &lifecycle::identity::NewSecret) -> Value {
    json!({
        "keyId": s.key_id,
        "displayName": s.display_name,
        "hint": s.hint,
        "secretText": s.text,
        "startDateTime": model::time::format_datetime(s.created_at),
        "endDateTime": model::time::format_datetime(s.expires_at),
    })
}

pub fn certificate_json(c: &store::CertificateRow) -> Value {
    json!({
        "keyId": c.key_id,
        "type": "AsymmetricX509Cert",
        "thumbprint": c.thumbprint_sha1,
        "thumbprintSha256": c.thumbprint_sha256,
        "keyType": c.key_type,
        "startDateTime": c.created_at,
        "endDateTime": c.expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_paths() {
        assert_eq!(
            Endpoint::of("/contoso.onmicrosoft.com/oauth2/v2.0/token"),
            Some(Endpoint::Token("contoso.onmicrosoft.com".into()))
        );
        assert_eq!(
            Endpoint::of("/t/v2.0/.well-known/openid-configuration"),
            Some(Endpoint::OpenIdConfiguration("t".into()))
        );
        assert_eq!(
            Endpoint::of("/t/discovery/v2.0/keys"),
            Some(Endpoint::Keys("t".into()))
        );
        assert_eq!(
            Endpoint::of("/adfs/.well-known/openid-configuration"),
            Some(Endpoint::OpenIdConfiguration("adfs".into()))
        );
        assert_eq!(Endpoint::of("/t/.well-known/openid-configuration"), None);
        assert_eq!(sign_in_name("ADFS"), crate::auth::DEFAULT_TENANT);
        assert_eq!(sign_in_name("contoso.example"), "contoso.example");
        assert_eq!(Endpoint::of("/beta/users"), None);
        assert_eq!(Endpoint::of("//oauth2/v2.0/token"), None);
    }

    #[test]
    fn scopes() {
        let base = "https://127.0.0.1:8443";
        assert!(check_scope(Some("https://graph.microsoft.com/.default"), base).is_ok());
        assert!(check_scope(Some("00000003-0000-0000-c000-000000000000/.default"), base).is_ok());
        assert!(check_scope(Some("https://127.0.0.1:8443/.default offline_access"), base).is_ok());
        assert_eq!(
            check_scope(Some("User.Read"), base).unwrap_err().code,
            1002012
        );
        assert_eq!(
            check_scope(Some("https://example.com/.default"), base)
                .unwrap_err()
                .code,
            70011
        );
        assert_eq!(check_scope(None, base).unwrap_err().code, 900144);
    }

    #[test]
    fn form_decoding() {
        let f =
            Form::parse(b"a=1&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default+openid&empty=");
        assert_eq!(
            f.get("scope"),
            Some("https://graph.microsoft.com/.default openid")
        );
        assert_eq!(f.get("empty"), None);
        assert_eq!(
            basic_credentials("Basic YWJjOmQlMkJlZg=="),
            Some(("abc".into(), "d+ef".into()))
        );
    }
}
