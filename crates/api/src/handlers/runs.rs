//! Run history under `/workflows/{id}` (and `/deletedItems/workflows/{id}`): runs, user and
//! subject processing results, task processing results, task reports, their summaries,
//! `reprocessedRuns` (with `$ref` removal), `executionScope` and `previewScope`.
//!
//! One set of handlers serves every path: the route's template is walked as
//! `name/{key}` steps, each key is resolved to its row (checking that it belongs to the
//! workflow and to the parents before it), and the last step says what is answered. Result
//! collections are paged, filtered, ordered and counted in SQL (`store::list_results`).

use serde_json::{json, Map, Value};
use store::{result_kinds, Resource, ResultQuery, ResultRow};

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;
use crate::handlers::workflows::load_workflow;

const NS: &str = "microsoft.graph.identityGovernance.";
const USER_TYPE: &str = "#microsoft.graph.user";
const DIRECTORY_OBJECT_SUBJECT: &str =
    "#microsoft.graph.identityGovernance.directoryObjectWorkflowSubject";

/// One `name[/{key}]` step of the path below `/workflows/{workflow-id}`.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub name: String,
    pub key: Option<String>,
}

/// A template segment without the bound-operation namespace and function arguments.
fn bare(seg: &str) -> String {
    let s = seg.strip_prefix(NS).unwrap_or(seg);
    match s.find('(') {
        Some(i) => s.get(..i).unwrap_or(s).to_string(),
        None => s.to_string(),
    }
}

/// The steps of the route below the workflow, with the caller's keys.
pub(crate) fn steps(ctx: &Ctx) -> Vec<Step> {
    let segs: Vec<&str> = ctx
        .route
        .template
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let start = segs
        .iter()
        .position(|s| *s == "workflows")
        .map_or(segs.len(), |i| i + 2);
    let mut key_i = 1;
    let mut out = Vec::new();
    let mut i = start;
    while let Some(s) = segs.get(i) {
        if s.starts_with('{') {
            key_i += 1;
            i += 1;
            continue;
        }
        let keyed = segs.get(i + 1).is_some_and(|n| n.starts_with('{'));
        let key = if keyed {
            let v = ctx.params.get(key_i).map(|k| k.to_ascii_lowercase());
            key_i += 1;
            i += 2;
            v
        } else {
            i += 1;
            None
        };
        out.push(Step { name: bare(s), key });
    }
    out
}

/// What the keyed steps of a path resolved to.
#[derive(Default)]
pub(crate) struct Resolved {
    pub run: Option<ResultRow>,
    pub upr: Option<ResultRow>,
    pub tpr: Option<ResultRow>,
    pub report: Option<ResultRow>,
    pub task_id: Option<String>,
    /// An execution-scope item that has no stored result yet (a placeholder).
    pub scope_item: Option<Value>,
    /// The id of the innermost run or user processing result: the source whose
    /// `reprocessedRuns` a following step addresses.
    pub link_source: Option<String>,
    /// The innermost item (what a GET by key answers).
    pub last: Option<Value>,
}

fn not_found(what: &str, id: &str) -> ApiError {
    ApiError::NotFound(format!("{what} with id '{id}' was not found."))
}

async fn get_row(
    ctx: &Ctx,
    kind: &'static str,
    wf: &Resource,
    id: &str,
    what: &str,
) -> Result<ResultRow, ApiError> {
    ctx.state
        .store
        .get_result(ctx.tenant(), kind, id)
        .await?
        .filter(|r| r.workflow_id == wf.id)
        .ok_or_else(|| not_found(what, id))
}

fn tasks_of(doc: &Value) -> Vec<Value> {
    doc.get("tasks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn has_task(doc: &Value, id: &str) -> bool {
    tasks_of(doc).iter().any(|t| {
        t.get("id")
            .and_then(Value::as_str)
            .is_some_and(|x| x.eq_ignore_ascii_case(id))
    })
}

/// Resolve every keyed step; 404 when a key does not exist or does not belong where the path
/// puts it.
pub(crate) async fn resolve(
    ctx: &Ctx,
    wf: &Resource,
    steps: &[Step],
) -> Result<Resolved, ApiError> {
    let mut r = Resolved::default();
    let mut version: Option<Value> = None;
    for step in steps {
        let Some(key) = step.key.as_deref() else {
            continue;
        };
        match step.name.as_str() {
            "runs" => {
                let row = get_row(ctx, result_kinds::RUN, wf, key, "Run").await?;
                r.link_source = Some(row.id.clone());
                r.last = Some(row.doc.clone());
                r.run = Some(row);
            }
            "userProcessingResults" | "subjectProcessingResults" => {
                let what = if step.name == "userProcessingResults" {
                    "User processing result"
                } else {
                    "Subject processing result"
                };
                let row = get_row(ctx, result_kinds::USER, wf, key, what).await?;
                if r.run.as_ref().is_some_and(|run| run.id != row.run_id) {
                    return Err(not_found(what, key));
                }
                r.link_source = Some(row.id.clone());
                r.last = Some(row.doc.clone());
                r.upr = Some(row);
            }
            "executionScope" => {
                let stored = ctx
                    .state
                    .store
                    .get_result(ctx.tenant(), result_kinds::USER, key)
                    .await?
                    .filter(|row| row.workflow_id == wf.id);
                match stored {
                    Some(row) => {
                        r.link_source = Some(row.id.clone());
                        r.last = Some(row.doc.clone());
                        r.upr = Some(row);
                    }
                    None => {
                        let item = execution_scope(ctx, wf)
                            .await?
                            .into_iter()
                            .find(|v| id_of(v).eq_ignore_ascii_case(key))
                            .ok_or_else(|| not_found("User processing result", key))?;
                        r.link_source = Some(key.to_string());
                        r.last = Some(item.clone());
                        r.scope_item = Some(item);
                    }
                }
            }
            "taskProcessingResults" => {
                let row =
                    get_row(ctx, result_kinds::TASK, wf, key, "Task processing result").await?;
                let wrong = r.run.as_ref().is_some_and(|x| x.id != row.run_id)
                    || r.upr.as_ref().is_some_and(|x| x.id != row.user_result_id)
                    || r.task_id
                        .as_deref()
                        .is_some_and(|t| !t.eq_ignore_ascii_case(&row.task_id))
                    || r.report
                        .as_ref()
                        .is_some_and(|x| x.run_id != row.run_id || x.task_id != row.task_id);
                if wrong {
                    return Err(not_found("Task processing result", key));
                }
                r.last = Some(row.doc.clone());
                r.tpr = Some(row);
            }
            "taskReports" => {
                let row = get_row(ctx, result_kinds::REPORT, wf, key, "Task report").await?;
                r.last = Some(row.doc.clone());
                r.report = Some(row);
            }
            "versions" => {
                version = Some(crate::handlers::tasks::load_version(ctx, wf).await?);
            }
            "tasks" => {
                let owner = version.as_ref().unwrap_or(&wf.doc);
                if !has_task(owner, key) {
                    return Err(not_found("Task", key));
                }
                r.task_id = Some(key.to_string());
            }
            "reprocessedRuns" => {
                let source = r.link_source.clone().unwrap_or_default();
                let linked = ctx.state.store.linked_runs(ctx.tenant(), &source).await?;
                if !linked.iter().any(|l| l.eq_ignore_ascii_case(key)) {
                    return Err(not_found("Reprocessed run", key));
                }
                let row = get_row(ctx, result_kinds::RUN, wf, key, "Run").await?;
                r.link_source = Some(row.id.clone());
                r.last = Some(row.doc.clone());
                r.run = Some(row);
            }
            other => {
                return Err(ApiError::Internal(format!(
                    "no resolver for path step '{other}'"
                )))
            }
        }
    }
    Ok(r)
}

fn id_of(v: &Value) -> &str {
    v.get("id").and_then(Value::as_str).unwrap_or("")
}

/// A user processing result shown as a subject processing result.
fn as_subject_result(mut doc: Value) -> Value {
    let id = doc
        .get("subject")
        .and_then(|s| s.get("id"))
        .cloned()
        .unwrap_or(Value::Null);
    if let Some(m) = doc.as_object_mut() {
        m.insert(
            "subject".into(),
            json!({"@odata.type": DIRECTORY_OBJECT_SUBJECT, "directoryObject": {"id": id}}),
        );
        m.insert("subjectType".into(), json!("user"));
    }
    doc
}

/// The step naming the collection a list/count/summary addresses.
fn collection_step(steps: &[Step]) -> Option<&Step> {
    steps
        .iter()
        .rev()
        .find(|s| s.key.is_none() && !matches!(s.name.as_str(), "$count" | "$ref" | "summary"))
}

/// The query scoping the rows of a collection step.
struct Scoped {
    kind: &'static str,
    run_id: Option<String>,
    user_result_id: Option<String>,
    task_id: Option<String>,
    ids: Option<Vec<String>>,
    subject_view: bool,
}

async fn scoped(ctx: &Ctx, name: &str, r: &Resolved) -> Result<Scoped, ApiError> {
    let mut s = Scoped {
        kind: result_kinds::RUN,
        run_id: None,
        user_result_id: None,
        task_id: None,
        ids: None,
        subject_view: false,
    };
    match name {
        "runs" => {}
        "userProcessingResults" | "subjectProcessingResults" => {
            s.kind = result_kinds::USER;
            s.run_id = r.run.as_ref().map(|x| x.id.clone());
            s.subject_view = name == "subjectProcessingResults";
        }
        "taskProcessingResults" => {
            s.kind = result_kinds::TASK;
            s.run_id = r
                .run
                .as_ref()
                .map(|x| x.id.clone())
                .or_else(|| r.report.as_ref().map(|x| x.run_id.clone()));
            s.user_result_id = r.upr.as_ref().map(|x| x.id.clone());
            s.task_id = r
                .task_id
                .clone()
                .or_else(|| r.report.as_ref().map(|x| x.task_id.clone()));
        }
        "taskReports" => s.kind = result_kinds::REPORT,
        "reprocessedRuns" => {
            let source = r.link_source.clone().unwrap_or_default();
            s.ids = Some(ctx.state.store.linked_runs(ctx.tenant(), &source).await?);
        }
        other => {
            return Err(ApiError::Internal(format!(
                "no result collection '{other}'"
            )))
        }
    }
    Ok(s)
}

fn refuse_search(ctx: &Ctx) -> Result<(), ApiError> {
    if ctx.query.search.is_some() {
        return Err(ApiError::BadRequest {
            message: "$search is not supported on this collection; use $filter.".into(),
            target: Some("$search".into()),
        });
    }
    Ok(())
}

/// Expand `subject`, `task`, `taskDefinition` on request (task is already inline).
async fn present(ctx: &Ctx, mut doc: Value) -> Result<Value, ApiError> {
    if ctx.expands("subject") {
        if let Some(id) = doc
            .get("subject")
            .and_then(|s| s.get("id"))
            .and_then(Value::as_str)
            .map(str::to_string)
        {
            doc["subject"] = subject_user(ctx, &id).await?;
        }
    }
    if ctx.expands("taskDefinition") {
        if let Some(id) = doc
            .get("taskDefinition")
            .and_then(|s| s.get("id"))
            .and_then(Value::as_str)
        {
            doc["taskDefinition"] = definition(id);
        }
    }
    Ok(doc)
}

async fn subject_user(ctx: &Ctx, id: &str) -> Result<Value, ApiError> {
    Ok(match ctx.state.store.get_user(ctx.tenant(), id).await? {
        Some(u) => u.doc,
        None => json!({ "id": id }),
    })
}

fn definition(id: &str) -> Value {
    model::catalog::task_definition(id)
        .cloned()
        .unwrap_or_else(|| json!({ "id": id }))
}

// ---- collections, items, counts ----

/// `GET .../{collection}`: a page of runs / results / reports, in SQL.
pub async fn list_results_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.check_query()?;
    refuse_search(&ctx)?;
    let wf = load_workflow(&ctx).await?;
    let steps = steps(&ctx);
    let r = resolve(&ctx, &wf, &steps).await?;
    let name = collection_step(&steps)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let s = scoped(&ctx, &name, &r).await?;
    let (skip, page) = ctx.page_window()?;
    let q = ResultQuery {
        kind: s.kind,
        workflow_id: Some(&wf.id),
        run_id: s.run_id.as_deref(),
        user_result_id: s.user_result_id.as_deref(),
        task_id: s.task_id.as_deref(),
        subject_id: None,
        ids: s.ids.as_deref(),
        user_result_ids: None,
        filter: ctx.query.filter.as_ref(),
        orderby: &ctx.query.orderby,
        top: page,
        skip,
        count: ctx.query.count,
    };
    let (rows, total, more) = ctx.state.store.list_results(ctx.tenant(), &q).await?;
    let mut docs = Vec::with_capacity(rows.len());
    for row in rows {
        let doc = if s.subject_view {
            as_subject_result(row.doc)
        } else {
            row.doc
        };
        docs.push(present(&ctx, doc).await?);
    }
    let ty = route_type(&ctx);
    ctx.collection_page(ty, docs, total, more.then_some(skip.saturating_add(page)))
}

fn route_type(ctx: &Ctx) -> &'static str {
    match ctx.route.op.shape {
        crate::ops::Shape::Collection(t) | crate::ops::Shape::Entity(t) => t,
        _ => "",
    }
}

/// `GET .../{collection}/$count`.
pub async fn count_results_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.check_query()?;
    refuse_search(&ctx)?;
    let wf = load_workflow(&ctx).await?;
    let steps = steps(&ctx);
    let r = resolve(&ctx, &wf, &steps).await?;
    let name = collection_step(&steps)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let s = scoped(&ctx, &name, &r).await?;
    let q = ResultQuery {
        kind: s.kind,
        workflow_id: Some(&wf.id),
        run_id: s.run_id.as_deref(),
        user_result_id: s.user_result_id.as_deref(),
        task_id: s.task_id.as_deref(),
        subject_id: None,
        ids: s.ids.as_deref(),
        user_result_ids: None,
        filter: ctx.query.filter.as_ref(),
        orderby: &[],
        top: 0,
        skip: 0,
        count: true,
    };
    let (_, total, _) = ctx.state.store.list_results(ctx.tenant(), &q).await?;
    Ok(Reply::Count(total.unwrap_or(0)))
}

/// `GET .../{collection}/{id}`: the innermost keyed item.
pub async fn get_result_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let wf = load_workflow(&ctx).await?;
    let steps = steps(&ctx);
    let r = resolve(&ctx, &wf, &steps).await?;
    let doc = r.last.unwrap_or(Value::Null);
    let subject_view = steps
        .last()
        .is_some_and(|s| s.name == "subjectProcessingResults");
    let doc = if subject_view {
        as_subject_result(doc)
    } else {
        doc
    };
    let doc = present(&ctx, doc).await?;
    ctx.entity(doc)
}

/// `GET .../{result}/subject`: the directory user (a stub when the user is gone).
pub async fn get_subject_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let wf = load_workflow(&ctx).await?;
    let steps = steps(&ctx);
    let r = resolve(&ctx, &wf, &steps).await?;
    let id = r
        .tpr
        .as_ref()
        .or(r.upr.as_ref())
        .map(|x| x.subject_id.clone())
        .unwrap_or_default();
    let user = subject_user(&ctx, &id).await?;
    ctx.entity(user)
}

/// `GET .../{taskProcessingResult|taskReport}/task`: the task as it was when processed.
pub async fn get_result_task_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let wf = load_workflow(&ctx).await?;
    let steps = steps(&ctx);
    let r = resolve(&ctx, &wf, &steps).await?;
    let task = r
        .tpr
        .as_ref()
        .or(r.report.as_ref())
        .and_then(|x| x.doc.get("task").cloned())
        .unwrap_or(Value::Null);
    if task.is_null() {
        return Err(ApiError::NotFound("The result has no task.".into()));
    }
    ctx.entity(task)
}

/// `GET .../taskReports/{id}/taskDefinition`.
pub async fn get_report_definition_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let wf = load_workflow(&ctx).await?;
    let steps = steps(&ctx);
    let r = resolve(&ctx, &wf, &steps).await?;
    let id = r
        .report
        .as_ref()
        .map(|x| x.task_definition_id.clone())
        .unwrap_or_default();
    ctx.entity(definition(&id))
}

// ---- reprocessedRuns references ----

/// `GET .../reprocessedRuns/$ref`: the links as `@odata.id`s.
pub async fn list_reprocessed_refs_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let wf = load_workflow(&ctx).await?;
    let steps = steps(&ctx);
    let r = resolve(&ctx, &wf, &steps).await?;
    let source = r.link_source.unwrap_or_default();
    let ids = ctx.state.store.linked_runs(ctx.tenant(), &source).await?;
    let value: Vec<Value> = ids
        .iter()
        .map(|id| {
            json!({"@odata.id": format!(
                "{}/identityGovernance/lifecycleWorkflows/workflows/{}/runs/{id}",
                ctx.base, wf.id
            )})
        })
        .collect();
    Ok(Reply::Json(
        axum::http::StatusCode::OK,
        json!({
            "@odata.context": format!("{}/$metadata#Collection($ref)", ctx.base),
            "value": value,
        }),
    ))
}

/// `DELETE .../reprocessedRuns/{run-id}/$ref`: drop the link, never the run. Allowed on
/// deleted workflows.
pub async fn delete_reprocessed_ref_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let wf = load_workflow(&ctx).await?;
    let steps = steps(&ctx);
    // Resolve the path up to (not including) the last reprocessedRuns step: that step names
    // the link to drop.
    let Some(pos) = steps.iter().rposition(|s| s.name == "reprocessedRuns") else {
        return Err(ApiError::Internal("no reprocessedRuns step".into()));
    };
    let (parents, rest) = steps.split_at(pos);
    let r = resolve(&ctx, &wf, parents).await?;
    let source = r.link_source.unwrap_or_default();
    let run_id = rest.first().and_then(|s| s.key.clone()).unwrap_or_default();
    let removed = ctx
        .state
        .store
        .unlink_run(ctx.tenant(), &source, &run_id)
        .await?;
    if !removed {
        return Err(ApiError::NotFound(format!(
            "Run '{run_id}' is not a reprocessed run of '{source}'."
        )));
    }
    Ok(Reply::NoContent)
}

// ---- summaries ----

/// `startDateTime`/`endDateTime` of a summary or insights function, as fixed-width UTC.
pub(crate) fn window(ctx: &Ctx) -> Result<(String, String), ApiError> {
    let names = ["startDateTime", "endDateTime"];
    let args = ctx.function_args.as_deref().unwrap_or("");
    let params = odata::parse_function_params(args, &names).map_err(|e| {
        let target = match &e {
            odata::FunctionParamError::Missing { name }
            | odata::FunctionParamError::Duplicate { name } => Some(name.clone()),
            _ => None,
        };
        ApiError::BadRequest {
            message: format!("Invalid function parameters: {e}."),
            target,
        }
    })?;
    let mut out = Vec::new();
    for (name, v) in params {
        let dt = odata::parse_datetime_param(&v).map_err(|e| ApiError::BadRequest {
            message: format!("Invalid value for function parameter '{name}': {e}."),
            target: Some(name.clone()),
        })?;
        out.push(dt);
    }
    let (Some(start), Some(end)) = (out.first().copied(), out.get(1).copied()) else {
        return Err(ApiError::bad_request(
            "The parameters 'startDateTime' and 'endDateTime' are required.",
        ));
    };
    if end < start {
        return Err(ApiError::BadRequest {
            message: "'endDateTime' must not be before 'startDateTime'.".into(),
            target: Some("endDateTime".into()),
        });
    }
    let fixed = |d: chrono::DateTime<chrono::Utc>| {
        store::fixed_ts(&d.to_rfc3339()).unwrap_or_else(|| d.to_rfc3339())
    };
    Ok((fixed(start), fixed(end)))
}

/// Status tallies of one kind of result in a window.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Tally {
    pub total: i64,
    pub completed: i64,
    /// `failed` and `completedWithErrors`.
    pub failed: i64,
    /// Neither completed nor failed (queued, in progress, canceled, ...).
    pub other: i64,
    pub tasks: i64,
    pub failed_tasks: i64,
}

impl Tally {
    pub fn add(&mut self, o: Tally) {
        self.total += o.total;
        self.completed += o.completed;
        self.failed += o.failed;
        self.other += o.other;
        self.tasks += o.tasks;
        self.failed_tasks += o.failed_tasks;
    }
}

pub(crate) async fn tally(
    ctx: &Ctx,
    kind: &'static str,
    workflow_id: Option<&str>,
    run_id: Option<&str>,
    from: &str,
    to: &str,
) -> Result<Tally, ApiError> {
    let rows = ctx
        .state
        .store
        .result_status_counts(ctx.tenant(), kind, workflow_id, run_id, from, to)
        .await?;
    let mut t = Tally::default();
    for (status, n, tasks, failed_tasks) in rows {
        t.total += n;
        t.tasks += tasks;
        t.failed_tasks += failed_tasks;
        match status.as_str() {
            "completed" => t.completed += n,
            "failed" | "completedWithErrors" => t.failed += n,
            _ => t.other += n,
        }
    }
    Ok(t)
}

pub(crate) fn function_result(ctx: &Ctx, type_name: &str, mut body: Value) -> Reply {
    model::render(
        &format!("{NS}{type_name}"),
        &mut body,
        ctx.include_evolvable,
    );
    let mut out = Map::new();
    out.insert(
        "@odata.context".into(),
        Value::String(format!("{}/$metadata#{NS}{type_name}", ctx.base)),
    );
    if let Value::Object(m) = body {
        out.extend(m);
    }
    Reply::Json(axum::http::StatusCode::OK, Value::Object(out))
}

/// `GET .../{runs|userProcessingResults|subjectProcessingResults|taskReports}/summary(...)`.
pub async fn summary_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let wf = load_workflow(&ctx).await?;
    let (from, to) = window(&ctx)?;
    let steps = steps(&ctx);
    let r = resolve(&ctx, &wf, &steps).await?;
    let run_id = r.run.as_ref().map(|x| x.id.clone());
    let name = collection_step(&steps)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let wf_id = Some(wf.id.as_str());
    Ok(match name.as_str() {
        "runs" => {
            let runs = tally(&ctx, result_kinds::RUN, wf_id, None, &from, &to).await?;
            let users = tally(&ctx, result_kinds::USER, wf_id, None, &from, &to).await?;
            function_result(
                &ctx,
                "runSummary",
                json!({
                    "totalRuns": runs.total,
                    "successfulRuns": runs.completed,
                    "failedRuns": runs.failed,
                    "totalUsers": users.total,
                    "totalTasks": runs.tasks,
                    "failedTasks": runs.failed_tasks,
                }),
            )
        }
        "userProcessingResults" => {
            let u = tally(
                &ctx,
                result_kinds::USER,
                wf_id,
                run_id.as_deref(),
                &from,
                &to,
            )
            .await?;
            function_result(
                &ctx,
                "userSummary",
                json!({
                    "totalUsers": u.total,
                    "successfulUsers": u.completed,
                    "failedUsers": u.failed,
                    "totalTasks": u.tasks,
                    "failedTasks": u.failed_tasks,
                }),
            )
        }
        "subjectProcessingResults" => {
            let u = tally(
                &ctx,
                result_kinds::USER,
                wf_id,
                run_id.as_deref(),
                &from,
                &to,
            )
            .await?;
            function_result(
                &ctx,
                "subjectSummary",
                json!({
                    "totalSubjects": u.total,
                    "successfulSubjects": u.completed,
                    "failedSubjects": u.failed,
                    "totalTasks": u.tasks,
                    "failedTasks": u.failed_tasks,
                }),
            )
        }
        "taskReports" => {
            let t = tally(&ctx, result_kinds::REPORT, wf_id, None, &from, &to).await?;
            function_result(
                &ctx,
                "taskReportSummary",
                json!({
                    "totalTasks": t.total,
                    "successfulTasks": t.completed,
                    "failedTasks": t.failed,
                    "unprocessedTasks": t.other,
                }),
            )
        }
        other => {
            return Err(ApiError::Internal(format!(
                "no summary for collection '{other}'"
            )))
        }
    })
}

// ---- execution scope and preview scope ----

async fn execution_scope(ctx: &Ctx, wf: &Resource) -> Result<Vec<Value>, ApiError> {
    Ok(ctx
        .state
        .engine
        .execution_scope(ctx.tenant(), &wf.doc)
        .await?)
}

pub async fn list_execution_scope_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let wf = load_workflow(&ctx).await?;
    let items = execution_scope(&ctx, &wf).await?;
    let mut out = Vec::with_capacity(items.len());
    for v in items {
        out.push(present(&ctx, v).await?);
    }
    ctx.collection(out)
}

pub async fn count_execution_scope_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let wf = load_workflow(&ctx).await?;
    let items = execution_scope(&ctx, &wf).await?;
    ctx.count(&items)
}

pub async fn get_execution_scope_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let wf = load_workflow(&ctx).await?;
    let id = ctx.param(1)?.to_ascii_lowercase();
    let item = execution_scope(&ctx, &wf)
        .await?
        .into_iter()
        .find(|v| id_of(v).eq_ignore_ascii_case(&id))
        .ok_or_else(|| not_found("User processing result", &id))?;
    let item = present(&ctx, item).await?;
    ctx.entity(item)
}

async fn preview_scope(ctx: &Ctx) -> Result<Vec<Value>, ApiError> {
    let wf = load_workflow(ctx).await?;
    let users = ctx.state.engine.scope_users(ctx.tenant(), &wf.doc).await?;
    Ok(users
        .into_iter()
        .map(|mut u| {
            if let Some(m) = u.as_object_mut() {
                m.insert("@odata.type".into(), json!(USER_TYPE));
            }
            u
        })
        .collect())
}

pub async fn list_preview_scope_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = preview_scope(&ctx).await?;
    ctx.collection(items)
}

pub async fn count_preview_scope_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = preview_scope(&ctx).await?;
    ctx.count(&items)
}

pub async fn get_preview_scope_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = preview_scope(&ctx).await?;
    let id = ctx.param(1)?.to_string();
    let item = items
        .into_iter()
        .find(|v| id_of(v).eq_ignore_ascii_case(&id))
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "Directory object '{id}' is not in the preview scope."
            ))
        })?;
    ctx.entity(item)
}

/// Rows of one kind for a workflow (engine-sized listings for actions and insights).
pub(crate) async fn all_rows(
    ctx: &Ctx,
    kind: &'static str,
    workflow_id: Option<&str>,
    run_id: Option<&str>,
    user_result_id: Option<&str>,
) -> Result<Vec<ResultRow>, ApiError> {
    let q = ResultQuery {
        kind,
        workflow_id,
        run_id,
        user_result_id,
        top: 1_000_000,
        ..Default::default()
    };
    Ok(ctx.state.store.list_results(ctx.tenant(), &q).await?.0)
}
