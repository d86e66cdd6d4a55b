//! Bound actions that start, preview or stop processing of a workflow: `activate`,
//! `activateWithScope`, `activateAndWait`, `previewWorkflow`, `previewTaskFailures`,
//! `cancelProcessing` and `clearQuarantine`.
//!
//! Each takes the request body as the API decoded it (or why it could not) and checks it
//! only once the workflow is found, so that a missing workflow is reported first.

use engine::runner::{Activation, ExecutionType};
use serde_json::{json, Map, Value};
use store::{result_kinds, Resource, ResultRow, Write};

use crate::{Caller, Error, Result, Scope, Service};

pub(crate) const NS: &str = "microsoft.graph.identityGovernance.";
/// Users per on-demand selection (service limit).
const MAX_SUBJECTS: usize = 10;
/// How long `activateAndWait` waits for a worker holding the run's job: 500 polls of 20 ms.
const WAIT_POLLS: usize = 500;
const WAIT_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_millis(20);

/// The body of an action: its decoded JSON, or the reason it could not be decoded.
pub type Body = Result<Value>;

/// The outcome of `activateAndWait` for its one user.
#[derive(Debug, Clone)]
pub struct AwaitedProcessing {
    /// The user processing result's `processingStatus`.
    pub status: String,
    /// The failure reasons of the user's failed tasks.
    pub status_reasons: Vec<Value>,
    pub user_id: String,
    /// The subject as the request gave it, which the answer echoes.
    pub subject: Value,
}

pub(crate) fn bad(target: &str, message: impl Into<String>) -> Error {
    Error::invalid_at(message, target)
}

/// Reject members other than `allowed` (annotations such as `@odata.type` are accepted).
pub(crate) fn check_keys(obj: &Map<String, Value>, allowed: &[&str], path: &str) -> Result<()> {
    for k in obj.keys() {
        if k.starts_with('@') || allowed.contains(&k.as_str()) {
            continue;
        }
        let full = if path.is_empty() {
            k.clone()
        } else {
            format!("{path}.{k}")
        };
        return Err(bad(
            &full,
            format!("Property '{full}' is not a parameter of this action."),
        ));
    }
    Ok(())
}

/// The action's parameters, none outside `allowed`.
fn parameters(body: Body, allowed: &[&str]) -> Result<Map<String, Value>> {
    let obj = body?.as_object().cloned().unwrap_or_default();
    check_keys(&obj, allowed, "")?;
    Ok(obj)
}

/// An action without parameters: no body, `{}`, or only annotations.
fn no_parameters(body: Result<Option<Value>>) -> Result<()> {
    if let Some(b) = body? {
        check_keys(b.as_object().unwrap_or(&Map::new()), &[], "")?;
    }
    Ok(())
}

pub(crate) fn object<'a>(v: Option<&'a Value>, path: &str) -> Result<&'a Map<String, Value>> {
    match v {
        Some(Value::Object(m)) => Ok(m),
        None | Some(Value::Null) => Err(bad(path, format!("The parameter '{path}' is required."))),
        Some(_) => Err(bad(
            path,
            format!("Invalid value for '{path}': expected an object."),
        )),
    }
}

pub(crate) fn array<'a>(v: Option<&'a Value>, path: &str) -> Result<&'a Vec<Value>> {
    match v {
        Some(Value::Array(a)) => Ok(a),
        None | Some(Value::Null) => Err(bad(path, format!("The parameter '{path}' is required."))),
        Some(_) => Err(bad(
            path,
            format!("Invalid value for '{path}': expected an array."),
        )),
    }
}

/// The lowercased `id` of a `{"id": ...}` reference object.
pub(crate) fn ref_id(v: &Value, path: &str) -> Result<String> {
    let m = object(Some(v), path)?;
    check_keys(m, &["id"], path)?;
    m.get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| {
            bad(
                &format!("{path}.id"),
                format!("The property '{path}.id' is required."),
            )
        })
}

/// The bare, lowercased type name of an `@odata.type`
/// (`#microsoft.graph.identityGovernance.x` → `x`).
pub(crate) fn odata_type(m: &Map<String, Value>, path: &str) -> Result<String> {
    let t = m
        .get("@odata.type")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            bad(
                &format!("{path}.@odata.type"),
                format!("'{path}' needs an '@odata.type' naming its type."),
            )
        })?;
    let t = t.strip_prefix('#').unwrap_or(t);
    let lower = t.to_ascii_lowercase();
    Ok(lower
        .strip_prefix(&NS.to_ascii_lowercase())
        .unwrap_or(&lower)
        .to_string())
}

/// A run for these users, activated with an `activateUserScope`, which the run shows in
/// `activatedOnScope`.
fn user_scope(users: Vec<String>) -> Activation {
    let echo = json!({
        "@odata.type": format!("#{NS}activateUserScope"),
        "users": users.iter().map(|u| json!({"id": u})).collect::<Vec<_>>(),
    });
    let mut act = Activation::new(ExecutionType::ActivatedWithScope, users);
    act.activated_on_scope = Some(echo);
    act
}

fn require_enabled(wf: &Resource) -> Result<()> {
    if wf.doc.get("isEnabled").and_then(Value::as_bool) == Some(true) {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "Workflow '{}' is disabled; enable it (isEnabled) before running it on demand.",
        wf.id
    )))
}

fn is_finished(status: &str) -> bool {
    matches!(
        status,
        "completed" | "completedWithErrors" | "failed" | "canceled"
    )
}

impl Service {
    /// Existing directory users for `subjects` (1..=10 `{id}` references), deduplicated.
    pub(crate) async fn subject_users(
        &self,
        caller: &Caller,
        v: Option<&Value>,
        path: &str,
    ) -> Result<Vec<String>> {
        self.subject_users_or(caller, v, path, bad).await
    }

    /// [`Service::subject_users`], with `unknown` deciding the error for a user that does
    /// not exist (given the item's path and a message).
    async fn subject_users_or(
        &self,
        caller: &Caller,
        v: Option<&Value>,
        path: &str,
        unknown: impl Fn(&str, String) -> Error,
    ) -> Result<Vec<String>> {
        let items = array(v, path)?;
        if items.is_empty() {
            return Err(bad(path, format!("'{path}' needs at least one user.")));
        }
        if items.len() > MAX_SUBJECTS {
            return Err(bad(
                path,
                format!(
                    "'{path}' has {} entries; at most {MAX_SUBJECTS} users can be selected per request.",
                    items.len()
                ),
            ));
        }
        let mut out: Vec<String> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let p = format!("{path}[{i}]");
            let id = ref_id(item, &p)?;
            let user = self
                .store
                .get_user(&caller.tenant, &id)
                .await?
                .ok_or_else(|| {
                    unknown(
                        &p,
                        format!("Invalid value for '{p}': user '{id}' does not exist."),
                    )
                })?;
            if !out.contains(&user.id) {
                out.push(user.id);
            }
        }
        Ok(out)
    }

    /// Start a run of `wf`; answers the run's id.
    async fn start(&self, caller: &Caller, wf: &Resource, act: Activation) -> Result<String> {
        Ok(self.engine.activate(&caller.tenant, &wf.doc, act).await?)
    }

    /// The live workflow and the users of a `{subjects: [{id}]}` body, for `activate` and
    /// `previewWorkflow`.
    async fn workflow_and_subjects(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        body: Body,
    ) -> Result<(Resource, Vec<String>)> {
        let wf = self
            .load_live_workflow_for_write(caller, workflow_id, scope)
            .await?;
        let params = parameters(body, &["subjects"])?;
        let users = self
            .subject_users(caller, params.get("subjects"), "subjects")
            .await?;
        Ok((wf, users))
    }

    /// `activate` `{subjects: [{id}]}`: run the workflow now for these users.
    pub async fn activate(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        body: Body,
    ) -> Result<()> {
        let (wf, users) = self
            .workflow_and_subjects(caller, workflow_id, scope, body)
            .await?;
        require_enabled(&wf)?;
        self.start(caller, &wf, Activation::new(ExecutionType::OnDemand, users))
            .await?;
        Ok(())
    }

    /// `activateWithScope` `{scope: activateUserScope | activateGroupScope |
    /// activateRunScope | activateProcessingResultScope}` (the metadata's form) or
    /// `{subjects: [{id}]}` (the documented one, whose unknown users are a 406).
    pub async fn activate_with_scope(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        body: Body,
    ) -> Result<()> {
        let wf = self
            .load_live_workflow_for_write(caller, workflow_id, scope)
            .await?;
        let params = parameters(body, &["scope", "subjects"])?;
        if params.contains_key("subjects") {
            if params.contains_key("scope") {
                return Err(bad(
                    "subjects",
                    "Give either 'scope' or 'subjects', not both.",
                ));
            }
            let act = self
                .subjects_activation(caller, params.get("subjects"))
                .await?;
            require_enabled(&wf)?;
            self.start(caller, &wf, act).await?;
            return Ok(());
        }
        let selection = object(params.get("scope"), "scope")?;
        let act = match odata_type(selection, "scope")?.as_str() {
            "activateuserscope" => self.user_scope_activation(caller, selection).await?,
            "activategroupscope" => self.group_scope_activation(caller, selection).await?,
            "activaterunscope" => self.run_scope_activation(caller, &wf, selection).await?,
            "activateprocessingresultscope" => {
                self.processing_result_scope_activation(caller, &wf, selection)
                    .await?
            }
            _ => {
                return Err(bad(
                    "scope.@odata.type",
                    "Invalid value for 'scope.@odata.type': expected activateUserScope, activateGroupScope, activateRunScope or activateProcessingResultScope.",
                ))
            }
        };
        require_enabled(&wf)?;
        self.start(caller, &wf, act).await?;
        Ok(())
    }

    /// The documented `subjects` form: these users, as an `activateUserScope` would name
    /// them; users that do not exist make the request not acceptable.
    async fn subjects_activation(
        &self,
        caller: &Caller,
        subjects: Option<&Value>,
    ) -> Result<Activation> {
        let users = self
            .subject_users_or(caller, subjects, "subjects", |_, message| {
                Error::NotAcceptable(message)
            })
            .await?;
        Ok(user_scope(users))
    }

    async fn user_scope_activation(
        &self,
        caller: &Caller,
        selection: &Map<String, Value>,
    ) -> Result<Activation> {
        check_keys(selection, &["users"], "scope")?;
        let users = self
            .subject_users(caller, selection.get("users"), "scope.users")
            .await?;
        Ok(user_scope(users))
    }

    async fn group_scope_activation(
        &self,
        caller: &Caller,
        selection: &Map<String, Value>,
    ) -> Result<Activation> {
        check_keys(selection, &["group"], "scope")?;
        let gid = ref_id(
            selection.get("group").unwrap_or(&Value::Null),
            "scope.group",
        )?;
        if self.store.get_group(&caller.tenant, &gid).await?.is_none() {
            return Err(bad(
                "scope.group",
                format!("Invalid value for 'scope.group': group '{gid}' does not exist."),
            ));
        }
        let members = self.store.member_users(&caller.tenant, &gid).await?;
        let users: Vec<String> = members
            .iter()
            .filter_map(|u| u.get("id").and_then(Value::as_str).map(str::to_string))
            .collect();
        if users.is_empty() {
            return Err(bad(
                "scope.group",
                format!("Group '{gid}' has no user members."),
            ));
        }
        let mut act = Activation::new(ExecutionType::ActivatedWithScope, users);
        act.activated_on_scope = Some(json!({
            "@odata.type": format!("#{NS}activateGroupScope"),
            "group": {"id": gid},
        }));
        Ok(act)
    }

    /// `activateAndWait` `{subject: directoryObjectWorkflowSubject}`: run for one user and
    /// answer once that user's processing finished.
    pub async fn activate_and_wait(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        body: Body,
    ) -> Result<AwaitedProcessing> {
        let wf = self
            .load_live_workflow_for_write(caller, workflow_id, scope)
            .await?;
        let params = parameters(body, &["subject"])?;
        let subject = object(params.get("subject"), "subject")?;
        let user_id = match odata_type(subject, "subject")?.as_str() {
            "directoryobjectworkflowsubject" => {
                check_keys(subject, &["directoryObject"], "subject")?;
                let id = ref_id(
                    subject.get("directoryObject").unwrap_or(&Value::Null),
                    "subject.directoryObject",
                )?;
                self.store
                    .get_user(&caller.tenant, &id)
                    .await?
                    .ok_or_else(|| {
                        bad(
                            "subject.directoryObject",
                            format!("Invalid value for 'subject.directoryObject': user '{id}' does not exist."),
                        )
                    })?
                    .id
            }
            "provisioningobjectworkflowsubject" => {
                // lcw's subjects are its directory users: the object provisioned is the
                // user its id names; its attribute set is echoed, not applied.
                check_keys(subject, &["id", "attributeSetEntries"], "subject")?;
                let id = subject
                    .get("id")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_ascii_lowercase)
                    .ok_or_else(|| bad("subject.id", "The property 'subject.id' is required."))?;
                if !subject
                    .get("attributeSetEntries")
                    .is_none_or(|v| v.is_null() || v.is_array())
                {
                    return Err(bad(
                        "subject.attributeSetEntries",
                        "Invalid value for 'subject.attributeSetEntries': expected an array.",
                    ));
                }
                self.store
                    .get_user(&caller.tenant, &id)
                    .await?
                    .ok_or_else(|| {
                        bad(
                            "subject.id",
                            format!("Invalid value for 'subject.id': lcw provisions directory users, and user '{id}' does not exist."),
                        )
                    })?
                    .id
            }
            _ => {
                return Err(bad(
                    "subject.@odata.type",
                    "Invalid value for 'subject.@odata.type': expected provisioningObjectWorkflowSubject or directoryObjectWorkflowSubject.",
                ))
            }
        };
        require_enabled(&wf)?;
        let run_id = self
            .start(
                caller,
                &wf,
                Activation::new(ExecutionType::OnDemand, vec![user_id.clone()]),
            )
            .await?;
        self.engine.drain().await?;
        // A worker may hold the job's lease: wait (bounded) for it to finish.
        let mut upr: Option<ResultRow> = None;
        for _ in 0..WAIT_POLLS {
            upr = self
                .all_result_rows(
                    caller,
                    result_kinds::USER,
                    Some(&wf.id),
                    Some(&run_id),
                    None,
                )
                .await?
                .into_iter()
                .next();
            if upr.as_ref().is_some_and(|u| is_finished(&u.status)) {
                break;
            }
            tokio::time::sleep(WAIT_POLL_INTERVAL).await;
            self.engine.drain().await?;
        }
        let upr = upr.ok_or_else(|| Error::Internal(format!("run {run_id} has no user result")))?;
        let status_reasons: Vec<Value> = self
            .all_result_rows(caller, result_kinds::TASK, None, None, Some(&upr.id))
            .await?
            .iter()
            .filter(|t| t.status == "failed")
            .filter_map(|t| {
                t.doc
                    .get("failureReason")
                    .filter(|v| v.is_string())
                    .cloned()
            })
            .collect();
        Ok(AwaitedProcessing {
            status: upr.status,
            status_reasons,
            user_id,
            subject: Value::Object(subject.clone()),
        })
    }

    /// `previewWorkflow` `{subjects: [{id}]}`: a run of type `preview`, which plans every
    /// task and records the outcome while the engine applies no effect.
    pub async fn preview_workflow(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        body: Body,
    ) -> Result<()> {
        let (wf, users) = self
            .workflow_and_subjects(caller, workflow_id, scope, body)
            .await?;
        self.start(caller, &wf, Activation::new(ExecutionType::Preview, users))
            .await?;
        Ok(())
    }

    /// `previewTaskFailures`: the tasks lcw would fail, those it does not implement, as
    /// `previewFailedTask` documents.
    pub async fn preview_task_failures(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        body: Result<Option<Value>>,
    ) -> Result<Vec<Value>> {
        let wf = self
            .load_live_workflow_for_write(caller, workflow_id, scope)
            .await?;
        no_parameters(body)?;
        let tasks = wf
            .doc
            .get("tasks")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        Ok(tasks
            .iter()
            .filter(|t| {
                let def = t
                    .get("taskDefinitionId")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                !engine::tasks::is_implemented(def)
            })
            .map(|t| {
                let s = |k: &str| t.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                let name = s("displayName");
                json!({
                    "taskId": s("id"),
                    "definitionId": s("taskDefinitionId"),
                    "name": name,
                    "failureReason": format!("The task '{name}' is not implemented by lcw yet."),
                })
            })
            .collect())
    }

    /// `cancelProcessing` `{scope: cancelRunsScope{runs: [{id}]}}` (exactly one run).
    pub async fn cancel_processing(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        body: Body,
    ) -> Result<()> {
        let wf = self
            .load_live_workflow_for_write(caller, workflow_id, scope)
            .await?;
        let params = parameters(body, &["scope"])?;
        let selection = object(params.get("scope"), "scope")?;
        if selection.contains_key("@odata.type")
            && odata_type(selection, "scope")? != "cancelrunsscope"
        {
            return Err(bad(
                "scope.@odata.type",
                "Invalid value for 'scope.@odata.type': expected cancelRunsScope.",
            ));
        }
        check_keys(selection, &["runs"], "scope")?;
        let runs = array(selection.get("runs"), "scope.runs")?;
        if runs.len() != 1 {
            return Err(bad(
                "scope.runs",
                format!(
                    "'scope.runs' must name exactly one run (it has {}).",
                    runs.len()
                ),
            ));
        }
        let run_id = ref_id(runs.first().unwrap_or(&Value::Null), "scope.runs[0]")?;
        self.engine
            .cancel_run(&caller.tenant, &wf.id, &run_id)
            .await?;
        Ok(())
    }

    /// `clearQuarantine`: reset `quarantineDetails`; answers the workflow as stored.
    pub async fn clear_quarantine(
        &self,
        caller: &Caller,
        workflow_id: &str,
        scope: Scope,
        body: Result<Option<Value>>,
    ) -> Result<Resource> {
        let mut wf = self
            .load_live_workflow_for_write(caller, workflow_id, scope)
            .await?;
        no_parameters(body)?;
        wf.doc["quarantineDetails"] = json!({
            "quarantinedDateTime": null,
            "quarantineReason": null,
            "quarantineType": "notQuarantined",
        });
        self.store
            .write(&caller.tenant, vec![Write::Put(wf.clone())])
            .await?;
        // The answer is the workflow without its navigations.
        crate::workflows::take_scope_targets(&mut wf.doc);
        Ok(wf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_outside_the_action_are_named() {
        let body = json!({"subjects": [], "@odata.type": "x", "extra": 1});
        let err = parameters(Ok(body), &["subjects"]).unwrap_err();
        assert!(matches!(err, Error::Invalid { target: Some(t), .. } if t == "extra"));
        assert!(no_parameters(Ok(None)).is_ok());
        assert!(no_parameters(Ok(Some(json!({"@odata.type": "x"})))).is_ok());
        assert!(no_parameters(Ok(Some(json!({"a": 1})))).is_err());
    }

    #[test]
    fn references_and_types_are_read_loosely() {
        assert_eq!(ref_id(&json!({"id": "ABC"}), "p").unwrap(), "abc");
        assert!(ref_id(&json!({"id": ""}), "p").is_err());
        assert!(ref_id(&json!({"id": "a", "b": 1}), "p").is_err());
        let scope = json!({"@odata.type": "#microsoft.graph.identityGovernance.activateRunScope"});
        let m = scope.as_object().unwrap();
        assert_eq!(odata_type(m, "scope").unwrap(), "activaterunscope");
        assert!(odata_type(&Map::new(), "scope").is_err());
    }
}
