//! Custom task extension callouts: the HTTP side of "Run a Custom Task Extension".
//!
//! The job that reaches the task commits it `inProgress` together with a `pending` callout
//! row (`store::waiting`); no HTTP happens inside that transaction. This module's worker
//! leases pending callouts, POSTs Graph's callout payload to the extension's endpoint with a
//! bearer token lcw signs, and then:
//!
//! * without `callbackConfiguration`: a 2xx answer completes the task, anything else fails it;
//! * with one: a 2xx answer leaves the task waiting for `resume` until
//!   `callbackConfiguration.timeoutDuration` (workflow clock) passes, then it fails.
//!
//! Resolving a callout writes the task's final result and queues a job for the user in one
//! transaction guarded by the callout's state, so the user's remaining tasks run once and the
//! run finishes when every user is final. A node that dies between making the call and
//! recording its answer leaves the lease to expire and the call is made again: delivery is
//! at least once (receivers may see a callout twice; `taskProcessingResult.id` identifies it).
//!
//! Outbound calls are bounded: only hosts on the allow-list (`lcw serve
//! --callout-allow-host`, none by default), a connect and a total timeout per attempt
//! (`clientConfiguration.timeoutInMilliseconds`, 200–2000 ms, default 2000), at most
//! `maximumRetries` (0–1, default 1) retries on timeouts, connection errors, 408, 429 and 5xx,
//! no redirects, no proxies.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use model::run::{JobPayload, ProcessUsers, ProcessingStatus, ResultKind};
use model::time::format_datetime;
use serde_json::{json, Value};
use store::{kinds, Callout, Job, ResultRow, ResultWrite};

use crate::runner::{fixed, Engine, EngineError};

/// The application id Lifecycle Workflows calls extensions as (`appid`/`azp` of its tokens).
pub const LIFECYCLE_WORKFLOWS_APP_ID: &str = "ce79fdc4-cd1d-4ea5-8139-e74d7dbe0bb7";
const LEASE_SECS: i64 = 60;
/// Leases per callout before lcw gives up on it (each lease is a node that died calling).
const MAX_CLAIMS: i64 = 5;
const CLAIM_BATCH: i64 = 16;
const DEFAULT_TIMEOUT_MS: i64 = 2000;
const DEFAULT_RETRIES: i64 = 1;
/// A callback configuration without a usable `timeoutDuration` waits this long.
const DEFAULT_CALLBACK_TIMEOUT_MINUTES: i64 = 60;

/// Signs the bearer token of a callout: issued by lcw for `tenant`, audience `audience`.
pub trait CalloutSigner: Send + Sync {
    fn token(&self, tenant: &str, audience: &str) -> Result<String, String>;
}

/// Hosts extension endpoints may be on. Entries: `host` (any port), `host:port`, `[v6]:port`,
/// `*.suffix` (subdomains of suffix), or `*` (any host).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList(Vec<(String, Option<u16>)>);

impl AllowList {
    pub fn parse(entries: &[String]) -> Result<AllowList, String> {
        let mut out = Vec::new();
        for raw in entries {
            let e = raw.trim().to_ascii_lowercase();
            if e.is_empty() || e.contains('/') {
                return Err(format!("'{raw}' is not a host or host:port"));
            }
            let (host, port) = if let Some(rest) = e.strip_prefix('[') {
                let (h, tail) = rest
                    .split_once(']')
                    .ok_or_else(|| format!("'{raw}' is not a host or host:port"))?;
                (format!("[{h}]"), tail.strip_prefix(':'))
            } else {
                match e.split_once(':') {
                    Some((h, p)) => (h.to_string(), Some(p)),
                    None => (e.clone(), None),
                }
            };
            let port = port
                .map(|p| {
                    p.parse::<u16>()
                        .map_err(|_| format!("'{raw}': '{p}' is not a port"))
                })
                .transpose()?;
            out.push((host, port));
        }
        Ok(AllowList(out))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn allows(&self, url: &reqwest::Url) -> bool {
        let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
            return false;
        };
        let port = url.port_or_known_default();
        self.0.iter().any(|(h, p)| {
            let host_ok = h == "*"
                || *h == host
                || h.strip_prefix("*.")
                    .is_some_and(|s| host.ends_with(&format!(".{s}")));
            host_ok && p.is_none_or(|p| Some(p) == port)
        })
    }
}

/// What the callout worker needs besides the engine.
pub struct CalloutSettings {
    pub allow: AllowList,
    pub signer: Arc<dyn CalloutSigner>,
}

/// How a callout ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The task completed (`processingInfo`).
    Completed(Option<String>),
    /// The task failed (`failureReason`).
    Failed(String),
    /// The run is being canceled: the user's job cancels the task.
    Canceled,
}

fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

/// Resolve the callout of task processing result `id`: record the task's outcome and queue a
/// job that moves its user on. False (nothing written) when the callout was already resolved
/// or its task is no longer in progress.
pub async fn resolve(
    engine: &Engine,
    tenant: &str,
    id: &str,
    how: Resolution,
) -> Result<bool, EngineError> {
    let store = &engine.store;
    let task = store
        .get_result(tenant, ResultKind::Task.as_str(), id)
        .await?;
    let Some(mut t) = task.filter(|t| is_in_progress(t) || how == Resolution::Canceled) else {
        store
            .resolve_callout(tenant, id, Some("the task is no longer in progress"), &[])
            .await?;
        return Ok(false);
    };
    let now = engine.clock.now(tenant);
    let mut writes = Vec::new();
    let error = match &how {
        Resolution::Completed(info) => {
            finish_task(&mut t, ProcessingStatus::Completed, now);
            t.doc["processingInfo"] = json!(info);
            writes.push(ResultWrite::Put(t.clone()));
            None
        }
        Resolution::Failed(reason) => {
            finish_task(&mut t, ProcessingStatus::Failed, now);
            t.doc["failureReason"] = json!(reason);
            writes.push(ResultWrite::Put(t.clone()));
            Some(reason.as_str())
        }
        Resolution::Canceled => Some("the run was canceled"),
    };
    // The user's job moves them on from the resolved task.
    let job = JobPayload::ProcessUsers(ProcessUsers {
        workflow_id: t.workflow_id.clone(),
        run_id: t.run_id.clone(),
        user_results: vec![t.user_result_id.clone()],
    });
    writes.push(ResultWrite::Enqueue(Job {
        id: model::new_id(),
        tenant_id: tenant.to_string(),
        kind: job.kind().into(),
        payload: job.payload(),
        available_at: fixed(Utc::now()),
        attempts: 0,
    }));
    let resolved = store.resolve_callout(tenant, id, error, &writes).await?;
    if resolved {
        engine.notify();
    }
    Ok(resolved)
}

fn finish_task(t: &mut ResultRow, status: ProcessingStatus, now: DateTime<Utc>) {
    let now = format_datetime(now);
    t.status = status.as_str().into();
    t.completed_at = Some(now.clone());
    t.doc["processingStatus"] = json!(status.as_str());
    t.doc["completedDateTime"] = json!(now);
}

fn is_in_progress(t: &ResultRow) -> bool {
    ProcessingStatus::of(&t.status) == ProcessingStatus::InProgress
}

/// Start the callout worker on this node.
pub fn spawn_callouts(engine: Arc<Engine>, settings: CalloutSettings) {
    let settings = Arc::new(settings);
    tokio::spawn(async move {
        let client = match client() {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "cannot build the callout HTTP client; custom task extensions will not be called");
                return;
            }
        };
        // Leased under the node's id, which a stopping node hands back (`Engine::stop`).
        let owner = engine.node_id().to_string();
        loop {
            let busy = {
                let _pass = engine.callout_pass.lock().await;
                if engine.is_stopping() {
                    return;
                }
                match pass(&engine, &settings, &client, &owner).await {
                    Ok(n) => n,
                    Err(e) => {
                        tracing::warn!(error = %e, "callout pass failed");
                        0
                    }
                }
            };
            if busy == 0 {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                    _ = engine.stopped() => return,
                }
            }
        }
    });
}

fn client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(Duration::from_millis(DEFAULT_TIMEOUT_MS as u64))
        .user_agent("lcw-lifecycle-workflows")
        .build()
}

/// Make due callouts, time out expired callbacks, release callouts of canceled runs.
/// Returns how many callouts were made.
pub async fn pass(
    engine: &Arc<Engine>,
    settings: &Arc<CalloutSettings>,
    client: &reqwest::Client,
    owner: &str,
) -> Result<usize, EngineError> {
    let now = Utc::now();
    let claimed = engine
        .store
        .claim_callouts(
            owner,
            &fixed(now),
            &fixed(now + chrono::Duration::seconds(LEASE_SECS)),
            CLAIM_BATCH,
        )
        .await?;
    let n = claimed.len();
    let mut calls = tokio::task::JoinSet::new();
    for c in claimed {
        let (engine, settings, client) = (engine.clone(), settings.clone(), client.clone());
        calls.spawn(async move {
            if let Err(e) = call(&engine, &settings, &client, &c).await {
                tracing::warn!(callout = c.id, error = %e, "callout failed; it is retried when its lease expires");
            }
        });
    }
    while calls.join_next().await.is_some() {}
    for c in expired_callouts(engine).await? {
        let reason = format!(
            "The custom task extension did not resume the task before its callback timed out ({}).",
            c.deadline.as_deref().unwrap_or("")
        );
        crate::telemetry::callout("timedOut");
        resolve(engine, &c.tenant_id, &c.id, Resolution::Failed(reason)).await?;
    }
    for c in engine.store.canceled_callouts(100).await? {
        crate::telemetry::callout("canceled");
        resolve(engine, &c.tenant_id, &c.id, Resolution::Canceled).await?;
    }
    Ok(n)
}

/// Waiting callouts whose callback timed out, each tenant on its own clock.
async fn expired_callouts(engine: &Engine) -> Result<Vec<Callout>, EngineError> {
    const BATCH: i64 = 100;
    let own_times = engine.clock.tenant_times();
    let mut expired: Vec<Callout> = engine
        .store
        .expired_callouts(&fixed(engine.clock.shared_now()), None, BATCH)
        .await?
        .into_iter()
        .filter(|c| !own_times.iter().any(|(t, _)| *t == c.tenant_id))
        .collect();
    for (tenant, now) in &own_times {
        expired.extend(
            engine
                .store
                .expired_callouts(&fixed(*now), Some(tenant), BATCH)
                .await?,
        );
    }
    Ok(expired)
}

/// Where and how to call one extension.
#[derive(Debug)]
struct Plan {
    url: reqwest::Url,
    audience: String,
    timeout_ms: i64,
    retries: i64,
    callback: Option<chrono::Duration>,
}

/// The URL without query and fragment (a Logic App trigger URL carries its signature in the
/// query): safe to show in a failureReason.
fn shown(url: &reqwest::Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_password(None);
    let _ = u.set_username("");
    u.to_string()
}

fn odata_type(v: &Value) -> String {
    str_of(v, "@odata.type")
        .trim_start_matches('#')
        .to_ascii_lowercase()
}

fn plan(ext: &Value, allow: &AllowList) -> Result<Plan, String> {
    let ec = ext
        .get("endpointConfiguration")
        .cloned()
        .unwrap_or(Value::Null);
    let target = match odata_type(&ec).as_str() {
        "microsoft.graph.httprequestendpoint" => str_of(&ec, "targetUrl"),
        "microsoft.graph.logicapptriggerendpointconfiguration" => match str_of(&ec, "url") {
            "" => return Err("lcw cannot resolve an Azure Logic App from its subscription, resource group and name: give the trigger URL in endpointConfiguration.url, or use an httpRequestEndpoint.".into()),
            url => url,
        },
        "" if !str_of(&ec, "targetUrl").is_empty() => str_of(&ec, "targetUrl"),
        other => {
            return Err(format!(
                "The endpointConfiguration type '{other}' is not supported by lcw."
            ))
        }
    };
    let url = reqwest::Url::parse(target.trim())
        .map_err(|e| format!("The endpoint URL is not valid: {e}."))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!(
            "The endpoint URL '{}' is not an http(s) URL.",
            shown(&url)
        ));
    }
    if !allow.allows(&url) {
        return Err(format!(
            "The endpoint host '{}' is not on this server's callout allow-list (lcw serve --callout-allow-host).",
            url.host_str().unwrap_or("")
        ));
    }
    let ac = ext
        .get("authenticationConfiguration")
        .cloned()
        .unwrap_or(Value::Null);
    let resource = str_of(&ac, "resourceId").trim();
    // A proof-of-possession token is bound to the request; lcw sends a plain bearer token
    // whose audience is the endpoint's origin instead.
    let audience = match odata_type(&ac).as_str() {
        "microsoft.graph.azureadpoptokenauthentication" => url.origin().ascii_serialization(),
        _ if !resource.is_empty() => resource.to_string(),
        "microsoft.graph.azureadtokenauthentication" => return Err(
            "authenticationConfiguration.resourceId is empty: lcw has no audience for the token."
                .into(),
        ),
        _ => url.origin().ascii_serialization(),
    };
    let cc = ext
        .get("clientConfiguration")
        .cloned()
        .unwrap_or(Value::Null);
    let timeout_ms = cc
        .get("timeoutInMilliseconds")
        .and_then(Value::as_i64)
        .unwrap_or(DEFAULT_TIMEOUT_MS)
        .clamp(200, 2000);
    let retries = cc
        .get("maximumRetries")
        .and_then(Value::as_i64)
        .unwrap_or(DEFAULT_RETRIES)
        .clamp(0, 1);
    let callback = ext
        .get("callbackConfiguration")
        .filter(|v| !v.is_null())
        .map(|cb| {
            cb.get("timeoutDuration")
                .and_then(Value::as_str)
                .and_then(model::time::parse_duration)
                .unwrap_or(chrono::Duration::minutes(DEFAULT_CALLBACK_TIMEOUT_MINUTES))
        });
    Ok(Plan {
        url,
        audience,
        timeout_ms,
        retries,
        callback,
    })
}

/// Make one leased callout and record what came of it.
async fn call(
    engine: &Arc<Engine>,
    settings: &CalloutSettings,
    client: &reqwest::Client,
    c: &Callout,
) -> Result<(), EngineError> {
    let tenant = c.tenant_id.as_str();
    let fail = |reason: String| {
        crate::telemetry::callout("failed");
        resolve(engine, tenant, &c.id, Resolution::Failed(reason))
    };
    if c.attempts > MAX_CLAIMS {
        return fail(format!(
            "lcw gave up calling the custom task extension after {MAX_CLAIMS} attempts (the server stopped while calling it)."
        ))
        .await
        .map(drop);
    }
    let task = engine
        .store
        .get_result(tenant, ResultKind::Task.as_str(), &c.id)
        .await?;
    let Some(task) = task.filter(is_in_progress) else {
        // Canceled (or otherwise finished) before the call: nothing to call for.
        crate::telemetry::callout("skipped");
        engine
            .store
            .resolve_callout(
                tenant,
                &c.id,
                Some("the task is no longer in progress"),
                &[],
            )
            .await?;
        return Ok(());
    };
    let Some(ext) = engine
        .store
        .get(tenant, kinds::CUSTOM_TASK_EXTENSION, &c.extension_id)
        .await?
    else {
        return fail(format!(
            "The custom task extension '{}' does not exist.",
            c.extension_id
        ))
        .await
        .map(drop);
    };
    let plan = match plan(&ext.doc, &settings.allow) {
        Ok(p) => p,
        Err(reason) => return fail(reason).await.map(drop),
    };
    let token = match settings.signer.token(tenant, &plan.audience) {
        Ok(t) => t,
        Err(e) => {
            return fail(format!("lcw could not sign the callout token: {e}"))
                .await
                .map(drop)
        }
    };
    let body = payload(engine, c, &task).await?;
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    match send(client, &plan, &token, bytes).await {
        Ok(()) => match plan.callback {
            Some(timeout) => {
                crate::telemetry::callout("waiting");
                let deadline = fixed(engine.clock.now(tenant) + timeout);
                // False when a resume overtook the HTTP answer: nothing left to do.
                engine
                    .store
                    .callout_waiting(tenant, &c.id, &deadline)
                    .await?;
                Ok(())
            }
            None => {
                crate::telemetry::callout("completed");
                resolve(engine, tenant, &c.id, Resolution::Completed(None))
                    .await
                    .map(drop)
            }
        },
        Err(reason) => fail(reason).await.map(drop),
    }
}

/// POST the payload, retrying as the extension allows.
async fn send(
    client: &reqwest::Client,
    plan: &Plan,
    token: &str,
    body: Vec<u8>,
) -> Result<(), String> {
    let attempts = 1 + plan.retries;
    let mut last = String::new();
    let mut made = 0;
    for _ in 0..attempts {
        made += 1;
        let sent = client
            .post(plan.url.clone())
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.clone())
            .timeout(Duration::from_millis(plan.timeout_ms as u64))
            .send()
            .await;
        let retry = match sent {
            Ok(resp) if resp.status().is_success() => return Ok(()),
            Ok(resp) => {
                let s = resp.status();
                last = if s.is_redirection() {
                    format!(
                        "answered HTTP {} (a redirect; lcw does not follow redirects)",
                        s.as_u16()
                    )
                } else {
                    format!("answered HTTP {}", s.as_u16())
                };
                s.is_server_error() || s.as_u16() == 408 || s.as_u16() == 429
            }
            Err(e) if e.is_timeout() => {
                last = format!("did not answer within {} ms", plan.timeout_ms);
                true
            }
            Err(e) => {
                last = format!("could not be reached ({})", root_cause(&e));
                e.is_connect()
            }
        };
        if !retry {
            break;
        }
    }
    Err(format!(
        "The custom task extension endpoint {} {last} ({made} attempt{}).",
        shown(&plan.url),
        if made == 1 { "" } else { "s" }
    ))
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// Graph's callout body for a custom task extension.
///
/// `data` is a `customTaskExtensionCalloutData` (`subject`, `task`, `taskProcessingresult` —
/// Graph's metadata spells it so — and `workflow`), plus `callbackUriPath`, the path below the
/// version root (`/beta`) that `resume` is posted to, as the Logic App trigger schema expects.
/// The trigger schema also reads `taskProcessingResult`, `subject.email`, `manager.email` and
/// `workflow.workflowVersion`, so those are sent too.
async fn payload(engine: &Engine, c: &Callout, task: &ResultRow) -> Result<Value, EngineError> {
    let tenant = c.tenant_id.as_str();
    let store = &engine.store;
    let user = store.get_user(tenant, &c.subject_id).await?;
    let manager = match user.as_ref().and_then(|u| u.manager_id.clone()) {
        Some(m) => store.get_user(tenant, &m).await?,
        None => None,
    };
    let person = |doc: &Value| {
        json!({
            "id": doc.get("id").cloned().unwrap_or(Value::Null),
            "displayName": doc.get("displayName").cloned().unwrap_or(Value::Null),
            "mail": doc.get("mail").cloned().unwrap_or(Value::Null),
            "email": doc.get("mail").cloned().unwrap_or(Value::Null),
            "userPrincipalName": doc.get("userPrincipalName").cloned().unwrap_or(Value::Null),
        })
    };
    let mut subject = match &user {
        Some(u) => person(&u.doc),
        None => json!({"id": c.subject_id}),
    };
    subject["manager"] = manager.map(|m| person(&m.doc)).unwrap_or(Value::Null);
    let workflow = store
        .get(tenant, kinds::WORKFLOW, &c.workflow_id)
        .await?
        .map(|w| w.doc)
        .unwrap_or(Value::Null);
    let task_doc = task.doc.get("task").cloned().unwrap_or(Value::Null);
    let tpr = json!({
        "id": task.id,
        "createdDateTime": task.doc.get("createdDateTime").cloned().unwrap_or(Value::Null),
        "startedDateTime": task.doc.get("startedDateTime").cloned().unwrap_or(Value::Null),
        "processingStatus": ProcessingStatus::InProgress.as_str(),
    });
    let callback = format!(
        "/identityGovernance/lifecycleWorkflows/workflows/{}/tasks/{}/taskProcessingResults/{}/microsoft.graph.identityGovernance.resume",
        c.workflow_id, task.task_id, task.id
    );
    Ok(json!({
        "source": format!("/tenants/{tenant}/workflows/{}", c.workflow_id),
        "type": "lifecycleEvent",
        "data": {
            "@odata.type": "microsoft.graph.identityGovernance.customTaskExtensionCalloutData",
            "callbackUriPath": callback,
            "subject": subject,
            "task": task_doc,
            "taskProcessingresult": tpr.clone(),
            "taskProcessingResult": tpr,
            "workflow": {
                "id": c.workflow_id,
                "displayName": workflow.get("displayName").cloned().unwrap_or(Value::Null),
                "version": task.workflow_version,
                "workflowVersion": task.workflow_version,
            },
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> reqwest::Url {
        reqwest::Url::parse(s).unwrap()
    }

    #[test]
    fn allow_list_matches_hosts_and_ports() {
        let a = AllowList::parse(&[
            "127.0.0.1".into(),
            "hooks.example.com:8443".into(),
            "*.logic.azure.com".into(),
        ])
        .unwrap();
        assert!(a.allows(&url("http://127.0.0.1:9999/x")));
        assert!(a.allows(&url("https://hooks.example.com:8443/")));
        assert!(!a.allows(&url("https://hooks.example.com/")));
        assert!(a.allows(&url("https://prod-1.westeurope.logic.azure.com/workflows")));
        assert!(!a.allows(&url("https://logic.azure.com.evil.test/")));
        assert!(!a.allows(&url("http://localhost/")));
        assert!(!AllowList::default().allows(&url("http://127.0.0.1/")));
        assert!(AllowList::parse(&["*".into()])
            .unwrap()
            .allows(&url("https://anything.test/")));
        assert!(AllowList::parse(&["[::1]:80".into()])
            .unwrap()
            .allows(&url("http://[::1]/")));
        assert!(AllowList::parse(&["h:port".into()]).is_err());
        assert!(AllowList::parse(&["http://h".into()]).is_err());
    }

    #[test]
    fn plans_endpoints_audiences_and_limits() {
        let allow = AllowList::parse(&["127.0.0.1".into()]).unwrap();
        let ext = json!({
            "endpointConfiguration": {"@odata.type": "#microsoft.graph.httpRequestEndpoint", "targetUrl": "http://127.0.0.1:5000/hook?sig=secret"},
            "authenticationConfiguration": {"@odata.type": "#microsoft.graph.azureAdTokenAuthentication", "resourceId": "api://hook"},
            "clientConfiguration": {"timeoutInMilliseconds": 300, "maximumRetries": 0},
            "callbackConfiguration": {"timeoutDuration": "PT10M"}
        });
        let p = plan(&ext, &allow).unwrap();
        assert_eq!(p.audience, "api://hook");
        assert_eq!((p.timeout_ms, p.retries), (300, 0));
        assert_eq!(p.callback, Some(chrono::Duration::minutes(10)));
        assert_eq!(shown(&p.url), "http://127.0.0.1:5000/hook");

        let mut pop = ext.clone();
        pop["authenticationConfiguration"] =
            json!({"@odata.type": "#microsoft.graph.azureAdPopTokenAuthentication"});
        pop["clientConfiguration"] = Value::Null;
        pop["callbackConfiguration"] = Value::Null;
        let p = plan(&pop, &allow).unwrap();
        assert_eq!(p.audience, "http://127.0.0.1:5000");
        assert_eq!((p.timeout_ms, p.retries, p.callback), (2000, 1, None));

        let mut far = ext.clone();
        far["endpointConfiguration"]["targetUrl"] = json!("https://example.com/hook");
        assert!(plan(&far, &allow).unwrap_err().contains("allow-list"));

        let logic = json!({
            "endpointConfiguration": {"@odata.type": "#microsoft.graph.logicAppTriggerEndpointConfiguration",
                "subscriptionId": "s", "resourceGroupName": "r", "logicAppWorkflowName": "w"},
            "authenticationConfiguration": {"@odata.type": "#microsoft.graph.azureAdTokenAuthentication", "resourceId": "x"}
        });
        assert!(plan(&logic, &allow).unwrap_err().contains("Logic App"));
    }
}
