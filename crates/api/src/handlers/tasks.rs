//! Workflow tasks and workflow versions (with their task snapshots).
//!
//! Adding or removing a task changes what the workflow does, so lcw records it as a new
//! version, exactly as createNewVersion would; renaming a task (PATCH) does not.

use serde_json::{json, Value};
use store::{kinds, Resource, Write};

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;
use crate::handlers::resolve_user_stub;
use crate::handlers::workflows::{
    check_references, commit_new_version, load_live_workflow_for_write, load_workflow, version_id,
};

const TASK: &str = model::types::TASK;

fn tasks_of(doc: &Value) -> Vec<Value> {
    doc.get("tasks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn find_task(tasks: &[Value], id: &str) -> Result<Value, ApiError> {
    tasks
        .iter()
        .find(|t| {
            t.get("id")
                .and_then(Value::as_str)
                .is_some_and(|x| x.eq_ignore_ascii_case(id))
        })
        .cloned()
        .ok_or_else(|| ApiError::NotFound(format!("Task with id '{id}' was not found.")))
}

pub async fn list_tasks_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_workflow(&ctx).await?;
    ctx.collection(tasks_of(&r.doc))
}

pub async fn count_tasks_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_workflow(&ctx).await?;
    ctx.count(&tasks_of(&r.doc))
}

pub async fn get_task_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_workflow(&ctx).await?;
    let task = find_task(&tasks_of(&r.doc), ctx.param(1)?)?;
    ctx.entity(task)
}

fn resequence(tasks: &mut [Value]) {
    for (i, t) in tasks.iter_mut().enumerate() {
        t["executionSequence"] = json!(i + 1);
    }
}

pub async fn create_task_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_live_workflow_for_write(&ctx).await?;
    let body = ctx.json_body()?;
    let task = model::workflow::new_task(&r.doc, &body)?;
    let mut tasks = tasks_of(&r.doc);
    if tasks.len() >= model::workflow::MAX_TASKS_PER_WORKFLOW {
        return Err(ApiError::bad_request(format!(
            "A workflow can have at most {} tasks.",
            model::workflow::MAX_TASKS_PER_WORKFLOW
        )));
    }
    tasks.push(task);
    resequence(&mut tasks);
    check_references(&ctx, &json!({ "tasks": tasks })).await?;
    let created = tasks.last().cloned().unwrap_or(Value::Null);
    save_tasks_as_new_version(&ctx, &r, tasks).await?;
    let context = format!(
        "identityGovernance/lifecycleWorkflows/workflows('{}')/tasks/$entity",
        r.id
    );
    Ok(ctx.created(TASK, created, &context))
}

pub async fn delete_task_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_live_workflow_for_write(&ctx).await?;
    let id = ctx.param(1)?.to_string();
    let mut tasks = tasks_of(&r.doc);
    find_task(&tasks, &id)?;
    tasks.retain(|t| {
        !t.get("id")
            .and_then(Value::as_str)
            .is_some_and(|x| x.eq_ignore_ascii_case(&id))
    });
    if tasks.is_empty() {
        return Err(ApiError::bad_request(
            "A workflow needs at least one task; this is its last one.",
        ));
    }
    resequence(&mut tasks);
    save_tasks_as_new_version(&ctx, &r, tasks).await?;
    Ok(Reply::NoContent)
}

async fn save_tasks_as_new_version(
    ctx: &Ctx,
    r: &Resource,
    tasks: Vec<Value>,
) -> Result<(), ApiError> {
    let now = ctx.now();
    let mut next = r.doc.clone();
    next["tasks"] = Value::Array(tasks);
    next["version"] = json!(r.doc.get("version").and_then(Value::as_i64).unwrap_or(1) + 1);
    next["lastModifiedDateTime"] = json!(model::time::format_datetime(now));
    next["lastModifiedBy"] = json!({ "id": ctx.principal.object_id });
    commit_new_version(ctx, r, next, now).await
}

pub async fn update_task_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_live_workflow_for_write(&ctx).await?;
    let id = ctx.param(1)?.to_string();
    let mut tasks = tasks_of(&r.doc);
    let current = find_task(&tasks, &id)?;
    let body = ctx.json_body()?;
    let updated = model::workflow::patch_task(&current, &body)?;
    let same_id = |t: &Value| {
        t.get("id")
            .and_then(Value::as_str)
            .is_some_and(|x| x.eq_ignore_ascii_case(&id))
    };
    for t in tasks.iter_mut().filter(|t| same_id(t)) {
        *t = updated.clone();
    }
    let mut doc = r.doc.clone();
    doc["tasks"] = Value::Array(tasks);
    let store = &ctx.state.store;
    let mut steps = vec![Write::Put(Resource {
        doc: doc.clone(),
        ..r.clone()
    })];
    let n = doc.get("version").and_then(Value::as_i64).unwrap_or(1);
    if let Some(mut v) = store
        .get(ctx.tenant(), kinds::WORKFLOW_VERSION, &version_id(&r.id, n))
        .await?
    {
        v.doc["tasks"] = doc["tasks"].clone();
        steps.push(Write::Put(v));
    }
    store.write(ctx.tenant(), steps).await?;
    Ok(Reply::NoContent)
}

// ---- versions ----

pub(crate) async fn load_version(ctx: &Ctx, wf: &Resource) -> Result<Value, ApiError> {
    let raw = ctx.param(1)?;
    let n: i64 = raw.parse().map_err(|_| ApiError::BadRequest {
        message: format!("The version number '{raw}' is not an integer."),
        target: Some("versionNumber".into()),
    })?;
    ctx.state
        .store
        .get(
            ctx.tenant(),
            kinds::WORKFLOW_VERSION,
            &version_id(&wf.id, n),
        )
        .await?
        .map(|r| r.doc)
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "Version {n} of workflow '{}' was not found.",
                wf.id
            ))
        })
}

async fn versions_of(ctx: &Ctx) -> Result<Vec<Value>, ApiError> {
    let r = load_workflow(ctx).await?;
    let mut versions: Vec<Value> = ctx
        .state
        .store
        .list(ctx.tenant(), kinds::WORKFLOW_VERSION, Some(&r.id))
        .await?
        .into_iter()
        .map(|v| v.doc)
        .collect();
    versions.sort_by_key(|v| v.get("versionNumber").and_then(Value::as_i64).unwrap_or(0));
    Ok(versions)
}

async fn present_version(
    ctx: &Ctx,
    mut v: Value,
    wf_id: &str,
    with_tasks: bool,
) -> Result<Value, ApiError> {
    let n = v.get("versionNumber").and_then(Value::as_i64).unwrap_or(0);
    if let Some(m) = v.as_object_mut() {
        if with_tasks || ctx.expands("tasks") {
            let tasks = m.remove("tasks").unwrap_or(json!([]));
            m.insert(
                "tasks@odata.context".into(),
                json!(format!("{}/$metadata#identityGovernance/lifecycleWorkflows/workflows('{wf_id}')/versions({n})/tasks", ctx.base)),
            );
            m.insert("tasks".into(), tasks);
        } else {
            m.remove("tasks");
        }
    }
    for nav in ["createdBy", "lastModifiedBy"] {
        if ctx.expands(nav) {
            let stub = v.get(nav).cloned().unwrap_or(Value::Null);
            v[nav] = resolve_user_stub(ctx, &stub).await?;
        }
    }
    if ctx.expands("administrationScopeTargets") {
        v["administrationScopeTargets"] = json!([]);
    }
    Ok(v)
}

pub async fn list_versions_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let wf_id = ctx.param(0)?.to_ascii_lowercase();
    let mut out = Vec::new();
    for v in versions_of(&ctx).await? {
        out.push(present_version(&ctx, v, &wf_id, false).await?);
    }
    ctx.collection(out)
}

pub async fn count_versions_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let versions = versions_of(&ctx).await?;
    ctx.count(&versions)
}

pub async fn get_version_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_workflow(&ctx).await?;
    let v = load_version(&ctx, &r).await?;
    let shown = present_version(&ctx, v, &r.id, true).await?;
    ctx.entity(shown)
}

async fn version_user_nav(ctx: Ctx, nav: &str) -> Result<Reply, ApiError> {
    let r = load_workflow(&ctx).await?;
    let v = load_version(&ctx, &r).await?;
    let stub = v.get(nav).cloned().unwrap_or(Value::Null);
    let user = resolve_user_stub(&ctx, &stub).await?;
    if user.is_null() {
        return Err(ApiError::NotFound(format!("The version has no {nav}.")));
    }
    ctx.entity(user)
}

pub async fn get_version_created_by_route(ctx: Ctx) -> Result<Reply, ApiError> {
    version_user_nav(ctx, "createdBy").await
}

pub async fn get_version_last_modified_by_route(ctx: Ctx) -> Result<Reply, ApiError> {
    version_user_nav(ctx, "lastModifiedBy").await
}

pub async fn list_version_tasks_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_workflow(&ctx).await?;
    let v = load_version(&ctx, &r).await?;
    ctx.collection(tasks_of(&v))
}

pub async fn count_version_tasks_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_workflow(&ctx).await?;
    let v = load_version(&ctx, &r).await?;
    ctx.count(&tasks_of(&v))
}

pub async fn get_version_task_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_workflow(&ctx).await?;
    let v = load_version(&ctx, &r).await?;
    let task = find_task(&tasks_of(&v), ctx.param(2)?)?;
    ctx.entity(task)
}

/// Versions are the record of what ran; they never change after the fact.
pub async fn write_version_task_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_workflow(&ctx).await?;
    load_version(&ctx, &r).await?;
    Err(ApiError::bad_request(
        "Workflow versions are read-only snapshots; change the workflow's tasks instead, or create a new version with createNewVersion.",
    ))
}
