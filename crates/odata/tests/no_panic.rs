//! Property tests: the parsers never panic, whatever the input, and deep nesting
//! is reported as an error instead of overflowing the stack.

use odata::{
    parse_filter, parse_function_params, parse_query, to_sql, Dialect, EvalOptions, SqlColumn,
    SqlColumns, SqlKind,
};
use proptest::prelude::*;
use serde_json::json;

const TOKENS: &[&str] = &[
    "(",
    ")",
    "'",
    "''",
    " ",
    ",",
    "/",
    ":",
    "eq",
    "ne",
    "gt",
    "and",
    "or",
    "not",
    "in",
    "has",
    "any(",
    "all(",
    "any()",
    "x",
    "p",
    "a/b",
    "0",
    "1",
    "9",
    "-",
    "2024-01-01",
    "T10:00:00Z",
    "+02:00",
    "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950",
    "startswith(",
    "tolower(",
    "true",
    "null",
    "'s'",
    "ns.enum'x'",
    ".",
    "e",
    "%",
    "é",
    "\u{0}",
    "$",
];

fn token_string() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..40).prop_map(|v| v.concat())
}

struct AllText;

impl SqlColumns for AllText {
    fn column(&self, path: &[String]) -> Option<SqlColumn> {
        let kind = match path.first().map(String::as_str) {
            Some("x") => SqlKind::Text,
            Some("p") => SqlKind::Flags,
            Some("a") => SqlKind::DateTime,
            _ => return None,
        };
        Some(SqlColumn {
            expr: "c".into(),
            kind,
        })
    }
}

/// Runs every consumer of a parsed expression; none may panic.
fn exercise(s: &str) {
    if let Ok(e) = parse_filter(s) {
        let item = json!({"x": "abc", "p": [{"name": "a"}], "a": {"b": 1}});
        let _ = e.matches(&item);
        let _ = e.matches_with(
            &item,
            &EvalOptions {
                case_insensitive: true,
            },
        );
        let _ = e.property_paths();
        let _ = to_sql(&e, &AllText, Dialect::Sqlite, 1);
        let _ = to_sql(&e, &AllText, Dialect::Postgres, 1);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn filter_never_panics_on_arbitrary_strings(s in any::<String>()) {
        exercise(&s);
    }

    #[test]
    fn filter_never_panics_on_token_soup(s in token_string()) {
        exercise(&s);
    }

    #[test]
    fn query_never_panics(s in any::<String>(), t in token_string()) {
        let _ = parse_query(Some(&s));
        let _ = parse_query(Some(&format!("$filter={t}&$orderby={t}&$expand={t}&$search={t}&$top={t}")));
    }

    #[test]
    fn function_params_never_panic(s in any::<String>(), t in token_string()) {
        let _ = parse_function_params(&s, &["startDateTime", "endDateTime"]);
        let _ = parse_function_params(&t, &["x", "p", "", "é"]);
        let _ = odata::parse_datetime_param(&s);
    }
}

#[test]
fn deep_nesting_is_an_error() {
    for open in ["(", "not ", "not(", "startswith(", "x/any(y:", "tolower("] {
        let s = format!("{}x eq 1", open.repeat(10_000));
        let r = parse_filter(&s);
        assert!(r.is_err(), "{open}");
        let msg = r.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("nested too deeply"), "{open}: {msg}");
    }
    let s = format!("x eq 1{}", ")".repeat(10_000));
    assert!(parse_filter(&s).is_err());
}

#[test]
fn huge_flat_input_is_fine() {
    let s = vec!["x eq 'a'"; 100_000].join(" or ");
    let e = parse_filter(&s);
    assert!(e.is_ok());
    if let Ok(e) = e {
        assert!(!e.matches(&json!({"x": "b"})));
        assert!(to_sql(&e, &AllText, Dialect::Sqlite, 1).is_ok());
    }
}

/// The nesting limits keep the worst accepted input well inside a small thread
/// stack (tokio workers default to 2 MiB), even in unoptimised debug builds.
#[test]
fn worst_case_fits_small_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(|| {
            let item = json!({"x": "abc", "p": "a,b"});
            let mut inputs = Vec::new();
            let long_chain = format!("({} or ", vec!["x eq 'a'"; 40].join(" or "));
            // Deepest accepted nesting of each construct.
            for (open, body, close) in [
                ("(", "x eq 1", ")"),
                ("not ", "x eq 1", ""),
                ("not(", "x eq 1", ")"),
                ("startswith(tolower(", "x", "),'a')"),
                ("x/any(y:", "x eq 1", ")"),
                // Long chains at every level: limited by the tree depth, not nesting.
                (long_chain.as_str(), "p has 'a'", ")"),
                ("(x eq 'a' and not (", "x eq 1", "))"),
            ] {
                let e = (1..200)
                    .map(|n| format!("{}{body}{}", open.repeat(n), close.repeat(n)))
                    .map_while(|s| parse_filter(&s).ok())
                    .last();
                assert!(e.is_some(), "{open}");
                inputs.extend(e);
            }
            for e in inputs {
                let _ = e.matches(&item);
                let _ = e.matches_with(
                    &item,
                    &EvalOptions {
                        case_insensitive: true,
                    },
                );
                let _ = e.property_paths();
                let _ = to_sql(&e, &AllText, Dialect::Postgres, 1);
                let _ = to_sql(&e, &AllText, Dialect::Sqlite, 1);
                drop(e.clone());
                let _ = format!("{e:?}");
                assert_eq!(e, e.clone());
            }
        });
    assert!(handle.map(|h| h.join().is_ok()).unwrap_or(false));
}

#[test]
fn tree_depth_limit_applies_to_long_chains_per_level() {
    let open = format!("({} or ", vec!["x eq 'a'"; 40].join(" or "));
    let s = format!("{}x eq 1{}", open.repeat(30), ")".repeat(30));
    let msg = parse_filter(&s)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(msg.contains("nested too deeply (limit 128)"), "{msg}");
}
