//! The lcw engine. For now: the clock every time-dependent rule reads, and background
//! maintenance (automatic purge of deleted workflows after 30 days).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod callout;
pub mod clock;
pub mod mailer;
pub mod purge;
pub mod runner;
pub mod scheduler;
pub mod scope;
pub mod task_input;
pub mod task_mail;
pub mod tasks;
pub mod tasks_access;

pub use clock::{Clock, ManualClock, SystemClock};
