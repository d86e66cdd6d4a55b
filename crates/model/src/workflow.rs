//! Rules that make a lifecycle workflow definition (and its neighbour, the tenant
//! settings) valid, and the server-assigned parts of each document. Custom task
//! extensions are checked in `extension.rs`.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::catalog::{required_arguments, task_definition};
use crate::time::format_datetime;
use crate::types::{SETTINGS, TASK, USER, WORKFLOW};
use crate::{new_id, validate_body, ModelError};

pub use crate::document::Actor;
use crate::document::{check_max_chars, non_empty_str, require, MAX_DISPLAY_NAME_CHARS};
pub use crate::extension::custom_task_extension;

pub const MAX_WORKFLOWS_PER_TENANT: usize = 100;
pub const MAX_TASKS_PER_WORKFLOW: usize = 25;
pub const MAX_CUSTOM_TASK_EXTENSIONS_PER_TENANT: usize = 100;
pub const OFFSET_RANGE: std::ops::RangeInclusive<i64> = -180..=180;
/// Graph documents no cap on workflow and task names; lcw holds them to the users' and
/// groups' 256, so that a name fits wherever a directory name does (portals, mails, logs)
/// and no single name can swell every list that returns it.
pub const MAX_NAME_CHARS: usize = MAX_DISPLAY_NAME_CHARS;
/// A task's description: room for a paragraph, not a document.
pub const MAX_TASK_DESCRIPTION_CHARS: usize = 1024;

/// Basic workflow properties PATCH may change without a new version.
const BASIC: &[&str] = &[
    "displayName",
    "description",
    "isEnabled",
    "isSchedulingEnabled",
];

fn get_str<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Value::as_str)
}

fn get_bool(m: &Map<String, Value>, k: &str) -> bool {
    m.get(k).and_then(Value::as_bool).unwrap_or(false)
}

/// The administrative units a workflow is scoped to, as references; a navigation Graph
/// accepts on create and createNewVersion (the type table keeps it read-only for PATCH).
pub const ADMINISTRATION_SCOPE_TARGETS: &str = "administrationScopeTargets";
const ADMINISTRATIVE_UNIT: &str = "#microsoft.graph.administrativeUnit";

/// The `administrationScopeTargets` of a create or createNewVersion body, as the references
/// lcw stores and echoes (`@odata.type` and `id`); `None` when the body has none.
fn administration_scope_targets(body: &Value) -> Result<Option<Value>, ModelError> {
    const P: &str = ADMINISTRATION_SCOPE_TARGETS;
    let items = match body.get(P) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(ModelError::invalid(P, "expected a JSON array")),
    };
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("{P}[{i}]");
        let obj = item
            .as_object()
            .ok_or_else(|| ModelError::invalid(&path, "expected an object"))?;
        if let Some(ty) = obj.get("@odata.type") {
            let named = ty.as_str().map(|t| t.trim_start_matches('#'));
            if named != Some(&ADMINISTRATIVE_UNIT[1..]) {
                return Err(ModelError::invalid(
                    &format!("{path}.@odata.type"),
                    "a workflow is scoped to administrative units (#microsoft.graph.administrativeUnit)",
                ));
            }
        }
        let id = obj
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| crate::is_guid(id))
            .ok_or_else(|| ModelError::invalid(&format!("{path}.id"), "expected a GUID"))?
            .to_ascii_lowercase();
        if !out.iter().any(|t| t["id"] == id.as_str()) {
            out.push(json!({"@odata.type": ADMINISTRATIVE_UNIT, "id": id}));
        }
    }
    Ok(Some(Value::Array(out)))
}

/// Validate a full workflow definition (create and createNewVersion) and fill in the
/// server-assigned properties.
pub fn new_workflow(body: &Value, now: DateTime<Utc>, actor: &Actor) -> Result<Value, ModelError> {
    let mut wf = validate_body(WORKFLOW, body)?;
    check_definition(&mut wf)?;
    if let Some(targets) = administration_scope_targets(body)? {
        wf.insert(ADMINISTRATION_SCOPE_TARGETS.into(), targets);
    }
    let ts = Value::String(format_datetime(now));
    let id = match wf.get("id").and_then(Value::as_str) {
        Some(id) if crate::is_guid(id) => id.to_ascii_lowercase(),
        Some(_) => return Err(ModelError::invalid("id", "must be a GUID")),
        None => new_id(),
    };
    wf.insert("id".into(), Value::String(id));
    wf.entry("description").or_insert(Value::Null);
    wf.entry("isEnabled").or_insert(Value::Bool(false));
    wf.entry("isSchedulingEnabled")
        .or_insert(Value::Bool(false));
    wf.insert("version".into(), json!(1));
    wf.insert("createdDateTime".into(), ts.clone());
    wf.insert("lastModifiedDateTime".into(), ts);
    wf.insert("deletedDateTime".into(), Value::Null);
    settle_schedule(&mut wf, now);
    wf.insert("createdBy".into(), actor.stub());
    wf.insert("lastModifiedBy".into(), actor.stub());
    wf.insert(
        "quarantineDetails".into(),
        json!({"quarantineReason": null, "quarantineType": "notQuarantined", "quarantinedDateTime": null}),
    );
    wf.entry("settings")
        .or_insert_with(|| json!({"quarantineConfiguration": null}));
    Ok(Value::Object(wf))
}

/// createNewVersion: the new definition replaces tasks and conditions; identity, creation and
/// run-time state carry over; the version number goes up by one.
pub fn next_version(
    current: &Value,
    body: &Value,
    now: DateTime<Utc>,
    actor: &Actor,
) -> Result<Value, ModelError> {
    let mut next = new_workflow(body, now, actor)?;
    let (Some(next_map), Some(cur)) = (next.as_object_mut(), current.as_object()) else {
        return Err(ModelError::Internal("workflow is not an object".into()));
    };
    for keep in [
        "id",
        "createdDateTime",
        "createdBy",
        "quarantineDetails",
        "nextScheduleRunDateTime",
    ] {
        if let Some(v) = cur.get(keep) {
            next_map.insert(keep.into(), v.clone());
        }
    }
    let version = cur.get("version").and_then(Value::as_i64).unwrap_or(1) + 1;
    next_map.insert("version".into(), json!(version));
    settle_schedule(next_map, now);
    Ok(next)
}

/// The `workflowVersion` snapshot of a workflow document.
pub fn version_snapshot(wf: &Value) -> Value {
    let mut out = Map::new();
    if let Some(m) = wf.as_object() {
        for k in [
            "category",
            "description",
            "displayName",
            "isEnabled",
            "isSchedulingEnabled",
            "createdDateTime",
            "lastModifiedDateTime",
            "createdBy",
            "lastModifiedBy",
            "executionConditions",
            "settings",
            "tasks",
            ADMINISTRATION_SCOPE_TARGETS,
        ] {
            if let Some(v) = m.get(k) {
                out.insert(k.into(), v.clone());
            }
        }
        if let Some(v) = m.get("version") {
            out.insert("versionNumber".into(), v.clone());
        }
    }
    Value::Object(out)
}

fn check_definition(wf: &mut Map<String, Value>) -> Result<(), ModelError> {
    let category = get_str(wf, "category")
        .ok_or_else(|| ModelError::Missing("category".into()))?
        .to_string();
    if category == "unknownFutureValue" {
        return Err(ModelError::invalid(
            "category",
            "must be joiner, leaver or mover",
        ));
    }
    non_empty_str(wf, "displayName")?;
    check_max_chars(wf, "displayName", "displayName", MAX_NAME_CHARS)?;
    check_scheduling(wf)?;
    let conditions = require(wf, "executionConditions")?;
    check_conditions(conditions)?;
    let tasks = require(wf, "tasks")?
        .as_array()
        .cloned()
        .ok_or_else(|| ModelError::invalid("tasks", "expected a JSON array"))?;
    if tasks.is_empty() {
        return Err(ModelError::invalid(
            "tasks",
            "a workflow needs at least one task",
        ));
    }
    if tasks.len() > MAX_TASKS_PER_WORKFLOW {
        return Err(ModelError::invalid(
            "tasks",
            &format!("a workflow can have at most {MAX_TASKS_PER_WORKFLOW} tasks"),
        ));
    }
    let mut out = Vec::with_capacity(tasks.len());
    for (i, t) in tasks.iter().enumerate() {
        let path = format!("tasks[{i}]");
        let mut task = t.as_object().cloned().unwrap_or_default();
        complete_task(&mut task, &category, &path)?;
        task.insert("executionSequence".into(), json!(i + 1));
        out.push(Value::Object(task));
    }
    wf.insert("tasks".into(), Value::Array(out));
    Ok(())
}

/// `nextScheduleRunDateTime` as Graph shows it from the moment a workflow is written: a
/// scheduled workflow keeps the next pass it has, or gets one now (the scheduler's next pass
/// evaluates it, as one without a time), and any other has none.
fn settle_schedule(wf: &mut Map<String, Value>, now: DateTime<Utc>) {
    const NEXT: &str = "nextScheduleRunDateTime";
    let scheduled = get_bool(wf, "isEnabled") && get_bool(wf, "isSchedulingEnabled");
    if !scheduled {
        wf.insert(NEXT.into(), Value::Null);
    } else if wf.get(NEXT).is_none_or(Value::is_null) {
        wf.insert(NEXT.into(), Value::String(format_datetime(now)));
    }
}

fn check_scheduling(wf: &Map<String, Value>) -> Result<(), ModelError> {
    if get_bool(wf, "isSchedulingEnabled") && !get_bool(wf, "isEnabled") {
        return Err(ModelError::invalid(
            "isSchedulingEnabled",
            "can only be true when isEnabled is true",
        ));
    }
    Ok(())
}

/// Check execution conditions as the reference lists them; rules parse with the one `$filter`
/// parser the engine later evaluates them with.
pub fn check_conditions(conditions: &Value) -> Result<(), ModelError> {
    let ty = type_of(conditions);
    match ty {
        "microsoft.graph.identityGovernance.onDemandExecutionOnly" => Ok(()),
        "microsoft.graph.identityGovernance.triggerAndScopeBasedConditions" => {
            let scope = conditions.get("scope").filter(|v| !v.is_null()).ok_or_else(|| {
                ModelError::Missing("executionConditions.scope".into())
            })?;
            let trigger = conditions.get("trigger").filter(|v| !v.is_null()).ok_or_else(|| {
                ModelError::Missing("executionConditions.trigger".into())
            })?;
            check_scope(scope)?;
            check_trigger(trigger, scope)
        }
        other => Err(ModelError::invalid(
            "executionConditions.@odata.type",
            &format!("'{other}' is not supported for lifecycle workflows; use triggerAndScopeBasedConditions or onDemandExecutionOnly"),
        )),
    }
}

fn type_of(v: &Value) -> &str {
    v.get("@odata.type")
        .and_then(Value::as_str)
        .map(|s| s.trim_start_matches('#'))
        .unwrap_or("")
}

fn non_empty_array(v: &Value, key: &str, path: &str) -> Result<(), ModelError> {
    match v.get(key).and_then(Value::as_array) {
        Some(a) if !a.is_empty() => {
            for (i, item) in a.iter().enumerate() {
                if item
                    .get("id")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
                {
                    return Err(ModelError::Missing(format!("{path}.{key}[{i}].id")));
                }
            }
            Ok(())
        }
        _ => Err(ModelError::invalid(
            &format!("{path}.{key}"),
            "must list at least one object",
        )),
    }
}

fn check_scope(scope: &Value) -> Result<(), ModelError> {
    const P: &str = "executionConditions.scope";
    match type_of(scope) {
        "microsoft.graph.identityGovernance.ruleBasedSubjectSet" => {
            let rule = scope
                .get("rule")
                .and_then(Value::as_str)
                .filter(|r| !r.trim().is_empty())
                .ok_or_else(|| ModelError::Missing(format!("{P}.rule")))?;
            let expr = odata::parse_filter(rule)
                .map_err(|e| ModelError::invalid(&format!("{P}.rule"), &e.to_string()))?;
            // A rule is evaluated over user documents: a name no user can hold would leave
            // the workflow's scope empty forever.
            let paths = expr.property_paths();
            if let Some(unknown) = crate::validate::unknown_property_path(USER, &paths) {
                return Err(ModelError::invalid(
                    &format!("{P}.rule"),
                    &format!("'{unknown}' is not a property of a user"),
                ));
            }
            Ok(())
        }
        "microsoft.graph.identityGovernance.groupBasedSubjectSet" => {
            non_empty_array(scope, "groups", P)
        }
        "microsoft.graph.identityGovernance.selectedObjectsSubjectSet" => {
            non_empty_array(scope, "inScopeObjects", P)
        }
        "microsoft.graph.identityGovernance.allExcludingGroupsSubjectSet" => {
            non_empty_array(scope, "excludedGroups", P)
        }
        "microsoft.graph.identityGovernance.allExcludingSpecificObjectsSubjectSet" => {
            non_empty_array(scope, "excludedObjects", P)
        }
        "microsoft.graph.identityGovernance.allExcludingAgentBuilderPlatformsSubjectSet" => Ok(()),
        other => Err(ModelError::invalid(
            &format!("{P}.@odata.type"),
            &format!("'{other}' is not a supported scope"),
        )),
    }
}

fn offset(
    v: &Value,
    key: &str,
    path: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, ModelError> {
    let n = v
        .get(key)
        .and_then(Value::as_i64)
        .ok_or_else(|| ModelError::Missing(format!("{path}.{key}")))?;
    if !range.contains(&n) {
        return Err(ModelError::invalid(
            &format!("{path}.{key}"),
            &format!("must be between {} and {}", range.start(), range.end()),
        ));
    }
    Ok(n)
}

fn check_trigger(trigger: &Value, scope: &Value) -> Result<(), ModelError> {
    const P: &str = "executionConditions.trigger";
    match type_of(trigger) {
        "microsoft.graph.identityGovernance.timeBasedAttributeTrigger" => {
            match trigger.get("timeBasedAttribute").and_then(Value::as_str) {
                Some("employeeHireDate" | "employeeLeaveDateTime" | "createdDateTime") => {}
                _ => return Err(ModelError::Missing(format!("{P}.timeBasedAttribute"))),
            }
            offset(trigger, "offsetInDays", P, OFFSET_RANGE).map(|_| ())
        }
        "microsoft.graph.identityGovernance.timeBasedAttributeTriggerV2" => {
            match trigger.get("attribute").and_then(Value::as_str) {
                Some("employeeHireDate" | "employeeLeaveDateTime" | "createdDateTime") => {}
                Some(other) => {
                    return Err(ModelError::invalid(
                        &format!("{P}.attribute"),
                        &format!("'{other}' is not a time-based attribute (employeeHireDate, employeeLeaveDateTime, createdDateTime)"),
                    ))
                }
                None => return Err(ModelError::Missing(format!("{P}.attribute"))),
            }
            let op = trigger
                .get("operator")
                .filter(|v| !v.is_null())
                .ok_or_else(|| ModelError::Missing(format!("{P}.operator")))?;
            let op_path = format!("{P}.operator");
            match type_of(op) {
                "microsoft.graph.identityGovernance.operatorEqualTo"
                | "microsoft.graph.identityGovernance.operatorLessThanEqualTo" => {
                    offset(op, "offsetInDays", &op_path, 0..=180).map(|_| ())
                }
                "microsoft.graph.identityGovernance.operatorBetween" => {
                    let lo = offset(op, "greaterThanOffsetInDays", &op_path, 0..=180)?;
                    let hi = offset(op, "lessThanOffsetInDays", &op_path, 0..=180)?;
                    if lo >= hi {
                        return Err(ModelError::invalid(
                            &op_path,
                            "greaterThanOffsetInDays must be less than lessThanOffsetInDays",
                        ));
                    }
                    Ok(())
                }
                other => Err(ModelError::invalid(
                    &format!("{op_path}.@odata.type"),
                    &format!("'{other}' is not a supported operator"),
                )),
            }
        }
        "microsoft.graph.identityGovernance.attributeChangeTrigger" => {
            match trigger.get("triggerAttributes").and_then(Value::as_array) {
                Some(a) if !a.is_empty() => {
                    for (i, attr) in a.iter().enumerate() {
                        if attr
                            .get("name")
                            .and_then(Value::as_str)
                            .is_none_or(str::is_empty)
                        {
                            return Err(ModelError::Missing(format!(
                                "{P}.triggerAttributes[{i}].name"
                            )));
                        }
                    }
                    Ok(())
                }
                _ => Err(ModelError::invalid(
                    &format!("{P}.triggerAttributes"),
                    "must name at least one attribute",
                )),
            }
        }
        "microsoft.graph.identityGovernance.membershipChangeTrigger" => {
            match trigger.get("changeType").and_then(Value::as_str) {
                Some("add" | "remove") => {}
                _ => {
                    return Err(ModelError::invalid(
                        &format!("{P}.changeType"),
                        "must be add or remove",
                    ))
                }
            }
            if type_of(scope) != "microsoft.graph.identityGovernance.groupBasedSubjectSet" {
                return Err(ModelError::invalid(
                    "executionConditions.scope",
                    "a membershipChangeTrigger needs a groupBasedSubjectSet scope",
                ));
            }
            Ok(())
        }
        "microsoft.graph.identityGovernance.userInactivityTrigger" => {
            offset(trigger, "inactivityPeriodInDays", P, 1..=730).map(|_| ())
        }
        "microsoft.graph.identityGovernance.guestSponsorTrigger" => {
            offset(trigger, "minimumRequiredSponsors", P, 0..=100).map(|_| ())
        }
        other => Err(ModelError::invalid(
            &format!("{P}.@odata.type"),
            &format!("'{other}' is not a supported trigger"),
        )),
    }
}

/// Check one task against its definition and the workflow's category; fill defaults.
fn complete_task(
    task: &mut Map<String, Value>,
    workflow_category: &str,
    path: &str,
) -> Result<(), ModelError> {
    let def_id = task
        .get("taskDefinitionId")
        .and_then(Value::as_str)
        .ok_or_else(|| ModelError::Missing(format!("{path}.taskDefinitionId")))?
        .to_string();
    let def = task_definition(&def_id).ok_or_else(|| {
        ModelError::invalid(
            &format!("{path}.taskDefinitionId"),
            &format!("'{def_id}' is not a task definition"),
        )
    })?;
    let def_category = def.get("category").and_then(Value::as_str).unwrap_or("");
    if !def_category.split(',').any(|c| c == workflow_category) {
        return Err(ModelError::invalid(
            &format!("{path}.taskDefinitionId"),
            &format!(
                "task definition '{}' ({def_category}) cannot be used in a {workflow_category} workflow",
                def.get("displayName").and_then(Value::as_str).unwrap_or(&def_id)
            ),
        ));
    }
    let canonical_id = def
        .get("id")
        .cloned()
        .unwrap_or(Value::String(def_id.clone()));
    task.insert("taskDefinitionId".into(), canonical_id);
    task.insert("category".into(), Value::String(def_category.to_string()));
    if !task.get("id").is_some_and(Value::is_string) {
        task.insert("id".into(), Value::String(new_id()));
    }
    match task.get("displayName").and_then(Value::as_str) {
        Some(s) if !s.trim().is_empty() => {}
        _ => return Err(ModelError::Missing(format!("{path}.displayName"))),
    }
    check_task_text(task, &format!("{path}."))?;
    task.entry("description").or_insert(Value::Null);
    task.entry("isEnabled").or_insert(Value::Bool(true));
    task.entry("continueOnError").or_insert(Value::Bool(false));
    let args = check_arguments(task.get("arguments"), def, &format!("{path}.arguments"))?;
    task.insert("arguments".into(), args);
    Ok(())
}

fn check_arguments(args: Option<&Value>, def: &Value, path: &str) -> Result<Value, ModelError> {
    let params = def
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let def_id = def.get("id").and_then(Value::as_str).unwrap_or("");
    let args = match args {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => return Err(ModelError::invalid(path, "expected a JSON array")),
    };
    let mut out = Vec::with_capacity(args.len());
    let mut seen: Vec<String> = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let name = a
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| ModelError::Missing(format!("{path}[{i}].name")))?;
        let param = params
            .iter()
            .find(|p| {
                p.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .ok_or_else(|| {
                let names: Vec<&str> = params
                    .iter()
                    .filter_map(|p| p.get("name").and_then(Value::as_str))
                    .collect();
                ModelError::invalid(
                    &format!("{path}[{i}].name"),
                    &if names.is_empty() {
                        format!(
                            "'{name}' is not a parameter of this task definition, which takes none"
                        )
                    } else {
                        format!(
                            "'{name}' is not a parameter of this task definition ({})",
                            names.join(", ")
                        )
                    },
                )
            })?;
        let canonical = param
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(name)
            .to_string();
        if seen.contains(&canonical) {
            return Err(ModelError::invalid(
                &format!("{path}[{i}].name"),
                &format!("'{canonical}' is given twice"),
            ));
        }
        let value = a
            .get("value")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if param.get("valueType").and_then(Value::as_str) == Some("enum") {
            let allowed: Vec<&str> = param
                .get("values")
                .and_then(Value::as_array)
                .map(|v| v.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if !allowed.iter().any(|x| x.eq_ignore_ascii_case(&value)) {
                return Err(ModelError::invalid(
                    &format!("{path}[{i}].value"),
                    &format!(
                        "'{value}' is not allowed for '{canonical}' ({})",
                        allowed.join(", ")
                    ),
                ));
            }
        }
        if canonical == "tapLifetimeMinutes" {
            match value.trim().parse::<i64>() {
                Ok(n) if (10..=43_200).contains(&n) => {}
                _ => {
                    return Err(ModelError::invalid(
                        &format!("{path}[{i}].value"),
                        "tapLifetimeMinutes must be a whole number of minutes from 10 to 43200",
                    ))
                }
            }
        }
        seen.push(canonical.clone());
        out.push(json!({"name": canonical, "value": value}));
    }
    for needed in required_arguments(def_id) {
        let present = out.iter().any(|a| {
            a.get("name").and_then(Value::as_str) == Some(*needed)
                && a.get("value")
                    .and_then(Value::as_str)
                    .is_some_and(|v| !v.trim().is_empty())
        });
        if !present {
            return Err(ModelError::invalid(
                path,
                &format!("the argument '{needed}' is required for this task"),
            ));
        }
    }
    Ok(Value::Array(out))
}

/// PATCH of a workflow: basic properties change; the rest must equal what is stored (the
/// SDK re-sends whole objects on round trips) or go through createNewVersion.
pub fn patch_workflow(
    current: &Value,
    body: &Value,
    now: DateTime<Utc>,
    actor: &Actor,
) -> Result<Value, ModelError> {
    let patch = validate_body(WORKFLOW, body)?;
    let mut wf = current.as_object().cloned().unwrap_or_default();
    for (k, v) in patch {
        if k == "@odata.type" {
            continue;
        }
        if BASIC.contains(&k.as_str()) {
            if k == "displayName" && v.as_str().is_none_or(|s| s.trim().is_empty()) {
                return Err(ModelError::invalid(
                    "displayName",
                    "must be a non-empty string",
                ));
            }
            if k != "description" && v.is_null() {
                return Err(ModelError::invalid(&k, "cannot be null"));
            }
            let renamed = k == "displayName";
            wf.insert(k, v);
            if renamed {
                check_max_chars(&wf, "displayName", "displayName", MAX_NAME_CHARS)?;
            }
        } else if !same_as_stored(&k, &v, &wf) {
            return Err(ModelError::Rule(format!(
                "Property '{k}' cannot be changed with PATCH; create a new version of the workflow with createNewVersion."
            )));
        }
    }
    check_scheduling(&wf)?;
    settle_schedule(&mut wf, now);
    wf.insert(
        "lastModifiedDateTime".into(),
        Value::String(format_datetime(now)),
    );
    wf.insert("lastModifiedBy".into(), actor.stub());
    Ok(Value::Object(wf))
}

fn same_as_stored(key: &str, v: &Value, stored: &Map<String, Value>) -> bool {
    let Some(cur) = stored.get(key) else {
        return v.is_null();
    };
    if key == "tasks" {
        let strip = |t: &Value| {
            let mut m = t.as_object().cloned().unwrap_or_default();
            for k in ["id", "category", "executionSequence", "@odata.type"] {
                m.remove(k);
            }
            Value::Object(m)
        };
        return match (v.as_array(), cur.as_array()) {
            (Some(a), Some(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| strip(x) == strip(y))
            }
            _ => false,
        };
    }
    v == cur
}

/// A task added to an existing workflow through `POST .../tasks`.
pub fn new_task(workflow: &Value, body: &Value) -> Result<Value, ModelError> {
    let mut task = validate_body(TASK, body)?;
    task.remove("@odata.type");
    let category = workflow
        .get("category")
        .and_then(Value::as_str)
        .unwrap_or("");
    complete_task(&mut task, category, "task")?;
    task.insert("id".into(), Value::String(new_id()));
    Ok(Value::Object(task))
}

/// PATCH of a task: only `displayName` and `description` change in place.
pub fn patch_task(current: &Value, body: &Value) -> Result<Value, ModelError> {
    let patch = validate_body(TASK, body)?;
    let mut task = current.as_object().cloned().unwrap_or_default();
    for (k, v) in patch {
        match k.as_str() {
            "@odata.type" => {}
            "displayName" => match v.as_str() {
                Some(s) if !s.trim().is_empty() => {
                    task.insert(k, v);
                }
                _ => return Err(ModelError::invalid("displayName", "must be a non-empty string")),
            },
            "description" => {
                task.insert(k, v);
            }
            _ if task.get(&k) == Some(&v) => {}
            _ => {
                return Err(ModelError::Rule(format!(
                    "Property '{k}' of a task cannot be changed with PATCH; create a new version of the workflow with createNewVersion."
                )))
            }
        }
    }
    check_task_text(&task, "")?;
    Ok(Value::Object(task))
}

/// A task's name and description within their caps; `prefix` leads the property in the
/// error's target (`tasks[0].`), empty when the task itself is addressed.
fn check_task_text(task: &Map<String, Value>, prefix: &str) -> Result<(), ModelError> {
    check_max_chars(
        task,
        "displayName",
        &format!("{prefix}displayName"),
        MAX_NAME_CHARS,
    )?;
    check_max_chars(
        task,
        "description",
        &format!("{prefix}description"),
        MAX_TASK_DESCRIPTION_CHARS,
    )
}

/// The settings a tenant starts with.
pub fn default_settings() -> Value {
    json!({
        "id": "settings",
        "workflowScheduleIntervalInHours": 3,
        "emailSettings": {"senderDomain": "lcw.local", "useCompanyBranding": false},
        "quarantineConfiguration": null
    })
}

pub fn patch_settings(current: &Value, body: &Value) -> Result<Value, ModelError> {
    let patch = validate_body(SETTINGS, body)?;
    let mut s = current.as_object().cloned().unwrap_or_default();
    for (k, v) in patch {
        match k.as_str() {
            "@odata.type" | "id" => {}
            "lcwCatchUpDays" => match v.as_i64() {
                Some(n) if (1..=3650).contains(&n) => {
                    s.insert(k, v);
                }
                _ => {
                    return Err(ModelError::invalid(
                        "lcwCatchUpDays",
                        "must be between 1 and 3650",
                    ))
                }
            },
            "workflowScheduleIntervalInHours" => match v.as_i64() {
                Some(n) if (1..=24).contains(&n) => {
                    s.insert(k, v);
                }
                _ => {
                    return Err(ModelError::invalid(
                        "workflowScheduleIntervalInHours",
                        "must be between 1 and 24",
                    ))
                }
            },
            "emailSettings" => {
                let mut merged = s
                    .get("emailSettings")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                if let Some(m) = v.as_object() {
                    for (ek, ev) in m {
                        merged.insert(ek.clone(), ev.clone());
                    }
                }
                if merged
                    .get("senderDomain")
                    .and_then(Value::as_str)
                    .is_none_or(|d| d.trim().is_empty() || !d.contains('.'))
                {
                    return Err(ModelError::invalid(
                        "emailSettings.senderDomain",
                        "must be a domain name such as contoso.com",
                    ));
                }
                crate::mail::check_sender_domain(&merged)?;
                s.insert(k, Value::Object(merged));
            }
            _ => {
                s.insert(k, v);
            }
        }
    }
    Ok(Value::Object(s))
}
