//! Hardening: the order of errors on writes to existing objects (the object is looked up
//! before the body is judged), and the limits on what a body may hold.

use serde_json::json;

use crate::both_backends;
use crate::harness::{joiner_workflow, Resp, Tenant, LW};

const MISSING_ID: &str = "00000000-0000-0000-0000-00000000dead";
const WORKFLOW_NOT_FOUND: &str = "ResourceNotFound";
const DIRECTORY_NOT_FOUND: &str = "Request_ResourceNotFound";
const DELETED: &str = "The workflow is deleted; restore it before changing it.";
const ENABLE_ACCOUNT: &str = "6fc52c9d-398b-4305-9763-15f42c1676fc";
const RULE: &str = "executionConditions.scope.rule";

/// A request each of these bodies makes doubly wrong when its target is missing too: none,
/// not JSON, not an object, and an object the operation refuses.
fn bad_bodies() -> Vec<Option<Vec<u8>>> {
    vec![
        None,
        Some(b"{\"displayName\": ".to_vec()),
        Some(b"[1, 2]".to_vec()),
        Some(br#"{"shoeSize": 4}"#.to_vec()),
    ]
}

/// Send every bad body to `path` and hand each answer to `check`.
async fn with_bad_bodies(t: &Tenant, method: &str, path: &str, check: impl Fn(&Resp)) {
    for body in bad_bodies() {
        let r = t
            .raw(
                method,
                path,
                Some(&t.token),
                &[("content-type", "application/json")],
                body,
            )
            .await;
        check(&r);
    }
}

fn expect_deleted(r: &Resp) {
    r.expect_error(400, "BadRequest");
    assert_eq!(r.body["error"]["message"], DELETED, "{}", r.text);
}

fn expect_target(r: &Resp, target: &str) {
    r.expect_error(400, "BadRequest");
    assert_eq!(r.body["error"]["target"], target, "{}", r.text);
}

fn chars(n: usize) -> String {
    "n".repeat(n)
}

async fn create_extension(t: &Tenant) -> String {
    let r = t
        .post(
            &format!("{LW}/customTaskExtensions"),
            &json!({
                "displayName": "Callout",
                "endpointConfiguration": {
                    "@odata.type": "#microsoft.graph.logicAppTriggerEndpointConfiguration",
                    "subscriptionId": "c500b67c-e9b7-4ad2-a90d-77d41385ae55",
                    "resourceGroupName": "RG-LCM",
                    "logicAppWorkflowName": "ManagerAccess"
                },
                "authenticationConfiguration": {
                    "@odata.type": "#microsoft.graph.azureAdPopTokenAuthentication"
                }
            }),
        )
        .await;
    r.expect(201);
    r.body["id"].as_str().unwrap().to_string()
}

// ---- 404 (or "deleted") before a bad body ----

both_backends!(a_missing_workflow_answers_404_whatever_the_body, |t| {
    let wf = format!("{LW}/workflows/{MISSING_ID}");
    let not_found = |r: &Resp| {
        r.expect_error(404, WORKFLOW_NOT_FOUND);
    };
    with_bad_bodies(&t, "PATCH", &wf, not_found).await;
    with_bad_bodies(&t, "POST", &format!("{wf}/tasks"), not_found).await;
    with_bad_bodies(&t, "PATCH", &format!("{wf}/tasks/{MISSING_ID}"), not_found).await;
    let new_version = format!("{wf}/microsoft.graph.identityGovernance.createNewVersion");
    with_bad_bodies(&t, "POST", &new_version, not_found).await;
});

both_backends!(a_missing_task_answers_404_whatever_the_body, |t| {
    let id = t.create_workflow(&joiner_workflow("order-task")).await;
    let task = format!("{LW}/workflows/{id}/tasks/{MISSING_ID}");
    with_bad_bodies(&t, "PATCH", &task, |r| {
        r.expect_error(404, WORKFLOW_NOT_FOUND);
    })
    .await;
});

both_backends!(a_deleted_workflow_is_refused_whatever_the_body, |t| {
    let id = t.create_workflow(&joiner_workflow("order-deleted")).await;
    t.delete(&format!("{LW}/workflows/{id}")).await.expect(204);

    // Under /workflows it is gone...
    let live = format!("{LW}/workflows/{id}");
    let not_found = |r: &Resp| {
        r.expect_error(404, WORKFLOW_NOT_FOUND);
    };
    with_bad_bodies(&t, "PATCH", &live, not_found).await;
    with_bad_bodies(&t, "POST", &format!("{live}/tasks"), not_found).await;

    // ...and under deletedItems it must be restored before any change.
    let deleted = format!("{LW}/deletedItems/workflows/{id}");
    with_bad_bodies(&t, "POST", &format!("{deleted}/tasks"), expect_deleted).await;
    let task = format!("{deleted}/tasks/{MISSING_ID}");
    with_bad_bodies(&t, "PATCH", &task, expect_deleted).await;
    let new_version = format!("{deleted}/microsoft.graph.identityGovernance.createNewVersion");
    with_bad_bodies(&t, "POST", &new_version, expect_deleted).await;
});

both_backends!(a_missing_extension_answers_404_whatever_the_body, |t| {
    let ext = format!("{LW}/customTaskExtensions/{MISSING_ID}");
    with_bad_bodies(&t, "PATCH", &ext, |r| {
        r.expect_error(404, WORKFLOW_NOT_FOUND);
    })
    .await;
    // The control: the same bodies to an extension that exists are the body's fault.
    let id = create_extension(&t).await;
    with_bad_bodies(
        &t,
        "PATCH",
        &format!("{LW}/customTaskExtensions/{id}"),
        |r| {
            r.expect_error(400, "BadRequest");
        },
    )
    .await;
});

both_backends!(a_missing_user_answers_404_whatever_the_body, |t| {
    with_bad_bodies(&t, "PATCH", &format!("/users/{MISSING_ID}"), |r| {
        r.expect_error(404, DIRECTORY_NOT_FOUND);
    })
    .await;
});

both_backends!(bad_bodies_to_an_existing_workflow_are_still_refused, |t| {
    let id = t.create_workflow(&joiner_workflow("order-control")).await;
    let wf = format!("{LW}/workflows/{id}");
    let bad = |r: &Resp| {
        r.expect_error(400, "BadRequest");
    };
    with_bad_bodies(&t, "PATCH", &wf, bad).await;
    with_bad_bodies(&t, "POST", &format!("{wf}/tasks"), bad).await;
    let tasks = t.get(&format!("{wf}/tasks")).await;
    let task_id = tasks.body["value"][0]["id"].as_str().unwrap().to_string();
    with_bad_bodies(&t, "PATCH", &format!("{wf}/tasks/{task_id}"), bad).await;
    let new_version = format!("{wf}/microsoft.graph.identityGovernance.createNewVersion");
    with_bad_bodies(&t, "POST", &new_version, bad).await;
    let r = t.post(&new_version, &json!({"shoeSize": 4})).await;
    expect_target(&r, "shoeSize");
    let r = t.post(&new_version, &json!({})).await;
    expect_target(&r, "workflow");
});

// ---- S9: input limits ----

both_backends!(directory_display_names_are_at_most_256_characters, |t| {
    let r = t
        .post(
            "/users",
            &json!({"displayName": chars(257), "userPrincipalName": "long@contoso.test"}),
        )
        .await;
    expect_target(&r, "displayName");
    let r = t
        .post(
            "/users",
            &json!({"displayName": chars(256), "userPrincipalName": "long@contoso.test"}),
        )
        .await;
    r.expect(201);
    let user = format!("/users/{}", r.body["id"].as_str().unwrap());
    let r = t.patch(&user, &json!({"displayName": chars(257)})).await;
    expect_target(&r, "displayName");
    t.patch(&user, &json!({"displayName": "é".repeat(256)}))
        .await
        .expect(204);

    let group =
        |name: String| json!({"displayName": name, "mailEnabled": false, "securityEnabled": true});
    let r = t.post("/groups", &group(chars(257))).await;
    expect_target(&r, "displayName");
    let r = t.post("/groups", &group(chars(256))).await;
    r.expect(201);
    let path = format!("/groups/{}", r.body["id"].as_str().unwrap());
    let r = t.patch(&path, &json!({"displayName": chars(257)})).await;
    expect_target(&r, "displayName");
    t.patch(&path, &json!({"displayName": chars(255)}))
        .await
        .expect(204);
});

both_backends!(a_user_mail_must_be_an_address, |t| {
    const MESSAGE: &str = "Invalid value specified for property 'mail' of resource 'User'.";
    for bad in [
        "not-an-address",
        "ann@",
        "@contoso.test",
        "ann smith@contoso.test",
    ] {
        let r = t
            .post(
                "/users",
                &json!({"displayName": "Ann", "userPrincipalName": "ann@contoso.test", "mail": bad}),
            )
            .await;
        expect_target(&r, "mail");
        assert_eq!(r.body["error"]["message"], MESSAGE, "{bad}: {}", r.text);
    }
    let r = t
        .post(
            "/users",
            &json!({"displayName": "Ann", "userPrincipalName": "ann@contoso.test", "mail": "ann.smith@contoso.test"}),
        )
        .await;
    r.expect(201);
    let user = format!("/users/{}", r.body["id"].as_str().unwrap());
    let r = t.patch(&user, &json!({"mail": "ann at contoso"})).await;
    expect_target(&r, "mail");
    assert_eq!(r.body["error"]["message"], MESSAGE, "{}", r.text);
    t.patch(&user, &json!({"mail": "ann+hr@contoso.test"}))
        .await
        .expect(204);
    assert_eq!(t.get(&user).await.body["mail"], "ann+hr@contoso.test");
});

both_backends!(workflow_and_task_names_are_capped, |t| {
    let mut long = joiner_workflow("x");
    long["displayName"] = json!(chars(257));
    let r = t.post(&format!("{LW}/workflows"), &long).await;
    expect_target(&r, "displayName");
    long["displayName"] = json!(chars(256));
    let id = t.create_workflow(&long).await;
    let wf = format!("{LW}/workflows/{id}");
    let r = t.patch(&wf, &json!({"displayName": chars(257)})).await;
    expect_target(&r, "displayName");
    t.patch(&wf, &json!({"displayName": chars(200)}))
        .await
        .expect(204);

    let mut long_task = joiner_workflow("long task");
    long_task["tasks"][0]["displayName"] = json!(chars(257));
    let r = t.post(&format!("{LW}/workflows"), &long_task).await;
    expect_target(&r, "tasks[0].displayName");
    long_task["tasks"][0]["displayName"] = json!("ok");
    long_task["tasks"][0]["description"] = json!(chars(1025));
    let r = t.post(&format!("{LW}/workflows"), &long_task).await;
    expect_target(&r, "tasks[0].description");

    let task = |name: String, description: String| json!({"displayName": name, "description": description, "taskDefinitionId": ENABLE_ACCOUNT, "arguments": []});
    let tasks = format!("{wf}/tasks");
    let r = t.post(&tasks, &task(chars(257), "d".into())).await;
    expect_target(&r, "task.displayName");
    let r = t.post(&tasks, &task("ok".into(), chars(1025))).await;
    expect_target(&r, "task.description");
    let r = t.post(&tasks, &task(chars(256), chars(1024))).await;
    r.expect(201);
    let task_path = format!("{tasks}/{}", r.body["id"].as_str().unwrap());
    let r = t
        .patch(&task_path, &json!({"displayName": chars(257)}))
        .await;
    expect_target(&r, "displayName");
    let r = t
        .patch(&task_path, &json!({"description": chars(1025)}))
        .await;
    expect_target(&r, "description");
    t.patch(
        &task_path,
        &json!({"displayName": "short", "description": null}),
    )
    .await
    .expect(204);
});

both_backends!(a_scope_rule_names_only_user_properties, |t| {
    let with_rule = |rule: &str| {
        let mut wf = joiner_workflow("rule");
        wf["executionConditions"]["scope"]["rule"] = json!(rule);
        wf
    };
    for bad in [
        "shoeSize eq 'x'",
        "department eq 'Sales' and employeeOrgData/shoeSize eq '44'",
        "department/length eq 'x'",
        "passwordProfile/password eq 'x'",
    ] {
        let r = t.post(&format!("{LW}/workflows"), &with_rule(bad)).await;
        expect_target(&r, RULE);
        let message = r.body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("is not a property of a user"),
            "{bad}: {}",
            r.text
        );
    }
    for good in [
        "id eq 'x'",
        "(department eq 'Sales' or startswith(jobTitle, 'Dev')) and employeeHireDate ge 2026-01-01T00:00:00Z",
        "employeeOrgData/division eq 'R&D'",
        "otherMails/any(m: m eq 'a@contoso.test')",
    ] {
        t.create_workflow(&with_rule(good)).await;
    }

    // createNewVersion checks the same rule.
    let id = t.create_workflow(&with_rule("department eq 'Sales'")).await;
    let new_version =
        format!("{LW}/workflows/{id}/microsoft.graph.identityGovernance.createNewVersion");
    let mut next = with_rule("costCenter eq '1'");
    next["tasks"] =
        json!([{"displayName": "Enable", "taskDefinitionId": ENABLE_ACCOUNT, "arguments": []}]);
    let r = t.post(&new_version, &json!({ "workflow": next })).await;
    expect_target(&r, RULE);
});
