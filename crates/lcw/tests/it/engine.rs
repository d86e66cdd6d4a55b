//! Scheduler scenarios on a server with a manual clock: workflows fire on hire and leave
//! dates, change the directory for real, and process each user once per version and trigger
//! occurrence.

use serde_json::{json, Value};

use crate::harness::{clock_lock, Backend, Tenant, LW};

const ENABLE: &str = "6fc52c9d-398b-4305-9763-15f42c1676fc";
const DISABLE: &str = "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950";
const ADD_TO_GROUPS: &str = "22085229-5809-45e8-97fd-270d28d66910";
const REVOKE: &str = "509589a4-0466-4471-829e-49c5e502bdee";

async fn user(t: &Tenant, name: &str, dept: &str, extra: Value) -> String {
    let mut body = json!({
        "displayName": name,
        "userPrincipalName": format!("{}@contoso.test", name.to_lowercase().replace(' ', ".")),
        "department": dept,
        "accountEnabled": false,
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let r = t.post("/users", &body).await;
    r.expect(201);
    r.body["id"].as_str().unwrap().to_string()
}

async fn scheduled_workflow(
    t: &Tenant,
    category: &str,
    attribute: &str,
    offset: i64,
    tasks: Value,
) -> String {
    let r = t
        .post(
            &format!("{LW}/workflows"),
            &json!({
                "category": category,
                "displayName": format!("{category} on {attribute} {offset}"),
                "isEnabled": true,
                "isSchedulingEnabled": true,
                "executionConditions": {
                    "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
                    "scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "department eq 'Sales'"},
                    "trigger": {"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger", "timeBasedAttribute": attribute, "offsetInDays": offset}
                },
                "tasks": tasks
            }),
        )
        .await;
    r.expect(201);
    r.body["id"].as_str().unwrap().to_string()
}

async fn runs(t: &Tenant, wf: &str) -> Vec<Value> {
    let r = t.get(&format!("{LW}/workflows/{wf}/runs")).await;
    r.expect(200);
    r.body["value"].as_array().unwrap().clone()
}

async fn pre_hire_joiner_runs_seven_days_before_the_hire_date(backend: Backend) {
    let _clock = clock_lock().await;
    let Some(t) = Tenant::on_manual_clock(backend) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    t.set_clock("2026-03-01T08:00:00Z").await;
    let group = t
        .post(
            "/groups",
            &json!({"displayName": "New hires", "mailNickname": "newhires"}),
        )
        .await;
    group.expect(201);
    let group_id = group.body["id"].as_str().unwrap().to_string();
    let ann = user(
        &t,
        "Ann Sales",
        "Sales",
        json!({"employeeHireDate": "2026-03-10T00:00:00Z"}),
    )
    .await;
    let _bob = user(
        &t,
        "Bob Hr",
        "HR",
        json!({"employeeHireDate": "2026-03-10T00:00:00Z"}),
    )
    .await;
    let _cid = user(
        &t,
        "Cid Later",
        "Sales",
        json!({"employeeHireDate": "2026-05-01T00:00:00Z"}),
    )
    .await;
    let wf = scheduled_workflow(
        &t,
        "joiner",
        "employeeHireDate",
        -7,
        json!([
            {"displayName": "Enable", "taskDefinitionId": ENABLE, "arguments": []},
            {"displayName": "Add to new hires", "taskDefinitionId": ADD_TO_GROUPS, "arguments": [{"name": "groupID", "value": group_id}]}
        ]),
    )
    .await;

    // Two days before the trigger date: nobody is due.
    let report = t.run_scheduler().await;
    assert!(
        report["workflowsEvaluated"].as_u64().unwrap() >= 1,
        "{report}"
    );
    assert!(runs(&t, &wf).await.is_empty());
    let scope = t.get(&format!("{LW}/workflows/{wf}/executionScope")).await;
    scope.expect(200);
    assert_eq!(scope.body["value"].as_array().unwrap().len(), 0);

    // On the day (hire date − 7): Ann, in Sales, is processed; Bob (HR) and Cid (later) are not.
    t.set_clock("2026-03-03T10:00:00Z").await;
    let scope = t.get(&format!("{LW}/workflows/{wf}/executionScope")).await;
    assert_eq!(
        scope.body["value"].as_array().unwrap().len(),
        1,
        "{}",
        scope.text
    );
    assert_eq!(scope.body["value"][0]["subject"]["id"], json!(ann));
    t.run_scheduler().await;
    let all = runs(&t, &wf).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["workflowExecutionType"], "scheduled");
    assert_eq!(all[0]["processingStatus"], "completed");
    assert_eq!(all[0]["totalUsersCount"], 1);
    assert_eq!(all[0]["successfulUsersCount"], 1);
    let ann_now = t.get(&format!("/users/{ann}")).await;
    assert_eq!(ann_now.body["accountEnabled"], json!(true));
    let member_of = t.get(&format!("/users/{ann}/memberOf")).await;
    assert_eq!(member_of.body["value"][0]["id"], json!(group_id));
    let wf_now = t.get(&format!("{LW}/workflows/{wf}")).await;
    assert_eq!(
        wf_now.body["nextScheduleRunDateTime"],
        "2026-03-03T13:00:00Z"
    );

    // A later pass inside the catch-up window does not process Ann twice.
    t.set_clock("2026-03-04T10:00:00Z").await;
    t.run_scheduler().await;
    assert_eq!(runs(&t, &wf).await.len(), 1);
}

#[tokio::test]
async fn pre_hire_joiner_sqlite() {
    pre_hire_joiner_runs_seven_days_before_the_hire_date(Backend::Sqlite).await;
}

#[tokio::test]
async fn pre_hire_joiner_postgres() {
    pre_hire_joiner_runs_seven_days_before_the_hire_date(Backend::Postgres).await;
}

async fn leaver_on_the_last_day_disables_and_revokes(backend: Backend) {
    let _clock = clock_lock().await;
    let Some(t) = Tenant::on_manual_clock(backend) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    t.set_clock("2026-06-30T07:00:00Z").await;
    let dee = user(
        &t,
        "Dee Leaving",
        "Sales",
        json!({"accountEnabled": true, "employeeLeaveDateTime": "2026-06-30T00:00:00Z"}),
    )
    .await;
    let stays = user(
        &t,
        "Eve Staying",
        "Sales",
        json!({"accountEnabled": true, "employeeLeaveDateTime": "2026-12-31T00:00:00Z"}),
    )
    .await;
    let wf = scheduled_workflow(
        &t,
        "leaver",
        "employeeLeaveDateTime",
        0,
        json!([
            {"displayName": "Disable", "taskDefinitionId": DISABLE, "arguments": []},
            {"displayName": "Revoke sessions", "taskDefinitionId": REVOKE, "arguments": []}
        ]),
    )
    .await;
    t.run_scheduler().await;
    let all = runs(&t, &wf).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["processingStatus"], "completed");
    let d = t.get(&format!("/users/{dee}")).await;
    assert_eq!(d.body["accountEnabled"], json!(false));
    assert_eq!(
        d.body["signInSessionsValidFromDateTime"],
        "2026-06-30T07:00:00Z"
    );
    let e = t.get(&format!("/users/{stays}")).await;
    assert_eq!(e.body["accountEnabled"], json!(true));
    let uprs = t
        .get(&format!("{LW}/workflows/{wf}/userProcessingResults"))
        .await;
    uprs.expect(200);
    assert_eq!(uprs.body["value"].as_array().unwrap().len(), 1);
    assert_eq!(uprs.body["value"][0]["subject"]["id"], json!(dee));
}

#[tokio::test]
async fn leaver_on_last_day_sqlite() {
    leaver_on_the_last_day_disables_and_revokes(Backend::Sqlite).await;
}

#[tokio::test]
async fn leaver_on_last_day_postgres() {
    leaver_on_the_last_day_disables_and_revokes(Backend::Postgres).await;
}

async fn mover_workflow(t: &Tenant, trigger: Value, scope: Value, tasks: Value) -> String {
    let r = t
        .post(
            &format!("{LW}/workflows"),
            &json!({
                "category": "mover",
                "displayName": "mover",
                "isEnabled": true,
                "isSchedulingEnabled": true,
                "executionConditions": {
                    "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
                    "scope": scope,
                    "trigger": trigger
                },
                "tasks": tasks
            }),
        )
        .await;
    r.expect(201);
    r.body["id"].as_str().unwrap().to_string()
}

async fn mover_on_department_change(backend: Backend) {
    let _clock = clock_lock().await;
    let Some(t) = Tenant::on_manual_clock(backend) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    t.set_clock("2026-04-01T09:00:00Z").await;
    let sales = t
        .post(
            "/groups",
            &json!({"displayName": "Sales team", "mailNickname": "sales"}),
        )
        .await;
    let sales_id = sales.body["id"].as_str().unwrap().to_string();
    let fay = user(&t, "Fay Mover", "HR", json!({"accountEnabled": true})).await;
    let gus = user(&t, "Gus Stays", "HR", json!({"accountEnabled": true})).await;
    let wf = mover_workflow(
        &t,
        json!({"@odata.type": "#microsoft.graph.identityGovernance.attributeChangeTrigger", "triggerAttributes": [{"name": "department"}]}),
        json!({"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "department eq 'Sales'"}),
        json!([{"displayName": "Join Sales", "taskDefinitionId": ADD_TO_GROUPS, "arguments": [{"name": "groupID", "value": sales_id}]}]),
    )
    .await;
    // No change yet: nothing runs.
    t.run_scheduler().await;
    assert!(runs(&t, &wf).await.is_empty());
    // Fay moves to Sales; Gus changes job title only.
    t.patch(&format!("/users/{fay}"), &json!({"department": "Sales"}))
        .await
        .expect(204);
    t.patch(&format!("/users/{gus}"), &json!({"jobTitle": "Lead"}))
        .await
        .expect(204);
    t.set_clock("2026-04-01T13:00:00Z").await;
    t.run_scheduler().await;
    let all = runs(&t, &wf).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["totalUsersCount"], 1);
    let member_of = t.get(&format!("/users/{fay}/memberOf")).await;
    assert_eq!(member_of.body["value"][0]["id"], json!(sales_id));
    // The same change is not processed again.
    t.set_clock("2026-04-01T17:00:00Z").await;
    t.run_scheduler().await;
    assert_eq!(runs(&t, &wf).await.len(), 1);
}

#[tokio::test]
async fn mover_on_department_change_sqlite() {
    mover_on_department_change(Backend::Sqlite).await;
}

#[tokio::test]
async fn mover_on_department_change_postgres() {
    mover_on_department_change(Backend::Postgres).await;
}

async fn membership_change_runs_for_added_members(backend: Backend) {
    let _clock = clock_lock().await;
    let Some(t) = Tenant::on_manual_clock(backend) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    t.set_clock("2026-05-01T09:00:00Z").await;
    let g = t
        .post(
            "/groups",
            &json!({"displayName": "Contractors", "mailNickname": "contractors"}),
        )
        .await;
    let gid = g.body["id"].as_str().unwrap().to_string();
    let hal = user(&t, "Hal Contractor", "Ops", json!({"accountEnabled": true})).await;
    let wf = mover_workflow(
        &t,
        json!({"@odata.type": "#microsoft.graph.identityGovernance.membershipChangeTrigger", "changeType": "add"}),
        json!({"@odata.type": "#microsoft.graph.identityGovernance.groupBasedSubjectSet", "groups": [{"id": gid}]}),
        json!([{"displayName": "Revoke", "taskDefinitionId": REVOKE, "arguments": []}]),
    )
    .await;
    t.post(
        &format!("/groups/{gid}/members/$ref"),
        &json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{hal}")}),
    )
    .await
    .expect(204);
    t.run_scheduler().await;
    let all = runs(&t, &wf).await;
    assert_eq!(all.len(), 1, "{all:?}");
    let h = t.get(&format!("/users/{hal}")).await;
    assert_eq!(
        h.body["signInSessionsValidFromDateTime"],
        "2026-05-01T09:00:00Z"
    );
}

#[tokio::test]
async fn membership_change_sqlite() {
    membership_change_runs_for_added_members(Backend::Sqlite).await;
}

#[tokio::test]
async fn membership_change_postgres() {
    membership_change_runs_for_added_members(Backend::Postgres).await;
}

/// A group membership a task makes is a membership change like any other: a mover workflow
/// watching that group runs for the user on the next pass.
async fn task_made_membership_triggers_mover(backend: Backend) {
    let _clock = clock_lock().await;
    let Some(t) = Tenant::on_manual_clock(backend) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    t.set_clock("2026-05-02T09:00:00Z").await;
    let g = t
        .post(
            "/groups",
            &json!({"displayName": "Night shift", "mailNickname": "night"}),
        )
        .await;
    let gid = g.body["id"].as_str().unwrap().to_string();
    let ida = user(&t, "Ida Shift", "Ops", json!({"accountEnabled": true})).await;
    let watcher = mover_workflow(
        &t,
        json!({"@odata.type": "#microsoft.graph.identityGovernance.membershipChangeTrigger", "changeType": "add"}),
        json!({"@odata.type": "#microsoft.graph.identityGovernance.groupBasedSubjectSet", "groups": [{"id": gid}]}),
        json!([{"displayName": "Revoke", "taskDefinitionId": REVOKE, "arguments": []}]),
    )
    .await;
    let adder = mover_workflow(
        &t,
        json!({"@odata.type": "#microsoft.graph.identityGovernance.attributeChangeTrigger",
               "triggerAttributes": [{"name": "jobTitle"}]}),
        json!({"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "department eq 'Ops'"}),
        json!([{"displayName": "Add", "taskDefinitionId": ADD_TO_GROUPS,
                "arguments": [{"name": "groupID", "value": gid}]}]),
    )
    .await;
    t.post(
        &format!("{LW}/workflows/{adder}/microsoft.graph.identityGovernance.activate"),
        &json!({"subjects": [{"id": ida}]}),
    )
    .await
    .expect(204);
    // Processing only (no scheduler pass): Ida joins the group.
    crate::task_catalog::admin(&t, "engine/drain")
        .await
        .expect(200);
    let members = t.get(&format!("/groups/{gid}/members")).await;
    assert_eq!(
        members.body["value"][0]["id"],
        ida.as_str(),
        "{}",
        members.text
    );
    // The next scheduled pass sees the membership change.
    t.set_clock("2026-05-02T13:00:00Z").await;
    t.run_scheduler().await;
    let all = runs(&t, &watcher).await;
    assert_eq!(all.len(), 1, "{all:?}");
    let h = t.get(&format!("/users/{ida}")).await;
    assert_eq!(
        h.body["signInSessionsValidFromDateTime"],
        "2026-05-02T13:00:00Z"
    );
}

#[tokio::test]
async fn task_made_membership_sqlite() {
    task_made_membership_triggers_mover(Backend::Sqlite).await;
}

#[tokio::test]
async fn task_made_membership_postgres() {
    task_made_membership_triggers_mover(Backend::Postgres).await;
}

/// An attribute a task changes is an attribute change like any other: a mover workflow that
/// triggers on `accountEnabled` runs for the user a leaver task disabled, and only for them.
async fn task_made_attribute_change_triggers_mover(backend: Backend) {
    let _clock = clock_lock().await;
    let Some(t) = Tenant::on_manual_clock(backend) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    t.set_clock("2026-05-03T09:00:00Z").await;
    let jo = user(&t, "Jo Leaving", "Ops", json!({"accountEnabled": true})).await;
    let kim = user(&t, "Kim Staying", "Ops", json!({"accountEnabled": true})).await;
    let watcher = mover_workflow(
        &t,
        json!({"@odata.type": "#microsoft.graph.identityGovernance.attributeChangeTrigger",
               "triggerAttributes": [{"name": "AccountEnabled"}]}),
        json!({"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "department eq 'Ops'"}),
        json!([{"displayName": "Revoke", "taskDefinitionId": REVOKE, "arguments": []}]),
    )
    .await;
    // A leaver workflow nobody's leave date triggers, run on demand.
    let disabler = scheduled_workflow(
        &t,
        "leaver",
        "employeeLeaveDateTime",
        0,
        json!([{"displayName": "Disable", "taskDefinitionId": DISABLE, "arguments": []}]),
    )
    .await;
    t.post(
        &format!("{LW}/workflows/{disabler}/microsoft.graph.identityGovernance.activate"),
        &json!({"subjects": [{"id": jo}]}),
    )
    .await
    .expect(204);
    crate::task_catalog::admin(&t, "engine/drain")
        .await
        .expect(200);
    assert_eq!(
        t.get(&format!("/users/{jo}")).await.body["accountEnabled"],
        json!(false)
    );
    // The next scheduled pass sees the change the task made.
    t.set_clock("2026-05-03T13:00:00Z").await;
    t.run_scheduler().await;
    let all = runs(&t, &watcher).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["totalUsersCount"], 1, "{all:?}");
    let uprs = t
        .get(&format!("{LW}/workflows/{watcher}/userProcessingResults"))
        .await;
    assert_eq!(
        uprs.body["value"][0]["subject"]["id"],
        json!(jo),
        "{}",
        uprs.text
    );
    let j = t.get(&format!("/users/{jo}")).await;
    assert_eq!(
        j.body["signInSessionsValidFromDateTime"],
        "2026-05-03T13:00:00Z"
    );
    let k = t.get(&format!("/users/{kim}")).await;
    assert!(
        k.body["signInSessionsValidFromDateTime"].is_null(),
        "{}",
        k.text
    );
    // The revocation is not watched, and the change is processed once.
    t.set_clock("2026-05-03T17:00:00Z").await;
    t.run_scheduler().await;
    assert_eq!(runs(&t, &watcher).await.len(), 1);
}

#[tokio::test]
async fn task_made_attribute_change_sqlite() {
    task_made_attribute_change_triggers_mover(Backend::Sqlite).await;
}

#[tokio::test]
async fn task_made_attribute_change_postgres() {
    task_made_attribute_change_triggers_mover(Backend::Postgres).await;
}

async fn quarantine_holds_a_run_over_the_threshold(backend: Backend) {
    let _clock = clock_lock().await;
    let Some(t) = Tenant::on_manual_clock(backend) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    t.set_clock("2026-07-01T08:00:00Z").await;
    for name in ["Ivy One", "Jon Two"] {
        user(
            &t,
            name,
            "Sales",
            json!({"accountEnabled": true, "employeeLeaveDateTime": "2026-07-01T00:00:00Z"}),
        )
        .await;
    }
    let mut body = json!({
        "category": "leaver",
        "displayName": "guarded leaver",
        "isEnabled": true,
        "isSchedulingEnabled": true,
        "executionConditions": {
            "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
            "scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "department eq 'Sales'"},
            "trigger": {"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger", "timeBasedAttribute": "employeeLeaveDateTime", "offsetInDays": 0}
        },
        "tasks": [{"displayName": "Disable", "taskDefinitionId": DISABLE, "arguments": []}]
    });
    body["settings"] = json!({"quarantineConfiguration": {"matchMode": "any", "conditions": [
        {"@odata.type": "#microsoft.graph.identityGovernance.countBasedQuarantineCondition", "threshold": 1}
    ]}});
    let r = t.post(&format!("{LW}/workflows"), &body).await;
    r.expect(201);
    let wf = r.body["id"].as_str().unwrap().to_string();
    t.run_scheduler().await;
    assert!(
        runs(&t, &wf).await.is_empty(),
        "a quarantined workflow must not run"
    );
    let got = t.get(&format!("{LW}/workflows/{wf}")).await;
    assert_eq!(
        got.body["quarantineDetails"]["quarantineType"], "countBasedThresholdExceeded",
        "{}",
        got.text
    );
    assert!(got.body["quarantineDetails"]["quarantinedDateTime"].is_string());
    // Cleared, the next pass runs both users.
    t.post(
        &format!("{LW}/workflows/{wf}/microsoft.graph.identityGovernance.clearQuarantine"),
        &json!({}),
    )
    .await
    .expect(200);
    // Without a threshold change it would quarantine again; raise it.
    t.set_clock("2026-07-01T12:00:00Z").await;
    let mut next = t.get(&format!("{LW}/workflows/{wf}")).await.body;
    next["settings"]["quarantineConfiguration"]["conditions"][0]["threshold"] = json!(5);
    t.post(
        &format!("{LW}/workflows/{wf}/microsoft.graph.identityGovernance.createNewVersion"),
        &json!({"workflow": next}),
    )
    .await
    .expect(200);
    t.run_scheduler().await;
    let all = runs(&t, &wf).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["totalUsersCount"], 2);
}

#[tokio::test]
async fn quarantine_sqlite() {
    quarantine_holds_a_run_over_the_threshold(Backend::Sqlite).await;
}

#[tokio::test]
async fn quarantine_postgres() {
    quarantine_holds_a_run_over_the_threshold(Backend::Postgres).await;
}

async fn catch_up_window_can_be_widened(backend: Backend) {
    let _clock = clock_lock().await;
    let Some(t) = Tenant::on_manual_clock(backend) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    // The leave date passed 10 days ago: outside the default 3-day window.
    t.set_clock("2026-08-11T09:00:00Z").await;
    let kim = user(
        &t,
        "Kim Late",
        "Sales",
        json!({"accountEnabled": true, "employeeLeaveDateTime": "2026-08-01T00:00:00Z"}),
    )
    .await;
    let wf = scheduled_workflow(
        &t,
        "leaver",
        "employeeLeaveDateTime",
        0,
        json!([{"displayName": "Disable", "taskDefinitionId": DISABLE, "arguments": []}]),
    )
    .await;
    t.run_scheduler().await;
    assert!(runs(&t, &wf).await.is_empty());
    t.patch(&format!("{LW}/settings"), &json!({"lcwCatchUpDays": 0}))
        .await
        .expect_error(400, "BadRequest");
    t.patch(&format!("{LW}/settings"), &json!({"lcwCatchUpDays": 14}))
        .await
        .expect(204);
    t.set_clock("2026-08-11T13:00:00Z").await;
    t.run_scheduler().await;
    assert_eq!(runs(&t, &wf).await.len(), 1);
    let k = t.get(&format!("/users/{kim}")).await;
    assert_eq!(k.body["accountEnabled"], json!(false));
}

#[tokio::test]
async fn catch_up_window_sqlite() {
    catch_up_window_can_be_widened(Backend::Sqlite).await;
}

#[tokio::test]
async fn catch_up_window_postgres() {
    catch_up_window_can_be_widened(Backend::Postgres).await;
}
