//! The Microsoft Graph `$filter` language: lexer, recursive-descent parser and AST.
//!
//! Grammar (precedence low → high): `or` < `and` < `not` < comparison
//! (`eq ne gt ge lt le in has`) < primary (literal, property path, function call,
//! lambda, parenthesised expression).
//!
//! `not` applies to the whole comparison that follows it (`not a eq 1` means
//! `not (a eq 1)`), which is what people writing Graph filters expect; for boolean
//! operands this is the same as the strict OData reading.
//!
//! Robustness: the parser never panics, nesting is limited to [`MAX_NESTING`]
//! levels and the produced tree to [`MAX_TREE_DEPTH`] levels so that every
//! recursive consumer (evaluation, SQL translation, `Drop`) is stack-safe. Long
//! `and`/`or` chains are built as balanced trees for the same reason. Lambdas are
//! further limited to [`MAX_LAMBDA_NESTING`] levels, which bounds the cost of evaluation.

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset, NaiveDate};
use thiserror::Error;

mod lexer;
mod parser;
#[cfg(test)]
mod tests;

pub use parser::parse_filter;

/// Maximum nesting of parentheses, `not`, function arguments and lambda bodies.
pub const MAX_NESTING: usize = 32;
/// Maximum depth of the produced expression tree.
pub const MAX_TREE_DEPTH: usize = 128;
/// Maximum nesting of `any()`/`all()` lambdas. Evaluation visits every element of a
/// lambda's collection for every element of the enclosing one, so a filter costs
/// (collection size)^depth per item: at [`MAX_NESTING`] a short filter over a 7-element
/// array would run for ages. Graph filters use one level and lcw's documents two at most
/// (`parameters/any(p: p/values/any(v: ...))`); three leaves room for that while keeping
/// the worst case over a workflow's 25 tasks at 25³ steps per item.
pub const MAX_LAMBDA_NESTING: usize = 3;

/// Error produced while parsing (or translating) a `$filter` expression.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FilterError {
    /// The text is not a valid `$filter` expression. `position` is a 0-based
    /// character offset into the `$filter` value.
    #[error("syntax error at position {position} in '$filter': {message}")]
    Syntax { position: usize, message: String },
    /// Nesting exceeds [`MAX_NESTING`] / [`MAX_TREE_DEPTH`].
    #[error("syntax error at position {position} in '$filter': expression is nested too deeply (limit {limit})")]
    TooDeep { position: usize, limit: usize },
    /// `any()`/`all()` lambdas nest deeper than [`MAX_LAMBDA_NESTING`].
    #[error("syntax error at position {position} in '$filter': any()/all() lambdas are nested too deeply (limit {limit})")]
    LambdaTooDeep { position: usize, limit: usize },
    /// A property the target collection cannot filter on (path joined with `/`).
    #[error("property '{property}' is not supported in $filter")]
    UnsupportedProperty { property: String },
    /// A construct that is valid syntax but cannot be executed here
    /// (e.g. a lambda on a SQL-backed collection, or a type mismatch).
    #[error("{message}")]
    Unsupported { message: String },
}

impl FilterError {
    /// Character position of a syntax error, if the error has one.
    pub fn position(&self) -> Option<usize> {
        match self {
            FilterError::Syntax { position, .. }
            | FilterError::TooDeep { position, .. }
            | FilterError::LambdaTooDeep { position, .. } => Some(*position),
            _ => None,
        }
    }

    fn syntax(position: usize, message: impl Into<String>) -> Self {
        FilterError::Syntax {
            position,
            message: message.into(),
        }
    }
}

/// A literal value in a filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A quoted string, or the member name of a typed enum literal
    /// (`microsoft.graph.x'joiner'` → `"joiner"`).
    String(String),
    DateTime(DateTime<FixedOffset>),
    Date(NaiveDate),
    /// An unquoted GUID, as written (compare case-insensitively).
    Guid(String),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CmpOp {
    fn from_keyword(s: &str) -> Option<CmpOp> {
        Some(match s {
            "eq" => CmpOp::Eq,
            "ne" => CmpOp::Ne,
            "gt" => CmpOp::Gt,
            "ge" => CmpOp::Ge,
            "lt" => CmpOp::Lt,
            "le" => CmpOp::Le,
            _ => return None,
        })
    }

    /// The operator with its operands swapped (`1 lt x` ≡ `x gt 1`).
    pub fn flip(self) -> CmpOp {
        match self {
            CmpOp::Eq => CmpOp::Eq,
            CmpOp::Ne => CmpOp::Ne,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
        }
    }

    /// The OData keyword (`eq`, `ne`, ...).
    pub fn keyword(self) -> &'static str {
        match self {
            CmpOp::Eq => "eq",
            CmpOp::Ne => "ne",
            CmpOp::Gt => "gt",
            CmpOp::Ge => "ge",
            CmpOp::Lt => "lt",
            CmpOp::Le => "le",
        }
    }
}

/// Built-in functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    StartsWith,
    EndsWith,
    Contains,
    ToLower,
    ToUpper,
}

impl Function {
    /// Function names are matched case-insensitively because Graph documentation
    /// itself writes `startsWith(...)`.
    fn from_name(name: &str) -> Option<Function> {
        Some(match name.to_ascii_lowercase().as_str() {
            "startswith" => Function::StartsWith,
            "endswith" => Function::EndsWith,
            "contains" => Function::Contains,
            "tolower" => Function::ToLower,
            "toupper" => Function::ToUpper,
            _ => return None,
        })
    }

    /// Canonical (lower-case) name.
    pub fn name(self) -> &'static str {
        match self {
            Function::StartsWith => "startswith",
            Function::EndsWith => "endswith",
            Function::Contains => "contains",
            Function::ToLower => "tolower",
            Function::ToUpper => "toupper",
        }
    }

    fn arity(self) -> usize {
        match self {
            Function::StartsWith | Function::EndsWith | Function::Contains => 2,
            Function::ToLower | Function::ToUpper => 1,
        }
    }
}

/// `$filter` abstract syntax tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Literal(Literal),
    /// A property path (`manager/id` → `["manager","id"]`). Inside a lambda body the
    /// first segment may be the lambda variable.
    Property(Vec<String>),
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    /// `left in (v1, v2, ...)`
    In(Box<Expr>, Vec<Expr>),
    /// `left has flag`
    Has(Box<Expr>, Box<Expr>),
    Call(Function, Vec<Expr>),
    /// `collection/any(var: body)`, `collection/all(var: body)`, or `collection/any()`
    /// (`var` and `body` both `None`: the collection is non-empty).
    Lambda {
        collection: Vec<String>,
        any: bool,
        var: Option<String>,
        body: Option<Box<Expr>>,
    },
}

impl Expr {
    /// All property paths referenced relative to the filtered item, so callers can
    /// reject unknown properties with a 400. Paths rooted at a lambda variable are
    /// excluded; a lambda's collection path is included. Duplicates are removed,
    /// first-occurrence order is kept.
    pub fn property_paths(&self) -> Vec<Vec<String>> {
        let mut c = PathCollector::default();
        c.walk(self);
        c.out
    }
}

#[derive(Default)]
struct PathCollector<'e> {
    /// Lambda variables in scope.
    vars: Vec<&'e str>,
    seen: HashSet<&'e [String]>,
    out: Vec<Vec<String>>,
}

impl<'e> PathCollector<'e> {
    fn push(&mut self, path: &'e [String]) {
        let rooted_in_var = path
            .first()
            .is_some_and(|first| self.vars.iter().any(|v| v == first));
        if !rooted_in_var && self.seen.insert(path) {
            self.out.push(path.to_vec());
        }
    }

    fn walk(&mut self, e: &'e Expr) {
        match e {
            Expr::Literal(_) => {}
            Expr::Property(p) => self.push(p),
            Expr::Compare(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) | Expr::Has(a, b) => {
                self.walk(a);
                self.walk(b);
            }
            Expr::Not(a) => self.walk(a),
            Expr::In(a, list) => {
                self.walk(a);
                list.iter().for_each(|x| self.walk(x));
            }
            Expr::Call(_, args) => args.iter().for_each(|x| self.walk(x)),
            Expr::Lambda {
                collection,
                var,
                body,
                ..
            } => {
                self.push(collection);
                if let Some(body) = body {
                    let pushed = var.as_deref().map(|v| self.vars.push(v)).is_some();
                    self.walk(body);
                    if pushed {
                        self.vars.pop();
                    }
                }
            }
        }
    }
}
