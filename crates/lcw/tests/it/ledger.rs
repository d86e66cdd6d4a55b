//! The coverage ledger: the committed `LEDGER.md` matches what the router serves, every
//! reference endpoint is accounted for, and the server answers each as the ledger says.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};

use crate::both_backends;
use crate::harness::lcw_bin;

const LW: &str = "/identityGovernance/lifecycleWorkflows";
/// Each version: its ledger heading, its reference list and that list's length.
const VERSIONS: [(&str, &str, usize); 2] = [
    ("beta", "crates/api/reference/api-endpoints.json", 312),
    ("v1.0", "crates/api/reference/api-endpoints-v1.0.json", 259),
];

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn rendered() -> String {
    let out = Command::new(lcw_bin()).arg("ledger").output().unwrap();
    assert!(out.status.success(), "lcw ledger failed");
    String::from_utf8(out.stdout).unwrap()
}

fn reference(file: &str) -> Vec<(String, String)> {
    let path = workspace_root().join(file);
    let v: Vec<Value> = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v.iter()
        .map(|e| {
            (
                e["method"].as_str().unwrap().to_string(),
                e["path"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The part of the ledger about one version (`## /beta` up to the next `## `).
fn version_part(ledger: &str, version: &str) -> String {
    let heading = format!("\n## /{version}\n");
    let start = ledger
        .find(&heading)
        .unwrap_or_else(|| panic!("no '{heading}'"));
    let rest = &ledger[start + heading.len()..];
    rest[..rest.find("\n## ").unwrap_or(rest.len())].to_string()
}

/// `(method, path)` rows of one ledger section, paths made absolute again.
fn section(ledger: &str, heading: &str) -> Vec<(String, String)> {
    let start = ledger
        .find(heading)
        .unwrap_or_else(|| panic!("no '{heading}'"));
    ledger[start + heading.len()..]
        .lines()
        .skip_while(|l| !l.starts_with("|---"))
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (
                cells[0].to_string(),
                // The ledger writes the container root as `/`.
                format!("{LW}{}", cells[1].trim_matches('`').trim_end_matches('/')),
            )
        })
        .collect()
}

fn count_line(ledger: &str, label: &str) -> usize {
    ledger
        .lines()
        .find_map(|l| l.strip_prefix(&format!("- {label}: ")))
        .unwrap_or_else(|| panic!("no '{label}' line"))
        .parse()
        .unwrap()
}

#[test]
fn committed_ledger_is_current() {
    let path = workspace_root().join("LEDGER.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let now = rendered();
    assert!(
        committed == now,
        "LEDGER.md is stale (or missing). Regenerate it with\n\n    cargo run -p lcw -- ledger > LEDGER.md\n\nand commit the result."
    );
}

#[test]
fn every_reference_endpoint_is_served_or_listed_as_501() {
    let ledger = rendered();
    for (version, file, total) in VERSIONS {
        let part = version_part(&ledger, version);
        let reference = reference(file);
        assert_eq!(reference.len(), total, "{file}");
        let served = section(&part, &format!("### Served (/{version})"));
        let missing = section(&part, &format!("### Not implemented (501) (/{version})"));
        assert_eq!(count_line(&part, "reference endpoints"), total);
        assert_eq!(count_line(&part, "served"), served.len());
        assert_eq!(
            count_line(&part, "not implemented (501 NotImplemented)"),
            missing.len()
        );
        assert_eq!(served.len() + missing.len(), total);
        let listed: Vec<&(String, String)> = served.iter().chain(missing.iter()).collect();
        let unique: HashSet<&(String, String)> = listed.iter().copied().collect();
        assert_eq!(
            unique.len(),
            total,
            "an endpoint of /{version} is listed twice"
        );
        let want: HashSet<&(String, String)> = reference.iter().collect();
        assert_eq!(unique, want, "/{version} ledger rows differ from {file}");
        assert!(
            served.len() >= 80,
            "/{version} served count dropped to {}",
            served.len()
        );
    }
    // Every v1.0 endpoint is served: v1.0 is a subset of what lcw serves on beta.
    let v1 = version_part(&ledger, "v1.0");
    assert_eq!(count_line(&v1, "served"), 259, "{v1}");
}

/// A concrete URL for a reference template: keys become GUIDs (version numbers `1`),
/// function parameters a date-time.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') {
                if seg.contains("versionNumber") {
                    "1".to_string()
                } else {
                    uuid::Uuid::new_v4().to_string()
                }
            } else if seg.contains('(') {
                let mut out = String::new();
                let mut in_brace = false;
                for c in seg.chars() {
                    match c {
                        '{' => {
                            in_brace = true;
                            out.push_str("2024-01-01T00:00:00Z");
                        }
                        '}' => in_brace = false,
                        _ if in_brace => {}
                        _ => out.push(c),
                    }
                }
                out
            } else {
                seg.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

both_backends!(the_server_answers_as_the_ledger_says, |t| {
    let ledger = rendered();
    for (version, _, _) in VERSIONS {
        answers_as_listed(&t, &version_part(&ledger, version), version).await;
    }
});

/// Each endpoint the ledger lists for `version` answers as listed there: 501, or routed to
/// a handler (not 501, 405 or an unknown segment, and no server error) for a request of
/// the listed shape.
async fn answers_as_listed(t: &crate::harness::Tenant, part: &str, version: &str) {
    let root = t.server.base.replace("/beta", &format!("/{version}"));
    for (method, path) in section(part, &format!("### Not implemented (501) (/{version})")) {
        let url = format!("{root}{}", concrete(&path));
        let body = matches!(method.as_str(), "POST" | "PATCH" | "PUT").then(|| json!({}));
        let r = t.send(&method, &url, body.as_ref()).await;
        assert_eq!(r.status, 501, "{method} {url}: {}", r.text);
        assert_eq!(r.code(), "NotImplemented", "{method} {url}");
    }
    for (method, path) in section(part, &format!("### Served (/{version})")) {
        let url = format!("{root}{}", concrete(&path));
        let body = matches!(method.as_str(), "POST" | "PATCH" | "PUT").then(|| json!({}));
        let r = t.send(&method, &url, body.as_ref()).await;
        let unrouted = r.status == 501
            || r.status == 405
            || (r.status == 400
                && r.body["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("Resource not found for the segment")));
        assert!(
            !unrouted,
            "served {method} {url} -> {}: {}",
            r.status, r.text
        );
        assert!(r.status < 500, "{method} {url} -> {}: {}", r.status, r.text);
    }
}
