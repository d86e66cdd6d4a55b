//! `lcw import`: bulk-load users and groups.

use std::fmt;

pub struct ImportReport {
    pub users: usize,
    pub groups: usize,
    pub failed: usize,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "imported {} users, {} groups; {} failed",
            self.users, self.groups, self.failed
        )
    }
}

pub async fn run(
    _store: &store::Store,
    _tenant: &str,
    _path: &std::path::Path,
) -> Result<ImportReport, String> {
    Err("import is not implemented yet".into())
}
