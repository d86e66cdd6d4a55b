//! A minimal entitlement management under `/identityGovernance/entitlementManagement`:
//! enough for the access package tasks of Lifecycle Workflows to do real, checkable work.
//!
//! * `accessPackages` and `assignmentPolicies`: list, get, create, delete (no update; a
//!   package or policy in use by an assignment cannot be deleted).
//! * `assignments`: list and get; they change only through requests.
//! * `assignmentRequests`: list, get, create (`adminAdd`: delivered at once with a new
//!   assignment, or `pendingApproval` when the policy's `requestApprovalSettings` require
//!   approval; `adminRemove`: the assignment goes at once), and `cancel` of a pending one.
//!
//! Navigation properties (`accessPackage`, `assignmentPolicy`, `target`, `requestor`,
//! `assignment`) can be `$expand`ed and filtered on (`target/objectId eq '...'`,
//! `accessPackage/id eq '...'`); unexpanded they are left out, as Graph does.

use std::collections::HashMap;

use serde_json::{json, Map, Value};
use store::{entitlement_kinds as kinds, AccessPackageEffect, AssignmentRow, RequestRow};
use store::{Resource, Write};

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;

const PACKAGE: &str = "microsoft.graph.accessPackage";
const POLICY: &str = "microsoft.graph.accessPackageAssignmentPolicy";
const REQUEST: &str = "microsoft.graph.accessPackageAssignmentRequest";
const ROOT: &str = "identityGovernance/entitlementManagement";

fn bad(property: &str, message: impl Into<String>) -> ApiError {
    ApiError::BadRequest {
        message: message.into(),
        target: Some(property.to_string()),
    }
}

fn now(ctx: &Ctx) -> String {
    model::time::format_datetime(ctx.now())
}

/// Check a create body: only `allowed` properties (plus read-only ones and annotations,
/// which are ignored); returns the allowed ones.
fn body_fields(
    body: &Value,
    ty: &str,
    allowed: &[&str],
    read_only: &[&str],
) -> Result<Map<String, Value>, ApiError> {
    let mut out = Map::new();
    for (k, v) in body.as_object().into_iter().flatten() {
        if allowed.contains(&k.as_str()) {
            out.insert(k.clone(), v.clone());
        } else if !(k.starts_with("@odata.") || read_only.contains(&k.as_str())) {
            return Err(bad(
                k,
                format!("Property '{k}' does not exist on type '{ty}'."),
            ));
        }
    }
    Ok(out)
}

fn string_field(
    fields: &Map<String, Value>,
    name: &str,
    required: bool,
) -> Result<Option<String>, ApiError> {
    match fields.get(name) {
        None | Some(Value::Null) if required => {
            Err(bad(name, format!("The property '{name}' is required.")))
        }
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if required && s.trim().is_empty() => {
            Err(bad(name, format!("The property '{name}' is required.")))
        }
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(bad(
            name,
            format!("Invalid value for '{name}': expected a string, got {other}."),
        )),
    }
}

/// After the collection envelope is built (filtered on the navigation stubs), drop the
/// navigations the caller did not `$expand`.
fn strip_navs(ctx: &Ctx, mut reply: Reply, navs: &[&str]) -> Reply {
    let drop: Vec<&str> = navs.iter().copied().filter(|n| !ctx.expands(n)).collect();
    let strip = |item: &mut Value| {
        if let Some(m) = item.as_object_mut() {
            for n in &drop {
                m.remove(*n);
            }
        }
    };
    if let Reply::Json(_, body) = &mut reply {
        match body.get_mut("value").and_then(Value::as_array_mut) {
            Some(items) => items.iter_mut().for_each(strip),
            None => strip(body),
        }
    }
    reply
}

// ---- access packages ----

async fn packages(ctx: &Ctx) -> Result<HashMap<String, Value>, ApiError> {
    Ok(ctx
        .state
        .store
        .list(ctx.tenant(), kinds::ACCESS_PACKAGE, None)
        .await?
        .into_iter()
        .map(|r| (r.id, r.doc))
        .collect())
}

async fn load_package(ctx: &Ctx, id: &str) -> Result<Resource, ApiError> {
    ctx.state
        .store
        .get(
            ctx.tenant(),
            kinds::ACCESS_PACKAGE,
            &id.to_ascii_lowercase(),
        )
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Access package '{id}' was not found.")))
}

async fn policies(ctx: &Ctx, package: Option<&str>) -> Result<Vec<Resource>, ApiError> {
    Ok(ctx
        .state
        .store
        .list(ctx.tenant(), kinds::ASSIGNMENT_POLICY, package)
        .await?)
}

async fn present_package(ctx: &Ctx, mut doc: Value) -> Result<Value, ApiError> {
    if ctx.expands("assignmentPolicies") {
        let id = doc
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let list: Vec<Value> = policies(ctx, Some(&id))
            .await?
            .into_iter()
            .map(|r| r.doc)
            .collect();
        doc["assignmentPolicies"] = Value::Array(list);
    }
    Ok(doc)
}

pub async fn list_access_packages_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let all = ctx
        .state
        .store
        .list(ctx.tenant(), kinds::ACCESS_PACKAGE, None)
        .await?;
    let mut items = Vec::with_capacity(all.len());
    for r in all {
        items.push(present_package(&ctx, r.doc).await?);
    }
    ctx.collection(items)
}

pub async fn get_access_package_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_package(&ctx, ctx.param(0)?).await?;
    let doc = present_package(&ctx, r.doc).await?;
    ctx.entity(doc)
}

pub async fn create_access_package_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let body = ctx.json_body()?;
    let f = body_fields(
        &body,
        PACKAGE,
        &[
            "displayName",
            "description",
            "isHidden",
            "catalog",
            "catalogId",
        ],
        &["id", "createdDateTime", "modifiedDateTime"],
    )?;
    let display_name = string_field(&f, "displayName", true)?;
    let description = string_field(&f, "description", false)?;
    let is_hidden = match f.get("isHidden") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(bad(
                "isHidden",
                format!("Invalid value for 'isHidden': expected true or false, got {other}."),
            ))
        }
    };
    let id = model::new_id();
    let at = now(&ctx);
    let doc = json!({
        "id": id,
        "displayName": display_name,
        "description": description,
        "isHidden": is_hidden,
        "createdDateTime": at,
        "modifiedDateTime": at,
    });
    let store = &ctx.state.store;
    store
        .write(
            ctx.tenant(),
            vec![Write::Put(Resource {
                kind: kinds::ACCESS_PACKAGE,
                id,
                parent_id: String::new(),
                deleted_at: None,
                seq: store.next_seq(),
                doc: doc.clone(),
            })],
        )
        .await?;
    Ok(ctx.created(PACKAGE, doc, &format!("{ROOT}/accessPackages/$entity")))
}

pub async fn delete_access_package_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_package(&ctx, ctx.param(0)?).await?;
    let store = &ctx.state.store;
    if store
        .assignments_using(ctx.tenant(), Some(&r.id), None)
        .await?
        > 0
    {
        return Err(ApiError::bad_request(format!(
            "Access package '{}' has assignments; remove them before deleting it.",
            r.id
        )));
    }
    if !policies(&ctx, Some(&r.id)).await?.is_empty() {
        return Err(ApiError::bad_request(format!(
            "Access package '{}' has assignment policies; delete them before deleting it.",
            r.id
        )));
    }
    store
        .write(
            ctx.tenant(),
            vec![Write::Delete {
                kind: kinds::ACCESS_PACKAGE,
                id: r.id,
            }],
        )
        .await?;
    Ok(Reply::NoContent)
}

// ---- assignment policies ----

const POLICY_NAVS: &[&str] = &["accessPackage"];

fn policy_with_navs(r: &Resource, packages: &HashMap<String, Value>, expand: bool) -> Value {
    let mut doc = r.doc.clone();
    doc["accessPackage"] = match packages.get(&r.parent_id) {
        Some(p) if expand => p.clone(),
        _ => json!({"id": r.parent_id}),
    };
    doc
}

async fn load_policy(ctx: &Ctx, id: &str) -> Result<Resource, ApiError> {
    ctx.state
        .store
        .get(
            ctx.tenant(),
            kinds::ASSIGNMENT_POLICY,
            &id.to_ascii_lowercase(),
        )
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "Access package assignment policy '{id}' was not found."
            ))
        })
}

pub async fn list_policies_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let packages = packages(&ctx).await?;
    let expand = ctx.expands("accessPackage");
    let items: Vec<Value> = policies(&ctx, None)
        .await?
        .iter()
        .map(|r| policy_with_navs(r, &packages, expand))
        .collect();
    let reply = ctx.collection(items)?;
    Ok(strip_navs(&ctx, reply, POLICY_NAVS))
}

pub async fn get_policy_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_policy(&ctx, ctx.param(0)?).await?;
    let packages = packages(&ctx).await?;
    let reply = ctx.entity(policy_with_navs(
        &r,
        &packages,
        ctx.expands("accessPackage"),
    ))?;
    Ok(strip_navs(&ctx, reply, POLICY_NAVS))
}

/// Settings objects and lists a policy keeps as given (lcw reads only
/// `requestApprovalSettings.isApprovalRequiredForAdd`).
const POLICY_OBJECTS: &[&str] = &[
    "requestApprovalSettings",
    "requestorSettings",
    "reviewSettings",
    "expiration",
    "automaticRequestSettings",
];
const POLICY_LISTS: &[&str] = &[
    "specificAllowedTargets",
    "questions",
    "customExtensionStageSettings",
];

pub async fn create_policy_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let body = ctx.json_body()?;
    let mut allowed = vec![
        "displayName",
        "description",
        "allowedTargetScope",
        "accessPackage",
        "accessPackageId",
    ];
    allowed.extend_from_slice(POLICY_OBJECTS);
    allowed.extend_from_slice(POLICY_LISTS);
    let f = body_fields(
        &body,
        POLICY,
        &allowed,
        &["id", "createdDateTime", "modifiedDateTime", "catalog"],
    )?;
    let display_name = string_field(&f, "displayName", true)?;
    let description = string_field(&f, "description", false)?;
    let scope = string_field(&f, "allowedTargetScope", false)?
        .unwrap_or_else(|| "notSpecified".to_string());
    let package_ref = match (
        f.get("accessPackage"),
        string_field(&f, "accessPackageId", false)?,
    ) {
        (Some(Value::Object(o)), _) => o.get("id").and_then(Value::as_str).map(str::to_string),
        (Some(Value::Null) | None, id) => id,
        (Some(other), _) => {
            return Err(bad(
                "accessPackage",
                format!(
                    "Invalid value for 'accessPackage': expected {{\"id\": ...}}, got {other}."
                ),
            ))
        }
    };
    let Some(package_ref) = package_ref else {
        return Err(bad(
            "accessPackage",
            "The property 'accessPackage' (with the access package's id) is required.",
        ));
    };
    let package = ctx
        .state
        .store
        .get(
            ctx.tenant(),
            kinds::ACCESS_PACKAGE,
            &package_ref.to_ascii_lowercase(),
        )
        .await?
        .ok_or_else(|| {
            bad(
                "accessPackage",
                format!("Access package '{package_ref}' was not found."),
            )
        })?;
    let id = model::new_id();
    let at = now(&ctx);
    let mut doc = json!({
        "id": id,
        "displayName": display_name,
        "description": description,
        "allowedTargetScope": scope,
        "createdDateTime": at,
        "modifiedDateTime": at,
    });
    for k in POLICY_OBJECTS {
        match f.get(*k) {
            None | Some(Value::Null) => doc[*k] = Value::Null,
            Some(v @ Value::Object(_)) => doc[*k] = v.clone(),
            Some(other) => {
                return Err(bad(
                    k,
                    format!("Invalid value for '{k}': expected an object, got {other}."),
                ))
            }
        }
    }
    for k in POLICY_LISTS {
        match f.get(*k) {
            None | Some(Value::Null) => doc[*k] = json!([]),
            Some(v @ Value::Array(_)) => doc[*k] = v.clone(),
            Some(other) => {
                return Err(bad(
                    k,
                    format!("Invalid value for '{k}': expected a list, got {other}."),
                ))
            }
        }
    }
    let store = &ctx.state.store;
    let r = Resource {
        kind: kinds::ASSIGNMENT_POLICY,
        id,
        parent_id: package.id.clone(),
        deleted_at: None,
        seq: store.next_seq(),
        doc,
    };
    store
        .write(ctx.tenant(), vec![Write::Put(r.clone())])
        .await?;
    let mut out = r.doc.clone();
    out["accessPackage"] = json!({"id": package.id});
    Ok(ctx.created(POLICY, out, &format!("{ROOT}/assignmentPolicies/$entity")))
}

pub async fn delete_policy_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_policy(&ctx, ctx.param(0)?).await?;
    let store = &ctx.state.store;
    if store
        .assignments_using(ctx.tenant(), None, Some(&r.id))
        .await?
        > 0
    {
        return Err(ApiError::bad_request(format!(
            "Assignment policy '{}' has assignments; remove them before deleting it.",
            r.id
        )));
    }
    store
        .write(
            ctx.tenant(),
            vec![Write::Delete {
                kind: kinds::ASSIGNMENT_POLICY,
                id: r.id,
            }],
        )
        .await?;
    Ok(Reply::NoContent)
}

// ---- assignments and requests ----

const ASSIGNMENT_NAVS: &[&str] = &["accessPackage", "assignmentPolicy", "target"];
const REQUEST_NAVS: &[&str] = &["accessPackage", "assignment", "requestor"];

/// What expanding navigations reads: packages, policies and subjects (users), loaded once
/// per request and only when expanded.
struct Lookups {
    packages: HashMap<String, Value>,
    policies: HashMap<String, Value>,
    users: HashMap<String, Value>,
}

async fn lookups(ctx: &Ctx, user_ids: Vec<String>) -> Result<Lookups, ApiError> {
    let packages = if ctx.expands("accessPackage") {
        packages(ctx).await?
    } else {
        HashMap::new()
    };
    let policies = if ctx.expands("assignmentPolicy") {
        policies(ctx, None)
            .await?
            .into_iter()
            .map(|r| (r.id, r.doc))
            .collect()
    } else {
        HashMap::new()
    };
    let users = if ctx.expands("target") || ctx.expands("requestor") {
        let mut ids = user_ids;
        ids.sort();
        ids.dedup();
        ctx.state
            .store
            .get_users_by_ids(ctx.tenant(), &ids)
            .await?
            .into_iter()
            .map(|u| (u.id.clone(), u.doc))
            .collect()
    } else {
        HashMap::new()
    };
    Ok(Lookups {
        packages,
        policies,
        users,
    })
}

fn nav(map: &HashMap<String, Value>, id: &str) -> Value {
    map.get(id).cloned().unwrap_or_else(|| json!({ "id": id }))
}

/// An `accessPackageSubject` for a directory user (its id is the user's object id).
fn subject(users: &HashMap<String, Value>, id: &str) -> Value {
    let u = users.get(id);
    let s = |k: &str| u.and_then(|u| u.get(k)).cloned().unwrap_or(Value::Null);
    json!({
        "id": id,
        "objectId": id,
        "subjectType": "user",
        "displayName": s("displayName"),
        "principalName": s("userPrincipalName"),
        "email": s("mail"),
    })
}

fn schedule(start: &str) -> Value {
    json!({
        "startDateTime": start,
        "recurrence": null,
        "expiration": {"endDateTime": null, "duration": null, "type": "notSpecified"},
    })
}

fn assignment_doc(a: &AssignmentRow, l: &Lookups) -> Value {
    json!({
        "id": a.id,
        "state": a.state,
        "status": a.status,
        "expiredDateTime": null,
        "schedule": schedule(&a.created_at),
        "accessPackageId": a.access_package_id,
        "assignmentPolicyId": a.policy_id,
        "targetId": a.target_id,
        "customExtensionCalloutInstances": [],
        "accessPackage": nav(&l.packages, &a.access_package_id),
        "assignmentPolicy": nav(&l.policies, &a.policy_id),
        "target": subject(&l.users, &a.target_id),
    })
}

fn request_doc(r: &RequestRow, l: &Lookups) -> Value {
    json!({
        "id": r.id,
        "requestType": r.request_type,
        "state": r.state,
        "status": r.status,
        "createdDateTime": r.created_at,
        "completedDateTime": r.completed_at,
        "justification": r.justification,
        "isValidationOnly": false,
        "schedule": schedule(&r.created_at),
        "answers": [],
        "accessPackage": nav(&l.packages, &r.access_package_id),
        "assignment": if r.assignment_id.is_empty() { Value::Null } else { json!({"id": r.assignment_id}) },
        "requestor": subject(&l.users, &r.target_id),
    })
}

pub async fn list_assignments_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let rows = ctx.state.store.list_assignments(ctx.tenant(), None).await?;
    let l = lookups(&ctx, rows.iter().map(|a| a.target_id.clone()).collect()).await?;
    let items = rows.iter().map(|a| assignment_doc(a, &l)).collect();
    let reply = ctx.collection(items)?;
    Ok(strip_navs(&ctx, reply, ASSIGNMENT_NAVS))
}

pub async fn get_assignment_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let id = ctx.param(0)?;
    let a = ctx
        .state
        .store
        .get_assignment(ctx.tenant(), id)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!("Access package assignment '{id}' was not found."))
        })?;
    let l = lookups(&ctx, vec![a.target_id.clone()]).await?;
    let reply = ctx.entity(assignment_doc(&a, &l))?;
    Ok(strip_navs(&ctx, reply, ASSIGNMENT_NAVS))
}

pub async fn list_requests_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let rows = ctx.state.store.list_requests(ctx.tenant(), None).await?;
    let l = lookups(&ctx, rows.iter().map(|r| r.target_id.clone()).collect()).await?;
    let items = rows.iter().map(|r| request_doc(r, &l)).collect();
    let reply = ctx.collection(items)?;
    Ok(strip_navs(&ctx, reply, REQUEST_NAVS))
}

async fn load_request(ctx: &Ctx, id: &str) -> Result<RequestRow, ApiError> {
    ctx.state
        .store
        .get_request(ctx.tenant(), id)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "Access package assignment request '{id}' was not found."
            ))
        })
}

pub async fn get_request_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_request(&ctx, ctx.param(0)?).await?;
    let l = lookups(&ctx, vec![r.target_id.clone()]).await?;
    let reply = ctx.entity(request_doc(&r, &l))?;
    Ok(strip_navs(&ctx, reply, REQUEST_NAVS))
}

/// `POST .../assignmentRequests` with `requestType` `adminAdd` or `adminRemove`.
pub async fn create_request_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let body = ctx.json_body()?;
    let f = body_fields(
        &body,
        REQUEST,
        &[
            "requestType",
            "assignment",
            "accessPackageAssignment",
            "justification",
            "schedule",
            "answers",
            "isValidationOnly",
        ],
        &[
            "id",
            "state",
            "status",
            "createdDateTime",
            "completedDateTime",
        ],
    )?;
    let request_type = string_field(&f, "requestType", true)?.unwrap_or_default();
    let justification = string_field(&f, "justification", false)?;
    let (key, assignment) = match (f.get("assignment"), f.get("accessPackageAssignment")) {
        (Some(Value::Object(a)), _) => ("assignment", a.clone()),
        (_, Some(Value::Object(a))) => ("accessPackageAssignment", a.clone()),
        _ => {
            return Err(bad(
                "assignment",
                "The property 'assignment' (an object) is required.",
            ))
        }
    };
    let field = |name: &str| {
        assignment
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let need = |name: &str| {
        field(name).ok_or_else(|| {
            bad(
                &format!("{key}.{name}"),
                format!("The property '{key}.{name}' is required for a '{request_type}' request."),
            )
        })
    };
    let store = &ctx.state.store;
    let tenant = ctx.tenant();
    let at = now(&ctx);
    let request_id = model::new_id();
    let (user_id, effect) = if request_type.eq_ignore_ascii_case("adminAdd") {
        let target = need("targetId")?;
        let user = store.get_user(tenant, &target).await?.ok_or_else(|| {
            bad(
                &format!("{key}.targetId"),
                format!("User '{target}' was not found in the directory."),
            )
        })?;
        let package_ref = need("accessPackageId")?;
        let package = store
            .get(
                tenant,
                kinds::ACCESS_PACKAGE,
                &package_ref.to_ascii_lowercase(),
            )
            .await?
            .ok_or_else(|| {
                bad(
                    &format!("{key}.accessPackageId"),
                    format!("Access package '{package_ref}' was not found."),
                )
            })?;
        let policy_ref = need("assignmentPolicyId")?;
        let policy = store
            .get(
                tenant,
                kinds::ASSIGNMENT_POLICY,
                &policy_ref.to_ascii_lowercase(),
            )
            .await?
            .filter(|p| p.parent_id == package.id)
            .ok_or_else(|| {
                bad(
                    &format!("{key}.assignmentPolicyId"),
                    format!(
                        "Assignment policy '{policy_ref}' was not found in access package '{}'.",
                        package.id
                    ),
                )
            })?;
        let assigned = store
            .list_assignments(tenant, Some(&user.id))
            .await?
            .iter()
            .any(|a| a.access_package_id == package.id);
        if assigned {
            return Err(ApiError::bad_request(format!(
                "User '{}' already has an assignment of access package '{}'.",
                user.id, package.id
            )));
        }
        let waiting = store
            .list_requests(tenant, Some(&user.id))
            .await?
            .iter()
            .any(|r| r.access_package_id == package.id && is_pending(&r.state));
        if waiting {
            return Err(ApiError::bad_request(format!(
                "User '{}' already has a pending request for access package '{}'.",
                user.id, package.id
            )));
        }
        (
            user.id,
            AccessPackageEffect::Request {
                request_id: request_id.clone(),
                assignment_id: model::new_id(),
                access_package_id: package.id,
                policy_id: policy.id,
                pending: engine::tasks_access::needs_approval(&policy.doc),
                justification,
                at,
            },
        )
    } else if request_type.eq_ignore_ascii_case("adminRemove") {
        let id = need("id")?;
        let a = store.get_assignment(tenant, &id).await?.ok_or_else(|| {
            bad(
                &format!("{key}.id"),
                format!("Access package assignment '{id}' was not found."),
            )
        })?;
        (
            a.target_id,
            AccessPackageEffect::Remove {
                request_id: request_id.clone(),
                assignment_id: a.id,
                at,
            },
        )
    } else {
        return Err(bad(
            "requestType",
            format!("lcw supports the requestType values 'adminAdd' and 'adminRemove', got '{request_type}'."),
        ));
    };
    if !store
        .apply_access_package(tenant, &user_id, &effect)
        .await?
    {
        // Another request got there first (checked again inside the transaction).
        return Err(ApiError::Conflict(
            "The assignment changed while the request was processed; retry.".into(),
        ));
    }
    let r = load_request(&ctx, &request_id).await?;
    let l = lookups(&ctx, Vec::new()).await?;
    let mut doc = request_doc(&r, &l);
    if let Some(m) = doc.as_object_mut() {
        for n in REQUEST_NAVS {
            m.remove(*n);
        }
    }
    Ok(ctx.created(REQUEST, doc, &format!("{ROOT}/assignmentRequests/$entity")))
}

fn is_pending(state: &str) -> bool {
    matches!(state, "submitted" | "accepted" | "pendingApproval")
}

/// `POST .../assignmentRequests/{id}/cancel`: only pending requests can be canceled.
pub async fn cancel_request_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let r = load_request(&ctx, ctx.param(0)?).await?;
    if !is_pending(&r.state) {
        return Err(ApiError::bad_request(format!(
            "Request '{}' is {}; only pending requests can be canceled.",
            r.id, r.state
        )));
    }
    let effect = AccessPackageEffect::Cancel {
        request_id: r.id.clone(),
        at: now(&ctx),
    };
    ctx.state
        .store
        .apply_access_package(ctx.tenant(), &r.target_id, &effect)
        .await?;
    Ok(Reply::NoContent)
}
