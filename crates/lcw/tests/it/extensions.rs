//! Custom task extensions: CRUD, validation, limits and their use by workflows.

use serde_json::{json, Value};

use crate::both_backends;
use crate::harness::{joiner_workflow, Resp, LW};

const RUN_EXTENSION: &str = "4262b724-8dba-4fad-afc3-43fcbb497a0e";

fn ext_path(id: &str) -> String {
    format!("{LW}/customTaskExtensions/{id}")
}

/// The body the Python SDK sends (`@odata.type` wherever the model has a default, the
/// callback timeout as Python's `str(timedelta)`).
fn sdk_extension(name: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.identityGovernance.customTaskExtension",
        "displayName": name,
        "description": "calls a Logic App",
        "endpointConfiguration": {
            "@odata.type": "#microsoft.graph.logicAppTriggerEndpointConfiguration",
            "subscriptionId": "c500b67c-e9b7-4ad2-a90d-77d41385ae55",
            "resourceGroupName": "RG-LCM",
            "logicAppWorkflowName": "ManagerAccess"
        },
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.azureAdPopTokenAuthentication"
        },
        "clientConfiguration": {
            "maximumRetries": 1,
            "timeoutInMilliseconds": 1000
        },
        "callbackConfiguration": {
            "@odata.type": "#microsoft.graph.identityGovernance.customTaskExtensionCallbackConfiguration",
            "timeoutDuration": "0:05:00"
        }
    })
}

#[track_caller]
fn expect_bad_field(r: &Resp, field: &str) {
    r.expect_error(400, "BadRequest");
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains(field),
        "error message does not name '{field}': {}",
        r.text
    );
}

async fn create(t: &crate::harness::Tenant, body: &Value) -> String {
    let r = t.post(&format!("{LW}/customTaskExtensions"), body).await;
    r.expect(201);
    r.body["id"].as_str().unwrap().to_string()
}

fn workflow_calling(ext_id: &str) -> Value {
    let mut wf = joiner_workflow("Calls out");
    wf["tasks"] = json!([{
        "displayName": "Call the Logic App",
        "taskDefinitionId": RUN_EXTENSION,
        "arguments": [{"name": "customTaskExtensionID", "value": ext_id}]
    }]);
    wf
}

both_backends!(create_with_the_sdk_body, |t| {
    let oid = uuid::Uuid::new_v4().to_string();
    let token = t.token_with(&["--object-id", &oid]);
    let r = t
        .send_as(
            &token,
            "POST",
            &format!("{LW}/customTaskExtensions"),
            Some(&sdk_extension("Grant manager access")),
        )
        .await;
    r.expect(201);
    let b = &r.body;
    assert!(model::is_guid(b["id"].as_str().unwrap()));
    assert!(b["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#identityGovernance/lifecycleWorkflows/customTaskExtensions/$entity"));
    assert_eq!(b["displayName"], "Grant manager access");
    assert_eq!(
        b["endpointConfiguration"]["@odata.type"],
        "#microsoft.graph.logicAppTriggerEndpointConfiguration"
    );
    assert_eq!(
        b["endpointConfiguration"]["logicAppWorkflowName"],
        "ManagerAccess"
    );
    assert_eq!(
        b["authenticationConfiguration"]["@odata.type"],
        "#microsoft.graph.azureAdPopTokenAuthentication"
    );
    assert_eq!(
        b["callbackConfiguration"]["@odata.type"],
        "#microsoft.graph.identityGovernance.customTaskExtensionCallbackConfiguration"
    );
    // Python's "0:05:00" comes back as ISO 8601.
    assert_eq!(b["callbackConfiguration"]["timeoutDuration"], "PT5M");
    assert_eq!(b["clientConfiguration"]["maximumRetries"], 1);
    assert_eq!(b["clientConfiguration"]["timeoutInMilliseconds"], 1000);
    assert_eq!(b["createdBy"]["id"], oid.as_str());
    assert_eq!(b["lastModifiedBy"]["id"], oid.as_str());
    assert!(b["createdDateTime"].is_string());

    let mut iso = sdk_extension("ISO duration");
    iso["callbackConfiguration"]["timeoutDuration"] = json!("PT30M");
    let r = t.post(&format!("{LW}/customTaskExtensions"), &iso).await;
    r.expect(201);
    assert_eq!(r.body["callbackConfiguration"]["timeoutDuration"], "PT30M");
    let mut day = sdk_extension("Hours");
    day["callbackConfiguration"]["timeoutDuration"] = json!("2:30:00");
    let r = t.post(&format!("{LW}/customTaskExtensions"), &day).await;
    r.expect(201);
    assert_eq!(
        r.body["callbackConfiguration"]["timeoutDuration"],
        "PT2H30M"
    );

    // Without a callback; with the other endpoint and authentication types.
    let r = t
        .post(
            &format!("{LW}/customTaskExtensions"),
            &json!({
                "displayName": "Fire and forget",
                "endpointConfiguration": {"@odata.type": "#microsoft.graph.httpRequestEndpoint", "targetUrl": "https://example.com/hook"},
                "authenticationConfiguration": {"@odata.type": "#microsoft.graph.azureAdTokenAuthentication", "resourceId": "api://hook"}
            }),
        )
        .await;
    r.expect(201);
    assert_eq!(r.body["callbackConfiguration"], Value::Null);
    assert_eq!(
        r.body["endpointConfiguration"]["targetUrl"],
        "https://example.com/hook"
    );
});

both_backends!(create_validation_errors, |t| {
    let path = format!("{LW}/customTaskExtensions");
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = sdk_extension("Invalid");
        f(&mut b);
        b
    };
    let cases: Vec<(&str, Value)> = vec![
        (
            "timeoutInMilliseconds",
            with(&|b| b["clientConfiguration"]["timeoutInMilliseconds"] = json!(199)),
        ),
        (
            "timeoutInMilliseconds",
            with(&|b| b["clientConfiguration"]["timeoutInMilliseconds"] = json!(2001)),
        ),
        (
            "maximumRetries",
            with(&|b| b["clientConfiguration"]["maximumRetries"] = json!(2)),
        ),
        (
            "timeoutDuration",
            with(&|b| b["callbackConfiguration"]["timeoutDuration"] = json!("0:04:59")),
        ),
        (
            "timeoutDuration",
            with(&|b| b["callbackConfiguration"]["timeoutDuration"] = json!("PT3H1M")),
        ),
        (
            "timeoutDuration",
            with(&|b| b["callbackConfiguration"]["timeoutDuration"] = json!("1 day, 0:00:00")),
        ),
        (
            "timeoutDuration",
            with(&|b| b["callbackConfiguration"]["timeoutDuration"] = json!("soon")),
        ),
        (
            "endpointConfiguration",
            with(&|b| {
                b.as_object_mut().unwrap().remove("endpointConfiguration");
            }),
        ),
        (
            "authenticationConfiguration",
            with(&|b| {
                b.as_object_mut()
                    .unwrap()
                    .remove("authenticationConfiguration");
            }),
        ),
        (
            "displayName",
            with(&|b| {
                b.as_object_mut().unwrap().remove("displayName");
            }),
        ),
        // Abstract declared types need @odata.type to pick a concrete one.
        (
            "endpointConfiguration",
            with(&|b| {
                b["endpointConfiguration"]
                    .as_object_mut()
                    .unwrap()
                    .remove("@odata.type");
            }),
        ),
        (
            "authenticationConfiguration",
            with(&|b| {
                b["authenticationConfiguration"] = json!({});
            }),
        ),
        (
            "callbackConfiguration",
            with(&|b| {
                b["callbackConfiguration"]
                    .as_object_mut()
                    .unwrap()
                    .remove("@odata.type");
            }),
        ),
        (
            "@odata.type",
            with(&|b| {
                b["endpointConfiguration"]["@odata.type"] = json!("#microsoft.graph.user");
            }),
        ),
        ("foo", with(&|b| b["foo"] = json!(true))),
    ];
    for (field, body) in cases {
        let r = t.post(&path, &body).await;
        assert_eq!(r.status, 400, "'{field}' case accepted: {body}");
        expect_bad_field(&r, field);
    }
    assert_eq!(t.get(&format!("{path}/$count")).await.text, "0");
    // The bounds themselves are fine.
    let mut edge = sdk_extension("Edges");
    edge["clientConfiguration"] = json!({"timeoutInMilliseconds": 200, "maximumRetries": 0});
    edge["callbackConfiguration"]["timeoutDuration"] = json!("3:00:00");
    t.post(&path, &edge).await.expect(201);
    edge["clientConfiguration"]["timeoutInMilliseconds"] = json!(2000);
    t.post(&path, &edge).await.expect(201);
});

both_backends!(read_update_delete, |t| {
    let a = create(&t, &sdk_extension("A")).await;
    let b = create(&t, &sdk_extension("B")).await;
    let list = t.get(&format!("{LW}/customTaskExtensions")).await;
    list.expect(200);
    let ids: Vec<&str> = list.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![a.as_str(), b.as_str()]);
    assert_eq!(
        list.body["value"][0]["callbackConfiguration"]["timeoutDuration"],
        "PT5M"
    );
    assert_eq!(
        t.get(&format!("{LW}/customTaskExtensions/$count"))
            .await
            .text,
        "2"
    );
    let filtered = t
        .get(&format!(
            "{LW}/customTaskExtensions?$filter=displayName%20eq%20'B'&$select=displayName"
        ))
        .await;
    filtered.expect(200);
    assert_eq!(filtered.body["value"].as_array().unwrap().len(), 1);
    assert_eq!(filtered.body["value"][0]["id"], b.as_str());
    assert!(filtered.body["value"][0]
        .get("endpointConfiguration")
        .is_none());

    let got = t.get(&ext_path(&a)).await;
    got.expect(200);
    assert_eq!(got.body["displayName"], "A");
    t.get(&ext_path(&a.to_uppercase())).await.expect(200);

    let editor = uuid::Uuid::new_v4().to_string();
    let et = t.token_with(&["--object-id", &editor]);
    let r = t
        .send_as(
            &et,
            "PATCH",
            &ext_path(&a),
            Some(&json!({
                "@odata.type": "#microsoft.graph.identityGovernance.customTaskExtension",
                "displayName": "A2",
                "callbackConfiguration": {
                    "@odata.type": "#microsoft.graph.identityGovernance.customTaskExtensionCallbackConfiguration",
                    "timeoutDuration": "1:00:00"
                }
            })),
        )
        .await;
    r.expect(204);
    let got = t.get(&ext_path(&a)).await;
    assert_eq!(got.body["displayName"], "A2");
    assert_eq!(got.body["description"], "calls a Logic App");
    assert_eq!(got.body["callbackConfiguration"]["timeoutDuration"], "PT1H");
    assert_eq!(got.body["lastModifiedBy"]["id"], editor.as_str());
    assert_ne!(got.body["createdBy"]["id"], editor.as_str());
    for (field, body) in [
        (
            "timeoutInMilliseconds",
            json!({"clientConfiguration": {"timeoutInMilliseconds": 5}}),
        ),
        ("displayName", json!({"displayName": ""})),
        ("foo", json!({"foo": 1})),
    ] {
        expect_bad_field(&t.patch(&ext_path(&a), &body).await, field);
    }
    assert_eq!(t.get(&ext_path(&a)).await.body["displayName"], "A2");

    let cb = t.get(&format!("{}/createdBy", ext_path(&a))).await;
    cb.expect(200);
    assert_eq!(cb.body["id"], got.body["createdBy"]["id"]);
    let lb = t.get(&format!("{}/lastModifiedBy", ext_path(&a))).await;
    lb.expect(200);
    assert_eq!(lb.body["id"], editor.as_str());

    t.delete(&ext_path(&a)).await.expect(204);
    t.get(&ext_path(&a))
        .await
        .expect_error(404, "ResourceNotFound");
    t.delete(&ext_path(&a))
        .await
        .expect_error(404, "ResourceNotFound");
    t.patch(&ext_path(&a), &json!({"displayName": "x"}))
        .await
        .expect_error(404, "ResourceNotFound");
    t.get(&format!("{}/createdBy", ext_path(&a)))
        .await
        .expect_error(404, "ResourceNotFound");
    assert_eq!(
        t.get(&format!("{LW}/customTaskExtensions/$count"))
            .await
            .text,
        "1"
    );
});

both_backends!(a_tenant_holds_at_most_100_extensions, |t| {
    let mut first = String::new();
    for i in 0..100 {
        let id = create(&t, &sdk_extension(&format!("E{i}"))).await;
        if i == 0 {
            first = id;
        }
    }
    let r = t
        .post(
            &format!("{LW}/customTaskExtensions"),
            &sdk_extension("E100"),
        )
        .await;
    r.expect_error(400, "BadRequest");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("100"));
    t.delete(&ext_path(&first)).await.expect(204);
    create(&t, &sdk_extension("E100")).await;
});

both_backends!(workflows_reference_existing_extensions_only, |t| {
    let missing = uuid::Uuid::new_v4().to_string();
    let r = t
        .post(&format!("{LW}/workflows"), &workflow_calling(&missing))
        .await;
    expect_bad_field(&r, &missing);
    let ext = create(&t, &sdk_extension("Used")).await;
    let wf = t
        .create_workflow(&workflow_calling(&ext.to_uppercase()))
        .await;
    // Deleting an extension a workflow uses is refused, also while the workflow is only
    // soft-deleted (it can be restored).
    let r = t.delete(&ext_path(&ext)).await;
    expect_bad_field(&r, &wf);
    t.delete(&format!("{LW}/workflows/{wf}")).await.expect(204);
    t.delete(&ext_path(&ext))
        .await
        .expect_error(400, "BadRequest");
    t.get(&ext_path(&ext)).await.expect(200);
    t.delete(&format!("{LW}/deletedItems/workflows/{wf}"))
        .await
        .expect(204);
    t.delete(&ext_path(&ext)).await.expect(204);

    // A new version or an added task must reference an existing extension too.
    let plain = t.create_workflow(&joiner_workflow("Plain")).await;
    let r = t
        .post(
            &format!("{LW}/workflows/{plain}/createNewVersion"),
            &json!({"workflow": workflow_calling(&missing)}),
        )
        .await;
    expect_bad_field(&r, &missing);
    let r = t
        .post(
            &format!("{LW}/workflows/{plain}/tasks"),
            &json!({"displayName": "Call", "taskDefinitionId": RUN_EXTENSION,
                     "arguments": [{"name": "customTaskExtensionID", "value": missing}]}),
        )
        .await;
    expect_bad_field(&r, &missing);
    assert_eq!(
        t.get(&format!("{LW}/workflows/{plain}")).await.body["version"],
        1
    );
});

both_backends!(extensions_are_per_tenant, |t| {
    let ext = create(&t, &sdk_extension("Mine")).await;
    let other = crate::harness::Tenant::new(t.backend()).unwrap();
    other
        .get(&ext_path(&ext))
        .await
        .expect_error(404, "ResourceNotFound");
    other
        .delete(&ext_path(&ext))
        .await
        .expect_error(404, "ResourceNotFound");
    let r = other
        .post(&format!("{LW}/workflows"), &workflow_calling(&ext))
        .await;
    r.expect_error(400, "BadRequest");
    t.get(&ext_path(&ext)).await.expect(200);
});
