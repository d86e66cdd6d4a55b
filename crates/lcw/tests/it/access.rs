//! Temporary Access Pass and access package tasks end to end, and the Graph paths they act
//! on: `/users/{id}/authentication/temporaryAccessPassMethods` and
//! `/identityGovernance/entitlementManagement/...`.

use std::time::Duration;

use serde_json::{json, Value};

use crate::both_backends;
use crate::harness::{joiner_workflow, leaver_workflow, Backend, Tenant};
use crate::mail::{result_for, Lcw, SmtpSink};

const TAP_TASK: &str = "1b555e50-7f65-41d5-b514-5894a026d10d";
const REQUEST_TASK: &str = "c1ec1e76-f374-4375-aaa6-0bb6bd4c60be";
const REMOVE_TASK: &str = "4a0b64f2-c7ec-46ba-b117-18f262946c50";
const REMOVE_ALL_TASK: &str = "42ae2956-193d-4f39-be06-691b8ac4fa1d";
const CANCEL_TASK: &str = "498770d9-bab7-4e4c-b73d-5ded82a1d0b3";
const EM: &str = "/identityGovernance/entitlementManagement";

fn taps(user: &str) -> String {
    format!("/users/{user}/authentication/temporaryAccessPassMethods")
}

/// The pass in a queued TAP mail: the line after the one that introduces it.
fn pass_in(body: &str) -> String {
    let lines: Vec<&str> = body.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("here is the Temporary Access Pass"))
        .unwrap_or_else(|| panic!("no pass in {body}"));
    lines[at + 2].to_string()
}

async fn tap_task_creates_a_pass_and_mails_it(backend: Backend) {
    let Some(smtp) = SmtpSink::start() else {
        eprintln!("skipped: python3 -m smtpd is not available");
        return;
    };
    let Some(lcw) = Lcw::start(backend, Some(&smtp.url())) else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    lcw.send(
        "POST",
        "/lcw/admin/clock",
        Some(&json!({"now": "2026-03-01T08:00:00Z"})),
    )
    .await
    .expect(200);
    let boss = lcw.user("Bea Boss", Some("bea@contoso.test")).await;
    let ann = lcw.user("Ann Joiner", Some("ann@contoso.test")).await;
    lcw.set_manager(&ann, &boss).await;
    let orphan = lcw.user("Otto Orphan", Some("otto@contoso.test")).await;
    let wf = lcw
        .workflow(
            "joiner",
            "employeeHireDate",
            json!({"displayName": "TAP", "taskDefinitionId": TAP_TASK, "arguments": [
                {"name": "tapLifetimeMinutes", "value": "480"},
                {"name": "tapIsUsableOnce", "value": "true"}
            ]}),
        )
        .await;
    let results = lcw.run(&wf, &[&ann, &orphan]).await;
    let ok = result_for(&results, &ann);
    assert_eq!(ok["processingStatus"], "completed", "{ok}");
    assert!(
        ok["processingInfo"]
            .as_str()
            .unwrap()
            .contains("mailed to bea@contoso.test"),
        "{ok}"
    );
    let failed = result_for(&results, &orphan);
    assert_eq!(failed["processingStatus"], "failed", "{failed}");
    assert!(failed["failureReason"]
        .as_str()
        .unwrap()
        .contains("has no manager"));

    // The pass is readable (without the pass itself) through Graph's path.
    let list = lcw.send("GET", &taps(&ann), None).await;
    list.expect(200);
    let items = list.body["value"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", list.text);
    let tap = &items[0];
    assert_eq!(tap["lifetimeInMinutes"], 480);
    assert_eq!(tap["isUsableOnce"], true);
    assert_eq!(
        tap["startDateTime"], "2026-04-01T00:00:00Z",
        "starts at hire"
    );
    assert_eq!(tap["isUsable"], false);
    assert_eq!(tap["methodUsabilityReason"], "NotYetValid");
    assert!(tap["temporaryAccessPass"].is_null());
    let id = tap["id"].as_str().unwrap();
    let one = lcw.send("GET", &format!("{}/{id}", taps(&ann)), None).await;
    one.expect(200);
    assert_eq!(one.body["id"], id);
    let none = lcw.send("GET", &taps(&orphan), None).await;
    assert_eq!(none.body["value"], json!([]));

    // The manager receives the pass over SMTP; the outbox (the admin delivery channel)
    // holds the same body; the task result never contains it.
    let printed = smtp
        .wait_for("Subject: Temporary Access Pass for Ann Joiner")
        .await;
    assert!(printed.contains("To: bea@contoso.test"), "{printed}");
    let outbox = lcw.outbox().await;
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    let pass = pass_in(outbox[0]["body"].as_str().unwrap());
    assert_eq!(pass.len(), 8, "{pass}");
    let printed = smtp.wait_for(&format!("b'{pass}'")).await;
    assert!(
        printed.contains("valid from 2026-04-01T00:00:00Z for 480 minutes, usable once."),
        "{printed}"
    );
    assert!(!ok.to_string().contains(&pass));
    assert!(!list.text.contains(&pass));

    // Usable from the hire date; deletable.
    lcw.send(
        "POST",
        "/lcw/admin/clock",
        Some(&json!({"now": "2026-04-01T01:00:00Z"})),
    )
    .await
    .expect(200);
    let later = lcw.send("GET", &format!("{}/{id}", taps(&ann)), None).await;
    assert_eq!(later.body["isUsable"], true, "{}", later.text);
    assert_eq!(later.body["methodUsabilityReason"], "EnabledByPolicy");
    lcw.send("DELETE", &format!("{}/{id}", taps(&ann)), None)
        .await
        .expect(204);
    lcw.send("GET", &format!("{}/{id}", taps(&ann)), None)
        .await
        .expect_error(404, "ResourceNotFound");
    // Give the mailer a moment to mark the message sent before the servers stop.
    tokio::time::sleep(Duration::from_millis(50)).await;
}

#[tokio::test]
async fn tap_task_sqlite() {
    tap_task_creates_a_pass_and_mails_it(Backend::Sqlite).await;
}

#[tokio::test]
async fn tap_task_postgres() {
    tap_task_creates_a_pass_and_mails_it(Backend::Postgres).await;
}

async fn user(t: &Tenant, name: &str) -> String {
    let r = t
        .post(
            "/users",
            &json!({
                "displayName": name,
                "userPrincipalName": format!("{}@contoso.test", name.to_lowercase().replace(' ', ".")),
                "mail": format!("{}@contoso.test", name.to_lowercase().replace(' ', ".")),
                "department": "Sales",
            }),
        )
        .await;
    r.expect(201);
    r.body["id"].as_str().unwrap().to_string()
}

both_backends!(tap_methods_crud_and_errors, |t| {
    let u = user(&t, "Tia Pass").await;
    let created = t
        .post(&taps(&u), &json!({"lifetimeInMinutes": 60, "isUsableOnce": false, "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod"}))
        .await;
    created.expect(201);
    let pass = created.body["temporaryAccessPass"].as_str().unwrap();
    assert_eq!(pass.len(), 8);
    assert_eq!(created.body["isUsable"], true);
    assert_eq!(created.body["methodUsabilityReason"], "EnabledByPolicy");
    let first = created.body["id"].as_str().unwrap().to_string();
    // A new pass replaces the previous one.
    let second = t
        .post(&taps(&u), &json!({"startDateTime": "2099-01-01T00:00:00Z"}))
        .await;
    second.expect(201);
    assert_eq!(second.body["lifetimeInMinutes"], 60, "policy default");
    assert_eq!(second.body["methodUsabilityReason"], "NotYetValid");
    let list = t.get(&taps(&u)).await;
    list.expect(200);
    let items = list.body["value"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], second.body["id"]);
    assert!(items[0]["temporaryAccessPass"].is_null());
    t.get(&format!("{}/{first}", taps(&u)))
        .await
        .expect_error(404, "ResourceNotFound");
    // By userPrincipalName too.
    t.get(&taps("tia.pass@contoso.test")).await.expect(200);

    for (body, target) in [
        (json!({"lifetimeInMinutes": 5}), "lifetimeInMinutes"),
        (json!({"lifetimeInMinutes": 43201}), "lifetimeInMinutes"),
        (json!({"lifetimeInMinutes": "60"}), "lifetimeInMinutes"),
        (json!({"isUsableOnce": "yes"}), "isUsableOnce"),
        (json!({"startDateTime": "soon"}), "startDateTime"),
        (json!({"passLength": 12}), "passLength"),
    ] {
        let r = t.post(&taps(&u), &body).await;
        r.expect_error(400, "BadRequest");
        assert_eq!(r.body["error"]["target"], target, "{}", r.text);
    }
    let ghost = "00000000-0000-4000-8000-00000000dead";
    t.get(&taps(ghost))
        .await
        .expect_error(404, "Request_ResourceNotFound");
    t.delete(&format!("{}/{ghost}", taps(&u)))
        .await
        .expect_error(404, "ResourceNotFound");
    // Reads need UserAuthenticationMethod.Read.All (or ReadWrite); writes ReadWrite.
    let reader = t.token_with(&["--roles", "UserAuthenticationMethod.Read.All"]);
    t.send_as(&reader, "GET", &taps(&u), None).await.expect(200);
    t.send_as(&reader, "POST", &taps(&u), Some(&json!({})))
        .await
        .expect_error(403, "Authorization_RequestDenied");
    let other = t.token_with(&["--roles", "User.Read.All"]);
    t.send_as(&other, "GET", &taps(&u), None)
        .await
        .expect_error(403, "Authorization_RequestDenied");
    let id = second.body["id"].as_str().unwrap();
    t.delete(&format!("{}/{id}", taps(&u))).await.expect(204);
    assert_eq!(t.get(&taps(&u)).await.body["value"], json!([]));
});

/// An access package with a direct policy and one that requires approval.
async fn package(t: &Tenant, name: &str) -> (String, String, String) {
    let ap = t
        .post(
            &format!("{EM}/accessPackages"),
            &json!({"displayName": name, "description": "for tests", "catalog": {"id": "c1"}}),
        )
        .await;
    ap.expect(201);
    let ap = ap.body["id"].as_str().unwrap().to_string();
    let direct = t
        .post(
            &format!("{EM}/assignmentPolicies"),
            &json!({"displayName": "direct", "allowedTargetScope": "allMemberUsers",
                    "accessPackage": {"id": ap},
                    "requestApprovalSettings": {"isApprovalRequiredForAdd": false, "stages": []}}),
        )
        .await;
    direct.expect(201);
    let approval = t
        .post(
            &format!("{EM}/assignmentPolicies"),
            &json!({"displayName": "approval", "accessPackage": {"id": ap},
                    "requestApprovalSettings": {"isApprovalRequiredForAdd": true, "stages": []}}),
        )
        .await;
    approval.expect(201);
    (
        ap,
        direct.body["id"].as_str().unwrap().to_string(),
        approval.body["id"].as_str().unwrap().to_string(),
    )
}

async fn request(t: &Tenant, user: &str, ap: &str, policy: &str) -> Value {
    let r = t
        .post(
            &format!("{EM}/assignmentRequests"),
            &json!({"requestType": "adminAdd", "assignment": {
                "targetId": user, "accessPackageId": ap, "assignmentPolicyId": policy}}),
        )
        .await;
    r.expect(201);
    r.body.clone()
}

async fn assignments_of(t: &Tenant, user: &str) -> Vec<Value> {
    let r = t
        .get(&format!(
            "{EM}/assignments?$filter=target/objectId eq '{user}'"
        ))
        .await;
    r.expect(200);
    r.body["value"].as_array().cloned().unwrap()
}

async fn requests_of(t: &Tenant, user: &str) -> Vec<Value> {
    let r = t
        .get(&format!(
            "{EM}/assignmentRequests?$filter=requestor/objectId eq '{user}'"
        ))
        .await;
    r.expect(200);
    r.body["value"].as_array().cloned().unwrap()
}

both_backends!(entitlement_paths_crud_and_errors, |t| {
    let (ap, direct, approval) = package(&t, "Sales tools").await;
    let got = t.get(&format!("{EM}/accessPackages/{ap}")).await;
    got.expect(200);
    assert_eq!(got.body["displayName"], "Sales tools");
    assert_eq!(got.body["isHidden"], false);
    let expanded = t
        .get(&format!(
            "{EM}/accessPackages/{ap}?$expand=assignmentPolicies"
        ))
        .await;
    assert_eq!(
        expanded.body["assignmentPolicies"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let pols = t
        .get(&format!(
            "{EM}/assignmentPolicies?$filter=accessPackage/id eq '{ap}'&$expand=accessPackage"
        ))
        .await;
    pols.expect(200);
    let pols = pols.body["value"].as_array().unwrap().clone();
    assert_eq!(pols.len(), 2);
    assert_eq!(pols[0]["accessPackage"]["displayName"], "Sales tools");
    let one = t.get(&format!("{EM}/assignmentPolicies/{direct}")).await;
    one.expect(200);
    assert!(one.body.get("accessPackage").is_none(), "not expanded");

    // adminAdd through a direct policy delivers an assignment at once.
    let u = user(&t, "Una Access").await;
    let req = request(&t, &u, &ap, &direct).await;
    assert_eq!(req["requestType"], "adminAdd");
    assert_eq!(req["state"], "delivered");
    let mine = assignments_of(&t, &u).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["state"], "delivered");
    assert!(mine[0].get("target").is_none());
    let aid = mine[0]["id"].as_str().unwrap().to_string();
    let a = t
        .get(&format!(
            "{EM}/assignments/{aid}?$expand=target,accessPackage"
        ))
        .await;
    a.expect(200);
    assert_eq!(a.body["target"]["objectId"], u.as_str());
    assert_eq!(a.body["target"]["displayName"], "Una Access");
    assert_eq!(a.body["accessPackage"]["id"], ap.as_str());
    let by_package = t
        .get(&format!(
            "{EM}/assignments?$filter=accessPackage/id eq '{ap}'"
        ))
        .await;
    assert_eq!(by_package.body["value"].as_array().unwrap().len(), 1);
    // A second request for the same package is refused.
    t.post(
        &format!("{EM}/assignmentRequests"),
        &json!({"requestType": "adminAdd", "assignment": {
            "targetId": u, "accessPackageId": ap, "assignmentPolicyId": direct}}),
    )
    .await
    .expect_error(400, "BadRequest");

    // A policy that requires approval leaves the request pending; cancel cancels it.
    let v = user(&t, "Vic Waiting").await;
    let pending = request(&t, &v, &ap, &approval).await;
    assert_eq!(pending["state"], "pendingApproval");
    assert!(assignments_of(&t, &v).await.is_empty());
    let rid = pending["id"].as_str().unwrap();
    t.post(
        &format!("{EM}/assignmentRequests/{rid}/microsoft.graph.cancel"),
        &json!({}),
    )
    .await
    .expect(204);
    let canceled = t.get(&format!("{EM}/assignmentRequests/{rid}")).await;
    assert_eq!(canceled.body["state"], "canceled");
    t.post(&format!("{EM}/assignmentRequests/{rid}/cancel"), &json!({}))
        .await
        .expect_error(400, "BadRequest");
    let states = t
        .get(&format!(
            "{EM}/assignmentRequests?$filter=state eq 'canceled'"
        ))
        .await;
    assert_eq!(states.body["value"].as_array().unwrap().len(), 1);

    // In use: the package and the policy cannot be deleted.
    t.delete(&format!("{EM}/accessPackages/{ap}"))
        .await
        .expect_error(400, "BadRequest");
    t.delete(&format!("{EM}/assignmentPolicies/{direct}"))
        .await
        .expect_error(400, "BadRequest");
    // adminRemove removes the assignment.
    let removed = t
        .post(
            &format!("{EM}/assignmentRequests"),
            &json!({"requestType": "adminRemove", "assignment": {"id": aid}}),
        )
        .await;
    removed.expect(201);
    assert_eq!(removed.body["requestType"], "adminRemove");
    assert_eq!(removed.body["state"], "delivered");
    t.get(&format!("{EM}/assignments/{aid}"))
        .await
        .expect_error(404, "ResourceNotFound");
    t.delete(&format!("{EM}/assignmentPolicies/{direct}"))
        .await
        .expect(204);
    t.delete(&format!("{EM}/assignmentPolicies/{approval}"))
        .await
        .expect(204);
    t.delete(&format!("{EM}/accessPackages/{ap}"))
        .await
        .expect(204);

    // 404s and 400s.
    let ghost = "00000000-0000-4000-8000-00000000beef";
    for path in [
        format!("{EM}/accessPackages/{ghost}"),
        format!("{EM}/assignmentPolicies/{ghost}"),
        format!("{EM}/assignments/{ghost}"),
        format!("{EM}/assignmentRequests/{ghost}"),
    ] {
        t.get(&path).await.expect_error(404, "ResourceNotFound");
    }
    t.delete(&format!("{EM}/accessPackages/{ghost}"))
        .await
        .expect_error(404, "ResourceNotFound");
    t.post(
        &format!("{EM}/assignmentRequests/{ghost}/cancel"),
        &json!({}),
    )
    .await
    .expect_error(404, "ResourceNotFound");
    for (path, body, target) in [
        (
            format!("{EM}/accessPackages"),
            json!({"description": "x"}),
            "displayName",
        ),
        (
            format!("{EM}/accessPackages"),
            json!({"displayName": "x", "color": "red"}),
            "color",
        ),
        (
            format!("{EM}/assignmentPolicies"),
            json!({"displayName": "p"}),
            "accessPackage",
        ),
        (
            format!("{EM}/assignmentPolicies"),
            json!({"displayName": "p", "accessPackage": {"id": ghost}}),
            "accessPackage",
        ),
        (
            format!("{EM}/assignmentRequests"),
            json!({"requestType": "userAdd", "assignment": {}}),
            "requestType",
        ),
        (
            format!("{EM}/assignmentRequests"),
            json!({"requestType": "adminAdd"}),
            "assignment",
        ),
        (
            format!("{EM}/assignmentRequests"),
            json!({"requestType": "adminAdd", "assignment": {"targetId": ghost, "accessPackageId": ghost, "assignmentPolicyId": ghost}}),
            "assignment.targetId",
        ),
        (
            format!("{EM}/assignmentRequests"),
            json!({"requestType": "adminRemove", "assignment": {"id": ghost}}),
            "assignment.id",
        ),
    ] {
        let r = t.post(&path, &body).await;
        r.expect_error(400, "BadRequest");
        assert_eq!(r.body["error"]["target"], target, "{path}: {}", r.text);
    }
    let reader = t.token_with(&["--roles", "EntitlementManagement.Read.All"]);
    t.send_as(&reader, "GET", &format!("{EM}/accessPackages"), None)
        .await
        .expect(200);
    t.send_as(
        &reader,
        "POST",
        &format!("{EM}/accessPackages"),
        Some(&json!({"displayName": "x"})),
    )
    .await
    .expect_error(403, "Authorization_RequestDenied");
});

/// Run a one-task workflow for `user` with `activateAndWait`; returns the awaited result.
async fn run_task(t: &Tenant, base: Value, task: Value, user: &str) -> Value {
    let mut body = base;
    body["tasks"] = json!([task]);
    let wf = t.create_workflow(&body).await;
    let r = t
        .post(
            &format!(
                "/identityGovernance/lifecycleWorkflows/workflows/{wf}/microsoft.graph.identityGovernance.activateAndWait"
            ),
            &json!({"subject": {
                "@odata.type": "#microsoft.graph.identityGovernance.directoryObjectWorkflowSubject",
                "directoryObject": {"id": user}
            }}),
        )
        .await;
    r.expect(200);
    r.body.clone()
}

both_backends!(access_package_tasks, |t| {
    let (ap, direct, approval) = package(&t, "Onboarding kit").await;
    let (ap2, direct2, _) = package(&t, "Extra kit").await;
    let ann = user(&t, "Ann Access").await;
    let task = |def: &str, args: Value| json!({"displayName": "t", "taskDefinitionId": def, "arguments": args});

    // Request: the joiner gets a delivered assignment through the direct policy.
    let req_args = json!([{"name": "accessPackageId", "value": ap}, {"name": "assignmentPolicyId", "value": direct}]);
    let done = run_task(
        &t,
        joiner_workflow("request"),
        task(REQUEST_TASK, req_args.clone()),
        &ann,
    )
    .await;
    assert_eq!(done["processingStatus"], "completed", "{done}");
    let mine = assignments_of(&t, &ann).await;
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["accessPackageId"], ap.as_str());
    assert_eq!(mine[0]["assignmentPolicyId"], direct.as_str());
    let reqs = requests_of(&t, &ann).await;
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0]["requestType"], "adminAdd");
    assert_eq!(reqs[0]["state"], "delivered");
    // Running it again changes nothing (already assigned).
    let again = run_task(
        &t,
        joiner_workflow("request again"),
        task(REQUEST_TASK, req_args),
        &ann,
    )
    .await;
    assert_eq!(again["processingStatus"], "completed");
    assert_eq!(assignments_of(&t, &ann).await.len(), 1);
    // A second package, so "remove all" has two to remove.
    request(&t, &ann, &ap2, &direct2).await;
    // Unknown package: the task fails and says why.
    let ghost = "00000000-0000-4000-8000-00000000f00d";
    let bad = run_task(&t, joiner_workflow("bad request"), task(REQUEST_TASK, json!([{"name": "accessPackageId", "value": ghost}, {"name": "assignmentPolicyId", "value": direct}])), &ann).await;
    assert_eq!(bad["processingStatus"], "completedWithErrors", "{bad}");
    assert_eq!(
        bad["statusReasons"],
        json!([format!("Access package '{ghost}' was not found.")])
    );

    // Remove one package's assignment.
    let removed = run_task(
        &t,
        leaver_workflow("remove"),
        task(
            REMOVE_TASK,
            json!([{"name": "accessPackageId", "value": ap}]),
        ),
        &ann,
    )
    .await;
    assert_eq!(removed["processingStatus"], "completed", "{removed}");
    let mine = assignments_of(&t, &ann).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["accessPackageId"], ap2.as_str());
    let removal = requests_of(&t, &ann)
        .await
        .into_iter()
        .filter(|r| r["requestType"] == "adminRemove")
        .count();
    assert_eq!(removal, 1);

    // Remove all: two packages again, then none.
    request(&t, &ann, &ap, &direct).await;
    assert_eq!(assignments_of(&t, &ann).await.len(), 2);
    let all = run_task(
        &t,
        leaver_workflow("remove all"),
        task(REMOVE_ALL_TASK, json!([])),
        &ann,
    )
    .await;
    assert_eq!(all["processingStatus"], "completed", "{all}");
    assert!(assignments_of(&t, &ann).await.is_empty());

    // Cancel: a request awaiting approval (through the task) is canceled by the leaver.
    let bob = user(&t, "Bob Pending").await;
    let waiting = run_task(&t, joiner_workflow("request approval"), task(REQUEST_TASK, json!([{"name": "accessPackageId", "value": ap}, {"name": "assignmentPolicyId", "value": approval}])), &bob).await;
    assert_eq!(waiting["processingStatus"], "completed", "{waiting}");
    let reqs = requests_of(&t, &bob).await;
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0]["state"], "pendingApproval");
    assert!(assignments_of(&t, &bob).await.is_empty());
    let canceled = run_task(
        &t,
        leaver_workflow("cancel"),
        task(CANCEL_TASK, json!([])),
        &bob,
    )
    .await;
    assert_eq!(canceled["processingStatus"], "completed", "{canceled}");
    let reqs = requests_of(&t, &bob).await;
    assert_eq!(reqs[0]["state"], "canceled", "{reqs:?}");
    assert!(reqs[0]["completedDateTime"].is_string());
});
