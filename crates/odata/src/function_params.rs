//! Parameters of Graph bound functions, e.g. the text inside the parentheses of
//! `summary(startDateTime=2026-10-29T09%3A30%3A55%2B00%3A00,endDateTime=...)`.
//!
//! The Python SDK drops the comma between parameters
//! (`startDateTime=...+00:00endDateTime=...`), so values are delimited by the next
//! known `name=` rather than by commas.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use thiserror::Error;

use crate::percent::percent_decode;

/// Invalid function parameters (HTTP 400).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FunctionParamError {
    #[error("missing required function parameter '{name}'")]
    Missing { name: String },
    #[error("function parameter '{name}' is specified more than once")]
    Duplicate { name: String },
    #[error("unexpected text '{text}' in function parameters")]
    Unexpected { text: String },
    #[error("invalid datetime value '{value}': expected an ISO 8601 date and time such as 2026-10-29T09:30:55Z")]
    InvalidDateTime { value: String },
}

/// Extracts the values of the parameters `names` (case-sensitive) from the text
/// inside a function call's parentheses. Returns `(name, value)` pairs in the order
/// of `names`; values are percent-decoded (`+` stays `+`), trimmed of a trailing
/// `,` and of surrounding single quotes (with `''` unescaped).
pub fn parse_function_params(
    inside_parens: &str,
    names: &[&str],
) -> Result<Vec<(String, String)>, FunctionParamError> {
    let text = percent_decode(inside_parens);
    // (index into `names`, start of name, start of value)
    let mut found: Vec<(usize, usize, usize)> = Vec::new();
    let mut in_quote = false;
    let mut i = 0;
    while i < text.len() {
        let rest = text.get(i..).unwrap_or_default();
        let Some(c) = rest.chars().next() else { break };
        if c == '\'' {
            in_quote = !in_quote; // `''` toggles twice: stays inside
            i += 1;
            continue;
        }
        if !in_quote {
            // Longest name first, so `reason=` wins over a name `on=` at the same spot.
            let hit = names
                .iter()
                .enumerate()
                .filter(|(_, n)| !n.is_empty())
                .filter(|(_, n)| {
                    rest.strip_prefix(**n)
                        .is_some_and(|after| after.trim_start().starts_with('='))
                })
                .max_by_key(|(_, n)| n.len());
            if let Some((idx, name)) = hit {
                let after = rest.get(name.len()..).unwrap_or_default();
                let eq = after.find('=').unwrap_or(0);
                found.push((idx, i, i + name.len() + eq + 1));
                i += name.len() + eq + 1;
                continue;
            }
        }
        i += c.len_utf8();
    }

    let leading = found
        .first()
        .map_or(text.as_str(), |f| text.get(..f.1).unwrap_or_default());
    let leading = leading.trim().trim_matches(',').trim();
    if !leading.is_empty() {
        return Err(FunctionParamError::Unexpected {
            text: leading.to_string(),
        });
    }

    let mut values: Vec<Option<String>> = vec![None; names.len()];
    for (k, &(idx, _, value_start)) in found.iter().enumerate() {
        let end = found.get(k + 1).map_or(text.len(), |next| next.1);
        let raw = text.get(value_start..end).unwrap_or_default();
        let Some(slot) = values.get_mut(idx) else {
            continue;
        };
        if slot.is_some() {
            return Err(FunctionParamError::Duplicate {
                name: names.get(idx).copied().unwrap_or_default().to_string(),
            });
        }
        *slot = Some(clean_value(raw));
    }

    names
        .iter()
        .zip(values)
        .map(|(name, v)| match v {
            Some(v) => Ok((name.to_string(), v)),
            None => Err(FunctionParamError::Missing {
                name: name.to_string(),
            }),
        })
        .collect()
}

fn clean_value(raw: &str) -> String {
    let v = raw.trim();
    let v = v.strip_suffix(',').unwrap_or(v).trim();
    match v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        Some(inner) => inner.replace("''", "'"),
        None => v.to_string(),
    }
}

/// Parses a datetime parameter: RFC 3339 with `Z` or an offset, optional fractional
/// seconds. Also tolerated: a missing offset (UTC), a bare date (midnight UTC), and a
/// `+` offset that some layer already turned into a space.
pub fn parse_datetime_param(v: &str) -> Result<DateTime<Utc>, FunctionParamError> {
    let s = v.trim();
    let s = s
        .strip_prefix('\'')
        .and_then(|x| x.strip_suffix('\''))
        .unwrap_or(s);
    let invalid = || FunctionParamError::InvalidDateTime {
        value: v.to_string(),
    };
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Ok(d.with_timezone(&Utc));
    }
    // "2026-10-29T09:30:55 00:00": a '+' decoded as a space.
    if let Some((head, tail)) = s.rsplit_once(' ') {
        if let Ok(d) = DateTime::parse_from_rfc3339(&format!("{head}+{tail}")) {
            return Ok(d.with_timezone(&Utc));
        }
    }
    if let Ok(n) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Ok(n.and_utc());
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    Err(invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &["startDateTime", "endDateTime"];

    fn ok(s: &str) -> Vec<(String, String)> {
        match parse_function_params(s, NAMES) {
            Ok(v) => v,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    fn pair(a: &str, b: &str) -> Vec<(String, String)> {
        vec![
            ("startDateTime".to_string(), a.to_string()),
            ("endDateTime".to_string(), b.to_string()),
        ]
    }

    #[test]
    fn with_comma() {
        assert_eq!(
            ok("startDateTime=2026-10-29T09:30:55Z,endDateTime=2026-11-29T09:30:55Z"),
            pair("2026-10-29T09:30:55Z", "2026-11-29T09:30:55Z")
        );
        assert_eq!(
            ok("startDateTime = 2026-10-29T09:30:55Z , endDateTime=2026-11-29T09:30:55Z,"),
            pair("2026-10-29T09:30:55Z", "2026-11-29T09:30:55Z")
        );
    }

    #[test]
    fn without_comma_python_sdk() {
        assert_eq!(
            ok("startDateTime=2026-10-29T09:30:55+00:00endDateTime=2026-11-29T09:30:55+00:00"),
            pair("2026-10-29T09:30:55+00:00", "2026-11-29T09:30:55+00:00")
        );
    }

    #[test]
    fn percent_encoded_and_reordered() {
        assert_eq!(
            ok("endDateTime=2026-11-29T09%3A30%3A55%2B00%3A00%2CstartDateTime=2026-10-29T09%3A30%3A55%2B00%3A00"),
            pair("2026-10-29T09:30:55+00:00", "2026-11-29T09:30:55+00:00")
        );
    }

    #[test]
    fn quoted_values() {
        let v = parse_function_params("a='x,b=y''s',b='z'", &["a", "b"]);
        assert_eq!(
            v,
            Ok(vec![
                ("a".to_string(), "x,b=y's".to_string()),
                ("b".to_string(), "z".to_string())
            ])
        );
    }

    #[test]
    fn longest_name_wins() {
        let v = parse_function_params("reason=1on=2", &["on", "reason"]);
        assert_eq!(
            v,
            Ok(vec![
                ("on".to_string(), "2".to_string()),
                ("reason".to_string(), "1".to_string())
            ])
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            parse_function_params("startDateTime=2026-10-29T09:30:55Z", NAMES),
            Err(FunctionParamError::Missing {
                name: "endDateTime".into()
            })
        );
        let e = parse_function_params("", NAMES)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("missing required function parameter 'startDateTime'")
        );
        assert!(matches!(
            parse_function_params("startDateTime=1,startDateTime=2,endDateTime=3", NAMES),
            Err(FunctionParamError::Duplicate { .. })
        ));
        assert!(matches!(
            parse_function_params("foo=1,startDateTime=1,endDateTime=3", NAMES),
            Err(FunctionParamError::Unexpected { .. })
        ));
    }

    #[test]
    fn datetimes() {
        let want = DateTime::parse_from_rfc3339("2026-10-29T09:30:55Z")
            .map(|d| d.with_timezone(&Utc))
            .ok();
        for s in [
            "2026-10-29T09:30:55Z",
            "2026-10-29T09:30:55+00:00",
            "2026-10-29T11:30:55+02:00",
            "2026-10-29T09:30:55.000Z",
            "'2026-10-29T09:30:55Z'",
            "2026-10-29T09:30:55 00:00",
            "2026-10-29T09:30:55",
        ] {
            assert_eq!(parse_datetime_param(s).ok(), want, "{s}");
        }
        let frac = parse_datetime_param("2026-10-29T09:30:55.1234567Z").ok();
        assert_eq!(frac.map(|d| d.timestamp_subsec_nanos()), Some(123_456_700));
        assert!(parse_datetime_param("2026-10-29").is_ok());
        assert!(matches!(
            parse_datetime_param("yesterday"),
            Err(FunctionParamError::InvalidDateTime { .. })
        ));
    }
}
