//! The per-user planner on its own: no store, no clock, only rows in and rows out.

use super::*;
use model::run::ResultKind;
use serde_json::json;

const GROUP: &str = "11111111-1111-1111-1111-111111111111";
const MISSING_GROUP: &str = "22222222-2222-2222-2222-222222222222";
const MANAGER: &str = "33333333-3333-3333-3333-333333333333";
const COLLEAGUE: &str = "44444444-4444-4444-4444-444444444444";

fn now() -> DateTime<Utc> {
    model::time::parse_datetime("2026-03-01T10:00:00Z").unwrap()
}

/// A workflow task as stored: id, kind, continueOnError and `name=value` arguments.
fn task(id: &str, kind: TaskKind, continue_on_error: bool, args: &[(&str, &str)]) -> Value {
    let arguments: Vec<Value> = args
        .iter()
        .map(|(n, v)| json!({"name": n, "value": v}))
        .collect();
    json!({
        "id": id,
        "taskDefinitionId": kind.id(),
        "continueOnError": continue_on_error,
        "isEnabled": true,
        "arguments": arguments,
    })
}

/// The task processing result of `task` for the user, in `status`.
fn result(task: &Value, status: ProcessingStatus) -> ResultRow {
    let task_id = task["id"].as_str().unwrap();
    ResultRow {
        kind: ResultKind::Task.as_str(),
        id: format!("result-{task_id}"),
        workflow_id: "wf".into(),
        run_id: "run".into(),
        user_result_id: "upr".into(),
        subject_id: "u1".into(),
        task_id: task_id.into(),
        task_definition_id: task["taskDefinitionId"].as_str().unwrap().into(),
        status: status.as_str().into(),
        execution_type: ExecutionType::OnDemand.as_str().into(),
        doc: json!({"id": format!("result-{task_id}"), "processingStatus": status.as_str()}),
        ..Default::default()
    }
}

fn user_result(execution_type: ExecutionType) -> ResultRow {
    ResultRow {
        kind: ResultKind::User.as_str(),
        id: "upr".into(),
        workflow_id: "wf".into(),
        run_id: "run".into(),
        subject_id: "u1".into(),
        status: ProcessingStatus::Queued.as_str().into(),
        execution_type: execution_type.as_str().into(),
        doc: json!({"id": "upr", "processingStatus": "queued", "startedDateTime": null}),
        ..Default::default()
    }
}

fn user() -> Value {
    json!({
        "id": "u1",
        "accountEnabled": true,
        "displayName": "Ann",
        "mail": "ann@contoso.test",
        "userPrincipalName": "ann@contoso.test",
    })
}

/// What one call of the planner wrote: each task result's (task id, status, document) in
/// order, the user result, and the directory effects.
struct Planned {
    tasks: Vec<(String, ProcessingStatus, Value)>,
    user: ResultRow,
    effects: Vec<DirectoryEffect>,
}

impl Planned {
    fn statuses(&self) -> Vec<(&str, ProcessingStatus)> {
        self.tasks
            .iter()
            .map(|(id, s, _)| (id.as_str(), *s))
            .collect()
    }

    fn doc(&self, task_id: &str) -> &Value {
        &self
            .tasks
            .iter()
            .find(|(id, _, _)| id == task_id)
            .unwrap()
            .2
    }

    fn user_status(&self) -> ProcessingStatus {
        ProcessingStatus::of(&self.user.status)
    }
}

struct Job {
    workflow_tasks: Vec<Value>,
    canceled: bool,
    execution_type: ExecutionType,
}

impl Job {
    fn of(workflow_tasks: Vec<Value>) -> Job {
        Job {
            workflow_tasks,
            canceled: false,
            execution_type: ExecutionType::OnDemand,
        }
    }

    /// Plan the user against results in the given statuses (one per workflow task).
    fn plan(&self, statuses: &[ProcessingStatus], user: Option<Value>) -> Planned {
        let views: HashMap<&str, TaskView> = self
            .workflow_tasks
            .iter()
            .map(|t| (t["id"].as_str().unwrap(), TaskView::of(t)))
            .collect();
        let rows: Vec<ResultRow> = self
            .workflow_tasks
            .iter()
            .zip(statuses)
            .map(|(t, s)| result(t, *s))
            .collect();
        let groups: HashMap<String, Value> =
            HashMap::from([(GROUP.to_string(), json!({"id": GROUP, "groupTypes": []}))]);
        let people: HashMap<String, Value> = HashMap::from([
            (
                MANAGER.to_string(),
                json!({"id": MANAGER, "displayName": "Bea", "mail": "bea@contoso.test"}),
            ),
            (
                COLLEAGUE.to_string(),
                json!({"id": COLLEAGUE, "displayName": "Cy", "mail": "cy@contoso.test"}),
            ),
        ]);
        let access = AccessData::default();
        let ctx = JobContext {
            watched: &[],
            tasks: &views,
            groups: &groups,
            people: &people,
            sender_domain: "contoso.test",
            access: &access,
            canceled: self.canceled,
            now: now(),
            now_text: format_datetime(now()),
        };
        let manager = people.get(MANAGER).cloned();
        let (writes, effects) = plan_user(
            user_result(self.execution_type),
            rows,
            user,
            Vec::new(),
            manager,
            &ctx,
        );
        let mut tasks = Vec::new();
        let mut user_row = None;
        for w in writes {
            match w {
                ResultWrite::Put(r) => {
                    tasks.push((r.task_id.clone(), ProcessingStatus::of(&r.status), r.doc))
                }
                ResultWrite::Update(r) => user_row = Some(r),
                other => panic!("unexpected write {other:?}"),
            }
        }
        Planned {
            tasks,
            user: user_row.unwrap(),
            effects,
        }
    }
}

use ProcessingStatus::{Canceled, Completed, CompletedWithErrors, Failed, InProgress, Queued};

#[test]
fn tasks_run_in_order_and_later_ones_see_earlier_effects() {
    let job = Job::of(vec![
        task("t1", TaskKind::DisableUserAccount, false, &[]),
        // Already disabled by t1: completes without a second effect.
        task("t2", TaskKind::DisableUserAccount, false, &[]),
        task(
            "t3",
            TaskKind::AddUserToGroups,
            false,
            &[("groupID", GROUP)],
        ),
    ]);
    let planned = job.plan(&[Queued, Queued, Queued], Some(user()));
    assert_eq!(
        planned.statuses(),
        [("t1", Completed), ("t2", Completed), ("t3", Completed)]
    );
    assert_eq!(
        planned.doc("t2")["processingInfo"],
        "The user account is already disabled."
    );
    assert_eq!(
        planned.effects,
        [
            DirectoryEffect::SetAccountEnabled(false),
            DirectoryEffect::AddToGroup(GROUP.into())
        ]
    );
    assert_eq!(planned.user_status(), Completed);
    assert_eq!(planned.user.doc["failedTasksCount"], 0);
    assert_eq!(planned.user.doc["totalUnprocessedTasksCount"], 0);
    assert_eq!(planned.user.doc["startedDateTime"], "2026-03-01T10:00:00Z");
    assert_eq!(
        planned.user.completed_at.as_deref(),
        Some("2026-03-01T10:00:00Z")
    );
}

#[test]
fn a_failed_task_stops_the_user_unless_it_continues_on_error() {
    let failing = |continue_on_error| {
        Job::of(vec![
            task(
                "t1",
                TaskKind::AddUserToGroups,
                continue_on_error,
                &[("groupID", MISSING_GROUP)],
            ),
            task("t2", TaskKind::DisableUserAccount, false, &[]),
        ])
    };
    let stopped = failing(false).plan(&[Queued, Queued], Some(user()));
    assert_eq!(stopped.statuses(), [("t1", Failed), ("t2", Canceled)]);
    assert_eq!(
        stopped.doc("t1")["failureReason"],
        format!("Group '{MISSING_GROUP}' was not found.")
    );
    assert_eq!(stopped.doc("t2")["processingInfo"], STOPPED_BY_FAILURE);
    assert!(stopped.effects.is_empty());
    // One failed, one never carried out.
    assert_eq!(stopped.user_status(), Failed);
    assert_eq!(stopped.user.failed_tasks, 1);

    let continued = failing(true).plan(&[Queued, Queued], Some(user()));
    assert_eq!(continued.statuses(), [("t1", Failed), ("t2", Completed)]);
    assert_eq!(
        continued.effects,
        [DirectoryEffect::SetAccountEnabled(false)]
    );
    assert_eq!(continued.user_status(), CompletedWithErrors);
}

#[test]
fn reprocessing_plans_only_the_tasks_not_yet_final() {
    let job = Job::of(vec![
        task("t1", TaskKind::DisableUserAccount, false, &[]),
        task(
            "t2",
            TaskKind::AddUserToGroups,
            false,
            &[("groupID", GROUP)],
        ),
    ]);
    let planned = job.plan(&[Completed, Queued], Some(user()));
    // The completed task is neither written nor carried out again.
    assert_eq!(planned.statuses(), [("t2", Completed)]);
    assert_eq!(planned.effects, [DirectoryEffect::AddToGroup(GROUP.into())]);
    assert_eq!(planned.user_status(), Completed);

    // An earlier failure that does not continue on error still stops what follows.
    let after_failure = job.plan(&[Failed, Queued], Some(user()));
    assert_eq!(after_failure.statuses(), [("t2", Canceled)]);
    assert_eq!(after_failure.user_status(), Failed);
}

#[test]
fn a_canceled_run_cancels_pending_tasks_and_a_vanished_user_fails_them() {
    let mut job = Job::of(vec![
        task("t1", TaskKind::DisableUserAccount, false, &[]),
        task("t2", TaskKind::DeleteUserAccount, false, &[]),
    ]);
    let gone = job.plan(&[Queued, Queued], None);
    assert_eq!(gone.statuses(), [("t1", Failed), ("t2", Canceled)]);
    assert_eq!(
        gone.doc("t1")["failureReason"],
        "The user no longer exists in the directory."
    );

    job.canceled = true;
    let canceled = job.plan(&[Completed, Queued], Some(user()));
    assert_eq!(canceled.statuses(), [("t2", Canceled)]);
    assert_eq!(
        canceled.doc("t2")["processingInfo"],
        "The run was canceled."
    );
    assert!(canceled.effects.is_empty());
    assert_eq!(canceled.user_status(), Canceled);
}

#[test]
fn a_callout_holds_the_users_later_tasks_until_it_resolves() {
    const EXTENSION: &str = "55555555-5555-5555-5555-555555555555";
    let mut job = Job::of(vec![
        task(
            "t1",
            TaskKind::RunCustomTaskExtension,
            false,
            &[("customTaskExtensionID", EXTENSION)],
        ),
        task("t2", TaskKind::DisableUserAccount, false, &[]),
    ]);
    let planned = job.plan(&[Queued, Queued], Some(user()));
    assert_eq!(planned.statuses(), [("t1", InProgress), ("t2", Queued)]);
    assert!(planned.doc("t1")["completedDateTime"].is_null());
    assert!(matches!(
        planned.effects.as_slice(),
        [DirectoryEffect::QueueCallout(c)] if c.extension_id == EXTENSION && c.id == "result-t1"
    ));
    assert_eq!(planned.user_status(), InProgress);
    assert!(planned.user.completed_at.is_none());

    // Planned again while the callout is open: still waiting, nothing new queued.
    let again = job.plan(&[InProgress, Queued], Some(user()));
    assert_eq!(again.statuses(), [("t1", InProgress), ("t2", Queued)]);
    assert!(again.effects.is_empty());

    // A preview calls nothing and changes nothing.
    job.execution_type = ExecutionType::Preview;
    let preview = job.plan(&[Queued, Queued], Some(user()));
    assert_eq!(preview.statuses(), [("t1", Completed), ("t2", Completed)]);
    assert_eq!(
        preview.doc("t1")["processingInfo"],
        "Preview: the custom task extension was not called."
    );
    assert_eq!(
        preview.doc("t2")["processingInfo"],
        "Preview: changes were not applied."
    );
    assert!(preview.effects.is_empty());
}

#[test]
fn mail_goes_to_the_manager_or_the_named_recipients() {
    let job = Job::of(vec![
        task("t1", TaskKind::SendOnboardingReminderEmail, false, &[]),
        task(
            "t2",
            TaskKind::SendWelcomeEmail,
            false,
            &[("to", MANAGER), ("cc", &COLLEAGUE.to_ascii_uppercase())],
        ),
    ]);
    let planned = job.plan(&[Queued, Queued], Some(user()));
    assert_eq!(planned.statuses(), [("t1", Completed), ("t2", Completed)]);
    let mails: Vec<(Vec<String>, Vec<String>, String)> = planned
        .effects
        .iter()
        .map(|e| match e {
            DirectoryEffect::QueueMail(m) => (m.to.clone(), m.cc.clone(), m.from.clone()),
            other => panic!("unexpected effect {other:?}"),
        })
        .collect();
    assert_eq!(
        mails,
        [
            (
                vec!["bea@contoso.test".to_string()],
                vec![],
                "no-reply@contoso.test".to_string()
            ),
            (
                vec!["bea@contoso.test".to_string()],
                vec!["cy@contoso.test".to_string()],
                "no-reply@contoso.test".to_string()
            ),
        ]
    );
    // The people a job loads for its mail tasks: explicit ids, lower-cased.
    let view = TaskView::of(&job.workflow_tasks[1]);
    assert_eq!(
        crate::task_mail::recipient_ids(view.arguments),
        [MANAGER.to_string(), COLLEAGUE.to_string()]
    );
}

#[test]
fn a_users_status_follows_their_tasks() {
    assert_eq!(user_status(true, true, 1, 1), Canceled);
    assert_eq!(user_status(false, true, 0, 1), InProgress);
    assert_eq!(user_status(false, false, 0, 0), Completed);
    assert_eq!(user_status(false, false, 2, 0), CompletedWithErrors);
    assert_eq!(user_status(false, false, 1, 1), Failed);
}
