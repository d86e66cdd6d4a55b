//! Schema creation. Idempotent; on PostgreSQL serialised with an advisory lock so several
//! nodes can start at once on one database.

use crate::{Backend, Result, Store};

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
    "CREATE INDEX IF NOT EXISTS users_hire ON users (tenant_id, employee_hire_date)",
    "CREATE INDEX IF NOT EXISTS users_leave ON users (tenant_id, employee_leave_date_time)",
    "CREATE INDEX IF NOT EXISTS users_manager ON users (tenant_id, manager_id)",
    "CREATE TABLE IF NOT EXISTS groups (
        tenant_id TEXT NOT NULL, id TEXT NOT NULL, display_name TEXT, doc TEXT NOT NULL,
        PRIMARY KEY (tenant_id, id))",
    "CREATE TABLE IF NOT EXISTS group_members (
        tenant_id TEXT NOT NULL, group_id TEXT NOT NULL, member_id TEXT NOT NULL,
        PRIMARY KEY (tenant_id, group_id, member_id))",
    "CREATE INDEX IF NOT EXISTS group_members_member ON group_members (tenant_id, member_id)",
];

pub(crate) async fn run(store: &Store) -> Result<()> {
    let mut conn = store.pool().acquire().await?;
    if store.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_lock(7031)")
            .execute(&mut *conn)
            .await?;
    }
    let mut outcome = Ok(());
    for stmt in SCHEMA {
        if let Err(e) = sqlx::query(stmt).execute(&mut *conn).await {
            outcome = Err(e.into());
            break;
        }
    }
    if outcome.is_ok() && store.backend() == Backend::Postgres {
        // `seq` holds microsecond timestamps (`Store::next_seq`), beyond PostgreSQL's 32-bit
        // INTEGER; databases created before this was BIGINT are widened (only then: ALTER
        // TABLE locks the table even when it changes nothing).
        if let Err(e) = sqlx::query(
            "DO $$ BEGIN
               IF (SELECT data_type FROM information_schema.columns
                   WHERE table_schema = current_schema() AND table_name = 'resources'
                     AND column_name = 'seq') = 'integer' THEN
                 ALTER TABLE resources ALTER COLUMN seq TYPE BIGINT;
               END IF;
             END $$",
        )
        .execute(&mut *conn)
        .await
        {
            outcome = Err(e.into());
        }
    }
    if store.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_unlock(7031)")
            .execute(&mut *conn)
            .await?;
    }
    outcome
}
