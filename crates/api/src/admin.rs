//! lcw's own admin endpoints (not Graph): move the manual clock and run the scheduler now
//! (only served when the server runs with `--clock manual`), and list the e-mail outbox
//! (`GET /lcw/admin/outbox`, always served). Callers need a token with
//! `LifecycleWorkflows.ReadWrite.All`; the outbox lists the token's tenant.
//!
//! The work is the domain's (`lifecycle::admin`); the manual clock is moved here, as it is
//! part of how the server was started.

use axum::body::Bytes;
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::auth::{Permission, Principal};
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
    let not_found = || ApiError::NotFound(format!("No admin endpoint {method} /lcw/admin/{rest}."));
    if route == "outbox" {
        let principal = authorize(state, method, authorization).await?;
        if *method != Method::GET {
            return Err(not_found());
        }
        let caller = lifecycle::Caller {
            tenant: principal.tenant_id,
            actor: model::workflow::Actor {
                id: principal.object_id,
            },
            now: state.domain.now(),
        };
        let value = state.domain.outbox(&caller).await?;
        return Ok((StatusCode::OK, json!({ "value": value })));
    }
    let Some(clock) = &state.manual_clock else {
        return Err(ApiError::NotFound(
            "The admin endpoints are off; start lcw serve with --clock manual.".into(),
        ));
    };
    authorize(state, method, authorization).await?;
    let now = || json!({ "now": model::time::format_datetime(state.domain.now()) });
    match (method.as_str(), route) {
        ("GET", "clock") => Ok((StatusCode::OK, now())),
        ("POST", "clock") => {
            move_clock(clock, &parse_body(body)?)?;
            Ok((StatusCode::OK, now()))
        }
        ("POST", "scheduler/run") => {
            let run = state.domain.run_scheduler_now().await?;
            Ok((
                StatusCode::OK,
                json!({
                    "now": model::time::format_datetime(run.now),
                    "workflowsEvaluated": run.workflows_evaluated,
                    "runsCreated": run.runs_created,
                    "usersQueued": run.users_queued,
                    // Wall time of the two phases, for the engine benchmark.
                    "passMilliseconds": run.pass_ms,
                    "processingMilliseconds": run.processing_ms,
                }),
            ))
        }
        ("POST", "engine/drain") => {
            state.domain.drain_engine().await?;
            Ok((StatusCode::OK, now()))
        }
        _ => Err(not_found()),
    }
}

/// Every admin endpoint needs `LifecycleWorkflows.ReadWrite.All` (and an lcw role).
async fn authorize(
    state: &AppState,
    method: &Method,
    authorization: Option<&str>,
) -> Result<Principal, ApiError> {
    let principal = state.auth.authenticate(authorization).await?;
    principal.authorize(
        Permission {
            least: "LifecycleWorkflows.ReadWrite.All",
            needs_lcw_role: true,
        },
        *method != Method::GET,
    )?;
    Ok(principal)
}

/// The body as JSON; an absent body is `{}`.
fn parse_body(body: &Bytes) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("The request body is not valid JSON: {e}.")))
}

/// `{"now": "<RFC 3339>"}` sets the manual clock, `{"advance": "<ISO 8601 duration>"}`
/// moves it forward (or back). A time outside 1970-01-01 … 9999-12-31 is refused and the
/// clock keeps its time.
fn move_clock(clock: &engine::ManualClock, b: &Value) -> Result<(), ApiError> {
    if let Some(s) = b.get("now").and_then(Value::as_str) {
        let t = model::time::parse_datetime(s).ok_or_else(|| {
            ApiError::bad_request(format!("'now' must be an RFC 3339 date-time, got '{s}'."))
        })?;
        clock
            .set(t)
            .map_err(|_| out_of_range(&format!("'now' {s} lies")))?;
    } else if let Some(s) = b.get("advance").and_then(Value::as_str) {
        let d = model::time::parse_duration(s).ok_or_else(|| {
            ApiError::bad_request(format!(
                "'advance' must be an ISO 8601 duration such as P1D, got '{s}'."
            ))
        })?;
        clock
            .advance(d)
            .map_err(|_| out_of_range(&format!("'advance' {s} moves the clock")))?;
    } else {
        return Err(ApiError::bad_request(
            "Send {\"now\": \"<RFC 3339>\"} or {\"advance\": \"<ISO 8601 duration>\"}.",
        ));
    }
    Ok(())
}

fn out_of_range(what: &str) -> ApiError {
    ApiError::bad_request(format!(
        "{what} outside 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z."
    ))
}
