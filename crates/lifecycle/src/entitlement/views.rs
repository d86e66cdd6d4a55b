//! The documents of assignments and requests, built from their rows with the navigation
//! properties they name, expanded from what the caller asked to load.

use std::collections::HashMap;

use serde_json::{json, Value};
use store::{entitlement_kinds as kinds, AssignmentRow, RequestRow};

use crate::{Caller, Result, Service};

/// Which navigation properties to load in full (`$expand`); the others are `{"id": ...}`
/// stubs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Navigations {
    pub access_package: bool,
    pub assignment_policy: bool,
    /// `target` of assignments, `requestor` of requests: the directory users.
    pub subjects: bool,
}

/// What expanding navigations reads: packages, policies and subjects (users), loaded once
/// per request and only when expanded.
pub(super) struct Lookups {
    packages: HashMap<String, Value>,
    policies: HashMap<String, Value>,
    users: HashMap<String, Value>,
}

impl Service {
    pub(super) async fn lookups(
        &self,
        caller: &Caller,
        navs: Navigations,
        user_ids: Vec<String>,
    ) -> Result<Lookups> {
        let tenant = &caller.tenant;
        let by_id = |rows: Vec<store::Resource>| rows.into_iter().map(|r| (r.id, r.doc)).collect();
        let packages = if navs.access_package {
            by_id(self.store.list(tenant, kinds::ACCESS_PACKAGE, None).await?)
        } else {
            HashMap::new()
        };
        let policies = if navs.assignment_policy {
            by_id(self.policies_of(caller, None).await?)
        } else {
            HashMap::new()
        };
        let users = if navs.subjects {
            let mut ids = user_ids;
            ids.sort();
            ids.dedup();
            self.store
                .get_users_by_ids(tenant, &ids)
                .await?
                .into_iter()
                .map(|u| (u.id, u.doc))
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

pub(super) fn assignment_doc(a: &AssignmentRow, l: &Lookups) -> Value {
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

pub(super) fn request_doc(r: &RequestRow, l: &Lookups) -> Value {
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
