//! The coverage ledger: which reference endpoints each API version serves and which answer
//! 501.

use model::ApiVersion;

use crate::routing::Router;

const LW: &str = "/identityGovernance/lifecycleWorkflows";

/// The reference list each version's section is read from.
fn reference_file(version: ApiVersion) -> &'static str {
    match version {
        ApiVersion::Beta => "crates/api/reference/api-endpoints.json",
        ApiVersion::V1 => "crates/api/reference/api-endpoints-v1.0.json",
    }
}

/// Render the ledger as Markdown: per version, counts first, then every endpoint with its
/// state; last the operations outside the reference lists.
pub fn render() -> String {
    let router = Router::get();
    let mut out = String::new();
    out.push_str("# Endpoint coverage ledger\n\n");
    out.push_str(
        "Generated from the router and the reference lists of `crates/api/reference/` by\n",
    );
    out.push_str(
        "`cargo run -p lcw -- ledger > LEDGER.md` (a test fails when this file is stale).\n",
    );
    out.push_str(&format!(
        "Paths are relative to `{LW}` under the version root.\n"
    ));
    for version in ApiVersion::ALL {
        let mut served = Vec::new();
        let mut missing = Vec::new();
        for e in router.reference(version) {
            let relative = e.path.trim_start_matches(LW);
            let line = format!(
                "| {} | `{}` |",
                e.method,
                if relative.is_empty() { "/" } else { relative }
            );
            if router.serves(version, e) {
                served.push(line);
            } else {
                missing.push(line);
            }
        }
        out.push_str(&format!(
            "\n## /{v}\n\nReference: `{file}`.\n\n- reference endpoints: {}\n- served: {}\n- not implemented (501 NotImplemented): {}\n\n",
            served.len() + missing.len(),
            served.len(),
            missing.len(),
            v = version.segment(),
            file = reference_file(version),
        ));
        out.push_str(&format!(
            "### Served (/{})\n\n| method | path |\n|---|---|\n",
            version.segment()
        ));
        for l in &served {
            out.push_str(l);
            out.push('\n');
        }
        out.push_str(&format!(
            "\n### Not implemented (501) (/{})\n\n| method | path |\n|---|---|\n",
            version.segment()
        ));
        for l in &missing {
            out.push_str(l);
            out.push('\n');
        }
    }
    // Operations outside the Lifecycle Workflows container (not in the references): the
    // directory, the authentication methods and the entitlement management tasks act on.
    let mut extra: Vec<String> = router
        .routes
        .iter()
        .filter(|r| !r.route.template.starts_with(LW))
        .map(|r| {
            let versions: Vec<String> = ApiVersion::ALL
                .into_iter()
                .filter(|v| r.route.op.exists_in(*v))
                .map(|v| format!("/{}", v.segment()))
                .collect();
            format!(
                "| {} | `{}` | {} |",
                r.route.op.method,
                r.route.template,
                versions.join(", ")
            )
        })
        .collect();
    extra.dedup();
    // JSON batching is answered before the route table is consulted.
    extra.push("| POST | `/$batch` | /beta, /v1.0 |".to_string());
    out.push_str("\n## Also served (outside the reference lists)\n\n");
    out.push_str(
        "Paths are relative to the version root.\n\n| method | path | versions |\n|---|---|---|\n",
    );
    for l in &extra {
        out.push_str(l);
        out.push('\n');
    }
    out
}
