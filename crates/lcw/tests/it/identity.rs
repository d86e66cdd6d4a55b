//! Entra's sign-in endpoints, app registrations and tenants: the discovery documents, the
//! client credentials grant with secrets (form and HTTP Basic) and certificate assertions,
//! Entra's errors, `/lcw/admin/tenants|apps`, `lcw tenant|app`, a tenant reset that leaves
//! other tenants alone, and `lcw token --count`.

use std::process::Command;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};

use crate::both_backends;
use crate::harness::{into_resp, lcw_bin, Resp, Tenant, LW};

const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";
const APP_CERT: &str = include_str!("fixtures/app-cert.pem");
const APP_KEY: &str = include_str!("fixtures/app-key.pem");
const OTHER_KEY: &str = include_str!("fixtures/other-key.pem");

/// `http://127.0.0.1:PORT`, where the identity endpoints are.
fn origin(t: &Tenant) -> String {
    t.server.base.trim_end_matches("/beta").to_string()
}

/// An lcw admin request with the tenant's default token.
async fn admin(t: &Tenant, method: &str, path: &str, body: Option<&Value>) -> Resp {
    t.send(method, &format!("{}/lcw/admin/{path}", origin(t)), body)
        .await
}

/// Register an app in the test's tenant (registering it) through the admin API.
async fn register(t: &Tenant, permissions: &[&str]) -> (String, String) {
    let r = admin(
        t,
        "POST",
        "apps",
        Some(&json!({"tenantId": t.id, "displayName": "test app", "permissions": permissions})),
    )
    .await;
    r.expect(201);
    assert_eq!(r.body["tenantId"], t.id.as_str());
    (
        r.body["clientId"].as_str().unwrap().to_string(),
        r.body["clientSecret"].as_str().unwrap().to_string(),
    )
}

/// POST a form to the tenant's token endpoint (`tenant` as written in the path).
async fn token_request(
    t: &Tenant,
    tenant: &str,
    form: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> Resp {
    let body: String = form
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut req = t
        .client
        .post(format!("{}/{tenant}/oauth2/v2.0/token", origin(t)))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    into_resp(req.send().await.unwrap()).await
}

/// Form-encode a value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// Assert Entra's error body with this status, OAuth error and AADSTS code.
#[track_caller]
fn expect_entra(r: &Resp, status: u16, error: &str, code: u64) {
    assert_eq!(r.status, status, "body: {}", r.text);
    assert_eq!(r.body["error"], error, "body: {}", r.text);
    assert_eq!(r.body["error_codes"], json!([code]), "body: {}", r.text);
    let description = r.body["error_description"].as_str().unwrap_or("");
    assert!(
        description.starts_with(&format!("AADSTS{code}:")),
        "description: {description}"
    );
    for field in ["timestamp", "trace_id", "correlation_id"] {
        assert!(r.body[field].is_string(), "no {field}: {}", r.text);
    }
}

fn secret_form<'a>(client_id: &'a str, secret: &'a str, scope: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_secret", secret),
        ("scope", scope),
    ]
}

both_backends!(identity_discovery_documents, |t| {
    register(&t, &["LifecycleWorkflows.Read.All"]).await;
    let base = origin(&t);
    let domain = format!("{}.lcw.local", t.id);
    for tenant in [t.id.as_str(), domain.as_str()] {
        let r = t
            .raw(
                "GET",
                &format!("{base}/{tenant}/v2.0/.well-known/openid-configuration"),
                None,
                &[],
                None,
            )
            .await;
        r.expect(200);
        let doc = &r.body;
        // Every URL is on lcw's origin, with the tenant id first in the path.
        let prefix = format!("{base}/{}/", t.id);
        for field in [
            "token_endpoint",
            "authorization_endpoint",
            "jwks_uri",
            "issuer",
        ] {
            let url = doc[field].as_str().unwrap_or("");
            assert!(url.starts_with(&prefix), "{field}: {url}");
        }
        assert_eq!(doc["token_endpoint"], format!("{prefix}oauth2/v2.0/token"));
        assert_eq!(doc["issuer"], format!("{prefix}v2.0"));
        assert!(doc["token_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("private_key_jwt")));
        let keys = t
            .raw("GET", doc["jwks_uri"].as_str().unwrap(), None, &[], None)
            .await;
        keys.expect(200);
        let published = t
            .raw(
                "GET",
                &format!("{base}/.well-known/jwks.json"),
                None,
                &[],
                None,
            )
            .await;
        assert_eq!(keys.body, published.body);
    }
    let unknown = uuid::Uuid::new_v4();
    let r = t
        .raw(
            "GET",
            &format!("{base}/{unknown}/v2.0/.well-known/openid-configuration"),
            None,
            &[],
            None,
        )
        .await;
    expect_entra(&r, 400, "invalid_tenant", 90002);
    let r = t
        .raw(
            "GET",
            &format!("{base}/{unknown}/discovery/v2.0/keys"),
            None,
            &[],
            None,
        )
        .await;
    expect_entra(&r, 400, "invalid_tenant", 90002);
});

both_backends!(identity_client_secret_tokens, |t| {
    let (client_id, secret) =
        register(&t, &["LifecycleWorkflows.ReadWrite.All", "User.Read.All"]).await;
    let own_scope = format!("{}/.default", origin(&t));
    for scope in [
        GRAPH_SCOPE,
        "00000003-0000-0000-c000-000000000000/.default",
        own_scope.as_str(),
    ] {
        let mut form = secret_form(&client_id, &secret, scope);
        // What MSAL and Kiota add: ignored.
        form.push(("client_info", "1"));
        form.push((
            "claims",
            r#"{"access_token":{"xms_cc":{"values":["CP1"]}}}"#,
        ));
        let r = token_request(
            &t,
            &t.id,
            &form,
            &[("x-client-sku", "MSAL.Python"), ("x-client-ver", "1.31.0")],
        )
        .await;
        r.expect(200);
        assert_eq!(r.body["token_type"], "Bearer");
        assert!(r.body["expires_in"].as_i64().unwrap() > 3000);
        assert!(r.body["ext_expires_in"].is_number());
        let token = r.body["access_token"].as_str().unwrap();
        let c = claims(token);
        assert_eq!(c["tid"], t.id.as_str());
        assert_eq!(c["appid"], client_id.as_str());
        assert_eq!(c["azp"], client_id.as_str());
        assert_eq!(c["aud"], "https://graph.microsoft.com");
        assert!(c["oid"].is_string());
        assert!(c["iss"].as_str().unwrap().contains(&t.id));
        assert_eq!(
            c["roles"],
            json!(["LifecycleWorkflows.ReadWrite.All", "User.Read.All"])
        );
        // The token works on the Graph API, in its tenant, with its permissions.
        t.send_as(token, "GET", &format!("{LW}/workflows"), None)
            .await
            .expect(200);
        let r = t
            .send_as(token, "POST", "/users", Some(&json!({"displayName": "x"})))
            .await;
        r.expect_error(403, "Authorization_RequestDenied");
    }
    // HTTP Basic client authentication, and the tenant by its domain name.
    let basic = STANDARD.encode(format!("{}:{}", enc(&client_id), enc(&secret)));
    let r = token_request(
        &t,
        &format!("{}.lcw.local", t.id),
        &[("grant_type", "client_credentials"), ("scope", GRAPH_SCOPE)],
        &[("authorization", &format!("Basic {basic}"))],
    )
    .await;
    r.expect(200);
    assert_eq!(
        claims(r.body["access_token"].as_str().unwrap())["tid"],
        t.id.as_str()
    );
});

both_backends!(identity_token_errors, |t| {
    let (client_id, secret) = register(&t, &["LifecycleWorkflows.Read.All"]).await;
    let tenant = t.id.clone();
    // Unknown tenant, unknown app, wrong secret.
    let unknown = uuid::Uuid::new_v4().to_string();
    let r = token_request(
        &t,
        &unknown,
        &secret_form(&client_id, &secret, GRAPH_SCOPE),
        &[],
    )
    .await;
    expect_entra(&r, 400, "invalid_request", 90002);
    let r = token_request(
        &t,
        &tenant,
        &secret_form(&unknown, &secret, GRAPH_SCOPE),
        &[],
    )
    .await;
    expect_entra(&r, 400, "unauthorized_client", 700016);
    let r = token_request(
        &t,
        &tenant,
        &secret_form(&client_id, "wrong", GRAPH_SCOPE),
        &[],
    )
    .await;
    expect_entra(&r, 401, "invalid_client", 7000215);
    // The correlation id is the caller's client-request-id.
    let r = token_request(
        &t,
        &tenant,
        &secret_form(&client_id, "wrong", GRAPH_SCOPE),
        &[("client-request-id", "c0ffee00-0000-0000-0000-000000000001")],
    )
    .await;
    assert_eq!(
        r.body["correlation_id"],
        "c0ffee00-0000-0000-0000-000000000001"
    );
    // An expired secret.
    let r = admin(
        &t,
        "POST",
        &format!("apps/{client_id}/secrets"),
        Some(&json!({"endDateTime": "2020-01-01T00:00:00Z"})),
    )
    .await;
    r.expect(201);
    let expired = r.body["secretText"].as_str().unwrap().to_string();
    let r = token_request(
        &t,
        &tenant,
        &secret_form(&client_id, &expired, GRAPH_SCOPE),
        &[],
    )
    .await;
    expect_entra(&r, 401, "invalid_client", 7000222);
    // Grant type, scope, missing parameters, method.
    let r = token_request(
        &t,
        &tenant,
        &[
            ("grant_type", "password"),
            ("client_id", &client_id),
            ("scope", GRAPH_SCOPE),
        ],
        &[],
    )
    .await;
    expect_entra(&r, 400, "unsupported_grant_type", 70003);
    let r = token_request(
        &t,
        &tenant,
        &secret_form(&client_id, &secret, "https://example.com/.default"),
        &[],
    )
    .await;
    expect_entra(&r, 400, "invalid_scope", 70011);
    let r = token_request(
        &t,
        &tenant,
        &secret_form(&client_id, &secret, "User.Read"),
        &[],
    )
    .await;
    expect_entra(&r, 400, "invalid_scope", 1002012);
    let r = token_request(
        &t,
        &tenant,
        &[
            ("grant_type", "client_credentials"),
            ("client_secret", &secret),
            ("scope", GRAPH_SCOPE),
        ],
        &[],
    )
    .await;
    expect_entra(&r, 400, "invalid_request", 900144);
    let r = token_request(
        &t,
        &tenant,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("scope", GRAPH_SCOPE),
        ],
        &[],
    )
    .await;
    expect_entra(&r, 401, "invalid_client", 7000218);
    let r = t
        .raw(
            "GET",
            &format!("{}/{tenant}/oauth2/v2.0/token", origin(&t)),
            None,
            &[],
            None,
        )
        .await;
    expect_entra(&r, 400, "invalid_request", 900561);
    // A removed app no longer signs in; a deleted tenant is unknown.
    admin(&t, "DELETE", &format!("apps/{client_id}"), None)
        .await
        .expect(204);
    let r = token_request(
        &t,
        &tenant,
        &secret_form(&client_id, &secret, GRAPH_SCOPE),
        &[],
    )
    .await;
    expect_entra(&r, 400, "unauthorized_client", 700016);
    admin(&t, "DELETE", &format!("tenants/{tenant}"), None)
        .await
        .expect(204);
    let r = token_request(
        &t,
        &tenant,
        &secret_form(&client_id, &secret, GRAPH_SCOPE),
        &[],
    )
    .await;
    expect_entra(&r, 400, "invalid_request", 90002);
});

/// A client assertion as MSAL builds one: `iss` and `sub` the client id, `aud` the token
/// endpoint, the certificate's thumbprint in the header.
fn assertion(
    key_pem: &str,
    alg: jsonwebtoken::Algorithm,
    thumbprint: (&str, Vec<u8>),
    client_id: &str,
    audience: &str,
    exp_offset: i64,
) -> String {
    let now = chrono::Utc::now().timestamp();
    let claims = json!({
        "iss": client_id, "sub": client_id, "aud": audience,
        "jti": uuid::Uuid::new_v4().to_string(),
        "nbf": now + exp_offset - 600, "exp": now + exp_offset,
    });
    signed_assertion(key_pem, alg, thumbprint, &claims)
}

fn signed_assertion(
    key_pem: &str,
    alg: jsonwebtoken::Algorithm,
    thumbprint: (&str, Vec<u8>),
    claims: &Value,
) -> String {
    let mut header = jsonwebtoken::Header::new(alg);
    match thumbprint.0 {
        "x5t" => header.x5t = Some(URL_SAFE_NO_PAD.encode(&thumbprint.1)),
        _ => header.x5t_s256 = Some(URL_SAFE_NO_PAD.encode(&thumbprint.1)),
    }
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(key_pem.as_bytes()).unwrap();
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

fn certificate_der() -> Vec<u8> {
    let body: String = APP_CERT
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    STANDARD.decode(body).unwrap()
}

both_backends!(identity_certificate_assertions, |t| {
    let (client_id, _) = register(&t, &["LifecycleWorkflows.Read.All"]).await;
    let r = admin(
        &t,
        "POST",
        &format!("apps/{client_id}/certificates"),
        Some(&json!({"certificate": APP_CERT})),
    )
    .await;
    r.expect(201);
    let der = certificate_der();
    let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &der);
    let sha256 = ring::digest::digest(&ring::digest::SHA256, &der);
    let hex: String = sha1.as_ref().iter().map(|b| format!("{b:02X}")).collect();
    assert_eq!(r.body["thumbprint"], hex);
    let audience = format!("{}/{}/oauth2/v2.0/token", origin(&t), t.id);
    let sign_in = |assertion: String| {
        let client_id = client_id.clone();
        let t = &t;
        async move {
            token_request(
                t,
                &t.id,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", &client_id),
                    ("scope", GRAPH_SCOPE),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", &assertion),
                ],
                &[],
            )
            .await
        }
    };
    use jsonwebtoken::Algorithm::{PS256, RS256};
    let x5t = ("x5t", sha1.as_ref().to_vec());
    let x5t256 = ("x5t#S256", sha256.as_ref().to_vec());
    let r = sign_in(assertion(
        APP_KEY,
        RS256,
        x5t.clone(),
        &client_id,
        &audience,
        600,
    ))
    .await;
    r.expect(200);
    let c = claims(r.body["access_token"].as_str().unwrap());
    assert_eq!(c["appid"], client_id.as_str());
    assert_eq!(c["appidacr"], "2");
    sign_in(assertion(
        APP_KEY, PS256, x5t256, &client_id, &audience, 600,
    ))
    .await
    .expect(200);
    // MSAL Python writes its times with fractions of a second (NumericDate allows them).
    let now = chrono::Utc::now().timestamp() as f64 + 0.25;
    let msal_shaped = json!({
        "iss": client_id, "sub": client_id, "aud": audience,
        "jti": uuid::Uuid::new_v4().to_string(), "iat": now, "exp": now + 600.0,
    });
    sign_in(signed_assertion(APP_KEY, RS256, x5t.clone(), &msal_shaped))
        .await
        .expect(200);
    // Signed by another key, aimed elsewhere, expired, naming no registered certificate.
    let r = sign_in(assertion(
        OTHER_KEY,
        RS256,
        x5t.clone(),
        &client_id,
        &audience,
        600,
    ))
    .await;
    expect_entra(&r, 401, "invalid_client", 700027);
    let r = sign_in(assertion(
        APP_KEY,
        RS256,
        x5t.clone(),
        &client_id,
        "https://elsewhere/token",
        600,
    ))
    .await;
    expect_entra(&r, 401, "invalid_client", 700027);
    let r = sign_in(assertion(
        APP_KEY,
        RS256,
        x5t.clone(),
        &client_id,
        &audience,
        -3600,
    ))
    .await;
    expect_entra(&r, 401, "invalid_client", 700024);
    let r = sign_in(assertion(
        APP_KEY,
        RS256,
        ("x5t", vec![1; 20]),
        &client_id,
        &audience,
        600,
    ))
    .await;
    expect_entra(&r, 401, "invalid_client", 700027);
    // Not a certificate.
    let r = admin(
        &t,
        "POST",
        &format!("apps/{client_id}/certificates"),
        Some(&json!({"certificate": "not a certificate"})),
    )
    .await;
    r.expect_error(400, "BadRequest");
});

// `adfs` names the default tenant, so MSAL signs in without asking Microsoft about lcw's host.
both_backends!(identity_adfs_alias_is_the_default_tenant, |t| {
    let base = origin(&t);
    let default = api::auth::DEFAULT_TENANT;
    let r = admin(
        &t,
        "POST",
        "apps",
        Some(&json!({"tenantId": default, "displayName": "adfs", "permissions": ["LifecycleWorkflows.Read.All"]})),
    )
    .await;
    r.expect(201);
    let client_id = r.body["clientId"].as_str().unwrap().to_string();
    let secret = r.body["clientSecret"].as_str().unwrap().to_string();
    // Where MSAL looks for an `adfs` authority's document, and where Entra's clients look.
    for path in [
        ".well-known/openid-configuration",
        "v2.0/.well-known/openid-configuration",
    ] {
        let r = t
            .raw("GET", &format!("{base}/adfs/{path}"), None, &[], None)
            .await;
        r.expect(200);
        assert_eq!(
            r.body["token_endpoint"],
            format!("{base}/{default}/oauth2/v2.0/token"),
            "{path}"
        );
    }
    t.raw(
        "GET",
        &format!("{base}/adfs/discovery/v2.0/keys"),
        None,
        &[],
        None,
    )
    .await
    .expect(200);
    // Tokens from the alias's own token endpoint (where azure-identity's async credentials
    // post) are the default tenant's.
    let r = token_request(
        &t,
        "ADFS",
        &secret_form(&client_id, &secret, GRAPH_SCOPE),
        &[],
    )
    .await;
    r.expect(200);
    assert_eq!(
        claims(r.body["access_token"].as_str().unwrap())["tid"],
        default
    );
    // Another tenant's app is unknown there.
    let (other_id, other_secret) = register(&t, &["LifecycleWorkflows.Read.All"]).await;
    let r = token_request(
        &t,
        "adfs",
        &secret_form(&other_id, &other_secret, GRAPH_SCOPE),
        &[],
    )
    .await;
    expect_entra(&r, 400, "unauthorized_client", 700016);
    // Other tenants keep the `/v2.0` path only, as in Entra: this one is no identity endpoint.
    let r = t
        .raw(
            "GET",
            &format!("{base}/{}/.well-known/openid-configuration", t.id),
            None,
            &[],
            None,
        )
        .await;
    assert_ne!(r.status, 200, "{}", r.text);
});

both_backends!(identity_admin_api, |t| {
    // Managing tenants and apps takes Application.ReadWrite.All.
    let weak = t.token_with(&["--roles", "LifecycleWorkflows.ReadWrite.All"]);
    let r = t
        .send_as(
            &weak,
            "GET",
            &format!("{}/lcw/admin/tenants", origin(&t)),
            None,
        )
        .await;
    r.expect_error(403, "Authorization_RequestDenied");
    let domain = format!("t{}.example.com", &t.id[..8]);
    let r = admin(&t, "POST", "tenants", Some(&json!({"domainName": domain}))).await;
    r.expect(201);
    let id = r.body["id"].as_str().unwrap().to_string();
    admin(&t, "POST", "tenants", Some(&json!({"domainName": domain})))
        .await
        .expect_error(409, "Conflict");
    admin(
        &t,
        "POST",
        "tenants",
        Some(&json!({"domainName": "not a domain"})),
    )
    .await
    .expect_error(400, "BadRequest");
    let r = admin(&t, "GET", "tenants", None).await;
    assert!(r.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == id.as_str() && x["domainName"] == domain.as_str()));
    admin(&t, "GET", &format!("tenants/{domain}"), None)
        .await
        .expect(200);
    // An app of that tenant; an unknown permission is refused.
    admin(
        &t,
        "POST",
        "apps",
        Some(&json!({"tenantId": id, "displayName": "x", "permissions": ["Mail.Send"]})),
    )
    .await
    .expect_error(400, "BadRequest");
    let r = admin(
        &t,
        "POST",
        "apps",
        Some(&json!({"tenantId": id, "displayName": "x", "permissions": ["User.Read.All"]})),
    )
    .await;
    r.expect(201);
    let client_id = r.body["clientId"].as_str().unwrap().to_string();
    let r = admin(&t, "GET", &format!("apps?tenantId={id}"), None).await;
    assert_eq!(r.body["value"].as_array().unwrap().len(), 1);
    // An app's credentials are shown without any secret.
    let r = admin(&t, "GET", &format!("apps/{client_id}"), None).await;
    r.expect(200);
    assert_eq!(r.body["passwordCredentials"].as_array().unwrap().len(), 1);
    assert!(!r.text.contains("secretText") && !r.text.contains("clientSecret"));
    admin(&t, "DELETE", &format!("tenants/{id}"), None)
        .await
        .expect(204);
    admin(&t, "GET", &format!("tenants/{id}"), None)
        .await
        .expect_error(404, "ResourceNotFound");
    admin(&t, "GET", &format!("apps/{client_id}"), None)
        .await
        .expect_error(404, "ResourceNotFound");
});

/// Data a reset must remove: a user, a group and a workflow.
async fn fill(t: &Tenant) {
    t.post(
        "/users",
        &json!({"displayName": "Ada", "userPrincipalName": format!("ada@{}.example.com", &t.id[..8]), "accountEnabled": true}),
    )
    .await
    .expect(201);
    t.post("/groups", &json!({"displayName": "Team"}))
        .await
        .expect(201);
    t.create_workflow(&crate::harness::joiner_workflow("wf"))
        .await;
}

async fn counts(t: &Tenant) -> (usize, usize, usize) {
    let n = |r: Resp| r.expect(200).body["value"].as_array().unwrap().len();
    (
        n(t.get("/users").await),
        n(t.get("/groups").await),
        n(t.get(&format!("{LW}/workflows")).await),
    )
}

both_backends!(identity_reset_empties_only_its_tenant, |a| {
    let b = Tenant::on(a.server);
    let (client_id, secret) = register(&a, &["LifecycleWorkflows.Read.All"]).await;
    fill(&a).await;
    fill(&b).await;
    assert_eq!(counts(&a).await, (1, 1, 1));
    admin(&a, "POST", &format!("tenants/{}/reset", a.id), None)
        .await
        .expect(204);
    assert_eq!(counts(&a).await, (0, 0, 0));
    assert_eq!(counts(&b).await, (1, 1, 1));
    // The tenant keeps its apps.
    token_request(
        &a,
        &a.id,
        &secret_form(&client_id, &secret, GRAPH_SCOPE),
        &[],
    )
    .await
    .expect(200);
    // A reset tenant takes new data as a fresh one does.
    fill(&a).await;
    assert_eq!(counts(&a).await, (1, 1, 1));
});

fn lcw(args: &[&str]) -> std::process::Output {
    Command::new(lcw_bin()).args(args).output().unwrap()
}

both_backends!(identity_cli_while_serving, |t| {
    let db = t.server.database.clone();
    let out = lcw(&[
        "app",
        "add",
        "--database",
        &db,
        "--tenant",
        &t.id,
        "--name",
        "cli app",
        "--permission",
        "LifecycleWorkflows.ReadWrite.All",
        "--permission",
        "User.ReadWrite.All",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys: Vec<&String> = printed.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["tenantId", "clientId", "clientSecret"]);
    assert_eq!(printed["tenantId"], t.id.as_str());
    let client_id = printed["clientId"].as_str().unwrap().to_string();
    let secret = printed["clientSecret"].as_str().unwrap().to_string();
    // The running server signs the app in at once.
    let r = token_request(
        &t,
        &t.id,
        &secret_form(&client_id, &secret, GRAPH_SCOPE),
        &[],
    )
    .await;
    r.expect(200);
    assert_eq!(
        claims(r.body["access_token"].as_str().unwrap())["roles"],
        json!(["LifecycleWorkflows.ReadWrite.All", "User.ReadWrite.All"])
    );
    // No secret is stored as given: the database holds it nowhere in clear.
    if let Some(path) = db.strip_prefix("sqlite://") {
        for suffix in ["", "-wal"] {
            let bytes = std::fs::read(format!("{path}{suffix}")).unwrap_or_default();
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "the secret is stored in clear"
            );
        }
    }
    let out = lcw(&[
        "app",
        "list",
        "--database",
        &db,
        "--tenant",
        &t.id,
        "--json",
    ]);
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed[0]["clientId"], client_id.as_str());
    let out = lcw(&["app", "add-secret", "--database", &db, &client_id]);
    assert!(out.status.success());
    let second = String::from_utf8_lossy(&out.stdout).trim().to_string();
    token_request(
        &t,
        &t.id,
        &secret_form(&client_id, &second, GRAPH_SCOPE),
        &[],
    )
    .await
    .expect(200);
    let dir = std::env::temp_dir().join(format!("lcw-cert-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert = dir.join("cert.pem");
    std::fs::write(&cert, APP_CERT).unwrap();
    let out = lcw(&[
        "app",
        "add-cert",
        "--database",
        &db,
        &client_id,
        "--file",
        cert.to_str().unwrap(),
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let added: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(added["type"], "AsymmetricX509Cert");
    let _ = std::fs::remove_dir_all(&dir);
    let out = lcw(&["app", "remove", "--database", &db, &client_id]);
    assert!(out.status.success());
    let r = token_request(
        &t,
        &t.id,
        &secret_form(&client_id, &secret, GRAPH_SCOPE),
        &[],
    )
    .await;
    expect_entra(&r, 400, "unauthorized_client", 700016);
    // Tenants.
    let domain = format!("cli{}.example.com", &t.id[..8]);
    let out = lcw(&["tenant", "add", "--database", &db, "--domain", &domain]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let out = lcw(&["tenant", "list", "--database", &db, "--json"]);
    let tenants: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(tenants
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == id.as_str()));
    let r = t
        .raw(
            "GET",
            &format!(
                "{}/{domain}/v2.0/.well-known/openid-configuration",
                origin(&t)
            ),
            None,
            &[],
            None,
        )
        .await;
    r.expect(200);
    assert!(lcw(&["tenant", "remove", "--database", &db, &domain])
        .status
        .success());
    let out = lcw(&["tenant", "remove", "--database", &db, &domain]);
    assert!(!out.status.success());
});

#[test]
fn identity_cli_refuses_a_missing_database() {
    let dir = std::env::temp_dir().join(format!("lcw-missing-{}", uuid::Uuid::new_v4()));
    let path = dir.join("none.db");
    let url = format!("sqlite://{}", path.display());
    let out = lcw(&["app", "add", "--database", &url, "--name", "x", "--json"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database"));
    assert!(!path.exists());
    // `lcw token` refuses a file that holds no lcw schema rather than minting a token no
    // server accepts.
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(&path, b"").unwrap();
    let out = lcw(&["token", "--database", &url]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("schema"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

both_backends!(identity_token_throughput, |t| {
    // `lcw token --count`: distinct tokens, each accepted.
    let started = std::time::Instant::now();
    let out = lcw(&[
        "token",
        "--database",
        &t.server.database,
        "--tenant",
        &t.id,
        "--count",
        "1000",
    ]);
    let elapsed = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tokens: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(tokens.len(), 1000);
    let distinct: std::collections::HashSet<&String> = tokens.iter().collect();
    assert_eq!(distinct.len(), 1000);
    for token in [&tokens[0], &tokens[999]] {
        t.send_as(token, "GET", &format!("{LW}/workflows"), None)
            .await
            .expect(200);
    }
    eprintln!(
        "lcw token --count 1000: {:.0} tokens/s",
        1000.0 / elapsed.as_secs_f64()
    );
    // The token endpoint, from several clients at once.
    let (client_id, secret) = register(&t, &["LifecycleWorkflows.Read.All"]).await;
    let started = std::time::Instant::now();
    let requests = 400;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (client, url) = (
            t.client.clone(),
            format!("{}/{}/oauth2/v2.0/token", origin(&t), t.id),
        );
        let form = format!(
            "grant_type=client_credentials&client_id={client_id}&client_secret={}&scope={}",
            enc(&secret),
            enc(GRAPH_SCOPE)
        );
        tasks.spawn(async move {
            for _ in 0..requests / 8 {
                let r = client
                    .post(&url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(form.clone())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    eprintln!(
        "token endpoint: {:.0} tokens/s",
        f64::from(requests) / started.elapsed().as_secs_f64()
    );
});
