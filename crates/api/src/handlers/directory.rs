//! `/users` and `/groups`: the directory that workflows act on. The domain
//! (`lifecycle::directory`) loads, validates and writes; this module reads requests and
//! renders documents as Graph writes them.

use model::directory::{GROUP_ODATA_TYPE, USER_ODATA_TYPE};
use serde_json::{Map, Value};

use lifecycle::directory::{GroupView, UserExpand, UserQuery, UserView};

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;

const USER: &str = model::types::USER;
const GROUP: &str = model::types::GROUP;

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

fn typed_all(docs: Vec<Value>, odata_type: &str) -> Vec<Value> {
    docs.into_iter().map(|d| typed(d, odata_type)).collect()
}

// ---- users ----

fn user_expand(ctx: &Ctx) -> UserExpand {
    UserExpand {
        manager: ctx.expands("manager"),
        member_of: ctx.expands("memberOf"),
    }
}

/// A user with its expanded `manager` and `memberOf`.
fn render_user(view: UserView) -> Value {
    let mut doc = view.user;
    if let (Some(m), Value::Object(obj)) = (view.manager, &mut doc) {
        obj.insert("manager".into(), typed(m, USER_ODATA_TYPE));
    }
    if let Some(groups) = view.member_of {
        doc["memberOf"] = Value::Array(typed_all(groups, GROUP_ODATA_TYPE));
    }
    doc
}

pub async fn list_users_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.check_properties(USER)?;
    let (skip, page) = ctx.page_window()?;
    let query = UserQuery {
        filter: ctx.query.filter.as_ref(),
        orderby: &ctx.query.orderby,
        search: ctx.query.search.as_ref(),
        top: page,
        skip,
        count: ctx.query.count,
    };
    let p = ctx
        .domain()
        .list_users(&ctx.caller(), query, user_expand(&ctx))
        .await?;
    let items = p.items.into_iter().map(render_user).collect();
    ctx.collection_page(USER, items, p.total, p.more.then_some(skip + page))
}

pub async fn count_users_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.check_properties(USER)?;
    let n = ctx
        .domain()
        .count_users(
            &ctx.caller(),
            ctx.query.filter.as_ref(),
            ctx.query.search.as_ref(),
        )
        .await?;
    Ok(Reply::Count(n))
}

pub async fn create_user_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let body = ctx.json_body()?;
    let doc = ctx.domain().create_user(&ctx.caller(), &body).await?;
    Ok(ctx.created(USER, doc, "users/$entity"))
}

pub async fn get_user_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let view = ctx
        .domain()
        .get_user(&ctx.caller(), ctx.key("user-id")?, user_expand(&ctx))
        .await?;
    ctx.entity(render_user(view))
}

pub async fn update_user_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .update_user(&ctx.caller(), ctx.key("user-id")?, ctx.body_after_lookup())
        .await?;
    Ok(Reply::NoContent)
}

pub async fn delete_user_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .delete_user(&ctx.caller(), ctx.key("user-id")?)
        .await?;
    Ok(Reply::NoContent)
}

pub async fn get_manager_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let manager = ctx
        .domain()
        .manager(&ctx.caller(), ctx.key("user-id")?)
        .await?;
    ctx.entity(typed(manager, USER_ODATA_TYPE))
}

pub async fn set_manager_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .set_manager(&ctx.caller(), ctx.key("user-id")?, ctx.body_after_lookup())
        .await?;
    Ok(Reply::NoContent)
}

pub async fn remove_manager_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .remove_manager(&ctx.caller(), ctx.key("user-id")?)
        .await?;
    Ok(Reply::NoContent)
}

pub async fn list_direct_reports_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let reports = ctx
        .domain()
        .direct_reports(&ctx.caller(), ctx.key("user-id")?)
        .await?;
    ctx.collection(typed_all(reports, USER_ODATA_TYPE))
}

pub async fn list_member_of_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let groups = ctx
        .domain()
        .member_of(&ctx.caller(), ctx.key("user-id")?)
        .await?;
    ctx.collection(typed_all(groups, GROUP_ODATA_TYPE))
}

// ---- groups ----

/// A group with its expanded `members`.
fn render_group(view: GroupView) -> Value {
    let mut doc = view.group;
    if let Some(members) = view.members {
        doc["members"] = Value::Array(typed_all(members, USER_ODATA_TYPE));
    }
    doc
}

pub async fn list_groups_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let groups = ctx
        .domain()
        .list_groups(&ctx.caller(), ctx.expands("members"))
        .await?;
    ctx.collection(groups.into_iter().map(render_group).collect())
}

pub async fn count_groups_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let groups = ctx.domain().list_groups(&ctx.caller(), false).await?;
    let docs: Vec<Value> = groups.into_iter().map(|g| g.group).collect();
    ctx.count(&docs)
}

pub async fn create_group_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let body = ctx.json_body()?;
    let doc = ctx.domain().create_group(&ctx.caller(), &body).await?;
    Ok(ctx.created(GROUP, doc, "groups/$entity"))
}

pub async fn get_group_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let view = ctx
        .domain()
        .get_group(&ctx.caller(), ctx.key("group-id")?, ctx.expands("members"))
        .await?;
    ctx.entity(render_group(view))
}

pub async fn update_group_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .update_group(&ctx.caller(), ctx.key("group-id")?, ctx.body_after_lookup())
        .await?;
    Ok(Reply::NoContent)
}

pub async fn delete_group_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .delete_group(&ctx.caller(), ctx.key("group-id")?)
        .await?;
    Ok(Reply::NoContent)
}

pub async fn list_members_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let members = ctx
        .domain()
        .group_members(&ctx.caller(), ctx.key("group-id")?)
        .await?;
    ctx.collection(typed_all(members, USER_ODATA_TYPE))
}

pub async fn count_members_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let members = ctx
        .domain()
        .group_members(&ctx.caller(), ctx.key("group-id")?)
        .await?;
    ctx.count(&typed_all(members, USER_ODATA_TYPE))
}

pub async fn add_member_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .add_member(&ctx.caller(), ctx.key("group-id")?, ctx.body_after_lookup())
        .await?;
    Ok(Reply::NoContent)
}

pub async fn remove_member_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .remove_member(
            &ctx.caller(),
            ctx.key("group-id")?,
            ctx.key("directoryObject-id")?,
        )
        .await?;
    Ok(Reply::NoContent)
}
