//! The bodies of lcw's fuzz targets, one per entry point that reads untrusted text. The
//! libFuzzer targets (`fuzz_targets/`) and the stable smoke run (`examples/smoke.rs`) both
//! call these, so the smoke run exercises exactly what the fuzzers do.
//!
//! Each body panics when something is wrong: a panic in the code under test, or a broken
//! invariant checked here (placeholders that do not match the bound parameters, a quote in
//! generated SQL that did not come from the translation itself, `not` that does not negate).

use odata::{
    order_by_sql, parse_datetime_param, parse_filter, parse_function_params, parse_query, to_sql,
    Dialect, EvalOptions, Expr, SqlColumn, SqlColumns, SqlKind, SqlParam,
};
use serde_json::{json, Value};

/// A target: its name (also its corpus folder) and its body.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, in the order the smoke run visits them.
pub const TARGETS: &[Target] = &[
    ("filter_sql", filter_sql),
    ("filter_eval", filter_eval),
    ("query_options", query_options),
    ("function_params", function_params),
];

/// `$filter` text to parameterised SQL, in both dialects.
pub fn filter_sql(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(expr) = parse_filter(&text) {
        translate_both(&expr);
    }
}

/// `$filter` text evaluated over JSON documents. Input: the filter, then optionally a
/// NUL byte and a JSON document to evaluate it over as well.
pub fn filter_eval(data: &[u8]) {
    let (filter, doc) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], data.get(at + 1..)),
        None => (data, None),
    };
    let filter = String::from_utf8_lossy(filter);
    let Ok(expr) = parse_filter(&filter) else {
        return;
    };
    let mut docs = fixed_documents();
    if let Some(doc) = doc.and_then(|d| serde_json::from_slice::<Value>(d).ok()) {
        docs.push(doc);
    }
    let _ = expr.property_paths();
    // `not (f)` must be the exact opposite of `f`: evaluation maps unknown to false first.
    let negated = parse_filter(&format!("not ({filter})")).ok();
    for doc in &docs {
        for case_insensitive in [false, true] {
            let opts = EvalOptions { case_insensitive };
            let hit = expr.matches_with(doc, &opts);
            if let Some(negated) = &negated {
                assert_ne!(
                    hit,
                    negated.matches_with(doc, &opts),
                    "not ({filter}) over {doc}"
                );
            }
        }
    }
}

/// A whole query string through `parse_query`, then whatever it parsed through the
/// consumers the server runs next.
pub fn query_options(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(options) = parse_query(Some(&text)) else {
        return;
    };
    if let Some(expr) = &options.filter {
        translate_both(expr);
        for doc in fixed_documents() {
            let _ = expr.matches(&doc);
        }
    }
    let _ = order_by_sql(&options.orderby, &Columns);
    if let Some(search) = &options.search {
        for doc in fixed_documents() {
            let _ = search.matches(&doc, "displayName");
        }
    }
    if let (Some(select), Value::Object(mut item)) = (&options.select, fixed_documents().remove(0))
    {
        odata::apply_select(&mut item, select, &["id"]);
    }
    let _ = options.present();
}

/// Bound-function parameters (`summary(startDateTime=...,endDateTime=...)`), the text
/// inside the parentheses.
pub fn function_params(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(params) = parse_function_params(&text, &["startDateTime", "endDateTime"]) {
        for (_, value) in params {
            let _ = parse_datetime_param(&value);
        }
    }
    let _ = parse_function_params(&text, &["on", "reason", "", "é"]);
    let _ = parse_datetime_param(&text);
}

fn translate_both(expr: &Expr) {
    for dialect in [Dialect::Sqlite, Dialect::Postgres] {
        for first_param in [1, 3] {
            if let Ok((sql, params)) = to_sql(expr, &Columns, dialect, first_param) {
                check_sql(&sql, &params, first_param);
            }
        }
    }
}

/// Placeholders `$first..` match the parameters one to one, and every quote in the SQL
/// belongs to a fragment the translation writes itself (values are never inlined).
fn check_sql(sql: &str, params: &[SqlParam], first_param: usize) {
    let mut used = vec![false; params.len()];
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        rest = &rest[at + 1..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        let n: usize = rest[..digits]
            .parse()
            .unwrap_or_else(|_| panic!("'$' without a number in {sql}"));
        let slot = n
            .checked_sub(first_param)
            .and_then(|i| used.get_mut(i))
            .unwrap_or_else(|| panic!("${n} has no parameter in {sql} ({params:?})"));
        *slot = true;
        rest = &rest[digits..];
    }
    assert!(used.iter().all(|u| *u), "unused parameters in {sql}");
    let own_quotes = sql.replace("','", "").replace("'\\'", "");
    assert!(!own_quotes.contains('\''), "a quote reached the SQL: {sql}");
}

/// Columns of every kind, under the names the seed corpus uses.
struct Columns;

impl SqlColumns for Columns {
    fn column(&self, path: &[String]) -> Option<SqlColumn> {
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let (expr, kind) = match path.as_slice() {
            ["displayName"] => ("display_name", SqlKind::Text),
            ["department"] => ("department", SqlKind::Text),
            ["id"] => ("id", SqlKind::Guid),
            ["manager", "id"] => ("manager_id", SqlKind::Guid),
            ["version"] => ("version", SqlKind::Int),
            ["isEnabled"] => ("is_enabled", SqlKind::Bool),
            ["createdDateTime"] => ("created_at", SqlKind::DateTime),
            ["employeeHireDate"] => ("employee_hire_date", SqlKind::DateTime),
            ["category"] => ("category", SqlKind::Flags),
            _ => return None,
        };
        Some(SqlColumn {
            expr: expr.into(),
            kind,
        })
    }
}

/// Documents shaped like lcw's: a workflow, a user, and a few odd values.
fn fixed_documents() -> Vec<Value> {
    vec![
        json!({
            "id": "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950",
            "displayName": "Onboard Sales",
            "category": "joiner,leaver",
            "version": 3,
            "isEnabled": true,
            "createdDateTime": "2026-01-02T03:04:05Z",
            "tasks": [
                {"displayName": "Enable", "arguments": [{"name": "a", "value": "1"}]},
                {"displayName": "Mail", "arguments": []}
            ],
            "manager": {"id": "00000000-0000-0000-0000-0000000000a1"}
        }),
        json!({
            "displayName": "Ada",
            "department": "sales",
            "employeeHireDate": "2026-05-01T00:00:00Z",
            "accountEnabled": false,
            "memberOf": [{"id": "g1", "displayName": "Team"}],
            "parameters": [{"name": "p", "values": ["g1", "g2"]}],
            "tags": ["a", "b"]
        }),
        json!({"displayName": null, "version": 1.5e300, "tasks": null, "tags": [1, null, "x"]}),
        json!([]),
        json!("text"),
    ]
}
