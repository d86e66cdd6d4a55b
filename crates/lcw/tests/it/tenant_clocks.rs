//! S6: each tenant has its own manual clock. Moving tenant A's clock leaves tenant B's time,
//! and what lcw records for B, unchanged; a tenant's clock is kept, so another node (or a
//! restart) on the same database reads the same time.

use serde_json::{json, Value};

use crate::harness::{
    dedicated_server, into_resp, start_server, Backend, ChildGuard, Resp, Tenant, LW,
};

const START: &str = "2026-01-01T09:00:00Z";
const ENABLE: &str = "6fc52c9d-398b-4305-9763-15f42c1676fc";

fn tenant(backend: Backend) -> Option<Tenant> {
    let args: &'static [&'static str] = &["--clock", "manual", "--clock-start", START];
    dedicated_server(backend, "tenant_clocks", args).map(Tenant::on)
}

/// Joiners of Sales, seven days before their hire date, evaluated by the scheduler.
fn scheduled_joiner() -> Value {
    json!({
        "category": "joiner",
        "displayName": "joiners of Sales",
        "isEnabled": true,
        "isSchedulingEnabled": true,
        "executionConditions": {
            "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
            "scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "department eq 'Sales'"},
            "trigger": {"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger", "timeBasedAttribute": "employeeHireDate", "offsetInDays": -7}
        },
        "tasks": [{"displayName": "Enable", "taskDefinitionId": ENABLE, "arguments": []}]
    })
}

async fn admin(
    t: &Tenant,
    base: &str,
    method: reqwest::Method,
    what: &str,
    body: Option<Value>,
) -> Resp {
    let mut req = t
        .client
        .request(method, format!("{base}/lcw/admin/{what}"))
        .bearer_auth(&t.token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    into_resp(req.send().await.expect("admin request")).await
}

fn root(t: &Tenant) -> String {
    t.server.base.trim_end_matches("/beta").to_string()
}

async fn clock_of(t: &Tenant, base: &str) -> String {
    let r = admin(t, base, reqwest::Method::GET, "clock", None).await;
    r.expect(200);
    r.body["now"].as_str().expect("now").to_string()
}

async fn each_tenant_has_its_own_clock(backend: Backend) {
    let (Some(a), Some(b)) = (tenant(backend), tenant(backend)) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    let base = root(&a);
    // B: a scheduled joiner workflow and a hire in 19 days, due in 12 days of B's time.
    let wf = b.create_workflow(&scheduled_joiner()).await;
    b.post(
        "/users",
        &json!({
            "displayName": "Later Hire",
            "userPrincipalName": "later.hire@contoso.test",
            "department": "Sales",
            "accountEnabled": false,
            "employeeHireDate": "2026-01-20T00:00:00Z",
        }),
    )
    .await
    .expect(201);
    b.run_scheduler().await;
    let before = b.get(&format!("{LW}/workflows/{wf}")).await;
    before.expect(200);
    assert_eq!(
        before.body["nextScheduleRunDateTime"],
        "2026-01-01T12:00:00Z"
    );

    // A moves its clock a month on and runs its scheduler.
    let moved = admin(
        &a,
        &base,
        reqwest::Method::POST,
        "clock",
        Some(json!({"advance": "P30D"})),
    )
    .await;
    moved.expect(200);
    assert_eq!(moved.body["now"], "2026-01-31T09:00:00Z");
    a.run_scheduler().await;
    assert_eq!(clock_of(&a, &base).await, "2026-01-31T09:00:00Z");

    // B's time, and B's records, are as they were.
    assert_eq!(clock_of(&b, &base).await, START);
    let after = b.get(&format!("{LW}/workflows/{wf}")).await;
    after.expect(200);
    assert_eq!(
        after.body["nextScheduleRunDateTime"],
        "2026-01-01T12:00:00Z"
    );
    let runs = b.get(&format!("{LW}/workflows/{wf}/runs")).await;
    runs.expect(200);
    assert_eq!(
        runs.body["value"],
        json!([]),
        "B was not evaluated at A's time"
    );
    let user = b
        .get("/users?$filter=userPrincipalName eq 'later.hire@contoso.test'&$select=accountEnabled")
        .await;
    user.expect(200);
    assert_eq!(user.body["value"][0]["accountEnabled"], false);
    // What each tenant creates now carries its own time.
    let mut again = scheduled_joiner();
    again["displayName"] = json!("second");
    let in_b = b.post(&format!("{LW}/workflows"), &again).await;
    in_b.expect(201);
    assert!(
        in_b.body["createdDateTime"]
            .as_str()
            .is_some_and(|t| t.starts_with("2026-01-01T09:00:00")),
        "{}",
        in_b.text
    );
    let in_a = a.post(&format!("{LW}/workflows"), &again).await;
    in_a.expect(201);
    assert!(
        in_a.body["createdDateTime"]
            .as_str()
            .is_some_and(|t| t.starts_with("2026-01-31T09:00:00")),
        "{}",
        in_a.text
    );

    // When B's own clock reaches the trigger, B's run happens (at B's time).
    admin(
        &b,
        &base,
        reqwest::Method::POST,
        "clock",
        Some(json!({"now": "2026-01-14T09:00:00Z"})),
    )
    .await
    .expect(200);
    b.run_scheduler().await;
    let runs = b.get(&format!("{LW}/workflows/{wf}/runs")).await;
    runs.expect(200);
    assert_eq!(
        runs.body["value"].as_array().map_or(0, Vec::len),
        1,
        "{}",
        runs.text
    );
    assert!(
        runs.body["value"][0]["startedDateTime"]
            .as_str()
            .is_some_and(|t| t.starts_with("2026-01-14T09:00:00")),
        "{}",
        runs.text
    );
    assert_eq!(clock_of(&a, &base).await, "2026-01-31T09:00:00Z");

    // Another node on the same database (as after a restart) reads each tenant's time.
    let (second, child) = start_server(
        &a.server.database,
        &["--clock", "manual", "--clock-start", START, "--no-engine"],
    )
    .expect("start a second node");
    let _second = ChildGuard(child);
    let second = second.trim_end_matches("/beta").to_string();
    assert_eq!(clock_of(&a, &second).await, "2026-01-31T09:00:00Z");
    assert_eq!(clock_of(&b, &second).await, "2026-01-14T09:00:00Z");
    // A move through the second node is what the first node then reads.
    admin(
        &a,
        &second,
        reqwest::Method::POST,
        "clock",
        Some(json!({"advance": "P1D"})),
    )
    .await
    .expect(200);
    assert_eq!(clock_of(&a, &base).await, "2026-02-01T09:00:00Z");

    // A reset empties the tenant, clock included; B keeps its time.
    admin(
        &a,
        &base,
        reqwest::Method::POST,
        &format!("tenants/{}/reset", a.id),
        None,
    )
    .await
    .expect(204);
    assert_eq!(clock_of(&a, &base).await, START);
    assert_eq!(clock_of(&a, &second).await, START);
    assert_eq!(clock_of(&b, &base).await, "2026-01-14T09:00:00Z");
}

#[tokio::test]
async fn each_tenant_has_its_own_clock_sqlite() {
    each_tenant_has_its_own_clock(Backend::Sqlite).await;
}

#[tokio::test]
async fn each_tenant_has_its_own_clock_postgres() {
    each_tenant_has_its_own_clock(Backend::Postgres).await;
}
