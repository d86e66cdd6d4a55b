//! The built-in task definitions and workflow templates, as Graph returns them.

use std::sync::OnceLock;

use serde_json::Value;

static TASK_DEFINITIONS: OnceLock<Vec<Value>> = OnceLock::new();
static WORKFLOW_TEMPLATES: OnceLock<Vec<Value>> = OnceLock::new();

fn load(text: &str) -> Vec<Value> {
    // The files are part of the build and checked by a unit test; an unreadable file yields
    // an empty catalog rather than a panic on a request path.
    serde_json::from_str(text).unwrap_or_default()
}

/// The 25 built-in task definitions in Graph's order.
pub fn task_definitions() -> &'static [Value] {
    TASK_DEFINITIONS.get_or_init(|| load(include_str!("../data/task_definitions.json")))
}

/// A task definition by id; ids compare case-insensitively (one built-in id is upper-case).
pub fn task_definition(id: &str) -> Option<&'static Value> {
    task_definitions().iter().find(|d| {
        d.get("id")
            .and_then(Value::as_str)
            .is_some_and(|x| x.eq_ignore_ascii_case(id))
    })
}

pub fn workflow_templates() -> &'static [Value] {
    WORKFLOW_TEMPLATES.get_or_init(|| load(include_str!("../data/workflow_templates.json")))
}

pub fn workflow_template(id: &str) -> Option<&'static Value> {
    workflow_templates().iter().find(|d| {
        d.get("id")
            .and_then(Value::as_str)
            .is_some_and(|x| x.eq_ignore_ascii_case(id))
    })
}

/// Task definition ids with a meaning the engine relies on.
pub mod ids {
    pub const ADD_USER_TO_GROUPS: &str = "22085229-5809-45e8-97fd-270d28d66910";
    pub const DISABLE_USER_ACCOUNT: &str = "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950";
    pub const ENABLE_USER_ACCOUNT: &str = "6fc52c9d-398b-4305-9763-15f42c1676fc";
    pub const REMOVE_USER_FROM_GROUPS: &str = "1953a66c-751c-45e5-8bfe-01462c70da3c";
    pub const GENERATE_TAP: &str = "1b555e50-7f65-41d5-b514-5894a026d10d";
    pub const SEND_WELCOME_EMAIL: &str = "70b29d51-b59a-4773-9280-8841dfd3f2ea";
    pub const ADD_USER_TO_TEAMS: &str = "e440ed8d-25a1-4618-84ce-091ed5be5594";
    pub const DELETE_USER_ACCOUNT: &str = "8d18588d-9ad3-4c0f-99d0-ec215f0e3dff";
    pub const REMOVE_USER_FROM_TEAMS: &str = "06aa7acb-01af-4824-8899-b14e5ed788d6";
    pub const REMOVE_USER_FROM_ALL_GROUPS: &str = "b3a31406-2a15-4c9a-b25b-a658fa5f07fc";
    pub const REMOVE_USER_FROM_ALL_TEAMS: &str = "81f7b200-2816-4b3b-8c5d-dc556f07b024";
    pub const REMOVE_ALL_LICENSES: &str = "8fa97d28-3e52-4985-b3a9-a1126f9b8b4e";
    pub const RUN_CUSTOM_TASK_EXTENSION: &str = "4262b724-8dba-4fad-afc3-43fcbb497a0e";
    pub const ASSIGN_LICENSES: &str = "683c87a4-2ad4-420b-97d4-220d90afcd24";
    pub const REMOVE_LICENSES: &str = "5fc402a8-daaf-4b7b-9203-da868b05fc5f";
    pub const REQUEST_ACCESS_PACKAGE: &str = "c1ec1e76-f374-4375-aaa6-0bb6bd4c60be";
    pub const REMOVE_ACCESS_PACKAGE: &str = "4a0b64f2-c7ec-46ba-b117-18f262946c50";
}

/// Arguments a task cannot do its work without (the Entra task docs' "needs" column).
pub fn required_arguments(definition_id: &str) -> &'static [&'static str] {
    let id = definition_id.to_ascii_lowercase();
    match id.as_str() {
        ids::ADD_USER_TO_GROUPS | ids::REMOVE_USER_FROM_GROUPS => &["groupID"],
        ids::ADD_USER_TO_TEAMS | ids::REMOVE_USER_FROM_TEAMS => &["teamID"],
        ids::RUN_CUSTOM_TASK_EXTENSION => &["customTaskExtensionID"],
        ids::ASSIGN_LICENSES | ids::REMOVE_LICENSES => &["licenses"],
        ids::REQUEST_ACCESS_PACKAGE => &["assignmentPolicyId", "accessPackageId"],
        ids::REMOVE_ACCESS_PACKAGE => &["accessPackageId"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_files_parse_and_hold_the_built_ins() {
        assert_eq!(task_definitions().len(), 25);
        assert!(task_definition("3c860712-2d37-42a4-928f-5c93935d26a1").is_some());
        assert!(!workflow_templates().is_empty());
        for t in workflow_templates() {
            for task in t["tasks"].as_array().unwrap() {
                let id = task["taskDefinitionId"].as_str().unwrap();
                assert!(task_definition(id).is_some(), "template task {id}");
            }
        }
    }
}
