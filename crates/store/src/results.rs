//! Run history: runs, user processing results and task processing results in one table with
//! a column per filterable property (these collections grow large, so `$filter`, `$orderby`,
//! `$top`, `$skip` and `$count` run in SQL on indexed columns), reprocess links, trigger
//! occurrences (exactly-once processing) and the durable job queue.

use odata::{SqlColumn, SqlColumns, SqlKind, SqlParam};
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::prepared::{shared_rows, Cell, Prepared};
use crate::{bind_param, Dialect, DirectoryPage, Result, Store, StoreError};

/// Kinds of rows in `results`.
pub mod result_kinds {
    pub const RUN: &str = "run";
    pub const USER: &str = "user";
    pub const TASK: &str = "task";
    /// A task report: one task across one run.
    pub const REPORT: &str = "report";
}

/// One run, user processing result or task processing result.
#[derive(Debug, Clone, Default)]
pub struct ResultRow {
    pub kind: &'static str,
    pub id: String,
    pub workflow_id: String,
    pub run_id: String,
    /// For task results: the user processing result they belong to.
    pub user_result_id: String,
    /// The user processed (user and task results).
    pub subject_id: String,
    /// For task results: the workflow task.
    pub task_id: String,
    pub task_definition_id: String,
    pub status: String,
    pub execution_type: String,
    pub workflow_version: i64,
    pub scheduled_at: Option<String>,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub created_at: Option<String>,
    pub total_tasks: i64,
    pub failed_tasks: i64,
    pub seq: i64,
    pub doc: Value,
}

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

/// One step of an atomic results write.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // built and consumed at once; boxing buys nothing
pub enum ResultWrite {
    Put(ResultRow),
    /// A row known to exist changes its status, start and completion times, task counts and
    /// document; its other columns keep their values. Cheaper than a [`ResultWrite::Put`]:
    /// only the indexes on those columns are touched.
    Update(ResultRow),
    /// `run_id` reprocessed `source_id` (a run or a user processing result).
    Link {
        source_id: String,
        run_id: String,
    },
    Enqueue(Job),
    /// Mark a job done.
    CompleteJob(String),
    /// Claim one trigger occurrence for a user; `then` is applied only when this claim is the
    /// first (so a user's results exist exactly when their occurrence is claimed, even across
    /// crashes and nodes).
    Claimed {
        workflow_id: String,
        version: i64,
        user_id: String,
        occurrence: String,
        then: Vec<ResultWrite>,
    },
}

/// A unit of durable work.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub tenant_id: String,
    pub kind: String,
    pub payload: Value,
    /// Not before (RFC 3339 fixed-width, see `fixed_ts`).
    pub available_at: String,
    pub attempts: i64,
}

/// Rows per multi-row statement: a few round trips per job (a job's transaction waits for
/// each), within both databases' parameter limits (20 parameters per row; SQLite allows
/// 32,766, PostgreSQL 65,535).
const ROWS_PER_STATEMENT: usize = 500;
/// Occurrences claimed per statement (5 parameters each).
const CLAIMS_PER_STATEMENT: usize = 500;

/// Insert or update result rows, many per statement.
fn prepare_puts(dialect: Dialect, tenant: &str, rows: &[&ResultRow]) -> Result<Vec<Prepared>> {
    const COLS: usize = 20;
    let mut out = Vec::with_capacity(rows.len().div_ceil(ROWS_PER_STATEMENT));
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut cells = Vec::with_capacity(chunk.len() * COLS);
        for r in chunk {
            let doc = crate::compact::encode(r, task_copy_of(r))
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            cells.extend([
                Cell::Text(tenant),
                Cell::Text(r.kind),
                Cell::Text(&r.id),
                Cell::Text(&r.workflow_id),
                Cell::Text(&r.run_id),
                Cell::Text(&r.user_result_id),
                Cell::Text(&r.subject_id),
                Cell::Text(&r.task_id),
                Cell::Text(&r.task_definition_id),
                Cell::Text(&r.status),
                Cell::Text(&r.execution_type),
                Cell::Int(r.workflow_version),
                Cell::Ts(r.scheduled_at.as_deref()),
                Cell::Ts(r.started_at.as_deref()),
                Cell::Ts(r.completed_at.as_deref()),
                Cell::Ts(r.created_at.as_deref()),
                Cell::Int(r.total_tasks),
                Cell::Int(r.failed_tasks),
                Cell::Int(r.seq),
                Cell::Owned(doc),
            ]);
        }
        let rows = shared_rows(dialect, 1, COLS, cells);
        let mut q = Prepared::new(format!(
            "{}INSERT INTO results (tenant_id, kind, id, workflow_id, run_id, user_result_id, subject_id, task_id, task_definition_id,
                status, execution_type, workflow_version, scheduled_at, started_at, completed_at, created_at, total_tasks, failed_tasks, seq, doc)
             SELECT {} FROM (VALUES {}) AS v{} WHERE true
             ON CONFLICT (tenant_id, kind, id) DO UPDATE SET status = excluded.status, execution_type = excluded.execution_type,
                scheduled_at = excluded.scheduled_at, started_at = excluded.started_at, completed_at = excluded.completed_at,
                created_at = excluded.created_at, total_tasks = excluded.total_tasks, failed_tasks = excluded.failed_tasks, doc = excluded.doc",
            rows.with,
            rows.columns.join(", "),
            rows.values,
            rows.join,
        ));
        for cell in rows.cells {
            q = q.bind_cell(cell)?;
        }
        out.push(q);
    }
    Ok(out)
}

/// Set the changing columns of existing rows ([`ResultWrite::Update`]), many per statement.
fn prepare_updates(dialect: Dialect, tenant: &str, rows: &[&ResultRow]) -> Result<Vec<Prepared>> {
    const COLS: usize = 8;
    let mut out = Vec::with_capacity(rows.len().div_ceil(ROWS_PER_STATEMENT));
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut cells = Vec::with_capacity(chunk.len() * COLS);
        for r in chunk {
            let doc = crate::compact::encode(r, task_copy_of(r))
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            cells.extend([
                Cell::Text(r.kind),
                Cell::Text(&r.id),
                Cell::Text(&r.status),
                Cell::Ts(r.started_at.as_deref()),
                Cell::Ts(r.completed_at.as_deref()),
                Cell::Int(r.total_tasks),
                Cell::Int(r.failed_tasks),
                Cell::Owned(doc),
            ]);
        }
        let rows = shared_rows(dialect, 1, COLS, cells);
        let c = &rows.columns;
        let mut q = Prepared::new(format!(
            "{}UPDATE results SET status = {}, started_at = {}, completed_at = {},
                total_tasks = {}, failed_tasks = {}, doc = {}
             FROM (VALUES {}) AS v{}
             WHERE results.tenant_id = {} AND results.kind = {} AND results.id = {}",
            rows.with,
            c[2],
            c[3],
            c[4],
            c[5],
            c[6],
            c[7],
            rows.values,
            rows.join,
            dialect.placeholder(rows.next),
            c[0],
            c[1],
        ));
        for cell in rows.cells {
            q = q.bind_cell(cell)?;
        }
        out.push(q.bind_text(tenant.to_string()));
    }
    Ok(out)
}

/// Task results are stored without their `task`, a copy of the workflow task that the run's
/// task report already holds ([`Store::attach_task_copies`]).
fn task_copy_of(r: &ResultRow) -> Option<&'static str> {
    (r.kind == result_kinds::TASK).then_some("task")
}

/// Apply writes in order, batching consecutive row puts, consecutive row updates and
/// consecutive occurrence claims into multi-row statements.
pub(crate) async fn apply_result_writes(
    tx: &mut sqlx::AnyConnection,
    tenant: &str,
    writes: &[ResultWrite],
) -> Result<()> {
    let steps = prepare_result_writes(crate::dialect_of(tx), tenant, writes.iter())?;
    run_steps(tx, tenant, steps).await
}

/// Result writes made ready to run (see prepared.rs): row puts and updates as built
/// statements, claims with the writes that follow them; the rest as given.
pub struct PreparedWrites<'w>(Vec<Step<'w>>);

enum Step<'w> {
    Statement(Prepared),
    Claims(ClaimChunk<'w>),
    Single(&'w ResultWrite),
}

/// Claims that go in one statement, with the writes that follow them built ahead for the
/// usual outcome, every claim taken; the writes of those taken are built anew otherwise.
struct ClaimChunk<'w> {
    claims: Vec<&'w ResultWrite>,
    then_if_all_claimed: PreparedWrites<'w>,
}

impl<'w> ClaimChunk<'w> {
    fn prepare(
        dialect: Dialect,
        tenant: &str,
        claims: &[&'w ResultWrite],
    ) -> Result<Vec<Step<'w>>> {
        claims
            .chunks(CLAIMS_PER_STATEMENT)
            .map(|chunk| {
                let then = chunk
                    .iter()
                    .filter_map(|c| claim_of(c))
                    .flat_map(|(_, t)| t);
                Ok(Step::Claims(ClaimChunk {
                    claims: chunk.to_vec(),
                    then_if_all_claimed: prepare_result_writes(dialect, tenant, then)?,
                }))
            })
            .collect()
    }
}

/// Consecutive writes of one kind, applied together.
enum WriteRun<'w> {
    None,
    Puts(Vec<&'w ResultRow>),
    Updates(Vec<&'w ResultRow>),
    Claims(Vec<&'w ResultWrite>),
}

impl<'w> WriteRun<'w> {
    /// Add `w` when it continues this run; otherwise hand it back.
    fn extend(&mut self, w: &'w ResultWrite) -> Option<&'w ResultWrite> {
        match (&mut *self, w) {
            (WriteRun::Puts(rows), ResultWrite::Put(r)) => rows.push(r),
            (WriteRun::Updates(rows), ResultWrite::Update(r)) => rows.push(r),
            (WriteRun::Claims(claims), ResultWrite::Claimed { .. }) => claims.push(w),
            (WriteRun::None, ResultWrite::Put(r)) => *self = WriteRun::Puts(vec![r]),
            (WriteRun::None, ResultWrite::Update(r)) => *self = WriteRun::Updates(vec![r]),
            (WriteRun::None, ResultWrite::Claimed { .. }) => *self = WriteRun::Claims(vec![w]),
            _ => return Some(w),
        }
        None
    }

    fn flush_into(
        &mut self,
        steps: &mut Vec<Step<'w>>,
        dialect: Dialect,
        tenant: &str,
    ) -> Result<()> {
        match std::mem::replace(self, WriteRun::None) {
            WriteRun::None => {}
            WriteRun::Puts(rows) => steps.extend(
                prepare_puts(dialect, tenant, &rows)?
                    .into_iter()
                    .map(Step::Statement),
            ),
            WriteRun::Updates(rows) => steps.extend(
                prepare_updates(dialect, tenant, &rows)?
                    .into_iter()
                    .map(Step::Statement),
            ),
            WriteRun::Claims(claims) => {
                steps.extend(ClaimChunk::prepare(dialect, tenant, &claims)?)
            }
        }
        Ok(())
    }
}

/// Group and build `writes` (outside any transaction; see [`run_steps`]).
pub(crate) fn prepare_result_writes<'w>(
    dialect: Dialect,
    tenant: &str,
    writes: impl Iterator<Item = &'w ResultWrite>,
) -> Result<PreparedWrites<'w>> {
    let mut steps = Vec::new();
    let mut run = WriteRun::None;
    for w in writes {
        let Some(w) = run.extend(w) else {
            continue;
        };
        run.flush_into(&mut steps, dialect, tenant)?;
        if let Some(w) = run.extend(w) {
            steps.push(Step::Single(w));
        }
    }
    run.flush_into(&mut steps, dialect, tenant)?;
    Ok(PreparedWrites(steps))
}

/// Run prepared writes inside a transaction.
pub(crate) async fn run_steps(
    tx: &mut sqlx::AnyConnection,
    tenant: &str,
    steps: PreparedWrites<'_>,
) -> Result<()> {
    for step in steps.0 {
        match step {
            Step::Statement(q) => {
                q.execute(&mut *tx).await?;
            }
            Step::Claims(chunk) => apply_claims(tx, tenant, chunk).await?,
            Step::Single(w) => apply_result_write(tx, tenant, w).await?,
        }
    }
    Ok(())
}

/// An occurrence claim's key: (workflow, version, user, occurrence).
type ClaimKey<'a> = (&'a str, i64, &'a str, &'a str);

/// The occurrence a [`ResultWrite::Claimed`] claims and the writes that follow when it does.
fn claim_of(w: &ResultWrite) -> Option<(ClaimKey<'_>, &[ResultWrite])> {
    match w {
        ResultWrite::Claimed {
            workflow_id,
            version,
            user_id,
            occurrence,
            then,
        } => Some((
            (workflow_id, *version, user_id, occurrence),
            then.as_slice(),
        )),
        _ => None,
    }
}

/// Claim trigger occurrences in one statement and apply the writes of those this
/// transaction claimed first.
async fn apply_claims(
    tx: &mut sqlx::AnyConnection,
    tenant: &str,
    chunk: ClaimChunk<'_>,
) -> Result<()> {
    let dialect = crate::dialect_of(tx);
    let bind_keys = |sql: &str| -> Result<Prepared> {
        let mut q = Prepared::new(sql.to_string());
        for ((workflow_id, version, user_id, occurrence), _) in
            chunk.claims.iter().filter_map(|c| claim_of(c))
        {
            q = q
                .bind(tenant.to_string())?
                .bind(workflow_id.to_string())?
                .bind(version)?
                .bind(user_id.to_string())?
                .bind(occurrence.to_string())?;
        }
        Ok(q)
    };
    let values = dialect.values_list(1, chunk.claims.len(), 5);
    let insert = format!(
        "INSERT INTO occurrences (tenant_id, workflow_id, workflow_version, user_id, occurrence) VALUES {values}
         ON CONFLICT DO NOTHING"
    );
    let key_of = |r: &AnyRow| -> Result<(String, i64, String, String)> {
        Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))
    };
    // Whether this transaction claimed a key: on PostgreSQL (other nodes claim at the same
    // time) the insert names what it claimed. On SQLite this transaction is the only writer
    // (BEGIN IMMEDIATE), so it claims whatever was not claimed when it asks; the answer
    // (those already claimed, as a rule none) spares streaming every claim back.
    let (listing, claimed_listed) = if dialect.single_writer() {
        (
            format!(
                "SELECT o.workflow_id, o.workflow_version, o.user_id, o.occurrence
                 FROM (VALUES {values}) AS v JOIN occurrences o ON o.tenant_id = v.column1
                    AND o.workflow_id = v.column2 AND o.workflow_version = v.column3
                    AND o.user_id = v.column4 AND o.occurrence = v.column5"
            ),
            false,
        )
    } else {
        (
            format!("{insert} RETURNING workflow_id, workflow_version, user_id, occurrence"),
            true,
        )
    };
    let keys: std::collections::HashSet<_> = bind_keys(&listing)?
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(key_of)
        .collect::<Result<_>>()?;
    if dialect.single_writer() {
        bind_keys(&insert)?.execute(&mut *tx).await?;
    }
    let taken = |((workflow_id, version, user_id, occurrence), _): &(ClaimKey<'_>, _)| {
        let key = (
            workflow_id.to_string(),
            *version,
            user_id.to_string(),
            occurrence.to_string(),
        );
        keys.contains(&key) == claimed_listed
    };
    let all_taken = if claimed_listed {
        chunk
            .claims
            .iter()
            .filter_map(|c| claim_of(c))
            .all(|c| taken(&c))
    } else {
        // SQLite lists the keys already claimed, so every claim was taken when none is.
        keys.is_empty()
    };
    let steps = if all_taken {
        chunk.then_if_all_claimed
    } else {
        let then = chunk
            .claims
            .iter()
            .filter_map(|c| claim_of(c))
            .filter(|c| taken(c))
            .flat_map(|(_, t)| t);
        prepare_result_writes(dialect, tenant, then)?
    };
    Box::pin(run_steps(tx, tenant, steps)).await
}

pub(crate) async fn apply_result_write(
    tx: &mut sqlx::AnyConnection,
    tenant: &str,
    w: &ResultWrite,
) -> Result<()> {
    match w {
        // Batching hands these over as built steps; one on its own is built the same way.
        ResultWrite::Claimed { .. } | ResultWrite::Put(_) | ResultWrite::Update(_) => {
            let steps = prepare_result_writes(crate::dialect_of(tx), tenant, std::iter::once(w))?;
            Box::pin(run_steps(tx, tenant, steps)).await
        }
        ResultWrite::Link { source_id, run_id } => {
            sqlx::query("INSERT INTO result_links (tenant_id, source_id, run_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(tenant)
                .bind(source_id)
                .bind(run_id)
                .execute(&mut *tx)
                .await?;
            Ok(())
        }
        ResultWrite::Enqueue(j) => {
            let payload = serde_json::to_string(&j.payload)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query(
                "INSERT INTO jobs (id, tenant_id, kind, payload, available_at, lease_owner, lease_until, attempts, done)
                 VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6, 0) ON CONFLICT (id) DO NOTHING",
            )
            .bind(&j.id)
            .bind(&j.tenant_id)
            .bind(&j.kind)
            .bind(payload)
            .bind(&j.available_at)
            .bind(j.attempts)
            .execute(&mut *tx)
            .await?;
            Ok(())
        }
        ResultWrite::CompleteJob(id) => {
            sqlx::query(
                "UPDATE jobs SET done = 1, lease_owner = NULL, lease_until = NULL WHERE id = $1",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            Ok(())
        }
    }
}

/// A run being created: slices of writes streamed into one transaction, so memory stays
/// flat while the run appears (and its jobs become due) all at once on commit — or not at
/// all after a crash.
pub struct ResultBatch {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    tenant: String,
}

impl ResultBatch {
    /// Write what [`Store::prepare_results`] built for this batch's tenant.
    pub async fn write_prepared(&mut self, prepared: PreparedWrites<'_>) -> Result<()> {
        run_steps(&mut self.tx, &self.tenant, prepared).await
    }

    pub async fn commit(self) -> Result<()> {
        Ok(self.tx.commit().await?)
    }
}

impl Store {
    /// Start a [`ResultBatch`].
    pub async fn result_batch(&self, tenant: &str) -> Result<ResultBatch> {
        Ok(ResultBatch {
            tx: self.begin().await?,
            tenant: tenant.to_string(),
        })
    }

    /// Build `writes` of `tenant` ready for [`ResultBatch::write_prepared`], outside the
    /// transaction: while one slice of a large run is stored, the next can be encoded.
    pub fn prepare_results<'w>(
        &self,
        tenant: &str,
        writes: &'w [ResultWrite],
    ) -> Result<PreparedWrites<'w>> {
        prepare_result_writes(self.dialect, tenant, writes.iter())
    }

    /// Apply result writes in one transaction.
    pub async fn write_results(&self, tenant: &str, writes: &[ResultWrite]) -> Result<()> {
        let mut tx = self.begin().await?;
        apply_result_writes(&mut tx, tenant, writes).await?;
        tx.commit().await?;
        Ok(())
    }

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
    /// it, see [`prepare_puts`]) from their runs' task reports. Rows written before the copy was
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

    // ---- reprocess links ----

    pub async fn linked_runs(&self, tenant: &str, source_id: &str) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT run_id FROM result_links WHERE tenant_id = $1 AND source_id = $2 ORDER BY run_id")
            .bind(tenant)
            .bind(source_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| r.try_get(0).map_err(StoreError::from))
            .collect()
    }

    /// Drop one link (the run itself stays); false when there was none.
    pub async fn unlink_run(&self, tenant: &str, source_id: &str, run_id: &str) -> Result<bool> {
        let n = sqlx::query(
            "DELETE FROM result_links WHERE tenant_id = $1 AND source_id = $2 AND run_id = $3",
        )
        .bind(tenant)
        .bind(source_id)
        .bind(run_id)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(n > 0)
    }

    // ---- exactly-once trigger occurrences ----

    /// Every `(user, occurrence)` already claimed for a workflow version.
    pub async fn claimed_occurrences(
        &self,
        tenant: &str,
        workflow_id: &str,
        version: i64,
    ) -> Result<std::collections::HashSet<(String, String)>> {
        let rows = sqlx::query(
            "SELECT user_id, occurrence FROM occurrences WHERE tenant_id = $1 AND workflow_id = $2 AND workflow_version = $3",
        )
        .bind(tenant)
        .bind(workflow_id)
        .bind(version)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Claim the processing of `user` for one workflow version and trigger occurrence. Only the
    /// first claim succeeds, across restarts and nodes.
    pub async fn claim_occurrence(
        &self,
        tenant: &str,
        workflow_id: &str,
        version: i64,
        user_id: &str,
        key: &str,
    ) -> Result<bool> {
        let n = sqlx::query(
            "INSERT INTO occurrences (tenant_id, workflow_id, workflow_version, user_id, occurrence) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(tenant)
        .bind(workflow_id)
        .bind(version)
        .bind(user_id)
        .bind(key)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(n > 0)
    }

    // ---- job queue ----

    /// Lease up to `limit` rows of a work table (jobs, callouts) that are `due` (`$3` is
    /// now) for `owner` until `lease_until`, oldest by `order` first, and return their
    /// `returning` columns. Expired leases (a crashed node) are taken over; PostgreSQL nodes
    /// skip rows another node is claiming.
    pub(crate) async fn lease_rows(
        &self,
        table: &str,
        due: &str,
        order: &str,
        returning: &str,
        (owner, now, lease_until, limit): (&str, &str, &str, i64),
    ) -> Result<Vec<AnyRow>> {
        let lock = if self.dialect() == Dialect::Postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE {table} SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 WHERE id IN (
               SELECT id FROM {table} WHERE {due} AND (lease_until IS NULL OR lease_until < $3)
               ORDER BY {order} LIMIT $4{lock})
             RETURNING {returning}"
        );
        let mut tx = self.begin().await?;
        let rows = sqlx::query(&sql)
            .bind(owner)
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Lease up to `limit` due jobs for `owner` until `lease_until`. Expired leases (a crashed
    /// node) are taken over. PostgreSQL nodes skip rows another node is claiming.
    pub async fn claim_jobs(
        &self,
        owner: &str,
        now: &str,
        lease_until: &str,
        limit: i64,
    ) -> Result<Vec<Job>> {
        let rows = self
            .lease_rows(
                "jobs",
                "done = 0 AND available_at <= $3",
                "available_at, id",
                "id, tenant_id, kind, payload, available_at, attempts",
                (owner, now, lease_until, limit),
            )
            .await?;
        rows.iter()
            .map(|r| {
                let payload: String = r.try_get(3)?;
                Ok(Job {
                    id: r.try_get(0)?,
                    tenant_id: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    payload: serde_json::from_str(&payload)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    available_at: r.try_get(4)?,
                    attempts: r.try_get(5)?,
                })
            })
            .collect()
    }

    /// Jobs not yet done (for tests and shutdown).
    /// Extend `owner`'s leases of the jobs `ids` (those not done) to `lease_until`: a node
    /// renews the jobs it holds, so their leases can be short and a crashed node's jobs are
    /// taken over soon.
    pub async fn renew_job_leases(
        &self,
        owner: &str,
        ids: &[String],
        lease_until: &str,
    ) -> Result<()> {
        let dialect = self.dialect();
        let mut tx = self.begin().await?;
        for chunk in ids.chunks(crate::KEYS_PER_STATEMENT) {
            let sql = format!(
                "UPDATE jobs SET lease_until = {} WHERE lease_owner = {} AND done = 0 AND id IN {}",
                dialect.placeholder(1),
                dialect.placeholder(2),
                dialect.values_list(3, 1, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(lease_until).bind(owner);
            for id in chunk {
                q = q.bind(id);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn pending_jobs(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM jobs WHERE done = 0")
            .fetch_one(self.pool())
            .await?
            .try_get(0)?)
    }
}
