//! The coverage ledger: which reference endpoints lcw serves and which answer 501.

use crate::routing::Router;

/// Render the ledger as Markdown: counts first, then every endpoint with its state.
pub fn render() -> String {
    let router = Router::get();
    let mut served = Vec::new();
    let mut missing = Vec::new();
    for e in &router.reference {
        let relative = e
            .path
            .trim_start_matches("/identityGovernance/lifecycleWorkflows");
        let line = format!(
            "| {} | `{}` |",
            e.method,
            if relative.is_empty() { "/" } else { relative }
        );
        if router.serves(e) {
            served.push(line);
        } else {
            missing.push(line);
        }
    }
    let mut out = String::new();
    out.push_str("# Endpoint coverage ledger\n\n");
    out.push_str("Generated from the router and `crates/api/reference/api-endpoints.json` by\n");
    out.push_str(
        "`cargo run -p lcw -- ledger > LEDGER.md` (a test fails when this file is stale).\n",
    );
    out.push_str("Paths are relative to `/identityGovernance/lifecycleWorkflows`.\n\n");
    out.push_str(&format!(
        "- reference endpoints: {}\n- served: {}\n- not implemented (501 NotImplemented): {}\n\n",
        router.reference.len(),
        served.len(),
        missing.len()
    ));
    out.push_str("## Served\n\n| method | path |\n|---|---|\n");
    for l in &served {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str("\n## Not implemented (501)\n\n| method | path |\n|---|---|\n");
    for l in &missing {
        out.push_str(l);
        out.push('\n');
    }
    // Operations outside the Lifecycle Workflows container (not in the reference): the
    // directory, the authentication methods and the entitlement management tasks act on.
    let mut extra: Vec<String> = router
        .routes
        .iter()
        .filter(|r| {
            !r.route
                .template
                .starts_with("/identityGovernance/lifecycleWorkflows")
        })
        .map(|r| format!("| {} | `{}` |", r.route.op.method, r.route.template))
        .collect();
    extra.dedup();
    // JSON batching is answered before the route table is consulted.
    extra.push("| POST | `/$batch` |".to_string());
    out.push_str("\n## Also served (outside the reference list)\n\n");
    out.push_str(
        "Paths are relative to the version root (`/beta`).\n\n| method | path |\n|---|---|\n",
    );
    for l in &extra {
        out.push_str(l);
        out.push('\n');
    }
    out
}
