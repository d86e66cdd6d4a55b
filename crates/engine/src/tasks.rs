//! What each built-in directory task does to a user. [`plan_task`] decides; the engine
//! applies the returned [`Effect`]s to the store and records the [`Outcome`].
//!
//! Tasks lcw cannot carry out (e-mail, Temporary Access Pass, custom task extensions,
//! access packages) are [`Outcome::NotImplemented`], never a fake success.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use model::catalog::{self, ids};
use serde_json::{json, Value};

/// Everything a task decision reads.
#[derive(Clone, Copy)]
pub struct TaskInput<'a> {
    /// `task.taskDefinitionId` (compared case-insensitively).
    pub definition_id: &'a str,
    /// `task.arguments`: `[{name, value}]`, values are strings.
    pub arguments: &'a [Value],
    /// The Graph user document.
    pub user: &'a Value,
    /// Ids of the groups the user is a direct member of.
    pub user_group_ids: &'a [String],
    /// A group document by id, `None` when there is no such group.
    pub groups: &'a dyn Fn(&str) -> Option<Value>,
    pub now: DateTime<Utc>,
}

/// A change to the directory the engine applies for a completed task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    SetAccountEnabled(bool),
    AddToGroup(String),
    RemoveFromGroup(String),
    DeleteUser,
    /// Replace `assignedLicenses` with this list of `{skuId, disabledPlans}`.
    SetAssignedLicenses(Vec<Value>),
    /// Set `signInSessionsValidFromDateTime`: every session issued before it is invalid.
    RevokeSessions(DateTime<Utc>),
}

/// The decision for one task and one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Apply `effects` (possibly none); `processing_info` explains "already in the desired
    /// state" cases and is surfaced as `taskProcessingResult.processingInfo`.
    Completed {
        effects: Vec<Effect>,
        processing_info: Option<String>,
    },
    /// The task failed; `reason` becomes `failureReason`.
    Failed { reason: String },
    /// lcw does not implement this task; the engine records a failure with `reason`.
    NotImplemented { reason: String },
}

impl Outcome {
    fn done(effects: Vec<Effect>, processing_info: Option<String>) -> Self {
        Outcome::Completed {
            effects,
            processing_info,
        }
    }

    fn failed(reason: impl Into<String>) -> Self {
        Outcome::Failed {
            reason: reason.into(),
        }
    }
}

/// Whether lcw carries out tasks of this definition (otherwise [`plan_task`] answers
/// [`Outcome::NotImplemented`]).
pub fn is_implemented(definition_id: &str) -> bool {
    matches!(
        definition_id.to_ascii_lowercase().as_str(),
        ids::ENABLE_USER_ACCOUNT
            | ids::DISABLE_USER_ACCOUNT
            | ids::ADD_USER_TO_GROUPS
            | ids::ADD_USER_TO_TEAMS
            | ids::REMOVE_USER_FROM_GROUPS
            | ids::REMOVE_USER_FROM_TEAMS
            | ids::REMOVE_USER_FROM_ALL_GROUPS
            | ids::REMOVE_USER_FROM_ALL_TEAMS
            | ids::DELETE_USER_ACCOUNT
            | ids::ASSIGN_LICENSES
            | ids::REMOVE_LICENSES
            | ids::REMOVE_ALL_LICENSES
            | REVOKE_REFRESH_TOKENS
    )
}

/// "Revoke all refresh tokens for user" (not among `model::catalog::ids`).
const REVOKE_REFRESH_TOKENS: &str = "509589a4-0466-4471-829e-49c5e502bdee";

/// Decide what the task does to the user.
///
/// * Enable / Disable user account: already in that state → completed without effects.
/// * Add user to groups / Teams (`groupID` / `teamID`, comma-separated): an unknown group
///   fails the task (`Group '<id>' was not found.`), as does a non-team for the Teams task
///   (`'<id>' is not a team.`) and a group with dynamic membership; groups the user is
///   already in are skipped and named in `processing_info`.
/// * Remove user from selected groups / Teams: the same checks; groups the user is not in
///   are named in `processing_info`.
/// * Remove user from all groups: every group the user is in that is neither a team nor
///   dynamic; Remove user from all Teams: every team the user is in.
/// * Delete user account, Revoke all refresh tokens: one effect each.
/// * Assign licenses (`licenses`, comma-separated SKU ids; needs `usageLocation`), Remove
///   licenses, Remove all licenses: the resulting `assignedLicenses` list.
/// * Every other catalog task: [`Outcome::NotImplemented`]; an id outside the catalog fails.
pub fn plan_task(input: &TaskInput) -> Outcome {
    let id = input.definition_id.to_ascii_lowercase();
    match id.as_str() {
        ids::ENABLE_USER_ACCOUNT => set_enabled(input, true),
        ids::DISABLE_USER_ACCOUNT => set_enabled(input, false),
        ids::ADD_USER_TO_GROUPS => add_to_groups(input, false),
        ids::ADD_USER_TO_TEAMS => add_to_groups(input, true),
        ids::REMOVE_USER_FROM_GROUPS => remove_from_selected(input, false),
        ids::REMOVE_USER_FROM_TEAMS => remove_from_selected(input, true),
        ids::REMOVE_USER_FROM_ALL_GROUPS => remove_from_all(input, false),
        ids::REMOVE_USER_FROM_ALL_TEAMS => remove_from_all(input, true),
        ids::DELETE_USER_ACCOUNT => Outcome::done(vec![Effect::DeleteUser], None),
        ids::ASSIGN_LICENSES => assign_licenses(input),
        ids::REMOVE_LICENSES => remove_licenses(input),
        ids::REMOVE_ALL_LICENSES => remove_all_licenses(input),
        REVOKE_REFRESH_TOKENS => Outcome::done(vec![Effect::RevokeSessions(input.now)], None),
        _ => match catalog::task_definition(&id) {
            Some(def) => {
                let name = def
                    .get("displayName")
                    .and_then(Value::as_str)
                    .unwrap_or(input.definition_id);
                Outcome::NotImplemented {
                    reason: format!("The task '{name}' is not implemented by lcw yet."),
                }
            }
            None => Outcome::failed(format!(
                "'{}' is not a built-in task definition.",
                input.definition_id
            )),
        },
    }
}

/// The string value of the argument `name` (names compare case-insensitively).
fn argument<'a>(input: &TaskInput<'a>, name: &str) -> Option<&'a str> {
    input.arguments.iter().find_map(|a| {
        let n = a.get("name").and_then(Value::as_str)?;
        if n.eq_ignore_ascii_case(name) {
            a.get("value").and_then(Value::as_str)
        } else {
            None
        }
    })
}

/// A comma-separated id list argument: trimmed, empty items dropped, duplicates
/// (case-insensitive) removed, order kept. Missing or empty → a failure naming it.
fn id_list(input: &TaskInput, name: &str) -> Result<Vec<String>, Outcome> {
    let mut seen = HashSet::new();
    let ids: Vec<String> = argument(input, name)
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty() && seen.insert(s.to_ascii_lowercase()))
        .map(str::to_string)
        .collect();
    if ids.is_empty() {
        return Err(Outcome::failed(format!(
            "The task needs the argument '{name}'."
        )));
    }
    Ok(ids)
}

/// `'a', 'b'`
fn quoted(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn set_enabled(input: &TaskInput, enabled: bool) -> Outcome {
    // Stored users always have accountEnabled; the directory default is true.
    let current = input
        .user
        .get("accountEnabled")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    if current == enabled {
        let state = if enabled { "enabled" } else { "disabled" };
        return Outcome::done(
            Vec::new(),
            Some(format!("The user account is already {state}.")),
        );
    }
    Outcome::done(vec![Effect::SetAccountEnabled(enabled)], None)
}

fn strings_contain(v: &Value, key: &str, wanted: &str) -> bool {
    v.get(key).and_then(Value::as_array).is_some_and(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .any(|s| s.eq_ignore_ascii_case(wanted))
    })
}

fn is_team(group: &Value) -> bool {
    strings_contain(group, "resourceProvisioningOptions", "Team")
}

fn is_dynamic(group: &Value) -> bool {
    strings_contain(group, "groupTypes", "DynamicMembership")
}

fn is_member(input: &TaskInput, group_id: &str) -> bool {
    input
        .user_group_ids
        .iter()
        .any(|g| g.eq_ignore_ascii_case(group_id))
}

/// Look up each listed group (or team) and check it can have its members changed; returns
/// the groups' own ids.
fn resolve_groups(input: &TaskInput, teams: bool) -> Result<Vec<String>, Outcome> {
    let listed = id_list(input, if teams { "teamID" } else { "groupID" })?;
    let mut out = Vec::with_capacity(listed.len());
    for id in listed {
        let Some(group) = (input.groups)(&id) else {
            return Err(Outcome::failed(format!("Group '{id}' was not found.")));
        };
        if teams && !is_team(&group) {
            return Err(Outcome::failed(format!("'{id}' is not a team.")));
        }
        if is_dynamic(&group) {
            return Err(Outcome::failed(format!(
                "Group '{id}' has dynamic membership; its members cannot be changed."
            )));
        }
        let own_id = group
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or(id);
        out.push(own_id);
    }
    Ok(out)
}

fn add_to_groups(input: &TaskInput, teams: bool) -> Outcome {
    let groups = match resolve_groups(input, teams) {
        Ok(g) => g,
        Err(o) => return o,
    };
    let (already, to_add): (Vec<String>, Vec<String>) =
        groups.into_iter().partition(|g| is_member(input, g));
    let info = (!already.is_empty())
        .then(|| format!("The user is already a member of {}.", quoted(&already)));
    Outcome::done(to_add.into_iter().map(Effect::AddToGroup).collect(), info)
}

fn remove_from_selected(input: &TaskInput, teams: bool) -> Outcome {
    let groups = match resolve_groups(input, teams) {
        Ok(g) => g,
        Err(o) => return o,
    };
    let (to_remove, absent): (Vec<String>, Vec<String>) =
        groups.into_iter().partition(|g| is_member(input, g));
    let info =
        (!absent.is_empty()).then(|| format!("The user was not a member of {}.", quoted(&absent)));
    Outcome::done(
        to_remove.into_iter().map(Effect::RemoveFromGroup).collect(),
        info,
    )
}

/// "All groups": every group that is neither a team nor dynamic (a group whose document is
/// gone counts as a plain group). "All Teams": every team.
fn remove_from_all(input: &TaskInput, teams: bool) -> Outcome {
    let mut seen = HashSet::new();
    let effects: Vec<Effect> = input
        .user_group_ids
        .iter()
        .filter(|g| seen.insert(g.to_ascii_lowercase()))
        .filter(|g| match (input.groups)(g) {
            Some(doc) => !is_dynamic(&doc) && is_team(&doc) == teams,
            None => !teams,
        })
        .map(|g| Effect::RemoveFromGroup(g.clone()))
        .collect();
    let info = effects.is_empty().then(|| {
        let what = if teams { "team" } else { "group" };
        format!("The user was not a member of any {what}.")
    });
    Outcome::done(effects, info)
}

fn sku_list(input: &TaskInput) -> Result<Vec<String>, Outcome> {
    let skus = id_list(input, "licenses")?;
    if let Some(bad) = skus.iter().find(|s| !model::is_guid(s)) {
        return Err(Outcome::failed(format!("'{bad}' is not a license SKU id.")));
    }
    Ok(skus)
}

fn assigned_licenses(user: &Value) -> Vec<Value> {
    user.get("assignedLicenses")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn sku_of(license: &Value) -> &str {
    license.get("skuId").and_then(Value::as_str).unwrap_or("")
}

fn has_sku(licenses: &[Value], sku: &str) -> bool {
    licenses.iter().any(|l| sku_of(l).eq_ignore_ascii_case(sku))
}

fn assign_licenses(input: &TaskInput) -> Outcome {
    let skus = match sku_list(input) {
        Ok(s) => s,
        Err(o) => return o,
    };
    let has_location = input
        .user
        .get("usageLocation")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty());
    if !has_location {
        return Outcome::failed("The user has no usageLocation; licenses need one.");
    }
    let mut licenses = assigned_licenses(input.user);
    let (already, missing): (Vec<String>, Vec<String>) =
        skus.into_iter().partition(|s| has_sku(&licenses, s));
    let info = (!already.is_empty())
        .then(|| format!("The user already has the licenses {}.", quoted(&already)));
    if missing.is_empty() {
        return Outcome::done(Vec::new(), info);
    }
    licenses.extend(
        missing
            .into_iter()
            .map(|s| json!({"skuId": s.to_ascii_lowercase(), "disabledPlans": []})),
    );
    Outcome::done(vec![Effect::SetAssignedLicenses(licenses)], info)
}

fn remove_licenses(input: &TaskInput) -> Outcome {
    let skus = match sku_list(input) {
        Ok(s) => s,
        Err(o) => return o,
    };
    let current = assigned_licenses(input.user);
    let absent: Vec<String> = skus
        .iter()
        .filter(|s| !has_sku(&current, s))
        .cloned()
        .collect();
    let info = (!absent.is_empty())
        .then(|| format!("The user did not have the licenses {}.", quoted(&absent)));
    if absent.len() == skus.len() {
        return Outcome::done(Vec::new(), info);
    }
    let remaining: Vec<Value> = current
        .into_iter()
        .filter(|l| !skus.iter().any(|s| s.eq_ignore_ascii_case(sku_of(l))))
        .collect();
    Outcome::done(vec![Effect::SetAssignedLicenses(remaining)], info)
}

fn remove_all_licenses(input: &TaskInput) -> Outcome {
    if assigned_licenses(input.user).is_empty() {
        return Outcome::done(
            Vec::new(),
            Some("The user has no licenses assigned.".into()),
        );
    }
    Outcome::done(vec![Effect::SetAssignedLicenses(Vec::new())], None)
}

#[cfg(test)]
mod tests {
    use super::*;

    const G1: &str = "11111111-1111-1111-1111-111111111111";
    const G2: &str = "22222222-2222-2222-2222-222222222222";
    const TEAM: &str = "33333333-3333-3333-3333-333333333333";
    const DYN: &str = "44444444-4444-4444-4444-444444444444";
    const MISSING: &str = "55555555-5555-5555-5555-555555555555";
    const SKU1: &str = "aaaaaaaa-0000-0000-0000-000000000001";
    const SKU2: &str = "aaaaaaaa-0000-0000-0000-000000000002";

    fn directory(id: &str) -> Option<Value> {
        let id = id.to_ascii_lowercase();
        match id.as_str() {
            G1 | G2 => Some(
                json!({"id": id, "displayName": "g", "groupTypes": [], "resourceProvisioningOptions": []}),
            ),
            TEAM => Some(
                json!({"id": id, "displayName": "t", "groupTypes": ["Unified"], "resourceProvisioningOptions": ["Team"]}),
            ),
            DYN => Some(json!({"id": id, "displayName": "d", "groupTypes": ["DynamicMembership"]})),
            _ => None,
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn plan(def: &str, args: &[(&str, &str)], user: Value, member_of: &[&str]) -> Outcome {
        let arguments: Vec<Value> = args
            .iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect();
        let groups: Vec<String> = member_of.iter().map(|s| s.to_string()).collect();
        plan_task(&TaskInput {
            definition_id: def,
            arguments: &arguments,
            user: &user,
            user_group_ids: &groups,
            groups: &directory,
            now: now(),
        })
    }

    fn user() -> Value {
        json!({"id": "u1", "accountEnabled": true})
    }

    fn done(effects: Vec<Effect>, info: Option<&str>) -> Outcome {
        Outcome::Completed {
            effects,
            processing_info: info.map(Into::into),
        }
    }

    fn failed(reason: &str) -> Outcome {
        Outcome::Failed {
            reason: reason.into(),
        }
    }

    #[test]
    fn enable_and_disable() {
        let disabled = json!({"id": "u1", "accountEnabled": false});
        assert_eq!(
            plan(ids::ENABLE_USER_ACCOUNT, &[], disabled.clone(), &[]),
            done(vec![Effect::SetAccountEnabled(true)], None)
        );
        assert_eq!(
            plan(ids::ENABLE_USER_ACCOUNT, &[], user(), &[]),
            done(vec![], Some("The user account is already enabled."))
        );
        assert_eq!(
            plan(ids::DISABLE_USER_ACCOUNT, &[], user(), &[]),
            done(vec![Effect::SetAccountEnabled(false)], None)
        );
        assert_eq!(
            plan(
                ids::DISABLE_USER_ACCOUNT,
                &[("disableOnPremisesAccount", "false")],
                disabled,
                &[]
            ),
            done(vec![], Some("The user account is already disabled."))
        );
        // Definition ids compare case-insensitively.
        assert_eq!(
            plan(
                &ids::DISABLE_USER_ACCOUNT.to_ascii_uppercase(),
                &[],
                user(),
                &[]
            ),
            done(vec![Effect::SetAccountEnabled(false)], None)
        );
    }

    #[test]
    fn add_to_groups() {
        let arg = format!("{G1}, {G2}");
        assert_eq!(
            plan(ids::ADD_USER_TO_GROUPS, &[("groupID", &arg)], user(), &[]),
            done(
                vec![Effect::AddToGroup(G1.into()), Effect::AddToGroup(G2.into())],
                None
            )
        );
        assert_eq!(
            plan(ids::ADD_USER_TO_GROUPS, &[("groupID", &arg)], user(), &[G1]),
            done(
                vec![Effect::AddToGroup(G2.into())],
                Some(&format!("The user is already a member of '{G1}'."))
            )
        );
        assert_eq!(
            plan(
                ids::ADD_USER_TO_GROUPS,
                &[("groupID", &arg)],
                user(),
                &[G2, G1]
            ),
            done(
                vec![],
                Some(&format!("The user is already a member of '{G1}', '{G2}'."))
            )
        );
        // Teams are groups too; the group's own id is used.
        let upper = TEAM.to_ascii_uppercase();
        assert_eq!(
            plan(ids::ADD_USER_TO_GROUPS, &[("groupID", &upper)], user(), &[]),
            done(vec![Effect::AddToGroup(TEAM.into())], None)
        );
    }

    #[test]
    fn add_to_groups_failures() {
        let arg = format!("{G1},{MISSING}");
        assert_eq!(
            plan(ids::ADD_USER_TO_GROUPS, &[("groupID", &arg)], user(), &[]),
            failed(&format!("Group '{MISSING}' was not found."))
        );
        assert_eq!(
            plan(ids::ADD_USER_TO_GROUPS, &[("groupID", DYN)], user(), &[]),
            failed(&format!(
                "Group '{DYN}' has dynamic membership; its members cannot be changed."
            ))
        );
        assert_eq!(
            plan(ids::ADD_USER_TO_GROUPS, &[], user(), &[]),
            failed("The task needs the argument 'groupID'.")
        );
        assert_eq!(
            plan(ids::ADD_USER_TO_GROUPS, &[("groupID", " , ")], user(), &[]),
            failed("The task needs the argument 'groupID'.")
        );
    }

    #[test]
    fn add_to_teams() {
        assert_eq!(
            plan(ids::ADD_USER_TO_TEAMS, &[("teamID", TEAM)], user(), &[]),
            done(vec![Effect::AddToGroup(TEAM.into())], None)
        );
        assert_eq!(
            plan(ids::ADD_USER_TO_TEAMS, &[("teamID", TEAM)], user(), &[TEAM]),
            done(
                vec![],
                Some(&format!("The user is already a member of '{TEAM}'."))
            )
        );
        assert_eq!(
            plan(ids::ADD_USER_TO_TEAMS, &[("teamID", G1)], user(), &[]),
            failed(&format!("'{G1}' is not a team."))
        );
        assert_eq!(
            plan(ids::ADD_USER_TO_TEAMS, &[("teamID", MISSING)], user(), &[]),
            failed(&format!("Group '{MISSING}' was not found."))
        );
        // Argument names compare case-insensitively; groupID is not teamID.
        assert_eq!(
            plan(ids::ADD_USER_TO_TEAMS, &[("TEAMID", TEAM)], user(), &[]),
            done(vec![Effect::AddToGroup(TEAM.into())], None)
        );
        assert_eq!(
            plan(ids::ADD_USER_TO_TEAMS, &[("groupID", TEAM)], user(), &[]),
            failed("The task needs the argument 'teamID'.")
        );
    }

    #[test]
    fn remove_from_selected_groups() {
        let arg = format!("{G1},{G2},{G1}");
        assert_eq!(
            plan(
                ids::REMOVE_USER_FROM_GROUPS,
                &[("groupID", &arg)],
                user(),
                &[G1, G2]
            ),
            done(
                vec![
                    Effect::RemoveFromGroup(G1.into()),
                    Effect::RemoveFromGroup(G2.into())
                ],
                None
            )
        );
        assert_eq!(
            plan(
                ids::REMOVE_USER_FROM_GROUPS,
                &[("groupID", &arg)],
                user(),
                &[G2]
            ),
            done(
                vec![Effect::RemoveFromGroup(G2.into())],
                Some(&format!("The user was not a member of '{G1}'."))
            )
        );
        assert_eq!(
            plan(
                ids::REMOVE_USER_FROM_GROUPS,
                &[("groupID", &arg)],
                user(),
                &[]
            ),
            done(
                vec![],
                Some(&format!("The user was not a member of '{G1}', '{G2}'."))
            )
        );
        assert_eq!(
            plan(
                ids::REMOVE_USER_FROM_GROUPS,
                &[("groupID", MISSING)],
                user(),
                &[]
            ),
            failed(&format!("Group '{MISSING}' was not found."))
        );
        assert_eq!(
            plan(ids::REMOVE_USER_FROM_GROUPS, &[], user(), &[]),
            failed("The task needs the argument 'groupID'.")
        );
    }

    #[test]
    fn remove_from_selected_teams() {
        assert_eq!(
            plan(
                ids::REMOVE_USER_FROM_TEAMS,
                &[("teamID", TEAM)],
                user(),
                &[TEAM]
            ),
            done(vec![Effect::RemoveFromGroup(TEAM.into())], None)
        );
        assert_eq!(
            plan(
                ids::REMOVE_USER_FROM_TEAMS,
                &[("teamID", TEAM)],
                user(),
                &[G1]
            ),
            done(
                vec![],
                Some(&format!("The user was not a member of '{TEAM}'."))
            )
        );
        assert_eq!(
            plan(
                ids::REMOVE_USER_FROM_TEAMS,
                &[("teamID", G1)],
                user(),
                &[G1]
            ),
            failed(&format!("'{G1}' is not a team."))
        );
    }

    #[test]
    fn remove_from_all_groups_keeps_teams_and_dynamic_groups() {
        assert_eq!(
            plan(
                ids::REMOVE_USER_FROM_ALL_GROUPS,
                &[],
                user(),
                &[G1, TEAM, DYN, MISSING, G1]
            ),
            done(
                vec![
                    Effect::RemoveFromGroup(G1.into()),
                    Effect::RemoveFromGroup(MISSING.into())
                ],
                None
            )
        );
        assert_eq!(
            plan(ids::REMOVE_USER_FROM_ALL_GROUPS, &[], user(), &[TEAM]),
            done(vec![], Some("The user was not a member of any group."))
        );
        assert_eq!(
            plan(ids::REMOVE_USER_FROM_ALL_GROUPS, &[], user(), &[]),
            done(vec![], Some("The user was not a member of any group."))
        );
    }

    #[test]
    fn remove_from_all_teams() {
        assert_eq!(
            plan(
                ids::REMOVE_USER_FROM_ALL_TEAMS,
                &[],
                user(),
                &[G1, TEAM, DYN, MISSING]
            ),
            done(vec![Effect::RemoveFromGroup(TEAM.into())], None)
        );
        assert_eq!(
            plan(ids::REMOVE_USER_FROM_ALL_TEAMS, &[], user(), &[G1]),
            done(vec![], Some("The user was not a member of any team."))
        );
    }

    #[test]
    fn delete_and_revoke() {
        assert_eq!(
            plan(ids::DELETE_USER_ACCOUNT, &[], user(), &[]),
            done(vec![Effect::DeleteUser], None)
        );
        assert_eq!(
            plan(REVOKE_REFRESH_TOKENS, &[], user(), &[]),
            done(vec![Effect::RevokeSessions(now())], None)
        );
    }

    fn licensed(skus: &[&str]) -> Value {
        let l: Vec<Value> = skus
            .iter()
            .map(|s| json!({"skuId": s, "disabledPlans": []}))
            .collect();
        json!({"id": "u1", "usageLocation": "DE", "assignedLicenses": l})
    }

    fn lic(s: &str) -> Value {
        json!({"skuId": s, "disabledPlans": []})
    }

    #[test]
    fn assign_licenses() {
        let both = format!("{SKU1},{SKU2}");
        assert_eq!(
            plan(
                ids::ASSIGN_LICENSES,
                &[("licenses", &both)],
                licensed(&[]),
                &[]
            ),
            done(
                vec![Effect::SetAssignedLicenses(vec![lic(SKU1), lic(SKU2)])],
                None
            )
        );
        assert_eq!(
            plan(
                ids::ASSIGN_LICENSES,
                &[("licenses", &both)],
                licensed(&[SKU1]),
                &[]
            ),
            done(
                vec![Effect::SetAssignedLicenses(vec![lic(SKU1), lic(SKU2)])],
                Some(&format!("The user already has the licenses '{SKU1}'."))
            )
        );
        assert_eq!(
            plan(
                ids::ASSIGN_LICENSES,
                &[("licenses", SKU2)],
                licensed(&[SKU2]),
                &[]
            ),
            done(
                vec![],
                Some(&format!("The user already has the licenses '{SKU2}'."))
            )
        );
    }

    #[test]
    fn assign_licenses_failures() {
        assert_eq!(
            plan(ids::ASSIGN_LICENSES, &[("licenses", SKU1)], user(), &[]),
            failed("The user has no usageLocation; licenses need one.")
        );
        let blank = json!({"id": "u1", "usageLocation": " "});
        assert_eq!(
            plan(ids::ASSIGN_LICENSES, &[("licenses", SKU1)], blank, &[]),
            failed("The user has no usageLocation; licenses need one.")
        );
        assert_eq!(
            plan(
                ids::ASSIGN_LICENSES,
                &[("licenses", "E5")],
                licensed(&[]),
                &[]
            ),
            failed("'E5' is not a license SKU id.")
        );
        assert_eq!(
            plan(ids::ASSIGN_LICENSES, &[], licensed(&[]), &[]),
            failed("The task needs the argument 'licenses'.")
        );
    }

    #[test]
    fn remove_licenses() {
        let both = format!("{SKU1},{SKU2}");
        assert_eq!(
            plan(
                ids::REMOVE_LICENSES,
                &[("licenses", &both)],
                licensed(&[SKU1, SKU2]),
                &[]
            ),
            done(vec![Effect::SetAssignedLicenses(vec![])], None)
        );
        let upper = SKU1.to_ascii_uppercase();
        assert_eq!(
            plan(
                ids::REMOVE_LICENSES,
                &[("licenses", &upper)],
                licensed(&[SKU1, SKU2]),
                &[]
            ),
            done(vec![Effect::SetAssignedLicenses(vec![lic(SKU2)])], None)
        );
        assert_eq!(
            plan(
                ids::REMOVE_LICENSES,
                &[("licenses", &both)],
                licensed(&[SKU2]),
                &[]
            ),
            done(
                vec![Effect::SetAssignedLicenses(vec![])],
                Some(&format!("The user did not have the licenses '{SKU1}'."))
            )
        );
        assert_eq!(
            plan(ids::REMOVE_LICENSES, &[("licenses", SKU1)], user(), &[]),
            done(
                vec![],
                Some(&format!("The user did not have the licenses '{SKU1}'."))
            )
        );
        assert_eq!(
            plan(ids::REMOVE_LICENSES, &[("licenses", "x")], user(), &[]),
            failed("'x' is not a license SKU id.")
        );
    }

    #[test]
    fn remove_all_licenses() {
        assert_eq!(
            plan(ids::REMOVE_ALL_LICENSES, &[], licensed(&[SKU1]), &[]),
            done(vec![Effect::SetAssignedLicenses(vec![])], None)
        );
        assert_eq!(
            plan(ids::REMOVE_ALL_LICENSES, &[], licensed(&[]), &[]),
            done(vec![], Some("The user has no licenses assigned."))
        );
        assert_eq!(
            plan(ids::REMOVE_ALL_LICENSES, &[], user(), &[]),
            done(vec![], Some("The user has no licenses assigned."))
        );
    }

    #[test]
    fn other_catalog_tasks_are_not_implemented() {
        let implemented = catalog::task_definitions()
            .iter()
            .filter(|d| is_implemented(d["id"].as_str().unwrap()))
            .count();
        assert_eq!(implemented, 13);
        for def in catalog::task_definitions() {
            let id = def["id"].as_str().unwrap();
            if is_implemented(id) {
                continue;
            }
            let name = def["displayName"].as_str().unwrap();
            assert_eq!(
                plan(id, &[], user(), &[]),
                Outcome::NotImplemented {
                    reason: format!("The task '{name}' is not implemented by lcw yet.")
                },
                "{id}"
            );
        }
        // The upper-case onboarding reminder id, in lower case.
        assert!(matches!(
            plan("3c860712-2d37-42a4-928f-5c93935d26a1", &[], user(), &[]),
            Outcome::NotImplemented { .. }
        ));
        assert_eq!(
            plan(ids::SEND_WELCOME_EMAIL, &[], user(), &[]),
            Outcome::NotImplemented {
                reason: "The task 'Send welcome email' is not implemented by lcw yet.".into()
            }
        );
    }

    #[test]
    fn unknown_definition_fails() {
        assert_eq!(
            plan("not-a-task", &[], user(), &[]),
            failed("'not-a-task' is not a built-in task definition.")
        );
    }
}
