//! The rows of the run history, shared by what reads them (results.rs), writes them
//! (writes.rs) and stores their documents compactly (compact.rs), so none of those needs
//! another to name them.

use serde_json::Value;

/// Kinds of rows in `results`.
pub mod result_kinds {
    pub const RUN: &str = "run";
    pub const USER: &str = "user";
    pub const TASK: &str = "task";
    /// A task report: one task across one run.
    pub const REPORT: &str = "report";
}

/// One run, user processing result or task processing result.
#[derive(Debug, Clone, Default)]
pub struct ResultRow {
    pub kind: &'static str,
    pub id: String,
    pub workflow_id: String,
    pub run_id: String,
    /// For task results: the user processing result they belong to.
    pub user_result_id: String,
    /// The user processed (user and task results).
    pub subject_id: String,
    /// For task results: the workflow task.
    pub task_id: String,
    pub task_definition_id: String,
    pub status: String,
    pub execution_type: String,
    pub workflow_version: i64,
    pub scheduled_at: Option<String>,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub created_at: Option<String>,
    pub total_tasks: i64,
    pub failed_tasks: i64,
    pub seq: i64,
    pub doc: Value,
}
