//! What each built-in directory task does to a user. [`plan_task`] decides; the engine
//! applies the returned [`Effect`]s to the store and records the [`Outcome`].
//!
//! E-mail tasks produce an [`Effect::SendMail`] that the store queues in its outbox in the
//! same transaction as the task result; the engine's mailer delivers it over SMTP.
//!
//! The Temporary Access Pass and access package tasks live in `tasks_access.rs`.
//!
//! "Run a Custom Task Extension" is [`Outcome::Callout`]: the task starts (`inProgress`) and
//! the engine's callout worker (`callout.rs`) calls the extension outside any transaction.
//!
//! Every task of the catalog is carried out; [`Outcome::NotImplemented`] remains for
//! definitions lcw may learn later, never a fake success.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use model::catalog::{self, ids};
use serde_json::{json, Value};

use crate::tasks_access::{self, AccessChange, AccessData};

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
    pub groups: &'a dyn Fn(&str) -> Option<&'a Value>,
    /// The user's manager (Graph user document), if the user has one.
    pub manager: Option<&'a Value>,
    /// Another user's document by id (explicit `to` and `cc` recipients).
    pub user_by_id: &'a dyn Fn(&str) -> Option<&'a Value>,
    /// `emailSettings.senderDomain` of the tenant: mail comes from `no-reply@<domain>`.
    pub sender_domain: &'a str,
    /// Access packages, policies and the job's users' assignments and pending requests
    /// (empty unless the job has an access package task).
    pub access: &'a AccessData,
    pub now: DateTime<Utc>,
}

/// An e-mail a task sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
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
    /// Queue this e-mail for delivery.
    SendMail(Mail),
    /// Create (replace) the user's Temporary Access Pass. The pass itself only travels in
    /// the accompanying [`Effect::SendMail`].
    CreateTemporaryAccessPass {
        id: String,
        start: DateTime<Utc>,
        lifetime_minutes: i64,
        usable_once: bool,
    },
    /// Change the user's access package assignments or requests.
    AccessPackage(AccessChange),
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
    /// Call this custom task extension: the task stays `inProgress` (and the user's later
    /// tasks wait) until the callout, or its callback, resolves it.
    Callout { extension_id: String },
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
            | mail::WELCOME
            | mail::ONBOARDING_REMINDER
            | mail::BEFORE_LAST_DAY
            | mail::ON_LAST_DAY
            | mail::AFTER_LAST_DAY
            | mail::MANAGER_MOVE
            | tasks_access::GENERATE_TAP
            | tasks_access::REQUEST
            | tasks_access::REMOVE
            | tasks_access::REMOVE_ALL
            | tasks_access::CANCEL_PENDING
            | ids::RUN_CUSTOM_TASK_EXTENSION
    )
}

/// Whether this is one of the e-mail tasks (they read the manager and other users).
pub fn is_mail_task(definition_id: &str) -> bool {
    matches!(
        definition_id.to_ascii_lowercase().as_str(),
        mail::WELCOME
            | mail::ONBOARDING_REMINDER
            | mail::BEFORE_LAST_DAY
            | mail::ON_LAST_DAY
            | mail::AFTER_LAST_DAY
            | mail::MANAGER_MOVE
            | tasks_access::GENERATE_TAP
    )
}

/// Ids of the e-mail task definitions (lower case).
mod mail {
    pub const WELCOME: &str = "70b29d51-b59a-4773-9280-8841dfd3f2ea";
    pub const ONBOARDING_REMINDER: &str = "3c860712-2d37-42a4-928f-5c93935d26a1";
    pub const BEFORE_LAST_DAY: &str = "52853a3e-f4e5-4eb8-bb24-1ac09a1da935";
    pub const ON_LAST_DAY: &str = "9c0a1eaf-5bda-4392-9d9e-6e155bb57411";
    pub const AFTER_LAST_DAY: &str = "6f22ddd4-b3a5-47a4-a846-0d7c201a49ce";
    pub const MANAGER_MOVE: &str = "aab41899-9972-422a-9d97-f626014578b7";
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
/// * E-mail tasks (welcome, onboarding reminder, before / on / after the last day, manager
///   notification of a move): one [`Effect::SendMail`]; see [`send_mail`].
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
        mail::WELCOME
        | mail::ONBOARDING_REMINDER
        | mail::BEFORE_LAST_DAY
        | mail::ON_LAST_DAY
        | mail::AFTER_LAST_DAY
        | mail::MANAGER_MOVE => send_mail(input, &id),
        tasks_access::GENERATE_TAP => tasks_access::generate_tap(input),
        tasks_access::REQUEST => tasks_access::request_assignment(input),
        tasks_access::REMOVE => tasks_access::remove_assignment(input),
        tasks_access::REMOVE_ALL => tasks_access::remove_all_assignments(input),
        tasks_access::CANCEL_PENDING => tasks_access::cancel_pending_requests(input),
        ids::RUN_CUSTOM_TASK_EXTENSION => match argument(input, "customTaskExtensionID")
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            Some(ext) => Outcome::Callout {
                extension_id: ext.to_ascii_lowercase(),
            },
            None => Outcome::failed("The task has no 'customTaskExtensionID' argument."),
        },
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
pub(crate) fn argument<'a>(input: &TaskInput<'a>, name: &str) -> Option<&'a str> {
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

/// Default recipient, subject and body of each e-mail task.
fn mail_defaults(id: &str) -> (&'static str, &'static str, &'static str) {
    match id {
        mail::WELCOME => (
            "User",
            "Welcome, {{userDisplayName}}!",
            "Hello {{userGivenName}},\n\nwelcome aboard! Your account {{userPrincipalName}} is ready for your first day ({{userEmployeeHireDate}}).\n",
        ),
        mail::ONBOARDING_REMINDER => (
            "Manager",
            "Reminder: {{userDisplayName}} starts on {{userEmployeeHireDate}}",
            "Hello {{managerDisplayName}},\n\n{{userDisplayName}} ({{userPrincipalName}}) joins your team on {{userEmployeeHireDate}}. Please prepare their onboarding.\n",
        ),
        mail::BEFORE_LAST_DAY => (
            "Manager",
            "{{userDisplayName}}'s last day is approaching",
            "Hello {{managerDisplayName}},\n\n{{userDisplayName}} ({{userPrincipalName}}) leaves on {{userEmployeeLeaveDateTime}}. Please plan the handover.\n",
        ),
        mail::ON_LAST_DAY => (
            "Manager",
            "Today is {{userDisplayName}}'s last day",
            "Hello {{managerDisplayName}},\n\ntoday is the last day of {{userDisplayName}} ({{userPrincipalName}}).\n",
        ),
        tasks_access::GENERATE_TAP => (
            "Manager",
            "Temporary Access Pass for {{userDisplayName}}",
            "Hello {{managerDisplayName}},\n\nhere is the Temporary Access Pass of {{userDisplayName}} ({{userPrincipalName}}), who starts on {{userEmployeeHireDate}}:\n\n{{temporaryAccessPass}}\n\nPlease hand it over in person; it lets them set up their sign-in methods.\n",
        ),
        mail::AFTER_LAST_DAY => (
            "Manager",
            "{{userDisplayName}} has left",
            "Hello {{managerDisplayName}},\n\n{{userDisplayName}} ({{userPrincipalName}}) left on {{userEmployeeLeaveDateTime}}.\n",
        ),
        _ => (
            "Manager",
            "{{userDisplayName}} has moved",
            "Hello {{managerDisplayName}},\n\n{{userDisplayName}} ({{userPrincipalName}}) has moved within the organization.\n",
        ),
    }
}

fn text_of<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Replace the `{{placeholder}}`s of the shared e-mail parameter block.
fn fill_placeholders(text: &str, input: &TaskInput) -> String {
    let u = |k: &str| text_of(input.user, k).unwrap_or("").to_string();
    let m = |k: &str| {
        input
            .manager
            .and_then(|m| text_of(m, k))
            .unwrap_or("")
            .to_string()
    };
    let pairs = [
        ("userDisplayName", u("displayName")),
        ("userEmployeeHireDate", u("employeeHireDate")),
        ("userEmployeeLeaveDateTime", u("employeeLeaveDateTime")),
        ("managerDisplayName", m("displayName")),
        ("managerEmail", m("mail")),
        ("userPrincipalName", u("userPrincipalName")),
        ("userGivenName", u("givenName")),
        ("userSurname", u("surname")),
    ];
    let mut out = text.to_string();
    for (name, value) in pairs {
        out = out.replace(&format!("{{{{{name}}}}}"), &value);
    }
    out
}

/// The mail address of the user with this id (explicit `to` or `cc`).
fn mail_of_user_id(input: &TaskInput, id: &str) -> Result<String, Outcome> {
    let Some(doc) = (input.user_by_id)(id) else {
        return Err(Outcome::failed(format!("User '{id}' was not found.")));
    };
    text_of(doc, "mail")
        .map(str::to_string)
        .ok_or_else(|| Outcome::failed(format!("User '{id}' has no mail address.")))
}

fn recipient(input: &TaskInput, to: &str) -> Result<String, Outcome> {
    if to.eq_ignore_ascii_case("User") {
        return text_of(input.user, "mail")
            .map(str::to_string)
            .ok_or_else(|| Outcome::failed("The user has no mail address."));
    }
    if to.eq_ignore_ascii_case("Manager") {
        let Some(manager) = input.manager else {
            return Err(Outcome::failed(
                "The user has no manager; the mail goes to the manager.",
            ));
        };
        return text_of(manager, "mail").map(str::to_string).ok_or_else(|| {
            let name = text_of(manager, "displayName")
                .or_else(|| text_of(manager, "id"))
                .unwrap_or("");
            Outcome::failed(format!("The user's manager '{name}' has no mail address."))
        });
    }
    if to.eq_ignore_ascii_case("Sponsors") {
        return Err(Outcome::failed("The user has no sponsors."));
    }
    if model::is_guid(to) {
        return mail_of_user_id(input, to);
    }
    Err(Outcome::failed(format!(
        "'to' must be User, Manager, Sponsors or a user id, got '{to}'."
    )))
}

/// An e-mail task: the recipient from `to` (`User`, `Manager`, `Sponsors` or a user id; the
/// welcome mail goes to the user by default, every other mail to the manager), copies to the
/// users listed in `cc`, and `customSubject` / `customBody` (or the task's default text) with
/// the placeholders replaced. `locale` is accepted and ignored (lcw writes English).
pub(crate) fn send_mail(input: &TaskInput, id: &str) -> Outcome {
    let (default_to, default_subject, default_body) = mail_defaults(id);
    let to_arg = argument(input, "to")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(default_to);
    let cc_ids: Vec<String> = argument(input, "cc")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if to_arg.eq_ignore_ascii_case("Sponsors") && !cc_ids.is_empty() {
        return Outcome::failed("'cc' cannot be used when 'to' is Sponsors.");
    }
    let to = match recipient(input, to_arg) {
        Ok(a) => a,
        Err(o) => return o,
    };
    let mut cc = Vec::new();
    for c in &cc_ids {
        match mail_of_user_id(input, c) {
            Ok(a) => {
                if !cc.iter().any(|x: &String| x.eq_ignore_ascii_case(&a)) {
                    cc.push(a)
                }
            }
            Err(o) => return o,
        }
    }
    let custom = |name: &str| {
        argument(input, name)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let subject = fill_placeholders(custom("customSubject").unwrap_or(default_subject), input);
    let body = fill_placeholders(custom("customBody").unwrap_or(default_body), input);
    let domain = input.sender_domain.trim();
    let domain = if domain.is_empty() {
        "lcw.local"
    } else {
        domain
    };
    let info = format!("The mail to {to} was queued for delivery.");
    Outcome::done(
        vec![Effect::SendMail(Mail {
            from: format!("no-reply@{domain}"),
            to: vec![to],
            // Subjects never span lines (SMTP headers).
            cc,
            subject: subject.replace(['\r', '\n'], " "),
            body,
        })],
        Some(info),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    const G1: &str = "11111111-1111-1111-1111-111111111111";
    const G2: &str = "22222222-2222-2222-2222-222222222222";
    const TEAM: &str = "33333333-3333-3333-3333-333333333333";
    const DYN: &str = "44444444-4444-4444-4444-444444444444";
    const MISSING: &str = "55555555-5555-5555-5555-555555555555";
    const SKU1: &str = "aaaaaaaa-0000-0000-0000-000000000001";
    const SKU2: &str = "aaaaaaaa-0000-0000-0000-000000000002";

    /// The test directory's groups, by id (any case), as the engine passes them: borrowed.
    fn directory(id: &str) -> Option<&'static Value> {
        static GROUPS: OnceLock<Vec<Value>> = OnceLock::new();
        borrowed(&GROUPS, &[G1, G2, TEAM, DYN], group_doc, id)
    }

    /// The document `make` gives for `id`, made once for each of `ids` and then lent out.
    fn borrowed(
        docs: &'static OnceLock<Vec<Value>>,
        ids: &[&str],
        make: fn(&str) -> Option<Value>,
        id: &str,
    ) -> Option<&'static Value> {
        docs.get_or_init(|| ids.iter().filter_map(|i| make(i)).collect())
            .iter()
            .find(|d| d["id"].as_str().is_some_and(|d| d.eq_ignore_ascii_case(id)))
    }

    fn group_doc(id: &str) -> Option<Value> {
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
            groups: &|id| directory(id),
            manager: None,
            user_by_id: &|_| None,
            sender_domain: "lcw.local",
            access: &AccessData::default(),
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
    fn groups_named_reads_group_and_team_lists() {
        let args = vec![
            json!({"name": "GroupID", "value": " A1, b2 ,,"}),
            json!({"name": "teamID", "value": "T3"}),
            json!({"name": "other", "value": "x"}),
        ];
        assert_eq!(groups_named(&args), ["a1", "b2", "t3"]);
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
    fn custom_task_extension_tasks_call_out() {
        let ext = "A1B2C3D4-0000-0000-0000-000000000001";
        assert_eq!(
            plan(
                ids::RUN_CUSTOM_TASK_EXTENSION,
                &[("customTaskExtensionId", ext)],
                user(),
                &[]
            ),
            Outcome::Callout {
                extension_id: ext.to_ascii_lowercase()
            }
        );
        assert_eq!(
            plan(ids::RUN_CUSTOM_TASK_EXTENSION, &[], user(), &[]),
            Outcome::failed("The task has no 'customTaskExtensionID' argument.")
        );
    }

    #[test]
    fn other_catalog_tasks_are_not_implemented() {
        let implemented = catalog::task_definitions()
            .iter()
            .filter(|d| is_implemented(d["id"].as_str().unwrap()))
            .count();
        assert_eq!(implemented, 25);
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
    }

    const BOSS: &str = "66666666-6666-6666-6666-666666666666";
    const PEER: &str = "77777777-7777-7777-7777-777777777777";
    const NOMAIL: &str = "88888888-8888-8888-8888-888888888888";

    fn people(id: &str) -> Option<&'static Value> {
        static PEOPLE: OnceLock<Vec<Value>> = OnceLock::new();
        borrowed(&PEOPLE, &[BOSS, PEER, NOMAIL], person_doc, id)
    }

    fn person_doc(id: &str) -> Option<Value> {
        match id.to_ascii_lowercase().as_str() {
            BOSS => Some(json!({"id": BOSS, "displayName": "Bea Boss", "mail": "bea@x.test"})),
            PEER => Some(json!({"id": PEER, "displayName": "Pat Peer", "mail": "pat@x.test"})),
            NOMAIL => Some(json!({"id": NOMAIL, "displayName": "No Mail"})),
            _ => None,
        }
    }

    fn plan_mail(def: &str, args: &[(&str, &str)], user: Value, manager: Option<Value>) -> Outcome {
        let arguments: Vec<Value> = args
            .iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect();
        plan_task(&TaskInput {
            definition_id: def,
            arguments: &arguments,
            user: &user,
            user_group_ids: &[],
            groups: &|id| directory(id),
            manager: manager.as_ref(),
            user_by_id: &|id| people(id),
            sender_domain: "contoso.test",
            access: &AccessData::default(),
            now: now(),
        })
    }

    fn mail_user() -> Value {
        json!({"id": "u1", "displayName": "Ann Lee", "givenName": "Ann", "surname": "Lee",
               "userPrincipalName": "ann@contoso.test", "mail": "ann@x.test",
               "employeeHireDate": "2026-04-01T00:00:00Z", "employeeLeaveDateTime": "2026-06-30T00:00:00Z"})
    }

    fn sent(o: Outcome) -> Mail {
        match o {
            Outcome::Completed { mut effects, .. } => match effects.pop() {
                Some(Effect::SendMail(m)) => m,
                other => panic!("no mail: {other:?}"),
            },
            other => panic!("not completed: {other:?}"),
        }
    }

    #[test]
    fn mail_default_recipients_and_text() {
        let boss = person_doc(BOSS);
        let welcome = sent(plan_mail(mail::WELCOME, &[], mail_user(), boss.clone()));
        assert_eq!(welcome.to, vec!["ann@x.test".to_string()]);
        assert_eq!(welcome.from, "no-reply@contoso.test");
        assert_eq!(welcome.subject, "Welcome, Ann Lee!");
        for id in [
            "3C860712-2D37-42A4-928F-5C93935D26A1",
            mail::BEFORE_LAST_DAY,
            mail::ON_LAST_DAY,
            mail::AFTER_LAST_DAY,
            mail::MANAGER_MOVE,
        ] {
            let m = sent(plan_mail(id, &[], mail_user(), boss.clone()));
            assert_eq!(m.to, vec!["bea@x.test".to_string()], "{id}");
            assert!(m.body.contains("Bea Boss"), "{id}: {}", m.body);
        }
    }

    #[test]
    fn mail_arguments_and_placeholders() {
        let m = sent(plan_mail(
            mail::ON_LAST_DAY,
            &[
                ("to", PEER),
                ("cc", &format!("{BOSS}, {BOSS}")),
                ("customSubject", "{{userGivenName}} {{userSurname}} leaves {{userEmployeeLeaveDateTime}}"),
                ("customBody", "{{managerDisplayName}} <{{managerEmail}}>, {{userPrincipalName}} {{userEmployeeHireDate}} {{userDisplayName}} {{unknown}}"),
            ],
            mail_user(),
            person_doc(BOSS),
        ));
        assert_eq!(m.to, vec!["pat@x.test".to_string()]);
        assert_eq!(m.cc, vec!["bea@x.test".to_string()]);
        assert_eq!(m.subject, "Ann Lee leaves 2026-06-30T00:00:00Z");
        assert_eq!(
            m.body,
            "Bea Boss <bea@x.test>, ann@contoso.test 2026-04-01T00:00:00Z Ann Lee {{unknown}}"
        );
        let to_user = sent(plan_mail(
            mail::MANAGER_MOVE,
            &[("to", "user")],
            mail_user(),
            None,
        ));
        assert_eq!(to_user.to, vec!["ann@x.test".to_string()]);
    }

    #[test]
    fn mail_failures() {
        assert_eq!(
            plan_mail(mail::ON_LAST_DAY, &[], mail_user(), None),
            failed("The user has no manager; the mail goes to the manager.")
        );
        assert_eq!(
            plan_mail(mail::ON_LAST_DAY, &[], mail_user(), person_doc(NOMAIL)),
            failed("The user's manager 'No Mail' has no mail address.")
        );
        assert_eq!(
            plan_mail(mail::WELCOME, &[], user(), None),
            failed("The user has no mail address.")
        );
        assert_eq!(
            plan_mail(mail::WELCOME, &[("to", "Sponsors")], mail_user(), None),
            failed("The user has no sponsors.")
        );
        assert_eq!(
            plan_mail(
                mail::WELCOME,
                &[("to", "Sponsors"), ("cc", BOSS)],
                mail_user(),
                None
            ),
            failed("'cc' cannot be used when 'to' is Sponsors.")
        );
        assert_eq!(
            plan_mail(mail::WELCOME, &[("to", MISSING)], mail_user(), None),
            failed(&format!("User '{MISSING}' was not found."))
        );
        assert_eq!(
            plan_mail(mail::WELCOME, &[("cc", NOMAIL)], mail_user(), None),
            failed(&format!("User '{NOMAIL}' has no mail address."))
        );
        assert_eq!(
            plan_mail(mail::WELCOME, &[("to", "Boss")], mail_user(), None),
            failed("'to' must be User, Manager, Sponsors or a user id, got 'Boss'.")
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
