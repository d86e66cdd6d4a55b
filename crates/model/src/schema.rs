//! A small, CSDL-like description of the Graph types lcw serves.
//!
//! One table drives request validation (unknown properties, wrong types, read-only
//! properties, polymorphic `@odata.type`) and response rendering (evolvable enums), so
//! every resource gets the same treatment without hand-written serde structs.

pub use crate::descriptor::{
    coll, p, ro, ro_coll, wo, EnumDef, Property, PropertyKind, Ty, TypeDef,
};
use crate::types::{ENUMS, TYPES};
use crate::version::ApiVersion;

/// Look a type up by full name (with or without a leading `#`, case-insensitively,
/// as the SDK matches discriminators).
pub fn type_def(name: &str) -> Option<&'static TypeDef> {
    let name = name.strip_prefix('#').unwrap_or(name);
    TYPES.iter().find(|t| t.name.eq_ignore_ascii_case(name))
}

pub fn enum_def(name: &str) -> Option<&'static EnumDef> {
    ENUMS.iter().find(|e| e.name == name)
}

/// A property of a type or of one of its base types.
pub fn property(t: &'static TypeDef, name: &str) -> Option<&'static Property> {
    let mut cur = Some(t);
    while let Some(td) = cur {
        if let Some(prop) = td.properties.iter().find(|p| p.name == name) {
            return Some(prop);
        }
        cur = td.base.and_then(type_def);
    }
    None
}

/// A property of a type or of one of its base types, as `version` knows it.
pub fn property_in(
    t: &'static TypeDef,
    name: &str,
    version: ApiVersion,
) -> Option<&'static Property> {
    property(t, name).filter(|p| p.versions.has(version))
}

/// The type as `version` shows it: itself when the version knows it, else its nearest base
/// type the version knows (a value of a beta-only derived type reads as its base on v1.0).
pub fn shown_as(t: &'static TypeDef, version: ApiVersion) -> Option<&'static TypeDef> {
    let mut cur = Some(t);
    while let Some(td) = cur {
        if td.versions.has(version) {
            return Some(td);
        }
        cur = td.base.and_then(type_def);
    }
    None
}

/// Whether `derived` is `base` or inherits from it.
pub fn derives_from(derived: &'static TypeDef, base: &'static TypeDef) -> bool {
    let mut cur = Some(derived);
    while let Some(td) = cur {
        if std::ptr::eq(td, base) {
            return true;
        }
        cur = td.base.and_then(type_def);
    }
    false
}

/// Whether values of this declared type need `@odata.type` on the wire: abstract types and
/// types with derived types are polymorphic.
pub fn is_polymorphic(t: &'static TypeDef) -> bool {
    t.is_abstract || TYPES.iter().any(|d| d.base.is_some_and(|b| b == t.name))
}
