//! Whole-tenant reads the scheduler needs.

use std::collections::HashMap;

use serde_json::Value;
use sqlx::Row;

use crate::{kinds, Resource, Result, Store, StoreError};

impl Store {
    /// Every live workflow of every tenant: `(tenant, workflow)`.
    pub async fn all_live_workflows(&self) -> Result<Vec<(String, Resource)>> {
        let rows = sqlx::query(
            "SELECT tenant_id, id, parent_id, deleted_at, seq, doc FROM resources WHERE kind = $1 AND deleted_at IS NULL ORDER BY tenant_id, seq",
        )
        .bind(kinds::WORKFLOW)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let doc: String = r.try_get("doc")?;
                Ok((
                    r.try_get("tenant_id")?,
                    Resource {
                        kind: kinds::WORKFLOW,
                        id: r.try_get("id")?,
                        parent_id: r.try_get("parent_id")?,
                        deleted_at: r.try_get("deleted_at")?,
                        seq: r.try_get("seq")?,
                        doc: serde_json::from_str(&doc)
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    },
                ))
            })
            .collect()
    }

    /// Every user of a tenant (id → document).
    pub async fn all_users(&self, tenant: &str) -> Result<Vec<Value>> {
        let rows = sqlx::query("SELECT doc FROM users WHERE tenant_id = $1 ORDER BY id")
            .bind(tenant)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                serde_json::from_str(&r.try_get::<String, _>(0)?)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect()
    }

    /// Group memberships of a tenant: member id → group ids.
    pub async fn memberships(&self, tenant: &str) -> Result<HashMap<String, Vec<String>>> {
        let rows =
            sqlx::query("SELECT member_id, group_id FROM group_members WHERE tenant_id = $1")
                .bind(tenant)
                .fetch_all(self.pool())
                .await?;
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        for r in rows {
            out.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
        }
        Ok(out)
    }

    /// Group ids of several users at once (engine batches).
    pub async fn group_ids_of_many(
        &self,
        tenant: &str,
        member_ids: &[String],
    ) -> Result<HashMap<String, Vec<String>>> {
        let sql = "SELECT member_id, group_id FROM group_members WHERE tenant_id = {tenant} AND member_id IN";
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        for r in self.fetch_for_keys(sql, tenant, member_ids).await? {
            out.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
        }
        Ok(out)
    }

    /// One page of a tenant's users in id order, after `after_id` (keyset paging keeps
    /// memory flat when the scheduler walks a large directory).
    pub async fn users_page(&self, tenant: &str, after_id: &str, limit: i64) -> Result<Vec<Value>> {
        let rows = sqlx::query(
            "SELECT doc FROM users WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(tenant)
        .bind(after_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                serde_json::from_str(&r.try_get::<String, _>(0)?)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect()
    }
}
