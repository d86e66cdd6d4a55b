//! The outbox through an SMTP outage and a refusal: mail waits (with backoff) until the
//! server is back and is then delivered exactly once; a message the server refuses for good
//! is marked failed with the reason and goes out when requeued; the outbox pages and
//! filters by status. And the Temporary Access Pass a mail carries is not readable by a
//! Global Reader on any surface.
//!
//! The SMTP server is a small asyncio script (stdlib only) that prints one `MSG` line per
//! accepted message, and answers `RCPT TO` of an address containing "refuse" with a 550
//! and of one containing "later" with a 451 while its flag file exists.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::both_backends;
use crate::harness::{Backend, ChildGuard, Resp, Tenant, LW};
use crate::mail::{result_for, Lcw};

const WELCOME: &str = "70b29d51-b59a-4773-9280-8841dfd3f2ea";
const TAP_TASK: &str = "1b555e50-7f65-41d5-b514-5894a026d10d";

const SINK: &str = r#"
import asyncio, os, sys
port, refuse_flag = int(sys.argv[1]), sys.argv[2]

async def handle(reader, writer):
    async def say(text):
        writer.write((text + "\r\n").encode())
        await writer.drain()
    await say("220 sink ESMTP")
    in_data, lines = False, []
    while True:
        raw = await reader.readline()
        if not raw:
            break
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if in_data:
            if line == ".":
                in_data = False
                pick = lambda p: next((l for l in lines if l.lower().startswith(p)), "")
                print("MSG " + pick("message-id:") + " | " + pick("subject:"), flush=True)
                lines = []
                await say("250 queued")
            else:
                lines.append(line)
            continue
        verb = line.split(" ", 1)[0].upper()
        if verb in ("EHLO", "HELO"):
            await say("250 sink")
        elif verb == "RCPT" and "refuse" in line and os.path.exists(refuse_flag):
            await say("550 5.1.1 no such mailbox here")
        elif verb == "RCPT" and "later" in line and os.path.exists(refuse_flag):
            await say("451 4.3.0 mailbox busy, try again later")
        elif verb == "DATA":
            in_data = True
            await say("354 go ahead")
        elif verb == "QUIT":
            await say("221 bye")
            break
        elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
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

/// The sink script on a port, and what it printed.
struct Sink {
    output: Arc<Mutex<String>>,
    _child: ChildGuard,
}

/// Where a sink runs: its port, script and refusal flag file.
struct SinkPlace {
    port: u16,
    script: PathBuf,
    refuse_flag: PathBuf,
}

impl SinkPlace {
    fn new() -> Option<SinkPlace> {
        let python = Command::new("python3").arg("--version").output().ok()?;
        if !python.status.success() {
            return None;
        }
        let dir = std::env::temp_dir().join(format!("lcw-sink-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).ok()?;
        let script = dir.join("sink.py");
        std::fs::write(&script, SINK).ok()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        Some(SinkPlace {
            port,
            script,
            refuse_flag: dir.join("refuse"),
        })
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn refuse(&self, on: bool) {
        if on {
            std::fs::write(&self.refuse_flag, "").unwrap();
        } else {
            std::fs::remove_file(&self.refuse_flag).unwrap();
        }
    }

    fn start(&self) -> Sink {
        // Stops with the test: the wrapper kills the script when its stdin closes.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#""$@" </dev/null & p=$!; read _ignored; kill $p 2>/dev/null; wait $p"#)
            .arg("sink-guard")
            .args(["python3", "-u"])
            .arg(&self.script)
            .arg(self.port.to_string())
            .arg(&self.refuse_flag)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
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
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Sink {
                    output,
                    _child: guard,
                };
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the SMTP sink did not start");
    }
}

impl Sink {
    /// How many accepted messages had a subject line containing `subject`.
    fn received(&self, subject: &str) -> usize {
        self.output
            .lock()
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("MSG ") && l.contains(subject))
            .count()
    }
}

async fn welcome_workflow(lcw: &Lcw) -> String {
    lcw.workflow(
        "joiner",
        "employeeHireDate",
        json!({"displayName": "Welcome", "taskDefinitionId": WELCOME, "arguments": [
            {"name": "customSubject", "value": "Welcome {{userGivenName}}"}
        ]}),
    )
    .await
}

/// Poll the outbox until `done` holds for it (up to `secs` seconds); returns it.
async fn outbox_until(lcw: &Lcw, secs: u64, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let mut outbox = Vec::new();
    for _ in 0..secs * 10 {
        outbox = lcw.outbox().await;
        if done(&outbox) {
            return outbox;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the outbox never got there: {outbox:#?}");
}

async fn outage_then_delivery_exactly_once(backend: Backend) {
    let Some(place) = SinkPlace::new() else {
        eprintln!("skipped: python3 is not available");
        return;
    };
    let Some(lcw) = Lcw::start(backend, Some(&place.url())) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    let ann = lcw.user("Ann Joiner", Some("ann@contoso.test")).await;
    let wf = welcome_workflow(&lcw).await;
    let results = lcw.run(&wf, &[&ann]).await;
    assert_eq!(result_for(&results, &ann)["processingStatus"], "completed");

    // The server is down: the message is tried again and again and stays pending.
    let outbox = outbox_until(&lcw, 60, |o| {
        o.len() == 1 && o[0]["attempts"].as_i64().unwrap_or(0) >= 4
    })
    .await;
    let message = &outbox[0];
    assert_eq!(message["status"], "pending", "{message}");
    assert!(message["sentDateTime"].is_null(), "{message}");
    assert!(
        message["lastError"]
            .as_str()
            .unwrap_or_default()
            .contains("cannot connect"),
        "{message}"
    );

    // Back up: delivered, once.
    let sink = place.start();
    let outbox = outbox_until(&lcw, 90, |o| o.len() == 1 && o[0]["status"] == "sent").await;
    assert!(outbox[0]["sentDateTime"].is_string(), "{:?}", outbox[0]);
    assert!(outbox[0]["lastError"].is_null(), "{:?}", outbox[0]);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.received("Subject: Welcome Ann"), 1);
}

async fn busy_server_then_delivery_exactly_once(backend: Backend) {
    let Some(place) = SinkPlace::new() else {
        eprintln!("skipped: python3 is not available");
        return;
    };
    place.refuse(true);
    let sink = place.start();
    let Some(lcw) = Lcw::start(backend, Some(&place.url())) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    let lou = lcw.user("Lou Joiner", Some("later@contoso.test")).await;
    let wf = welcome_workflow(&lcw).await;
    let results = lcw.run(&wf, &[&lou]).await;
    assert_eq!(result_for(&results, &lou)["processingStatus"], "completed");

    // A 4xx is temporary: retried, past the five attempts lcw once gave up after.
    let outbox = outbox_until(&lcw, 90, |o| {
        o.len() == 1 && o[0]["attempts"].as_i64().unwrap_or(0) >= 6
    })
    .await;
    assert_eq!(outbox[0]["status"], "pending", "{:?}", outbox[0]);
    assert!(
        outbox[0]["lastError"]
            .as_str()
            .unwrap_or_default()
            .contains("451"),
        "{:?}",
        outbox[0]
    );
    place.refuse(false);
    outbox_until(&lcw, 90, |o| o.len() == 1 && o[0]["status"] == "sent").await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(sink.received("Subject: Welcome Lou"), 1);
}

#[tokio::test]
async fn busy_server_sqlite() {
    busy_server_then_delivery_exactly_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn busy_server_postgres() {
    busy_server_then_delivery_exactly_once(Backend::Postgres).await;
}

/// `GET` an outbox URL lcw gave (an absolute `@odata.nextLink`) or a path.
async fn get_outbox(lcw: &Lcw, link: &str) -> Resp {
    let path = link.find("/lcw/").map_or(link, |at| &link[at..]);
    lcw.send("GET", path, None).await
}

/// Every message of an outbox listing, following its next links; checks each page holds
/// at most `top`.
async fn all_pages(lcw: &Lcw, first: &str, top: usize) -> Vec<Value> {
    let mut all = Vec::new();
    let mut link = Some(first.to_string());
    while let Some(l) = link {
        let page = get_outbox(lcw, &l).await;
        page.expect(200);
        let items = page.body["value"].as_array().unwrap();
        assert!(items.len() <= top, "{}", page.text);
        all.extend(items.iter().cloned());
        link = page.body["@odata.nextLink"].as_str().map(str::to_string);
        assert!(all.len() <= 10, "the pages never end: {all:?}");
    }
    all
}

fn ids(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect()
}

async fn refusal_requeue_paging_and_filter(backend: Backend) {
    let Some(place) = SinkPlace::new() else {
        eprintln!("skipped: python3 is not available");
        return;
    };
    place.refuse(true);
    let sink = place.start();
    let Some(lcw) = Lcw::start(backend, Some(&place.url())) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    let ann = lcw.user("Ann Joiner", Some("ann@contoso.test")).await;
    let bob = lcw.user("Bob Joiner", Some("bob@contoso.test")).await;
    let rita = lcw.user("Rita Joiner", Some("refuse@contoso.test")).await;
    let wf = welcome_workflow(&lcw).await;
    let results = lcw.run(&wf, &[&ann, &bob, &rita]).await;
    assert!(
        results.iter().all(|r| r["processingStatus"] == "completed"),
        "{results:?}"
    );

    // The refusal is final: failed, with the server's reason, after one attempt.
    let outbox = outbox_until(&lcw, 30, |o| {
        o.len() == 3 && o.iter().all(|m| m["status"] != "pending")
    })
    .await;
    let refused: Vec<&Value> = outbox.iter().filter(|m| m["status"] == "failed").collect();
    assert_eq!(refused.len(), 1, "{outbox:#?}");
    let refused = refused[0].clone();
    assert_eq!(refused["to"], json!(["refuse@contoso.test"]));
    assert_eq!(refused["attempts"], 1, "{refused}");
    let reason = refused["lastError"].as_str().unwrap_or_default();
    assert!(
        reason.contains("550") && reason.contains("no such mailbox"),
        "{refused}"
    );
    assert!(refused["sentDateTime"].is_null());

    // Paging: one message a page, every message once, oldest first.
    let paged = all_pages(&lcw, "/lcw/admin/outbox?$top=1", 1).await;
    assert_eq!(ids(&paged), ids(&outbox));
    let two = get_outbox(&lcw, "/lcw/admin/outbox?$top=2").await;
    two.expect(200);
    assert_eq!(two.body["value"].as_array().unwrap().len(), 2);
    assert!(two.body["@odata.nextLink"].is_string(), "{}", two.text);
    let whole = get_outbox(&lcw, "/lcw/admin/outbox?$top=3").await;
    assert!(
        whole.body.get("@odata.nextLink").is_none(),
        "{}",
        whole.text
    );

    // Filtering by status, also across pages.
    let failed = all_pages(&lcw, "/lcw/admin/outbox?status=failed", 100).await;
    assert_eq!(ids(&failed), ids(std::slice::from_ref(&refused)));
    let sent = all_pages(&lcw, "/lcw/admin/outbox?status=sent&$top=1", 1).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent.iter().all(|m| m["status"] == "sent"), "{sent:?}");
    let unsent = all_pages(&lcw, "/lcw/admin/outbox?status=unsent", 100).await;
    assert!(unsent.is_empty(), "{unsent:?}");
    get_outbox(&lcw, "/lcw/admin/outbox?status=lost")
        .await
        .expect(400);
    get_outbox(&lcw, "/lcw/admin/outbox?$top=0")
        .await
        .expect(400);
    get_outbox(&lcw, "/lcw/admin/outbox?$skiptoken=nonsense")
        .await
        .expect(400);

    // Requeued once the mailbox exists: sent, once.
    place.refuse(false);
    let id = refused["id"].as_str().unwrap();
    let requeued = lcw
        .send("POST", &format!("/lcw/admin/outbox/{id}/requeue"), None)
        .await;
    requeued.expect(200);
    assert_eq!(requeued.body["id"], id);
    outbox_until(&lcw, 30, |o| o.iter().all(|m| m["status"] == "sent")).await;
    assert_eq!(sink.received("Subject: Welcome Rita"), 1);
    assert_eq!(sink.received("Subject: Welcome Ann"), 1);
    assert_eq!(sink.received("Subject: Welcome Bob"), 1);

    // A sent message is not sent twice; an unknown one is not found.
    lcw.send("POST", &format!("/lcw/admin/outbox/{id}/requeue"), None)
        .await
        .expect(409);
    let unknown = uuid::Uuid::new_v4();
    lcw.send(
        "POST",
        &format!("/lcw/admin/outbox/{unknown}/requeue"),
        None,
    )
    .await
    .expect(404);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(sink.received("Subject: Welcome Rita"), 1);
}

#[tokio::test]
async fn outage_sqlite() {
    outage_then_delivery_exactly_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn outage_postgres() {
    outage_then_delivery_exactly_once(Backend::Postgres).await;
}

#[tokio::test]
async fn refusal_and_outbox_listing_sqlite() {
    refusal_requeue_paging_and_filter(Backend::Sqlite).await;
}

#[tokio::test]
async fn refusal_and_outbox_listing_postgres() {
    refusal_requeue_paging_and_filter(Backend::Postgres).await;
}

/// The outbox of `t`'s tenant as `token` sees it.
async fn outbox_as(t: &Tenant, token: &str) -> Resp {
    let url = format!(
        "{}/lcw/admin/outbox",
        t.server.base.trim_end_matches("/beta")
    );
    t.send_as(token, "GET", &url, None).await
}

/// Create a user (Sales, hired in the future) with a mail address.
async fn sales_user(t: &Tenant, name: &str, mail: &str) -> String {
    let r = t
        .post(
            "/users",
            &json!({
                "displayName": name,
                "userPrincipalName": format!("{}.{}@contoso.test", name.to_lowercase().replace(' ', "."), uuid::Uuid::new_v4().simple()),
                "mail": mail,
                "department": "Sales",
                "employeeHireDate": "2030-04-01T00:00:00Z",
            }),
        )
        .await;
    r.expect(201);
    r.body["id"].as_str().unwrap().to_string()
}

both_backends!(global_reader_never_reads_a_pass, |t| {
    let boss = sales_user(&t, "Bea Boss", "bea@contoso.test").await;
    let ann = sales_user(&t, "Ann Joiner", "ann@contoso.test").await;
    t.send(
        "PUT",
        &format!("/users/{ann}/manager/$ref"),
        Some(&json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{boss}")})),
    )
    .await
    .expect(204);
    let wf = t
        .post(
            &format!("{LW}/workflows"),
            &json!({
                "category": "joiner",
                "displayName": "TAP for joiners",
                "isEnabled": true,
                "isSchedulingEnabled": false,
                "executionConditions": {
                    "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
                    "scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "department eq 'Sales'"},
                    "trigger": {"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger", "timeBasedAttribute": "employeeHireDate", "offsetInDays": 0}
                },
                "tasks": [{"displayName": "TAP", "taskDefinitionId": TAP_TASK}]
            }),
        )
        .await;
    wf.expect(201);
    let base = format!("{LW}/workflows/{}", wf.body["id"].as_str().unwrap());
    t.post(
        &format!("{base}/microsoft.graph.identityGovernance.activate"),
        &json!({"subjects": [{"id": ann, "@odata.type": "#microsoft.graph.user"}]}),
    )
    .await
    .expect(204);
    let mut run = Value::Null;
    for _ in 0..200 {
        let runs = t.get(&format!("{base}/runs")).await;
        runs.expect(200);
        if runs.body["value"][0]["completedDateTime"].is_string() {
            run = runs.body["value"][0].clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(run["processingStatus"], "completed", "{run}");
    let run_path = format!("{base}/runs/{}", run["id"].as_str().unwrap());

    // The administrator reads the pass in the outbox, as before.
    let admin_view = outbox_as(&t, &t.token).await;
    admin_view.expect(200);
    let body = admin_view.body["value"][0]["body"]
        .as_str()
        .unwrap_or_default();
    let lines: Vec<&str> = body.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("here is the Temporary Access Pass"))
        .unwrap_or_else(|| panic!("no pass in {}", admin_view.text));
    let pass = lines[at + 2].to_string();
    assert_eq!(pass.len(), 8, "{pass}");

    let scopes = "LifecycleWorkflows.ReadWrite.All UserAuthenticationMethod.Read.All User.Read.All";
    let reader = t.token_with(&[
        "--user",
        "--scopes",
        scopes,
        "--directory-roles",
        "Global Reader",
    ]);
    let outbox = outbox_as(&t, &reader).await;
    assert_eq!(outbox.status, 403, "{}", outbox.text);
    assert!(!outbox.text.contains(&pass));
    let requeue = t
        .send_as(
            &reader,
            "POST",
            &format!(
                "{}/lcw/admin/outbox/{}/requeue",
                t.server.base.trim_end_matches("/beta"),
                admin_view.body["value"][0]["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(requeue.status, 403, "{}", requeue.text);

    // Every other surface that concerns the pass answers the reader without it.
    for path in [
        format!("/users/{ann}/authentication/temporaryAccessPassMethods"),
        format!("/users/{ann}"),
        format!("{run_path}/taskProcessingResults"),
        format!("{run_path}/userProcessingResults"),
        run_path.clone(),
        format!("{base}/userProcessingResults"),
        format!("{base}/taskReports"),
    ] {
        let r = t.send_as(&reader, "GET", &path, None).await;
        assert!(r.status == 200 || r.status == 403, "{path}: {}", r.text);
        assert!(!r.text.contains(&pass), "{path} shows the pass: {}", r.text);
    }

    // A Lifecycle Workflows Administrator still reads the outbox.
    let lcw_admin = t.token_with(&[
        "--user",
        "--scopes",
        scopes,
        "--directory-roles",
        "Lifecycle Workflows Administrator",
    ]);
    let seen = outbox_as(&t, &lcw_admin).await;
    seen.expect(200);
    assert!(seen.text.contains(&pass));
});
