//! "Run a Custom Task Extension" end to end: an lcw server that may call 127.0.0.1
//! (`--callout-allow-host 127.0.0.1`, manual clock), a real HTTP receiver on loopback started
//! here that records each callout, checks its payload and verifies its bearer token against
//! lcw's published keys, and `resume` called back through lcw's API.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::{dedicated_server, Backend, Resp, Tenant, LW};

const RUN_EXTENSION: &str = "4262b724-8dba-4fad-afc3-43fcbb497a0e";
const DISABLE_ACCOUNT: &str = "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950";
/// The app a callback is expected from (listed in `authorizedApps`).
const CALLBACK_APP: &str = "5e1f0000-0000-4000-8000-00000000ca11";
const LIFECYCLE_WORKFLOWS_APP: &str = "ce79fdc4-cd1d-4ea5-8139-e74d7dbe0bb7";
const RESOURCE: &str = "api://lcw-test-hook";

fn tenant(backend: Backend) -> Option<Tenant> {
    const ARGS: &[&str] = &[
        "--clock",
        "manual",
        "--clock-start",
        "2026-01-01T09:00:00Z",
        "--callout-allow-host",
        "127.0.0.1",
    ];
    dedicated_server(backend, "custom_extension", ARGS).map(Tenant::on)
}

/// One test body on SQLite and (with `LCW_TEST_POSTGRES_URL`) PostgreSQL, on this module's
/// server.
macro_rules! scenario {
    ($name:ident, |$t:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($t: Tenant) $body

            #[tokio::test]
            async fn sqlite() {
                run(tenant(Backend::Sqlite).expect("sqlite server")).await;
            }

            #[tokio::test]
            async fn postgres() {
                match tenant(Backend::Postgres) {
                    Some(t) => run(t).await,
                    None => eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set"),
                }
            }
        }
    };
}

/// A request the receiver got.
#[derive(Debug, Clone)]
struct Call {
    path: String,
    authorization: String,
    content_type: String,
    body: Value,
}

/// A minimal HTTP/1.1 server on 127.0.0.1 answering every request with `status`.
struct Receiver {
    port: u16,
    calls: Arc<Mutex<Vec<Call>>>,
}

impl Receiver {
    async fn start(status: u16) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let calls = Arc::new(Mutex::new(Vec::new()));
        let sink = calls.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(serve_one(sock, sink.clone(), status));
            }
        });
        Receiver { port, calls }
    }

    fn url(&self, host: &str) -> String {
        format!("http://{host}:{}/hook?sig=s3cret", self.port)
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// Wait until `n` calls arrived.
    async fn wait_for(&self, n: usize) -> Vec<Call> {
        for _ in 0..300 {
            let c = self.calls();
            if c.len() >= n {
                return c;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the receiver got {} call(s), not {n}", self.calls().len());
    }
}

async fn serve_one(mut sock: tokio::net::TcpStream, calls: Arc<Mutex<Vec<Call>>>, status: u16) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let Ok(n) = sock.read(&mut chunk).await else {
            return;
        };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let path = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("")
        .to_string();
    let header = |name: &str| {
        head.split("\r\n")
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let len: usize = header("content-length").parse().unwrap_or(0);
    while buf.len() < head_end + len {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let body = serde_json::from_slice(&buf[head_end..head_end + len]).unwrap_or(Value::Null);
    calls.lock().unwrap().push(Call {
        path,
        authorization: header("authorization"),
        content_type: header("content-type"),
        body,
    });
    let reply = format!("HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let _ = sock.write_all(reply.as_bytes()).await;
    let _ = sock.shutdown().await;
}

/// Verify a callout's bearer token with the server's published keys; returns its claims.
async fn verify_token(t: &Tenant, authorization: &str) -> Value {
    let token = authorization
        .strip_prefix("Bearer ")
        .expect("a bearer token");
    let root = t.server.base.trim_end_matches("/beta");
    let jwks: Value = reqwest::get(format!("{root}/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"].as_str() == header.kid.as_deref())
        .expect("the token's kid is published");
    let dk = jsonwebtoken::DecodingKey::from_ec_components(
        key["x"].as_str().unwrap(),
        key["y"].as_str().unwrap(),
    )
    .unwrap();
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    v.set_audience(&[RESOURCE]);
    let claims = jsonwebtoken::decode::<Value>(token, &dk, &v)
        .expect("the callout token verifies")
        .claims;
    // Tampering is detected: another audience fails.
    let mut other = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    other.set_audience(&["api://someone-else"]);
    assert!(jsonwebtoken::decode::<Value>(token, &dk, &other).is_err());
    claims
}

fn extension(name: &str, target: &str, callback: Option<&str>) -> Value {
    let mut ext = json!({
        "displayName": name,
        "endpointConfiguration": {"@odata.type": "#microsoft.graph.httpRequestEndpoint", "targetUrl": target},
        "authenticationConfiguration": {"@odata.type": "#microsoft.graph.azureAdTokenAuthentication", "resourceId": RESOURCE},
        "clientConfiguration": {"timeoutInMilliseconds": 2000, "maximumRetries": 0},
    });
    if let Some(timeout) = callback {
        ext["callbackConfiguration"] = json!({
            "@odata.type": "#microsoft.graph.identityGovernance.customTaskExtensionCallbackConfiguration",
            "timeoutDuration": timeout,
            "authorizedApps": [{"appId": CALLBACK_APP}],
        });
    }
    ext
}

async fn create_extension(t: &Tenant, body: &Value) -> String {
    let r = t.post(&format!("{LW}/customTaskExtensions"), body).await;
    r.expect(201);
    r.body["id"].as_str().unwrap().to_string()
}

/// A leaver workflow: call the extension, then disable the account.
async fn workflow(t: &Tenant, ext: &str, continue_on_error: bool) -> String {
    t.create_workflow(&json!({
        "category": "leaver",
        "displayName": format!("Calls {ext}"),
        "isEnabled": true,
        "executionConditions": {
            "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
            "scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "department eq 'Sales'"},
            "trigger": {"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger", "timeBasedAttribute": "employeeLeaveDateTime", "offsetInDays": 0}
        },
        "tasks": [
            {"displayName": "Call the hook", "taskDefinitionId": RUN_EXTENSION, "continueOnError": continue_on_error,
             "arguments": [{"name": "customTaskExtensionID", "value": ext}]},
            {"displayName": "Disable account", "taskDefinitionId": DISABLE_ACCOUNT, "arguments": []}
        ]
    }))
    .await
}

async fn user(t: &Tenant, name: &str) -> String {
    let r = t
        .post(
            "/users",
            &json!({
                "displayName": name,
                "userPrincipalName": format!("{}@contoso.test", name.to_lowercase()),
                "mail": format!("{}@contoso.test", name.to_lowercase()),
                "department": "Sales",
                "accountEnabled": true,
            }),
        )
        .await;
    r.expect(201);
    r.body["id"].as_str().unwrap().to_string()
}

/// Activate for one user; returns the run id.
async fn activate(t: &Tenant, wf: &str, user: &str) -> String {
    t.post(
        &format!("{LW}/workflows/{wf}/microsoft.graph.identityGovernance.activate"),
        &json!({"subjects": [{"id": user, "@odata.type": "#microsoft.graph.user"}]}),
    )
    .await
    .expect(204);
    let r = t.get(&format!("{LW}/workflows/{wf}/runs")).await;
    r.expect(200);
    r.body["value"][0]["id"].as_str().unwrap().to_string()
}

/// The run's task processing results by task display name.
async fn task_result(t: &Tenant, wf: &str, run: &str, task: &str) -> Value {
    let r = t
        .get(&format!(
            "{LW}/workflows/{wf}/runs/{run}/taskProcessingResults"
        ))
        .await;
    r.expect(200);
    r.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["task"]["displayName"] == task)
        .cloned()
        .unwrap_or_else(|| panic!("no result of task '{task}': {}", r.text))
}

/// Poll the run until it is final.
async fn final_run(t: &Tenant, wf: &str, run: &str) -> Value {
    for _ in 0..300 {
        let r = t.get(&format!("{LW}/workflows/{wf}/runs/{run}")).await;
        r.expect(200);
        if matches!(
            r.body["processingStatus"].as_str(),
            Some("completed" | "completedWithErrors" | "failed" | "canceled")
        ) {
            return r.body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("run {run} never finished");
}

fn resume_body(status: &str) -> Value {
    json!({
        "source": "sample",
        "type": "lifecycleEvent",
        "data": {
            "@odata.type": "#microsoft.graph.identityGovernance.customTaskExtensionCallbackData",
            "operationStatus": status
        }
    })
}

async fn resume_as(t: &Tenant, token: &str, path: &str, status: &str) -> Resp {
    t.send_as(token, "POST", path, Some(&resume_body(status)))
        .await
}

scenario!(callback_resume_moves_the_run_on, |t| {
    let hook = Receiver::start(202).await;
    let ext = create_extension(
        &t,
        &extension("Waits", &hook.url("127.0.0.1"), Some("PT30M")),
    )
    .await;
    let wf = workflow(&t, &ext, false).await;
    let ana = user(&t, "Ana").await;
    let run = activate(&t, &wf, &ana).await;

    let call = hook.wait_for(1).await.remove(0);
    assert_eq!(call.path, "/hook?sig=s3cret");
    assert!(call.content_type.starts_with("application/json"));
    let claims = verify_token(&t, &call.authorization).await;
    assert_eq!(claims["aud"], RESOURCE);
    assert_eq!(claims["tid"], t.id.as_str());
    assert_eq!(claims["appid"], LIFECYCLE_WORKFLOWS_APP);
    let b = &call.body;
    assert_eq!(b["type"], "lifecycleEvent");
    assert_eq!(
        b["source"],
        format!("/tenants/{}/workflows/{wf}", t.id).as_str()
    );
    let data = &b["data"];
    assert_eq!(
        data["@odata.type"],
        "microsoft.graph.identityGovernance.customTaskExtensionCalloutData"
    );
    assert_eq!(data["subject"]["id"], ana.as_str());
    assert_eq!(data["subject"]["userPrincipalName"], "ana@contoso.test");
    assert_eq!(data["subject"]["email"], "ana@contoso.test");
    assert_eq!(data["workflow"]["id"], wf.as_str());
    assert_eq!(
        data["workflow"]["displayName"],
        format!("Calls {ext}").as_str()
    );
    assert_eq!(data["workflow"]["workflowVersion"], 1);
    assert_eq!(data["task"]["displayName"], "Call the hook");
    let tpr_id = data["taskProcessingresult"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(data["taskProcessingResult"]["id"], tpr_id.as_str());
    let task_id = data["task"]["id"].as_str().unwrap();
    let callback = data["callbackUriPath"].as_str().unwrap().to_string();
    assert_eq!(
        callback,
        format!("{LW}/workflows/{wf}/tasks/{task_id}/taskProcessingResults/{tpr_id}/microsoft.graph.identityGovernance.resume")
    );

    // Waiting: the task, the user and the run stay in progress; the next task waits.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let waiting = task_result(&t, &wf, &run, "Call the hook").await;
    assert_eq!(waiting["id"], tpr_id.as_str());
    assert_eq!(waiting["processingStatus"], "inProgress");
    assert!(waiting["completedDateTime"].is_null());
    assert_eq!(
        task_result(&t, &wf, &run, "Disable account").await["processingStatus"],
        "queued"
    );
    let r = t.get(&format!("{LW}/workflows/{wf}/runs/{run}")).await;
    assert_eq!(r.body["processingStatus"], "inProgress", "{}", r.text);
    let r = t
        .get(&format!(
            "{LW}/workflows/{wf}/runs/{run}/userProcessingResults"
        ))
        .await;
    assert_eq!(r.body["value"][0]["processingStatus"], "inProgress");
    assert!(t.get(&format!("/users/{ana}")).await.body["accountEnabled"] == true);

    // Only the listed app may resume; a bad body is a 400 naming the property.
    resume_as(&t, &t.token, &callback, "completed")
        .await
        .expect_error(403, "Authorization_RequestDenied");
    let app = t.token_with(&["--app-id", CALLBACK_APP]);
    let r = resume_as(&t, &app, &callback, "done").await;
    r.expect_error(400, "BadRequest");
    assert!(r.text.contains("operationStatus"), "{}", r.text);
    let r = t
        .send_as(
            &app,
            "POST",
            &callback,
            Some(&json!({"data": {"operationStatus": "completed"}, "extra": 1})),
        )
        .await;
    r.expect_error(400, "BadRequest");

    // The documented example's capitalised status is accepted.
    resume_as(&t, &app, &callback, "Completed")
        .await
        .expect(204);
    let done = final_run(&t, &wf, &run).await;
    assert_eq!(done["processingStatus"], "completed", "{done}");
    assert_eq!(done["successfulUsersCount"], 1);
    let called = task_result(&t, &wf, &run, "Call the hook").await;
    assert_eq!(called["processingStatus"], "completed");
    assert!(called["completedDateTime"].is_string());
    assert_eq!(
        task_result(&t, &wf, &run, "Disable account").await["processingStatus"],
        "completed"
    );
    assert_eq!(
        t.get(&format!("/users/{ana}")).await.body["accountEnabled"],
        false
    );

    // Not waiting any more: 409 on any path.
    resume_as(&t, &app, &callback, "completed")
        .await
        .expect_error(409, "Conflict");
    hook.wait_for(1).await;
    assert_eq!(hook.calls().len(), 1, "the extension was called once");
});

scenario!(failed_callback_stops_the_user_on_any_path, |t| {
    let hook = Receiver::start(200).await;
    let ext = create_extension(
        &t,
        &extension("Fails", &hook.url("127.0.0.1"), Some("PT1H")),
    )
    .await;
    let wf = workflow(&t, &ext, false).await;
    let bo = user(&t, "Bo").await;
    let run = activate(&t, &wf, &bo).await;
    let call = hook.wait_for(1).await.remove(0);
    let tpr = call.body["data"]["taskProcessingresult"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = t
        .get(&format!(
            "{LW}/workflows/{wf}/runs/{run}/userProcessingResults"
        ))
        .await;
    let upr = r.body["value"][0]["id"].as_str().unwrap().to_string();
    let app = t.token_with(&["--app-id", CALLBACK_APP]);
    // Resume is answered under every path that addresses the result; keys must match.
    let other_run = uuid::Uuid::new_v4();
    resume_as(
        &t,
        &app,
        &format!("{LW}/workflows/{wf}/runs/{other_run}/userProcessingResults/{upr}/taskProcessingResults/{tpr}/microsoft.graph.identityGovernance.resume"),
        "failed",
    )
    .await
    .expect_error(404, "ResourceNotFound");
    // Wait until the callout is recorded as answered (a resume may also overtake it).
    tokio::time::sleep(Duration::from_millis(300)).await;
    resume_as(
        &t,
        &app,
        &format!("{LW}/workflows/{wf}/runs/{run}/userProcessingResults/{upr}/taskProcessingResults/{tpr}/microsoft.graph.identityGovernance.resume"),
        "FAILED",
    )
    .await
    .expect(204);
    let done = final_run(&t, &wf, &run).await;
    assert_eq!(done["processingStatus"], "failed", "{done}");
    let called = task_result(&t, &wf, &run, "Call the hook").await;
    assert_eq!(called["processingStatus"], "failed");
    assert!(called["failureReason"]
        .as_str()
        .unwrap()
        .contains("reported the operation failed"));
    // continueOnError is false: the account stays enabled.
    assert_eq!(
        task_result(&t, &wf, &run, "Disable account").await["processingStatus"],
        "canceled"
    );
    assert_eq!(
        t.get(&format!("/users/{bo}")).await.body["accountEnabled"],
        true
    );
    // A result that is not a custom task extension task cannot be resumed.
    let other = task_result(&t, &wf, &run, "Disable account").await;
    let r = resume_as(
        &t,
        &app,
        &format!("{LW}/workflows/{wf}/runs/{run}/taskProcessingResults/{}/microsoft.graph.identityGovernance.resume", other["id"].as_str().unwrap()),
        "completed",
    )
    .await;
    r.expect_error(400, "BadRequest");
    // Workflow templates never run.
    resume_as(
        &t,
        &app,
        &format!("{LW}/workflowTemplates/x/tasks/y/taskProcessingResults/{tpr}/microsoft.graph.identityGovernance.resume"),
        "completed",
    )
    .await
    .expect_error(404, "ResourceNotFound");
});

scenario!(
    callback_timeout_fails_the_task_and_continues_on_error,
    |t| {
        let hook = Receiver::start(200).await;
        let ext = create_extension(
            &t,
            &extension("Never calls back", &hook.url("127.0.0.1"), Some("PT5M")),
        )
        .await;
        let wf = workflow(&t, &ext, true).await;
        let cy = user(&t, "Cy").await;
        let run = activate(&t, &wf, &cy).await;
        hook.wait_for(1).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            task_result(&t, &wf, &run, "Call the hook").await["processingStatus"],
            "inProgress"
        );
        // Six minutes later (workflow clock) the callback has timed out. Other scenarios on this
        // server wait 30 minutes or more, so moving the clock does not disturb them.
        let root = t.server.base.trim_end_matches("/beta").to_string();
        t.post(
            &format!("{root}/lcw/admin/clock"),
            &json!({"advance": "PT6M"}),
        )
        .await
        .expect(200);
        let done = final_run(&t, &wf, &run).await;
        assert_eq!(done["processingStatus"], "completedWithErrors", "{done}");
        let called = task_result(&t, &wf, &run, "Call the hook").await;
        assert_eq!(called["processingStatus"], "failed");
        assert!(
            called["failureReason"]
                .as_str()
                .unwrap()
                .contains("timed out"),
            "{called}"
        );
        // continueOnError: the remaining task ran.
        assert_eq!(
            task_result(&t, &wf, &run, "Disable account").await["processingStatus"],
            "completed"
        );
        let app = t.token_with(&["--app-id", CALLBACK_APP]);
        resume_as(
        &t,
        &app,
        &format!("{LW}/workflows/{wf}/runs/{run}/taskProcessingResults/{}/microsoft.graph.identityGovernance.resume", called["id"].as_str().unwrap()),
        "completed",
    )
    .await
    .expect_error(409, "Conflict");
    }
);

scenario!(without_callback_the_answer_decides, |t| {
    let ok = Receiver::start(200).await;
    let ext = create_extension(
        &t,
        &extension("Fire and forget", &ok.url("127.0.0.1"), None),
    )
    .await;
    let wf = workflow(&t, &ext, false).await;
    let di = user(&t, "Di").await;
    let run = activate(&t, &wf, &di).await;
    let done = final_run(&t, &wf, &run).await;
    assert_eq!(done["processingStatus"], "completed", "{done}");
    assert_eq!(ok.calls().len(), 1);
    assert!(ok.calls()[0].body["data"]["callbackUriPath"].is_string());
    let called = task_result(&t, &wf, &run, "Call the hook").await;
    assert_eq!(called["processingStatus"], "completed");
    // Nothing waits for a callback: resume is refused.
    let app = t.token_with(&["--app-id", CALLBACK_APP]);
    resume_as(
        &t,
        &app,
        &format!("{LW}/workflows/{wf}/runs/{run}/taskProcessingResults/{}/microsoft.graph.identityGovernance.resume", called["id"].as_str().unwrap()),
        "completed",
    )
    .await
    .expect_error(409, "Conflict");

    // A 500 is retried once (maximumRetries 1), then the task fails with the status.
    let broken = Receiver::start(500).await;
    let mut body = extension("Broken", &broken.url("127.0.0.1"), None);
    body["clientConfiguration"]["maximumRetries"] = json!(1);
    let ext = create_extension(&t, &body).await;
    let wf = workflow(&t, &ext, false).await;
    let ed = user(&t, "Ed").await;
    let run = activate(&t, &wf, &ed).await;
    let done = final_run(&t, &wf, &run).await;
    assert_eq!(done["processingStatus"], "failed", "{done}");
    assert_eq!(broken.calls().len(), 2);
    let reason = task_result(&t, &wf, &run, "Call the hook").await["failureReason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        reason.contains("HTTP 500") && reason.contains("2 attempts"),
        "{reason}"
    );
    assert!(
        !reason.contains("s3cret"),
        "the URL's query is not shown: {reason}"
    );
});

scenario!(hosts_off_the_allow_list_are_not_called, |t| {
    let hook = Receiver::start(200).await;
    // Same receiver, but named `localhost`: only 127.0.0.1 is allowed.
    let ext = create_extension(&t, &extension("Elsewhere", &hook.url("localhost"), None)).await;
    let wf = workflow(&t, &ext, false).await;
    let fa = user(&t, "Fa").await;
    let run = activate(&t, &wf, &fa).await;
    let done = final_run(&t, &wf, &run).await;
    assert_eq!(done["processingStatus"], "failed", "{done}");
    let reason = task_result(&t, &wf, &run, "Call the hook").await["failureReason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reason.contains("allow-list"), "{reason}");
    assert!(hook.calls().is_empty());
});

scenario!(canceling_a_waiting_run_releases_it, |t| {
    let hook = Receiver::start(200).await;
    let ext = create_extension(&t, &extension("Slow", &hook.url("127.0.0.1"), Some("PT2H"))).await;
    let wf = workflow(&t, &ext, false).await;
    let gi = user(&t, "Gi").await;
    let run = activate(&t, &wf, &gi).await;
    let call = hook.wait_for(1).await.remove(0);
    let callback = call.body["data"]["callbackUriPath"]
        .as_str()
        .unwrap()
        .to_string();
    t.post(
        &format!("{LW}/workflows/{wf}/microsoft.graph.identityGovernance.cancelProcessing"),
        &json!({"scope": {"@odata.type": "#microsoft.graph.identityGovernance.cancelRunsScope", "runs": [{"id": run}]}}),
    )
    .await
    .expect(204);
    let done = final_run(&t, &wf, &run).await;
    assert_eq!(done["processingStatus"], "canceled", "{done}");
    assert_eq!(
        task_result(&t, &wf, &run, "Call the hook").await["processingStatus"],
        "canceled"
    );
    let app = t.token_with(&["--app-id", CALLBACK_APP]);
    resume_as(&t, &app, &callback, "completed")
        .await
        .expect_error(409, "Conflict");
});
