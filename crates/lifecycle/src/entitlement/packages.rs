//! Access packages: list, get, create, delete (refused while assignments or policies use
//! the package).

use serde_json::{json, Value};
use store::{entitlement_kinds as kinds, Resource, Write};

use super::{bad, body_fields, string_field, timestamp, ACCESS_PACKAGE_TYPE};
use crate::{Caller, Error, Result, Service};

fn package_not_found(id: &str) -> Error {
    Error::NotFound(format!("Access package '{id}' was not found."))
}

impl Service {
    async fn load_package(&self, caller: &Caller, id: &str) -> Result<Resource> {
        self.find_package(caller, id)
            .await?
            .ok_or_else(|| package_not_found(id))
    }

    /// The package document, with its `assignmentPolicies` when asked for.
    async fn package_view(
        &self,
        caller: &Caller,
        mut doc: Value,
        with_policies: bool,
    ) -> Result<Value> {
        if with_policies {
            let id = doc
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let list: Vec<Value> = self
                .policies_of(caller, Some(&id))
                .await?
                .into_iter()
                .map(|r| r.doc)
                .collect();
            doc["assignmentPolicies"] = Value::Array(list);
        }
        Ok(doc)
    }

    pub async fn list_access_packages(
        &self,
        caller: &Caller,
        with_policies: bool,
    ) -> Result<Vec<Value>> {
        let all = self
            .store
            .list(&caller.tenant, kinds::ACCESS_PACKAGE, None)
            .await?;
        let mut items = Vec::with_capacity(all.len());
        for r in all {
            items.push(self.package_view(caller, r.doc, with_policies).await?);
        }
        Ok(items)
    }

    pub async fn get_access_package(
        &self,
        caller: &Caller,
        id: &str,
        with_policies: bool,
    ) -> Result<Value> {
        let r = self.load_package(caller, id).await?;
        self.package_view(caller, r.doc, with_policies).await
    }

    /// `POST .../accessPackages`: `displayName` (required), `description`, `isHidden`.
    pub async fn create_access_package(&self, caller: &Caller, body: &Value) -> Result<Value> {
        let f = body_fields(
            body,
            ACCESS_PACKAGE_TYPE,
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
        let at = timestamp(caller);
        let doc = json!({
            "id": id,
            "displayName": display_name,
            "description": description,
            "isHidden": is_hidden,
            "createdDateTime": at,
            "modifiedDateTime": at,
        });
        self.store
            .write(
                &caller.tenant,
                vec![Write::Put(Resource {
                    kind: kinds::ACCESS_PACKAGE,
                    id,
                    parent_id: String::new(),
                    deleted_at: None,
                    seq: self.store.next_seq(),
                    doc: doc.clone(),
                })],
            )
            .await?;
        Ok(doc)
    }

    pub async fn delete_access_package(&self, caller: &Caller, id: &str) -> Result<()> {
        let r = self.load_package(caller, id).await?;
        if self
            .store
            .assignments_using(&caller.tenant, Some(&r.id), None)
            .await?
            > 0
        {
            return Err(Error::invalid(format!(
                "Access package '{}' has assignments; remove them before deleting it.",
                r.id
            )));
        }
        if !self.policies_of(caller, Some(&r.id)).await?.is_empty() {
            return Err(Error::invalid(format!(
                "Access package '{}' has assignment policies; delete them before deleting it.",
                r.id
            )));
        }
        self.store
            .write(
                &caller.tenant,
                vec![Write::Delete {
                    kind: kinds::ACCESS_PACKAGE,
                    id: r.id,
                }],
            )
            .await?;
        Ok(())
    }
}
