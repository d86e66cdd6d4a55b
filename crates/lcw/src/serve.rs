//! `lcw serve`: its options, the node it starts (store, engine, mailer, listeners), the
//! banner, and the graceful stop.

use std::sync::Arc;

use clap::Args;

use crate::{open_store, sqlite_path, tls, CliError, DatabaseArg};

#[derive(Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// Address (IP:PORT) to serve the Graph API on, over plain HTTP (put a TLS-terminating
    /// reverse proxy in front for anything but local use). Port 0 picks a free one.
    #[arg(long, env = "LCW_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Accept tokens from this external issuer instead of lcw's own (`{tenantid}` is replaced
    /// by the token's tid). Needs --audience and --jwks.
    #[arg(long, env = "LCW_ISSUER", requires_all = ["audience", "jwks"])]
    issuer: Option<String>,
    /// Expected `aud` of external tokens (with --issuer).
    #[arg(long, env = "LCW_AUDIENCE", requires = "issuer")]
    audience: Option<String>,
    /// JWKS of the external issuer: a file path or an http(s) URL (with --issuer).
    #[arg(long, env = "LCW_JWKS", requires = "issuer")]
    jwks: Option<String>,
    /// Largest accepted request body in bytes; larger ones are answered 413.
    #[arg(long, env = "LCW_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    max_body_bytes: usize,
    /// Connections served at once; further ones wait until one closes.
    #[arg(long, env = "LCW_MAX_CONNECTIONS", default_value_t = 4096)]
    max_connections: usize,
    /// Build absolute links (`@odata.context`, `@odata.nextLink`) from the `Forwarded` /
    /// `X-Forwarded-Proto` / `X-Forwarded-Host` headers: only behind a reverse proxy that
    /// sets them (and strips clients' own), or clients could poison the links.
    #[arg(long, env = "LCW_TRUST_PROXY")]
    trust_proxy: bool,
    /// `system` (default) or `manual`: a clock that moves only through the admin endpoints
    /// (`/lcw/admin/clock`, `/lcw/admin/scheduler/run`), for tests and demos.
    #[arg(long, env = "LCW_CLOCK", default_value = "system", value_parser = ["system", "manual"])]
    clock: String,
    /// Start time of the manual clock (RFC 3339, with --clock manual) [default: now].
    #[arg(long, env = "LCW_CLOCK_START")]
    clock_start: Option<String>,
    /// Don't run the engine (job workers, scheduler, callouts) on this node: it serves the
    /// API only, and other nodes on the same database process the runs it creates.
    #[arg(long, env = "LCW_NO_ENGINE")]
    no_engine: bool,
    /// Deliver the e-mail tasks' messages through this SMTP server:
    /// `smtp://[user[:password]@]host[:port]` upgrades to TLS with STARTTLS when the server
    /// offers it and else stays on plain TCP; `smtp+starttls://...` requires STARTTLS and
    /// fails the delivery (before any credentials are sent) when it is not offered. AUTH
    /// PLAIN when credentials are given. Without it messages stay in the outbox
    /// (`GET /lcw/admin/outbox`).
    #[arg(long, env = "LCW_SMTP_URL")]
    smtp_url: Option<String>,
    /// PEM certificates to trust, besides the built-in webpki roots, for the SMTP server's
    /// TLS certificate: a private relay's CA, or a self-signed server certificate (which
    /// must not be marked as a CA).
    #[arg(
        long,
        env = "LCW_SMTP_CA_FILE",
        value_name = "PEM",
        requires = "smtp_url"
    )]
    smtp_ca_file: Option<std::path::PathBuf>,
    /// A host custom task extension endpoints may be on (repeatable; comma-separated in the
    /// environment variable): `host`, `host:port`, `*.suffix` or `*`. None by default: every
    /// callout fails until hosts are allowed.
    #[arg(
        long = "callout-allow-host",
        value_name = "HOST",
        env = "LCW_CALLOUT_ALLOW_HOSTS",
        value_delimiter = ','
    )]
    callout_allow_hosts: Vec<String>,
    /// Log format on stderr: `text` (a line per event) or `json` (an object per line). Which
    /// events are logged is set by LCW_LOG or, without it, RUST_LOG, as `RUST_LOG`-style
    /// directives [default filter: `warn,lcw=info`, a line per request with its request-id,
    /// tenant, operation, status and latency]. Colours only when stderr is a terminal.
    #[arg(long, env = "LCW_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
    /// Serve `GET /metrics` (Prometheus text format) on the --listen address, without
    /// authentication: it holds counts and timings only, no tenant data.
    #[arg(long, env = "LCW_METRICS")]
    metrics: bool,
    /// Serve `GET /metrics` on this address (IP:PORT), a listener of its own, e.g. one only
    /// the monitoring network reaches. May be combined with --metrics.
    #[arg(long, env = "LCW_METRICS_LISTEN", value_name = "ADDR")]
    metrics_listen: Option<String>,
    /// Serve HTTPS (HTTP/1.1 and HTTP/2) with a certificate from a local CA that lcw creates
    /// on first use and reuses after, for localhost, 127.0.0.1, ::1, the listen host and
    /// each --tls-san. The banner names the CA file clients must trust.
    #[arg(long, env = "LCW_TLS", conflicts_with = "tls_cert")]
    tls: bool,
    /// A further host name or IP address the generated certificate is for (repeatable).
    #[arg(long = "tls-san", value_name = "NAME", requires = "tls")]
    tls_sans: Vec<String>,
    /// Where --tls keeps the CA and server certificate and keys (default: beside a SQLite
    /// database file, `<file>.tls/`; else `./lcw-tls`).
    #[arg(long, env = "LCW_TLS_DIR", value_name = "DIR", requires = "tls")]
    tls_dir: Option<std::path::PathBuf>,
    /// Serve HTTPS with this certificate (PEM; the chain, server certificate first) instead
    /// of a generated one. Needs --tls-key.
    #[arg(long, env = "LCW_TLS_CERT", value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// The private key of --tls-cert (PEM, unencrypted: PKCS#8, PKCS#1 RSA or SEC1 EC).
    #[arg(long, env = "LCW_TLS_KEY", value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
}

/// Logs go to stderr, filtered by `LCW_LOG` (else `RUST_LOG`), as text or one JSON object a
/// line; colour codes only for a terminal, so files and collectors get plain text.
fn init_logging(format: &str) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("LCW_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,lcw=info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    if format == "json" {
        logs.json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .init();
    } else {
        logs.init();
    }
}

/// What this node runs, for the banner: no password, token or query string in it.
struct NodeSummary {
    lines: Vec<(&'static str, String)>,
}

impl NodeSummary {
    fn print(&self) {
        for (what, how) in &self.lines {
            println!("  {:<10}{how}", format!("{what}:"));
        }
    }
}

/// The database without credentials or options: `sqlite lcw.db`, `postgresql db.host:5432/lcw`.
fn database_summary(url: &str) -> String {
    if let Some(path) = sqlite_path(url) {
        return format!("SQLite {}", path.display());
    }
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    let rest = rest.split('?').next().unwrap_or(rest);
    format!("PostgreSQL {rest}")
}

fn smtp_summary(smtp: Option<&engine::mailer::SmtpConfig>) -> String {
    match smtp {
        None => "off: mail stays in the outbox (GET /lcw/admin/outbox)".into(),
        Some(cfg) => {
            let tls = match cfg.starttls {
                engine::mailer::StartTls::Opportunistic => "STARTTLS when offered",
                engine::mailer::StartTls::Required => "STARTTLS required",
            };
            let auth = if cfg.credentials.is_some() {
                ", AUTH PLAIN"
            } else {
                ""
            };
            format!("{}:{} ({tls}{auth})", cfg.host, cfg.port)
        }
    }
}

pub(crate) async fn serve(args: ServeArgs) -> Result<(), CliError> {
    init_logging(&args.log_format);
    let metrics = if args.metrics || args.metrics_listen.is_some() {
        Some(api::telemetry::Metrics::install().map_err(CliError::Config)?)
    } else {
        None
    };
    let mut smtp = args
        .smtp_url
        .as_deref()
        .map(engine::mailer::SmtpConfig::parse)
        .transpose()
        .map_err(|e| CliError::Config(format!("--smtp-url: {e}")))?;
    if let (Some(cfg), Some(path)) = (smtp.as_mut(), args.smtp_ca_file.as_deref()) {
        cfg.add_ca_file(path)
            .map_err(|e| CliError::Config(format!("--smtp-ca-file: {e}")))?;
    }
    let allow = engine::callout::AllowList::parse(&args.callout_allow_hosts)
        .map_err(|e| CliError::Config(format!("--callout-allow-host: {e}")))?;
    let https = serve_tls(&args)?;
    let store = open_store(&args.db.database).await?;
    let metrics_listener = match &args.metrics_listen {
        Some(addr) => {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|source| CliError::Listen {
                    addr: addr.clone(),
                    source,
                })?;
            let bound = listener.local_addr().map_err(|source| CliError::Listen {
                addr: addr.clone(),
                source,
            })?;
            Some((listener, bound))
        }
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .map_err(|source| CliError::Listen {
            addr: args.listen.clone(),
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| CliError::Listen {
        addr: args.listen.clone(),
        source,
    })?;
    let key = api::load_signing_key(&store).await?;
    let external = match (&args.issuer, &args.audience, &args.jwks) {
        (Some(iss), Some(aud), Some(jwks)) => {
            let source = if jwks.starts_with("http://") || jwks.starts_with("https://") {
                api::auth::JwksSource::Url(jwks.clone())
            } else {
                api::auth::JwksSource::File(jwks.into())
            };
            let idp = api::auth::ExternalIdp::new(iss.clone(), aud.clone(), source);
            idp.refresh().await.map_err(CliError::Config)?;
            Some(idp)
        }
        _ => None,
    };
    let uses_external = external.is_some();
    let manual = if args.clock == "manual" {
        let start = match &args.clock_start {
            Some(s) => model::time::parse_datetime(s).ok_or_else(|| {
                CliError::Config(format!("--clock-start '{s}' is not an RFC 3339 date-time"))
            })?,
            None => chrono::Utc::now(),
        };
        Some(Arc::new(engine::ManualClock::new(start)))
    } else {
        None
    };
    let clock: Arc<dyn engine::Clock> = match &manual {
        Some(m) => m.clone(),
        None => Arc::new(engine::SystemClock),
    };
    let token = api::auth::issue_token(&key, &api::auth::TokenRequest::default_app())?;
    let mut state = api::AppState::new(
        store.clone(),
        api::auth::Authenticator::new(key, external),
        clock.clone(),
    );
    state.body_limit = args.max_body_bytes;
    state.limits.max_connections = args.max_connections;
    state.trust_proxy = args.trust_proxy;
    if manual.is_some() {
        // Where each tenant's clock stood when the last node stopped.
        state
            .engine
            .adopt_persisted_clocks()
            .await
            .map_err(|e| CliError::Config(format!("reading the tenants' clocks: {e}")))?;
    }
    state.manual_clock = manual;
    if args.metrics {
        state.metrics = metrics.clone();
    }
    let summary = NodeSummary {
        lines: vec![
            ("database", database_summary(&args.db.database)),
            (
                "clock",
                if state.manual_clock.is_some() {
                    "manual (moved by POST /lcw/admin/clock)".into()
                } else {
                    "system".into()
                },
            ),
            (
                "engine",
                if args.no_engine {
                    "off (API only; other nodes process runs)".into()
                } else {
                    "on (job workers, scheduler every 30 s, callouts)".into()
                },
            ),
            ("smtp", smtp_summary(smtp.as_ref())),
            (
                "tls",
                match https.as_ref().map(|h| &h.trust) {
                    Some(TlsTrust::LocalCa(_)) => {
                        "on: HTTPS (HTTP/1.1 and HTTP/2), certificate from lcw's local CA".into()
                    }
                    Some(TlsTrust::Own(cert)) => {
                        format!(
                            "on: HTTPS (HTTP/1.1 and HTTP/2), certificate {}",
                            cert.display()
                        )
                    }
                    None => "off: plain HTTP (--tls, or TLS in a reverse proxy)".into(),
                },
            ),
            (
                "metrics",
                match (&metrics_listener, args.metrics) {
                    (Some((_, at)), true) => {
                        format!("http://{addr}/metrics and http://{at}/metrics")
                    }
                    (Some((_, at)), false) => format!("http://{at}/metrics"),
                    (None, true) => format!("http://{addr}/metrics"),
                    (None, false) => "off (--metrics, --metrics-listen)".into(),
                },
            ),
            ("logs", format!("{} on stderr", args.log_format)),
        ],
    };
    if !args.no_engine {
        state.engine.spawn_workers();
        // The callout worker signs with its own copy of the dev key (the same stored key).
        let signer = Arc::new(api::load_signing_key(&store).await?);
        engine::callout::spawn_callouts(
            state.engine.clone(),
            engine::callout::CalloutSettings { allow, signer },
        );
        engine::scheduler::spawn_scheduler(
            state.engine.clone(),
            std::time::Duration::from_secs(30),
        );
    }
    // The mailer leases under the node's id too, so stopping hands its messages back with
    // the engine's leases.
    let mailer = smtp.map(|cfg| {
        engine::mailer::spawn_mailer(
            store.clone(),
            cfg,
            std::time::Duration::from_millis(500),
            state.engine.node_id().to_string(),
        )
    });
    engine::purge::spawn_purge_loop(store, clock, std::time::Duration::from_secs(3600));

    // On a fresh database (whichever node gets there first), an app a client library can
    // sign in with, its secret shown here once.
    let default_app = state.domain.create_default_app().await?;
    let scheme = if https.is_some() { "https" } else { "http" };
    let origin = format!("{scheme}://{addr}");
    let base = format!("{origin}/beta");
    println!("lcw is serving Microsoft Graph Lifecycle Workflows at {base}");
    let mut ca_file = None;
    match https.as_ref().map(|h| &h.trust) {
        Some(TlsTrust::LocalCa(ca)) => {
            ca_file = Some(ca.clone());
            let ca = shell_quote(&ca.display().to_string());
            println!("TLS certificate issued by lcw's local CA; trust it through the CA file {ca}");
            println!(
                "  export SSL_CERT_FILE={ca} REQUESTS_CA_BUNDLE={ca} NODE_EXTRA_CA_CERTS={ca}"
            );
        }
        Some(TlsTrust::Own(cert)) => {
            println!("TLS certificate from {}", cert.display());
        }
        None => {}
    }
    summary.print();
    if let Some(app) = default_app {
        print!("{}", credentials_banner(&origin, &app, ca_file.as_deref()));
    }
    if uses_external {
        println!(
            "tokens: issued by {} (audience {})",
            args.issuer.unwrap_or_default(),
            args.audience.unwrap_or_default()
        );
    } else {
        println!(
            "token (app, tenant {}, valid 24 h):",
            api::auth::DEFAULT_TENANT
        );
        println!("{token}");
        println!("try:   curl -H \"Authorization: Bearer <token>\" {base}/identityGovernance/lifecycleWorkflows/taskDefinitions");
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let engine = state.engine.clone();
    let (asked, mut asked_at) = tokio::sync::watch::channel(None);
    let stop_asked = tokio::spawn({
        let engine = engine.clone();
        async move {
            stop_signal().await;
            // At once, not after the HTTP drain: a drain or scheduler pass being answered
            // then ends with its jobs in flight instead of working through the queue.
            engine.stop_taking_work();
            let _ = asked.send(Some(tokio::time::Instant::now()));
        }
    });
    if let (Some((listener, _)), Some(metrics)) = (metrics_listener, metrics) {
        let (store, limits) = (state.store.clone(), state.limits.clone());
        tokio::spawn(async move {
            if let Err(e) = api::serve_metrics(listener, metrics, store, &limits).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    let served = tokio::select! {
        served = api::serve(listener, Arc::new(state), https.map(|h| h.config)) => served.map_err(CliError::Serve),
        // A signal that came before the server listened for it reached only this node's
        // engine: stop anyway once the server's drain would have ended.
        _ = async {
            let _ = asked_at.wait_for(Option::is_some).await;
            tokio::time::sleep(SERVER_DRAIN_LIMIT).await;
        } => Ok(()),
    };
    stop_asked.abort();
    let asked_at = (*asked_at.borrow()).unwrap_or_else(tokio::time::Instant::now);
    stop_engine(&engine, mailer, asked_at + ENGINE_STOP_PATIENCE).await;
    served
}

/// The default app's credentials as shell lines ready to paste: what azure-identity's
/// `EnvironmentCredential` and `ClientSecretCredential` read, where to sign in
/// (`AZURE_AUTHORITY_HOST`), the Graph base URL and, over HTTPS, the CA file to trust.
fn credentials_banner(
    origin: &str,
    app: &lifecycle::identity::Registered,
    ca_file: Option<&std::path::Path>,
) -> String {
    let mut out = format!(
        "default app credentials (shown once; tenant {}):\nexport AZURE_TENANT_ID={} AZURE_CLIENT_ID={} AZURE_CLIENT_SECRET={}\nexport AZURE_AUTHORITY_HOST={origin} LCW_GRAPH_BASE_URL={origin}/beta\n",
        app.app.tenant_id, app.app.tenant_id, app.app.client_id, app.secret.text
    );
    if let Some(ca) = ca_file {
        out.push_str(&format!(
            "export REQUESTS_CA_BUNDLE={} SSL_CERT_FILE={}\n",
            ca.display(),
            ca.display()
        ));
    }
    out
}

/// What an HTTPS listener serves, and what its clients trust.
struct Https {
    config: Arc<api::TlsConfig>,
    trust: TlsTrust,
}

enum TlsTrust {
    /// The CA file of lcw's local CA.
    LocalCa(std::path::PathBuf),
    /// The operator's certificate file.
    Own(std::path::PathBuf),
}

/// The certificate `--tls` or `--tls-cert` asks for; `None` for plain HTTP.
fn serve_tls(args: &ServeArgs) -> Result<Option<Https>, CliError> {
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        return Ok(Some(Https {
            config: tls::own_certificate(cert, key)?,
            trust: TlsTrust::Own(cert.clone()),
        }));
    }
    if !args.tls {
        return Ok(None);
    }
    let dir = args
        .tls_dir
        .clone()
        .unwrap_or_else(|| tls::default_dir(&args.db.database));
    let names = tls::server_names(&args.listen, &args.tls_sans)?;
    let ca = tls::local_ca(&dir, &names)?;
    Ok(Some(Https {
        config: ca.config,
        trust: TlsTrust::LocalCa(ca.ca_file),
    }))
}

/// `s` as one shell word, for lines meant to be pasted.
fn shell_quote(s: &str) -> String {
    let plain = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-' | b'_' | b':' | b'+'));
    if plain && !s.is_empty() {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// How long after being told to stop the jobs in flight may still finish; what is not done
/// by then is handed back. With the HTTP drain (at most 10 s, at the same time) the process
/// exits well within the 15 s a job lease lasts.
const ENGINE_STOP_PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

/// A little more than the server waits for the requests in flight once stopping.
const SERVER_DRAIN_LIMIT: std::time::Duration = std::time::Duration::from_secs(11);

/// SIGINT or SIGTERM (the server listens for the same and stops serving).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// A graceful stop: the mailer ends (a message it was sending is sent again by whoever
/// takes it, as after a crash), the engine lets its jobs in flight finish until `deadline`,
/// and every lease the node still holds is handed back, so another node, or this one
/// restarted, continues at once.
async fn stop_engine(
    engine: &engine::runner::Engine,
    mailer: Option<tokio::task::JoinHandle<()>>,
    deadline: tokio::time::Instant,
) {
    if let Some(mailer) = mailer {
        mailer.abort();
        let _ = mailer.await;
    }
    match engine.stop(deadline).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(leases = n, "handed back leases before stopping"),
        Err(e) => {
            tracing::warn!(error = %e, "handing back leases failed; they expire on their own")
        }
    }
}
