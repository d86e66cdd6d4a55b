//! Request-body validation and response rendering driven by the type tables.

use serde_json::{Map, Value};

use crate::schema::{
    derives_from, enum_def, is_polymorphic, property, property_in, shown_as, type_def, EnumDef,
    Property, PropertyKind, Ty, TypeDef,
};
use crate::time::{normalize_date, normalize_datetime, parse_duration};
use crate::version::ApiVersion;
use crate::ModelError;

/// Validate a JSON request body against `type_name`.
///
/// Read-only properties and `@odata.*` annotations are dropped (the Python SDK echoes both back
/// on round trips); unknown properties and wrongly typed values are errors naming the property.
/// Polymorphic complex values keep a normalised `@odata.type` (`#full.name`).
pub fn validate_body(type_name: &str, body: &Value) -> Result<Map<String, Value>, ModelError> {
    let td = type_def(type_name)
        .ok_or_else(|| ModelError::Internal(format!("unknown type {type_name}")))?;
    match validate_object(td, body, "", 0)? {
        Value::Object(map) => Ok(map),
        _ => Err(ModelError::Internal(
            "validated body is not an object".into(),
        )),
    }
}

/// Refuse a body naming a navigation property of `type_name`: where a write may not change
/// what a navigation holds (the containers, which hold nothing else), naming one is an error
/// rather than something silently dropped.
pub fn refuse_navigations(type_name: &str, body: &Value) -> Result<(), ModelError> {
    let Some(td) = type_def(type_name) else {
        return Ok(());
    };
    let Some(obj) = body.as_object() else {
        return Ok(());
    };
    for key in obj.keys() {
        if property(td, key).is_some_and(|p| p.kind != PropertyKind::Structural) {
            return Err(ModelError::Refused {
                property: key.clone(),
                message: format!(
                    "The navigation property '{key}' of '{}' cannot be written.",
                    td.name
                ),
            });
        }
    }
    Ok(())
}

/// The first of `paths` (property paths of a `$filter`-style expression over `type_name`)
/// that names nothing an item of that type can hold, written `a/b` as OData writes it.
/// Each segment must be a property of the type the one before it names; `id` is every
/// entity's key. Write-only properties are never stored, so they name nothing either.
pub fn unknown_property_path(type_name: &str, paths: &[Vec<String>]) -> Option<String> {
    paths
        .iter()
        .find(|p| !names_a_property(type_name, p))
        .map(|p| p.join("/"))
}

fn names_a_property(type_name: &str, path: &[String]) -> bool {
    if path.len() == 1 && path[0] == "id" {
        return true;
    }
    let mut current = type_def(type_name);
    for segment in path {
        let Some(prop) = current
            .and_then(|td| property(td, segment))
            .filter(|p| !p.write_only)
        else {
            return false;
        };
        current = match prop.ty {
            Ty::Complex(name) => type_def(name),
            _ => None,
        };
    }
    true
}

const MAX_DEPTH: usize = 16;

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn validate_object(
    declared: &'static TypeDef,
    value: &Value,
    path: &str,
    depth: usize,
) -> Result<Value, ModelError> {
    if depth > MAX_DEPTH {
        return Err(ModelError::invalid(path, "the value is nested too deeply"));
    }
    let obj = value.as_object().ok_or_else(|| {
        ModelError::invalid(
            if path.is_empty() { "body" } else { path },
            "expected a JSON object",
        )
    })?;
    let actual = resolve_type(declared, obj, path)?;
    let mut out = Map::new();
    if is_polymorphic(declared) || actual.name != declared.name {
        out.insert(
            "@odata.type".into(),
            Value::String(format!("#{}", actual.name)),
        );
    }
    for (key, v) in obj {
        if key.starts_with('@') || key.contains("@odata.") {
            continue;
        }
        let prop = property(actual, key).ok_or_else(|| ModelError::UnknownProperty {
            type_name: actual.name.to_string(),
            property: join(path, key),
        })?;
        if prop.read_only {
            continue;
        }
        let p = join(path, key);
        out.insert(key.clone(), validate_value(prop, v, &p, depth)?);
    }
    Ok(Value::Object(out))
}

/// Pick the concrete type from `@odata.type`, which must name the declared type or a type
/// derived from it; abstract declared types require it.
fn resolve_type(
    declared: &'static TypeDef,
    obj: &Map<String, Value>,
    path: &str,
) -> Result<&'static TypeDef, ModelError> {
    let annotated = obj.get("@odata.type").and_then(Value::as_str);
    match annotated {
        Some(name) => {
            let td = type_def(name).ok_or_else(|| {
                ModelError::invalid(
                    &join(path, "@odata.type"),
                    &format!("'{name}' is not a known type"),
                )
            })?;
            if !derives_from(td, declared) {
                return Err(ModelError::invalid(
                    &join(path, "@odata.type"),
                    &format!("'{name}' is not a '{}'", declared.name),
                ));
            }
            if td.is_abstract {
                return Err(ModelError::invalid(
                    &join(path, "@odata.type"),
                    &format!("'{name}' is abstract"),
                ));
            }
            Ok(td)
        }
        None if declared.is_abstract => Err(ModelError::invalid(
            if path.is_empty() { "@odata.type" } else { path },
            &format!(
                "'@odata.type' is required to choose a concrete '{}'",
                declared.name
            ),
        )),
        None => Ok(declared),
    }
}

fn validate_value(
    prop: &Property,
    v: &Value,
    path: &str,
    depth: usize,
) -> Result<Value, ModelError> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    if prop.collection {
        let items = v
            .as_array()
            .ok_or_else(|| ModelError::invalid(path, "expected a JSON array"))?;
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            out.push(validate_scalar(
                prop.ty,
                item,
                &format!("{path}[{i}]"),
                depth + 1,
            )?);
        }
        return Ok(Value::Array(out));
    }
    validate_scalar(prop.ty, v, path, depth + 1)
}

fn validate_scalar(ty: Ty, v: &Value, path: &str, depth: usize) -> Result<Value, ModelError> {
    let want = |what: &str| ModelError::invalid(path, &format!("expected {what}"));
    match ty {
        Ty::Any => Ok(v.clone()),
        Ty::Str => v
            .as_str()
            .map(|s| Value::String(s.into()))
            .ok_or_else(|| want("a string")),
        Ty::Bool => v
            .as_bool()
            .map(Value::Bool)
            .ok_or_else(|| want("true or false")),
        Ty::Int => match v.as_i64() {
            Some(n) if i32::try_from(n).is_ok() => Ok(Value::from(n)),
            _ => Err(want("a 32-bit integer")),
        },
        Ty::Int64 => v
            .as_i64()
            .map(Value::from)
            .ok_or_else(|| want("an integer")),
        Ty::Guid => {
            let s = v.as_str().ok_or_else(|| want("a GUID string"))?;
            if crate::is_guid(s) {
                Ok(Value::String(s.to_ascii_lowercase()))
            } else {
                Err(want("a GUID"))
            }
        }
        Ty::DateTime => {
            let s = v
                .as_str()
                .ok_or_else(|| want("an ISO 8601 date-time string"))?;
            normalize_datetime(s)
                .map(Value::String)
                .ok_or_else(|| want("an ISO 8601 date-time such as 2024-01-31T09:00:00Z"))
        }
        Ty::Date => {
            let s = v.as_str().ok_or_else(|| want("a date string"))?;
            normalize_date(s)
                .map(Value::String)
                .ok_or_else(|| want("a date such as 2024-01-31"))
        }
        Ty::Duration => {
            let s = v
                .as_str()
                .ok_or_else(|| want("an ISO 8601 duration string"))?;
            parse_duration(s)
                .map(|d| Value::String(crate::time::format_duration(d)))
                .ok_or_else(|| want("an ISO 8601 duration such as PT5M"))
        }
        Ty::Enum(name) => {
            let ed = enum_def(name).ok_or_else(|| ModelError::Internal(format!("enum {name}")))?;
            let s = v.as_str().ok_or_else(|| want("a string enum member"))?;
            ed.member(s.trim())
                .map(|m| Value::String(m.into()))
                .ok_or_else(|| {
                    ModelError::invalid(
                        path,
                        &format!(
                            "'{s}' is not a member of {name} ({})",
                            ed.members.join(", ")
                        ),
                    )
                })
        }
        Ty::Flags(name) => {
            let ed = enum_def(name).ok_or_else(|| ModelError::Internal(format!("enum {name}")))?;
            let parts: Vec<&str> = match v {
                Value::String(s) => s
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect(),
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => return Err(want("a comma-separated string of enum members")),
            };
            let mut members = Vec::new();
            for part in parts {
                let m = ed.member(part).ok_or_else(|| {
                    ModelError::invalid(
                        path,
                        &format!(
                            "'{part}' is not a member of {name} ({})",
                            ed.members.join(", ")
                        ),
                    )
                })?;
                if !members.contains(&m) {
                    members.push(m);
                }
            }
            Ok(Value::String(members.join(",")))
        }
        Ty::Complex(name) => {
            let td = type_def(name).ok_or_else(|| ModelError::Internal(format!("type {name}")))?;
            validate_object(td, v, path, depth)
        }
    }
}

/// Prepare a stored value for the wire in `version`: drop write-only properties and what the
/// version does not know (a value of a type it lacks reads as the nearest base type it knows),
/// show enum members it lacks as `unknownFutureValue` and, unless the caller sent
/// `Prefer: include-unknown-enum-members`, evolvable members too.
pub fn render(type_name: &str, value: &mut Value, include_evolvable: bool, version: ApiVersion) {
    if let Some(td) = type_def(type_name) {
        let how = Rendering {
            include_evolvable,
            version,
        };
        render_object(td, value, how, 0);
    }
}

#[derive(Clone, Copy)]
struct Rendering {
    include_evolvable: bool,
    version: ApiVersion,
}

fn render_object(declared: &'static TypeDef, value: &mut Value, how: Rendering, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let Some(obj) = value.as_object_mut() else {
        return;
    };
    let actual = obj
        .get("@odata.type")
        .and_then(Value::as_str)
        .and_then(type_def)
        .unwrap_or(declared);
    let shown = shown_as(actual, how.version).unwrap_or(actual);
    if !std::ptr::eq(shown, actual) {
        obj.insert(
            "@odata.type".into(),
            Value::String(format!("#{}", shown.name)),
        );
    }
    let mut drop_keys = Vec::new();
    for (key, v) in obj.iter_mut() {
        let Some(prop) = property(actual, key) else {
            continue;
        };
        if prop.write_only || property_in(shown, key, how.version).is_none() {
            drop_keys.push(key.clone());
            continue;
        }
        if prop.collection {
            if let Value::Array(items) = v {
                for item in items {
                    render_scalar(prop.ty, item, how, depth);
                }
            }
        } else {
            render_scalar(prop.ty, v, how, depth);
        }
    }
    for k in drop_keys {
        obj.remove(&k);
    }
}

/// How a stored enum member reads: as itself, or as `unknownFutureValue` when the version
/// lacks it or it is evolvable and the caller did not ask for those.
fn shown_member(ed: &EnumDef, member: &str, how: Rendering) -> bool {
    let known = ed
        .member(member)
        .is_none_or(|m| ed.has_member(m, how.version));
    known && (how.include_evolvable || !ed.is_evolvable(member))
}

fn render_scalar(ty: Ty, v: &mut Value, how: Rendering, depth: usize) {
    match ty {
        Ty::Enum(name) => {
            if let (Some(ed), Some(s)) = (enum_def(name), v.as_str()) {
                if !shown_member(ed, s, how) {
                    *v = Value::String("unknownFutureValue".into());
                }
            }
        }
        Ty::Flags(name) => {
            if let (Some(ed), Some(s)) = (enum_def(name), v.as_str()) {
                if s.split(',').any(|m| !shown_member(ed, m, how)) {
                    let mut out: Vec<&str> = Vec::new();
                    for m in s.split(',') {
                        let m = if shown_member(ed, m, how) {
                            m
                        } else {
                            "unknownFutureValue"
                        };
                        if !out.contains(&m) {
                            out.push(m);
                        }
                    }
                    *v = Value::String(out.join(","));
                }
            }
        }
        Ty::Complex(name) => {
            if let Some(td) = type_def(name) {
                render_object(td, v, how, depth + 1);
            }
        }
        _ => {}
    }
}

/// Refuse, in a request to `version`, what only another version knows: a type named by
/// `@odata.type`, a property, an enum member. `request_type` is the body's type as the
/// reference writes it: a type name, or `{name: Type, other: Collection(Type)}` for an
/// action's parameters. Everything else about the body is judged where it is validated.
pub fn check_request(
    version: ApiVersion,
    request_type: &str,
    body: &Value,
) -> Result<(), ModelError> {
    if version == ApiVersion::Beta {
        return Ok(());
    }
    let Some(params) = request_type
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
    else {
        return match type_def(request_type) {
            Some(td) => check_object(td, body, "", version, 0),
            None => Ok(()),
        };
    };
    for param in params.split(',') {
        let Some((name, ty)) = param.split_once(':') else {
            continue;
        };
        let (name, ty) = (name.trim(), ty.trim());
        let ty = ty
            .strip_prefix("Collection(")
            .and_then(|t| t.strip_suffix(')'))
            .unwrap_or(ty);
        if let (Some(td), Some(v)) = (type_def(ty), body.get(name)) {
            check_complex(td, v, name, version, 0)?;
        }
    }
    Ok(())
}

fn check_complex(
    td: &'static TypeDef,
    v: &Value,
    path: &str,
    version: ApiVersion,
    depth: usize,
) -> Result<(), ModelError> {
    match v {
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, item)| {
            check_object(td, item, &format!("{path}[{i}]"), version, depth)
        }),
        _ => check_object(td, v, path, version, depth),
    }
}

fn check_object(
    declared: &'static TypeDef,
    value: &Value,
    path: &str,
    version: ApiVersion,
    depth: usize,
) -> Result<(), ModelError> {
    let Some(obj) = value.as_object().filter(|_| depth <= MAX_DEPTH) else {
        return Ok(());
    };
    let annotated = obj
        .get("@odata.type")
        .and_then(Value::as_str)
        .map(|name| (name, type_def(name)));
    let actual = match annotated {
        Some((name, Some(td))) if !td.versions.has(version) => {
            return Err(ModelError::invalid(
                &join(path, "@odata.type"),
                &format!("'{name}' is not a known type"),
            ));
        }
        Some((_, Some(td))) => td,
        _ => declared,
    };
    for (key, v) in obj {
        let Some(prop) = property(actual, key) else {
            continue;
        };
        let p = join(path, key);
        if !prop.versions.has(version) {
            return Err(ModelError::UnknownProperty {
                type_name: actual.name.to_string(),
                property: p,
            });
        }
        match prop.ty {
            Ty::Enum(name) | Ty::Flags(name) => check_members(name, v, &p, version)?,
            Ty::Complex(name) => {
                if let Some(td) = type_def(name) {
                    check_complex(td, v, &p, version, depth + 1)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_members(
    enum_name: &str,
    v: &Value,
    path: &str,
    version: ApiVersion,
) -> Result<(), ModelError> {
    let Some(ed) = enum_def(enum_name) else {
        return Ok(());
    };
    let given: Vec<&str> = match v {
        Value::String(s) => s.split(',').map(str::trim).collect(),
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    for s in given {
        if ed.member(s).is_some() && ed.member_in(s, version).is_none() {
            return Err(ModelError::invalid(
                path,
                &format!(
                    "'{s}' is not a member of {enum_name} ({})",
                    ed.members_in(version).join(", ")
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{check_request, render, unknown_property_path};
    use crate::types::{USER, WORKFLOW};
    use crate::version::ApiVersion;
    use serde_json::json;

    fn workflow() -> serde_json::Value {
        json!({
            "category": "mover",
            "targetSubjectType": "user,agentIdentity",
            "executionConditions": {
                "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
                "scope": {
                    "@odata.type": "#microsoft.graph.identityGovernance.allExcludingGroupsSubjectSet",
                    "excludedGroups": []
                }
            }
        })
    }

    #[test]
    fn v1_shows_beta_only_members_and_types_as_what_it_knows() {
        let mut on_v1 = workflow();
        render(WORKFLOW, &mut on_v1, true, ApiVersion::V1);
        assert_eq!(on_v1["category"], "mover");
        assert_eq!(on_v1["targetSubjectType"], "user,unknownFutureValue");
        assert_eq!(
            on_v1["executionConditions"]["scope"],
            json!({"@odata.type": "#microsoft.graph.subjectSet"})
        );
        let mut on_beta = workflow();
        render(WORKFLOW, &mut on_beta, true, ApiVersion::Beta);
        assert_eq!(on_beta, workflow());
    }

    #[test]
    fn v1_requests_may_not_name_beta_only_members_or_types() {
        assert!(check_request(ApiVersion::Beta, WORKFLOW, &workflow()).is_ok());
        let refused = check_request(ApiVersion::V1, WORKFLOW, &workflow()).unwrap_err();
        assert_eq!(refused.target(), Some("targetSubjectType"));
        let mut body = workflow();
        body["targetSubjectType"] = json!("user");
        let refused = check_request(ApiVersion::V1, WORKFLOW, &body).unwrap_err();
        assert_eq!(
            refused.target(),
            Some("executionConditions.scope.@odata.type")
        );
        let scope = json!({"scope": {"@odata.type": "#microsoft.graph.identityGovernance.activateUserScope", "users": [{"id": "u"}]}});
        assert!(check_request(
            ApiVersion::V1,
            "{scope: microsoft.graph.identityGovernance.activationScope}",
            &scope
        )
        .is_ok());
    }

    fn paths(p: &[&str]) -> Vec<Vec<String>> {
        p.iter()
            .map(|s| s.split('/').map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn a_path_names_a_property_segment_by_segment() {
        let known = ["id", "department", "employeeOrgData/division", "otherMails"];
        assert_eq!(unknown_property_path(USER, &paths(&known)), None);
        for unknown in [
            "shoeSize",
            "employeeOrgData/shoeSize",
            "department/length",
            "id/x",
            "passwordProfile/password",
        ] {
            assert_eq!(
                unknown_property_path(USER, &paths(&["department", unknown])),
                Some(unknown.to_string())
            );
        }
    }
}
