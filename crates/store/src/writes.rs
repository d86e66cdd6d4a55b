//! Atomic writes to the run history: result rows (many per statement, built before the
//! transaction; see prepared.rs), occurrence claims with the writes that follow them,
//! reprocess links and job queue steps, applied in order in one transaction.

use crate::claims::{claim_all, ClaimKey, CLAIMS_PER_STATEMENT};
use crate::jobs::Job;
use crate::prepared::{shared_rows, Cell, Prepared};
use crate::result_rows::{result_kinds, ResultRow};
use crate::{Dialect, Result, Store, StoreError};

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

/// Rows per multi-row statement: a few round trips per job (a job's transaction waits for
/// each), within both databases' parameter limits (20 parameters per row; SQLite allows
/// 32,766, PostgreSQL 65,535).
const ROWS_PER_STATEMENT: usize = 500;

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
    let keys: Vec<ClaimKey<'_>> = chunk
        .claims
        .iter()
        .filter_map(|c| claim_of(c))
        .map(|(key, _)| key)
        .collect();
    let claimed = claim_all(tx, tenant, &keys).await?;
    let steps = if claimed.all_taken(&keys) {
        chunk.then_if_all_claimed
    } else {
        let then = chunk
            .claims
            .iter()
            .filter_map(|c| claim_of(c))
            .filter(|(key, _)| claimed.taken(key))
            .flat_map(|(_, t)| t);
        prepare_result_writes(crate::dialect_of(tx), tenant, then)?
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
            crate::links::link(tx, tenant, source_id, run_id).await
        }
        ResultWrite::Enqueue(job) => crate::jobs::enqueue(tx, job).await,
        ResultWrite::CompleteJob(id) => crate::jobs::complete(tx, id).await,
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
}
