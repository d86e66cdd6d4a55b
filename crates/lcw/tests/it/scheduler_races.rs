//! The scheduler against concurrent clients and a manual clock: a pass never writes back a
//! stale workflow (R1); the manual clock stays within representable time, `scheduler/run`
//! evaluates every scheduled workflow now, and a clock set back reschedules (S5).
//!
//! Every test runs on a manual-clock server of this module's own (so long passes and odd
//! clock times disturb no other module) and holds [`clock_lock`].

use std::io::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::{clock_lock, dedicated_server, lcw_bin, Backend, Resp, Tenant, LW};

const START: &str = "2026-01-01T09:00:00Z";
const ENABLE: &str = "6fc52c9d-398b-4305-9763-15f42c1676fc";

fn tenant(backend: Backend) -> Option<Tenant> {
    let args: &'static [&'static str] = &["--clock", "manual", "--clock-start", START];
    dedicated_server(backend, "scheduler_races", args).map(Tenant::on)
}

fn scheduled_workflow(name: &str) -> Value {
    json!({
        "category": "joiner",
        "displayName": name,
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

async fn admin(t: &Tenant, what: &str, body: &Value) -> Resp {
    let base = t.server.base.trim_end_matches("/beta");
    let r = t
        .client
        .post(format!("{base}/lcw/admin/{what}"))
        .bearer_auth(&t.token)
        .json(body)
        .send()
        .await
        .expect("admin request");
    crate::harness::into_resp(r).await
}

async fn clock_now(t: &Tenant) -> String {
    let base = t.server.base.trim_end_matches("/beta");
    let r = t
        .client
        .get(format!("{base}/lcw/admin/clock"))
        .bearer_auth(&t.token)
        .send()
        .await
        .expect("clock request");
    let r = crate::harness::into_resp(r).await;
    r.expect(200);
    r.body["now"].as_str().expect("now").to_string()
}

fn assert_rfc3339(s: &str, what: &str) {
    assert!(
        chrono::DateTime::parse_from_rfc3339(s).is_ok(),
        "{what} is not an RFC 3339 date-time: {s}"
    );
}

/// `lcw import` `n` users (Sales, hired far in the future, so nobody is triggered: the pass
/// scans them all and queues nobody).
fn import_users(t: &Tenant, n: usize) {
    let dir = std::env::temp_dir().join(format!("lcw-races-{}", t.id));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("users.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("csv"));
    writeln!(
        f,
        "displayName,userPrincipalName,department,employeeHireDate"
    )
    .expect("csv");
    for i in 0..n {
        writeln!(
            f,
            "Later Hire {i:05},later.hire.{i:05}@contoso.test,Sales,2030-06-01T00:00:00Z"
        )
        .expect("csv");
    }
    f.flush().expect("flush csv");
    drop(f);
    let out = Command::new(lcw_bin())
        .args([
            "import",
            "--database",
            &t.server.database,
            "--tenant",
            &t.id,
        ])
        .arg(&path)
        .output()
        .expect("run lcw import");
    assert!(
        out.status.success(),
        "lcw import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// R1: a pass never writes back a stale workflow
// ---------------------------------------------------------------------------------------------

const WORKFLOWS: usize = 24;
const ROUNDS: usize = 3;

async fn edits_during_a_pass_stay(backend: Backend) {
    let _clock = clock_lock().await;
    let Some(t) = tenant(backend) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    admin(&t, "clock", &json!({ "now": START }))
        .await
        .expect(200);
    import_users(&t, 3000);
    let mut ids = Vec::new();
    for i in 0..WORKFLOWS {
        ids.push(
            t.create_workflow(&scheduled_workflow(&format!("race {i:02}")))
                .await,
        );
    }
    // A warm-up pass tells how long a pass over this tenant takes.
    let warm = t.run_scheduler().await;
    let pass_ms = warm["passMilliseconds"].as_u64().unwrap_or(0);
    println!("warm-up pass: {warm}");
    // Workflows are evaluated in creation order: the last ones are written back last.
    let mut targets = ids.iter().rev();
    for round in 0..ROUNDS {
        let (Some(edited), Some(disabled), Some(deleted)) =
            (targets.next(), targets.next(), targets.next())
        else {
            break;
        };
        admin(&t, "clock", &json!({"advance": "PT4H"}))
            .await
            .expect(200);
        let empty = json!({});
        let pass = admin(&t, "scheduler/run", &empty);
        let edits = async {
            tokio::time::sleep(Duration::from_millis(pass_ms / 4 + 10)).await;
            let name = format!("edited in round {round}");
            t.patch(
                &format!("{LW}/workflows/{edited}"),
                &json!({ "displayName": name }),
            )
            .await
            .expect(204);
            t.patch(
                &format!("{LW}/workflows/{disabled}"),
                &json!({ "isEnabled": false, "isSchedulingEnabled": false }),
            )
            .await
            .expect(204);
            t.delete(&format!("{LW}/workflows/{deleted}"))
                .await
                .expect(204);
            name
        };
        let (report, name) = tokio::join!(pass, edits);
        report.expect(200);

        let e = t.get(&format!("{LW}/workflows/{edited}")).await;
        e.expect(200);
        assert_eq!(
            e.body["displayName"],
            name.as_str(),
            "round {round}: {}",
            e.text
        );
        let d = t.get(&format!("{LW}/workflows/{disabled}")).await;
        d.expect(200);
        assert_eq!(d.body["isEnabled"], false, "round {round}: {}", d.text);
        assert_eq!(
            d.body["isSchedulingEnabled"], false,
            "round {round}: {}",
            d.text
        );
        t.get(&format!("{LW}/workflows/{deleted}"))
            .await
            .expect_error(404, "ResourceNotFound");
        t.get(&format!("{LW}/deletedItems/workflows/{deleted}"))
            .await
            .expect(200);
    }
}

#[tokio::test]
async fn edits_during_a_pass_stay_sqlite() {
    edits_during_a_pass_stay(Backend::Sqlite).await;
}

#[tokio::test]
async fn edits_during_a_pass_stay_postgres() {
    edits_during_a_pass_stay(Backend::Postgres).await;
}

// ---------------------------------------------------------------------------------------------
// S5: the manual clock stays in range; scheduler/run evaluates every workflow now
// ---------------------------------------------------------------------------------------------

async fn clock_out_of_range_is_refused(backend: Backend) {
    let _clock = clock_lock().await;
    let Some(t) = tenant(backend) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    admin(&t, "clock", &json!({ "now": START }))
        .await
        .expect(200);
    let refused = [
        json!({"now": "1969-12-31T23:59:59Z"}),
        json!({"now": "0000-01-01T00:00:00Z"}),
        json!({"now": "9999-12-31T23:59:59-01:00"}),
        json!({"advance": "-P20500D"}),
        json!({"advance": "P3000000D"}),
    ];
    for body in &refused {
        admin(&t, "clock", body)
            .await
            .expect_error(400, "BadRequest");
        assert_eq!(clock_now(&t).await, START, "after {body}");
    }
    // Near the end of time, repeated advances are refused before they overflow.
    admin(&t, "clock", &json!({"now": "9999-12-31T20:00:00Z"}))
        .await
        .expect(200);
    for _ in 0..3 {
        admin(&t, "clock", &json!({"advance": "P10000000D"}))
            .await
            .expect_error(400, "BadRequest");
    }
    admin(&t, "clock", &json!({"advance": "PT1H"}))
        .await
        .expect(200);
    assert_eq!(clock_now(&t).await, "9999-12-31T21:00:00Z");
    admin(&t, "clock", &json!({"advance": "PT3H"}))
        .await
        .expect_error(400, "BadRequest");

    // A pass at the end of time schedules the next run within RFC 3339.
    let wf = t.create_workflow(&scheduled_workflow("end of time")).await;
    t.run_scheduler().await;
    let w = t.get(&format!("{LW}/workflows/{wf}")).await;
    w.expect(200);
    let next = w.body["nextScheduleRunDateTime"].as_str().unwrap_or("");
    assert_rfc3339(next, "nextScheduleRunDateTime");
    assert_rfc3339(&clock_now(&t).await, "the clock");
    admin(&t, "clock", &json!({ "now": START }))
        .await
        .expect(200);
}

#[tokio::test]
async fn clock_out_of_range_is_refused_sqlite() {
    clock_out_of_range_is_refused(Backend::Sqlite).await;
}

async fn user(t: &Tenant, name: &str, hire: &str) -> String {
    let r = t
        .post(
            "/users",
            &json!({
                "displayName": name,
                "userPrincipalName": format!("{}@contoso.test", name.to_lowercase().replace(' ', ".")),
                "department": "Sales",
                "accountEnabled": false,
                "employeeHireDate": hire,
            }),
        )
        .await;
    r.expect(201);
    r.body["id"].as_str().expect("user id").to_string()
}

async fn runs(t: &Tenant, wf: &str) -> usize {
    let r = t.get(&format!("{LW}/workflows/{wf}/runs")).await;
    r.expect(200);
    r.body["value"].as_array().map_or(0, Vec::len)
}

async fn scheduler_run_evaluates_every_workflow_now(backend: Backend) {
    let _clock = clock_lock().await;
    let Some(t) = tenant(backend) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    admin(&t, "clock", &json!({ "now": START }))
        .await
        .expect(200);
    let wf = t
        .create_workflow(&scheduled_workflow("evaluated now"))
        .await;
    t.run_scheduler().await;
    assert_eq!(runs(&t, &wf).await, 0);
    // A user hired in 6 days is due now (7 days before the hire date); a second run at the
    // same clock time evaluates the workflow again and processes them.
    user(&t, "Due Now", "2026-01-07T00:00:00Z").await;
    let report = t.run_scheduler().await;
    assert!(
        report["workflowsEvaluated"].as_u64().unwrap_or(0) >= 1,
        "{report}"
    );
    assert_eq!(runs(&t, &wf).await, 1, "second run: {report}");
}

#[tokio::test]
async fn scheduler_run_evaluates_every_workflow_now_sqlite() {
    scheduler_run_evaluates_every_workflow_now(Backend::Sqlite).await;
}

#[tokio::test]
async fn scheduler_run_evaluates_every_workflow_now_postgres() {
    scheduler_run_evaluates_every_workflow_now(Backend::Postgres).await;
}

async fn next_run(t: &Tenant, wf: &str) -> Value {
    let w = t.get(&format!("{LW}/workflows/{wf}")).await;
    w.expect(200);
    w.body["nextScheduleRunDateTime"].clone()
}

/// After the clock is set back, the background scheduler (every 30 s wall time) recomputes a
/// next run that lies further ahead than any interval instead of waiting for it.
async fn clock_set_back_reschedules(backend: Backend) {
    let _clock = clock_lock().await;
    let Some(t) = tenant(backend) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    admin(&t, "clock", &json!({"now": "2026-06-01T09:00:00Z"}))
        .await
        .expect(200);
    let wf = t.create_workflow(&scheduled_workflow("set back")).await;
    t.run_scheduler().await;
    assert_eq!(next_run(&t, &wf).await, "2026-06-01T12:00:00Z");
    admin(&t, "clock", &json!({ "now": START }))
        .await
        .expect(200);
    let started = Instant::now();
    let mut seen = next_run(&t, &wf).await;
    while seen != "2026-01-01T12:00:00Z" && started.elapsed() < Duration::from_secs(75) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        seen = next_run(&t, &wf).await;
    }
    assert_eq!(seen, "2026-01-01T12:00:00Z", "after the clock was set back");
}

#[tokio::test]
async fn clock_set_back_reschedules_sqlite() {
    clock_set_back_reschedules(Backend::Sqlite).await;
}

#[tokio::test]
async fn clock_set_back_reschedules_postgres() {
    clock_set_back_reschedules(Backend::Postgres).await;
}
