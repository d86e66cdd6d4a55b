//! Compact storage of user and task processing result documents.
//!
//! A run writes one user result and one task result per task for every user, and most of
//! their document repeats the row's own columns (id, status, timestamps, counts, subject).
//! Those properties are left out of the stored text when the columns reproduce them exactly,
//! and put back on read. A compact document is marked by a leading `~`, so rows written
//! in full (before this format, or whose document cannot be compacted) read as they are.
//!
//! Only properties a document holds are left out: one lacking a listed property is stored
//! in full, so reading never adds a property the writer did not write. Properties come back
//! first, in the order listed, followed by the stored ones.

use crate::result_rows::{result_kinds, ResultRow};
use serde_json::{Map, Value};

const MARK: char = '~';

/// What a document property is rebuilt from.
#[derive(Clone, Copy)]
enum Source {
    Id,
    Status,
    ExecutionType,
    Version,
    Scheduled,
    Started,
    Completed,
    Created,
    TotalTasks,
    FailedTasks,
    Subject,
}

const USER_FIELDS: &[(&str, Source)] = &[
    ("id", Source::Id),
    ("processingStatus", Source::Status),
    ("workflowExecutionType", Source::ExecutionType),
    ("workflowVersion", Source::Version),
    ("scheduledDateTime", Source::Scheduled),
    ("startedDateTime", Source::Started),
    ("completedDateTime", Source::Completed),
    ("totalTasksCount", Source::TotalTasks),
    ("failedTasksCount", Source::FailedTasks),
    ("subject", Source::Subject),
];

const TASK_FIELDS: &[(&str, Source)] = &[
    ("id", Source::Id),
    ("processingStatus", Source::Status),
    ("createdDateTime", Source::Created),
    ("startedDateTime", Source::Started),
    ("completedDateTime", Source::Completed),
    ("subject", Source::Subject),
];

fn fields(kind: &str) -> &'static [(&'static str, Source)] {
    match kind {
        k if k == result_kinds::USER => USER_FIELDS,
        k if k == result_kinds::TASK => TASK_FIELDS,
        _ => &[],
    }
}

/// A timestamp column (fixed width, `YYYY-MM-DDTHH:MM:SS.ffffffZ`) in the form documents
/// carry (`model::time::format_datetime`): whole seconds without a fraction, otherwise
/// seven digits, the microseconds and a zero.
fn display_ts(value: &Option<String>) -> Option<Value> {
    let Some(value) = value else {
        return Some(Value::Null);
    };
    // As the column holds it (a value that does not parse is stored as NULL). Columns read
    // back are in the fixed form already, and are not copied to be checked.
    let c = if crate::timestamps::is_fixed_ts(value) {
        std::borrow::Cow::Borrowed(value.as_str())
    } else {
        match crate::timestamps::fixed_ts(value) {
            Some(c) => std::borrow::Cow::Owned(c),
            None => return Some(Value::Null),
        }
    };
    if c.len() != 27 || !c.is_ascii() || !c.ends_with('Z') {
        return None;
    }
    Some(Value::String(if &c[19..] == ".000000Z" {
        format!("{}Z", &c[..19])
    } else {
        format!("{}0Z", &c[..26])
    }))
}

/// The value a property has when rebuilt from the row's columns (None: not rebuildable).
fn derive(row: &ResultRow, source: Source) -> Option<Value> {
    Some(match source {
        Source::Id => Value::String(row.id.clone()),
        Source::Status => Value::String(row.status.clone()),
        Source::ExecutionType => Value::String(row.execution_type.clone()),
        Source::Version => Value::from(row.workflow_version),
        Source::Scheduled => return display_ts(&row.scheduled_at),
        Source::Started => return display_ts(&row.started_at),
        Source::Completed => return display_ts(&row.completed_at),
        Source::Created => return display_ts(&row.created_at),
        Source::TotalTasks => Value::from(row.total_tasks),
        Source::FailedTasks => Value::from(row.failed_tasks),
        Source::Subject => {
            let mut subject = Map::new();
            subject.insert("id".into(), Value::String(row.subject_id.clone()));
            Value::Object(subject)
        }
    })
}

/// Whether `value` is what [`derive`] rebuilds (without building it where that is cheap:
/// this runs for every row a job writes, inside its transaction).
fn reproduces(row: &ResultRow, source: Source, value: &Value) -> bool {
    let text = |s: &str| value.as_str() == Some(s);
    match source {
        Source::Id => text(&row.id),
        Source::Status => text(&row.status),
        Source::ExecutionType => text(&row.execution_type),
        Source::Version => value.as_i64() == Some(row.workflow_version),
        Source::TotalTasks => value.as_i64() == Some(row.total_tasks),
        Source::FailedTasks => value.as_i64() == Some(row.failed_tasks),
        Source::Subject => value.as_object().is_some_and(|o| {
            o.len() == 1 && o.get("id").and_then(Value::as_str) == Some(&row.subject_id)
        }),
        Source::Scheduled => ts_reproduces(&row.scheduled_at, value),
        Source::Started => ts_reproduces(&row.started_at, value),
        Source::Completed => ts_reproduces(&row.completed_at, value),
        Source::Created => ts_reproduces(&row.created_at, value),
    }
}

/// [`display_ts`] compared in place for a column in the UTC form lcw writes (the engine's
/// own timestamps, fixed width or not): no parsing, no copy. This runs for several
/// timestamps of every row a job writes.
fn ts_reproduces(column: &Option<String>, value: &Value) -> bool {
    let Some(c) = column else {
        return value.is_null();
    };
    let Some(fraction) = crate::timestamps::utc_fraction(c) else {
        return display_ts(column).as_ref() == Some(value);
    };
    let Some(v) = value.as_str() else {
        return false;
    };
    // The fixed form keeps six digits of the fraction, padded with zeros; the display form
    // drops an all-zero fraction and otherwise writes seven digits.
    let digit = |i: usize| fraction.as_bytes().get(i).copied().unwrap_or(b'0');
    let (v, c) = (v.as_bytes(), c.as_bytes());
    if v.get(..19) != c.get(..19) {
        return false;
    }
    if (0..6).all(|i| digit(i) == b'0') {
        v.len() == 20 && v[19] == b'Z'
    } else {
        v.len() == 28
            && v[19] == b'.'
            && (0..6).all(|i| v[20 + i] == digit(i))
            && v[26] == b'0'
            && v[27] == b'Z'
    }
}

/// The text stored for a row's document; `skip` names a property not to store at all.
pub(crate) fn encode(row: &ResultRow, skip: Option<&str>) -> serde_json::Result<String> {
    let listed = fields(row.kind);
    let Value::Object(doc) = &row.doc else {
        return serde_json::to_string(&row.doc);
    };
    // Keys are unique, so counting the listed ones among them tells whether all are there
    // (scanning a short list beats hashing each name into the document).
    let compactable = !listed.is_empty()
        && doc
            .keys()
            .filter(|k| listed.iter().any(|(name, _)| name == k))
            .count()
            == listed.len();
    let omitted = |name: &str, value: &Value| -> bool {
        if skip == Some(name) {
            return true;
        }
        compactable
            && listed
                .iter()
                .find(|(n, _)| *n == name)
                .is_some_and(|(_, source)| reproduces(row, *source, value))
    };
    let text = serde_json::to_string(&Kept {
        doc,
        omitted: &omitted,
    })?;
    Ok(if compactable {
        format!("{MARK}{text}")
    } else {
        text
    })
}

/// A document without the properties `omitted` names, serialized without copying it.
struct Kept<'a> {
    doc: &'a Map<String, Value>,
    omitted: &'a dyn Fn(&str, &Value) -> bool,
}

impl serde::Serialize for Kept<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        for (k, v) in self.doc.iter().filter(|(k, v)| !(self.omitted)(k, v)) {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// The document of a row read back: `text` as stored, the row's columns already set.
pub(crate) fn decode(row: &ResultRow, text: &str) -> serde_json::Result<Value> {
    let Some(compact) = text.strip_prefix(MARK) else {
        return serde_json::from_str(text);
    };
    let stored: Map<String, Value> = serde_json::from_str(compact)?;
    let mut doc = Map::with_capacity(stored.len() + fields(row.kind).len());
    for (name, source) in fields(row.kind) {
        if !stored.contains_key(*name) {
            if let Some(value) = derive(row, *source) {
                doc.insert((*name).to_string(), value);
            }
        }
    }
    doc.extend(stored);
    Ok(Value::Object(doc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn task_row(doc: Value) -> ResultRow {
        ResultRow {
            kind: result_kinds::TASK,
            id: "t1".into(),
            status: "completed".into(),
            subject_id: "u1".into(),
            created_at: Some("2026-03-03T10:00:00.000000Z".into()),
            started_at: Some("2026-03-03T10:00:01.250000Z".into()),
            completed_at: None,
            doc,
            ..Default::default()
        }
    }

    #[test]
    fn derivable_properties_are_left_out_and_come_back() {
        let doc = json!({
            "id": "t1", "processingStatus": "completed",
            "createdDateTime": "2026-03-03T10:00:00Z",
            "startedDateTime": "2026-03-03T10:00:01.2500000Z",
            "completedDateTime": null, "failureReason": null,
            "subject": {"id": "u1"}, "workflowSubject": null
        });
        let row = task_row(doc.clone());
        let text = encode(&row, None).unwrap();
        assert_eq!(text, r#"~{"failureReason":null,"workflowSubject":null}"#);
        assert_eq!(decode(&row, &text).unwrap(), doc);
    }

    #[test]
    fn properties_the_columns_do_not_reproduce_are_kept() {
        let doc = json!({
            "id": "t1", "processingStatus": "completed",
            "createdDateTime": "2026-03-03T10:00:00.000000Z",
            "startedDateTime": "2026-03-03T10:00:01.250000Z",
            "completedDateTime": null,
            "subject": {"id": "u1", "displayName": "Ann"}
        });
        let row = task_row(doc.clone());
        let text = encode(&row, Some("task")).unwrap();
        assert!(text.contains("2026-03-03T10:00:00.000000Z"), "{text}");
        assert!(text.contains("Ann"), "{text}");
        assert_eq!(decode(&row, &text).unwrap(), doc);
    }

    #[test]
    fn a_document_lacking_a_listed_property_is_stored_in_full() {
        let doc = json!({"id": "t1", "processingStatus": "completed", "task": {"id": "x"}});
        let row = task_row(doc.clone());
        let text = encode(&row, None).unwrap();
        assert!(!text.starts_with(MARK));
        assert_eq!(decode(&row, &text).unwrap(), doc);
        // `task` is left out all the same when asked.
        let text = encode(&row, Some("task")).unwrap();
        assert_eq!(
            decode(&row, &text).unwrap(),
            json!({"id": "t1", "processingStatus": "completed"})
        );
    }

    #[test]
    fn the_in_place_timestamp_comparison_agrees_with_rebuilding() {
        let columns = [
            "2026-03-03T10:00:00Z",
            "2026-03-03T10:00:00.000000Z",
            "2026-03-03T10:00:00.5Z",
            "2026-03-03T10:00:00.500000Z",
            "2026-03-03T10:00:00.123456789Z",
            "2026-03-03T10:00:00.0000001Z",
            "2026-03-03T12:00:00+02:00",
            "2026-02-30T10:00:00Z",
            "not a time",
        ];
        let values = [
            json!("2026-03-03T10:00:00Z"),
            json!("2026-03-03T10:00:00.000000Z"),
            json!("2026-03-03T10:00:00.5Z"),
            json!("2026-03-03T10:00:00.500000Z"),
            json!("2026-03-03T10:00:00.5000000Z"),
            json!("2026-03-03T10:00:00.123456Z"),
            json!("2026-03-03T10:00:00.1234560Z"),
            json!("2026-03-03T10:00:00.1234561Z"),
            json!("2026-03-03T10:00:01Z"),
            json!("2026-03-03T10:00:00.500001Z"),
            json!(null),
            json!(5),
        ];
        for c in columns {
            let column = Some(c.to_string());
            for v in &values {
                assert_eq!(
                    ts_reproduces(&column, v),
                    display_ts(&column).as_ref() == Some(v),
                    "{c} / {v}"
                );
            }
        }
    }

    #[test]
    fn a_timestamp_is_left_out_only_when_its_column_gives_it_back_exactly() {
        let base = json!({
            "id": "t1", "processingStatus": "completed",
            "createdDateTime": "2026-03-03T10:00:00Z",
            "startedDateTime": "2026-03-03T10:00:01.25Z",
            "completedDateTime": "2026-03-03T10:00:02.000000Z",
            "subject": {"id": "u1"}
        });
        let mut row = task_row(base.clone());
        row.completed_at = Some("2026-03-03T10:00:02.000000Z".into());
        let text = encode(&row, None).unwrap();
        // Both spell values the column would give back in another form: they are kept.
        assert!(text.contains("10:00:01.25Z"), "{text}");
        assert!(text.contains("10:00:02.000000Z"), "{text}");
        assert!(!text.contains("10:00:00"), "{text}");
        assert_eq!(decode(&row, &text).unwrap(), base);
        // A column not in the fixed form (written by hand) still compares by its meaning.
        row.created_at = Some("2026-03-03T12:00:00+02:00".into());
        let text = encode(&row, None).unwrap();
        assert!(!text.contains("createdDateTime"), "{text}");
        assert_eq!(decode(&row, &text).unwrap(), base);
    }
}
