//! Test harness: real `lcw serve` processes on free ports, one per backend, shared by every
//! test in this binary. Each test works in a fresh tenant (a new `tid`), which is how lcw
//! isolates data, so tests never see each other's objects.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

pub const LW: &str = "/identityGovernance/lifecycleWorkflows";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct Server {
    pub backend: Backend,
    /// `http://127.0.0.1:PORT/beta`
    pub base: String,
    pub database: String,
    _child: ChildGuard,
    tokens: Mutex<HashMap<String, String>>,
}

/// Owns a server started by [`start_server`]; dropping it stops the server.
pub struct ChildGuard(pub Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        // Closing the wrapper's stdin makes it stop the server (see `start_server`).
        drop(self.0.stdin.take());
        let _ = self.0.wait();
    }
}

pub fn lcw_bin() -> &'static str {
    env!("CARGO_BIN_EXE_lcw")
}

/// Start `lcw serve` on a free port and wait until it prints its base URL.
///
/// The server runs under a small `sh` wrapper that stops it as soon as its stdin closes: when
/// the returned `Child` (or the [`ChildGuard`] holding it) is dropped, or when the test process
/// exits in any way. The shared servers live in statics, which are never dropped, so without
/// this every test run would leave `lcw serve` processes behind.
pub fn start_server(database: &str, extra: &[&str]) -> Result<(String, Child), String> {
    let (banner, child) = start_server_banner(database, extra, None, 1)?;
    Ok((base_url(&banner[0])?, child))
}

/// The base URL (`http://...` or `https://...`) in the first line `lcw serve` prints.
pub fn base_url(first_line: &str) -> Result<String, String> {
    first_line
        .split_whitespace()
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(str::to_string)
        .ok_or_else(|| format!("no URL in '{first_line}'"))
}

/// Like [`start_server`], under `umask` when given; returns the first `banner_lines` lines
/// the server printed.
pub fn start_server_banner(
    database: &str,
    extra: &[&str],
    umask: Option<&str>,
    banner_lines: usize,
) -> Result<(Vec<String>, Child), String> {
    let umask = umask.map(|u| format!("umask {u}; ")).unwrap_or_default();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            r#"{umask}"$@" </dev/null & p=$!; read _ignored; kill $p 2>/dev/null; wait $p"#
        ))
        .arg("lcw-guard")
        .arg(lcw_bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("LCW_LOG", "error");
    let mut child = cmd.spawn().map_err(|e| e.to_string())?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let mut banner = Vec::new();
    while banner.len() < banner_lines.max(1) {
        match lines.next() {
            Some(Ok(l)) => banner.push(l),
            _ => {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                return Err(format!("lcw serve did not start: {err}"));
            }
        }
    }
    // Keep draining stdout and stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    if let Some(err) = child.stderr.take() {
        // Server-side errors (logged at `error`) show up in the test output.
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                eprintln!("[lcw serve] {line}");
            }
        });
    }
    Ok((banner, child))
}

impl Server {
    fn start(backend: Backend) -> Option<Server> {
        Server::start_with(backend, &[])
    }

    fn start_with(backend: Backend, extra: &[&str]) -> Option<Server> {
        let database = match backend {
            Backend::Sqlite => fresh_sqlite_database()?,
            // Servers with their own clock get their own database: engine nodes sharing one
            // database share its job queue, and a node with another clock would process (and
            // timestamp) their work.
            Backend::Postgres if !extra.is_empty() => fresh_postgres_database()?,
            Backend::Postgres => std::env::var("LCW_TEST_POSTGRES_URL").ok()?,
        };
        let (base, child) = match start_server(&database, extra) {
            Ok(x) => x,
            Err(e) => panic!("{e}"),
        };
        Some(Server {
            backend,
            base,
            database,
            _child: ChildGuard(child),
            tokens: Mutex::new(HashMap::new()),
        })
    }

    /// A token minted by `lcw token` against this server's database.
    pub fn token(&self, args: &[&str]) -> String {
        let key = args.join("\u{1}");
        if let Some(t) = self.tokens.lock().unwrap().get(&key) {
            return t.clone();
        }
        let out = Command::new(lcw_bin())
            .args(["token", "--database", &self.database])
            .args(args)
            .output()
            .expect("run lcw token");
        assert!(
            out.status.success(),
            "lcw token failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let t = String::from_utf8_lossy(&out.stdout).trim().to_string();
        self.tokens.lock().unwrap().insert(key, t.clone());
        t
    }
}

/// A new SQLite database file in a temp dir.
pub fn fresh_sqlite_database() -> Option<String> {
    let dir = std::env::temp_dir().join(format!("lcw-it-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).ok()?;
    Some(format!("sqlite://{}", dir.join("lcw.db").display()))
}

/// A new, empty database on the `LCW_TEST_POSTGRES_URL` server (created with `psql`).
pub fn fresh_postgres_database() -> Option<String> {
    let base = std::env::var("LCW_TEST_POSTGRES_URL").ok()?;
    let name = format!("lcw_it_{}", uuid::Uuid::new_v4().simple());
    let out = Command::new("psql")
        .args([
            base.as_str(),
            "-q",
            "-c",
            &format!("CREATE DATABASE {name}"),
        ])
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "CREATE DATABASE failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (prefix, _) = base.rsplit_once('/')?;
    Some(format!("{prefix}/{name}"))
}

pub fn server(backend: Backend) -> Option<&'static Server> {
    static SQLITE: OnceLock<Option<Server>> = OnceLock::new();
    static POSTGRES: OnceLock<Option<Server>> = OnceLock::new();
    match backend {
        Backend::Sqlite => SQLITE
            .get_or_init(|| Server::start(Backend::Sqlite))
            .as_ref(),
        Backend::Postgres => POSTGRES
            .get_or_init(|| Server::start(Backend::Postgres))
            .as_ref(),
    }
}

/// A second server per backend whose clock only moves through `/lcw/admin/clock`, for
/// scheduler scenarios. Tests that move it hold [`clock_lock`].
pub fn manual_clock_server(backend: Backend) -> Option<&'static Server> {
    static SQLITE: OnceLock<Option<Server>> = OnceLock::new();
    static POSTGRES: OnceLock<Option<Server>> = OnceLock::new();
    let args = ["--clock", "manual", "--clock-start", "2026-01-01T09:00:00Z"];
    match backend {
        Backend::Sqlite => SQLITE
            .get_or_init(|| Server::start_with(Backend::Sqlite, &args))
            .as_ref(),
        Backend::Postgres => POSTGRES
            .get_or_init(|| Server::start_with(Backend::Postgres, &args))
            .as_ref(),
    }
}

/// A server of its own per backend for one test module whose scenarios need flags the shared
/// servers don't have (`name` tells modules apart); it gets its own database.
pub fn dedicated_server(
    backend: Backend,
    name: &'static str,
    args: &'static [&'static str],
) -> Option<&'static Server> {
    type Started = Vec<(&'static str, Backend, Option<&'static Server>)>;
    static SERVERS: Mutex<Started> = Mutex::new(Vec::new());
    let mut all = SERVERS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, _, s)) = all.iter().find(|(n, b, _)| *n == name && *b == backend) {
        return *s;
    }
    let started: Option<&'static Server> =
        Server::start_with(backend, args).map(|s| &*Box::leak(Box::new(s)));
    all.push((name, backend, started));
    started
}

/// Serialises the tests that move a manual clock (one clock per server).
pub async fn clock_lock() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

/// One test's view: its own tenant and a default app token with full permissions.
pub struct Tenant {
    pub id: String,
    pub server: &'static Server,
    pub token: String,
    pub client: reqwest::Client,
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Resp {
    /// The Graph error code, if this is an error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        self
    }

    /// Assert a Graph error with this status and code.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) -> &Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        assert_eq!(
            self.code(),
            code,
            "unexpected error code; body: {}",
            self.text
        );
        assert!(
            self.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "error without message: {}",
            self.text
        );
        assert!(
            self.body["error"]["innerError"]["request-id"].is_string(),
            "error without request-id: {}",
            self.text
        );
        assert!(
            self.body["error"]["innerError"]["date"].is_string(),
            "error without date: {}",
            self.text
        );
        self
    }
}

impl Tenant {
    pub fn new(backend: Backend) -> Option<Tenant> {
        let server = server(backend)?;
        let id = uuid::Uuid::new_v4().to_string();
        let token = server.token(&["--tenant", &id]);
        Some(Tenant {
            id,
            server,
            token,
            client: reqwest::Client::new(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.server.backend
    }

    /// A fresh tenant on the manual-clock server of `backend`.
    pub fn on_manual_clock(backend: Backend) -> Option<Tenant> {
        let server = manual_clock_server(backend)?;
        let id = uuid::Uuid::new_v4().to_string();
        let token = server.token(&["--tenant", &id]);
        Some(Tenant {
            id,
            server,
            token,
            client: reqwest::Client::new(),
        })
    }

    /// A fresh tenant on `server`.
    pub fn on(server: &'static Server) -> Tenant {
        let id = uuid::Uuid::new_v4().to_string();
        let token = server.token(&["--tenant", &id]);
        Tenant {
            id,
            server,
            token,
            client: reqwest::Client::new(),
        }
    }

    /// Set the manual clock (RFC 3339).
    pub async fn set_clock(&self, now: &str) {
        self.post_admin("clock", &serde_json::json!({ "now": now }))
            .await;
    }

    /// Run a scheduler pass now and process every queued job; returns the pass report.
    pub async fn run_scheduler(&self) -> Value {
        self.post_admin("scheduler/run", &serde_json::json!({}))
            .await
    }

    async fn post_admin(&self, what: &str, body: &Value) -> Value {
        let base = self.server.base.trim_end_matches("/beta");
        let r = self
            .client
            .post(format!("{base}/lcw/admin/{what}"))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .expect("admin request");
        let r = into_resp(r).await;
        assert_eq!(r.status, 200, "admin {what}: {}", r.text);
        r.body
    }

    /// A token for this tenant with other options (`--roles`, `--user`, ...).
    pub fn token_with(&self, args: &[&str]) -> String {
        let mut all = vec!["--tenant", self.id.as_str()];
        all.extend_from_slice(args);
        self.server.token(&all)
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{}", self.server.base, path)
        }
    }

    /// Send a request with this tenant's token; `body` is sent as JSON when given.
    pub async fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        self.send_as(&self.token, method, path, body).await
    }

    pub async fn send_as(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Resp {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(b);
        }
        into_resp(req.send().await.expect("request failed")).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send("GET", path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        self.send("POST", path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Resp {
        self.send("PATCH", path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send("DELETE", path, None).await
    }

    /// Send exactly these bytes and headers; `token` None sends no `Authorization` header.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Resp {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method, self.url(path));
        if let Some(tok) = token {
            req = req.bearer_auth(tok);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.body(b);
        }
        into_resp(req.send().await.expect("request failed")).await
    }

    /// GET with extra request headers.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        self.raw("GET", path, Some(&self.token), headers, None)
            .await
    }

    /// Create a workflow (must answer 201) and return its id.
    #[track_caller]
    pub fn create_workflow(&self, body: &Value) -> impl std::future::Future<Output = String> + '_ {
        let body = body.clone();
        let caller = std::panic::Location::caller();
        async move {
            let r = self.post(&format!("{LW}/workflows"), &body).await;
            assert_eq!(
                r.status, 201,
                "create workflow (called at {caller}): {}",
                r.text
            );
            r.body["id"].as_str().expect("workflow id").to_string()
        }
    }
}

pub async fn into_resp(r: reqwest::Response) -> Resp {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        text,
        body,
    }
}

/// Run a test body against SQLite and (when `LCW_TEST_POSTGRES_URL` is set) PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, |$t:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use $crate::harness::*;

            async fn run($t: Tenant) $body

            #[tokio::test]
            async fn sqlite() {
                run(Tenant::new(Backend::Sqlite).expect("sqlite server")).await;
            }

            #[tokio::test]
            async fn postgres() {
                match Tenant::new(Backend::Postgres) {
                    Some(t) => run(t).await,
                    None => eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set"),
                }
            }
        }
    };
}

/// A minimal valid workflow body.
pub fn joiner_workflow(name: &str) -> Value {
    serde_json::json!({
        "category": "joiner",
        "displayName": name,
        "description": "pre-hire onboarding",
        "isEnabled": true,
        "isSchedulingEnabled": false,
        "executionConditions": {
            "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
            "scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "department eq 'Sales'"},
            "trigger": {"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger", "timeBasedAttribute": "employeeHireDate", "offsetInDays": -7}
        },
        "tasks": [
            {"displayName": "Enable account", "taskDefinitionId": "6fc52c9d-398b-4305-9763-15f42c1676fc", "arguments": []},
            {"displayName": "Welcome mail", "taskDefinitionId": "70b29d51-b59a-4773-9280-8841dfd3f2ea", "isEnabled": true, "arguments": []}
        ]
    })
}

/// A minimal valid leaver workflow body.
pub fn leaver_workflow(name: &str) -> Value {
    serde_json::json!({
        "category": "leaver",
        "displayName": name,
        "isEnabled": true,
        "executionConditions": {
            "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
            "scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "department eq 'Sales'"},
            "trigger": {"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger", "timeBasedAttribute": "employeeLeaveDateTime", "offsetInDays": 0}
        },
        "tasks": [
            {"displayName": "Delete account", "taskDefinitionId": "8d18588d-9ad3-4c0f-99d0-ec215f0e3dff", "arguments": []}
        ]
    })
}
