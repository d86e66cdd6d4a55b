//! Every built-in task lcw carries out, end to end over HTTP: a workflow with the task is
//! activated for a user, the engine runs it, and the test checks what a Graph client sees
//! afterwards — the user's `accountEnabled`, `assignedLicenses` and
//! `signInSessionsValidFromDateTime`, the members of each group and team, a deleted user's
//! 404, the task's `processingStatus` / `processingInfo` / `failureReason`, and for the
//! e-mail tasks the messages a real SMTP server received.
//!
//! The directory tasks run as one table of cases on the shared manual-clock server (one
//! tenant, one workflow per case); the e-mail tasks on a server of their own delivering to
//! the SMTP server started by `crate::mail`. TAP, custom task extension and access package
//! tasks are covered elsewhere.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use serde_json::{json, Value};

use crate::harness::{clock_lock, into_resp, Backend, Resp, Tenant, LW};
use crate::mail::{result_for, Lcw, SmtpSink};

const ENABLE: &str = "6fc52c9d-398b-4305-9763-15f42c1676fc";
const DISABLE: &str = "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950";
const ADD_TO_GROUPS: &str = "22085229-5809-45e8-97fd-270d28d66910";
const REMOVE_FROM_GROUPS: &str = "1953a66c-751c-45e5-8bfe-01462c70da3c";
const ADD_TO_TEAMS: &str = "e440ed8d-25a1-4618-84ce-091ed5be5594";
const REMOVE_FROM_TEAMS: &str = "06aa7acb-01af-4824-8899-b14e5ed788d6";
const REMOVE_FROM_ALL_GROUPS: &str = "b3a31406-2a15-4c9a-b25b-a658fa5f07fc";
const REMOVE_FROM_ALL_TEAMS: &str = "81f7b200-2816-4b3b-8c5d-dc556f07b024";
const DELETE_USER: &str = "8d18588d-9ad3-4c0f-99d0-ec215f0e3dff";
const ASSIGN_LICENSES: &str = "683c87a4-2ad4-420b-97d4-220d90afcd24";
const REMOVE_LICENSES: &str = "5fc402a8-daaf-4b7b-9203-da868b05fc5f";
const REMOVE_ALL_LICENSES: &str = "8fa97d28-3e52-4985-b3a9-a1126f9b8b4e";
const REVOKE_TOKENS: &str = "509589a4-0466-4471-829e-49c5e502bdee";

const WELCOME: &str = "70b29d51-b59a-4773-9280-8841dfd3f2ea";
/// Upper case, as the catalog spells it.
const ONBOARDING_REMINDER: &str = "3C860712-2D37-42A4-928F-5C93935D26A1";
const BEFORE_LAST_DAY: &str = "52853a3e-f4e5-4eb8-bb24-1ac09a1da935";
const ON_LAST_DAY: &str = "9c0a1eaf-5bda-4392-9d9e-6e155bb57411";
const AFTER_LAST_DAY: &str = "6f22ddd4-b3a5-47a4-a846-0d7c201a49ce";
const MANAGER_MOVE: &str = "aab41899-9972-422a-9d97-f626014578b7";

const SKU_E3: &str = "05e9a617-0261-4cee-bb44-138d3ef5d965";
const SKU_E5: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
/// A group id no group has.
const NO_GROUP: &str = "0badc0de-0000-4000-8000-000000000404";

/// Users are created at this time, the workflows run at [`RUN_AT`].
const CREATED_AT: &str = "2026-09-01T08:00:00Z";
const RUN_AT: &str = "2026-09-01T09:30:00Z";

/// The fixture groups, by the name the cases use: two plain groups, two teams, and a group
/// with dynamic membership.
const GROUPS: [&str; 5] = ["g1", "g2", "t1", "t2", "dyn"];

/// What a Graph client sees of one user.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    enabled: bool,
    /// Fixture groups (by name) whose `members` list the user.
    groups: BTreeSet<String>,
    /// `assignedLicenses[].skuId`
    licenses: BTreeSet<String>,
    /// `signInSessionsValidFromDateTime` equals [`RUN_AT`].
    revoked: bool,
}

fn seen(enabled: bool, groups: &[&str], licenses: &[&str]) -> Seen {
    Seen {
        enabled,
        groups: groups.iter().map(|s| s.to_string()).collect(),
        licenses: licenses.iter().map(|s| s.to_string()).collect(),
        revoked: false,
    }
}

/// One task run for one user of its own.
struct Case {
    name: &'static str,
    category: &'static str,
    definition: &'static str,
    /// `{g1}`-style names are replaced by the fixture group ids.
    args: Vec<(&'static str, &'static str)>,
    before: Seen,
    /// `usageLocation` of the user.
    usage_location: Option<&'static str>,
    /// `None`: the user is gone (GET answers 404, and no group lists it).
    after: Option<Seen>,
    status: &'static str,
    info: Option<&'static str>,
    failure: Option<&'static str>,
}

fn case(
    name: &'static str,
    category: &'static str,
    definition: &'static str,
    args: &[(&'static str, &'static str)],
    before: Seen,
    after: Option<Seen>,
) -> Case {
    Case {
        name,
        category,
        definition,
        args: args.to_vec(),
        before,
        usage_location: Some("DE"),
        after,
        status: "completed",
        info: None,
        failure: None,
    }
}

impl Case {
    fn info(mut self, info: &'static str) -> Case {
        self.info = Some(info);
        self
    }

    fn fails(mut self, reason: &'static str) -> Case {
        self.status = "failed";
        self.failure = Some(reason);
        self
    }

    fn without_usage_location(mut self) -> Case {
        self.usage_location = None;
        self
    }
}

fn revoked(mut s: Seen) -> Seen {
    s.revoked = true;
    s
}

/// The table: one row per case. `on(groups)` is an enabled user without licenses.
#[rustfmt::skip]
fn cases() -> Vec<Case> {
    let on = |g: &[&str]| seen(true, g, &[]);
    let off = || seen(false, &[], &[]);
    let lic = |l: &[&str]| seen(true, &[], l);
    vec![
        // Enable / Disable user account.
        case("enable", "joiner", ENABLE, &[], off(), Some(on(&[]))),
        case("enable again", "joiner", ENABLE, &[], on(&[]), Some(on(&[])))
            .info("The user account is already enabled."),
        case("disable", "leaver", DISABLE, &[], on(&[]), Some(off())),
        case("disable again", "leaver", DISABLE, &[("disableOnPremisesAccount", "false")], off(), Some(off()))
            .info("The user account is already disabled."),
        // Add user to groups.
        case("add to groups", "joiner", ADD_TO_GROUPS, &[("groupID", "{g1}, {g2}")], on(&[]), Some(on(&["g1", "g2"]))),
        case("add to groups, one already", "mover", ADD_TO_GROUPS, &[("groupID", "{g1},{g2}")], on(&["g1"]), Some(on(&["g1", "g2"])))
            .info("The user is already a member of '{g1}'."),
        case("add to an unknown group", "joiner", ADD_TO_GROUPS, &[("groupID", "{g1},{missing}")], on(&[]), Some(on(&[])))
            .fails("Group '{missing}' was not found."),
        case("add to a dynamic group", "joiner", ADD_TO_GROUPS, &[("groupID", "{dyn}")], on(&[]), Some(on(&[])))
            .fails("Group '{dyn}' has dynamic membership; its members cannot be changed."),
        // Remove user from selected groups.
        case("remove from selected groups", "leaver", REMOVE_FROM_GROUPS, &[("groupID", "{g1}")], on(&["g1", "g2", "t1"]), Some(on(&["g2", "t1"]))),
        case("remove from a group the user is not in", "leaver", REMOVE_FROM_GROUPS, &[("groupID", "{g1}")], on(&["g2"]), Some(on(&["g2"])))
            .info("The user was not a member of '{g1}'."),
        // Add user to Teams.
        case("add to teams", "joiner", ADD_TO_TEAMS, &[("teamID", "{t1},{t2}")], on(&["g1"]), Some(on(&["g1", "t1", "t2"]))),
        case("add to a group that is no team", "joiner", ADD_TO_TEAMS, &[("teamID", "{g1}")], on(&[]), Some(on(&[])))
            .fails("'{g1}' is not a team."),
        // Remove user from selected Teams.
        case("remove from selected teams", "leaver", REMOVE_FROM_TEAMS, &[("teamID", "{t1}")], on(&["g1", "t1", "t2"]), Some(on(&["g1", "t2"]))),
        case("remove from a team the user is not in", "mover", REMOVE_FROM_TEAMS, &[("teamID", "{t2}")], on(&["t1"]), Some(on(&["t1"])))
            .info("The user was not a member of '{t2}'."),
        // Remove user from all groups: teams and dynamic groups stay.
        case("remove from all groups", "leaver", REMOVE_FROM_ALL_GROUPS, &[], on(&["g1", "g2", "t1", "dyn"]), Some(on(&["t1", "dyn"]))),
        case("remove from all groups, in none", "leaver", REMOVE_FROM_ALL_GROUPS, &[], on(&["t2"]), Some(on(&["t2"])))
            .info("The user was not a member of any group."),
        // Remove user from all Teams: plain groups stay.
        case("remove from all teams", "leaver", REMOVE_FROM_ALL_TEAMS, &[], on(&["g1", "t1", "t2"]), Some(on(&["g1"]))),
        case("remove from all teams, in none", "leaver", REMOVE_FROM_ALL_TEAMS, &[], on(&["g2"]), Some(on(&["g2"])))
            .info("The user was not a member of any team."),
        // Delete user account: gone, also from the groups' members.
        case("delete", "leaver", DELETE_USER, &[], seen(false, &["g1", "t1"], &[SKU_E3]), None),
        // Assign licenses (needs usageLocation).
        case("assign licenses", "joiner", ASSIGN_LICENSES, &[("licenses", "{e3},{e5}")], on(&[]), Some(lic(&[SKU_E3, SKU_E5]))),
        case("assign a license the user has", "mover", ASSIGN_LICENSES, &[("licenses", "{e3}")], lic(&[SKU_E3]), Some(lic(&[SKU_E3])))
            .info("The user already has the licenses '{e3}'."),
        case("assign licenses without usageLocation", "joiner", ASSIGN_LICENSES, &[("licenses", "{e3}")], on(&[]), Some(on(&[])))
            .without_usage_location()
            .fails("The user has no usageLocation; licenses need one."),
        // Remove licenses.
        case("remove licenses", "leaver", REMOVE_LICENSES, &[("licenses", "{e3}")], lic(&[SKU_E3, SKU_E5]), Some(lic(&[SKU_E5]))),
        // Remove all licenses.
        case("remove all licenses", "leaver", REMOVE_ALL_LICENSES, &[], lic(&[SKU_E3, SKU_E5]), Some(on(&[]))),
        case("remove all licenses, none", "leaver", REMOVE_ALL_LICENSES, &[], on(&[]), Some(on(&[])))
            .info("The user has no licenses assigned."),
        // Revoke all refresh tokens.
        case("revoke sessions", "mover", REVOKE_TOKENS, &[], on(&["g1"]), Some(revoked(on(&["g1"])))),
    ]
}

/// Replace `{g1}`-style names with the fixture group ids (and `{missing}`, `{e3}`, `{e5}`).
fn fill(template: &str, groups: &HashMap<String, String>) -> String {
    let mut out = template.to_string();
    for (name, id) in groups {
        out = out.replace(&format!("{{{name}}}"), id);
    }
    out
}

fn workflow_body(name: &str, category: &str, tasks: Value) -> Value {
    let trigger = match category {
        "mover" => {
            json!({"@odata.type": "#microsoft.graph.identityGovernance.attributeChangeTrigger", "triggerAttributes": [{"name": "department"}]})
        }
        "joiner" => {
            json!({"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger", "timeBasedAttribute": "employeeHireDate", "offsetInDays": 0})
        }
        _ => {
            json!({"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger", "timeBasedAttribute": "employeeLeaveDateTime", "offsetInDays": 0})
        }
    };
    json!({
        "category": category,
        "displayName": name,
        "isEnabled": true,
        "isSchedulingEnabled": false,
        "executionConditions": {
            "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
            "scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "department eq 'Sales'"},
            "trigger": trigger
        },
        "tasks": tasks
    })
}

fn args_json(args: &[(&str, &str)], groups: &HashMap<String, String>) -> Value {
    Value::Array(
        args.iter()
            .map(|(n, v)| json!({"name": n, "value": fill(v, groups)}))
            .collect(),
    )
}

async fn new_user(t: &Tenant, name: &str, s: &Seen, usage_location: Option<&str>) -> String {
    let upn = format!(
        "{}@contoso.test",
        name.to_lowercase().replace([' ', ','], ".")
    );
    let mut body = json!({
        "displayName": name,
        "userPrincipalName": upn,
        "department": "Sales",
        "accountEnabled": s.enabled,
        "assignedLicenses": s.licenses.iter().map(|l| json!({"skuId": l, "disabledPlans": []})).collect::<Vec<_>>(),
    });
    if let Some(loc) = usage_location {
        body["usageLocation"] = json!(loc);
    }
    let r = t.post("/users", &body).await;
    r.expect(201);
    r.body["id"].as_str().unwrap().to_string()
}

pub(crate) async fn admin(t: &Tenant, what: &str) -> Resp {
    let base = t.server.base.trim_end_matches("/beta");
    let r = t
        .client
        .post(format!("{base}/lcw/admin/{what}"))
        .bearer_auth(&t.token)
        .json(&json!({}))
        .send()
        .await
        .expect("admin request");
    into_resp(r).await
}

async fn activate(t: &Tenant, wf: &str, users: &[&str]) {
    let subjects: Vec<Value> = users
        .iter()
        .map(|u| json!({"id": u, "@odata.type": "#microsoft.graph.user"}))
        .collect();
    t.post(
        &format!("{LW}/workflows/{wf}/microsoft.graph.identityGovernance.activate"),
        &json!({ "subjects": subjects }),
    )
    .await
    .expect(204);
}

fn is_final(status: &str) -> bool {
    matches!(
        status,
        "completed" | "completedWithErrors" | "failed" | "canceled"
    )
}

/// The workflow's only run, once it is final.
async fn finished_run(t: &Tenant, wf: &str) -> Value {
    let mut last = Vec::new();
    for _ in 0..200 {
        let r = t.get(&format!("{LW}/workflows/{wf}/runs")).await;
        r.expect(200);
        last = r.body["value"].as_array().cloned().unwrap_or_default();
        if last.len() == 1 && is_final(last[0]["processingStatus"].as_str().unwrap_or("")) {
            return last[0].clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the run of {wf} did not finish: {last:?}");
}

/// Task results of a run in execution order.
async fn task_results(t: &Tenant, wf: &str, run: &str) -> Vec<Value> {
    let r = t
        .get(&format!(
            "{LW}/workflows/{wf}/runs/{run}/taskProcessingResults"
        ))
        .await;
    r.expect(200);
    let mut list = r.body["value"].as_array().cloned().unwrap();
    list.sort_by_key(|x| x["task"]["executionSequence"].as_i64());
    list
}

async fn member_ids(t: &Tenant, group: &str) -> BTreeSet<String> {
    let r = t.get(&format!("/groups/{group}/members")).await;
    r.expect(200);
    r.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect()
}

/// What a client sees of `user` now; `None` when GET /users/{id} answers 404.
async fn look(t: &Tenant, user: &str, members: &HashMap<String, BTreeSet<String>>) -> Option<Seen> {
    let r = t.get(&format!("/users/{user}")).await;
    if r.status == 404 {
        r.expect_error(404, "Request_ResourceNotFound");
        return None;
    }
    r.expect(200);
    Some(Seen {
        enabled: r.body["accountEnabled"].as_bool().expect("accountEnabled"),
        groups: members
            .iter()
            .filter(|(_, m)| m.contains(user))
            .map(|(g, _)| g.clone())
            .collect(),
        licenses: r.body["assignedLicenses"]
            .as_array()
            .expect("assignedLicenses")
            .iter()
            .map(|l| l["skuId"].as_str().unwrap().to_string())
            .collect(),
        revoked: r.body["signInSessionsValidFromDateTime"] == RUN_AT,
    })
}

async fn directory_tasks_change_what_clients_see(backend: Backend) {
    let _clock = clock_lock().await;
    let Some(t) = Tenant::on_manual_clock(backend) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    t.set_clock(CREATED_AT).await;
    let cases = cases();

    // Users first, then the groups with their starting members.
    let mut users = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        users.push(
            new_user(
                &t,
                &format!("Case {i} {}", c.name),
                &c.before,
                c.usage_location,
            )
            .await,
        );
    }
    let mut group_ids: HashMap<String, String> = HashMap::new();
    for name in GROUPS {
        let members: Vec<String> = cases
            .iter()
            .zip(&users)
            .filter(|(c, _)| c.before.groups.contains(name))
            .map(|(_, u)| format!("https://graph.microsoft.com/v1.0/users/{u}"))
            .collect();
        let mut body = json!({
            "displayName": format!("Fixture {name}"),
            "mailNickname": format!("fixture{name}"),
            "mailEnabled": false,
            "securityEnabled": true,
            "members@odata.bind": members,
        });
        if name.starts_with('t') {
            body["groupTypes"] = json!(["Unified"]);
            body["resourceProvisioningOptions"] = json!(["Team"]);
        }
        if name == "dyn" {
            body["groupTypes"] = json!(["DynamicMembership"]);
        }
        let r = t.post("/groups", &body).await;
        r.expect(201);
        group_ids.insert(name.into(), r.body["id"].as_str().unwrap().to_string());
    }
    let mut names = group_ids.clone();
    names.insert("missing".into(), NO_GROUP.into());
    names.insert("e3".into(), SKU_E3.into());
    names.insert("e5".into(), SKU_E5.into());
    // The starting state is what the cases say.
    let members = all_members(&t, &group_ids).await;
    for (c, u) in cases.iter().zip(&users) {
        let now = look(&t, u, &members).await;
        assert_eq!(now.as_ref(), Some(&c.before), "before '{}'", c.name);
    }

    // One workflow per case, all activated, then processed at RUN_AT.
    let mut workflows = Vec::new();
    for c in &cases {
        let tasks = json!([{
            "displayName": c.name,
            "taskDefinitionId": c.definition,
            "arguments": args_json(&c.args, &names),
        }]);
        workflows.push(
            t.create_workflow(&workflow_body(c.name, c.category, tasks))
                .await,
        );
    }
    t.set_clock(RUN_AT).await;
    for (wf, u) in workflows.iter().zip(&users) {
        activate(&t, wf, &[u]).await;
    }
    admin(&t, "engine/drain").await.expect(200);

    let members = all_members(&t, &group_ids).await;
    for ((c, wf), u) in cases.iter().zip(&workflows).zip(&users) {
        let run = finished_run(&t, wf).await;
        let results = task_results(&t, wf, run["id"].as_str().unwrap()).await;
        assert_eq!(results.len(), 1, "'{}': {results:?}", c.name);
        let r = &results[0];
        assert_eq!(r["subject"]["id"], json!(u), "'{}': {r}", c.name);
        assert_eq!(r["processingStatus"], c.status, "'{}': {r}", c.name);
        assert_eq!(
            r["processingInfo"],
            json!(c.info.map(|s| fill(s, &names))),
            "'{}': {r}",
            c.name
        );
        assert_eq!(
            r["failureReason"],
            json!(c.failure.map(|s| fill(s, &names))),
            "'{}': {r}",
            c.name
        );
        let expected_run = if c.status == "completed" {
            "completed"
        } else {
            "completedWithErrors"
        };
        assert_eq!(run["processingStatus"], expected_run, "'{}': {run}", c.name);
        let now = look(&t, u, &members).await;
        assert_eq!(now, c.after, "after '{}'", c.name);
        if c.after.is_none() {
            assert!(
                members.values().all(|m| !m.contains(u)),
                "'{}': a deleted user is still a member: {members:?}",
                c.name
            );
        }
    }
}

async fn all_members(
    t: &Tenant,
    group_ids: &HashMap<String, String>,
) -> HashMap<String, BTreeSet<String>> {
    let mut out = HashMap::new();
    for (name, id) in group_ids {
        out.insert(name.clone(), member_ids(t, id).await);
    }
    out
}

#[tokio::test]
async fn directory_tasks_sqlite() {
    directory_tasks_change_what_clients_see(Backend::Sqlite).await;
}

#[tokio::test]
async fn directory_tasks_postgres() {
    directory_tasks_change_what_clients_see(Backend::Postgres).await;
}

/// A failed task with `continueOnError: false` cancels the user's later tasks (which change
/// nothing); with `continueOnError: true` they run.
async fn continue_on_error_decides_whether_later_tasks_run(backend: Backend) {
    let _clock = clock_lock().await;
    let Some(t) = Tenant::on_manual_clock(backend) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    t.set_clock(RUN_AT).await;
    let stop = new_user(&t, "Stop Here", &seen(true, &[], &[]), None).await;
    let goes_on = new_user(&t, "Goes On", &seen(true, &[], &[]), None).await;
    let tasks = |continue_on_error: bool| {
        json!([
            {"displayName": "Remove from a missing group", "taskDefinitionId": REMOVE_FROM_GROUPS,
             "continueOnError": continue_on_error, "arguments": [{"name": "groupID", "value": NO_GROUP}]},
            {"displayName": "Disable", "taskDefinitionId": DISABLE, "arguments": []},
            {"displayName": "Revoke", "taskDefinitionId": REVOKE_TOKENS, "arguments": []}
        ])
    };
    let strict = t
        .create_workflow(&workflow_body("strict", "leaver", tasks(false)))
        .await;
    let lenient = t
        .create_workflow(&workflow_body("lenient", "leaver", tasks(true)))
        .await;
    activate(&t, &strict, &[&stop]).await;
    activate(&t, &lenient, &[&goes_on]).await;
    admin(&t, "engine/drain").await.expect(200);
    let missing = format!("Group '{NO_GROUP}' was not found.");

    // Stopped: the later tasks are canceled and the user is unchanged.
    let run = finished_run(&t, &strict).await;
    let results = task_results(&t, &strict, run["id"].as_str().unwrap()).await;
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["processingStatus"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["failed", "canceled", "canceled"], "{results:?}");
    assert_eq!(results[0]["failureReason"], missing);
    for r in &results[1..] {
        assert_eq!(
            r["processingInfo"], "A previous task failed and continueOnError is false.",
            "{r}"
        );
    }
    assert_eq!(run["failedUsersCount"], 1, "{run}");
    assert_eq!(run["failedTasksCount"], 1, "{run}");
    assert_eq!(run["totalUnprocessedTasksCount"], 2, "{run}");
    let upr = t
        .get(&format!("{LW}/workflows/{strict}/userProcessingResults"))
        .await;
    assert_eq!(
        upr.body["value"][0]["processingStatus"], "failed",
        "{}",
        upr.text
    );
    let u = t.get(&format!("/users/{stop}")).await;
    assert_eq!(u.body["accountEnabled"], true);
    assert_ne!(u.body["signInSessionsValidFromDateTime"], RUN_AT);

    // Continued: the later tasks ran.
    let run = finished_run(&t, &lenient).await;
    let results = task_results(&t, &lenient, run["id"].as_str().unwrap()).await;
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["processingStatus"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["failed", "completed", "completed"],
        "{results:?}"
    );
    assert_eq!(results[0]["failureReason"], missing);
    assert_eq!(run["processingStatus"], "completedWithErrors", "{run}");
    let upr = t
        .get(&format!("{LW}/workflows/{lenient}/userProcessingResults"))
        .await;
    assert_eq!(
        upr.body["value"][0]["processingStatus"], "completedWithErrors",
        "{}",
        upr.text
    );
    let u = t.get(&format!("/users/{goes_on}")).await;
    assert_eq!(u.body["accountEnabled"], false);
    assert_eq!(u.body["signInSessionsValidFromDateTime"], RUN_AT);
}

#[tokio::test]
async fn continue_on_error_sqlite() {
    continue_on_error_decides_whether_later_tasks_run(Backend::Sqlite).await;
}

#[tokio::test]
async fn continue_on_error_postgres() {
    continue_on_error_decides_whether_later_tasks_run(Backend::Postgres).await;
}

// ---------------------------------------------------------------------------------------------
// E-mail tasks
// ---------------------------------------------------------------------------------------------

/// One message as the SMTP server printed it.
#[derive(Debug, Default)]
struct Received {
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The DebuggingServer prints each message between two marker lines, one Python bytes
/// literal per line (`b'To: x'`, or `b"...'..."` when the line holds a quote).
fn parse_printed(printed: &str) -> Vec<Received> {
    let mut out = Vec::new();
    let mut current: Option<(Received, bool)> = None;
    for line in printed.lines() {
        if line.contains("MESSAGE FOLLOWS") {
            current = Some((Received::default(), true));
            continue;
        }
        if line.contains("END MESSAGE") {
            if let Some((m, _)) = current.take() {
                out.push(m);
            }
            continue;
        }
        let Some((m, in_headers)) = current.as_mut() else {
            continue;
        };
        let text = line
            .strip_prefix("b'")
            .and_then(|l| l.strip_suffix('\''))
            .or_else(|| line.strip_prefix("b\"").and_then(|l| l.strip_suffix('"')))
            .unwrap_or(line)
            .replace("\\'", "'");
        if *in_headers {
            if text.is_empty() {
                *in_headers = false;
            } else if let Some((k, v)) = text.split_once(": ") {
                m.headers.push((k.to_string(), v.to_string()));
            }
        } else {
            m.body.push_str(&text);
            m.body.push('\n');
        }
    }
    out
}

/// Wait until the SMTP server printed `n` messages; returns them.
async fn received(smtp: &SmtpSink, n: usize) -> Vec<Received> {
    for _ in 0..400 {
        let messages = parse_printed(&smtp.printed());
        if messages.len() >= n {
            return messages;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the SMTP server did not receive {n} messages; it printed:\n{}",
        smtp.printed()
    );
}

struct MailCase {
    definition: &'static str,
    category: &'static str,
    args: Vec<(&'static str, String)>,
    /// Also run for the user without a manager, whose task then fails.
    with_orphan: bool,
    to: &'static str,
    cc: Option<&'static str>,
    subject: &'static str,
    body: &'static [&'static str],
}

async fn each_mail_task_sends_a_real_mail(backend: Backend) {
    let Some(smtp) = SmtpSink::start() else {
        eprintln!("skipped: python3 -m smtpd is not available");
        return;
    };
    let Some(lcw) = Lcw::start(backend, Some(&smtp.url())) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    let boss = lcw.user("Bea Boss", Some("bea@contoso.test")).await;
    let peer = lcw.user("Pat Peer", Some("pat@contoso.test")).await;
    let ann = lcw.user("Ann Lee", Some("ann@contoso.test")).await;
    lcw.set_manager(&ann, &boss).await;
    let orphan = lcw.user("Otto Orphan", Some("otto@contoso.test")).await;

    let cases = vec![
        // Welcome: to a user id, custom body, default subject.
        MailCase {
            definition: WELCOME,
            category: "joiner",
            args: vec![
                ("to", peer.clone()),
                ("customBody", "Please greet {{userGivenName}} ({{userPrincipalName}}), who reports to {{managerDisplayName}} <{{managerEmail}}>.".into()),
            ],
            with_orphan: false,
            to: "pat@contoso.test",
            cc: None,
            subject: "Welcome, Ann Lee!",
            body: &["Please greet Ann (ann.lee@contoso.test), who reports to Bea Boss <bea@contoso.test>."],
        },
        // Onboarding reminder: defaults, to the manager.
        MailCase {
            definition: ONBOARDING_REMINDER,
            category: "joiner",
            args: vec![],
            with_orphan: true,
            to: "bea@contoso.test",
            cc: None,
            subject: "Reminder: Ann Lee starts on 2026-04-01T00:00:00Z",
            body: &[
                "Hello Bea Boss,",
                "Ann Lee (ann.lee@contoso.test) joins your team on 2026-04-01T00:00:00Z. Please prepare their onboarding.",
            ],
        },
        // Before the last day: custom subject and body, a copy to a user id.
        MailCase {
            definition: BEFORE_LAST_DAY,
            category: "leaver",
            args: vec![
                ("customSubject", "Handover for {{userGivenName}} before {{userEmployeeLeaveDateTime}}".into()),
                ("customBody", "Dear {{managerDisplayName}}, {{userDisplayName}} leaves soon.".into()),
                ("cc", peer.clone()),
            ],
            with_orphan: false,
            to: "bea@contoso.test",
            cc: Some("pat@contoso.test"),
            subject: "Handover for Ann before 2026-06-30T00:00:00Z",
            body: &["Dear Bea Boss, Ann Lee leaves soon."],
        },
        // On the last day: to the user, default text.
        MailCase {
            definition: ON_LAST_DAY,
            category: "leaver",
            args: vec![("to", "User".into())],
            with_orphan: false,
            to: "ann@contoso.test",
            cc: None,
            subject: "Today is Ann Lee's last day",
            body: &["Hello Bea Boss,", "today is the last day of Ann Lee (ann.lee@contoso.test)."],
        },
        // After the last day: default recipient (the manager) and text, copies to two users.
        MailCase {
            definition: AFTER_LAST_DAY,
            category: "leaver",
            args: vec![("cc", format!("{peer}, {ann}"))],
            with_orphan: false,
            to: "bea@contoso.test",
            cc: Some("pat@contoso.test, ann@contoso.test"),
            subject: "Ann Lee has left",
            body: &["Ann Lee (ann.lee@contoso.test) left on 2026-06-30T00:00:00Z."],
        },
        // Notify the manager of a move: explicit Manager, default text.
        MailCase {
            definition: MANAGER_MOVE,
            category: "mover",
            args: vec![("to", "Manager".into())],
            with_orphan: true,
            to: "bea@contoso.test",
            cc: None,
            subject: "Ann Lee has moved",
            body: &["Ann Lee (ann.lee@contoso.test) has moved within the organization."],
        },
    ];

    for c in &cases {
        let args: Vec<Value> = c
            .args
            .iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect();
        let attribute = if c.category == "leaver" {
            "employeeLeaveDateTime"
        } else {
            "employeeHireDate"
        };
        let wf = lcw
            .workflow(
                c.category,
                attribute,
                json!({"displayName": "mail", "taskDefinitionId": c.definition, "arguments": args}),
            )
            .await;
        let subjects: Vec<&str> = if c.with_orphan {
            vec![&ann, &orphan]
        } else {
            vec![&ann]
        };
        let results = lcw.run(&wf, &subjects).await;
        let ok = result_for(&results, &ann);
        assert_eq!(ok["processingStatus"], "completed", "{}: {ok}", c.subject);
        assert_eq!(
            ok["processingInfo"],
            format!("The mail to {} was queued for delivery.", c.to),
            "{ok}"
        );
        if c.with_orphan {
            let failed = result_for(&results, &orphan);
            assert_eq!(failed["processingStatus"], "failed", "{failed}");
            assert_eq!(
                failed["failureReason"], "The user has no manager; the mail goes to the manager.",
                "{failed}"
            );
        }
    }

    // Exactly one message per case reached the SMTP server; none for the user without a
    // manager.
    let messages = received(&smtp, cases.len()).await;
    assert_eq!(messages.len(), cases.len(), "{messages:#?}");
    for c in &cases {
        let m = messages
            .iter()
            .find(|m| m.header("Subject") == Some(c.subject))
            .unwrap_or_else(|| panic!("no message '{}': {messages:#?}", c.subject));
        assert_eq!(m.header("To"), Some(c.to), "{m:#?}");
        assert_eq!(m.header("Cc"), c.cc, "{m:#?}");
        assert_eq!(m.header("From"), Some("no-reply@lcw.local"), "{m:#?}");
        for line in c.body {
            assert!(
                m.body.lines().any(|l| l == *line),
                "'{}' lacks the line '{line}': {m:#?}",
                c.subject
            );
        }
        assert!(!m.body.contains("{{"), "unfilled placeholder: {m:#?}");
    }
    assert!(
        messages.iter().all(
            |m| !m.body.contains("Otto") && !m.header("Subject").unwrap_or("").contains("Otto")
        ),
        "{messages:#?}"
    );
}

#[tokio::test]
async fn mail_tasks_sqlite() {
    each_mail_task_sends_a_real_mail(Backend::Sqlite).await;
}

#[tokio::test]
async fn mail_tasks_postgres() {
    each_mail_task_sends_a_real_mail(Backend::Postgres).await;
}
