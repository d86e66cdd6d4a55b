//! The `$filter` lexer: text to tokens, literals already typed.

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::{FilterError, Literal};

// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
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
pub(super) struct Token {
    pub(super) tok: Tok,
    /// 0-based character offset.
    pub(super) pos: usize,
}

pub(super) fn describe(t: &Tok) -> String {
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

pub(super) fn lex(input: &str) -> Result<Vec<Token>, FilterError> {
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
