//! The directory change log: user attribute changes and group membership changes, which
//! mover workflows (attributeChangeTrigger, membershipChangeTrigger) react to.

use std::collections::HashMap;

use serde_json::Value;
use sqlx::Row;

use crate::{Result, Store, StoreError};

/// One logged change.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRow {
    /// Orders changes across the tenant (creation-ordered, like resource `seq`).
    pub seq: i64,
    pub user_id: String,
    /// `attribute` or `member`.
    pub kind: String,
    /// Attribute name, or the group id of a membership change.
    pub name: String,
    pub old_value: Option<String>,
    /// New attribute value, or `add` / `remove`.
    pub new_value: Option<String>,
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// A change to one attribute of a user, for [`record_many`].
pub(crate) fn attribute_change<'a>(
    user_id: &str,
    name: &str,
    old: &Value,
    new: &Value,
) -> NewChange<'a> {
    (
        user_id.to_string(),
        "attribute",
        name.to_string(),
        scalar_text(old),
        scalar_text(new),
    )
}

/// The attribute changes between two versions of a user document.
pub(crate) fn attribute_changes(
    old: &Value,
    new: &Value,
) -> Vec<(String, Option<String>, Option<String>)> {
    let (Some(o), Some(n)) = (old.as_object(), new.as_object()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, nv) in n {
        let ov = o.get(k).unwrap_or(&Value::Null);
        if ov != nv {
            out.push((k.clone(), scalar_text(ov), scalar_text(nv)));
        }
    }
    for (k, ov) in o {
        if !n.contains_key(k) && !ov.is_null() {
            out.push((k.clone(), scalar_text(ov), None));
        }
    }
    out
}

#[allow(clippy::too_many_arguments)] // one column each; called from two places
pub(crate) async fn record(
    conn: &mut sqlx::AnyConnection,
    store: &Store,
    tenant: &str,
    user_id: &str,
    kind: &str,
    name: &str,
    old_value: Option<&str>,
    new_value: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO directory_changes (tenant_id, seq, user_id, kind, name, old_value, new_value) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(tenant)
    .bind(store.next_seq())
    .bind(user_id)
    .bind(kind)
    .bind(name)
    .bind(old_value)
    .bind(new_value)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A change to log: `(user_id, kind, name, old_value, new_value)`.
pub(crate) type NewChange<'a> = (String, &'a str, String, Option<String>, Option<String>);

/// Log many changes with few statements.
pub(crate) async fn record_many(
    conn: &mut sqlx::AnyConnection,
    store: &Store,
    tenant: &str,
    changes: &[NewChange<'_>],
) -> Result<()> {
    let dialect = crate::dialect_of(conn);
    for chunk in changes.chunks(500) {
        let sql = format!(
            "INSERT INTO directory_changes (tenant_id, seq, user_id, kind, name, old_value, new_value) VALUES {}",
            dialect.values_list(1, chunk.len(), 7)
        );
        let mut q = sqlx::query(&sql);
        for (user_id, kind, name, old_value, new_value) in chunk {
            q = q
                .bind(tenant)
                .bind(store.next_seq())
                .bind(user_id.as_str())
                .bind(*kind)
                .bind(name.as_str())
                .bind(old_value.clone())
                .bind(new_value.clone());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Current documents of these users, read inside a write transaction (to diff against).
pub(crate) async fn current_docs(
    conn: &mut sqlx::AnyConnection,
    tenant: &str,
    ids: &[&str],
) -> Result<HashMap<String, Value>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ph: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    // The caller rewrites these documents in the same transaction: on PostgreSQL the rows
    // are locked (in key order, so two writers cannot wait on each other), or a concurrent
    // write between this read and the rewrite would be lost. SQLite's one writer already
    // excludes every other write.
    let lock = match crate::dialect_of(conn) {
        crate::Dialect::Postgres => " ORDER BY id FOR UPDATE",
        crate::Dialect::Sqlite => "",
    };
    let sql = format!(
        "SELECT id, doc FROM users WHERE tenant_id = $1 AND id IN ({}){lock}",
        ph.join(",")
    );
    let mut q = sqlx::query(&sql).bind(tenant);
    for id in ids {
        q = q.bind(*id);
    }
    let mut out = HashMap::new();
    for r in q.fetch_all(&mut *conn).await? {
        let doc: String = r.try_get(1)?;
        out.insert(
            r.try_get(0)?,
            serde_json::from_str(&doc).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        );
    }
    Ok(out)
}

impl Store {
    /// Changes of a tenant after `after_seq`, oldest first.
    pub async fn changes_since(
        &self,
        tenant: &str,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<ChangeRow>> {
        let rows = sqlx::query(
            "SELECT seq, user_id, kind, name, old_value, new_value FROM directory_changes
             WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(tenant)
        .bind(after_seq)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ChangeRow {
                    seq: r.try_get(0)?,
                    user_id: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    name: r.try_get(3)?,
                    old_value: r.try_get(4)?,
                    new_value: r.try_get(5)?,
                })
            })
            .collect()
    }
}
