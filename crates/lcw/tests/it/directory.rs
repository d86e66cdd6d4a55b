//! The directory: `/users`, `/groups`, managers, memberships, and `lcw import`.

use serde_json::{json, Value};

use crate::both_backends;
use crate::harness::{lcw_bin, Backend, Resp, Tenant};

const NOT_FOUND: &str = "Request_ResourceNotFound";

fn upn(t: &Tenant, alias: &str) -> String {
    // Tenants share a database; UPNs are per tenant but keep them readable per test.
    format!("{alias}@{}.example.com", &t.id[..8])
}

/// Create a user (must answer 201) and return its id.
async fn user(t: &Tenant, name: &str, alias: &str, extra: Value) -> String {
    let mut body = json!({ "displayName": name, "userPrincipalName": upn(t, alias) });
    if let (Some(b), Some(x)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(x.clone());
    }
    let r = t.post("/users", &body).await;
    r.expect(201);
    r.body["id"].as_str().unwrap().to_string()
}

async fn group(t: &Tenant, body: Value) -> String {
    let r = t.post("/groups", &body).await;
    r.expect(201);
    r.body["id"].as_str().unwrap().to_string()
}

fn names(r: &Resp) -> Vec<String> {
    r.body["value"]
        .as_array()
        .unwrap_or_else(|| panic!("no value: {}", r.text))
        .iter()
        .map(|u| u["displayName"].as_str().unwrap_or("").to_string())
        .collect()
}

fn ref_to(kind: &str, id: &str) -> Value {
    json!({ "@odata.id": format!("https://graph.microsoft.com/v1.0/{kind}/{id}") })
}

async fn put_ref(t: &Tenant, path: &str, body: &Value) -> Resp {
    t.send("PUT", path, Some(body)).await
}

fn other_tenant(t: &Tenant) -> Tenant {
    let backend = if t.server.database.starts_with("sqlite") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    Tenant::new(backend).expect("second tenant")
}

both_backends!(create_user_then_get_by_id_and_by_upn, |t| {
    let r = t
        .post(
            "/users",
            &json!({
                "displayName": "Ada Lovelace",
                "userPrincipalName": upn(&t, "ada"),
                "department": "Engineering",
                "employeeHireDate": "2024-03-01T09:00:00+01:00",
                "passwordProfile": {"password": "S3cret!", "forceChangePasswordNextSignIn": true},
                "createdDateTime": "1999-01-01T00:00:00Z"
            }),
        )
        .await;
    r.expect(201);
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 36);
    assert!(r.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("/$metadata#users/$entity"));
    assert_eq!(r.body["accountEnabled"], true);
    assert_eq!(r.body["mailNickname"], "ada");
    assert_eq!(r.body["employeeHireDate"], "2024-03-01T08:00:00Z");
    assert_ne!(r.body["createdDateTime"], "1999-01-01T00:00:00Z");
    assert!(r.body["createdDateTime"].as_str().unwrap().ends_with('Z'));
    assert!(r.body.get("passwordProfile").is_none());

    let by_id = t.get(&format!("/users/{id}")).await;
    by_id.expect(200);
    assert_eq!(by_id.body["displayName"], "Ada Lovelace");
    assert!(by_id.body.get("passwordProfile").is_none());
    let by_upn = t
        .get(&format!("/users/{}", upn(&t, "ada").to_uppercase()))
        .await;
    by_upn.expect(200);
    assert_eq!(by_upn.body["id"], id.as_str());
    let selected = t
        .get(&format!("/users/{id}?$select=displayName,department"))
        .await;
    selected.expect(200);
    let keys: Vec<&String> = selected
        .body
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| !k.starts_with('@'))
        .collect();
    assert_eq!(keys.len(), 3, "{}", selected.text);

    // A client-supplied GUID id is kept.
    let given = "0a0b0c0d-0000-4000-8000-00000000abcd";
    let r = t
        .post(
            "/users",
            &json!({"id": given, "displayName": "Given", "userPrincipalName": upn(&t, "given"), "accountEnabled": false}),
        )
        .await;
    r.expect(201);
    assert_eq!(r.body["id"], given);
    assert_eq!(r.body["accountEnabled"], false);
    let again = t
        .post(
            "/users",
            &json!({"id": given, "displayName": "Again", "userPrincipalName": upn(&t, "again")}),
        )
        .await;
    again.expect_error(409, "Conflict");
});

both_backends!(create_user_errors, |t| {
    user(&t, "Bob", "bob", json!({})).await;
    let dup = t
        .post(
            "/users",
            &json!({"displayName": "Bob 2", "userPrincipalName": upn(&t, "BOB")}),
        )
        .await;
    dup.expect_error(409, "Conflict");
    let unknown = t
        .post(
            "/users",
            &json!({"displayName": "X", "userPrincipalName": upn(&t, "x"), "shoeSize": 42}),
        )
        .await;
    unknown.expect_error(400, "BadRequest");
    assert!(unknown.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("shoeSize"));
    for (body, target) in [
        (json!({"userPrincipalName": upn(&t, "y")}), "displayName"),
        (json!({"displayName": "Y"}), "userPrincipalName"),
        (
            json!({"displayName": "Y", "userPrincipalName": "no-at-sign"}),
            "userPrincipalName",
        ),
        (
            json!({"displayName": "Y", "userPrincipalName": upn(&t, "y"), "employeeHireDate": "next week"}),
            "employeeHireDate",
        ),
        (
            json!({"displayName": "Y", "userPrincipalName": upn(&t, "y"), "accountEnabled": "yes"}),
            "accountEnabled",
        ),
        (
            json!({"id": "not-a-guid", "displayName": "Y", "userPrincipalName": upn(&t, "y")}),
            "id",
        ),
    ] {
        let r = t.post("/users", &body).await;
        r.expect_error(400, "BadRequest");
        assert!(
            r.text.contains(target),
            "error should name {target}: {}",
            r.text
        );
    }
    let none = t.get("/users/$count").await;
    none.expect(200);
    assert_eq!(none.text, "1");
});

both_backends!(list_users_with_filter_orderby_paging_count_select, |t| {
    let people = [
        ("Alice Adams", "alice", "Sales", "2024-01-15T00:00:00Z"),
        ("Bruno Baker", "bruno", "Sales", "2024-03-01T00:00:00Z"),
        ("Carla Cruz", "carla", "Engineering", "2024-05-20T00:00:00Z"),
        ("Dario Diaz", "dario", "Engineering", "2023-11-01T00:00:00Z"),
        ("Elena Evans", "elena", "Marketing", "2024-07-04T00:00:00Z"),
        ("Alfred Ames", "alfred", "Marketing", "2022-02-02T00:00:00Z"),
        ("Fiona Fox", "fiona", "Sales", "2025-01-01T00:00:00Z"),
    ];
    for (name, alias, dept, hire) in people {
        user(
            &t,
            name,
            alias,
            json!({"department": dept, "employeeHireDate": hire}),
        )
        .await;
    }
    let all = t.get("/users").await;
    all.expect(200);
    assert_eq!(names(&all).len(), 7);
    assert!(all.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("/$metadata#users"));

    let eq = t
        .get("/users?$filter=department eq 'Sales'&$orderby=displayName")
        .await;
    eq.expect(200);
    assert_eq!(names(&eq), ["Alice Adams", "Bruno Baker", "Fiona Fox"]);

    let sw = t
        .get("/users?$filter=startswith(displayName,'Al')&$orderby=displayName")
        .await;
    sw.expect(200);
    assert_eq!(names(&sw), ["Alfred Ames", "Alice Adams"]);

    let and_or = t
        .get("/users?$filter=(department eq 'Sales' and startswith(displayName,'B')) or department eq 'Marketing'&$orderby=displayName")
        .await;
    and_or.expect(200);
    assert_eq!(
        names(&and_or),
        ["Alfred Ames", "Bruno Baker", "Elena Evans"]
    );

    let hired = t
        .get("/users?$filter=employeeHireDate ge 2024-03-01T00:00:00Z&$orderby=employeeHireDate desc")
        .await;
    hired.expect(200);
    assert_eq!(
        names(&hired),
        ["Fiona Fox", "Elena Evans", "Carla Cruz", "Bruno Baker"]
    );

    let desc = t.get("/users?$orderby=displayName desc&$top=3").await;
    desc.expect(200);
    assert_eq!(names(&desc), ["Fiona Fox", "Elena Evans", "Dario Diaz"]);

    // $top pages; follow nextLink to the end.
    let mut seen = Vec::new();
    let mut next = Some("/users?$top=2&$orderby=displayName&$count=true".to_string());
    let mut pages = 0;
    while let Some(url) = next {
        let page = t.get(&url).await;
        page.expect(200);
        assert_eq!(page.body["@odata.count"], 7, "{}", page.text);
        let got = names(&page);
        assert!(got.len() <= 2);
        seen.extend(got);
        next = page.body["@odata.nextLink"].as_str().map(str::to_string);
        pages += 1;
        assert!(pages < 10, "nextLink does not end");
    }
    assert_eq!(pages, 4);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    assert_eq!(seen.len(), 7);

    let skip = t.get("/users?$orderby=displayName&$skip=5").await;
    skip.expect(200);
    assert_eq!(names(&skip), ["Elena Evans", "Fiona Fox"]);

    let count = t.get("/users/$count").await;
    count.expect(200);
    assert_eq!(count.text, "7");
    let count = t
        .get("/users/$count?$filter=department eq 'Engineering'")
        .await;
    count.expect(200);
    assert_eq!(count.text, "2");

    let counted = t
        .get("/users?$filter=department eq 'Marketing'&$count=true")
        .await;
    counted.expect(200);
    assert_eq!(counted.body["@odata.count"], 2);

    let search = t.get("/users?$search=\"displayName:Evans\"").await;
    search.expect(200);
    assert_eq!(names(&search), ["Elena Evans"]);

    let sel = t
        .get("/users?$select=displayName&$filter=department eq 'Engineering'")
        .await;
    sel.expect(200);
    for u in sel.body["value"].as_array().unwrap() {
        let mut keys: Vec<&String> = u.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["displayName", "id"]);
    }
    assert!(sel.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("#users(displayName)"));

    for (q, option) in [
        ("$select=shoeSize", "$select"),
        ("$filter=shoeSize eq 1", "$filter"),
        ("$orderby=shoeSize", "$orderby"),
        ("$expand=directReports", "$expand"),
    ] {
        let r = t.get(&format!("/users?{q}")).await;
        r.expect_error(400, "BadRequest");
        assert_eq!(r.body["error"]["target"], option, "{}", r.text);
    }
    t.get("/users/$count?$filter=shoeSize eq 1")
        .await
        .expect_error(400, "BadRequest");
});

both_backends!(patch_user, |t| {
    let id = user(
        &t,
        "Pat Old",
        "pat",
        json!({"department": "Sales", "jobTitle": "Rep"}),
    )
    .await;
    user(&t, "Taken", "taken", json!({})).await;
    let r = t
        .patch(
            &format!("/users/{id}"),
            &json!({"displayName": "Pat New", "department": null, "employeeLeaveDateTime": "2025-06-30T18:00:00-04:00", "createdDateTime": "2000-01-01T00:00:00Z"}),
        )
        .await;
    r.expect(204);
    let got = t.get(&format!("/users/{id}")).await;
    got.expect(200);
    assert_eq!(got.body["displayName"], "Pat New");
    assert_eq!(got.body["jobTitle"], "Rep");
    assert!(got.body.get("department").is_none_or(Value::is_null));
    assert_eq!(got.body["employeeLeaveDateTime"], "2025-06-30T22:00:00Z");
    assert_ne!(got.body["createdDateTime"], "2000-01-01T00:00:00Z");

    // PATCH by UPN; UPN changes keep uniqueness.
    let r = t
        .patch(
            &format!("/users/{}", upn(&t, "pat")),
            &json!({"userPrincipalName": upn(&t, "TAKEN")}),
        )
        .await;
    r.expect_error(409, "Conflict");
    let r = t
        .patch(
            &format!("/users/{id}"),
            &json!({"userPrincipalName": upn(&t, "patricia")}),
        )
        .await;
    r.expect(204);
    t.get(&format!("/users/{}", upn(&t, "patricia")))
        .await
        .expect(200);
    t.get(&format!("/users/{}", upn(&t, "pat")))
        .await
        .expect_error(404, NOT_FOUND);

    let bad = t
        .patch(&format!("/users/{id}"), &json!({"favouriteColour": "blue"}))
        .await;
    bad.expect_error(400, "BadRequest");
    assert!(bad.text.contains("favouriteColour"));
    t.patch(&format!("/users/{id}"), &json!({"displayName": null}))
        .await
        .expect_error(400, "BadRequest");
    t.patch(
        &format!("/users/{id}"),
        &json!({"id": "11111111-2222-3333-4444-555555555555"}),
    )
    .await
    .expect_error(400, "BadRequest");
});

both_backends!(manager_set_get_remove_and_direct_reports, |t| {
    let boss = user(&t, "Boss", "boss", json!({})).await;
    let emp = user(&t, "Employee", "emp", json!({})).await;
    let other = user(&t, "Other", "other", json!({})).await;

    t.get(&format!("/users/{emp}/manager"))
        .await
        .expect_error(404, NOT_FOUND);

    put_ref(
        &t,
        &format!("/users/{emp}/manager/$ref"),
        &ref_to("users", &boss),
    )
    .await
    .expect(204);
    // A /directoryObjects/ URL and a UPN path key work too.
    put_ref(
        &t,
        &format!("/users/{}/manager/$ref", upn(&t, "other")),
        &json!({"@odata.id": format!("http://localhost/beta/directoryObjects/{boss}")}),
    )
    .await
    .expect(204);

    let m = t.get(&format!("/users/{emp}/manager")).await;
    m.expect(200);
    assert_eq!(m.body["id"], boss.as_str());
    assert_eq!(m.body["@odata.type"], "#microsoft.graph.user");
    assert_eq!(m.body["displayName"], "Boss");

    let reports = t.get(&format!("/users/{boss}/directReports")).await;
    reports.expect(200);
    assert_eq!(names(&reports), ["Employee", "Other"]);
    assert_eq!(
        reports.body["value"][0]["@odata.type"],
        "#microsoft.graph.user"
    );

    let expanded = t.get(&format!("/users/{emp}?$expand=manager")).await;
    expanded.expect(200);
    assert_eq!(expanded.body["manager"]["id"], boss.as_str());
    let list = t
        .get("/users?$expand=manager&$orderby=displayName&$select=displayName")
        .await;
    list.expect(200);
    let rows = list.body["value"].as_array().unwrap();
    assert_eq!(rows[0]["displayName"], "Boss");
    assert!(rows[0].get("manager").is_none());
    assert_eq!(rows[1]["manager"]["displayName"], "Boss");
    assert_eq!(rows[2]["manager"]["id"], boss.as_str());

    // Errors.
    put_ref(
        &t,
        &format!("/users/{emp}/manager/$ref"),
        &ref_to("users", &emp),
    )
    .await
    .expect_error(400, "BadRequest");
    let missing = "99999999-9999-4999-8999-999999999999";
    put_ref(
        &t,
        &format!("/users/{emp}/manager/$ref"),
        &ref_to("users", missing),
    )
    .await
    .expect_error(404, NOT_FOUND);
    put_ref(
        &t,
        &format!("/users/{emp}/manager/$ref"),
        &json!({"@odata.id": "https://graph.microsoft.com/v1.0/applications/x"}),
    )
    .await
    .expect_error(400, "BadRequest");
    put_ref(&t, &format!("/users/{emp}/manager/$ref"), &json!({}))
        .await
        .expect_error(400, "BadRequest");
    put_ref(
        &t,
        &format!("/users/{missing}/manager/$ref"),
        &ref_to("users", &boss),
    )
    .await
    .expect_error(404, NOT_FOUND);

    t.delete(&format!("/users/{emp}/manager/$ref"))
        .await
        .expect(204);
    t.get(&format!("/users/{emp}/manager"))
        .await
        .expect_error(404, NOT_FOUND);
    let reports = t.get(&format!("/users/{boss}/directReports")).await;
    assert_eq!(names(&reports), ["Other"]);

    // Deleting the manager leaves reports without one.
    t.delete(&format!("/users/{boss}")).await.expect(204);
    t.get(&format!("/users/{other}/manager"))
        .await
        .expect_error(404, NOT_FOUND);
});

both_backends!(groups_and_members, |t| {
    let a = user(&t, "Anna", "anna", json!({})).await;
    let b = user(&t, "Ben", "ben", json!({})).await;
    let c = user(&t, "Cleo", "cleo", json!({})).await;

    let created = t
        .post(
            "/groups",
            &json!({
                "displayName": "Sales Team",
                "description": "everyone in sales",
                "resourceProvisioningOptions": ["Team"],
                "groupTypes": ["Unified"],
                "mailEnabled": true,
                "mailNickname": "sales",
                "members@odata.bind": [
                    format!("https://graph.microsoft.com/v1.0/users/{a}"),
                    format!("https://graph.microsoft.com/v1.0/directoryObjects/{b}")
                ]
            }),
        )
        .await;
    created.expect(201);
    let g = created.body["id"].as_str().unwrap().to_string();
    assert!(created.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("/$metadata#groups/$entity"));
    assert_eq!(created.body["resourceProvisioningOptions"], json!(["Team"]));
    assert_eq!(created.body["securityEnabled"], true);
    assert_eq!(created.body["mailEnabled"], true);
    assert!(created.body.get("members@odata.bind").is_none());

    let plain = t.post("/groups", &json!({"displayName": "Plain"})).await;
    plain.expect(201);
    assert_eq!(plain.body["mailEnabled"], false);
    assert_eq!(plain.body["securityEnabled"], true);
    assert_eq!(plain.body["groupTypes"], json!([]));
    let plain_id = plain.body["id"].as_str().unwrap().to_string();

    t.post("/groups", &json!({"description": "no name"}))
        .await
        .expect_error(400, "BadRequest");
    let bad = t
        .post("/groups", &json!({"displayName": "X", "colour": "red"}))
        .await;
    bad.expect_error(400, "BadRequest");
    assert!(bad.text.contains("colour"));
    t.post(
        "/groups",
        &json!({"displayName": "X", "members@odata.bind": [format!("https://graph.microsoft.com/v1.0/users/{}", "99999999-9999-4999-8999-999999999999")]}),
    )
    .await
    .expect_error(404, NOT_FOUND);

    let got = t.get(&format!("/groups/{g}")).await;
    got.expect(200);
    assert_eq!(got.body["displayName"], "Sales Team");
    let list = t.get("/groups?$orderby=displayName").await;
    list.expect(200);
    assert_eq!(names(&list), ["Plain", "Sales Team"]);
    let teams = t
        .get("/groups?$filter=resourceProvisioningOptions/any(x:x eq 'Team')")
        .await;
    teams.expect(200);
    assert_eq!(names(&teams), ["Sales Team"]);
    let count = t.get("/groups/$count").await;
    count.expect(200);
    assert_eq!(count.text, "2");

    let members = t.get(&format!("/groups/{g}/members")).await;
    members.expect(200);
    assert_eq!(names(&members), ["Anna", "Ben"]);
    assert_eq!(
        members.body["value"][0]["@odata.type"],
        "#microsoft.graph.user"
    );
    let n = t.get(&format!("/groups/{g}/members/$count")).await;
    n.expect(200);
    assert_eq!(n.text, "2");

    t.post(
        &format!("/groups/{g}/members/$ref"),
        &ref_to("directoryObjects", &c),
    )
    .await
    .expect(204);
    let dup = t
        .post(&format!("/groups/{g}/members/$ref"), &ref_to("users", &a))
        .await;
    dup.expect_error(400, "BadRequest");
    assert!(dup
        .text
        .contains("One or more added object references already exist"));
    let missing = "99999999-9999-4999-8999-999999999999";
    t.post(
        &format!("/groups/{g}/members/$ref"),
        &ref_to("directoryObjects", missing),
    )
    .await
    .expect_error(404, NOT_FOUND);
    t.post(
        &format!("/groups/{missing}/members/$ref"),
        &ref_to("users", &a),
    )
    .await
    .expect_error(404, NOT_FOUND);
    t.post(&format!("/groups/{g}/members/$ref"), &json!({"url": "x"}))
        .await
        .expect_error(400, "BadRequest");

    let filtered = t
        .get(&format!(
            "/groups/{g}/members?$filter=startswith(displayName,'C')"
        ))
        .await;
    filtered.expect(200);
    assert_eq!(names(&filtered), ["Cleo"]);

    let of = t.get(&format!("/users/{a}/memberOf")).await;
    of.expect(200);
    assert_eq!(names(&of), ["Sales Team"]);
    assert_eq!(of.body["value"][0]["@odata.type"], "#microsoft.graph.group");
    let expanded = t.get(&format!("/users/{a}?$expand=memberOf")).await;
    expanded.expect(200);
    assert_eq!(expanded.body["memberOf"][0]["id"], g.as_str());
    let expanded = t.get(&format!("/groups/{g}?$expand=members")).await;
    expanded.expect(200);
    assert_eq!(expanded.body["members"].as_array().unwrap().len(), 3);

    t.delete(&format!("/groups/{g}/members/{b}/$ref"))
        .await
        .expect(204);
    t.delete(&format!("/groups/{g}/members/{b}/$ref"))
        .await
        .expect_error(404, NOT_FOUND);
    t.delete(&format!("/groups/{plain_id}/members/{a}/$ref"))
        .await
        .expect_error(404, NOT_FOUND);
    let members = t.get(&format!("/groups/{g}/members")).await;
    assert_eq!(names(&members), ["Anna", "Cleo"]);

    // PATCH: properties, and members@odata.bind adds.
    t.patch(
        &format!("/groups/{g}"),
        &json!({"description": "sales people", "members@odata.bind": [format!("https://graph.microsoft.com/v1.0/directoryObjects/{b}")]}),
    )
    .await
    .expect(204);
    let got = t.get(&format!("/groups/{g}")).await;
    assert_eq!(got.body["description"], "sales people");
    assert_eq!(got.body["displayName"], "Sales Team");
    let n = t.get(&format!("/groups/{g}/members/$count")).await;
    assert_eq!(n.text, "3");
    t.patch(&format!("/groups/{g}"), &json!({"nope": 1}))
        .await
        .expect_error(400, "BadRequest");

    t.delete(&format!("/groups/{g}")).await.expect(204);
    t.get(&format!("/groups/{g}"))
        .await
        .expect_error(404, NOT_FOUND);
    let of = t.get(&format!("/users/{a}/memberOf")).await;
    assert!(names(&of).is_empty());
});

both_backends!(delete_user_removes_memberships, |t| {
    let u = user(&t, "Leaver", "leaver", json!({})).await;
    let stay = user(&t, "Stayer", "stayer", json!({})).await;
    let g = group(
        &t,
        json!({"displayName": "G", "members@odata.bind": [
            format!("https://graph.microsoft.com/v1.0/users/{u}"),
            format!("https://graph.microsoft.com/v1.0/users/{stay}")
        ]}),
    )
    .await;
    t.delete(&format!("/users/{}", upn(&t, "leaver")))
        .await
        .expect(204);
    t.get(&format!("/users/{u}"))
        .await
        .expect_error(404, NOT_FOUND);
    let members = t.get(&format!("/groups/{g}/members")).await;
    assert_eq!(names(&members), ["Stayer"]);
    t.delete(&format!("/users/{u}"))
        .await
        .expect_error(404, NOT_FOUND);
    // The UPN is free again.
    user(&t, "Leaver Again", "leaver", json!({})).await;
});

both_backends!(unknown_ids_are_resource_not_found, |t| {
    let u = user(&t, "Someone", "someone", json!({})).await;
    let g = group(&t, json!({"displayName": "Some group"})).await;
    let missing = "99999999-9999-4999-8999-999999999999";
    for (method, path) in [
        ("GET", format!("/users/{missing}")),
        ("GET", "/users/nobody@nowhere.example".to_string()),
        ("DELETE", format!("/users/{missing}")),
        ("GET", format!("/users/{missing}/manager")),
        ("DELETE", format!("/users/{missing}/manager/$ref")),
        ("GET", format!("/users/{missing}/directReports")),
        ("GET", format!("/users/{missing}/memberOf")),
        ("GET", format!("/groups/{missing}")),
        ("DELETE", format!("/groups/{missing}")),
        ("GET", format!("/groups/{missing}/members")),
        ("GET", format!("/groups/{missing}/members/$count")),
        ("DELETE", format!("/groups/{missing}/members/{u}/$ref")),
        ("DELETE", format!("/groups/{g}/members/{missing}/$ref")),
    ] {
        let r = t.send(method, &path, None).await;
        assert_eq!(r.status, 404, "{method} {path}: {}", r.text);
        assert_eq!(r.code(), NOT_FOUND, "{method} {path}: {}", r.text);
        assert!(r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not exist"));
    }
    t.patch(&format!("/users/{missing}"), &json!({"displayName": "x"}))
        .await
        .expect_error(404, NOT_FOUND);
    t.patch(&format!("/groups/{missing}"), &json!({"displayName": "x"}))
        .await
        .expect_error(404, NOT_FOUND);
});

both_backends!(tenants_do_not_see_each_others_directory, |t| {
    let u = user(&t, "Private", "private", json!({})).await;
    let g = group(&t, json!({"displayName": "Private group"})).await;
    let other = other_tenant(&t);
    let list = other.get("/users").await;
    list.expect(200);
    assert!(names(&list).is_empty());
    other
        .get(&format!("/users/{u}"))
        .await
        .expect_error(404, NOT_FOUND);
    other
        .get(&format!("/users/{}", upn(&t, "private")))
        .await
        .expect_error(404, NOT_FOUND);
    other
        .get(&format!("/groups/{g}"))
        .await
        .expect_error(404, NOT_FOUND);
    let count = other.get("/groups/$count").await;
    assert_eq!(count.text, "0");
    // The same UPN may exist in another tenant.
    let same = other
        .post(
            "/users",
            &json!({"displayName": "Other", "userPrincipalName": upn(&t, "private")}),
        )
        .await;
    same.expect(201);
    other
        .post(
            &format!("/groups/{g}/members/$ref"),
            &ref_to("users", same.body["id"].as_str().unwrap()),
        )
        .await
        .expect_error(404, NOT_FOUND);
    let mine = t.get(&format!("/users/{u}")).await;
    assert_eq!(mine.body["displayName"], "Private");
});

// ---- lcw import ----

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn import(t: &Tenant, file: &std::path::Path) -> Run {
    import_with(t, file, &[])
}

fn import_with(t: &Tenant, file: &std::path::Path, extra: &[&str]) -> Run {
    let out = std::process::Command::new(lcw_bin())
        .args([
            "import",
            "--database",
            &t.server.database,
            "--tenant",
            &t.id,
        ])
        .args(extra)
        .arg(file)
        .output()
        .expect("run lcw import");
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).to_string(),
    }
}

both_backends!(import_json_and_csv_idempotently, |t| {
    let dir = std::env::temp_dir().join(format!("lcw-import-{}", t.id));
    std::fs::create_dir_all(&dir).unwrap();
    let fixed = "5e5e5e5e-0000-4000-8000-000000000001";
    let json_file = dir.join("directory.json");
    let body = json!({
        "users": [
            {"id": fixed, "displayName": "Jo Json", "userPrincipalName": upn(&t, "jo"), "department": "Sales",
             "employeeHireDate": "2024-09-01"},
            {"displayName": "Kim Json", "userPrincipalName": upn(&t, "kim"), "accountEnabled": false},
            {"displayName": "Bad Row", "userPrincipalName": upn(&t, "bad"), "hatSize": 7},
            {"displayName": "Lee Json", "userPrincipalName": upn(&t, "lee")}
        ],
        "groups": [
            {"displayName": "Imported Team", "resourceProvisioningOptions": ["Team"],
             "members": [fixed, upn(&t, "KIM")]},
            {"displayName": "Broken", "members": ["nobody@nowhere.example"]}
        ]
    });
    std::fs::write(&json_file, serde_json::to_vec_pretty(&body).unwrap()).unwrap();
    let csv_file = dir.join("people.csv");
    let csv = format!(
        "displayName,userPrincipalName,department,employeeHireDate,accountEnabled,employeeOrgData.division\n\
         Max Csv,{},Engineering,2024-10-01T08:00:00+02:00,true,R&D\n\
         \"Csv, Nora\",{},Engineering,,false,\n\
         Broken Date,{},Engineering,someday,true,\n\
         No Upn,,Engineering,,true,\n\
         Jo Renamed,{},Support,,,\n",
        upn(&t, "max"),
        upn(&t, "nora"),
        upn(&t, "broken"),
        upn(&t, "jo"),
    );
    std::fs::write(&csv_file, csv).unwrap();

    for round in 0..2 {
        let run = import(&t, &json_file);
        assert!(!run.ok, "a failed row makes the exit status non-zero");
        assert!(run.stderr.contains("row 3:"), "{}", run.stderr);
        assert!(run.stderr.contains("hatSize"), "{}", run.stderr);
        assert!(run.stderr.contains("group 2:"), "{}", run.stderr);
        assert!(
            run.stderr.contains("nobody@nowhere.example"),
            "{}",
            run.stderr
        );
        assert!(
            run.stdout.contains("imported 3 users") && run.stdout.contains("1 groups"),
            "{}",
            run.stdout
        );
        if round == 0 {
            assert!(run.stdout.contains("3 created"), "{}", run.stdout);
        } else {
            assert!(
                run.stdout
                    .contains("(0 created, 0 updated, 3 unchanged), 1 groups (0 created, 0 updated, 1 unchanged)"),
                "{}",
                run.stdout
            );
        }
    }
    let jo = t.get(&format!("/users/{fixed}")).await;
    jo.expect(200);
    assert_eq!(jo.body["displayName"], "Jo Json");
    assert_eq!(jo.body["employeeHireDate"], "2024-09-01T00:00:00Z");
    let kim = t.get(&format!("/users/{}", upn(&t, "kim"))).await;
    kim.expect(200);
    assert_eq!(kim.body["accountEnabled"], false);
    let kim_id = kim.body["id"].as_str().unwrap().to_string();
    t.get(&format!("/users/{}", upn(&t, "bad")))
        .await
        .expect_error(404, NOT_FOUND);
    let groups = t.get("/groups").await;
    assert_eq!(names(&groups), ["Imported Team"]);
    let gid = groups.body["value"][0]["id"].as_str().unwrap().to_string();
    let members = t.get(&format!("/groups/{gid}/members")).await;
    assert_eq!(names(&members), ["Jo Json", "Kim Json"]);

    for round in 0..2 {
        let run = import(&t, &csv_file);
        assert!(!run.ok);
        assert!(
            run.stderr.contains("row 4:") && run.stderr.contains("employeeHireDate"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("row 5:") && run.stderr.contains("userPrincipalName"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("row 2:"), "{}", run.stderr);
        let want = if round == 0 {
            "imported 3 users (2 created, 1 updated, 0 unchanged)"
        } else {
            "imported 3 users (0 created, 0 updated, 3 unchanged)"
        };
        assert!(run.stdout.contains(want), "{}", run.stdout);
    }
    let max = t.get(&format!("/users/{}", upn(&t, "max"))).await;
    max.expect(200);
    assert_eq!(max.body["employeeHireDate"], "2024-10-01T06:00:00Z");
    assert_eq!(max.body["employeeOrgData"]["division"], "R&D");
    let nora = t.get(&format!("/users/{}", upn(&t, "nora"))).await;
    assert_eq!(nora.body["displayName"], "Csv, Nora");
    assert_eq!(nora.body["accountEnabled"], false);
    // The CSV row without id updated Jo by UPN: same id, merged properties.
    let jo = t.get(&format!("/users/{}", upn(&t, "jo"))).await;
    assert_eq!(jo.body["id"], fixed);
    assert_eq!(jo.body["displayName"], "Jo Renamed");
    assert_eq!(jo.body["department"], "Support");
    assert_eq!(jo.body["employeeHireDate"], "2024-09-01T00:00:00Z");
    let count = t.get("/users/$count").await;
    assert_eq!(count.text, "5");
    let eng = t
        .get("/users?$filter=department eq 'Engineering'&$orderby=displayName")
        .await;
    assert_eq!(names(&eng), ["Csv, Nora", "Max Csv"]);

    // An existing group's membership is what lifecycle tasks manage: a re-import leaves it
    // alone and says so; with --overwrite-managed the file's membership is the complete one,
    // and re-importing with fewer members removes the others.
    let smaller = dir.join("smaller.json");
    std::fs::write(
        &smaller,
        serde_json::to_vec(
            &json!({"groups": [{"displayName": "Imported Team", "members": [kim_id]}]}),
        )
        .unwrap(),
    )
    .unwrap();
    let run = import(&t, &smaller);
    assert!(run.ok, "{} {}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("members of 1 group(s)"),
        "{}",
        run.stdout
    );
    let members = t.get(&format!("/groups/{gid}/members")).await;
    assert_eq!(names(&members).len(), 2);
    let run = import_with(&t, &smaller, &["--overwrite-managed"]);
    assert!(run.ok, "{} {}", run.stdout, run.stderr);
    assert!(run.stdout.contains("1 updated"), "{}", run.stdout);
    let members = t.get(&format!("/groups/{gid}/members")).await;
    assert_eq!(names(&members), ["Kim Json"]);

    // A file-level problem fails before anything is written.
    let bad_header = dir.join("bad.csv");
    std::fs::write(&bad_header, "displayName,shoeSize\nX,4\n").unwrap();
    let run = import(&t, &bad_header);
    assert!(!run.ok);
    assert!(run.stderr.contains("shoeSize"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
});

// `--quiet` (for scripts): no progress bar and no summary; rejected rows are still named on
// stderr and the exit status still says whether any were. Without a terminal no progress bar
// is drawn either way.
both_backends!(import_quiet_for_scripts, |t| {
    let dir = std::env::temp_dir().join(format!("lcw-import-quiet-{}", t.id));
    std::fs::create_dir_all(&dir).unwrap();
    let clean = dir.join("clean.csv");
    std::fs::write(
        &clean,
        format!(
            "displayName,userPrincipalName\nQuiet One,{}\n",
            upn(&t, "quiet1")
        ),
    )
    .unwrap();
    let run = import_with(&t, &clean, &["--quiet"]);
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(run.stdout, "", "no summary with --quiet");
    assert_eq!(run.stderr, "", "nothing on stderr for a clean file");
    let loud = import(&t, &clean);
    assert!(loud.ok);
    assert!(loud.stdout.contains("imported 1 users"), "{}", loud.stdout);
    assert!(
        !loud.stderr.contains('\u{1b}'),
        "no progress bar off a terminal: {:?}",
        loud.stderr
    );
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "displayName,userPrincipalName,employeeHireDate\nQuiet Two,{},someday\n",
            upn(&t, "quiet2")
        ),
    )
    .unwrap();
    let run = import_with(&t, &bad, &["--quiet"]);
    assert!(!run.ok, "a rejected row makes the exit status non-zero");
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("row 2:"), "{}", run.stderr);
    t.get(&format!("/users/{}", upn(&t, "quiet1")))
        .await
        .expect(200);
    let _ = std::fs::remove_dir_all(&dir);
});
