//! Writes of user rows: create, import and PATCH. Each runs in one write transaction that
//! also records the attribute changes mover workflows trigger on.

use std::collections::HashMap;

use serde_json::Value;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;

use crate::directory::{is_unique_violation, text, UserRow};
use crate::timestamps::fixed_ts;
use crate::{Result, Store, StoreError};

/// The one INSERT for user rows: `(...)` groups of [`USER_PARAMS`] placeholders follow.
const USER_INSERT_HEAD: &str = "INSERT INTO users (tenant_id, id, upn_lower, user_principal_name, display_name, mail, given_name, surname,
    department, job_title, company_name, office_location, country, city, employee_id, employee_type, employee_hire_date,
    employee_leave_date_time, created_date_time, account_enabled, usage_location, user_type, manager_id, doc) VALUES ";

/// Placeholders per user row.
const USER_PARAMS: usize = 24;

/// Users per INSERT statement. One statement per row costs a round trip to sqlx's SQLite
/// worker thread each; many rows per statement cost time quadratic in the parameter count
/// (sqlx looks parameters up by name). 10 rows (240 parameters) was fastest for 100,000 users.
const USERS_PER_STATEMENT: usize = 10;

/// The upsert clause. An existing row keeps its `manager_id`: managers change only through
/// `set_manager`.
const USER_UPSERT_TAIL: &str = "
    ON CONFLICT (tenant_id, id) DO UPDATE SET upn_lower = excluded.upn_lower, user_principal_name = excluded.user_principal_name,
    display_name = excluded.display_name, mail = excluded.mail, given_name = excluded.given_name, surname = excluded.surname,
    department = excluded.department, job_title = excluded.job_title, company_name = excluded.company_name,
    office_location = excluded.office_location, country = excluded.country, city = excluded.city, employee_id = excluded.employee_id,
    employee_type = excluded.employee_type, employee_hire_date = excluded.employee_hire_date,
    employee_leave_date_time = excluded.employee_leave_date_time, created_date_time = excluded.created_date_time,
    account_enabled = excluded.account_enabled, usage_location = excluded.usage_location, user_type = excluded.user_type,
    doc = excluded.doc";

/// Why writing user rows failed: a unique violation is explained after the transaction
/// ends (the explanation reads through another connection).
enum WriteFailure {
    Unique,
    Store(StoreError),
}

impl From<StoreError> for WriteFailure {
    fn from(e: StoreError) -> Self {
        WriteFailure::Store(e)
    }
}

/// End a failed write transaction now, so the writer connection is not handed out again
/// still inside it. A failing rollback is not the error to report: the connection is then
/// broken, and the pool replaces it.
async fn abandon(tx: sqlx::Transaction<'static, Any>) {
    if let Err(e) = tx.rollback().await {
        tracing::debug!(error = %e, "rollback of a failed write failed");
    }
}

/// How [`Store::write_users`] treats an existing row with the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UserWrite {
    /// Insert only: an existing id is a conflict.
    Create,
    /// Insert or replace.
    Upsert,
}

/// The INSERT statement for `n` user rows.
fn user_insert_sql(n: usize, mode: UserWrite) -> String {
    let mut sql = String::with_capacity(USER_INSERT_HEAD.len() + n * 120 + USER_UPSERT_TAIL.len());
    sql.push_str(USER_INSERT_HEAD);
    for r in 0..n {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..USER_PARAMS {
            if c > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("${}", r * USER_PARAMS + c + 1));
        }
        sql.push(')');
    }
    if mode == UserWrite::Upsert {
        sql.push_str(USER_UPSERT_TAIL);
    }
    sql
}

/// Bind one user row's [`USER_PARAMS`] values.
fn bind_user<'q>(
    q: Query<'q, Any, AnyArguments<'q>>,
    tenant: &'q str,
    row: &'q UserRow,
) -> Result<Query<'q, Any, AnyArguments<'q>>> {
    let d = &row.doc;
    let upn = text(d, "userPrincipalName").unwrap_or_default();
    let doc = serde_json::to_string(d).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let ts = |k: &str| text(d, k).and_then(|s| fixed_ts(&s));
    Ok(q.bind(tenant)
        .bind(row.id.clone())
        .bind(upn.to_lowercase())
        .bind(upn)
        .bind(text(d, "displayName"))
        .bind(text(d, "mail"))
        .bind(text(d, "givenName"))
        .bind(text(d, "surname"))
        .bind(text(d, "department"))
        .bind(text(d, "jobTitle"))
        .bind(text(d, "companyName"))
        .bind(text(d, "officeLocation"))
        .bind(text(d, "country"))
        .bind(text(d, "city"))
        .bind(text(d, "employeeId"))
        .bind(text(d, "employeeType"))
        .bind(ts("employeeHireDate"))
        .bind(ts("employeeLeaveDateTime"))
        .bind(ts("createdDateTime"))
        .bind(
            d.get("accountEnabled")
                .and_then(Value::as_bool)
                .map(i64::from),
        )
        .bind(text(d, "usageLocation"))
        .bind(text(d, "userType"))
        .bind(row.manager_id.clone())
        .bind(doc))
}

impl Store {
    /// Insert a new user. An id or userPrincipalName already in use is a conflict.
    pub async fn create_user(&self, tenant: &str, row: &UserRow) -> Result<()> {
        self.write_users(tenant, std::slice::from_ref(row), UserWrite::Create)
            .await
    }

    /// Insert or replace a user. A userPrincipalName held by another user is a conflict.
    /// An existing user keeps its manager: managers change only through `set_manager`.
    pub async fn put_user(&self, tenant: &str, row: &UserRow) -> Result<()> {
        self.write_users(tenant, std::slice::from_ref(row), UserWrite::Upsert)
            .await
    }

    /// Insert or replace many users in one transaction (bulk import). On a conflict nothing
    /// is written. Existing users keep their manager, as with `put_user`.
    pub async fn put_users(&self, tenant: &str, rows: &[UserRow]) -> Result<()> {
        self.write_users(tenant, rows, UserWrite::Upsert).await
    }

    /// Every write of user rows (create, import; PATCH through `update_user`) goes through
    /// [`Store::write_user_chunk`], in one transaction: the place to record attribute
    /// changes (attributeChangeTrigger).
    async fn write_users(&self, tenant: &str, rows: &[UserRow], mode: UserWrite) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        // One statement may not touch a row twice: keep the last write of each id.
        let mut last: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            last.insert(r.id.as_str(), i);
        }
        let mut rows: Vec<&UserRow> = rows
            .iter()
            .enumerate()
            .filter(|(i, r)| last.get(r.id.as_str()) == Some(i))
            .map(|(_, r)| r)
            .collect();
        // In key order: SQLite keeps users clustered by id, and a batch of random GUIDs
        // then walks the table once instead of jumping across it (about 15% faster).
        rows.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        let mut tx = self.begin().await?;
        for chunk in rows.chunks(USERS_PER_STATEMENT) {
            let ids: Vec<&str> = chunk.iter().map(|r| r.id.as_str()).collect();
            let before = crate::changes::current_docs(&mut tx, tenant, &ids).await?;
            if let Err(e) = self
                .write_user_chunk(&mut tx, tenant, chunk, mode, &before)
                .await
            {
                abandon(tx).await;
                return Err(self.explain_write_error(tenant, chunk, mode, e).await);
            }
        }
        tx.commit().await?;
        self.bump(tenant);
        Ok(())
    }

    /// PATCH a user: `merge` turns the stored document into the new one inside the write
    /// transaction, with the row locked (PostgreSQL) or every other writer excluded
    /// (SQLite), so a concurrent PATCH or task effect is neither lost nor undone by this
    /// one. False when the user does not exist (any more).
    pub async fn update_user<E: From<StoreError>>(
        &self,
        tenant: &str,
        id: &str,
        merge: impl FnOnce(&Value) -> std::result::Result<Value, E>,
    ) -> std::result::Result<bool, E> {
        let mut tx = self.begin().await?;
        let before = crate::changes::current_docs(&mut tx, tenant, &[id]).await?;
        let merged = match before.get(id) {
            Some(old) => merge(old).map(|doc| (doc != *old).then_some(doc)),
            None => Ok(None),
        };
        let row = match merged {
            Ok(Some(doc)) => UserRow {
                id: id.to_string(),
                // Ignored: an existing user keeps its manager (see `USER_UPSERT_TAIL`).
                manager_id: None,
                doc,
            },
            other => {
                // Nothing to write: end the transaction now rather than leave it to drop.
                tx.rollback().await.map_err(StoreError::from)?;
                return other.map(|_| before.contains_key(id));
            }
        };
        let rows = [&row];
        if let Err(e) = self
            .write_user_chunk(&mut tx, tenant, &rows, UserWrite::Upsert, &before)
            .await
        {
            abandon(tx).await;
            return Err(self
                .explain_write_error(tenant, &rows, UserWrite::Upsert, e)
                .await
                .into());
        }
        tx.commit().await.map_err(StoreError::from)?;
        self.bump(tenant);
        Ok(true)
    }

    /// Write one statement's worth of user rows inside `tx`, logging the attribute changes
    /// of existing users (`before`: their current documents) for mover workflows.
    async fn write_user_chunk(
        &self,
        tx: &mut sqlx::AnyConnection,
        tenant: &str,
        chunk: &[&UserRow],
        mode: UserWrite,
        before: &HashMap<String, Value>,
    ) -> std::result::Result<(), WriteFailure> {
        for row in chunk {
            if let Some(old) = before.get(&row.id) {
                for (name, o, n) in crate::changes::attribute_changes(old, &row.doc) {
                    crate::changes::record(
                        &mut *tx,
                        self,
                        tenant,
                        &row.id,
                        "attribute",
                        &name,
                        o.as_deref(),
                        n.as_deref(),
                    )
                    .await?;
                }
            }
        }
        let sql = user_insert_sql(chunk.len(), mode);
        let mut q = sqlx::query(&sql);
        for row in chunk {
            q = bind_user(q, tenant, row)?;
        }
        match q.execute(&mut *tx).await {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(WriteFailure::Unique),
            Err(e) => Err(WriteFailure::Store(e.into())),
        }
    }

    /// The error a failed [`Store::write_user_chunk`] answers with.
    async fn explain_write_error(
        &self,
        tenant: &str,
        chunk: &[&UserRow],
        mode: UserWrite,
        failure: WriteFailure,
    ) -> StoreError {
        match (failure, chunk) {
            (WriteFailure::Store(e), _) => e,
            (WriteFailure::Unique, [row]) => self.user_conflict(tenant, row, mode).await,
            (WriteFailure::Unique, _) => StoreError::Conflict(
                "A userPrincipalName in the batch is already used by another user.".into(),
            ),
        }
    }

    /// Explain a unique violation on a user row: its id (on create) or its UPN is taken.
    async fn user_conflict(&self, tenant: &str, row: &UserRow, mode: UserWrite) -> StoreError {
        if mode == UserWrite::Create {
            let taken = sqlx::query("SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2")
                .bind(tenant)
                .bind(row.id.clone())
                .fetch_optional(self.pool())
                .await;
            if matches!(taken, Ok(Some(_))) {
                return StoreError::Conflict(format!(
                    "Another object with the same value for property id already exists: '{}'.",
                    row.id
                ));
            }
        }
        StoreError::Conflict(format!(
            "Another object with the same value for property userPrincipalName already exists: '{}'.",
            text(&row.doc, "userPrincipalName").unwrap_or_default()
        ))
    }
}
