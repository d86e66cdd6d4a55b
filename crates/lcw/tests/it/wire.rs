//! The wire differences a Graph client can see (`wire-differences.md` A1–A10), each as
//! Graph answers it, on `/beta` and `/v1.0`: administration scope targets, `previewScope`
//! expanded, task report summaries counting task processing results,
//! `nextScheduleRunDateTime`, `@odata.count` where Graph always gives it, activateWithScope's
//! documented `subjects`, activateAndWait with a provisioning subject; and the cosmetic ones:
//! `Location` on 201, seven fraction digits, typed extension references, action contexts.

use serde_json::{json, Value};

use crate::both_backends;
use crate::harness::{joiner_workflow, Resp, Tenant, LW};

const EVOLVABLE: (&str, &str) = ("Prefer", "include-unknown-enum-members");
const ENABLE_ACCOUNT: &str = "6fc52c9d-398b-4305-9763-15f42c1676fc";
const WELCOME_MAIL: &str = "70b29d51-b59a-4773-9280-8841dfd3f2ea";
const AU: &str = "#microsoft.graph.administrativeUnit";
const AU_1: &str = "2ae6f1b1-fcbf-4ad1-9f4f-8c5e48e364c7";
const AU_2: &str = "4f0a0b4c-2f61-4bd0-a9a6-4b4e8bb1c0d2";

/// Both version roots of the tenant's server.
fn roots(t: &Tenant) -> [String; 2] {
    [
        t.server.base.clone(),
        t.server.base.replace("/beta", "/v1.0"),
    ]
}

fn values(r: &Resp) -> Vec<Value> {
    r.body["value"].as_array().cloned().unwrap_or_default()
}

fn ids(r: &Resp) -> Vec<String> {
    values(r)
        .iter()
        .map(|v| v["id"].as_str().unwrap_or("").to_string())
        .collect()
}

fn context(r: &Resp) -> &str {
    r.body["@odata.context"].as_str().unwrap_or("")
}

async fn user(t: &Tenant, name: &str, mail: bool) -> String {
    let upn = format!("{}@contoso.test", name.to_lowercase().replace(' ', "."));
    let mut body = json!({
        "displayName": name,
        "userPrincipalName": upn,
        "department": "Sales",
        "accountEnabled": false,
    });
    if mail {
        body["mail"] = json!(upn);
    }
    let r = t.post("/users", &body).await;
    r.expect(201);
    r.body["id"].as_str().unwrap().to_string()
}

fn is_final(status: &str) -> bool {
    matches!(
        status,
        "completed" | "completedWithErrors" | "failed" | "canceled"
    )
}

/// The workflow's runs once `n` exist and all are finished.
async fn wait_runs(t: &Tenant, wf: &str, n: usize) -> Vec<Value> {
    let path = format!("{LW}/workflows/{wf}/runs?$orderby=scheduledDateTime");
    let mut last = Vec::new();
    for _ in 0..200 {
        let r = t.get_with(&path, &[EVOLVABLE]).await;
        r.expect(200);
        last = values(&r);
        if last.len() == n
            && last
                .iter()
                .all(|v| is_final(v["processingStatus"].as_str().unwrap_or("")))
        {
            return last;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("runs did not complete in time: {last:?}");
}

/// `(startDateTime=...,endDateTime=...)` around now, URL-encoded.
fn window() -> String {
    let now = chrono::Utc::now();
    let f = |d: chrono::DateTime<chrono::Utc>| d.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    format!(
        "(startDateTime={},endDateTime={})",
        f(now - chrono::Duration::days(1)),
        f(now + chrono::Duration::days(1))
    )
    .replace(':', "%3A")
}

/// A date-time as Graph writes it: UTC, and seven fraction digits unless on a whole second.
#[track_caller]
fn assert_graph_datetime(v: &Value, what: &str) {
    let s = v.as_str().unwrap_or_else(|| panic!("{what}: {v}"));
    let b = s.as_bytes();
    let whole = s.len() == 20 && b[19] == b'Z';
    let ticks =
        s.len() == 28 && b[19] == b'.' && b[20..27].iter().all(u8::is_ascii_digit) && b[27] == b'Z';
    assert!(whole || ticks, "{what} is not as Graph writes it: {s}");
    assert!(
        chrono::DateTime::parse_from_rfc3339(s).is_ok(),
        "{what}: {s}"
    );
}

// ---- A1: administrationScopeTargets ----

both_backends!(wire_administration_scope_targets_are_kept, |t| {
    let mut body = joiner_workflow("Scoped to two units");
    body["administrationScopeTargets"] = json!([
        {"@odata.type": AU, "id": AU_1},
        {"@odata.type": AU, "id": AU_2.to_uppercase()},
    ]);
    let created = t.post(&format!("{LW}/workflows"), &body).await;
    created.expect(201);
    let want = json!([{"@odata.type": AU, "id": AU_1}, {"@odata.type": AU, "id": AU_2}]);
    assert_eq!(
        created.body["administrationScopeTargets"], want,
        "{}",
        created.text
    );
    let wf = created.body["id"].as_str().unwrap().to_string();

    for root in roots(&t) {
        let base = format!("{root}{LW}/workflows/{wf}");
        let listed = t.get(&format!("{base}/administrationScopeTargets")).await;
        listed.expect(200);
        assert_eq!(listed.body["value"], want, "{root}");
        assert_eq!(
            t.get(&format!("{base}/administrationScopeTargets/$count"))
                .await
                .text,
            "2"
        );
        let one = t
            .get(&format!("{base}/administrationScopeTargets/{AU_2}"))
            .await;
        one.expect(200);
        assert_eq!(one.body["@odata.type"], AU);
        t.get(&format!(
            "{base}/administrationScopeTargets/{}",
            uuid::Uuid::new_v4()
        ))
        .await
        .expect_error(404, "ResourceNotFound");
        // A navigation: shown expanded, not in the plain GET.
        let plain = t.get(&base).await;
        plain.expect(200);
        assert!(plain.body.get("administrationScopeTargets").is_none());
        let expanded = t
            .get(&format!("{base}?$expand=administrationScopeTargets"))
            .await;
        expanded.expect(200);
        assert_eq!(expanded.body["administrationScopeTargets"], want);
    }

    // createNewVersion takes a new set, echoed in its answer; each version keeps its own.
    let mut next = joiner_workflow("Scoped to one unit");
    next["administrationScopeTargets"] = json!([{"@odata.type": AU, "id": AU_1}]);
    let versioned = t
        .post(
            &format!("{LW}/workflows/{wf}/microsoft.graph.identityGovernance.createNewVersion"),
            &json!({ "workflow": next }),
        )
        .await;
    versioned.expect(200);
    assert_eq!(
        versioned.body["administrationScopeTargets"],
        json!([{"@odata.type": AU, "id": AU_1}])
    );
    for (n, count) in [(1, 2), (2, 1)] {
        let r = t
            .get(&format!(
                "{LW}/workflows/{wf}/versions/{n}/administrationScopeTargets"
            ))
            .await;
        r.expect(200);
        assert_eq!(values(&r).len(), count, "version {n}: {}", r.text);
    }

    // Only administrative units scope a workflow; ids are GUIDs.
    for bad in [
        json!([{"@odata.type": "#microsoft.graph.group", "id": AU_1}]),
        json!([{"@odata.type": AU, "id": "not-a-guid"}]),
        json!({"id": AU_1}),
    ] {
        let mut body = joiner_workflow("Badly scoped");
        body["administrationScopeTargets"] = bad;
        let r = t.post(&format!("{LW}/workflows"), &body).await;
        r.expect_error(400, "BadRequest");
        assert!(r.text.contains("administrationScopeTargets"), "{}", r.text);
    }
});

// ---- A2: $expand=previewScope ----

both_backends!(wire_preview_scope_expands_on_a_workflow, |t| {
    // In scope (Sales) and triggered: hired a week from now, the joiner runs 7 days before.
    let sales = user(&t, "Pia Preview", true).await;
    let hire = (chrono::Utc::now() + chrono::Duration::days(7)).format("%Y-%m-%dT%H:%M:%SZ");
    t.patch(
        &format!("/users/{sales}"),
        &json!({ "employeeHireDate": hire.to_string() }),
    )
    .await
    .expect(204);
    let wf = t.create_workflow(&joiner_workflow("Previewed")).await;
    for root in roots(&t) {
        let r = t
            .get(&format!("{root}{LW}/workflows/{wf}?$expand=previewScope"))
            .await;
        r.expect(200);
        let scope = r.body["previewScope"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(scope.len(), 1, "{}", r.text);
        assert_eq!(scope[0]["id"], sales.as_str());
        assert_eq!(scope[0]["@odata.type"], "#microsoft.graph.user");
        // Tasks stay inline beside it.
        assert_eq!(r.body["tasks"].as_array().map(Vec::len), Some(2));
    }
    // Lists do not expand it (each workflow would evaluate its scope).
    t.get(&format!("{LW}/workflows?$expand=previewScope"))
        .await
        .expect_error(400, "BadRequest");
});

// ---- A3, A7, A9 and the executionScope reprocessedRuns paths ----

/// A welcome mail (which fails for a user without mail, and then the next task is not
/// processed) and an enable-account task.
fn mail_first(name: &str) -> Value {
    let mut body = joiner_workflow(name);
    body["tasks"] = json!([
        {"displayName": "Welcome mail", "taskDefinitionId": WELCOME_MAIL, "continueOnError": false, "arguments": []},
        {"displayName": "Enable account", "taskDefinitionId": ENABLE_ACCOUNT, "arguments": []}
    ]);
    body
}

both_backends!(wire_activate_with_scope_subjects_and_task_summaries, |t| {
    let with_mail = user(&t, "Mo Mail", true).await;
    let without_mail = user(&t, "Nell Nomail", false).await;
    let wf = t.create_workflow(&mail_first("Summarised")).await;
    let base = format!("{LW}/workflows/{wf}");
    let action =
        |root: &str| format!("{root}{base}/microsoft.graph.identityGovernance.activateWithScope");
    let [beta, v1] = roots(&t);

    // A9: the documented `subjects` body, under the lower-case segment of the docs, runs
    // the workflow for exactly those users as activatedWithScope.
    let r = t
        .post(
            &format!("{v1}{base}/activatewithscope"),
            &json!({"subjects": [{"id": with_mail}, {"id": without_mail}]}),
        )
        .await;
    r.expect(204);
    let runs = wait_runs(&t, &wf, 1).await;
    let first = runs[0]["id"].as_str().unwrap().to_string();
    assert_eq!(runs[0]["workflowExecutionType"], "activatedWithScope");
    assert_eq!(runs[0]["totalUsersCount"], 2);

    // Unknown users: 406.
    let unknown = json!({"subjects": [{"id": uuid::Uuid::new_v4().to_string()}, {"id": uuid::Uuid::new_v4().to_string()}]});
    for root in [&beta, &v1] {
        let r = t.post(&action(root), &unknown).await;
        r.expect_error(406, "NotAcceptable");
    }
    // Both forms at once: which one was meant?
    t.post(
        &action(&beta),
        &json!({"subjects": [{"id": with_mail}], "scope": {"@odata.type": "#microsoft.graph.identityGovernance.activateUserScope", "users": [{"id": with_mail}]}}),
    )
    .await
    .expect_error(400, "BadRequest");

    // A3: the summary counts task processing results: Mo's two tasks succeeded, Nell's
    // mail failed and her second task was not processed.
    for root in [&beta, &v1] {
        let s = t
            .get(&format!(
                "{root}{base}/taskReports/microsoft.graph.identityGovernance.summary{}",
                window()
            ))
            .await;
        s.expect(200);
        assert_eq!(s.body["totalTasks"], 4, "{}", s.text);
        assert_eq!(s.body["successfulTasks"], 2, "{}", s.text);
        assert_eq!(s.body["failedTasks"], 1, "{}", s.text);
        assert_eq!(s.body["unprocessedTasks"], 1, "{}", s.text);
    }

    // A7: runs and taskReports carry @odata.count without $count; the workflows list does
    // not.
    for root in [&beta, &v1] {
        let r = t.get(&format!("{root}{base}/runs")).await;
        r.expect(200);
        assert_eq!(r.body["@odata.count"], 1, "{}", r.text);
        let r = t.get(&format!("{root}{base}/taskReports")).await;
        r.expect(200);
        assert_eq!(r.body["@odata.count"], 2, "{}", r.text);
        let r = t.get(&format!("{root}{LW}/workflows")).await;
        r.expect(200);
        assert!(r.body.get("@odata.count").is_none(), "{}", r.text);
    }

    // A9's CSDL form with `@odata.type` without `#`: reprocess Nell's failed tasks.
    let uprs = t
        .get(&format!("{base}/runs/{first}/userProcessingResults"))
        .await;
    let nell = values(&uprs)
        .into_iter()
        .find(|u| u["subject"]["id"] == without_mail.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    t.post(
        &action(&beta),
        &json!({"scope": {
            "@odata.type": "microsoft.graph.identityGovernance.activateProcessingResultScope",
            "processingResults": [{"id": nell}],
            "taskScope": "allTasks"
        }}),
    )
    .await
    .expect(204);
    let runs = wait_runs(&t, &wf, 2).await;
    let again = runs.iter().find(|r| r["id"] != first.as_str()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // The documented executionScope reprocessedRuns paths on the live workflow: the list,
    // and removing the link (the run stays).
    let linked = format!("{base}/executionScope/{nell}/reprocessedRuns");
    for root in [&beta, &v1] {
        let r = t.get(&format!("{root}{linked}")).await;
        r.expect(200);
        assert_eq!(ids(&r), vec![again.clone()], "{root}");
    }
    t.delete(&format!("{linked}/{again}/$ref"))
        .await
        .expect(204);
    assert!(values(&t.get(&linked).await).is_empty());
    t.delete(&format!("{linked}/{again}/$ref"))
        .await
        .expect_error(404, "ResourceNotFound");
    t.get(&format!("{base}/runs/{again}")).await.expect(200);

    // Seven fraction digits, and date-time filters over what lcw wrote still match.
    let run = t.get(&format!("{base}/runs/{first}")).await;
    let started = run.body["startedDateTime"].clone();
    assert_graph_datetime(&started, "run startedDateTime");
    let upr = values(&uprs)[0].clone();
    assert_graph_datetime(&upr["scheduledDateTime"], "scheduledDateTime");
    let at = started.as_str().unwrap();
    let r = t
        .get(&format!("{base}/runs?$filter=startedDateTime eq {at}"))
        .await;
    r.expect(200);
    assert_eq!(ids(&r), vec![first.clone()], "{}", r.text);
    let r = t
        .get(&format!("{base}/runs?$filter=startedDateTime gt {at}"))
        .await;
    assert_eq!(ids(&r), vec![again.clone()], "{}", r.text);
});

// ---- A4: nextScheduleRunDateTime ----

fn scheduled(name: &str) -> Value {
    let mut body = joiner_workflow(name);
    body["isSchedulingEnabled"] = json!(true);
    body
}

/// `nextScheduleRunDateTime`, checked to lie within the default 3-hour interval of `from`.
#[track_caller]
fn next_run_within_interval(wf: &Value, from: &str) -> chrono::DateTime<chrono::Utc> {
    let next = wf["nextScheduleRunDateTime"]
        .as_str()
        .unwrap_or_else(|| panic!("no nextScheduleRunDateTime: {wf}"));
    let next = chrono::DateTime::parse_from_rfc3339(next).unwrap().to_utc();
    let from = chrono::DateTime::parse_from_rfc3339(from).unwrap().to_utc();
    assert!(
        next >= from && next <= from + chrono::Duration::hours(3),
        "next run {next} not within the interval after {from}"
    );
    next
}

both_backends!(wire_next_schedule_run_follows_scheduling, |t| {
    user(&t, "Sid Scheduled", true).await;
    let created = t
        .post(&format!("{LW}/workflows"), &scheduled("Scheduled"))
        .await;
    created.expect(201);
    let made = created.body["createdDateTime"]
        .as_str()
        .unwrap()
        .to_string();
    next_run_within_interval(&created.body, &made);
    let wf = created.body["id"].as_str().unwrap().to_string();
    for root in roots(&t) {
        let got = t.get(&format!("{root}{LW}/workflows/{wf}")).await;
        next_run_within_interval(&got.body, &made);
    }

    // Scheduling off: null, on every read.
    let path = format!("{LW}/workflows/{wf}");
    t.patch(&path, &json!({"isSchedulingEnabled": false}))
        .await
        .expect(204);
    for root in roots(&t) {
        let got = t.get(&format!("{root}{path}")).await;
        assert_eq!(got.body["isSchedulingEnabled"], false);
        assert_eq!(got.body["nextScheduleRunDateTime"], Value::Null, "{root}");
    }
    // And back on: a next pass again.
    t.patch(&path, &json!({"isSchedulingEnabled": true}))
        .await
        .expect(204);
    let got = t.get(&path).await;
    next_run_within_interval(&got.body, &made);

    // createNewVersion, scheduled or not.
    let new_version = format!("{path}/microsoft.graph.identityGovernance.createNewVersion");
    let off = t
        .post(
            &new_version,
            &json!({"workflow": joiner_workflow("Unscheduled v2")}),
        )
        .await;
    off.expect(200);
    assert_eq!(off.body["nextScheduleRunDateTime"], Value::Null);
    let on = t
        .post(
            &new_version,
            &json!({"workflow": scheduled("Scheduled v3")}),
        )
        .await;
    on.expect(200);
    next_run_within_interval(&on.body, &made);

    // Created unscheduled: null.
    let plain = t
        .post(
            &format!("{LW}/workflows"),
            &joiner_workflow("Never scheduled"),
        )
        .await;
    plain.expect(201);
    assert_eq!(plain.body["nextScheduleRunDateTime"], Value::Null);
});

// ---- A7: @odata.count on taskDefinitions ----

both_backends!(wire_task_definitions_are_counted, |t| {
    for root in roots(&t) {
        let r = t.get(&format!("{root}{LW}/taskDefinitions")).await;
        r.expect(200);
        let n = values(&r).len();
        assert!(n > 0);
        assert_eq!(r.body["@odata.count"], n, "{root}");
        let filtered = t
            .get(&format!(
                "{root}{LW}/taskDefinitions?$filter=id eq '{ENABLE_ACCOUNT}'"
            ))
            .await;
        assert_eq!(filtered.body["@odata.count"], 1);
    }
});

// ---- A10: activateAndWait with a provisioningObjectWorkflowSubject ----

both_backends!(wire_activate_and_wait_takes_a_provisioning_subject, |t| {
    let u = user(&t, "Paz Provisioned", true).await;
    let mut body = joiner_workflow("Provision and wait");
    body["tasks"] = json!([{"displayName": "Enable account", "taskDefinitionId": ENABLE_ACCOUNT, "arguments": []}]);
    let wf = t.create_workflow(&body).await;
    let subject = json!({
        "@odata.type": "#microsoft.graph.identityGovernance.provisioningObjectWorkflowSubject",
        "id": u,
        "attributeSetEntries": [{"name": "department", "value": "Engineering"}]
    });
    for root in roots(&t) {
        let r = t
            .post(
                &format!(
                    "{root}{LW}/workflows/{wf}/microsoft.graph.identityGovernance.activateAndWait"
                ),
                &json!({ "subject": subject }),
            )
            .await;
        r.expect(200);
        assert_eq!(
            context(&r),
            format!("{root}/$metadata#microsoft.graph.identityGovernance.awaitedWorkflowProcessingResult")
        );
        assert_eq!(r.body["processingStatus"], "completed", "{}", r.text);
        assert_eq!(r.body["statusReasons"], json!([]));
        assert_eq!(r.body["subject"], subject);
    }
    assert_eq!(
        t.get(&format!("/users/{u}")).await.body["accountEnabled"],
        true
    );
    // A subject lcw does not hold.
    let mut stranger = subject.clone();
    stranger["id"] = json!(uuid::Uuid::new_v4().to_string());
    t.post(
        &format!("{LW}/workflows/{wf}/microsoft.graph.identityGovernance.activateAndWait"),
        &json!({ "subject": stranger }),
    )
    .await
    .expect_error(400, "BadRequest");
});

// ---- cosmetic: Location, fraction digits, typed references, action contexts ----

both_backends!(
    wire_created_entities_are_located_and_dated_as_graph_does,
    |t| {
        for root in roots(&t) {
            let created = t
                .post(
                    &format!("{root}{LW}/workflows"),
                    &joiner_workflow("Located"),
                )
                .await;
            created.expect(201);
            let id = created.body["id"].as_str().unwrap();
            let location = created.header("location").unwrap_or_default().to_string();
            assert_eq!(location, format!("{root}{LW}/workflows/{id}"));
            t.get(&location).await.expect(200);
            for p in ["createdDateTime", "lastModifiedDateTime"] {
                assert_graph_datetime(&created.body[p], p);
            }
            // The stored text still compares as a time.
            let at = created.body["createdDateTime"].as_str().unwrap();
            let r = t
                .get(&format!(
                    "{root}{LW}/workflows?$filter=createdDateTime eq {at}"
                ))
                .await;
            r.expect(200);
            assert_eq!(ids(&r), vec![id.to_string()], "{}", r.text);

            // A task added to it: located under the workflow's tasks.
            let task = t
            .post(
                &format!("{root}{LW}/workflows/{id}/tasks"),
                &json!({"displayName": "Enable again", "taskDefinitionId": ENABLE_ACCOUNT, "arguments": []}),
            )
            .await;
            task.expect(201);
            let task_id = task.body["id"].as_str().unwrap();
            assert_eq!(
                task.header("location"),
                Some(format!("{root}{LW}/workflows/{id}/tasks/{task_id}").as_str())
            );
        }
        // Ordered by creation time, whatever the digits.
        let a = t.create_workflow(&joiner_workflow("First")).await;
        let b = t.create_workflow(&joiner_workflow("Second")).await;
        let r = t
            .get(&format!(
                "{LW}/workflows?$orderby=createdDateTime desc&$top=2"
            ))
            .await;
        assert_eq!(ids(&r), vec![b, a]);
    }
);

both_backends!(wire_extension_references_are_typed, |t| {
    let body = json!({
        "displayName": "Typed",
        "endpointConfiguration": {
            "@odata.type": "#microsoft.graph.logicAppTriggerEndpointConfiguration",
            "subscriptionId": "c500b67c-e9b7-4ad2-a90d-77d41385ae55",
            "resourceGroupName": "RG-LCM",
            "logicAppWorkflowName": "ManagerAccess"
        },
        "authenticationConfiguration": {"@odata.type": "#microsoft.graph.azureAdPopTokenAuthentication"},
        "clientConfiguration": {"maximumRetries": 1, "timeoutInMilliseconds": 1000}
    });
    let created = t.post(&format!("{LW}/customTaskExtensions"), &body).await;
    created.expect(201);
    let id = created.body["id"].as_str().unwrap().to_string();
    let path = format!("{LW}/customTaskExtensions/{id}");
    assert_eq!(
        created.header("location"),
        Some(format!("{}{path}", t.server.base).as_str())
    );
    for root in roots(&t) {
        let got = t.get(&format!("{root}{path}")).await;
        got.expect(200);
        let listed = t.get(&format!("{root}{LW}/customTaskExtensions")).await;
        for doc in [&created.body, &got.body, &values(&listed)[0]] {
            assert_eq!(
                doc["clientConfiguration"]["@odata.type"],
                "#microsoft.graph.customExtensionClientConfiguration",
                "{doc}"
            );
            assert_eq!(doc["clientConfiguration"]["maximumRetries"], 1);
            assert_eq!(doc["createdBy"]["@odata.type"], "#microsoft.graph.user");
            assert_eq!(
                doc["lastModifiedBy"]["@odata.type"],
                "#microsoft.graph.user"
            );
        }
    }
});

both_backends!(wire_action_answers_have_the_documented_context, |t| {
    let wf = t.create_workflow(&joiner_workflow("Versioned")).await;
    for root in roots(&t) {
        let next = t
            .post(
                &format!(
                    "{root}{LW}/workflows/{wf}/microsoft.graph.identityGovernance.createNewVersion"
                ),
                &json!({"workflow": joiner_workflow("Versioned again")}),
            )
            .await;
        next.expect(200);
        assert_eq!(
            context(&next),
            format!("{root}/$metadata#microsoft.graph.identityGovernance.workflow")
        );
        assert!(next.body.get("@odata.type").is_none(), "{}", next.text);
    }
    t.delete(&format!("{LW}/workflows/{wf}")).await.expect(204);
    let restored = t
        .post(
            &format!("{LW}/deletedItems/workflows/{wf}/microsoft.graph.identityGovernance.restore"),
            &json!({}),
        )
        .await;
    restored.expect(200);
    assert_eq!(
        context(&restored),
        format!(
            "{}/$metadata#microsoft.graph.identityGovernance.workflow",
            t.server.base
        )
    );
    assert_eq!(
        restored.body["@odata.type"],
        "#microsoft.graph.identityGovernance.workflow"
    );
});
