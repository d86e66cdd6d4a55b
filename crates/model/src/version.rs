//! The Graph API versions lcw serves, and which of them each element of the type tables
//! exists in. `/beta` knows everything lcw models; `/v1.0` knows what the v1.0 metadata or
//! the newest official v1.0 SDK models. One table serves both: elements only beta knows are
//! left out of v1.0 answers and refused in v1.0 requests.

/// The version a request names with its first path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiVersion {
    Beta,
    V1,
}

impl ApiVersion {
    pub const ALL: [ApiVersion; 2] = [ApiVersion::Beta, ApiVersion::V1];

    /// The path segment naming the version (`beta`, `v1.0`).
    pub const fn segment(self) -> &'static str {
        match self {
            ApiVersion::Beta => "beta",
            ApiVersion::V1 => "v1.0",
        }
    }

    /// The version a first path segment names (exactly as Graph spells it).
    pub fn from_segment(segment: &str) -> Option<ApiVersion> {
        ApiVersion::ALL.into_iter().find(|v| v.segment() == segment)
    }
}

/// The versions an element (operation, type, property, enum member) exists in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Versions {
    beta: bool,
    v1: bool,
}

impl Versions {
    pub const ALL: Versions = Versions {
        beta: true,
        v1: true,
    };
    pub const BETA_ONLY: Versions = Versions {
        beta: true,
        v1: false,
    };

    pub const fn has(self, version: ApiVersion) -> bool {
        match version {
            ApiVersion::Beta => self.beta,
            ApiVersion::V1 => self.v1,
        }
    }
}
