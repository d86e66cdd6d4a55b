//! Workflow definitions: create, read, change, version, delete, restore, purge.

use serde_json::json;

use crate::both_backends;
use crate::harness::{joiner_workflow, LW};

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
