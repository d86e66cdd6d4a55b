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

use chrono::{DateTime, TimeZone, Utc};

pub use crate::dialect::Dialect;
use crate::filter::{Expr, FilterError};
use crate::query::{OrderBy, QueryError};

mod builder;
#[cfg(test)]
mod tests;

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
    builder::translate(expr, columns, dialect, first_param)
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
