//! The coverage ledger: the committed `LEDGER.md` matches what the router serves, every
//! reference endpoint is accounted for, and the server answers each as the ledger says.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};

use crate::both_backends;
use crate::harness::lcw_bin;

const LW: &str = "/identityGovernance/lifecycleWorkflows";
const REFERENCE_TOTAL: usize = 310;

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

fn reference() -> Vec<(String, String)> {
    let path = workspace_root().join("crates/api/reference/api-endpoints.json");
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
    let reference = reference();
    assert_eq!(reference.len(), REFERENCE_TOTAL);
    let served = section(&ledger, "## Served");
    let missing = section(&ledger, "## Not implemented (501)");
    assert_eq!(count_line(&ledger, "reference endpoints"), REFERENCE_TOTAL);
    assert_eq!(count_line(&ledger, "served"), served.len());
    assert_eq!(
        count_line(&ledger, "not implemented (501 NotImplemented)"),
        missing.len()
    );
    assert_eq!(served.len() + missing.len(), REFERENCE_TOTAL);
    let listed: Vec<&(String, String)> = served.iter().chain(missing.iter()).collect();
    let unique: HashSet<&(String, String)> = listed.iter().copied().collect();
    assert_eq!(unique.len(), REFERENCE_TOTAL, "an endpoint is listed twice");
    let want: HashSet<&(String, String)> = reference.iter().collect();
    assert_eq!(unique, want, "ledger rows differ from the reference list");
    assert!(
        served.len() >= 80,
        "served count dropped to {}",
        served.len()
    );
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
    for (method, path) in section(&ledger, "## Not implemented (501)") {
        let url = concrete(&path);
        let body = matches!(method.as_str(), "POST" | "PATCH" | "PUT").then(|| json!({}));
        let r = t.send(&method, &url, body.as_ref()).await;
        assert_eq!(r.status, 501, "{method} {url}: {}", r.text);
        assert_eq!(r.code(), "NotImplemented", "{method} {url}");
    }
    for (method, path) in section(&ledger, "## Served") {
        let url = concrete(&path);
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
});
