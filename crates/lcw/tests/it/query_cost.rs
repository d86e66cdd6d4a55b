//! What one `$filter` may cost: nested lambdas are refused before they run (in a list's
//! `$filter` and in a stored scope rule alike), and a `has` with a thousand members stays
//! within what the database accepts.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::both_backends;
use crate::harness::{joiner_workflow, Tenant, LW};

/// Far above what a refused or small query takes, far below what the unbounded one did.
const QUICK: Duration = Duration::from_secs(10);

/// `tasks/any(l1: tasks/any(l2: ... l{depth}/displayName eq 'none' ...))`, percent-encoded
/// spaces included.
fn nested_lambdas(collection: &str, depth: usize) -> String {
    let mut filter = String::new();
    for level in 1..=depth {
        filter.push_str(&format!("{collection}/any(l{level}:"));
    }
    filter.push_str(&format!("l{depth}/displayName eq 'none'"));
    filter.push_str(&")".repeat(depth));
    filter
}

fn url_encoded(filter: &str) -> String {
    filter.replace(' ', "%20").replace('\'', "%27")
}

/// A workflow with seven tasks, the array the nested lambdas walk.
fn workflow_with_seven_tasks(name: &str) -> Value {
    let mut body = joiner_workflow(name);
    body["tasks"] = Value::Array(
        (0..7)
            .map(|n| {
                json!({
                    "displayName": format!("Enable account {n}"),
                    "taskDefinitionId": "6fc52c9d-398b-4305-9763-15f42c1676fc",
                    "arguments": []
                })
            })
            .collect(),
    );
    body
}

async fn timed_get(t: &Tenant, path: &str) -> (crate::harness::Resp, Duration) {
    let started = Instant::now();
    let r = t.get(path).await;
    (r, started.elapsed())
}

both_backends!(nested_lambdas_in_a_list_filter_are_refused_quickly, |t| {
    t.create_workflow(&workflow_with_seven_tasks("qc-lambdas"))
        .await;

    // Three levels stay allowed (the shape lcw's own documents need is two).
    let allowed = url_encoded(&nested_lambdas("tasks", 3));
    let (r, took) = timed_get(&t, &format!("{LW}/workflows?$filter={allowed}")).await;
    r.expect(200);
    assert_eq!(r.body["value"], json!([]), "{}", r.text);
    assert!(took < QUICK, "three levels took {took:?}");

    for depth in [4, 9, 14] {
        let deep = url_encoded(&nested_lambdas("tasks", depth));
        let (r, took) = timed_get(&t, &format!("{LW}/workflows?$filter={deep}")).await;
        r.expect_error(400, "BadRequest");
        let message = r.body["error"]["message"].as_str().unwrap_or("");
        assert!(message.contains("nested too deeply"), "{depth}: {message}");
        assert!(took < QUICK, "{depth} levels took {took:?}");
    }

    // The server still answers others at once.
    let (r, took) = timed_get(&t, &format!("{LW}/workflows")).await;
    r.expect(200);
    assert!(took < QUICK, "a plain list took {took:?}");
});

both_backends!(
    a_scope_rule_with_nested_lambdas_is_refused_at_write_time,
    |t| {
        let mut body = joiner_workflow("qc-rule");
        let rule = format!(
            "department eq 'Sales' and {}",
            nested_lambdas("memberOf", 4)
        );
        body["executionConditions"]["scope"]["rule"] = Value::String(rule);
        let started = Instant::now();
        let r = t.post(&format!("{LW}/workflows"), &body).await;
        r.expect(400);
        let message = r.body["error"]["message"].as_str().unwrap_or("");
        assert!(message.contains("nested too deeply"), "{message}");
        assert!(started.elapsed() < QUICK);

        // Nothing was stored.
        let r = t
            .get(&format!(
                "{LW}/workflows?$filter=displayName%20eq%20'qc-rule'"
            ))
            .await;
        r.expect(200);
        assert_eq!(r.body["value"], json!([]), "{}", r.text);
    }
);

both_backends!(a_has_with_a_thousand_members_is_answered, |t| {
    for members in [997, 1500] {
        let list = (0..members)
            .map(|n| format!("m{n}"))
            .collect::<Vec<_>>()
            .join(",");
        let (r, took) =
            timed_get(&t, &format!("/users?$filter=displayName%20has%20'{list}'")).await;
        r.expect(200);
        assert_eq!(r.body["value"], json!([]), "{}", r.text);
        assert!(took < QUICK, "{members} members took {took:?}");
    }
});
