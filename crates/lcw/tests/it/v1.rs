//! `/v1.0` beside `/beta`: one tenant's data through both versions, links under the version
//! asked, and what only beta knows left out of v1.0 answers and refused in v1.0 requests.

use serde_json::{json, Value};

use crate::both_backends;
use crate::harness::{joiner_workflow, Resp, Tenant, LW};

const EVOLVABLE: (&str, &str) = ("Prefer", "include-unknown-enum-members");
/// "Generate TAP and send email": fails for a user without a manager.
const GENERATE_TAP: &str = "1b555e50-7f65-41d5-b514-5894a026d10d";
const SELECTED_OBJECTS: &str = "#microsoft.graph.identityGovernance.selectedObjectsSubjectSet";

/// The absolute URL of `path` under `/v1.0`.
fn v1(t: &Tenant, path: &str) -> String {
    format!("{}{path}", t.server.base.replace("/beta", "/v1.0"))
}

fn v1_root(t: &Tenant) -> String {
    t.server.base.replace("/beta", "/v1.0")
}

fn values(r: &Resp) -> Vec<Value> {
    r.body["value"].as_array().cloned().unwrap_or_default()
}

fn context(r: &Resp) -> &str {
    r.body["@odata.context"].as_str().unwrap_or("")
}

/// A workflow body using what only beta knows: an `agentIdentity` subject type and a
/// `selectedObjectsSubjectSet` scope.
fn beta_only_workflow(name: &str) -> Value {
    let mut body = joiner_workflow(name);
    body["targetSubjectType"] = json!("user,agentIdentity");
    body["executionConditions"]["scope"] = json!({
        "@odata.type": SELECTED_OBJECTS,
        "inScopeObjects": [{"id": "7c9e6679-7425-40de-944b-e07fc1f90ae7"}]
    });
    body
}

both_backends!(v1_workflows_are_the_beta_workflows, |t| {
    // Created through beta, read and changed through v1.0.
    let from_beta = t.create_workflow(&joiner_workflow("Made on beta")).await;
    let got = t.get(&v1(&t, &format!("{LW}/workflows/{from_beta}"))).await;
    got.expect(200);
    assert_eq!(got.body["displayName"], "Made on beta");
    assert_eq!(
        context(&got),
        format!(
            "{}/$metadata#identityGovernance/lifecycleWorkflows/workflows/$entity",
            v1_root(&t)
        )
    );
    t.patch(
        &v1(&t, &format!("{LW}/workflows/{from_beta}")),
        &json!({"description": "changed through v1.0"}),
    )
    .await
    .expect(204);
    let seen = t.get(&format!("{LW}/workflows/{from_beta}")).await;
    assert_eq!(seen.body["description"], "changed through v1.0");
    assert!(context(&seen).contains("/beta/$metadata#"), "{}", seen.text);

    // Created through v1.0, read through beta.
    let created = t
        .post(
            &v1(&t, &format!("{LW}/workflows")),
            &joiner_workflow("Made on v1.0"),
        )
        .await;
    created.expect(201);
    assert!(
        context(&created).starts_with(&format!("{}/$metadata#", v1_root(&t))),
        "{}",
        created.text
    );
    let from_v1 = created.body["id"].as_str().unwrap().to_string();
    let on_beta = t.get(&format!("{LW}/workflows/{from_v1}")).await;
    on_beta.expect(200);
    assert_eq!(on_beta.body["displayName"], "Made on v1.0");

    // Tasks and versions, through v1.0.
    let tasks = t
        .get(&v1(&t, &format!("{LW}/workflows/{from_v1}/tasks")))
        .await;
    tasks.expect(200);
    assert_eq!(values(&tasks).len(), 2);
    let versions = t
        .get(&v1(&t, &format!("{LW}/workflows/{from_v1}/versions/1")))
        .await;
    versions.expect(200);
    assert_eq!(versions.body["versionNumber"], 1);

    // Paging links stay under /v1.0.
    let page = t.get(&v1(&t, &format!("{LW}/workflows?$top=1"))).await;
    page.expect(200);
    assert_eq!(values(&page).len(), 1);
    let next = page.body["@odata.nextLink"].as_str().unwrap().to_string();
    assert!(
        next.starts_with(&format!("{}{LW}/workflows?", v1_root(&t))),
        "{next}"
    );
    let second = t.get(&next).await;
    second.expect(200);
    assert_eq!(values(&second).len(), 1);
    assert_ne!(values(&second)[0]["id"], values(&page)[0]["id"]);
});

both_backends!(v1_answers_leave_out_what_only_beta_knows, |t| {
    let wf = t.create_workflow(&beta_only_workflow("Agents too")).await;
    let path = format!("{LW}/workflows/{wf}");

    // Beta shows what it knows, with or without the evolvable-enum preference.
    let beta = t.get_with(&path, &[EVOLVABLE]).await;
    beta.expect(200);
    assert_eq!(beta.body["targetSubjectType"], "user,agentIdentity");
    let scope = &beta.body["executionConditions"]["scope"];
    assert_eq!(scope["@odata.type"], SELECTED_OBJECTS);
    assert_eq!(
        scope["inScopeObjects"][0]["id"],
        "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    );

    // v1.0 has no agentIdentity member: it reads unknownFutureValue even when the caller
    // asks for evolvable members. The scope's type reads as its v1.0 base, without the
    // property v1.0 does not know.
    for headers in [vec![], vec![EVOLVABLE]] {
        let r = t.get_with(&v1(&t, &path), &headers).await;
        r.expect(200);
        assert_eq!(
            r.body["targetSubjectType"], "user,unknownFutureValue",
            "{headers:?}"
        );
        let scope = &r.body["executionConditions"]["scope"];
        assert_eq!(
            scope["@odata.type"], "#microsoft.graph.subjectSet",
            "{}",
            r.text
        );
        assert!(scope.get("inScopeObjects").is_none(), "{}", r.text);
        // What both versions know is unchanged.
        assert_eq!(
            r.body["executionConditions"]["trigger"]["timeBasedAttribute"],
            "employeeHireDate"
        );
    }
    let listed = t.get(&v1(&t, &format!("{LW}/workflows"))).await;
    let mine = values(&listed)
        .into_iter()
        .find(|w| w["id"] == wf.as_str())
        .unwrap();
    assert_eq!(mine["targetSubjectType"], "user,unknownFutureValue");
    // $select shows the property as v1.0 knows it too.
    let selected = t
        .get(&v1(&t, &format!("{path}?$select=targetSubjectType")))
        .await;
    assert_eq!(
        selected.body["targetSubjectType"],
        "user,unknownFutureValue"
    );
});

both_backends!(v1_requests_naming_what_only_beta_knows_are_refused, |t| {
    let workflows = format!("{LW}/workflows");
    // A beta-only enum member.
    let mut body = joiner_workflow("Agents");
    body["targetSubjectType"] = json!("agentIdentity");
    let r = t.post(&v1(&t, &workflows), &body).await;
    r.expect_error(400, "BadRequest");
    assert_eq!(r.body["error"]["target"], "targetSubjectType", "{}", r.text);
    assert!(
        r.text.contains("'agentIdentity' is not a member"),
        "{}",
        r.text
    );
    // A beta-only type.
    let mut body = joiner_workflow("Picked");
    body["executionConditions"]["scope"] =
        json!({"@odata.type": SELECTED_OBJECTS, "inScopeObjects": []});
    let r = t.post(&v1(&t, &workflows), &body).await;
    r.expect_error(400, "BadRequest");
    assert!(r.text.contains("is not a known type"), "{}", r.text);
    // Neither was created; beta takes both.
    let listed = t.get(&v1(&t, &workflows)).await;
    assert!(values(&listed).is_empty(), "{}", listed.text);
    t.post(&workflows, &beta_only_workflow("On beta"))
        .await
        .expect(201);
});

both_backends!(v1_paths_and_versions, |t| {
    // An unknown segment is Graph's 400 on v1.0 as on beta.
    let r = t.get(&v1(&t, &format!("{LW}/lifecyclePolicies"))).await;
    r.expect_error(400, "BadRequest");
    assert!(
        r.text
            .contains("Resource not found for the segment 'lifecyclePolicies'"),
        "{}",
        r.text
    );
    // Another version root is refused.
    let other = t.get(&t.server.base.replace("/beta", "/v2.0/users")).await;
    other.expect_error(400, "BadRequest");
    assert!(other.text.contains("Invalid version"), "{}", other.text);
    // The containers.
    let root = t.get(&v1(&t, LW)).await;
    root.expect(200);
    assert_eq!(
        context(&root),
        format!(
            "{}/$metadata#identityGovernance/lifecycleWorkflows/$entity",
            v1_root(&t)
        )
    );
    t.get(&v1(&t, &format!("{LW}/deletedItems")))
        .await
        .expect(200);
    t.patch(&v1(&t, &format!("{LW}/insights")), &json!({}))
        .await
        .expect(204);
    t.patch(&v1(&t, LW), &json!({"workflows": []}))
        .await
        .expect_error(400, "BadRequest");
    t.delete(&v1(&t, LW)).await.expect_error(400, "BadRequest");
    // Directory paths are served on v1.0 too.
    let users = t.get(&v1(&t, "/users")).await;
    users.expect(200);
    assert_eq!(context(&users), format!("{}/$metadata#users", v1_root(&t)));
});

async fn wait_runs(t: &Tenant, wf: &str, n: usize) -> Vec<Value> {
    let path = v1(
        t,
        &format!("{LW}/workflows/{wf}/runs?$orderby=scheduledDateTime"),
    );
    let mut last = Vec::new();
    for _ in 0..100 {
        let r = t.get_with(&path, &[EVOLVABLE]).await;
        r.expect(200);
        last = values(&r);
        let done = last.iter().all(|v| {
            matches!(
                v["processingStatus"].as_str().unwrap_or(""),
                "completed" | "completedWithErrors" | "failed" | "canceled"
            )
        });
        if last.len() == n && done {
            return last;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("runs did not complete in time: {last:?}");
}

both_backends!(v1_runs_reprocessing_and_the_deleted_items_ref, |t| {
    let user = t
        .post(
            &v1(&t, "/users"),
            &json!({"displayName": "Vi One", "userPrincipalName": "vi.one@contoso.test",
                    "department": "Sales", "accountEnabled": false}),
        )
        .await;
    user.expect(201);
    let a = user.body["id"].as_str().unwrap().to_string();
    let mut body = joiner_workflow("Onboard on v1.0");
    body["tasks"][1]["taskDefinitionId"] = json!(GENERATE_TAP);
    let created = t.post(&v1(&t, &format!("{LW}/workflows")), &body).await;
    created.expect(201);
    let wf = created.body["id"].as_str().unwrap().to_string();
    let base = format!("{LW}/workflows/{wf}");

    t.post(
        &v1(
            &t,
            &format!("{base}/microsoft.graph.identityGovernance.activate"),
        ),
        &json!({"subjects": [{"id": a, "@odata.type": "#microsoft.graph.user"}]}),
    )
    .await
    .expect(204);
    let runs = wait_runs(&t, &wf, 1).await;
    let orig = runs[0]["id"].as_str().unwrap().to_string();
    assert_eq!(runs[0]["failedUsersCount"], 1);
    let uprs = t
        .get(&v1(
            &t,
            &format!("{base}/runs/{orig}/userProcessingResults"),
        ))
        .await;
    uprs.expect(200);
    assert!(context(&uprs).starts_with(&v1_root(&t)), "{}", uprs.text);
    let upr = values(&uprs)[0]["id"].as_str().unwrap().to_string();
    let summary = t
        .get(&v1(
            &t,
            &format!("{base}/taskReports/summary(startDateTime=2000-01-01T00:00:00Z,endDateTime=2100-01-01T00:00:00Z)"),
        ))
        .await;
    summary.expect(200);
    assert_eq!(summary.body["failedTasks"], 1, "{}", summary.text);
    assert!(
        context(&summary).starts_with(&v1_root(&t)),
        "{}",
        summary.text
    );

    t.post(
        &v1(
            &t,
            &format!("{base}/microsoft.graph.identityGovernance.activateWithScope"),
        ),
        &json!({"scope": {
            "@odata.type": "#microsoft.graph.identityGovernance.activateRunScope",
            "run": {"id": orig}, "taskScope": "failedTasks", "userScope": "failedUsers"
        }}),
    )
    .await
    .expect(204);
    let runs = wait_runs(&t, &wf, 2).await;
    let new = runs.iter().find(|r| r["id"] != orig.as_str()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // The seed route's v1.0 twin: remove the link under deletedItems.
    t.delete(&v1(&t, &base)).await.expect(204);
    let del = format!("{LW}/deletedItems/workflows/{wf}");
    let linked = t
        .get(&v1(
            &t,
            &format!("{del}/executionScope/{upr}/reprocessedRuns"),
        ))
        .await;
    linked.expect(200);
    assert_eq!(values(&linked)[0]["id"], new.as_str());
    let link = v1(
        &t,
        &format!("{del}/executionScope/{upr}/reprocessedRuns/{new}/$ref"),
    );
    t.delete(&link).await.expect(204);
    let after = t
        .get(&v1(
            &t,
            &format!("{del}/executionScope/{upr}/reprocessedRuns"),
        ))
        .await;
    assert!(values(&after).is_empty(), "{}", after.text);
    t.delete(&link).await.expect_error(404, "ResourceNotFound");
    // The run itself stays, on both versions.
    t.get(&v1(&t, &format!("{del}/runs/{new}")))
        .await
        .expect(200);
    t.get(&format!("{del}/runs/{new}")).await.expect(200);
});
