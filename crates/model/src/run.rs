//! The typed lifecycle of a run: processing statuses, execution types, the kinds of result
//! rows, the built-in task kinds and the engine's job payloads.
//!
//! Each type spells itself exactly as the store keeps it and Graph sends it today
//! (`as_str` / `parse` round-trip), so typing the engine changes no stored byte and no
//! response.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Graph's `lifecycleWorkflowProcessingStatus`, of runs, user and task processing results
/// and task reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProcessingStatus {
    Queued,
    InProgress,
    Completed,
    CompletedWithErrors,
    Canceled,
    Failed,
    UnknownFutureValue,
    /// A run asked to cancel that a worker has not finished yet (evolvable member).
    Canceling,
    Quarantined,
}

impl ProcessingStatus {
    pub const ALL: [ProcessingStatus; 9] = [
        ProcessingStatus::Queued,
        ProcessingStatus::InProgress,
        ProcessingStatus::Completed,
        ProcessingStatus::CompletedWithErrors,
        ProcessingStatus::Canceled,
        ProcessingStatus::Failed,
        ProcessingStatus::UnknownFutureValue,
        ProcessingStatus::Canceling,
        ProcessingStatus::Quarantined,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ProcessingStatus::Queued => "queued",
            ProcessingStatus::InProgress => "inProgress",
            ProcessingStatus::Completed => "completed",
            ProcessingStatus::CompletedWithErrors => "completedWithErrors",
            ProcessingStatus::Canceled => "canceled",
            ProcessingStatus::Failed => "failed",
            ProcessingStatus::UnknownFutureValue => "unknownFutureValue",
            ProcessingStatus::Canceling => "canceling",
            ProcessingStatus::Quarantined => "quarantined",
        }
    }

    /// The status a stored or sent spelling names; exact match, as the store writes them.
    pub fn parse(s: &str) -> Option<ProcessingStatus> {
        ProcessingStatus::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// A stored status, with anything unrecognised read as `unknownFutureValue` (which no
    /// rule treats as final or pending in a special way).
    pub fn of(s: &str) -> ProcessingStatus {
        ProcessingStatus::parse(s).unwrap_or(ProcessingStatus::UnknownFutureValue)
    }

    /// Nothing more happens to a result in this status.
    pub const fn is_final(self) -> bool {
        matches!(
            self,
            ProcessingStatus::Completed
                | ProcessingStatus::CompletedWithErrors
                | ProcessingStatus::Failed
                | ProcessingStatus::Canceled
        )
    }

    /// Canceled, or on its way there.
    pub const fn is_canceled(self) -> bool {
        matches!(
            self,
            ProcessingStatus::Canceled | ProcessingStatus::Canceling
        )
    }
}

impl std::fmt::Display for ProcessingStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a run came about (`workflowExecutionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExecutionType {
    Scheduled,
    OnDemand,
    ActivatedWithScope,
    Preview,
}

impl ExecutionType {
    pub const ALL: [ExecutionType; 4] = [
        ExecutionType::Scheduled,
        ExecutionType::OnDemand,
        ExecutionType::ActivatedWithScope,
        ExecutionType::Preview,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ExecutionType::Scheduled => "scheduled",
            ExecutionType::OnDemand => "onDemand",
            ExecutionType::ActivatedWithScope => "activatedWithScope",
            ExecutionType::Preview => "preview",
        }
    }

    pub fn parse(s: &str) -> Option<ExecutionType> {
        ExecutionType::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// The kinds of result row the store keeps (its `result_kinds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResultKind {
    Run,
    /// A user processing result.
    User,
    /// A task processing result.
    Task,
    /// A task report: one task across one run.
    Report,
}

impl ResultKind {
    pub const ALL: [ResultKind; 4] = [
        ResultKind::Run,
        ResultKind::User,
        ResultKind::Task,
        ResultKind::Report,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ResultKind::Run => "run",
            ResultKind::User => "user",
            ResultKind::Task => "task",
            ResultKind::Report => "report",
        }
    }

    pub fn parse(s: &str) -> Option<ResultKind> {
        ResultKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A built-in task definition. Its GUID is declared here once; `catalog::ids` and the
/// engine read it from here (the catalog's JSON file carries it as data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskKind {
    AddUserToGroups,
    DisableUserAccount,
    EnableUserAccount,
    RemoveUserFromGroups,
    GenerateTap,
    SendWelcomeEmail,
    AddUserToTeams,
    DeleteUserAccount,
    RemoveUserFromTeams,
    RemoveUserFromAllGroups,
    RemoveUserFromAllTeams,
    RemoveAllLicenses,
    RunCustomTaskExtension,
    SendEmailBeforeLastDay,
    SendEmailOnLastDay,
    SendEmailAfterLastDay,
    SendOnboardingReminderEmail,
    RequestAccessPackage,
    RemoveAccessPackage,
    RemoveAllAccessPackages,
    CancelPendingAccessPackageRequests,
    SendManagerMoveEmail,
    AssignLicenses,
    RemoveLicenses,
    RevokeRefreshTokens,
}

impl TaskKind {
    /// Every built-in task, in the catalog's order.
    pub const ALL: [TaskKind; 25] = [
        TaskKind::AddUserToGroups,
        TaskKind::DisableUserAccount,
        TaskKind::EnableUserAccount,
        TaskKind::RemoveUserFromGroups,
        TaskKind::GenerateTap,
        TaskKind::SendWelcomeEmail,
        TaskKind::AddUserToTeams,
        TaskKind::DeleteUserAccount,
        TaskKind::RemoveUserFromTeams,
        TaskKind::RemoveUserFromAllGroups,
        TaskKind::RemoveUserFromAllTeams,
        TaskKind::RemoveAllLicenses,
        TaskKind::RunCustomTaskExtension,
        TaskKind::SendEmailBeforeLastDay,
        TaskKind::SendEmailOnLastDay,
        TaskKind::SendEmailAfterLastDay,
        TaskKind::SendOnboardingReminderEmail,
        TaskKind::RequestAccessPackage,
        TaskKind::RemoveAccessPackage,
        TaskKind::RemoveAllAccessPackages,
        TaskKind::CancelPendingAccessPackageRequests,
        TaskKind::SendManagerMoveEmail,
        TaskKind::AssignLicenses,
        TaskKind::RemoveLicenses,
        TaskKind::RevokeRefreshTokens,
    ];

    /// The task definition id, lower-case (ids compare case-insensitively; the catalog
    /// spells one of them upper-case).
    pub const fn id(self) -> &'static str {
        match self {
            TaskKind::AddUserToGroups => "22085229-5809-45e8-97fd-270d28d66910",
            TaskKind::DisableUserAccount => "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950",
            TaskKind::EnableUserAccount => "6fc52c9d-398b-4305-9763-15f42c1676fc",
            TaskKind::RemoveUserFromGroups => "1953a66c-751c-45e5-8bfe-01462c70da3c",
            TaskKind::GenerateTap => "1b555e50-7f65-41d5-b514-5894a026d10d",
            TaskKind::SendWelcomeEmail => "70b29d51-b59a-4773-9280-8841dfd3f2ea",
            TaskKind::AddUserToTeams => "e440ed8d-25a1-4618-84ce-091ed5be5594",
            TaskKind::DeleteUserAccount => "8d18588d-9ad3-4c0f-99d0-ec215f0e3dff",
            TaskKind::RemoveUserFromTeams => "06aa7acb-01af-4824-8899-b14e5ed788d6",
            TaskKind::RemoveUserFromAllGroups => "b3a31406-2a15-4c9a-b25b-a658fa5f07fc",
            TaskKind::RemoveUserFromAllTeams => "81f7b200-2816-4b3b-8c5d-dc556f07b024",
            TaskKind::RemoveAllLicenses => "8fa97d28-3e52-4985-b3a9-a1126f9b8b4e",
            TaskKind::RunCustomTaskExtension => "4262b724-8dba-4fad-afc3-43fcbb497a0e",
            TaskKind::SendEmailBeforeLastDay => "52853a3e-f4e5-4eb8-bb24-1ac09a1da935",
            TaskKind::SendEmailOnLastDay => "9c0a1eaf-5bda-4392-9d9e-6e155bb57411",
            TaskKind::SendEmailAfterLastDay => "6f22ddd4-b3a5-47a4-a846-0d7c201a49ce",
            TaskKind::SendOnboardingReminderEmail => "3c860712-2d37-42a4-928f-5c93935d26a1",
            TaskKind::RequestAccessPackage => "c1ec1e76-f374-4375-aaa6-0bb6bd4c60be",
            TaskKind::RemoveAccessPackage => "4a0b64f2-c7ec-46ba-b117-18f262946c50",
            TaskKind::RemoveAllAccessPackages => "42ae2956-193d-4f39-be06-691b8ac4fa1d",
            TaskKind::CancelPendingAccessPackageRequests => "498770d9-bab7-4e4c-b73d-5ded82a1d0b3",
            TaskKind::SendManagerMoveEmail => "aab41899-9972-422a-9d97-f626014578b7",
            TaskKind::AssignLicenses => "683c87a4-2ad4-420b-97d4-220d90afcd24",
            TaskKind::RemoveLicenses => "5fc402a8-daaf-4b7b-9203-da868b05fc5f",
            TaskKind::RevokeRefreshTokens => "509589a4-0466-4471-829e-49c5e502bdee",
        }
    }

    /// The built-in task a definition id names (compared case-insensitively, without
    /// allocating: the engine asks once per task of a job).
    pub fn from_id(definition_id: &str) -> Option<TaskKind> {
        TaskKind::ALL
            .into_iter()
            .find(|k| k.id().eq_ignore_ascii_case(definition_id))
    }

    /// The e-mail tasks (they read the manager, other users and the sender domain).
    pub const fn sends_mail(self) -> bool {
        matches!(
            self,
            TaskKind::SendWelcomeEmail
                | TaskKind::SendOnboardingReminderEmail
                | TaskKind::SendEmailBeforeLastDay
                | TaskKind::SendEmailOnLastDay
                | TaskKind::SendEmailAfterLastDay
                | TaskKind::SendManagerMoveEmail
                | TaskKind::GenerateTap
        )
    }

    /// The tasks that read the tenant's access packages and the users' assignments.
    pub const fn reads_access_packages(self) -> bool {
        matches!(
            self,
            TaskKind::RequestAccessPackage
                | TaskKind::RemoveAccessPackage
                | TaskKind::RemoveAllAccessPackages
                | TaskKind::CancelPendingAccessPackageRequests
        )
    }

    /// Arguments the task cannot do its work without (the Entra task docs' "needs" column).
    pub const fn required_arguments(self) -> &'static [&'static str] {
        match self {
            TaskKind::AddUserToGroups | TaskKind::RemoveUserFromGroups => &["groupID"],
            TaskKind::AddUserToTeams | TaskKind::RemoveUserFromTeams => &["teamID"],
            TaskKind::RunCustomTaskExtension => &["customTaskExtensionID"],
            TaskKind::AssignLicenses | TaskKind::RemoveLicenses => &["licenses"],
            TaskKind::RequestAccessPackage => &["assignmentPolicyId", "accessPackageId"],
            TaskKind::RemoveAccessPackage => &["accessPackageId"],
            _ => &[],
        }
    }
}

/// The job kinds of the engine's durable queue, with their payloads. The store keeps a
/// job's kind and payload in two columns: [`JobPayload::kind`] and [`JobPayload::payload`]
/// give them, [`JobPayload::from_parts`] reads them back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub enum JobPayload {
    /// Plan and commit the tasks of some users of a run.
    #[serde(rename = "processUsers")]
    ProcessUsers(ProcessUsers),
}

/// The users of a run one job processes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProcessUsers {
    pub workflow_id: String,
    pub run_id: String,
    /// User processing result ids.
    pub user_results: Vec<String>,
}

/// A job whose kind or payload this version does not understand.
#[derive(Debug, thiserror::Error)]
#[error("unreadable job of kind '{kind}': {source}")]
pub struct JobPayloadError {
    pub kind: String,
    #[source]
    pub source: serde_json::Error,
}

impl JobPayload {
    pub const PROCESS_USERS: &'static str = "processUsers";

    /// The job kind column.
    pub fn kind(&self) -> &'static str {
        match self {
            JobPayload::ProcessUsers(_) => JobPayload::PROCESS_USERS,
        }
    }

    /// The payload column: the variant's fields, without the kind.
    pub fn payload(&self) -> Value {
        let encoded = match self {
            JobPayload::ProcessUsers(p) => serde_json::to_value(p),
        };
        // Plain strings and lists always encode.
        encoded.unwrap_or(Value::Null)
    }

    /// Read a job back from its two columns.
    pub fn from_parts(kind: &str, payload: &Value) -> Result<JobPayload, JobPayloadError> {
        let tagged = serde_json::json!({"kind": kind, "payload": payload});
        serde_json::from_value(tagged).map_err(|source| JobPayloadError {
            kind: kind.to_string(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn processing_statuses_round_trip_graph_spellings() {
        let spelled: Vec<&str> = ProcessingStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            spelled,
            [
                "queued",
                "inProgress",
                "completed",
                "completedWithErrors",
                "canceled",
                "failed",
                "unknownFutureValue",
                "canceling",
                "quarantined"
            ]
        );
        for s in ProcessingStatus::ALL {
            assert_eq!(ProcessingStatus::parse(s.as_str()), Some(s));
            assert_eq!(s.to_string(), s.as_str());
        }
        assert_eq!(ProcessingStatus::parse("InProgress"), None);
        assert_eq!(
            ProcessingStatus::of("whatever"),
            ProcessingStatus::UnknownFutureValue
        );
        let finals: Vec<_> = ProcessingStatus::ALL
            .into_iter()
            .filter(|s| s.is_final())
            .collect();
        assert_eq!(
            finals,
            [
                ProcessingStatus::Completed,
                ProcessingStatus::CompletedWithErrors,
                ProcessingStatus::Canceled,
                ProcessingStatus::Failed
            ]
        );
        assert!(ProcessingStatus::Canceling.is_canceled());
        assert!(!ProcessingStatus::Canceling.is_final());
    }

    #[test]
    fn the_status_enum_matches_the_schema_table() {
        let def = crate::schema::enum_def(
            "microsoft.graph.identityGovernance.lifecycleWorkflowProcessingStatus",
        )
        .unwrap();
        let spelled: Vec<&str> = ProcessingStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(def.members, spelled.as_slice());
    }

    #[test]
    fn execution_types_and_result_kinds_round_trip() {
        let types: Vec<&str> = ExecutionType::ALL.iter().map(|e| e.as_str()).collect();
        assert_eq!(
            types,
            ["scheduled", "onDemand", "activatedWithScope", "preview"]
        );
        for e in ExecutionType::ALL {
            assert_eq!(ExecutionType::parse(e.as_str()), Some(e));
        }
        let kinds: Vec<&str> = ResultKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(kinds, ["run", "user", "task", "report"]);
        for k in ResultKind::ALL {
            assert_eq!(ResultKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn task_kinds_are_the_catalog_in_its_order() {
        let catalog: Vec<String> = crate::catalog::task_definitions()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_ascii_lowercase())
            .collect();
        let kinds: Vec<&str> = TaskKind::ALL.iter().map(|k| k.id()).collect();
        assert_eq!(catalog, kinds);
        for k in TaskKind::ALL {
            assert_eq!(TaskKind::from_id(k.id()), Some(k));
            assert_eq!(TaskKind::from_id(&k.id().to_ascii_uppercase()), Some(k));
        }
        assert_eq!(
            TaskKind::from_id("3C860712-2D37-42A4-928F-5C93935D26A1"),
            Some(TaskKind::SendOnboardingReminderEmail)
        );
        assert_eq!(
            TaskKind::from_id("00000000-0000-0000-0000-000000000000"),
            None
        );
    }

    #[test]
    fn job_payloads_keep_their_stored_form() {
        let job = JobPayload::ProcessUsers(ProcessUsers {
            workflow_id: "w".into(),
            run_id: "r".into(),
            user_results: vec!["u1".into(), "u2".into()],
        });
        assert_eq!(job.kind(), "processUsers");
        let payload = job.payload();
        assert_eq!(
            serde_json::to_string(&payload).unwrap(),
            r#"{"workflowId":"w","runId":"r","userResults":["u1","u2"]}"#
        );
        assert_eq!(JobPayload::from_parts(job.kind(), &payload).unwrap(), job);
        // Missing keys read as empty, as they always have.
        assert_eq!(
            JobPayload::from_parts("processUsers", &json!({"runId": "r"})).unwrap(),
            JobPayload::ProcessUsers(ProcessUsers {
                run_id: "r".into(),
                ..Default::default()
            })
        );
        assert!(JobPayload::from_parts("somethingElse", &json!({})).is_err());
    }
}
