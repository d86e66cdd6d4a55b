//! Reading an import file into rows: JSON (an array of users, or `users` and `groups`) and
//! CSV (a header of user property names, one user a row).

use serde_json::Value;

use super::Row;

pub(super) fn parse_json(text: &str) -> Result<(Vec<Row>, Vec<Row>), String> {
    let v: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| format!("the file is not valid JSON: {e}"))?;
    let rows = |items: Vec<Value>| -> Vec<Row> {
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                let r = if item.is_object() {
                    Ok(item)
                } else {
                    Err("expected a JSON object".to_string())
                };
                (i + 1, r)
            })
            .collect()
    };
    match v {
        Value::Array(users) => Ok((rows(users), Vec::new())),
        Value::Object(mut m) => {
            if let Some(k) = m.keys().find(|k| *k != "users" && *k != "groups") {
                return Err(format!(
                    "unexpected key '{k}': a JSON import holds \"users\" and \"groups\""
                ));
            }
            let mut take = |key: &str| -> Result<Vec<Value>, String> {
                match m.remove(key) {
                    None | Some(Value::Null) => Ok(Vec::new()),
                    Some(Value::Array(a)) => Ok(a),
                    Some(_) => Err(format!("\"{key}\" must be an array")),
                }
            };
            let users = take("users")?;
            let groups = take("groups")?;
            Ok((rows(users), rows(groups)))
        }
        _ => Err(
            "a JSON import is an array of users or {\"users\": [...], \"groups\": [...]}".into(),
        ),
    }
}

/// RFC 4180 records: `,` separators, `"` quoting with `""` escapes, quoted fields may span
/// lines; CRLF or LF line ends; blank lines are skipped.
pub(super) fn csv_records(text: &str) -> Result<Vec<Vec<String>>, String> {
    let text = text.trim_start_matches('\u{feff}');
    let mut records = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    let mut line = 1;
    let mut quote_line = 0;
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                in_quotes = true;
                quote_line = line;
            }
            ',' => record.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                line += 1;
                record.push(std::mem::take(&mut field));
                if !(record.len() == 1 && record[0].is_empty()) {
                    records.push(std::mem::take(&mut record));
                }
                record.clear();
            }
            _ => field.push(c),
        }
    }
    if in_quotes {
        return Err(format!("line {quote_line}: a quoted field is not closed"));
    }
    record.push(field);
    if !(record.len() == 1 && record[0].is_empty()) {
        records.push(record);
    }
    Ok(records)
}

pub(super) fn parse_csv(text: &str) -> Result<Vec<Row>, String> {
    let mut records = csv_records(text)?.into_iter();
    let Some(header) = records.next() else {
        return Ok(Vec::new());
    };
    let header: Vec<String> = header.into_iter().map(|h| h.trim().to_string()).collect();
    // Check the columns once: an unknown one fails the whole file.
    for (i, h) in header.iter().enumerate() {
        if h.is_empty() {
            return Err(format!("column {}: the header is empty", i + 1));
        }
        if header[..i].contains(h) {
            return Err(format!("column {}: '{h}' appears twice", i + 1));
        }
        model::directory::check_text_field(h).map_err(|e| format!("column {}: {e}", i + 1))?;
    }
    Ok(records
        .enumerate()
        .map(|(i, rec)| {
            let n = i + 2;
            if rec.len() != header.len() {
                return (
                    n,
                    Err(format!(
                        "expected {} fields as in the header, found {}",
                        header.len(),
                        rec.len()
                    )),
                );
            }
            let fields: Vec<(&str, &str)> = header
                .iter()
                .map(String::as_str)
                .zip(rec.iter().map(String::as_str))
                .collect();
            let body = model::directory::user_body_from_text(&fields).map_err(|e| e.to_string());
            (n, body)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting() {
        let recs = csv_records("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\n\"multi\nline\",z").unwrap();
        assert_eq!(
            recs,
            vec![
                vec!["a".to_string(), "b".into()],
                vec!["x, y".into(), "say \"hi\"".into()],
                vec!["multi\nline".into(), "z".into()],
            ]
        );
        assert!(csv_records("a,\"b").is_err());
    }

    #[test]
    fn csv_rows_are_numbered_like_a_spreadsheet() {
        let rows =
            parse_csv("displayName,userPrincipalName,accountEnabled\nA,a@x,true\nB,b@x,maybe\nC\n")
                .unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].0, 2);
        assert!(rows[0].1.is_ok());
        assert!(rows[1].1.as_ref().unwrap_err().contains("accountEnabled"));
        assert!(rows[2].1.as_ref().unwrap_err().contains("fields"));
        assert!(parse_csv("displayName,shoeSize\nA,4\n")
            .unwrap_err()
            .contains("shoeSize"));
        assert!(parse_csv("displayName,displayName\n").is_err());
    }

    #[test]
    fn json_shapes() {
        let (u, g) = parse_json(r#"[{"displayName":"A"}, 3]"#).unwrap();
        assert_eq!((u.len(), g.len()), (2, 0));
        assert!(u[1].1.is_err());
        let (u, g) = parse_json(r#"{"users":[{}],"groups":[{},{}]}"#).unwrap();
        assert_eq!((u.len(), g.len()), (1, 2));
        assert!(parse_json(r#"{"people":[]}"#).is_err());
        assert!(parse_json("3").is_err());
    }
}
