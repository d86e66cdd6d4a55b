//! Run-history routes read as the domain's [`ResultPath`]: the route's template below
//! `/workflows/{workflow-id}` walked as `name/{key}` steps with the caller's keys.

use lifecycle::runs::{ResultPath, Step};

use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::render::runs::NS;

/// A template segment without the bound-operation namespace and function arguments.
fn bare(seg: &str) -> String {
    let s = seg.strip_prefix(NS).unwrap_or(seg);
    match s.find('(') {
        Some(i) => s.get(..i).unwrap_or(s).to_string(),
        None => s.to_string(),
    }
}

/// The steps of the route below the workflow, each key as the caller wrote it, lowercased.
fn steps(ctx: &Ctx) -> Result<Vec<Step>, ApiError> {
    let segs: Vec<&str> = ctx
        .route
        .template
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let start = segs
        .iter()
        .position(|s| *s == "workflows")
        .map_or(segs.len(), |i| i + 2);
    let mut out = Vec::new();
    let mut i = start;
    while let Some(s) = segs.get(i) {
        if s.starts_with('{') {
            i += 1;
            continue;
        }
        let key_name = segs
            .get(i + 1)
            .and_then(|n| n.strip_prefix('{'))
            .and_then(|n| n.strip_suffix('}'));
        let key = match key_name {
            Some(name) => {
                i += 2;
                Some(ctx.key(name)?.to_ascii_lowercase())
            }
            None => {
                i += 1;
                None
            }
        };
        out.push(Step { name: bare(s), key });
    }
    Ok(out)
}

/// The request's path into the run history of its workflow.
pub(crate) fn result_path(ctx: &Ctx) -> Result<ResultPath, ApiError> {
    Ok(ResultPath {
        workflow_id: ctx.key("workflow-id")?.to_string(),
        scope: ctx.scope(),
        steps: steps(ctx)?,
    })
}
