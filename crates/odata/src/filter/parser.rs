//! The `$filter` parser: recursive descent from tokens to the [`Expr`] tree, within the
//! nesting and depth limits.

use super::lexer::{describe, lex, Tok, Token};
use super::{
    CmpOp, Expr, FilterError, Function, Literal, MAX_LAMBDA_NESTING, MAX_NESTING, MAX_TREE_DEPTH,
};

/// Parse a `$filter` expression.
pub fn parse_filter(input: &str) -> Result<Expr, FilterError> {
    let tokens = lex(input)?;
    let mut p = Parser {
        toks: tokens,
        i: 0,
        nesting: 0,
        lambdas: 0,
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
    /// Lambdas open around the current position.
    lambdas: usize,
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
        if self.lambdas >= MAX_LAMBDA_NESTING {
            return Err(FilterError::LambdaTooDeep {
                position: pos,
                limit: MAX_LAMBDA_NESTING,
            });
        }
        self.lambdas += 1;
        let (body, d) = self.parse_chain(false)?;
        self.lambdas -= 1;
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
