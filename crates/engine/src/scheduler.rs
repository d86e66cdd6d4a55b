//! The scheduler: every tenant's enabled, scheduling-enabled workflows are evaluated every
//! `workflowScheduleIntervalInHours`; users whose trigger fired are processed once per workflow
//! version and trigger occurrence. Also the exact, immediate execution scope.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use model::conditions::{QuarantineConditionKind, QuarantineType};
use model::run::{ProcessingStatus, ResultKind};
use model::workflow_view::WorkflowView;
use serde_json::{json, Value};
use store::{kinds, Resource, ResultQuery, Write};

use crate::runner::{compile, Activation, Engine, EngineError, ExecutionType, Result};
use crate::scope::{
    change_trigger_occurrences, missed_trigger_occurrence, time_trigger_occurrence, Change,
    Subject, TriggerKind, Window,
};

/// The directory change log's kind for a membership row (its other rows are attributes).
const MEMBERSHIP_CHANGE: &str = "member";

/// What one scheduler pass did.
#[derive(Debug, Default, Clone)]
pub struct PassReport {
    pub workflows_evaluated: usize,
    pub runs_created: usize,
    pub users_queued: usize,
    /// Users whose trigger date passed outside the catch-up window since the workflow's
    /// previous pass (a node down for longer than the window): not processed, reported.
    pub users_missed: usize,
}

/// Evaluate due workflows every `every` (wall time), forever.
pub fn spawn_scheduler(engine: Arc<Engine>, every: std::time::Duration) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = engine.scheduler_pass().await {
                tracing::warn!(error = %e, "scheduler pass failed");
            }
            tokio::time::sleep(every).await;
        }
    });
}

/// The longest schedule interval a tenant can set (`workflowScheduleIntervalInHours`).
const MAX_INTERVAL_HOURS: i64 = 24;

fn interval_hours(settings: Option<&Value>) -> i64 {
    settings
        .and_then(|s| s.get("workflowScheduleIntervalInHours"))
        .and_then(Value::as_i64)
        .filter(|h| (1..=MAX_INTERVAL_HOURS).contains(h))
        .unwrap_or(3)
}

/// Catch-up window for time-based triggers: 3 days, or the tenant's
/// `lcwCatchUpDays` setting (an lcw extension) when given.
fn catch_up(settings: Option<&Value>) -> chrono::Duration {
    let days = settings
        .and_then(|s| s.get("lcwCatchUpDays"))
        .and_then(Value::as_i64)
        .filter(|d| (1..=3650).contains(d))
        .unwrap_or(3);
    chrono::Duration::days(days)
}

/// Which scheduled workflows a pass evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evaluate {
    /// Those whose next run is due (the periodic scheduler).
    Due,
    /// All of them, now (`POST /lcw/admin/scheduler/run`).
    Every,
}

/// Whether a workflow whose next run is `next` is due at `now`. A next run further ahead
/// than the longest interval was scheduled by a clock ahead of this one (a manual clock set
/// back, or a node restarted on the system clock after a manual-clock trial): it is due now,
/// so that the pass reschedules it rather than leave it waiting for that far-off time.
fn is_due(next: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    let horizon = now.checked_add_signed(chrono::Duration::hours(MAX_INTERVAL_HOURS));
    next.is_none_or(|next| next <= now || horizon.is_some_and(|h| next > h))
}

impl Engine {
    /// Evaluate every workflow that is due, create runs for triggered users, and move each
    /// evaluated workflow's `nextScheduleRunDateTime` one interval on.
    pub async fn scheduler_pass(&self) -> Result<PassReport> {
        self.adopt_persisted_clocks().await?;
        self.timed_pass(Evaluate::Due, None).await
    }

    /// Like [`Engine::scheduler_pass`], but for one tenant, evaluating every enabled,
    /// scheduled workflow now, due or not (a quarantined one still waits for
    /// clearQuarantine).
    pub async fn scheduler_pass_now(&self, tenant: &str) -> Result<PassReport> {
        self.timed_pass(Evaluate::Every, Some(tenant)).await
    }

    async fn timed_pass(&self, which: Evaluate, only: Option<&str>) -> Result<PassReport> {
        let started = std::time::Instant::now();
        let outcome = self.pass(which, only).await;
        crate::telemetry::pass_ended(outcome.as_ref().ok(), started.elapsed().as_secs_f64());
        outcome
    }

    /// Take up the manual-clock moves other nodes persisted (and resets), so every node
    /// evaluates a tenant at the same time. A no-op on the system clock.
    pub async fn adopt_persisted_clocks(&self) -> Result<()> {
        if !self.clock.is_manual() {
            return Ok(());
        }
        // Held while loading and adopting, so a move this node makes meanwhile (under the
        // same lock) is never replaced by a load from before it.
        let _sync = self.clock_sync.lock().await;
        let rows = self.store.tenant_clocks().await?;
        let times: Vec<(String, DateTime<Utc>)> = rows
            .into_iter()
            .filter_map(|(t, now)| Some((t, model::time::parse_datetime(&now)?)))
            .collect();
        self.clock.adopt(&times);
        Ok(())
    }

    /// Move `tenant`'s manual clock and persist where it stands (so a restart or another
    /// node sees it). Returns the tenant's new time; an unrepresentable one is refused and
    /// the clock keeps its time.
    pub async fn move_clock(
        &self,
        clock: &crate::ManualClock,
        tenant: &str,
        how: crate::clock::ClockMove,
    ) -> Result<std::result::Result<DateTime<Utc>, crate::clock::ClockError>> {
        let _sync = self.clock_sync.lock().await;
        let to = match clock.target(tenant, how) {
            Ok(to) => to,
            Err(e) => return Ok(Err(e)),
        };
        // Persisted first: a failed write leaves this node's clock where the others see it.
        self.store
            .set_tenant_clock(tenant, &model::time::format_datetime(to))
            .await?;
        Ok(clock.set(tenant, to))
    }

    async fn pass(&self, which: Evaluate, only: Option<&str>) -> Result<PassReport> {
        let mut report = PassReport::default();
        let workflows = self.store.all_live_workflows().await?;
        let mut by_tenant: HashMap<String, Vec<Resource>> = HashMap::new();
        for (tenant, wf) in workflows {
            if only.is_some_and(|t| t != tenant) {
                continue;
            }
            if WorkflowView::of(&wf.doc).is_scheduled() {
                by_tenant.entry(tenant).or_default().push(wf);
            }
        }
        for (tenant, workflows) in by_tenant {
            let now = self.clock.now(&tenant);
            let settings = self
                .store
                .get(&tenant, kinds::SETTINGS, "settings")
                .await?
                .map(|r| r.doc);
            let hours = interval_hours(settings.as_ref());
            let window = Window {
                now,
                catch_up: catch_up(settings.as_ref()),
            };
            let due: Vec<Resource> = workflows
                .into_iter()
                .filter(|wf| {
                    which == Evaluate::Every
                        || is_due(WorkflowView::of(&wf.doc).next_schedule_run(), now)
                })
                .collect();
            if due.is_empty() {
                continue;
            }
            for wf in due {
                let view = WorkflowView::of(&wf.doc);
                if view.is_quarantined() {
                    // A quarantined workflow waits for clearQuarantine.
                    continue;
                }
                report.workflows_evaluated += 1;
                let trigger_kind = crate::scope::trigger_kind(view.execution_conditions);
                let own_quarantine = view.quarantine_configuration.cloned();
                let mut cursor: Option<i64> = None;
                // The previous pass over this workflow: what became due between it and the
                // catch-up window was never caught.
                let since = view
                    .next_schedule_run()
                    .and_then(|next| next.checked_sub_signed(chrono::Duration::hours(hours)));
                let mut missed = 0;
                let triggered = match trigger_kind {
                    TriggerKind::AttributeChange | TriggerKind::MembershipChange => {
                        let (users, last) = self.changed_users(&tenant, &wf).await?;
                        cursor = last;
                        users
                    }
                    _ => {
                        self.triggered_users(&tenant, &wf.doc, &window, (since, &mut missed))
                            .await?
                    }
                };
                if missed > 0 {
                    report.users_missed += missed;
                    tracing::warn!(
                        tenant,
                        workflow = wf.id,
                        missed,
                        "users whose trigger date passed outside the catch-up window were not processed"
                    );
                }
                let quarantine = match quarantine_config(own_quarantine, settings.as_ref()) {
                    Some(config) if !triggered.is_empty() => {
                        let in_scope = self.count_in_scope(&tenant, &wf.doc).await?;
                        quarantine_verdict(&config, triggered.len(), in_scope)
                    }
                    _ => None,
                };
                // The pass owns these properties only: it sets them on the row as it is when
                // written, so an edit, disable or delete made meanwhile stays as it was made.
                let mut owned: Vec<(&'static str, Value)> = Vec::new();
                if let Some((kind, reason)) = quarantine {
                    tracing::warn!(tenant, workflow = wf.id, reason, "workflow quarantined");
                    owned.push((
                        "quarantineDetails",
                        json!({
                            "quarantineReason": reason,
                            "quarantineType": kind.as_str(),
                            "quarantinedDateTime": model::time::format_datetime(now),
                        }),
                    ));
                } else if !triggered.is_empty() {
                    report.runs_created += 1;
                    report.users_queued += triggered.len();
                    let mut act = Activation::new(
                        ExecutionType::Scheduled,
                        triggered.iter().map(|(u, _)| u.clone()).collect(),
                    );
                    act.occurrences = triggered.into_iter().collect();
                    self.activate(&tenant, &wf.doc, act).await?;
                }
                owned.push((
                    "nextScheduleRunDateTime",
                    json!(model::time::format_datetime(next_run(now, hours))),
                ));
                // The change cursor moves only after the run is written: a crash before that
                // re-reads the same changes (claims keep them from running twice).
                let mut steps = Vec::new();
                if let Some(seq) = cursor {
                    steps.push(Write::Put(Resource {
                        kind: kinds::CHANGE_CURSOR,
                        id: wf.id.clone(),
                        parent_id: wf.id.clone(),
                        deleted_at: None,
                        seq: 0,
                        doc: json!({ "seq": seq }),
                    }));
                }
                steps.push(Write::SetLiveProperties {
                    kind: kinds::WORKFLOW,
                    id: wf.id.clone(),
                    properties: owned,
                });
                self.store.write(&tenant, steps).await?;
            }
        }
        Ok(report)
    }

    /// Users in scope whose time-based trigger fired in the window and who have not been
    /// processed for this workflow version and occurrence (claimed here, exactly once).
    /// Those whose trigger passed after `since` (the previous pass) but before the window
    /// are counted in `missed`.
    async fn triggered_users(
        &self,
        tenant: &str,
        wf: &Value,
        window: &Window,
        (since, missed): (Option<DateTime<Utc>>, &mut usize),
    ) -> Result<Vec<(String, String)>> {
        let Ok(compiled) = compile(wf) else {
            return Ok(Vec::new());
        };
        let view = WorkflowView::of(wf);
        let Some(trigger) = view.trigger() else {
            return Ok(Vec::new());
        };
        let (wf_id, version) = (view.id, view.version);
        let claimed = self
            .store
            .claimed_occurrences(tenant, wf_id, version)
            .await?;
        let mut out = Vec::new();
        self.scan_users(tenant, |user, groups| {
            let Some(id) = user.get("id").and_then(Value::as_str) else {
                return;
            };
            if !compiled.in_scope(&Subject {
                user,
                group_ids: groups,
            }) {
                return;
            }
            let Some(occ) = time_trigger_occurrence(trigger, user, window) else {
                let missed_occurrence =
                    since.and_then(|since| missed_trigger_occurrence(trigger, user, window, since));
                if missed_occurrence.is_some_and(|o| !claimed.contains(&(id.to_string(), o.key))) {
                    *missed += 1;
                }
                return;
            };
            if !claimed.contains(&(id.to_string(), occ.key.clone())) {
                out.push((id.to_string(), occ.key));
            }
        })
        .await?;
        Ok(out)
    }

    /// Walk a tenant's users page by page with their group ids. The next page is read (on
    /// the read connections) while the current one is visited.
    async fn scan_users(
        &self,
        tenant: &str,
        mut visit: impl FnMut(&Value, &[String]),
    ) -> Result<()> {
        const PAGE: i64 = 2000;
        type Page = (Vec<Value>, HashMap<String, Vec<String>>);
        let read_after = |after: String| {
            let (store, tenant) = (self.reader.clone(), tenant.to_string());
            tokio::spawn(async move {
                let page = store.users_page(&tenant, &after, PAGE).await?;
                let ids: Vec<String> = page
                    .iter()
                    .filter_map(|u| u.get("id").and_then(Value::as_str).map(str::to_string))
                    .collect();
                let memberships = store.group_ids_of_many(&tenant, &ids).await?;
                Ok::<Page, store::StoreError>((page, memberships))
            })
        };
        let mut next = Some(read_after(String::new()));
        while let Some(reading) = next.take() {
            let (page, memberships) = reading
                .await
                .map_err(|e| EngineError::JobAborted(e.to_string()))??;
            let last = page
                .last()
                .and_then(|u| u.get("id"))
                .and_then(Value::as_str);
            if let (Some(last), true) = (last, page.len() as i64 == PAGE) {
                next = Some(read_after(last.to_string()));
            }
            for user in &page {
                let id = user.get("id").and_then(Value::as_str).unwrap_or("");
                visit(user, memberships.get(id).map(Vec::as_slice).unwrap_or(&[]));
            }
        }
        Ok(())
    }

    /// How many users are in the workflow's scope now (for percentage quarantine).
    async fn count_in_scope(&self, tenant: &str, wf: &Value) -> Result<usize> {
        let Ok(compiled) = compile(wf) else {
            return Ok(0);
        };
        let mut n = 0;
        self.scan_users(tenant, |user, groups| {
            if compiled.in_scope(&Subject {
                user,
                group_ids: groups,
            }) {
                n += 1;
            }
        })
        .await?;
        Ok(n)
    }

    /// Users whose logged directory changes fire a mover trigger since the workflow last
    /// looked (a per-workflow cursor; changes from before the workflow existed never fire).
    /// Attribute changes also need the user in scope now; a group removal does not.
    async fn changed_users(
        &self,
        tenant: &str,
        wf: &Resource,
    ) -> Result<(Vec<(String, String)>, Option<i64>)> {
        let Ok(compiled) = compile(&wf.doc) else {
            return Ok((Vec::new(), None));
        };
        let view = WorkflowView::of(&wf.doc);
        let trigger = view.trigger().unwrap_or(&Value::Null);
        let scope = view.scope().unwrap_or(&Value::Null);
        let cursor = self.store.get(tenant, kinds::CHANGE_CURSOR, &wf.id).await?;
        let after = cursor
            .as_ref()
            .and_then(|c| c.doc.get("seq").and_then(Value::as_i64))
            .unwrap_or(wf.seq);
        let rows = self.store.changes_since(tenant, after, 100_000).await?;
        let Some(last) = rows.last().map(|r| r.seq) else {
            return Ok((Vec::new(), None));
        };
        let now = self.clock.now(tenant);
        let changes: Vec<Change> = rows
            .into_iter()
            .map(|r| {
                if r.kind == MEMBERSHIP_CHANGE {
                    Change::Membership {
                        seq: r.seq,
                        user_id: r.user_id,
                        group_id: r.name,
                        added: r.new_value.as_deref() == Some("add"),
                        at: now,
                    }
                } else {
                    Change::Attribute {
                        seq: r.seq,
                        user_id: r.user_id,
                        name: r.name,
                        old: r.old_value,
                        new: r.new_value,
                        at: now,
                    }
                }
            })
            .collect();
        let mut changed_ids: Vec<String> = changes
            .iter()
            .map(|c| match c {
                Change::Attribute { user_id, .. } | Change::Membership { user_id, .. } => {
                    user_id.clone()
                }
            })
            .collect();
        changed_ids.sort();
        changed_ids.dedup();
        let users: HashMap<String, Value> = self
            .store
            .get_users_by_ids(tenant, &changed_ids)
            .await?
            .into_iter()
            .map(|u| (u.id.clone(), u.doc))
            .collect();
        let memberships = self.store.group_ids_of_many(tenant, &changed_ids).await?;
        let wf_id = wf.id.as_str();
        let version = view.version;
        let attribute_trigger =
            crate::scope::trigger_kind(view.execution_conditions) == TriggerKind::AttributeChange;
        let no_groups: Vec<String> = Vec::new();
        let claimed = self
            .store
            .claimed_occurrences(tenant, wf_id, version)
            .await?;
        let mut out: Vec<(String, String)> = Vec::new();
        for (user_id, occ) in change_trigger_occurrences(trigger, scope, &changes) {
            let Some(user) = users.get(user_id.as_str()) else {
                continue;
            };
            if attribute_trigger {
                let groups = memberships.get(&user_id).unwrap_or(&no_groups);
                if !compiled.in_scope(&Subject {
                    user,
                    group_ids: groups,
                }) {
                    continue;
                }
            }
            // One run entry per user; further changes of the same user are claimed right away
            // (they are handled by this run).
            if claimed.contains(&(user_id.clone(), occ.key.clone())) {
                continue;
            }
            if out.iter().any(|(u, _)| *u == user_id) {
                self.store
                    .claim_occurrence(tenant, wf_id, version, &user_id, &occ.key)
                    .await?;
            } else {
                out.push((user_id, occ.key));
            }
        }
        Ok((out, Some(last)))
    }

    /// The users who meet the workflow's conditions now, each as its most recent scheduled or
    /// on-demand user processing result for this workflow (a queued placeholder with a stable
    /// id when it has none yet).
    pub async fn execution_scope(&self, tenant: &str, wf: &Value) -> Result<Vec<Value>> {
        let users = self.scope_users(tenant, wf).await?;
        let wf_id = WorkflowView::of(wf).id;
        let mut out = Vec::with_capacity(users.len());
        for user in users {
            let uid = user
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            out.push(self.latest_result_for(tenant, wf, wf_id, &uid).await?);
        }
        Ok(out)
    }

    /// The users of [`Engine::execution_scope`] as directory objects.
    pub async fn scope_users(&self, tenant: &str, wf: &Value) -> Result<Vec<Value>> {
        let Ok(compiled) = compile(wf) else {
            return Ok(Vec::new());
        };
        let now = self.clock.now(tenant);
        let settings = self
            .store
            .get(tenant, kinds::SETTINGS, "settings")
            .await?
            .map(|r| r.doc);
        let window = Window {
            now,
            catch_up: catch_up(settings.as_ref()),
        };
        let trigger = WorkflowView::of(wf).trigger();
        let time_based = trigger.is_some_and(crate::scope::is_time_based);
        let users = self.store.all_users(tenant).await?;
        let memberships = self.store.memberships(tenant).await?;
        let no_groups: Vec<String> = Vec::new();
        Ok(users
            .into_iter()
            .filter(|user| {
                let id = user.get("id").and_then(Value::as_str).unwrap_or("");
                let groups = memberships.get(id).unwrap_or(&no_groups);
                compiled.in_scope(&Subject {
                    user,
                    group_ids: groups,
                }) && (!time_based
                    || trigger.is_some_and(|t| time_trigger_occurrence(t, user, &window).is_some()))
            })
            .collect())
    }

    async fn latest_result_for(
        &self,
        tenant: &str,
        wf: &Value,
        wf_id: &str,
        user_id: &str,
    ) -> Result<Value> {
        let (rows, _, _) = self
            .store
            .list_results(
                tenant,
                &ResultQuery {
                    kind: ResultKind::User.as_str(),
                    workflow_id: Some(wf_id),
                    subject_id: Some(user_id),
                    top: 1000,
                    ..Default::default()
                },
            )
            .await?;
        if let Some(latest) = rows
            .into_iter()
            .filter(|r| {
                matches!(
                    ExecutionType::parse(&r.execution_type),
                    Some(ExecutionType::Scheduled | ExecutionType::OnDemand)
                )
            })
            .max_by_key(|r| r.seq)
        {
            return Ok(latest.doc);
        }
        let view = WorkflowView::of(wf);
        let tasks = view.tasks.len();
        let now = model::time::format_datetime(self.clock.now(tenant));
        Ok(json!({
            "id": placeholder_id(wf_id, user_id),
            "processingStatus": ProcessingStatus::Queued.as_str(),
            "workflowExecutionType": ExecutionType::Scheduled.as_str(),
            "workflowVersion": view.version,
            "scheduledDateTime": now,
            "startedDateTime": null,
            "completedDateTime": null,
            "totalTasksCount": tasks,
            "failedTasksCount": 0,
            "totalUnprocessedTasksCount": tasks,
            "subject": {"id": user_id},
        }))
    }
}

/// One interval on, but never past what RFC 3339 can write (the manual clock may stand at
/// the end of time).
fn next_run(now: DateTime<Utc>, hours: i64) -> DateTime<Utc> {
    let latest = crate::clock::latest_representable();
    now.checked_add_signed(chrono::Duration::hours(hours))
        .map_or(latest, |next| next.min(latest))
}

/// A stable GUID for "this user in this workflow's scope, not processed yet" (FNV-1a over
/// both ids, so every node and every call agrees).
pub fn placeholder_id(workflow_id: &str, user_id: &str) -> String {
    let mut h1: u64 = 0xcbf2_9ce4_8422_2325;
    let mut h2: u64 = 0x8422_2325_cbf2_9ce4;
    for b in workflow_id.bytes().chain([0u8]).chain(user_id.bytes()) {
        h1 = (h1 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        h2 = (h2 ^ u64::from(b))
            .wrapping_mul(0x0000_0100_0000_01b3)
            .rotate_left(7);
    }
    let hex = format!("{h1:016x}{h2:016x}");
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// The workflow's own quarantine configuration, else the tenant's.
fn quarantine_config(own: Option<Value>, settings: Option<&Value>) -> Option<Value> {
    own.or_else(|| {
        settings
            .and_then(|s| s.get("quarantineConfiguration"))
            .filter(|c| !c.is_null())
            .cloned()
    })
}

/// Whether a run of `triggered` users out of `in_scope` breaks the quarantine conditions:
/// `(quarantineType, reason)` when it does. Count thresholds cap the users of one run;
/// percentage thresholds cap their share of the users in scope.
fn quarantine_verdict(
    config: &Value,
    triggered: usize,
    in_scope: usize,
) -> Option<(QuarantineType, String)> {
    let conditions = config.get("conditions").and_then(Value::as_array)?;
    if conditions.is_empty() {
        return None;
    }
    let mut broken: Vec<(QuarantineType, String)> = Vec::new();
    for c in conditions {
        let ty = c.get("@odata.type").and_then(Value::as_str).unwrap_or("");
        let kind = QuarantineConditionKind::parse(ty);
        if kind == Some(QuarantineConditionKind::CountBased) {
            let threshold = c
                .get("threshold")
                .and_then(Value::as_i64)
                .unwrap_or(i64::MAX);
            if triggered as i64 > threshold {
                broken.push((
                    QuarantineType::CountBasedThresholdExceeded,
                    format!("{triggered} users exceed the threshold of {threshold} per run."),
                ));
            }
        } else if kind == Some(QuarantineConditionKind::PercentageBased) {
            let pct = c.get("percentage").and_then(Value::as_i64).unwrap_or(100);
            if in_scope > 0 && (triggered as i64) * 100 > pct * in_scope as i64 {
                broken.push((
                    QuarantineType::PercentageBasedThresholdExceeded,
                    format!("{triggered} of {in_scope} users in scope exceed {pct}%."),
                ));
            }
        }
    }
    let all = config.get("matchMode").and_then(Value::as_str) == Some("all");
    let hit = if all {
        broken.len() == conditions.len()
    } else {
        !broken.is_empty()
    };
    if !hit {
        return None;
    }
    if broken.len() > 1 {
        let reason = broken
            .iter()
            .map(|(_, r)| r.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        return Some((QuarantineType::MultipleConditionsExceeded, reason));
    }
    broken.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        model::time::parse_datetime(s).unwrap()
    }

    #[test]
    fn a_next_run_beyond_any_interval_is_due_now() {
        let now = at("2026-01-01T09:00:00Z");
        assert!(is_due(None, now));
        assert!(is_due(Some(at("2026-01-01T09:00:00Z")), now));
        assert!(!is_due(Some(at("2026-01-01T12:00:00Z")), now));
        assert!(!is_due(Some(at("2026-01-02T09:00:00Z")), now));
        assert!(is_due(Some(at("2026-01-02T09:00:01Z")), now));
        assert!(is_due(Some(at("2026-06-01T12:00:00Z")), now));
    }

    #[test]
    fn the_next_run_stays_representable() {
        assert_eq!(
            next_run(at("2026-01-01T09:00:00Z"), 3),
            at("2026-01-01T12:00:00Z")
        );
        assert_eq!(
            next_run(at("9999-12-31T23:00:00Z"), 3),
            at("9999-12-31T23:59:59Z")
        );
    }
}
