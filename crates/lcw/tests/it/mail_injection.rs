//! No SMTP command or header injection. A CR or LF in a user's `mail` or the tenant's
//! `emailSettings.senderDomain` is refused with 400 (POST, PATCH, `lcw import`) and nothing is
//! stored. Text that reached the database anyway (rows written before the checks, or past the
//! API: here straight into the outbox table) never becomes an SMTP command or header line:
//! invalid addresses fail the message before any connection, with the reason in `lastError`;
//! subjects are encoded; body lines are CRLF-ended and dot-stuffed. The SMTP side is the test
//! SMTP server of `mail.rs`, which prints every command and every (un-dot-stuffed) DATA line.

use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::both_backends;
use crate::harness::{lcw_bin, start_server, Backend, ChildGuard, Tenant, LW};
use crate::mail::{result_for, Lcw, SmtpSink};

const WELCOME: &str = "70b29d51-b59a-4773-9280-8841dfd3f2ea";

/// Line breaks and other control characters an attacker could slip into an address.
const BAD_SUFFIXES: [&str; 5] = [
    "\r\nRCPT TO:<evil@evil.test>",
    "\nBcc: evil@evil.test",
    "\r",
    "\u{0}",
    "\tx",
];

#[track_caller]
fn assert_names(r: &crate::harness::Resp, property: &str) {
    r.expect_error(400, "BadRequest");
    let message = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(property), "{}", r.text);
}

fn import(t: &Tenant, users: Value) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!("lcw-mail-import-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("users.json");
    std::fs::write(
        &file,
        serde_json::to_vec(&json!({ "users": users })).unwrap(),
    )
    .unwrap();
    let out = Command::new(lcw_bin())
        .args([
            "import",
            "--database",
            &t.server.database,
            "--tenant",
            &t.id,
        ])
        .arg(&file)
        .output()
        .expect("run lcw import");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

both_backends!(user_mail_with_control_characters_is_refused, |t| {
    let upn = "ann@contoso.test";
    for suffix in BAD_SUFFIXES {
        let bad = format!("ann@contoso.test{suffix}");
        let r = t
            .post(
                "/users",
                &json!({"displayName": "Ann", "userPrincipalName": upn, "mail": bad}),
            )
            .await;
        assert_names(&r, "mail");
        t.get(&format!("/users/{upn}")).await.expect(404);
    }

    let r = t
        .post(
            "/users",
            &json!({"displayName": "Ann", "userPrincipalName": upn, "mail": upn, "department": "Sales"}),
        )
        .await;
    r.expect(201);
    let id = r.body["id"].as_str().unwrap().to_string();
    for suffix in BAD_SUFFIXES {
        let bad = format!("ann@contoso.test{suffix}");
        let r = t
            .patch(
                &format!("/users/{id}"),
                &json!({"mail": bad, "department": "Legal"}),
            )
            .await;
        assert_names(&r, "mail");
    }
    let ann = t.get(&format!("/users/{id}")).await;
    ann.expect(200);
    assert_eq!(ann.body["mail"], upn);
    assert_eq!(ann.body["department"], "Sales");

    // `lcw import` validates rows with the same rules: neither a new user nor an update of
    // an existing one gets through.
    let (ok, stderr) = import(
        &t,
        json!([
            {"displayName": "Imp", "userPrincipalName": "imp@contoso.test",
             "mail": "imp@contoso.test\r\nRCPT TO:<evil@evil.test>"},
            {"displayName": "Ann", "userPrincipalName": upn,
             "mail": "ann@contoso.test\nBcc: evil@evil.test", "department": "Legal"}
        ]),
    );
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains("row 1:") && stderr.contains("row 2:"),
        "{stderr}"
    );
    assert!(stderr.contains("'mail'"), "{stderr}");
    t.get("/users/imp@contoso.test").await.expect(404);
    let ann = t.get(&format!("/users/{id}")).await;
    assert_eq!(ann.body["mail"], upn);
    assert_eq!(ann.body["department"], "Sales");
});

both_backends!(sender_domain_with_control_characters_is_refused, |t| {
    let path = format!("{LW}/settings");
    t.patch(
        &path,
        &json!({"emailSettings": {"senderDomain": "contoso.test", "useCompanyBranding": false}}),
    )
    .await
    .expect(204);
    for suffix in BAD_SUFFIXES {
        let bad = format!("contoso.test{suffix}");
        let r = t
            .patch(
                &path,
                &json!({"emailSettings": {"senderDomain": bad, "useCompanyBranding": true}}),
            )
            .await;
        assert_names(&r, "emailSettings.senderDomain");
    }
    let s = t.get(&path).await;
    s.expect(200);
    assert_eq!(s.body["emailSettings"]["senderDomain"], "contoso.test");
    assert_eq!(s.body["emailSettings"]["useCompanyBranding"], false);
});

/// Run SQL on the server's database with the backend's command-line client.
fn execute_sql(backend: Backend, database: &str, sql: &str) {
    let out = match backend {
        Backend::Sqlite => Command::new("sqlite3")
            .args(["-cmd", ".timeout 10000"])
            .arg(database.trim_start_matches("sqlite://"))
            .arg(sql)
            .output(),
        Backend::Postgres => Command::new("psql")
            .args([database, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .output(),
    }
    .expect("run the database client");
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The messages the test SMTP server received: each one's DATA lines.
fn received_messages(printed: &str) -> Vec<Vec<&str>> {
    let mut messages: Vec<Vec<&str>> = Vec::new();
    for line in printed.lines() {
        if line.ends_with(" DATA") && line.starts_with("CMD ") {
            messages.push(Vec::new());
        } else if let (Some(text), Some(current)) =
            (line.strip_prefix("DATA "), messages.last_mut())
        {
            current.push(text);
        }
    }
    messages
}

/// A message's body lines (after the blank line that ends the headers).
fn body_of<'a>(message: &[&'a str]) -> Vec<&'a str> {
    let start = message.iter().position(|l| l.is_empty()).unwrap_or(0) + 1;
    message[start..].to_vec()
}

async fn stored_line_breaks_never_become_smtp_lines(backend: Backend) {
    let Some((smtp, _)) = SmtpSink::start_script(false) else {
        eprintln!("skipped: python3 is not available");
        return;
    };
    // Queue with a node that does not send, so the rows can be rewritten before delivery.
    let Some(lcw) = Lcw::start(backend, None) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    let mut users = Vec::new();
    for name in ["Ann", "Bob", "Cid", "Dee"] {
        let mail = format!("{}@contoso.test", name.to_lowercase());
        users.push(lcw.user(&format!("{name} Joiner"), Some(&mail)).await);
    }
    // Dee's message goes through untouched: a body from the API with lines starting with ".".
    let joiner = lcw
        .workflow(
            "joiner",
            "employeeHireDate",
            json!({"displayName": "Welcome", "taskDefinitionId": WELCOME, "arguments": [
                {"name": "customSubject", "value": "Welcome {{userGivenName}}"},
                {"name": "customBody", "value": "Hello {{userGivenName}}\n.\n.starts with a dot\nBye"}
            ]}),
        )
        .await;
    let ids: Vec<&str> = users.iter().map(String::as_str).collect();
    let results = lcw.run(&joiner, &ids).await;
    for user in &users {
        assert_eq!(result_for(&results, user)["processingStatus"], "completed");
    }
    assert_eq!(lcw.outbox().await.len(), 4);

    let (cr, lf) = match backend {
        Backend::Sqlite => ("char(13)", "char(10)"),
        Backend::Postgres => ("chr(13)", "chr(10)"),
    };
    let crlf = format!("{cr} || {lf}");
    execute_sql(
        backend,
        lcw.database(),
        &format!(
            "UPDATE outbox SET subject = 'Hi' || {crlf} || 'Bcc: evil@evil.test', \
             body = 'Line one' || {cr} || 'Line two' || {lf} || '.' || {crlf} || \
             'MAIL FROM:<evil@evil.test>' || {crlf} || '.hidden line' \
             WHERE mail_to = 'ann@contoso.test';\
             UPDATE outbox SET mail_to = 'bob@contoso.test' || {crlf} || 'RCPT TO:<evil@evil.test>' \
             WHERE mail_to = 'bob@contoso.test';\
             UPDATE outbox SET mail_from = 'no-reply@lcw.local' || {crlf} || 'RCPT TO:<evil@evil.test>' \
             WHERE mail_to = 'cid@contoso.test';"
        ),
    );

    // Now a node with a mailer on the same database delivers.
    let args = ["--clock", "manual", "--smtp-url", &smtp.url()];
    let (_, child) = start_server(lcw.database(), &args).unwrap();
    let _mailer = ChildGuard(child);
    let mut outbox = Vec::new();
    for _ in 0..200 {
        outbox = lcw.outbox().await;
        let settled = outbox
            .iter()
            .all(|m| m["sentDateTime"].is_string() || m["lastError"].is_string());
        if settled {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let row = |who: &str| -> Value {
        outbox
            .iter()
            .find(|m| m["to"][0].as_str().unwrap_or_default().starts_with(who))
            .cloned()
            .unwrap_or_else(|| panic!("no message to {who}: {outbox:?}"))
    };
    for who in ["ann@", "dee@"] {
        assert!(row(who)["sentDateTime"].is_string(), "{outbox:?}");
    }
    for (who, reason) in [("bob@", "recipient"), ("cid@", "sender")] {
        let m = row(who);
        assert!(m["sentDateTime"].is_null(), "{m}");
        let error = m["lastError"].as_str().unwrap_or_default();
        assert!(error.contains(reason), "{m}");
        assert!(!error.contains(['\r', '\n']), "{m}");
    }
    smtp.wait_for("DATA Bye").await;
    // Let the mailer retry the two failed messages: they still never reach the server.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let printed = smtp.printed();

    // Exactly two sessions, for Ann and Dee, with no command from the stored text.
    let commands: Vec<&str> = printed
        .lines()
        .filter_map(|l| l.strip_prefix("CMD tls=False "))
        .collect();
    assert!(!commands.iter().any(|c| c.contains("evil")), "{printed}");
    let mut rcpts: Vec<&str> = commands
        .iter()
        .copied()
        .filter(|c| c.starts_with("RCPT"))
        .collect();
    rcpts.sort_unstable();
    assert_eq!(
        rcpts,
        ["RCPT TO:<ann@contoso.test>", "RCPT TO:<dee@contoso.test>"],
        "{printed}"
    );
    assert_eq!(
        commands.iter().filter(|c| c.starts_with("MAIL")).count(),
        2,
        "{printed}"
    );
    assert!(
        commands
            .iter()
            .all(|c| ["EHLO", "MAIL", "RCPT", "DATA", "QUIT"]
                .iter()
                .any(|verb| c.starts_with(verb))),
        "{printed}"
    );

    let messages = received_messages(&printed);
    assert_eq!(messages.len(), 2, "{printed}");
    let to = |who: &str| {
        messages
            .iter()
            .find(|m| m.contains(&format!("To: {who}").as_str()))
            .unwrap_or_else(|| panic!("no message to {who}:\n{printed}"))
    };
    let ann = to("ann@contoso.test");
    // The subject's line break is encoded into the Subject header, not a Bcc header.
    assert!(
        !ann.iter()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc")),
        "{printed}"
    );
    let subject = ann
        .iter()
        .find(|l| l.starts_with("Subject: "))
        .unwrap_or_else(|| panic!("no subject:\n{printed}"));
    assert!(subject.contains("=?utf-8?"), "{printed}");
    // The lone CR and LF end lines like CRLF; "." and ".hidden line" arrive as written.
    assert_eq!(
        body_of(ann),
        [
            "Line one",
            "Line two",
            ".",
            "MAIL FROM:<evil@evil.test>",
            ".hidden line"
        ],
        "{printed}"
    );
    let dee = to("dee@contoso.test");
    assert!(dee.contains(&"Subject: Welcome Dee"), "{printed}");
    assert_eq!(
        body_of(dee),
        ["Hello Dee", ".", ".starts with a dot", "Bye"],
        "{printed}"
    );
}

#[tokio::test]
async fn stored_line_breaks_sqlite() {
    stored_line_breaks_never_become_smtp_lines(Backend::Sqlite).await;
}

#[tokio::test]
async fn stored_line_breaks_postgres() {
    stored_line_breaks_never_become_smtp_lines(Backend::Postgres).await;
}
