//! OData query support for lcw (a Microsoft Graph-compatible Lifecycle Workflows
//! server):
//!
//! * [`parse_filter`] — the Graph `$filter` language to an [`Expr`] AST;
//! * [`Expr::matches`] — evaluation over JSON items (small, in-memory collections);
//! * [`to_sql`] / [`sql::order_by_sql`] — translation to parameterised SQL (large collections);
//! * [`Dialect`] — the SQL dialects lcw runs on and what differs between them, for this
//!   translation and the store alike;
//! * [`parse_query`] — all system query options from a raw URL query string;
//! * [`parse_function_params`] — bound-function parameters such as
//!   `summary(startDateTime=...,endDateTime=...)`, tolerant of the Python SDK's
//!   missing comma.
//!
//! Nothing in this crate panics on any input: every parser returns an error
//! describing the problem and where it is.

pub mod dialect;
pub mod eval;
pub mod filter;
pub mod function_params;
pub mod percent;
pub mod query;
pub mod sql;

pub use dialect::Dialect;
pub use eval::{compare_json, EvalOptions};
pub use filter::{parse_filter, CmpOp, Expr, FilterError, Function, Literal};
pub use function_params::{parse_datetime_param, parse_function_params, FunctionParamError};
pub use percent::percent_decode;
pub use query::{apply_select, parse_query, ExpandItem, OrderBy, QueryError, QueryOptions, Search};
pub use sql::{
    format_sql_datetime, normalize_flags, order_by_sql, to_sql, SqlColumn, SqlColumns, SqlKind,
    SqlParam,
};
