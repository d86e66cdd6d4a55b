//! Hardening: the order of errors on writes to existing objects (the object is looked up
//! before the body is judged), and the limits on what a body may hold.

use serde_json::json;

use crate::both_backends;
use crate::harness::{joiner_workflow, Resp, Tenant, LW};

const MISSING_ID: &str = "00000000-0000-0000-0000-00000000dead";
const WORKFLOW_NOT_FOUND: &str = "ResourceNotFound";
const DIRECTORY_NOT_FOUND: &str = "Request_ResourceNotFound";
const DELETED: &str = "The workflow is deleted; restore it before changing it.";

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
