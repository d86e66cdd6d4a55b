//! The SQL dialects lcw runs on, and what differs between them. The one switch both the
//! `$filter` translation and the store use, so a database is named the same way everywhere.

use std::fmt::Write;

/// Target SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// Placeholder `n` of a statement built with [`Dialect::values_list`]: `?` on SQLite,
    /// `$n` elsewhere. SQLite looks a numbered parameter's name up linearly, so binding
    /// thousands of `$n` is quadratic; every placeholder of such a statement must then be a
    /// `?` bound in order.
    pub fn placeholder(self, n: usize) -> String {
        let mut out = String::new();
        self.push_placeholder(&mut out, n);
        out
    }

    /// [`Dialect::placeholder`] appended to `out`.
    pub fn push_placeholder(self, out: &mut String, n: usize) {
        match self {
            Dialect::Sqlite => out.push('?'),
            Dialect::Postgres => {
                let _ = write!(out, "${n}");
            }
        }
    }

    /// `rows` parenthesised groups of `cols` placeholders, numbered from `first`, for a
    /// multi-row statement (see [`Dialect::placeholder`]).
    pub fn values_list(self, first: usize, rows: usize, cols: usize) -> String {
        let mut out = String::with_capacity(rows * cols * 5);
        for r in 0..rows {
            if r > 0 {
                out.push(',');
            }
            out.push('(');
            for c in 0..cols {
                if c > 0 {
                    out.push(',');
                }
                self.push_placeholder(&mut out, first + r * cols + c);
            }
            out.push(')');
        }
        out
    }

    /// The statement that begins a write transaction. On SQLite it takes the write lock up
    /// front (`BEGIN IMMEDIATE`): a deferred transaction that reads before writing fails with
    /// "database is locked" when another writer commits in between, instead of waiting.
    pub fn begin_write(self) -> &'static str {
        match self {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        }
    }

    /// Whether one connection of this process is the database's only writer (SQLite with
    /// `BEGIN IMMEDIATE`): a write transaction then sees no concurrent writes, so it may
    /// ask what is there before it writes instead of having each statement report back.
    pub fn single_writer(self) -> bool {
        self == Dialect::Sqlite
    }

    /// A boolean value as the dialect stores it in a parameter: SQLite has no boolean
    /// type, and lcw stores booleans as 0/1 there.
    pub(crate) fn bool_param(self, b: bool) -> crate::SqlParam {
        match self {
            Dialect::Sqlite => crate::SqlParam::Int(i64::from(b)),
            Dialect::Postgres => crate::SqlParam::Bool(b),
        }
    }

    /// The literal false.
    pub(crate) fn false_literal(self) -> &'static str {
        match self {
            Dialect::Sqlite => "0",
            Dialect::Postgres => "FALSE",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_lists_number_postgres_placeholders_only() {
        assert_eq!(Dialect::Postgres.values_list(3, 2, 2), "($3,$4),($5,$6)");
        assert_eq!(Dialect::Sqlite.values_list(3, 2, 2), "(?,?),(?,?)");
        assert_eq!(Dialect::Postgres.placeholder(7), "$7");
        assert_eq!(Dialect::Sqlite.placeholder(7), "?");
    }
}
