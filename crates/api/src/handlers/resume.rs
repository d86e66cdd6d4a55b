//! `POST .../taskProcessingResults/{id}/microsoft.graph.identityGovernance.resume`: a custom
//! task extension reports back on a task that waits for its callback.
//!
//! Served on every path that addresses a task processing result (the path's keys are checked
//! as for a GET). The domain (`lifecycle::resume`) decides; its verdicts answer:
//!
//! * 204 — the task completed or failed as `data.operationStatus` says;
//! * 400 — a malformed body, or a result that is not a custom task extension task;
//! * 403 — the caller's app (`appid`/`azp`) is not among the extension's
//!   `callbackConfiguration.authorizedApps`;
//! * 404 — no such result under that path (always for workflow templates: they never run);
//! * 409 `Conflict` — the task is not waiting for a callback.

use lifecycle::resume::ResumeInput;

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;
use crate::render::runs::for_domain;
use crate::result_path::result_path;

pub async fn resume_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let input = ResumeInput {
        path: result_path(&ctx)?,
        body: for_domain(ctx.json_body()),
        app_id: ctx.principal.app_id.clone(),
    };
    ctx.domain().resume(&ctx.caller(), input).await?;
    Ok(Reply::NoContent)
}

/// Workflow templates never run, so none of their task processing results exists.
pub async fn resume_template_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.domain()
        .resume_on_template(ctx.key("taskProcessingResult-id")?)?;
    Ok(Reply::NoContent)
}
