//! Users, groups and memberships. Users carry a column per filterable property so list
//! queries run as SQL; anything the SQL translation cannot express is evaluated in memory.
//! User rows are written in `user_writes.rs`.

use std::collections::HashMap;

use odata::{SqlColumn, SqlColumns, SqlKind};
use serde_json::Value;
use sqlx::Row;

use crate::{bind_param, Dialect, Result, Store, StoreError};

/// JSON property → column, for SQL filtering and ordering.
pub const USER_COLUMNS: &[(&str, &str, SqlKindTag)] = &[
    ("id", "id", SqlKindTag::Guid),
    ("userPrincipalName", "user_principal_name", SqlKindTag::Text),
    ("displayName", "display_name", SqlKindTag::Text),
    ("mail", "mail", SqlKindTag::Text),
    ("givenName", "given_name", SqlKindTag::Text),
    ("surname", "surname", SqlKindTag::Text),
    ("department", "department", SqlKindTag::Text),
    ("jobTitle", "job_title", SqlKindTag::Text),
    ("companyName", "company_name", SqlKindTag::Text),
    ("officeLocation", "office_location", SqlKindTag::Text),
    ("country", "country", SqlKindTag::Text),
    ("city", "city", SqlKindTag::Text),
    ("employeeId", "employee_id", SqlKindTag::Text),
    ("employeeType", "employee_type", SqlKindTag::Text),
    (
        "employeeHireDate",
        "employee_hire_date",
        SqlKindTag::DateTime,
    ),
    (
        "employeeLeaveDateTime",
        "employee_leave_date_time",
        SqlKindTag::DateTime,
    ),
    ("createdDateTime", "created_date_time", SqlKindTag::DateTime),
    ("accountEnabled", "account_enabled", SqlKindTag::Bool),
    ("usageLocation", "usage_location", SqlKindTag::Text),
    ("userType", "user_type", SqlKindTag::Text),
];

/// `SqlKind` is not `Copy`-constructible in a const table, so the table uses this tag.
#[derive(Debug, Clone, Copy)]
pub enum SqlKindTag {
    Text,
    Guid,
    DateTime,
    Bool,
}

struct UserColumnMap;

impl SqlColumns for UserColumnMap {
    fn column(&self, path: &[String]) -> Option<SqlColumn> {
        let [name] = path else { return None };
        USER_COLUMNS
            .iter()
            .find(|(p, _, _)| p == name)
            .map(|(_, col, tag)| SqlColumn {
                expr: (*col).to_string(),
                kind: match tag {
                    SqlKindTag::Text => SqlKind::Text,
                    SqlKindTag::Guid => SqlKind::Guid,
                    SqlKindTag::DateTime => SqlKind::DateTime,
                    SqlKindTag::Bool => SqlKind::Bool,
                },
            })
    }
}

/// What goes with a deleted user (`$1` tenant, `$2` user id): an API deletion and the
/// "Delete user" task both run these after deleting the user's row.
pub(crate) const USER_BELONGINGS: &[&str] = &[
    "DELETE FROM group_members WHERE tenant_id = $1 AND member_id = $2",
    "UPDATE users SET manager_id = NULL WHERE tenant_id = $1 AND manager_id = $2",
    "DELETE FROM tap_methods WHERE tenant_id = $1 AND user_id = $2",
    "DELETE FROM ap_assignments WHERE tenant_id = $1 AND target_id = $2",
];

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: String,
    pub manager_id: Option<String>,
    pub doc: Value,
}

#[derive(Debug, Default)]
pub struct UserListQuery<'a> {
    pub filter: Option<&'a odata::Expr>,
    pub orderby: &'a [odata::OrderBy],
    pub search: Option<&'a odata::Search>,
    pub top: usize,
    pub skip: usize,
    pub count: bool,
}

#[derive(Debug, Default)]
pub struct DirectoryPage {
    pub items: Vec<Value>,
    pub total: Option<i64>,
    /// More items follow this page.
    pub more: bool,
}

pub(crate) fn text(doc: &Value, key: &str) -> Option<String> {
    doc.get(key).and_then(Value::as_str).map(str::to_string)
}

fn parse_doc(s: &str) -> Result<Value> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

impl Store {
    /// A user by object id or userPrincipalName (Graph accepts either as the key).
    pub async fn get_user(&self, tenant: &str, key: &str) -> Result<Option<UserRow>> {
        let row = sqlx::query("SELECT id, manager_id, doc FROM users WHERE tenant_id = $1 AND (id = $2 OR upn_lower = $3)")
            .bind(tenant)
            .bind(key.to_ascii_lowercase())
            .bind(key.to_lowercase())
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(r) => Ok(Some(UserRow {
                id: r.try_get(0)?,
                manager_id: r.try_get(1)?,
                doc: parse_doc(&r.try_get::<String, _>(2)?)?,
            })),
            None => Ok(None),
        }
    }

    /// Bring the planner's statistics up to date after bulk writes. PostgreSQL plans the
    /// batched key lookups badly while its statistics predate a tenant's rows (they look
    /// like a handful, so it scans the tenant instead of using the key): a 100,000-user
    /// import slowed from seconds to minutes, a 100,000-user run twentyfold. `lcw import`
    /// calls this as the tables grow, the engine after writing a large run. SQLite needs
    /// nothing.
    pub async fn refresh_statistics(&self) -> Result<()> {
        if self.dialect() == Dialect::Postgres {
            for table in ["users", "group_members", "results"] {
                sqlx::query(&format!("ANALYZE {table}"))
                    .execute(self.pool())
                    .await?;
            }
        }
        Ok(())
    }

    /// [`Store::refresh_statistics`] for the tables that changed by more than half since
    /// PostgreSQL last analyzed them. The engine calls this after each job: a run that adds
    /// a membership per user outgrows `group_members`' statistics long before autovacuum
    /// looks, and with statistics of an empty table every job's membership lookup became a
    /// scan of the tenant (a 100,000-user run slowed sixfold). SQLite needs nothing.
    pub async fn refresh_stale_statistics(&self) -> Result<()> {
        if self.dialect() != Dialect::Postgres {
            return Ok(());
        }
        // One look at a time, at most every two seconds: PostgreSQL's counters trail
        // commits by up to a second, and analyzing takes a while.
        let Ok(mut checked) = self.statistics_checked.try_lock() else {
            return Ok(());
        };
        if checked.is_some_and(|at| at.elapsed() < std::time::Duration::from_secs(2)) {
            return Ok(());
        }
        *checked = Some(std::time::Instant::now());
        let rows = sqlx::query(
            "SELECT CAST(relname AS TEXT), n_mod_since_analyze, n_live_tup FROM pg_stat_user_tables
             WHERE relname IN ('users', 'group_members', 'results')",
        )
        .fetch_all(self.pool())
        .await?;
        for r in rows {
            let (table, modified, live): (String, i64, i64) =
                (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            // The name comes from the fixed list above, never from a request.
            let known = ["users", "group_members", "results"].contains(&table.as_str());
            if known && modified > 1_000 && modified > live / 2 {
                sqlx::query(&format!("ANALYZE {table}"))
                    .execute(self.pool())
                    .await?;
            }
        }
        *checked = Some(std::time::Instant::now());
        Ok(())
    }

    /// Ids of existing users by lower-cased userPrincipalName (import resolves rows by UPN).
    pub async fn user_ids_by_upn(
        &self,
        tenant: &str,
        upns: &[String],
    ) -> Result<HashMap<String, String>> {
        let mut out = HashMap::new();
        for chunk in upns.chunks(500) {
            let placeholders: Vec<String> =
                (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT upn_lower, id FROM users WHERE tenant_id = $1 AND upn_lower IN ({})",
                placeholders.join(",")
            );
            let mut q = sqlx::query(&sql).bind(tenant);
            for u in chunk {
                q = q.bind(u.to_lowercase());
            }
            for r in q.fetch_all(self.pool()).await? {
                out.insert(r.try_get(0)?, r.try_get(1)?);
            }
        }
        Ok(out)
    }

    /// Users by object id (missing ids are left out), in no particular order.
    pub async fn get_users_by_ids(&self, tenant: &str, ids: &[String]) -> Result<Vec<UserRow>> {
        let keys: Vec<String> = ids.iter().map(|id| id.to_ascii_lowercase()).collect();
        let sql = "SELECT id, manager_id, doc FROM users WHERE tenant_id = {tenant} AND id IN";
        self.fetch_for_keys(sql, tenant, &keys)
            .await?
            .iter()
            .map(|r| {
                Ok(UserRow {
                    id: r.try_get(0)?,
                    manager_id: r.try_get(1)?,
                    doc: parse_doc(&r.try_get::<String, _>(2)?)?,
                })
            })
            .collect()
    }

    /// Delete a user with its memberships; reports pointing at it lose their manager.
    pub async fn delete_user(&self, tenant: &str, id: &str) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = sqlx::query("DELETE FROM users WHERE tenant_id = $1 AND id = $2")
            .bind(tenant)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        crate::execute_each(&mut tx, USER_BELONGINGS, tenant, id).await?;
        tx.commit().await?;
        self.bump(tenant);
        Ok(n > 0)
    }

    /// Set or clear a user's manager; false when the user does not exist. Manager changes
    /// only go through here.
    pub async fn set_manager(
        &self,
        tenant: &str,
        user_id: &str,
        manager_id: Option<&str>,
    ) -> Result<bool> {
        let n = sqlx::query("UPDATE users SET manager_id = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant)
            .bind(user_id)
            .bind(manager_id)
            .execute(self.pool())
            .await?
            .rows_affected();
        self.bump(tenant);
        Ok(n > 0)
    }

    pub async fn direct_reports(&self, tenant: &str, manager_id: &str) -> Result<Vec<Value>> {
        let rows = sqlx::query("SELECT doc FROM users WHERE tenant_id = $1 AND manager_id = $2 ORDER BY display_name, id")
            .bind(tenant)
            .bind(manager_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| parse_doc(&r.try_get::<String, _>(0)?))
            .collect()
    }

    /// A page of users. `$filter`/`$orderby` go to SQL when they translate; otherwise (lambdas,
    /// `$search`) the tenant's users are filtered in memory with the same parser's evaluator.
    pub async fn list_users(&self, tenant: &str, q: &UserListQuery<'_>) -> Result<DirectoryPage> {
        let where_sql = match q.filter {
            Some(f) => match odata::to_sql(f, &UserColumnMap, self.dialect(), 2) {
                Ok(sql) => Some(sql),
                Err(_) => return self.list_users_in_memory(tenant, q).await,
            },
            None => Some((String::new(), Vec::new())),
        };
        let order_sql = match odata::order_by_sql(q.orderby, &UserColumnMap) {
            Ok(s) if !s.is_empty() => format!("{s}, id"),
            Ok(_) => "display_name, id".to_string(),
            Err(_) => return self.list_users_in_memory(tenant, q).await,
        };
        if q.search.is_some() {
            return self.list_users_in_memory(tenant, q).await;
        }
        let (cond, params) = where_sql.unwrap_or_default();
        let cond = if cond.is_empty() {
            String::new()
        } else {
            format!(" AND ({cond})")
        };
        let sql = format!(
            "SELECT doc FROM users WHERE tenant_id = $1{cond} ORDER BY {order_sql} LIMIT {} OFFSET {}",
            q.top + 1,
            q.skip
        );
        let mut query = sqlx::query(&sql).bind(tenant);
        for p in params.clone() {
            query = bind_param(query, p);
        }
        let rows = query.fetch_all(self.pool()).await?;
        let mut items = rows
            .iter()
            .map(|r| parse_doc(&r.try_get::<String, _>(0)?))
            .collect::<Result<Vec<_>>>()?;
        let more = items.len() > q.top;
        items.truncate(q.top);
        let total = if q.count {
            let sql = format!("SELECT COUNT(*) FROM users WHERE tenant_id = $1{cond}");
            let mut query = sqlx::query(&sql).bind(tenant);
            for p in params {
                query = bind_param(query, p);
            }
            Some(query.fetch_one(self.pool()).await?.try_get::<i64, _>(0)?)
        } else {
            None
        };
        Ok(DirectoryPage { items, total, more })
    }

    async fn list_users_in_memory(
        &self,
        tenant: &str,
        q: &UserListQuery<'_>,
    ) -> Result<DirectoryPage> {
        let rows =
            sqlx::query("SELECT doc FROM users WHERE tenant_id = $1 ORDER BY display_name, id")
                .bind(tenant)
                .fetch_all(self.pool())
                .await?;
        let mut all = Vec::with_capacity(rows.len());
        for r in rows {
            let doc = parse_doc(&r.try_get::<String, _>(0)?)?;
            if q.filter.is_none_or(|f| {
                f.matches_with(
                    &doc,
                    &odata::EvalOptions {
                        case_insensitive: true,
                    },
                )
            }) && q.search.is_none_or(|s| s.matches(&doc, "displayName"))
            {
                all.push(doc);
            }
        }
        Ok(crate::page_in_memory(
            all, q.orderby, q.top, q.skip, q.count,
        ))
    }

    // ---- groups ----

    pub async fn get_group(&self, tenant: &str, id: &str) -> Result<Option<Value>> {
        let row = sqlx::query("SELECT doc FROM groups WHERE tenant_id = $1 AND id = $2")
            .bind(tenant)
            .bind(id.to_ascii_lowercase())
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| parse_doc(&r.try_get::<String, _>(0)?))
            .transpose()
    }

    pub async fn put_group(&self, tenant: &str, id: &str, doc: &Value) -> Result<()> {
        let text_doc =
            serde_json::to_string(doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO groups (tenant_id, id, display_name, doc) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id, id) DO UPDATE SET display_name = excluded.display_name, doc = excluded.doc",
        )
        .bind(tenant)
        .bind(id)
        .bind(text(doc, "displayName"))
        .bind(text_doc)
        .execute(self.pool())
        .await?;
        self.bump(tenant);
        Ok(())
    }

    pub async fn delete_group(&self, tenant: &str, id: &str) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = sqlx::query("DELETE FROM groups WHERE tenant_id = $1 AND id = $2")
            .bind(tenant)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query(
            "DELETE FROM group_members WHERE tenant_id = $1 AND (group_id = $2 OR member_id = $2)",
        )
        .bind(tenant)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.bump(tenant);
        Ok(n > 0)
    }

    /// The groups with these ids (any case) that exist.
    pub async fn get_groups_by_ids(&self, tenant: &str, ids: &[String]) -> Result<Vec<Value>> {
        let keys: Vec<String> = ids.iter().map(|id| id.to_ascii_lowercase()).collect();
        let sql = "SELECT doc FROM groups WHERE tenant_id = {tenant} AND id IN";
        self.fetch_for_keys(sql, tenant, &keys)
            .await?
            .iter()
            .map(|r| parse_doc(&r.try_get::<String, _>(0)?))
            .collect()
    }

    /// All groups of a tenant (groups are few; OData runs in memory over them).
    pub async fn list_groups(&self, tenant: &str) -> Result<Vec<Value>> {
        let rows =
            sqlx::query("SELECT doc FROM groups WHERE tenant_id = $1 ORDER BY display_name, id")
                .bind(tenant)
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|r| parse_doc(&r.try_get::<String, _>(0)?))
            .collect()
    }

    /// Add a member; false when it was already a member.
    pub async fn add_member(&self, tenant: &str, group_id: &str, member_id: &str) -> Result<bool> {
        let (added, _) = self
            .change_members(tenant, group_id, &[member_id.to_string()], &[])
            .await?;
        Ok(added > 0)
    }

    /// Remove a member; false when it was not a member.
    pub async fn remove_member(
        &self,
        tenant: &str,
        group_id: &str,
        member_id: &str,
    ) -> Result<bool> {
        let (_, removed) = self
            .change_members(tenant, group_id, &[], &[member_id.to_string()])
            .await?;
        Ok(removed > 0)
    }

    /// Every membership change of a group (API and import) goes through here, in one
    /// transaction: the place to record membership changes (membershipChangeTrigger).
    /// Adding a member twice or removing a non-member is a no-op. Returns (added, removed).
    /// (Deleting a user or a group also drops its memberships: see `delete_user`,
    /// `delete_group`.)
    pub async fn change_members(
        &self,
        tenant: &str,
        group_id: &str,
        add: &[String],
        remove: &[String],
    ) -> Result<(u64, u64)> {
        if add.is_empty() && remove.is_empty() {
            return Ok((0, 0));
        }
        let mut tx = self.begin().await?;
        // Each change that took effect is logged for membershipChangeTrigger workflows.
        let mut counts = [0u64; 2];
        for (i, (members, sql, change)) in [
            (add, "INSERT INTO group_members (tenant_id, group_id, member_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", "add"),
            (remove, "DELETE FROM group_members WHERE tenant_id = $1 AND group_id = $2 AND member_id = $3", "remove"),
        ]
        .into_iter()
        .enumerate()
        {
            for m in members {
                let n = sqlx::query(sql)
                    .bind(tenant)
                    .bind(group_id)
                    .bind(m.as_str())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n > 0 {
                    crate::changes::record(&mut tx, self, tenant, m, "member", group_id, None, Some(change)).await?;
                }
                counts[i] += n;
            }
        }
        let [added, removed] = counts;
        tx.commit().await?;
        self.bump(tenant);
        Ok((added, removed))
    }

    /// The user documents that are members of a group, by display name.
    pub async fn member_users(&self, tenant: &str, group_id: &str) -> Result<Vec<Value>> {
        let rows = sqlx::query(
            "SELECT u.doc FROM group_members m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.member_id
             WHERE m.tenant_id = $1 AND m.group_id = $2 ORDER BY u.display_name, u.id",
        )
        .bind(tenant)
        .bind(group_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| parse_doc(&r.try_get::<String, _>(0)?))
            .collect()
    }

    /// The group documents a directory object is a member of, by display name.
    pub async fn groups_of(&self, tenant: &str, member_id: &str) -> Result<Vec<Value>> {
        let rows = sqlx::query(
            "SELECT g.doc FROM group_members m JOIN groups g ON g.tenant_id = m.tenant_id AND g.id = m.group_id
             WHERE m.tenant_id = $1 AND m.member_id = $2 ORDER BY g.display_name, g.id",
        )
        .bind(tenant)
        .bind(member_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| parse_doc(&r.try_get::<String, _>(0)?))
            .collect()
    }

    pub async fn member_ids(&self, tenant: &str, group_id: &str) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT member_id FROM group_members WHERE tenant_id = $1 AND group_id = $2 ORDER BY member_id")
            .bind(tenant)
            .bind(group_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| r.try_get(0).map_err(StoreError::from))
            .collect()
    }
}
