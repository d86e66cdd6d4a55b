//! Definition documents: workflows, workflow versions, custom task extensions, settings.

use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Dialect, Result, Store, StoreError};

/// Resource kinds kept in the `resources` table.
pub mod kinds {
    pub const WORKFLOW: &str = "workflow";
    /// Child of a workflow (`parent_id`), id = version number.
    pub const WORKFLOW_VERSION: &str = "workflowVersion";
    pub const CUSTOM_TASK_EXTENSION: &str = "customTaskExtension";
    pub const SETTINGS: &str = "settings";
    /// Per mover workflow: the last directory change seq its scheduler has looked at.
    pub const CHANGE_CURSOR: &str = "changeCursor";
}

/// One stored document.
#[derive(Debug, Clone)]
pub struct Resource {
    pub kind: &'static str,
    pub id: String,
    /// Owning resource (a version's workflow), empty for top-level resources.
    pub parent_id: String,
    /// Soft-delete time (RFC 3339), `None` while live.
    pub deleted_at: Option<String>,
    /// Creation order within a kind, for a stable default order.
    pub seq: i64,
    pub doc: Value,
}

/// One step of an atomic write.
#[derive(Debug, Clone)]
pub enum Write {
    /// Insert or replace.
    Put(Resource),
    Delete {
        kind: &'static str,
        id: String,
    },
    /// Set top-level properties of a live resource's document on the row as it is now,
    /// leaving its other properties and columns alone; a deleted or missing row is left
    /// untouched. For writers that own a few properties of a document someone else may
    /// change meanwhile (the scheduler's `nextScheduleRunDateTime`).
    SetLiveProperties {
        kind: &'static str,
        id: String,
        properties: Vec<(&'static str, Value)>,
    },
    /// Delete every child of a parent (e.g. a purged workflow's versions).
    DeleteChildren {
        kind: &'static str,
        parent_id: String,
    },
    /// Fail the whole write with `LimitReached` if the tenant already holds `max` live
    /// resources of `kind` (checked inside the transaction).
    Limit {
        kind: &'static str,
        max: i64,
    },
}

fn row_to_resource(kind: &'static str, r: &AnyRow) -> Result<Resource> {
    let doc: String = r.try_get("doc")?;
    Ok(Resource {
        kind,
        id: r.try_get("id")?,
        parent_id: r.try_get("parent_id")?,
        deleted_at: r.try_get("deleted_at")?,
        seq: r.try_get("seq")?,
        doc: serde_json::from_str(&doc).map_err(|e| StoreError::Corrupt(e.to_string()))?,
    })
}

impl Store {
    pub async fn get(
        &self,
        tenant: &str,
        kind: &'static str,
        id: &str,
    ) -> Result<Option<Resource>> {
        let row = sqlx::query(
            "SELECT id, parent_id, deleted_at, seq, doc FROM resources WHERE tenant_id = $1 AND kind = $2 AND id = $3",
        )
        .bind(tenant)
        .bind(kind)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| row_to_resource(kind, &r)).transpose()
    }

    /// All resources of a kind (under `parent` when given), live and deleted, in creation order.
    pub async fn list(
        &self,
        tenant: &str,
        kind: &'static str,
        parent: Option<&str>,
    ) -> Result<Vec<Resource>> {
        let rows = match parent {
            Some(p) => sqlx::query(
                "SELECT id, parent_id, deleted_at, seq, doc FROM resources WHERE tenant_id = $1 AND kind = $2 AND parent_id = $3 ORDER BY seq, id",
            )
            .bind(tenant)
            .bind(kind)
            .bind(p)
            .fetch_all(self.pool())
            .await?,
            None => sqlx::query(
                "SELECT id, parent_id, deleted_at, seq, doc FROM resources WHERE tenant_id = $1 AND kind = $2 ORDER BY seq, id",
            )
            .bind(tenant)
            .bind(kind)
            .fetch_all(self.pool())
            .await?,
        };
        rows.iter().map(|r| row_to_resource(kind, r)).collect()
    }

    /// Apply all steps in one transaction.
    pub async fn write(&self, tenant: &str, steps: Vec<Write>) -> Result<()> {
        let mut tx = self.begin().await?;
        if self.dialect() == Dialect::Postgres
            && steps.iter().any(|s| matches!(s, Write::Limit { .. }))
        {
            // Serialise limit checks per tenant so two concurrent creates cannot both pass.
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                .bind(tenant)
                .execute(&mut *tx)
                .await?;
        }
        for step in steps {
            match step {
                Write::Put(r) => {
                    let doc = serde_json::to_string(&r.doc)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    sqlx::query(
                        "INSERT INTO resources (tenant_id, kind, id, parent_id, deleted_at, seq, doc) VALUES ($1, $2, $3, $4, $5, $6, $7)
                         ON CONFLICT (tenant_id, kind, id) DO UPDATE SET parent_id = excluded.parent_id, deleted_at = excluded.deleted_at, doc = excluded.doc",
                    )
                    .bind(tenant)
                    .bind(r.kind)
                    .bind(&r.id)
                    .bind(&r.parent_id)
                    .bind(r.deleted_at.as_deref())
                    .bind(r.seq)
                    .bind(doc)
                    .execute(&mut *tx)
                    .await?;
                }
                Write::Delete { kind, id } => {
                    sqlx::query(
                        "DELETE FROM resources WHERE tenant_id = $1 AND kind = $2 AND id = $3",
                    )
                    .bind(tenant)
                    .bind(kind)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
                Write::SetLiveProperties {
                    kind,
                    id,
                    properties,
                } => {
                    self.set_live_properties(&mut tx, tenant, kind, &id, &properties)
                        .await?;
                }
                Write::DeleteChildren { kind, parent_id } => {
                    sqlx::query("DELETE FROM resources WHERE tenant_id = $1 AND kind = $2 AND parent_id = $3")
                        .bind(tenant)
                        .bind(kind)
                        .bind(parent_id)
                        .execute(&mut *tx)
                        .await?;
                }
                Write::Limit { kind, max } => {
                    let n: i64 = sqlx::query(
                        "SELECT COUNT(*) FROM resources WHERE tenant_id = $1 AND kind = $2 AND deleted_at IS NULL",
                    )
                    .bind(tenant)
                    .bind(kind)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get(0)?;
                    if n >= max {
                        return Err(StoreError::LimitReached { kind, max });
                    }
                }
            }
        }
        tx.commit().await?;
        self.bump(tenant);
        Ok(())
    }

    /// See [`Write::SetLiveProperties`]. SQLite sets them with `json_set` in one statement
    /// (the write lock is taken there, so nothing changes the row in between); PostgreSQL
    /// locks the row, re-reads it and rewrites the document (its JSON functions would
    /// reorder the document's keys).
    async fn set_live_properties(
        &self,
        tx: &mut sqlx::AnyConnection,
        tenant: &str,
        kind: &'static str,
        id: &str,
        properties: &[(&'static str, Value)],
    ) -> Result<()> {
        if properties.is_empty() {
            return Ok(());
        }
        let values = properties
            .iter()
            .map(|(_, v)| serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect::<Result<Vec<_>>>()?;
        if self.dialect() == Dialect::Sqlite {
            // Property names are the writer's own constants, never client input.
            let paths: Vec<String> = properties
                .iter()
                .enumerate()
                .map(|(i, (name, _))| format!("'$.{name}', json(${})", i + 4))
                .collect();
            let sql = format!(
                "UPDATE resources SET doc = json_set(doc, {}) WHERE tenant_id = $1 AND kind = $2 AND id = $3 AND deleted_at IS NULL",
                paths.join(", ")
            );
            let mut q = sqlx::query(&sql).bind(tenant).bind(kind).bind(id);
            for v in &values {
                q = q.bind(v.as_str());
            }
            q.execute(&mut *tx).await?;
            return Ok(());
        }
        let row = sqlx::query(
            "SELECT doc FROM resources WHERE tenant_id = $1 AND kind = $2 AND id = $3 AND deleted_at IS NULL FOR UPDATE",
        )
        .bind(tenant)
        .bind(kind)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(());
        };
        let doc: String = row.try_get("doc")?;
        let mut doc: Value =
            serde_json::from_str(&doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let Some(object) = doc.as_object_mut() else {
            return Err(StoreError::Corrupt(format!(
                "{kind} {id} is not a JSON object"
            )));
        };
        for (name, value) in properties {
            object.insert((*name).to_string(), value.clone());
        }
        let doc = serde_json::to_string(&doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query("UPDATE resources SET doc = $1 WHERE tenant_id = $2 AND kind = $3 AND id = $4")
            .bind(doc)
            .bind(tenant)
            .bind(kind)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        Ok(())
    }

    /// A creation sequence number for a new resource (monotonic per process, ordered by time
    /// across processes).
    pub fn next_seq(&self) -> i64 {
        self.reserve_seqs(1)
    }

    /// The first of `n` consecutive sequence numbers no other caller gets.
    pub(crate) fn reserve_seqs(&self, n: usize) -> i64 {
        use std::sync::atomic::{AtomicI64, Ordering};
        static LAST: AtomicI64 = AtomicI64::new(0);
        let n = n.max(1) as i64;
        let now = chrono::Utc::now().timestamp_micros();
        let mut prev = LAST.load(Ordering::Relaxed);
        loop {
            let first = now.max(prev + 1);
            match LAST.compare_exchange(prev, first + n - 1, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => return first,
                Err(p) => prev = p,
            }
        }
    }

    /// Permanently remove resources of `kind` soft-deleted before `cutoff` (RFC 3339), with
    /// their children of `child_kind`, of one tenant or (`None`) of every tenant but those
    /// in `except` (tenants whose clock differs are purged on their own cutoff). Returns the
    /// purged ids per tenant.
    pub async fn purge_deleted_before(
        &self,
        (kind, child_kind): (&'static str, &'static str),
        cutoff: &str,
        tenant: Option<&str>,
        except: &[String],
    ) -> Result<Vec<(String, String)>> {
        let sql = match tenant {
            Some(_) => "SELECT tenant_id, id FROM resources WHERE kind = $1 AND deleted_at IS NOT NULL AND deleted_at < $2 AND tenant_id = $3",
            None => "SELECT tenant_id, id FROM resources WHERE kind = $1 AND deleted_at IS NOT NULL AND deleted_at < $2",
        };
        let mut query = sqlx::query(sql).bind(kind).bind(cutoff);
        if let Some(t) = tenant {
            query = query.bind(t);
        }
        let rows = query.fetch_all(self.pool()).await?;
        let mut purged = Vec::new();
        for r in rows {
            let tenant: String = r.try_get(0)?;
            let id: String = r.try_get(1)?;
            if except.contains(&tenant) {
                continue;
            }
            self.purge_workflow(&tenant, kind, child_kind, &id).await?;
            purged.push((tenant, id));
        }
        Ok(purged)
    }

    /// Permanently remove a workflow with its versions and its run history. History goes
    /// first, so an interrupted purge leaves the workflow in place to be purged again.
    pub async fn purge_workflow(
        &self,
        tenant: &str,
        kind: &'static str,
        child_kind: &'static str,
        id: &str,
    ) -> Result<()> {
        self.purge_history(tenant, id).await?;
        self.write(
            tenant,
            vec![
                Write::DeleteChildren {
                    kind: child_kind,
                    parent_id: id.to_string(),
                },
                Write::Delete {
                    kind,
                    id: id.to_string(),
                },
            ],
        )
        .await
    }
}
