//! Workflow definitions: create, read, change, version, delete, restore, purge.

use serde_json::{json, Value};

use crate::both_backends;
use crate::harness::{joiner_workflow, leaver_workflow, Resp, Tenant, LW};

const ENABLE_ACCOUNT: &str = "6fc52c9d-398b-4305-9763-15f42c1676fc";
const WELCOME_MAIL: &str = "70b29d51-b59a-4773-9280-8841dfd3f2ea";
const DELETE_ACCOUNT: &str = "8d18588d-9ad3-4c0f-99d0-ec215f0e3dff";
const ADD_TO_GROUPS: &str = "22085229-5809-45e8-97fd-270d28d66910";
const DEFAULT_APP_OID: &str = "00000000-0000-0000-0000-0000000000a1";

fn wf_path(id: &str) -> String {
    format!("{LW}/workflows/{id}")
}

/// Assert a 400 `BadRequest` whose message names `field`.
#[track_caller]
fn expect_bad_field(r: &Resp, field: &str) {
    r.expect_error(400, "BadRequest");
    let msg = r.body["error"]["message"].as_str().unwrap_or("");
    assert!(
        msg.contains(field),
        "error message does not name '{field}': {}",
        r.text
    );
}

fn ids(list: &Value) -> Vec<String> {
    list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

async fn pause() {
    // Timestamps carry microseconds; a short pause makes "later" observable.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
}

both_backends!(create_then_get_returns_the_workflow_with_tasks, |t| {
    let created = t
        .post(
            &format!("{LW}/workflows"),
            &joiner_workflow("Onboard Sales"),
        )
        .await;
    created.expect(201);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(created.body["version"], json!(1));
    let got = t.get(&format!("{LW}/workflows/{id}")).await;
    got.expect(200);
    assert_eq!(got.body["displayName"], "Onboard Sales");
    assert_eq!(got.body["tasks"].as_array().unwrap().len(), 2);
    assert_eq!(got.body["tasks"][1]["executionSequence"], 2);
    assert!(got.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("/$metadata#identityGovernance/lifecycleWorkflows/workflows/$entity"));
});

both_backends!(create_assigns_id_version_creator_and_task_order, |t| {
    let oid = uuid::Uuid::new_v4().to_string();
    let token = t.token_with(&["--object-id", &oid]);
    let r = t
        .send_as(
            &token,
            "POST",
            &format!("{LW}/workflows"),
            Some(&joiner_workflow("Onboard")),
        )
        .await;
    r.expect(201);
    let b = &r.body;
    let id = b["id"].as_str().unwrap();
    assert!(model::is_guid(id), "id {id}");
    assert_eq!(b["version"], 1);
    assert_eq!(b["category"], "joiner");
    assert_eq!(b["description"], "pre-hire onboarding");
    assert_eq!(b["isEnabled"], true);
    assert_eq!(b["isSchedulingEnabled"], false);
    assert_eq!(b["createdBy"]["id"], oid.as_str());
    assert_eq!(b["lastModifiedBy"]["id"], oid.as_str());
    assert!(b["createdDateTime"].as_str().unwrap().ends_with('Z'));
    assert_eq!(b["createdDateTime"], b["lastModifiedDateTime"]);
    assert_eq!(b["deletedDateTime"], Value::Null);
    assert!(b["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#identityGovernance/lifecycleWorkflows/workflows/$entity"));
    assert_eq!(
        b["executionConditions"]["scope"]["@odata.type"],
        "#microsoft.graph.identityGovernance.ruleBasedSubjectSet"
    );
    assert_eq!(b["executionConditions"]["trigger"]["offsetInDays"], -7);
    let tasks = b["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 2);
    assert!(b["tasks@odata.context"]
        .as_str()
        .unwrap()
        .ends_with(&format!("workflows('{id}')/tasks")));
    // Category comes from the task definition, not from the caller.
    assert_eq!(tasks[0]["taskDefinitionId"], ENABLE_ACCOUNT);
    assert_eq!(tasks[0]["category"], "joiner,leaver");
    assert_eq!(tasks[1]["taskDefinitionId"], WELCOME_MAIL);
    assert_eq!(tasks[1]["category"], "joiner");
    for (i, task) in tasks.iter().enumerate() {
        assert_eq!(task["executionSequence"], i + 1);
        assert!(model::is_guid(task["id"].as_str().unwrap()));
        assert_eq!(task["isEnabled"], true);
        assert_eq!(task["continueOnError"], false);
    }
    assert_ne!(tasks[0]["id"], tasks[1]["id"]);
});

both_backends!(get_unknown_workflow_is_404, |t| {
    let missing = uuid::Uuid::new_v4();
    t.get(&wf_path(&missing.to_string()))
        .await
        .expect_error(404, "ResourceNotFound");
    t.get(&wf_path("not-a-guid"))
        .await
        .expect_error(404, "ResourceNotFound");
    t.patch(&wf_path(&missing.to_string()), &json!({"displayName": "x"}))
        .await
        .expect_error(404, "ResourceNotFound");
    t.delete(&wf_path(&missing.to_string()))
        .await
        .expect_error(404, "ResourceNotFound");
});

both_backends!(
    list_omits_tasks_unless_expanded_and_count_is_plain_text,
    |t| {
        let a = t.create_workflow(&joiner_workflow("A")).await;
        let b = t.create_workflow(&leaver_workflow("B")).await;
        let list = t.get(&format!("{LW}/workflows")).await;
        list.expect(200);
        assert_eq!(ids(&list.body), vec![a.clone(), b.clone()]);
        assert!(list.body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#identityGovernance/lifecycleWorkflows/workflows"));
        for w in list.body["value"].as_array().unwrap() {
            assert!(w.get("tasks").is_none(), "list carries tasks: {w}");
            assert_eq!(w["version"], 1);
        }
        let expanded = t.get(&format!("{LW}/workflows?$expand=tasks")).await;
        expanded.expect(200);
        let v = expanded.body["value"].as_array().unwrap();
        assert_eq!(v[0]["tasks"].as_array().unwrap().len(), 2);
        assert_eq!(v[1]["tasks"].as_array().unwrap().len(), 1);

        let count = t.get(&format!("{LW}/workflows/$count")).await;
        count.expect(200);
        assert_eq!(count.text, "2");
        assert!(count
            .header("content-type")
            .unwrap()
            .starts_with("text/plain"));
        let filtered = t
            .get(&format!(
                "{LW}/workflows/$count?$filter=category%20eq%20'leaver'"
            ))
            .await;
        assert_eq!(filtered.text, "1");
        t.get(&format!("{LW}/workflows/$count?$top=1"))
            .await
            .expect_error(400, "BadRequest");
        t.get(&format!("{LW}/workflows?$expand=runs"))
            .await
            .expect_error(400, "BadRequest");
    }
);

both_backends!(patch_changes_basic_properties_only, |t| {
    let id = t.create_workflow(&joiner_workflow("Before")).await;
    let before = t.get(&wf_path(&id)).await;
    pause().await;
    let editor = uuid::Uuid::new_v4().to_string();
    let token = t.token_with(&["--object-id", &editor]);
    // The Python SDK's PATCH shape: only the set properties plus @odata.type.
    let r = t
        .send_as(
            &token,
            "PATCH",
            &wf_path(&id),
            Some(&json!({
                "description": "changed",
                "displayName": "After",
                "isEnabled": false,
                "@odata.type": "#microsoft.graph.identityGovernance.workflow"
            })),
        )
        .await;
    r.expect(204);
    assert!(r.text.is_empty());
    let after = t.get(&wf_path(&id)).await;
    after.expect(200);
    assert_eq!(after.body["displayName"], "After");
    assert_eq!(after.body["description"], "changed");
    assert_eq!(after.body["isEnabled"], false);
    assert_eq!(after.body["version"], 1, "PATCH must not create a version");
    assert_eq!(
        after.body["createdDateTime"],
        before.body["createdDateTime"]
    );
    assert_eq!(after.body["createdBy"]["id"], DEFAULT_APP_OID);
    assert_eq!(after.body["lastModifiedBy"]["id"], editor.as_str());
    let (b, a) = (
        before.body["lastModifiedDateTime"].as_str().unwrap(),
        after.body["lastModifiedDateTime"].as_str().unwrap(),
    );
    let parse = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap();
    assert!(
        parse(a) > parse(b),
        "lastModifiedDateTime did not move: {b} -> {a}"
    );
    // The current version's snapshot shows the new name too.
    let v1 = t.get(&format!("{}/versions/1", wf_path(&id))).await;
    v1.expect(200);
    assert_eq!(v1.body["displayName"], "After");

    // Re-sending stored values unchanged (an SDK round trip) is fine.
    let conditions = after.body["executionConditions"].clone();
    t.patch(
        &wf_path(&id),
        &json!({"executionConditions": conditions, "category": "joiner"}),
    )
    .await
    .expect(204);
});

both_backends!(patch_rejects_definition_changes_and_bad_scheduling, |t| {
    let id = t.create_workflow(&joiner_workflow("W")).await;
    let mut conditions = joiner_workflow("x")["executionConditions"].clone();
    conditions["trigger"]["offsetInDays"] = json!(3);
    let r = t
        .patch(&wf_path(&id), &json!({"executionConditions": conditions}))
        .await;
    expect_bad_field(&r, "executionConditions");
    let r = t.patch(&wf_path(&id), &json!({"category": "leaver"})).await;
    expect_bad_field(&r, "category");
    let r = t
        .patch(
            &wf_path(&id),
            &json!({"isEnabled": false, "isSchedulingEnabled": true}),
        )
        .await;
    expect_bad_field(&r, "isSchedulingEnabled");
    // isEnabled is true from creation: scheduling may be switched on alone...
    t.patch(&wf_path(&id), &json!({"isSchedulingEnabled": true}))
        .await
        .expect(204);
    // ...but then disabling without unscheduling is refused.
    let r = t.patch(&wf_path(&id), &json!({"isEnabled": false})).await;
    expect_bad_field(&r, "isSchedulingEnabled");
    let r = t.patch(&wf_path(&id), &json!({"displayName": ""})).await;
    expect_bad_field(&r, "displayName");
    let r = t.patch(&wf_path(&id), &json!({"foo": 1})).await;
    expect_bad_field(&r, "foo");
    // Nothing of the refused patches stuck.
    let got = t.get(&wf_path(&id)).await;
    assert_eq!(got.body["category"], "joiner");
    assert_eq!(got.body["isEnabled"], true);
    assert_eq!(got.body["displayName"], "W");
    assert_eq!(
        got.body["executionConditions"]["trigger"]["offsetInDays"],
        -7
    );
});

both_backends!(create_with_scheduling_but_disabled_is_rejected, |t| {
    let mut body = joiner_workflow("W");
    body["isEnabled"] = json!(false);
    body["isSchedulingEnabled"] = json!(true);
    let r = t.post(&format!("{LW}/workflows"), &body).await;
    expect_bad_field(&r, "isSchedulingEnabled");
});

// One invalid body per rule; each must be a 400 naming the field.
both_backends!(create_validation_errors_name_the_field, |t| {
    let path = format!("{LW}/workflows");
    let base = joiner_workflow("Valid");
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = base.clone();
        f(&mut b);
        b
    };
    let cases: Vec<(&str, Value)> = vec![
        (
            "displayName",
            with(&|b| {
                b.as_object_mut().unwrap().remove("displayName");
            }),
        ),
        (
            "category",
            with(&|b| {
                b.as_object_mut().unwrap().remove("category");
            }),
        ),
        (
            "executionConditions",
            with(&|b| {
                b.as_object_mut().unwrap().remove("executionConditions");
            }),
        ),
        (
            "tasks",
            with(&|b| {
                b.as_object_mut().unwrap().remove("tasks");
            }),
        ),
        ("tasks", with(&|b| b["tasks"] = json!([]))),
        ("foo", with(&|b| b["foo"] = json!(1))),
        ("category", with(&|b| b["category"] = json!("hr"))),
        (
            "offsetInDays",
            with(&|b| b["executionConditions"]["trigger"]["offsetInDays"] = json!(181)),
        ),
        (
            "offsetInDays",
            with(&|b| b["executionConditions"]["trigger"]["offsetInDays"] = json!(-181)),
        ),
        (
            "taskDefinitionId",
            with(&|b| {
                b["tasks"][0]["taskDefinitionId"] = json!("00000000-1111-2222-3333-444444444444")
            }),
        ),
        // A leaver-only task in a joiner workflow.
        (
            "taskDefinitionId",
            with(&|b| b["tasks"][0]["taskDefinitionId"] = json!(DELETE_ACCOUNT)),
        ),
        // An argument the definition does not take.
        (
            "arguments",
            with(&|b| b["tasks"][0]["arguments"] = json!([{"name": "colour", "value": "red"}])),
        ),
        // add-to-groups without its groupID.
        (
            "groupID",
            with(
                &|b| b["tasks"][0] = json!({"displayName": "Groups", "taskDefinitionId": ADD_TO_GROUPS, "arguments": []}),
            ),
        ),
        // An enum argument with a value outside its list.
        (
            "enableOnPremisesAccount",
            with(&|b| {
                b["tasks"][0]["arguments"] =
                    json!([{"name": "enableOnPremisesAccount", "value": "maybe"}])
            }),
        ),
        (
            "rule",
            with(&|b| {
                b["executionConditions"]["scope"]["rule"] = json!("department eq 'Sales' and (")
            }),
        ),
        (
            "scope",
            with(&|b| {
                b["executionConditions"]["trigger"] = json!({
                    "@odata.type": "#microsoft.graph.identityGovernance.membershipChangeTrigger",
                    "changeType": "add"
                })
            }),
        ),
        (
            "displayName",
            with(&|b| {
                b["tasks"][1]
                    .as_object_mut()
                    .unwrap()
                    .remove("displayName")
                    .map(|_| ())
                    .unwrap()
            }),
        ),
        (
            "tasks",
            with(&|b| {
                let one = b["tasks"][0].clone();
                b["tasks"] = Value::Array(vec![one; 26]);
            }),
        ),
        (
            "@odata.type",
            with(&|b| {
                b["executionConditions"]["trigger"]["@odata.type"] =
                    json!("#microsoft.graph.identityGovernance.noSuchTrigger")
            }),
        ),
        ("isEnabled", with(&|b| b["isEnabled"] = json!("yes"))),
    ];
    for (field, body) in cases {
        let r = t.post(&path, &body).await;
        assert_eq!(
            r.status, 400,
            "expected 400 for '{field}' case: {body} -> {}",
            r.text
        );
        expect_bad_field(&r, field);
    }
    // None of them was stored.
    assert_eq!(t.get(&format!("{LW}/workflows/$count")).await.text, "0");
    // 25 tasks is the limit, not an error.
    let mut ok = base.clone();
    let one = ok["tasks"][0].clone();
    ok["tasks"] = Value::Array(vec![one; 25]);
    let r = t.post(&path, &ok).await;
    r.expect(201);
    assert_eq!(r.body["tasks"][24]["executionSequence"], 25);
    // offsetInDays at both ends of the range is fine.
    for n in [180, -180] {
        let mut b = base.clone();
        b["executionConditions"]["trigger"]["offsetInDays"] = json!(n);
        t.post(&path, &b).await.expect(201);
    }
});

both_backends!(read_only_properties_and_annotations_are_ignored, |t| {
    let mut body = joiner_workflow("Round trip");
    let m = body.as_object_mut().unwrap();
    m.insert(
        "@odata.context".into(),
        json!("https://graph.microsoft.com/beta/$metadata#x"),
    );
    m.insert(
        "@odata.type".into(),
        json!("#microsoft.graph.identityGovernance.workflow"),
    );
    m.insert("@odata.etag".into(), json!("W/\"1\""));
    m.insert("version".into(), json!(7));
    m.insert(
        "createdDateTime".into(),
        json!("2001-01-01T00:00:00.000000+00:00"),
    );
    m.insert("lastModifiedDateTime".into(), json!("2001-01-01T00:00:00Z"));
    m.insert(
        "createdBy".into(),
        json!({"id": "11111111-1111-1111-1111-111111111111"}),
    );
    m.insert("deletedDateTime".into(), Value::Null);
    m.insert("nextScheduleRunDateTime".into(), Value::Null);
    m.insert("tasks@odata.context".into(), json!("whatever"));
    body["tasks"][0]["id"] = json!("not-a-guid-but-read-only");
    body["tasks"][0]["executionSequence"] = json!(9);
    body["tasks"][0]["category"] = json!("leaver");
    let r = t.post(&format!("{LW}/workflows"), &body).await;
    r.expect(201);
    assert_eq!(r.body["version"], 1);
    assert_ne!(r.body["createdDateTime"], "2001-01-01T00:00:00Z");
    assert_eq!(r.body["createdBy"]["id"], DEFAULT_APP_OID);
    assert_eq!(r.body["tasks"][0]["executionSequence"], 1);
    assert_eq!(r.body["tasks"][0]["category"], "joiner,leaver");
    assert!(model::is_guid(r.body["tasks"][0]["id"].as_str().unwrap()));
    assert!(!r.text.contains("whatever"));
    assert!(!r.text.contains("#x"));

    // A full GET body posted back to createNewVersion, `@odata.context` inside `workflow`.
    let id = r.body["id"].as_str().unwrap();
    let got = t.get(&wf_path(id)).await;
    let mut wf = got.body.clone();
    wf["description"] = json!("second");
    let r = t
        .post(
            &format!(
                "{}/microsoft.graph.identityGovernance.createNewVersion",
                wf_path(id)
            ),
            &json!({"workflow": wf}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.body["description"], "second");
});

both_backends!(malformed_empty_and_oversized_bodies, |t| {
    let path = format!("{LW}/workflows");
    let json_ct = [("content-type", "application/json")];
    let r = t
        .raw(
            "POST",
            &path,
            Some(&t.token),
            &json_ct,
            Some(b"{\"displayName\": ".to_vec()),
        )
        .await;
    r.expect_error(400, "BadRequest");
    assert!(r.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("JSON"));
    t.raw("POST", &path, Some(&t.token), &json_ct, Some(Vec::new()))
        .await
        .expect_error(400, "BadRequest");
    t.raw("POST", &path, Some(&t.token), &[], None)
        .await
        .expect_error(400, "BadRequest");
    t.raw(
        "POST",
        &path,
        Some(&t.token),
        &json_ct,
        Some(b"[1,2]".to_vec()),
    )
    .await
    .expect_error(400, "BadRequest");
    t.raw(
        "POST",
        &path,
        Some(&t.token),
        &json_ct,
        Some(b"\"text\"".to_vec()),
    )
    .await
    .expect_error(400, "BadRequest");
    let id = t.create_workflow(&joiner_workflow("W")).await;
    t.raw(
        "PATCH",
        &wf_path(&id),
        Some(&t.token),
        &json_ct,
        Some(b"{".to_vec()),
    )
    .await
    .expect_error(400, "BadRequest");
    t.raw("PATCH", &wf_path(&id), Some(&t.token), &json_ct, None)
        .await
        .expect_error(400, "BadRequest");
    // Over 1 MiB: refused before parsing.
    let mut big = joiner_workflow("Big");
    big["description"] = json!("x".repeat(1024 * 1024 + 10));
    let r = t.post(&path, &big).await;
    r.expect_error(413, "RequestEntityTooLarge");
    // Just under the limit is parsed (and accepted).
    let mut fits = joiner_workflow("Fits");
    fits["description"] = json!("x".repeat(1000 * 1000));
    t.post(&path, &fits).await.expect(201);
    // A body that is not JSON at all.
    t.raw(
        "POST",
        &path,
        Some(&t.token),
        &[("content-type", "application/xml")],
        Some(b"<workflow/>".to_vec()),
    )
    .await
    .expect_error(415, "UnsupportedMediaType");
    assert_eq!(t.get(&format!("{LW}/workflows/$count")).await.text, "2");
});

both_backends!(a_tenant_holds_at_most_100_workflows, |t| {
    let path = format!("{LW}/workflows");
    let mut first = String::new();
    for i in 0..100 {
        let id = t.create_workflow(&joiner_workflow(&format!("W{i}"))).await;
        if i == 0 {
            first = id;
        }
    }
    let r = t.post(&path, &joiner_workflow("W100")).await;
    r.expect_error(400, "BadRequest");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("100"));
    assert_eq!(t.get(&format!("{LW}/workflows/$count")).await.text, "100");
    // Soft-deleted workflows do not count...
    t.delete(&wf_path(&first)).await.expect(204);
    let extra = t.create_workflow(&joiner_workflow("W100")).await;
    // ...but restoring one over the limit is refused.
    t.post(
        &format!("{LW}/deletedItems/workflows/{first}/restore"),
        &json!({}),
    )
    .await
    .expect_error(400, "BadRequest");
    t.delete(&wf_path(&extra)).await.expect(204);
    t.post(
        &format!("{LW}/deletedItems/workflows/{first}/restore"),
        &json!({}),
    )
    .await
    .expect(200);
    // Another tenant is not affected.
    let other = Tenant::new(t.backend()).unwrap();
    other.create_workflow(&joiner_workflow("Elsewhere")).await;
});

both_backends!(tasks_list_get_count_and_patch, |t| {
    let id = t.create_workflow(&joiner_workflow("W")).await;
    let tasks_path = format!("{}/tasks", wf_path(&id));
    let list = t.get(&tasks_path).await;
    list.expect(200);
    assert!(list.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with(&format!("workflows('{id}')/tasks")));
    let tids = ids(&list.body);
    assert_eq!(tids.len(), 2);
    let count = t.get(&format!("{tasks_path}/$count")).await;
    assert_eq!(count.text, "2");
    let one = t.get(&format!("{tasks_path}/{}", tids[1])).await;
    one.expect(200);
    assert_eq!(one.body["displayName"], "Welcome mail");
    assert_eq!(one.body["executionSequence"], 2);
    assert!(one.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with(&format!("workflows('{id}')/tasks/$entity")));
    // Task ids compare case-insensitively.
    t.get(&format!("{tasks_path}/{}", tids[1].to_uppercase()))
        .await
        .expect(200);
    t.get(&format!("{tasks_path}/{}", uuid::Uuid::new_v4()))
        .await
        .expect_error(404, "ResourceNotFound");

    let r = t
        .patch(
            &format!("{tasks_path}/{}", tids[0]),
            &json!({"displayName": "Turn account on", "description": "first"}),
        )
        .await;
    r.expect(204);
    let one = t.get(&format!("{tasks_path}/{}", tids[0])).await;
    assert_eq!(one.body["displayName"], "Turn account on");
    assert_eq!(one.body["description"], "first");
    // Renaming does not version.
    let wf = t.get(&wf_path(&id)).await;
    assert_eq!(wf.body["version"], 1);
    assert_eq!(wf.body["tasks"][0]["displayName"], "Turn account on");
    let v1 = t.get(&format!("{}/versions/1/tasks", wf_path(&id))).await;
    assert_eq!(v1.body["value"][0]["displayName"], "Turn account on");

    for (field, body) in [
        ("isEnabled", json!({"isEnabled": false})),
        ("continueOnError", json!({"continueOnError": true})),
        (
            "arguments",
            json!({"arguments": [{"name": "enableOnPremisesAccount", "value": "true"}]}),
        ),
        (
            "taskDefinitionId",
            json!({"taskDefinitionId": WELCOME_MAIL}),
        ),
        ("displayName", json!({"displayName": "  "})),
        ("foo", json!({"foo": "bar"})),
    ] {
        let r = t.patch(&format!("{tasks_path}/{}", tids[0]), &body).await;
        expect_bad_field(&r, field);
    }
    t.patch(
        &format!("{tasks_path}/{}", uuid::Uuid::new_v4()),
        &json!({"displayName": "x"}),
    )
    .await
    .expect_error(404, "ResourceNotFound");
});

both_backends!(adding_and_removing_tasks_makes_new_versions, |t| {
    let id = t.create_workflow(&joiner_workflow("W")).await;
    let tasks_path = format!("{}/tasks", wf_path(&id));
    let r = t
        .post(
            &tasks_path,
            &json!({"displayName": "Groups", "taskDefinitionId": ADD_TO_GROUPS,
                     "arguments": [{"name": "groupID", "value": "11111111-2222-3333-4444-555555555555"}]}),
        )
        .await;
    r.expect(201);
    let new_task = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.body["executionSequence"], 3);
    assert_eq!(r.body["category"], "joiner,leaver,unknownFutureValue");
    assert!(r.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with(&format!("workflows('{id}')/tasks/$entity")));
    let wf = t.get(&wf_path(&id)).await;
    assert_eq!(wf.body["version"], 2);
    assert_eq!(wf.body["tasks"].as_array().unwrap().len(), 3);
    let versions = t.get(&format!("{}/versions", wf_path(&id))).await;
    versions.expect(200);
    let numbers: Vec<i64> = versions.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["versionNumber"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![1, 2]);
    assert_eq!(
        t.get(&format!("{}/versions/1/tasks/$count", wf_path(&id)))
            .await
            .text,
        "2"
    );
    assert_eq!(
        t.get(&format!("{}/versions/2/tasks/$count", wf_path(&id)))
            .await
            .text,
        "3"
    );

    // Invalid tasks are refused without a new version.
    for (field, body) in [
        (
            "taskDefinitionId",
            json!({"displayName": "Del", "taskDefinitionId": DELETE_ACCOUNT}),
        ),
        (
            "groupID",
            json!({"displayName": "G", "taskDefinitionId": ADD_TO_GROUPS}),
        ),
        ("displayName", json!({"taskDefinitionId": WELCOME_MAIL})),
        (
            "foo",
            json!({"displayName": "x", "taskDefinitionId": WELCOME_MAIL, "foo": 1}),
        ),
    ] {
        let r = t.post(&tasks_path, &body).await;
        expect_bad_field(&r, field);
    }
    assert_eq!(t.get(&wf_path(&id)).await.body["version"], 2);

    // Delete the first task: version 3, the rest move up.
    let first = wf.body["tasks"][0]["id"].as_str().unwrap().to_string();
    t.delete(&format!("{tasks_path}/{first}")).await.expect(204);
    let wf = t.get(&wf_path(&id)).await;
    assert_eq!(wf.body["version"], 3);
    let tasks = wf.body["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[1]["id"], new_task.as_str());
    assert_eq!(tasks[1]["executionSequence"], 2);
    t.delete(&format!("{tasks_path}/{first}"))
        .await
        .expect_error(404, "ResourceNotFound");
    // Down to one task; the last one cannot go.
    let second = tasks[0]["id"].as_str().unwrap().to_string();
    t.delete(&format!("{tasks_path}/{second}"))
        .await
        .expect(204);
    let r = t.delete(&format!("{tasks_path}/{new_task}")).await;
    r.expect_error(400, "BadRequest");
    let wf = t.get(&wf_path(&id)).await;
    assert_eq!(wf.body["version"], 4);
    assert_eq!(wf.body["tasks"].as_array().unwrap().len(), 1);
});

both_backends!(a_workflow_holds_at_most_25_tasks, |t| {
    let mut body = joiner_workflow("Full");
    let one = body["tasks"][0].clone();
    body["tasks"] = Value::Array(vec![one; 25]);
    let id = t.create_workflow(&body).await;
    let r = t
        .post(
            &format!("{}/tasks", wf_path(&id)),
            &json!({"displayName": "26th", "taskDefinitionId": WELCOME_MAIL}),
        )
        .await;
    r.expect_error(400, "BadRequest");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("25"));
    assert_eq!(t.get(&wf_path(&id)).await.body["version"], 1);
});

both_backends!(create_new_version_and_read_versions, |t| {
    let id = t.create_workflow(&joiner_workflow("V")).await;
    let first = t.get(&wf_path(&id)).await;
    pause().await;
    let mut def = joiner_workflow("V2");
    def["executionConditions"]["trigger"]["offsetInDays"] = json!(-3);
    def["tasks"] = json!([{"displayName": "Only mail", "taskDefinitionId": WELCOME_MAIL}]);
    let r = t
        .post(
            &format!(
                "{}/microsoft.graph.identityGovernance.createNewVersion",
                wf_path(&id)
            ),
            &json!({"workflow": def}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["id"], id.as_str());
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.body["displayName"], "V2");
    // As the docs show it: the action's return type as context, no `@odata.type`.
    assert!(r.body.get("@odata.type").is_none(), "{}", r.text);
    assert!(r.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#microsoft.graph.identityGovernance.workflow"));
    assert_eq!(r.body["createdDateTime"], first.body["createdDateTime"]);
    assert_eq!(r.body["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["executionConditions"]["trigger"]["offsetInDays"], -3);
    let v2_made_at = r.body["lastModifiedDateTime"].clone();
    pause().await;
    // The short spelling reaches the same action.
    let mut def3 = joiner_workflow("V3");
    def3["@odata.type"] = json!("#microsoft.graph.identityGovernance.workflow");
    let r = t
        .post(
            &format!("{}/createNewVersion", wf_path(&id)),
            &json!({"workflow": def3}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["version"], 3);

    let got = t.get(&wf_path(&id)).await;
    assert_eq!(got.body["version"], 3);
    assert_eq!(got.body["displayName"], "V3");

    let versions = t.get(&format!("{}/versions", wf_path(&id))).await;
    versions.expect(200);
    let v = versions.body["value"].as_array().unwrap();
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["versionNumber"], 1);
    assert_eq!(v[0]["displayName"], "V");
    assert!(v[0].get("tasks").is_none(), "version list carries tasks");
    assert_eq!(
        t.get(&format!("{}/versions/$count", wf_path(&id)))
            .await
            .text,
        "3"
    );

    let v1 = t.get(&format!("{}/versions/1", wf_path(&id))).await;
    v1.expect(200);
    assert_eq!(v1.body["versionNumber"], 1);
    assert_eq!(v1.body["tasks"].as_array().unwrap().len(), 2);
    assert_eq!(
        v1.body["executionConditions"]["trigger"]["offsetInDays"],
        -7
    );
    assert!(v1.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with(&format!("workflows('{id}')/versions/$entity")));
    assert!(v1.body["tasks@odata.context"]
        .as_str()
        .unwrap()
        .ends_with(&format!("workflows('{id}')/versions(1)/tasks")));
    let v2 = t.get(&format!("{}/versions/2", wf_path(&id))).await;
    // The previous version was last modified when its successor was made.
    let parse = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert!(parse(&v1.body["lastModifiedDateTime"]) > parse(&first.body["lastModifiedDateTime"]));
    assert_eq!(v1.body["lastModifiedDateTime"], v2_made_at);
    assert!(parse(&v2.body["lastModifiedDateTime"]) > parse(&v1.body["createdDateTime"]));

    let v2tasks = t.get(&format!("{}/versions/2/tasks", wf_path(&id))).await;
    v2tasks.expect(200);
    let v2ids = ids(&v2tasks.body);
    assert_eq!(v2ids.len(), 1);
    let task = t
        .get(&format!("{}/versions/2/tasks/{}", wf_path(&id), v2ids[0]))
        .await;
    task.expect(200);
    assert_eq!(task.body["displayName"], "Only mail");

    t.get(&format!("{}/versions/9", wf_path(&id)))
        .await
        .expect_error(404, "ResourceNotFound");
    t.get(&format!("{}/versions/abc", wf_path(&id)))
        .await
        .expect_error(400, "BadRequest");

    // Versions are read-only.
    let vt = format!("{}/versions/1/tasks", wf_path(&id));
    t.post(
        &vt,
        &json!({"displayName": "x", "taskDefinitionId": WELCOME_MAIL}),
    )
    .await
    .expect_error(400, "BadRequest");
    let v1task = v1.body["tasks"][0]["id"].as_str().unwrap();
    t.patch(&format!("{vt}/{v1task}"), &json!({"displayName": "x"}))
        .await
        .expect_error(400, "BadRequest");
    t.delete(&format!("{vt}/{v1task}"))
        .await
        .expect_error(400, "BadRequest");
    assert_eq!(
        t.get(&format!("{vt}/{v1task}")).await.body["displayName"],
        "Enable account"
    );
});

both_backends!(create_new_version_errors, |t| {
    let id = t.create_workflow(&joiner_workflow("V")).await;
    let action = format!(
        "{}/microsoft.graph.identityGovernance.createNewVersion",
        wf_path(&id)
    );
    expect_bad_field(&t.post(&action, &json!({})).await, "workflow");
    expect_bad_field(
        &t.post(
            &action,
            &json!({"workflow": joiner_workflow("x"), "extra": 1}),
        )
        .await,
        "extra",
    );
    let mut bad = joiner_workflow("x");
    bad["executionConditions"]["trigger"]["offsetInDays"] = json!(500);
    expect_bad_field(
        &t.post(&action, &json!({"workflow": bad})).await,
        "offsetInDays",
    );
    let mut bad = joiner_workflow("x");
    bad["tasks"][0]["taskDefinitionId"] = json!(DELETE_ACCOUNT);
    expect_bad_field(
        &t.post(&action, &json!({"workflow": bad})).await,
        "taskDefinitionId",
    );
    t.raw(
        "POST",
        &action,
        Some(&t.token),
        &[("content-type", "application/json")],
        None,
    )
    .await
    .expect_error(400, "BadRequest");
    t.post(
        &format!("{LW}/workflows/{}/createNewVersion", uuid::Uuid::new_v4()),
        &json!({"workflow": joiner_workflow("x")}),
    )
    .await
    .expect_error(404, "ResourceNotFound");
    assert_eq!(t.get(&wf_path(&id)).await.body["version"], 1);
    assert_eq!(
        t.get(&format!("{}/versions/$count", wf_path(&id)))
            .await
            .text,
        "1"
    );
});

both_backends!(created_by_and_last_modified_by_navigations, |t| {
    let creator = uuid::Uuid::new_v4().to_string();
    let editor = uuid::Uuid::new_v4().to_string();
    let ct = t.token_with(&["--object-id", &creator]);
    let et = t.token_with(&["--object-id", &editor]);
    let r = t
        .send_as(
            &ct,
            "POST",
            &format!("{LW}/workflows"),
            Some(&joiner_workflow("W")),
        )
        .await;
    let id = r.body["id"].as_str().unwrap().to_string();
    t.send_as(
        &et,
        "PATCH",
        &wf_path(&id),
        Some(&json!({"displayName": "W2"})),
    )
    .await
    .expect(204);
    let cb = t.get(&format!("{}/createdBy", wf_path(&id))).await;
    cb.expect(200);
    assert_eq!(cb.body["id"], creator.as_str());
    let lb = t.get(&format!("{}/lastModifiedBy", wf_path(&id))).await;
    lb.expect(200);
    assert_eq!(lb.body["id"], editor.as_str());
    let v = t
        .get(&format!("{}/versions/1/createdBy", wf_path(&id)))
        .await;
    v.expect(200);
    assert_eq!(v.body["id"], creator.as_str());
    let e = t
        .get(&format!(
            "{}?$expand=createdBy,lastModifiedBy",
            wf_path(&id)
        ))
        .await;
    e.expect(200);
    assert_eq!(e.body["createdBy"]["id"], creator.as_str());
    assert_eq!(e.body["lastModifiedBy"]["id"], editor.as_str());
    t.get(&format!(
        "{LW}/workflows/{}/createdBy",
        uuid::Uuid::new_v4()
    ))
    .await
    .expect_error(404, "ResourceNotFound");
});

both_backends!(delete_restore_and_purge, |t| {
    let id = t.create_workflow(&leaver_workflow("Leaving")).await;
    let keep = t.create_workflow(&joiner_workflow("Staying")).await;
    // A second version so the deleted subtree has history.
    t.post(
        &format!("{}/createNewVersion", wf_path(&id)),
        &json!({"workflow": leaver_workflow("Leaving v2")}),
    )
    .await
    .expect(200);
    let deleted_path = format!("{LW}/deletedItems/workflows/{id}");
    // Not deleted yet: nothing under deletedItems, restore refused.
    t.get(&deleted_path)
        .await
        .expect_error(404, "ResourceNotFound");
    expect_bad_field(
        &t.post(
            &format!(
                "{}/microsoft.graph.identityGovernance.restore",
                wf_path(&id)
            ),
            &json!({}),
        )
        .await,
        &id,
    );

    t.delete(&wf_path(&id)).await.expect(204);
    t.get(&wf_path(&id))
        .await
        .expect_error(404, "ResourceNotFound");
    t.get(&format!("{}/tasks", wf_path(&id)))
        .await
        .expect_error(404, "ResourceNotFound");
    t.delete(&wf_path(&id))
        .await
        .expect_error(404, "ResourceNotFound");
    let live = t.get(&format!("{LW}/workflows")).await;
    assert_eq!(ids(&live.body), vec![keep.clone()]);

    let list = t.get(&format!("{LW}/deletedItems/workflows")).await;
    list.expect(200);
    assert_eq!(ids(&list.body), vec![id.clone()]);
    assert!(list.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#identityGovernance/lifecycleWorkflows/deletedItems/workflows"));
    let deleted_at = list.body["value"][0]["deletedDateTime"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(chrono::DateTime::parse_from_rfc3339(&deleted_at).is_ok());
    assert_eq!(
        t.get(&format!("{LW}/deletedItems/workflows/$count"))
            .await
            .text,
        "1"
    );
    let sel = t
        .get(&format!(
            "{LW}/deletedItems/workflows?$select=displayName,deletedDateTime"
        ))
        .await;
    sel.expect(200);
    assert!(sel.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("deletedItems/workflows(displayName,deletedDateTime)"));
    assert_eq!(sel.body["value"][0]["displayName"], "Leaving v2");
    assert!(sel.body["value"][0].get("category").is_none());

    let one = t.get(&deleted_path).await;
    one.expect(200);
    assert_eq!(one.body["deletedDateTime"], deleted_at.as_str());
    assert_eq!(one.body["version"], 2);
    let tasks = t.get(&format!("{deleted_path}/tasks")).await;
    tasks.expect(200);
    let task_id = ids(&tasks.body)[0].clone();
    t.get(&format!("{deleted_path}/tasks/{task_id}"))
        .await
        .expect(200);
    assert_eq!(
        t.get(&format!("{deleted_path}/tasks/$count")).await.text,
        "1"
    );
    let versions = t.get(&format!("{deleted_path}/versions")).await;
    versions.expect(200);
    assert_eq!(versions.body["value"].as_array().unwrap().len(), 2);
    t.get(&format!("{deleted_path}/versions/1"))
        .await
        .expect(200);
    t.get(&format!("{deleted_path}/versions/1/tasks"))
        .await
        .expect(200);
    t.get(&format!("{deleted_path}/createdBy"))
        .await
        .expect(200);
    let targets = t
        .get(&format!("{deleted_path}/administrationScopeTargets"))
        .await;
    targets.expect(200);

    // Writes under deletedItems are refused.
    t.patch(
        &format!("{deleted_path}/tasks/{task_id}"),
        &json!({"displayName": "x"}),
    )
    .await
    .expect_error(400, "BadRequest");
    t.post(
        &format!("{deleted_path}/tasks"),
        &json!({"displayName": "x", "taskDefinitionId": DELETE_ACCOUNT}),
    )
    .await
    .expect_error(400, "BadRequest");
    t.delete(&format!("{deleted_path}/tasks/{task_id}"))
        .await
        .expect_error(400, "BadRequest");
    t.post(
        &format!("{deleted_path}/microsoft.graph.identityGovernance.createNewVersion"),
        &json!({"workflow": leaver_workflow("x")}),
    )
    .await
    .expect_error(400, "BadRequest");
    assert_eq!(t.get(&deleted_path).await.body["version"], 2);

    // Restore (namespaced spelling, no body as the SDK sends it).
    let r = t
        .raw(
            "POST",
            &format!("{deleted_path}/microsoft.graph.identityGovernance.restore"),
            Some(&t.token),
            &[("content-length", "0")],
            None,
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["id"], id.as_str());
    assert_eq!(r.body["deletedDateTime"], Value::Null);
    assert_eq!(r.body["version"], 2);
    assert_eq!(
        r.body["@odata.type"],
        "#microsoft.graph.identityGovernance.workflow"
    );
    assert_eq!(r.body["tasks"].as_array().unwrap().len(), 1);
    t.get(&deleted_path)
        .await
        .expect_error(404, "ResourceNotFound");
    assert_eq!(
        t.get(&format!("{LW}/deletedItems/workflows/$count"))
            .await
            .text,
        "0"
    );
    let back = t.get(&wf_path(&id)).await;
    back.expect(200);
    assert_eq!(back.body["deletedDateTime"], Value::Null);
    assert_eq!(t.get(&format!("{LW}/workflows/$count")).await.text, "2");
    // Restoring a live workflow is refused.
    t.post(&format!("{deleted_path}/restore"), &json!({}))
        .await
        .expect_error(404, "ResourceNotFound");
    t.post(&format!("{}/restore", wf_path(&id)), &json!({}))
        .await
        .expect_error(400, "BadRequest");

    // Delete again, restore with the short spelling, delete, then purge.
    t.delete(&wf_path(&id)).await.expect(204);
    t.post(&format!("{deleted_path}/restore"), &json!({}))
        .await
        .expect(200);
    t.delete(&wf_path(&id)).await.expect(204);
    // Purging a live workflow is not possible through deletedItems.
    t.delete(&format!("{LW}/deletedItems/workflows/{keep}"))
        .await
        .expect_error(404, "ResourceNotFound");
    t.delete(&deleted_path).await.expect(204);
    for p in [
        wf_path(&id),
        deleted_path.clone(),
        format!("{deleted_path}/tasks"),
        format!("{deleted_path}/versions"),
        format!("{deleted_path}/versions/1"),
        format!("{}/versions", wf_path(&id)),
    ] {
        t.get(&p).await.expect_error(404, "ResourceNotFound");
    }
    t.post(&format!("{deleted_path}/restore"), &json!({}))
        .await
        .expect_error(404, "ResourceNotFound");
    t.delete(&deleted_path)
        .await
        .expect_error(404, "ResourceNotFound");
    assert_eq!(
        t.get(&format!("{LW}/deletedItems/workflows/$count"))
            .await
            .text,
        "0"
    );
    // The other workflow is untouched.
    t.get(&wf_path(&keep)).await.expect(200);
});

both_backends!(administration_scope_targets_are_empty, |t| {
    let id = t.create_workflow(&joiner_workflow("W")).await;
    let base = format!("{}/administrationScopeTargets", wf_path(&id));
    let list = t.get(&base).await;
    list.expect(200);
    assert_eq!(list.body["value"], json!([]));
    assert_eq!(t.get(&format!("{base}/$count")).await.text, "0");
    t.get(&format!("{base}/{}", uuid::Uuid::new_v4()))
        .await
        .expect_error(404, "ResourceNotFound");
    let vbase = format!("{}/versions/1/administrationScopeTargets", wf_path(&id));
    t.get(&vbase).await.expect(200);
    assert_eq!(t.get(&format!("{vbase}/$count")).await.text, "0");
    t.get(&format!(
        "{}/versions/5/administrationScopeTargets",
        wf_path(&id)
    ))
    .await
    .expect_error(404, "ResourceNotFound");
    t.get(&format!(
        "{LW}/workflows/{}/administrationScopeTargets",
        uuid::Uuid::new_v4()
    ))
    .await
    .expect_error(404, "ResourceNotFound");
    let e = t
        .get(&format!(
            "{}?$expand=administrationScopeTargets",
            wf_path(&id)
        ))
        .await;
    e.expect(200);
    assert_eq!(e.body["administrationScopeTargets"], json!([]));
});

both_backends!(tenants_do_not_see_each_other, |t| {
    let id = t.create_workflow(&joiner_workflow("Mine")).await;
    let other = Tenant::new(t.backend()).unwrap();
    other
        .get(&wf_path(&id))
        .await
        .expect_error(404, "ResourceNotFound");
    other
        .patch(&wf_path(&id), &json!({"displayName": "stolen"}))
        .await
        .expect_error(404, "ResourceNotFound");
    other
        .delete(&wf_path(&id))
        .await
        .expect_error(404, "ResourceNotFound");
    assert_eq!(other.get(&format!("{LW}/workflows/$count")).await.text, "0");
    assert_eq!(t.get(&wf_path(&id)).await.body["displayName"], "Mine");
});
