//! Run history below a workflow: runs, user and subject processing results, task processing
//! results, task reports, their summaries, `reprocessedRuns` links, `executionScope` and
//! `previewScope`.
//!
//! Every path is one [`ResultPath`]: the workflow and the `name/{key}` steps below it. Each
//! key is resolved to its row, checking that it belongs to the workflow and to the steps
//! before it; the last steps say what is answered. Result collections are paged, filtered,
//! ordered and counted by the store.

use serde_json::{json, Value};
use store::{result_kinds, Resource, ResultQuery, ResultRow};

use crate::tallies::{Tally, Window};
use crate::{Caller, Error, Result, Scope, Service};

/// One `name[/{key}]` step of a path below `/workflows/{workflow-id}`: `name` is the
/// navigation (`runs`, `userProcessingResults`, `summary`, `$count`...), `key` the id that
/// follows it, lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub name: String,
    pub key: Option<String>,
}

/// A path into a workflow's run history.
#[derive(Debug, Clone)]
pub struct ResultPath {
    pub workflow_id: String,
    pub scope: Scope,
    pub steps: Vec<Step>,
}

/// The navigations to expand inline on the results answered.
#[derive(Debug, Default, Clone, Copy)]
pub struct Expand {
    pub subject: bool,
    pub task_definition: bool,
}

/// Which page of a collection: `skip` results, then at most `top`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageWindow {
    pub skip: usize,
    pub top: usize,
}

/// The query options of a result collection.
#[derive(Debug)]
pub struct ResultListing<'a> {
    pub filter: Option<&'a odata::Expr>,
    pub orderby: &'a [odata::OrderBy],
    /// The page as the API read it, or why it could not (a bad `$skiptoken`): reported
    /// only once the path is found.
    pub page: Result<PageWindow>,
    pub count: bool,
    pub expand: Expand,
}

/// One page of a result collection.
#[derive(Debug, Clone)]
pub struct ResultPage {
    pub items: Vec<Value>,
    /// The number of matching results, when asked for.
    pub total: Option<i64>,
    /// Where the next page starts, when results follow this one.
    pub next_skip: Option<usize>,
}

/// The runs linked as reprocessing a run or user processing result.
#[derive(Debug, Clone)]
pub struct ReprocessedRuns {
    /// The workflow's id as stored.
    pub workflow_id: String,
    pub run_ids: Vec<String>,
}

/// The counts of a `summary(...)` function, by the collection it summarises.
#[derive(Debug, Clone, Copy)]
pub enum Summary {
    Runs { runs: Tally, users: Tally },
    UserProcessingResults(Tally),
    SubjectProcessingResults(Tally),
    TaskReports(Tally),
}

/// What the keyed steps of a path resolved to.
#[derive(Default)]
pub(crate) struct Resolved {
    pub run: Option<ResultRow>,
    pub upr: Option<ResultRow>,
    pub tpr: Option<ResultRow>,
    pub report: Option<ResultRow>,
    pub task_id: Option<String>,
    /// The id of the innermost run or user processing result: the source whose
    /// `reprocessedRuns` a following step addresses.
    pub link_source: Option<String>,
    /// The innermost item (what a GET by key answers).
    pub last: Option<Value>,
}

/// The step naming the collection a list, count or summary addresses.
pub fn collection_step(steps: &[Step]) -> Option<&Step> {
    steps
        .iter()
        .rev()
        .find(|s| s.key.is_none() && !matches!(s.name.as_str(), "$count" | "$ref" | "summary"))
}

fn not_found(what: &str, id: &str) -> Error {
    Error::NotFound(format!("{what} with id '{id}' was not found."))
}

fn id_of(v: &Value) -> &str {
    v.get("id").and_then(Value::as_str).unwrap_or("")
}

fn has_task(doc: &Value, id: &str) -> bool {
    doc.get("tasks")
        .and_then(Value::as_array)
        .is_some_and(|tasks| {
            tasks.iter().any(|t| {
                t.get("id")
                    .and_then(Value::as_str)
                    .is_some_and(|x| x.eq_ignore_ascii_case(id))
            })
        })
}

fn definition(id: &str) -> Value {
    model::catalog::task_definition(id)
        .cloned()
        .unwrap_or_else(|| json!({ "id": id }))
}

/// The rows a collection step addresses.
struct Scoped {
    kind: &'static str,
    run_id: Option<String>,
    user_result_id: Option<String>,
    task_id: Option<String>,
    ids: Option<Vec<String>>,
}

impl Service {
    async fn result_row(
        &self,
        caller: &Caller,
        kind: &'static str,
        wf: &Resource,
        id: &str,
        what: &str,
    ) -> Result<ResultRow> {
        self.store
            .get_result(&caller.tenant, kind, id)
            .await?
            .filter(|r| r.workflow_id == wf.id)
            .ok_or_else(|| not_found(what, id))
    }

    /// Resolve every keyed step; not found when a key does not exist or does not belong
    /// where the path puts it.
    pub(crate) async fn resolve(
        &self,
        caller: &Caller,
        wf: &Resource,
        steps: &[Step],
    ) -> Result<Resolved> {
        let mut r = Resolved::default();
        let mut version: Option<Value> = None;
        for step in steps {
            let Some(key) = step.key.as_deref() else {
                continue;
            };
            match step.name.as_str() {
                "runs" => {
                    let row = self
                        .result_row(caller, result_kinds::RUN, wf, key, "Run")
                        .await?;
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
                    let row = self
                        .result_row(caller, result_kinds::USER, wf, key, what)
                        .await?;
                    if r.run.as_ref().is_some_and(|run| run.id != row.run_id) {
                        return Err(not_found(what, key));
                    }
                    r.link_source = Some(row.id.clone());
                    r.last = Some(row.doc.clone());
                    r.upr = Some(row);
                }
                "executionScope" => {
                    let stored = self
                        .store
                        .get_result(&caller.tenant, result_kinds::USER, key)
                        .await?
                        .filter(|row| row.workflow_id == wf.id);
                    match stored {
                        Some(row) => {
                            r.link_source = Some(row.id.clone());
                            r.last = Some(row.doc.clone());
                            r.upr = Some(row);
                        }
                        None => {
                            // Not run yet: a placeholder of the execution scope.
                            let item = self
                                .engine
                                .execution_scope(&caller.tenant, &wf.doc)
                                .await?
                                .into_iter()
                                .find(|v| id_of(v).eq_ignore_ascii_case(key))
                                .ok_or_else(|| not_found("User processing result", key))?;
                            r.link_source = Some(key.to_string());
                            r.last = Some(item);
                        }
                    }
                }
                "taskProcessingResults" => {
                    let row = self
                        .result_row(
                            caller,
                            result_kinds::TASK,
                            wf,
                            key,
                            "Task processing result",
                        )
                        .await?;
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
                    let row = self
                        .result_row(caller, result_kinds::REPORT, wf, key, "Task report")
                        .await?;
                    r.last = Some(row.doc.clone());
                    r.report = Some(row);
                }
                "versions" => {
                    version = Some(self.load_version(caller, wf, key).await?);
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
                    let linked = self.store.linked_runs(&caller.tenant, &source).await?;
                    if !linked.iter().any(|l| l.eq_ignore_ascii_case(key)) {
                        return Err(not_found("Reprocessed run", key));
                    }
                    let row = self
                        .result_row(caller, result_kinds::RUN, wf, key, "Run")
                        .await?;
                    r.link_source = Some(row.id.clone());
                    r.last = Some(row.doc.clone());
                    r.run = Some(row);
                }
                other => {
                    return Err(Error::Internal(format!(
                        "no resolver for path step '{other}'"
                    )))
                }
            }
        }
        Ok(r)
    }

    /// The workflow of `path` and what its keyed steps resolve to.
    async fn resolve_path(
        &self,
        caller: &Caller,
        path: &ResultPath,
    ) -> Result<(Resource, Resolved)> {
        let wf = self
            .load_workflow(caller, &path.workflow_id, path.scope)
            .await?;
        let r = self.resolve(caller, &wf, &path.steps).await?;
        Ok((wf, r))
    }

    async fn scoped(&self, caller: &Caller, steps: &[Step], r: &Resolved) -> Result<Scoped> {
        let name = collection_step(steps)
            .map(|s| s.name.as_str())
            .unwrap_or_default();
        let mut s = Scoped {
            kind: result_kinds::RUN,
            run_id: None,
            user_result_id: None,
            task_id: None,
            ids: None,
        };
        match name {
            "runs" => {}
            "userProcessingResults" | "subjectProcessingResults" => {
                s.kind = result_kinds::USER;
                s.run_id = r.run.as_ref().map(|x| x.id.clone());
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
                s.ids = Some(self.store.linked_runs(&caller.tenant, &source).await?);
            }
            other => return Err(Error::Internal(format!("no result collection '{other}'"))),
        }
        Ok(s)
    }

    /// Expand `subject` and `taskDefinition` when asked (`task` is stored inline).
    async fn expanded(&self, caller: &Caller, mut doc: Value, expand: Expand) -> Result<Value> {
        if expand.subject {
            if let Some(id) = doc
                .get("subject")
                .and_then(|s| s.get("id"))
                .and_then(Value::as_str)
                .map(str::to_string)
            {
                doc["subject"] = self.subject_user(caller, &id).await?;
            }
        }
        if expand.task_definition {
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

    /// The directory user a result is about; a stub once the user is gone.
    async fn subject_user(&self, caller: &Caller, id: &str) -> Result<Value> {
        Ok(match self.store.get_user(&caller.tenant, id).await? {
            Some(u) => u.doc,
            None => json!({ "id": id }),
        })
    }

    /// A page of the runs, results or reports `path` addresses.
    pub async fn list_results(
        &self,
        caller: &Caller,
        path: &ResultPath,
        listing: ResultListing<'_>,
    ) -> Result<ResultPage> {
        let (wf, r) = self.resolve_path(caller, path).await?;
        let s = self.scoped(caller, &path.steps, &r).await?;
        let page = listing.page?;
        let q = ResultQuery {
            kind: s.kind,
            workflow_id: Some(&wf.id),
            run_id: s.run_id.as_deref(),
            user_result_id: s.user_result_id.as_deref(),
            task_id: s.task_id.as_deref(),
            subject_id: None,
            ids: s.ids.as_deref(),
            user_result_ids: None,
            filter: listing.filter,
            orderby: listing.orderby,
            top: page.top,
            skip: page.skip,
            count: listing.count,
        };
        let (rows, total, more) = self.store.list_results(&caller.tenant, &q).await?;
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            items.push(self.expanded(caller, row.doc, listing.expand).await?);
        }
        Ok(ResultPage {
            items,
            total,
            next_skip: more.then_some(page.skip.saturating_add(page.top)),
        })
    }

    /// How many runs, results or reports `path` addresses match `filter`.
    pub async fn count_results(
        &self,
        caller: &Caller,
        path: &ResultPath,
        filter: Option<&odata::Expr>,
    ) -> Result<i64> {
        let (wf, r) = self.resolve_path(caller, path).await?;
        let s = self.scoped(caller, &path.steps, &r).await?;
        let q = ResultQuery {
            kind: s.kind,
            workflow_id: Some(&wf.id),
            run_id: s.run_id.as_deref(),
            user_result_id: s.user_result_id.as_deref(),
            task_id: s.task_id.as_deref(),
            subject_id: None,
            ids: s.ids.as_deref(),
            user_result_ids: None,
            filter,
            orderby: &[],
            top: 0,
            skip: 0,
            count: true,
        };
        let (_, total, _) = self.store.list_results(&caller.tenant, &q).await?;
        Ok(total.unwrap_or(0))
    }

    /// The innermost keyed item of `path`.
    pub async fn get_result(
        &self,
        caller: &Caller,
        path: &ResultPath,
        expand: Expand,
    ) -> Result<Value> {
        let (_, r) = self.resolve_path(caller, path).await?;
        self.expanded(caller, r.last.unwrap_or(Value::Null), expand)
            .await
    }

    /// The directory user a user or task processing result is about.
    pub async fn result_subject(&self, caller: &Caller, path: &ResultPath) -> Result<Value> {
        let (_, r) = self.resolve_path(caller, path).await?;
        let id = r
            .tpr
            .as_ref()
            .or(r.upr.as_ref())
            .map(|x| x.subject_id.clone())
            .unwrap_or_default();
        self.subject_user(caller, &id).await
    }

    /// The task of a task processing result or report, as it was when processed.
    pub async fn result_task(&self, caller: &Caller, path: &ResultPath) -> Result<Value> {
        let (_, r) = self.resolve_path(caller, path).await?;
        r.tpr
            .as_ref()
            .or(r.report.as_ref())
            .and_then(|x| x.doc.get("task").cloned())
            .filter(|t| !t.is_null())
            .ok_or_else(|| Error::NotFound("The result has no task.".into()))
    }

    /// The task definition of a task report.
    pub async fn report_definition(&self, caller: &Caller, path: &ResultPath) -> Result<Value> {
        let (_, r) = self.resolve_path(caller, path).await?;
        let id = r
            .report
            .as_ref()
            .map(|x| x.task_definition_id.clone())
            .unwrap_or_default();
        Ok(definition(&id))
    }

    /// The runs linked as reprocessing the run or result `path` ends at.
    pub async fn reprocessed_runs(
        &self,
        caller: &Caller,
        path: &ResultPath,
    ) -> Result<ReprocessedRuns> {
        let (wf, r) = self.resolve_path(caller, path).await?;
        let source = r.link_source.unwrap_or_default();
        let run_ids = self.store.linked_runs(&caller.tenant, &source).await?;
        Ok(ReprocessedRuns {
            workflow_id: wf.id,
            run_ids,
        })
    }

    /// Drop the link the last `reprocessedRuns/{id}` step of `path` names, never the run.
    /// Allowed on deleted workflows: it changes history, not the workflow.
    pub async fn unlink_reprocessed_run(&self, caller: &Caller, path: &ResultPath) -> Result<()> {
        let wf = self
            .load_workflow(caller, &path.workflow_id, path.scope)
            .await?;
        let Some(pos) = path.steps.iter().rposition(|s| s.name == "reprocessedRuns") else {
            return Err(Error::Internal("no reprocessedRuns step".into()));
        };
        // The steps before the last reprocessedRuns name the link's source.
        let (parents, rest) = path.steps.split_at(pos);
        let r = self.resolve(caller, &wf, parents).await?;
        let source = r.link_source.unwrap_or_default();
        let run_id = rest.first().and_then(|s| s.key.clone()).unwrap_or_default();
        if !self
            .store
            .unlink_run(&caller.tenant, &source, &run_id)
            .await?
        {
            return Err(Error::NotFound(format!(
                "Run '{run_id}' is not a reprocessed run of '{source}'."
            )));
        }
        Ok(())
    }

    /// The `summary(startDateTime, endDateTime)` of the collection `path` addresses;
    /// `function_args` is the text between the function's parentheses.
    pub async fn summary(
        &self,
        caller: &Caller,
        path: &ResultPath,
        function_args: &str,
    ) -> Result<Summary> {
        let wf = self
            .load_workflow(caller, &path.workflow_id, path.scope)
            .await?;
        let window = Window::parse(function_args)?;
        let r = self.resolve(caller, &wf, &path.steps).await?;
        let run_id = r.run.as_ref().map(|x| x.id.as_str());
        let wf_id = Some(wf.id.as_str());
        let name = collection_step(&path.steps)
            .map(|s| s.name.as_str())
            .unwrap_or_default();
        Ok(match name {
            "runs" => Summary::Runs {
                runs: self
                    .tally(caller, result_kinds::RUN, wf_id, None, &window)
                    .await?,
                users: self
                    .tally(caller, result_kinds::USER, wf_id, None, &window)
                    .await?,
            },
            "userProcessingResults" => Summary::UserProcessingResults(
                self.tally(caller, result_kinds::USER, wf_id, run_id, &window)
                    .await?,
            ),
            "subjectProcessingResults" => Summary::SubjectProcessingResults(
                self.tally(caller, result_kinds::USER, wf_id, run_id, &window)
                    .await?,
            ),
            "taskReports" => {
                Summary::TaskReports(self.task_result_tally(caller, &wf.id, &window).await?)
            }
            other => {
                return Err(Error::Internal(format!(
                    "no summary for collection '{other}'"
                )))
            }
        })
    }

    /// The users the workflow would process now, as user processing results (stored ones
    /// for users already processed, placeholders for the others).
    pub async fn execution_scope(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        expand: Expand,
    ) -> Result<Vec<Value>> {
        let wf = self.load_workflow(caller, workflow_id, scope).await?;
        let items = self.engine.execution_scope(&caller.tenant, &wf.doc).await?;
        let mut out = Vec::with_capacity(items.len());
        for v in items {
            out.push(self.expanded(caller, v, expand).await?);
        }
        Ok(out)
    }

    /// One item of the execution scope.
    pub async fn execution_scope_item(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        id: &str,
        expand: Expand,
    ) -> Result<Value> {
        let wf = self.load_workflow(caller, workflow_id, scope).await?;
        let id = id.to_ascii_lowercase();
        let item = self
            .engine
            .execution_scope(&caller.tenant, &wf.doc)
            .await?
            .into_iter()
            .find(|v| id_of(v).eq_ignore_ascii_case(&id))
            .ok_or_else(|| not_found("User processing result", &id))?;
        self.expanded(caller, item, expand).await
    }

    /// The directory users the workflow's execution conditions select today.
    pub async fn preview_scope(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
    ) -> Result<Vec<Value>> {
        let wf = self.load_workflow(caller, workflow_id, scope).await?;
        Ok(self.engine.scope_users(&caller.tenant, &wf.doc).await?)
    }

    /// One user of the preview scope.
    pub async fn preview_scope_user(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        id: &str,
    ) -> Result<Value> {
        self.preview_scope(caller, workflow_id, scope)
            .await?
            .into_iter()
            .find(|v| id_of(v).eq_ignore_ascii_case(id))
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "Directory object '{id}' is not in the preview scope."
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(name: &str, key: Option<&str>) -> Step {
        Step {
            name: name.into(),
            key: key.map(str::to_string),
        }
    }

    #[test]
    fn the_collection_is_the_last_unkeyed_navigation() {
        let steps = [
            step("runs", Some("r1")),
            step("userProcessingResults", None),
            step("summary", None),
        ];
        assert_eq!(
            collection_step(&steps).map(|s| s.name.as_str()),
            Some("userProcessingResults")
        );
        let counted = [step("taskReports", None), step("$count", None)];
        assert_eq!(
            collection_step(&counted).map(|s| s.name.as_str()),
            Some("taskReports")
        );
        assert!(collection_step(&[step("runs", Some("r1"))]).is_none());
    }

    #[test]
    fn tasks_are_matched_case_insensitively() {
        let wf = json!({"tasks": [{"id": "AbC"}]});
        assert!(has_task(&wf, "abc"));
        assert!(!has_task(&wf, "abd"));
        assert!(!has_task(&json!({}), "abc"));
    }
}
