//! Statements built before the transaction that runs them.
//!
//! On SQLite every write waits for the one writer, and a transaction holds it from `BEGIN`
//! to `COMMIT`. Encoding a job's rows (documents to text, thousands of bound values) inside
//! the transaction kept the writer idle between statements; building them first leaves
//! the transaction nothing to do but run them.

use std::borrow::Cow;
use std::fmt::Write;

use sqlx::any::{AnyArguments, AnyQueryResult, AnyRow};
use sqlx::{Any, Arguments, Encode, Type};
use sqlx_core::any::AnyValueKind;

use crate::{Dialect, Result};

/// One statement with its bound values.
pub(crate) struct Prepared {
    sql: String,
    args: AnyArguments<'static>,
}

impl Prepared {
    pub(crate) fn new(sql: String) -> Prepared {
        Prepared {
            sql,
            args: AnyArguments::default(),
        }
    }

    /// Bind the next parameter.
    pub(crate) fn bind<T>(mut self, value: T) -> Result<Prepared>
    where
        T: 'static + Encode<'static, Any> + Type<Any>,
    {
        self.args.add(value).map_err(sqlx::Error::Encode)?;
        Ok(self)
    }

    /// Bind a text parameter, moving it in: `bind` of a `String` copies it once more (the
    /// `Any` driver encodes by reference), and a job binds a few thousand of them.
    pub(crate) fn bind_text(mut self, value: String) -> Prepared {
        self.args
            .values
            .0
            .push(AnyValueKind::Text(Cow::Owned(value)));
        self
    }

    /// Bind one [`Cell`].
    pub(crate) fn bind_cell(self, cell: Cell<'_>) -> Result<Prepared> {
        Ok(match cell {
            Cell::Text(t) => self.bind_text(t.to_string()),
            Cell::Owned(t) => self.bind_text(t),
            Cell::Int(i) => self.bind(i)?,
            Cell::Ts(t) => match t.and_then(crate::timestamps::fixed_ts) {
                Some(t) => self.bind_text(t),
                None => self.bind(None::<String>)?,
            },
        })
    }

    pub(crate) async fn execute(self, conn: &mut sqlx::AnyConnection) -> Result<AnyQueryResult> {
        Ok(sqlx::query_with(&self.sql, self.args).execute(conn).await?)
    }

    pub(crate) async fn fetch_all(self, conn: &mut sqlx::AnyConnection) -> Result<Vec<AnyRow>> {
        Ok(sqlx::query_with(&self.sql, self.args)
            .fetch_all(conn)
            .await?)
    }
}

/// One value of a multi-row statement built by [`shared_values`].
#[derive(PartialEq)]
pub(crate) enum Cell<'a> {
    Text(&'a str),
    /// A value built for this statement (an encoded document), moved into it.
    Owned(String),
    Int(i64),
    /// A timestamp, stored in the fixed form (`fixed_ts`); NULL when absent or unreadable.
    Ts(Option<&'a str>),
}

/// Rows for one multi-row statement whose columns that hold the same value in every row
/// are bound once: in a job's batch most columns (tenant, workflow, run, status, times) are
/// alike, and SQLite copies every value bound on its one writer thread. The alike values
/// come from a one-row `WITH s AS (SELECT ...)`, the others from `(VALUES ...) AS v`:
///
/// ```sql
/// {with} INSERT INTO t (a, b) SELECT {columns[0]}, {columns[1]} FROM (VALUES {values}) AS v{join}
/// ```
///
/// (Not one parameter named from each row: sqlx numbers SQLite's plain `?`s apart from
/// numbered ones, and SQLite looks each numbered parameter's name up in a list, so a
/// statement of thousands of them binds in quadratic time.)
pub(crate) struct SharedRows<'a> {
    /// `WITH s AS (SELECT ... AS c1, ...) `, or empty when no column is alike.
    pub with: String,
    /// `, s` when there is a `with`, else empty.
    pub join: &'static str,
    /// Per column, the expression that reads it: `s.cN` or `v.columnN`.
    pub columns: Vec<String>,
    /// The `VALUES` rows of the other columns.
    pub values: String,
    /// The values to bind, in placeholder order.
    pub cells: Vec<Cell<'a>>,
    /// The first placeholder number after them.
    pub next: usize,
}

/// Split `cells` (row-major, `cols` per row) into [`SharedRows`], numbering placeholders
/// from `first` (`$n` on PostgreSQL; SQLite's `?` count in text order).
pub(crate) fn shared_rows(
    dialect: Dialect,
    first: usize,
    cols: usize,
    cells: Vec<Cell<'_>>,
) -> SharedRows<'_> {
    let rows = cells.len() / cols.max(1);
    let mut shared: Vec<bool> = (0..cols)
        .map(|c| rows > 1 && (1..rows).all(|r| cells[r * cols + c] == cells[c]))
        .collect();
    // `VALUES` needs a column: identical rows keep their last column there.
    if shared.iter().all(|s| *s) {
        if let Some(last) = shared.last_mut() {
            *last = false;
        }
    }
    let mut next = first;
    let mut placeholder = |out: &mut String| {
        dialect.push_placeholder(out, next);
        next += 1;
    };
    let mut with = String::new();
    let mut columns = Vec::with_capacity(cols);
    let mut own = 0;
    for (c, alike) in shared.iter().enumerate() {
        if *alike {
            with.push_str(if with.is_empty() {
                "WITH s AS (SELECT "
            } else {
                ", "
            });
            placeholder(&mut with);
            let _ = write!(with, " AS c{c}");
            columns.push(format!("s.c{c}"));
        } else {
            own += 1;
            columns.push(format!("v.column{own}"));
        }
    }
    let join = if with.is_empty() {
        ""
    } else {
        with.push_str(") ");
        ", s"
    };
    let mut values = String::with_capacity(rows * own * 6);
    for r in 0..rows {
        values.push_str(if r > 0 { ",(" } else { "(" });
        for c in (0..own).map(|i| i > 0) {
            if c {
                values.push(',');
            }
            placeholder(&mut values);
        }
        values.push(')');
    }
    // The alike values first (from the first row), then each row's own.
    let mut ordered = Vec::with_capacity(cells.len());
    let mut rest = Vec::with_capacity(rows * own);
    for (i, cell) in cells.into_iter().enumerate() {
        if !shared[i % cols] {
            rest.push(cell);
        } else if i < cols {
            ordered.push(cell);
        }
    }
    ordered.extend(rest);
    SharedRows {
        with,
        join,
        columns,
        values,
        cells: ordered,
        next,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alike_columns_are_bound_once() {
        let cells = vec![
            Cell::Text("t"),
            Cell::Int(1),
            Cell::Text("a"),
            Cell::Text("t"),
            Cell::Int(2),
            Cell::Text("a"),
        ];
        let rows = shared_rows(Dialect::Postgres, 2, 3, cells);
        assert_eq!(rows.with, "WITH s AS (SELECT $2 AS c0, $3 AS c2) ");
        assert_eq!(rows.join, ", s");
        assert_eq!(rows.columns, ["s.c0", "v.column1", "s.c2"]);
        assert_eq!(rows.values, "($4),($5)");
        assert_eq!(rows.next, 6);
        assert!(rows.cells == vec![Cell::Text("t"), Cell::Text("a"), Cell::Int(1), Cell::Int(2)]);
        // One row: nothing alike. SQLite's placeholders are plain.
        let rows = shared_rows(Dialect::Sqlite, 1, 2, vec![Cell::Int(1), Cell::Ts(None)]);
        assert_eq!((rows.with.as_str(), rows.join), ("", ""));
        assert_eq!(rows.values, "(?,?)");
        assert_eq!(rows.cells.len(), 2);
        // Identical rows keep a column in VALUES.
        let rows = shared_rows(Dialect::Sqlite, 1, 1, vec![Cell::Int(1), Cell::Int(1)]);
        assert_eq!((rows.with.as_str(), rows.values.as_str()), ("", "(?),(?)"));
    }
}
