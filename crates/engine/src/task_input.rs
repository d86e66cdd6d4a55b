//! What a task decision reads and what it decides: shared by the task planners
//! (`tasks.rs`, `task_mail.rs`, `tasks_access.rs`) and the engine that applies the decision.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use model::run::TaskKind;
use serde_json::Value;
use store::{AssignmentRow, RequestRow};

/// Everything a task decision reads.
#[derive(Clone, Copy)]
pub struct TaskInput<'a> {
    /// `task.taskDefinitionId` as the workflow spells it (named in failure messages).
    pub definition_id: &'a str,
    /// The built-in task it names, `None` outside the catalog; read once per job.
    pub kind: Option<TaskKind>,
    /// `task.arguments`: `[{name, value}]`, values are strings.
    pub arguments: &'a [Value],
    /// The Graph user document.
    pub user: &'a Value,
    /// Ids of the groups the user is a direct member of.
    pub user_group_ids: &'a [String],
    /// A group document by id, `None` when there is no such group.
    pub groups: &'a dyn Fn(&str) -> Option<&'a Value>,
    /// The user's manager (Graph user document), if the user has one.
    pub manager: Option<&'a Value>,
    /// Another user's document by id (explicit `to` and `cc` recipients).
    pub user_by_id: &'a dyn Fn(&str) -> Option<&'a Value>,
    /// `emailSettings.senderDomain` of the tenant: mail comes from `no-reply@<domain>`.
    pub sender_domain: &'a str,
    /// Access packages, policies and the job's users' assignments and pending requests
    /// (empty unless the job has an access package task).
    pub access: &'a AccessData,
    pub now: DateTime<Utc>,
    /// The user was queued by a scheduled pass, which catches up on triggers up to days
    /// late: mails about a day that has passed meanwhile are not sent.
    pub scheduled: bool,
}

/// An e-mail a task sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
}

/// A change to the directory the engine applies for a completed task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    SetAccountEnabled(bool),
    AddToGroup(String),
    RemoveFromGroup(String),
    DeleteUser,
    /// Replace `assignedLicenses` with this list of `{skuId, disabledPlans}`.
    SetAssignedLicenses(Vec<Value>),
    /// Set `signInSessionsValidFromDateTime`: every session issued before it is invalid.
    RevokeSessions(DateTime<Utc>),
    /// Queue this e-mail for delivery.
    SendMail(Mail),
    /// Create (replace) the user's Temporary Access Pass. The pass itself only travels in
    /// the accompanying [`Effect::SendMail`].
    CreateTemporaryAccessPass {
        id: String,
        start: DateTime<Utc>,
        lifetime_minutes: i64,
        usable_once: bool,
    },
    /// Change the user's access package assignments or requests.
    AccessPackage(AccessChange),
}

/// The decision for one task and one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Apply `effects` (possibly none); `processing_info` explains "already in the desired
    /// state" cases and is surfaced as `taskProcessingResult.processingInfo`.
    Completed {
        effects: Vec<Effect>,
        processing_info: Option<String>,
    },
    /// The task failed; `reason` becomes `failureReason`.
    Failed { reason: String },
    /// lcw does not implement this task; the engine records a failure with `reason`.
    NotImplemented { reason: String },
    /// Call this custom task extension: the task stays `inProgress` (and the user's later
    /// tasks wait) until the callout, or its callback, resolves it.
    Callout { extension_id: String },
}

impl Outcome {
    pub(crate) fn done(effects: Vec<Effect>, processing_info: Option<String>) -> Self {
        Outcome::Completed {
            effects,
            processing_info,
        }
    }

    pub(crate) fn failed(reason: impl Into<String>) -> Self {
        Outcome::Failed {
            reason: reason.into(),
        }
    }
}

/// A change to the user's access packages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessChange {
    Request {
        access_package_id: String,
        policy_id: String,
        /// The policy requires approval: the request waits in `pendingApproval`.
        pending: bool,
    },
    Remove {
        assignment_id: String,
    },
    Cancel {
        request_id: String,
    },
}

/// The access package data a job's tasks read (ids lower-cased as keys).
#[derive(Debug, Default, Clone)]
pub struct AccessData {
    pub packages: HashMap<String, Value>,
    /// Policy document and the id of its access package.
    pub policies: HashMap<String, (String, Value)>,
    /// Per user id: their assignments.
    pub assignments: HashMap<String, Vec<AssignmentRow>>,
    /// Per user id: their requests that can still be canceled.
    pub pending: HashMap<String, Vec<RequestRow>>,
}

/// The string value of the argument `name` (names compare case-insensitively).
pub(crate) fn argument<'a>(input: &TaskInput<'a>, name: &str) -> Option<&'a str> {
    input.arguments.iter().find_map(|a| {
        let n = a.get("name").and_then(Value::as_str)?;
        if n.eq_ignore_ascii_case(name) {
            a.get("value").and_then(Value::as_str)
        } else {
            None
        }
    })
}
