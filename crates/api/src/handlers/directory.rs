//! `/users` and `/groups`: the directory that workflows act on.
//!
//! Bodies are turned into stored documents by `model::directory`; every write goes through
//! the store's few directory write functions (`create_user`, `put_user`, `set_manager`,
//! `delete_user`, `change_members`, ...), which is where a change log can hook in.

use std::collections::HashMap;

use model::directory::{DirectoryRef, RefKind, GROUP_ODATA_TYPE, USER_ODATA_TYPE};
use serde_json::{Map, Value};
use store::{UserListQuery, UserRow};

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;

const USER: &str = model::types::USER;
const GROUP: &str = model::types::GROUP;

pub(crate) fn directory_not_found(id: &str) -> ApiError {
    ApiError::DirectoryNotFound(format!(
        "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
    ))
}

fn already_member() -> ApiError {
    ApiError::bad_request(
        "One or more added object references already exist for the following modified properties: 'members'.",
    )
}

fn doc_id(doc: &Value) -> String {
    doc.get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The document with `@odata.type` first, as Graph writes directory objects in collections
/// of `directoryObject`.
fn typed(doc: Value, odata_type: &str) -> Value {
    let mut out = Map::new();
    out.insert("@odata.type".into(), Value::String(odata_type.into()));
    if let Value::Object(m) = doc {
        out.extend(m.into_iter().filter(|(k, _)| k != "@odata.type"));
    }
    Value::Object(out)
}

// ---- users ----

/// The user named by the path key (object id or userPrincipalName).
async fn load_user(ctx: &Ctx, key: &str) -> Result<UserRow, ApiError> {
    ctx.state
        .store
        .get_user(ctx.tenant(), key)
        .await?
        .ok_or_else(|| directory_not_found(key))
}

/// Add `$expand=manager` / `$expand=memberOf` to user documents (batched per page).
async fn present_users(ctx: &Ctx, mut docs: Vec<Value>) -> Result<Vec<Value>, ApiError> {
    let store = &ctx.state.store;
    let tenant = ctx.tenant();
    if ctx.expands("manager") && !docs.is_empty() {
        let ids: Vec<String> = docs.iter().map(doc_id).collect();
        let manager_of: HashMap<String, String> = store
            .get_users_by_ids(tenant, &ids)
            .await?
            .into_iter()
            .filter_map(|r| r.manager_id.map(|m| (r.id, m)))
            .collect();
        let mut wanted: Vec<String> = manager_of.values().cloned().collect();
        wanted.sort();
        wanted.dedup();
        let managers: HashMap<String, Value> = store
            .get_users_by_ids(tenant, &wanted)
            .await?
            .into_iter()
            .map(|r| (r.id, r.doc))
            .collect();
        for d in &mut docs {
            let m = manager_of.get(&doc_id(d)).and_then(|m| managers.get(m));
            if let (Some(m), Value::Object(obj)) = (m, &mut *d) {
                obj.insert("manager".into(), typed(m.clone(), USER_ODATA_TYPE));
            }
        }
    }
    if ctx.expands("memberOf") {
        for d in &mut docs {
            let groups = store.groups_of(tenant, &doc_id(d)).await?;
            d["memberOf"] = Value::Array(
                groups
                    .into_iter()
                    .map(|g| typed(g, GROUP_ODATA_TYPE))
                    .collect(),
            );
        }
    }
    Ok(docs)
}

pub async fn list_users_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.check_properties(USER)?;
    let (skip, page) = ctx.page_window()?;
    let q = UserListQuery {
        filter: ctx.query.filter.as_ref(),
        orderby: &ctx.query.orderby,
        search: ctx.query.search.as_ref(),
        top: page,
        skip,
        count: ctx.query.count,
    };
    let p = ctx.state.store.list_users(ctx.tenant(), &q).await?;
    let items = present_users(&ctx, p.items).await?;
    ctx.collection_page(USER, items, p.total, p.more.then_some(skip + page))
}

pub async fn count_users_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.check_properties(USER)?;
    let q = UserListQuery {
        filter: ctx.query.filter.as_ref(),
        orderby: &[],
        search: ctx.query.search.as_ref(),
        top: 0,
        skip: 0,
        count: true,
    };
    let p = ctx.state.store.list_users(ctx.tenant(), &q).await?;
    Ok(Reply::Count(p.total.unwrap_or(0)))
}

pub async fn create_user_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let body = ctx.json_body()?;
    let doc = model::directory::new_user(&body, ctx.now())?;
    let row = UserRow {
        id: doc_id(&doc),
        manager_id: None,
        doc,
    };
    ctx.state.store.create_user(ctx.tenant(), &row).await?;
    Ok(ctx.created(USER, row.doc, "users/$entity"))
}

pub async fn get_user_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let row = load_user(&ctx, ctx.param(0)?).await?;
    let doc = present_users(&ctx, vec![row.doc])
        .await?
        .pop()
        .unwrap_or(Value::Null);
    ctx.entity(doc)
}

pub async fn update_user_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let row = load_user(&ctx, ctx.param(0)?).await?;
    let body = ctx.json_body()?;
    let doc = model::directory::patch_user(&row.doc, &body)?;
    if doc != row.doc {
        ctx.state
            .store
            .put_user(ctx.tenant(), &UserRow { doc, ..row })
            .await?;
    }
    Ok(Reply::NoContent)
}

pub async fn delete_user_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let row = load_user(&ctx, ctx.param(0)?).await?;
    if !ctx.state.store.delete_user(ctx.tenant(), &row.id).await? {
        return Err(directory_not_found(&row.id));
    }
    Ok(Reply::NoContent)
}

pub async fn get_manager_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let row = load_user(&ctx, ctx.param(0)?).await?;
    let manager = match &row.manager_id {
        Some(m) => ctx.state.store.get_user(ctx.tenant(), m).await?,
        None => None,
    };
    match manager {
        Some(m) => ctx.entity(typed(m.doc, USER_ODATA_TYPE)),
        None => Err(directory_not_found("manager")),
    }
}

/// The user a reference names; a group (where only users are allowed) is a 400.
async fn resolve_user_ref(ctx: &Ctx, r: &DirectoryRef, role: &str) -> Result<String, ApiError> {
    if r.kind != RefKind::Group {
        if let Some(u) = ctx.state.store.get_user(ctx.tenant(), &r.id).await? {
            return Ok(u.id);
        }
    }
    if r.kind != RefKind::User
        && ctx
            .state
            .store
            .get_group(ctx.tenant(), &r.id)
            .await?
            .is_some()
    {
        return Err(ApiError::bad_request(format!(
            "'{}' is a group; lcw supports only users as {role}.",
            r.id
        )));
    }
    Err(directory_not_found(&r.id))
}

pub async fn set_manager_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let row = load_user(&ctx, ctx.param(0)?).await?;
    let r = model::directory::parse_reference_body(&ctx.json_body()?)?;
    let manager = resolve_user_ref(&ctx, &r, "managers").await?;
    if manager == row.id {
        return Err(ApiError::bad_request("A user cannot be their own manager."));
    }
    if row.manager_id.as_deref() != Some(manager.as_str()) {
        ctx.state
            .store
            .set_manager(ctx.tenant(), &row.id, Some(&manager))
            .await?;
    }
    Ok(Reply::NoContent)
}

pub async fn remove_manager_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let row = load_user(&ctx, ctx.param(0)?).await?;
    if row.manager_id.is_some() {
        ctx.state
            .store
            .set_manager(ctx.tenant(), &row.id, None)
            .await?;
    }
    Ok(Reply::NoContent)
}

pub async fn list_direct_reports_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let row = load_user(&ctx, ctx.param(0)?).await?;
    let reports = ctx
        .state
        .store
        .direct_reports(ctx.tenant(), &row.id)
        .await?;
    ctx.collection(
        reports
            .into_iter()
            .map(|d| typed(d, USER_ODATA_TYPE))
            .collect(),
    )
}

pub async fn list_member_of_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let row = load_user(&ctx, ctx.param(0)?).await?;
    let groups = ctx.state.store.groups_of(ctx.tenant(), &row.id).await?;
    ctx.collection(
        groups
            .into_iter()
            .map(|g| typed(g, GROUP_ODATA_TYPE))
            .collect(),
    )
}

// ---- groups ----

async fn load_group(ctx: &Ctx, id: &str) -> Result<Value, ApiError> {
    ctx.state
        .store
        .get_group(ctx.tenant(), id)
        .await?
        .ok_or_else(|| directory_not_found(id))
}

async fn members_of(ctx: &Ctx, group_id: &str) -> Result<Vec<Value>, ApiError> {
    Ok(ctx
        .state
        .store
        .member_users(ctx.tenant(), group_id)
        .await?
        .into_iter()
        .map(|u| typed(u, USER_ODATA_TYPE))
        .collect())
}

async fn present_group(ctx: &Ctx, mut doc: Value) -> Result<Value, ApiError> {
    if ctx.expands("members") {
        let members = members_of(ctx, &doc_id(&doc)).await?;
        doc["members"] = Value::Array(members);
    }
    Ok(doc)
}

/// The user ids of a body's `members@odata.bind` (each must exist), without repeats.
async fn bound_members(ctx: &Ctx, body: &Value) -> Result<Vec<String>, ApiError> {
    let mut ids: Vec<String> = Vec::new();
    for r in model::directory::member_binds(body)? {
        let id = resolve_user_ref(ctx, &r, "group members").await?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

pub async fn list_groups_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let groups = ctx.state.store.list_groups(ctx.tenant()).await?;
    let mut items = Vec::with_capacity(groups.len());
    for g in groups {
        items.push(present_group(&ctx, g).await?);
    }
    ctx.collection(items)
}

pub async fn count_groups_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let groups = ctx.state.store.list_groups(ctx.tenant()).await?;
    ctx.count(&groups)
}

pub async fn create_group_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let body = ctx.json_body()?;
    let doc = model::directory::new_group(&body, ctx.now())?;
    let members = bound_members(&ctx, &body).await?;
    let id = doc_id(&doc);
    let store = &ctx.state.store;
    if store.get_group(ctx.tenant(), &id).await?.is_some() {
        return Err(ApiError::Conflict(format!(
            "Another object with the same value for property id already exists: '{id}'."
        )));
    }
    store.put_group(ctx.tenant(), &id, &doc).await?;
    store
        .change_members(ctx.tenant(), &id, &members, &[])
        .await?;
    Ok(ctx.created(GROUP, doc, "groups/$entity"))
}

pub async fn get_group_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let doc = load_group(&ctx, ctx.param(0)?).await?;
    let doc = present_group(&ctx, doc).await?;
    ctx.entity(doc)
}

pub async fn update_group_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let current = load_group(&ctx, ctx.param(0)?).await?;
    let body = ctx.json_body()?;
    let doc = model::directory::patch_group(&current, &body)?;
    let id = doc_id(&current);
    let add = bound_members(&ctx, &body).await?;
    let store = &ctx.state.store;
    if !add.is_empty() {
        let existing = store.member_ids(ctx.tenant(), &id).await?;
        if add.iter().any(|m| existing.contains(m)) {
            return Err(already_member());
        }
    }
    if doc != current {
        store.put_group(ctx.tenant(), &id, &doc).await?;
    }
    store.change_members(ctx.tenant(), &id, &add, &[]).await?;
    Ok(Reply::NoContent)
}

pub async fn delete_group_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let doc = load_group(&ctx, ctx.param(0)?).await?;
    let id = doc_id(&doc);
    if !ctx.state.store.delete_group(ctx.tenant(), &id).await? {
        return Err(directory_not_found(&id));
    }
    Ok(Reply::NoContent)
}

pub async fn list_members_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let doc = load_group(&ctx, ctx.param(0)?).await?;
    let members = members_of(&ctx, &doc_id(&doc)).await?;
    ctx.collection(members)
}

pub async fn count_members_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let doc = load_group(&ctx, ctx.param(0)?).await?;
    let members = members_of(&ctx, &doc_id(&doc)).await?;
    ctx.count(&members)
}

pub async fn add_member_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let doc = load_group(&ctx, ctx.param(0)?).await?;
    let r = model::directory::parse_reference_body(&ctx.json_body()?)?;
    let member = resolve_user_ref(&ctx, &r, "group members").await?;
    if !ctx
        .state
        .store
        .add_member(ctx.tenant(), &doc_id(&doc), &member)
        .await?
    {
        return Err(already_member());
    }
    Ok(Reply::NoContent)
}

pub async fn remove_member_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let doc = load_group(&ctx, ctx.param(0)?).await?;
    let key = ctx.param(1)?;
    // The member key is an object id; a userPrincipalName is accepted too.
    let member = match ctx.state.store.get_user(ctx.tenant(), key).await? {
        Some(u) => u.id,
        None => key.to_ascii_lowercase(),
    };
    if !ctx
        .state
        .store
        .remove_member(ctx.tenant(), &doc_id(&doc), &member)
        .await?
    {
        return Err(directory_not_found(key));
    }
    Ok(Reply::NoContent)
}
