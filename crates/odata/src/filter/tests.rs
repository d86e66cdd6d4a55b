use super::*;

fn p(s: &str) -> Expr {
    match parse_filter(s) {
        Ok(e) => e,
        Err(e) => panic!("parse of {s:?} failed: {e}"),
    }
}

fn prop(s: &str) -> Expr {
    Expr::Property(s.split('/').map(String::from).collect())
}

fn s(v: &str) -> Expr {
    Expr::Literal(Literal::String(v.into()))
}

fn cmp(op: CmpOp, a: Expr, b: Expr) -> Expr {
    Expr::Compare(op, Box::new(a), Box::new(b))
}

fn err(s: &str) -> FilterError {
    match parse_filter(s) {
        Ok(e) => panic!("parse of {s:?} unexpectedly succeeded: {e:?}"),
        Err(e) => e,
    }
}

#[test]
fn comparisons() {
    for (kw, op) in [
        ("eq", CmpOp::Eq),
        ("ne", CmpOp::Ne),
        ("gt", CmpOp::Gt),
        ("ge", CmpOp::Ge),
        ("lt", CmpOp::Lt),
        ("le", CmpOp::Le),
    ] {
        assert_eq!(
            p(&format!("displayName {kw} 'x'")),
            cmp(op, prop("displayName"), s("x"))
        );
    }
}

#[test]
fn literals() {
    let lit = |src: &str| match p(&format!("a eq {src}")) {
        Expr::Compare(_, _, r) => match *r {
            Expr::Literal(l) => l,
            other => panic!("not a literal: {other:?}"),
        },
        other => panic!("not a comparison: {other:?}"),
    };
    assert_eq!(lit("'it''s'"), Literal::String("it's".into()));
    assert_eq!(lit("''"), Literal::String(String::new()));
    assert_eq!(lit("42"), Literal::Int(42));
    assert_eq!(lit("-7"), Literal::Int(-7));
    assert_eq!(lit("1.5"), Literal::Float(1.5));
    assert_eq!(lit("2e3"), Literal::Float(2000.0));
    assert_eq!(lit("true"), Literal::Bool(true));
    assert_eq!(lit("FALSE"), Literal::Bool(false));
    assert_eq!(lit("Null"), Literal::Null);
    assert_eq!(
        lit("2024-01-01"),
        Literal::Date(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default())
    );
    let dt = |s: &str| DateTime::parse_from_rfc3339(s).unwrap_or_default();
    assert_eq!(
        lit("2024-01-01T00:00:00Z"),
        Literal::DateTime(dt("2024-01-01T00:00:00Z"))
    );
    assert_eq!(
        lit("2024-01-01T10:00:00+02:00"),
        Literal::DateTime(dt("2024-01-01T08:00:00Z"))
    );
    assert_eq!(
        lit("2024-01-01T10:00:00.123-05:00"),
        Literal::DateTime(dt("2024-01-01T10:00:00.123-05:00"))
    );
    assert_eq!(
        lit("2024-01-01T10:00Z"),
        Literal::DateTime(dt("2024-01-01T10:00:00Z"))
    );
    assert_eq!(
        lit("1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950"),
        Literal::Guid("1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950".into())
    );
    assert_eq!(
        lit("ABCDEFAB-52fa-4c2e-bf3a-e3919cc12950"),
        Literal::Guid("ABCDEFAB-52fa-4c2e-bf3a-e3919cc12950".into())
    );
    assert_eq!(
        lit("microsoft.graph.identityGovernance.lifecycleTaskCategory'joiner'"),
        Literal::String("joiner".into())
    );
}

#[test]
fn precedence() {
    // and binds tighter than or
    assert_eq!(
        p("a eq 1 or b eq 2 and c eq 3"),
        Expr::Or(
            Box::new(cmp(CmpOp::Eq, prop("a"), Expr::Literal(Literal::Int(1)))),
            Box::new(Expr::And(
                Box::new(cmp(CmpOp::Eq, prop("b"), Expr::Literal(Literal::Int(2)))),
                Box::new(cmp(CmpOp::Eq, prop("c"), Expr::Literal(Literal::Int(3)))),
            ))
        )
    );
    // parentheses override
    assert!(matches!(
        p("(a eq 1 or b eq 2) and c eq 3"),
        Expr::And(l, _) if matches!(*l, Expr::Or(_, _))
    ));
    // not applies to the comparison, binds tighter than and
    assert_eq!(
        p("not a eq 1 and b eq 2"),
        Expr::And(
            Box::new(Expr::Not(Box::new(cmp(
                CmpOp::Eq,
                prop("a"),
                Expr::Literal(Literal::Int(1))
            )))),
            Box::new(cmp(CmpOp::Eq, prop("b"), Expr::Literal(Literal::Int(2)))),
        )
    );
    assert!(matches!(p("not(startswith(a,'x'))"), Expr::Not(_)));
    // left-associative shape for three operands
    assert!(matches!(
        p("a eq 1 and b eq 2 and c eq 3"),
        Expr::And(l, _) if matches!(*l, Expr::And(_, _))
    ));
}

#[test]
fn in_and_has() {
    assert_eq!(
        p("department in ('Sales','HR')"),
        Expr::In(Box::new(prop("department")), vec![s("Sales"), s("HR")])
    );
    assert_eq!(p("x in ()"), Expr::In(Box::new(prop("x")), vec![]));
    assert_eq!(
        p("category has 'joiner'"),
        Expr::Has(Box::new(prop("category")), Box::new(s("joiner")))
    );
    assert_eq!(
        p("category has microsoft.graph.identityGovernance.lifecycleTaskCategory'leaver'"),
        Expr::Has(Box::new(prop("category")), Box::new(s("leaver")))
    );
}

#[test]
fn functions() {
    assert_eq!(
        p("startswith(displayName,'Sa')"),
        Expr::Call(Function::StartsWith, vec![prop("displayName"), s("Sa")])
    );
    assert_eq!(
        p("startsWith(displayName, 'Sa')"),
        Expr::Call(Function::StartsWith, vec![prop("displayName"), s("Sa")])
    );
    assert!(matches!(
        p("endswith(mail,'@x.com')"),
        Expr::Call(Function::EndsWith, _)
    ));
    assert!(matches!(
        p("contains(mail,'x')"),
        Expr::Call(Function::Contains, _)
    ));
    assert_eq!(
        p("tolower(displayName) eq 'x'"),
        cmp(
            CmpOp::Eq,
            Expr::Call(Function::ToLower, vec![prop("displayName")]),
            s("x")
        )
    );
    assert!(matches!(
        p("toupper(a) eq 'X'"),
        Expr::Compare(CmpOp::Eq, l, _) if matches!(*l, Expr::Call(Function::ToUpper, _))
    ));
    assert!(matches!(
        p("startswith(tolower(a),'x') eq true"),
        Expr::Compare(CmpOp::Eq, _, _)
    ));
}

#[test]
fn lambdas_and_paths() {
    assert_eq!(
        p("parameters/any(p: p/name eq 'groupID')"),
        Expr::Lambda {
            collection: vec!["parameters".into()],
            any: true,
            var: Some("p".into()),
            body: Some(Box::new(cmp(CmpOp::Eq, prop("p/name"), s("groupID")))),
        }
    );
    assert!(matches!(
        p("assignedLicenses/all(x: x/skuId ne 00000000-0000-0000-0000-000000000000)"),
        Expr::Lambda { any: false, .. }
    ));
    assert_eq!(
        p("memberOf/any()"),
        Expr::Lambda {
            collection: vec!["memberOf".into()],
            any: true,
            var: None,
            body: None
        }
    );
    assert_eq!(
        p("manager/id eq 'x'"),
        cmp(CmpOp::Eq, prop("manager/id"), s("x"))
    );
    assert!(matches!(p("tags/any(t:t eq 'a')"), Expr::Lambda { .. }));
}

#[test]
fn property_paths_excludes_lambda_vars() {
    let e = p("a/b eq 1 and parameters/any(p: p/name eq c and p/x/any(y: y eq 1)) or a/b eq 2");
    assert_eq!(
        e.property_paths(),
        vec![
            vec!["a".to_string(), "b".to_string()],
            vec!["parameters".to_string()],
            vec!["c".to_string()],
        ]
    );
}

#[test]
fn errors() {
    let e = err("displayName eq");
    assert_eq!(e.position(), Some(14));
    assert_eq!(
        e.to_string(),
        "syntax error at position 14 in '$filter': expected a value after 'eq'"
    );
    let e = err("eq 'x'");
    assert_eq!(e.position(), Some(0));
    assert!(e.to_string().contains("found 'eq'"), "{e}");
    let e = err("(a eq 1");
    assert_eq!(e.position(), Some(7));
    assert!(e.to_string().contains("expected ')'"), "{e}");
    let e = err("a eq 1)");
    assert_eq!(e.position(), Some(6));
    let e = err("a eq 2024-13-45");
    assert!(e.to_string().contains("invalid date literal"), "{e}");
    let e = err("a eq 12abc");
    assert!(e.to_string().contains("invalid literal '12abc'"), "{e}");
    let e = err("foo(a) eq 1");
    assert!(e.to_string().contains("unknown function 'foo'"), "{e}");
    let e = err("a eq 'unterminated");
    assert_eq!(e.position(), Some(5));
    assert!(err("a eq 1 b").to_string().contains("found 'b'"));
    assert!(err("startswith(a)").to_string().contains("takes 2"));
    assert!(err("").to_string().contains("empty"));
    assert!(err("a eq #")
        .to_string()
        .contains("unexpected character '#'"));
    assert!(err("x/all()").to_string().contains("all()"));
    assert!(err("x/any(y y eq 1)").to_string().contains("expected ':'"));
    assert!(err("a eq 1 and").to_string().contains("found the end"));
    assert!(err("a in 'x'").to_string().contains("expected '('"));
    assert!(err("Eq eq 1 AND b eq 2")
        .to_string()
        .contains("found 'AND'"));
}

#[test]
fn depth_limits() {
    let deep = format!("{}a eq 1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(matches!(err(&deep), FilterError::TooDeep { .. }));
    let nots = format!("{}a eq 1", "not ".repeat(10_000));
    assert!(matches!(err(&nots), FilterError::TooDeep { .. }));
    let ok = format!("{}a eq 1{}", "(".repeat(30), ")".repeat(30));
    assert!(parse_filter(&ok).is_ok());
    // A long flat chain is fine (balanced tree).
    let chain = vec!["a eq 1"; 50_000].join(" and ");
    assert!(parse_filter(&chain).is_ok());
}

#[test]
fn plus_as_space() {
    assert_eq!(p("a+eq+'x+y'"), cmp(CmpOp::Eq, prop("a"), s("x+y")));
}

/// `c/any(l1: c/any(l2: ... l{depth} eq 1 ...))`.
fn nested_lambdas(depth: usize) -> String {
    let opens: String = (1..=depth).map(|n| format!("c/any(l{n}: ")).collect();
    format!("{opens}l{depth} eq 1{}", ")".repeat(depth))
}

#[test]
fn lambda_nesting_is_capped() {
    assert!(parse_filter(&nested_lambdas(MAX_LAMBDA_NESTING)).is_ok());
    let e = err(&nested_lambdas(MAX_LAMBDA_NESTING + 1));
    assert_eq!(
        e,
        FilterError::LambdaTooDeep {
            // The fourth `any`: three `c/any(lN: ` before it, then `c/`.
            position: 3 * 10 + 2,
            limit: MAX_LAMBDA_NESTING
        }
    );
    assert!(e.to_string().contains("nested too deeply (limit 3)"), "{e}");
    // `all` counts as well, and so does a lambda inside a function or parentheses.
    assert!(parse_filter("a/all(x: b/any(y: (c/all(z: startswith(z, 'q')))))").is_ok());
    assert!(matches!(
        err("a/all(x: b/any(y: (c/all(z: not d/any(w: w eq 1)))))"),
        FilterError::LambdaTooDeep { .. }
    ));
    // Lambdas side by side are not nested; an empty `any()` has no body to nest in.
    let side_by_side = vec![nested_lambdas(MAX_LAMBDA_NESTING); 10].join(" and ");
    assert!(parse_filter(&side_by_side).is_ok());
    assert!(parse_filter("a/any(x: b/any(y: c/any(z: z/d/any())))").is_ok());
}
