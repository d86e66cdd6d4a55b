use super::*;
use crate::filter::parse_filter;

struct Cols;

impl SqlColumns for Cols {
    fn column(&self, path: &[String]) -> Option<SqlColumn> {
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let (expr, kind) = match path.as_slice() {
            ["displayName"] => ("display_name", SqlKind::Text),
            ["id"] => ("id", SqlKind::Guid),
            ["version"] => ("version", SqlKind::Int),
            ["isEnabled"] => ("is_enabled", SqlKind::Bool),
            ["createdDateTime"] => ("created_at", SqlKind::DateTime),
            ["category"] => ("category", SqlKind::Flags),
            ["manager", "id"] => ("manager_id", SqlKind::Guid),
            ["description"] => ("description", SqlKind::Text),
            _ => return None,
        };
        Some(SqlColumn {
            expr: expr.into(),
            kind,
        })
    }
}

fn sql(filter: &str, d: Dialect) -> (String, Vec<SqlParam>) {
    let e = match parse_filter(filter) {
        Ok(e) => e,
        Err(e) => panic!("{filter}: {e}"),
    };
    match to_sql(&e, &Cols, d, 1) {
        Ok(r) => r,
        Err(e) => panic!("{filter}: {e}"),
    }
}

fn sql_err(filter: &str) -> FilterError {
    let e = match parse_filter(filter) {
        Ok(e) => e,
        Err(e) => panic!("{filter}: {e}"),
    };
    match to_sql(&e, &Cols, Dialect::Sqlite, 1) {
        Ok(r) => panic!("{filter} unexpectedly translated: {r:?}"),
        Err(e) => e,
    }
}

fn text(s: &str) -> SqlParam {
    SqlParam::Text(s.into())
}

#[test]
fn simple_comparisons() {
    let (s, p) = sql("displayName eq 'a' and version gt 2", Dialect::Postgres);
    assert_eq!(s, "(LOWER(display_name) = $1 AND version > $2)");
    assert_eq!(p, vec![text("a"), SqlParam::Int(2)]);
    let (s, p) = sql("displayName ne 'a' or 3 lt version", Dialect::Sqlite);
    assert_eq!(
        s,
        "((LOWER(display_name) <> $1 OR LOWER(display_name) IS NULL) OR version > $2)"
    );
    assert_eq!(p, vec![text("a"), SqlParam::Int(3)]);
}

#[test]
fn first_param_offset() {
    let e = parse_filter("displayName eq 'a' and version eq 1").unwrap_or_else(|e| panic!("{e}"));
    let (s, p) = to_sql(&e, &Cols, Dialect::Postgres, 3).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s, "(LOWER(display_name) = $3 AND version = $4)");
    assert_eq!(p.len(), 2);
}

#[test]
fn nulls_and_not() {
    let (s, p) = sql("displayName eq null", Dialect::Sqlite);
    assert_eq!(s, "display_name IS NULL");
    assert!(p.is_empty());
    let (s, _) = sql("null ne displayName", Dialect::Sqlite);
    assert_eq!(s, "display_name IS NOT NULL");
    let (s, _) = sql("not (displayName eq 'x')", Dialect::Sqlite);
    assert_eq!(s, "NOT COALESCE((LOWER(display_name) = $1), 0)");
    let (s, _) = sql("not (displayName eq 'x')", Dialect::Postgres);
    assert_eq!(s, "NOT COALESCE((LOWER(display_name) = $1), FALSE)");
}

#[test]
fn booleans_per_dialect() {
    let (s, p) = sql("isEnabled eq true", Dialect::Sqlite);
    assert_eq!(s, "is_enabled = $1");
    assert_eq!(p, vec![SqlParam::Int(1)]);
    let (_, p) = sql("isEnabled eq false", Dialect::Postgres);
    assert_eq!(p, vec![SqlParam::Bool(false)]);
    let (s, p) = sql("isEnabled", Dialect::Postgres);
    assert_eq!(s, "is_enabled = $1");
    assert_eq!(p, vec![SqlParam::Bool(true)]);
    assert_eq!(sql("true", Dialect::Sqlite).0, "1 = 1");
}

#[test]
fn datetimes() {
    let (s, p) = sql(
        "createdDateTime ge 2024-01-01T02:00:00+02:00",
        Dialect::Postgres,
    );
    assert_eq!(s, "created_at >= $1");
    assert_eq!(p, vec![text("2024-01-01T00:00:00.000000Z")]);
    let (_, p) = sql("createdDateTime lt 2024-01-01T00:00:00.5Z", Dialect::Sqlite);
    assert_eq!(p, vec![text("2024-01-01T00:00:00.500000Z")]);
    let (s, p) = sql("createdDateTime eq 2024-01-01", Dialect::Sqlite);
    assert_eq!(s, "(created_at >= $1 AND created_at < $2)");
    assert_eq!(
        p,
        vec![
            text("2024-01-01T00:00:00.000000Z"),
            text("2024-01-02T00:00:00.000000Z")
        ]
    );
    let (s, p) = sql("createdDateTime gt 2024-01-01", Dialect::Sqlite);
    assert_eq!(s, "created_at >= $1");
    assert_eq!(p, vec![text("2024-01-02T00:00:00.000000Z")]);
    let (_, p) = sql("createdDateTime gt '2024-01-01T00:00:00Z'", Dialect::Sqlite);
    assert_eq!(p, vec![text("2024-01-01T00:00:00.000000Z")]);
}

#[test]
fn guids() {
    let (s, p) = sql(
        "id eq 1DFDFCC7-52FA-4C2E-BF3A-E3919CC12950",
        Dialect::Postgres,
    );
    assert_eq!(s, "id = $1");
    assert_eq!(p, vec![text("1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950")]);
    let (s, _) = sql("manager/id eq 'ABC'", Dialect::Postgres);
    assert_eq!(s, "manager_id = $1");
    let (s, p) = sql(
        "displayName eq 1DFDFCC7-52FA-4C2E-BF3A-E3919CC12950",
        Dialect::Sqlite,
    );
    assert_eq!(s, "LOWER(display_name) = $1");
    assert_eq!(p, vec![text("1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950")]);
}

#[test]
fn like_functions_with_escaping() {
    let (s, p) = sql("startswith(displayName,'50%_a\\b')", Dialect::Sqlite);
    assert_eq!(s, "LOWER(display_name) LIKE $1 ESCAPE '\\'");
    assert_eq!(p, vec![text("50\\%\\_a\\\\b%")]);
    let (_, p) = sql("endswith(displayName,'x')", Dialect::Postgres);
    assert_eq!(p, vec![text("%x")]);
    let (_, p) = sql("contains(displayName,'x')", Dialect::Postgres);
    assert_eq!(p, vec![text("%x%")]);
    let (s, _) = sql("startswith(tolower(displayName),'x')", Dialect::Postgres);
    assert_eq!(s, "LOWER(display_name) LIKE $1 ESCAPE '\\'");
    // Text compares case-insensitively, whatever the caller wraps it in.
    let (s, p) = sql("toupper(displayName) eq 'X'", Dialect::Postgres);
    assert_eq!(s, "LOWER(UPPER(display_name)) = $1");
    assert_eq!(p, vec![text("x")]);
    let (s, _) = sql("startswith(displayName,'x') eq false", Dialect::Postgres);
    assert_eq!(
        s,
        "NOT COALESCE((LOWER(display_name) LIKE $1 ESCAPE '\\'), FALSE)"
    );
}

#[test]
fn has_and_in() {
    let (s, p) = sql(
        "category has microsoft.graph.identityGovernance.lifecycleTaskCategory'joiner'",
        Dialect::Sqlite,
    );
    assert_eq!(s, "(',' || category || ',') LIKE $1 ESCAPE '\\'");
    assert_eq!(p, vec![text("%,joiner,%")]);
    let (s, p) = sql("category has 'joiner, leaver'", Dialect::Postgres);
    assert_eq!(
        s,
        "((',' || category || ',') LIKE $1 ESCAPE '\\' AND (',' || category || ',') LIKE $2 ESCAPE '\\')"
    );
    assert_eq!(p, vec![text("%,joiner,%"), text("%,leaver,%")]);
    let (s, p) = sql("displayName in ('a','b')", Dialect::Postgres);
    assert_eq!(s, "LOWER(display_name) IN ($1, $2)");
    assert_eq!(p, vec![text("a"), text("b")]);
    let (s, _) = sql("displayName in ('a', null)", Dialect::Postgres);
    assert_eq!(
        s,
        "(LOWER(display_name) IN ($1) OR LOWER(display_name) IS NULL)"
    );
    assert_eq!(sql("displayName in ()", Dialect::Postgres).0, "1 = 0");
    let (_, p) = sql("category eq 'joiner, leaver'", Dialect::Postgres);
    assert_eq!(p, vec![text("joiner,leaver")]);
}

#[test]
fn errors() {
    let e = sql_err("foo eq 1");
    assert_eq!(e.to_string(), "property 'foo' is not supported in $filter");
    let e = sql_err("manager/name eq 'x'");
    assert_eq!(
        e.to_string(),
        "property 'manager/name' is not supported in $filter"
    );
    assert!(sql_err("tasks/any(t: t/x eq 1)")
        .to_string()
        .contains("lambda"));
    assert!(sql_err("version eq 'x'").to_string().contains("version"));
    assert!(sql_err("displayName eq 5")
        .to_string()
        .contains("displayName"));
    assert!(sql_err("createdDateTime eq 'yesterday'")
        .to_string()
        .contains("datetime"));
    assert!(sql_err("displayName").to_string().contains("not boolean"));
    assert!(sql_err("startswith(version,'1')")
        .to_string()
        .contains("non-text"));
    assert!(sql_err("displayName in (displayName)")
        .to_string()
        .contains("literal"));
    assert!(sql_err("displayName eq version")
        .to_string()
        .contains("different types"));
}

#[test]
fn constants_fold() {
    assert_eq!(sql("1 eq 1", Dialect::Sqlite).0, "1 = 1");
    assert_eq!(sql("1 eq 2", Dialect::Sqlite).0, "1 = 0");
}

#[test]
fn orderby() {
    let ob = vec![
        OrderBy {
            path: vec!["displayName".into()],
            descending: false,
        },
        OrderBy {
            path: vec!["createdDateTime".into()],
            descending: true,
        },
    ];
    assert_eq!(
        order_by_sql(&ob, &Cols).unwrap_or_default(),
        "display_name ASC NULLS FIRST, created_at DESC NULLS LAST"
    );
    let bad = vec![OrderBy {
        path: vec!["nope".into()],
        descending: false,
    }];
    let e = order_by_sql(&bad, &Cols).err();
    assert_eq!(e.map(|e| e.option), Some("$orderby".to_string()));
}

#[test]
fn has_with_many_members_is_a_shallow_tree() {
    let (s, p) = sql("category has 'a,b,c,d'", Dialect::Sqlite);
    let like = |n: usize| format!("(',' || category || ',') LIKE ${n} ESCAPE '\\'");
    assert_eq!(
        s,
        format!(
            "(({} AND {}) AND ({} AND {}))",
            like(1),
            like(2),
            like(3),
            like(4)
        )
    );
    assert_eq!(
        p,
        vec![text("%,a,%"), text("%,b,%"), text("%,c,%"), text("%,d,%")]
    );

    // A thousand members nest about ten levels deep, not a thousand.
    let members: Vec<String> = (0..1000).map(|n| format!("m{n}")).collect();
    let (s, p) = sql(
        &format!("category has '{}'", members.join(",")),
        Dialect::Postgres,
    );
    assert_eq!(p.len(), 1000);
    let mut depth = 0usize;
    let mut deepest = 0usize;
    for c in s.chars() {
        match c {
            '(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' => depth -= 1,
            _ => {}
        }
    }
    assert!(deepest <= 12, "nested {deepest} deep");
}

#[test]
fn has_binds_a_repeated_member_once() {
    let (s, p) = sql("category has 'a,b,a,a,b'", Dialect::Sqlite);
    assert_eq!(
        s,
        "((',' || category || ',') LIKE $1 ESCAPE '\\' AND (',' || category || ',') LIKE $2 ESCAPE '\\')"
    );
    assert_eq!(p, vec![text("%,a,%"), text("%,b,%")]);
}
