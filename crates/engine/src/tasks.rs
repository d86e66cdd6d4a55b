//! What each built-in directory task does to a user. [`plan_task`] decides; the engine
//! applies the returned [`Effect`]s to the store and records the [`Outcome`].
//!
//! The e-mail tasks live in `task_mail.rs`; the Temporary Access Pass and access package
//! tasks in `tasks_access.rs`. What they all read and decide is in `task_input.rs`.
//!
//! "Run a Custom Task Extension" is [`Outcome::Callout`]: the task starts (`inProgress`) and
//! the engine's callout worker (`callout.rs`) calls the extension outside any transaction.
//!
//! Every task of the catalog is carried out; [`Outcome::NotImplemented`] remains for
//! definitions lcw may learn later, never a fake success.

use std::collections::HashSet;

use model::catalog;
use model::run::TaskKind;
use serde_json::{json, Value};

use crate::task_input::argument;
pub use crate::task_input::{Effect, Mail, Outcome, TaskInput};
use crate::task_mail::send_mail;
use crate::tasks_access;

/// Whether lcw carries out tasks of this definition (otherwise [`plan_task`] answers
/// [`Outcome::NotImplemented`]).
pub fn is_implemented(definition_id: &str) -> bool {
    TaskKind::from_id(definition_id).is_some()
}

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
/// * E-mail tasks (welcome, onboarding reminder, before / on / after the last day, manager
///   notification of a move): one [`Effect::SendMail`]; see `task_mail::send_mail`.
/// * Every other catalog task: [`Outcome::NotImplemented`]; an id outside the catalog fails.
pub fn plan_task(input: &TaskInput) -> Outcome {
    let Some(kind) = input.kind else {
        return not_carried_out(input);
    };
    match kind {
        TaskKind::EnableUserAccount => set_enabled(input, true),
        TaskKind::DisableUserAccount => set_enabled(input, false),
        TaskKind::AddUserToGroups => add_to_groups(input, false),
        TaskKind::AddUserToTeams => add_to_groups(input, true),
        TaskKind::RemoveUserFromGroups => remove_from_selected(input, false),
        TaskKind::RemoveUserFromTeams => remove_from_selected(input, true),
        TaskKind::RemoveUserFromAllGroups => remove_from_all(input, false),
        TaskKind::RemoveUserFromAllTeams => remove_from_all(input, true),
        TaskKind::DeleteUserAccount => Outcome::done(vec![Effect::DeleteUser], None),
        TaskKind::AssignLicenses => assign_licenses(input),
        TaskKind::RemoveLicenses => remove_licenses(input),
        TaskKind::RemoveAllLicenses => remove_all_licenses(input),
        TaskKind::RevokeRefreshTokens => {
            Outcome::done(vec![Effect::RevokeSessions(input.now)], None)
        }
        TaskKind::SendWelcomeEmail
        | TaskKind::SendOnboardingReminderEmail
        | TaskKind::SendEmailBeforeLastDay
        | TaskKind::SendEmailOnLastDay
        | TaskKind::SendEmailAfterLastDay
        | TaskKind::SendManagerMoveEmail => send_mail(input, kind),
        TaskKind::GenerateTap => tasks_access::generate_tap(input),
        TaskKind::RequestAccessPackage => tasks_access::request_assignment(input),
        TaskKind::RemoveAccessPackage => tasks_access::remove_assignment(input),
        TaskKind::RemoveAllAccessPackages => tasks_access::remove_all_assignments(input),
        TaskKind::CancelPendingAccessPackageRequests => {
            tasks_access::cancel_pending_requests(input)
        }
        TaskKind::RunCustomTaskExtension => match argument(input, "customTaskExtensionID")
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            Some(ext) => Outcome::Callout {
                extension_id: ext.to_ascii_lowercase(),
            },
            None => Outcome::failed("The task has no 'customTaskExtensionID' argument."),
        },
    }
}

/// A definition without a task kind: a catalog entry lcw has not learnt yet, or no
/// built-in task at all.
fn not_carried_out(input: &TaskInput) -> Outcome {
    match catalog::task_definition(input.definition_id) {
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
    }
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

/// The groups and teams a task's arguments name (`groupID`, `teamID`), lower-cased: what
/// the engine loads before planning, besides the groups the users are in.
pub(crate) fn groups_named(arguments: &[Value]) -> Vec<String> {
    arguments
        .iter()
        .filter(|a| {
            a.get("name").and_then(Value::as_str).is_some_and(|n| {
                n.eq_ignore_ascii_case("groupID") || n.eq_ignore_ascii_case("teamID")
            })
        })
        .filter_map(|a| a.get("value").and_then(Value::as_str))
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
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
        if teams && !is_team(group) {
            return Err(Outcome::failed(format!("'{id}' is not a team.")));
        }
        if is_dynamic(group) {
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
            Some(doc) => !is_dynamic(doc) && is_team(doc) == teams,
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
mod tests;
