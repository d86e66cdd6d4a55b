//! Who is in a workflow's scope and who is triggered: pure functions over the workflow's
//! `executionConditions` and Graph user documents.
//!
//! * [`CompiledConditions`] / [`in_scope`] — whether a user satisfies
//!   `executionConditions.scope` (rules are parsed once per workflow, not once per user);
//! * [`time_trigger_occurrence`] — whether a time-based trigger fires for a user now;
//! * [`change_trigger_occurrences`] — which change-log entries fire an attribute or
//!   membership change trigger;
//! * [`trigger_kind`] / [`is_time_based`] — how the scheduler has to treat a workflow.
//!
//! Every firing is an [`Occurrence`] whose `key` identifies it, so that the engine processes
//! a user at most once per workflow version and occurrence.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use model::conditions::{
    odata_type as type_of, ConditionsKind, EventTiming, SubjectSetKind, TimeOperator, TriggerType,
};
use odata::{EvalOptions, Expr};
use serde_json::Value;

/// The catch-up window of time-based triggers: a user whose trigger date fell within the
/// last 3 days is still picked up.
pub const DEFAULT_CATCH_UP_DAYS: i64 = 3;

/// The subject whose scope membership is evaluated.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The Graph user document (`id`, `department`, `employeeHireDate`, ...).
    pub user: &'a Value,
    /// Ids of the groups the user is a (direct) member of.
    pub group_ids: &'a [String],
}

impl Subject<'_> {
    fn id(&self) -> Option<&str> {
        self.user.get("id").and_then(Value::as_str)
    }

    fn in_any_group(&self, groups: &HashSet<String>) -> bool {
        self.group_ids
            .iter()
            .any(|g| groups.contains(&g.to_ascii_lowercase()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// The conditions or the scope rule are malformed.
    #[error("invalid scope: {0}")]
    InvalidRule(String),
    /// Well-formed conditions lcw cannot evaluate for users.
    #[error("unsupported execution conditions: {0}")]
    Unsupported(String),
}

#[derive(Debug, Clone)]
enum ScopeRule {
    /// `onDemandExecutionOnly`: no user is ever in scope.
    Nobody,
    /// `allExcludingAgentBuilderPlatformsSubjectSet`: every user.
    Everyone,
    /// `ruleBasedSubjectSet`, evaluated case-sensitively.
    Rule(Expr),
    /// `groupBasedSubjectSet`: a member of any of these (lower-cased) group ids.
    MemberOfAny(HashSet<String>),
    /// `selectedObjectsSubjectSet`: one of these (lower-cased) object ids.
    OneOf(HashSet<String>),
    /// `allExcludingGroupsSubjectSet`: everyone not a member of any of these groups.
    NotMemberOfAny(HashSet<String>),
    /// `allExcludingSpecificObjectsSubjectSet`: everyone except these objects.
    NoneOf(HashSet<String>),
}

/// A workflow's execution conditions, with the scope compiled once so that evaluating
/// many users does not re-parse the rule.
#[derive(Debug, Clone)]
pub struct CompiledConditions {
    scope: ScopeRule,
}

/// The lower-cased `id`s of the objects listed under `key` (e.g. `groups: [{id}]`).
fn id_set(scope: &Value, key: &str) -> Result<HashSet<String>, ScopeError> {
    let list = scope
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| ScopeError::InvalidRule(format!("the scope has no '{key}' list")))?;
    list.iter()
        .map(|o| {
            o.get("id")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_ascii_lowercase)
                .ok_or_else(|| ScopeError::InvalidRule(format!("an entry of '{key}' has no id")))
        })
        .collect()
}

impl CompiledConditions {
    /// Compile `executionConditions`. `onDemandExecutionOnly` compiles to "nobody in scope";
    /// `triggerAndScopeBasedConditions` needs a scope lcw knows; anything else is
    /// [`ScopeError::Unsupported`].
    pub fn new(conditions: &Value) -> Result<Self, ScopeError> {
        let scope = match ConditionsKind::of(conditions) {
            Some(ConditionsKind::OnDemandExecutionOnly) => ScopeRule::Nobody,
            Some(ConditionsKind::TriggerAndScopeBased) => {
                let scope = conditions
                    .get("scope")
                    .filter(|s| !s.is_null())
                    .ok_or_else(|| {
                        ScopeError::InvalidRule("the execution conditions have no scope".into())
                    })?;
                compile_scope(scope)?
            }
            None => {
                return Err(ScopeError::Unsupported(format!(
                    "'{}' conditions are not evaluated for users",
                    type_of(conditions)
                )))
            }
        };
        Ok(CompiledConditions { scope })
    }

    /// Whether the subject is in scope.
    pub fn in_scope(&self, s: &Subject) -> bool {
        let id = || s.id().map(str::to_ascii_lowercase);
        match &self.scope {
            ScopeRule::Nobody => false,
            ScopeRule::Everyone => true,
            ScopeRule::Rule(expr) => expr.matches_with(
                s.user,
                &EvalOptions {
                    case_insensitive: false,
                },
            ),
            ScopeRule::MemberOfAny(groups) => s.in_any_group(groups),
            ScopeRule::NotMemberOfAny(groups) => !s.in_any_group(groups),
            ScopeRule::OneOf(ids) => id().is_some_and(|id| ids.contains(&id)),
            ScopeRule::NoneOf(ids) => id().is_none_or(|id| !ids.contains(&id)),
        }
    }

    /// True for `onDemandExecutionOnly` conditions (nobody is ever in scope).
    pub fn is_on_demand_only(&self) -> bool {
        matches!(self.scope, ScopeRule::Nobody)
    }
}

fn compile_scope(scope: &Value) -> Result<ScopeRule, ScopeError> {
    let Some(kind) = SubjectSetKind::of(scope) else {
        return Err(ScopeError::Unsupported(format!(
            "'{}' is not a supported scope",
            type_of(scope)
        )));
    };
    Ok(match kind {
        SubjectSetKind::RuleBased => {
            let rule = scope
                .get("rule")
                .and_then(Value::as_str)
                .filter(|r| !r.trim().is_empty())
                .ok_or_else(|| ScopeError::InvalidRule("the scope has no rule".into()))?;
            let expr = odata::parse_filter(rule)
                .map_err(|e| ScopeError::InvalidRule(format!("rule '{rule}': {e}")))?;
            ScopeRule::Rule(expr)
        }
        SubjectSetKind::GroupBased => ScopeRule::MemberOfAny(id_set(scope, "groups")?),
        SubjectSetKind::SelectedObjects => ScopeRule::OneOf(id_set(scope, "inScopeObjects")?),
        SubjectSetKind::AllExcludingGroups => {
            ScopeRule::NotMemberOfAny(id_set(scope, "excludedGroups")?)
        }
        SubjectSetKind::AllExcludingSpecificObjects => {
            ScopeRule::NoneOf(id_set(scope, "excludedObjects")?)
        }
        // Agent builder platforms exclude agent identities; every user is in scope.
        SubjectSetKind::AllExcludingAgentBuilderPlatforms => ScopeRule::Everyone,
    })
}

/// Whether a user is in the workflow's scope (`executionConditions.scope`). For many users,
/// build a [`CompiledConditions`] once instead.
pub fn in_scope(conditions: &Value, s: &Subject) -> Result<bool, ScopeError> {
    Ok(CompiledConditions::new(conditions)?.in_scope(s))
}

/// How the scheduler treats a workflow's conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerKind {
    /// `timeBasedAttributeTrigger` / `timeBasedAttributeTriggerV2`: see
    /// [`time_trigger_occurrence`].
    Time,
    /// `attributeChangeTrigger`: see [`change_trigger_occurrences`].
    AttributeChange,
    /// `membershipChangeTrigger`: see [`change_trigger_occurrences`].
    MembershipChange,
    /// `onDemandExecutionOnly`: runs only through `activate`.
    OnDemandOnly,
    /// Anything the scheduler does not fire: `userInactivityTrigger` (lcw keeps no sign-in
    /// activity), `guestSponsorTrigger` (lcw keeps no sponsors), `provisioningAttributeMapping`,
    /// missing or unknown triggers.
    Unsupported,
}

/// The kind of trigger in `executionConditions`.
pub fn trigger_kind(conditions: &Value) -> TriggerKind {
    match ConditionsKind::of(conditions) {
        Some(ConditionsKind::OnDemandExecutionOnly) => TriggerKind::OnDemandOnly,
        Some(ConditionsKind::TriggerAndScopeBased) => {
            match conditions.get("trigger").and_then(TriggerType::of) {
                Some(TriggerType::TimeBasedAttribute | TriggerType::TimeBasedAttributeV2) => {
                    TriggerKind::Time
                }
                Some(TriggerType::AttributeChange) => TriggerKind::AttributeChange,
                Some(TriggerType::MembershipChange) => TriggerKind::MembershipChange,
                None => TriggerKind::Unsupported,
            }
        }
        None => TriggerKind::Unsupported,
    }
}

/// Whether `trigger` (the trigger object itself) is a time-based attribute trigger.
pub fn is_time_based(trigger: &Value) -> bool {
    TriggerType::of(trigger).is_some_and(TriggerType::is_time_based)
}

/// One firing of a trigger for a user. `key` identifies the occurrence so that a user is
/// processed at most once per workflow version and occurrence; `due` is when it became due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub key: String,
    pub due: DateTime<Utc>,
}

/// The evaluation instant and how far back time-based triggers still catch up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub now: DateTime<Utc>,
    pub catch_up: Duration,
}

impl Window {
    /// A window at `now` with the default 3-day catch-up.
    pub fn new(now: DateTime<Utc>) -> Self {
        Window {
            now,
            catch_up: Duration::days(DEFAULT_CATCH_UP_DAYS),
        }
    }

    /// `now - catch_up < due <= now`: the due instant has passed, not more than
    /// `catch_up` ago.
    fn catches(&self, due: DateTime<Utc>) -> bool {
        due <= self.now
            && self
                .now
                .checked_sub_signed(self.catch_up)
                .is_none_or(|lo| lo < due)
    }
}

/// A user date attribute: an RFC 3339 instant, or a plain `YYYY-MM-DD` date (midnight UTC).
fn user_date(user: &Value, attr: &str) -> Option<DateTime<Utc>> {
    let s = user.get(attr)?.as_str()?.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

fn plus_days(d: DateTime<Utc>, days: i64) -> Option<DateTime<Utc>> {
    d.checked_add_signed(Duration::try_days(days)?)
}

fn ymd(d: DateTime<Utc>) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn int(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_i64)
}

/// Whether a time-based trigger fires for `user` in window `w`, and which occurrence it is.
/// Non-time triggers, a missing or unparsable date attribute and malformed triggers give
/// `None`.
///
/// * `timeBasedAttributeTrigger {timeBasedAttribute, offsetInDays}`: `due = date +
///   offsetInDays days` (negative = before the date); fires when
///   `now - catch_up < due <= now`. Key `"{attribute}:{due as YYYY-MM-DD}"`, so a changed
///   date is a new occurrence.
/// * `timeBasedAttributeTriggerV2 {attribute, operator}`:
///   * `operatorEqualTo {offsetInDays, eventTiming}`: `due = date - offset` (`before`),
///     `date + offset` (`after`) or `date` (`on`); same window and key as above.
///   * `operatorLessThanEqualTo {offsetInDays, eventTiming}`: the date lies within
///     `offset` days of now — `after`: `now - offset <= date <= now` (due = date);
///     `before`: `now <= date <= now + offset` (due = date - offset). Key
///     `"{attribute}:{date as YYYY-MM-DD}"`: one occurrence per date, no catch-up beyond
///     the range itself.
///   * `operatorBetween {greaterThanOffsetInDays g, lessThanOffsetInDays l, eventTiming}`:
///     `after`: `date + g <= now <= date + l` (due = date + g); `before`:
///     `date - l <= now <= date - g` (due = date - l). Key as for `operatorLessThanEqualTo`.
///   * With `eventTiming: on` both range operators ignore their offsets and behave as
///     `operatorEqualTo` with `on` (due = the date, catch-up window).
pub fn time_trigger_occurrence(trigger: &Value, user: &Value, w: &Window) -> Option<Occurrence> {
    let firing = firing(trigger, user)?;
    let due = match firing.when {
        When::At(due) => w.catches(due).then_some(due)?,
        When::During(lo, hi) => (lo <= w.now && w.now <= hi).then_some(lo)?,
    };
    Some(firing.occurrence(due))
}

/// The occurrence a pass at `w` no longer catches although no earlier pass could have: it
/// became due after `since` (the previous pass) but before the catch-up window opened, or,
/// for a range trigger, its whole range lies between `since` and `now`. Such users are
/// reported as missed, never processed late.
pub fn missed_trigger_occurrence(
    trigger: &Value,
    user: &Value,
    w: &Window,
    since: DateTime<Utc>,
) -> Option<Occurrence> {
    let firing = firing(trigger, user)?;
    let due = match firing.when {
        When::At(due) => (since < due && due <= w.now && !w.catches(due)).then_some(due)?,
        When::During(lo, hi) => (since < lo && hi < w.now).then_some(lo)?,
    };
    Some(firing.occurrence(due))
}

/// When a time-based trigger fires for a user, apart from any window.
struct Firing<'t> {
    /// The date attribute; with `key_date`, what names the occurrence.
    attr: &'t str,
    key_date: DateTime<Utc>,
    when: When,
}

impl Firing<'_> {
    /// Keyed only once it fires: a pass asks this of every user in scope.
    fn occurrence(&self, due: DateTime<Utc>) -> Occurrence {
        Occurrence {
            key: format!("{}:{}", self.attr, ymd(self.key_date)),
            due,
        }
    }
}

enum When {
    /// Due at one instant; caught up for a while after it.
    At(DateTime<Utc>),
    /// Fires while now lies in this closed range; no catch-up.
    During(DateTime<Utc>, DateTime<Utc>),
}

fn firing<'t>(trigger: &'t Value, user: &Value) -> Option<Firing<'t>> {
    match TriggerType::of(trigger)? {
        TriggerType::TimeBasedAttribute => {
            let attr = trigger.get("timeBasedAttribute")?.as_str()?;
            let offset = int(trigger, "offsetInDays")?;
            let due = plus_days(user_date(user, attr)?, offset)?;
            Some(Firing {
                attr,
                key_date: due,
                when: When::At(due),
            })
        }
        TriggerType::TimeBasedAttributeV2 => {
            let attr = trigger.get("attribute")?.as_str()?;
            let op = trigger.get("operator")?;
            let date = user_date(user, attr)?;
            v2_firing(attr, op, date)
        }
        TriggerType::AttributeChange | TriggerType::MembershipChange => None,
    }
}

fn v2_firing<'t>(attr: &'t str, op: &Value, date: DateTime<Utc>) -> Option<Firing<'t>> {
    let timing = EventTiming::parse(op.get("eventTiming")?.as_str()?)?;
    let op_type = TimeOperator::of(op)?;
    let equal_to = |offset: i64| {
        let due = match timing {
            EventTiming::Before => plus_days(date, -offset)?,
            EventTiming::After => plus_days(date, offset)?,
            EventTiming::On => date,
        };
        Some(Firing {
            attr,
            key_date: due,
            when: When::At(due),
        })
    };
    // A range [lo, hi] that must contain now; the occurrence is keyed by the date.
    let in_range = |lo: DateTime<Utc>, hi: DateTime<Utc>| {
        Some(Firing {
            attr,
            key_date: date,
            when: When::During(lo, hi),
        })
    };
    match op_type {
        TimeOperator::EqualTo => equal_to(int(op, "offsetInDays")?),
        TimeOperator::LessThanEqualTo => {
            let offset = int(op, "offsetInDays")?;
            match timing {
                EventTiming::On => equal_to(0),
                EventTiming::After => in_range(date, plus_days(date, offset)?),
                EventTiming::Before => in_range(plus_days(date, -offset)?, date),
            }
        }
        TimeOperator::Between => {
            let g = int(op, "greaterThanOffsetInDays")?;
            let l = int(op, "lessThanOffsetInDays")?;
            match timing {
                EventTiming::On => equal_to(0),
                EventTiming::After => in_range(plus_days(date, g)?, plus_days(date, l)?),
                EventTiming::Before => in_range(plus_days(date, -l)?, plus_days(date, -g)?),
            }
        }
    }
}

/// One entry of the directory change log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A user attribute changed from `old` to `new` (`None` = absent).
    Attribute {
        seq: i64,
        user_id: String,
        name: String,
        old: Option<String>,
        new: Option<String>,
        at: DateTime<Utc>,
    },
    /// A user was added to (`added`) or removed from a group.
    Membership {
        seq: i64,
        user_id: String,
        group_id: String,
        added: bool,
        at: DateTime<Utc>,
    },
}

/// The attribute names an `attributeChangeTrigger` watches (none for other triggers).
fn trigger_attribute_names(trigger: &Value) -> Vec<&str> {
    if TriggerType::of(trigger) != Some(TriggerType::AttributeChange) {
        return Vec::new();
    }
    trigger
        .get("triggerAttributes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| t.get("name").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default()
}

/// The user attributes a workflow's execution conditions react to changes of.
pub fn watched_attributes(conditions: &Value) -> Vec<String> {
    match conditions.get("trigger") {
        Some(trigger)
            if ConditionsKind::of(conditions) == Some(ConditionsKind::TriggerAndScopeBased) =>
        {
            trigger_attribute_names(trigger)
                .into_iter()
                .map(str::to_string)
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The firings of a change-based trigger in `changes`, as `(user_id, occurrence)` in change
/// order; the occurrence is due at the change's time.
///
/// * `attributeChangeTrigger {triggerAttributes:[{name}]}`: every attribute change whose
///   name matches one of the trigger attributes (case-insensitively) and whose value really
///   changed (`old != new`); key `"attr:{name}:{seq}"`. Each matching change is its own
///   occurrence. The caller still checks the user's current scope.
/// * `membershipChangeTrigger {changeType: add|remove}`: every membership change in that
///   direction to one of the groups of `scope` (a `groupBasedSubjectSet`; any other scope
///   gives nothing); key `"member:{add|remove}:{group}:{seq}"`. A removed user is no longer
///   in the group scope, so for `remove` the caller must not require current scope.
///
/// Any other trigger gives no occurrences.
pub fn change_trigger_occurrences(
    trigger: &Value,
    scope: &Value,
    changes: &[Change],
) -> Vec<(String, Occurrence)> {
    match TriggerType::of(trigger) {
        Some(TriggerType::AttributeChange) => {
            let names = trigger_attribute_names(trigger);
            changes
                .iter()
                .filter_map(|c| match c {
                    Change::Attribute {
                        seq,
                        user_id,
                        name,
                        old,
                        new,
                        at,
                    } if old != new && names.iter().any(|n| n.eq_ignore_ascii_case(name)) => {
                        Some((
                            user_id.clone(),
                            Occurrence {
                                key: format!("attr:{name}:{seq}"),
                                due: *at,
                            },
                        ))
                    }
                    _ => None,
                })
                .collect()
        }
        Some(TriggerType::MembershipChange) => {
            let want_add = match trigger.get("changeType").and_then(Value::as_str) {
                Some("add") => true,
                Some("remove") => false,
                _ => return Vec::new(),
            };
            if SubjectSetKind::of(scope) != Some(SubjectSetKind::GroupBased) {
                return Vec::new();
            }
            let Ok(groups) = id_set(scope, "groups") else {
                return Vec::new();
            };
            let direction = if want_add { "add" } else { "remove" };
            changes
                .iter()
                .filter_map(|c| match c {
                    Change::Membership {
                        seq,
                        user_id,
                        group_id,
                        added,
                        at,
                    } if *added == want_add && groups.contains(&group_id.to_ascii_lowercase()) => {
                        Some((
                            user_id.clone(),
                            Occurrence {
                                key: format!("member:{direction}:{group_id}:{seq}"),
                                due: *at,
                            },
                        ))
                    }
                    _ => None,
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests;
