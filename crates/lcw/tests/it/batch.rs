//! JSON batching (`POST /beta/$batch`): each part answers what the same request sent alone
//! would, `dependsOn` orders parts and fails dependants of a failure with 424, and a malformed
//! batch is one 400.

use serde_json::{json, Value};

use crate::both_backends;
use crate::harness::{joiner_workflow, Resp, Tenant, LW};

async fn batch(t: &Tenant, requests: Value) -> Resp {
    batch_as(t, &t.token, requests).await
}

async fn batch_as(t: &Tenant, token: &str, requests: Value) -> Resp {
    t.send_as(
        token,
        "POST",
        "/$batch",
        Some(&json!({ "requests": requests })),
    )
    .await
}

/// The answer to request `id` (answers may come in any order).
#[track_caller]
fn part<'a>(r: &'a Resp, id: &str) -> &'a Value {
    assert_eq!(r.status, 200, "batch envelope: {}", r.text);
    r.body["responses"]
        .as_array()
        .expect("responses array")
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no response for '{id}': {}", r.text))
}

#[track_caller]
fn status(r: &Resp, id: &str) -> u64 {
    part(r, id)["status"].as_u64().expect("numeric status")
}

/// A part's error matches Graph's envelope, as a single call's would.
#[track_caller]
fn expect_part_error(r: &Resp, id: &str, status_code: u64, code: &str) {
    let p = part(r, id);
    assert_eq!(p["status"], status_code, "part {id}: {p}");
    assert_eq!(p["body"]["error"]["code"], code, "part {id}: {p}");
    assert!(p["body"]["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    assert!(p["body"]["error"]["innerError"]["request-id"].is_string());
    assert!(p["body"]["error"]["innerError"]["date"].is_string());
}

fn header<'a>(p: &'a Value, name: &str) -> Option<&'a str> {
    p["headers"]
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str())
}

fn json_headers() -> Value {
    json!({"Content-Type": "application/json"})
}

both_backends!(batch_chain_of_twenty_creates_reads_and_patches, |t| {
    let mut requests = vec![
        json!({"id": "1", "method": "POST", "url": format!("{LW}/workflows"),
               "headers": json_headers(), "body": joiner_workflow("Batched")}),
        json!({"id": "2", "method": "GET", "url": "$1", "dependsOn": ["1"]}),
        json!({"id": "3", "method": "PATCH", "url": "$1", "dependsOn": ["2"],
               "headers": json_headers(), "body": {"description": "patched in a batch"}}),
        json!({"id": "4", "method": "GET", "url": "$1?$select=description", "dependsOn": ["3"]}),
    ];
    // Each further request waits for the one before it; odd ones rename, even ones read back.
    for n in 5..=20 {
        let previous = (n - 1).to_string();
        requests.push(if n % 2 == 1 {
            json!({"id": n.to_string(), "method": "PATCH", "url": "$1", "dependsOn": [previous],
                   "headers": json_headers(), "body": {"displayName": format!("Batched {n}")}})
        } else {
            json!({"id": n.to_string(), "method": "GET", "url": "$1?$select=displayName",
                   "dependsOn": [previous]})
        });
    }
    let r = batch(&t, Value::Array(requests)).await;
    r.expect(200);
    assert!(r
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/json")));
    assert_eq!(r.body["responses"].as_array().unwrap().len(), 20);

    let created = part(&r, "1");
    assert_eq!(created["status"], 201, "{created}");
    let id = created["body"]["id"]
        .as_str()
        .expect("created id")
        .to_string();
    assert_eq!(created["body"]["displayName"], "Batched");
    assert!(header(created, "Content-Type").is_some_and(|c| c.starts_with("application/json")));
    assert_eq!(header(created, "OData-Version"), Some("4.0"));
    assert_eq!(part(&r, "2")["body"]["id"], id.as_str());
    let patched = part(&r, "3");
    assert_eq!(patched["status"], 204, "{patched}");
    assert!(patched["body"].is_null());
    assert_eq!(part(&r, "4")["body"]["description"], "patched in a batch");
    for n in (6..=20).step_by(2) {
        let p = part(&r, &n.to_string());
        assert_eq!(p["status"], 200, "{p}");
        assert_eq!(
            p["body"]["displayName"],
            format!("Batched {}", n - 1),
            "{p}"
        );
    }
    // The batch's writes are those of single calls.
    let direct = t.get(&format!("{LW}/workflows/{id}")).await;
    direct.expect(200);
    assert_eq!(direct.body["displayName"], "Batched 19");
    assert_eq!(direct.body["description"], "patched in a batch");
});

both_backends!(batch_failure_fails_dependants_transitively, |t| {
    let mut invalid = joiner_workflow("No category");
    invalid.as_object_mut().unwrap().remove("category");
    let r = batch(
        &t,
        json!([
            {"id": "bad", "method": "POST", "url": format!("{LW}/workflows"),
             "headers": json_headers(), "body": invalid},
            {"id": "child", "method": "GET", "url": "$bad", "dependsOn": ["bad"]},
            {"id": "grandchild", "method": "GET", "url": format!("{LW}/workflows"),
             "dependsOn": ["child"]},
            {"id": "free", "method": "POST", "url": format!("{LW}/workflows"),
             "headers": json_headers(), "body": joiner_workflow("Independent")},
            {"id": "after-free", "method": "GET", "url": format!("{LW}/workflows/$count"),
             "dependsOn": ["free"]},
            {"id": "missing", "method": "GET", "url": format!("{LW}/workflows/{}", uuid::Uuid::new_v4())},
            {"id": "after-missing", "method": "GET", "url": format!("{LW}/settings"),
             "dependsOn": ["missing", "free"]},
        ]),
    )
    .await;
    expect_part_error(&r, "bad", 400, "BadRequest");
    expect_part_error(&r, "child", 424, "FailedDependency");
    expect_part_error(&r, "grandchild", 424, "FailedDependency");
    expect_part_error(&r, "missing", 404, "ResourceNotFound");
    expect_part_error(&r, "after-missing", 424, "FailedDependency");
    assert_eq!(status(&r, "free"), 201);
    let count = part(&r, "after-free");
    assert_eq!(count["status"], 200);
    assert_eq!(
        count["body"], "1",
        "$count is text, as a single call sends it"
    );
    // Only the independent create happened.
    t.get(&format!("{LW}/workflows/$count")).await.expect(200);
    assert_eq!(t.get(&format!("{LW}/workflows/$count")).await.text, "1");
});

both_backends!(batch_malformed_is_one_400, |t| {
    let get = |id: &str| json!({"id": id, "method": "GET", "url": format!("{LW}/settings")});
    let twenty_one: Vec<Value> = (1..=21).map(|n| get(&n.to_string())).collect();
    let twenty: Vec<Value> = (1..=20).map(|n| get(&n.to_string())).collect();
    let with_deps = |deps: &[(&str, &[&str])]| {
        Value::Array(
            deps.iter()
                .map(|(id, on)| {
                    let mut r = get(id);
                    r["dependsOn"] = json!(on);
                    r
                })
                .collect(),
        )
    };
    let cases: Vec<(&str, Value)> = vec![
        ("21 requests", Value::Array(twenty_one)),
        (
            "cycle",
            with_deps(&[("a", &["c"]), ("b", &["a"]), ("c", &["b"]), ("d", &[])]),
        ),
        ("self dependency", with_deps(&[("a", &["a"])])),
        ("unknown id", with_deps(&[("a", &[]), ("b", &["zzz"])])),
        ("duplicate id", json!([get("a"), get("a")])),
        (
            "body without Content-Type",
            json!([{"id": "a", "method": "POST", "url": format!("{LW}/workflows"),
                    "body": joiner_workflow("x")}]),
        ),
        ("missing url", json!([{"id": "a", "method": "GET"}])),
        ("missing id", json!([{"method": "GET", "url": "/x"}])),
        (
            "invalid method",
            json!([{"id": "a", "method": "GE T", "url": format!("{LW}/settings")}]),
        ),
        (
            "body not base64url for its type",
            json!([{"id": "a", "method": "POST", "url": format!("{LW}/workflows"),
                    "headers": {"Content-Type": "application/octet-stream"}, "body": "***"}]),
        ),
    ];
    for (what, requests) in cases {
        let r = batch(&t, requests).await;
        assert_eq!(r.status, 400, "{what}: {}", r.text);
        r.expect_error(400, "BadRequest");
    }
    for body in [json!({}), json!({"requests": {}}), json!([])] {
        let r = t.post("/$batch", &body).await;
        r.expect_error(400, "BadRequest");
    }
    let r = t
        .raw(
            "POST",
            "/$batch",
            Some(&t.token),
            &[("Content-Type", "application/json")],
            Some(b"{\"requests\": [".to_vec()),
        )
        .await;
    r.expect_error(400, "BadRequest");
    // Twenty is the limit, not over it.
    let r = batch(&t, Value::Array(twenty)).await;
    r.expect(200);
    assert!(r.body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["status"] == 200));
    // The outer body limit (--max-body-bytes, 1 MiB by default) holds for the batch.
    let mut big = joiner_workflow("Big");
    big["description"] = json!("x".repeat(1024 * 1024 + 10));
    let r = batch(
        &t,
        json!([{"id": "a", "method": "POST", "url": format!("{LW}/workflows"),
                "headers": json_headers(), "body": big}]),
    )
    .await;
    r.expect_error(413, "RequestEntityTooLarge");
    // Only POST.
    t.get("/$batch").await.expect_error(405, "MethodNotAllowed");
});

both_backends!(batch_nested_batch_is_a_400_part, |t| {
    let inner =
        json!({"requests": [{"id": "x", "method": "GET", "url": format!("{LW}/settings")}]});
    let r = batch(
        &t,
        json!([
            {"id": "nested", "method": "POST", "url": "/$batch", "headers": json_headers(), "body": inner},
            {"id": "nested-beta", "method": "POST", "url": "/beta/$batch", "headers": json_headers(), "body": inner},
            {"id": "fine", "method": "GET", "url": format!("{LW}/settings")},
        ]),
    )
    .await;
    expect_part_error(&r, "nested", 400, "BadRequest");
    expect_part_error(&r, "nested-beta", 400, "BadRequest");
    assert_eq!(status(&r, "fine"), 200);
});

both_backends!(batch_permissions_are_checked_per_part, |t| {
    let reader = t.token_with(&["--roles", "LifecycleWorkflows.Read.All"]);
    let r = batch_as(
        &t,
        &reader,
        json!([
            {"id": "list", "method": "GET", "url": format!("{LW}/workflows")},
            {"id": "create", "method": "POST", "url": format!("{LW}/workflows"),
             "headers": json_headers(), "body": joiner_workflow("Nope")},
            {"id": "settings", "method": "PATCH", "url": format!("{LW}/settings"),
             "headers": json_headers(), "body": {"workflowScheduleIntervalInHours": 5}},
            {"id": "catalog", "method": "GET", "url": format!("{LW}/taskDefinitions?$top=1")},
        ]),
    )
    .await;
    assert_eq!(status(&r, "list"), 200);
    assert_eq!(status(&r, "catalog"), 200);
    // The same error a single call with this token gets.
    let single = t
        .send_as(
            &reader,
            "POST",
            &format!("{LW}/workflows"),
            Some(&joiner_workflow("Nope")),
        )
        .await;
    single.expect(403);
    expect_part_error(&r, "create", 403, single.code());
    expect_part_error(&r, "settings", 403, single.code());
    assert_eq!(t.get(&format!("{LW}/workflows/$count")).await.text, "0");
});

both_backends!(batch_without_a_valid_token_is_401, |t| {
    let body = json!({"requests": [{"id": "a", "method": "GET", "url": format!("{LW}/settings")}]})
        .to_string()
        .into_bytes();
    let json_ct = [("Content-Type", "application/json")];
    let r = t
        .raw("POST", "/$batch", None, &json_ct, Some(body.clone()))
        .await;
    r.expect_error(401, "InvalidAuthenticationToken");
    assert!(r.body.get("responses").is_none());
    let r = t
        .raw(
            "POST",
            "/$batch",
            Some("not-a-token"),
            &json_ct,
            Some(body.clone()),
        )
        .await;
    r.expect_error(401, "InvalidAuthenticationToken");
    // Even a malformed batch: strangers learn nothing about it.
    let r = t
        .raw("POST", "/$batch", None, &json_ct, Some(b"{".to_vec()))
        .await;
    r.expect_error(401, "InvalidAuthenticationToken");
});

both_backends!(batch_accepts_every_url_form, |t| {
    let path = format!("{LW}/taskDefinitions?$top=2");
    let single = t.get(&path).await;
    single.expect(200);
    let v1_path = format!("{LW}/taskDefinitions?$top=2");
    let base_v1 = t.server.base.replace("/beta", "/v1.0");
    let single_v1 = t.get(&format!("{base_v1}{v1_path}")).await;
    let r = batch(
        &t,
        json!([
            {"id": "slash", "method": "GET", "url": path},
            {"id": "bare", "method": "GET", "url": path.trim_start_matches('/')},
            {"id": "beta", "method": "GET", "url": format!("/beta{path}")},
            {"id": "v1", "method": "GET", "url": format!("/v1.0{v1_path}")},
            {"id": "lower-method", "method": "get", "url": path},
            {"id": "escaped", "method": "GET",
             "url": format!("{LW}/taskDefinitions?$filter=category eq 'joiner'&$top=1")},
            {"id": "absolute", "method": "GET", "url": format!("{}{path}", t.server.base)},
            {"id": "elsewhere", "method": "GET",
             "url": format!("https://graph.microsoft.com/beta{path}")},
        ]),
    )
    .await;
    for id in ["slash", "bare", "beta", "lower-method", "absolute"] {
        let p = part(&r, id);
        assert_eq!(p["status"], 200, "{id}: {p}");
        assert_eq!(p["body"], single.body, "{id}");
    }
    assert_eq!(status(&r, "escaped"), 200);
    expect_part_error(&r, "elsewhere", 400, "BadRequest");
    // `/v1.0/...` is served as `/v1.0` serves it, whatever that is.
    let v1 = part(&r, "v1");
    assert_eq!(v1["status"], single_v1.status as u64, "{v1}");
    if single_v1.status == 200 {
        assert_eq!(v1["body"], single_v1.body);
    } else {
        assert_eq!(v1["body"]["error"]["code"], single_v1.code());
    }
    // A batch at /v1.0 puts its parts under /v1.0.
    let r = t
        .send(
            "POST",
            &format!("{base_v1}/$batch"),
            Some(&json!({"requests": [{"id": "a", "method": "GET", "url": v1_path}]})),
        )
        .await;
    let p = part(&r, "a");
    assert_eq!(p["status"], single_v1.status as u64, "{p}");
});

both_backends!(batch_honours_the_python_sdk_depends_on, |t| {
    let mut invalid = joiner_workflow("No category");
    invalid.as_object_mut().unwrap().remove("category");
    let r = batch(
        &t,
        json!([
            {"id": "create", "method": "POST", "url": format!("{LW}/workflows"),
             "headers": json_headers(), "body": joiner_workflow("Snake"), "depends_on": []},
            {"id": "read", "method": "GET", "url": "$create", "depends_on": ["create"]},
            {"id": "bad", "method": "POST", "url": format!("{LW}/workflows"),
             "headers": json_headers(), "body": invalid, "depends_on": ["read"]},
            {"id": "after-bad", "method": "GET", "url": format!("{LW}/workflows"),
             "depends_on": ["bad"]},
        ]),
    )
    .await;
    assert_eq!(status(&r, "create"), 201);
    assert_eq!(part(&r, "read")["body"]["displayName"], "Snake");
    assert_eq!(status(&r, "bad"), 400);
    expect_part_error(&r, "after-bad", 424, "FailedDependency");
    // The Python SDK sends a JSON body that is not an object as standard base64.
    let r = batch(
        &t,
        json!([{"id": "a", "method": "PATCH", "url": format!("{LW}/settings"),
                "headers": json_headers(), "body": "e30="}]),
    )
    .await;
    let single = t.patch(&format!("{LW}/settings"), &json!({})).await;
    assert_eq!(status(&r, "a"), single.status as u64, "{}", r.text);
});

both_backends!(batch_links_and_headers_are_those_of_single_calls, |t| {
    for name in ["One", "Two", "Three"] {
        t.create_workflow(&joiner_workflow(name)).await;
    }
    let path = format!("{LW}/workflows?$top=2&$orderby=displayName");
    let single = t.get(&path).await;
    single.expect(200);
    let single_create = t
        .post(&format!("{LW}/workflows"), &joiner_workflow("Four"))
        .await;
    single_create.expect(201);
    let r = batch(
        &t,
        json!([
            {"id": "page", "method": "GET", "url": path},
            {"id": "create", "method": "POST", "url": format!("{LW}/workflows"),
             "headers": json_headers(), "body": joiner_workflow("Five")},
            {"id": "mine", "method": "GET", "url": format!("{LW}/settings"),
             "headers": {"client-request-id": "batch-part-7"}},
        ]),
    )
    .await;
    let page = part(&r, "page");
    let context = page["body"]["@odata.context"].as_str().unwrap();
    assert!(
        context.starts_with(&format!("{}/$metadata#", t.server.base)),
        "{context}"
    );
    assert_eq!(
        page["body"]["@odata.context"],
        single.body["@odata.context"]
    );
    let next = page["body"]["@odata.nextLink"].as_str().expect("nextLink");
    assert!(next.starts_with(&t.server.base), "{next}");
    assert_eq!(
        page["body"]["@odata.nextLink"],
        single.body["@odata.nextLink"]
    );
    // Following the part's nextLink directly gives the next page.
    let second = t.get(next).await;
    second.expect(200);
    assert_eq!(second.body["value"].as_array().unwrap().len(), 2);
    // Location only where the single call sends one.
    let created = part(&r, "create");
    assert_eq!(created["status"], 201);
    assert_eq!(
        header(created, "Location").is_some(),
        single_create.header("location").is_some(),
        "{created}"
    );
    // The part's own headers reach the request.
    let mine = part(&r, "mine");
    assert_eq!(header(mine, "client-request-id"), Some("batch-part-7"));
    assert!(header(mine, "request-id").is_some());
});

both_backends!(batch_bodies_follow_their_content_type, |t| {
    let body = joiner_workflow("As text").to_string();
    let path = format!("{LW}/workflows");
    // A single call with a text/plain JSON body, and the same in a batch as text.
    let single = t
        .raw(
            "POST",
            &path,
            Some(&t.token),
            &[("Content-Type", "text/plain")],
            Some(body.clone().into_bytes()),
        )
        .await;
    let octet = t
        .raw(
            "POST",
            &path,
            Some(&t.token),
            &[("Content-Type", "application/octet-stream")],
            Some(body.clone().into_bytes()),
        )
        .await;
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(body.as_bytes());
    let r = batch(
        &t,
        json!([
            {"id": "text", "method": "POST", "url": path,
             "headers": {"Content-Type": "text/plain"}, "body": body},
            {"id": "octet", "method": "POST", "url": path,
             "headers": {"Content-Type": "application/octet-stream"}, "body": encoded},
        ]),
    )
    .await;
    let text = part(&r, "text");
    assert_eq!(text["status"], single.status as u64, "{text}");
    if single.status == 201 {
        assert_eq!(text["body"]["displayName"], "As text");
    }
    let octet_part = part(&r, "octet");
    assert_eq!(octet_part["status"], octet.status as u64, "{octet_part}");
    assert_eq!(octet_part["body"]["error"]["code"], octet.code());
});
