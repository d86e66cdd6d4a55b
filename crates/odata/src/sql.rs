//! Translation of `$filter` / `$orderby` to SQL for SQL-backed collections.
//!
//! Values are never interpolated: every literal becomes a `$N` placeholder (both
//! dialects; sqlx's SQLite driver accepts `$N` too) with a matching [`SqlParam`].
//!
//! Storage conventions the store must follow so results match in-memory
//! evaluation ([`Expr::matches`]):
//! * [`SqlKind::DateTime`]: UTC text in the fixed-width format produced by
//!   [`format_sql_datetime`] (`YYYY-MM-DDTHH:MM:SS.ffffffZ`), so text order is time order.
//! * [`SqlKind::Flags`]: comma-separated members without spaces
//!   (see [`normalize_flags`]).
//! * [`SqlKind::Guid`]: lower-case text.
//! * [`SqlKind::Bool`]: `0`/`1` integers on SQLite, `boolean` on Postgres.
//!
//! Null handling mirrors the evaluator: `ne` is true for NULL columns and `not`
//! treats an unknown (NULL) condition as false before negating it.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

pub use crate::dialect::Dialect;
use crate::filter::{CmpOp, Expr, FilterError, Function, Literal};
use crate::query::{OrderBy, QueryError};

/// How a column is stored, which decides literal conversion and operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlKind {
    Text,
    Int,
    Bool,
    /// ISO-8601 UTC text, fixed width: `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    DateTime,
    /// Comma-separated members without spaces; supports `has`.
    Flags,
    /// Lower-case text; literals are lower-cased.
    Guid,
}

/// A filterable column: an SQL expression (e.g. `w.display_name`) and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlColumn {
    pub expr: String,
    pub kind: SqlKind,
}

/// Maps Graph property paths to columns; `None` means "not filterable".
pub trait SqlColumns {
    fn column(&self, path: &[String]) -> Option<SqlColumn>;
}

/// A bound parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlParam {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

/// Formats an instant the way [`SqlKind::DateTime`] columns must be stored.
pub fn format_sql_datetime<Tz: TimeZone>(dt: &DateTime<Tz>) -> String {
    dt.with_timezone(&Utc)
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// Normalises a flags value (`"joiner, leaver"`) to the stored form (`"joiner,leaver"`).
pub fn normalize_flags(s: &str) -> String {
    s.split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

/// Translates a filter to a WHERE fragment plus parameters; placeholders start at
/// `$first_param` so callers can bind their own parameters first.
pub fn to_sql(
    expr: &Expr,
    columns: &dyn SqlColumns,
    dialect: Dialect,
    first_param: usize,
) -> Result<(String, Vec<SqlParam>), FilterError> {
    let mut b = Builder {
        columns,
        dialect,
        next: first_param,
        params: Vec::new(),
    };
    let sql = b.cond(expr)?;
    Ok((sql, b.params))
}

/// `$orderby` as `expr ASC, expr DESC` (no `ORDER BY` keyword).
pub fn order_by_sql(orderby: &[OrderBy], columns: &dyn SqlColumns) -> Result<String, QueryError> {
    let mut parts = Vec::with_capacity(orderby.len());
    for o in orderby {
        let Some(col) = columns.column(&o.path) else {
            let name = o.path.join("/");
            return Err(QueryError::new(
                "$orderby",
                format!("Invalid $orderby value: property '{name}' is not supported in $orderby."),
            ));
        };
        // Nulls sort first ascending, as `compare_json` orders them, on both databases.
        let dir = if o.descending {
            "DESC NULLS LAST"
        } else {
            "ASC NULLS FIRST"
        };
        parts.push(format!("{} {dir}", col.expr));
    }
    Ok(parts.join(", "))
}

/// `LOWER(sql)`, unless it already is (`tolower(p)` in the filter).
fn lower(sql: &str) -> String {
    if sql.starts_with("LOWER(") && sql.ends_with(')') {
        sql.to_string()
    } else {
        format!("LOWER({sql})")
    }
}

fn unsupported(message: impl Into<String>) -> FilterError {
    FilterError::Unsupported {
        message: message.into(),
    }
}

/// A comparison operand after classification.
enum Operand<'e> {
    /// A column, possibly wrapped in LOWER()/UPPER(); `name` is the property path.
    Column {
        sql: String,
        kind: SqlKind,
        name: String,
    },
    Lit(&'e Literal),
    /// A boolean SQL condition (e.g. a `startswith(...)` call).
    Cond(String),
}

struct Builder<'c> {
    columns: &'c dyn SqlColumns,
    dialect: Dialect,
    next: usize,
    params: Vec<SqlParam>,
}

const ALWAYS_FALSE: &str = "1 = 0";
const ALWAYS_TRUE: &str = "1 = 1";

fn sql_op(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "=",
        CmpOp::Ne => "<>",
        CmpOp::Gt => ">",
        CmpOp::Ge => ">=",
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
    }
}

/// Escapes `\`, `%`, `_` for `LIKE ... ESCAPE '\'`.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Builder<'_> {
    fn bind(&mut self, p: SqlParam) -> String {
        let ph = format!("${}", self.next);
        self.next += 1;
        self.params.push(p);
        ph
    }

    fn bool_param(&self, b: bool) -> SqlParam {
        self.dialect.bool_param(b)
    }

    fn false_sql(&self) -> &'static str {
        self.dialect.false_literal()
    }

    /// `NOT` that treats NULL (unknown) as false, matching the evaluator.
    fn not(&self, inner: &str) -> String {
        format!("NOT COALESCE(({inner}), {})", self.false_sql())
    }

    fn column(&self, path: &[String]) -> Result<(SqlColumn, String), FilterError> {
        let name = path.join("/");
        match self.columns.column(path) {
            Some(c) => Ok((c, name)),
            None => Err(FilterError::UnsupportedProperty { property: name }),
        }
    }

    fn operand<'e>(&mut self, e: &'e Expr) -> Result<Operand<'e>, FilterError> {
        Ok(match e {
            Expr::Literal(l) => Operand::Lit(l),
            Expr::Property(p) => {
                let (c, name) = self.column(p)?;
                Operand::Column {
                    sql: c.expr,
                    kind: c.kind,
                    name,
                }
            }
            Expr::Call(f @ (Function::ToLower | Function::ToUpper), args) => {
                let inner = match args.first() {
                    Some(a) => self.operand(a)?,
                    None => return Err(unsupported(format!("{}() needs an argument", f.name()))),
                };
                let Operand::Column { sql, kind, name } = inner else {
                    return Err(unsupported(format!(
                        "{}() in $filter must be applied to a property",
                        f.name()
                    )));
                };
                if !matches!(kind, SqlKind::Text | SqlKind::Guid | SqlKind::Flags) {
                    return Err(unsupported(format!(
                        "{}() cannot be applied to the non-text property '{name}'",
                        f.name()
                    )));
                }
                let func = if *f == Function::ToLower {
                    "LOWER"
                } else {
                    "UPPER"
                };
                Operand::Column {
                    sql: format!("{func}({sql})"),
                    kind: SqlKind::Text,
                    name,
                }
            }
            other => Operand::Cond(self.cond(other)?),
        })
    }

    fn cond(&mut self, e: &Expr) -> Result<String, FilterError> {
        match e {
            Expr::And(a, b) => Ok(format!("({} AND {})", self.cond(a)?, self.cond(b)?)),
            Expr::Or(a, b) => Ok(format!("({} OR {})", self.cond(a)?, self.cond(b)?)),
            Expr::Not(a) => {
                let inner = self.cond(a)?;
                Ok(self.not(&inner))
            }
            Expr::Literal(Literal::Bool(true)) => Ok(ALWAYS_TRUE.into()),
            Expr::Literal(Literal::Bool(false)) => Ok(ALWAYS_FALSE.into()),
            Expr::Literal(_) => Err(unsupported(
                "a literal on its own is not a valid $filter condition",
            )),
            Expr::Property(p) => {
                let (c, name) = self.column(p)?;
                if c.kind != SqlKind::Bool {
                    return Err(unsupported(format!(
                        "property '{name}' is not boolean and cannot be used as a $filter condition"
                    )));
                }
                let p = self.bool_param(true);
                let ph = self.bind(p);
                Ok(format!("{} = {ph}", c.expr))
            }
            Expr::Compare(op, a, b) => self.compare(*op, a, b, e),
            Expr::In(a, list) => self.in_list(a, list),
            Expr::Has(a, b) => self.has(a, b),
            Expr::Call(f, args) => self.call(*f, args),
            Expr::Lambda {
                collection, any, ..
            } => Err(unsupported(format!(
                "the lambda operator '{}' on '{}' is not supported in $filter for this collection",
                if *any { "any" } else { "all" },
                collection.join("/")
            ))),
        }
    }

    fn compare(
        &mut self,
        op: CmpOp,
        a: &Expr,
        b: &Expr,
        whole: &Expr,
    ) -> Result<String, FilterError> {
        let (l, r) = (self.operand(a)?, self.operand(b)?);
        match (l, r) {
            (Operand::Column { sql, kind, name }, Operand::Lit(lit)) => {
                self.column_cmp(&sql, kind, &name, op, lit)
            }
            (Operand::Lit(lit), Operand::Column { sql, kind, name }) => {
                self.column_cmp(&sql, kind, &name, op.flip(), lit)
            }
            (
                Operand::Column {
                    sql: x,
                    kind: kx,
                    name: nx,
                },
                Operand::Column {
                    sql: y,
                    kind: ky,
                    name: ny,
                },
            ) => {
                if kx != ky {
                    return Err(unsupported(format!(
                        "properties '{nx}' and '{ny}' have different types and cannot be compared"
                    )));
                }
                Ok(format!("{x} {} {y}", sql_op(op)))
            }
            (Operand::Cond(c), Operand::Lit(Literal::Bool(v)))
            | (Operand::Lit(Literal::Bool(v)), Operand::Cond(c)) => match (op, *v) {
                (CmpOp::Eq, true) | (CmpOp::Ne, false) => Ok(format!("({c})")),
                (CmpOp::Eq, false) | (CmpOp::Ne, true) => Ok(self.not(&c)),
                _ => Err(unsupported(format!(
                    "'{}' cannot compare a condition with a boolean; use eq or ne",
                    op.keyword()
                ))),
            },
            (Operand::Lit(_), Operand::Lit(_)) => {
                // Constant comparison: fold it with the evaluator.
                Ok(if whole.matches(&serde_json::Value::Null) {
                    ALWAYS_TRUE.into()
                } else {
                    ALWAYS_FALSE.into()
                })
            }
            _ => Err(unsupported(format!(
                "this '{}' comparison is not supported in $filter for this collection",
                op.keyword()
            ))),
        }
    }

    /// `column op literal` with kind-specific literal conversion.
    fn column_cmp(
        &mut self,
        sql: &str,
        kind: SqlKind,
        name: &str,
        op: CmpOp,
        lit: &Literal,
    ) -> Result<String, FilterError> {
        match lit {
            Literal::Null => {
                return Ok(match op {
                    CmpOp::Eq => format!("{sql} IS NULL"),
                    CmpOp::Ne => format!("{sql} IS NOT NULL"),
                    _ => ALWAYS_FALSE.into(),
                })
            }
            Literal::Date(d) if kind == SqlKind::DateTime => return Ok(self.date_cmp(sql, op, *d)),
            _ => {}
        }
        // Text compares case-insensitively, as Graph's $filter and the in-memory evaluator do.
        let lowered = kind == SqlKind::Text && matches!(lit, Literal::Guid(_) | Literal::String(_));
        let sql = if lowered { lower(sql) } else { sql.to_string() };
        let p = match self.convert(kind, name, lit)? {
            SqlParam::Text(t) if lowered => SqlParam::Text(t.to_lowercase()),
            other => other,
        };
        let ph = self.bind(p);
        Ok(match op {
            CmpOp::Ne => format!("({sql} <> {ph} OR {sql} IS NULL)"),
            _ => format!("{sql} {} {ph}", sql_op(op)),
        })
    }

    /// A date literal against a datetime column compares the UTC calendar day.
    fn date_cmp(&mut self, sql: &str, op: CmpOp, d: NaiveDate) -> String {
        let start =
            format_sql_datetime(&Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)));
        let end = d.succ_opt().map(|n| {
            format_sql_datetime(&Utc.from_utc_datetime(&n.and_time(chrono::NaiveTime::MIN)))
        });
        let ph = |b: &mut Self, s: String| b.bind(SqlParam::Text(s));
        match (op, end) {
            (CmpOp::Eq, Some(end)) => {
                let (a, b) = (ph(self, start), ph(self, end));
                format!("({sql} >= {a} AND {sql} < {b})")
            }
            (CmpOp::Ne, Some(end)) => {
                let (a, b) = (ph(self, start), ph(self, end));
                format!("({sql} < {a} OR {sql} >= {b} OR {sql} IS NULL)")
            }
            (CmpOp::Gt, Some(end)) => format!("{sql} >= {}", ph(self, end)),
            (CmpOp::Le, Some(end)) => format!("{sql} < {}", ph(self, end)),
            (CmpOp::Ge, _) => format!("{sql} >= {}", ph(self, start)),
            (CmpOp::Lt, _) => format!("{sql} < {}", ph(self, start)),
            // The last representable day: nothing is after it.
            (CmpOp::Eq | CmpOp::Gt, None) => format!("{sql} >= {}", ph(self, start)),
            (CmpOp::Ne | CmpOp::Le, None) => ALWAYS_TRUE.into(),
        }
    }

    /// Converts a literal to a parameter for a column of `kind`; mismatches are errors
    /// (a 400 is more helpful than silently matching nothing).
    fn convert(&self, kind: SqlKind, name: &str, lit: &Literal) -> Result<SqlParam, FilterError> {
        let mismatch = |expected: &str| {
            unsupported(format!(
                "property '{name}' is {expected} and cannot be compared with this value in $filter"
            ))
        };
        Ok(match (kind, lit) {
            (_, Literal::Null) => SqlParam::Null,
            (SqlKind::Text, Literal::String(s)) => SqlParam::Text(s.clone()),
            (SqlKind::Text, Literal::Guid(g)) => SqlParam::Text(g.to_lowercase()),
            (SqlKind::Text, _) => return Err(mismatch("a string")),
            (SqlKind::Int, Literal::Int(i)) => SqlParam::Int(*i),
            (SqlKind::Int, Literal::Float(f)) => SqlParam::Float(*f),
            (SqlKind::Int, _) => return Err(mismatch("a number")),
            (SqlKind::Bool, Literal::Bool(b)) => self.bool_param(*b),
            (SqlKind::Bool, _) => return Err(mismatch("a boolean")),
            (SqlKind::DateTime, Literal::DateTime(d)) => SqlParam::Text(format_sql_datetime(d)),
            (SqlKind::DateTime, Literal::String(s)) => match DateTime::parse_from_rfc3339(s.trim())
            {
                Ok(d) => SqlParam::Text(format_sql_datetime(&d)),
                Err(_) => return Err(mismatch("a datetime")),
            },
            (SqlKind::DateTime, _) => return Err(mismatch("a datetime")),
            (SqlKind::Flags, Literal::String(s)) => SqlParam::Text(normalize_flags(s)),
            (SqlKind::Flags, _) => return Err(mismatch("an enumeration")),
            (SqlKind::Guid, Literal::Guid(s) | Literal::String(s)) => {
                SqlParam::Text(s.trim().to_lowercase())
            }
            (SqlKind::Guid, _) => return Err(mismatch("an identifier")),
        })
    }

    fn column_operand(
        &mut self,
        e: &Expr,
        what: &str,
    ) -> Result<(String, SqlKind, String), FilterError> {
        match self.operand(e)? {
            Operand::Column { sql, kind, name } => Ok((sql, kind, name)),
            _ => Err(unsupported(format!(
                "the left side of '{what}' in $filter must be a property"
            ))),
        }
    }

    fn in_list(&mut self, a: &Expr, list: &[Expr]) -> Result<String, FilterError> {
        let (sql, kind, name) = self.column_operand(a, "in")?;
        if list.is_empty() {
            return Ok(ALWAYS_FALSE.into());
        }
        // Text compares case-insensitively (values are lower-cased below).
        let lowered = kind == SqlKind::Text;
        let sql = if lowered { lower(&sql) } else { sql };
        let mut phs = Vec::new();
        let mut has_null = false;
        for item in list {
            let Expr::Literal(lit) = item else {
                return Err(unsupported(
                    "the 'in' list in $filter may only contain literal values",
                ));
            };
            if *lit == Literal::Null {
                has_null = true;
                continue;
            }
            if kind == SqlKind::DateTime && matches!(lit, Literal::Date(_)) {
                return Err(unsupported(format!(
                    "use datetime values (not dates) in the 'in' list for '{name}'"
                )));
            }
            let p = match self.convert(kind, &name, lit)? {
                SqlParam::Text(t) if lowered => SqlParam::Text(t.to_lowercase()),
                other => other,
            };
            phs.push(self.bind(p));
        }
        Ok(match (phs.is_empty(), has_null) {
            (true, _) => format!("{sql} IS NULL"),
            (false, false) => format!("{sql} IN ({})", phs.join(", ")),
            (false, true) => format!("({sql} IN ({}) OR {sql} IS NULL)", phs.join(", ")),
        })
    }

    fn has(&mut self, a: &Expr, b: &Expr) -> Result<String, FilterError> {
        let (sql, kind, name) = self.column_operand(a, "has")?;
        if !matches!(kind, SqlKind::Flags | SqlKind::Text) {
            return Err(unsupported(format!(
                "'has' cannot be used with property '{name}'"
            )));
        }
        let flags = match b {
            Expr::Literal(Literal::String(s)) => normalize_flags(s),
            _ => {
                return Err(unsupported(
                    "the right side of 'has' in $filter must be an enumeration value",
                ))
            }
        };
        if flags.is_empty() {
            return Ok(ALWAYS_FALSE.into());
        }
        let mut parts = Vec::new();
        for flag in flags.split(',') {
            let ph = self.bind(SqlParam::Text(format!("%,{},%", like_escape(flag))));
            parts.push(format!("(',' || {sql} || ',') LIKE {ph} ESCAPE '\\'"));
        }
        Ok(if parts.len() == 1 {
            parts.concat()
        } else {
            format!("({})", parts.join(" AND "))
        })
    }

    fn call(&mut self, f: Function, args: &[Expr]) -> Result<String, FilterError> {
        let [a, b] = args else {
            return Err(unsupported(format!(
                "{}() cannot be used as a $filter condition on its own",
                f.name()
            )));
        };
        let (sql, kind, name) = self.column_operand(a, f.name())?;
        if !matches!(kind, SqlKind::Text | SqlKind::Guid | SqlKind::Flags) {
            return Err(unsupported(format!(
                "{}() cannot be applied to the non-text property '{name}'",
                f.name()
            )));
        }
        let needle = match b {
            Expr::Literal(Literal::String(s)) => like_escape(s),
            Expr::Literal(Literal::Guid(s)) => like_escape(&s.to_lowercase()),
            _ => {
                return Err(unsupported(format!(
                    "the second argument of {}() in $filter must be a string",
                    f.name()
                )))
            }
        };
        // Case-insensitive on both databases (SQLite's LIKE already is; PostgreSQL's is not).
        let needle = needle.to_lowercase();
        let sql = if kind == SqlKind::Text {
            lower(&sql)
        } else {
            sql
        };
        let pattern = match f {
            Function::StartsWith => format!("{needle}%"),
            Function::EndsWith => format!("%{needle}"),
            _ => format!("%{needle}%"),
        };
        let ph = self.bind(SqlParam::Text(pattern));
        Ok(format!("{sql} LIKE {ph} ESCAPE '\\'"))
    }
}

#[cfg(test)]
mod tests {
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
        let e =
            parse_filter("displayName eq 'a' and version eq 1").unwrap_or_else(|e| panic!("{e}"));
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
}
