//! The `$metadata` document (CSDL, EDMX XML) and the service document's entries of one API
//! version, generated from the type and enum tables (`types.rs`) and the service table
//! (`service.rs`): what a version lacks is left out, as its answers leave it out.
//!
//! The layout follows Graph's own file: one `Schema` per namespace (`microsoft.graph`, alias
//! `graph`, holds the entity container), enum, complex and entity types, then actions and
//! functions, each sorted by name; types of the `microsoft.graph` namespace are referred to
//! through its alias.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::descriptor::{EnumDef, Property, PropertyKind, Ty, TypeDef};
use crate::schema::type_def;
use crate::service::{BoundOperation, EntryPoint, Param, BOUND_OPERATIONS, ENTRY_POINTS};
use crate::types::{ENUMS, TYPES};
use crate::version::ApiVersion;

const GRAPH: &str = "microsoft.graph";
const GRAPH_ALIAS: &str = "graph";

/// The `$metadata` document of `version`.
pub fn metadata(version: ApiVersion) -> String {
    let mut schemas: BTreeMap<&'static str, Schema> = BTreeMap::new();
    schemas.entry(GRAPH).or_default();
    for e in ENUMS.iter().filter(|e| e.versions.has(version)) {
        schemas.entry(namespace(e.name)).or_default().enums.push(e);
    }
    for t in TYPES.iter().filter(|t| t.versions.has(version)) {
        let schema = schemas.entry(namespace(t.name)).or_default();
        if t.entity {
            schema.entities.push(t);
        } else {
            schema.complexes.push(t);
        }
    }
    for op in BOUND_OPERATIONS.iter().filter(|o| o.versions.has(version)) {
        schemas
            .entry(namespace(op.name))
            .or_default()
            .operations
            .push(op);
    }

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str(
        "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n",
    );
    out.push_str("  <edmx:DataServices>\n");
    for (ns, mut schema) in schemas {
        let alias = if ns == GRAPH {
            format!(" Alias=\"{GRAPH_ALIAS}\"")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "    <Schema Namespace=\"{}\"{alias} xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">",
            escape(ns)
        );
        schema.enums.sort_by_key(|e| sort_key(e.name));
        schema.complexes.sort_by_key(|t| sort_key(t.name));
        schema.entities.sort_by_key(|t| sort_key(t.name));
        schema
            .operations
            .sort_by_key(|o| (o.function, sort_key(o.name), sort_key(o.binding)));
        for e in &schema.enums {
            write_enum(&mut out, e, version);
        }
        for t in schema.complexes.iter().chain(&schema.entities) {
            write_type(&mut out, t, version);
        }
        for op in &schema.operations {
            write_operation(&mut out, op);
        }
        if ns == GRAPH {
            write_container(&mut out, version);
        }
        out.push_str("    </Schema>\n");
    }
    out.push_str("  </edmx:DataServices>\n</edmx:Edmx>\n");
    out
}

/// One entry of the service document (`GET /v1.0/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceEntry {
    pub name: &'static str,
    /// `EntitySet` or `Singleton`.
    pub kind: &'static str,
    pub url: &'static str,
}

/// The entity sets and singletons of `version`, as the service document lists them.
pub fn service_entries(version: ApiVersion) -> Vec<ServiceEntry> {
    ENTRY_POINTS
        .iter()
        .filter(|e| e.versions.has(version))
        .map(|e| ServiceEntry {
            name: e.name,
            kind: if e.singleton {
                "Singleton"
            } else {
                "EntitySet"
            },
            url: e.name,
        })
        .collect()
}

#[derive(Default)]
struct Schema {
    enums: Vec<&'static EnumDef>,
    complexes: Vec<&'static TypeDef>,
    entities: Vec<&'static TypeDef>,
    operations: Vec<&'static BoundOperation>,
}

/// The namespace of a full name: everything before its last dot.
fn namespace(full_name: &'static str) -> &'static str {
    full_name.rsplit_once('.').map_or("", |(ns, _)| ns)
}

fn short(full_name: &'static str) -> &'static str {
    full_name.rsplit_once('.').map_or(full_name, |(_, n)| n)
}

/// Graph sorts its declarations by name regardless of case.
fn sort_key(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// How a declaration refers to a type: through the alias for `microsoft.graph` itself.
fn qualified(full_name: &str) -> String {
    match full_name.strip_prefix("microsoft.graph.") {
        Some(rest) if !rest.contains('.') => format!("{GRAPH_ALIAS}.{rest}"),
        _ => full_name.to_string(),
    }
}

fn type_ref(ty: Ty, collection: bool) -> String {
    let single = match ty {
        Ty::Str => "Edm.String".to_string(),
        Ty::Bool => "Edm.Boolean".to_string(),
        Ty::Int => "Edm.Int32".to_string(),
        Ty::Int64 => "Edm.Int64".to_string(),
        Ty::DateTime => "Edm.DateTimeOffset".to_string(),
        Ty::Date => "Edm.Date".to_string(),
        Ty::Duration => "Edm.Duration".to_string(),
        Ty::Guid => "Edm.Guid".to_string(),
        Ty::Enum(name) | Ty::Flags(name) | Ty::Complex(name) => qualified(name),
        Ty::Any => "Edm.Untyped".to_string(),
    };
    if collection {
        format!("Collection({single})")
    } else {
        single
    }
}

/// An attribute value with XML's five special characters escaped.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn write_enum(out: &mut String, e: &EnumDef, version: ApiVersion) {
    let flags = if e.flags { " IsFlags=\"true\"" } else { "" };
    let _ = writeln!(
        out,
        "      <EnumType Name=\"{}\"{flags}>",
        escape(short(e.name))
    );
    for m in e.members_in(version) {
        if let Some(value) = e.value_of(m) {
            let _ = writeln!(
                out,
                "        <Member Name=\"{}\" Value=\"{value}\" />",
                escape(m)
            );
        }
    }
    out.push_str("      </EnumType>\n");
}

/// Whether a base type of `t` already declares `name` (a type that restates an inherited
/// property, to make it writable say, still declares it once, on the base).
fn inherited(t: &TypeDef, name: &str) -> bool {
    let mut cur = t.base.and_then(type_def);
    while let Some(base) = cur {
        if base.properties.iter().any(|p| p.name == name) {
            return true;
        }
        cur = base.base.and_then(type_def);
    }
    false
}

fn write_type(out: &mut String, t: &TypeDef, version: ApiVersion) {
    let element = if t.entity {
        "EntityType"
    } else {
        "ComplexType"
    };
    let mut head = format!("      <{element} Name=\"{}\"", escape(short(t.name)));
    if let Some(base) = t.base {
        let _ = write!(head, " BaseType=\"{}\"", escape(&qualified(base)));
    }
    if t.is_abstract {
        head.push_str(" Abstract=\"true\"");
    }
    if t.open {
        head.push_str(" OpenType=\"true\"");
    }
    let mut props: Vec<&Property> = t
        .properties
        .iter()
        .filter(|p| p.versions.has(version) && !inherited(t, p.name))
        .collect();
    // Structural properties first, then navigations; each by name.
    props.sort_by_key(|p| (p.kind != PropertyKind::Structural, sort_key(p.name)));
    if props.is_empty() && t.key.is_none() {
        let _ = writeln!(out, "{head} />");
        return;
    }
    let _ = writeln!(out, "{head}>");
    if let Some(key) = t.key {
        let _ = writeln!(
            out,
            "        <Key>\n          <PropertyRef Name=\"{}\" />\n        </Key>",
            escape(key)
        );
    }
    for p in props {
        let ty = escape(&type_ref(p.ty, p.collection));
        let name = escape(p.name);
        let not_null = if p.nullable {
            ""
        } else {
            " Nullable=\"false\""
        };
        match p.kind {
            PropertyKind::Structural => {
                let _ = writeln!(
                    out,
                    "        <Property Name=\"{name}\" Type=\"{ty}\"{not_null} />"
                );
            }
            PropertyKind::Navigation | PropertyKind::Contained => {
                let contains = if p.kind == PropertyKind::Contained {
                    " ContainsTarget=\"true\""
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "        <NavigationProperty Name=\"{name}\" Type=\"{ty}\"{contains}{not_null} />"
                );
            }
        }
    }
    let _ = writeln!(out, "      </{element}>");
}

fn write_param(out: &mut String, p: &Param) {
    let not_null = if p.nullable {
        ""
    } else {
        " Nullable=\"false\""
    };
    let ascii = if p.unicode { "" } else { " Unicode=\"false\"" };
    let _ = writeln!(
        out,
        "        <Parameter Name=\"{}\" Type=\"{}\"{not_null}{ascii} />",
        escape(p.name),
        escape(&type_ref(p.ty, p.collection))
    );
}

fn write_operation(out: &mut String, op: &BoundOperation) {
    let element = if op.function { "Function" } else { "Action" };
    let in_place = if op.entity_set_path {
        " EntitySetPath=\"bindingParameter\""
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "      <{element} Name=\"{}\"{in_place} IsBound=\"true\">",
        escape(op.short_name())
    );
    write_param(
        out,
        &Param {
            name: "bindingParameter",
            ty: Ty::Complex(op.binding),
            collection: op.binding_collection,
            nullable: true,
            unicode: true,
        },
    );
    for p in op.params {
        write_param(out, p);
    }
    if let Some((ty, collection)) = op.returns {
        let _ = writeln!(
            out,
            "        <ReturnType Type=\"{}\" />",
            escape(&type_ref(ty, collection))
        );
    }
    let _ = writeln!(out, "      </{element}>");
}

fn write_container(out: &mut String, version: ApiVersion) {
    out.push_str("      <EntityContainer Name=\"GraphService\">\n");
    let mut entries: Vec<&EntryPoint> = ENTRY_POINTS
        .iter()
        .filter(|e| e.versions.has(version))
        .collect();
    entries.sort_by_key(|e| (e.singleton, sort_key(e.name)));
    for e in entries {
        let (element, type_attr) = if e.singleton {
            ("Singleton", "Type")
        } else {
            ("EntitySet", "EntityType")
        };
        let head = format!(
            "        <{element} Name=\"{}\" {type_attr}=\"{}\"",
            escape(e.name),
            escape(e.ty)
        );
        if e.bindings.is_empty() {
            let _ = writeln!(out, "{head} />");
            continue;
        }
        let _ = writeln!(out, "{head}>");
        for (path, target) in e.bindings {
            let _ = writeln!(
                out,
                "          <NavigationPropertyBinding Path=\"{}\" Target=\"{}\" />",
                escape(path),
                escape(target)
            );
        }
        let _ = writeln!(out, "        </{element}>");
    }
    out.push_str("      </EntityContainer>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_special_characters() {
        assert_eq!(escape(r#"a&b<c>d"e'f"#), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
    }

    #[test]
    fn graph_types_are_named_through_the_alias() {
        assert_eq!(qualified("microsoft.graph.user"), "graph.user");
        assert_eq!(
            qualified("microsoft.graph.identityGovernance.workflow"),
            "microsoft.graph.identityGovernance.workflow"
        );
        assert_eq!(
            type_ref(Ty::Complex("microsoft.graph.user"), true),
            "Collection(graph.user)"
        );
    }

    #[test]
    fn v1_leaves_out_what_only_beta_knows() {
        let beta = metadata(ApiVersion::Beta);
        let v1 = metadata(ApiVersion::V1);
        assert!(beta.contains("<ComplexType Name=\"timeBasedAttributeTriggerV2\""));
        assert!(!v1.contains("timeBasedAttributeTriggerV2"));
        assert!(beta.contains("<Member Name=\"agentIdentity\""));
        assert!(!v1.contains("agentIdentity"));
    }
}
