//! OData system query options (`$select`, `$filter`, `$top`, ...) parsed from a raw
//! URL query string, plus response shaping for `$select`.

use std::fmt;

use serde_json::{Map, Value};

use crate::filter::{parse_filter, Expr};
use crate::percent::percent_decode;

/// An invalid or unsupported query option; the HTTP layer answers 400 BadRequest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// The option at fault, e.g. `"$top"`.
    pub option: String,
    /// A complete human-readable sentence naming the option.
    pub message: String,
}

impl QueryError {
    /// Builds an error; `message` should be a full sentence that names the option.
    pub fn new(option: impl Into<String>, message: impl Into<String>) -> Self {
        QueryError {
            option: option.into(),
            message: message.into(),
        }
    }

    fn invalid(option: &str, value: &str, expected: &str) -> Self {
        QueryError::new(
            option,
            format!("Invalid {option} value '{value}': {expected}."),
        )
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for QueryError {}

/// One `$orderby` item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBy {
    pub path: Vec<String>,
    pub descending: bool,
}

/// One `$expand` item; nested options are kept raw (e.g. `$select=id`) for the
/// endpoint to interpret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandItem {
    pub name: String,
    pub options: Option<String>,
}

/// A `$search` expression: `"displayName:Sales"`, `"Sales"` or `displayName:Sales`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// Property to search, if given (`displayName` in `"displayName:Sales"`).
    pub property: Option<String>,
    pub term: String,
}

impl Search {
    /// Case-insensitive substring match of the term against the searched property
    /// (`self.property`, else `default_property`; `/` separates path segments).
    /// Arrays of strings match if any element matches.
    pub fn matches(&self, item: &Value, default_property: &str) -> bool {
        let prop = self.property.as_deref().unwrap_or(default_property);
        let mut cur = Some(item);
        for seg in prop.split('/') {
            cur = cur.and_then(|v| v.as_object()).and_then(|o| o.get(seg));
        }
        let term = self.term.to_lowercase();
        let hit = |s: &str| s.to_lowercase().contains(&term);
        match cur {
            Some(Value::String(s)) => hit(s),
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).any(hit),
            _ => false,
        }
    }
}

/// Parsed system query options. `given` records which options were present (in
/// request order) so endpoints can reject ones they do not allow; see [`present`].
///
/// [`present`]: QueryOptions::present
#[derive(Debug, Clone, Default)]
pub struct QueryOptions {
    pub select: Option<Vec<String>>,
    pub expand: Vec<ExpandItem>,
    pub filter: Option<Expr>,
    pub filter_raw: Option<String>,
    pub orderby: Vec<OrderBy>,
    pub top: Option<usize>,
    pub skip: Option<usize>,
    pub count: bool,
    pub search: Option<Search>,
    pub skiptoken: Option<String>,
    /// Canonical names (`"$select"`, ...) of the options present, in request order.
    pub given: Vec<&'static str>,
}

impl QueryOptions {
    /// The system options present in the request, e.g. `["$select", "$top"]`.
    pub fn present(&self) -> Vec<&'static str> {
        self.given.clone()
    }
}

const OPTIONS: &[&str] = &[
    "$select",
    "$expand",
    "$filter",
    "$orderby",
    "$top",
    "$skip",
    "$count",
    "$search",
    "$skiptoken",
    "$format",
];

/// Parses a raw URL query string (without the leading `?`).
///
/// Names and values are percent-decoded (`+` stays `+`). Parameters whose decoded
/// name does not start with `$` are not system options and are ignored. System
/// option names are matched case-insensitively; unknown or repeated ones are errors.
pub fn parse_query(raw_query: Option<&str>) -> Result<QueryOptions, QueryError> {
    let mut q = QueryOptions::default();
    let Some(raw) = raw_query else {
        return Ok(q);
    };
    for pair in raw.split('&') {
        if pair.is_empty() {
            continue;
        }
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_decode(name);
        let name = name.trim();
        if !name.starts_with('$') {
            continue;
        }
        let value = percent_decode(value);
        let lname = name.to_ascii_lowercase();
        let Some(canonical) = OPTIONS.iter().copied().find(|o| *o == lname) else {
            return Err(QueryError::new(
                name,
                format!("Query option '{name}' is not supported."),
            ));
        };
        if q.given.contains(&canonical) {
            return Err(QueryError::new(
                canonical,
                format!("Query option '{canonical}' was specified more than once."),
            ));
        }
        q.given.push(canonical);
        apply_option(&mut q, canonical, &value)?;
    }
    Ok(q)
}

fn apply_option(q: &mut QueryOptions, option: &str, value: &str) -> Result<(), QueryError> {
    match option {
        "$select" => {
            let items: Vec<String> = value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            if items.is_empty() {
                return Err(QueryError::invalid(
                    option,
                    value,
                    "expected a comma-separated list of properties",
                ));
            }
            q.select = Some(items);
        }
        "$expand" => q.expand = parse_expand(value)?,
        "$filter" => {
            let expr = parse_filter(value).map_err(|e| QueryError::new(option, e.to_string()))?;
            q.filter = Some(expr);
            q.filter_raw = Some(value.to_string());
        }
        "$orderby" => q.orderby = parse_orderby(value)?,
        "$top" => q.top = Some(parse_count_value(option, value)?),
        "$skip" => q.skip = Some(parse_count_value(option, value)?),
        "$count" => {
            q.count = match value.trim().to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(QueryError::invalid(option, value, "expected true or false")),
            }
        }
        "$search" => q.search = Some(parse_search(value)?),
        "$skiptoken" => q.skiptoken = Some(value.to_string()),
        "$format" => {
            let v = value.trim().to_ascii_lowercase();
            if v != "json" && v != "application/json" {
                return Err(QueryError::invalid(
                    option,
                    value,
                    "only 'json' is supported",
                ));
            }
        }
        _ => {
            return Err(QueryError::new(
                option,
                format!("Query option '{option}' is not supported."),
            ))
        }
    }
    Ok(())
}

fn parse_count_value(option: &str, value: &str) -> Result<usize, QueryError> {
    let v = value.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(QueryError::invalid(
            option,
            value,
            "expected a non-negative integer",
        ));
    }
    v.parse::<usize>()
        .map_err(|_| QueryError::invalid(option, value, "the number is too large"))
}

/// Splits `$expand` at top-level commas; `tasks($select=id;$top=1)` keeps its
/// parenthesised options raw.
fn parse_expand(value: &str) -> Result<Vec<ExpandItem>, QueryError> {
    let bad = |why: &str| QueryError::invalid("$expand", value, why);
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    let mut parts = Vec::new();
    for (i, c) in value.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| bad("unbalanced parentheses"))?
            }
            ',' if depth == 0 => {
                parts.push(value.get(start..i).unwrap_or_default());
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err(bad("unbalanced parentheses"));
    }
    parts.push(value.get(start..).unwrap_or_default());
    for part in parts {
        let part = part.trim();
        if part.is_empty() {
            return Err(bad(
                "expected a comma-separated list of navigation properties",
            ));
        }
        let item = match part.find('(') {
            None => ExpandItem {
                name: part.to_string(),
                options: None,
            },
            Some(open) => {
                let name = part.get(..open).unwrap_or_default().trim();
                let rest = part.get(open + 1..).unwrap_or_default();
                let Some(inner) = rest.strip_suffix(')') else {
                    return Err(bad("unexpected text after ')'"));
                };
                if name.is_empty() {
                    return Err(bad("expected a navigation property name before '('"));
                }
                ExpandItem {
                    name: name.to_string(),
                    options: Some(inner.to_string()),
                }
            }
        };
        items.push(item);
    }
    Ok(items)
}

/// `prop [asc|desc], other/prop desc`. A `+` separator (form-encoded space) is
/// accepted because property names can never contain one.
fn parse_orderby(value: &str) -> Result<Vec<OrderBy>, QueryError> {
    let bad = |why: &str| QueryError::invalid("$orderby", value, why);
    let mut out = Vec::new();
    for item in value.split(',') {
        let normalized = item.replace('+', " ");
        let mut words = normalized.split_whitespace();
        let Some(prop) = words.next() else {
            return Err(bad("expected a property name"));
        };
        let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => return Err(bad("expected 'asc' or 'desc' after the property name")),
        };
        if words.next().is_some() {
            return Err(bad("unexpected text after the sort direction"));
        }
        let path: Vec<String> = prop.split('/').map(String::from).collect();
        if path.iter().any(|s| s.is_empty()) {
            return Err(bad("empty segment in property path"));
        }
        out.push(OrderBy { path, descending });
    }
    Ok(out)
}

fn parse_search(value: &str) -> Result<Search, QueryError> {
    let v = value.trim();
    let unquoted = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(v);
    let (property, term) = match unquoted.split_once(':') {
        Some((p, t)) if is_property_name(p.trim()) => (Some(p.trim().to_string()), t.trim()),
        _ => (None, unquoted.trim()),
    };
    if term.is_empty() {
        return Err(QueryError::invalid(
            "$search",
            value,
            "expected a search term such as \"displayName:Sales\"",
        ));
    }
    Ok(Search {
        property,
        term: term.to_string(),
    })
}

fn is_property_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '/' || c == '.')
}

/// Keeps only the selected top-level properties (`manager/id` keeps `manager`),
/// plus `always_keep` (e.g. `id`) and annotations (`@odata.*` keys and
/// `prop@odata.*` of kept properties). Names match case-insensitively; `*` keeps all.
pub fn apply_select(item: &mut Map<String, Value>, select: &[String], always_keep: &[&str]) {
    if select.iter().any(|s| s.trim() == "*") {
        return;
    }
    let wanted = |key: &str| {
        select.iter().any(|s| {
            let top = s.split('/').next().unwrap_or_default().trim();
            top.eq_ignore_ascii_case(key)
        }) || always_keep.iter().any(|k| k.eq_ignore_ascii_case(key))
    };
    item.retain(|key, _| match key.split_once('@') {
        Some(("", _)) => true,
        Some((prop, _)) => wanted(prop),
        None => wanted(key),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(q: &str) -> QueryOptions {
        match parse_query(Some(q)) {
            Ok(o) => o,
            Err(e) => panic!("{q}: {e}"),
        }
    }

    fn err(q: &str) -> QueryError {
        match parse_query(Some(q)) {
            Ok(o) => panic!("{q} unexpectedly parsed: {o:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn none_and_empty() {
        assert!(parse_query(None)
            .map(|q| q.present().is_empty())
            .unwrap_or(false));
        assert!(ok("").present().is_empty());
        assert!(ok("&&").present().is_empty());
    }

    #[test]
    fn select_both_spellings() {
        let q = ok("$select=id, displayName");
        assert_eq!(
            q.select,
            Some(vec!["id".to_string(), "displayName".to_string()])
        );
        let q = ok("%24select=id,displayName&%24top=5");
        assert_eq!(
            q.select,
            Some(vec!["id".to_string(), "displayName".to_string()])
        );
        assert_eq!(q.top, Some(5));
        assert_eq!(q.present(), vec!["$select", "$top"]);
        assert_eq!(ok("$SELECT=id").present(), vec!["$select"]);
    }

    #[test]
    fn non_system_ignored() {
        let q = ok("api-version=2&foo=%24bar&$top=1");
        assert_eq!(q.present(), vec!["$top"]);
    }

    #[test]
    fn filter_plus_and_space() {
        let q = ok("$filter=displayName%20eq%20'a+b'");
        assert_eq!(q.filter_raw.as_deref(), Some("displayName eq 'a+b'"));
        let q = ok("$filter=createdDateTime%20ge%202024-01-01T00:00:00%2B02:00");
        assert!(q.filter.is_some());
        let q = ok("$filter=createdDateTime%20ge%202024-01-01T00:00:00+02:00");
        assert_eq!(
            q.filter_raw.as_deref(),
            Some("createdDateTime ge 2024-01-01T00:00:00+02:00")
        );
        assert!(q.filter.is_some());
        let e = err("$filter=displayName%20eq");
        assert_eq!(e.option, "$filter");
        assert!(e.to_string().contains("expected a value after 'eq'"), "{e}");
    }

    #[test]
    fn errors() {
        let e = err("$top=abc");
        assert_eq!(e.option, "$top");
        assert_eq!(
            e.to_string(),
            "Invalid $top value 'abc': expected a non-negative integer."
        );
        assert_eq!(err("$skip=-1").option, "$skip");
        assert_eq!(err("$top=").option, "$top");
        assert_eq!(err("$top=99999999999999999999999999").option, "$top");
        let e = err("$top=1&$top=2");
        assert!(e.to_string().contains("more than once"));
        let e = err("$select=id&%24select=x");
        assert_eq!(e.option, "$select");
        let e = err("$apply=x");
        assert_eq!(e.option, "$apply");
        assert!(e.to_string().contains("not supported"));
        assert_eq!(err("$count=maybe").option, "$count");
        assert_eq!(err("$format=xml").option, "$format");
        assert_eq!(err("$select=").option, "$select");
        assert_eq!(err("$orderby=a%20up").option, "$orderby");
        assert_eq!(err("$orderby=").option, "$orderby");
        assert_eq!(err("$expand=a(b").option, "$expand");
        assert_eq!(err("$expand=a)b(").option, "$expand");
        assert_eq!(err("$search=%22%22").option, "$search");
    }

    #[test]
    fn misc_options() {
        let q = ok("$count=TRUE&$skip=10&$skiptoken=abc%3D%3D&$format=json");
        assert!(q.count);
        assert_eq!(q.skip, Some(10));
        assert_eq!(q.skiptoken.as_deref(), Some("abc=="));
        assert_eq!(
            q.present(),
            vec!["$count", "$skip", "$skiptoken", "$format"]
        );
        assert!(!ok("$count=false").count);
    }

    #[test]
    fn orderby() {
        let q = ok("$orderby=displayName%20desc,manager/id,createdDateTime+asc");
        assert_eq!(
            q.orderby,
            vec![
                OrderBy {
                    path: vec!["displayName".into()],
                    descending: true
                },
                OrderBy {
                    path: vec!["manager".into(), "id".into()],
                    descending: false
                },
                OrderBy {
                    path: vec!["createdDateTime".into()],
                    descending: false
                },
            ]
        );
    }

    #[test]
    fn expand() {
        let q = ok("$expand=tasks($select=id,displayName;$top=2),runs,manager($levels=max)");
        assert_eq!(
            q.expand,
            vec![
                ExpandItem {
                    name: "tasks".into(),
                    options: Some("$select=id,displayName;$top=2".into())
                },
                ExpandItem {
                    name: "runs".into(),
                    options: None
                },
                ExpandItem {
                    name: "manager".into(),
                    options: Some("$levels=max".into())
                },
            ]
        );
    }

    #[test]
    fn search() {
        let s = |q: &str| ok(q).search;
        assert_eq!(
            s("$search=%22displayName:Sales%22"),
            Some(Search {
                property: Some("displayName".into()),
                term: "Sales".into()
            })
        );
        assert_eq!(
            s("$search=\"Sales\""),
            Some(Search {
                property: None,
                term: "Sales".into()
            })
        );
        assert_eq!(
            s("$search=displayName:Sales%20Team"),
            Some(Search {
                property: Some("displayName".into()),
                term: "Sales Team".into()
            })
        );
        let item = json!({"displayName": "Global Sales Team", "mail": "x@y"});
        let q = Search {
            property: None,
            term: "sales".into(),
        };
        assert!(q.matches(&item, "displayName"));
        assert!(!q.matches(&item, "mail"));
        let q = Search {
            property: Some("mail".into()),
            term: "X@".into(),
        };
        assert!(q.matches(&item, "displayName"));
    }

    #[test]
    fn select_shaping() {
        let mut item = json!({
            "@odata.type": "#x",
            "id": "1",
            "displayName": "a",
            "description": "b",
            "tasks@odata.context": "c",
            "tasks": [],
            "manager": {"id": "m"},
            "other@odata.type": "t"
        })
        .as_object()
        .cloned()
        .unwrap_or_default();
        apply_select(
            &mut item,
            &["DisplayName".into(), "tasks".into(), "manager/id".into()],
            &["id"],
        );
        let keys: Vec<&str> = item.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            vec![
                "@odata.type",
                "id",
                "displayName",
                "tasks@odata.context",
                "tasks",
                "manager"
            ]
        );
    }
}
