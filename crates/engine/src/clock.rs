//! Time as the engine sees it: the system clock, or a manual one for tests and demos.
//!
//! Documents carry RFC 3339 date-times, which have four-digit years: a manual clock is kept
//! within 1970-01-01 … 9999-12-31 so that everything it stamps stays readable.

use std::sync::Mutex;

use chrono::{DateTime, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The last second RFC 3339 can write: 9999-12-31T23:59:59Z.
const LAST_REPRESENTABLE_SECOND: i64 = 253_402_300_799;

/// Whether `t` lies within 1970-01-01 … 9999-12-31 (UTC).
pub fn is_representable(t: DateTime<Utc>) -> bool {
    (0..=LAST_REPRESENTABLE_SECOND).contains(&t.timestamp())
}

/// The latest representable instant (9999-12-31T23:59:59Z).
pub fn latest_representable() -> DateTime<Utc> {
    DateTime::from_timestamp(LAST_REPRESENTABLE_SECOND, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Why a manual clock refused to move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("the clock must stay within 1970-01-01 and 9999-12-31 (UTC)")]
    OutOfRange,
}

/// A clock that only moves when told to.
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        ManualClock {
            now: Mutex::new(start),
        }
    }

    /// Set the clock; a time outside the representable range leaves it unchanged.
    pub fn set(&self, to: DateTime<Utc>) -> Result<(), ClockError> {
        if !is_representable(to) {
            return Err(ClockError::OutOfRange);
        }
        if let Ok(mut n) = self.now.lock() {
            *n = to;
        }
        Ok(())
    }

    /// Move the clock by `by` (either way); a move out of the representable range leaves
    /// it unchanged.
    pub fn advance(&self, by: chrono::Duration) -> Result<(), ClockError> {
        let Ok(mut n) = self.now.lock() else {
            return Ok(());
        };
        let to = n
            .checked_add_signed(by)
            .filter(|t| is_representable(*t))
            .ok_or(ClockError::OutOfRange)?;
        *n = to;
        Ok(())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.now.lock().map(|n| *n).unwrap_or_else(|_| Utc::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        model::time::parse_datetime(s).unwrap()
    }

    #[test]
    fn the_manual_clock_stays_representable() {
        let clock = ManualClock::new(at("9999-12-31T20:00:00Z"));
        assert_eq!(
            clock.advance(chrono::Duration::MAX),
            Err(ClockError::OutOfRange)
        );
        assert_eq!(
            clock.advance(chrono::Duration::hours(4)),
            Err(ClockError::OutOfRange)
        );
        assert_eq!(clock.now(), at("9999-12-31T20:00:00Z"));
        assert_eq!(clock.advance(chrono::Duration::hours(3)), Ok(()));
        assert_eq!(
            clock.set(at("1969-12-31T23:59:59Z")),
            Err(ClockError::OutOfRange)
        );
        assert_eq!(clock.now(), at("9999-12-31T23:00:00Z"));
        assert_eq!(clock.set(at("1970-01-01T00:00:00Z")), Ok(()));
        assert_eq!(
            clock.advance(chrono::Duration::seconds(-1)),
            Err(ClockError::OutOfRange)
        );
        assert_eq!(latest_representable(), at("9999-12-31T23:59:59Z"));
    }
}
