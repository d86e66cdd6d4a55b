//! `/metrics` in the Prometheus text format, and what the HTTP layer measures. The recorder
//! is installed once per process by `lcw serve` ([`Metrics::install`]); without it the
//! `metrics` macros cost next to nothing. Labels name operations by their declared
//! template (`GET /identityGovernance/.../workflows/{workflow-id}`), never a raw path, so no
//! id, tenant or query text reaches a label.

use std::sync::Arc;

use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

pub const HTTP_REQUESTS: &str = "lcw_http_requests_total";
pub const HTTP_SECONDS: &str = "lcw_http_request_duration_seconds";
const JOBS_PENDING: &str = "lcw_engine_jobs_pending";
const JOBS_OLDEST_AGE: &str = "lcw_engine_oldest_job_age_seconds";
const MAIL_PENDING: &str = "lcw_mail_pending";
const POOL_OPEN: &str = "lcw_db_pool_connections";
const POOL_IDLE: &str = "lcw_db_pool_idle_connections";
const POOL_MAX: &str = "lcw_db_pool_max_connections";

/// Latency buckets (seconds) of every histogram: requests, and scheduler passes of up to
/// several minutes.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
    120.0, 300.0,
];

/// The process's metrics recorder; renders `/metrics`.
pub struct Metrics {
    handle: PrometheusHandle,
}

impl Metrics {
    /// Install the process-wide recorder (once per process) and start its upkeep.
    pub fn install() -> Result<Arc<Metrics>, String> {
        let handle = PrometheusBuilder::new()
            .set_buckets(BUCKETS)
            .map_err(|e| e.to_string())?
            .install_recorder()
            .map_err(|e| format!("cannot install the metrics recorder: {e}"))?;
        describe();
        engine::telemetry::describe();
        // Histogram samples wait in buffers until upkeep folds them into buckets: without
        // scrapes they would pile up.
        let upkeep = handle.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                upkeep.run_upkeep();
            }
        });
        Ok(Arc::new(Metrics { handle }))
    }

    /// The text exposition: what the counters hold, with the gauges sampled now (job
    /// queue, outbox, connection pools). A gauge the database cannot answer keeps its last
    /// value; the scrape still succeeds.
    pub async fn render(&self, store: &store::Store) -> String {
        match store.job_queue().await {
            Ok(queue) => {
                metrics::gauge!(JOBS_PENDING).set(queue.pending as f64);
                let age = queue
                    .oldest_available_at
                    .as_deref()
                    .and_then(model::time::parse_datetime)
                    .map(|at| (chrono::Utc::now() - at).num_milliseconds().max(0) as f64 / 1e3)
                    .unwrap_or(0.0);
                metrics::gauge!(JOBS_OLDEST_AGE).set(age);
            }
            Err(e) => tracing::warn!(error = %e, "metrics: reading the job queue failed"),
        }
        match store.outbox_pending().await {
            Ok(n) => metrics::gauge!(MAIL_PENDING).set(n as f64),
            Err(e) => tracing::warn!(error = %e, "metrics: reading the outbox failed"),
        }
        for pool in store.pool_use() {
            metrics::gauge!(POOL_OPEN, "pool" => pool.name).set(f64::from(pool.open));
            metrics::gauge!(POOL_IDLE, "pool" => pool.name).set(f64::from(pool.idle));
            metrics::gauge!(POOL_MAX, "pool" => pool.name).set(f64::from(pool.max));
        }
        self.handle.render()
    }
}

fn describe() {
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests answered, by operation (its declared template) and status code."
    );
    describe_histogram!(
        HTTP_SECONDS,
        Unit::Seconds,
        "Time from a request's head to its answer, by operation."
    );
    describe_gauge!(
        JOBS_PENDING,
        "Engine jobs not done yet (queued or leased), all nodes."
    );
    describe_gauge!(
        JOBS_OLDEST_AGE,
        "How long the oldest pending engine job has been due, in seconds (0 when none)."
    );
    describe_gauge!(
        MAIL_PENDING,
        "E-mails waiting in the outbox to be delivered."
    );
    describe_gauge!(POOL_OPEN, "Open database connections, by pool.");
    describe_gauge!(POOL_IDLE, "Open database connections not in use, by pool.");
    describe_gauge!(POOL_MAX, "The most connections a pool opens.");
}

/// One answered request.
pub(crate) fn request(operation: &'static str, status: u16, seconds: f64) {
    metrics::counter!(HTTP_REQUESTS, "operation" => operation, "status" => status.to_string())
        .increment(1);
    metrics::histogram!(HTTP_SECONDS, "operation" => operation).record(seconds);
}
