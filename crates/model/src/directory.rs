//! Users and groups: the rules that turn a request body (or an import row) into the stored
//! document, merge a PATCH into it, and read `@odata.id` references. Pure functions, shared by
//! the HTTP handlers and `lcw import`.
//!
//! Stored documents hold only properties that have a value: a PATCH (or import) setting a
//! property to `null` removes it. `passwordProfile` is accepted and discarded: lcw never
//! keeps secrets. Date-times are normalised to UTC `Z` form by [`crate::validate_body`].

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::document::{check_max_chars, MAX_DISPLAY_NAME_CHARS};
use crate::schema::{property, type_def, Ty};
use crate::types::{GROUP, USER};
use crate::ModelError;

/// The create/PATCH annotation that adds members to a group.
pub const MEMBERS_BIND: &str = "members@odata.bind";

/// The `@odata.type` of users in directory-object collections (members, direct reports).
pub const USER_ODATA_TYPE: &str = "#microsoft.graph.user";
/// The `@odata.type` of groups in directory-object collections (memberOf).
pub const GROUP_ODATA_TYPE: &str = "#microsoft.graph.group";

/// Properties a user must always have (a PATCH may not clear them).
const USER_REQUIRED: &[&str] = &["displayName", "userPrincipalName", "accountEnabled"];
/// Properties a group must always have.
const GROUP_REQUIRED: &[&str] = &["displayName", "mailEnabled", "securityEnabled"];

fn str_prop<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Value::as_str)
}

/// A userPrincipalName is `alias@domain`: one `@`, both sides non-empty, no whitespace.
pub fn check_user_principal_name(upn: &str) -> Result<(), ModelError> {
    let ok = match upn.split_once('@') {
        Some((alias, domain)) => {
            !alias.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !upn.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ModelError::invalid(
            "userPrincipalName",
            &format!("'{upn}' is not a user principal name of the form alias@domain"),
        ))
    }
}

/// Common checks on validated properties: a client-supplied `id` must be a GUID (kept
/// lower-case); required properties may not be null or empty.
fn check_common(props: &mut Map<String, Value>, required: &[&str]) -> Result<(), ModelError> {
    if let Some(id) = props.get("id") {
        match id.as_str() {
            Some(s) if crate::is_guid(s) => {
                let lower = s.to_ascii_lowercase();
                props.insert("id".into(), Value::String(lower));
            }
            _ => return Err(ModelError::invalid("id", "expected a GUID")),
        }
    }
    for key in required {
        match props.get(*key) {
            Some(Value::Null) => {
                return Err(ModelError::invalid(key, "the property cannot be null"));
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                return Err(ModelError::invalid(key, "the property cannot be empty"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Validate a user body (create, PATCH or import row) into its writable properties.
/// Unknown properties are errors naming them; read-only ones and annotations are dropped.
pub fn validate_user_props(body: &Value) -> Result<Map<String, Value>, ModelError> {
    let mut props = crate::validate_body(USER, body)?;
    props.remove("passwordProfile");
    check_common(&mut props, USER_REQUIRED)?;
    check_max_chars(&props, "displayName", "displayName", MAX_DISPLAY_NAME_CHARS)?;
    crate::mail::check_user_mail(&props)?;
    if let Some(upn) = str_prop(&props, "userPrincipalName") {
        check_user_principal_name(upn)?;
    }
    Ok(props)
}

/// A new user document from validated properties: `displayName` and `userPrincipalName` are
/// required; `id` (when not supplied), `createdDateTime`, `accountEnabled` (true),
/// `mailNickname` (the UPN's alias) and `userType` (`Member`) are filled in.
pub fn new_user_from_props(
    props: Map<String, Value>,
    now: DateTime<Utc>,
) -> Result<Value, ModelError> {
    for key in ["displayName", "userPrincipalName"] {
        if props.get(key).is_none_or(Value::is_null) {
            return Err(ModelError::Missing(key.into()));
        }
    }
    // Time-ordered when lcw picks it: SQLite keeps users clustered by id, so new users
    // (an import of thousands) append to the table instead of landing all over it.
    let id = str_prop(&props, "id")
        .map(str::to_string)
        .unwrap_or_else(crate::new_sequential_id);
    let alias = str_prop(&props, "userPrincipalName")
        .and_then(|u| u.split_once('@'))
        .map(|(a, _)| a.to_string())
        .unwrap_or_default();
    let mut doc = Map::new();
    doc.insert("id".into(), Value::String(id));
    for (k, v) in props {
        if k != "id" && !v.is_null() {
            doc.insert(k, v);
        }
    }
    doc.entry("accountEnabled").or_insert(Value::Bool(true));
    doc.entry("mailNickname").or_insert(Value::String(alias));
    doc.entry("userType")
        .or_insert(Value::String("Member".into()));
    doc.insert(
        "createdDateTime".into(),
        Value::String(crate::time::format_datetime(now)),
    );
    Ok(Value::Object(doc))
}

/// `POST /users`: validate and build the stored document.
pub fn new_user(body: &Value, now: DateTime<Utc>) -> Result<Value, ModelError> {
    new_user_from_props(validate_user_props(body)?, now)
}

/// Merge validated properties into a stored document: values replace, `null` removes; the
/// `id` cannot change.
fn merge(current: &Value, props: Map<String, Value>) -> Result<Value, ModelError> {
    let mut doc = current.as_object().cloned().unwrap_or_default();
    if let Some(id) = str_prop(&props, "id") {
        let same = doc
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(|cur| cur.eq_ignore_ascii_case(id));
        if !same {
            return Err(ModelError::invalid(
                "id",
                "the id of a directory object cannot be changed",
            ));
        }
    }
    for (k, v) in props {
        if k == "id" {
            continue;
        }
        if v.is_null() {
            doc.remove(&k);
        } else {
            doc.insert(k, v);
        }
    }
    Ok(Value::Object(doc))
}

/// Merge validated user properties (from [`validate_user_props`]) into a stored user.
pub fn merge_user(current: &Value, props: Map<String, Value>) -> Result<Value, ModelError> {
    merge(current, props)
}

/// `PATCH /users/{id}`: the updated document.
pub fn patch_user(current: &Value, body: &Value) -> Result<Value, ModelError> {
    merge_user(current, validate_user_props(body)?)
}

/// Validate a group body (create, PATCH or import row) into its writable properties.
/// `members@odata.bind` is not a property: read it with [`member_binds`].
pub fn validate_group_props(body: &Value) -> Result<Map<String, Value>, ModelError> {
    let mut props = crate::validate_body(GROUP, body)?;
    check_common(&mut props, GROUP_REQUIRED)?;
    check_max_chars(&props, "displayName", "displayName", MAX_DISPLAY_NAME_CHARS)?;
    Ok(props)
}

/// The default `mailNickname` of a group: its display name without characters Graph does
/// not allow in a nickname (stable, so imports can match groups by it).
pub fn default_group_mail_nickname(display_name: &str) -> String {
    let nick: String = display_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    if nick.is_empty() {
        "group".into()
    } else {
        nick
    }
}

/// A new group document: `displayName` is required; `mailEnabled` (false),
/// `securityEnabled` (true), `mailNickname` (from the display name), `groupTypes` ([]) and
/// `resourceProvisioningOptions` ([]) are filled in.
pub fn new_group_from_props(
    props: Map<String, Value>,
    now: DateTime<Utc>,
) -> Result<Value, ModelError> {
    let Some(name) = str_prop(&props, "displayName").map(str::to_string) else {
        return Err(ModelError::Missing("displayName".into()));
    };
    let id = str_prop(&props, "id")
        .map(str::to_string)
        .unwrap_or_else(crate::new_id);
    let mut doc = Map::new();
    doc.insert("id".into(), Value::String(id));
    for (k, v) in props {
        if k != "id" && !v.is_null() {
            doc.insert(k, v);
        }
    }
    doc.entry("mailEnabled").or_insert(Value::Bool(false));
    doc.entry("securityEnabled").or_insert(Value::Bool(true));
    doc.entry("mailNickname")
        .or_insert_with(|| Value::String(default_group_mail_nickname(&name)));
    doc.entry("groupTypes").or_insert(Value::Array(Vec::new()));
    doc.entry("resourceProvisioningOptions")
        .or_insert(Value::Array(Vec::new()));
    doc.insert(
        "createdDateTime".into(),
        Value::String(crate::time::format_datetime(now)),
    );
    Ok(Value::Object(doc))
}

/// `POST /groups`: validate and build the stored document (members are separate).
pub fn new_group(body: &Value, now: DateTime<Utc>) -> Result<Value, ModelError> {
    new_group_from_props(validate_group_props(body)?, now)
}

/// Merge validated group properties into a stored group.
pub fn merge_group(current: &Value, props: Map<String, Value>) -> Result<Value, ModelError> {
    merge(current, props)
}

/// `PATCH /groups/{id}`: the updated document.
pub fn patch_group(current: &Value, body: &Value) -> Result<Value, ModelError> {
    merge_group(current, validate_group_props(body)?)
}

/// What an `@odata.id` reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    User,
    Group,
    /// `/directoryObjects/{id}`: any kind; the caller looks it up.
    DirectoryObject,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryRef {
    pub kind: RefKind,
    /// The key as written: an object id, or for users possibly a userPrincipalName.
    pub id: String,
}

/// Read the object a reference URL points at: any URL (absolute or relative, any API
/// version) ending in `/users/{id}`, `/groups/{id}` or `/directoryObjects/{id}`, or in the
/// key-in-parentheses form `/users('{id}')`.
pub fn parse_reference(url: &str) -> Option<DirectoryRef> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let segs: Vec<&str> = path
        .trim_end_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let kind_of = |s: &str| match s.to_ascii_lowercase().as_str() {
        "users" => Some(RefKind::User),
        "groups" => Some(RefKind::Group),
        "directoryobjects" => Some(RefKind::DirectoryObject),
        _ => None,
    };
    let last = *segs.last()?;
    let (kind, raw) = if let Some((coll, rest)) = last.split_once('(') {
        let key = rest.strip_suffix(')')?;
        let key = key
            .strip_prefix('\'')
            .and_then(|k| k.strip_suffix('\''))
            .unwrap_or(key);
        (kind_of(coll)?, key.to_string())
    } else {
        let coll = segs.len().checked_sub(2).and_then(|i| segs.get(i))?;
        (kind_of(coll)?, last.to_string())
    };
    let id = odata::percent_decode(&raw);
    if id.is_empty() {
        return None;
    }
    Some(DirectoryRef { kind, id })
}

fn bad_reference(path: &str, url: &str) -> ModelError {
    ModelError::invalid(
        path,
        &format!(
            "'{url}' is not a reference to a directory object; use https://graph.microsoft.com/v1.0/directoryObjects/{{id}}"
        ),
    )
}

/// The body of `PUT .../manager/$ref` and `POST .../members/$ref`: `{"@odata.id": URL}`.
pub fn parse_reference_body(body: &Value) -> Result<DirectoryRef, ModelError> {
    let obj = body
        .as_object()
        .ok_or_else(|| ModelError::invalid("body", "expected a JSON object"))?;
    if let Some(k) = obj.keys().find(|k| k.as_str() != "@odata.id") {
        return Err(ModelError::invalid(
            k,
            "a reference body holds only '@odata.id'",
        ));
    }
    let url = obj
        .get("@odata.id")
        .ok_or_else(|| ModelError::Missing("@odata.id".into()))?
        .as_str()
        .ok_or_else(|| ModelError::invalid("@odata.id", "expected a URL string"))?;
    parse_reference(url).ok_or_else(|| bad_reference("@odata.id", url))
}

/// The references of `members@odata.bind` in a group create/PATCH body (empty when absent).
pub fn member_binds(body: &Value) -> Result<Vec<DirectoryRef>, ModelError> {
    let Some(v) = body.get(MEMBERS_BIND) else {
        return Ok(Vec::new());
    };
    let items = v
        .as_array()
        .ok_or_else(|| ModelError::invalid(MEMBERS_BIND, "expected a JSON array of URLs"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let path = format!("{MEMBERS_BIND}[{i}]");
            let url = item
                .as_str()
                .ok_or_else(|| ModelError::invalid(&path, "expected a URL string"))?;
            parse_reference(url).ok_or_else(|| bad_reference(&path, url))
        })
        .collect()
}

/// Where a text field (a CSV column) goes: `name` or `name.sub` of a user.
struct TextField<'a> {
    head: &'a str,
    sub: Option<&'a str>,
    ty: Ty,
    collection: bool,
}

fn text_field(name: &str) -> Result<TextField<'_>, ModelError> {
    let user =
        type_def(USER).ok_or_else(|| ModelError::Internal(format!("unknown type {USER}")))?;
    let unknown = |type_name: &str| ModelError::UnknownProperty {
        type_name: type_name.to_string(),
        property: name.to_string(),
    };
    let (head, sub) = match name.split_once('.') {
        Some((h, t)) => (h, Some(t)),
        None => (name, None),
    };
    let prop = property(user, head).ok_or_else(|| unknown(USER))?;
    if prop.read_only {
        return Err(ModelError::invalid(name, "the property is read-only"));
    }
    match (sub, prop.ty) {
        (None, Ty::Complex(_)) if !prop.collection => Err(ModelError::invalid(
            name,
            "a complex property needs sub-property columns such as 'employeeOrgData.division'",
        )),
        (None, ty) => Ok(TextField {
            head,
            sub: None,
            ty,
            collection: prop.collection,
        }),
        (Some(sub_name), Ty::Complex(cty)) if !prop.collection => {
            let sub_td =
                type_def(cty).ok_or_else(|| ModelError::Internal(format!("unknown type {cty}")))?;
            let sp = property(sub_td, sub_name).ok_or_else(|| unknown(cty))?;
            if matches!(sp.ty, Ty::Complex(_)) {
                return Err(ModelError::invalid(
                    name,
                    "nested complex values are not supported in text fields",
                ));
            }
            Ok(TextField {
                head,
                sub: Some(sub_name),
                ty: sp.ty,
                collection: sp.collection,
            })
        }
        (Some(_), _) => Err(ModelError::invalid(
            name,
            "the property has no sub-properties",
        )),
    }
}

/// Check a text field name (a CSV header) without a value: unknown, read-only and
/// unusable names are errors.
pub fn check_text_field(name: &str) -> Result<(), ModelError> {
    text_field(name).map(|_| ())
}

/// Build a user body from text fields (a CSV row): `name → value` with the value typed by the
/// user schema. Empty cells are left out; booleans are `true`/`false`; collections of
/// strings are `;`-separated; `a.b` names fill complex properties
/// (`employeeOrgData.division`). The result still goes through [`validate_user_props`].
pub fn user_body_from_text(fields: &[(&str, &str)]) -> Result<Value, ModelError> {
    let mut out = Map::new();
    for (name, raw) in fields {
        let f = text_field(name)?;
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let v = text_value(f.ty, f.collection, name, raw)?;
        match f.sub {
            None => {
                out.insert(f.head.to_string(), v);
            }
            Some(sub) => {
                let slot = out
                    .entry(f.head.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(m) = slot {
                    m.insert(sub.to_string(), v);
                }
            }
        }
    }
    Ok(Value::Object(out))
}

fn text_value(ty: Ty, collection: bool, name: &str, raw: &str) -> Result<Value, ModelError> {
    if collection {
        return Ok(Value::Array(
            raw.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_string()))
                .collect(),
        ));
    }
    match ty {
        Ty::Bool => match raw.to_ascii_lowercase().as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(ModelError::invalid(
                name,
                &format!("expected true or false, not '{raw}'"),
            )),
        },
        Ty::Int | Ty::Int64 => raw
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| ModelError::invalid(name, &format!("expected an integer, not '{raw}'"))),
        Ty::Complex(_) => Err(ModelError::invalid(
            name,
            "a complex property cannot be written as text",
        )),
        _ => Ok(Value::String(raw.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-05-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn new_user_fills_defaults_and_drops_password_and_read_only() {
        let doc = new_user(
            &json!({
                "displayName": "Ada",
                "userPrincipalName": "ada@contoso.com",
                "passwordProfile": {"password": "x"},
                "createdDateTime": "2000-01-01T00:00:00Z",
                "employeeHireDate": "2024-06-01T09:00:00+02:00"
            }),
            now(),
        )
        .unwrap();
        assert!(crate::is_guid(doc["id"].as_str().unwrap()));
        assert_eq!(doc["accountEnabled"], true);
        assert_eq!(doc["mailNickname"], "ada");
        assert_eq!(doc["userType"], "Member");
        assert_eq!(doc["createdDateTime"], "2024-05-01T10:00:00Z");
        assert_eq!(doc["employeeHireDate"], "2024-06-01T07:00:00Z");
        assert!(doc.get("passwordProfile").is_none());
    }

    #[test]
    fn new_user_keeps_client_guid_lower_case() {
        let doc = new_user(
            &json!({"id": "AAAAAAAA-0000-0000-0000-000000000001", "displayName": "A", "userPrincipalName": "a@x"}),
            now(),
        )
        .unwrap();
        assert_eq!(doc["id"], "aaaaaaaa-0000-0000-0000-000000000001");
        let err = new_user(
            &json!({"id": "nope", "displayName": "A", "userPrincipalName": "a@x"}),
            now(),
        )
        .unwrap_err();
        assert_eq!(err.target(), Some("id"));
    }

    #[test]
    fn new_user_rejects_missing_unknown_and_bad_values() {
        let e = new_user(&json!({"displayName": "A"}), now()).unwrap_err();
        assert!(matches!(e, ModelError::Missing(ref p) if p == "userPrincipalName"));
        let e = new_user(
            &json!({"displayName": "A", "userPrincipalName": "nope"}),
            now(),
        )
        .unwrap_err();
        assert_eq!(e.target(), Some("userPrincipalName"));
        let e = new_user(
            &json!({"displayName": "A", "userPrincipalName": "a@x", "shoeSize": 4}),
            now(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("shoeSize"));
        let e = new_user(
            &json!({"displayName": "A", "userPrincipalName": "a@x", "employeeHireDate": "soon"}),
            now(),
        )
        .unwrap_err();
        assert_eq!(e.target(), Some("employeeHireDate"));
    }

    #[test]
    fn patch_merges_removes_nulls_and_keeps_id() {
        let cur = new_user(
            &json!({"displayName": "A", "userPrincipalName": "a@x", "department": "Sales"}),
            now(),
        )
        .unwrap();
        let next = patch_user(&cur, &json!({"department": null, "jobTitle": "Boss"})).unwrap();
        assert!(next.get("department").is_none());
        assert_eq!(next["jobTitle"], "Boss");
        assert_eq!(next["id"], cur["id"]);
        assert!(patch_user(&cur, &json!({"displayName": null})).is_err());
        assert!(patch_user(&cur, &json!({"accountEnabled": null})).is_err());
        let other = "11111111-1111-1111-1111-111111111111";
        assert_eq!(
            patch_user(&cur, &json!({ "id": other }))
                .unwrap_err()
                .target(),
            Some("id")
        );
    }

    #[test]
    fn new_group_defaults() {
        let g = new_group(
            &json!({"displayName": "Sales Team", "resourceProvisioningOptions": ["Team"], "members@odata.bind": []}),
            now(),
        )
        .unwrap();
        assert_eq!(g["mailEnabled"], false);
        assert_eq!(g["securityEnabled"], true);
        assert_eq!(g["mailNickname"], "SalesTeam");
        assert_eq!(g["groupTypes"], json!([]));
        assert_eq!(g["resourceProvisioningOptions"], json!(["Team"]));
        assert!(g.get("members@odata.bind").is_none());
        assert!(new_group(&json!({"description": "x"}), now()).is_err());
        assert_eq!(default_group_mail_nickname("Équipe ✓"), "quipe");
        assert_eq!(default_group_mail_nickname("✓✓"), "group");
    }

    #[test]
    fn references() {
        let id = "aaaaaaaa-0000-0000-0000-000000000001";
        for (url, kind) in [
            (
                format!("https://graph.microsoft.com/v1.0/users/{id}"),
                RefKind::User,
            ),
            (
                format!("https://graph.microsoft.com/beta/directoryObjects/{id}/"),
                RefKind::DirectoryObject,
            ),
            (
                format!("http://localhost:8080/beta/groups('{id}')"),
                RefKind::Group,
            ),
            (format!("/users/{id}?x=1"), RefKind::User),
        ] {
            let r = parse_reference(&url).unwrap();
            assert_eq!(
                r,
                DirectoryRef {
                    kind,
                    id: id.into()
                },
                "{url}"
            );
        }
        assert_eq!(
            parse_reference("https://graph.microsoft.com/v1.0/users/a%40b.com")
                .unwrap()
                .id,
            "a@b.com"
        );
        assert!(parse_reference("https://graph.microsoft.com/v1.0/applications/x").is_none());
        assert!(parse_reference("users").is_none());
        assert!(parse_reference_body(&json!({"@odata.id": format!("/users/{id}")})).is_ok());
        assert!(parse_reference_body(&json!({})).is_err());
        assert!(parse_reference_body(&json!({"@odata.id": 3})).is_err());
        assert!(parse_reference_body(&json!({"@odata.id": "/users/x", "x": 1})).is_err());
        let binds =
            member_binds(&json!({MEMBERS_BIND: [format!("/directoryObjects/{id}")]})).unwrap();
        assert_eq!(binds.len(), 1);
        assert!(member_binds(&json!({MEMBERS_BIND: "x"})).is_err());
        assert!(member_binds(&json!({MEMBERS_BIND: ["nope"]})).is_err());
    }

    #[test]
    fn text_fields_become_a_typed_body() {
        let body = user_body_from_text(&[
            ("displayName", "Ada"),
            ("userPrincipalName", "ada@x"),
            ("accountEnabled", "FALSE"),
            ("businessPhones", "1; 2"),
            ("employeeOrgData.division", "R&D"),
            ("department", ""),
        ])
        .unwrap();
        assert_eq!(
            body,
            json!({"displayName": "Ada", "userPrincipalName": "ada@x", "accountEnabled": false,
                   "businessPhones": ["1", "2"], "employeeOrgData": {"division": "R&D"}})
        );
        assert!(user_body_from_text(&[("accountEnabled", "yes")]).is_err());
        assert!(user_body_from_text(&[("shoeSize", "4")]).is_err());
        assert!(user_body_from_text(&[("employeeOrgData.x", "4")]).is_err());
        assert!(user_body_from_text(&[("employeeOrgData", "4")]).is_err());
        assert!(check_text_field("manager").is_err());
        assert!(check_text_field("createdDateTime").is_err());
        assert!(check_text_field("department.x").is_err());
        assert!(check_text_field("employeeOrgData.costCenter").is_ok());
        assert!(check_text_field("otherMails").is_ok());
    }
}
