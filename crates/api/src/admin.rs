//! lcw's own admin endpoints (not Graph): move the manual clock and run the scheduler now
//! (only served when the server runs with `--clock manual`), and list the e-mail outbox
//! (`GET /lcw/admin/outbox`, always served). Callers need a token with
//! `LifecycleWorkflows.ReadWrite.All`; the outbox lists the token's tenant.

use axum::body::Bytes;
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::auth::Permission;
use crate::error::ApiError;
use crate::AppState;

/// Handle `/lcw/admin/{rest}`; returns the JSON body of a 200.
pub async fn handle(
    state: &AppState,
    method: &Method,
    authorization: Option<&str>,
    rest: &str,
    body: &Bytes,
) -> Result<(StatusCode, Value), ApiError> {
    let route = rest.trim_end_matches('/');
    if route == "outbox" {
        let principal = state.auth.authenticate(authorization).await?;
        principal.authorize(
            Permission {
                least: "LifecycleWorkflows.ReadWrite.All",
                needs_lcw_role: true,
            },
            *method != Method::GET,
        )?;
        if *method != Method::GET {
            return Err(ApiError::NotFound(format!(
                "No admin endpoint {method} /lcw/admin/{rest}."
            )));
        }
        let rows = state.store.list_outbox(&principal.tenant_id).await?;
        let value: Vec<Value> = rows.iter().map(store::OutboxRow::to_json).collect();
        return Ok((StatusCode::OK, json!({ "value": value })));
    }
    let Some(clock) = &state.manual_clock else {
        return Err(ApiError::NotFound(
            "The admin endpoints are off; start lcw serve with --clock manual.".into(),
        ));
    };
    let principal = state.auth.authenticate(authorization).await?;
    principal.authorize(
        Permission {
            least: "LifecycleWorkflows.ReadWrite.All",
            needs_lcw_role: true,
        },
        *method != Method::GET,
    )?;
    let parsed = || -> Result<Value, ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(json!({}));
        }
        serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("The request body is not valid JSON: {e}.")))
    };
    let now = |state: &AppState| json!({ "now": model::time::format_datetime(state.clock.now()) });
    match (method.as_str(), route) {
        ("GET", "clock") => Ok((StatusCode::OK, now(state))),
        ("POST", "clock") => {
            let b = parsed()?;
            if let Some(s) = b.get("now").and_then(Value::as_str) {
                let t = model::time::parse_datetime(s).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "'now' must be an RFC 3339 date-time, got '{s}'."
                    ))
                })?;
                clock.set(t);
            } else if let Some(s) = b.get("advance").and_then(Value::as_str) {
                let d = model::time::parse_duration(s).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "'advance' must be an ISO 8601 duration such as P1D, got '{s}'."
                    ))
                })?;
                clock.advance(d);
            } else {
                return Err(ApiError::bad_request(
                    "Send {\"now\": \"<RFC 3339>\"} or {\"advance\": \"<ISO 8601 duration>\"}.",
                ));
            }
            Ok((StatusCode::OK, now(state)))
        }
        ("POST", "scheduler/run") => {
            let started = std::time::Instant::now();
            let report = state.engine.scheduler_pass().await.map_err(engine_error)?;
            let pass_ms = started.elapsed().as_millis() as u64;
            state.engine.drain().await.map_err(engine_error)?;
            let processing_ms = started.elapsed().as_millis() as u64 - pass_ms;
            Ok((
                StatusCode::OK,
                json!({
                    "now": model::time::format_datetime(state.clock.now()),
                    "workflowsEvaluated": report.workflows_evaluated,
                    "runsCreated": report.runs_created,
                    "usersQueued": report.users_queued,
                    // Wall time of the two phases, for the engine benchmark.
                    "passMilliseconds": pass_ms,
                    "processingMilliseconds": processing_ms,
                }),
            ))
        }
        ("POST", "engine/drain") => {
            state.engine.drain().await.map_err(engine_error)?;
            Ok((StatusCode::OK, now(state)))
        }
        _ => Err(ApiError::NotFound(format!(
            "No admin endpoint {method} /lcw/admin/{rest}."
        ))),
    }
}

fn engine_error(e: engine::runner::EngineError) -> ApiError {
    ApiError::Internal(e.to_string())
}
