//! The generated `$metadata` against the reference slices of Graph's own metadata
//! (`tests/reference/*-identityGovernance.xml`): both are parsed and every declaration is
//! compared (schemas, types with base, key, abstract and open, properties and navigations
//! with type, nullability and containment, enum members with values, actions and functions
//! with binding, parameters and return type, entity sets, singletons and their bindings).
//! A difference fails the test unless it is in the version's list of accepted differences,
//! each with its reason; an accepted difference that no longer occurs fails it too, so the
//! lists say exactly how lcw's document departs from Graph's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use lcw_model::csdl::metadata;
use lcw_model::ApiVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// One XML element with its attributes (unescaped) and children.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<Node>,
}

impl Node {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }

    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
}

fn node(e: &BytesStart) -> Node {
    let name = e.name().as_ref().to_string();
    let attrs = e
        .attributes()
        .map(|a| {
            let a = a.unwrap();
            let key = a.key.as_ref().to_string();
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .unwrap();
            (key, value.into_owned())
        })
        .collect();
    Node {
        name,
        attrs,
        children: Vec::new(),
    }
}

/// Parse a whole document into its root element; panics on malformed XML.
fn parse(xml: &str) -> Node {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(node(&e)),
            Event::Empty(e) => stack.last_mut().unwrap().children.push(node(&e)),
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().expect("balanced tags").children.push(done);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut document = stack.pop().unwrap();
    assert_eq!(document.children.len(), 1, "one root element");
    document.children.pop().unwrap()
}

/// The `edmx:Edmx` envelope: version 4.0, one `edmx:DataServices` holding the schemas.
fn schemas(root: &Node) -> Vec<&Node> {
    assert_eq!(root.name, "edmx:Edmx");
    assert_eq!(root.attr("Version"), Some("4.0"));
    assert_eq!(
        root.attr("xmlns:edmx"),
        Some("http://docs.oasis-open.org/odata/ns/edmx")
    );
    let services: Vec<&Node> = root.children("edmx:DataServices").collect();
    assert_eq!(services.len(), 1, "one edmx:DataServices");
    let schemas: Vec<&Node> = services[0].children("Schema").collect();
    assert!(!schemas.is_empty(), "no Schema");
    for s in &schemas {
        assert_eq!(
            s.attr("xmlns"),
            Some("http://docs.oasis-open.org/odata/ns/edm")
        );
    }
    schemas
}

/// Every declaration of a document, keyed by what it declares (`type ns.name`,
/// `property ns.type/name`, ...), valued by what it says about it.
fn declarations(xml: &str) -> BTreeMap<String, String> {
    let root = parse(xml);
    let schemas = schemas(&root);
    let aliases: Vec<(String, String)> = schemas
        .iter()
        .filter_map(|s| {
            Some((
                s.attr("Alias")?.to_string(),
                s.attr("Namespace")?.to_string(),
            ))
        })
        .collect();
    // Types by full name, whichever way (alias or namespace) they are written.
    let full = |ty: &str| -> String {
        if let Some(inner) = ty
            .strip_prefix("Collection(")
            .and_then(|t| t.strip_suffix(')'))
        {
            let inner = aliases
                .iter()
                .find_map(|(a, ns)| {
                    inner
                        .strip_prefix(&format!("{a}."))
                        .map(|r| format!("{ns}.{r}"))
                })
                .unwrap_or_else(|| inner.to_string());
            return format!("Collection({inner})");
        }
        aliases
            .iter()
            .find_map(|(a, ns)| {
                ty.strip_prefix(&format!("{a}."))
                    .map(|r| format!("{ns}.{r}"))
            })
            .unwrap_or_else(|| ty.to_string())
    };
    let flag = |n: &Node, name: &str, default: &str| n.attr(name).unwrap_or(default).to_string();
    let mut out = BTreeMap::new();
    for schema in schemas {
        let ns = schema.attr("Namespace").expect("Namespace");
        out.insert(format!("schema {ns}"), String::new());
        for e in schema.children("EnumType") {
            let name = format!("{ns}.{}", e.attr("Name").unwrap());
            out.insert(
                format!("enum {name}"),
                format!("flags={}", flag(e, "IsFlags", "false")),
            );
            for m in e.children("Member") {
                out.insert(
                    format!("member {name}/{}", m.attr("Name").unwrap()),
                    format!("value={}", m.attr("Value").unwrap_or("")),
                );
            }
        }
        for t in schema
            .children
            .iter()
            .filter(|c| c.name == "ComplexType" || c.name == "EntityType")
        {
            let name = format!("{ns}.{}", t.attr("Name").unwrap());
            let key: Vec<&str> = t
                .children("Key")
                .flat_map(|k| k.children("PropertyRef"))
                .filter_map(|r| r.attr("Name"))
                .collect();
            out.insert(
                format!("type {name}"),
                format!(
                    "{} base={} abstract={} open={} key={}",
                    t.name,
                    t.attr("BaseType").map(full).unwrap_or_default(),
                    flag(t, "Abstract", "false"),
                    flag(t, "OpenType", "false"),
                    key.join(",")
                ),
            );
            for p in t.children("Property") {
                out.insert(
                    format!("property {name}/{}", p.attr("Name").unwrap()),
                    format!(
                        "Property type={} nullable={}",
                        full(p.attr("Type").unwrap()),
                        flag(p, "Nullable", "true")
                    ),
                );
            }
            for p in t.children("NavigationProperty") {
                out.insert(
                    format!("property {name}/{}", p.attr("Name").unwrap()),
                    format!(
                        "NavigationProperty type={} nullable={} contains={}",
                        full(p.attr("Type").unwrap()),
                        flag(p, "Nullable", "true"),
                        flag(p, "ContainsTarget", "false")
                    ),
                );
            }
        }
        for op in schema
            .children
            .iter()
            .filter(|c| c.name == "Action" || c.name == "Function")
        {
            let params: Vec<&Node> = op.children("Parameter").collect();
            let binding = params
                .iter()
                .find(|p| p.attr("Name") == Some("bindingParameter"))
                .and_then(|p| p.attr("Type"))
                .map(full)
                .unwrap_or_default();
            let name = format!("{ns}.{}({binding})", op.attr("Name").unwrap());
            let returns = op
                .children("ReturnType")
                .filter_map(|r| r.attr("Type"))
                .map(full)
                .collect::<Vec<_>>()
                .join(",");
            out.insert(
                format!("operation {name}"),
                format!(
                    "{} bound={} entitySetPath={} returns={returns}",
                    op.name,
                    flag(op, "IsBound", "false"),
                    op.attr("EntitySetPath").unwrap_or("")
                ),
            );
            for (i, p) in params.iter().enumerate() {
                out.insert(
                    format!("parameter {name}/{}", p.attr("Name").unwrap()),
                    format!(
                        "#{i} type={} nullable={} unicode={}",
                        full(p.attr("Type").unwrap()),
                        flag(p, "Nullable", "true"),
                        flag(p, "Unicode", "true")
                    ),
                );
            }
        }
        for container in schema.children("EntityContainer") {
            out.insert(
                format!("container {ns}.{}", container.attr("Name").unwrap()),
                String::new(),
            );
            for entry in &container.children {
                let (kind, ty) = match entry.name.as_str() {
                    "EntitySet" => ("entityset", entry.attr("EntityType")),
                    "Singleton" => ("singleton", entry.attr("Type")),
                    other => panic!("unexpected {other} in the EntityContainer"),
                };
                let name = entry.attr("Name").unwrap();
                out.insert(
                    format!("{kind} {name}"),
                    format!("type={}", full(ty.unwrap())),
                );
                for b in entry.children("NavigationPropertyBinding") {
                    out.insert(
                        format!("binding {name}/{}", b.attr("Path").unwrap()),
                        format!("target={}", b.attr("Target").unwrap()),
                    );
                }
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Diff {
    /// lcw declares it; the slice does not.
    OnlyInLcw,
    /// The slice declares it; lcw does not.
    OnlyInReference,
    /// Both declare it, differently.
    Differs,
}

/// The declaration a member declaration belongs to; a whole missing type is one
/// difference, not one more per property.
fn parents(subject: &str) -> Vec<String> {
    let Some((kind, rest)) = subject.split_once(' ') else {
        return Vec::new();
    };
    let Some((owner, _)) = rest.rsplit_once('/') else {
        return Vec::new();
    };
    match kind {
        "member" => vec![format!("enum {owner}")],
        "property" => vec![format!("type {owner}")],
        "parameter" => vec![format!("operation {owner}")],
        "binding" => vec![format!("entityset {owner}"), format!("singleton {owner}")],
        _ => Vec::new(),
    }
}

fn differences(
    lcw: &BTreeMap<String, String>,
    reference: &BTreeMap<String, String>,
) -> Vec<(Diff, String, String)> {
    let mut out = Vec::new();
    let subjects: BTreeSet<&String> = lcw.keys().chain(reference.keys()).collect();
    for s in subjects {
        match (lcw.get(s), reference.get(s)) {
            (Some(_), None)
                if !parents(s)
                    .iter()
                    .any(|p| lcw.contains_key(p) && !reference.contains_key(p)) =>
            {
                out.push((Diff::OnlyInLcw, s.clone(), String::new()))
            }
            (None, Some(_))
                if !parents(s)
                    .iter()
                    .any(|p| reference.contains_key(p) && !lcw.contains_key(p)) =>
            {
                out.push((Diff::OnlyInReference, s.clone(), String::new()))
            }
            (Some(a), Some(b)) if a != b => out.push((
                Diff::Differs,
                s.clone(),
                format!("lcw: {a}; reference: {b}"),
            )),
            _ => {}
        }
    }
    out
}

type Accepted = &'static [(Diff, &'static str, &'static str)];

const SDK_ONLY: &str =
    "newer than the metadata snapshot: the newest official beta SDK models it and lcw serves it";
const OUT_OF_SCOPE: &str = "lcw serves nothing of this type";

/// What `/beta/$metadata` declares differently from `beta-identityGovernance.xml`, and why.
const BETA_ACCEPTED: Accepted = &[
    (Diff::OnlyInLcw, "enum microsoft.graph.identityGovernance.agentBuilderPlatforms", SDK_ONLY),
    (Diff::OnlyInLcw, "enum microsoft.graph.identityGovernance.subjectType", SDK_ONLY),
    (Diff::OnlyInLcw, "enum microsoft.graph.identityGovernance.workflowTriggerOperatorEventTiming", SDK_ONLY),
    (Diff::OnlyInLcw, "operation microsoft.graph.identityGovernance.summary(Collection(microsoft.graph.identityGovernance.subjectProcessingResult))", SDK_ONLY),
    (Diff::OnlyInLcw, "property microsoft.graph.identityGovernance.lifecycleManagementSettings/lcwCatchUpDays", "lcw's own setting: how many days a time-based trigger still picks up a date that passed"),
    (Diff::OnlyInLcw, "property microsoft.graph.identityGovernance.subjectProcessingResult/subjectType", SDK_ONLY),
    (Diff::OnlyInLcw, "property microsoft.graph.identityGovernance.workflowBase/targetSubjectType", SDK_ONLY),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.allExcludingAgentBuilderPlatformsSubjectSet", SDK_ONLY),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.allExcludingGroupsSubjectSet", SDK_ONLY),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.allExcludingSpecificObjectsSubjectSet", SDK_ONLY),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.directoryObjectWorkflowSubject", SDK_ONLY),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.operatorBetween", SDK_ONLY),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.operatorEqualTo", SDK_ONLY),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.operatorLessThanEqualTo", SDK_ONLY),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.selectedObjectsSubjectSet", SDK_ONLY),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.subjectSummary", SDK_ONLY),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.timeBasedAttributeTriggerV2", SDK_ONLY),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.workflowExecutionTriggerOperator", SDK_ONLY),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.workflowTriggerTimeBasedOperator", SDK_ONLY),
    (Diff::OnlyInReference, "type microsoft.graph.administrativeUnit", OUT_OF_SCOPE),
    (Diff::OnlyInReference, "type microsoft.graph.identityGovernance.customTaskExtensionResponseData", "lcw reads no response body from a custom task extension (replyMode response is not implemented)"),
    (Diff::OnlyInReference, "type microsoft.graph.identityGovernance.usersProcessingSummary", "no operation lcw serves returns it (the summaries return userSummary)"),
    (Diff::OnlyInReference, "property microsoft.graph.identityGovernance.customTaskExtensionCalloutData/targetSubject", "lcw's callouts are about users only and carry subject, not targetSubject"),
];

/// What `/v1.0/$metadata` declares differently from `v1.0-identityGovernance.xml`, and why.
const V1_ACCEPTED: Accepted = &[
    (Diff::OnlyInLcw, "enum microsoft.graph.identityGovernance.customTaskExtensionReplyMode", V1_SDK),
    (Diff::OnlyInLcw, "enum microsoft.graph.identityGovernance.subjectType", V1_SDK),
    (Diff::OnlyInLcw, "member microsoft.graph.identityGovernance.lifecycleTaskCategory/extensibility", V1_SDK),
    (Diff::OnlyInLcw, "member microsoft.graph.identityGovernance.lifecycleWorkflowCategory/extensibility", V1_SDK),
    (Diff::OnlyInLcw, "member microsoft.graph.identityGovernance.workflowExecutionType/extensibilityOnDemand", V1_SDK),
    (Diff::OnlyInLcw, "operation microsoft.graph.identityGovernance.activateAndWait(microsoft.graph.identityGovernance.workflow)", "documented for v1.0 (identitygovernance-workflow-activateandwait), ahead of the metadata; declared with the workflowSubject types it takes"),
    (Diff::OnlyInLcw, "operation microsoft.graph.identityGovernance.summary(Collection(microsoft.graph.identityGovernance.subjectProcessingResult))", V1_SDK),
    (Diff::OnlyInLcw, "property microsoft.graph.identityGovernance.customTaskExtension/replyMode", V1_SDK),
    (Diff::OnlyInLcw, "property microsoft.graph.identityGovernance.lifecycleManagementSettings/lcwCatchUpDays", "lcw's own setting: how many days a time-based trigger still picks up a date that passed"),
    (Diff::OnlyInLcw, "property microsoft.graph.identityGovernance.run/subjectProcessingResults", V1_SDK),
    (Diff::OnlyInLcw, "property microsoft.graph.identityGovernance.taskProcessingResult/workflowSubject", V1_SDK),
    (Diff::OnlyInLcw, "property microsoft.graph.identityGovernance.workflow/subjectProcessingResults", V1_SDK),
    (Diff::OnlyInLcw, "property microsoft.graph.identityGovernance.workflowBase/targetSubjectType", V1_SDK),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.attributeSetEntry", V1_SDK),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.awaitedWorkflowProcessingResult", V1_SDK),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.directoryObjectWorkflowSubject", V1_SDK),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.guestSponsorTrigger", V1_SDK),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.provisioningAttributeMapping", V1_SDK),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.provisioningObjectWorkflowSubject", V1_SDK),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.subjectProcessingResult", V1_SDK),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.subjectSummary", V1_SDK),
    (Diff::OnlyInLcw, "type microsoft.graph.identityGovernance.workflowSubject", V1_SDK),
    (Diff::OnlyInReference, "type microsoft.graph.administrativeUnit", OUT_OF_SCOPE),
    (Diff::OnlyInReference, "type microsoft.graph.identityGovernance.usersProcessingSummary", "no operation lcw serves returns it (the summaries return userSummary)"),
];

const V1_SDK: &str = "newer than the v1.0 metadata snapshot: the newest official v1.0 SDK (msgraph-sdk) models it, so lcw serves it on v1.0";

fn compare(version: ApiVersion, reference_file: &str, accepted: Accepted) {
    let reference = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/reference")
            .join(reference_file),
    )
    .unwrap();
    let lcw = declarations(&metadata(version));
    let reference = declarations(&reference);
    let found = differences(&lcw, &reference);
    let unexplained: Vec<String> = found
        .iter()
        .filter(|(d, s, _)| !accepted.iter().any(|(ad, as_, _)| ad == d && as_ == s))
        .map(|(d, s, detail)| format!("{d:?} {s} {detail}"))
        .collect();
    let stale: Vec<&str> = accepted
        .iter()
        .filter(|(ad, as_, _)| !found.iter().any(|(d, s, _)| d == ad && s == as_))
        .map(|(_, s, _)| *s)
        .collect();
    assert!(
        unexplained.is_empty() && stale.is_empty(),
        "{} $metadata against {reference_file}:\nunexplained differences:\n  {}\naccepted differences that no longer occur:\n  {}",
        version.segment(),
        unexplained.join("\n  "),
        stale.join("\n  ")
    );
}

#[test]
fn beta_metadata_matches_the_beta_reference() {
    compare(
        ApiVersion::Beta,
        "beta-identityGovernance.xml",
        BETA_ACCEPTED,
    );
}

#[test]
fn v1_metadata_matches_the_v1_reference() {
    compare(ApiVersion::V1, "v1.0-identityGovernance.xml", V1_ACCEPTED);
}

/// Every type a declaration names is declared in the same document (or is an Edm type).
#[test]
fn every_referenced_type_is_declared() {
    for version in ApiVersion::ALL {
        let decls = declarations(&metadata(version));
        let declared: BTreeSet<String> = decls
            .keys()
            .filter_map(|k| k.strip_prefix("type ").or_else(|| k.strip_prefix("enum ")))
            .map(str::to_string)
            .collect();
        for (subject, says) in &decls {
            for word in says.split(' ') {
                let Some((attr, ty)) = word.split_once('=') else {
                    continue;
                };
                if !matches!(attr, "type" | "base" | "returns") || ty.is_empty() {
                    continue;
                }
                let ty = ty
                    .strip_prefix("Collection(")
                    .and_then(|t| t.strip_suffix(')'))
                    .unwrap_or(ty);
                if ty.starts_with("Edm.") {
                    continue;
                }
                assert!(
                    declared.contains(ty),
                    "{}: {subject} names {ty}, which is not declared",
                    version.segment()
                );
            }
        }
    }
}
/// The comparison sees a change of nullability, containment or a parameter.
#[test]
fn the_comparison_sees_a_changed_declaration() {
    let generated = metadata(ApiVersion::Beta);
    let lcw = declarations(&generated);
    for (from, to) in [
        (
            r#"<Property Name="displayName" Type="Edm.String" Nullable="false" />"#,
            r#"<Property Name="displayName" Type="Edm.String" />"#,
        ),
        (r#"ContainsTarget="true" "#, ""),
        (
            r#"Name="source" Type="Edm.String" Unicode="false""#,
            r#"Name="source" Type="Edm.String""#,
        ),
    ] {
        assert!(generated.contains(from), "{from}");
        let changed = declarations(&generated.replacen(from, to, 1));
        assert!(
            differences(&lcw, &changed)
                .iter()
                .any(|(d, _, _)| *d == Diff::Differs),
            "{from}"
        );
    }
}
