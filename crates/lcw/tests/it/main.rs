//! The integration suite: one test binary, real `lcw serve` processes over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod harness;

mod access;
mod auth_matrix;
mod batch;
mod catalog_settings;
mod custom_extension;
mod database_faults;
mod database_outage;
mod directory;
mod durability;
mod engine;
mod extensions;
mod graceful_stop;
mod hardening;
mod identity;
mod input_limits;
mod ledger;
mod mail;
mod mail_injection;
mod mail_outage;
mod metadata;
mod observability;
mod protocol;
mod query_cost;
mod runs;
mod scheduler_races;
mod task_catalog;
mod tenant_clocks;
mod tls;
mod v1;
mod wire;
mod workflows;
