//! A typed, borrowed view of a stored workflow and its tasks: what the engine reads,
//! parsed once (per activation or per job) instead of looked up key by key per user.
//!
//! The view borrows the stored document, so building it allocates only the task list.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::conditions::{QuarantineType, TriggerType};
use crate::run::TaskKind;

/// One task of a workflow.
#[derive(Debug, Clone, Copy)]
pub struct TaskView<'a> {
    pub id: &'a str,
    /// As the workflow spells it (compared case-insensitively).
    pub definition_id: &'a str,
    /// The built-in task it names; `None` for an id outside the catalog.
    pub kind: Option<TaskKind>,
    /// `[{name, value}]`; values are strings.
    pub arguments: &'a [Value],
    pub continue_on_error: bool,
    pub is_enabled: bool,
    /// The whole task document, copied into task reports as it is.
    pub doc: &'a Value,
}

impl<'a> TaskView<'a> {
    /// Absent keys take Graph's defaults: enabled, stop on error, no arguments.
    pub fn of(doc: &'a Value) -> TaskView<'a> {
        let text = |key: &str| doc.get(key).and_then(Value::as_str).unwrap_or("");
        let definition_id = text("taskDefinitionId");
        TaskView {
            id: text("id"),
            definition_id,
            kind: TaskKind::from_id(definition_id),
            arguments: doc
                .get("arguments")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice),
            continue_on_error: doc
                .get("continueOnError")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            is_enabled: doc
                .get("isEnabled")
                .and_then(Value::as_bool)
                .unwrap_or(true),
            doc,
        }
    }
}

/// A workflow (or workflow version) as the engine reads it.
#[derive(Debug, Clone)]
pub struct WorkflowView<'a> {
    pub id: &'a str,
    pub version: i64,
    /// `joiner`, `leaver`, `mover`; empty when absent.
    pub category: &'a str,
    /// `Value::Null` when the workflow has none.
    pub execution_conditions: &'a Value,
    /// Every task, enabled or not, in execution order.
    pub tasks: Vec<TaskView<'a>>,
    /// `isEnabled`; absent is false.
    pub is_enabled: bool,
    /// `isSchedulingEnabled`; absent is false.
    pub is_scheduling_enabled: bool,
    /// `nextScheduleRunDateTime` as stored (see [`WorkflowView::next_schedule_run`]).
    pub next_schedule_run_text: Option<&'a str>,
    /// `quarantineDetails.quarantineType` as stored (see [`WorkflowView::is_quarantined`]).
    pub quarantine_type_text: Option<&'a str>,
    /// `settings.quarantineConfiguration`, `None` when absent or null.
    pub quarantine_configuration: Option<&'a Value>,
}

impl<'a> WorkflowView<'a> {
    pub fn of(doc: &'a Value) -> WorkflowView<'a> {
        static NULL: Value = Value::Null;
        let flag = |key: &str| doc.get(key).and_then(Value::as_bool).unwrap_or(false);
        WorkflowView {
            id: doc.get("id").and_then(Value::as_str).unwrap_or(""),
            version: doc.get("version").and_then(Value::as_i64).unwrap_or(1),
            category: doc.get("category").and_then(Value::as_str).unwrap_or(""),
            execution_conditions: doc.get("executionConditions").unwrap_or(&NULL),
            tasks: doc
                .get("tasks")
                .and_then(Value::as_array)
                .map(|tasks| tasks.iter().map(TaskView::of).collect())
                .unwrap_or_default(),
            is_enabled: flag("isEnabled"),
            is_scheduling_enabled: flag("isSchedulingEnabled"),
            next_schedule_run_text: doc.get("nextScheduleRunDateTime").and_then(Value::as_str),
            quarantine_type_text: doc
                .get("quarantineDetails")
                .and_then(|q| q.get("quarantineType"))
                .and_then(Value::as_str),
            quarantine_configuration: doc
                .get("settings")
                .and_then(|s| s.get("quarantineConfiguration"))
                .filter(|c| !c.is_null()),
        }
    }

    /// Enabled and scheduled: the scheduler evaluates it.
    pub fn is_scheduled(&self) -> bool {
        self.is_enabled && self.is_scheduling_enabled
    }

    /// When the scheduler evaluates it next; `None` when unset or unreadable (then it is due).
    /// Parsed on demand: most readers of a view never need it.
    pub fn next_schedule_run(&self) -> Option<DateTime<Utc>> {
        self.next_schedule_run_text
            .and_then(crate::time::parse_datetime)
    }

    /// Quarantined until `clearQuarantine`: any quarantine type but `notQuarantined`, an
    /// unknown one included.
    pub fn is_quarantined(&self) -> bool {
        self.quarantine_type_text
            .is_some_and(|t| QuarantineType::parse(t) != Some(QuarantineType::NotQuarantined))
    }

    /// `executionConditions.trigger`, `None` when absent.
    pub fn trigger(&self) -> Option<&'a Value> {
        self.execution_conditions.get("trigger")
    }

    /// `executionConditions.scope`, `None` when absent.
    pub fn scope(&self) -> Option<&'a Value> {
        self.execution_conditions.get("scope")
    }

    /// The kind of the trigger, `None` when absent or one lcw does not evaluate.
    pub fn trigger_type(&self) -> Option<TriggerType> {
        self.trigger().and_then(TriggerType::of)
    }

    /// The tasks a run carries out: the enabled ones, or of those only `only` (by task
    /// id) when a run reprocesses some tasks.
    pub fn tasks_to_run<'s>(
        &'s self,
        only: Option<&'s [String]>,
    ) -> impl Iterator<Item = &'s TaskView<'a>> + 's {
        self.tasks
            .iter()
            .filter(move |t| t.is_enabled && only.is_none_or(|ids| ids.iter().any(|i| i == t.id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn views_read_graph_defaults_and_kinds() {
        let doc = json!({
            "id": "w1",
            "version": 3,
            "category": "leaver",
            "executionConditions": {"@odata.type": "x"},
            "tasks": [
                {"id": "t1", "taskDefinitionId": "1DFDFCC7-52FA-4C2E-BF3A-E3919CC12950"},
                {"id": "t2", "taskDefinitionId": "nope", "isEnabled": false,
                 "continueOnError": true, "arguments": [{"name": "a", "value": "b"}]},
                {"id": "t3", "taskDefinitionId": "8d18588d-9ad3-4c0f-99d0-ec215f0e3dff"},
            ],
        });
        let wf = WorkflowView::of(&doc);
        assert_eq!((wf.id, wf.version, wf.category), ("w1", 3, "leaver"));
        assert_eq!(wf.execution_conditions["@odata.type"], "x");
        let t1 = wf.tasks[0];
        assert_eq!(t1.kind, Some(TaskKind::DisableUserAccount));
        assert!(t1.is_enabled && !t1.continue_on_error && t1.arguments.is_empty());
        let t2 = wf.tasks[1];
        assert_eq!(t2.kind, None);
        assert!(!t2.is_enabled && t2.continue_on_error);
        assert_eq!(t2.arguments.len(), 1);
        let all: Vec<&str> = wf.tasks_to_run(None).map(|t| t.id).collect();
        assert_eq!(all, ["t1", "t3"]);
        let only = ["t3".to_string(), "t2".to_string()];
        let some: Vec<&str> = wf.tasks_to_run(Some(&only)).map(|t| t.id).collect();
        assert_eq!(some, ["t3"]);

        assert!(!wf.is_scheduled() && !wf.is_quarantined());

        let bare = json!({});
        let wf = WorkflowView::of(&bare);
        assert_eq!((wf.id, wf.version), ("", 1));
        assert!(wf.execution_conditions.is_null() && wf.tasks.is_empty());
        assert!(wf.next_schedule_run().is_none() && wf.quarantine_configuration.is_none());
    }

    #[test]
    fn views_read_scheduling_and_quarantine() {
        let doc = json!({
            "isEnabled": true,
            "isSchedulingEnabled": true,
            "nextScheduleRunDateTime": "2026-01-01T12:00:00Z",
            "quarantineDetails": {"quarantineType": "somethingNew"},
            "settings": {"quarantineConfiguration": {"matchMode": "all"}},
            "executionConditions": {"trigger": {
                "@odata.type": "#microsoft.graph.identityGovernance.attributeChangeTrigger"}},
        });
        let wf = WorkflowView::of(&doc);
        assert!(wf.is_scheduled() && wf.is_quarantined());
        assert_eq!(
            wf.next_schedule_run()
                .map(crate::time::format_datetime)
                .as_deref(),
            Some("2026-01-01T12:00:00Z")
        );
        assert_eq!(
            wf.quarantine_configuration,
            Some(&json!({"matchMode": "all"}))
        );
        assert_eq!(wf.trigger_type(), Some(TriggerType::AttributeChange));
        let clear = json!({"quarantineDetails": {"quarantineType": "notQuarantined"},
                           "settings": {"quarantineConfiguration": null}});
        let wf = WorkflowView::of(&clear);
        assert!(!wf.is_quarantined() && wf.quarantine_configuration.is_none());
    }
}
