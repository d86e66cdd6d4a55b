//! Access package assignment policies: list, get, create, delete (refused while
//! assignments use the policy). lcw reads only
//! `requestApprovalSettings.isApprovalRequiredForAdd`; the other settings are kept as given.

use std::collections::HashMap;

use serde_json::{json, Map, Value};
use store::{entitlement_kinds as kinds, Resource, Write};

use super::{bad, body_fields, string_field, timestamp, POLICY_TYPE};
use crate::{Caller, Error, Result, Service};

/// Settings objects a policy keeps as given.
const POLICY_OBJECTS: &[&str] = &[
    "requestApprovalSettings",
    "requestorSettings",
    "reviewSettings",
    "expiration",
    "automaticRequestSettings",
];
/// Lists a policy keeps as given.
const POLICY_LISTS: &[&str] = &[
    "specificAllowedTargets",
    "questions",
    "customExtensionStageSettings",
];

fn policy_not_found(id: &str) -> Error {
    Error::NotFound(format!(
        "Access package assignment policy '{id}' was not found."
    ))
}

/// The policy document with its `accessPackage`: the package when expanded, else a stub.
fn with_package(r: &Resource, packages: &HashMap<String, Value>) -> Value {
    let mut doc = r.doc.clone();
    doc["accessPackage"] = match packages.get(&r.parent_id) {
        Some(p) => p.clone(),
        None => json!({"id": r.parent_id}),
    };
    doc
}

/// The access package a create body names, by `accessPackage: {id}` or `accessPackageId`.
fn package_reference(f: &Map<String, Value>) -> Result<String> {
    let package_ref = match (
        f.get("accessPackage"),
        string_field(f, "accessPackageId", false)?,
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
    package_ref.ok_or_else(|| {
        bad(
            "accessPackage",
            "The property 'accessPackage' (with the access package's id) is required.",
        )
    })
}

/// Copy the kept-as-given settings into `doc`, checking each is an object or a list.
fn copy_settings(f: &Map<String, Value>, doc: &mut Value) -> Result<()> {
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
    Ok(())
}

impl Service {
    /// Every access package by id, when the policies' `accessPackage` is expanded.
    async fn packages_for(&self, caller: &Caller, expand: bool) -> Result<HashMap<String, Value>> {
        if !expand {
            return Ok(HashMap::new());
        }
        Ok(self
            .store
            .list(&caller.tenant, kinds::ACCESS_PACKAGE, None)
            .await?
            .into_iter()
            .map(|r| (r.id, r.doc))
            .collect())
    }

    /// Every policy, each with its `accessPackage` (expanded when `expand_package`).
    pub async fn list_policies(&self, caller: &Caller, expand_package: bool) -> Result<Vec<Value>> {
        let packages = self.packages_for(caller, expand_package).await?;
        Ok(self
            .policies_of(caller, None)
            .await?
            .iter()
            .map(|r| with_package(r, &packages))
            .collect())
    }

    pub async fn get_policy(
        &self,
        caller: &Caller,
        id: &str,
        expand_package: bool,
    ) -> Result<Value> {
        let r = self.load_policy(caller, id).await?;
        let packages = self.packages_for(caller, expand_package).await?;
        Ok(with_package(&r, &packages))
    }

    async fn load_policy(&self, caller: &Caller, id: &str) -> Result<Resource> {
        self.store
            .get(
                &caller.tenant,
                kinds::ASSIGNMENT_POLICY,
                &id.to_ascii_lowercase(),
            )
            .await?
            .ok_or_else(|| policy_not_found(id))
    }

    /// `POST .../assignmentPolicies`; the answer carries an `accessPackage` stub.
    pub async fn create_policy(&self, caller: &Caller, body: &Value) -> Result<Value> {
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
            body,
            POLICY_TYPE,
            &allowed,
            &["id", "createdDateTime", "modifiedDateTime", "catalog"],
        )?;
        let display_name = string_field(&f, "displayName", true)?;
        let description = string_field(&f, "description", false)?;
        let scope = string_field(&f, "allowedTargetScope", false)?
            .unwrap_or_else(|| "notSpecified".to_string());
        let package_ref = package_reference(&f)?;
        let package = self
            .find_package(caller, &package_ref)
            .await?
            .ok_or_else(|| {
                bad(
                    "accessPackage",
                    format!("Access package '{package_ref}' was not found."),
                )
            })?;
        let id = model::new_id();
        let at = timestamp(caller);
        let mut doc = json!({
            "id": id,
            "displayName": display_name,
            "description": description,
            "allowedTargetScope": scope,
            "createdDateTime": at,
            "modifiedDateTime": at,
        });
        copy_settings(&f, &mut doc)?;
        let r = Resource {
            kind: kinds::ASSIGNMENT_POLICY,
            id,
            parent_id: package.id.clone(),
            deleted_at: None,
            seq: self.store.next_seq(),
            doc,
        };
        self.store
            .write(&caller.tenant, vec![Write::Put(r.clone())])
            .await?;
        let mut out = r.doc;
        out["accessPackage"] = json!({"id": package.id});
        Ok(out)
    }

    pub async fn delete_policy(&self, caller: &Caller, id: &str) -> Result<()> {
        let r = self.load_policy(caller, id).await?;
        if self
            .store
            .assignments_using(&caller.tenant, None, Some(&r.id))
            .await?
            > 0
        {
            return Err(Error::invalid(format!(
                "Assignment policy '{}' has assignments; remove them before deleting it.",
                r.id
            )));
        }
        self.store
            .write(
                &caller.tenant,
                vec![Write::Delete {
                    kind: kinds::ASSIGNMENT_POLICY,
                    id: r.id,
                }],
            )
            .await?;
        Ok(())
    }
}
