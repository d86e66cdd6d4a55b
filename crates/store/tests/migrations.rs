//! Versioned migrations: a database of the release before schema versions upgrades on
//! connect and keeps its rows; a database a later release upgraded is refused; migrations
//! are applied once. Each runs on SQLite (temp files) and, when `LCW_TEST_POSTGRES_URL` is
//! set, on PostgreSQL (a fresh database per test).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};

use lcw_store::{kinds, result_kinds, Store, StoreError, UserRow};
use serde_json::json;
use sqlx::{Connection, Row};

const V0_SQLITE: &str = include_str!("fixtures/v0-sqlite.sql");
const V0_POSTGRES: &str = include_str!("fixtures/v0-postgres.sql");

/// A database for one test, removed when dropped.
struct TestDb {
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(std::path::PathBuf),
    Database { admin_url: String, name: String },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Database { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Dropped outside the test's runtime: a fresh one on its own thread.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    rt.block_on(async {
                        if let Ok(mut conn) = sqlx::AnyConnection::connect(&admin_url).await {
                            let _ = sqlx::query(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(&mut conn)
                            .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A new, empty database; `None` (with a message) when PostgreSQL is not configured.
async fn fresh(backend: Backend, test: &str) -> Option<TestDb> {
    sqlx::any::install_default_drivers();
    let unique = format!(
        "{test}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("lcw-store-migrations-{unique}"));
            std::fs::create_dir_all(&dir).unwrap();
            Some(TestDb {
                url: format!("sqlite://{}", dir.join("lcw.db").display()),
                cleanup: Cleanup::Dir(dir),
            })
        }
        Backend::Postgres => {
            let Ok(admin_url) = std::env::var("LCW_TEST_POSTGRES_URL") else {
                eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
                return None;
            };
            let name = format!("lcw_store_{unique}");
            let mut admin = sqlx::AnyConnection::connect(&admin_url).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .unwrap();
            admin.close().await.unwrap();
            Some(TestDb {
                url: with_database(&admin_url, &name),
                cleanup: Cleanup::Database { admin_url, name },
            })
        }
    }
}

/// `url` naming database `name` instead of its own.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    format!("{server}/{name}{query}")
}

/// A connection outside the store, to set a database up or look into it.
async fn raw(db: &TestDb) -> sqlx::AnyConnection {
    let url = if db.url.starts_with("sqlite:") {
        format!("{}?mode=rwc", db.url)
    } else {
        db.url.clone()
    };
    sqlx::AnyConnection::connect(&url).await.unwrap()
}

async fn load_previous_release(db: &TestDb, backend: Backend) {
    let fixture = match backend {
        Backend::Sqlite => V0_SQLITE,
        Backend::Postgres => V0_POSTGRES,
    };
    let mut conn = raw(db).await;
    sqlx::raw_sql(fixture).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

async fn recorded_versions(db: &TestDb) -> Vec<i64> {
    let mut conn = raw(db).await;
    let versions = sqlx::query("SELECT version FROM schema_migrations ORDER BY version")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<i64, _>(0))
        .collect();
    conn.close().await.unwrap();
    versions
}

async fn previous_release_upgrades_and_keeps_its_rows(backend: Backend) {
    let Some(db) = fresh(backend, "upgrade").await else {
        return;
    };
    load_previous_release(&db, backend).await;
    let store = Store::connect(&db.url).await.unwrap();
    assert_eq!(
        store.schema_version().await.unwrap(),
        Store::known_schema_version()
    );
    let workflow = store
        .get("t1", kinds::WORKFLOW, "wf-1")
        .await
        .unwrap()
        .expect("the workflow survives the upgrade");
    assert_eq!(workflow.doc["displayName"], "Onboard joiners");
    let user = store
        .get_user("t1", "u-1")
        .await
        .unwrap()
        .expect("the user survives the upgrade");
    assert_eq!(user.doc["userPrincipalName"], "ada@contoso.com");
    assert_eq!(user.doc["department"], "Engineering");
    let run = store
        .get_result("t1", result_kinds::RUN, "run-1")
        .await
        .unwrap()
        .expect("the run survives the upgrade");
    assert_eq!(run.workflow_id, "wf-1");
    assert_eq!(run.status, "completed");
    assert_eq!(run.doc["totalUsersCount"], 1);
    // The upgraded schema takes new rows, and the old ones still count (the UPN stays unique).
    store
        .create_user(
            "t1",
            &UserRow {
                id: "u-2".into(),
                manager_id: Some("u-1".into()),
                doc: json!({"id": "u-2", "userPrincipalName": "grace@contoso.com"}),
            },
        )
        .await
        .unwrap();
    let duplicate = store
        .create_user(
            "t1",
            &UserRow {
                id: "u-3".into(),
                manager_id: None,
                doc: json!({"id": "u-3", "userPrincipalName": "ADA@contoso.com"}),
            },
        )
        .await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict(_))),
        "{duplicate:?}"
    );
    drop(store);
    assert_eq!(recorded_versions(&db).await, Store::known_schema_versions());
}

async fn newer_schema_is_refused(backend: Backend) {
    let Some(db) = fresh(backend, "newer").await else {
        return;
    };
    drop(Store::connect(&db.url).await.unwrap());
    let newer = Store::known_schema_version() + 1;
    let mut conn = raw(&db).await;
    sqlx::query(
        "INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, 'from a later release', '2030-01-01T00:00:00Z')",
    )
    .bind(newer)
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    match Store::connect(&db.url).await {
        Err(e @ StoreError::SchemaTooNew { found, known }) => {
            assert_eq!((found, known), (newer, Store::known_schema_version()));
            let message = e.to_string();
            assert!(message.contains(&newer.to_string()), "{message}");
            assert!(
                message.contains(&Store::known_schema_version().to_string()),
                "{message}"
            );
        }
        Err(e) => panic!("refused for another reason: {e}"),
        Ok(_) => panic!("a database of a later release was opened"),
    }
}

async fn migrations_are_applied_once(backend: Backend) {
    let Some(db) = fresh(backend, "once").await else {
        return;
    };
    let store = Store::connect(&db.url).await.unwrap();
    store
        .create_user(
            "t1",
            &UserRow {
                id: "u-1".into(),
                manager_id: None,
                doc: json!({"id": "u-1", "userPrincipalName": "ada@contoso.com"}),
            },
        )
        .await
        .unwrap();
    drop(store);
    let store = Store::connect(&db.url).await.unwrap();
    assert!(store.get_user("t1", "u-1").await.unwrap().is_some());
    drop(store);
    assert_eq!(recorded_versions(&db).await, Store::known_schema_versions());
}

/// Tables, columns and indexes as the database describes them, in a stable order.
async fn schema_of(db: &TestDb, backend: Backend) -> Vec<String> {
    let queries: &[&str] = match backend {
        Backend::Sqlite => &[
            "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master
             WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
        ],
        Backend::Postgres => &[
            "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
                || ' ' || COALESCE(column_default, '')
             FROM information_schema.columns WHERE table_schema = current_schema()
             ORDER BY table_name, column_name",
            "SELECT indexname || ': ' || indexdef FROM pg_indexes
             WHERE schemaname = current_schema() ORDER BY indexname",
        ],
    };
    let mut conn = raw(db).await;
    let mut schema = Vec::new();
    for sql in queries {
        for row in sqlx::query(sql).fetch_all(&mut conn).await.unwrap() {
            schema.push(row.get::<String, _>(0));
        }
    }
    conn.close().await.unwrap();
    schema
}

async fn upgraded_schema_is_the_fresh_schema(backend: Backend) {
    let (Some(upgraded), Some(created)) = (
        fresh(backend, "upgraded").await,
        fresh(backend, "created").await,
    ) else {
        return;
    };
    load_previous_release(&upgraded, backend).await;
    drop(Store::connect(&upgraded.url).await.unwrap());
    drop(Store::connect(&created.url).await.unwrap());
    let (upgraded, created) = (
        schema_of(&upgraded, backend).await,
        schema_of(&created, backend).await,
    );
    assert!(!created.is_empty());
    assert_eq!(upgraded, created);
}

#[tokio::test]
async fn sqlite_upgraded_schema_is_the_fresh_schema() {
    upgraded_schema_is_the_fresh_schema(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_upgraded_schema_is_the_fresh_schema() {
    upgraded_schema_is_the_fresh_schema(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_previous_release_upgrades_and_keeps_its_rows() {
    previous_release_upgrades_and_keeps_its_rows(Backend::Sqlite).await;
}

#[tokio::test]
async fn sqlite_newer_schema_is_refused() {
    newer_schema_is_refused(Backend::Sqlite).await;
}

#[tokio::test]
async fn sqlite_migrations_are_applied_once() {
    migrations_are_applied_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_previous_release_upgrades_and_keeps_its_rows() {
    previous_release_upgrades_and_keeps_its_rows(Backend::Postgres).await;
}

#[tokio::test]
async fn postgres_newer_schema_is_refused() {
    newer_schema_is_refused(Backend::Postgres).await;
}

#[tokio::test]
async fn postgres_migrations_are_applied_once() {
    migrations_are_applied_once(Backend::Postgres).await;
}
