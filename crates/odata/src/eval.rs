//! In-memory evaluation of `$filter` expressions over JSON items, and the total
//! order used for `$orderby` on JSON values.
//!
//! Semantics are "never fail": a missing property is `null`, a type mismatch makes
//! an ordering comparison false and an equality comparison unequal (`ne` is always
//! the negation of `eq`).

use std::borrow::Cow;
use std::cmp::Ordering;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde_json::Value;

use crate::filter::{CmpOp, Expr, Function, Literal};

/// Options for [`Expr::matches_with`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvalOptions {
    /// Compare strings case-insensitively in `eq`/`ne`/`in`/`startswith`/`endswith`/
    /// `contains` (Graph directory objects behave like this).
    pub case_insensitive: bool,
}

impl Expr {
    /// Whether `item` satisfies the filter (case-sensitive string comparison).
    pub fn matches(&self, item: &Value) -> bool {
        self.matches_with(item, &EvalOptions::default())
    }

    /// Whether `item` satisfies the filter, with options.
    pub fn matches_with(&self, item: &Value, opts: &EvalOptions) -> bool {
        let mut ev = Evaluator {
            root: item,
            scopes: Vec::new(),
            opts: *opts,
        };
        ev.truth(self)
    }
}

/// A runtime value: JSON scalars plus the richer literal types.
#[derive(Debug, Clone)]
enum V<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Cow<'a, str>),
    DateTime(DateTime<FixedOffset>),
    Date(NaiveDate),
    Guid(&'a str),
    /// Arrays and objects.
    Json(&'a Value),
}

impl<'a> V<'a> {
    fn from_json(v: &'a Value) -> V<'a> {
        match v {
            Value::Null => V::Null,
            Value::Bool(b) => V::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => V::Int(i),
                None => V::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => V::Str(Cow::Borrowed(s)),
            Value::Array(_) | Value::Object(_) => V::Json(v),
        }
    }

    fn from_lit(l: &'a Literal) -> V<'a> {
        match l {
            Literal::Null => V::Null,
            Literal::Bool(b) => V::Bool(*b),
            Literal::Int(i) => V::Int(*i),
            Literal::Float(f) => V::Float(*f),
            Literal::String(s) => V::Str(Cow::Borrowed(s)),
            Literal::DateTime(d) => V::DateTime(*d),
            Literal::Date(d) => V::Date(*d),
            Literal::Guid(g) => V::Guid(g),
        }
    }

    /// String-like values (strings and GUIDs).
    fn as_str(&self) -> Option<&str> {
        match self {
            V::Str(s) => Some(s),
            V::Guid(g) => Some(g),
            _ => None,
        }
    }
}

fn parse_instant(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s.trim()).ok()
}

/// A JSON string as a date: either `YYYY-MM-DD` or the UTC date of an RFC 3339 instant.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .or_else(|| parse_instant(s).map(|d| d.with_timezone(&Utc).date_naive()))
}

fn utc_date(d: &DateTime<FixedOffset>) -> NaiveDate {
    d.with_timezone(&Utc).date_naive()
}

/// Exact comparison of an integer with a float (no rounding through f64), so that
/// number ordering stays transitive.
fn cmp_int_float(i: i128, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    // 2^127 as f64; every f64 at or beyond it is outside i128.
    const LIMIT: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;
    if f >= LIMIT {
        return Some(Ordering::Less);
    }
    if f < -LIMIT {
        return Some(Ordering::Greater);
    }
    let t = f.trunc();
    // In range by the checks above, so the cast is exact.
    let ti = t as i128;
    Some(match i.cmp(&ti) {
        Ordering::Equal => {
            if f > t {
                Ordering::Less
            } else if f < t {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        }
        o => o,
    })
}

/// A JSON number without loss: integers (including u64) as i128, the rest as f64.
#[derive(Clone, Copy)]
enum Num {
    I(i128),
    F(f64),
}

impl Num {
    fn of_json(n: &serde_json::Number) -> Num {
        if let Some(i) = n.as_i64() {
            Num::I(i128::from(i))
        } else if let Some(u) = n.as_u64() {
            Num::I(i128::from(u))
        } else {
            Num::F(n.as_f64().unwrap_or(f64::NAN))
        }
    }

    fn of_v(v: &V) -> Option<Num> {
        match v {
            V::Int(i) => Some(Num::I(i128::from(*i))),
            V::Float(f) => Some(Num::F(*f)),
            _ => None,
        }
    }

    fn cmp(self, other: Num) -> Option<Ordering> {
        match (self, other) {
            (Num::I(x), Num::I(y)) => Some(x.cmp(&y)),
            (Num::I(x), Num::F(y)) => cmp_int_float(x, y),
            (Num::F(x), Num::I(y)) => cmp_int_float(y, x).map(Ordering::reverse),
            (Num::F(x), Num::F(y)) => x.partial_cmp(&y),
        }
    }
}

fn cmp_num(a: &V, b: &V) -> Option<Ordering> {
    Num::of_v(a)?.cmp(Num::of_v(b)?)
}

fn lower(s: &str) -> Cow<'_, str> {
    if s.chars().any(char::is_uppercase) {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// Equality with the crate's loose typing rules.
fn values_eq(a: &V, b: &V, opts: &EvalOptions) -> bool {
    match (a, b) {
        (V::Null, V::Null) => true,
        (V::Null, _) | (_, V::Null) => false,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Int(_) | V::Float(_), V::Int(_) | V::Float(_)) => {
            cmp_num(a, b) == Some(Ordering::Equal)
        }
        (V::Guid(_), V::Str(_) | V::Guid(_)) | (V::Str(_), V::Guid(_)) => {
            match (a.as_str(), b.as_str()) {
                (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
                _ => false,
            }
        }
        (V::Str(x), V::Str(y)) => {
            if opts.case_insensitive {
                lower(x) == lower(y)
            } else {
                x == y
            }
        }
        (V::Json(x), V::Json(y)) => x == y,
        _ => values_cmp(a, b) == Some(Ordering::Equal),
    }
}

/// Ordering for `gt`/`ge`/`lt`/`le`; `None` when the values are not comparable.
fn values_cmp(a: &V, b: &V) -> Option<Ordering> {
    match (a, b) {
        (V::Bool(x), V::Bool(y)) => Some(x.cmp(y)),
        (V::Int(_) | V::Float(_), V::Int(_) | V::Float(_)) => cmp_num(a, b),
        (V::Str(x), V::Str(y)) => Some(x.as_ref().cmp(y.as_ref())),
        (V::Guid(_), V::Str(_) | V::Guid(_)) | (V::Str(_), V::Guid(_)) => {
            let (x, y) = (a.as_str()?, b.as_str()?);
            Some(x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()))
        }
        (V::DateTime(x), V::DateTime(y)) => Some(x.cmp(y)),
        (V::Str(s), V::DateTime(d)) => parse_instant(s).map(|x| x.cmp(d)),
        (V::DateTime(d), V::Str(s)) => parse_instant(s).map(|y| d.cmp(&y)),
        (V::Date(x), V::Date(y)) => Some(x.cmp(y)),
        (V::Str(s), V::Date(d)) => parse_date(s).map(|x| x.cmp(d)),
        (V::Date(d), V::Str(s)) => parse_date(s).map(|y| d.cmp(&y)),
        (V::DateTime(x), V::Date(y)) => Some(utc_date(x).cmp(y)),
        (V::Date(x), V::DateTime(y)) => Some(x.cmp(&utc_date(y))),
        _ => None,
    }
}

fn compare(op: CmpOp, a: &V, b: &V, opts: &EvalOptions) -> bool {
    match op {
        CmpOp::Eq => values_eq(a, b, opts),
        CmpOp::Ne => !values_eq(a, b, opts),
        CmpOp::Gt => values_cmp(a, b) == Some(Ordering::Greater),
        CmpOp::Ge => matches!(values_cmp(a, b), Some(Ordering::Greater | Ordering::Equal)),
        CmpOp::Lt => values_cmp(a, b) == Some(Ordering::Less),
        CmpOp::Le => matches!(values_cmp(a, b), Some(Ordering::Less | Ordering::Equal)),
    }
}

/// Members of a flags value: `"joiner, leaver"` or `["joiner","leaver"]`.
fn flag_members<'a>(v: &'a V<'a>) -> Vec<&'a str> {
    match v {
        V::Str(s) => s
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .collect(),
        V::Guid(g) => vec![g],
        V::Json(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .flat_map(|s| s.split(','))
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

struct Evaluator<'a> {
    root: &'a Value,
    /// Lambda variables in scope, innermost last.
    scopes: Vec<(&'a str, &'a Value)>,
    opts: EvalOptions,
}

impl<'a> Evaluator<'a> {
    /// Resolve a property path; a first segment naming a lambda variable starts at
    /// the bound element. Missing → `None` (treated as null).
    fn resolve(&self, path: &[String]) -> Option<&'a Value> {
        let (first, rest) = path.split_first()?;
        let (mut cur, rest) = match self.scopes.iter().rev().find(|(v, _)| v == first) {
            Some((_, bound)) => (*bound, rest),
            None => (self.root, path),
        };
        for seg in rest {
            cur = cur.as_object()?.get(seg)?;
        }
        Some(cur)
    }

    fn value(&mut self, e: &'a Expr) -> V<'a> {
        match e {
            Expr::Literal(l) => V::from_lit(l),
            Expr::Property(p) => self.resolve(p).map(V::from_json).unwrap_or(V::Null),
            Expr::Call(f @ (Function::ToLower | Function::ToUpper), args) => {
                let Some(arg) = args.first() else {
                    return V::Null;
                };
                match self.value(arg).as_str() {
                    Some(s) if *f == Function::ToLower => V::Str(Cow::Owned(s.to_lowercase())),
                    Some(s) => V::Str(Cow::Owned(s.to_uppercase())),
                    None => V::Null,
                }
            }
            _ => V::Bool(self.truth(e)),
        }
    }

    fn truth(&mut self, e: &'a Expr) -> bool {
        match e {
            Expr::Literal(Literal::Bool(b)) => *b,
            Expr::Literal(_) => false,
            Expr::Property(_) => matches!(self.value(e), V::Bool(true)),
            Expr::And(a, b) => self.truth(a) && self.truth(b),
            Expr::Or(a, b) => self.truth(a) || self.truth(b),
            Expr::Not(a) => !self.truth(a),
            Expr::Compare(op, a, b) => {
                let (a, b) = (self.value(a), self.value(b));
                compare(*op, &a, &b, &self.opts)
            }
            Expr::In(a, list) => {
                let a = self.value(a);
                list.iter().any(|x| {
                    let x = self.value(x);
                    values_eq(&a, &x, &self.opts)
                })
            }
            Expr::Has(a, b) => {
                let (a, b) = (self.value(a), self.value(b));
                let have = flag_members(&a);
                let want = flag_members(&b);
                !want.is_empty()
                    && want
                        .iter()
                        .all(|w| have.iter().any(|h| h.eq_ignore_ascii_case(w)))
            }
            Expr::Call(f, args) => self.call_truth(*f, args),
            Expr::Lambda {
                collection,
                any,
                var,
                body,
            } => {
                let items: &'a [Value] = match self.resolve(collection) {
                    Some(Value::Array(items)) => items,
                    // A missing/null collection behaves as empty.
                    None | Some(Value::Null) => &[],
                    Some(_) => return false,
                };
                let (Some(var), Some(body)) = (var, body) else {
                    return *any && !items.is_empty();
                };
                let mut test = |item: &'a Value| {
                    self.scopes.push((var.as_str(), item));
                    let r = self.truth(body);
                    self.scopes.pop();
                    r
                };
                if *any {
                    items.iter().any(&mut test)
                } else {
                    items.iter().all(&mut test)
                }
            }
        }
    }

    fn call_truth(&mut self, f: Function, args: &'a [Expr]) -> bool {
        let [a, b] = args else {
            return false;
        };
        let (a, b) = (self.value(a), self.value(b));
        let (Some(a), Some(b)) = (a.as_str(), b.as_str()) else {
            return false;
        };
        let (a, b) = if self.opts.case_insensitive {
            (lower(a), lower(b))
        } else {
            (Cow::Borrowed(a), Cow::Borrowed(b))
        };
        match f {
            Function::StartsWith => a.starts_with(b.as_ref()),
            Function::EndsWith => a.ends_with(b.as_ref()),
            Function::Contains => a.contains(b.as_ref()),
            Function::ToLower | Function::ToUpper => false,
        }
    }
}

/// Total order over JSON values used for `$orderby`:
/// null < bools < numbers < strings < arrays < objects.
///
/// Strings that parse as RFC 3339 datetimes sort before other strings and compare
/// as instants among themselves; other strings compare case-insensitively with a
/// case-sensitive tiebreak. Keeping the two string groups apart keeps the order
/// transitive, which `sort_by` relies on.
pub fn compare_json(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
        }
    }
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => Num::of_json(x)
            .cmp(Num::of_json(y))
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => match (parse_instant(x), parse_instant(y)) {
            (Some(p), Some(q)) => p.cmp(&q).then_with(|| x.cmp(y)),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => lower(x).cmp(&lower(y)).then_with(|| x.cmp(y)),
        },
        (Value::Array(x), Value::Array(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                let o = compare_json(p, q);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Object(x), Value::Object(y)) => {
            for ((kp, vp), (kq, vq)) in x.iter().zip(y.iter()) {
                let o = kp.cmp(kq).then_with(|| compare_json(vp, vq));
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::parse_filter;
    use serde_json::json;

    fn m(filter: &str, item: &Value) -> bool {
        match parse_filter(filter) {
            Ok(e) => e.matches(item),
            Err(e) => panic!("{filter}: {e}"),
        }
    }

    fn mi(filter: &str, item: &Value) -> bool {
        match parse_filter(filter) {
            Ok(e) => e.matches_with(
                item,
                &EvalOptions {
                    case_insensitive: true,
                },
            ),
            Err(e) => panic!("{filter}: {e}"),
        }
    }

    fn user() -> Value {
        json!({
            "id": "1DFDFCC7-52FA-4C2E-BF3A-E3919CC12950",
            "displayName": "Alice Smith",
            "department": "Sales",
            "age": 30,
            "score": 2.5,
            "accountEnabled": true,
            "manager": {"id": "m1", "displayName": "Bob"},
            "employeeHireDate": "2024-03-01T09:00:00Z",
            "birthday": "1990-05-17",
            "category": "joiner, leaver",
            "categories": ["joiner", "mover"],
            "tags": ["a", "b"],
            "nothing": null,
            "parameters": [
                {"name": "groupID", "values": ["g1"]},
                {"name": "other", "values": []}
            ],
            "memberOf": [],
            "assignedLicenses": [{"skuId": "x1"}, {"skuId": "x2"}]
        })
    }

    #[test]
    fn operators() {
        let u = user();
        assert!(m("displayName eq 'Alice Smith'", &u));
        assert!(!m("displayName eq 'alice smith'", &u));
        assert!(m("displayName ne 'Bob'", &u));
        assert!(m("age eq 30", &u));
        assert!(m("age eq 30.0", &u));
        assert!(m("age gt 29.5", &u));
        assert!(m("age ge 30 and age le 30", &u));
        assert!(!m("age lt 30", &u));
        assert!(m("score lt 3", &u));
        assert!(m("displayName gt 'Aa'", &u));
        assert!(m("displayName lt 'B'", &u));
        assert!(m("accountEnabled eq true", &u));
        assert!(m("accountEnabled", &u));
        assert!(m("not (accountEnabled eq false)", &u));
        assert!(m("manager/id eq 'm1'", &u));
        assert!(m("manager/missing eq null", &u));
        assert!(m("nothing eq null", &u));
        assert!(m("missing eq null", &u));
        assert!(m("displayName ne null", &u));
        assert!(!m("missing ne null", &u));
        // type mismatches: never panic, ordering false, ne true
        assert!(!m("displayName gt 5", &u));
        assert!(!m("age eq '30'", &u));
        assert!(m("age ne '30'", &u));
        assert!(!m("missing gt 1", &u));
        assert!(m("1 eq 1", &u));
        assert!(m("age eq 30 or x eq 1", &u));
        assert!(!m("age eq 31 or x eq 1", &u));
    }

    #[test]
    fn datetimes() {
        let u = user();
        assert!(m("employeeHireDate eq 2024-03-01T09:00:00Z", &u));
        assert!(m("employeeHireDate eq 2024-03-01T11:00:00+02:00", &u));
        assert!(m("employeeHireDate gt 2024-03-01T08:59:59.999Z", &u));
        assert!(m("employeeHireDate lt 2024-03-02T00:00:00Z", &u));
        assert!(m("employeeHireDate ge 2024-03-01", &u));
        assert!(m("employeeHireDate eq 2024-03-01", &u));
        assert!(!m("employeeHireDate gt 2024-03-01", &u));
        assert!(m("birthday eq 1990-05-17", &u));
        assert!(m("birthday lt 2000-01-01", &u));
        assert!(!m("displayName lt 2000-01-01T00:00:00Z", &u));
        assert!(m("2024-03-01T09:00:00Z le employeeHireDate", &u));
    }

    #[test]
    fn guids_case_insensitive() {
        let u = user();
        assert!(m("id eq 1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950", &u));
        assert!(m(
            "id in (00000000-0000-0000-0000-000000000000, 1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950)",
            &u
        ));
    }

    #[test]
    fn has_and_in() {
        let u = user();
        assert!(m("category has 'joiner'", &u));
        assert!(m("category has 'leaver'", &u));
        assert!(!m("category has 'mover'", &u));
        assert!(m(
            "category has microsoft.graph.identityGovernance.lifecycleTaskCategory'leaver'",
            &u
        ));
        assert!(m("category has 'joiner,leaver'", &u));
        assert!(m("categories has 'mover'", &u));
        assert!(!m("categories has 'leaver'", &u));
        assert!(!m("missing has 'x'", &u));
        assert!(m("department in ('Sales','HR')", &u));
        assert!(!m("department in ('sales','HR')", &u));
        assert!(mi("department in ('sales','HR')", &u));
        assert!(!m("department in ()", &u));
        assert!(m("missing in (null, 'x')", &u));
    }

    #[test]
    fn functions_and_case() {
        let u = user();
        assert!(m("startswith(displayName,'Ali')", &u));
        assert!(!m("startswith(displayName,'ali')", &u));
        assert!(mi("startswith(displayName,'ali')", &u));
        assert!(m("endswith(displayName,'Smith')", &u));
        assert!(mi("endswith(displayName,'SMITH')", &u));
        assert!(m("contains(displayName,'ce Sm')", &u));
        assert!(!m("contains(missing,'x')", &u));
        assert!(m("tolower(displayName) eq 'alice smith'", &u));
        assert!(m("toupper(displayName) eq 'ALICE SMITH'", &u));
        assert!(m("startswith(tolower(displayName),'alice')", &u));
        assert!(m("startswith(displayName,'Ali') eq true", &u));
        assert!(m("not startswith(displayName,'Bob')", &u));
        assert!(mi("displayName eq 'ALICE SMITH'", &u));
        assert!(!mi("displayName ne 'ALICE SMITH'", &u));
    }

    #[test]
    fn lambdas() {
        let u = user();
        assert!(m("parameters/any(p: p/name eq 'groupID')", &u));
        assert!(!m("parameters/any(p: p/name eq 'nope')", &u));
        assert!(m("parameters/all(p: p/name ne 'nope')", &u));
        assert!(!m("parameters/all(p: p/name eq 'groupID')", &u));
        assert!(m("parameters/any(p: p/values/any(v: v eq 'g1'))", &u));
        assert!(m(
            "parameters/any(p: p/name eq 'groupID' and department eq 'Sales')",
            &u
        ));
        assert!(m(
            "assignedLicenses/all(x: x/skuId ne 00000000-0000-0000-0000-000000000000)",
            &u
        ));
        assert!(m("tags/any(x: x eq 'a')", &u));
        assert!(!m("tags/all(x: x eq 'a')", &u));
        assert!(m("tags/any()", &u));
        assert!(!m("memberOf/any()", &u));
        assert!(m("memberOf/all(x: x eq 'zzz')", &u));
        assert!(!m("missing/any()", &u));
        assert!(m("missing/all(x: x eq 1)", &u));
        assert!(!m("displayName/any(x: x eq 1)", &u));
        assert!(m("not memberOf/any()", &u));
    }

    #[test]
    fn ordering() {
        use Ordering::*;
        let c = |a: Value, b: Value| compare_json(&a, &b);
        assert_eq!(c(json!(null), json!(false)), Less);
        assert_eq!(c(json!(true), json!(1)), Less);
        assert_eq!(c(json!(1), json!("a")), Less);
        assert_eq!(c(json!("a"), json!([1])), Less);
        assert_eq!(c(json!([1]), json!({})), Less);
        assert_eq!(c(json!(2), json!(10)), Less);
        assert_eq!(c(json!(2), json!(2.0)), Equal);
        assert_eq!(c(json!(2.5), json!(2)), Greater);
        assert_eq!(
            c(json!(9007199254740993_i64), json!(9007199254740992.0)),
            Greater
        );
        assert_eq!(c(json!("apple"), json!("Banana")), Less);
        assert_eq!(c(json!("B"), json!("b")), Less);
        assert_eq!(
            c(
                json!("2024-01-01T10:00:00+02:00"),
                json!("2024-01-01T09:00:00Z")
            ),
            Less
        );
        assert_eq!(c(json!(u64::MAX), json!(u64::MAX - 1)), Greater);
        let mut v = vec![json!("b"), json!(null), json!(3), json!("A"), json!(true)];
        v.sort_by(compare_json);
        assert_eq!(
            v,
            vec![json!(null), json!(true), json!(3), json!("A"), json!("b")]
        );
    }
}
