//! Run history queries: runs, user processing results and task processing results in one
//! table with a column per filterable property (these collections grow large, so
//! `$filter`, `$orderby`, `$top`, `$skip` and `$count` run in SQL on indexed columns).
//! Writes are in writes.rs; reprocess links, occurrence claims and the job queue have
//! their own modules.

use odata::{SqlColumn, SqlColumns, SqlKind, SqlParam};
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::result_rows::{result_kinds, ResultRow};
use crate::{bind_param, DirectoryPage, Result, Store, StoreError};

/// Scope and OData options of a result listing.
#[derive(Debug, Default)]
pub struct ResultQuery<'a> {
    pub kind: &'static str,
    pub workflow_id: Option<&'a str>,
    pub run_id: Option<&'a str>,
    pub user_result_id: Option<&'a str>,
    pub task_id: Option<&'a str>,
    pub subject_id: Option<&'a str>,
    /// Restrict to these ids (reprocessedRuns).
    pub ids: Option<&'a [String]>,
    /// Restrict to the task results of these user processing results (engine batches).
    pub user_result_ids: Option<&'a [String]>,
    pub filter: Option<&'a odata::Expr>,
    pub orderby: &'a [odata::OrderBy],
    pub top: usize,
    pub skip: usize,
    pub count: bool,
}

/// JSON property → column of `results`.
const RESULT_COLUMNS: &[(&str, &str, bool)] = &[
    ("id", "id", false),
    ("processingStatus", "status", false),
    ("workflowExecutionType", "execution_type", false),
    ("workflowVersion", "workflow_version", false),
    ("scheduledDateTime", "scheduled_at", true),
    ("startedDateTime", "started_at", true),
    ("completedDateTime", "completed_at", true),
    ("createdDateTime", "created_at", true),
    ("runId", "run_id", false),
];

struct ResultColumnMap;

impl SqlColumns for ResultColumnMap {
    fn column(&self, path: &[String]) -> Option<SqlColumn> {
        match path {
            [name] => RESULT_COLUMNS
                .iter()
                .find(|(p, _, _)| p == name)
                .map(|(_, col, ts)| SqlColumn {
                    expr: (*col).to_string(),
                    kind: if *name == "workflowVersion" {
                        SqlKind::Int
                    } else if *ts {
                        SqlKind::DateTime
                    } else {
                        SqlKind::Text
                    },
                }),
            [nav, id] if (nav == "subject") && id == "id" => Some(SqlColumn {
                expr: "subject_id".into(),
                kind: SqlKind::Guid,
            }),
            [nav, id] if (nav == "task") && id == "id" => Some(SqlColumn {
                expr: "task_id".into(),
                kind: SqlKind::Guid,
            }),
            _ => None,
        }
    }
}

const SELECT: &str = "SELECT kind, id, workflow_id, run_id, user_result_id, subject_id, task_id, task_definition_id, status, execution_type, workflow_version, scheduled_at, started_at, completed_at, created_at, total_tasks, failed_tasks, seq, doc FROM results";

fn kind_static(k: &str) -> &'static str {
    match k {
        "run" => result_kinds::RUN,
        "user" => result_kinds::USER,
        "report" => result_kinds::REPORT,
        _ => result_kinds::TASK,
    }
}

fn row_to_result(r: &AnyRow) -> Result<ResultRow> {
    let doc: String = r.try_get("doc")?;
    let kind: String = r.try_get("kind")?;
    let mut row = ResultRow {
        kind: kind_static(&kind),
        id: r.try_get("id")?,
        workflow_id: r.try_get("workflow_id")?,
        run_id: r.try_get("run_id")?,
        user_result_id: r.try_get("user_result_id")?,
        subject_id: r.try_get("subject_id")?,
        task_id: r.try_get("task_id")?,
        task_definition_id: r.try_get("task_definition_id")?,
        status: r.try_get("status")?,
        execution_type: r.try_get("execution_type")?,
        workflow_version: r.try_get("workflow_version")?,
        scheduled_at: r.try_get("scheduled_at")?,
        started_at: r.try_get("started_at")?,
        completed_at: r.try_get("completed_at")?,
        created_at: r.try_get("created_at")?,
        total_tasks: r.try_get("total_tasks")?,
        failed_tasks: r.try_get("failed_tasks")?,
        seq: r.try_get("seq")?,
        doc: Value::Null,
    };
    row.doc = crate::compact::decode(&row, &doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(row)
}

/// Task results of one task definition in a window ([`Store::task_definition_tallies`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDefinitionTally {
    /// Lower-cased.
    pub definition_id: String,
    pub tasks: i64,
    pub completed: i64,
    pub failed: i64,
    /// Distinct users, and those with a completed or a failed task of this definition.
    pub users: i64,
    pub users_completed: i64,
    pub users_failed: i64,
}

/// Task rows (`t`) of the user results (`u`) scheduled in `[$2, $3]` of tenant `$1`. Task
/// rows are not in `results_scheduled` (a run writes many): they share their user result's
/// scheduled time, workflow and run, so the window is found through user results.
const TASKS_IN_WINDOW: &str = "FROM results u JOIN results t ON t.tenant_id = u.tenant_id AND t.kind = 'task' AND t.user_result_id = u.id
     WHERE u.tenant_id = $1 AND u.kind = 'user' AND u.scheduled_at >= $2 AND u.scheduled_at <= $3";

impl Store {
    pub async fn get_result(
        &self,
        tenant: &str,
        kind: &'static str,
        id: &str,
    ) -> Result<Option<ResultRow>> {
        let sql = format!("{SELECT} WHERE tenant_id = $1 AND kind = $2 AND id = $3");
        let row = sqlx::query(&sql)
            .bind(tenant)
            .bind(kind)
            .bind(id.to_ascii_lowercase())
            .fetch_optional(self.pool())
            .await?;
        let Some(mut found) = row.as_ref().map(row_to_result).transpose()? else {
            return Ok(None);
        };
        self.attach_task_copies(tenant, std::slice::from_mut(&mut found))
            .await?;
        Ok(Some(found))
    }

    /// Put back the `task` of task processing results read from the store (stored without
    /// it, see writes.rs) from their runs' task reports. Rows written before the copy was
    /// left out still carry theirs and are left alone.
    async fn attach_task_copies(&self, tenant: &str, rows: &mut [ResultRow]) -> Result<()> {
        let lacking = |r: &ResultRow| r.kind == result_kinds::TASK && r.doc.get("task").is_none();
        let mut run_ids: Vec<&str> = rows
            .iter()
            .filter(|r| lacking(r))
            .map(|r| r.run_id.as_str())
            .collect();
        if run_ids.is_empty() {
            return Ok(());
        }
        run_ids.sort_unstable();
        run_ids.dedup();
        let mut tasks: std::collections::HashMap<(String, String), Value> = Default::default();
        // A page across many runs (a workflow task's results) names many runs.
        let sql = "SELECT run_id, task_id, doc FROM results WHERE tenant_id = {tenant} AND kind = 'report' AND run_id IN";
        for r in self.fetch_for_keys(sql, tenant, &run_ids).await? {
            let doc: String = r.try_get(2)?;
            let mut doc: Value =
                serde_json::from_str(&doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if let Some(task) = doc.get_mut("task") {
                tasks.insert((r.try_get(0)?, r.try_get(1)?), task.take());
            }
        }
        for row in rows.iter_mut().filter(|r| lacking(r)) {
            let task = tasks
                .get(&(row.run_id.clone(), row.task_id.clone()))
                .cloned()
                .unwrap_or(Value::Null);
            if let Value::Object(fields) = &mut row.doc {
                fields.insert("task".into(), task);
            }
        }
        Ok(())
    }

    /// A page of results. `$filter`/`$orderby` run in SQL when they use indexed columns;
    /// otherwise the scoped rows are filtered in memory with the same evaluator.
    pub async fn list_results(
        &self,
        tenant: &str,
        q: &ResultQuery<'_>,
    ) -> Result<(Vec<ResultRow>, Option<i64>, bool)> {
        // The kind is a literal (one of `result_kinds`), so the partial indexes apply.
        let mut conds = vec![
            "tenant_id = $1".to_string(),
            format!("kind = '{}'", kind_static(q.kind)),
        ];
        let mut params: Vec<SqlParam> = vec![SqlParam::Text(tenant.to_string())];
        let add = |col: &str, v: &str, params: &mut Vec<SqlParam>, conds: &mut Vec<String>| {
            params.push(SqlParam::Text(v.to_string()));
            conds.push(format!("{col} = ${}", params.len()));
        };
        // Task results are not in the workflow and run indexes (see migrate.rs): scoped by
        // workflow or run alone, they are found through that scope's user results, and
        // listed user result by user result (time-ordered ids), each in task order, which
        // that index yields without sorting.
        let through_users = q.kind == result_kinds::TASK
            && q.user_result_id.is_none()
            && q.user_result_ids.is_none()
            && (q.workflow_id.is_some() || q.run_id.is_some());
        if through_users {
            let mut users = vec!["tenant_id = $1".to_string(), "kind = 'user'".to_string()];
            for (col, v) in [("workflow_id", q.workflow_id), ("run_id", q.run_id)] {
                if let Some(v) = v {
                    params.push(SqlParam::Text(v.to_string()));
                    users.push(format!("{col} = ${}", params.len()));
                }
            }
            conds.push(format!(
                "user_result_id IN (SELECT id FROM results WHERE {})",
                users.join(" AND ")
            ));
        } else {
            if let Some(v) = q.workflow_id {
                add("workflow_id", v, &mut params, &mut conds);
            }
            if let Some(v) = q.run_id {
                add("run_id", v, &mut params, &mut conds);
            }
        }
        if let Some(v) = q.user_result_id {
            add("user_result_id", v, &mut params, &mut conds);
        }
        if let Some(v) = q.task_id {
            add("task_id", v, &mut params, &mut conds);
        }
        if let Some(v) = q.subject_id {
            add("subject_id", v, &mut params, &mut conds);
        }
        for (col, list) in [("id", q.ids), ("user_result_id", q.user_result_ids)] {
            let Some(list) = list else { continue };
            if list.is_empty() {
                return Ok((Vec::new(), q.count.then_some(0), false));
            }
            let mut ph = Vec::new();
            for id in list {
                params.push(SqlParam::Text(id.clone()));
                ph.push(format!("${}", params.len()));
            }
            conds.push(format!("{col} IN ({})", ph.join(",")));
        }
        let sql_filter = match q.filter {
            Some(f) => odata::to_sql(f, &ResultColumnMap, self.dialect(), params.len() + 1).ok(),
            None => Some((String::new(), Vec::new())),
        };
        let natural = if through_users {
            "user_result_id, seq"
        } else {
            "seq"
        };
        let order = match odata::order_by_sql(q.orderby, &ResultColumnMap) {
            Ok(s) if !s.is_empty() => Some(format!("{s}, {natural}")),
            Ok(_) => Some(natural.to_string()),
            Err(_) => None,
        };
        let (Some((fsql, fparams)), Some(order)) = (sql_filter, order) else {
            return self
                .list_results_in_memory(tenant, &conds, natural, params, q)
                .await;
        };
        if !fsql.is_empty() {
            conds.push(format!("({fsql})"));
            params.extend(fparams);
        }
        let where_sql = conds.join(" AND ");
        let sql = format!(
            "{SELECT} WHERE {where_sql} ORDER BY {order} LIMIT {} OFFSET {}",
            q.top + 1,
            q.skip
        );
        let mut query = sqlx::query(&sql);
        for p in params.clone() {
            query = bind_param(query, p);
        }
        let rows = query.fetch_all(self.pool()).await?;
        let mut items = rows.iter().map(row_to_result).collect::<Result<Vec<_>>>()?;
        self.attach_task_copies(tenant, &mut items).await?;
        let more = items.len() > q.top;
        items.truncate(q.top);
        let total = if q.count {
            let sql = format!("SELECT COUNT(*) FROM results WHERE {where_sql}");
            let mut query = sqlx::query(&sql);
            for p in params {
                query = bind_param(query, p);
            }
            Some(query.fetch_one(self.pool()).await?.try_get::<i64, _>(0)?)
        } else {
            None
        };
        Ok((items, total, more))
    }

    async fn list_results_in_memory(
        &self,
        tenant: &str,
        conds: &[String],
        natural_order: &str,
        params: Vec<SqlParam>,
        q: &ResultQuery<'_>,
    ) -> Result<(Vec<ResultRow>, Option<i64>, bool)> {
        let sql = format!(
            "{SELECT} WHERE {} ORDER BY {natural_order}",
            conds.join(" AND ")
        );
        let mut query = sqlx::query(&sql);
        for p in params {
            query = bind_param(query, p);
        }
        let rows = query.fetch_all(self.pool()).await?;
        let mut scoped = rows.iter().map(row_to_result).collect::<Result<Vec<_>>>()?;
        self.attach_task_copies(tenant, &mut scoped).await?;
        let mut all = Vec::new();
        for row in scoped {
            if q.filter.is_none_or(|f| {
                f.matches_with(
                    &row.doc,
                    &odata::EvalOptions {
                        case_insensitive: true,
                    },
                )
            }) {
                all.push(row);
            }
        }
        let page: DirectoryPage = crate::page_in_memory(
            all.iter().map(|r| r.doc.clone()).collect(),
            q.orderby,
            q.top,
            q.skip,
            q.count,
        );
        let ids: Vec<String> = page
            .items
            .iter()
            .filter_map(|d| d.get("id").and_then(Value::as_str).map(str::to_string))
            .collect();
        let items = ids
            .iter()
            .filter_map(|id| all.iter().find(|r| &r.id == id).cloned())
            .collect();
        Ok((items, page.total, page.more))
    }

    /// Aggregate counts by status of results in a time window (for summaries): returns
    /// `(status, rows, sum(total_tasks), sum(failed_tasks))`.
    pub async fn result_status_counts(
        &self,
        tenant: &str,
        kind: &'static str,
        workflow_id: Option<&str>,
        run_id: Option<&str>,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, i64, i64, i64)>> {
        // The kind is a literal so the planner can use the partial index.
        let mut sql = if kind == result_kinds::TASK {
            format!(
                "SELECT t.status, COUNT(*), CAST(COALESCE(SUM(t.total_tasks), 0) AS BIGINT), CAST(COALESCE(SUM(t.failed_tasks), 0) AS BIGINT)
                 {TASKS_IN_WINDOW}"
            )
        } else {
            format!(
                "SELECT status, COUNT(*), CAST(COALESCE(SUM(total_tasks), 0) AS BIGINT), CAST(COALESCE(SUM(failed_tasks), 0) AS BIGINT)
                 FROM results u WHERE tenant_id = $1 AND kind = '{}' AND scheduled_at >= $2 AND scheduled_at <= $3",
                kind_static(kind)
            )
        };
        let mut binds = vec![tenant.to_string(), from.to_string(), to.to_string()];
        if let Some(w) = workflow_id {
            binds.push(w.to_string());
            sql.push_str(&format!(" AND u.workflow_id = ${}", binds.len()));
        }
        if let Some(r) = run_id {
            binds.push(r.to_string());
            sql.push_str(&format!(" AND u.run_id = ${}", binds.len()));
        }
        sql.push_str(" GROUP BY 1");
        let mut q = sqlx::query(&sql);
        for b in binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect()
    }

    /// Task results of the given workflows whose user results were scheduled in
    /// `[from, to]`, tallied per task definition in SQL (topTasksProcessedSummary): a
    /// tenant's task results are the largest collection lcw keeps.
    pub async fn task_definition_tallies(
        &self,
        tenant: &str,
        workflow_ids: &[String],
        from: &str,
        to: &str,
    ) -> Result<Vec<TaskDefinitionTally>> {
        if workflow_ids.is_empty() {
            return Ok(Vec::new());
        }
        let workflows: Vec<String> = (0..workflow_ids.len())
            .map(|i| format!("${}", i + 4))
            .collect();
        let sql = format!(
            "SELECT LOWER(t.task_definition_id), CAST(COUNT(*) AS BIGINT),
                CAST(SUM(CASE WHEN t.status = 'completed' THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN t.status = 'failed' THEN 1 ELSE 0 END) AS BIGINT),
                CAST(COUNT(DISTINCT t.subject_id) AS BIGINT),
                CAST(COUNT(DISTINCT CASE WHEN t.status = 'completed' THEN t.subject_id END) AS BIGINT),
                CAST(COUNT(DISTINCT CASE WHEN t.status = 'failed' THEN t.subject_id END) AS BIGINT)
             {TASKS_IN_WINDOW} AND u.workflow_id IN ({})
             GROUP BY 1",
            workflows.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(tenant).bind(from).bind(to);
        for id in workflow_ids {
            q = q.bind(id.as_str());
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(TaskDefinitionTally {
                    definition_id: r.try_get(0)?,
                    tasks: r.try_get(1)?,
                    completed: r.try_get(2)?,
                    failed: r.try_get(3)?,
                    users: r.try_get(4)?,
                    users_completed: r.try_get(5)?,
                    users_failed: r.try_get(6)?,
                })
            })
            .collect()
    }

    /// Remove a run that processed nobody, with its task reports and links.
    pub async fn delete_empty_run(&self, tenant: &str, run_id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        // A kind at a time: each a literal, so the run index (partial) serves it.
        let statements = [
            "DELETE FROM results WHERE tenant_id = $1 AND kind = 'run' AND run_id = $2",
            "DELETE FROM results WHERE tenant_id = $1 AND kind = 'report' AND run_id = $2",
            "DELETE FROM result_links WHERE tenant_id = $1 AND run_id = $2",
        ];
        crate::execute_each(&mut tx, &statements, tenant, run_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Runs not finished yet, of every tenant: `(tenant, run id)`.
    pub async fn open_runs(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT tenant_id, id FROM results WHERE kind = 'run' AND completed_at IS NULL",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Whether a run still has users queued or in progress (index lookup, no scan).
    pub async fn run_has_pending_users(&self, tenant: &str, run_id: &str) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 FROM results WHERE tenant_id = $1 AND kind = 'user' AND run_id = $2 AND status IN ('queued', 'inProgress') LIMIT 1",
        )
        .bind(tenant)
        .bind(run_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }

    /// Rows of one kind in a run, counted by `(task_id, status)` (task_id is empty for user
    /// results; a pair may come in more than one row, to be summed): what a finished run's
    /// counts and task reports are computed from.
    pub async fn run_counts(
        &self,
        tenant: &str,
        kind: &'static str,
        run_id: &str,
    ) -> Result<Vec<(String, String, i64)>> {
        // The kind is a literal so the planner can use the partial indexes.
        let sql = if kind == result_kinds::TASK {
            // Task results are reached through the run's user results (they are not in the
            // run index). A completed user result has one completed task result per task
            // report of its run (the engine completes a user only when every task did), so
            // those are counted from the user results' status index; only the other users'
            // task rows are read. A large run's finish went from reading every task row
            // (300,000 for 100,000 users) to, as a rule, none.
            "SELECT task_id, status, COUNT(*) FROM results
             WHERE tenant_id = $1 AND kind = 'task' AND user_result_id IN (SELECT id FROM results
                WHERE tenant_id = $1 AND kind = 'user' AND run_id = $2 AND status <> 'completed')
             GROUP BY task_id, status
             UNION ALL
             SELECT r.task_id, 'completed', (SELECT COUNT(*) FROM results u
                 WHERE u.tenant_id = $1 AND u.kind = 'user' AND u.run_id = $2 AND u.status = 'completed')
             FROM results r WHERE r.tenant_id = $1 AND r.kind = 'report' AND r.run_id = $2"
                .to_string()
        } else {
            format!(
                "SELECT task_id, status, COUNT(*) FROM results WHERE tenant_id = $1 AND kind = '{}' AND run_id = $2 GROUP BY task_id, status",
                kind_static(kind)
            )
        };
        let rows = sqlx::query(&sql)
            .bind(tenant)
            .bind(run_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
    }

    /// Remove a purged workflow's run history: results, their reprocess links, occurrence
    /// claims and unfinished jobs.
    pub async fn purge_history(&self, tenant: &str, workflow_id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let statements = [
            "DELETE FROM result_links WHERE tenant_id = $1 AND run_id IN (SELECT id FROM results WHERE tenant_id = $1 AND kind = 'run' AND workflow_id = $2)",
            // Links leave runs and user results; each kind a literal so the workflow index
            // (partial) serves it, and task results (not in it) go through their user results.
            "DELETE FROM result_links WHERE tenant_id = $1 AND source_id IN (SELECT id FROM results WHERE tenant_id = $1 AND kind = 'run' AND workflow_id = $2)",
            "DELETE FROM result_links WHERE tenant_id = $1 AND source_id IN (SELECT id FROM results WHERE tenant_id = $1 AND kind = 'user' AND workflow_id = $2)",
            "DELETE FROM results WHERE tenant_id = $1 AND kind = 'task' AND user_result_id IN (SELECT id FROM results WHERE tenant_id = $1 AND kind = 'user' AND workflow_id = $2)",
            "DELETE FROM results WHERE tenant_id = $1 AND kind = 'user' AND workflow_id = $2",
            "DELETE FROM results WHERE tenant_id = $1 AND kind = 'report' AND workflow_id = $2",
            "DELETE FROM results WHERE tenant_id = $1 AND kind = 'run' AND workflow_id = $2",
            "DELETE FROM occurrences WHERE tenant_id = $1 AND workflow_id = $2",
            "DELETE FROM callouts WHERE tenant_id = $1 AND workflow_id = $2",
            "DELETE FROM resources WHERE tenant_id = $1 AND kind = 'changeCursor' AND id = $2",
        ];
        crate::execute_each(&mut tx, &statements, tenant, workflow_id).await?;
        tx.commit().await?;
        Ok(())
    }
}
