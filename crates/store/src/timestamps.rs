//! The one form date-times take in columns: fixed-width UTC text, so text order is time
//! order on both databases.

/// Date-times in columns use one fixed width so text order is time order.
pub fn fixed_ts(s: &str) -> Option<String> {
    if let Some(fixed) = fixed_ts_of_utc(s) {
        return Some(fixed);
    }
    let dt = chrono::DateTime::parse_from_rfc3339(s).ok()?;
    Some(
        dt.with_timezone(&chrono::Utc)
            .format("%Y-%m-%dT%H:%M:%S%.6fZ")
            .to_string(),
    )
}

/// [`fixed_ts`] without chrono for the form lcw itself writes, `YYYY-MM-DDTHH:MM:SS[.f]Z`:
/// the engine normalises several timestamps per result row, and parsing and formatting
/// them was a measurable share of a run. `None` for anything else (chrono decides then).
fn fixed_ts_of_utc(s: &str) -> Option<String> {
    let fraction = utc_fraction(s)?;
    let mut out = String::with_capacity(27);
    out.push_str(&s[..19]);
    out.push('.');
    out.push_str(&fraction[..fraction.len().min(6)]);
    for _ in fraction.len()..6 {
        out.push('0');
    }
    out.push('Z');
    Some(out)
}

/// Whether `s` already is in the fixed form [`fixed_ts`] gives.
pub(crate) fn is_fixed_ts(s: &str) -> bool {
    s.len() == 27 && utc_fraction(s).is_some_and(|f| f.len() == 6)
}

/// The digits after the decimal point of a valid `YYYY-MM-DDTHH:MM:SS[.f]Z` (empty when
/// there is no fraction); `None` when `s` is not of that form.
pub(crate) fn utc_fraction(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if b.len() < 20 || !separators.iter().all(|(i, c)| b[*i] == *c) || b.last() != Some(&b'Z') {
        return None;
    }
    let (month, day) = (digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    digits(0..4)?;
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let fraction = match &b[19..b.len() - 1] {
        [] => "",
        [b'.', rest @ ..]
            if (1..=9).contains(&rest.len()) && rest.iter().all(u8::is_ascii_digit) =>
        {
            &s[20..s.len() - 1]
        }
        _ => return None,
    };
    // Days past the end of a short month are chrono's to reject.
    if day > 28 && chrono::NaiveDate::from_ymd_opt(digits(0..4)? as i32, month, day).is_none() {
        return None;
    }
    Some(fraction)
}

#[cfg(test)]
mod tests {
    use super::fixed_ts;

    /// The fast path agrees with chrono on every form it takes, and leaves the rest to it.
    #[test]
    fn fixed_ts_matches_chrono() {
        let slow = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s).ok().map(|d| {
                d.with_timezone(&chrono::Utc)
                    .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                    .to_string()
            })
        };
        for s in [
            "2026-03-03T10:00:00Z",
            "2026-03-03T10:00:00.5Z",
            "2026-03-03T10:00:00.123456Z",
            "2026-03-03T10:00:00.123456789Z",
            "2024-02-29T23:59:59Z",
            "2025-02-29T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-03-03T24:00:00Z",
            "2026-03-03T10:00:00.Z",
            "2026-03-03T10:00:00+02:00",
            "2026-03-03 10:00:00Z",
            "2026-03-03T10:00:00",
            "not a date",
        ] {
            assert_eq!(fixed_ts(s), slow(s), "{s}");
        }
    }
}
