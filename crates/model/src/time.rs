//! Date-time and duration formats as Graph and its SDKs write them.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// Parse an ISO 8601 / RFC 3339 date-time (any offset, any fraction) and return it in UTC.
/// A date-time without offset is taken as UTC, as Graph does.
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc));
    }
    if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(naive.and_utc());
    }
    // A bare date is accepted where a date-time is expected (employeeHireDate imports).
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|n| n.and_utc())
}

/// The one wire format lcw writes, Graph's: UTC with `Z`, and seven fraction digits (.NET's
/// 100 ns ticks) unless the time falls on a whole second. Columns keep microseconds
/// ([`format_fixed`]); SDKs parse either.
pub fn format_datetime(dt: DateTime<Utc>) -> String {
    let ticks = dt.timestamp_subsec_nanos() / 100;
    if ticks == 0 {
        dt.to_rfc3339_opts(SecondsFormat::Secs, true)
    } else {
        format!("{}.{ticks:07}Z", dt.format("%Y-%m-%dT%H:%M:%S"))
    }
}

/// The fixed-width form the store orders by (leases, due times): always six fraction
/// digits, so text order is time order. Documents carry [`format_datetime`] instead.
pub fn format_fixed(dt: DateTime<Utc>) -> String {
    dt.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn normalize_datetime(s: &str) -> Option<String> {
    parse_datetime(s).map(format_datetime)
}

pub fn normalize_date(s: &str) -> Option<String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .map(|d| d.format("%Y-%m-%d").to_string())
}

/// Parse a duration: ISO 8601 (`PT5M`, `P1DT2H`, `PT0.5S`) or Python's `timedelta` text
/// (`0:05:00`, `1 day, 0:05:00`, `2 days, 3:00:00.250000`), which the Python SDK sends.
pub fn parse_duration(s: &str) -> Option<chrono::Duration> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix('P').or_else(|| s.strip_prefix("-P")) {
        let negative = s.starts_with('-');
        let d = parse_iso_duration(rest)?;
        return Some(if negative { -d } else { d });
    }
    parse_python_timedelta(s)
}

fn parse_iso_duration(rest: &str) -> Option<chrono::Duration> {
    let (date_part, time_part) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut total_ms: f64 = 0.0;
    let mut any = false;
    let mut num = String::new();
    for c in date_part.chars() {
        match c {
            '0'..='9' | '.' => num.push(c),
            'D' | 'W' => {
                let n: f64 = num.parse().ok()?;
                total_ms += n * if c == 'D' {
                    86_400_000.0
                } else {
                    604_800_000.0
                };
                num.clear();
                any = true;
            }
            _ => return None,
        }
    }
    if !num.is_empty() {
        return None;
    }
    if let Some(t) = time_part {
        if t.is_empty() {
            return None;
        }
        for c in t.chars() {
            match c {
                '0'..='9' | '.' => num.push(c),
                'H' | 'M' | 'S' => {
                    let n: f64 = num.parse().ok()?;
                    total_ms += n * match c {
                        'H' => 3_600_000.0,
                        'M' => 60_000.0,
                        _ => 1_000.0,
                    };
                    num.clear();
                    any = true;
                }
                _ => return None,
            }
        }
        if !num.is_empty() {
            return None;
        }
    }
    if !any || !total_ms.is_finite() || total_ms > 1e15 {
        return None;
    }
    Some(chrono::Duration::milliseconds(total_ms.round() as i64))
}

fn parse_python_timedelta(s: &str) -> Option<chrono::Duration> {
    let (days, clock) = match s.split_once(',') {
        Some((d, c)) => {
            let d = d.trim();
            let n = d
                .strip_suffix("days")
                .or_else(|| d.strip_suffix("day"))?
                .trim()
                .parse::<i64>()
                .ok()?;
            (n, c.trim())
        }
        None => (0, s),
    };
    let mut parts = clock.split(':');
    let h: i64 = parts.next()?.trim().parse().ok()?;
    let m: i64 = parts.next()?.trim().parse().ok()?;
    let sec: f64 = parts.next()?.trim().parse().ok()?;
    if parts.next().is_some() || !(0..60).contains(&m) || !(0.0..60.0).contains(&sec) || h < 0 {
        return None;
    }
    if days.abs() > 1_000_000 || h > 1_000_000 {
        return None;
    }
    let ms = ((days * 86_400 + h * 3600 + m * 60) as f64 * 1000.0 + sec * 1000.0).round() as i64;
    Some(chrono::Duration::milliseconds(ms))
}

/// ISO 8601 form, e.g. `PT5M`, `P1DT0H5M`, `PT0.25S`.
pub fn format_duration(d: chrono::Duration) -> String {
    let negative = d < chrono::Duration::zero();
    let total_ms = d.num_milliseconds().unsigned_abs();
    let days = total_ms / 86_400_000;
    let rem = total_ms % 86_400_000;
    let (h, m, s, ms) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    let mut out = String::from(if negative { "-P" } else { "P" });
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if rem > 0 || days == 0 {
        out.push('T');
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{m}M"));
        }
        if s > 0 || ms > 0 || (h == 0 && m == 0) {
            if ms > 0 {
                out.push_str(&format!("{s}.{ms:03}S"));
            } else {
                out.push_str(&format!("{s}S"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_every_form_the_sdks_send() {
        let five = chrono::Duration::minutes(5);
        assert_eq!(parse_duration("PT5M"), Some(five));
        assert_eq!(parse_duration("0:05:00"), Some(five));
        assert_eq!(
            parse_duration("1 day, 0:05:00"),
            Some(five + chrono::Duration::days(1))
        );
        assert_eq!(
            parse_duration("2 days, 3:00:00.250000").map(|d| d.num_milliseconds()),
            Some(2 * 86_400_000 + 3 * 3_600_000 + 250)
        );
        assert_eq!(parse_duration("P1DT2H"), Some(chrono::Duration::hours(26)));
        assert_eq!(parse_duration("PT"), None);
        assert_eq!(parse_duration("5 minutes"), None);
        assert_eq!(format_duration(five), "PT5M");
        assert_eq!(format_duration(chrono::Duration::hours(26)), "P1DT2H");
        assert_eq!(format_duration(chrono::Duration::zero()), "PT0S");
    }

    #[test]
    fn fixed_width_times_keep_six_fraction_digits() {
        let whole = parse_datetime("2024-06-03T12:00:00Z").unwrap();
        assert_eq!(format_fixed(whole), "2024-06-03T12:00:00.000000Z");
        assert_eq!(format_datetime(whole), "2024-06-03T12:00:00Z");
        let fraction = parse_datetime("2024-06-03T12:00:00.5Z").unwrap();
        assert_eq!(format_fixed(fraction), "2024-06-03T12:00:00.500000Z");
        assert_eq!(parse_datetime(&format_fixed(fraction)), Some(fraction));
    }

    #[test]
    fn the_wire_form_has_seven_fraction_digits_as_graph_writes_them() {
        let ticks = parse_datetime("2024-06-03T12:00:00.1234567Z").unwrap();
        assert_eq!(format_datetime(ticks), "2024-06-03T12:00:00.1234567Z");
        let micros = parse_datetime("2024-06-03T12:00:00.5Z").unwrap();
        assert_eq!(format_datetime(micros), "2024-06-03T12:00:00.5000000Z");
        // Below Graph's 100 ns tick there is nothing to write.
        let nanos = parse_datetime("2024-06-03T12:00:00.000000099Z").unwrap();
        assert_eq!(format_datetime(nanos), "2024-06-03T12:00:00Z");
    }

    #[test]
    fn datetimes_normalise_to_utc() {
        assert_eq!(
            normalize_datetime("2024-06-03T12:34:56.789000+00:00").as_deref(),
            Some("2024-06-03T12:34:56.7890000Z")
        );
        assert_eq!(
            normalize_datetime("2024-06-03T14:00:00+02:00").as_deref(),
            Some("2024-06-03T12:00:00Z")
        );
        assert_eq!(
            normalize_datetime("2024-06-03T12:00:00").as_deref(),
            Some("2024-06-03T12:00:00Z")
        );
        assert_eq!(
            normalize_datetime("2024-06-03").as_deref(),
            Some("2024-06-03T00:00:00Z")
        );
        assert_eq!(normalize_datetime("01/02/2024 10:00"), None);
    }
}
