//! OData and Graph protocol behaviour: query options, envelopes, paging, headers, errors,
//! evolvable enums, and robustness against garbage input.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::both_backends;
use crate::harness::{joiner_workflow, leaver_workflow, Tenant, LW};

fn names(v: &Value) -> Vec<String> {
    v["value"]
        .as_array()
        .expect("value array")
        .iter()
        .map(|x| x["displayName"].as_str().unwrap().to_string())
        .collect()
}

/// Five workflows: Alpha, Bravo, Charlie (joiner, enabled), Delta, Echo (leaver, disabled).
async fn five(t: &Tenant) -> Vec<String> {
    let mut ids = Vec::new();
    for (name, leaver) in [
        ("Alpha", false),
        ("Bravo", false),
        ("Charlie", false),
        ("Delta", true),
        ("Echo", true),
    ] {
        let mut body = if leaver {
            leaver_workflow(name)
        } else {
            joiner_workflow(name)
        };
        if leaver {
            body["isEnabled"] = json!(false);
        }
        ids.push(t.create_workflow(&body).await);
    }
    ids
}

both_backends!(select_in_both_spellings_and_contexts, |t| {
    let id = t.create_workflow(&joiner_workflow("Sel")).await;
    for q in [
        "$select=id,displayName",
        "%24select=id,displayName",
        "$SELECT=id,displayName",
    ] {
        let r = t.get(&format!("{LW}/workflows?{q}")).await;
        r.expect(200);
        let item = &r.body["value"][0];
        let mut keys: Vec<&String> = item.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, vec!["displayName", "id"], "{q}: {item}");
        assert!(r.body["@odata.context"].as_str().unwrap().ends_with(
            "$metadata#identityGovernance/lifecycleWorkflows/workflows(id,displayName)"
        ));
    }
    // `id` always comes back.
    let r = t
        .get(&format!("{LW}/workflows/{id}?%24select=category"))
        .await;
    r.expect(200);
    assert_eq!(r.body["id"], id.as_str());
    assert_eq!(r.body["category"], "joiner");
    assert!(r.body.get("displayName").is_none());
    assert!(r.body.get("tasks").is_none());
    let ctx = r.body["@odata.context"].as_str().unwrap();
    assert!(ctx.starts_with(&t.server.base), "{ctx}");
    assert!(ctx.ends_with("workflows(category)/$entity"), "{ctx}");
    // Entity and collection contexts.
    let e = t.get(&format!("{LW}/workflows/{id}")).await;
    assert_eq!(
        e.body["@odata.context"],
        format!(
            "{}/$metadata#identityGovernance/lifecycleWorkflows/workflows/$entity",
            t.server.base
        )
    );
    let c = t.get(&format!("{LW}/workflows")).await;
    assert_eq!(
        c.body["@odata.context"],
        format!(
            "{}/$metadata#identityGovernance/lifecycleWorkflows/workflows",
            t.server.base
        )
    );
    assert!(c
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    // `$select` with `$expand` keeps the expanded navigation.
    let r = t
        .get(&format!("{LW}/workflows?$select=displayName&$expand=tasks"))
        .await;
    r.expect(200);
    assert!(r.body["value"][0]["tasks"].is_array());
    assert!(r.body["value"][0].get("category").is_none());
    t.get(&format!("{LW}/workflows?$select=displayName,nope"))
        .await
        .expect_error(400, "BadRequest");
});

both_backends!(paging_with_top_and_next_link, |t| {
    let ids = five(&t).await;
    let first = t.get(&format!("{LW}/workflows?$top=2&$count=true")).await;
    first.expect(200);
    assert_eq!(first.body["value"].as_array().unwrap().len(), 2);
    assert_eq!(first.body["@odata.count"], 5);
    let mut seen: Vec<String> = first.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    let mut next = first.body["@odata.nextLink"].as_str().map(str::to_string);
    let mut pages = 1;
    while let Some(link) = next {
        // Absolute and on the host the client called.
        assert!(
            link.starts_with(&format!("{}/identityGovernance/", t.server.base)),
            "{link}"
        );
        // Fetched verbatim, as PageIterator does (Accept: */*).
        let r = t.get_with(&link, &[("accept", "*/*")]).await;
        r.expect(200);
        pages += 1;
        assert!(pages <= 3, "too many pages");
        for v in r.body["value"].as_array().unwrap() {
            seen.push(v["id"].as_str().unwrap().to_string());
        }
        next = r.body["@odata.nextLink"].as_str().map(str::to_string);
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ids, "every item exactly once, in order");
    // No nextLink when everything fits.
    let all = t.get(&format!("{LW}/workflows?$top=5")).await;
    assert!(all.body.get("@odata.nextLink").is_none());
    // The nextLink keeps the caller's filter and order.
    let r = t
        .get(&format!(
            "{LW}/workflows?$filter=category%20eq%20'joiner'&$orderby=displayName%20desc&$top=2"
        ))
        .await;
    assert_eq!(names(&r.body), vec!["Charlie", "Bravo"]);
    let link = r.body["@odata.nextLink"].as_str().unwrap().to_string();
    let r = t.get(&link).await;
    assert_eq!(names(&r.body), vec!["Alpha"]);
    assert!(r.body.get("@odata.nextLink").is_none());
    // $skip.
    let r = t.get(&format!("{LW}/workflows?$skip=3")).await;
    assert_eq!(names(&r.body), vec!["Delta", "Echo"]);
    let r = t.get(&format!("{LW}/workflows?$skip=1&$top=2")).await;
    assert_eq!(names(&r.body), vec!["Bravo", "Charlie"]);
    assert!(r.body["@odata.nextLink"].is_string());
    let r = t.get(&format!("{LW}/workflows?$skip=50")).await;
    r.expect(200);
    assert_eq!(r.body["value"], json!([]));
    let r = t.get(&format!("{LW}/workflows?$top=0&$count=true")).await;
    r.expect(200);
    assert_eq!(r.body["@odata.count"], 5);
    t.get(&format!("{LW}/workflows?$skiptoken=garbage"))
        .await
        .expect_error(400, "BadRequest");
});

both_backends!(orderby_filter_and_search, |t| {
    five(&t).await;
    let q = |s: &str| format!("{LW}/workflows?{s}");
    assert_eq!(
        names(&t.get(&q("$orderby=displayName%20desc")).await.body),
        vec!["Echo", "Delta", "Charlie", "Bravo", "Alpha"]
    );
    assert_eq!(
        names(&t.get(&q("$orderby=displayName%20asc")).await.body),
        vec!["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    );
    assert_eq!(
        names(&t.get(&q("$orderby=category%20desc,displayName")).await.body),
        vec!["Delta", "Echo", "Alpha", "Bravo", "Charlie"]
    );
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("displayName%20eq%20'Bravo'", vec!["Bravo"]),
        (
            "displayName%20ne%20'Bravo'",
            vec!["Alpha", "Charlie", "Delta", "Echo"],
        ),
        ("startswith(displayName,'Ch')", vec!["Charlie"]),
        ("contains(displayName,'ha')", vec!["Alpha", "Charlie"]),
        (
            "category%20eq%20'leaver'%20and%20isEnabled%20eq%20false",
            vec!["Delta", "Echo"],
        ),
        (
            "displayName%20eq%20'Alpha'%20or%20displayName%20eq%20'Echo'",
            vec!["Alpha", "Echo"],
        ),
        ("not%20(category%20eq%20'joiner')", vec!["Delta", "Echo"]),
        (
            "displayName%20in%20('Alpha','Delta','Zulu')",
            vec!["Alpha", "Delta"],
        ),
        (
            "isEnabled%20eq%20true%20and%20not%20startswith(displayName,'A')",
            vec!["Bravo", "Charlie"],
        ),
        (
            "version%20eq%201",
            vec!["Alpha", "Bravo", "Charlie", "Delta", "Echo"],
        ),
        ("version%20gt%201", vec![]),
    ];
    for (filter, want) in cases {
        let r = t.get(&q(&format!("$filter={filter}"))).await;
        r.expect(200);
        assert_eq!(names(&r.body), want, "$filter={filter}");
        let c = t
            .get(&format!("{LW}/workflows/$count?$filter={filter}"))
            .await;
        assert_eq!(
            c.text,
            want.len().to_string(),
            "$count with $filter={filter}"
        );
    }
    let r = t.get(&q("$search=%22displayName:har%22")).await;
    r.expect(200);
    assert_eq!(names(&r.body), vec!["Charlie"]);
    let r = t.get(&q("$search=%22Delta%22")).await;
    assert_eq!(names(&r.body), vec!["Delta"]);
    let r = t
        .get(&q(
            "$count=true&$search=%22displayName:a%22&$filter=category%20eq%20'leaver'",
        ))
        .await;
    assert_eq!(r.body["@odata.count"], 1);
    assert_eq!(names(&r.body), vec!["Delta"]);

    for (bad, option) in [
        ("$filter=displayName%20eq", "$filter"),
        ("$filter=displayName%20eq%20'x", "$filter"),
        ("$filter=((displayName%20eq%20'x'", "$filter"),
        ("$filter=nope%20eq%201", "$filter"),
        ("$filter=", "$filter"),
        ("$orderby=nope", "$orderby"),
        ("$orderby=displayName%20sideways", "$orderby"),
        ("$foo=1", "$foo"),
        ("$top=abc", "$top"),
        ("$top=-1", "$top"),
        ("$top=99999999999999999999999", "$top"),
        ("$skip=x", "$skip"),
        ("$count=maybe", "$count"),
        ("$search=", "$search"),
        ("$expand=nope", "$expand"),
        ("$top=1&$top=2", "$top"),
    ] {
        let r = t.get(&q(bad)).await;
        r.expect_error(400, "BadRequest");
        let msg = r.body["error"]["message"].as_str().unwrap();
        let target = r.body["error"]["target"].as_str().unwrap_or("");
        assert!(
            msg.contains(option) || target == option,
            "{bad}: error does not name {option}: {}",
            r.text
        );
    }
    // Options an entity does not take.
    let id = t.create_workflow(&joiner_workflow("One")).await;
    t.get(&format!("{LW}/workflows/{id}?$top=1"))
        .await
        .expect_error(400, "BadRequest");
    t.patch(
        &format!("{LW}/workflows/{id}?$select=id"),
        &json!({"displayName": "x"}),
    )
    .await
    .expect_error(400, "BadRequest");
    // Non-system query parameters are ignored.
    t.get(&format!("{LW}/workflows?foo=bar&api-version=1"))
        .await
        .expect(200);
});

both_backends!(request_ids_on_every_response, |t| {
    let ok = t
        .get_with(&format!("{LW}/workflows"), &[("client-request-id", "abc")])
        .await;
    ok.expect(200);
    assert_eq!(ok.header("client-request-id"), Some("abc"));
    let rid = ok.header("request-id").unwrap().to_string();
    assert!(model::is_guid(&rid));
    // Without one, client-request-id mirrors request-id.
    let ok = t.get(&format!("{LW}/workflows")).await;
    assert_eq!(ok.header("client-request-id"), ok.header("request-id"));
    let other = ok.header("request-id").unwrap();
    assert_ne!(other, rid, "request ids are per request");

    let err = t
        .get_with(
            &format!("{LW}/workflows/{}", uuid::Uuid::new_v4()),
            &[("client-request-id", "abc")],
        )
        .await;
    err.expect_error(404, "ResourceNotFound");
    assert_eq!(err.header("client-request-id"), Some("abc"));
    assert_eq!(err.body["error"]["innerError"]["client-request-id"], "abc");
    assert_eq!(
        err.body["error"]["innerError"]["request-id"],
        err.header("request-id").unwrap()
    );
    // Even a 401 carries them.
    let unauth = t
        .raw(
            "GET",
            &format!("{LW}/workflows"),
            None,
            &[("client-request-id", "abc")],
            None,
        )
        .await;
    unauth.expect_error(401, "InvalidAuthenticationToken");
    assert_eq!(unauth.header("client-request-id"), Some("abc"));
    assert!(unauth.header("request-id").is_some());
    // A /$count and a 204 too.
    let c = t
        .get_with(
            &format!("{LW}/workflows/$count"),
            &[("client-request-id", "c1")],
        )
        .await;
    assert_eq!(c.header("client-request-id"), Some("c1"));
    let id = t.create_workflow(&joiner_workflow("W")).await;
    let d = t
        .raw(
            "DELETE",
            &format!("{LW}/workflows/{id}"),
            Some(&t.token),
            &[("client-request-id", "d1")],
            None,
        )
        .await;
    d.expect(204);
    assert_eq!(d.header("client-request-id"), Some("d1"));
    assert!(d.header("request-id").is_some());
});

both_backends!(routing_errors, |t| {
    let r = t
        .send("PUT", &format!("{LW}/workflows"), Some(&json!({})))
        .await;
    r.expect_error(405, "MethodNotAllowed");
    let id = t.create_workflow(&joiner_workflow("W")).await;
    t.send("PUT", &format!("{LW}/workflows/{id}"), Some(&json!({})))
        .await
        .expect_error(405, "MethodNotAllowed");
    t.send("PATCH", &format!("{LW}/taskDefinitions"), Some(&json!({})))
        .await
        .expect_error(405, "MethodNotAllowed");
    let r = t.get(&format!("{LW}/bogus")).await;
    r.expect_error(400, "BadRequest");
    assert!(r.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("bogus"));
    let r = t.get(&format!("{LW}/workflows/{id}/nonsense")).await;
    r.expect_error(400, "BadRequest");
    assert!(r.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("nonsense"));
    // The containers are served: they answer as themselves.
    for path in [format!("{LW}/insights"), format!("{LW}/deletedItems")] {
        let r = t.get(&path).await;
        r.expect(200);
        assert!(r.header("request-id").is_some());
    }
    // Resume on keys that don't exist: 404, as a GET of that path answers.
    t.post(
        &format!("{LW}/workflows/{id}/tasks/x/taskProcessingResults/y/microsoft.graph.identityGovernance.resume"),
        &json!({"data": {"operationStatus": "completed"}}),
    )
    .await
    .expect_error(404, "ResourceNotFound");
    // Paths outside the version root.
    for path in [
        format!(
            "{}/identityGovernance/lifecycleWorkflows/workflows",
            t.server.base.trim_end_matches("/beta")
        ),
        format!(
            "{}/v2.0{LW}/workflows",
            t.server.base.trim_end_matches("/beta")
        ),
        format!(
            "{}/betaX{LW}/workflows",
            t.server.base.trim_end_matches("/beta")
        ),
    ] {
        t.get(&path).await.expect_error(400, "BadRequest");
    }
});

both_backends!(evolvable_enum_members_need_the_prefer_header, |t| {
    let body = json!({
        "category": "mover",
        "displayName": "Mover",
        "executionConditions": {
            "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
            "scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "department eq 'Sales'"},
            "trigger": {"@odata.type": "#microsoft.graph.identityGovernance.attributeChangeTrigger", "triggerAttributes": [{"name": "department"}]}
        },
        "tasks": [{"displayName": "Groups", "taskDefinitionId": "22085229-5809-45e8-97fd-270d28d66910",
                   "arguments": [{"name": "groupID", "value": "11111111-2222-3333-4444-555555555555"}]}]
    });
    let created = t.post(&format!("{LW}/workflows"), &body).await;
    created.expect(201);
    assert_eq!(created.body["category"], "unknownFutureValue");
    assert_eq!(
        created.body["tasks"][0]["category"],
        "joiner,leaver,unknownFutureValue"
    );
    let id = created.body["id"].as_str().unwrap().to_string();
    let prefer = [("prefer", "include-unknown-enum-members")];

    let plain = t.get(&format!("{LW}/workflows/{id}")).await;
    assert_eq!(plain.body["category"], "unknownFutureValue");
    assert_eq!(
        plain.body["tasks"][0]["category"],
        "joiner,leaver,unknownFutureValue"
    );
    let with = t.get_with(&format!("{LW}/workflows/{id}"), &prefer).await;
    with.expect(200);
    assert_eq!(with.body["category"], "mover");
    assert_eq!(with.body["tasks"][0]["category"], "joiner,leaver,mover");
    // Also among other preferences, and in lists and task reads.
    let with = t
        .get_with(
            &format!("{LW}/workflows"),
            &[(
                "prefer",
                "odata.maxpagesize=10, include-unknown-enum-members",
            )],
        )
        .await;
    assert_eq!(with.body["value"][0]["category"], "mover");
    let plain = t.get(&format!("{LW}/workflows")).await;
    assert_eq!(plain.body["value"][0]["category"], "unknownFutureValue");
    let tasks = t.get(&format!("{LW}/workflows/{id}/tasks")).await;
    assert_eq!(
        tasks.body["value"][0]["category"],
        "joiner,leaver,unknownFutureValue"
    );
    let tasks = t
        .get_with(&format!("{LW}/workflows/{id}/tasks"), &prefer)
        .await;
    assert_eq!(tasks.body["value"][0]["category"], "joiner,leaver,mover");
    let defs = t
        .get(&format!(
            "{LW}/taskDefinitions/aab41899-9972-422a-9d97-f626014578b7"
        ))
        .await;
    assert_eq!(defs.body["category"], "unknownFutureValue");
    // createNewVersion echoes by the same rule.
    let r = t
        .raw(
            "POST",
            &format!("{LW}/workflows/{id}/createNewVersion"),
            Some(&t.token),
            &[
                ("prefer", "include-unknown-enum-members"),
                ("content-type", "application/json"),
            ],
            Some(serde_json::to_vec(&json!({"workflow": body})).unwrap()),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["category"], "mover");
    // `unknownFutureValue` itself is not a category a workflow can have.
    let mut bad = body.clone();
    bad["category"] = json!("unknownFutureValue");
    t.post(&format!("{LW}/workflows"), &bad)
        .await
        .expect_error(400, "BadRequest");
});

both_backends!(garbage_never_causes_a_server_error, |t| {
    let id = t.create_workflow(&joiner_workflow("W")).await;
    let deep = format!(
        "{}displayName%20eq%20'a'{}",
        "%28".repeat(500),
        "%29".repeat(500)
    );
    let nots = "not%20".repeat(300) + "displayName%20eq%20'a'";
    let long_seg = "a".repeat(5000);
    let paths: Vec<String> = vec![
        format!("{LW}/%FF%FE"),
        format!("{LW}/workflows/%FF"),
        format!("{LW}/workflows/%"),
        format!("{LW}/workflows/%zz"),
        format!("{LW}/workflows/%00"),
        format!("{LW}/workflows/{id}/%C0%AF"),
        format!("{LW}/workflows/{id}/versions/99999999999999999999999"),
        format!("{LW}/workflows/{id}/versions/-1"),
        format!("{LW}/workflows/{id}/versions/1.5"),
        format!("{LW}/workflows/{long_seg}"),
        format!("{LW}/workflows/$count/$count"),
        format!("{LW}/workflows('{id}')"),
        format!("{LW}/workflows/{id}/tasks/$count/x"),
        format!("{LW}/workflows/{id}/microsoft.graph.identityGovernance.summary(startDateTime=x"),
        format!("{LW}/workflows/{id}/runs/microsoft.graph.identityGovernance.summary()"),
        format!("{LW}/workflows/{id}/runs/microsoft.graph.identityGovernance.summary(%FF)"),
        format!("{LW}/../../etc/passwd"),
        format!("{LW}//workflows//"),
        "/".to_string(),
        "/beta".to_string(),
        "/beta/".to_string(),
        "/beta/$metadata".to_string(),
        format!("{LW}/workflows?$filter=%FF%FE"),
        format!("{LW}/workflows?$filter={deep}"),
        format!("{LW}/workflows?$filter={nots}"),
        format!("{LW}/workflows?$filter=version%20gt%2099999999999999999999999999999"),
        format!("{LW}/workflows?$filter=version%20gt%201e999"),
        format!("{LW}/workflows?$filter=createdDateTime%20gt%209999-99-99T99:99:99Z"),
        format!("{LW}/workflows?$filter=tasks/any(x:x/displayName%20eq%20'a')"),
        format!("{LW}/workflows?$filter=displayName%20eq%20null"),
        format!("{LW}/workflows?$filter='a'%20eq%20'a'"),
        format!("{LW}/workflows?$filter=startswith(displayName)"),
        format!("{LW}/workflows?$filter=displayName%20has%20'x'"),
        format!("{LW}/workflows?$skip=18446744073709551615&$top=999"),
        format!("{LW}/workflows?$skip=18446744073709551615&$top=1"),
        format!("{LW}/workflows?$top=999999999999"),
        format!("{LW}/workflows?$skiptoken=b2Zmc2V0OjE4NDQ2NzQ0MDczNzA5NTUxNjE1"),
        format!("{LW}/workflows?$expand=tasks(%24select=id)"),
        format!("{LW}/workflows?$expand={}", "%28".repeat(300)),
        format!("{LW}/workflows?$select=%2C%2C"),
        format!("{LW}/workflows?$orderby=%2C"),
        format!("{LW}/workflows?$search=%22"),
        format!("{LW}/workflows?&&&==&$"),
        format!("{LW}/workflows?%24"),
        format!("{LW}/workflows?$count=%FF"),
        format!("{LW}/workflows?$filter=displayName%20eq%20'%F0%9F%98%80'"),
        format!("{LW}/taskDefinitions/%27%29%3B%20DROP%20TABLE%20resources%3B--"),
        format!("{LW}/customTaskExtensions/{long_seg}?$select=id"),
    ];
    for p in &paths {
        for method in ["GET", "DELETE", "PATCH", "POST"] {
            let body = (method == "PATCH" || method == "POST").then(|| b"{\"a\":".to_vec());
            let r = t
                .raw(
                    method,
                    p,
                    Some(&t.token),
                    &[("content-type", "application/json")],
                    body,
                )
                .await;
            assert!(
                r.status < 500 || r.status == 501,
                "{method} {p} -> {}: {}",
                r.status,
                r.text
            );
            if r.status >= 400 && r.status != 414 {
                assert!(
                    r.body["error"]["code"].is_string(),
                    "{method} {p}: {}",
                    r.text
                );
            }
        }
    }
    // Bodies of every kind of wrong.
    let bodies: Vec<Vec<u8>> = vec![
        b"\xff\xfe\x00".to_vec(),
        b"null".to_vec(),
        b"{\"displayName\": \"\\ud800\"}".to_vec(),
        format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
        format!("{}1{}", "{\"a\":".repeat(5000), "}".repeat(5000)).into_bytes(),
        b"{\"category\": 1e999}".to_vec(),
        b"{\"tasks\": [null, 1, \"x\", []]}".to_vec(),
        serde_json::to_vec(&json!({"category": "joiner", "displayName": "x", "executionConditions": null, "tasks": [{}]})).unwrap(),
        serde_json::to_vec(&json!({"category": "joiner", "displayName": "x", "executionConditions": {"@odata.type": 5}, "tasks": [{"taskDefinitionId": 5}]})).unwrap(),
        serde_json::to_vec(&json!({"category": ["joiner"], "displayName": {"a": 1}})).unwrap(),
    ];
    for b in bodies {
        for p in [
            format!("{LW}/workflows"),
            format!("{LW}/workflows/{id}"),
            format!("{LW}/workflows/{id}/tasks"),
            format!("{LW}/workflows/{id}/createNewVersion"),
            format!("{LW}/customTaskExtensions"),
            format!("{LW}/settings"),
        ] {
            for method in ["POST", "PATCH"] {
                let r = t
                    .raw(
                        method,
                        &p,
                        Some(&t.token),
                        &[("content-type", "application/json")],
                        Some(b.clone()),
                    )
                    .await;
                assert!(
                    r.status < 500 || r.status == 501,
                    "{method} {p} {:?} -> {}: {}",
                    String::from_utf8_lossy(&b[..b.len().min(40)]),
                    r.status,
                    r.text
                );
            }
        }
    }
    // The server is still fine and nothing was created.
    assert_eq!(t.get(&format!("{LW}/workflows/$count")).await.text, "1");
    let ids: HashSet<String> = t.get(&format!("{LW}/workflows")).await.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.contains(&id));
});
