//! A minimal entitlement management under `/identityGovernance/entitlementManagement`:
//! enough for the access package tasks of Lifecycle Workflows to do real, checkable work.
//!
//! * `accessPackages` and `assignmentPolicies` ([`packages`], [`policies`]): list, get,
//!   create, delete (no update; a package or policy in use by an assignment cannot be
//!   deleted).
//! * `assignments` ([`requests`]): list and get; they change only through requests.
//! * `assignmentRequests` ([`requests`]): list, get, create (`adminAdd`: delivered at once
//!   with a new assignment, or `pendingApproval` when the policy's `requestApprovalSettings`
//!   require approval; `adminRemove`: the assignment goes at once), and `cancel` of a
//!   pending one.
//!
//! Documents carry their navigation properties (`accessPackage`, `assignmentPolicy`,
//! `target`, `requestor`, `assignment`), expanded when asked for and `{"id": ...}` stubs
//! otherwise, so that the API can filter on them before leaving the unexpanded ones out.

pub mod packages;
pub mod policies;
pub mod requests;
mod views;

use serde_json::{Map, Value};
use store::{entitlement_kinds as kinds, Resource};

use crate::{Caller, Error, Result, Service};

pub use views::Navigations;

pub const ACCESS_PACKAGE_TYPE: &str = "microsoft.graph.accessPackage";
pub const POLICY_TYPE: &str = "microsoft.graph.accessPackageAssignmentPolicy";
pub const REQUEST_TYPE: &str = "microsoft.graph.accessPackageAssignmentRequest";

fn bad(property: &str, message: impl Into<String>) -> Error {
    Error::invalid_at(message, property)
}

/// Check a create body: only `allowed` properties (plus read-only ones and annotations,
/// which are ignored); returns the allowed ones.
fn body_fields(
    body: &Value,
    ty: &str,
    allowed: &[&str],
    read_only: &[&str],
) -> Result<Map<String, Value>> {
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

fn string_field(fields: &Map<String, Value>, name: &str, required: bool) -> Result<Option<String>> {
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

fn timestamp(caller: &Caller) -> String {
    model::time::format_datetime(caller.now)
}

impl Service {
    /// The access package `id`, if it exists (ids are matched case-insensitively).
    async fn find_package(&self, caller: &Caller, id: &str) -> Result<Option<Resource>> {
        Ok(self
            .store
            .get(
                &caller.tenant,
                kinds::ACCESS_PACKAGE,
                &id.to_ascii_lowercase(),
            )
            .await?)
    }

    /// The assignment policies, of one access package or of all.
    async fn policies_of(&self, caller: &Caller, package: Option<&str>) -> Result<Vec<Resource>> {
        Ok(self
            .store
            .list(&caller.tenant, kinds::ASSIGNMENT_POLICY, package)
            .await?)
    }
}
