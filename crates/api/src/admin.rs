//! lcw's own admin endpoints (not Graph): move the manual clock and run the scheduler now
//! (only served when the server runs with `--clock manual`), and list the e-mail outbox
//! (`GET /lcw/admin/outbox`, paged, `?status=` filtered) and send a message again
//! (`POST /lcw/admin/outbox/{id}/requeue`), always served. Callers need a token with
//! `LifecycleWorkflows.ReadWrite.All`; the outbox is the token's tenant's. Tenants and app
//! registrations (`/lcw/admin/tenants`, `/lcw/admin/apps`) are served by `identity.rs`.
//!
//! The work is the domain's (`lifecycle::admin`); the manual clock is moved here, as it is
//! part of how the server was started.

use axum::body::Bytes;
use axum::http::{Method, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};

use crate::auth::{Permission, Principal};
use crate::error::ApiError;
use crate::AppState;

/// Handle `/lcw/admin/{rest}`; returns the JSON body of a 200. `query` is the raw query
/// string, `link_base` the scheme and host next-page links are built on.
pub async fn handle(
    state: &AppState,
    method: &Method,
    authorization: Option<&str>,
    (rest, query, link_base): (&str, Option<&str>, Option<&str>),
    body: &Bytes,
) -> Result<(StatusCode, Value), ApiError> {
    let route = rest.trim_end_matches('/');
    let not_found = || ApiError::NotFound(format!("No admin endpoint {method} /lcw/admin/{rest}."));
    if crate::identity::is_admin_route(route) {
        return crate::identity::admin(state, method, authorization, route, query, body).await;
    }
    if route == "outbox" || route.starts_with("outbox/") {
        let principal = authorize_outbox(state, authorization).await?;
        let caller = lifecycle::Caller {
            now: state.domain.now(&principal.tenant_id),
            tenant: principal.tenant_id,
            actor: model::workflow::Actor {
                id: principal.object_id,
            },
        };
        return match (method.as_str(), route.strip_prefix("outbox/")) {
            ("GET", None) => {
                let options = OutboxOptions::parse(query)?;
                let page = state.domain.outbox(&caller, &options.query).await?;
                let mut out = json!({ "value": page.messages });
                if let Some(after) = page.next {
                    out["@odata.nextLink"] = json!(options.next_link(link_base, &after));
                }
                Ok((StatusCode::OK, out))
            }
            ("POST", Some(tail)) => match tail.strip_suffix("/requeue") {
                Some(id) if !id.is_empty() && !id.contains('/') => {
                    let message = state.domain.requeue_outbox(&caller, id).await?;
                    Ok((StatusCode::OK, message))
                }
                _ => Err(not_found()),
            },
            _ => Err(not_found()),
        };
    }
    let Some(clock) = &state.manual_clock else {
        return Err(ApiError::NotFound(
            "The admin endpoints are off; start lcw serve with --clock manual.".into(),
        ));
    };
    let principal = authorize(state, method, authorization).await?;
    // Another node may have moved this tenant's clock.
    state.domain.adopt_persisted_clocks().await?;
    let caller = lifecycle::Caller {
        now: state.domain.now(&principal.tenant_id),
        tenant: principal.tenant_id,
        actor: model::workflow::Actor {
            id: principal.object_id,
        },
    };
    let now = |t| json!({ "now": model::time::format_datetime(t) });
    match (method.as_str(), route) {
        ("GET", "clock") => Ok((StatusCode::OK, now(caller.now))),
        ("POST", "clock") => {
            let how = clock_move(&parse_body(body)?)?;
            let moved = state.domain.move_clock(&caller, clock, how).await?;
            Ok((StatusCode::OK, now(moved)))
        }
        ("POST", "scheduler/run") => {
            let run = state.domain.run_scheduler_now(&caller).await?;
            Ok((
                StatusCode::OK,
                json!({
                    "now": model::time::format_datetime(run.now),
                    "workflowsEvaluated": run.workflows_evaluated,
                    "runsCreated": run.runs_created,
                    "usersQueued": run.users_queued,
                    // Triggers that passed outside the catch-up window unprocessed.
                    "usersMissed": run.users_missed,
                    // Wall time of the two phases, for the engine benchmark.
                    "passMilliseconds": run.pass_ms,
                    "processingMilliseconds": run.processing_ms,
                }),
            ))
        }
        ("POST", "engine/drain") => {
            state.domain.drain_engine().await?;
            Ok((StatusCode::OK, now(state.domain.now(&caller.tenant))))
        }
        _ => Err(not_found()),
    }
}

/// The outbox holds the text of every mail, Temporary Access Passes included, so reading it
/// takes what changing lcw takes: `LifecycleWorkflows.ReadWrite.All` and, for a signed-in
/// user, a role that may write (a Global Reader may not read passes).
async fn authorize_outbox(
    state: &AppState,
    authorization: Option<&str>,
) -> Result<Principal, ApiError> {
    let principal = state.auth.authenticate(authorization).await?;
    principal.authorize(
        Permission {
            least: "LifecycleWorkflows.ReadWrite.All",
            needs_lcw_role: true,
        },
        true,
    )?;
    Ok(principal)
}

/// Messages per outbox page unless `$top` says otherwise, and the most `$top` may ask.
const OUTBOX_PAGE: i64 = 100;
const OUTBOX_PAGE_MAX: i64 = 1000;

/// The outbox list's options: `$top`, `$skiptoken` (from `@odata.nextLink`) and
/// `status=pending|sent|failed` (`unsent` is `pending`).
struct OutboxOptions {
    query: store::OutboxQuery,
    /// The options to carry into the next page's link.
    kept: Vec<String>,
}

impl OutboxOptions {
    fn parse(raw: Option<&str>) -> Result<OutboxOptions, ApiError> {
        let mut query = store::OutboxQuery {
            status: None,
            after: None,
            limit: OUTBOX_PAGE,
        };
        let mut kept = Vec::new();
        for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            match name.replace("%24", "$").as_str() {
                "$top" => {
                    query.limit = value
                        .parse::<i64>()
                        .ok()
                        .filter(|n| (1..=OUTBOX_PAGE_MAX).contains(n))
                        .ok_or_else(|| {
                            ApiError::bad_request(format!(
                                "$top must be a number from 1 to {OUTBOX_PAGE_MAX}, got '{value}'."
                            ))
                        })?;
                    kept.push(format!("$top={value}"));
                }
                "$skiptoken" => {
                    let id = URL_SAFE_NO_PAD
                        .decode(value)
                        .ok()
                        .and_then(|b| String::from_utf8(b).ok())
                        .and_then(|t| t.strip_prefix("after:").map(str::to_string))
                        .ok_or_else(|| {
                            ApiError::bad_request(
                                "The $skiptoken is not valid; use the @odata.nextLink as given.",
                            )
                        })?;
                    query.after = Some(id);
                }
                "status" => {
                    let status = match value {
                        "unsent" => Some(store::OutboxStatus::Pending),
                        other => store::OutboxStatus::parse(other),
                    };
                    query.status = Some(status.ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "status must be pending (or unsent), sent or failed, got '{value}'."
                        ))
                    })?);
                    kept.push(format!("status={value}"));
                }
                other => {
                    return Err(ApiError::bad_request(format!(
                        "The outbox takes $top, $skiptoken and status, not '{other}'."
                    )))
                }
            }
        }
        Ok(OutboxOptions { query, kept })
    }

    /// The link to the page after message `after`, with the same options.
    fn next_link(&self, link_base: Option<&str>, after: &str) -> String {
        let mut options = self.kept.clone();
        options.push(format!(
            "$skiptoken={}",
            URL_SAFE_NO_PAD.encode(format!("after:{after}"))
        ));
        format!(
            "{}/lcw/admin/outbox?{}",
            link_base.unwrap_or(""),
            options.join("&")
        )
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

/// `{"now": "<RFC 3339>"}` sets the caller's tenant's manual clock, `{"advance": "<ISO 8601
/// duration>"}` moves it forward (or back). A time outside 1970-01-01 … 9999-12-31 is
/// refused (by the domain) and the clock keeps its time.
fn clock_move(b: &Value) -> Result<lifecycle::admin::ClockMove, ApiError> {
    use lifecycle::admin::ClockMove;
    if let Some(s) = b.get("now").and_then(Value::as_str) {
        let t = model::time::parse_datetime(s).ok_or_else(|| {
            ApiError::bad_request(format!("'now' must be an RFC 3339 date-time, got '{s}'."))
        })?;
        Ok(ClockMove::To(t))
    } else if let Some(s) = b.get("advance").and_then(Value::as_str) {
        let d = model::time::parse_duration(s).ok_or_else(|| {
            ApiError::bad_request(format!(
                "'advance' must be an ISO 8601 duration such as P1D, got '{s}'."
            ))
        })?;
        Ok(ClockMove::By(d))
    } else {
        Err(ApiError::bad_request(
            "Send {\"now\": \"<RFC 3339>\"} or {\"advance\": \"<ISO 8601 duration>\"}.",
        ))
    }
}
