//! The lcw engine: runs and their durable job queue (`runner`), the scheduler and
//! execution scopes (`scheduler`, `scope`), what each built-in task does (`tasks`,
//! `task_mail`, `tasks_access`, over `task_input`), custom task extension callouts, the
//! mailer, the clock every time-dependent rule reads, and the purge of deleted workflows.
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
pub mod telemetry;

pub use clock::{Clock, ManualClock, SystemClock};
