//! Temporary Access Pass (`temporaryAccessPassAuthenticationMethod`): the pass itself, the
//! lifetime rule, and the Graph document of a stored pass. Shared by the API (direct
//! create) and the engine ("Generate TAP and send email").

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::time::format_datetime;

pub const ODATA_TYPE: &str = "#microsoft.graph.temporaryAccessPassAuthenticationMethod";
/// Graph's accepted lifetime range in minutes (10 minutes to 30 days).
pub const MIN_LIFETIME: i64 = 10;
pub const MAX_LIFETIME: i64 = 43_200;
/// The default of Entra's Temporary Access Pass policy.
pub const DEFAULT_LIFETIME: i64 = 60;
/// Entra's default pass length.
const LENGTH: usize = 8;
/// Letters and digits without look-alikes (0/O, 1/l/I), plus a few symbols as Entra uses.
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789+-#%!$";

/// A fresh pass from the OS random generator (v4 UUIDs are 122 random bits from
/// `getrandom`). Never logged: it is returned once on creation or sent by mail.
pub fn new_pass() -> String {
    let mut out = String::with_capacity(LENGTH);
    while out.len() < LENGTH {
        for b in uuid::Uuid::new_v4().as_bytes().iter().take(12) {
            // Rejection sampling keeps every character equally likely.
            let limit = 256 - (256 % ALPHABET.len());
            if usize::from(*b) < limit && out.len() < LENGTH {
                out.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
            }
        }
    }
    out
}

/// Check a lifetime against Graph's range.
pub fn check_lifetime(minutes: i64) -> Result<i64, String> {
    if (MIN_LIFETIME..=MAX_LIFETIME).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(format!(
            "lifetimeInMinutes must be between {MIN_LIFETIME} and {MAX_LIFETIME}, got {minutes}"
        ))
    }
}

/// A stored pass, without the pass itself (lcw keeps no copy of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapInfo {
    pub id: String,
    pub created: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub lifetime_minutes: i64,
    pub usable_once: bool,
}

/// The Graph document at `now`: `isUsable` / `methodUsabilityReason` follow the clock
/// (`NotYetValid` before the start, `Expired` after the lifetime). `pass` is `Some` only in
/// the answer to a create; reads return `temporaryAccessPass: null` as Graph does.
pub fn document(t: &TapInfo, pass: Option<&str>, now: DateTime<Utc>) -> Value {
    let end = t.start + Duration::minutes(t.lifetime_minutes);
    let (usable, reason) = if now < t.start {
        (false, "NotYetValid")
    } else if now >= end {
        (false, "Expired")
    } else {
        (true, "EnabledByPolicy")
    };
    json!({
        "@odata.type": ODATA_TYPE,
        "id": t.id,
        "temporaryAccessPass": pass,
        "createdDateTime": format_datetime(t.created),
        "startDateTime": format_datetime(t.start),
        "lifetimeInMinutes": t.lifetime_minutes,
        "isUsableOnce": t.usable_once,
        "isUsable": usable,
        "methodUsabilityReason": reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_are_random_and_from_the_alphabet() {
        let a = new_pass();
        let b = new_pass();
        assert_eq!(a.len(), LENGTH);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| ALPHABET.contains(&c)));
    }

    #[test]
    fn usability_follows_the_clock() {
        let at = |s: &str| crate::time::parse_datetime(s).unwrap();
        let t = TapInfo {
            id: "x".into(),
            created: at("2026-03-01T00:00:00Z"),
            start: at("2026-03-02T00:00:00Z"),
            lifetime_minutes: 60,
            usable_once: true,
        };
        let reason = |now: &str| document(&t, None, at(now))["methodUsabilityReason"].clone();
        assert_eq!(reason("2026-03-01T12:00:00Z"), "NotYetValid");
        assert_eq!(reason("2026-03-02T00:30:00Z"), "EnabledByPolicy");
        assert_eq!(reason("2026-03-02T01:00:00Z"), "Expired");
        assert!(document(&t, None, at("2026-03-02T00:30:00Z"))["isUsable"]
            .as_bool()
            .unwrap());
        assert!(check_lifetime(9).is_err());
        assert!(check_lifetime(43_201).is_err());
        assert_eq!(check_lifetime(480), Ok(480));
    }
}
