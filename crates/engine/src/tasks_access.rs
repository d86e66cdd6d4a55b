//! The Temporary Access Pass task and the four access package tasks: their planning (pure,
//! over [`AccessData`] loaded once per job) and the loader.
//!
//! * Generate TAP and send email: a pass valid from the user's `employeeHireDate` (or now,
//!   when that has passed) for `tapLifetimeMinutes` (10–43,200, default 60), one-time when
//!   `tapIsUsableOnce` is `true` (default `false`), mailed to the manager by default (`to`,
//!   `cc`, `customSubject`, `customBody` as for every e-mail task, plus the
//!   `{{temporaryAccessPass}}` placeholder). The pass is only in the mail: never in the
//!   task result, the logs or the store.
//! * Request user access package assignment (`accessPackageId`, `assignmentPolicyId`): an
//!   `adminAdd` request, delivered at once with a new assignment, or left `pendingApproval`
//!   when the policy requires approval.
//! * Remove access package assignment (`accessPackageId`), Remove all access package
//!   assignments: an `adminRemove` request per assignment, which goes.
//! * Cancel pending access package assignment requests: every pending request of the user.

use chrono::{DateTime, Utc};
use model::run::TaskKind;
use model::tap;
use serde_json::Value;
use store::{entitlement_kinds, AssignmentRow, Store};

use crate::task_input::{argument, Effect, Outcome, TaskInput};
pub use crate::task_input::{AccessChange, AccessData};
use crate::task_mail::send_mail;

/// Load what the access package tasks of a job's users read: the tenant's packages and
/// policies, and those users' assignments and pending requests.
pub async fn load_access_data(
    store: &Store,
    tenant: &str,
    user_ids: &[String],
) -> Result<AccessData, store::StoreError> {
    let mut data = AccessData::default();
    for r in store
        .list(tenant, entitlement_kinds::ACCESS_PACKAGE, None)
        .await?
    {
        data.packages.insert(r.id.to_ascii_lowercase(), r.doc);
    }
    for r in store
        .list(tenant, entitlement_kinds::ASSIGNMENT_POLICY, None)
        .await?
    {
        data.policies
            .insert(r.id.to_ascii_lowercase(), (r.parent_id, r.doc));
    }
    for a in store.assignments_of_users(tenant, user_ids).await? {
        data.assignments
            .entry(a.target_id.to_ascii_lowercase())
            .or_default()
            .push(a);
    }
    for r in store.pending_requests_of_users(tenant, user_ids).await? {
        data.pending
            .entry(r.target_id.to_ascii_lowercase())
            .or_default()
            .push(r);
    }
    Ok(data)
}

fn failed(reason: impl Into<String>) -> Outcome {
    Outcome::Failed {
        reason: reason.into(),
    }
}

fn done(effects: Vec<Effect>, info: impl Into<Option<String>>) -> Outcome {
    Outcome::Completed {
        effects,
        processing_info: info.into(),
    }
}

fn required<'a>(input: &TaskInput<'a>, name: &str) -> Result<&'a str, Outcome> {
    argument(input, name)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| failed(format!("The task needs the argument '{name}'.")))
}

fn user_key(input: &TaskInput) -> String {
    input
        .user
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn assignments<'a>(input: &TaskInput<'a>) -> &'a [AssignmentRow] {
    input
        .access
        .assignments
        .get(&user_key(input))
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// "Generate TAP and send email".
pub(crate) fn generate_tap(input: &TaskInput) -> Outcome {
    let lifetime = match argument(input, "tapLifetimeMinutes").map(str::trim) {
        None | Some("") => tap::DEFAULT_LIFETIME,
        Some(s) => match s.parse::<i64>() {
            Ok(n) => match tap::check_lifetime(n) {
                Ok(n) => n,
                Err(e) => return failed(format!("'tapLifetimeMinutes': {e}.")),
            },
            Err(_) => {
                return failed(format!(
                    "'tapLifetimeMinutes' must be a whole number of minutes, got '{s}'."
                ))
            }
        },
    };
    let usable_once = match argument(input, "tapIsUsableOnce").map(str::trim) {
        None | Some("") => false,
        Some(s) if s.eq_ignore_ascii_case("true") => true,
        Some(s) if s.eq_ignore_ascii_case("false") => false,
        Some(s) => {
            return failed(format!(
                "'tapIsUsableOnce' must be true or false, got '{s}'."
            ))
        }
    };
    let start = input
        .user
        .get("employeeHireDate")
        .and_then(Value::as_str)
        .and_then(model::time::parse_datetime)
        .filter(|hire| *hire > input.now)
        .unwrap_or(input.now);
    let (mut effects, to) = match send_mail(input, TaskKind::GenerateTap) {
        Outcome::Completed { effects, .. } => {
            let to = effects
                .iter()
                .find_map(|e| match e {
                    Effect::SendMail(m) => Some(m.to.join(", ")),
                    _ => None,
                })
                .unwrap_or_default();
            (effects, to)
        }
        other => return other,
    };
    let pass = tap::new_pass();
    let validity = validity_line(start, lifetime, usable_once);
    for e in &mut effects {
        if let Effect::SendMail(m) = e {
            const PLACEHOLDER: &str = "{{temporaryAccessPass}}";
            if !m.body.contains(PLACEHOLDER) {
                // A custom body without the placeholder would deliver nothing useful.
                m.body = format!(
                    "{}\n\nTemporary Access Pass: {PLACEHOLDER}\n",
                    m.body.trim_end()
                );
            }
            m.body = format!(
                "{}\n{validity}\n",
                m.body.replace(PLACEHOLDER, &pass).trim_end()
            );
            m.subject = m.subject.replace(PLACEHOLDER, &pass);
        }
    }
    effects.insert(
        0,
        Effect::CreateTemporaryAccessPass {
            id: model::new_id(),
            start,
            lifetime_minutes: lifetime,
            usable_once,
        },
    );
    done(
        effects,
        format!(
            "A Temporary Access Pass ({}) was created and mailed to {to}.",
            validity.trim_end_matches('.')
        ),
    )
}

fn validity_line(start: DateTime<Utc>, lifetime: i64, usable_once: bool) -> String {
    format!(
        "valid from {} for {lifetime} minutes, {}.",
        model::time::format_datetime(start),
        if usable_once {
            "usable once"
        } else {
            "usable several times"
        }
    )
}

/// "Request user access package assignment".
pub(crate) fn request_assignment(input: &TaskInput) -> Outcome {
    let (package_id, policy_id) = match (
        required(input, "accessPackageId"),
        required(input, "assignmentPolicyId"),
    ) {
        (Ok(a), Ok(p)) => (a, p),
        (Err(o), _) | (_, Err(o)) => return o,
    };
    let Some(package) = input.access.packages.get(&package_id.to_ascii_lowercase()) else {
        return failed(format!("Access package '{package_id}' was not found."));
    };
    let package_id = package
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or(package_id);
    let Some((owner, policy)) = input.access.policies.get(&policy_id.to_ascii_lowercase()) else {
        return failed(format!("Assignment policy '{policy_id}' was not found."));
    };
    if !owner.eq_ignore_ascii_case(package_id) {
        return failed(format!(
            "Assignment policy '{policy_id}' does not belong to access package '{package_id}'."
        ));
    }
    if assignments(input)
        .iter()
        .any(|a| a.access_package_id.eq_ignore_ascii_case(package_id))
    {
        return done(
            Vec::new(),
            format!("The user already has an assignment of access package '{package_id}'."),
        );
    }
    let waiting = input
        .access
        .pending
        .get(&user_key(input))
        .is_some_and(|rs| {
            rs.iter()
                .any(|r| r.access_package_id.eq_ignore_ascii_case(package_id))
        });
    if waiting {
        return done(
            Vec::new(),
            format!("The user already has a pending request for access package '{package_id}'."),
        );
    }
    let pending = needs_approval(policy);
    let policy_id = policy
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or(policy_id);
    let info = if pending {
        format!("The request for access package '{package_id}' awaits approval.")
    } else {
        format!("Access package '{package_id}' was assigned.")
    };
    done(
        vec![Effect::AccessPackage(AccessChange::Request {
            access_package_id: package_id.to_string(),
            policy_id: policy_id.to_string(),
            pending,
        })],
        info,
    )
}

/// Whether requests through this policy wait for an approver.
pub fn needs_approval(policy: &Value) -> bool {
    let settings = policy.get("requestApprovalSettings");
    ["isApprovalRequiredForAdd", "isApprovalRequired"]
        .iter()
        .any(|k| {
            settings
                .and_then(|s| s.get(*k))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        })
}

/// "Remove access package assignment for user".
pub(crate) fn remove_assignment(input: &TaskInput) -> Outcome {
    let package_id = match required(input, "accessPackageId") {
        Ok(p) => p,
        Err(o) => return o,
    };
    let effects: Vec<Effect> = assignments(input)
        .iter()
        .filter(|a| a.access_package_id.eq_ignore_ascii_case(package_id))
        .map(|a| {
            Effect::AccessPackage(AccessChange::Remove {
                assignment_id: a.id.clone(),
            })
        })
        .collect();
    if effects.is_empty() {
        if !input
            .access
            .packages
            .contains_key(&package_id.to_ascii_lowercase())
        {
            return failed(format!("Access package '{package_id}' was not found."));
        }
        return done(
            effects,
            format!("The user has no assignment of access package '{package_id}'."),
        );
    }
    done(effects, None)
}

/// "Remove all access package assignments for user".
pub(crate) fn remove_all_assignments(input: &TaskInput) -> Outcome {
    let effects: Vec<Effect> = assignments(input)
        .iter()
        .map(|a| {
            Effect::AccessPackage(AccessChange::Remove {
                assignment_id: a.id.clone(),
            })
        })
        .collect();
    let info = effects
        .is_empty()
        .then(|| "The user has no access package assignments.".to_string());
    done(effects, info)
}

/// "Cancel pending access package assignment requests for user".
pub(crate) fn cancel_pending_requests(input: &TaskInput) -> Outcome {
    let effects: Vec<Effect> = input
        .access
        .pending
        .get(&user_key(input))
        .into_iter()
        .flatten()
        .map(|r| {
            Effect::AccessPackage(AccessChange::Cancel {
                request_id: r.id.clone(),
            })
        })
        .collect();
    let info = effects
        .is_empty()
        .then(|| "The user has no pending access package requests.".to_string());
    done(effects, info)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use store::RequestRow;

    const GENERATE_TAP: &str = TaskKind::GenerateTap.id();
    const REQUEST: &str = TaskKind::RequestAccessPackage.id();
    const REMOVE: &str = TaskKind::RemoveAccessPackage.id();
    const REMOVE_ALL: &str = TaskKind::RemoveAllAccessPackages.id();
    const CANCEL_PENDING: &str = TaskKind::CancelPendingAccessPackageRequests.id();

    const U: &str = "aaaaaaaa-0000-0000-0000-00000000000a";
    const BOSS: &str = "bbbbbbbb-0000-0000-0000-00000000000b";
    const AP: &str = "cccccccc-0000-0000-0000-00000000000c";
    const POL: &str = "dddddddd-0000-0000-0000-00000000000d";
    const POL_APPROVAL: &str = "eeeeeeee-0000-0000-0000-00000000000e";

    fn now() -> DateTime<Utc> {
        model::time::parse_datetime("2026-03-01T10:00:00Z").unwrap()
    }

    fn data() -> AccessData {
        let mut d = AccessData::default();
        d.packages.insert(AP.into(), json!({"id": AP}));
        d.policies
            .insert(POL.into(), (AP.into(), json!({"id": POL})));
        d.policies.insert(
            POL_APPROVAL.into(),
            (
                AP.into(),
                json!({"id": POL_APPROVAL, "requestApprovalSettings": {"isApprovalRequiredForAdd": true}}),
            ),
        );
        d
    }

    fn assignment(id: &str) -> AssignmentRow {
        AssignmentRow {
            id: id.into(),
            target_id: U.into(),
            access_package_id: AP.into(),
            policy_id: POL.into(),
            state: "delivered".into(),
            status: "Delivered".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    fn plan(def: &str, args: &[(&str, &str)], user: Value, access: &AccessData) -> Outcome {
        let arguments: Vec<Value> = args
            .iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect();
        let boss = json!({"id": BOSS, "displayName": "Bea Boss", "mail": "bea@contoso.test"});
        crate::tasks::plan_task(&TaskInput {
            definition_id: def,
            kind: TaskKind::from_id(def),
            arguments: &arguments,
            user: &user,
            user_group_ids: &[],
            groups: &|_| None,
            manager: Some(&boss),
            user_by_id: &|_| None,
            sender_domain: "lcw.local",
            access,
            now: now(),
            scheduled: false,
        })
    }

    fn user() -> Value {
        json!({"id": U, "displayName": "Ann New", "employeeHireDate": "2026-03-10T00:00:00Z"})
    }

    #[test]
    fn tap_is_created_from_the_hire_date_and_mailed_to_the_manager() {
        let o = plan(
            GENERATE_TAP,
            &[("tapLifetimeMinutes", "480"), ("tapIsUsableOnce", "true")],
            user(),
            &AccessData::default(),
        );
        let Outcome::Completed {
            effects,
            processing_info,
        } = o
        else {
            panic!("{o:?}")
        };
        let Effect::CreateTemporaryAccessPass {
            start,
            lifetime_minutes,
            usable_once,
            ..
        } = &effects[0]
        else {
            panic!("{effects:?}")
        };
        assert_eq!(
            *start,
            model::time::parse_datetime("2026-03-10T00:00:00Z").unwrap()
        );
        assert_eq!(*lifetime_minutes, 480);
        assert!(*usable_once);
        let Effect::SendMail(m) = &effects[1] else {
            panic!("{effects:?}")
        };
        assert_eq!(m.to, vec!["bea@contoso.test".to_string()]);
        assert!(!m.body.contains("{{"), "{}", m.body);
        assert!(
            m.body.contains("for 480 minutes, usable once"),
            "{}",
            m.body
        );
        let info = processing_info.unwrap();
        assert!(info.contains("bea@contoso.test"), "{info}");
        // The pass is in the mail only, never in the task result.
        let pass_line = m
            .body
            .lines()
            .find(|l| l.len() == 8 && !l.contains(' '))
            .unwrap();
        assert!(!info.contains(pass_line));
    }

    #[test]
    fn tap_starts_now_when_the_hire_date_passed_and_checks_arguments() {
        let past = json!({"id": U, "employeeHireDate": "2026-01-01T00:00:00Z"});
        let Outcome::Completed { effects, .. } =
            plan(GENERATE_TAP, &[], past.clone(), &AccessData::default())
        else {
            panic!()
        };
        assert!(matches!(
            &effects[0],
            Effect::CreateTemporaryAccessPass { start, lifetime_minutes: 60, usable_once: false, .. } if *start == now()
        ));
        let custom = [(
            "customBody",
            "Pass: {{temporaryAccessPass}} for {{userDisplayName}}",
        )];
        let Outcome::Completed { effects, .. } =
            plan(GENERATE_TAP, &custom, user(), &AccessData::default())
        else {
            panic!()
        };
        let Effect::SendMail(m) = &effects[1] else {
            panic!()
        };
        assert!(
            m.body.starts_with("Pass: ") && m.body.contains(" for Ann New"),
            "{}",
            m.body
        );
        for (args, reason) in [
            (
                vec![("tapLifetimeMinutes", "5")],
                "'tapLifetimeMinutes': lifetimeInMinutes must be between 10 and 43200, got 5.",
            ),
            (
                vec![("tapLifetimeMinutes", "soon")],
                "'tapLifetimeMinutes' must be a whole number of minutes, got 'soon'.",
            ),
            (
                vec![("tapIsUsableOnce", "maybe")],
                "'tapIsUsableOnce' must be true or false, got 'maybe'.",
            ),
        ] {
            assert_eq!(
                plan(GENERATE_TAP, &args, past.clone(), &AccessData::default()),
                failed(reason)
            );
        }
    }

    #[test]
    fn request_assignment() {
        let args = [("accessPackageId", AP), ("assignmentPolicyId", POL)];
        assert_eq!(
            plan(REQUEST, &args, user(), &data()),
            done(
                vec![Effect::AccessPackage(AccessChange::Request {
                    access_package_id: AP.into(),
                    policy_id: POL.into(),
                    pending: false
                })],
                format!("Access package '{AP}' was assigned.")
            )
        );
        let approval = [
            ("accessPackageId", AP),
            ("assignmentPolicyId", POL_APPROVAL),
        ];
        assert!(matches!(
            plan(REQUEST, &approval, user(), &data()),
            Outcome::Completed { effects, .. } if effects == vec![Effect::AccessPackage(AccessChange::Request {
                access_package_id: AP.into(), policy_id: POL_APPROVAL.into(), pending: true })]
        ));
        let mut has = data();
        has.assignments.insert(U.into(), vec![assignment("a1")]);
        assert_eq!(
            plan(REQUEST, &args, user(), &has),
            done(
                vec![],
                format!("The user already has an assignment of access package '{AP}'.")
            )
        );
        let missing = [("accessPackageId", POL), ("assignmentPolicyId", POL)];
        assert_eq!(
            plan(REQUEST, &missing, user(), &data()),
            failed(format!("Access package '{POL}' was not found."))
        );
        assert_eq!(
            plan(REQUEST, &[("accessPackageId", AP)], user(), &data()),
            failed("The task needs the argument 'assignmentPolicyId'.")
        );
    }

    #[test]
    fn remove_and_cancel() {
        let mut d = data();
        d.assignments
            .insert(U.into(), vec![assignment("a1"), assignment("a2")]);
        d.pending.insert(
            U.into(),
            vec![RequestRow {
                id: "r1".into(),
                request_type: "adminAdd".into(),
                state: "pendingApproval".into(),
                status: "PendingApproval".into(),
                target_id: U.into(),
                access_package_id: AP.into(),
                policy_id: POL_APPROVAL.into(),
                assignment_id: String::new(),
                justification: None,
                created_at: "2026-01-01T00:00:00Z".into(),
                completed_at: None,
            }],
        );
        let remove = |id: &str| {
            Effect::AccessPackage(AccessChange::Remove {
                assignment_id: id.into(),
            })
        };
        assert_eq!(
            plan(REMOVE, &[("accessPackageId", AP)], user(), &d),
            done(vec![remove("a1"), remove("a2")], None)
        );
        assert_eq!(
            plan(REMOVE_ALL, &[], user(), &d),
            done(vec![remove("a1"), remove("a2")], None)
        );
        assert_eq!(
            plan(CANCEL_PENDING, &[], user(), &d),
            done(
                vec![Effect::AccessPackage(AccessChange::Cancel {
                    request_id: "r1".into()
                })],
                None
            )
        );
        let empty = data();
        assert_eq!(
            plan(REMOVE, &[("accessPackageId", AP)], user(), &empty),
            done(
                vec![],
                format!("The user has no assignment of access package '{AP}'.")
            )
        );
        assert_eq!(
            plan(REMOVE, &[("accessPackageId", POL)], user(), &empty),
            failed(format!("Access package '{POL}' was not found."))
        );
        assert_eq!(
            plan(REMOVE_ALL, &[], user(), &empty),
            done(
                vec![],
                "The user has no access package assignments.".to_string()
            )
        );
        assert_eq!(
            plan(CANCEL_PENDING, &[], user(), &empty),
            done(
                vec![],
                "The user has no pending access package requests.".to_string()
            )
        );
    }
}
