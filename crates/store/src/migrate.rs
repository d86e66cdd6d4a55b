//! Schema versions. Migrations are numbered; each is applied once, in a transaction that
//! also records it in `schema_migrations`, so a database says which schema it holds: a
//! half-applied upgrade rolls back, and a server refuses a database a later release has
//! upgraded instead of misreading it. On PostgreSQL migrating is serialised with an
//! advisory lock so several nodes can start at once on one database; on SQLite the write
//! lock (`BEGIN IMMEDIATE`) serialises it.
//!
//! Migration 1 is the schema as it stood before versions were recorded, written to be
//! idempotent over every database earlier releases created (they have no version table):
//! such a database is brought to it and recorded at version 1 without losing a row.

use std::future::Future;
use std::pin::Pin;

use sqlx::AnyConnection;

use crate::{Dialect, Result, Store, StoreError};

/// The tables and indexes of migration 1, with the steps that brought databases of earlier
/// releases to them (the `DROP INDEX`es).
const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS signing_keys (kid TEXT PRIMARY KEY, secret TEXT NOT NULL, created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS resources (
        tenant_id TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
        parent_id TEXT NOT NULL DEFAULT '', deleted_at TEXT, seq BIGINT NOT NULL DEFAULT 0,
        doc TEXT NOT NULL, PRIMARY KEY (tenant_id, kind, id))",
    "CREATE INDEX IF NOT EXISTS resources_parent ON resources (tenant_id, kind, parent_id)",
    "CREATE INDEX IF NOT EXISTS resources_deleted ON resources (kind, deleted_at)",
    "CREATE TABLE IF NOT EXISTS users (
        tenant_id TEXT NOT NULL, id TEXT NOT NULL, upn_lower TEXT NOT NULL,
        user_principal_name TEXT, display_name TEXT, mail TEXT, given_name TEXT, surname TEXT,
        department TEXT, job_title TEXT, company_name TEXT, office_location TEXT, country TEXT,
        city TEXT, employee_id TEXT, employee_type TEXT, employee_hire_date TEXT,
        employee_leave_date_time TEXT, created_date_time TEXT, account_enabled INTEGER,
        usage_location TEXT, user_type TEXT, manager_id TEXT, doc TEXT NOT NULL,
        PRIMARY KEY (tenant_id, id))",
    "CREATE UNIQUE INDEX IF NOT EXISTS users_upn ON users (tenant_id, upn_lower)",
    "CREATE INDEX IF NOT EXISTS users_display_name ON users (tenant_id, display_name)",
    "CREATE INDEX IF NOT EXISTS users_department ON users (tenant_id, department)",
    // $filter compares text case-insensitively (LOWER(col) = $n); these serve those queries.
    "CREATE INDEX IF NOT EXISTS users_display_name_lower ON users (tenant_id, LOWER(display_name))",
    "CREATE INDEX IF NOT EXISTS users_department_lower ON users (tenant_id, LOWER(department))",
    "CREATE INDEX IF NOT EXISTS users_mail_lower ON users (tenant_id, LOWER(mail))",
    "CREATE INDEX IF NOT EXISTS users_hire ON users (tenant_id, employee_hire_date)",
    "CREATE INDEX IF NOT EXISTS users_leave ON users (tenant_id, employee_leave_date_time)",
    "CREATE INDEX IF NOT EXISTS users_manager ON users (tenant_id, manager_id)",
    "CREATE TABLE IF NOT EXISTS groups (
        tenant_id TEXT NOT NULL, id TEXT NOT NULL, display_name TEXT, doc TEXT NOT NULL,
        PRIMARY KEY (tenant_id, id))",
    "CREATE TABLE IF NOT EXISTS group_members (
        tenant_id TEXT NOT NULL, group_id TEXT NOT NULL, member_id TEXT NOT NULL,
        PRIMARY KEY (tenant_id, group_id, member_id))",
    // By member, covering: without it the planner read a tenant's whole membership list
    // through the primary key to find a few users' groups.
    "DROP INDEX IF EXISTS group_members_member",
    "CREATE INDEX IF NOT EXISTS group_members_by_member ON group_members (tenant_id, member_id, group_id)",
    "CREATE TABLE IF NOT EXISTS results (
        tenant_id TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, workflow_id TEXT NOT NULL,
        run_id TEXT NOT NULL DEFAULT '', user_result_id TEXT NOT NULL DEFAULT '', subject_id TEXT NOT NULL DEFAULT '',
        task_id TEXT NOT NULL DEFAULT '', task_definition_id TEXT NOT NULL DEFAULT '', status TEXT NOT NULL,
        execution_type TEXT NOT NULL DEFAULT '', workflow_version BIGINT NOT NULL DEFAULT 0,
        scheduled_at TEXT, started_at TEXT, completed_at TEXT, created_at TEXT,
        total_tasks BIGINT NOT NULL DEFAULT 0, failed_tasks BIGINT NOT NULL DEFAULT 0, seq BIGINT NOT NULL,
        doc TEXT NOT NULL, PRIMARY KEY (tenant_id, kind, id))",
    // Every row written touches each index that covers it, and a run writes several rows per
    // user: indexes that serve one kind of row are partial (queries name the kind as a
    // literal so both databases can use them). The kind stays an indexed column so the
    // planner counts its equality when it compares indexes.
    "DROP INDEX IF EXISTS results_user_result",
    "DROP INDEX IF EXISTS results_task",
    "DROP INDEX IF EXISTS results_subject",
    "DROP INDEX IF EXISTS results_run_status",
    "DROP INDEX IF EXISTS results_open",
    // Runs, user results and task reports by workflow and by run. Task results, three or
    // more rows per user, stay out of both: they are reached through their user result
    // (`results_task_user_result`), which each run writes once per user anyway, and two
    // index insertions fewer per task row make a run's writes about a quarter cheaper.
    "DROP INDEX IF EXISTS results_workflow",
    "DROP INDEX IF EXISTS results_run",
    "CREATE INDEX IF NOT EXISTS results_workflow_history ON results (tenant_id, kind, workflow_id, seq) WHERE kind = 'run' OR kind = 'user' OR kind = 'report'",
    "CREATE INDEX IF NOT EXISTS results_run_history ON results (tenant_id, kind, run_id, seq) WHERE kind = 'run' OR kind = 'user' OR kind = 'report'",
    // Runs and user results by time (summaries and insights); task results are counted
    // through their user results, so the three rows a user's tasks add skip this index.
    "DROP INDEX IF EXISTS results_scheduled",
    "CREATE INDEX IF NOT EXISTS results_scheduled_runs_users ON results (tenant_id, kind, scheduled_at) WHERE kind = 'run' OR kind = 'user'",
    "CREATE INDEX IF NOT EXISTS results_task_user_result ON results (tenant_id, kind, user_result_id, seq) WHERE kind = 'task'",
    // Task results of one workflow task are listed through results_workflow or results_run
    // (the request always names the workflow): an index of their own cost every task row
    // a run writes one more insertion.
    "DROP INDEX IF EXISTS results_task_task",
    "CREATE INDEX IF NOT EXISTS results_user_subject ON results (tenant_id, kind, workflow_id, subject_id, seq) WHERE kind = 'user'",
    "CREATE INDEX IF NOT EXISTS results_user_run_status ON results (tenant_id, kind, run_id, status) WHERE kind = 'user'",
    "CREATE INDEX IF NOT EXISTS results_run_open ON results (kind, completed_at) WHERE kind = 'run'",
    "CREATE TABLE IF NOT EXISTS result_links (
        tenant_id TEXT NOT NULL, source_id TEXT NOT NULL, run_id TEXT NOT NULL,
        PRIMARY KEY (tenant_id, source_id, run_id))",
    "CREATE TABLE IF NOT EXISTS occurrences (
        tenant_id TEXT NOT NULL, workflow_id TEXT NOT NULL, workflow_version BIGINT NOT NULL,
        user_id TEXT NOT NULL, occurrence TEXT NOT NULL,
        PRIMARY KEY (tenant_id, workflow_id, workflow_version, user_id, occurrence))",
    "CREATE TABLE IF NOT EXISTS jobs (
        id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,
        available_at TEXT NOT NULL, lease_owner TEXT, lease_until TEXT,
        attempts BIGINT NOT NULL DEFAULT 0, done INTEGER NOT NULL DEFAULT 0)",
    "CREATE INDEX IF NOT EXISTS jobs_due ON jobs (done, available_at)",
    "CREATE TABLE IF NOT EXISTS directory_changes (
        tenant_id TEXT NOT NULL, seq BIGINT NOT NULL, user_id TEXT NOT NULL, kind TEXT NOT NULL,
        name TEXT NOT NULL, old_value TEXT, new_value TEXT,
        PRIMARY KEY (tenant_id, seq, user_id, name))",
    "CREATE TABLE IF NOT EXISTS outbox (
        tenant_id TEXT NOT NULL, id TEXT NOT NULL, created_at TEXT NOT NULL,
        mail_from TEXT NOT NULL, mail_to TEXT NOT NULL, mail_cc TEXT NOT NULL,
        subject TEXT NOT NULL, body TEXT NOT NULL, sent_at TEXT,
        attempts BIGINT NOT NULL DEFAULT 0, last_error TEXT, lease_owner TEXT, lease_until TEXT,
        PRIMARY KEY (tenant_id, id))",
    "CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (sent_at, created_at)",
    // Temporary Access Passes (auth_methods.rs): metadata only, never the pass.
    "CREATE TABLE IF NOT EXISTS tap_methods (
        tenant_id TEXT NOT NULL, id TEXT NOT NULL, user_id TEXT NOT NULL, created_at TEXT NOT NULL,
        start_at TEXT NOT NULL, lifetime_minutes BIGINT NOT NULL, usable_once INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, id))",
    "CREATE INDEX IF NOT EXISTS tap_methods_user ON tap_methods (tenant_id, user_id)",
    // Access package assignments and requests (entitlement.rs).
    "CREATE TABLE IF NOT EXISTS ap_assignments (
        tenant_id TEXT NOT NULL, id TEXT NOT NULL, target_id TEXT NOT NULL,
        access_package_id TEXT NOT NULL, policy_id TEXT NOT NULL, state TEXT NOT NULL,
        status TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (tenant_id, id))",
    "CREATE INDEX IF NOT EXISTS ap_assignments_target ON ap_assignments (tenant_id, target_id)",
    "CREATE TABLE IF NOT EXISTS ap_requests (
        tenant_id TEXT NOT NULL, id TEXT NOT NULL, request_type TEXT NOT NULL, state TEXT NOT NULL,
        status TEXT NOT NULL, target_id TEXT NOT NULL, access_package_id TEXT NOT NULL,
        policy_id TEXT NOT NULL, assignment_id TEXT NOT NULL, justification TEXT,
        created_at TEXT NOT NULL, completed_at TEXT, PRIMARY KEY (tenant_id, id))",
    "CREATE INDEX IF NOT EXISTS ap_requests_target ON ap_requests (tenant_id, target_id)",
    // Custom task extension callouts: queued with the task result, made outside any
    // transaction, then waiting for `resume` until `deadline` (see waiting.rs).
    "CREATE TABLE IF NOT EXISTS callouts (
        tenant_id TEXT NOT NULL, id TEXT NOT NULL, workflow_id TEXT NOT NULL, run_id TEXT NOT NULL,
        user_result_id TEXT NOT NULL, subject_id TEXT NOT NULL, extension_id TEXT NOT NULL,
        state TEXT NOT NULL, created_at TEXT NOT NULL, lease_owner TEXT, lease_until TEXT,
        attempts BIGINT NOT NULL DEFAULT 0, deadline TEXT, last_error TEXT,
        PRIMARY KEY (tenant_id, id))",
    "CREATE INDEX IF NOT EXISTS callouts_state ON callouts (state, deadline)",
];

/// What a migration does, inside the transaction that records it.
type Apply = for<'c> fn(
    &'c mut AnyConnection,
    Dialect,
) -> Pin<Box<dyn Future<Output = Result<()>> + Send + 'c>>;

/// One numbered schema change.
struct Migration {
    version: i64,
    description: &'static str,
    apply: Apply,
}

/// Every migration, in order. A change to the schema is a new entry here, never an edit of
/// one a release has shipped.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "schema of the releases before versioned migrations",
        apply: |conn, dialect| Box::pin(initial_schema(conn, dialect)),
    },
    Migration {
        version: 2,
        description: "outbox delivery status and retry backoff",
        apply: |conn, dialect| Box::pin(outbox_status(conn, dialect)),
    },
    Migration {
        version: 3,
        description: "a manual clock per tenant",
        apply: |conn, _| Box::pin(tenant_clocks(conn)),
    },
    Migration {
        version: 4,
        description: "tenants, app registrations, their secrets and certificates",
        apply: |conn, _| Box::pin(identity_tables(conn)),
    },
];

/// Every version this build applies, in order.
pub(crate) fn versions() -> Vec<i64> {
    MIGRATIONS.iter().map(|m| m.version).collect()
}

/// The newest schema version this build knows.
pub(crate) fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// PostgreSQL advisory lock key held while migrating.
const MIGRATION_LOCK: i64 = 7031;

pub(crate) async fn run(store: &Store) -> Result<()> {
    let dialect = store.dialect();
    let mut conn = store.pool().acquire().await?;
    if dialect == Dialect::Postgres {
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *conn)
            .await?;
    }
    let outcome = migrate(&mut conn, dialect).await;
    if dialect == Dialect::Postgres {
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *conn)
            .await?;
    }
    outcome
}

async fn migrate(conn: &mut AnyConnection, dialect: Dialect) -> Result<()> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    let known = latest_version();
    let found = recorded_version(conn).await?;
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    if found == 0 && holds_tables(conn, dialect).await? {
        tracing::info!(
            "the database predates schema versions: bringing it to version {known} and recording it"
        );
    }
    for migration in MIGRATIONS.iter().filter(|m| m.version > found) {
        apply(conn, dialect, migration).await?;
    }
    Ok(())
}

/// Apply one migration and record it, in one transaction. Skipped when another process
/// applied it since this one looked.
async fn apply(conn: &mut AnyConnection, dialect: Dialect, migration: &Migration) -> Result<()> {
    use sqlx::Connection;
    let mut tx = conn.begin_with(dialect.begin_write()).await?;
    if recorded_version(&mut tx).await? >= migration.version {
        return Ok(());
    }
    (migration.apply)(&mut tx, dialect).await?;
    sqlx::query(
        "INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)",
    )
    .bind(migration.version)
    .bind(migration.description)
    .bind(chrono::Utc::now().to_rfc3339())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(
        version = migration.version,
        description = migration.description,
        "schema migration applied"
    );
    Ok(())
}

/// The newest version recorded, 0 when none is.
async fn recorded_version(conn: &mut AnyConnection) -> Result<i64> {
    count(
        conn,
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
    )
    .await
}

/// The number a one-row, one-column query gives. Read to the end: on SQLite a statement
/// left after its first row keeps its read snapshot open, and the connection would go
/// back to the pool seeing the schema as it was.
async fn count(conn: &mut AnyConnection, sql: &str) -> Result<i64> {
    let rows = sqlx::query(sql).fetch_all(&mut *conn).await?;
    match rows.first() {
        Some(row) => Ok(sqlx::Row::try_get::<i64, _>(row, 0)?),
        None => Err(StoreError::Corrupt(format!("no row from: {sql}"))),
    }
}

/// Whether the database already holds lcw's tables (an earlier release created it).
async fn holds_tables(conn: &mut AnyConnection, dialect: Dialect) -> Result<bool> {
    let sql = match dialect {
        Dialect::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'resources'"
        }
        Dialect::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_name = 'resources'"
        }
    };
    Ok(count(conn, sql).await? > 0)
}

/// Migration 1: create what is missing of [`SCHEMA`] and bring tables of earlier releases
/// to it (clustered tables, added columns, widened `seq`).
async fn initial_schema(conn: &mut AnyConnection, dialect: Dialect) -> Result<()> {
    if dialect == Dialect::Sqlite {
        cluster_tables(conn).await?;
    }
    for stmt in SCHEMA {
        let stmt = match dialect {
            Dialect::Sqlite if clustered_table(stmt).is_some() => format!("{stmt} WITHOUT ROWID"),
            _ => stmt.to_string(),
        };
        sqlx::query(&stmt).execute(&mut *conn).await?;
    }
    add_missing_columns(conn, dialect).await?;
    if dialect == Dialect::Postgres {
        // `seq` holds microsecond timestamps (`Store::next_seq`), beyond PostgreSQL's 32-bit
        // INTEGER; databases created before this was BIGINT are widened (only then: ALTER
        // TABLE locks the table even when it changes nothing).
        sqlx::query(
            "DO $$ BEGIN
               IF (SELECT data_type FROM information_schema.columns
                   WHERE table_schema = current_schema() AND table_name = 'resources'
                     AND column_name = 'seq') = 'integer' THEN
                 ALTER TABLE resources ALTER COLUMN seq TYPE BIGINT;
               END IF;
             END $$",
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Migration 4: tenants (an id and a unique domain name), the app registrations of each
/// (client id unique across tenants, as Entra's appId is), their client secrets (SHA-256
/// hashes only, see apps.rs) and certificates (thumbprints and public key), and `lcw_meta`,
/// which records one-time steps such as creating the default app.
async fn identity_tables(conn: &mut AnyConnection) -> Result<()> {
    for stmt in [
        "CREATE TABLE IF NOT EXISTS tenants (
            id TEXT PRIMARY KEY, domain TEXT NOT NULL, domain_lower TEXT NOT NULL,
            created_at TEXT NOT NULL)",
        "CREATE UNIQUE INDEX IF NOT EXISTS tenants_domain ON tenants (domain_lower)",
        "CREATE TABLE IF NOT EXISTS apps (
            tenant_id TEXT NOT NULL, client_id TEXT NOT NULL, object_id TEXT NOT NULL,
            display_name TEXT NOT NULL, permissions TEXT NOT NULL, created_at TEXT NOT NULL,
            PRIMARY KEY (tenant_id, client_id))",
        "CREATE UNIQUE INDEX IF NOT EXISTS apps_client ON apps (client_id)",
        "CREATE TABLE IF NOT EXISTS app_secrets (
            tenant_id TEXT NOT NULL, client_id TEXT NOT NULL, key_id TEXT NOT NULL,
            display_name TEXT NOT NULL, hint TEXT NOT NULL, secret_hash TEXT NOT NULL,
            created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
            PRIMARY KEY (tenant_id, client_id, key_id))",
        "CREATE TABLE IF NOT EXISTS app_certificates (
            tenant_id TEXT NOT NULL, client_id TEXT NOT NULL, key_id TEXT NOT NULL,
            thumbprint_sha1 TEXT NOT NULL, thumbprint_sha256 TEXT NOT NULL,
            key_type TEXT NOT NULL, public_key TEXT NOT NULL, created_at TEXT NOT NULL,
            expires_at TEXT, PRIMARY KEY (tenant_id, client_id, key_id))",
        "CREATE TABLE IF NOT EXISTS lcw_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ] {
        sqlx::query(stmt).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Migration 2: each message says whether it is `pending`, `sent` or `failed` (refused for
/// good by the SMTP server), and when a pending one is next tried (`next_attempt_at`, NULL =
/// now). Messages earlier releases gave up on after five attempts become pending again:
/// delivery no longer stops at a number of attempts. Columns are added only when missing,
/// as migration 1 may have run again over a database that lost its version table.
async fn outbox_status(conn: &mut AnyConnection, dialect: Dialect) -> Result<()> {
    for (column, ty) in [
        ("status", "TEXT NOT NULL DEFAULT 'pending'"),
        ("next_attempt_at", "TEXT"),
    ] {
        if !has_column(conn, dialect, "outbox", column).await? {
            sqlx::query(&format!("ALTER TABLE outbox ADD COLUMN {column} {ty}"))
                .execute(&mut *conn)
                .await?;
        }
    }
    for stmt in [
        "UPDATE outbox SET status = 'sent' WHERE sent_at IS NOT NULL",
        "DROP INDEX IF EXISTS outbox_unsent",
        "CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at)",
        "CREATE INDEX IF NOT EXISTS outbox_listed ON outbox (tenant_id, created_at, id)",
    ] {
        sqlx::query(stmt).execute(&mut *conn).await?;
    }
    Ok(())
}

async fn tenant_clocks(conn: &mut AnyConnection) -> Result<()> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS tenant_clocks (tenant_id TEXT PRIMARY KEY, now TEXT NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn has_column(
    conn: &mut AnyConnection,
    dialect: Dialect,
    table: &str,
    column: &str,
) -> Result<bool> {
    let sql = match dialect {
        Dialect::Sqlite => {
            format!("SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = '{column}'")
        }
        Dialect::Postgres => format!(
            "SELECT COUNT(*) FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = '{table}' AND column_name = '{column}'"
        ),
    };
    Ok(count(conn, &sql).await? > 0)
}

/// Tables SQLite keeps `WITHOUT ROWID`: their primary key is most of the row, so the table
/// is one b-tree instead of a table and a key index, and each insert (a run adds a
/// membership, a change and an occurrence claim per user) updates one b-tree fewer.
const CLUSTERED: &[&str] = &["group_members", "occurrences", "directory_changes", "users"];

/// The clustered table a `SCHEMA` statement creates, if it creates one.
fn clustered_table(stmt: &str) -> Option<&'static str> {
    CLUSTERED
        .iter()
        .find(|t| stmt.starts_with(&format!("CREATE TABLE IF NOT EXISTS {t} (")))
        .copied()
}

/// Rebuild [`CLUSTERED`] tables that a database created before them holds with a rowid: a
/// copy is created `WITHOUT ROWID` from the same `SCHEMA` text, filled, and put in place
/// (inside the migration's transaction). Their indexes go with the old table; `SCHEMA`
/// creates them again.
async fn cluster_tables(conn: &mut AnyConnection) -> Result<()> {
    for stmt in SCHEMA {
        let Some(table) = clustered_table(stmt) else {
            continue;
        };
        let existing: Option<String> =
            sqlx::query("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
                .bind(table)
                // Read to the end (see `count`).
                .fetch_all(&mut *conn)
                .await?
                .first()
                .map(|r| sqlx::Row::try_get(r, 0))
                .transpose()?;
        if existing.is_none_or(|sql| sql.contains("WITHOUT ROWID")) {
            continue;
        }
        let copy = format!("{table}_clustered");
        let create = stmt.replacen(
            &format!("CREATE TABLE IF NOT EXISTS {table} ("),
            &format!("CREATE TABLE {copy} ("),
            1,
        );
        for step in [
            format!("DROP TABLE IF EXISTS {copy}"),
            format!("{create} WITHOUT ROWID"),
            format!("INSERT INTO {copy} SELECT * FROM {table}"),
            format!("DROP TABLE {table}"),
            format!("ALTER TABLE {copy} RENAME TO {table}"),
        ] {
            sqlx::query(&step).execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// Columns added after their table was first created: `(table, column, type)`.
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    // Outbox leases: one node sends each message (mailer.rs).
    ("outbox", "lease_owner", "TEXT"),
    ("outbox", "lease_until", "TEXT"),
];

/// Add [`ADDED_COLUMNS`] to databases created before them (SQLite has no
/// `ADD COLUMN IF NOT EXISTS`).
async fn add_missing_columns(conn: &mut AnyConnection, dialect: Dialect) -> Result<()> {
    for (table, column, ty) in ADDED_COLUMNS {
        let present = match dialect {
            Dialect::Postgres => true,
            Dialect::Sqlite => {
                let sql = format!(
                    "SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = '{column}'"
                );
                count(conn, &sql).await? > 0
            }
        };
        let sql = match dialect {
            Dialect::Postgres => {
                format!("ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {ty}")
            }
            Dialect::Sqlite if !present => format!("ALTER TABLE {table} ADD COLUMN {column} {ty}"),
            Dialect::Sqlite => continue,
        };
        sqlx::query(&sql).execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Row;

    /// A database whose clustered tables were created with a rowid keeps its rows and
    /// indexes when opened, and the tables become `WITHOUT ROWID`.
    #[tokio::test]
    async fn rowid_tables_are_rebuilt_clustered() {
        let dir = std::env::temp_dir().join(format!("lcw-migrate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("old.db");
        let _ = std::fs::remove_file(&path);
        let url = format!("sqlite://{}", path.display());
        {
            let store = Store::connect(&url).await.unwrap();
            // As a database created before: a rowid table with a row and its index, and no
            // schema version recorded. On one connection: DDL spread over the pool's
            // connections sometimes met one still seeing the dropped index.
            let mut conn = store.pool().acquire().await.unwrap();
            for stmt in [
                "DROP TABLE schema_migrations",
                "DROP TABLE group_members",
                "CREATE TABLE group_members (tenant_id TEXT NOT NULL, group_id TEXT NOT NULL, member_id TEXT NOT NULL, PRIMARY KEY (tenant_id, group_id, member_id))",
                "CREATE INDEX group_members_by_member ON group_members (tenant_id, member_id, group_id)",
                "INSERT INTO group_members VALUES ('t', 'g', 'u')",
            ] {
                sqlx::query(stmt).execute(&mut *conn).await.unwrap();
            }
            drop(conn);
            store.pool().close().await;
        }
        let store = Store::connect(&url).await.unwrap();
        let sql: String = sqlx::query("SELECT sql FROM sqlite_master WHERE name = 'group_members'")
            .fetch_one(store.pool())
            .await
            .unwrap()
            .get(0);
        assert!(sql.ends_with("WITHOUT ROWID"), "{sql}");
        let members: Vec<String> =
            sqlx::query("SELECT member_id FROM group_members WHERE tenant_id = 't'")
                .fetch_all(store.pool())
                .await
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
        assert_eq!(members, ["u"]);
        let index: i64 = sqlx::query(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'group_members_by_member'",
        )
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get(0);
        assert_eq!(index, 1);
        store.pool().close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
