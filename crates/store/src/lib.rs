//! Storage for lcw. One `Store` serves both backends through sqlx's `Any` driver: the SQL is
//! written once in the common subset of SQLite and PostgreSQL (TEXT/INTEGER columns, `$n`
//! placeholders, `ON CONFLICT`), and the few dialect differences are switched on
//! [`Dialect`], the one the `$filter` translation uses too. No other crate builds SQL.
//!
//! Definitions (workflows, versions, custom task extensions, settings) are small per tenant
//! and stored as JSON documents in one `resources` table. Users are stored with a column per
//! filterable property so `$filter`/`$orderby` run in SQL over large directories.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod apps;
mod auth_methods;
mod changes;
mod claims;
mod compact;
mod directory;
mod effects;
mod entitlement;
mod gauges;
mod jobs;
mod links;
mod migrate;
mod outbox;
mod prepared;
mod resources;
mod result_rows;
mod results;
mod scan;
mod tenant_clocks;
mod tenants;
mod timestamps;
mod user_writes;
mod waiting;
mod writes;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::AnyPool;

pub use odata::Dialect;

pub use apps::{AppCredentials, AppRow, CertificateRow, NewApp, SecretRow};
pub use auth_methods::TapRow;
pub use changes::ChangeRow;
pub use directory::{DirectoryPage, UserListQuery, UserRow, USER_COLUMNS};
pub use effects::DirectoryEffect;
pub use entitlement::{entitlement_kinds, AccessPackageEffect, AssignmentRow, RequestRow};
pub use gauges::{JobQueue, PoolUse};
pub use jobs::Job;
pub use outbox::{OutboxMail, OutboxQuery, OutboxRow, OutboxStatus, Requeue};
pub use resources::{kinds, Resource, Write};
pub use result_rows::{result_kinds, ResultRow};
pub use results::{ResultQuery, TaskDefinitionTally};
pub use tenants::TenantRow;
pub use waiting::{Callout, NewCallout};
pub use writes::{PreparedWrites, ResultBatch, ResultWrite};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(sqlx::Error),
    /// The database stayed locked, or no connection came free, past the waiting limit
    /// (10 s): a transient state, e.g. while SQLite's one writer creates a large run.
    #[error("the database is busy: {0}")]
    Busy(String),
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://...")]
    BadUrl(String),
    #[error("stored document is corrupt: {0}")]
    Corrupt(String),
    /// A `Write::Limit` guard failed: the tenant already holds the maximum.
    #[error("limit of {max} {kind} per tenant reached")]
    LimitReached { kind: &'static str, max: i64 },
    /// A uniqueness rule (e.g. userPrincipalName) was broken.
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    InvalidQuery(String),
    /// The database holds a schema a later release wrote: this one could misread or damage
    /// it, so it does not start.
    #[error("the database schema is at version {found}, newer than version {known}, the newest this server knows: run a release that knows version {found}")]
    SchemaTooNew { found: i64, known: i64 },
    /// The database holds no lcw schema (nothing has served or imported on it yet).
    #[error("the database holds no lcw schema: start `lcw serve` on it first")]
    NoSchema,
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if is_busy(&e) {
            StoreError::Busy(e.to_string())
        } else {
            StoreError::Db(e)
        }
    }
}

/// Whether an error means "try again later": no pooled connection came free, SQLite stayed
/// busy or locked past `busy_timeout` or found its disk full, PostgreSQL gave up on a lock
/// (serialization failure, deadlock, lock or statement timeout), or the connection to the
/// database was lost (I/O error, session terminated, server shutting down or not yet
/// accepting connections). The pool replaces lost connections, so a later try can succeed.
fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => match db.code().as_deref() {
            // SQLite reports (extended) numeric result codes; the low byte is the primary
            // code: 5 SQLITE_BUSY, 6 SQLITE_LOCKED, 10 SQLITE_IOERR (a write that found no
            // space can report it), 13 SQLITE_FULL. SQLSTATEs are five characters.
            Some(code) if code.len() < 5 => code
                .parse::<u32>()
                .is_ok_and(|c| matches!(c & 0xff, 5 | 6 | 10 | 13)),
            Some(code) => {
                matches!(
                    code,
                    "40001" | "40P01" | "55P03" | "57014" | "57P01" | "57P02" | "57P03" | "25P03"
                ) || code.starts_with("08") // connection exceptions
                    || code.starts_with("53") // insufficient resources: disk full, too many connections
            }
            None => false,
        },
        _ => false,
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The store handle; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    /// Where write transactions run. On SQLite one connection: writes serialize anyway, and
    /// a connection nobody else writes through keeps its page cache (SQLite drops a
    /// connection's cache whenever another connection has written). On PostgreSQL the pool.
    writer: AnyPool,
    dialect: Dialect,
    /// Per-tenant write counters. Only kept for SQLite, where this process is the only writer,
    /// so callers may cache read results until the counter moves.
    generations: Option<Arc<Generations>>,
    /// When this process last looked for stale planner statistics (PostgreSQL; see
    /// `refresh_stale_statistics`); held while it looks, so concurrent jobs do not all
    /// analyze the same tables.
    statistics_checked: Arc<tokio::sync::Mutex<Option<std::time::Instant>>>,
}

type Generations = Mutex<HashMap<String, Arc<AtomicU64>>>;

/// Connection settings of every SQLite connection.
/// `cache_pragma` sizes the page cache: large for the writer, which keeps its pages; small
/// for readers, whose caches SQLite drops whenever the writer commits.
fn sqlite_options(opts: AnyPoolOptions, cache_pragma: &'static str) -> AnyPoolOptions {
    opts.acquire_timeout(std::time::Duration::from_secs(10))
        // An embedded database connection does not go stale; the check would cost a round
        // trip to SQLite's worker thread on every statement.
        .test_before_acquire(false)
        // A write that failed may leave the connection inside its transaction, when SQLite
        // ended the transaction itself (as on a full disk) and the rollback sqlx queues on
        // drop then fails: every later write would fail to begin. Such a connection is
        // replaced. The ping first runs what the connection has queued (that rollback).
        .before_acquire(|conn, _| {
            Box::pin(async move {
                use sqlx::Connection;
                if !conn.is_in_transaction() {
                    return Ok(true);
                }
                conn.ping().await?;
                Ok(!conn.is_in_transaction())
            })
        })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                use sqlx::Executor;
                for pragma in [
                    // 16 KiB pages (the default is 4 KiB) for databases this creates: a run
                    // appends many rows to each of its b-trees, and larger pages split less
                    // often (batched result rows insert about a fifth faster). Set before
                    // anything is written; an existing database keeps its page size.
                    "PRAGMA page_size=16384",
                    "PRAGMA journal_mode=WAL",
                    "PRAGMA synchronous=NORMAL",
                    "PRAGMA busy_timeout=10000",
                    cache_pragma,
                    // The WAL is checkpointed in the background (`spawn_checkpointer`), off
                    // the writer's path, where a checkpoint stalled a commit for 300 ms. A
                    // writer only checkpoints itself when the WAL passes 160 MB (the limit
                    // counts pages: 10,000 of 16 KiB), and the file is cut back to 64 MB
                    // afterwards. While jobs keep reading, the WAL seldom restarts, and a
                    // larger one made every page lookup search a larger WAL index.
                    "PRAGMA wal_autocheckpoint=10000",
                    "PRAGMA journal_size_limit=67108864",
                    // Statement journals (every multi-row statement inside a transaction
                    // keeps one) stay in memory instead of spilling to a temporary file.
                    "PRAGMA temp_store=MEMORY",
                ] {
                    conn.execute(pragma).await?;
                }
                Ok(())
            })
        })
}

/// Connection settings of every PostgreSQL connection: no wait is unbounded. A write
/// blocked by another session's lock gives up after 5 s (55P03, answered 503) instead of
/// holding its request until the lock goes, and is then not applied; no statement runs past
/// 10 minutes (ANALYZE and migrations of large tables take a while); a session idle inside a
/// transaction for a minute (a stuck node) loses it, and its locks with it.
fn postgres_options(opts: AnyPoolOptions) -> AnyPoolOptions {
    // A session PostgreSQL terminated is found dead by the check and replaced, instead of
    // failing the next request that draws it.
    opts.test_before_acquire(true).after_connect(|conn, _| {
        Box::pin(async move {
            use sqlx::Executor;
            for setting in [
                "SET lock_timeout = '5s'",
                "SET statement_timeout = '10min'",
                // A node that stalls inside a transaction (paused, starved) would keep its
                // rows locked, the job it was committing among them, long after its leases
                // expire and another node should take that job over: PostgreSQL ends such a
                // session first. lcw's transactions never wait between statements.
                "SET idle_in_transaction_session_timeout = '10s'",
            ] {
                conn.execute(setting).await?;
            }
            Ok(())
        })
    })
}

/// The dialect of a database URL and the URL sqlx opens it with; SQLite files are opened
/// in `sqlite_mode` (`rwc` creates a missing file, `rw` does not).
fn connection_url(url: &str, sqlite_mode: &str) -> Result<(Dialect, String)> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        if path.is_empty() {
            return Err(StoreError::BadUrl(url.to_string()));
        }
        let sep = if path.contains('?') { '&' } else { '?' };
        let full = if path.contains("mode=") {
            format!("sqlite://{path}")
        } else {
            format!("sqlite://{path}{sep}mode={sqlite_mode}")
        };
        Ok((Dialect::Sqlite, full))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((Dialect::Postgres, url.to_string()))
    } else {
        Err(StoreError::BadUrl(url.to_string()))
    }
}

/// The signing key (`(kid, secret)`), read over one short-lived connection without
/// migrating or pooling: what `lcw token` needs, at a fraction of [`Store::connect`]'s cost
/// (which on PostgreSQL also waits for the global migration lock). `None` when no server
/// has created the key yet. A database without lcw's schema, or with a newer one than this
/// build knows, is refused.
pub async fn read_signing_key(url: &str) -> Result<Option<(String, String)>> {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let (_, url) = connection_url(url, "rw")?;
    let mut conn = sqlx::AnyConnection::connect(&url).await?;
    let version = match sqlx::query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        .fetch_all(&mut conn)
        .await
    {
        Ok(rows) => match rows.first() {
            Some(row) => row.try_get::<i64, _>(0)?,
            None => 0,
        },
        // No version table: not a database lcw made.
        Err(sqlx::Error::Database(_)) => 0,
        Err(e) => return Err(e.into()),
    };
    if version == 0 {
        return Err(StoreError::NoSchema);
    }
    let known = migrate::latest_version();
    if version > known {
        return Err(StoreError::SchemaTooNew {
            found: version,
            known,
        });
    }
    let rows = sqlx::query("SELECT kid, secret FROM signing_keys ORDER BY created_at, kid LIMIT 1")
        .fetch_all(&mut conn)
        .await?;
    let key = match rows.first() {
        Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
        None => None,
    };
    let _ = conn.close().await;
    Ok(key)
}

impl Store {
    /// Open (and create if missing) the database and bring its schema up to date.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (dialect, url) = connection_url(url, "rwc")?;
        let opts = AnyPoolOptions::new()
            .max_connections(if dialect == Dialect::Sqlite { 4 } else { 16 })
            .acquire_timeout(std::time::Duration::from_secs(10));
        let opts = if dialect == Dialect::Sqlite {
            sqlite_options(opts, "PRAGMA cache_size=-8192")
        } else {
            postgres_options(opts)
        };
        let pool = opts.connect(&url).await?;
        let writer = if dialect == Dialect::Sqlite {
            // 32 MB (the default is 2 MB): a large run's transaction would otherwise spill
            // and re-read index pages.
            sqlite_options(
                AnyPoolOptions::new().max_connections(1),
                "PRAGMA cache_size=-32768",
            )
            .connect(&url)
            .await?
        } else {
            pool.clone()
        };
        let store = Store {
            pool,
            writer,
            dialect,
            generations: (dialect == Dialect::Sqlite).then(|| Arc::new(Mutex::new(HashMap::new()))),
            statistics_checked: Arc::new(tokio::sync::Mutex::new(None)),
        };
        if dialect == Dialect::Postgres {
            // Migrating may wait for another node's migration (an advisory lock) and build
            // indexes over large tables: neither is bounded by the request-time limits of
            // `postgres_options`, so it runs over a connection of its own without them.
            let unbounded = AnyPoolOptions::new()
                .max_connections(1)
                .connect(&url)
                .await?;
            let migrating = Store {
                pool: unbounded.clone(),
                writer: unbounded.clone(),
                ..store.clone()
            };
            let migrated = migrate::run(&migrating).await;
            unbounded.close().await;
            migrated?;
        } else {
            migrate::run(&store).await?;
        }
        if dialect == Dialect::Sqlite {
            store.spawn_checkpointer();
        }
        Ok(store)
    }

    /// Copy the WAL into the database five times a second from a read connection (a passive
    /// checkpoint never blocks the writer), so commits do not pay for it. A large run
    /// appends about 60 MB a second to the WAL: checkpointing once a second left the
    /// writer's own checkpoint (at 160 MB) about a tenth of its time. Stops when the pool
    /// is closed.
    fn spawn_checkpointer(&self) {
        let pool = self.pool.clone();
        tokio::spawn(async move {
            while !pool.is_closed() {
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .fetch_optional(&pool)
                    .await
                {
                    tracing::debug!(error = %e, "background checkpoint failed");
                }
            }
        });
    }

    /// The database's SQL dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// A counter that moves on every write to the tenant, when this process sees every write
    /// (SQLite). `None` means reads must not be cached (PostgreSQL: other nodes write too).
    pub fn generation(&self, tenant: &str) -> Option<u64> {
        let gens = self.generations.as_ref()?;
        let map = gens.lock().ok()?;
        Some(
            map.get(tenant)
                .map(|g| g.load(Ordering::Acquire))
                .unwrap_or(0),
        )
    }

    fn bump(&self, tenant: &str) {
        if let Some(gens) = &self.generations {
            if let Ok(mut map) = gens.lock() {
                map.entry(tenant.to_string())
                    .or_insert_with(|| Arc::new(AtomicU64::new(0)))
                    .fetch_add(1, Ordering::AcqRel);
            }
        }
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A handle whose reads also go through the writer connection: for the engine, which
    /// reads what it is about to write, so on SQLite it works from a warm page cache. Never
    /// read through it while holding one of its transactions (there is one connection).
    pub fn writer_view(&self) -> Store {
        Store {
            pool: self.writer.clone(),
            ..self.clone()
        }
    }

    /// Begin a write transaction (see [`Dialect::begin_write`]).
    pub(crate) async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(self.writer.begin_with(self.dialect.begin_write()).await?)
    }

    /// The schema version the database holds (see migrate.rs).
    pub async fn schema_version(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            .fetch_one(&self.pool)
            .await?;
        Ok(sqlx::Row::try_get::<i64, _>(&row, 0)?)
    }

    /// The newest schema version this build knows.
    pub fn known_schema_version() -> i64 {
        migrate::latest_version()
    }

    /// Every schema version this build applies, in order.
    pub fn known_schema_versions() -> Vec<i64> {
        migrate::versions()
    }

    // ---- signing keys (shared by every node on one database) ----

    /// The oldest stored signing key, creating it with `make` when there is none. Concurrent
    /// first starts on one database agree on one key.
    pub async fn signing_key(
        &self,
        make: impl FnOnce() -> (String, String),
    ) -> Result<(String, String)> {
        if let Some(k) = self.first_signing_key().await? {
            return Ok(k);
        }
        let (kid, secret) = make();
        sqlx::query("INSERT INTO signing_keys (kid, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT (kid) DO NOTHING")
            .bind(&kid)
            .bind(&secret)
            .bind(chrono::Utc::now().to_rfc3339())
            .execute(&self.pool)
            .await?;
        self.first_signing_key()
            .await?
            .ok_or_else(|| StoreError::Corrupt("signing key vanished after insert".into()))
    }

    async fn first_signing_key(&self) -> Result<Option<(String, String)>> {
        use sqlx::Row;
        let row: Option<AnyRow> =
            sqlx::query("SELECT kid, secret FROM signing_keys ORDER BY created_at, kid LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        Ok(match row {
            Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
            None => None,
        })
    }
}

pub use timestamps::fixed_ts;

/// Order, count and slice an in-memory result set (small collections, and queries SQL cannot
/// express).
pub fn page_in_memory(
    mut all: Vec<serde_json::Value>,
    orderby: &[odata::OrderBy],
    top: usize,
    skip: usize,
    count: bool,
) -> DirectoryPage {
    if !orderby.is_empty() {
        all.sort_by(|a, b| {
            for o in orderby {
                let pick = |v: &serde_json::Value| {
                    o.path
                        .iter()
                        .try_fold(v, |cur, seg| cur.get(seg))
                        .cloned()
                        .unwrap_or(serde_json::Value::Null)
                };
                let ord = odata::compare_json(&pick(a), &pick(b));
                let ord = if o.descending { ord.reverse() } else { ord };
                if ord != std::cmp::Ordering::Equal {
                    return ord;
                }
            }
            std::cmp::Ordering::Equal
        });
    }
    let total = count.then_some(all.len() as i64);
    let more = all.len() > skip.saturating_add(top);
    let items = all.into_iter().skip(skip).take(top).collect();
    DirectoryPage { items, total, more }
}

/// Bind a `$filter` parameter. Booleans are stored as 0/1 on both databases.
pub(crate) fn bind_param<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    p: odata::SqlParam,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    match p {
        odata::SqlParam::Null => q.bind(Option::<String>::None),
        odata::SqlParam::Bool(b) => q.bind(i64::from(b)),
        odata::SqlParam::Int(i) => q.bind(i),
        odata::SqlParam::Float(f) => q.bind(f),
        odata::SqlParam::Text(s) => q.bind(s),
    }
}

/// Run each of `statements`, bound to `$1` tenant and `$2` id, in order.
pub(crate) async fn execute_each(
    conn: &mut sqlx::AnyConnection,
    statements: &[&str],
    tenant: &str,
    id: &str,
) -> Result<()> {
    for sql in statements {
        sqlx::query(sql)
            .bind(tenant)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The dialect of the database this connection talks to.
pub(crate) fn dialect_of(conn: &sqlx::AnyConnection) -> Dialect {
    if conn.backend_name() == <sqlx::Sqlite as sqlx::Database>::NAME {
        Dialect::Sqlite
    } else {
        Dialect::Postgres
    }
}

/// Keys per statement of [`Store::fetch_for_keys`], within both databases' parameter limits.
pub(crate) const KEYS_PER_STATEMENT: usize = 500;

impl Store {
    /// The rows `select` returns for `keys`, a statement per few hundred keys. `select` ends
    /// in `WHERE tenant_id = {tenant} AND <column> IN`: the tenant's placeholder replaces
    /// `{tenant}`, the key list follows.
    pub(crate) async fn fetch_for_keys<K: AsRef<str>>(
        &self,
        select: &str,
        tenant: &str,
        keys: &[K],
    ) -> Result<Vec<sqlx::any::AnyRow>> {
        let dialect = self.dialect;
        let mut rows = Vec::new();
        for chunk in keys.chunks(KEYS_PER_STATEMENT) {
            let sql = format!(
                "{} {}",
                select.replacen("{tenant}", &dialect.placeholder(1), 1),
                dialect.values_list(2, 1, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(tenant);
            for key in chunk {
                q = q.bind(key.as_ref());
            }
            rows.extend(q.fetch_all(self.pool()).await?);
        }
        Ok(rows)
    }
}
