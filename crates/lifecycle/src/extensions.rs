//! Custom task extensions: the callouts the "Run a Custom Task Extension" task makes.

use serde_json::Value;
use store::{kinds, Resource, Write};

use crate::workflows::{Expand, Expanded, UserNav};
use crate::{Body, Caller, Error, Result, Service};

/// Extensions expand only their user navigations.
fn users_only(expand: Expand) -> Expand {
    Expand {
        created_by: expand.created_by,
        last_modified_by: expand.last_modified_by,
        ..Expand::default()
    }
}

impl Service {
    async fn load_extension(&self, caller: &Caller, id: &str) -> Result<Resource> {
        let id = id.to_ascii_lowercase();
        self.store
            .get(&caller.tenant, kinds::CUSTOM_TASK_EXTENSION, &id)
            .await?
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "Custom task extension with id '{id}' was not found."
                ))
            })
    }

    pub async fn list_custom_task_extensions(
        &self,
        caller: &Caller,
        expand: Expand,
    ) -> Result<Vec<Expanded>> {
        let all = self
            .store
            .list(&caller.tenant, kinds::CUSTOM_TASK_EXTENSION, None)
            .await?;
        let mut out = Vec::with_capacity(all.len());
        for r in all {
            out.push(self.expand(caller, r.doc, users_only(expand)).await?);
        }
        Ok(out)
    }

    /// Create an extension, within the tenant's limit.
    pub async fn create_custom_task_extension(
        &self,
        caller: &Caller,
        definition: &Value,
    ) -> Result<Value> {
        let ext =
            model::workflow::custom_task_extension(None, definition, caller.now, &caller.actor)?;
        let id = ext
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        self.write_within_limit(
            caller,
            kinds::CUSTOM_TASK_EXTENSION,
            model::workflow::MAX_CUSTOM_TASK_EXTENSIONS_PER_TENANT,
            vec![Write::Put(Resource {
                kind: kinds::CUSTOM_TASK_EXTENSION,
                id,
                parent_id: String::new(),
                deleted_at: None,
                seq: self.store.next_seq(),
                doc: ext.clone(),
            })],
        )
        .await?;
        Ok(ext)
    }

    pub async fn get_custom_task_extension(
        &self,
        caller: &Caller,
        id: &str,
        expand: Expand,
    ) -> Result<Expanded> {
        let r = self.load_extension(caller, id).await?;
        self.expand(caller, r.doc, users_only(expand)).await
    }

    pub async fn update_custom_task_extension(
        &self,
        caller: &Caller,
        id: &str,
        patch: Body,
    ) -> Result<()> {
        let r = self.load_extension(caller, id).await?;
        let updated = model::workflow::custom_task_extension(
            Some(&r.doc),
            &patch?,
            caller.now,
            &caller.actor,
        )?;
        Ok(self
            .store
            .write(
                &caller.tenant,
                vec![Write::Put(Resource { doc: updated, ..r })],
            )
            .await?)
    }

    /// Delete an extension no workflow (live or deleted) calls.
    pub async fn delete_custom_task_extension(&self, caller: &Caller, id: &str) -> Result<()> {
        let r = self.load_extension(caller, id).await?;
        let users = self.workflows_calling(caller, &r.id).await?;
        if !users.is_empty() {
            return Err(Error::invalid(format!(
                "The custom task extension is used by workflow(s) {}; remove it from their tasks first.",
                users.join(", ")
            )));
        }
        Ok(self
            .store
            .write(
                &caller.tenant,
                vec![Write::Delete {
                    kind: kinds::CUSTOM_TASK_EXTENSION,
                    id: r.id,
                }],
            )
            .await?)
    }

    /// The user who created or last changed the extension.
    pub async fn custom_task_extension_user(
        &self,
        caller: &Caller,
        id: &str,
        nav: UserNav,
    ) -> Result<Value> {
        let r = self.load_extension(caller, id).await?;
        self.navigation_user(caller, &r.doc, nav, "custom task extension")
            .await
    }

    /// The ids of the workflows (live or deleted) whose tasks call extension `ext_id`.
    async fn workflows_calling(&self, caller: &Caller, ext_id: &str) -> Result<Vec<String>> {
        let workflows = self
            .store
            .list(&caller.tenant, kinds::WORKFLOW, None)
            .await?;
        Ok(workflows
            .into_iter()
            .filter(|w| {
                w.doc
                    .get("tasks")
                    .and_then(Value::as_array)
                    .is_some_and(|tasks| tasks.iter().any(|t| calls(t, ext_id)))
            })
            .map(|w| w.id)
            .collect())
    }
}

/// Whether `task` names extension `ext_id` in its `customTaskExtensionID` argument.
fn calls(task: &Value, ext_id: &str) -> bool {
    task.get("arguments")
        .and_then(Value::as_array)
        .is_some_and(|args| {
            args.iter().any(|a| {
                a.get("name").and_then(Value::as_str) == Some("customTaskExtensionID")
                    && a.get("value")
                        .and_then(Value::as_str)
                        .is_some_and(|v| v.eq_ignore_ascii_case(ext_id))
            })
        })
}
