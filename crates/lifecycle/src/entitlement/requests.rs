//! Access package assignments (read only) and assignment requests, the one way assignments
//! change: `adminAdd`, `adminRemove`, and `cancel` of a pending request.

use serde_json::{Map, Value};
use store::{entitlement_kinds as kinds, AccessPackageEffect, RequestRow};

use super::views::{assignment_doc, request_doc};
use super::{bad, body_fields, string_field, timestamp, Navigations, REQUEST_TYPE};
use crate::{Caller, Error, Result, Service};

fn assignment_not_found(id: &str) -> Error {
    Error::NotFound(format!("Access package assignment '{id}' was not found."))
}

fn request_not_found(id: &str) -> Error {
    Error::NotFound(format!(
        "Access package assignment request '{id}' was not found."
    ))
}

fn is_pending(state: &str) -> bool {
    matches!(state, "submitted" | "accepted" | "pendingApproval")
}

/// A create-request body, checked for shape; what it names is looked up afterwards.
struct RequestBody {
    request_type: String,
    justification: Option<String>,
    /// The body property the assignment came under (`assignment` or
    /// `accessPackageAssignment`): errors about its fields name it.
    key: &'static str,
    assignment: Map<String, Value>,
}

impl RequestBody {
    fn parse(body: &Value) -> Result<Self> {
        let f = body_fields(
            body,
            REQUEST_TYPE,
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
        Ok(RequestBody {
            request_type,
            justification,
            key,
            assignment,
        })
    }

    /// An error about the assignment's field `name`.
    fn bad_field(&self, name: &str, message: String) -> Error {
        bad(&format!("{}.{name}", self.key), message)
    }

    /// The assignment's non-blank string field `name`, which this request type requires.
    fn need(&self, name: &str) -> Result<String> {
        self.assignment
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .ok_or_else(|| {
                self.bad_field(
                    name,
                    format!(
                        "The property '{}.{name}' is required for a '{}' request.",
                        self.key, self.request_type
                    ),
                )
            })
    }
}

impl Service {
    pub async fn list_assignments(&self, caller: &Caller, navs: Navigations) -> Result<Vec<Value>> {
        let rows = self.store.list_assignments(&caller.tenant, None).await?;
        let users = rows.iter().map(|a| a.target_id.clone()).collect();
        let l = self.lookups(caller, navs, users).await?;
        Ok(rows.iter().map(|a| assignment_doc(a, &l)).collect())
    }

    pub async fn get_assignment(
        &self,
        caller: &Caller,
        id: &str,
        navs: Navigations,
    ) -> Result<Value> {
        let a = self
            .store
            .get_assignment(&caller.tenant, id)
            .await?
            .ok_or_else(|| assignment_not_found(id))?;
        let l = self
            .lookups(caller, navs, vec![a.target_id.clone()])
            .await?;
        Ok(assignment_doc(&a, &l))
    }

    pub async fn list_requests(&self, caller: &Caller, navs: Navigations) -> Result<Vec<Value>> {
        let rows = self.store.list_requests(&caller.tenant, None).await?;
        let users = rows.iter().map(|r| r.target_id.clone()).collect();
        let l = self.lookups(caller, navs, users).await?;
        Ok(rows.iter().map(|r| request_doc(r, &l)).collect())
    }

    async fn load_request(&self, caller: &Caller, id: &str) -> Result<RequestRow> {
        self.store
            .get_request(&caller.tenant, id)
            .await?
            .ok_or_else(|| request_not_found(id))
    }

    pub async fn get_request(&self, caller: &Caller, id: &str, navs: Navigations) -> Result<Value> {
        let r = self.load_request(caller, id).await?;
        let l = self
            .lookups(caller, navs, vec![r.target_id.clone()])
            .await?;
        Ok(request_doc(&r, &l))
    }

    /// `POST .../assignmentRequests` with `requestType` `adminAdd` or `adminRemove`; the
    /// answer is the request as stored, its navigations as stubs.
    pub async fn create_request(&self, caller: &Caller, body: &Value) -> Result<Value> {
        let req = RequestBody::parse(body)?;
        let request_id = model::new_id();
        let (user_id, effect) = if req.request_type.eq_ignore_ascii_case("adminAdd") {
            self.admin_add(caller, &req, &request_id).await?
        } else if req.request_type.eq_ignore_ascii_case("adminRemove") {
            self.admin_remove(caller, &req, &request_id).await?
        } else {
            return Err(bad(
                "requestType",
                format!(
                    "lcw supports the requestType values 'adminAdd' and 'adminRemove', got '{}'.",
                    req.request_type
                ),
            ));
        };
        if !self
            .store
            .apply_access_package(&caller.tenant, &user_id, &effect)
            .await?
        {
            // Another request got there first (checked again inside the transaction).
            return Err(Error::Conflict(
                "The assignment changed while the request was processed; retry.".into(),
            ));
        }
        let r = self.load_request(caller, &request_id).await?;
        let l = self
            .lookups(caller, Navigations::default(), Vec::new())
            .await?;
        Ok(request_doc(&r, &l))
    }

    /// An `adminAdd`: the user, package and policy it names must exist, and the user may
    /// hold neither an assignment of the package nor a pending request for it.
    async fn admin_add(
        &self,
        caller: &Caller,
        req: &RequestBody,
        request_id: &str,
    ) -> Result<(String, AccessPackageEffect)> {
        let tenant = &caller.tenant;
        let target = req.need("targetId")?;
        let user = self.store.get_user(tenant, &target).await?.ok_or_else(|| {
            req.bad_field(
                "targetId",
                format!("User '{target}' was not found in the directory."),
            )
        })?;
        let package_ref = req.need("accessPackageId")?;
        let package = self
            .find_package(caller, &package_ref)
            .await?
            .ok_or_else(|| {
                req.bad_field(
                    "accessPackageId",
                    format!("Access package '{package_ref}' was not found."),
                )
            })?;
        let policy_ref = req.need("assignmentPolicyId")?;
        let policy = self
            .store
            .get(
                tenant,
                kinds::ASSIGNMENT_POLICY,
                &policy_ref.to_ascii_lowercase(),
            )
            .await?
            .filter(|p| p.parent_id == package.id)
            .ok_or_else(|| {
                req.bad_field(
                    "assignmentPolicyId",
                    format!(
                        "Assignment policy '{policy_ref}' was not found in access package '{}'.",
                        package.id
                    ),
                )
            })?;
        let assigned = self
            .store
            .list_assignments(tenant, Some(&user.id))
            .await?
            .iter()
            .any(|a| a.access_package_id == package.id);
        if assigned {
            return Err(Error::invalid(format!(
                "User '{}' already has an assignment of access package '{}'.",
                user.id, package.id
            )));
        }
        let waiting = self
            .store
            .list_requests(tenant, Some(&user.id))
            .await?
            .iter()
            .any(|r| r.access_package_id == package.id && is_pending(&r.state));
        if waiting {
            return Err(Error::invalid(format!(
                "User '{}' already has a pending request for access package '{}'.",
                user.id, package.id
            )));
        }
        let effect = AccessPackageEffect::Request {
            request_id: request_id.to_string(),
            assignment_id: model::new_id(),
            access_package_id: package.id,
            policy_id: policy.id,
            pending: engine::tasks_access::needs_approval(&policy.doc),
            justification: req.justification.clone(),
            at: timestamp(caller),
        };
        Ok((user.id, effect))
    }

    /// An `adminRemove` of the assignment it names.
    async fn admin_remove(
        &self,
        caller: &Caller,
        req: &RequestBody,
        request_id: &str,
    ) -> Result<(String, AccessPackageEffect)> {
        let id = req.need("id")?;
        let a = self
            .store
            .get_assignment(&caller.tenant, &id)
            .await?
            .ok_or_else(|| {
                req.bad_field(
                    "id",
                    format!("Access package assignment '{id}' was not found."),
                )
            })?;
        let effect = AccessPackageEffect::Remove {
            request_id: request_id.to_string(),
            assignment_id: a.id,
            at: timestamp(caller),
        };
        Ok((a.target_id, effect))
    }

    /// `POST .../assignmentRequests/{id}/cancel`: only pending requests can be canceled.
    pub async fn cancel_request(&self, caller: &Caller, id: &str) -> Result<()> {
        let r = self.load_request(caller, id).await?;
        if !is_pending(&r.state) {
            return Err(Error::invalid(format!(
                "Request '{}' is {}; only pending requests can be canceled.",
                r.id, r.state
            )));
        }
        let effect = AccessPackageEffect::Cancel {
            request_id: r.id.clone(),
            at: timestamp(caller),
        };
        self.store
            .apply_access_package(&caller.tenant, &r.target_id, &effect)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_assignment_may_come_under_either_name() {
        let req = RequestBody::parse(&json!({
            "requestType": "adminRemove",
            "accessPackageAssignment": {"id": " a1 "},
        }))
        .unwrap();
        assert_eq!(req.key, "accessPackageAssignment");
        assert_eq!(req.need("id").unwrap(), "a1");
    }

    #[test]
    fn a_missing_field_is_named_under_its_key() {
        let req = RequestBody::parse(&json!({
            "requestType": "adminAdd",
            "assignment": {"targetId": ""},
        }))
        .unwrap();
        let err = req.need("targetId").unwrap_err();
        assert!(
            matches!(err, Error::Invalid { target: Some(t), .. } if t == "assignment.targetId")
        );
    }

    #[test]
    fn a_body_without_an_assignment_is_refused() {
        let err = RequestBody::parse(&json!({"requestType": "adminAdd"})).err();
        assert!(matches!(err, Some(Error::Invalid { target: Some(t), .. }) if t == "assignment"));
    }
}
