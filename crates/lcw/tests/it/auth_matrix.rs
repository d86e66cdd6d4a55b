//! Authentication and authorisation: bad tokens of every kind, the permission table,
//! delegated callers' directory roles, tenant isolation, and an external identity provider.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use crate::both_backends;
use crate::harness::{into_resp, joiner_workflow, start_server, ChildGuard, Resp, Tenant, LW};

const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const DEFAULT_USER_OID: &str = "00000000-0000-0000-0000-0000000000b1";

#[track_caller]
fn expect_401(r: &Resp) {
    r.expect_error(401, "InvalidAuthenticationToken");
    let www = r.header("www-authenticate").unwrap_or("");
    assert!(www.starts_with("Bearer"), "WWW-Authenticate: '{www}'");
}

#[track_caller]
fn expect_403(r: &Resp) {
    r.expect_error(403, "Authorization_RequestDenied");
    assert!(r.header("www-authenticate").is_none());
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

fn segments(token: &str) -> (Value, Value, String) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let dec =
        |s: &str| serde_json::from_slice::<Value>(&URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap();
    (dec(parts[0]), dec(parts[1]), parts[2].to_string())
}

both_backends!(bad_tokens_are_401_with_www_authenticate, |t| {
    let path = format!("{LW}/workflows");
    expect_401(&t.raw("GET", &path, None, &[], None).await);
    for header in [
        "Basic xyz",
        "Bearer",
        "Bearer ",
        "Bearer abc",
        "Bearer a.b.c",
        "Token abc",
        "bearer",
    ] {
        let r = t
            .raw("GET", &path, None, &[("authorization", header)], None)
            .await;
        expect_401(&r);
    }
    // The scheme is case-insensitive.
    let r = t
        .raw(
            "GET",
            &path,
            None,
            &[("authorization", &format!("bearer {}", t.token))],
            None,
        )
        .await;
    r.expect(200);

    let (header, claims, sig) = segments(&t.token);
    // alg: none with the real claims and no signature.
    let mut none = header.clone();
    none["alg"] = json!("none");
    let forged = format!("{}.{}.", b64(&none), b64(&claims));
    expect_401(&t.raw("GET", &path, Some(&forged), &[], None).await);
    // The claims changed under a valid signature (another tenant).
    let mut other = claims.clone();
    other["tid"] = json!(uuid::Uuid::new_v4().to_string());
    let forged = format!("{}.{}.{}", b64(&header), b64(&other), sig);
    expect_401(&t.raw("GET", &path, Some(&forged), &[], None).await);
    // More permissions under a valid signature.
    let mut more = claims.clone();
    more["roles"] = json!(["Directory.ReadWrite.All"]);
    let forged = format!("{}.{}.{}", b64(&header), b64(&more), sig);
    expect_401(&t.raw("GET", &path, Some(&forged), &[], None).await);
    // One character of the signature flipped.
    let mut chars: Vec<char> = sig.chars().collect();
    let mid = chars.len() / 2;
    chars[mid] = if chars[mid] == 'A' { 'B' } else { 'A' };
    let flipped = format!(
        "{}.{}.{}",
        b64(&header),
        t.token.split('.').nth(1).unwrap(),
        chars.into_iter().collect::<String>()
    );
    expect_401(&t.raw("GET", &path, Some(&flipped), &[], None).await);
    // Unknown kid.
    let mut unknown = header.clone();
    unknown["kid"] = json!("no-such-key");
    let forged = format!(
        "{}.{}.{}",
        b64(&unknown),
        t.token.split('.').nth(1).unwrap(),
        sig
    );
    let r = t.raw("GET", &path, Some(&forged), &[], None).await;
    expect_401(&r);
    // HS256 "signed" with the public key id (algorithm confusion).
    let hs = jsonwebtoken::encode(
        &jsonwebtoken::Header {
            kid: header["kid"].as_str().map(str::to_string),
            ..jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256)
        },
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(b"secret"),
    )
    .unwrap();
    expect_401(&t.raw("GET", &path, Some(&hs), &[], None).await);
    // Expired (beyond the clock-skew leeway).
    let expired = t.token_with(&["--expires-in=-3600"]);
    let r = t.send_as(&expired, "GET", &path, None).await;
    expect_401(&r);
    assert!(r.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("expired"));
    // The good token still works.
    t.get(&path).await.expect(200);
});

both_backends!(permissions_follow_the_least_privilege_table, |t| {
    let wf = t.create_workflow(&joiner_workflow("W")).await;
    let ext = t
        .post(
            &format!("{LW}/customTaskExtensions"),
            &json!({
                "displayName": "E",
                "endpointConfiguration": {"@odata.type": "#microsoft.graph.httpRequestEndpoint", "targetUrl": "https://example.com"},
                "authenticationConfiguration": {"@odata.type": "#microsoft.graph.azureAdPopTokenAuthentication"}
            }),
        )
        .await;
    ext.expect(201);
    let ext = ext.body["id"].as_str().unwrap().to_string();
    let wf_path = format!("{LW}/workflows/{wf}");
    let ext_path = format!("{LW}/customTaskExtensions/{ext}");

    // (roles, method, path, expected status)
    let matrix: Vec<(&str, &str, String, u16)> = vec![
        ("User.Read.All", "GET", format!("{LW}/workflows"), 403),
        ("User.Read.All", "GET", format!("{LW}/taskDefinitions"), 403),
        ("User.Read.All", "POST", format!("{LW}/workflows"), 403),
        ("", "GET", format!("{LW}/workflows"), 403),
        (
            "LifecycleWorkflows.Read.All",
            "GET",
            format!("{LW}/workflows"),
            200,
        ),
        (
            "LifecycleWorkflows.Read.All",
            "GET",
            format!("{wf_path}/versions"),
            200,
        ),
        (
            "LifecycleWorkflows.Read.All",
            "GET",
            format!("{LW}/settings"),
            200,
        ),
        ("LifecycleWorkflows.Read.All", "GET", ext_path.clone(), 200),
        (
            "LifecycleWorkflows.Read.All",
            "GET",
            format!("{LW}/deletedItems/workflows"),
            200,
        ),
        (
            "LifecycleWorkflows.Read.All",
            "POST",
            format!("{LW}/workflows"),
            403,
        ),
        ("LifecycleWorkflows.Read.All", "PATCH", wf_path.clone(), 403),
        (
            "LifecycleWorkflows.Read.All",
            "DELETE",
            wf_path.clone(),
            403,
        ),
        (
            "LifecycleWorkflows.Read.All",
            "PATCH",
            format!("{LW}/settings"),
            403,
        ),
        (
            "LifecycleWorkflows.Read.All",
            "DELETE",
            ext_path.clone(),
            403,
        ),
        (
            "LifecycleWorkflows-Workflow.ReadBasic.All",
            "GET",
            format!("{LW}/workflows"),
            200,
        ),
        (
            "LifecycleWorkflows-Workflow.ReadBasic.All",
            "GET",
            format!("{LW}/workflows/$count"),
            200,
        ),
        (
            "LifecycleWorkflows-Workflow.ReadBasic.All",
            "GET",
            wf_path.clone(),
            200,
        ),
        (
            "LifecycleWorkflows-Workflow.ReadBasic.All",
            "GET",
            format!("{wf_path}/versions"),
            403,
        ),
        (
            "LifecycleWorkflows-Workflow.ReadBasic.All",
            "GET",
            format!("{wf_path}/tasks"),
            403,
        ),
        (
            "LifecycleWorkflows-Workflow.ReadBasic.All",
            "GET",
            format!("{LW}/deletedItems/workflows"),
            403,
        ),
        (
            "LifecycleWorkflows-Workflow.ReadBasic.All",
            "GET",
            format!("{LW}/customTaskExtensions"),
            403,
        ),
        (
            "LifecycleWorkflows-Workflow.ReadBasic.All",
            "PATCH",
            wf_path.clone(),
            403,
        ),
        (
            "LifecycleWorkflows-Workflow.Read.All",
            "GET",
            format!("{wf_path}/versions"),
            200,
        ),
        (
            "LifecycleWorkflows-Workflow.Read.All",
            "GET",
            format!("{LW}/deletedItems/workflows"),
            200,
        ),
        (
            "LifecycleWorkflows-Workflow.Read.All",
            "POST",
            format!("{LW}/workflows"),
            403,
        ),
        (
            "LifecycleWorkflows-Workflow.ReadWrite.All",
            "GET",
            format!("{wf_path}/versions"),
            200,
        ),
        (
            "LifecycleWorkflows-Workflow.ReadWrite.All",
            "GET",
            format!("{LW}/customTaskExtensions"),
            403,
        ),
        (
            "LifecycleWorkflows-CustomExt.Read.All",
            "GET",
            format!("{LW}/customTaskExtensions"),
            200,
        ),
        (
            "LifecycleWorkflows-CustomExt.Read.All",
            "GET",
            ext_path.clone(),
            200,
        ),
        (
            "LifecycleWorkflows-CustomExt.Read.All",
            "GET",
            format!("{LW}/workflows"),
            403,
        ),
        (
            "LifecycleWorkflows-CustomExt.Read.All",
            "PATCH",
            ext_path.clone(),
            403,
        ),
        (
            "LifecycleWorkflows-CustomExt.ReadWrite.All",
            "PATCH",
            ext_path.clone(),
            204,
        ),
        (
            "LifecycleWorkflows-CustomExt.ReadWrite.All",
            "GET",
            format!("{LW}/workflows"),
            403,
        ),
        (
            "LifecycleWorkflows.ReadWrite.All",
            "PATCH",
            format!("{LW}/settings"),
            204,
        ),
    ];
    for (roles, method, path, want) in matrix {
        let token = t.token_with(&["--roles", roles]);
        let body = match method {
            "POST" => Some(joiner_workflow("X")),
            "PATCH" if path.ends_with("settings") => {
                Some(json!({"workflowScheduleIntervalInHours": 4}))
            }
            "PATCH" => Some(json!({"displayName": "Renamed"})),
            _ => None,
        };
        let r = t.send_as(&token, method, &path, body.as_ref()).await;
        assert_eq!(r.status, want, "{roles:?} {method} {path}: {}", r.text);
        if want == 403 {
            expect_403(&r);
        }
    }
    // Refused writes changed nothing.
    assert_eq!(t.get(&wf_path).await.body["displayName"], "W");
    assert_eq!(t.get(&format!("{LW}/workflows/$count")).await.text, "1");
    // The 403 names the permission that would do.
    let token = t.token_with(&["--roles", "LifecycleWorkflows.Read.All"]);
    let r = t
        .send_as(
            &token,
            "POST",
            &format!("{LW}/workflows"),
            Some(&joiner_workflow("X")),
        )
        .await;
    assert!(r.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("LifecycleWorkflows-Workflow.ReadWrite.All"));
    // Authorisation is decided before the body is looked at: no 400 leaks to a reader.
    let r = t
        .send_as(
            &token,
            "POST",
            &format!("{LW}/workflows"),
            Some(&json!({"foo": 1})),
        )
        .await;
    expect_403(&r);
});

both_backends!(delegated_callers_need_a_directory_role, |t| {
    let scopes = "LifecycleWorkflows.ReadWrite.All";
    let path = format!("{LW}/workflows");
    // Default --user role: Lifecycle Workflows Administrator.
    let admin = t.token_with(&["--user", "--scopes", scopes]);
    let r = t
        .send_as(&admin, "POST", &path, Some(&joiner_workflow("By admin")))
        .await;
    r.expect(201);
    assert_eq!(r.body["createdBy"]["id"], DEFAULT_USER_OID);
    let id = r.body["id"].as_str().unwrap().to_string();

    let reader = t.token_with(&[
        "--user",
        "--scopes",
        scopes,
        "--directory-roles",
        "Global Reader",
    ]);
    t.send_as(&reader, "GET", &path, None).await.expect(200);
    t.send_as(&reader, "GET", &format!("{path}/{id}/versions"), None)
        .await
        .expect(200);
    expect_403(
        &t.send_as(&reader, "POST", &path, Some(&joiner_workflow("x")))
            .await,
    );
    expect_403(
        &t.send_as(
            &reader,
            "PATCH",
            &format!("{path}/{id}"),
            Some(&json!({"displayName": "x"})),
        )
        .await,
    );
    expect_403(
        &t.send_as(&reader, "DELETE", &format!("{path}/{id}"), None)
            .await,
    );

    for roles in [USER_ADMINISTRATOR, ""] {
        let nobody = t.token_with(&["--user", "--scopes", scopes, "--directory-roles", roles]);
        expect_403(&t.send_as(&nobody, "GET", &path, None).await);
        expect_403(
            &t.send_as(&nobody, "POST", &path, Some(&joiner_workflow("x")))
                .await,
        );
    }
    // A role without the scope is not enough either.
    let read_scope = t.token_with(&[
        "--user",
        "--scopes",
        "LifecycleWorkflows.Read.All",
        "--directory-roles",
        "Lifecycle Workflows Administrator",
    ]);
    t.send_as(&read_scope, "GET", &path, None).await.expect(200);
    expect_403(
        &t.send_as(&read_scope, "POST", &path, Some(&joiner_workflow("x")))
            .await,
    );
    // Global Administrator holds every Lifecycle Workflows permission.
    let global = t.token_with(&[
        "--user",
        "--scopes",
        scopes,
        "--directory-roles",
        "Global Administrator",
    ]);
    t.send_as(&global, "GET", &path, None).await.expect(200);
    t.send_as(
        &global,
        "PATCH",
        &format!("{path}/{id}"),
        Some(&json!({"displayName": "By global"})),
    )
    .await
    .expect(204);
    assert_eq!(
        t.get(&format!("{path}/{id}")).await.body["displayName"],
        "By global"
    );
    assert_eq!(
        t.get(&path).await.body["value"].as_array().unwrap().len(),
        1
    );
});

both_backends!(another_tenants_objects_are_not_found, |t| {
    let id = t.create_workflow(&joiner_workflow("Mine")).await;
    let other = Tenant::new(t.backend()).unwrap();
    // The other tenant's token against this tenant's ids.
    for path in [
        format!("{LW}/workflows/{id}"),
        format!("{LW}/workflows/{id}/tasks"),
        format!("{LW}/workflows/{id}/versions/1"),
    ] {
        other.get(&path).await.expect_error(404, "ResourceNotFound");
    }
    other
        .post(
            &format!("{LW}/workflows/{id}/createNewVersion"),
            &json!({"workflow": joiner_workflow("x")}),
        )
        .await
        .expect_error(404, "ResourceNotFound");
    t.get(&format!("{LW}/workflows/{id}/versions/1"))
        .await
        .expect(200);
});

/// A key pair of a test identity provider.
struct Idp {
    kid: String,
    key: jsonwebtoken::EncodingKey,
    jwk: Value,
}

impl Idp {
    fn new(kid: &str) -> Idp {
        use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let public = pair.public_key().as_ref();
        let jwk = json!({
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
            "x": URL_SAFE_NO_PAD.encode(&public[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&public[33..65]),
        });
        Idp {
            kid: kid.to_string(),
            key: jsonwebtoken::EncodingKey::from_ec_der(pkcs8.as_ref()),
            jwk,
        }
    }

    fn sign(&self, kid: &str, claims: &Value) -> String {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.kid = Some(kid.to_string());
        jsonwebtoken::encode(&header, claims, &self.key).unwrap()
    }
}

const ISSUER: &str = "https://login.example.test/{tenantid}/v2.0";
const AUDIENCE: &str = "api://lcw-tests";

both_backends!(external_identity_provider_tokens, |t| {
    let idp = Idp::new("k1");
    let stranger = Idp::new("k1");
    let dir = std::env::temp_dir().join(format!("lcw-jwks-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let jwks = dir.join("jwks.json");
    std::fs::write(
        &jwks,
        serde_json::to_vec(&json!({"keys": [idp.jwk]})).unwrap(),
    )
    .unwrap();
    // A second node on the same database, trusting only the test provider.
    let (base, child) = start_server(
        &t.server.database,
        &[
            "--issuer",
            ISSUER,
            "--audience",
            AUDIENCE,
            "--jwks",
            jwks.to_str().unwrap(),
        ],
    )
    .unwrap();
    let _guard = ChildGuard(child);
    let client = reqwest::Client::new();
    let call = |token: String| {
        let req = client
            .get(format!("{base}{LW}/workflows"))
            .bearer_auth(token);
        async move { into_resp(req.send().await.unwrap()).await }
    };
    let now = chrono::Utc::now().timestamp();
    let tid = t.id.clone();
    let good = json!({
        "aud": AUDIENCE,
        "iss": ISSUER.replace("{tenantid}", &tid),
        "tid": tid,
        "oid": "22222222-3333-4444-5555-666666666666",
        "roles": ["LifecycleWorkflows.ReadWrite.All"],
        "iat": now,
        "nbf": now - 10,
        "exp": now + 600,
    });
    let with = |k: &str, v: Value| {
        let mut c = good.clone();
        c[k] = v;
        c
    };
    // The good token reads the tenant's data written through the other node.
    let id = t.create_workflow(&joiner_workflow("Shared")).await;
    let r = call(idp.sign(&idp.kid, &good)).await;
    r.expect(200);
    assert_eq!(r.body["value"][0]["id"], id.as_str());
    // And writes as its own oid.
    let r = into_resp(
        client
            .post(format!("{base}{LW}/workflows"))
            .bearer_auth(idp.sign("k1", &good))
            .json(&joiner_workflow("From IdP"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    r.expect(201);
    assert_eq!(
        r.body["createdBy"]["id"],
        "22222222-3333-4444-5555-666666666666"
    );

    let bad: Vec<(&str, String)> = vec![
        (
            "wrong audience",
            idp.sign("k1", &with("aud", json!("https://graph.microsoft.com"))),
        ),
        (
            "wrong issuer",
            idp.sign("k1", &with("iss", json!("https://evil.example/x/v2.0"))),
        ),
        (
            "issuer of another tenant",
            idp.sign(
                "k1",
                &with(
                    "iss",
                    json!(ISSUER.replace("{tenantid}", &uuid::Uuid::new_v4().to_string())),
                ),
            ),
        ),
        (
            "not yet valid",
            idp.sign("k1", &with("nbf", json!(now + 3600))),
        ),
        ("expired", idp.sign("k1", &with("exp", json!(now - 3600)))),
        ("unknown kid", idp.sign("k2", &good)),
        ("another key", stranger.sign("k1", &good)),
        (
            "tid not a GUID",
            idp.sign("k1", &with("tid", json!("contoso"))),
        ),
        ("dev token", t.token.clone()),
    ];
    for (what, token) in bad {
        let r = call(token).await;
        assert_eq!(r.status, 401, "{what}: {}", r.text);
        expect_401(&r);
    }
    // Permissions still apply to external tokens.
    let r = call(idp.sign("k1", &with("roles", json!(["User.Read.All"])))).await;
    expect_403(&r);
    // And the first node keeps accepting its own dev tokens.
    t.get(&format!("{LW}/workflows")).await.expect(200);
    let _ = std::fs::remove_dir_all(&dir);
});
