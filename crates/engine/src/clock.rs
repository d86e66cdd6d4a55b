//! Time as the engine sees it: the system clock, or a manual one for tests and demos.
//!
//! Every time-dependent rule reads the time *of a tenant*: with the manual clock each tenant
//! has its own, so a test that moves its tenant's clock leaves every other tenant's time (and
//! what lcw records for them) as it was. A tenant that never moved its clock reads the
//! clock's start time.
//!
//! Documents carry RFC 3339 date-times, which have four-digit years: a manual clock is kept
//! within 1970-01-01 … 9999-12-31 so that everything it stamps stays readable.

use std::collections::HashMap;
use std::sync::RwLock;

use chrono::{DateTime, SubsecRound, Utc};

pub trait Clock: Send + Sync {
    /// The time in `tenant`.
    fn now(&self, tenant: &str) -> DateTime<Utc>;

    /// The time of a tenant that never moved its clock (for what belongs to no tenant, such
    /// as the date of an error answered before the caller is known).
    fn shared_now(&self) -> DateTime<Utc>;

    /// Tenants whose time differs from [`Clock::shared_now`], with their time. Queries that
    /// span tenants (retention, callback timeouts) use it to apply each tenant's time.
    fn tenant_times(&self) -> Vec<(String, DateTime<Utc>)> {
        Vec::new()
    }

    /// Adopt the tenant times persisted by every node (moves and resets): they replace what
    /// this node holds.
    fn adopt(&self, _persisted: &[(String, DateTime<Utc>)]) {}

    /// Whether tenants' times move only when told to (and are persisted).
    fn is_manual(&self) -> bool {
        false
    }
}

pub struct SystemClock;

/// Times lcw stamps are kept to the microsecond: the store's columns hold microseconds, so
/// a document's date-time and its column always name the same instant.
fn to_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

impl Clock for SystemClock {
    fn now(&self, _tenant: &str) -> DateTime<Utc> {
        to_micros(Utc::now())
    }

    fn shared_now(&self) -> DateTime<Utc> {
        to_micros(Utc::now())
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
    #[error("The clock must stay within 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z")]
    OutOfRange,
}

/// How to move a tenant's manual clock.
#[derive(Debug, Clone, Copy)]
pub enum ClockMove {
    /// To this time.
    To(DateTime<Utc>),
    /// By this much, either way.
    By(chrono::Duration),
}

/// A clock that only moves when told to, one time per tenant.
pub struct ManualClock {
    start: DateTime<Utc>,
    tenants: RwLock<HashMap<String, DateTime<Utc>>>,
}

impl ManualClock {
    /// A clock at which every tenant starts.
    pub fn new(start: DateTime<Utc>) -> Self {
        ManualClock {
            start,
            tenants: RwLock::new(HashMap::new()),
        }
    }

    /// Where `how` would put `tenant`'s clock; a time outside the representable range is
    /// refused.
    pub fn target(&self, tenant: &str, how: ClockMove) -> Result<DateTime<Utc>, ClockError> {
        let to = match how {
            ClockMove::To(t) => Some(t),
            ClockMove::By(d) => self.now(tenant).checked_add_signed(d),
        };
        to.filter(|t| is_representable(*t))
            .ok_or(ClockError::OutOfRange)
    }

    /// Set `tenant`'s clock; a time outside the representable range leaves it unchanged.
    pub fn set(&self, tenant: &str, to: DateTime<Utc>) -> Result<DateTime<Utc>, ClockError> {
        if !is_representable(to) {
            return Err(ClockError::OutOfRange);
        }
        self.write().insert(tenant.to_string(), to);
        Ok(to)
    }

    /// Move `tenant`'s clock by `by` (either way); a move out of the representable range
    /// leaves it unchanged.
    pub fn advance(&self, tenant: &str, by: chrono::Duration) -> Result<DateTime<Utc>, ClockError> {
        let to = self.target(tenant, ClockMove::By(by))?;
        self.set(tenant, to)
    }

    /// Put `tenant` back on the start time (a tenant reset).
    pub fn forget(&self, tenant: &str) {
        self.write().remove(tenant);
    }

    // A poisoned lock only means a panic elsewhere while holding it; the map is still whole
    // (every write is a single insert, remove or replacement).
    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, DateTime<Utc>>> {
        self.tenants.write().unwrap_or_else(|e| e.into_inner())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, DateTime<Utc>>> {
        self.tenants.read().unwrap_or_else(|e| e.into_inner())
    }
}

impl Clock for ManualClock {
    fn now(&self, tenant: &str) -> DateTime<Utc> {
        to_micros(self.read().get(tenant).copied().unwrap_or(self.start))
    }

    fn shared_now(&self) -> DateTime<Utc> {
        to_micros(self.start)
    }

    fn tenant_times(&self) -> Vec<(String, DateTime<Utc>)> {
        self.read()
            .iter()
            .filter(|(_, t)| **t != self.start)
            .map(|(k, t)| (k.clone(), *t))
            .collect()
    }

    fn is_manual(&self) -> bool {
        true
    }

    fn adopt(&self, persisted: &[(String, DateTime<Utc>)]) {
        *self.write() = persisted
            .iter()
            .filter(|(_, t)| is_representable(*t))
            .cloned()
            .collect();
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
        let t = "tenant";
        assert_eq!(
            clock.advance(t, chrono::Duration::MAX),
            Err(ClockError::OutOfRange)
        );
        assert_eq!(
            clock.advance(t, chrono::Duration::hours(4)),
            Err(ClockError::OutOfRange)
        );
        assert_eq!(clock.now(t), at("9999-12-31T20:00:00Z"));
        assert_eq!(
            clock.advance(t, chrono::Duration::hours(3)),
            Ok(at("9999-12-31T23:00:00Z"))
        );
        assert_eq!(
            clock.set(t, at("1969-12-31T23:59:59Z")),
            Err(ClockError::OutOfRange)
        );
        assert_eq!(clock.now(t), at("9999-12-31T23:00:00Z"));
        assert!(clock.set(t, at("1970-01-01T00:00:00Z")).is_ok());
        assert_eq!(
            clock.advance(t, chrono::Duration::seconds(-1)),
            Err(ClockError::OutOfRange)
        );
        assert_eq!(latest_representable(), at("9999-12-31T23:59:59Z"));
    }

    #[test]
    fn each_tenant_has_its_own_time() {
        let clock = ManualClock::new(at("2026-01-01T09:00:00Z"));
        assert!(clock.advance("a", chrono::Duration::days(10)).is_ok());
        assert_eq!(clock.now("a"), at("2026-01-11T09:00:00Z"));
        assert_eq!(clock.now("b"), at("2026-01-01T09:00:00Z"));
        assert_eq!(clock.shared_now(), at("2026-01-01T09:00:00Z"));
        assert_eq!(
            clock.tenant_times(),
            vec![("a".to_string(), at("2026-01-11T09:00:00Z"))]
        );
        clock.forget("a");
        assert_eq!(clock.now("a"), at("2026-01-01T09:00:00Z"));
    }

    #[test]
    fn persisted_times_replace_the_held_ones() {
        let clock = ManualClock::new(at("2026-01-01T09:00:00Z"));
        assert!(clock.set("a", at("2026-02-01T00:00:00Z")).is_ok());
        clock.adopt(&[("b".to_string(), at("2027-01-01T00:00:00Z"))]);
        assert_eq!(clock.now("a"), at("2026-01-01T09:00:00Z"));
        assert_eq!(clock.now("b"), at("2027-01-01T00:00:00Z"));
    }
}
