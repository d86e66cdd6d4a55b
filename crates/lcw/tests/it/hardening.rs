//! What slow, idle or crafted clients cannot do to a server: hold it with idle connections or
//! trickling bodies, poison its links through forwarded headers, skip `Host`; and what the CLI
//! and the server leave on disk.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::both_backends;
use crate::harness::{
    dedicated_server, fresh_sqlite_database, lcw_bin, start_server, Backend, ChildGuard, Tenant, LW,
};

/// `127.0.0.1:PORT` of a base URL `http://127.0.0.1:PORT/beta`.
fn authority(base: &str) -> String {
    base.trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string()
}

/// Read what the server sends until it closes the connection or `limit` passes; `None`
/// when it is still open then.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(String::from_utf8_lossy(&got).into_owned()),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test]
async fn idle_connections_are_closed_and_do_not_starve_others() {
    // A server of its own: 500 idle connections must not slow the tests sharing a server.
    let server = dedicated_server(Backend::Sqlite, "hardening-idle", &[]).unwrap();
    let t = Tenant::on(server);
    let addr = authority(&server.base);
    let opened = Instant::now();
    let mut idle = Vec::new();
    for _ in 0..500 {
        idle.push(TcpStream::connect(&addr).await.unwrap());
    }
    // One that starts a request head and never finishes it.
    let mut slow_head = TcpStream::connect(&addr).await.unwrap();
    slow_head
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();

    let started = Instant::now();
    t.get(&format!("{LW}/workflows")).await.expect(200);
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(1),
        "a GET beside 500 idle connections took {took:?}"
    );

    // Every idle connection is closed no later than 30 s after it opened.
    let limit = Duration::from_secs(33).saturating_sub(opened.elapsed());
    let closed = read_until_closed(&mut slow_head, limit).await;
    assert!(
        closed.is_some(),
        "a connection that never finished its request head was still open after 33 s"
    );
    let left = Duration::from_secs(34).saturating_sub(opened.elapsed());
    for (i, c) in idle.iter_mut().enumerate() {
        let wait = if i == 0 {
            left
        } else {
            Duration::from_millis(200)
        };
        assert!(
            read_until_closed(c, wait).await.is_some(),
            "idle connection {i} was still open {:?} after opening",
            opened.elapsed()
        );
    }
}

#[tokio::test]
async fn a_trickling_body_is_cut_off() {
    let t = Tenant::new(Backend::Sqlite).unwrap();
    let mut s = TcpStream::connect(authority(&t.server.base)).await.unwrap();
    let head = format!(
        "PATCH /beta{LW}/settings HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
        t.token
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let sent_head = Instant::now();
    // One byte every two seconds: the body would take over half an hour.
    let trickle = async {
        loop {
            tokio::time::sleep(Duration::from_secs(2)).await;
            if s.write_all(b" ").await.is_err() {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(34), trickle).await;
    let took = sent_head.elapsed();
    assert!(
        took < Duration::from_secs(33),
        "the server still accepted body bytes {took:?} after the head"
    );
    let answer = read_until_closed(&mut s, Duration::from_secs(2))
        .await
        .unwrap_or_default();
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "unexpected answer to a trickling body: {answer}"
    );
    // Nothing of it was applied.
    t.get(&format!("{LW}/settings")).await.expect(200);
}

#[tokio::test]
async fn admin_endpoints_refuse_strangers_before_reading_their_body() {
    let t = Tenant::new(Backend::Sqlite).unwrap();
    let mut s = TcpStream::connect(authority(&t.server.base)).await.unwrap();
    // A head that announces a body that never comes.
    s.write_all(
        b"POST /lcw/admin/clock HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
          Content-Length: 100000\r\n\r\n",
    )
    .await
    .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
        .await
        .expect("no answer without the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("InvalidAuthenticationToken"), "{answer}");
}

#[tokio::test]
async fn an_http11_request_without_host_is_a_400() {
    let t = Tenant::new(Backend::Sqlite).unwrap();
    let mut s = TcpStream::connect(authority(&t.server.base)).await.unwrap();
    let req = format!(
        "GET /beta{LW}/workflows HTTP/1.1\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
        t.token
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut s, Duration::from_secs(5))
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("Host"), "{answer}");
}

const POISON: [(&str, &str); 3] = [
    ("X-Forwarded-Proto", "https"),
    ("X-Forwarded-Host", "evil.example"),
    ("Forwarded", "proto=https;host=evil.example"),
];

#[tokio::test]
async fn forwarded_headers_do_not_move_links_by_default() {
    let t = Tenant::new(Backend::Sqlite).unwrap();
    for (name, value) in POISON {
        for path in [
            format!("{LW}/taskDefinitions?$top=2"),
            format!("{LW}/workflows"),
        ] {
            let r = t.get_with(&path, &[(name, value)]).await;
            r.expect(200);
            let context = r.body["@odata.context"].as_str().unwrap();
            assert!(
                context.starts_with(&t.server.base),
                "{name}: {value} moved @odata.context to {context}"
            );
            if let Some(next) = r.body["@odata.nextLink"].as_str() {
                assert!(next.starts_with(&t.server.base), "{name}: nextLink {next}");
            }
        }
    }
    // A cached answer is not served to a request from another origin either.
    let r = t
        .get_with(
            &format!("{LW}/taskDefinitions"),
            &[("Host", "other.test:1")],
        )
        .await;
    r.expect(200);
    assert!(r.body["@odata.context"]
        .as_str()
        .unwrap()
        .starts_with("http://other.test:1/beta"));
}

#[tokio::test]
async fn a_trusted_proxy_sets_the_links_origin() {
    let server = dedicated_server(Backend::Sqlite, "hardening-proxy", &["--trust-proxy"]).unwrap();
    let t = Tenant::on(server);
    let path = format!("{LW}/taskDefinitions?$top=2");
    let r = t
        .get_with(
            &path,
            &[
                ("X-Forwarded-Proto", "https"),
                ("X-Forwarded-Host", "graph.example"),
            ],
        )
        .await;
    r.expect(200);
    assert_eq!(
        r.body["@odata.context"],
        "https://graph.example/beta/$metadata#identityGovernance/lifecycleWorkflows/taskDefinitions"
    );
    assert!(r.body["@odata.nextLink"]
        .as_str()
        .unwrap()
        .starts_with("https://graph.example/beta/"));
    let r = t
        .get_with(
            &path,
            &[("Forwarded", "for=1.2.3.4;proto=https;host=lcw.example")],
        )
        .await;
    assert!(r.body["@odata.context"]
        .as_str()
        .unwrap()
        .starts_with("https://lcw.example/beta/"));
    // The same request without the headers is not answered from the cache built for them.
    let r = t.get(&path).await;
    assert!(r.body["@odata.context"]
        .as_str()
        .unwrap()
        .starts_with(&server.base));
    t.get_with(&path, &[("X-Forwarded-Host", "bad host/x")])
        .await
        .expect_error(400, "BadRequest");
}

#[test]
fn token_refuses_a_database_that_does_not_exist() {
    let db = fresh_sqlite_database().unwrap();
    let path = db.trim_start_matches("sqlite://").to_string();
    let out = std::process::Command::new(lcw_bin())
        .args(["token", "--database", &db])
        .output()
        .unwrap();
    assert!(!out.status.success(), "lcw token printed a token");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&path),
        "the message does not name {path}: {err}"
    );
    assert!(
        !std::path::Path::new(&path).exists(),
        "lcw token created {path}"
    );
    assert!(out.stdout.is_empty());
}

#[cfg(unix)]
#[test]
fn database_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let db = fresh_sqlite_database().unwrap();
    let path = db.trim_start_matches("sqlite://").to_string();
    let (_base, child) = start_server(&db, &[]).unwrap();
    let _guard = ChildGuard(child);
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{path}{suffix}");
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{file} has mode {mode:o}");
    }
}

both_backends!(a_nul_in_a_request_is_a_400_and_stores_nothing, |t| {
    let body = serde_json::json!({
        "displayName": "Nul\u{0}Person",
        "userPrincipalName": "nul@contoso.test",
        "accountEnabled": true,
    });
    let r = t.post("/users", &body).await;
    r.expect_error(400, "BadRequest");
    assert_eq!(r.body["error"]["target"], "displayName");
    let listed = t
        .get("/users?$filter=userPrincipalName%20eq%20'nul@contoso.test'")
        .await;
    listed.expect(200);
    assert_eq!(listed.body["value"], serde_json::json!([]));

    let mut wf = crate::harness::joiner_workflow("nul");
    wf["tasks"][0]["description"] = serde_json::json!("a\u{0}b");
    t.post(&format!("{LW}/workflows"), &wf)
        .await
        .expect_error(400, "BadRequest");
    let r = t.get(&format!("{LW}/workflows")).await;
    assert_eq!(r.body["value"], serde_json::json!([]));

    // In a $filter literal: a clean 400, never a database error.
    for path in [
        "/users?$filter=displayName%20eq%20'a%00b'".to_string(),
        format!("{LW}/workflows?$filter=displayName%20eq%20'a%00b'"),
    ] {
        let r = t.get(&path).await;
        assert!(r.status == 200 || r.status == 400, "{path}: {}", r.text);
    }
});

both_backends!(page_size_and_expand_depth_are_bounded, |t| {
    for path in [
        "/users?$top=1000".to_string(),
        format!("{LW}/workflows?$top=1000"),
    ] {
        let r = t.get(&path).await;
        r.expect_error(400, "BadRequest");
        assert_eq!(r.body["error"]["target"], "$top");
        assert!(r.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid page size specified"));
    }
    t.get("/users?$top=999").await.expect(200);
    t.get(&format!("{LW}/workflows?$top=999")).await.expect(200);
    let r = t
        .get(&format!(
            "{LW}/workflows?$expand=tasks($expand=taskDefinition)"
        ))
        .await;
    r.expect_error(400, "BadRequest");
    assert_eq!(r.body["error"]["target"], "$expand");
    t.get(&format!("{LW}/workflows?$expand=tasks"))
        .await
        .expect(200);
});

/// Run `lcw import` against the tenant's server database; returns its summary line.
fn import(t: &Tenant, file: &std::path::Path, extra: &[&str]) -> String {
    let out = std::process::Command::new(lcw_bin())
        .args([
            "import",
            "--database",
            &t.server.database,
            "--tenant",
            &t.id,
        ])
        .args(extra)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "lcw import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

both_backends!(a_repeated_hr_import_does_not_undo_lifecycle_tasks, |t| {
    let dir = std::env::temp_dir().join(format!("lcw-it-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("hr.json");
    let hr = serde_json::json!({
        "users": [
            {"displayName": "Lea Ver", "userPrincipalName": "lea@hr.test", "accountEnabled": true},
            {"displayName": "Stay Er", "userPrincipalName": "stay@hr.test", "accountEnabled": true},
        ],
        "groups": [
            {"displayName": "Sales", "mailNickname": "sales", "mailEnabled": false,
             "securityEnabled": true, "members": ["lea@hr.test", "stay@hr.test"]},
        ],
    });
    std::fs::write(&file, hr.to_string()).unwrap();
    import(&t, &file, &[]);
    let user = |upn: &'static str| {
        let t = &t;
        async move {
            let r = t
                .get(&format!("/users?$filter=userPrincipalName%20eq%20'{upn}'"))
                .await;
            r.body["value"][0].clone()
        }
    };
    let lea = user("lea@hr.test").await;
    let lea_id = lea["id"].as_str().unwrap().to_string();
    let groups = t.get("/groups").await;
    let gid = groups.body["value"][0]["id"].as_str().unwrap().to_string();

    // What a leaver workflow's tasks do: disable the account, remove it from its groups.
    t.patch(
        &format!("/users/{lea_id}"),
        &serde_json::json!({"accountEnabled": false}),
    )
    .await
    .expect(204);
    t.delete(&format!("/groups/{gid}/members/{lea_id}/$ref"))
        .await
        .expect(204);

    // Tomorrow's HR file is the same.
    let summary = import(&t, &file, &[]);
    assert!(summary.contains("accountEnabled of 1 user(s)"), "{summary}");
    assert!(summary.contains("members of 1 group(s)"), "{summary}");
    assert_eq!(user("lea@hr.test").await["accountEnabled"], false);
    let members = t.get(&format!("/groups/{gid}/members")).await;
    let ids: Vec<&str> = members.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&lea_id.as_str()), "{ids:?}");
    assert_eq!(ids.len(), 1);

    // Told explicitly, it sets them.
    let summary = import(&t, &file, &["--overwrite-managed"]);
    assert!(!summary.contains("left alone"), "{summary}");
    assert_eq!(user("lea@hr.test").await["accountEnabled"], true);
    let members = t.get(&format!("/groups/{gid}/members")).await;
    assert_eq!(members.body["value"].as_array().unwrap().len(), 2);
});
