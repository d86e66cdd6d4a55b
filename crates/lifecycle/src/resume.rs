//! `resume`: a custom task extension reports back on a task processing result that waits
//! for its callback.
//!
//! Verdicts, in the order they are checked:
//!
//! * not found — no such result under that path (always for workflow templates: they
//!   never run);
//! * invalid — a malformed body, or a result that is not a custom task extension task;
//! * conflict — the task is not waiting for a callback: it finished (completed, failed,
//!   timed out, canceled, resumed before) or its extension has no callback configuration.
//!   The body is fine and the resource exists; it is its state that refuses;
//! * forbidden — the extension lists `callbackConfiguration.authorizedApps` and the
//!   caller's app is not among them (with no apps listed, any caller holding the
//!   permission may resume: Graph's "no authorization" option).
//!
//! On success the task completed or failed as `data.operationStatus` says
//! (case-insensitive), and the user's remaining tasks are queued.

use serde_json::Value;
use store::kinds;

use crate::activation::Body;
use crate::runs::ResultPath;
use crate::{Caller, Error, Result, Service};

const CALLBACK_DATA: &str = "microsoft.graph.identityGovernance.customTaskExtensionCallbackData";

/// A callback on the task processing result `path` ends at.
#[derive(Debug)]
pub struct ResumeInput {
    pub path: ResultPath,
    /// The decoded body, or the reason it could not be decoded: reported only once the
    /// result is found.
    pub body: Body,
    /// The calling application (`appid`/`azp` of its token).
    pub app_id: Option<String>,
}

/// The operation status the body reports: true for `completed`, false for `failed`.
fn operation_status(body: &Value) -> Result<bool> {
    let obj = body
        .as_object()
        .ok_or_else(|| Error::invalid("The request body must be a JSON object."))?;
    for (k, v) in obj {
        match k.as_str() {
            "source" | "type" if v.is_string() || v.is_null() => {}
            "source" | "type" => {
                return Err(Error::invalid_at(format!("'{k}' must be a string."), k))
            }
            "data" => {}
            other if other.starts_with('@') => {}
            other => {
                return Err(Error::invalid_at(
                    format!(
                        "The property '{other}' does not exist on the resume action's parameters."
                    ),
                    other,
                ))
            }
        }
    }
    let data = obj.get("data").and_then(Value::as_object).ok_or_else(|| {
        Error::invalid_at(format!("'data' ({CALLBACK_DATA}) is required."), "data")
    })?;
    for (k, v) in data {
        match k.as_str() {
            "@odata.type" => {
                let t = v.as_str().unwrap_or("").trim_start_matches('#');
                if !t.eq_ignore_ascii_case(CALLBACK_DATA) {
                    return Err(Error::invalid_at(
                        format!("'data' must be a {CALLBACK_DATA}, not '{t}'."),
                        "data",
                    ));
                }
            }
            "operationStatus" | "targetSubject" => {}
            other if other.starts_with('@') => {}
            other => {
                return Err(Error::invalid_at(
                    format!("The property '{other}' does not exist on type '{CALLBACK_DATA}'."),
                    format!("data.{other}"),
                ))
            }
        }
    }
    match data.get("operationStatus").and_then(Value::as_str) {
        Some(s) if s.eq_ignore_ascii_case("completed") => Ok(true),
        Some(s) if s.eq_ignore_ascii_case("failed") => Ok(false),
        _ => Err(Error::invalid_at(
            "'data.operationStatus' must be 'completed' or 'failed'.",
            "data.operationStatus",
        )),
    }
}

/// Whether `app` is listed in the extension's `callbackConfiguration.authorizedApps` (by
/// `appId`, or `id`); an empty or missing list authorises every caller.
fn authorized(ext: &Value, app: Option<&str>) -> bool {
    let apps: Vec<&str> = ext
        .get("callbackConfiguration")
        .and_then(|c| c.get("authorizedApps"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .flat_map(|x| [x.get("appId"), x.get("id")])
                .flatten()
                .filter_map(Value::as_str)
                .collect()
        })
        .unwrap_or_default();
    apps.is_empty() || app.is_some_and(|me| apps.iter().any(|a| a.eq_ignore_ascii_case(me)))
}

fn not_waiting(id: &str, why: &str) -> Error {
    Error::Conflict(format!(
        "Task processing result '{id}' is not waiting for a custom task extension callback: {why}."
    ))
}

impl Service {
    /// Complete or fail the waiting task as the callback says.
    pub async fn resume(&self, caller: &Caller, input: ResumeInput) -> Result<()> {
        let wf = self
            .load_workflow(caller, &input.path.workflow_id, input.path.scope)
            .await?;
        let r = self.resolve(caller, &wf, &input.path.steps).await?;
        let tpr = r.tpr.ok_or_else(|| {
            Error::Internal("resume route without a task processing result".into())
        })?;
        let completed = operation_status(&input.body?)?;
        if !tpr
            .task_definition_id
            .eq_ignore_ascii_case(model::catalog::ids::RUN_CUSTOM_TASK_EXTENSION)
        {
            return Err(Error::invalid(format!(
                "Task processing result '{}' is not of a 'Run a Custom Task Extension' task; only those can be resumed.",
                tpr.id
            )));
        }
        let tenant = caller.tenant.as_str();
        let callout = self
            .store
            .get_callout(tenant, &tpr.id)
            .await?
            .filter(|c| c.state != "done" && tpr.status == "inProgress")
            .ok_or_else(|| not_waiting(&tpr.id, &format!("it is {}", tpr.status)))?;
        let ext = self
            .store
            .get(tenant, kinds::CUSTOM_TASK_EXTENSION, &callout.extension_id)
            .await?
            .map(|e| e.doc)
            .filter(|d| d.get("callbackConfiguration").is_some_and(|c| !c.is_null()))
            .ok_or_else(|| {
                not_waiting(
                    &tpr.id,
                    "its custom task extension has no callbackConfiguration",
                )
            })?;
        if !authorized(&ext, input.app_id.as_deref()) {
            return Err(Error::Forbidden(format!(
                "The application '{}' is not among the authorizedApps of custom task extension '{}'.",
                input.app_id.as_deref().unwrap_or(""),
                callout.extension_id
            )));
        }
        let how = if completed {
            engine::callout::Resolution::Completed(Some(
                "The custom task extension reported the operation completed.".into(),
            ))
        } else {
            engine::callout::Resolution::Failed(
                "The custom task extension reported the operation failed.".into(),
            )
        };
        if !engine::callout::resolve(&self.engine, tenant, &tpr.id, how).await? {
            return Err(not_waiting(&tpr.id, "it was resolved meanwhile"));
        }
        Ok(())
    }

    /// `resume` under a workflow template: templates never run, so none of their task
    /// processing results exists.
    pub fn resume_on_template(&self, result_id: &str) -> Result<()> {
        Err(Error::NotFound(format!(
            "Task processing result with id '{result_id}' was not found."
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_operation_status_case_insensitively() {
        let body = |s: &str| {
            json!({"source": "sample", "type": "lifecycleEvent",
                   "data": {"@odata.type": "#microsoft.graph.identityGovernance.customTaskExtensionCallbackData", "operationStatus": s}})
        };
        assert!(operation_status(&body("Completed")).unwrap());
        assert!(!operation_status(&body("FAILED")).unwrap());
        assert!(operation_status(&body("done")).is_err());
        assert!(operation_status(&json!({"source": "x"})).is_err());
        assert!(
            operation_status(&json!({"data": {"operationStatus": "completed", "nope": 1}}))
                .is_err()
        );
        assert!(
            operation_status(&json!({"data": {"operationStatus": "completed"}, "extra": 1}))
                .is_err()
        );
    }

    #[test]
    fn authorized_apps_by_app_id() {
        let ext =
            json!({"callbackConfiguration": {"authorizedApps": [{"appId": "AAA"}, {"id": "bbb"}]}});
        assert!(authorized(&ext, Some("aaa")));
        assert!(authorized(&ext, Some("BBB")));
        assert!(!authorized(&ext, Some("ccc")));
        assert!(!authorized(&ext, None));
        assert!(authorized(&json!({"callbackConfiguration": {}}), None));
    }
}
