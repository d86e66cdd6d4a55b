//! Run history: on-demand runs processed by the engine, their user/task results, task
//! reports, summaries, reprocessing with `activateWithScope`, `reprocessedRuns` `$ref`
//! removal (also under `deletedItems`), and the validation of the workflow actions.

use serde_json::{json, Value};

use crate::both_backends;
use crate::harness::{joiner_workflow, Resp, Tenant, LW};

const DISABLE_ACCOUNT: &str = "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950";
const REMOVE_FROM_GROUPS: &str = "1953a66c-751c-45e5-8bfe-01462c70da3c";
const REVOKE_TOKENS: &str = "509589a4-0466-4471-829e-49c5e502bdee";
/// "Generate TAP and send email": mails the pass to the manager, so it fails for users
/// without one.
const GENERATE_TAP: &str = "1b555e50-7f65-41d5-b514-5894a026d10d";
const EVOLVABLE: (&str, &str) = ("Prefer", "include-unknown-enum-members");

fn wf_path(id: &str) -> String {
    format!("{LW}/workflows/{id}")
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

#[track_caller]
fn expect_bad_field(r: &Resp, field: &str) {
    r.expect_error(400, "BadRequest");
    let msg = r.body["error"]["message"].as_str().unwrap_or("");
    assert!(
        msg.contains(field),
        "message does not name '{field}': {}",
        r.text
    );
}

async fn user(t: &Tenant, name: &str, enabled: bool) -> String {
    let r = t
        .post(
            "/users",
            &json!({
                "displayName": name,
                "userPrincipalName": format!("{}@contoso.test", name.to_lowercase().replace(' ', ".")),
                "department": "Sales",
                "accountEnabled": enabled,
            }),
        )
        .await;
    r.expect(201);
    r.body["id"].as_str().unwrap().to_string()
}

async fn group(t: &Tenant, name: &str, members: &[&str], team: bool) -> String {
    let mut body = json!({
        "displayName": name,
        "mailEnabled": false,
        "mailNickname": name.to_lowercase().replace(' ', ""),
        "securityEnabled": true,
        "members@odata.bind": members
            .iter()
            .map(|m| format!("https://graph.microsoft.com/v1.0/users/{m}"))
            .collect::<Vec<_>>(),
    });
    if team {
        body["resourceProvisioningOptions"] = json!(["Team"]);
    }
    let r = t.post("/groups", &body).await;
    r.expect(201);
    r.body["id"].as_str().unwrap().to_string()
}

fn leaver(name: &str, group_id: &str) -> Value {
    json!({
        "category": "leaver",
        "displayName": name,
        "isEnabled": true,
        "isSchedulingEnabled": false,
        "executionConditions": {
            "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
            "scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "department eq 'Sales'"},
            "trigger": {"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger", "timeBasedAttribute": "employeeLeaveDateTime", "offsetInDays": 0}
        },
        "tasks": [
            {"displayName": "Disable account", "taskDefinitionId": DISABLE_ACCOUNT, "arguments": []},
            {"displayName": "Remove from groups", "taskDefinitionId": REMOVE_FROM_GROUPS, "arguments": [{"name": "groupID", "value": group_id}]},
            {"displayName": "Revoke tokens", "taskDefinitionId": REVOKE_TOKENS, "arguments": []}
        ]
    })
}

async fn activate(t: &Tenant, wf: &str, users: &[&str]) -> Resp {
    let subjects: Vec<Value> = users
        .iter()
        .map(|u| json!({"id": u, "@odata.type": "#microsoft.graph.user"}))
        .collect();
    t.post(
        &format!(
            "{}/microsoft.graph.identityGovernance.activate",
            wf_path(wf)
        ),
        &json!({ "subjects": subjects }),
    )
    .await
}

fn is_final(status: &str) -> bool {
    matches!(
        status,
        "completed" | "completedWithErrors" | "failed" | "canceled"
    )
}

/// Poll `runs` (the engine works in the server) until `n` runs exist and all are final.
async fn wait_runs(t: &Tenant, wf: &str, n: usize) -> Vec<Value> {
    let path = format!("{}/runs?$orderby=scheduledDateTime", wf_path(wf));
    let mut last = Vec::new();
    for _ in 0..100 {
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

fn window(comma: bool) -> String {
    let now = chrono::Utc::now();
    let s = (now - chrono::Duration::days(1)).format("%Y-%m-%dT%H:%M:%S+00:00");
    let e = (now + chrono::Duration::days(1)).format("%Y-%m-%dT%H:%M:%S+00:00");
    let sep = if comma { "," } else { "" };
    format!("(startDateTime={s}{sep}endDateTime={e})")
        .replace(':', "%3A")
        .replace('+', "%2B")
        .replace(',', "%2C")
}

both_backends!(leaver_run_records_results_and_changes_the_directory, |t| {
    let a = user(&t, "Ann Leaver", true).await;
    let b = user(&t, "Bob Leaver", false).await;
    let g = group(&t, "Sales Team", &[&a, &b], true).await;
    let wf = t.create_workflow(&leaver("Offboard", &g)).await;
    let base = wf_path(&wf);

    activate(&t, &wf, &[&a, &b]).await.expect(204);
    let runs = wait_runs(&t, &wf, 1).await;
    let run = &runs[0];
    let r = run["id"].as_str().unwrap().to_string();
    assert_eq!(run["processingStatus"], "completed");
    assert_eq!(run["workflowExecutionType"], "onDemand");
    assert_eq!(run["totalUsersCount"], 2);
    assert_eq!(run["successfulUsersCount"], 2);
    assert_eq!(run["failedUsersCount"], 0);
    assert_eq!(run["totalTasksCount"], 6);
    assert_eq!(run["failedTasksCount"], 0);
    assert_eq!(run["totalUnprocessedTasksCount"], 0);
    assert!(run["completedDateTime"].is_string());

    let one = t.get(&format!("{base}/runs/{r}")).await;
    one.expect(200);
    assert!(one.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with(&format!("workflows('{wf}')/runs/$entity")));
    assert_eq!(t.get(&format!("{base}/runs/$count")).await.text, "1");
    t.get(&format!("{base}/runs/00000000-0000-4000-8000-000000000000"))
        .await
        .expect_error(404, "ResourceNotFound");

    // The directory changed.
    let ua = t.get(&format!("/users/{a}")).await;
    assert_eq!(ua.body["accountEnabled"], false);
    assert!(
        ua.body["signInSessionsValidFromDateTime"].is_string(),
        "{}",
        ua.text
    );
    assert_eq!(
        t.get(&format!("/groups/{g}/members/$count")).await.text,
        "0"
    );

    // User results.
    let uprs = t
        .get(&format!("{base}/runs/{r}/userProcessingResults"))
        .await;
    uprs.expect(200);
    let list = values(&uprs);
    assert_eq!(list.len(), 2);
    let mut subjects: Vec<String> = list
        .iter()
        .map(|u| u["subject"]["id"].as_str().unwrap().to_string())
        .collect();
    subjects.sort();
    let mut expected = vec![a.clone(), b.clone()];
    expected.sort();
    assert_eq!(subjects, expected);
    for u in &list {
        assert_eq!(u["processingStatus"], "completed");
        assert_eq!(u["totalTasksCount"], 3);
        assert_eq!(u["workflowVersion"], 1);
    }
    let upr_b = list
        .iter()
        .find(|u| u["subject"]["id"] == b.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let got = t
        .get(&format!("{base}/userProcessingResults/{upr_b}"))
        .await;
    got.expect(200);
    assert_eq!(got.body["subject"]["id"], b.as_str());
    let subj = t
        .get(&format!("{base}/userProcessingResults/{upr_b}/subject"))
        .await;
    subj.expect(200);
    assert_eq!(subj.body["displayName"], "Bob Leaver");
    let expanded = t
        .get(&format!("{base}/userProcessingResults?$expand=subject"))
        .await;
    expanded.expect(200);
    assert!(values(&expanded)
        .iter()
        .all(|u| u["subject"]["displayName"].is_string()));
    // A result of another run is not under this run.
    t.get(&format!("{base}/runs/{r}/userProcessingResults/{r}"))
        .await
        .expect_error(404, "ResourceNotFound");

    // Subject processing results: the same rows as workflow subjects.
    let sprs = t
        .get(&format!("{base}/runs/{r}/subjectProcessingResults"))
        .await;
    sprs.expect(200);
    let s0 = &values(&sprs)[0];
    assert_eq!(
        s0["subject"]["@odata.type"],
        "#microsoft.graph.identityGovernance.directoryObjectWorkflowSubject"
    );
    assert!(s0["subject"]["directoryObject"]["id"].is_string());
    assert_eq!(s0["subjectType"], "user");
    let spr = t
        .get(&format!("{base}/subjectProcessingResults/{upr_b}"))
        .await;
    spr.expect(200);
    assert_eq!(spr.body["subject"]["directoryObject"]["id"], b.as_str());

    // Task results of Bob (already disabled).
    let tprs = t
        .get(&format!(
            "{base}/userProcessingResults/{upr_b}/taskProcessingResults"
        ))
        .await;
    tprs.expect(200);
    let tl = values(&tprs);
    assert_eq!(tl.len(), 3);
    assert!(tl.iter().all(|x| x["processingStatus"] == "completed"));
    let disable = tl
        .iter()
        .find(|x| x["task"]["taskDefinitionId"] == DISABLE_ACCOUNT)
        .unwrap();
    assert!(disable["processingInfo"].is_string(), "{disable}");
    assert_eq!(disable["subject"]["id"], b.as_str());
    let tpr = disable["id"].as_str().unwrap();
    let task_nav = t
        .get(&format!(
            "{base}/runs/{r}/userProcessingResults/{upr_b}/taskProcessingResults/{tpr}/task"
        ))
        .await;
    task_nav.expect(200);
    assert_eq!(task_nav.body["displayName"], "Disable account");
    let task_id = task_nav.body["id"].as_str().unwrap().to_string();
    let by_task = t
        .get(&format!("{base}/tasks/{task_id}/taskProcessingResults"))
        .await;
    by_task.expect(200);
    assert_eq!(values(&by_task).len(), 2);
    let by_version = t
        .get(&format!(
            "{base}/versions/1/tasks/{task_id}/taskProcessingResults/$count"
        ))
        .await;
    assert_eq!(by_version.text, "2");
    t.get(&format!(
        "{base}/runs/{r}/taskProcessingResults/{tpr}/subject"
    ))
    .await
    .expect(200);

    // Counts, filters, ordering, paging.
    assert_eq!(
        t.get(&format!("{base}/runs/{r}/taskProcessingResults/$count"))
            .await
            .text,
        "6"
    );
    assert_eq!(
        t.get(&format!(
            "{base}/userProcessingResults/$count?$filter=processingStatus eq 'failed'"
        ))
        .await
        .text,
        "0"
    );
    let done = t
        .get(&format!(
            "{base}/userProcessingResults?$filter=processingStatus eq 'completed'&$count=true"
        ))
        .await;
    done.expect(200);
    assert_eq!(done.body["@odata.count"], 2);
    let ordered = t
        .get(&format!(
            "{base}/runs/{r}/taskProcessingResults?$orderby=completedDateTime desc,id"
        ))
        .await;
    ordered.expect(200);
    assert_eq!(values(&ordered).len(), 6);
    // Unordered, a run's task results come user by user, each user's in task order, and
    // pages follow on without gaps or repeats.
    let first = t
        .get(&format!("{base}/runs/{r}/taskProcessingResults?$top=4"))
        .await;
    first.expect(200);
    let rest = t.get(first.body["@odata.nextLink"].as_str().unwrap()).await;
    rest.expect(200);
    let listed: Vec<Value> = values(&first).into_iter().chain(values(&rest)).collect();
    assert_eq!(listed.len(), 6);
    let distinct: std::collections::HashSet<&str> =
        listed.iter().map(|x| x["id"].as_str().unwrap()).collect();
    assert_eq!(distinct.len(), 6);
    for user in listed.chunks(3) {
        assert!(user
            .iter()
            .all(|x| x["subject"]["id"] == user[0]["subject"]["id"]));
        let tasks: Vec<&str> = user
            .iter()
            .map(|x| x["task"]["displayName"].as_str().unwrap())
            .collect();
        assert_eq!(
            tasks,
            ["Disable account", "Remove from groups", "Revoke tokens"]
        );
    }
    let page1 = t
        .get(&format!("{base}/userProcessingResults?$top=1&$count=true"))
        .await;
    page1.expect(200);
    assert_eq!(values(&page1).len(), 1);
    assert_eq!(page1.body["@odata.count"], 2);
    let next = page1.body["@odata.nextLink"].as_str().unwrap().to_string();
    assert!(next.starts_with("http"));
    let page2 = t.get(&next).await;
    page2.expect(200);
    assert_eq!(values(&page2).len(), 1);
    assert!(page2.body.get("@odata.nextLink").is_none());
    assert_ne!(ids(&page1), ids(&page2));
    let sel = t
        .get(&format!("{base}/runs?$select=processingStatus"))
        .await;
    sel.expect(200);
    let first = values(&sel)[0].clone();
    assert!(first.get("totalUsersCount").is_none());
    assert_eq!(first["processingStatus"], "completed");
    expect_bad_field(&t.get(&format!("{base}/runs?$select=bogus")).await, "bogus");
    expect_bad_field(
        &t.get(&format!("{base}/userProcessingResults?$filter=bogus eq 1"))
            .await,
        "bogus",
    );

    // Task reports.
    let reports = t.get(&format!("{base}/taskReports")).await;
    reports.expect(200);
    let rl = values(&reports);
    assert_eq!(rl.len(), 3);
    for rep in &rl {
        assert_eq!(rep["runId"], r.as_str());
        assert_eq!(rep["successfulUsersCount"], 2);
        assert_eq!(rep["totalUsersCount"], 2);
        assert_eq!(rep["processingStatus"], "completed");
    }
    let rep = rl[0]["id"].as_str().unwrap();
    let def = t
        .get(&format!("{base}/taskReports/{rep}/taskDefinition"))
        .await;
    def.expect(200);
    assert_eq!(def.body["id"], rl[0]["task"]["taskDefinitionId"]);
    t.get(&format!("{base}/taskReports/{rep}/task"))
        .await
        .expect(200);
    assert_eq!(
        t.get(&format!(
            "{base}/taskReports/{rep}/taskProcessingResults/$count"
        ))
        .await
        .text,
        "2"
    );
    assert_eq!(t.get(&format!("{base}/taskReports/$count")).await.text, "3");

    // Summaries, with and without the comma (Python SDK).
    for comma in [true, false] {
        let w = window(comma);
        let s = t
            .get(&format!(
                "{base}/runs/microsoft.graph.identityGovernance.summary{w}"
            ))
            .await;
        s.expect(200);
        assert!(s.body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#microsoft.graph.identityGovernance.runSummary"));
        assert_eq!(s.body["totalRuns"], 1);
        assert_eq!(s.body["successfulRuns"], 1);
        assert_eq!(s.body["failedRuns"], 0);
        assert_eq!(s.body["totalUsers"], 2);
        assert_eq!(s.body["totalTasks"], 6);
        assert_eq!(s.body["failedTasks"], 0);
        let u = t
            .get(&format!("{base}/userProcessingResults/summary{w}"))
            .await;
        u.expect(200);
        assert_eq!(u.body["totalUsers"], 2);
        assert_eq!(u.body["successfulUsers"], 2);
        let ur = t
            .get(&format!("{base}/runs/{r}/userProcessingResults/summary{w}"))
            .await;
        assert_eq!(ur.body["totalUsers"], 2);
        let sp = t
            .get(&format!("{base}/subjectProcessingResults/summary{w}"))
            .await;
        assert_eq!(sp.body["totalSubjects"], 2);
        // Task processing results: 3 tasks for each of the 2 users.
        let tr = t.get(&format!("{base}/taskReports/summary{w}")).await;
        assert_eq!(tr.body["totalTasks"], 6);
        assert_eq!(tr.body["successfulTasks"], 6);
        assert_eq!(tr.body["failedTasks"], 0);
        assert_eq!(tr.body["unprocessedTasks"], 0);
        let ins = t
            .get(&format!(
                "{LW}/insights/microsoft.graph.identityGovernance.workflowsProcessedSummary{w}"
            ))
            .await;
        ins.expect(200);
        assert_eq!(ins.body["totalRuns"], 1);
        assert_eq!(ins.body["totalUsers"], 2);
        assert_eq!(ins.body["successfulTasks"], 6);
        let cat = t
            .get(&format!(
                "{LW}/insights/microsoft.graph.identityGovernance.workflowsProcessedByCategory{w}"
            ))
            .await;
        assert_eq!(cat.body["totalLeaverRuns"], 1);
        assert_eq!(cat.body["totalJoinerRuns"], 0);
        let top = t
            .get(&format!(
                "{LW}/insights/microsoft.graph.identityGovernance.topWorkflowsProcessedSummary{w}"
            ))
            .await;
        top.expect(200);
        assert_eq!(values(&top)[0]["workflowId"], wf.as_str());
        let tasks = t
            .get(&format!(
                "{LW}/insights/microsoft.graph.identityGovernance.topTasksProcessedSummary{w}"
            ))
            .await;
        tasks.expect(200);
        assert_eq!(values(&tasks).len(), 3);
        let top_task = &values(&tasks)[0];
        assert_eq!(top_task["totalUsers"], 2);
        assert_eq!(top_task["totalTasks"], 2);
        assert_eq!(top_task["successfulTasks"], 2);
        assert_eq!(top_task["successfulUsers"], 2);
        assert_eq!(top_task["failedTasks"], 0);
        assert_eq!(top_task["failedUsers"], 0);
        assert!(!top_task["taskDefinitionDisplayName"]
            .as_str()
            .unwrap_or_default()
            .is_empty());
    }
    // A window before the run counts none of its tasks.
    let before = t
        .get(&format!(
            "{LW}/insights/microsoft.graph.identityGovernance.topTasksProcessedSummary(startDateTime=2020-01-01T00:00:00Z,endDateTime=2020-01-02T00:00:00Z)"
        ))
        .await;
    before.expect(200);
    assert_eq!(values(&before).len(), 0);
    let missing = t
        .get(&format!(
            "{base}/runs/summary(startDateTime=2026-01-01T00:00:00Z)"
        ))
        .await;
    expect_bad_field(&missing, "endDateTime");
    let invalid = t
        .get(&format!(
            "{base}/runs/summary(startDateTime=yesterday,endDateTime=2026-01-01T00:00:00Z)"
        ))
        .await;
    expect_bad_field(&invalid, "startDateTime");

    // Nobody has a leave date: the execution scope is empty; the preview scope too.
    let scope = t.get(&format!("{base}/executionScope")).await;
    scope.expect(200);
    assert!(values(&scope).is_empty());
    assert_eq!(
        t.get(&format!("{base}/previewScope/$count")).await.text,
        "0"
    );

    // cancelProcessing of a completed run is refused.
    let cancel = t
        .post(
            &format!("{base}/microsoft.graph.identityGovernance.cancelProcessing"),
            &json!({"scope": {"@odata.type": "#microsoft.graph.identityGovernance.cancelRunsScope", "runs": [{"id": r}]}}),
        )
        .await;
    cancel.expect_error(400, "BadRequest");
});

both_backends!(failed_tasks_are_reprocessed_and_links_can_be_removed, |t| {
    let a = user(&t, "Cy Joiner", false).await;
    let b = user(&t, "Di Joiner", false).await;
    let mut body = joiner_workflow("Onboard");
    body["tasks"][1]["taskDefinitionId"] = json!(GENERATE_TAP);
    let wf = t.create_workflow(&body).await;
    let base = wf_path(&wf);

    let failures = t
        .post(
            &format!("{base}/microsoft.graph.identityGovernance.previewTaskFailures"),
            &json!({}),
        )
        .await;
    failures.expect(200);
    // lcw carries out every task of this workflow (the failure below is the user's).
    assert_eq!(values(&failures).len(), 0);

    activate(&t, &wf, &[&a, &b]).await.expect(204);
    let runs = wait_runs(&t, &wf, 1).await;
    let orig = runs[0]["id"].as_str().unwrap().to_string();
    assert_eq!(runs[0]["failedUsersCount"], 2);
    assert_eq!(runs[0]["failedTasksCount"], 2);
    assert_ne!(runs[0]["processingStatus"], "completed");
    let failed = t
        .get(&format!(
            "{base}/runs/{orig}/taskProcessingResults?$filter=processingStatus eq 'failed'"
        ))
        .await;
    failed.expect(200);
    let fl = values(&failed);
    assert_eq!(fl.len(), 2);
    assert!(fl[0]["failureReason"]
        .as_str()
        .unwrap()
        .contains("has no manager"));
    assert_eq!(
        t.get(&format!("/users/{a}")).await.body["accountEnabled"],
        true
    );
    let uprs = t
        .get(&format!("{base}/runs/{orig}/userProcessingResults"))
        .await;
    let upr_a = values(&uprs)
        .iter()
        .find(|u| u["subject"]["id"] == a.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Reprocess the failed users' failed tasks.
    t.post(
        &format!("{base}/microsoft.graph.identityGovernance.activateWithScope"),
        &json!({"scope": {
            "@odata.type": "#microsoft.graph.identityGovernance.activateRunScope",
            "run": {"id": orig},
            "taskScope": "failedTasks",
            "userScope": "failedUsers"
        }}),
    )
    .await
    .expect(204);
    let runs = wait_runs(&t, &wf, 2).await;
    let new_run = runs
        .iter()
        .find(|x| x["id"] != orig.as_str())
        .unwrap()
        .clone();
    let new = new_run["id"].as_str().unwrap().to_string();
    assert_eq!(new_run["workflowExecutionType"], "activatedWithScope");
    assert_eq!(new_run["totalUsersCount"], 2);
    assert_eq!(new_run["totalTasksCount"], 2);
    assert_eq!(
        new_run["activatedOnScope"]["@odata.type"],
        "#microsoft.graph.identityGovernance.activateRunScope"
    );
    assert_eq!(new_run["activatedOnScope"]["run"]["id"], orig.as_str());
    // Evolvable enum: without the Prefer header the member is hidden.
    let plain = t.get(&format!("{base}/runs/{new}")).await;
    assert_eq!(plain.body["workflowExecutionType"], "unknownFutureValue");
    let filtered = t
        .get(&format!(
            "{base}/runs?$filter=workflowExecutionType eq 'activatedWithScope'"
        ))
        .await;
    assert_eq!(ids(&filtered), vec![new.clone()]);

    // The new run is linked from the source run and the source user results.
    let linked = t.get(&format!("{base}/runs/{orig}/reprocessedRuns")).await;
    linked.expect(200);
    assert_eq!(ids(&linked), vec![new.clone()]);
    assert_eq!(
        t.get(&format!("{base}/runs/{orig}/reprocessedRuns/$count"))
            .await
            .text,
        "1"
    );
    t.get(&format!("{base}/runs/{orig}/reprocessedRuns/{new}"))
        .await
        .expect(200);
    let refs = t
        .get(&format!("{base}/runs/{orig}/reprocessedRuns/$ref"))
        .await;
    refs.expect(200);
    assert!(refs.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#Collection($ref)"));
    assert!(refs.body["value"][0]["@odata.id"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/workflows/{wf}/runs/{new}")));
    for p in [
        format!("{base}/userProcessingResults/{upr_a}/reprocessedRuns"),
        format!("{base}/runs/{orig}/userProcessingResults/{upr_a}/reprocessedRuns"),
        format!("{base}/subjectProcessingResults/{upr_a}/reprocessedRuns"),
    ] {
        let r = t.get(&p).await;
        r.expect(200);
        assert_eq!(ids(&r), vec![new.clone()], "{p}");
    }

    // Removing the run's link drops the link only.
    t.delete(&format!("{base}/runs/{orig}/reprocessedRuns/{new}/$ref"))
        .await
        .expect(204);
    assert!(values(&t.get(&format!("{base}/runs/{orig}/reprocessedRuns")).await).is_empty());
    t.get(&format!("{base}/runs/{new}")).await.expect(200);
    t.delete(&format!("{base}/runs/{orig}/reprocessedRuns/{new}/$ref"))
        .await
        .expect_error(404, "ResourceNotFound");
    // The user result's link is separate.
    assert_eq!(
        ids(&t
            .get(&format!(
                "{base}/userProcessingResults/{upr_a}/reprocessedRuns"
            ))
            .await),
        vec![new.clone()]
    );

    // The documented executionScope route on the live workflow (its `$ref` removal is
    // tested in wire.rs).
    let es_live = t
        .get(&format!("{base}/executionScope/{upr_a}/reprocessedRuns"))
        .await;
    es_live.expect(200);
    assert_eq!(ids(&es_live), vec![new.clone()]);

    // Soft delete: the history stays readable under deletedItems.
    t.delete(&base).await.expect(204);
    let del = format!("{LW}/deletedItems/workflows/{wf}");
    t.get(&format!("{base}/runs"))
        .await
        .expect_error(404, "ResourceNotFound");
    assert_eq!(values(&t.get(&format!("{del}/runs")).await).len(), 2);
    assert_eq!(
        values(
            &t.get(&format!("{del}/runs/{orig}/userProcessingResults"))
                .await
        )
        .len(),
        2
    );
    t.get(&format!(
        "{del}/userProcessingResults/{upr_a}/taskProcessingResults"
    ))
    .await
    .expect(200);
    let es = t
        .get(&format!("{del}/executionScope/{upr_a}/reprocessedRuns"))
        .await;
    es.expect(200);
    assert_eq!(ids(&es), vec![new.clone()]);
    // The seed endpoint.
    t.delete(&format!(
        "{del}/executionScope/{upr_a}/reprocessedRuns/{new}/$ref"
    ))
    .await
    .expect(204);
    assert!(values(
        &t.get(&format!("{del}/executionScope/{upr_a}/reprocessedRuns"))
            .await
    )
    .is_empty());
    t.delete(&format!(
        "{del}/executionScope/{upr_a}/reprocessedRuns/{new}/$ref"
    ))
    .await
    .expect_error(404, "ResourceNotFound");
    t.get(&format!("{del}/runs/{new}")).await.expect(200);
    // The nested form: the reprocessed run has no reprocessed runs of its own.
    let upr_b = values(
        &t.get(&format!("{del}/runs/{orig}/userProcessingResults"))
            .await,
    )
    .iter()
    .find(|u| u["subject"]["id"] == b.as_str())
    .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    t.delete(&format!(
        "{del}/executionScope/{upr_b}/reprocessedRuns/{new}/reprocessedRuns/{orig}/$ref"
    ))
    .await
    .expect_error(404, "ResourceNotFound");
    // Actions are refused on a deleted workflow.
    let refused = t
        .post(
            &format!("{del}/microsoft.graph.identityGovernance.activate"),
            &json!({"subjects": [{"id": a}]}),
        )
        .await;
    refused.expect_error(400, "BadRequest");
});

both_backends!(actions_validate_their_bodies, |t| {
    let a = user(&t, "Ed Leaver", true).await;
    let g = group(&t, "Ops", &[&a], false).await;
    let wf = t.create_workflow(&leaver("Offboard ops", &g)).await;
    let base = wf_path(&wf);
    let act = format!("{base}/microsoft.graph.identityGovernance.activate");

    let many: Vec<Value> = (0..11)
        .map(|i| json!({"id": format!("00000000-0000-4000-8000-0000000000{i:02}")}))
        .collect();
    expect_bad_field(&t.post(&act, &json!({"subjects": many})).await, "subjects");
    expect_bad_field(&t.post(&act, &json!({"subjects": []})).await, "subjects");
    expect_bad_field(
        &t.post(
            &act,
            &json!({"subjects": [{"id": "00000000-0000-4000-8000-000000000001"}]}),
        )
        .await,
        "subjects[0]",
    );
    expect_bad_field(
        &t.post(&act, &json!({"subjects": [{"id": a}], "extra": 1}))
            .await,
        "extra",
    );
    expect_bad_field(
        &t.post(
            &format!("{base}/microsoft.graph.identityGovernance.activateWithScope"),
            &json!({"scope": {"users": [{"id": a}]}}),
        )
        .await,
        "@odata.type",
    );

    // Preview changes nothing in the directory.
    t.post(
        &format!("{base}/microsoft.graph.identityGovernance.previewWorkflow"),
        &json!({"subjects": [{"@odata.type": "#microsoft.graph.user", "id": a}]}),
    )
    .await
    .expect(204);
    let runs = wait_runs(&t, &wf, 1).await;
    assert_eq!(runs[0]["workflowExecutionType"], "preview");
    assert_eq!(
        t.get(&format!("/users/{a}")).await.body["accountEnabled"],
        true
    );
    assert_eq!(
        t.get(&format!("/groups/{g}/members/$count")).await.text,
        "1"
    );

    // activateAndWait answers when the user is processed.
    let waited = t
        .post(
            &format!("{base}/microsoft.graph.identityGovernance.activateAndWait"),
            &json!({"subject": {
                "@odata.type": "#microsoft.graph.identityGovernance.directoryObjectWorkflowSubject",
                "directoryObject": {"id": a}
            }}),
        )
        .await;
    waited.expect(200);
    assert_eq!(waited.body["processingStatus"], "completed");
    assert_eq!(waited.body["statusReasons"], json!([]));
    assert_eq!(waited.body["subject"]["directoryObject"]["id"], a.as_str());
    assert!(waited.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("awaitedWorkflowProcessingResult"));
    assert_eq!(
        t.get(&format!("/users/{a}")).await.body["accountEnabled"],
        false
    );
    let runs = wait_runs(&t, &wf, 2).await;

    // cancelProcessing: exactly one known run that is still pending.
    let cancel = format!("{base}/microsoft.graph.identityGovernance.cancelProcessing");
    let scope = |runs: Value| json!({"scope": {"@odata.type": "#microsoft.graph.identityGovernance.cancelRunsScope", "runs": runs}});
    expect_bad_field(
        &t.post(
            &cancel,
            &scope(json!([{"id": runs[0]["id"]}, {"id": runs[1]["id"]}])),
        )
        .await,
        "scope.runs",
    );
    t.post(
        &cancel,
        &scope(json!([{"id": "00000000-0000-4000-8000-000000000009"}])),
    )
    .await
    .expect_error(404, "ResourceNotFound");
    t.post(&cancel, &scope(json!([{"id": runs[1]["id"]}])))
        .await
        .expect_error(400, "BadRequest");
    // Its body is a scope of runs only: `subjects` (activateWithScope's form) is refused and
    // starts nothing.
    t.post(
        &cancel,
        &json!({"subjects": [{"id": a.as_str(), "@odata.type": "#microsoft.graph.user"}]}),
    )
    .await
    .expect_error(400, "BadRequest");
    assert_eq!(
        wait_runs(&t, &wf, 2).await.len(),
        2,
        "cancelProcessing started a run"
    );

    // clearQuarantine answers the workflow.
    let cleared = t
        .post(
            &format!("{base}/microsoft.graph.identityGovernance.clearQuarantine"),
            &json!({}),
        )
        .await;
    cleared.expect(200);
    assert_eq!(
        cleared.body["quarantineDetails"]["quarantineType"],
        "notQuarantined"
    );
    assert_eq!(cleared.body["id"], wf.as_str());

    // A disabled workflow is not run on demand.
    t.patch(&base, &json!({"isEnabled": false}))
        .await
        .expect(204);
    let off = t.post(&act, &json!({"subjects": [{"id": a}]})).await;
    off.expect_error(400, "BadRequest");
    assert!(off.text.contains("disabled"), "{}", off.text);
});
