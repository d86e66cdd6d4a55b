//! `lcw`: serve the Graph Lifecycle Workflows API, mint dev tokens, import a directory.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod admin;
mod import;
mod serve;
mod tls;

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};

use admin::{app_command, tenant_command, AppArgs, TenantArgs};
use serve::ServeArgs;

#[derive(Parser)]
#[command(
    name = "lcw",
    version,
    about = "A self-hostable Microsoft Graph Lifecycle Workflows service"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DatabaseArg {
    /// The database: `sqlite://PATH` (a file, created if missing) or
    /// `postgres://USER[:PASSWORD]@HOST:PORT/DB` (several nodes may share one).
    #[arg(long, env = "LCW_DATABASE_URL", default_value = "sqlite://lcw.db")]
    database: String,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server.
    Serve(Box<ServeArgs>),
    /// Print a signed access token that `lcw serve` on the same database accepts.
    Token(TokenArgs),
    /// Bulk-load users and groups (JSON or CSV) into a tenant.
    Import(ImportArgs),
    /// Manage tenants: add, list, remove.
    Tenant(TenantArgs),
    /// Manage app registrations: add, list, remove, add-secret, add-cert.
    App(AppArgs),
    /// Print the endpoint coverage ledger (Markdown).
    Ledger,
}

#[derive(Args)]
struct TokenArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// Tenant id (tid, a GUID) the token is for.
    #[arg(long, default_value = api::auth::DEFAULT_TENANT)]
    tenant: String,
    /// Application token: permissions go in `roles` (the default).
    #[arg(long, conflicts_with = "user")]
    app: bool,
    /// Delegated (user) token: permissions go in `scp`, directory roles in `wids`.
    #[arg(long)]
    user: bool,
    /// Delegated permissions, space- or comma-separated (with --user) [default: as for
    /// --roles].
    #[arg(long)]
    scopes: Option<String>,
    /// Application permissions, space- or comma-separated [default:
    /// LifecycleWorkflows.ReadWrite.All User.ReadWrite.All Group.ReadWrite.All
    /// UserAuthenticationMethod.ReadWrite.All EntitlementManagement.ReadWrite.All].
    #[arg(long)]
    roles: Option<String>,
    /// Directory roles for --user, by name or template id, comma- or space-separated
    /// (default: Lifecycle Workflows Administrator).
    #[arg(long)]
    directory_roles: Option<String>,
    /// Object id of the caller (oid); recorded as createdBy/lastModifiedBy [default: a fixed
    /// id lcw uses for its dev tokens].
    #[arg(long)]
    object_id: Option<String>,
    /// Application id of the caller (appid), e.g. an app listed in a custom task
    /// extension's callbackConfiguration.authorizedApps [default: lcw's dev app id].
    #[arg(long)]
    app_id: Option<String>,
    /// Lifetime of the token in seconds.
    #[arg(long, default_value_t = 86_400)]
    expires_in: i64,
    /// Print this many tokens, one a line.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    count: u32,
}

#[derive(Args)]
struct ImportArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// Tenant id (a GUID) to load into.
    #[arg(long, default_value = api::auth::DEFAULT_TENANT)]
    tenant: String,
    /// A .json file (array of users, or {"users": [...], "groups": [...]}) or a .csv file of users.
    file: std::path::PathBuf,
    /// Also set what lifecycle tasks manage on existing users and groups (`accountEnabled`,
    /// `signInSessionsValidFromDateTime`, `assignedLicenses`, group members), which an
    /// import otherwise leaves alone so that it never undoes a workflow's effect.
    #[arg(long)]
    overwrite_managed: bool,
    /// No progress bar and no summary line, for scripts (rejected rows are still named on
    /// stderr, and the exit status says whether any were).
    #[arg(long, short)]
    quiet: bool,
}

/// A failure that ends the process with one line on stderr.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("cannot open database '{url}': {source}")]
    Database {
        url: String,
        source: store::StoreError,
    },
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Api(#[from] api::ApiError),
    #[error("server stopped: {0}")]
    Serve(std::io::Error),
    #[error("{0}")]
    Import(String),
    #[error("{0}")]
    Domain(String),
    #[error("TLS: {0}")]
    Tls(#[from] tls::TlsError),
}

impl From<lifecycle::Error> for CliError {
    fn from(e: lifecycle::Error) -> Self {
        CliError::Domain(e.to_string())
    }
}

/// The engine allocates many small JSON values and rows on two threads (the runtime and
/// SQLite's worker); glibc's allocator spent a fifth of a run's CPU time on them. The
/// `override` feature makes mimalloc the C `malloc` too, so the bundled SQLite's own
/// allocations (bound values, copied row values) leave glibc as well: 5% fewer
/// instructions for a scheduled pass.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(run(cli));
    // Background loops (scheduler, purge) are cut short: whatever they were writing rolls
    // back, and a job still running past the stop deadline was handed back already.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn open_store(url: &str) -> Result<store::Store, CliError> {
    let store = store::Store::connect(url)
        .await
        .map_err(|source| CliError::Database {
            url: without_password(url),
            source,
        })?;
    if let Some(path) = sqlite_path(url) {
        make_private(path)?;
    }
    Ok(store)
}

/// A database URL as the console may show it: a password replaced by `***`.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{scheme}://{user}:***@{host}/{path}")
        }
        _ => url.to_string(),
    }
}

/// The file of a `sqlite:` database URL.
fn sqlite_path(url: &str) -> Option<&std::path::Path> {
    let rest = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty()).then(|| std::path::Path::new(path))
}

/// `token` only reads a database: on a path that holds none it would create one, with a
/// signing key no running server knows, and print a token every server rejects.
fn require_existing_database(url: &str) -> Result<(), CliError> {
    match sqlite_path(url) {
        Some(path) if !path.exists() => Err(CliError::Config(format!(
            "there is no database at '{}': `lcw serve` or `lcw import` with --database {url} creates it",
            path.display()
        ))),
        _ => Ok(()),
    }
}

/// The database holds the signing key and the directory: its files (and SQLite's `-wal` and
/// `-shm` beside it) are readable by their owner only, whatever the umask said when they
/// were created, and on databases created by older releases too.
fn make_private(db: &std::path::Path) -> Result<(), CliError> {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let path = std::path::PathBuf::from(name);
        if path.exists() {
            restrict_to_owner(&path, 0o600).map_err(|e| {
                CliError::Config(format!("cannot make '{}' private: {e}", path.display()))
            })?;
        }
    }
    Ok(())
}

/// Set `path`'s permission bits to `mode` (0o600, 0o700: its owner's only); a no-op where
/// there are no Unix permissions.
fn restrict_to_owner(path: &std::path::Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Serve(args) => serve::serve(*args).await,
        Command::Token(args) => {
            require_existing_database(&args.db.database)?;
            let req = token_request(&args)?;
            let key = token_signing_key(&args.db.database).await?;
            let mut out = String::new();
            for _ in 0..args.count {
                out.push_str(&api::auth::issue_token(&key, &req)?);
                out.push('\n');
            }
            use std::io::Write;
            std::io::stdout()
                .write_all(out.as_bytes())
                .map_err(|e| CliError::Config(format!("cannot write the tokens: {e}")))?;
            Ok(())
        }
        Command::Tenant(args) => tenant_command(args.command).await,
        Command::App(args) => app_command(args.command).await,
        Command::Import(args) => {
            let store = open_store(&args.db.database).await?;
            let tenant = args.tenant.to_ascii_lowercase();
            if !model::is_guid(&tenant) {
                return Err(CliError::Config(format!(
                    "--tenant '{}' is not a GUID",
                    args.tenant
                )));
            }
            let options = import::ImportOptions {
                overwrite_managed: args.overwrite_managed,
                quiet: args.quiet,
            };
            let report = import::run(&store, &tenant, &args.file, options)
                .await
                .map_err(CliError::Import)?;
            if !args.quiet {
                println!("{report}");
            }
            if report.failed > 0 {
                return Err(CliError::Import(format!(
                    "{} row(s) failed; see the messages above",
                    report.failed
                )));
            }
            Ok(())
        }
        Command::Ledger => {
            print!("{}", api::ledger::render());
            Ok(())
        }
    }
}

/// The signing key for `lcw token`, read without migrating (a server keeps the schema up
/// to date); only a database no server has started on yet is opened in full, to create it.
async fn token_signing_key(url: &str) -> Result<api::auth::SigningKey, CliError> {
    let database = |source| CliError::Database {
        url: url.to_string(),
        source,
    };
    match store::read_signing_key(url).await.map_err(database)? {
        Some((kid, secret)) => Ok(api::auth::SigningKey::from_stored(&kid, &secret)?),
        None => {
            let store = open_store(url).await?;
            Ok(api::load_signing_key(&store).await?)
        }
    }
}

/// The domain over an existing database, for the tenant and app commands (which work
/// while a server runs on it).
async fn open_domain(url: &str) -> Result<lifecycle::Service, CliError> {
    require_existing_database(url)?;
    let store = open_store(url).await?;
    let clock: Arc<dyn engine::Clock> = Arc::new(engine::SystemClock);
    let engine = engine::runner::Engine::new(store.clone(), clock.clone());
    Ok(lifecycle::Service::new(store, engine, clock))
}

fn print_json(value: &serde_json::Value) {
    println!("{value}");
}

fn split_list(s: &str) -> Vec<String> {
    s.split([' ', ','])
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn token_request(args: &TokenArgs) -> Result<api::auth::TokenRequest, CliError> {
    let mut req = api::auth::TokenRequest::default_app();
    if !model::is_guid(&args.tenant) {
        return Err(CliError::Config(format!(
            "--tenant '{}' is not a GUID",
            args.tenant
        )));
    }
    req.tenant = args.tenant.to_ascii_lowercase();
    req.expires_in = args.expires_in;
    req.delegated = args.user;
    if args.user {
        req.object_id = api::auth::DEFAULT_USER_OBJECT_ID.into();
        req.directory_roles = vec![api::auth::roles::LIFECYCLE_WORKFLOWS_ADMINISTRATOR.into()];
    }
    let perms = if args.user {
        args.scopes.as_ref().or(args.roles.as_ref())
    } else {
        args.roles.as_ref().or(args.scopes.as_ref())
    };
    if let Some(p) = perms {
        req.permissions = split_list(p);
    }
    if let Some(r) = &args.directory_roles {
        let mut ids = Vec::new();
        for name in r.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match api::auth::roles::resolve(name) {
                Some(id) => ids.push(id.to_string()),
                None if model::is_guid(name) => ids.push(name.to_ascii_lowercase()),
                None => return Err(CliError::Config(format!("unknown directory role '{name}'"))),
            }
        }
        req.directory_roles = ids;
    }
    if let Some(oid) = &args.object_id {
        req.object_id = oid.clone();
    }
    if let Some(app) = &args.app_id {
        req.app_id = app.clone();
    }
    Ok(req)
}
