//! The `$filter` to SQL translation proper: each operand classified (column, literal or
//! condition), literals converted to the column's stored form, NULLs handled as the
//! evaluator handles them.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::{
    format_sql_datetime, normalize_flags, Dialect, SqlColumn, SqlColumns, SqlKind, SqlParam,
};
use crate::filter::{CmpOp, Expr, FilterError, Function, Literal};

/// Translate `expr` (see [`super::to_sql`]).
pub(super) fn translate(
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

/// `(a AND b AND ...)` nested as a balanced tree: SQLite parses a flat chain into a tree
/// as deep as it is long and refuses one deeper than its expression-depth limit (1000),
/// which a `has` with a thousand members would reach. Up to three parts the text is the
/// flat chain.
fn balanced_and(parts: &[String]) -> String {
    match parts {
        [] => ALWAYS_TRUE.into(),
        [one] => one.clone(),
        [_, _] | [_, _, _] => format!("({})", parts.join(" AND ")),
        _ => {
            let (left, right) = parts.split_at(parts.len() / 2);
            format!("({} AND {})", balanced_and(left), balanced_and(right))
        }
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
        // A repeated member adds nothing but a parameter, and the databases cap those.
        let mut seen = std::collections::HashSet::new();
        for flag in flags.split(',').filter(|f| seen.insert(*f)) {
            let ph = self.bind(SqlParam::Text(format!("%,{},%", like_escape(flag))));
            parts.push(format!("(',' || {sql} || ',') LIKE {ph} ESCAPE '\\'"));
        }
        Ok(balanced_and(&parts))
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
