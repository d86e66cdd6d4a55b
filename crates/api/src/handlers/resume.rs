//! `POST .../taskProcessingResults/{id}/microsoft.graph.identityGovernance.resume`: a custom
//! task extension reports back on a task that waits for its callback.
//!
//! Served on every path that addresses a task processing result (the path's keys are checked
//! as for a GET). Answers:
//!
//! * 204 — the task completed or failed as `data.operationStatus` says (case-insensitive),
//!   and the user's remaining tasks are queued;
//! * 400 — a malformed body, or a result that is not a custom task extension task;
//! * 403 — the extension lists `callbackConfiguration.authorizedApps` and the caller's app
//!   (`appid`/`azp`) is not among them (with no apps listed, any caller holding the
//!   permission may resume: Graph's "no authorization" option);
//! * 404 — no such result under that path (always for workflow templates: they never run);
//! * 409 `Conflict` — the task is not waiting for a callback: it finished (completed, failed,
//!   timed out, canceled, resumed before) or its extension has no callback configuration.
//!   The body is fine and the resource exists; it is its state that refuses.

use serde_json::Value;
use store::kinds;

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;
use crate::handlers::runs::{resolve, steps};
use crate::handlers::workflows::load_workflow;

const CALLBACK_DATA: &str = "microsoft.graph.identityGovernance.customTaskExtensionCallbackData";

/// The operation status the body reports: true for `completed`, false for `failed`.
fn operation_status(body: &Value) -> Result<bool, ApiError> {
    let bad = |target: &str, message: String| ApiError::BadRequest {
        message,
        target: Some(target.into()),
    };
    let obj = body
        .as_object()
        .ok_or_else(|| ApiError::bad_request("The request body must be a JSON object."))?;
    for (k, v) in obj {
        match k.as_str() {
            "source" | "type" if v.is_string() || v.is_null() => {}
            "source" | "type" => return Err(bad(k, format!("'{k}' must be a string."))),
            "data" => {}
            other if other.starts_with('@') => {}
            other => {
                return Err(bad(
                    other,
                    format!(
                        "The property '{other}' does not exist on the resume action's parameters."
                    ),
                ))
            }
        }
    }
    let data = obj
        .get("data")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("data", format!("'data' ({CALLBACK_DATA}) is required.")))?;
    for (k, v) in data {
        match k.as_str() {
            "@odata.type" => {
                let t = v.as_str().unwrap_or("").trim_start_matches('#');
                if !t.eq_ignore_ascii_case(CALLBACK_DATA) {
                    return Err(bad(
                        "data",
                        format!("'data' must be a {CALLBACK_DATA}, not '{t}'."),
                    ));
                }
            }
            "operationStatus" | "targetSubject" => {}
            other if other.starts_with('@') => {}
            other => {
                return Err(bad(
                    &format!("data.{other}"),
                    format!("The property '{other}' does not exist on type '{CALLBACK_DATA}'."),
                ))
            }
        }
    }
    match data.get("operationStatus").and_then(Value::as_str) {
        Some(s) if s.eq_ignore_ascii_case("completed") => Ok(true),
        Some(s) if s.eq_ignore_ascii_case("failed") => Ok(false),
        _ => Err(bad(
            "data.operationStatus",
            "'data.operationStatus' must be 'completed' or 'failed'.".into(),
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

fn not_waiting(id: &str, why: &str) -> ApiError {
    ApiError::Conflict(format!(
        "Task processing result '{id}' is not waiting for a custom task extension callback: {why}."
    ))
}

pub async fn resume_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let wf = load_workflow(&ctx).await?;
    let r = resolve(&ctx, &wf, &steps(&ctx)).await?;
    let tpr = r.tpr.ok_or_else(|| {
        ApiError::Internal("resume route without a task processing result".into())
    })?;
    let completed = operation_status(&ctx.json_body()?)?;
    if !tpr
        .task_definition_id
        .eq_ignore_ascii_case(model::catalog::ids::RUN_CUSTOM_TASK_EXTENSION)
    {
        return Err(ApiError::bad_request(format!(
            "Task processing result '{}' is not of a 'Run a Custom Task Extension' task; only those can be resumed.",
            tpr.id
        )));
    }
    let tenant = ctx.tenant();
    let store = &ctx.state.store;
    let callout = store
        .get_callout(tenant, &tpr.id)
        .await?
        .filter(|c| c.state != "done" && tpr.status == "inProgress")
        .ok_or_else(|| not_waiting(&tpr.id, &format!("it is {}", tpr.status)))?;
    let ext = store
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
    if !authorized(&ext, ctx.principal.app_id.as_deref()) {
        return Err(ApiError::Forbidden(format!(
            "The application '{}' is not among the authorizedApps of custom task extension '{}'.",
            ctx.principal.app_id.as_deref().unwrap_or(""),
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
    if !engine::callout::resolve(&ctx.state.engine, tenant, &tpr.id, how).await? {
        return Err(not_waiting(&tpr.id, "it was resolved meanwhile"));
    }
    Ok(Reply::NoContent)
}

/// Workflow templates never run, so none of their task processing results exists.
pub async fn resume_template_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let id = ctx.param(2)?;
    Err(ApiError::NotFound(format!(
        "Task processing result with id '{id}' was not found."
    )))
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
