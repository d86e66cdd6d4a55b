//! The built-in catalog (task definitions, workflow templates) and tenant settings.

use serde_json::{json, Value};

use crate::both_backends;
use crate::harness::{Tenant, LW};

const UPPER_ID: &str = "3C860712-2D37-42A4-928F-5C93935D26A1";
const DELETE_ACCOUNT: &str = "8d18588d-9ad3-4c0f-99d0-ec215f0e3dff";

fn values(v: &Value) -> &Vec<Value> {
    v["value"].as_array().expect("value array")
}

fn names(v: &Value) -> Vec<String> {
    values(v)
        .iter()
        .map(|x| x["displayName"].as_str().unwrap().to_string())
        .collect()
}

fn has_category(item: &Value, c: &str) -> bool {
    item["category"]
        .as_str()
        .unwrap()
        .split(',')
        .any(|x| x == c)
}

both_backends!(task_definitions_list_and_query, |t| {
    let path = format!("{LW}/taskDefinitions");
    let all = t.get(&path).await;
    all.expect(200);
    assert_eq!(values(&all.body).len(), 25);
    // Graph counts this collection without being asked.
    assert_eq!(all.body["@odata.count"], 25);
    assert!(all.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#identityGovernance/lifecycleWorkflows/taskDefinitions"));
    let first = &values(&all.body)[0];
    for k in [
        "id",
        "displayName",
        "description",
        "category",
        "version",
        "parameters",
        "continueOnError",
    ] {
        assert!(
            first.get(k).is_some(),
            "taskDefinition without {k}: {first}"
        );
    }

    let counted = t.get(&format!("{path}?$count=true")).await;
    counted.expect(200);
    assert_eq!(counted.body["@odata.count"], 25);
    assert_eq!(t.get(&format!("{path}/$count")).await.text, "25");

    // `has` on the flags property, evaluated against the stored categories.
    let leavers = t
        .get(&format!(
            "{path}?$filter=category%20has%20'leaver'&$count=true"
        ))
        .await;
    leavers.expect(200);
    let expected = values(&all.body)
        .iter()
        .filter(|d| has_category(d, "leaver"))
        .count();
    assert!(expected > 0 && expected < 25);
    assert_eq!(values(&leavers.body).len(), expected);
    assert_eq!(leavers.body["@odata.count"], expected);
    assert!(values(&leavers.body)
        .iter()
        .all(|d| has_category(d, "leaver")));

    let one = t
        .get(&format!(
            "{path}?$filter=displayName%20eq%20'Delete%20user%20account'"
        ))
        .await;
    one.expect(200);
    assert_eq!(values(&one.body).len(), 1);
    assert_eq!(values(&one.body)[0]["id"], DELETE_ACCOUNT);
    let none = t
        .get(&format!(
            "{path}?$filter=displayName%20eq%20'No%20such%20task'"
        ))
        .await;
    assert_eq!(values(&none.body).len(), 0);

    let sel = t.get(&format!("{path}?$select=id,displayName")).await;
    sel.expect(200);
    assert!(sel.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("taskDefinitions(id,displayName)"));
    for d in values(&sel.body) {
        let mut keys: Vec<&String> = d.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, vec!["displayName", "id"], "{d}");
    }

    let desc = t.get(&format!("{path}?$orderby=displayName%20desc")).await;
    desc.expect(200);
    let got = names(&desc.body);
    let mut want = names(&all.body);
    want.sort_by_key(|s| s.to_lowercase());
    want.reverse();
    assert_eq!(got, want);
    let asc = t.get(&format!("{path}?$orderby=displayName")).await;
    let mut rev = names(&asc.body);
    rev.reverse();
    assert_eq!(rev, got);

    t.get(&format!("{path}?$filter=nosuch%20eq%201"))
        .await
        .expect_error(400, "BadRequest");
    t.get(&format!("{path}?$select=nosuch"))
        .await
        .expect_error(400, "BadRequest");
});

both_backends!(task_definition_by_id_in_any_case, |t| {
    for id in [UPPER_ID.to_string(), UPPER_ID.to_lowercase()] {
        let r = t.get(&format!("{LW}/taskDefinitions/{id}")).await;
        r.expect(200);
        assert_eq!(r.body["id"], UPPER_ID, "the id keeps Graph's spelling");
        assert_eq!(r.body["displayName"], "Send onboarding reminder email");
        assert!(r.body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#identityGovernance/lifecycleWorkflows/taskDefinitions/$entity"));
    }
    let r = t
        .get(&format!(
            "{LW}/taskDefinitions/{}",
            DELETE_ACCOUNT.to_uppercase()
        ))
        .await;
    r.expect(200);
    assert_eq!(r.body["id"], DELETE_ACCOUNT);
    assert_eq!(r.body["category"], "leaver");
    assert_eq!(r.body["parameters"][0]["name"], "deleteOnPremisesAccount");
    assert_eq!(r.body["parameters"][0]["valueType"], "enum");
    let sel = t
        .get(&format!(
            "{LW}/taskDefinitions/{DELETE_ACCOUNT}?$select=displayName"
        ))
        .await;
    sel.expect(200);
    assert_eq!(sel.body["displayName"], "Delete user account");
    assert!(sel.body.get("parameters").is_none());
    assert!(sel.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("taskDefinitions(displayName)/$entity"));
    t.get(&format!("{LW}/taskDefinitions/{}", uuid::Uuid::new_v4()))
        .await
        .expect_error(404, "ResourceNotFound");
    // A task definition with the upper-case id is usable in a workflow in any case.
    let mut wf = crate::harness::joiner_workflow("Reminder");
    wf["tasks"] = json!([{"displayName": "Remind", "taskDefinitionId": UPPER_ID.to_lowercase()}]);
    let r = t.post(&format!("{LW}/workflows"), &wf).await;
    r.expect(201);
    assert_eq!(r.body["tasks"][0]["taskDefinitionId"], UPPER_ID);
    // Writes are not served on the catalog.
    t.post(
        &format!("{LW}/taskDefinitions"),
        &json!({"displayName": "x"}),
    )
    .await
    .expect_error(405, "MethodNotAllowed");
});

both_backends!(workflow_templates_list_get_and_tasks, |t| {
    let path = format!("{LW}/workflowTemplates");
    let list = t.get(&path).await;
    list.expect(200);
    let templates = values(&list.body);
    assert!(templates.len() >= 5);
    assert!(templates.iter().all(|x| x.get("tasks").is_none()));
    let n = templates.len();
    assert_eq!(t.get(&format!("{path}/$count")).await.text, n.to_string());
    let counted = t.get(&format!("{path}?$count=true&$top=2")).await;
    assert_eq!(counted.body["@odata.count"], n);
    assert_eq!(values(&counted.body).len(), 2);
    let leavers = t
        .get(&format!("{path}?$filter=category%20eq%20'leaver'"))
        .await;
    leavers.expect(200);
    assert!(!values(&leavers.body).is_empty());
    assert!(values(&leavers.body)
        .iter()
        .all(|x| x["category"] == "leaver"));

    let expanded = t.get(&format!("{path}?$expand=tasks")).await;
    expanded.expect(200);
    assert!(values(&expanded.body).iter().all(|x| x["tasks"].is_array()));

    let id = templates
        .iter()
        .find(|x| x["displayName"] == "Offboard an employee")
        .map(|x| x["id"].as_str().unwrap().to_string())
        .expect("Offboard an employee template");
    let one = t.get(&format!("{path}/{id}")).await;
    one.expect(200);
    assert_eq!(one.body["category"], "leaver");
    let tasks = one.body["tasks"].as_array().unwrap();
    assert!(!tasks.is_empty());
    assert!(one.body["tasks@odata.context"]
        .as_str()
        .unwrap()
        .ends_with(&format!("workflowTemplates('{id}')/tasks")));
    assert!(one.body["executionConditions"]["@odata.type"].is_string());

    let tl = t.get(&format!("{path}/{id}/tasks")).await;
    tl.expect(200);
    assert_eq!(values(&tl.body).len(), tasks.len());
    assert_eq!(
        t.get(&format!("{path}/{id}/tasks/$count")).await.text,
        tasks.len().to_string()
    );
    let task_id = tasks[0]["id"].as_str().unwrap();
    let task = t.get(&format!("{path}/{id}/tasks/{task_id}")).await;
    task.expect(200);
    assert_eq!(task.body["taskDefinitionId"], tasks[0]["taskDefinitionId"]);
    t.get(&format!("{path}/{id}/tasks/{}", uuid::Uuid::new_v4()))
        .await
        .expect_error(404, "ResourceNotFound");
    t.get(&format!("{path}/{}", uuid::Uuid::new_v4()))
        .await
        .expect_error(404, "ResourceNotFound");
    t.get(&format!("{path}/{}/tasks", uuid::Uuid::new_v4()))
        .await
        .expect_error(404, "ResourceNotFound");

    // A template is a valid definition: it can be posted back as a workflow.
    let mut body = one.body.clone();
    body["displayName"] = json!("From template");
    let r = t.post(&format!("{LW}/workflows"), &body).await;
    r.expect(201);
    assert_eq!(r.body["tasks"].as_array().unwrap().len(), tasks.len());
});

both_backends!(settings_defaults_and_patch, |t| {
    let path = format!("{LW}/settings");
    let s = t.get(&path).await;
    s.expect(200);
    assert_eq!(s.body["workflowScheduleIntervalInHours"], 3);
    assert!(s.body["emailSettings"].is_object());
    assert_eq!(s.body["emailSettings"]["useCompanyBranding"], false);
    assert!(s.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#identityGovernance/lifecycleWorkflows/settings/$entity"));

    for n in [1, 24, 6] {
        t.patch(&path, &json!({"workflowScheduleIntervalInHours": n}))
            .await
            .expect(204);
        assert_eq!(
            t.get(&path).await.body["workflowScheduleIntervalInHours"],
            n
        );
    }
    for bad in [
        json!(0),
        json!(25),
        json!(-1),
        json!("5"),
        json!(2.5),
        Value::Null,
    ] {
        let r = t
            .patch(&path, &json!({"workflowScheduleIntervalInHours": bad}))
            .await;
        r.expect_error(400, "BadRequest");
        assert!(r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("workflowScheduleIntervalInHours"));
    }
    assert_eq!(
        t.get(&path).await.body["workflowScheduleIntervalInHours"],
        6
    );

    t.patch(
        &path,
        &json!({"emailSettings": {"senderDomain": "contoso.com", "useCompanyBranding": true}}),
    )
    .await
    .expect(204);
    let s = t.get(&path).await;
    assert_eq!(s.body["emailSettings"]["senderDomain"], "contoso.com");
    assert_eq!(s.body["emailSettings"]["useCompanyBranding"], true);
    // A partial emailSettings keeps the other member.
    t.patch(
        &path,
        &json!({"emailSettings": {"useCompanyBranding": false}}),
    )
    .await
    .expect(204);
    let s = t.get(&path).await;
    assert_eq!(s.body["emailSettings"]["senderDomain"], "contoso.com");
    assert_eq!(s.body["emailSettings"]["useCompanyBranding"], false);
    for (field, body) in [
        (
            "senderDomain",
            json!({"emailSettings": {"senderDomain": ""}}),
        ),
        (
            "senderDomain",
            json!({"emailSettings": {"senderDomain": 7}}),
        ),
        (
            "useCompanyBranding",
            json!({"emailSettings": {"useCompanyBranding": "yes"}}),
        ),
        ("colour", json!({"emailSettings": {"colour": "red"}})),
        ("foo", json!({"foo": 1})),
    ] {
        let r = t.patch(&path, &body).await;
        r.expect_error(400, "BadRequest");
        assert!(
            r.body["error"]["message"].as_str().unwrap().contains(field),
            "{field}: {}",
            r.text
        );
    }
    // Read-only id and annotations are ignored.
    t.patch(
        &path,
        &json!({"id": "other", "@odata.context": "x", "workflowScheduleIntervalInHours": 2}),
    )
    .await
    .expect(204);
    let s = t.get(&path).await;
    assert_eq!(s.body["workflowScheduleIntervalInHours"], 2);
    assert_ne!(s.body["id"], "other");
    t.raw(
        "PATCH",
        &path,
        Some(&t.token),
        &[("content-type", "application/json")],
        None,
    )
    .await
    .expect_error(400, "BadRequest");

    // Settings belong to the tenant.
    let other = Tenant::new(t.backend()).unwrap();
    assert_eq!(
        other.get(&path).await.body["workflowScheduleIntervalInHours"],
        3
    );
});

both_backends!(template_tasks_have_no_processing_results, |t| {
    let templates = t
        .get(&format!("{LW}/workflowTemplates?$expand=tasks"))
        .await;
    templates.expect(200);
    let tpl = &templates.body["value"][0];
    let tpl_id = tpl["id"].as_str().unwrap();
    let task_id = tpl["tasks"][0]["id"].as_str().unwrap();
    let base = format!("{LW}/workflowTemplates/{tpl_id}/tasks/{task_id}/taskProcessingResults");
    let list = t.get(&base).await;
    list.expect(200);
    assert_eq!(list.body["value"], json!([]));
    let count = t.get(&format!("{base}/$count")).await;
    assert_eq!(count.text, "0");
    t.get(&format!("{base}/00000000-0000-0000-0000-000000000000"))
        .await
        .expect_error(404, "ResourceNotFound");
    t.get(&format!(
        "{LW}/workflowTemplates/{tpl_id}/tasks/nope/taskProcessingResults"
    ))
    .await
    .expect_error(404, "ResourceNotFound");
});
