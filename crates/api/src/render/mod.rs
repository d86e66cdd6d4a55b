//! Wire shaping that several handler modules share: how expanded navigations and inline
//! tasks appear in a workflow, version or template ([this module]), and function results
//! and subject views of run history ([`runs`]).

pub(crate) mod runs;

use lifecycle::workflows::{Expand, Expanded};
use serde_json::{json, Value};

use crate::ctx::Ctx;

/// The navigations the request's `$expand` names, for the domain to resolve.
pub(crate) fn expand_asked(ctx: &Ctx) -> Expand {
    Expand {
        created_by: ctx.expands("createdBy"),
        last_modified_by: ctx.expands("lastModifiedBy"),
        administration_scope_targets: ctx.expands("administrationScopeTargets"),
        versions: ctx.expands("versions"),
        preview_scope: ctx.expands("previewScope"),
    }
}

/// A directory user shown where a collection of directory objects holds it: typed.
pub(crate) fn typed_user(mut user: Value) -> Value {
    if let Some(m) = user.as_object_mut() {
        m.insert("@odata.type".into(), json!("#microsoft.graph.user"));
    }
    user
}

/// Show a document's `tasks` inline behind their `tasks@odata.context` (moved last) when
/// `context` is given, else leave them out.
pub(crate) fn inline_tasks(doc: &mut Value, context: Option<String>) {
    let Some(m) = doc.as_object_mut() else {
        return;
    };
    let tasks = m.remove("tasks");
    if let Some(context) = context {
        m.insert("tasks@odata.context".into(), Value::String(context));
        m.insert("tasks".into(), tasks.unwrap_or(json!([])));
    }
}

/// An expanded document as Graph shows it: the resolved navigations after what the document
/// holds (its inline tasks included), in this order.
pub(crate) fn render_expanded(e: Expanded) -> Value {
    let mut doc = e.doc;
    if let Some(user) = e.created_by {
        doc["createdBy"] = user;
    }
    if let Some(user) = e.last_modified_by {
        doc["lastModifiedBy"] = user;
    }
    if let Some(targets) = e.administration_scope_targets {
        doc["administrationScopeTargets"] = Value::Array(targets);
    }
    if let Some(versions) = e.versions {
        doc["versions"] = Value::Array(versions);
    }
    if let Some(users) = e.preview_scope {
        doc["previewScope"] = Value::Array(users.into_iter().map(typed_user).collect());
    }
    doc
}
