//! The built-in task definitions and workflow templates, as Graph returns them.

use std::sync::OnceLock;

use serde_json::Value;

use crate::run::TaskKind;

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

/// Task definition ids with a meaning the engine relies on, read from [`TaskKind`] (which
/// declares each id once).
pub mod ids {
    use crate::run::TaskKind;

    pub const ADD_USER_TO_GROUPS: &str = TaskKind::AddUserToGroups.id();
    pub const DISABLE_USER_ACCOUNT: &str = TaskKind::DisableUserAccount.id();
    pub const ENABLE_USER_ACCOUNT: &str = TaskKind::EnableUserAccount.id();
    pub const REMOVE_USER_FROM_GROUPS: &str = TaskKind::RemoveUserFromGroups.id();
    pub const GENERATE_TAP: &str = TaskKind::GenerateTap.id();
    pub const ADD_USER_TO_TEAMS: &str = TaskKind::AddUserToTeams.id();
    pub const DELETE_USER_ACCOUNT: &str = TaskKind::DeleteUserAccount.id();
    pub const REMOVE_USER_FROM_TEAMS: &str = TaskKind::RemoveUserFromTeams.id();
    pub const REMOVE_USER_FROM_ALL_GROUPS: &str = TaskKind::RemoveUserFromAllGroups.id();
    pub const REMOVE_USER_FROM_ALL_TEAMS: &str = TaskKind::RemoveUserFromAllTeams.id();
    pub const REMOVE_ALL_LICENSES: &str = TaskKind::RemoveAllLicenses.id();
    pub const RUN_CUSTOM_TASK_EXTENSION: &str = TaskKind::RunCustomTaskExtension.id();
    pub const ASSIGN_LICENSES: &str = TaskKind::AssignLicenses.id();
    pub const REMOVE_LICENSES: &str = TaskKind::RemoveLicenses.id();
}

/// Arguments a task cannot do its work without (the Entra task docs' "needs" column).
pub fn required_arguments(definition_id: &str) -> &'static [&'static str] {
    TaskKind::from_id(definition_id).map_or(&[], TaskKind::required_arguments)
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
