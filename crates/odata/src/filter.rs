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
//! `and`/`or` chains are built as balanced trees for the same reason.

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset, NaiveDate};
use thiserror::Error;

/// Maximum nesting of parentheses, `not`, function arguments and lambda bodies.
pub const MAX_NESTING: usize = 32;
/// Maximum depth of the produced expression tree.
pub const MAX_TREE_DEPTH: usize = 128;

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
            FilterError::Syntax { position, .. } | FilterError::TooDeep { position, .. } => {
                Some(*position)
            }
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

/// Parse a `$filter` expression.
pub fn parse_filter(input: &str) -> Result<Expr, FilterError> {
    let tokens = lex(input)?;
    let mut p = Parser {
        toks: tokens,
        i: 0,
        nesting: 0,
    };
    if matches!(p.peek().tok, Tok::End) {
        return Err(FilterError::syntax(0, "the expression is empty"));
    }
    let (e, _) = p.parse_chain(false)?;
    let t = p.peek();
    match &t.tok {
        Tok::End => Ok(e),
        Tok::RParen => Err(FilterError::syntax(
            t.pos,
            "unexpected ')' without a matching '('",
        )),
        other => Err(FilterError::syntax(
            t.pos,
            format!(
                "expected 'and', 'or' or the end of the expression but found {}",
                describe(other)
            ),
        )),
    }
}

// ---------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Comma,
    Slash,
    Colon,
    Ident(String),
    Lit(Literal),
    End,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    /// 0-based character offset.
    pos: usize,
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::Comma => "','".into(),
        Tok::Slash => "'/'".into(),
        Tok::Colon => "':'".into(),
        Tok::Ident(s) => format!("'{s}'"),
        Tok::Lit(l) => format!("the literal {}", describe_lit(l)),
        Tok::End => "the end of the expression".into(),
    }
}

fn describe_lit(l: &Literal) -> String {
    match l {
        Literal::Null => "null".into(),
        Literal::Bool(b) => b.to_string(),
        Literal::Int(i) => i.to_string(),
        Literal::Float(f) => f.to_string(),
        Literal::String(s) => format!("'{}'", s.replace('\'', "''")),
        Literal::DateTime(d) => d.to_rfc3339(),
        Literal::Date(d) => d.to_string(),
        Literal::Guid(g) => g.clone(),
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$' || c == '@'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.' || c == '$' || c == '@'
}

struct Lexer {
    chars: Vec<char>,
    i: usize,
}

impl Lexer {
    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    fn digits_at(&self, start: usize, n: usize) -> bool {
        (start..start + n).all(|k| self.at(k).is_some_and(|c| c.is_ascii_digit()))
    }

    fn text(&self, from: usize, to: usize) -> String {
        self.chars
            .get(from..to)
            .unwrap_or_default()
            .iter()
            .collect()
    }

    /// An unquoted GUID at `i` (8-4-4-4-12 hex digits) not followed by an ident char.
    fn guid_at(&self, i: usize) -> bool {
        let groups = [8usize, 4, 4, 4, 12];
        let mut k = i;
        for (gi, n) in groups.iter().enumerate() {
            if !(k..k + n).all(|j| self.at(j).is_some_and(|c| c.is_ascii_hexdigit())) {
                return false;
            }
            k += n;
            if gi < 4 {
                if self.at(k) != Some('-') {
                    return false;
                }
                k += 1;
            }
        }
        !self.at(k).is_some_and(|c| is_ident_char(c) || c == '-')
    }

    /// Reads a quoted string starting at the opening quote; returns the content.
    fn string(&mut self) -> Result<String, FilterError> {
        let start = self.i;
        self.i += 1;
        let mut s = String::new();
        loop {
            match self.at(self.i) {
                None => {
                    return Err(FilterError::syntax(
                        start,
                        "unterminated string literal (missing closing quote)",
                    ))
                }
                Some('\'') => {
                    if self.at(self.i + 1) == Some('\'') {
                        s.push('\'');
                        self.i += 2;
                    } else {
                        self.i += 1;
                        return Ok(s);
                    }
                }
                Some(c) => {
                    s.push(c);
                    self.i += 1;
                }
            }
        }
    }

    /// Date, datetime or number starting at `self.i` (first char is a digit or '-').
    fn number_or_date(&mut self) -> Result<Literal, FilterError> {
        let start = self.i;
        if self.digits_at(start, 4)
            && self.at(start + 4) == Some('-')
            && self.digits_at(start + 5, 2)
            && self.at(start + 7) == Some('-')
            && self.digits_at(start + 8, 2)
        {
            let mut k = start + 10;
            if matches!(self.at(k), Some('T') | Some('t')) {
                k += 1;
                while self
                    .at(k)
                    .is_some_and(|c| c.is_ascii_digit() || c == ':' || c == '.')
                {
                    k += 1;
                }
                match self.at(k) {
                    Some('Z') | Some('z') => k += 1,
                    Some('+') | Some('-') => {
                        k += 1;
                        while self.at(k).is_some_and(|c| c.is_ascii_digit() || c == ':') {
                            k += 1;
                        }
                    }
                    _ => {}
                }
                let text = self.text(start, k);
                self.i = k;
                self.check_boundary(start, &text)?;
                return parse_datetime_literal(&text)
                    .map(Literal::DateTime)
                    .ok_or_else(|| {
                        FilterError::syntax(start, format!("invalid datetime literal '{text}'"))
                    });
            }
            let text = self.text(start, k);
            self.i = k;
            self.check_boundary(start, &text)?;
            return NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                .map(Literal::Date)
                .map_err(|_| FilterError::syntax(start, format!("invalid date literal '{text}'")));
        }

        let mut k = start;
        if self.at(k) == Some('-') {
            k += 1;
        }
        while self.at(k).is_some_and(|c| c.is_ascii_digit()) {
            k += 1;
        }
        let mut is_float = false;
        if self.at(k) == Some('.') && self.at(k + 1).is_some_and(|c| c.is_ascii_digit()) {
            is_float = true;
            k += 1;
            while self.at(k).is_some_and(|c| c.is_ascii_digit()) {
                k += 1;
            }
        }
        if matches!(self.at(k), Some('e') | Some('E')) {
            let mut j = k + 1;
            if matches!(self.at(j), Some('+') | Some('-')) {
                j += 1;
            }
            if self.at(j).is_some_and(|c| c.is_ascii_digit()) {
                is_float = true;
                k = j;
                while self.at(k).is_some_and(|c| c.is_ascii_digit()) {
                    k += 1;
                }
            }
        }
        let text = self.text(start, k);
        self.i = k;
        self.check_boundary(start, &text)?;
        if !is_float {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Literal::Int(i));
            }
        }
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Literal::Float(f)),
            _ => Err(FilterError::syntax(
                start,
                format!("invalid number literal '{text}'"),
            )),
        }
    }

    /// A literal must not run straight into identifier characters (`12abc`).
    fn check_boundary(&mut self, start: usize, text: &str) -> Result<(), FilterError> {
        if self
            .at(self.i)
            .is_some_and(|c| is_ident_char(c) || c == '-' || c == '\'')
        {
            let mut k = self.i;
            while self
                .at(k)
                .is_some_and(|c| is_ident_char(c) || c == '-' || c == ':')
            {
                k += 1;
            }
            let bad = format!("{text}{}", self.text(self.i, k));
            return Err(FilterError::syntax(
                start,
                format!("invalid literal '{bad}'"),
            ));
        }
        Ok(())
    }
}

/// Parses an OData datetime literal; lenient about missing seconds and missing offset
/// (assumed UTC), because clients produce both.
fn parse_datetime_literal(text: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(text) {
        return Some(d);
    }
    let (date, rest) = text.split_at_checked(10)?;
    let rest = rest.get(1..)?; // drop 'T'
    let (time, offset) = match rest.find(['Z', 'z', '+', '-']) {
        Some(p) => rest.split_at(p),
        None => (rest, "Z"),
    };
    let time = if time.len() == 5 {
        format!("{time}:00")
    } else {
        time.to_string()
    };
    DateTime::parse_from_rfc3339(&format!("{date}T{time}{offset}")).ok()
}

fn lex(input: &str) -> Result<Vec<Token>, FilterError> {
    let mut lx = Lexer {
        chars: input.chars().collect(),
        i: 0,
    };
    let mut out = Vec::new();
    while let Some(c) = lx.at(lx.i) {
        let pos = lx.i;
        // A bare '+' is treated as whitespace: form-encoding clients send spaces as '+'
        // and we deliberately do not decode '+' (it must survive in datetime offsets,
        // which are consumed as part of the literal before we get here).
        if c.is_whitespace() || c == '+' {
            lx.i += 1;
            continue;
        }
        let tok = match c {
            '(' => {
                lx.i += 1;
                Tok::LParen
            }
            ')' => {
                lx.i += 1;
                Tok::RParen
            }
            ',' => {
                lx.i += 1;
                Tok::Comma
            }
            '/' => {
                lx.i += 1;
                Tok::Slash
            }
            ':' => {
                lx.i += 1;
                Tok::Colon
            }
            '\'' => Tok::Lit(Literal::String(lx.string()?)),
            _ if lx.guid_at(pos) => {
                lx.i = pos + 36;
                Tok::Lit(Literal::Guid(lx.text(pos, pos + 36)))
            }
            _ if c.is_ascii_digit()
                || (c == '-' && lx.at(pos + 1).is_some_and(|d| d.is_ascii_digit())) =>
            {
                Tok::Lit(lx.number_or_date()?)
            }
            _ if is_ident_start(c) => {
                let mut k = pos;
                while lx.at(k).is_some_and(is_ident_char) {
                    k += 1;
                }
                let name = lx.text(pos, k);
                lx.i = k;
                if lx.at(k) == Some('\'') {
                    typed_literal(&name, lx.string()?, pos)?
                } else {
                    Tok::Ident(name)
                }
            }
            _ => {
                return Err(FilterError::syntax(
                    pos,
                    format!("unexpected character '{c}'"),
                ))
            }
        };
        out.push(Token { tok, pos });
    }
    out.push(Token {
        tok: Tok::End,
        pos: lx.chars.len(),
    });
    Ok(out)
}

/// `type'value'` literals: enum members (`ns.enumType'member'`) become strings;
/// the OData v3 `guid'..'`/`datetime'..'` forms are honoured too.
fn typed_literal(type_name: &str, value: String, pos: usize) -> Result<Tok, FilterError> {
    let lit = match type_name.to_ascii_lowercase().as_str() {
        "guid" => Literal::Guid(value),
        "datetime" | "datetimeoffset" => match parse_datetime_literal(&value) {
            Some(d) => Literal::DateTime(d),
            None => {
                return Err(FilterError::syntax(
                    pos,
                    format!("invalid datetime literal '{value}'"),
                ))
            }
        },
        "date" => match NaiveDate::parse_from_str(&value, "%Y-%m-%d") {
            Ok(d) => Literal::Date(d),
            Err(_) => {
                return Err(FilterError::syntax(
                    pos,
                    format!("invalid date literal '{value}'"),
                ))
            }
        },
        _ => Literal::String(value),
    };
    Ok(Tok::Lit(lit))
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------
//
// The recursive functions are kept lean and every error message is built in a
// separate cold function: in debug builds each `format!` temporary occupies its own
// stack slot, and the recursion goes five functions deep per parenthesis level.

const KEYWORDS: &[&str] = &[
    "and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le", "in", "has",
];

/// Expression plus the depth of its tree.
type Parsed = (Expr, usize);

struct Parser {
    toks: Vec<Token>,
    i: usize,
    nesting: usize,
}

/// Fallback for `peek` when the token vector is somehow exhausted.
static END: Token = Token {
    tok: Tok::End,
    pos: 0,
};

/// "`{what}` but found `{token}`" at the token's position.
#[cold]
#[inline(never)]
fn found_err(what: &str, t: &Token) -> FilterError {
    FilterError::syntax(t.pos, format!("{what} but found {}", describe(&t.tok)))
}

#[cold]
#[inline(never)]
fn value_err(after: Option<&str>, t: &Token) -> FilterError {
    let msg = match (after, &t.tok) {
        (Some(op), Tok::End) => format!("expected a value after '{op}'"),
        (Some(op), other) => {
            format!(
                "expected a value after '{op}' but found {}",
                describe(other)
            )
        }
        (None, other) => format!(
            "expected a property, literal or function but found {}",
            describe(other)
        ),
    };
    FilterError::syntax(t.pos, msg)
}

#[cold]
#[inline(never)]
fn close_err(what: &str, open_pos: usize, t: &Token) -> FilterError {
    found_err(
        &format!("expected ')' to close {what} at position {open_pos}"),
        t,
    )
}

impl Parser {
    fn peek(&self) -> &Token {
        self.toks
            .get(self.i)
            .or_else(|| self.toks.last())
            .unwrap_or(&END)
    }

    fn peek_tok(&self, k: usize) -> &Tok {
        self.toks
            .get(self.i + k)
            .map(|t| &t.tok)
            .unwrap_or(&Tok::End)
    }

    fn pos(&self) -> usize {
        self.peek().pos
    }

    fn bump(&mut self) {
        if self.i < self.toks.len() {
            self.i += 1;
        }
    }

    /// Consumes the current token if it is `want`; otherwise an error built by `what`.
    fn expect(&mut self, want: &Tok, what: &str) -> Result<usize, FilterError> {
        let t = self.peek();
        if t.tok == *want {
            let pos = t.pos;
            self.bump();
            Ok(pos)
        } else {
            Err(found_err(what, t))
        }
    }

    fn is_ident(&self, kw: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(s) if s == kw)
    }

    fn enter(&mut self, pos: usize) -> Result<(), FilterError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(FilterError::TooDeep {
                position: pos,
                limit: MAX_NESTING,
            });
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.nesting = self.nesting.saturating_sub(1);
    }

    fn node(e: Expr, depth: usize, pos: usize) -> Result<Parsed, FilterError> {
        if depth > MAX_TREE_DEPTH {
            return Err(FilterError::TooDeep {
                position: pos,
                limit: MAX_TREE_DEPTH,
            });
        }
        Ok((e, depth))
    }

    /// `or`-chain (the entry point for a whole expression) or, with `and`, an
    /// `and`-chain of unary operands.
    fn parse_chain(&mut self, and: bool) -> Result<Parsed, FilterError> {
        let pos = self.pos();
        let kw = if and { "and" } else { "or" };
        let first = if and {
            self.parse_unary()?
        } else {
            self.parse_chain(true)?
        };
        if !self.is_ident(kw) {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.is_ident(kw) {
            self.bump();
            items.push(if and {
                self.parse_unary()?
            } else {
                self.parse_chain(true)?
            });
        }
        let (e, d) = balance(items, and);
        Self::node(e, d, pos)
    }

    fn parse_unary(&mut self) -> Result<Parsed, FilterError> {
        if !self.is_ident("not") {
            return self.parse_comparison();
        }
        let pos = self.pos();
        self.bump();
        self.enter(pos)?;
        let (inner, d) = self.parse_unary()?;
        self.leave();
        Self::node(Expr::Not(Box::new(inner)), d + 1, pos)
    }

    fn parse_comparison(&mut self) -> Result<Parsed, FilterError> {
        let (left, dl) = self.parse_primary(None)?;
        let pos = self.pos();
        let op = match &self.peek().tok {
            Tok::Ident(w) => match (CmpOp::from_keyword(w), w.as_str()) {
                (Some(op), _) => Some(op),
                (None, "in" | "has") => None,
                (None, _) => return Ok((left, dl)),
            },
            _ => return Ok((left, dl)),
        };
        if let Some(op) = op {
            self.bump();
            let (right, dr) = self.parse_primary(Some(op.keyword()))?;
            let e = Expr::Compare(op, Box::new(left), Box::new(right));
            return Self::node(e, dl.max(dr) + 1, pos);
        }
        if self.is_ident("has") {
            self.bump();
            let (right, dr) = self.parse_primary(Some("has"))?;
            return Self::node(
                Expr::Has(Box::new(left), Box::new(right)),
                dl.max(dr) + 1,
                pos,
            );
        }
        self.bump(); // 'in'
        let (list, dv) = self.parse_in_list()?;
        Self::node(Expr::In(Box::new(left), list), dl.max(dv) + 1, pos)
    }

    fn parse_in_list(&mut self) -> Result<(Vec<Expr>, usize), FilterError> {
        let open = self.expect(
            &Tok::LParen,
            "expected '(' with a list of values after 'in'",
        )?;
        self.enter(open)?;
        let mut list = Vec::new();
        let mut depth = 0;
        if self.peek().tok == Tok::RParen {
            self.bump();
        } else {
            loop {
                let (v, dv) = self.parse_primary(Some("in"))?;
                depth = depth.max(dv);
                list.push(v);
                if self.peek().tok == Tok::Comma {
                    self.bump();
                    continue;
                }
                self.expect(&Tok::RParen, "expected ',' or ')' in the 'in' list")?;
                break;
            }
        }
        self.leave();
        Ok((list, depth))
    }

    /// `after` names the operator we are parsing the operand of, for error messages.
    fn parse_primary(&mut self, after: Option<&str>) -> Result<Parsed, FilterError> {
        let pos = self.pos();
        match &self.peek().tok {
            Tok::LParen => {
                self.bump();
                self.enter(pos)?;
                let inner = self.parse_chain(false)?;
                if self.peek().tok != Tok::RParen {
                    return Err(close_err("the '('", pos, self.peek()));
                }
                self.bump();
                self.leave();
                Ok(inner)
            }
            Tok::Lit(l) => {
                let e = Expr::Literal(l.clone());
                self.bump();
                Ok((e, 1))
            }
            Tok::Ident(name) => {
                let lit = match name.to_ascii_lowercase().as_str() {
                    "true" => Some(Literal::Bool(true)),
                    "false" => Some(Literal::Bool(false)),
                    "null" => Some(Literal::Null),
                    _ => None,
                };
                if let Some(lit) = lit {
                    self.bump();
                    return Ok((Expr::Literal(lit), 1));
                }
                if KEYWORDS.contains(&name.as_str()) {
                    return Err(value_err(after, self.peek()));
                }
                let name = name.clone();
                self.bump();
                if *self.peek_tok(0) == Tok::LParen {
                    return self.parse_call(&name, pos);
                }
                self.parse_path(name, pos)
            }
            _ => Err(value_err(after, self.peek())),
        }
    }

    fn parse_call(&mut self, name: &str, pos: usize) -> Result<Parsed, FilterError> {
        let Some(func) = Function::from_name(name) else {
            return Err(unknown_function(name, pos));
        };
        let open = self.pos();
        self.bump(); // '('
        self.enter(open)?;
        let mut args = Vec::new();
        let mut depth = 0;
        if self.peek().tok == Tok::RParen {
            self.bump();
        } else {
            loop {
                let (a, d) = self.parse_chain(false)?;
                depth = depth.max(d);
                args.push(a);
                if self.peek().tok == Tok::Comma {
                    self.bump();
                    continue;
                }
                if self.peek().tok != Tok::RParen {
                    return Err(close_err(&format!("'{}('", func.name()), open, self.peek()));
                }
                self.bump();
                break;
            }
        }
        self.leave();
        if args.len() != func.arity() {
            return Err(arity_err(func, args.len(), pos));
        }
        Self::node(Expr::Call(func, args), depth + 1, pos)
    }

    fn parse_path(&mut self, first: String, pos: usize) -> Result<Parsed, FilterError> {
        let mut path = vec![first];
        while self.peek().tok == Tok::Slash {
            self.bump();
            let seg = self.peek();
            let name = match &seg.tok {
                Tok::Ident(name) if !KEYWORDS.contains(&name.as_str()) => name.clone(),
                _ => return Err(found_err("expected a property name after '/'", seg)),
            };
            let seg_pos = seg.pos;
            self.bump();
            if (name == "any" || name == "all") && *self.peek_tok(0) == Tok::LParen {
                return self.parse_lambda(path, name == "any", seg_pos);
            }
            path.push(name);
        }
        Self::node(Expr::Property(path), 1, pos)
    }

    fn parse_lambda(
        &mut self,
        collection: Vec<String>,
        any: bool,
        pos: usize,
    ) -> Result<Parsed, FilterError> {
        let open = self.pos();
        self.bump(); // '('
        self.enter(open)?;
        if self.peek().tok == Tok::RParen {
            self.bump();
            self.leave();
            if !any {
                return Err(FilterError::syntax(
                    pos,
                    "'all()' requires a lambda expression such as 'all(x: x/prop eq 1)'",
                ));
            }
            let e = Expr::Lambda {
                collection,
                any,
                var: None,
                body: None,
            };
            return Ok((e, 1));
        }
        let var = match &self.peek().tok {
            Tok::Ident(name) if !KEYWORDS.contains(&name.as_str()) => name.clone(),
            _ => {
                return Err(found_err(
                    "expected a lambda variable name after '('",
                    self.peek(),
                ))
            }
        };
        self.bump();
        self.expect(&Tok::Colon, "expected ':' after the lambda variable")?;
        let (body, d) = self.parse_chain(false)?;
        if self.peek().tok != Tok::RParen {
            let what = if any { "'any('" } else { "'all('" };
            return Err(close_err(what, open, self.peek()));
        }
        self.bump();
        self.leave();
        let e = Expr::Lambda {
            collection,
            any,
            var: Some(var),
            body: Some(Box::new(body)),
        };
        Self::node(e, d + 1, pos)
    }
}

#[cold]
#[inline(never)]
fn unknown_function(name: &str, pos: usize) -> FilterError {
    FilterError::syntax(pos, format!("unknown function '{name}'"))
}

#[cold]
#[inline(never)]
fn arity_err(func: Function, given: usize, pos: usize) -> FilterError {
    FilterError::syntax(
        pos,
        format!(
            "function '{}' takes {} argument(s) but {given} were given",
            func.name(),
            func.arity(),
        ),
    )
}

/// Builds a balanced `and`/`or` tree so that very long chains stay shallow.
/// For up to three operands the shape equals the usual left-associative one.
fn balance(mut items: Vec<Parsed>, and: bool) -> Parsed {
    if items.len() <= 1 {
        return items
            .pop()
            .unwrap_or((Expr::Literal(Literal::Bool(and)), 1));
    }
    let right = items.split_off(items.len() - items.len() / 2);
    let (l, dl) = balance(items, and);
    let (r, dr) = balance(right, and);
    let e = if and {
        Expr::And(Box::new(l), Box::new(r))
    } else {
        Expr::Or(Box::new(l), Box::new(r))
    };
    (e, dl.max(dr) + 1)
}

#[cfg(test)]
mod tests {
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
}
