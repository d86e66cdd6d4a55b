//! The building blocks of the type tables: property shapes, type and enum definitions,
//! and the constructors `types.rs` declares its tables with. Apart from both the tables
//! and the lookups over them (`schema.rs`), so neither needs the other's module.

use crate::version::{ApiVersion, Versions};

/// The shape of one property value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Str,
    Bool,
    /// `Edm.Int32`.
    Int,
    /// `Edm.Int64`.
    Int64,
    /// ISO 8601 date-time, stored normalised to UTC.
    DateTime,
    /// `Edm.Date` (`2024-01-31`).
    Date,
    /// ISO 8601 duration; the Python SDK's `H:MM:SS` / `D day, H:MM:SS` is accepted on input.
    Duration,
    /// A GUID string (compared case-insensitively).
    Guid,
    Enum(&'static str),
    /// Flags enum: one comma-separated string of members.
    Flags(&'static str),
    /// A complex (or, for navigations, entity) type by full name.
    Complex(&'static str),
    /// Free JSON (kept as given).
    Any,
}

#[derive(Debug, Clone, Copy)]
pub struct Property {
    pub name: &'static str,
    pub ty: Ty,
    pub collection: bool,
    /// Server-assigned: silently dropped from request bodies.
    pub read_only: bool,
    /// Write-only: accepted in requests, never returned (e.g. `passwordProfile`).
    pub write_only: bool,
    /// `Nullable` in `$metadata` (for a collection: whether its items may be null).
    pub nullable: bool,
    /// A structural property, or a navigation (`$expand`-able, its type an entity type).
    pub kind: PropertyKind,
    pub versions: Versions,
}

/// How `$metadata` declares a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyKind {
    Structural,
    /// A navigation to entities that live elsewhere (a user, a run to reprocess).
    Navigation,
    /// A navigation to entities that live under this one (`ContainsTarget`).
    Contained,
}

impl Property {
    /// A property only `/beta` knows.
    pub const fn beta_only(mut self) -> Self {
        self.versions = Versions::BETA_ONLY;
        self
    }

    /// Declared `Nullable="false"`.
    pub const fn not_null(mut self) -> Self {
        self.nullable = false;
        self
    }

    /// A navigation property.
    pub const fn nav(mut self) -> Self {
        self.kind = PropertyKind::Navigation;
        self
    }

    /// A containment navigation property.
    pub const fn contained(mut self) -> Self {
        self.kind = PropertyKind::Contained;
        self
    }
}

#[derive(Debug)]
pub struct TypeDef {
    /// Full name, e.g. `microsoft.graph.identityGovernance.workflow`.
    pub name: &'static str,
    pub base: Option<&'static str>,
    pub is_abstract: bool,
    pub properties: &'static [Property],
    pub versions: Versions,
    /// Entity types have an identity and may be addressed by path; complex types are values.
    pub entity: bool,
    /// The key property, where this type declares it (`graph.entity`'s `id`, a workflow's
    /// `id`, a version's `versionNumber`); derived types inherit it.
    pub key: Option<&'static str>,
    /// Open types accept properties they do not declare (`OpenType="true"`).
    pub open: bool,
}

impl TypeDef {
    /// An entity type (the `ty!` tables declare complex types unless told).
    pub const fn entity(mut self) -> Self {
        self.entity = true;
        self
    }

    /// An entity type declaring its key.
    pub const fn keyed(mut self, key: &'static str) -> Self {
        self.entity = true;
        self.key = Some(key);
        self
    }

    /// An open entity type.
    pub const fn open(mut self) -> Self {
        self.open = true;
        self
    }
}

#[derive(Debug)]
pub struct EnumDef {
    pub name: &'static str,
    /// Members in declared order; those after `unknownFutureValue` are "evolvable".
    pub members: &'static [&'static str],
    pub flags: bool,
    pub versions: Versions,
    /// Members only `/beta` knows; in v1.0 answers they read `unknownFutureValue`.
    pub beta_only_members: &'static [&'static str],
    /// The value of the first member in `$metadata`; the others count up from it (flags:
    /// 1, 2, 4, ... whatever this says).
    pub first_value: i64,
}

impl EnumDef {
    /// The canonical spelling of a member, matched case-insensitively.
    pub fn member(&self, value: &str) -> Option<&'static str> {
        self.members
            .iter()
            .copied()
            .find(|m| m.eq_ignore_ascii_case(value))
    }

    /// The canonical spelling of a member `version` knows, matched case-insensitively.
    pub fn member_in(&self, value: &str, version: ApiVersion) -> Option<&'static str> {
        self.member(value).filter(|m| self.has_member(m, version))
    }

    /// Whether `version` knows this (canonically spelled) member.
    pub fn has_member(&self, member: &str, version: ApiVersion) -> bool {
        self.versions.has(version)
            && (version == ApiVersion::Beta || !self.beta_only_members.contains(&member))
    }

    /// The members `version` knows, in declared order.
    pub fn members_in(&self, version: ApiVersion) -> Vec<&'static str> {
        self.members
            .iter()
            .copied()
            .filter(|m| self.has_member(m, version))
            .collect()
    }

    /// The numeric value `$metadata` gives a member.
    pub fn value_of(&self, member: &str) -> Option<i64> {
        let position = self.members.iter().position(|m| *m == member)?;
        let position = u32::try_from(position).ok()?;
        Some(if self.flags {
            1_i64 << position
        } else {
            self.first_value + i64::from(position)
        })
    }

    /// True for members declared after `unknownFutureValue`.
    pub fn is_evolvable(&self, member: &str) -> bool {
        match self.members.iter().position(|m| *m == "unknownFutureValue") {
            Some(cut) => self
                .members
                .iter()
                .position(|m| *m == member)
                .is_some_and(|p| p > cut),
            None => false,
        }
    }
}

pub const fn p(name: &'static str, ty: Ty) -> Property {
    Property {
        name,
        ty,
        collection: false,
        read_only: false,
        write_only: false,
        nullable: true,
        kind: PropertyKind::Structural,
        versions: Versions::ALL,
    }
}

pub const fn ro(name: &'static str, ty: Ty) -> Property {
    Property {
        name,
        ty,
        collection: false,
        read_only: true,
        write_only: false,
        nullable: true,
        kind: PropertyKind::Structural,
        versions: Versions::ALL,
    }
}

pub const fn coll(name: &'static str, ty: Ty) -> Property {
    Property {
        name,
        ty,
        collection: true,
        read_only: false,
        write_only: false,
        nullable: true,
        kind: PropertyKind::Structural,
        versions: Versions::ALL,
    }
}

pub const fn ro_coll(name: &'static str, ty: Ty) -> Property {
    Property {
        name,
        ty,
        collection: true,
        read_only: true,
        write_only: false,
        nullable: true,
        kind: PropertyKind::Structural,
        versions: Versions::ALL,
    }
}

pub const fn wo(name: &'static str, ty: Ty) -> Property {
    Property {
        name,
        ty,
        collection: false,
        read_only: false,
        write_only: true,
        nullable: true,
        kind: PropertyKind::Structural,
        versions: Versions::ALL,
    }
}
