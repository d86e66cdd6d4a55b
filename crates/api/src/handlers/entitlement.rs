//! `/identityGovernance/entitlementManagement`: access packages, assignment policies,
//! assignments and assignment requests (`lifecycle::entitlement` decides; this module reads
//! requests and renders).
//!
//! Navigation properties (`accessPackage`, `assignmentPolicy`, `target`, `requestor`,
//! `assignment`) can be `$expand`ed and filtered on (`target/objectId eq '...'`,
//! `accessPackage/id eq '...'`); unexpanded they are left out, as Graph does.

use lifecycle::entitlement::{Navigations, ACCESS_PACKAGE_TYPE, POLICY_TYPE, REQUEST_TYPE};
use serde_json::Value;

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;

const ROOT: &str = "identityGovernance/entitlementManagement";

const POLICY_NAVS: &[&str] = &["accessPackage"];
const ASSIGNMENT_NAVS: &[&str] = &["accessPackage", "assignmentPolicy", "target"];
const REQUEST_NAVS: &[&str] = &["accessPackage", "assignment", "requestor"];

fn drop_navs(item: &mut Value, navs: &[&str]) {
    if let Some(m) = item.as_object_mut() {
        for n in navs {
            m.remove(*n);
        }
    }
}

/// After the envelope is built (filtered on the navigation stubs), drop the navigations
/// the caller did not `$expand`.
fn strip_navs(ctx: &Ctx, mut reply: Reply, navs: &[&str]) -> Reply {
    let unexpanded: Vec<&str> = navs.iter().copied().filter(|n| !ctx.expands(n)).collect();
    if let Reply::Json(_, body) = &mut reply {
        match body.get_mut("value").and_then(Value::as_array_mut) {
            Some(items) => items.iter_mut().for_each(|i| drop_navs(i, &unexpanded)),
            None => drop_navs(body, &unexpanded),
        }
    }
    reply
}

/// The navigations of assignments and requests to load in full.
fn navigations(ctx: &Ctx) -> Navigations {
    Navigations {
        access_package: ctx.expands("accessPackage"),
        assignment_policy: ctx.expands("assignmentPolicy"),
        subjects: ctx.expands("target") || ctx.expands("requestor"),
    }
}

// ---- access packages ----

pub async fn list_access_packages_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = ctx
        .domain()
        .list_access_packages(&ctx.caller(), ctx.expands("assignmentPolicies"))
        .await?;
    ctx.collection(items)
}

pub async fn get_access_package_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let doc = ctx
        .domain()
        .get_access_package(
            &ctx.caller(),
            ctx.key("accessPackage-id")?,
            ctx.expands("assignmentPolicies"),
        )
        .await?;
    ctx.entity(doc)
}

pub async fn create_access_package_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let body = ctx.json_body()?;
    let doc = ctx
        .domain()
        .create_access_package(&ctx.caller(), &body)
        .await?;
    Ok(ctx.created(
        ACCESS_PACKAGE_TYPE,
        doc,
        &format!("{ROOT}/accessPackages/$entity"),
    ))
}

pub async fn delete_access_package_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .delete_access_package(&ctx.caller(), ctx.key("accessPackage-id")?)
        .await?;
    Ok(Reply::NoContent)
}

// ---- assignment policies ----

pub async fn list_policies_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = ctx
        .domain()
        .list_policies(&ctx.caller(), ctx.expands("accessPackage"))
        .await?;
    let reply = ctx.collection(items)?;
    Ok(strip_navs(&ctx, reply, POLICY_NAVS))
}

pub async fn get_policy_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let doc = ctx
        .domain()
        .get_policy(
            &ctx.caller(),
            ctx.key("accessPackageAssignmentPolicy-id")?,
            ctx.expands("accessPackage"),
        )
        .await?;
    let reply = ctx.entity(doc)?;
    Ok(strip_navs(&ctx, reply, POLICY_NAVS))
}

pub async fn create_policy_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let body = ctx.json_body()?;
    let doc = ctx.domain().create_policy(&ctx.caller(), &body).await?;
    Ok(ctx.created(
        POLICY_TYPE,
        doc,
        &format!("{ROOT}/assignmentPolicies/$entity"),
    ))
}

pub async fn delete_policy_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .delete_policy(&ctx.caller(), ctx.key("accessPackageAssignmentPolicy-id")?)
        .await?;
    Ok(Reply::NoContent)
}

// ---- assignments and requests ----

pub async fn list_assignments_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = ctx
        .domain()
        .list_assignments(&ctx.caller(), navigations(&ctx))
        .await?;
    let reply = ctx.collection(items)?;
    Ok(strip_navs(&ctx, reply, ASSIGNMENT_NAVS))
}

pub async fn get_assignment_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let doc = ctx
        .domain()
        .get_assignment(
            &ctx.caller(),
            ctx.key("accessPackageAssignment-id")?,
            navigations(&ctx),
        )
        .await?;
    let reply = ctx.entity(doc)?;
    Ok(strip_navs(&ctx, reply, ASSIGNMENT_NAVS))
}

pub async fn list_requests_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = ctx
        .domain()
        .list_requests(&ctx.caller(), navigations(&ctx))
        .await?;
    let reply = ctx.collection(items)?;
    Ok(strip_navs(&ctx, reply, REQUEST_NAVS))
}

pub async fn get_request_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let doc = ctx
        .domain()
        .get_request(
            &ctx.caller(),
            ctx.key("accessPackageAssignmentRequest-id")?,
            navigations(&ctx),
        )
        .await?;
    let reply = ctx.entity(doc)?;
    Ok(strip_navs(&ctx, reply, REQUEST_NAVS))
}

/// `POST .../assignmentRequests` with `requestType` `adminAdd` or `adminRemove`; the
/// answer leaves every navigation out.
pub async fn create_request_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let body = ctx.json_body()?;
    let mut doc = ctx.domain().create_request(&ctx.caller(), &body).await?;
    drop_navs(&mut doc, REQUEST_NAVS);
    Ok(ctx.created(
        REQUEST_TYPE,
        doc,
        &format!("{ROOT}/assignmentRequests/$entity"),
    ))
}

/// `POST .../assignmentRequests/{id}/cancel`: only pending requests can be canceled.
pub async fn cancel_request_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .cancel_request(&ctx.caller(), ctx.key("accessPackageAssignmentRequest-id")?)
        .await?;
    Ok(Reply::NoContent)
}
