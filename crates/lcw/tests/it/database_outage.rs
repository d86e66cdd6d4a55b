//! R4: PostgreSQL going away — its connections reset and new ones refused for 10 s — is a
//! 503 with `Retry-After` (never a 500, never a hang) while it lasts; writes work again
//! within 10 s of it coming back, and a run in progress completes exactly once, all in the
//! same `lcw serve` process.
//!
//! The outage is real: lcw reaches PostgreSQL through a TCP relay owned by the test, which
//! drops every relayed connection and then stops listening (so connecting is refused) for
//! 10 s before it listens again on the same port.

use std::io::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use crate::harness::{
    fresh_postgres_database, into_resp, lcw_bin, start_server, ChildGuard, Resp, LW,
};

const USERS: usize = 3_000;
const OUTAGE: Duration = Duration::from_secs(10);
const CLOCK_START: &str = "2026-03-03T10:00:00Z";
const ENABLE: &str = "6fc52c9d-398b-4305-9763-15f42c1676fc";

/// Relays TCP connections from a local port to PostgreSQL until told to drop them.
struct Relay {
    port: u16,
    target: String,
    running: Option<tokio::task::JoinHandle<()>>,
}

impl Relay {
    async fn start(target: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind relay");
        let port = listener.local_addr().expect("relay address").port();
        let mut relay = Relay {
            port,
            target,
            running: None,
        };
        relay.serve(listener);
        relay
    }

    fn serve(&mut self, listener: TcpListener) {
        let target = self.target.clone();
        self.running = Some(tokio::spawn(async move {
            // Dropping this task drops the listener and every relayed connection with it.
            let mut relayed = JoinSet::new();
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    continue;
                };
                let target = target.clone();
                relayed.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }));
    }

    /// Reset every relayed connection and refuse new ones.
    fn cut(&mut self) {
        if let Some(running) = self.running.take() {
            running.abort();
        }
    }

    /// Listen again on the same port.
    async fn restore(&mut self) {
        let started = Instant::now();
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(l) => break l,
                Err(e) if started.elapsed() < Duration::from_secs(10) => {
                    eprintln!("relay port not free yet: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot listen on the relay port again: {e}"),
            }
        };
        self.serve(listener);
    }
}

fn psql_value(url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([url, "-At", "-c", sql])
        .output()
        .expect("run psql");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn lcw(args: &[&str]) -> String {
    let out = Command::new(lcw_bin())
        .args(args)
        .output()
        .expect("run lcw");
    assert!(
        out.status.success(),
        "lcw {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn assert_transient(r: &Resp, what: &str) {
    assert_eq!(
        r.status, 503,
        "{what}: expected 503, got {} {}",
        r.status, r.text
    );
    assert!(r.header("retry-after").is_some(), "{what}: no Retry-After");
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Resp {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        into_resp(
            req.send()
                .await
                .expect("every request answers within 12.5 s"),
        )
        .await
    }
}

// The relay runs on the test's runtime while the test blocks on `lcw` commands and `psql`:
// it needs worker threads of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_outage_is_a_503_and_heals_in_the_same_process() {
    let Some(direct) = fresh_postgres_database() else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    // postgres://user@host:port/name → the relay stands in for host:port.
    let (prefix, name) = direct.rsplit_once('/').expect("database name");
    let (scheme_user, host_port) = prefix.rsplit_once('@').expect("postgres://user@host:port");
    let mut relay = Relay::start(host_port.to_string()).await;
    let relayed = format!("{scheme_user}@127.0.0.1:{}/{name}", relay.port);

    let (base, child) = start_server(
        &relayed,
        &["--clock", "manual", "--clock-start", CLOCK_START],
    )
    .expect("start lcw serve");
    let _server = ChildGuard(child);
    let tenant = uuid::Uuid::new_v4().to_string();
    let dir = std::env::temp_dir().join(format!("lcw-outage-{tenant}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let csv = dir.join("users.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&csv).expect("csv"));
    writeln!(
        f,
        "displayName,userPrincipalName,department,employeeHireDate,accountEnabled"
    )
    .expect("csv");
    for i in 0..USERS {
        writeln!(
            f,
            "Hire {i:05},hire.{i:05}@contoso.test,Sales,2026-03-10T00:00:00Z,false"
        )
        .expect("csv");
    }
    drop(f);
    lcw(&[
        "import",
        "--database",
        &relayed,
        "--tenant",
        &tenant,
        csv.to_str().expect("path"),
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    let c = Client {
        http: reqwest::Client::builder()
            .timeout(Duration::from_millis(12_500))
            .build()
            .expect("client"),
        base: base.clone(),
        token: lcw(&["token", "--database", &relayed, "--tenant", &tenant]),
    };
    let r = c
        .send(
            reqwest::Method::POST,
            &format!("{LW}/workflows"),
            Some(&json!({
                "category": "joiner",
                "displayName": "outage",
                "isEnabled": true,
                "isSchedulingEnabled": true,
                "executionConditions": {
                    "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
                    "scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "department eq 'Sales'"},
                    "trigger": {"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger", "timeBasedAttribute": "employeeHireDate", "offsetInDays": -7}
                },
                "tasks": [{"displayName": "Enable", "taskDefinitionId": ENABLE, "arguments": []}]
            })),
        )
        .await;
    r.expect(201);
    let wf = r.body["id"].as_str().expect("workflow id").to_string();

    // The run starts (its answer may well be the outage's 503: it waits for the run).
    let root = base.trim_end_matches("/beta").to_string();
    let pass = {
        let (http, token) = (reqwest::Client::new(), c.token.clone());
        tokio::spawn(async move {
            let _ = http
                .post(format!("{root}/lcw/admin/scheduler/run"))
                .bearer_auth(token)
                .json(&json!({}))
                .send()
                .await;
        })
    };
    let started = Instant::now();
    let jobs = format!("SELECT COUNT(*) FROM jobs WHERE tenant_id = '{tenant}' AND done = 0");
    let done = format!("SELECT COUNT(*) FROM jobs WHERE tenant_id = '{tenant}' AND done <> 0");
    while psql_value(&direct, &jobs) == "0" || psql_value(&direct, &done) == "0" {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the run never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let open_at_cut = psql_value(&direct, &jobs);

    // The outage: every connection reset, then refused for 10 s.
    relay.cut();
    let outage = Instant::now();
    let mut answered = Vec::new();
    let mut i = 0;
    while outage.elapsed() < OUTAGE {
        i += 1;
        let sent = Instant::now();
        let r = if i % 2 == 0 {
            c.send(reqwest::Method::GET, &format!("{LW}/workflows/{wf}"), None)
                .await
        } else {
            c.send(
                reqwest::Method::PATCH,
                &format!("{LW}/workflows/{wf}"),
                Some(&json!({"description": format!("during the outage {i}")})),
            )
            .await
        };
        if !(200..300).contains(&r.status) {
            assert_transient(&r, "a request while PostgreSQL is away");
        }
        answered.push(format!(
            "{} in {:.1} s",
            r.status,
            sent.elapsed().as_secs_f64()
        ));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    relay.restore().await;
    println!(
        "answers during the outage: {}; {open_at_cut} jobs were open when it began",
        answered.join(", ")
    );

    // Writes work again within 10 s.
    let back = Instant::now();
    loop {
        let r = c
            .send(
                reqwest::Method::PATCH,
                &format!("{LW}/workflows/{wf}"),
                Some(&json!({"description": "after the outage"})),
            )
            .await;
        if r.status == 204 {
            break;
        }
        assert_transient(&r, "a write after PostgreSQL came back");
        assert!(
            back.elapsed() < Duration::from_secs(10),
            "writes did not heal: {}",
            r.text
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!(
        "writes healed {:.1} s after PostgreSQL came back",
        back.elapsed().as_secs_f64()
    );

    // The run completes, in this process, with every user processed once.
    let settle = Instant::now();
    while psql_value(&direct, &jobs) != "0" {
        assert!(
            settle.elapsed() < Duration::from_secs(180),
            "the run did not complete after the outage"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    pass.abort();
    let runs = loop {
        let r = c
            .send(
                reqwest::Method::GET,
                &format!("{LW}/workflows/{wf}/runs"),
                None,
            )
            .await;
        r.expect(200);
        let runs = r.body["value"].as_array().cloned().unwrap_or_default();
        if runs
            .iter()
            .all(|run| run["processingStatus"] == "completed")
            || settle.elapsed() > Duration::from_secs(180)
        {
            break runs;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["processingStatus"], "completed", "{}", runs[0]);
    assert_eq!(runs[0]["totalUsersCount"], USERS, "{}", runs[0]);
    assert_eq!(runs[0]["successfulUsersCount"], USERS, "{}", runs[0]);
    let results = psql_value(
        &direct,
        &format!("SELECT COUNT(*), COUNT(DISTINCT subject_id) FROM results WHERE tenant_id = '{tenant}' AND kind = 'user'"),
    );
    assert_eq!(
        results,
        format!("{USERS}|{USERS}"),
        "user processing results, distinct users"
    );
    let enabled = c
        .send(
            reqwest::Method::GET,
            "/users/$count?$filter=accountEnabled eq true",
            None,
        )
        .await;
    enabled.expect(200);
    assert_eq!(enabled.text.trim(), USERS.to_string());
}
