//! `/workflows` and `/deletedItems/workflows`: create, read, change, soft delete, restore,
//! purge and version workflows.

use serde_json::{json, Value};
use store::{kinds, Resource, Write};

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;
use crate::handlers::resolve_user_stub;
use crate::routing::Scope;

const WORKFLOW: &str = model::types::WORKFLOW;
const ENTITY_CONTEXT: &str = "identityGovernance/lifecycleWorkflows/workflows/$entity";

pub(crate) fn workflow_not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("Workflow with id '{id}' was not found."))
}

/// The workflow named by the path, live or deleted as the route's scope says.
pub(crate) async fn load_workflow(ctx: &Ctx) -> Result<Resource, ApiError> {
    let id = ctx.param(0)?.to_ascii_lowercase();
    let found = ctx
        .state
        .store
        .get(ctx.tenant(), kinds::WORKFLOW, &id)
        .await?;
    match found {
        Some(r) if (ctx.scope() == Scope::Deleted) == r.deleted_at.is_some() => Ok(r),
        _ => Err(workflow_not_found(&id)),
    }
}

/// Writes other than restore and purge are refused on deleted workflows.
pub(crate) async fn load_live_workflow_for_write(ctx: &Ctx) -> Result<Resource, ApiError> {
    if ctx.scope() == Scope::Deleted {
        load_workflow(ctx).await?;
        return Err(ApiError::bad_request(
            "The workflow is deleted; restore it before changing it.",
        ));
    }
    load_workflow(ctx).await
}

/// Apply `steps` (which add or revive one live resource of `kind`) unless the tenant already
/// holds `max` live ones; the check runs inside the write's transaction.
pub(crate) async fn write_within_limit(
    ctx: &Ctx,
    kind: &'static str,
    max: usize,
    steps: Vec<Write>,
) -> Result<(), ApiError> {
    let mut all = vec![Write::Limit {
        kind,
        max: max as i64,
    }];
    all.extend(steps);
    Ok(ctx.state.store.write(ctx.tenant(), all).await?)
}

pub(crate) fn version_id(workflow_id: &str, n: i64) -> String {
    format!("{workflow_id}:{n}")
}

pub(crate) fn version_resource(store: &store::Store, workflow_id: &str, wf: &Value) -> Resource {
    let n = wf.get("version").and_then(Value::as_i64).unwrap_or(1);
    Resource {
        kind: kinds::WORKFLOW_VERSION,
        id: version_id(workflow_id, n),
        parent_id: workflow_id.to_string(),
        deleted_at: None,
        seq: store.next_seq(),
        doc: model::workflow::version_snapshot(wf),
    }
}

fn tasks_context(ctx: &Ctx, id: &str) -> String {
    format!(
        "{}/$metadata#identityGovernance/lifecycleWorkflows/workflows('{id}')/tasks",
        ctx.base
    )
}

/// The workflow as GET returns it: tasks inline (with their context), navigations expanded on
/// request.
async fn present(ctx: &Ctx, mut doc: Value, with_tasks: bool) -> Result<Value, ApiError> {
    let id = doc
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Some(m) = doc.as_object_mut() {
        if with_tasks || ctx.expands("tasks") {
            let tasks = m.remove("tasks").unwrap_or(json!([]));
            m.insert(
                "tasks@odata.context".into(),
                Value::String(tasks_context(ctx, &id)),
            );
            m.insert("tasks".into(), tasks);
        } else {
            m.remove("tasks");
        }
    }
    for nav in ["createdBy", "lastModifiedBy"] {
        if ctx.expands(nav) {
            let stub = doc.get(nav).cloned().unwrap_or(Value::Null);
            doc[nav] = resolve_user_stub(ctx, &stub).await?;
        }
    }
    if ctx.expands("administrationScopeTargets") {
        doc["administrationScopeTargets"] = json!([]);
    }
    if ctx.expands("versions") {
        let versions = ctx
            .state
            .store
            .list(ctx.tenant(), kinds::WORKFLOW_VERSION, Some(&id))
            .await?;
        doc["versions"] = Value::Array(versions.into_iter().map(|v| v.doc).collect());
    }
    Ok(doc)
}

async fn workflows_in(ctx: &Ctx, deleted: bool) -> Result<Vec<Value>, ApiError> {
    let all = ctx
        .state
        .store
        .list(ctx.tenant(), kinds::WORKFLOW, None)
        .await?;
    let mut out = Vec::new();
    for r in all
        .into_iter()
        .filter(|r| r.deleted_at.is_some() == deleted)
    {
        out.push(present(ctx, r.doc, false).await?);
    }
    Ok(out)
}

pub async fn list_workflows_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = workflows_in(&ctx, false).await?;
    ctx.collection(items)
}

pub async fn list_deleted_workflows_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = workflows_in(&ctx, true).await?;
    ctx.collection(items)
}

pub async fn count_workflows_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = workflows_in(&ctx, false).await?;
    ctx.count(&items)
}

pub async fn count_deleted_workflows_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = workflows_in(&ctx, true).await?;
    ctx.count(&items)
}

/// Custom task extensions referenced by tasks must exist in the tenant.
pub(crate) async fn check_references(ctx: &Ctx, wf: &Value) -> Result<(), ApiError> {
    let tasks = wf
        .get("tasks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, t) in tasks.iter().enumerate() {
        let def = t
            .get("taskDefinitionId")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !def.eq_ignore_ascii_case(model::catalog::ids::RUN_CUSTOM_TASK_EXTENSION) {
            continue;
        }
        let ext_id = t
            .get("arguments")
            .and_then(Value::as_array)
            .and_then(|a| {
                a.iter().find(|x| {
                    x.get("name").and_then(Value::as_str) == Some("customTaskExtensionID")
                })
            })
            .and_then(|x| x.get("value").and_then(Value::as_str))
            .unwrap_or("");
        let found = ctx
            .state
            .store
            .get(
                ctx.tenant(),
                kinds::CUSTOM_TASK_EXTENSION,
                &ext_id.to_ascii_lowercase(),
            )
            .await?;
        if found.is_none() {
            return Err(ApiError::BadRequest {
                message: format!("Invalid value for 'tasks[{i}].arguments': custom task extension '{ext_id}' does not exist."),
                target: Some(format!("tasks[{i}].arguments")),
            });
        }
    }
    Ok(())
}

pub async fn create_workflow_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let body = ctx.json_body()?;
    let wf = model::workflow::new_workflow(&body, ctx.now(), &ctx.actor())?;
    check_references(&ctx, &wf).await?;
    let id = wf
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let store = &ctx.state.store;
    if store
        .get(ctx.tenant(), kinds::WORKFLOW, &id)
        .await?
        .is_some()
    {
        return Err(ApiError::Conflict(format!(
            "A workflow with id '{id}' already exists."
        )));
    }
    let version = version_resource(store, &id, &wf);
    write_within_limit(
        &ctx,
        kinds::WORKFLOW,
        model::workflow::MAX_WORKFLOWS_PER_TENANT,
        vec![
            Write::Put(Resource {
                kind: kinds::WORKFLOW,
                id: id.clone(),
                parent_id: String::new(),
                deleted_at: None,
                seq: store.next_seq(),
                doc: wf.clone(),
            }),
            Write::Put(version),
        ],
    )
    .await?;
    let shown = present(&ctx, wf, true).await?;
    Ok(ctx.created(WORKFLOW, shown, ENTITY_CONTEXT))
}

pub async fn get_workflow_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_workflow(&ctx).await?;
    let doc = present(&ctx, r.doc, true).await?;
    ctx.entity(doc)
}

pub async fn update_workflow_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_workflow(&ctx).await?;
    let body = ctx.json_body()?;
    let updated = model::workflow::patch_workflow(&r.doc, &body, ctx.now(), &ctx.actor())?;
    let store = &ctx.state.store;
    // The current version's snapshot shows the same basic properties.
    let n = updated.get("version").and_then(Value::as_i64).unwrap_or(1);
    let mut steps = vec![Write::Put(Resource {
        doc: updated.clone(),
        ..r.clone()
    })];
    if let Some(mut v) = store
        .get(ctx.tenant(), kinds::WORKFLOW_VERSION, &version_id(&r.id, n))
        .await?
    {
        for k in [
            "displayName",
            "description",
            "isEnabled",
            "isSchedulingEnabled",
            "lastModifiedDateTime",
            "lastModifiedBy",
        ] {
            if let Some(val) = updated.get(k) {
                v.doc[k] = val.clone();
            }
        }
        steps.push(Write::Put(v));
    }
    store.write(ctx.tenant(), steps).await?;
    Ok(Reply::NoContent)
}

pub async fn delete_workflow_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let mut r = load_workflow(&ctx).await?;
    let now = ctx.now();
    r.doc["deletedDateTime"] = json!(model::time::format_datetime(now));
    r.deleted_at = Some(now.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string());
    ctx.state
        .store
        .write(ctx.tenant(), vec![Write::Put(r)])
        .await?;
    Ok(Reply::NoContent)
}

pub async fn purge_workflow_route(ctx: Ctx) -> Result<Reply, ApiError> {
    // Declared at `/deletedItems/workflows/{id}` (not a mirror), so the route's scope does not
    // say "deleted": only a soft-deleted workflow may be purged here, never a live one.
    let id = ctx.param(0)?.to_ascii_lowercase();
    let r = ctx
        .state
        .store
        .get(ctx.tenant(), kinds::WORKFLOW, &id)
        .await?
        .filter(|r| r.deleted_at.is_some())
        .ok_or_else(|| workflow_not_found(&id))?;
    ctx.state
        .store
        .purge_workflow(
            ctx.tenant(),
            kinds::WORKFLOW,
            kinds::WORKFLOW_VERSION,
            &r.id,
        )
        .await?;
    Ok(Reply::NoContent)
}

pub async fn restore_workflow_route(ctx: Ctx) -> Result<Reply, ApiError> {
    if ctx
        .optional_json_body()?
        .is_some_and(|b| b.as_object().is_some_and(|m| !m.is_empty()))
    {
        return Err(ApiError::bad_request("restore takes no request body."));
    }
    let mut r = load_workflow(&ctx).await?;
    if ctx.scope() == Scope::Active {
        return Err(ApiError::bad_request(format!(
            "Workflow '{}' is not deleted; only deleted workflows can be restored.",
            r.id
        )));
    }
    r.doc["deletedDateTime"] = Value::Null;
    r.deleted_at = None;
    write_within_limit(
        &ctx,
        kinds::WORKFLOW,
        model::workflow::MAX_WORKFLOWS_PER_TENANT,
        vec![Write::Put(r.clone())],
    )
    .await?;
    let shown = present(&ctx, r.doc, true).await?;
    Ok(ctx.action_entity(WORKFLOW, shown, ENTITY_CONTEXT))
}

pub async fn create_new_version_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_live_workflow_for_write(&ctx).await?;
    let body = ctx.json_body()?;
    let obj = body.as_object().cloned().unwrap_or_default();
    for k in obj.keys() {
        if k != "workflow" && !k.starts_with('@') {
            return Err(ApiError::BadRequest {
                message: format!("Property '{k}' is not a parameter of createNewVersion."),
                target: Some(k.clone()),
            });
        }
    }
    let new_def = obj
        .get("workflow")
        .filter(|v| v.is_object())
        .ok_or_else(|| ApiError::BadRequest {
            message: "The parameter 'workflow' is required.".into(),
            target: Some("workflow".into()),
        })?;
    let now = ctx.now();
    let next = model::workflow::next_version(&r.doc, new_def, now, &ctx.actor())?;
    check_references(&ctx, &next).await?;
    commit_new_version(&ctx, &r, next.clone(), now).await?;
    let shown = present(&ctx, next, true).await?;
    Ok(ctx.action_entity(WORKFLOW, shown, ENTITY_CONTEXT))
}

/// Store a new version of a workflow: the workflow, its snapshot, and the previous snapshot's
/// `lastModifiedDateTime` set to when it was superseded.
pub(crate) async fn commit_new_version(
    ctx: &Ctx,
    current: &Resource,
    next: Value,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ApiError> {
    let store = &ctx.state.store;
    let prev_n = current
        .doc
        .get("version")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let mut steps = vec![
        Write::Put(Resource {
            doc: next.clone(),
            ..current.clone()
        }),
        Write::Put(version_resource(store, &current.id, &next)),
    ];
    if let Some(mut prev) = store
        .get(
            ctx.tenant(),
            kinds::WORKFLOW_VERSION,
            &version_id(&current.id, prev_n),
        )
        .await?
    {
        prev.doc["lastModifiedDateTime"] = json!(model::time::format_datetime(now));
        steps.push(Write::Put(prev));
    }
    store.write(ctx.tenant(), steps).await?;
    Ok(())
}

async fn user_nav(ctx: Ctx, nav: &str) -> Result<Reply, ApiError> {
    let r = load_workflow(&ctx).await?;
    let stub = r.doc.get(nav).cloned().unwrap_or(Value::Null);
    let user = resolve_user_stub(&ctx, &stub).await?;
    if user.is_null() {
        return Err(ApiError::NotFound(format!("The workflow has no {nav}.")));
    }
    ctx.entity(user)
}

pub async fn get_workflow_created_by_route(ctx: Ctx) -> Result<Reply, ApiError> {
    user_nav(ctx, "createdBy").await
}

pub async fn get_workflow_last_modified_by_route(ctx: Ctx) -> Result<Reply, ApiError> {
    user_nav(ctx, "lastModifiedBy").await
}

/// Administrative-unit scoping is not supported, so every workflow (and version) has none;
/// the workflow (and version) must still exist.
async fn check_scope_target_owner(ctx: &Ctx) -> Result<(), ApiError> {
    let r = load_workflow(ctx).await?;
    if ctx.route.template.contains("/versions/") {
        crate::handlers::tasks::load_version(ctx, &r).await?;
    }
    Ok(())
}

pub async fn list_administration_scope_targets_route(ctx: Ctx) -> Result<Reply, ApiError> {
    check_scope_target_owner(&ctx).await?;
    ctx.collection(Vec::new())
}

pub async fn count_administration_scope_targets_route(ctx: Ctx) -> Result<Reply, ApiError> {
    check_scope_target_owner(&ctx).await?;
    ctx.count(&[])
}

pub async fn get_administration_scope_target_route(ctx: Ctx) -> Result<Reply, ApiError> {
    check_scope_target_owner(&ctx).await?;
    let id = ctx.params.last().cloned().unwrap_or_default();
    Err(ApiError::NotFound(format!(
        "Administration scope target '{id}' was not found."
    )))
}
