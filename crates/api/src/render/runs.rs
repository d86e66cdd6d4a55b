//! Wire shaping shared by the run-history, activation and resume handlers: function results
//! with their context, the subject view of user processing results, and handing the
//! verdict on a request's body or page to the domain.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;

pub(crate) const NS: &str = "microsoft.graph.identityGovernance.";
const DIRECTORY_OBJECT_SUBJECT: &str =
    "#microsoft.graph.identityGovernance.directoryObjectWorkflowSubject";

/// The result of a bound function or action of type `{NS}{type_name}`, with its context.
pub(crate) fn function_result(ctx: &Ctx, type_name: &str, mut body: Value) -> Reply {
    model::render(
        &format!("{NS}{type_name}"),
        &mut body,
        ctx.include_evolvable,
        ctx.version,
    );
    let mut out = Map::new();
    out.insert(
        "@odata.context".into(),
        Value::String(format!("{}/$metadata#{NS}{type_name}", ctx.base)),
    );
    if let Value::Object(m) = body {
        out.extend(m);
    }
    Reply::Json(StatusCode::OK, Value::Object(out))
}

/// A user processing result shown as a subject processing result.
pub(crate) fn as_subject_result(mut doc: Value) -> Value {
    let id = doc
        .get("subject")
        .and_then(|s| s.get("id"))
        .cloned()
        .unwrap_or(Value::Null);
    if let Some(m) = doc.as_object_mut() {
        m.insert(
            "subject".into(),
            json!({"@odata.type": DIRECTORY_OBJECT_SUBJECT, "directoryObject": {"id": id}}),
        );
        m.insert("subjectType".into(), json!("user"));
    }
    doc
}

/// A part of the request (body, page) as the domain takes it: read, or the bad request it
/// makes. The domain reports a bad part only after finding what the path names, the order in
/// which these requests have always been answered.
pub(crate) fn for_domain<T>(decoded: Result<T, ApiError>) -> lifecycle::Result<T> {
    decoded.map_err(|e| match e {
        ApiError::BadRequest { message, target } => lifecycle::Error::Invalid { message, target },
        other => lifecycle::Error::Internal(other.to_string()),
    })
}
