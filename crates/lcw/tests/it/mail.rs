//! E-mail tasks end to end: a real SMTP server (Python's `smtpd` DebuggingServer, which
//! prints every message it receives), an lcw server with `--smtp-url` on a manual clock, and
//! on-demand runs that send the welcome and last-day mails; without `--smtp-url` the
//! messages stay in the outbox (`GET /lcw/admin/outbox`). STARTTLS runs against a small
//! asyncio SMTP server written by the test (stdlib `ssl`) with a self-signed certificate
//! made by the `openssl` CLI; it logs every command with whether the session was TLS.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::harness::{
    fresh_postgres_database, fresh_sqlite_database, into_resp, lcw_bin, start_server, Backend,
    ChildGuard, Resp, LW,
};

const WELCOME: &str = "70b29d51-b59a-4773-9280-8841dfd3f2ea";
const ON_LAST_DAY: &str = "9c0a1eaf-5bda-4392-9d9e-6e155bb57411";

/// A running `python3 -m smtpd` DebuggingServer and everything it printed so far.
pub(crate) struct SmtpSink {
    port: u16,
    output: Arc<Mutex<String>>,
    _child: ChildGuard,
}

fn free_port() -> Option<u16> {
    Some(
        std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port(),
    )
}

/// A minimal SMTP server (stdlib asyncio + ssl): argv = port [cert key]. With a
/// certificate it offers STARTTLS. Prints `CMD tls=<bool> <command>` per command and
/// `DATA <line>` per (un-dot-stuffed) message line.
const STARTTLS_SERVER: &str = r#"
import asyncio, ssl, sys
port = int(sys.argv[1])
ctx = None
if len(sys.argv) > 3:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(sys.argv[2], sys.argv[3])

async def handle(reader, writer):
    tls = False
    async def say(text):
        writer.write((text + "\r\n").encode())
        await writer.drain()
    await say("220 localhost ESMTP test")
    in_data = False
    while True:
        raw = await reader.readline()
        if not raw:
            break
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if in_data:
            if line == ".":
                in_data = False
                await say("250 queued")
            else:
                print("DATA " + (line[1:] if line.startswith(".") else line), flush=True)
            continue
        print(f"CMD tls={tls} {line}", flush=True)
        verb = line.split(" ", 1)[0].upper()
        if verb == "EHLO":
            await say("250-localhost\r\n250 STARTTLS" if ctx and not tls else "250 localhost")
        elif verb == "STARTTLS" and ctx and not tls:
            await say("220 ready to start TLS")
            await writer.start_tls(ctx)
            tls = True
        elif verb == "AUTH":
            await say("235 accepted")
        elif verb == "DATA":
            in_data = True
            await say("354 go ahead")
        elif verb == "QUIT":
            await say("221 bye")
            break
        elif verb in ("HELO", "MAIL", "RCPT", "RSET", "NOOP"):
            await say("250 ok")
        else:
            await say("502 not implemented")
    writer.close()

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()

asyncio.run(main())
"#;

impl SmtpSink {
    pub(crate) fn start() -> Option<SmtpSink> {
        let probe = Command::new("python3")
            .args(["-W", "ignore", "-c", "import smtpd"])
            .output()
            .ok()?;
        if !probe.status.success() {
            return None;
        }
        let port = free_port()?;
        let addr = format!("127.0.0.1:{port}");
        let args = [
            "-W",
            "ignore",
            "-m",
            "smtpd",
            "-n",
            "-c",
            "DebuggingServer",
            &addr,
        ];
        SmtpSink::spawn(port, &args)
    }

    /// The test's asyncio SMTP server; with `tls`, a fresh self-signed certificate for
    /// 127.0.0.1 and STARTTLS, and the certificate's PEM path (for `--smtp-ca-file`).
    pub(crate) fn start_script(tls: bool) -> Option<(SmtpSink, std::path::PathBuf)> {
        let dir = std::env::temp_dir().join(format!("lcw-smtp-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).ok()?;
        let script = dir.join("server.py");
        std::fs::write(&script, STARTTLS_SERVER).ok()?;
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        let port = free_port()?.to_string();
        let mut args = vec![script.to_str()?, &port];
        if tls {
            let made = Command::new("openssl")
                .args([
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                ])
                .args(["-subj", "/CN=localhost"])
                .args(["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
                // webpki refuses a CA certificate as the server's own (CaUsedAsEndEntity).
                .args(["-addext", "basicConstraints=critical,CA:FALSE"])
                .arg("-keyout")
                .arg(&key)
                .arg("-out")
                .arg(&cert)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .ok()?;
            if !made.success() {
                return None;
            }
            args.extend([cert.to_str()?, key.to_str()?]);
        }
        let sink = SmtpSink::spawn(port.parse().ok()?, &args)?;
        Some((sink, cert))
    }

    fn spawn(port: u16, python_args: &[&str]) -> Option<SmtpSink> {
        // Same stop-on-stdin-close wrapper as the lcw servers.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#""$@" </dev/null & p=$!; read _ignored; kill $p 2>/dev/null; wait $p"#)
            .arg("smtp-guard")
            .args(["python3", "-u"])
            .args(python_args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let stdout = child.stdout.take()?;
        let output = Arc::new(Mutex::new(String::new()));
        let sink = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let guard = ChildGuard(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(SmtpSink {
                    port,
                    output,
                    _child: guard,
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    pub(crate) fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// `scheme://userinfo127.0.0.1:port`.
    pub(crate) fn url_with(&self, scheme: &str, userinfo: &str) -> String {
        format!("{scheme}://{userinfo}127.0.0.1:{}", self.port)
    }

    /// Everything the server printed so far.
    pub(crate) fn printed(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Wait until the printed output contains `needle`; returns the output.
    pub(crate) async fn wait_for(&self, needle: &str) -> String {
        for _ in 0..200 {
            let s = self.output.lock().unwrap().clone();
            if s.contains(needle) {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the SMTP server never received '{needle}'; it printed:\n{}",
            self.output.lock().unwrap()
        );
    }
}

/// An lcw server of its own with a manual clock, and a token for one tenant.
pub(crate) struct Lcw {
    base: String,
    database: String,
    args: Vec<String>,
    token: String,
    client: reqwest::Client,
    _child: ChildGuard,
}

impl Lcw {
    pub(crate) fn start(backend: Backend, smtp: Option<&str>) -> Option<Lcw> {
        Lcw::start_with(backend, smtp, &[])
    }

    pub(crate) fn start_with(backend: Backend, smtp: Option<&str>, more: &[&str]) -> Option<Lcw> {
        let database = match backend {
            Backend::Sqlite => fresh_sqlite_database()?,
            Backend::Postgres => fresh_postgres_database()?,
        };
        let mut extra = vec!["--clock", "manual"];
        if let Some(url) = smtp {
            extra.extend(["--smtp-url", url]);
        }
        extra.extend(more);
        let (base, child) = start_server(&database, &extra).unwrap();
        let args = extra.iter().map(|a| a.to_string()).collect();
        let tenant = uuid::Uuid::new_v4().to_string();
        let out = Command::new(lcw_bin())
            .args(["token", "--database", &database, "--tenant", &tenant])
            .output()
            .unwrap();
        assert!(out.status.success());
        Some(Lcw {
            base,
            database,
            args,
            token: String::from_utf8(out.stdout).unwrap().trim().to_string(),
            client: reqwest::Client::new(),
            _child: ChildGuard(child),
        })
    }

    /// The server's database URL.
    pub(crate) fn database(&self) -> &str {
        &self.database
    }

    /// Another server on the same database with the same flags (and the same tenant).
    pub(crate) fn second_node(&self) -> Lcw {
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let (base, child) = start_server(&self.database, &args).unwrap();
        Lcw {
            base,
            database: self.database.clone(),
            args: self.args.clone(),
            token: self.token.clone(),
            client: reqwest::Client::new(),
            _child: ChildGuard(child),
        }
    }

    pub(crate) async fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        let url = if path.starts_with("/lcw/") {
            format!("{}{path}", self.base.trim_end_matches("/beta"))
        } else {
            format!("{}{path}", self.base)
        };
        let mut req = self
            .client
            .request(method.parse().unwrap(), url)
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        into_resp(req.send().await.unwrap()).await
    }

    pub(crate) async fn user(&self, name: &str, mail: Option<&str>) -> String {
        let mut body = json!({
            "displayName": name,
            "givenName": name.split(' ').next().unwrap(),
            "userPrincipalName": format!("{}@contoso.test", name.to_lowercase().replace(' ', ".")),
            "department": "Sales",
            "employeeHireDate": "2026-04-01T00:00:00Z",
            "employeeLeaveDateTime": "2026-06-30T00:00:00Z",
        });
        if let Some(m) = mail {
            body["mail"] = json!(m);
        }
        let r = self.send("POST", "/users", Some(&body)).await;
        r.expect(201);
        r.body["id"].as_str().unwrap().to_string()
    }

    pub(crate) async fn set_manager(&self, user: &str, manager: &str) {
        self.send(
            "PUT",
            &format!("/users/{user}/manager/$ref"),
            Some(
                &json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{manager}")}),
            ),
        )
        .await
        .expect(204);
    }

    pub(crate) async fn workflow(&self, category: &str, attribute: &str, task: Value) -> String {
        let r = self
            .send(
                "POST",
                &format!("{LW}/workflows"),
                Some(&json!({
                    "category": category,
                    "displayName": format!("{category} mail"),
                    "isEnabled": true,
                    "isSchedulingEnabled": false,
                    "executionConditions": {
                        "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
                        "scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "department eq 'Sales'"},
                        "trigger": {"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger", "timeBasedAttribute": attribute, "offsetInDays": 0}
                    },
                    "tasks": [task]
                })),
            )
            .await;
        r.expect(201);
        r.body["id"].as_str().unwrap().to_string()
    }

    /// Activate the workflow for `users`, process the queue, and return the task results.
    pub(crate) async fn run(&self, wf: &str, users: &[&str]) -> Vec<Value> {
        let base = format!("{LW}/workflows/{wf}");
        let subjects: Vec<Value> = users
            .iter()
            .map(|u| json!({"id": u, "@odata.type": "#microsoft.graph.user"}))
            .collect();
        self.send(
            "POST",
            &format!("{base}/microsoft.graph.identityGovernance.activate"),
            Some(&json!({ "subjects": subjects })),
        )
        .await
        .expect(204);
        self.send("POST", "/lcw/admin/engine/drain", Some(&json!({})))
            .await
            .expect(200);
        for _ in 0..100 {
            let runs = self.send("GET", &format!("{base}/runs"), None).await;
            runs.expect(200);
            let list = runs.body["value"].as_array().cloned().unwrap_or_default();
            if list.len() == 1 && list[0]["completedDateTime"].is_string() {
                let run = list[0]["id"].as_str().unwrap();
                let r = self
                    .send(
                        "GET",
                        &format!("{base}/runs/{run}/taskProcessingResults"),
                        None,
                    )
                    .await;
                r.expect(200);
                return r.body["value"].as_array().cloned().unwrap();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the run did not complete");
    }

    pub(crate) async fn outbox(&self) -> Vec<Value> {
        let r = self.send("GET", "/lcw/admin/outbox", None).await;
        r.expect(200);
        r.body["value"].as_array().cloned().unwrap()
    }
}

pub(crate) fn result_for<'a>(results: &'a [Value], user: &str) -> &'a Value {
    results
        .iter()
        .find(|r| r["subject"]["id"] == user)
        .unwrap_or_else(|| panic!("no result for {user}: {results:?}"))
}

async fn mails_are_sent_over_smtp(backend: Backend) {
    let Some(smtp) = SmtpSink::start() else {
        eprintln!("skipped: python3 -m smtpd is not available");
        return;
    };
    let Some(lcw) = Lcw::start(backend, Some(&smtp.url())) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    let boss = lcw.user("Bea Boss", Some("bea@contoso.test")).await;
    let ann = lcw.user("Ann Leaver", Some("ann@contoso.test")).await;
    lcw.set_manager(&ann, &boss).await;
    let orphan = lcw.user("Otto Orphan", Some("otto@contoso.test")).await;

    // Leaver: the last-day mail goes to the manager, with the placeholders filled in.
    let leaver = lcw
        .workflow(
            "leaver",
            "employeeLeaveDateTime",
            json!({
                "displayName": "Last day mail",
                "taskDefinitionId": ON_LAST_DAY,
                "arguments": [
                    {"name": "customSubject", "value": "Farewell {{userDisplayName}} ({{userPrincipalName}}), boss {{managerDisplayName}}"},
                    {"name": "customBody", "value": "Last day: {{userEmployeeLeaveDateTime}}\n.dot line\nManager mail {{managerEmail}}"}
                ]
            }),
        )
        .await;
    let results = lcw.run(&leaver, &[&ann, &orphan]).await;
    let ok = result_for(&results, &ann);
    assert_eq!(ok["processingStatus"], "completed", "{ok}");
    let failed = result_for(&results, &orphan);
    assert_eq!(failed["processingStatus"], "failed", "{failed}");
    assert!(
        failed["failureReason"]
            .as_str()
            .unwrap()
            .contains("has no manager"),
        "{failed}"
    );
    let subject = "Subject: Farewell Ann Leaver (ann.leaver@contoso.test), boss Bea Boss";
    let printed = smtp.wait_for(subject).await;
    assert!(printed.contains("To: bea@contoso.test"), "{printed}");
    assert!(printed.contains("From: no-reply@lcw.local"), "{printed}");
    assert!(
        printed.contains("Manager mail bea@contoso.test"),
        "{printed}"
    );
    // Dot-stuffing is undone by the server (which prints each line as a Python bytes
    // literal): the body line reads as written.
    assert!(printed.contains("b'.dot line'"), "{printed}");

    // Joiner: the welcome mail goes to the user; the sender domain comes from the settings.
    lcw.send(
        "PATCH",
        &format!("{LW}/settings"),
        Some(&json!({"emailSettings": {"senderDomain": "contoso.test"}})),
    )
    .await
    .expect(204);
    let joiner = lcw
        .workflow(
            "joiner",
            "employeeHireDate",
            json!({"displayName": "Welcome", "taskDefinitionId": WELCOME, "arguments": [
                {"name": "cc", "value": boss}
            ]}),
        )
        .await;
    let results = lcw.run(&joiner, &[&ann]).await;
    assert_eq!(result_for(&results, &ann)["processingStatus"], "completed");
    let printed = smtp.wait_for("Subject: Welcome, Ann Leaver!").await;
    assert!(printed.contains("To: ann@contoso.test"), "{printed}");
    assert!(printed.contains("Cc: bea@contoso.test"), "{printed}");
    assert!(printed.contains("From: no-reply@contoso.test"), "{printed}");

    // The outbox lists both messages as sent.
    let mut sent = Vec::new();
    for _ in 0..100 {
        sent = lcw.outbox().await;
        if sent.len() == 2 && sent.iter().all(|m| m["sentDateTime"].is_string()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent.iter().all(|m| m["sentDateTime"].is_string()),
        "{sent:?}"
    );
}

async fn without_smtp_mails_stay_in_the_outbox(backend: Backend) {
    let Some(lcw) = Lcw::start(backend, None) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    let ann = lcw.user("Ann Joiner", Some("ann@contoso.test")).await;
    let nomail = lcw.user("Ned Nomail", None).await;
    let joiner = lcw
        .workflow(
            "joiner",
            "employeeHireDate",
            json!({"displayName": "Welcome", "taskDefinitionId": WELCOME, "arguments": [
                {"name": "customSubject", "value": "Hi {{userGivenName}}, you start {{userEmployeeHireDate}}"}
            ]}),
        )
        .await;
    let results = lcw.run(&joiner, &[&ann, &nomail]).await;
    assert_eq!(result_for(&results, &ann)["processingStatus"], "completed");
    let failed = result_for(&results, &nomail);
    assert_eq!(failed["processingStatus"], "failed");
    assert_eq!(failed["failureReason"], "The user has no mail address.");
    let outbox = lcw.outbox().await;
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    assert_eq!(outbox[0]["to"], json!(["ann@contoso.test"]));
    assert_eq!(
        outbox[0]["subject"],
        "Hi Ann, you start 2026-04-01T00:00:00Z"
    );
    assert!(outbox[0]["sentDateTime"].is_null());
    assert_eq!(outbox[0]["from"], "no-reply@lcw.local");
}

/// Run a welcome workflow (custom subject) for a new user with a mail address.
async fn queue_welcome(lcw: &Lcw, subject: &str) {
    let ann = lcw.user("Ann Joiner", Some("ann@contoso.test")).await;
    let joiner = lcw
        .workflow(
            "joiner",
            "employeeHireDate",
            json!({"displayName": "Welcome", "taskDefinitionId": WELCOME, "arguments": [
                {"name": "customSubject", "value": subject}
            ]}),
        )
        .await;
    let results = lcw.run(&joiner, &[&ann]).await;
    assert_eq!(result_for(&results, &ann)["processingStatus"], "completed");
}

async fn mails_go_over_starttls(backend: Backend) {
    let Some((smtp, cert)) = SmtpSink::start_script(true) else {
        eprintln!("skipped: python3 or openssl is not available");
        return;
    };
    let url = smtp.url_with("smtp", "mailer:s%3Acret@");
    let ca = cert.to_str().unwrap();
    let Some(lcw) = Lcw::start_with(backend, Some(&url), &["--smtp-ca-file", ca]) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    queue_welcome(&lcw, "Encrypted welcome").await;
    let printed = smtp.wait_for("DATA Subject: Encrypted welcome").await;
    // The client upgraded right after the first EHLO, greeted again, and only then
    // authenticated and sent the mail.
    let cmds: Vec<&str> = printed.lines().filter(|l| l.starts_with("CMD ")).collect();
    assert_eq!(
        cmds.get(..4),
        Some(
            &[
                "CMD tls=False EHLO lcw",
                "CMD tls=False STARTTLS",
                "CMD tls=True EHLO lcw",
                // base64("\0mailer\0s:cret")
                "CMD tls=True AUTH PLAIN AG1haWxlcgBzOmNyZXQ=",
            ][..]
        ),
        "{printed}"
    );
    assert!(
        printed.contains("CMD tls=True MAIL FROM:<no-reply@lcw.local>"),
        "{printed}"
    );
    assert!(printed.contains("CMD tls=True RCPT TO:<ann@contoso.test>"));
    assert!(!printed.contains("CMD tls=False MAIL"), "{printed}");
    let mut outbox = Vec::new();
    for _ in 0..100 {
        outbox = lcw.outbox().await;
        if outbox.len() == 1 && outbox[0]["sentDateTime"].is_string() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the message is not marked sent: {outbox:?}");
}

async fn required_starttls_not_offered_leaves_mail_unsent(backend: Backend) {
    let Some((smtp, _)) = SmtpSink::start_script(false) else {
        eprintln!("skipped: python3 is not available");
        return;
    };
    let url = smtp.url_with("smtp+starttls", "mailer:secret@");
    let Some(lcw) = Lcw::start(backend, Some(&url)) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    queue_welcome(&lcw, "Never in clear").await;
    let mut outbox = Vec::new();
    for _ in 0..200 {
        outbox = lcw.outbox().await;
        if outbox.len() == 1 && outbox[0]["lastError"].is_string() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    let error = outbox[0]["lastError"].as_str().unwrap_or_default();
    assert!(error.contains("does not offer STARTTLS"), "{outbox:?}");
    assert!(outbox[0]["sentDateTime"].is_null(), "{outbox:?}");
    // Neither the credentials nor the mail reached the server.
    let printed = smtp.printed();
    assert!(printed.contains("CMD tls=False EHLO lcw"), "{printed}");
    assert!(!printed.contains("AUTH"), "{printed}");
    assert!(!printed.contains("MAIL FROM"), "{printed}");
}

/// Two nodes on one PostgreSQL database, both with a mailer: every message is sent once.
#[tokio::test]
async fn two_nodes_send_each_mail_once() {
    let Some(smtp) = SmtpSink::start() else {
        eprintln!("skipped: python3 -m smtpd is not available");
        return;
    };
    let Some(a) = Lcw::start(Backend::Postgres, Some(&smtp.url())) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set (this test needs PostgreSQL)");
        return;
    };
    let b = a.second_node();
    let mut users = Vec::new();
    for i in 0..10 {
        let name = format!("Joiner N{i}");
        let mail = format!("n{i}@contoso.test");
        users.push(a.user(&name, Some(&mail)).await);
    }
    let joiner = a
        .workflow(
            "joiner",
            "employeeHireDate",
            json!({"displayName": "Welcome", "taskDefinitionId": WELCOME, "arguments": [
                {"name": "customSubject", "value": "Hello {{userDisplayName}}!"}
            ]}),
        )
        .await;
    let ids: Vec<&str> = users.iter().map(String::as_str).collect();
    let results = a.run(&joiner, &ids).await;
    assert!(
        results.iter().all(|r| r["processingStatus"] == "completed"),
        "{results:?}"
    );
    // Both mailers poll every 500 ms; wait until every message is marked sent, then long
    // enough for a second copy from the other node to arrive.
    for _ in 0..100 {
        if b.outbox()
            .await
            .iter()
            .all(|m| m["sentDateTime"].is_string())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let outbox = b.outbox().await;
    assert_eq!(outbox.len(), 10, "{outbox:?}");
    assert!(
        outbox.iter().all(|m| m["sentDateTime"].is_string()),
        "{outbox:?}"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let printed = smtp.printed();
    for i in 0..10 {
        let subject = format!("Subject: Hello Joiner N{i}!");
        assert_eq!(
            printed.matches(&subject).count(),
            1,
            "{subject} in:\n{printed}"
        );
    }
}

#[tokio::test]
async fn starttls_delivery_sqlite() {
    mails_go_over_starttls(Backend::Sqlite).await;
}

#[tokio::test]
async fn starttls_delivery_postgres() {
    mails_go_over_starttls(Backend::Postgres).await;
}

#[tokio::test]
async fn starttls_required_sqlite() {
    required_starttls_not_offered_leaves_mail_unsent(Backend::Sqlite).await;
}

#[tokio::test]
async fn starttls_required_postgres() {
    required_starttls_not_offered_leaves_mail_unsent(Backend::Postgres).await;
}

#[tokio::test]
async fn smtp_delivery_sqlite() {
    mails_are_sent_over_smtp(Backend::Sqlite).await;
}

#[tokio::test]
async fn smtp_delivery_postgres() {
    mails_are_sent_over_smtp(Backend::Postgres).await;
}

#[tokio::test]
async fn outbox_without_smtp_sqlite() {
    without_smtp_mails_stay_in_the_outbox(Backend::Sqlite).await;
}

#[tokio::test]
async fn outbox_without_smtp_postgres() {
    without_smtp_mails_stay_in_the_outbox(Backend::Postgres).await;
}
