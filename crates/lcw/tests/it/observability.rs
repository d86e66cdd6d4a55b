//! What an operator watches: `/metrics` moving as the API and the engine work, structured
//! request logs without secrets or colour codes, and scheduler passes that report the users
//! whose trigger date passed outside the catch-up window instead of skipping them silently.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use crate::harness::{
    clock_lock, dedicated_server, fresh_sqlite_database, into_resp, lcw_bin, Backend, ChildGuard,
    Resp, Server, Tenant, LW,
};

const ENABLE: &str = "6fc52c9d-398b-4305-9763-15f42c1676fc";
const CREATE_WORKFLOW: &str = "POST /identityGovernance/lifecycleWorkflows/workflows";
const GET_WORKFLOW: &str = "GET /identityGovernance/lifecycleWorkflows/workflows/{workflow-id}";

fn observed_server(backend: Backend) -> Option<&'static Server> {
    dedicated_server(
        backend,
        "observability",
        &[
            "--clock",
            "manual",
            "--clock-start",
            "2026-01-01T09:00:00Z",
            "--metrics",
        ],
    )
}

/// The server's root (`http://127.0.0.1:PORT`).
fn root(base: &str) -> &str {
    base.trim_end_matches("/beta")
}

/// Every sample of a scrape, by name and labels as exposed (`name{a="b"}`).
async fn scrape(base: &str) -> (String, HashMap<String, f64>) {
    let r = reqwest::get(format!("{}/metrics", root(base)))
        .await
        .expect("scrape");
    assert_eq!(r.status(), 200);
    let content_type = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = r.text().await.expect("metrics text");
    let samples = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (key, value) = l.rsplit_once(' ')?;
            Some((key.to_string(), value.parse().ok()?))
        })
        .collect();
    (text, samples)
}

fn moved(before: &HashMap<String, f64>, after: &HashMap<String, f64>, key: &str) -> f64 {
    after.get(key).copied().unwrap_or(0.0) - before.get(key).copied().unwrap_or(0.0)
}

async fn sales_user(t: &Tenant, name: &str, hire: &str) -> String {
    let r = t
        .post(
            "/users",
            &json!({
                "displayName": name,
                "userPrincipalName": format!("{}@contoso.test", name.to_lowercase().replace(' ', ".")),
                "department": "Sales",
                "accountEnabled": false,
                "employeeHireDate": hire,
            }),
        )
        .await;
    r.expect(201);
    r.body["id"].as_str().unwrap().to_string()
}

/// A scheduled joiner workflow that enables Sales users on their hire date.
async fn on_hire_date(t: &Tenant) -> String {
    t.create_workflow(&json!({
        "category": "joiner",
        "displayName": "Enable on the hire date",
        "isEnabled": true,
        "isSchedulingEnabled": true,
        "executionConditions": {
            "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
            "scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "department eq 'Sales'"},
            "trigger": {"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger", "timeBasedAttribute": "employeeHireDate", "offsetInDays": 0}
        },
        "tasks": [{"displayName": "Enable", "taskDefinitionId": ENABLE, "arguments": []}]
    }))
    .await
}

async fn metrics_move_as_the_api_and_the_engine_work(backend: Backend) {
    let _clock = clock_lock().await;
    let Some(server) = observed_server(backend) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    let t = Tenant::on(server);
    let (_, before) = scrape(&server.base).await;

    // Far from the other scenario's dates, so neither pass sees the other's users due.
    t.set_clock("2027-03-01T08:00:00Z").await;
    let mut users = Vec::new();
    for name in ["Ann Metrics", "Bob Metrics", "Cy Metrics"] {
        users.push(sales_user(&t, name, "2027-03-01T00:00:00Z").await);
    }
    let wf = on_hire_date(&t).await;
    t.get(&format!("{LW}/workflows/{wf}")).await.expect(200);
    t.get(&format!("{LW}/workflows/{}", uuid::Uuid::new_v4()))
        .await
        .expect(404);
    let report = t.run_scheduler().await;
    assert!(report["usersQueued"].as_u64().unwrap() >= 3, "{report}");

    let (text, after) = scrape(&server.base).await;
    let requests = |op: &str, status: u16| {
        moved(
            &before,
            &after,
            &format!("lcw_http_requests_total{{operation=\"{op}\",status=\"{status}\"}}"),
        )
    };
    assert_eq!(requests(CREATE_WORKFLOW, 201), 1.0, "{text}");
    assert!(requests(GET_WORKFLOW, 200) >= 1.0, "{text}");
    assert!(requests(GET_WORKFLOW, 404) >= 1.0, "{text}");
    assert_eq!(
        moved(
            &before,
            &after,
            &format!("lcw_http_request_duration_seconds_count{{operation=\"{CREATE_WORKFLOW}\"}}")
        ),
        1.0,
        "{text}"
    );
    assert!(
        moved(&before, &after, "lcw_engine_users_processed_total") >= 3.0,
        "{text}"
    );
    assert!(
        moved(&before, &after, "lcw_engine_tasks_processed_total") >= 3.0,
        "{text}"
    );
    assert!(
        moved(&before, &after, "lcw_scheduler_users_queued_total") >= 3.0,
        "{text}"
    );
    assert!(
        moved(
            &before,
            &after,
            "lcw_scheduler_passes_total{outcome=\"ok\"}"
        ) >= 1.0,
        "{text}"
    );
    assert!(
        after.contains_key("lcw_scheduler_pass_duration_seconds_count"),
        "{text}"
    );
    assert!(after.contains_key("lcw_engine_jobs_pending"), "{text}");
    assert!(after.contains_key("lcw_mail_pending"), "{text}");
    assert!(
        after
            .keys()
            .any(|k| k.starts_with("lcw_db_pool_connections{pool=")),
        "{text}"
    );
    // Counts only: no tenant, workflow or user id appears anywhere in the exposition.
    for id in [&t.id, &wf].into_iter().chain(&users) {
        assert!(!text.contains(id.as_str()), "{id} in metrics:\n{text}");
    }
    // The metrics need no token, and carry nothing a token would unlock.
    let r = t.raw("POST", "/metrics", None, &[], None).await;
    assert_ne!(r.status, 200);
}

#[tokio::test]
async fn observability_metrics_move_sqlite() {
    metrics_move_as_the_api_and_the_engine_work(Backend::Sqlite).await;
}

#[tokio::test]
async fn observability_metrics_move_postgres() {
    metrics_move_as_the_api_and_the_engine_work(Backend::Postgres).await;
}

async fn missed_triggers_are_reported(backend: Backend) {
    let _clock = clock_lock().await;
    let Some(server) = observed_server(backend) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    let t = Tenant::on(server);
    t.set_clock("2026-05-01T09:00:00Z").await;
    // Hired long before the workflow's first pass: never its business.
    sales_user(&t, "Old Hand", "2026-04-01T00:00:00Z").await;
    // Hired while the scheduler was away, more than the 3-day catch-up ago: missed.
    let missed = sales_user(&t, "Ann Missed", "2026-05-05T00:00:00Z").await;
    // Hired within the catch-up window: processed late, as usual.
    let caught = sales_user(&t, "Bob Caught", "2026-05-14T00:00:00Z").await;
    on_hire_date(&t).await;
    let first = t.run_scheduler().await;
    assert_eq!(first["usersMissed"], 0, "{first}");
    let (_, before) = scrape(&server.base).await;

    // The scheduler comes back two weeks later.
    t.set_clock("2026-05-15T09:00:00Z").await;
    let report = t.run_scheduler().await;
    assert_eq!(report["usersMissed"], 1, "{report}");
    assert_eq!(report["usersQueued"], 1, "{report}");
    let (text, after) = scrape(&server.base).await;
    assert_eq!(
        moved(&before, &after, "lcw_scheduler_missed_users_total"),
        1.0,
        "{text}"
    );
    let enabled = |id: String| {
        let t = &t;
        async move { t.get(&format!("/users/{id}")).await.body["accountEnabled"].clone() }
    };
    assert_eq!(enabled(caught).await, true);
    assert_eq!(enabled(missed).await, false);

    // Reported once: the next pass does not count the same users again.
    let again = t.run_scheduler().await;
    assert_eq!(again["usersMissed"], 0, "{again}");
}

#[tokio::test]
async fn observability_missed_triggers_sqlite() {
    missed_triggers_are_reported(Backend::Sqlite).await;
}

#[tokio::test]
async fn observability_missed_triggers_postgres() {
    missed_triggers_are_reported(Backend::Postgres).await;
}

/// A server of this test's own whose stderr (the log) is kept for the test to read.
struct LoggedServer {
    base: String,
    database: String,
    log: Arc<Mutex<Vec<String>>>,
    /// What it printed on stdout after the base URL.
    banner: Arc<Mutex<Vec<String>>>,
    _child: ChildGuard,
}

impl LoggedServer {
    fn start(env: &[(&str, &str)], extra: &[&str]) -> LoggedServer {
        let database = fresh_sqlite_database().expect("temp database");
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(r#""$@" </dev/null & p=$!; read _ignored; kill $p 2>/dev/null; wait $p"#)
            .arg("lcw-guard")
            .arg(lcw_bin())
            .args(["serve", "--listen", "127.0.0.1:0", "--database", &database])
            .args(extra)
            .env_remove("LCW_LOG")
            .env_remove("RUST_LOG")
            .env_remove("LCW_LOG_FORMAT")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start lcw serve");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("stderr");
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let first = lines
            .next()
            .and_then(Result::ok)
            .unwrap_or_else(|| panic!("lcw serve did not start: {:?}", log.lock().unwrap()));
        let base = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("base URL")
            .to_string();
        let banner = Arc::new(Mutex::new(Vec::new()));
        let printed = banner.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                printed.lock().unwrap().push(line);
            }
        });
        LoggedServer {
            base,
            database,
            log,
            banner,
            _child: ChildGuard(child),
        }
    }

    fn token(&self, tenant: &str) -> String {
        let out = Command::new(lcw_bin())
            .args(["token", "--database", &self.database, "--tenant", tenant])
            .output()
            .expect("lcw token");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    async fn send(&self, token: &str, method: &str, path: &str, body: Option<Value>) -> Resp {
        let url = if path.starts_with("/lcw/") {
            format!("{}{path}", root(&self.base))
        } else {
            format!("{}{path}", self.base)
        };
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = reqwest::Client::new()
            .request(method, url)
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        into_resp(req.send().await.expect("request")).await
    }

    /// The log lines so far, once the line for `request_id` has been written.
    async fn log_through(&self, request_id: &str) -> Vec<String> {
        for _ in 0..100 {
            let lines = self.log.lock().unwrap().clone();
            if lines.iter().any(|l| l.contains(request_id)) {
                return lines;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "no log line for request {request_id}: {:?}",
            self.log.lock().unwrap()
        );
    }
}

#[tokio::test]
async fn observability_json_logs_carry_the_request_and_no_secret() {
    let lcw = LoggedServer::start(
        &[("LCW_LOG_FORMAT", "json")],
        &["--clock", "manual", "--clock-start", "2026-05-01T09:00:00Z"],
    );
    let tenant = uuid::Uuid::new_v4().to_string();
    let token = lcw.token(&tenant);
    let user = lcw
        .send(
            &token,
            "POST",
            "/users",
            Some(
                json!({"displayName": "Ann Log", "userPrincipalName": "ann.log@contoso.test",
                        "department": "Sales", "employeeHireDate": "2026-05-05T00:00:00Z"}),
            ),
        )
        .await;
    user.expect(201);
    let user_id = user.body["id"].as_str().unwrap().to_string();
    let tap = lcw
        .send(
            &token,
            "POST",
            &format!("/users/{user_id}/authentication/temporaryAccessPassMethods"),
            Some(json!({"lifetimeInMinutes": 60})),
        )
        .await;
    tap.expect(201);
    let pass = tap.body["temporaryAccessPass"]
        .as_str()
        .unwrap()
        .to_string();
    let refused = lcw
        .send("not.a.valid-token", "GET", &format!("{LW}/workflows"), None)
        .await;
    refused.expect(401);

    // A pass that finds a trigger missed says so on the console.
    let wf = lcw
        .send(
            &token,
            "POST",
            &format!("{LW}/workflows"),
            Some(json!({
                "category": "joiner", "displayName": "Enable on the hire date",
                "isEnabled": true, "isSchedulingEnabled": true,
                "executionConditions": {
                    "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
                    "scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "department eq 'Sales'"},
                    "trigger": {"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger", "timeBasedAttribute": "employeeHireDate", "offsetInDays": 0}
                },
                "tasks": [{"displayName": "Enable", "taskDefinitionId": ENABLE, "arguments": []}]
            })),
        )
        .await;
    wf.expect(201);
    lcw.send(&token, "POST", "/lcw/admin/scheduler/run", Some(json!({})))
        .await
        .expect(200);
    lcw.send(
        &token,
        "POST",
        "/lcw/admin/clock",
        Some(json!({"now": "2026-05-20T09:00:00Z"})),
    )
    .await
    .expect(200);
    let pass_answer = lcw
        .send(&token, "POST", "/lcw/admin/scheduler/run", Some(json!({})))
        .await;
    pass_answer.expect(200);
    assert_eq!(pass_answer.body["usersMissed"], 1, "{}", pass_answer.text);
    let last_id = pass_answer.header("request-id").unwrap().to_string();

    let lines = lcw.log_through(&last_id).await;
    let events: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let request = |id: &str| {
        events
            .iter()
            .find(|e| e["request_id"] == id)
            .unwrap_or_else(|| panic!("no log line for {id}: {lines:?}"))
            .clone()
    };
    let created = request(user.header("request-id").unwrap());
    assert_eq!(created["tenant"], tenant.as_str());
    assert_eq!(created["operation"], "POST /users");
    assert_eq!(created["status"], 201);
    assert!(created["latency_ms"].as_f64().is_some(), "{created}");
    assert_eq!(created["level"], "INFO");
    let tap_line = request(tap.header("request-id").unwrap());
    assert_eq!(
        tap_line["operation"],
        "POST /users/{user-id}/authentication/temporaryAccessPassMethods"
    );
    let refused_line = request(refused.header("request-id").unwrap());
    assert_eq!(refused_line["status"], 401);
    assert_eq!(
        refused_line["operation"],
        "GET /identityGovernance/lifecycleWorkflows/workflows"
    );
    let run_line = request(&last_id);
    assert_eq!(run_line["operation"], "POST /lcw/admin/scheduler/run");
    assert_eq!(run_line["tenant"], tenant.as_str());
    assert!(
        events
            .iter()
            .any(|e| e["level"] == "WARN" && e["missed"] == 1 && e["tenant"] == tenant.as_str()),
        "no missed-trigger warning: {lines:?}"
    );

    let all = lines.join("\n");
    for secret in [token.as_str(), pass.as_str(), "not.a.valid-token"] {
        assert!(!all.contains(secret), "a secret in the log: {all}");
    }
    assert!(
        !all.contains('\u{1b}'),
        "colour codes in a piped log: {all}"
    );
}

#[tokio::test]
async fn observability_text_logs_have_no_colour_codes_when_piped() {
    let lcw = LoggedServer::start(&[("LCW_LOG", "info")], &["--no-engine"]);
    let tenant = uuid::Uuid::new_v4().to_string();
    let token = lcw.token(&tenant);
    let r = lcw
        .send(&token, "GET", &format!("{LW}/workflows"), None)
        .await;
    r.expect(200);
    let lines = lcw.log_through(r.header("request-id").unwrap()).await;
    let line = lines
        .iter()
        .find(|l| l.contains(r.header("request-id").unwrap()))
        .unwrap();
    assert!(line.contains("status=200"), "{line}");
    // The banner says what this node runs, without secrets.
    let banner = lcw.banner.lock().unwrap().join("\n");
    for expected in [
        "database: SQLite ",
        "clock:    system",
        "engine:   off",
        "smtp:     off",
        "tls:      off",
        "metrics:  off",
        "logs:     text",
    ] {
        assert!(banner.contains(expected), "'{expected}' missing:\n{banner}");
    }
    assert!(line.contains(&tenant), "{line}");
    assert!(
        !lines.iter().any(|l| l.contains('\u{1b}')),
        "colour codes: {lines:?}"
    );
}

#[test]
fn observability_help_names_defaults_and_environment() {
    let out = Command::new(lcw_bin())
        .args(["serve", "--help"])
        .output()
        .expect("lcw serve --help");
    let help = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "--metrics-listen <ADDR>",
        "[env: LCW_METRICS_LISTEN=]",
        "--log-format <LOG_FORMAT>",
        "[env: LCW_LOG_FORMAT=]",
        "[default: text]",
        "[env: LCW_DATABASE_URL=]",
        "[default: sqlite://lcw.db]",
        "[env: LCW_MAX_BODY_BYTES=]",
    ] {
        assert!(help.contains(expected), "'{expected}' missing:\n{help}");
    }
}

#[test]
fn observability_a_refused_smtp_url_is_not_echoed_with_its_password() {
    let database = fresh_sqlite_database().expect("temp database");
    let out = Command::new(lcw_bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--database", &database])
        .args(["--smtp-url", "smtp://ann:hunter2@relay.test:notaport"])
        .output()
        .expect("lcw serve");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--smtp-url"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}
