//! `$metadata` and the service document of each version, over HTTP: public (no token, as
//! Graph's), `$metadata` an EDMX document in which v1.0 leaves out what only beta knows, and
//! the `@odata.context` of every answer pointing at a document that is served.

use std::collections::BTreeMap;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::harness::{joiner_workflow, Backend, Resp, Tenant, LW};

/// The version root (`http://host:port/v1.0`).
fn root(t: &Tenant, version: &str) -> String {
    t.server.base.replace("/beta", &format!("/{version}"))
}

/// `GET url` without an `Authorization` header.
async fn anonymous(t: &Tenant, url: &str) -> Resp {
    t.raw("GET", url, None, &[], None).await
}

/// The declarations of an EDMX document, as `element name` → attributes, after checking its
/// envelope (`edmx:Edmx` version 4.0 around one `edmx:DataServices` of schemas).
fn declarations(xml: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut reader = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut out = BTreeMap::new();
    let mut data_services = 0;
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let (element, empty) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                path.pop();
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = element.name().as_ref().to_string();
        let attrs: BTreeMap<String, String> = element
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                let value = a
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .unwrap();
                (a.key.as_ref().to_string(), value.into_owned())
            })
            .collect();
        match path.len() {
            0 => {
                assert_eq!(name, "edmx:Edmx");
                assert_eq!(attrs.get("Version").map(String::as_str), Some("4.0"));
            }
            1 => {
                assert_eq!(name, "edmx:DataServices");
                data_services += 1;
            }
            2 => assert_eq!(name, "Schema"),
            _ => {}
        }
        if let Some(n) = attrs.get("Name") {
            let owner = path.last().cloned().unwrap_or_default();
            out.insert(format!("{owner}/{name} {n}"), attrs.clone());
        }
        if !empty {
            let own = attrs.get("Name").or_else(|| attrs.get("Namespace"));
            path.push(own.cloned().unwrap_or(name));
        }
    }
    assert_eq!(data_services, 1, "one edmx:DataServices");
    out
}

#[tokio::test]
async fn metadata_is_public_edmx_and_v1_leaves_out_what_only_beta_knows() {
    let t = Tenant::new(Backend::Sqlite).expect("sqlite server");
    let mut documents = BTreeMap::new();
    for version in ["beta", "v1.0"] {
        let r = anonymous(&t, &format!("{}/$metadata", root(&t, version))).await;
        r.expect(200);
        assert!(
            r.header("content-type")
                .is_some_and(|c| c.starts_with("application/xml")),
            "{:?}",
            r.header("content-type")
        );
        assert!(r.header("request-id").is_some());
        let decls = declarations(&r.text);
        for expected in [
            "microsoft.graph.identityGovernance/EntityType workflow",
            "Key/PropertyRef versionNumber",
            "workflowBase/NavigationProperty tasks",
            "lifecycleWorkflowsContainer/NavigationProperty workflows",
            "microsoft.graph.identityGovernance/Action activateWithScope",
            "microsoft.graph.identityGovernance/Function summary",
            "GraphService/Singleton identityGovernance",
            "GraphService/EntitySet users",
        ] {
            assert!(
                decls.keys().any(|k| k.ends_with(expected)),
                "{version}: {expected} not declared"
            );
        }
        let tasks = &decls["workflowBase/NavigationProperty tasks"];
        assert_eq!(
            tasks["Type"],
            "Collection(microsoft.graph.identityGovernance.task)"
        );
        assert_eq!(tasks["ContainsTarget"], "true");
        let display_name = &decls["workflowBase/Property displayName"];
        assert_eq!(display_name["Nullable"], "false");
        documents.insert(version, decls);
    }
    let (beta, v1) = (&documents["beta"], &documents["v1.0"]);
    // Beta-only types and enum members are beta's alone.
    for beta_only in [
        "microsoft.graph.identityGovernance/ComplexType timeBasedAttributeTriggerV2",
        "microsoft.graph.identityGovernance/ComplexType selectedObjectsSubjectSet",
        "microsoft.graph.identityGovernance/EnumType agentBuilderPlatforms",
        "subjectType/Member agentIdentity",
    ] {
        assert!(beta.contains_key(beta_only), "beta lacks {beta_only}");
        assert!(!v1.contains_key(beta_only), "v1.0 declares {beta_only}");
    }
    // What both know keeps its value: v1.0 numbers the members it has as beta does.
    assert_eq!(
        beta["subjectType/Member provisioningObject"]["Value"],
        v1["subjectType/Member provisioningObject"]["Value"]
    );

    // Only GET (and HEAD) read it.
    let r = t
        .raw(
            "POST",
            &format!("{}/$metadata", root(&t, "beta")),
            None,
            &[],
            None,
        )
        .await;
    r.expect_error(405, "MethodNotAllowed");
}

#[tokio::test]
async fn the_service_document_lists_the_entry_points() {
    let t = Tenant::new(Backend::Sqlite).expect("sqlite server");
    for version in ["beta", "v1.0"] {
        for url in [root(&t, version), format!("{}/", root(&t, version))] {
            let r = anonymous(&t, &url).await;
            r.expect(200);
            assert!(r
                .header("content-type")
                .is_some_and(|c| c.starts_with("application/json")));
            assert_eq!(
                r.body["@odata.context"],
                format!("{}/$metadata", root(&t, version))
            );
            let entries = r.body["value"].as_array().unwrap();
            for (name, kind) in [
                ("users", "EntitySet"),
                ("groups", "EntitySet"),
                ("identityGovernance", "Singleton"),
            ] {
                assert!(
                    entries.contains(&serde_json::json!({"name": name, "kind": kind, "url": name})),
                    "{version}: {name} missing from {}",
                    r.text
                );
            }
        }
    }
}

/// What an answer's `@odata.context` names is a document lcw serves, and it declares the
/// entity set path the context starts with.
#[tokio::test]
async fn every_context_points_at_served_metadata() {
    let t = Tenant::new(Backend::Sqlite).expect("sqlite server");
    t.create_workflow(&joiner_workflow("Context")).await;
    for version in ["beta", "v1.0"] {
        let r = t.get(&format!("{}{LW}/workflows", root(&t, version))).await;
        r.expect(200);
        let context = r.body["@odata.context"].as_str().unwrap();
        let (document, fragment) = context.split_once('#').unwrap();
        assert_eq!(document, format!("{}/$metadata", root(&t, version)));
        let metadata = anonymous(&t, document).await;
        metadata.expect(200);
        let decls = declarations(&metadata.text);
        let first = fragment.split('/').next().unwrap();
        assert!(
            decls.contains_key(&format!("GraphService/Singleton {first}")),
            "{context}: {first} is not declared"
        );
    }
}
