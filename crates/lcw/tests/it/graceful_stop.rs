//! Several nodes share a run, and SIGTERM is a graceful stop.
//!
//! * A node leases only the jobs it works on (at most its jobs in flight), so a second node
//!   on the same PostgreSQL database helps with a run, and a node that stalls (SIGSTOP)
//!   delays only its own few jobs: the other node completes the rest at once and takes the
//!   stalled node's jobs over when their leases expire.
//! * SIGTERM ends the engine with the server: the jobs in flight finish, every lease the
//!   node still holds is handed back, the process exits within 15 s, and a second node (or
//!   the same database restarted) completes the run at once.
//!
//! Either way every user is processed exactly once. These tests start their own `lcw serve`
//! processes, each on a database of its own (a fresh PostgreSQL database per test), and read
//! the job queue directly (`psql`, `sqlite3`).

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::{into_resp, lcw_bin, Backend, Resp, LW};

/// 20 jobs of 500 users.
const USERS: i64 = 10_000;
const TASKS_PER_USER: i64 = 2;
/// A node's jobs in flight (the engine's `JOBS_IN_FLIGHT`).
const JOBS_IN_FLIGHT: i64 = 4;
const CLOCK_START: &str = "2026-03-03T10:00:00Z";
const ENABLE: &str = "6fc52c9d-398b-4305-9763-15f42c1676fc";
const ADD_TO_GROUPS: &str = "22085229-5809-45e8-97fd-270d28d66910";
/// A job lease: a stalled node's jobs are taken over once it expires.
const LEASE: Duration = Duration::from_secs(15);
/// Time for another node to notice an expired lease and redo at most a node's jobs in
/// flight (4 × 500 users, in a debug build on a busy machine).
const TAKEOVER_SLACK: Duration = Duration::from_secs(25);
/// Until a run's jobs are all done (a stalled node's leases expire within 15 s).
const SETTLE: Duration = Duration::from_secs(240);

/// These tests run one at a time: each works a node through a large run, and the machine
/// running the suite may be small.
async fn one_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

// ---------------------------------------------------------------------------------------------
// Databases and processes
// ---------------------------------------------------------------------------------------------

/// A database of the test's own: a SQLite file, or a PostgreSQL database created beside the
/// test database (dropped afterwards).
struct Db {
    backend: Backend,
    url: String,
    dir: std::path::PathBuf,
    /// PostgreSQL: the server's test database URL (to drop this one from).
    admin_url: Option<String>,
    name: String,
}

impl Db {
    fn new(backend: Backend) -> Option<Db> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let dir = std::env::temp_dir().join(format!("lcw-graceful-{id}"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let name = format!("lcw_graceful_{id}");
        let (url, admin_url) = match backend {
            Backend::Sqlite => (format!("sqlite://{}", dir.join("lcw.db").display()), None),
            Backend::Postgres => {
                let Ok(admin) = std::env::var("LCW_TEST_POSTGRES_URL") else {
                    let _ = std::fs::remove_dir_all(&dir);
                    return None;
                };
                psql(&admin, &format!("CREATE DATABASE {name}"));
                let (server, _) = admin.rsplit_once('/').expect("database URL with a path");
                (format!("{server}/{name}"), Some(admin))
            }
        };
        Some(Db {
            backend,
            url,
            dir,
            admin_url,
            name,
        })
    }

    /// One number the query answers.
    fn number(&self, sql: &str) -> i64 {
        let out = self.query(sql);
        out.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{sql}: not a number: {out}"))
    }

    /// The query's rows, one per line, columns separated by `|`.
    fn query(&self, sql: &str) -> String {
        match self.backend {
            Backend::Postgres => psql(&self.url, sql),
            Backend::Sqlite => {
                let path = self.url.trim_start_matches("sqlite://");
                let out = Command::new("sqlite3")
                    .args(["-cmd", ".timeout 10000", path, sql])
                    .output()
                    .expect("run sqlite3");
                assert!(
                    out.status.success(),
                    "sqlite3 {sql}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                String::from_utf8_lossy(&out.stdout).to_string()
            }
        }
    }

    /// Jobs of `tenant` not done yet.
    fn open_jobs(&self, tenant: &str) -> i64 {
        self.number(&format!(
            "SELECT COUNT(*) FROM jobs WHERE tenant_id = '{tenant}' AND done = 0"
        ))
    }

    /// Jobs of `tenant` done.
    fn done_jobs(&self, tenant: &str) -> i64 {
        self.number(&format!(
            "SELECT COUNT(*) FROM jobs WHERE tenant_id = '{tenant}' AND done = 1"
        ))
    }

    /// PostgreSQL: transactions on this database, other than the asking one, that have
    /// written something and not yet ended.
    fn writing_transactions(&self) -> i64 {
        self.number(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()
             AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()",
        )
    }

    /// Open jobs of `tenant` someone holds a lease on, by lease owner.
    fn leases(&self, tenant: &str) -> HashMap<String, Vec<String>> {
        let mut by_owner: HashMap<String, Vec<String>> = HashMap::new();
        let rows = self.query(&format!(
            "SELECT lease_owner, id FROM jobs WHERE tenant_id = '{tenant}' AND done = 0 AND lease_owner IS NOT NULL"
        ));
        for line in rows.lines().filter(|l| !l.is_empty()) {
            let (owner, id) = line.split_once('|').expect("owner|id");
            by_owner
                .entry(owner.to_string())
                .or_default()
                .push(id.to_string());
        }
        by_owner
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some(admin) = &self.admin_url {
            let _ = Command::new("psql")
                .args([
                    admin.as_str(),
                    "-Atc",
                    &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
                ])
                .output();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([url, "-Atc", sql])
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn lcw(args: &[&str]) -> String {
    let out = Command::new(lcw_bin())
        .args(args)
        .output()
        .expect("run lcw");
    assert!(
        out.status.success(),
        "lcw {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// `USERS` Sales users hired on 2026-03-10 with disabled accounts, imported into `tenant`.
fn import_users(db: &Db, tenant: &str) {
    let path = db.dir.join("users.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("csv"));
    writeln!(
        f,
        "displayName,userPrincipalName,department,employeeHireDate,accountEnabled"
    )
    .expect("write csv");
    for i in 0..USERS {
        writeln!(
            f,
            "New Hire {i:05},new.hire.{i:05}@contoso.test,Sales,2026-03-10T00:00:00Z,false"
        )
        .expect("write csv");
    }
    f.flush().expect("flush csv");
    drop(f);
    let file = path.to_str().expect("utf-8 path");
    let report = lcw(&["import", "--database", &db.url, "--tenant", tenant, file]);
    assert!(
        report.contains(&format!("imported {USERS} users")),
        "{report}"
    );
}

/// One `lcw serve` process, started directly so signals reach the server itself; killed
/// when dropped.
struct Node {
    name: &'static str,
    base: String,
    child: Child,
}

impl Node {
    fn start(name: &'static str, database: &str) -> Node {
        let mut child = Command::new(lcw_bin())
            .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
            .args(["--clock", "manual", "--clock-start", CLOCK_START])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("LCW_LOG", "error")
            .spawn()
            .expect("spawn lcw serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        if let Some(err) = child.stderr.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines().map_while(Result::ok) {
                    eprintln!("[lcw serve {name}] {line}");
                }
            });
        }
        let mut node = Node {
            name,
            base: String::new(),
            child,
        };
        while node.base.is_empty() {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|e| panic!("lcw serve {name} did not start ({e})"));
            if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
                node.base = url.to_string();
            }
        }
        node
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} node {}", self.name);
    }

    /// Wait for the process to exit, at most `patience`; how long it took.
    fn exited_within(&mut self, patience: Duration) -> Option<Duration> {
        let started = Instant::now();
        while started.elapsed() < patience {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Some(started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        // A stopped process must be continued to die of SIGKILL promptly.
        let _ = self.child.kill();
        let _ = Command::new("kill")
            .args(["-CONT", &self.child.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

struct Conn {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Conn {
    fn new(node: &Node, token: &str) -> Conn {
        Conn {
            http: reqwest::Client::new(),
            base: node.base.clone(),
            token: token.to_string(),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Resp {
        let url = self.url(path);
        let mut req = self
            .http
            .request(method, &url)
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(60));
        if let Some(b) = body {
            req = req.json(b);
        }
        match req.send().await {
            Ok(r) => into_resp(r).await,
            Err(e) => panic!("{url}: {e}"),
        }
    }

    async fn post(&self, path: &str, body: &Value) -> Resp {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    async fn count(&self, path: &str) -> i64 {
        let r = self.send(reqwest::Method::GET, path, None).await;
        assert_eq!(r.status, 200, "GET {path}: {}", r.text);
        r.text.trim().parse().expect("a count")
    }

    async fn all(&self, path: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut next = Some(path.to_string());
        while let Some(p) = next.take() {
            let r = self.send(reqwest::Method::GET, &p, None).await;
            assert_eq!(r.status, 200, "GET {p}: {}", r.text);
            out.extend(r.body["value"].as_array().cloned().unwrap_or_default());
            next = r.body["@odata.nextLink"].as_str().map(str::to_string);
        }
        out
    }

    /// Start a scheduler pass (which also works through the queue) without waiting for
    /// its answer: the node may be stopped before it gives one.
    fn start_scheduler_pass(&self) -> tokio::task::JoinHandle<()> {
        let url = format!(
            "{}/lcw/admin/scheduler/run",
            self.base.trim_end_matches("/beta")
        );
        let req = self
            .http
            .post(url)
            .bearer_auth(&self.token)
            .json(&json!({}))
            .timeout(Duration::from_secs(300));
        tokio::spawn(async move {
            let _ = req.send().await;
        })
    }
}

/// A group and the scheduled pre-hire workflow that enables each user and adds them to it.
async fn create_workflow(c: &Conn) -> String {
    let g = c
        .post(
            "/groups",
            &json!({"displayName": "New hires", "mailNickname": "newhires", "mailEnabled": false, "securityEnabled": true}),
        )
        .await;
    g.expect(201);
    let group = g.body["id"].as_str().expect("group id").to_string();
    let wf = c
        .post(
            &format!("{LW}/workflows"),
            &json!({
                "category": "joiner",
                "displayName": "Shared pre-hire onboarding",
                "isEnabled": true,
                "isSchedulingEnabled": true,
                "executionConditions": {
                    "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
                    "scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "department eq 'Sales'"},
                    "trigger": {"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger", "timeBasedAttribute": "employeeHireDate", "offsetInDays": -7}
                },
                "tasks": [
                    {"displayName": "Enable account", "taskDefinitionId": ENABLE, "arguments": []},
                    {"displayName": "Add to new hires", "taskDefinitionId": ADD_TO_GROUPS, "arguments": [{"name": "groupID", "value": group}]}
                ]
            }),
        )
        .await;
    wf.expect(201);
    wf.body["id"].as_str().expect("workflow id").to_string()
}

/// Wait until some of the run's jobs are done, while `node` works through it.
async fn wait_for_progress(db: &Db, tenant: &str, pass: &tokio::task::JoinHandle<()>) {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        if db.done_jobs(tenant) >= 2 && db.open_jobs(tenant) > 0 {
            return;
        }
        assert!(
            !pass.is_finished(),
            "the scheduler pass ended before the run was under way"
        );
        assert!(Instant::now() < deadline, "no job was done within 180 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Wait until every job of `tenant` is done; how long it took.
async fn wait_for_all_jobs(db: &Db, tenant: &str) -> Duration {
    let started = Instant::now();
    while db.open_jobs(tenant) > 0 {
        assert!(
            started.elapsed() < SETTLE,
            "jobs still open after {SETTLE:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    started.elapsed()
}

/// Every user of the tenant processed exactly once: one completed user processing result
/// each, one completed task processing result per user and task, one completed run.
async fn assert_exactly_once(c: &Conn, wf: &str) {
    let deadline = Instant::now() + SETTLE;
    let runs = loop {
        let runs = c.all(&format!("{LW}/workflows/{wf}/runs")).await;
        if !runs.is_empty() && runs.iter().all(|r| r["completedDateTime"].is_string()) {
            break runs;
        }
        assert!(Instant::now() < deadline, "runs never finished: {runs:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["processingStatus"], "completed", "{}", runs[0]);
    assert_eq!(runs[0]["totalUsersCount"], USERS, "{}", runs[0]);
    assert_eq!(runs[0]["successfulUsersCount"], USERS, "{}", runs[0]);
    let results = c
        .all(&format!(
            "{LW}/workflows/{wf}/userProcessingResults?$top=999&$select=id,subject,processingStatus"
        ))
        .await;
    let subjects: HashSet<&str> = results
        .iter()
        .filter_map(|r| r["subject"]["id"].as_str())
        .collect();
    assert_eq!(results.len() as i64, USERS, "user processing results");
    assert_eq!(subjects.len() as i64, USERS, "users with a result");
    assert!(
        results.iter().all(|r| r["processingStatus"] == "completed"),
        "every user completed"
    );
    let run = runs[0]["id"].as_str().expect("run id");
    let tasks = format!("{LW}/workflows/{wf}/runs/{run}/taskProcessingResults/$count");
    assert_eq!(c.count(&tasks).await, USERS * TASKS_PER_USER);
    let completed = c
        .count(&format!("{tasks}?$filter=processingStatus eq 'completed'"))
        .await;
    assert_eq!(completed, USERS * TASKS_PER_USER);
    assert_eq!(
        c.count("/users/$count?$filter=accountEnabled eq true")
            .await,
        USERS,
        "enabled users"
    );
}

// ---------------------------------------------------------------------------------------------
// R8: several nodes share a run
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_second_node_shares_a_run_and_a_stalled_node_delays_only_its_own_jobs() {
    let Some(db) = Db::new(Backend::Postgres) else {
        println!("skipped: LCW_TEST_POSTGRES_URL is not set (this test needs PostgreSQL)");
        return;
    };
    let _serial = one_at_a_time().await;
    let tenant = uuid::Uuid::new_v4().to_string();
    import_users(&db, &tenant);
    let token = lcw(&["token", "--database", &db.url, "--tenant", &tenant]);
    let a = Node::start("A", &db.url);
    let ca = Conn::new(&a, &token);
    let wf = create_workflow(&ca).await;

    // Node A works through the run alone; its leases are sampled meanwhile.
    let pass = ca.start_scheduler_pass();
    let most_held = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let (most_held, sampling) = (most_held.clone(), sampling.clone());
        let (url, tenant) = (db.url.clone(), tenant.clone());
        std::thread::spawn(move || {
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                let held = psql(
                    &url,
                    &format!("SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM jobs WHERE tenant_id = '{tenant}' AND done = 0 AND lease_owner IS NOT NULL GROUP BY lease_owner) AS held"),
                );
                let held: i64 = held.trim().parse().unwrap_or(0);
                most_held.fetch_max(held, std::sync::atomic::Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    wait_for_progress(&db, &tenant, &pass).await;

    // A stalls mid-run, inside a transaction that has written (committing a job, say): the
    // hard case, as its row locks would outlive its leases. What it holds is all it delays.
    let mut tries = 0;
    loop {
        while db.writing_transactions() == 0 {
            assert!(
                db.open_jobs(&tenant) > 0,
                "the run ended before node A stalled"
            );
        }
        a.signal("STOP");
        if db.writing_transactions() > 0 {
            break;
        }
        a.signal("CONT");
        tries += 1;
        assert!(tries < 100, "node A never stalled inside a transaction");
    }
    let stalled_at = Instant::now();
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    sampler.join().expect("lease sampler");
    let held = db.leases(&tenant);
    assert!(held.len() <= 1, "only node A has worked: {held:?}");
    let a_jobs: HashSet<String> = held.into_values().flatten().collect();
    let open = db.open_jobs(&tenant);
    let most = most_held.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "node A stopped with {} of {open} open jobs leased; it held at most {most} at once",
        a_jobs.len()
    );
    assert!(
        most <= JOBS_IN_FLIGHT,
        "node A held {most} job leases at once, more than its {JOBS_IN_FLIGHT} jobs in flight"
    );
    assert!(
        (a_jobs.len() as i64) <= JOBS_IN_FLIGHT,
        "node A holds {} job leases, more than its {JOBS_IN_FLIGHT} jobs in flight",
        a_jobs.len()
    );
    assert!(
        open > a_jobs.len() as i64,
        "the run had no job left that node A did not hold ({open} open)"
    );

    // Node B completes every job but A's, without waiting for A's leases.
    let b = Node::start("B", &db.url);
    let cb = Conn::new(&b, &token);
    let deadline = Instant::now() + SETTLE;
    let rest_done_at = loop {
        let open_now: HashSet<String> = db
            .query(&format!(
                "SELECT id FROM jobs WHERE tenant_id = '{tenant}' AND done = 0"
            ))
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        if open_now.is_subset(&a_jobs) {
            println!(
                "node B completed every job but node A's {:.1} s after A stalled ({} of A's still open)",
                stalled_at.elapsed().as_secs_f64(),
                open_now.len()
            );
            break stalled_at.elapsed();
        }
        assert!(
            Instant::now() < deadline,
            "node B did not complete the jobs node A did not hold"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    // A's leases expire (15 s) and B takes its jobs over: the stall costs the run about one
    // lease, not a wait on A's locks (R3: a run completes within the lease of a paused node).
    wait_for_all_jobs(&db, &tenant).await;
    let all_done_at = stalled_at.elapsed();
    println!(
        "every job done {:.1} s after node A stalled",
        all_done_at.as_secs_f64()
    );
    let bound = rest_done_at.max(LEASE) + TAKEOVER_SLACK;
    assert!(
        all_done_at <= bound,
        "node A's stall held the run up {all_done_at:?}, more than its lease allows ({bound:?})"
    );

    // A resumes: the jobs it was working on were done by B, and nothing is repeated.
    a.signal("CONT");
    tokio::time::sleep(Duration::from_secs(3)).await;
    pass.abort();
    assert_exactly_once(&cb, &wf).await;
    assert_exactly_once(&ca, &wf).await;
}

// ---------------------------------------------------------------------------------------------
// R5: SIGTERM is a graceful stop
// ---------------------------------------------------------------------------------------------

async fn sigterm_hands_back_the_run(backend: Backend) {
    let Some(db) = Db::new(backend) else {
        println!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    let _serial = one_at_a_time().await;
    let tenant = uuid::Uuid::new_v4().to_string();
    import_users(&db, &tenant);
    let token = lcw(&["token", "--database", &db.url, "--tenant", &tenant]);
    let mut first = Node::start("1", &db.url);
    let c1 = Conn::new(&first, &token);
    let wf = create_workflow(&c1).await;

    let pass = c1.start_scheduler_pass();
    wait_for_progress(&db, &tenant, &pass).await;
    let done_before = db.done_jobs(&tenant);
    let open_before = db.open_jobs(&tenant);
    first.signal("TERM");
    let took = first
        .exited_within(Duration::from_secs(15))
        .expect("the node did not exit within 15 s of SIGTERM");
    pass.abort();
    let open = db.open_jobs(&tenant);
    let finished = db.done_jobs(&tenant) - done_before;
    println!(
        "node 1 exited {:.1} s after SIGTERM; {finished} of {open_before} open jobs finished meanwhile",
        took.as_secs_f64()
    );
    // The jobs in flight may finish (and one more may have been started just before the
    // signal); the scheduler pass being answered must not work through the rest.
    assert!(
        open_before > 2 * JOBS_IN_FLIGHT,
        "too little of the run was left ({open_before} jobs) to tell"
    );
    assert!(
        finished <= 2 * JOBS_IN_FLIGHT,
        "the node went on taking jobs after SIGTERM: {finished} finished"
    );
    assert!(open > 0, "the run finished before the node stopped");
    let still_held = db.leases(&tenant);
    assert!(
        still_held.is_empty(),
        "the stopped node kept leases on open jobs: {still_held:?}"
    );

    // Another node (on SQLite: the same database restarted) continues at once.
    let second = Node::start("2", &db.url);
    let c2 = Conn::new(&second, &token);
    let took = wait_for_all_jobs(&db, &tenant).await;
    println!("node 2 completed the run in {:.1} s", took.as_secs_f64());
    assert_exactly_once(&c2, &wf).await;
}

#[tokio::test]
async fn sigterm_hands_back_the_run_sqlite() {
    sigterm_hands_back_the_run(Backend::Sqlite).await;
}

#[tokio::test]
async fn sigterm_hands_back_the_run_postgres() {
    sigterm_hands_back_the_run(Backend::Postgres).await;
}
