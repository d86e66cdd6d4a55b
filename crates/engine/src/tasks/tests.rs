use super::*;
use chrono::{DateTime, Utc};
use model::catalog::ids;
use std::sync::OnceLock;

use crate::tasks_access::AccessData;

const REVOKE_REFRESH_TOKENS: &str = TaskKind::RevokeRefreshTokens.id();

/// Ids of the e-mail task definitions.
mod mail {
    use model::run::TaskKind;

    pub const WELCOME: &str = TaskKind::SendWelcomeEmail.id();
    pub const BEFORE_LAST_DAY: &str = TaskKind::SendEmailBeforeLastDay.id();
    pub const ON_LAST_DAY: &str = TaskKind::SendEmailOnLastDay.id();
    pub const AFTER_LAST_DAY: &str = TaskKind::SendEmailAfterLastDay.id();
    pub const MANAGER_MOVE: &str = TaskKind::SendManagerMoveEmail.id();
}

const G1: &str = "11111111-1111-1111-1111-111111111111";
const G2: &str = "22222222-2222-2222-2222-222222222222";
const TEAM: &str = "33333333-3333-3333-3333-333333333333";
const DYN: &str = "44444444-4444-4444-4444-444444444444";
const MISSING: &str = "55555555-5555-5555-5555-555555555555";
const SKU1: &str = "aaaaaaaa-0000-0000-0000-000000000001";
const SKU2: &str = "aaaaaaaa-0000-0000-0000-000000000002";

/// The test directory's groups, by id (any case), as the engine passes them: borrowed.
fn directory(id: &str) -> Option<&'static Value> {
    static GROUPS: OnceLock<Vec<Value>> = OnceLock::new();
    borrowed(&GROUPS, &[G1, G2, TEAM, DYN], group_doc, id)
}

/// The document `make` gives for `id`, made once for each of `ids` and then lent out.
fn borrowed(
    docs: &'static OnceLock<Vec<Value>>,
    ids: &[&str],
    make: fn(&str) -> Option<Value>,
    id: &str,
) -> Option<&'static Value> {
    docs.get_or_init(|| ids.iter().filter_map(|i| make(i)).collect())
        .iter()
        .find(|d| d["id"].as_str().is_some_and(|d| d.eq_ignore_ascii_case(id)))
}

fn group_doc(id: &str) -> Option<Value> {
    let id = id.to_ascii_lowercase();
    match id.as_str() {
        G1 | G2 => Some(
            json!({"id": id, "displayName": "g", "groupTypes": [], "resourceProvisioningOptions": []}),
        ),
        TEAM => Some(
            json!({"id": id, "displayName": "t", "groupTypes": ["Unified"], "resourceProvisioningOptions": ["Team"]}),
        ),
        DYN => Some(json!({"id": id, "displayName": "d", "groupTypes": ["DynamicMembership"]})),
        _ => None,
    }
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn plan(def: &str, args: &[(&str, &str)], user: Value, member_of: &[&str]) -> Outcome {
    let arguments: Vec<Value> = args
        .iter()
        .map(|(n, v)| json!({"name": n, "value": v}))
        .collect();
    let groups: Vec<String> = member_of.iter().map(|s| s.to_string()).collect();
    plan_task(&TaskInput {
        definition_id: def,
        kind: TaskKind::from_id(def),
        arguments: &arguments,
        user: &user,
        user_group_ids: &groups,
        groups: &|id| directory(id),
        manager: None,
        user_by_id: &|_| None,
        sender_domain: "lcw.local",
        access: &AccessData::default(),
        now: now(),
        scheduled: false,
    })
}

fn user() -> Value {
    json!({"id": "u1", "accountEnabled": true})
}

fn done(effects: Vec<Effect>, info: Option<&str>) -> Outcome {
    Outcome::Completed {
        effects,
        processing_info: info.map(Into::into),
    }
}

fn failed(reason: &str) -> Outcome {
    Outcome::Failed {
        reason: reason.into(),
    }
}

#[test]
fn enable_and_disable() {
    let disabled = json!({"id": "u1", "accountEnabled": false});
    assert_eq!(
        plan(ids::ENABLE_USER_ACCOUNT, &[], disabled.clone(), &[]),
        done(vec![Effect::SetAccountEnabled(true)], None)
    );
    assert_eq!(
        plan(ids::ENABLE_USER_ACCOUNT, &[], user(), &[]),
        done(vec![], Some("The user account is already enabled."))
    );
    assert_eq!(
        plan(ids::DISABLE_USER_ACCOUNT, &[], user(), &[]),
        done(vec![Effect::SetAccountEnabled(false)], None)
    );
    assert_eq!(
        plan(
            ids::DISABLE_USER_ACCOUNT,
            &[("disableOnPremisesAccount", "false")],
            disabled,
            &[]
        ),
        done(vec![], Some("The user account is already disabled."))
    );
    // Definition ids compare case-insensitively.
    assert_eq!(
        plan(
            &ids::DISABLE_USER_ACCOUNT.to_ascii_uppercase(),
            &[],
            user(),
            &[]
        ),
        done(vec![Effect::SetAccountEnabled(false)], None)
    );
}

#[test]
fn add_to_groups() {
    let arg = format!("{G1}, {G2}");
    assert_eq!(
        plan(ids::ADD_USER_TO_GROUPS, &[("groupID", &arg)], user(), &[]),
        done(
            vec![Effect::AddToGroup(G1.into()), Effect::AddToGroup(G2.into())],
            None
        )
    );
    assert_eq!(
        plan(ids::ADD_USER_TO_GROUPS, &[("groupID", &arg)], user(), &[G1]),
        done(
            vec![Effect::AddToGroup(G2.into())],
            Some(&format!("The user is already a member of '{G1}'."))
        )
    );
    assert_eq!(
        plan(
            ids::ADD_USER_TO_GROUPS,
            &[("groupID", &arg)],
            user(),
            &[G2, G1]
        ),
        done(
            vec![],
            Some(&format!("The user is already a member of '{G1}', '{G2}'."))
        )
    );
    // Teams are groups too; the group's own id is used.
    let upper = TEAM.to_ascii_uppercase();
    assert_eq!(
        plan(ids::ADD_USER_TO_GROUPS, &[("groupID", &upper)], user(), &[]),
        done(vec![Effect::AddToGroup(TEAM.into())], None)
    );
}

#[test]
fn add_to_groups_failures() {
    let arg = format!("{G1},{MISSING}");
    assert_eq!(
        plan(ids::ADD_USER_TO_GROUPS, &[("groupID", &arg)], user(), &[]),
        failed(&format!("Group '{MISSING}' was not found."))
    );
    assert_eq!(
        plan(ids::ADD_USER_TO_GROUPS, &[("groupID", DYN)], user(), &[]),
        failed(&format!(
            "Group '{DYN}' has dynamic membership; its members cannot be changed."
        ))
    );
    assert_eq!(
        plan(ids::ADD_USER_TO_GROUPS, &[], user(), &[]),
        failed("The task needs the argument 'groupID'.")
    );
    assert_eq!(
        plan(ids::ADD_USER_TO_GROUPS, &[("groupID", " , ")], user(), &[]),
        failed("The task needs the argument 'groupID'.")
    );
}

#[test]
fn add_to_teams() {
    assert_eq!(
        plan(ids::ADD_USER_TO_TEAMS, &[("teamID", TEAM)], user(), &[]),
        done(vec![Effect::AddToGroup(TEAM.into())], None)
    );
    assert_eq!(
        plan(ids::ADD_USER_TO_TEAMS, &[("teamID", TEAM)], user(), &[TEAM]),
        done(
            vec![],
            Some(&format!("The user is already a member of '{TEAM}'."))
        )
    );
    assert_eq!(
        plan(ids::ADD_USER_TO_TEAMS, &[("teamID", G1)], user(), &[]),
        failed(&format!("'{G1}' is not a team."))
    );
    assert_eq!(
        plan(ids::ADD_USER_TO_TEAMS, &[("teamID", MISSING)], user(), &[]),
        failed(&format!("Group '{MISSING}' was not found."))
    );
    // Argument names compare case-insensitively; groupID is not teamID.
    assert_eq!(
        plan(ids::ADD_USER_TO_TEAMS, &[("TEAMID", TEAM)], user(), &[]),
        done(vec![Effect::AddToGroup(TEAM.into())], None)
    );
    assert_eq!(
        plan(ids::ADD_USER_TO_TEAMS, &[("groupID", TEAM)], user(), &[]),
        failed("The task needs the argument 'teamID'.")
    );
}

#[test]
fn remove_from_selected_groups() {
    let arg = format!("{G1},{G2},{G1}");
    assert_eq!(
        plan(
            ids::REMOVE_USER_FROM_GROUPS,
            &[("groupID", &arg)],
            user(),
            &[G1, G2]
        ),
        done(
            vec![
                Effect::RemoveFromGroup(G1.into()),
                Effect::RemoveFromGroup(G2.into())
            ],
            None
        )
    );
    assert_eq!(
        plan(
            ids::REMOVE_USER_FROM_GROUPS,
            &[("groupID", &arg)],
            user(),
            &[G2]
        ),
        done(
            vec![Effect::RemoveFromGroup(G2.into())],
            Some(&format!("The user was not a member of '{G1}'."))
        )
    );
    assert_eq!(
        plan(
            ids::REMOVE_USER_FROM_GROUPS,
            &[("groupID", &arg)],
            user(),
            &[]
        ),
        done(
            vec![],
            Some(&format!("The user was not a member of '{G1}', '{G2}'."))
        )
    );
    assert_eq!(
        plan(
            ids::REMOVE_USER_FROM_GROUPS,
            &[("groupID", MISSING)],
            user(),
            &[]
        ),
        failed(&format!("Group '{MISSING}' was not found."))
    );
    assert_eq!(
        plan(ids::REMOVE_USER_FROM_GROUPS, &[], user(), &[]),
        failed("The task needs the argument 'groupID'.")
    );
}

#[test]
fn remove_from_selected_teams() {
    assert_eq!(
        plan(
            ids::REMOVE_USER_FROM_TEAMS,
            &[("teamID", TEAM)],
            user(),
            &[TEAM]
        ),
        done(vec![Effect::RemoveFromGroup(TEAM.into())], None)
    );
    assert_eq!(
        plan(
            ids::REMOVE_USER_FROM_TEAMS,
            &[("teamID", TEAM)],
            user(),
            &[G1]
        ),
        done(
            vec![],
            Some(&format!("The user was not a member of '{TEAM}'."))
        )
    );
    assert_eq!(
        plan(
            ids::REMOVE_USER_FROM_TEAMS,
            &[("teamID", G1)],
            user(),
            &[G1]
        ),
        failed(&format!("'{G1}' is not a team."))
    );
}

#[test]
fn groups_named_reads_group_and_team_lists() {
    let args = vec![
        json!({"name": "GroupID", "value": " A1, b2 ,,"}),
        json!({"name": "teamID", "value": "T3"}),
        json!({"name": "other", "value": "x"}),
    ];
    assert_eq!(groups_named(&args), ["a1", "b2", "t3"]);
}

#[test]
fn remove_from_all_groups_keeps_teams_and_dynamic_groups() {
    assert_eq!(
        plan(
            ids::REMOVE_USER_FROM_ALL_GROUPS,
            &[],
            user(),
            &[G1, TEAM, DYN, MISSING, G1]
        ),
        done(
            vec![
                Effect::RemoveFromGroup(G1.into()),
                Effect::RemoveFromGroup(MISSING.into())
            ],
            None
        )
    );
    assert_eq!(
        plan(ids::REMOVE_USER_FROM_ALL_GROUPS, &[], user(), &[TEAM]),
        done(vec![], Some("The user was not a member of any group."))
    );
    assert_eq!(
        plan(ids::REMOVE_USER_FROM_ALL_GROUPS, &[], user(), &[]),
        done(vec![], Some("The user was not a member of any group."))
    );
}

#[test]
fn remove_from_all_teams() {
    assert_eq!(
        plan(
            ids::REMOVE_USER_FROM_ALL_TEAMS,
            &[],
            user(),
            &[G1, TEAM, DYN, MISSING]
        ),
        done(vec![Effect::RemoveFromGroup(TEAM.into())], None)
    );
    assert_eq!(
        plan(ids::REMOVE_USER_FROM_ALL_TEAMS, &[], user(), &[G1]),
        done(vec![], Some("The user was not a member of any team."))
    );
}

#[test]
fn delete_and_revoke() {
    assert_eq!(
        plan(ids::DELETE_USER_ACCOUNT, &[], user(), &[]),
        done(vec![Effect::DeleteUser], None)
    );
    assert_eq!(
        plan(REVOKE_REFRESH_TOKENS, &[], user(), &[]),
        done(vec![Effect::RevokeSessions(now())], None)
    );
}

fn licensed(skus: &[&str]) -> Value {
    let l: Vec<Value> = skus
        .iter()
        .map(|s| json!({"skuId": s, "disabledPlans": []}))
        .collect();
    json!({"id": "u1", "usageLocation": "DE", "assignedLicenses": l})
}

fn lic(s: &str) -> Value {
    json!({"skuId": s, "disabledPlans": []})
}

#[test]
fn assign_licenses() {
    let both = format!("{SKU1},{SKU2}");
    assert_eq!(
        plan(
            ids::ASSIGN_LICENSES,
            &[("licenses", &both)],
            licensed(&[]),
            &[]
        ),
        done(
            vec![Effect::SetAssignedLicenses(vec![lic(SKU1), lic(SKU2)])],
            None
        )
    );
    assert_eq!(
        plan(
            ids::ASSIGN_LICENSES,
            &[("licenses", &both)],
            licensed(&[SKU1]),
            &[]
        ),
        done(
            vec![Effect::SetAssignedLicenses(vec![lic(SKU1), lic(SKU2)])],
            Some(&format!("The user already has the licenses '{SKU1}'."))
        )
    );
    assert_eq!(
        plan(
            ids::ASSIGN_LICENSES,
            &[("licenses", SKU2)],
            licensed(&[SKU2]),
            &[]
        ),
        done(
            vec![],
            Some(&format!("The user already has the licenses '{SKU2}'."))
        )
    );
}

#[test]
fn assign_licenses_failures() {
    assert_eq!(
        plan(ids::ASSIGN_LICENSES, &[("licenses", SKU1)], user(), &[]),
        failed("The user has no usageLocation; licenses need one.")
    );
    let blank = json!({"id": "u1", "usageLocation": " "});
    assert_eq!(
        plan(ids::ASSIGN_LICENSES, &[("licenses", SKU1)], blank, &[]),
        failed("The user has no usageLocation; licenses need one.")
    );
    assert_eq!(
        plan(
            ids::ASSIGN_LICENSES,
            &[("licenses", "E5")],
            licensed(&[]),
            &[]
        ),
        failed("'E5' is not a license SKU id.")
    );
    assert_eq!(
        plan(ids::ASSIGN_LICENSES, &[], licensed(&[]), &[]),
        failed("The task needs the argument 'licenses'.")
    );
}

#[test]
fn remove_licenses() {
    let both = format!("{SKU1},{SKU2}");
    assert_eq!(
        plan(
            ids::REMOVE_LICENSES,
            &[("licenses", &both)],
            licensed(&[SKU1, SKU2]),
            &[]
        ),
        done(vec![Effect::SetAssignedLicenses(vec![])], None)
    );
    let upper = SKU1.to_ascii_uppercase();
    assert_eq!(
        plan(
            ids::REMOVE_LICENSES,
            &[("licenses", &upper)],
            licensed(&[SKU1, SKU2]),
            &[]
        ),
        done(vec![Effect::SetAssignedLicenses(vec![lic(SKU2)])], None)
    );
    assert_eq!(
        plan(
            ids::REMOVE_LICENSES,
            &[("licenses", &both)],
            licensed(&[SKU2]),
            &[]
        ),
        done(
            vec![Effect::SetAssignedLicenses(vec![])],
            Some(&format!("The user did not have the licenses '{SKU1}'."))
        )
    );
    assert_eq!(
        plan(ids::REMOVE_LICENSES, &[("licenses", SKU1)], user(), &[]),
        done(
            vec![],
            Some(&format!("The user did not have the licenses '{SKU1}'."))
        )
    );
    assert_eq!(
        plan(ids::REMOVE_LICENSES, &[("licenses", "x")], user(), &[]),
        failed("'x' is not a license SKU id.")
    );
}

#[test]
fn remove_all_licenses() {
    assert_eq!(
        plan(ids::REMOVE_ALL_LICENSES, &[], licensed(&[SKU1]), &[]),
        done(vec![Effect::SetAssignedLicenses(vec![])], None)
    );
    assert_eq!(
        plan(ids::REMOVE_ALL_LICENSES, &[], licensed(&[]), &[]),
        done(vec![], Some("The user has no licenses assigned."))
    );
    assert_eq!(
        plan(ids::REMOVE_ALL_LICENSES, &[], user(), &[]),
        done(vec![], Some("The user has no licenses assigned."))
    );
}

#[test]
fn custom_task_extension_tasks_call_out() {
    let ext = "A1B2C3D4-0000-0000-0000-000000000001";
    assert_eq!(
        plan(
            ids::RUN_CUSTOM_TASK_EXTENSION,
            &[("customTaskExtensionId", ext)],
            user(),
            &[]
        ),
        Outcome::Callout {
            extension_id: ext.to_ascii_lowercase()
        }
    );
    assert_eq!(
        plan(ids::RUN_CUSTOM_TASK_EXTENSION, &[], user(), &[]),
        Outcome::failed("The task has no 'customTaskExtensionID' argument.")
    );
}

#[test]
fn other_catalog_tasks_are_not_implemented() {
    let implemented = catalog::task_definitions()
        .iter()
        .filter(|d| is_implemented(d["id"].as_str().unwrap()))
        .count();
    assert_eq!(implemented, 25);
    for def in catalog::task_definitions() {
        let id = def["id"].as_str().unwrap();
        if is_implemented(id) {
            continue;
        }
        let name = def["displayName"].as_str().unwrap();
        assert_eq!(
            plan(id, &[], user(), &[]),
            Outcome::NotImplemented {
                reason: format!("The task '{name}' is not implemented by lcw yet.")
            },
            "{id}"
        );
    }
}

const BOSS: &str = "66666666-6666-6666-6666-666666666666";
const PEER: &str = "77777777-7777-7777-7777-777777777777";
const NOMAIL: &str = "88888888-8888-8888-8888-888888888888";

fn people(id: &str) -> Option<&'static Value> {
    static PEOPLE: OnceLock<Vec<Value>> = OnceLock::new();
    borrowed(&PEOPLE, &[BOSS, PEER, NOMAIL], person_doc, id)
}

fn person_doc(id: &str) -> Option<Value> {
    match id.to_ascii_lowercase().as_str() {
        BOSS => Some(json!({"id": BOSS, "displayName": "Bea Boss", "mail": "bea@x.test"})),
        PEER => Some(json!({"id": PEER, "displayName": "Pat Peer", "mail": "pat@x.test"})),
        NOMAIL => Some(json!({"id": NOMAIL, "displayName": "No Mail"})),
        _ => None,
    }
}

fn plan_mail(def: &str, args: &[(&str, &str)], user: Value, manager: Option<Value>) -> Outcome {
    plan_mail_as(def, args, user, manager, false)
}

fn plan_mail_as(
    def: &str,
    args: &[(&str, &str)],
    user: Value,
    manager: Option<Value>,
    scheduled: bool,
) -> Outcome {
    let arguments: Vec<Value> = args
        .iter()
        .map(|(n, v)| json!({"name": n, "value": v}))
        .collect();
    plan_task(&TaskInput {
        definition_id: def,
        kind: TaskKind::from_id(def),
        arguments: &arguments,
        user: &user,
        user_group_ids: &[],
        groups: &|id| directory(id),
        manager: manager.as_ref(),
        user_by_id: &|id| people(id),
        sender_domain: "contoso.test",
        access: &AccessData::default(),
        now: now(),
        scheduled,
    })
}

fn mail_user() -> Value {
    json!({"id": "u1", "displayName": "Ann Lee", "givenName": "Ann", "surname": "Lee",
               "userPrincipalName": "ann@contoso.test", "mail": "ann@x.test",
               "employeeHireDate": "2026-04-01T00:00:00Z", "employeeLeaveDateTime": "2026-06-30T00:00:00Z"})
}

fn sent(o: Outcome) -> Mail {
    match o {
        Outcome::Completed { mut effects, .. } => match effects.pop() {
            Some(Effect::SendMail(m)) => m,
            other => panic!("no mail: {other:?}"),
        },
        other => panic!("not completed: {other:?}"),
    }
}

#[test]
fn mail_default_recipients_and_text() {
    let boss = person_doc(BOSS);
    let welcome = sent(plan_mail(mail::WELCOME, &[], mail_user(), boss.clone()));
    assert_eq!(welcome.to, vec!["ann@x.test".to_string()]);
    assert_eq!(welcome.from, "no-reply@contoso.test");
    assert_eq!(welcome.subject, "Welcome, Ann Lee!");
    for id in [
        "3C860712-2D37-42A4-928F-5C93935D26A1",
        mail::BEFORE_LAST_DAY,
        mail::ON_LAST_DAY,
        mail::AFTER_LAST_DAY,
        mail::MANAGER_MOVE,
    ] {
        let m = sent(plan_mail(id, &[], mail_user(), boss.clone()));
        assert_eq!(m.to, vec!["bea@x.test".to_string()], "{id}");
        assert!(m.body.contains("Bea Boss"), "{id}: {}", m.body);
    }
}

#[test]
fn a_scheduled_run_sends_no_mail_before_a_last_day_that_has_begun() {
    let boss = person_doc(BOSS);
    let leaving = |date: &str| {
        let mut u = mail_user();
        u["employeeLeaveDateTime"] = json!(date);
        u
    };
    // now() is 2026-03-01T10:00Z.
    for last_day in ["2026-03-01T23:00:00Z", "2026-02-27T00:00:00Z"] {
        let outcome = plan_mail_as(
            mail::BEFORE_LAST_DAY,
            &[],
            leaving(last_day),
            boss.clone(),
            true,
        );
        let Outcome::Completed {
            effects,
            processing_info,
        } = outcome
        else {
            panic!("{last_day}: {outcome:?}");
        };
        assert!(effects.is_empty(), "{last_day}");
        assert!(processing_info.unwrap().contains("has begun"), "{last_day}");
    }
    // The day before the last day still gets it; so does an on-demand run, whatever the date.
    sent(plan_mail_as(
        mail::BEFORE_LAST_DAY,
        &[],
        leaving("2026-03-02T00:00:00Z"),
        boss.clone(),
        true,
    ));
    sent(plan_mail_as(
        mail::BEFORE_LAST_DAY,
        &[],
        leaving("2026-02-27T00:00:00Z"),
        boss,
        false,
    ));
}

#[test]
fn mail_arguments_and_placeholders() {
    let m = sent(plan_mail(
            mail::ON_LAST_DAY,
            &[
                ("to", PEER),
                ("cc", &format!("{BOSS}, {BOSS}")),
                ("customSubject", "{{userGivenName}} {{userSurname}} leaves {{userEmployeeLeaveDateTime}}"),
                ("customBody", "{{managerDisplayName}} <{{managerEmail}}>, {{userPrincipalName}} {{userEmployeeHireDate}} {{userDisplayName}} {{unknown}}"),
            ],
            mail_user(),
            person_doc(BOSS),
        ));
    assert_eq!(m.to, vec!["pat@x.test".to_string()]);
    assert_eq!(m.cc, vec!["bea@x.test".to_string()]);
    assert_eq!(m.subject, "Ann Lee leaves 2026-06-30T00:00:00Z");
    assert_eq!(
        m.body,
        "Bea Boss <bea@x.test>, ann@contoso.test 2026-04-01T00:00:00Z Ann Lee {{unknown}}"
    );
    let to_user = sent(plan_mail(
        mail::MANAGER_MOVE,
        &[("to", "user")],
        mail_user(),
        None,
    ));
    assert_eq!(to_user.to, vec!["ann@x.test".to_string()]);
}

#[test]
fn mail_failures() {
    assert_eq!(
        plan_mail(mail::ON_LAST_DAY, &[], mail_user(), None),
        failed("The user has no manager; the mail goes to the manager.")
    );
    assert_eq!(
        plan_mail(mail::ON_LAST_DAY, &[], mail_user(), person_doc(NOMAIL)),
        failed("The user's manager 'No Mail' has no mail address.")
    );
    assert_eq!(
        plan_mail(mail::WELCOME, &[], user(), None),
        failed("The user has no mail address.")
    );
    assert_eq!(
        plan_mail(mail::WELCOME, &[("to", "Sponsors")], mail_user(), None),
        failed("The user has no sponsors.")
    );
    assert_eq!(
        plan_mail(
            mail::WELCOME,
            &[("to", "Sponsors"), ("cc", BOSS)],
            mail_user(),
            None
        ),
        failed("'cc' cannot be used when 'to' is Sponsors.")
    );
    assert_eq!(
        plan_mail(mail::WELCOME, &[("to", MISSING)], mail_user(), None),
        failed(&format!("User '{MISSING}' was not found."))
    );
    assert_eq!(
        plan_mail(mail::WELCOME, &[("cc", NOMAIL)], mail_user(), None),
        failed(&format!("User '{NOMAIL}' has no mail address."))
    );
    assert_eq!(
        plan_mail(mail::WELCOME, &[("to", "Boss")], mail_user(), None),
        failed("'to' must be User, Manager, Sponsors or a user id, got 'Boss'.")
    );
}

#[test]
fn unknown_definition_fails() {
    assert_eq!(
        plan("not-a-task", &[], user(), &[]),
        failed("'not-a-task' is not a built-in task definition.")
    );
}
