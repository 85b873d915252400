//! Prometheus metrics at `/metrics`, on a listen address of their own (`--metrics-addr`). A
//! separate address rather than a route on the public one: scrapers hold no Tessera token,
//! and the figures (request rates, refusal codes) are for operators, not for every client
//! that reaches the proxy. Off unless the address is set.

use std::{
    net::SocketAddr,
    sync::atomic::{AtomicBool, Ordering},
    time::Instant,
};

use axum::{
    Router,
    extract::{MatchedPath, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

use tessera_core::metrics as core_metrics;

use crate::services::Services;

/// Set once the recorder is installed: until then requests skip the measuring.
static ENABLED: AtomicBool = AtomicBool::new(false);

const HTTP_REQUESTS: &str = "tessera_http_requests_total";
const HTTP_SECONDS: &str = "tessera_http_request_duration_seconds";
const POOL_CONNECTIONS: &str = "tessera_db_pool_connections";
const POOL_MAX: &str = "tessera_db_pool_max_connections";
const BACKLOG: &str = "tessera_usage_backlog_records";
const BACKLOG_AGE: &str = "tessera_usage_backlog_oldest_seconds";

const UPKEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// From 50 µs (a cached token check) to 5 s (a slow database).
const BUCKETS: &[f64] = &[
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1.0, 2.5, 5.0,
];

#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("cannot set up metrics: {0}")]
    Recorder(#[from] metrics_exporter_prometheus::BuildError),
    #[error("cannot listen on {addr} for metrics: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

#[derive(Clone)]
struct Exporter {
    handle: PrometheusHandle,
    services: Services,
}

/// Installs the process-wide recorder and binds `addr`; the returned future serves
/// `/metrics` until the process ends.
pub async fn start(
    addr: SocketAddr,
    services: Services,
) -> Result<(SocketAddr, impl Future<Output = std::io::Result<()>>), MetricsError> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(core_metrics::TOKEN_CHECK_SECONDS.to_owned()),
            BUCKETS,
        )?
        .set_buckets_for_metric(Matcher::Full(HTTP_SECONDS.to_owned()), BUCKETS)?
        .install_recorder()?;
    describe();
    ENABLED.store(true, Ordering::Relaxed);
    // Histograms keep their samples until upkeep folds them in; without it they would grow
    // with every request while nobody scrapes.
    tokio::spawn({
        let handle = handle.clone();
        async move {
            let mut every = tokio::time::interval(UPKEEP_INTERVAL);
            loop {
                every.tick().await;
                handle.run_upkeep();
            }
        }
    });
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| MetricsError::Bind { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| MetricsError::Bind { addr, source })?;
    let router = Router::new()
        .route("/metrics", get(render))
        .with_state(Exporter { handle, services });
    Ok((bound, async move { axum::serve(listener, router).await }))
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        core_metrics::TOKEN_CHECKS,
        "Token checks by outcome (success or the refusal code) and transport"
    );
    describe_histogram!(
        core_metrics::TOKEN_CHECK_SECONDS,
        metrics::Unit::Seconds,
        "Time to check a presented token"
    );
    describe_counter!(core_metrics::SIGN_INS, "Sign-ins by outcome");
    describe_counter!(
        core_metrics::POOL_TIMEOUTS,
        "Waits for a database connection that ended without one (5 s)"
    );
    describe_counter!(HTTP_REQUESTS, "HTTP requests by route template and status");
    describe_histogram!(
        HTTP_SECONDS,
        metrics::Unit::Seconds,
        "Time to answer HTTP requests, by route template"
    );
    describe_gauge!(POOL_CONNECTIONS, "Database connections by state");
    describe_gauge!(POOL_MAX, "The database pool's size limit");
    describe_gauge!(
        BACKLOG,
        "Token uses and refusals recorded but not yet written"
    );
    describe_gauge!(BACKLOG_AGE, "Age of the oldest record not yet written");
}

/// Samples the gauges (pool, usage backlog) at scrape time, then renders every metric.
async fn render(State(exporter): State<Exporter>) -> impl IntoResponse {
    let pool = exporter.services.system.pool_usage();
    metrics::gauge!(POOL_CONNECTIONS, "state" => "idle").set(pool.idle);
    metrics::gauge!(POOL_CONNECTIONS, "state" => "in_use").set(pool.open.saturating_sub(pool.idle));
    metrics::gauge!(POOL_MAX).set(pool.max);
    let backlog = exporter.services.tokens.usage_backlog();
    metrics::gauge!(BACKLOG).set(backlog.records as f64);
    let age = backlog
        .oldest_at
        .map_or(0, |at| crate::clock::now().saturating_sub(at).max(0));
    metrics::gauge!(BACKLOG_AGE).set(age as f64);
    (
        [(
            http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        exporter.handle.render(),
    )
}

/// Counts and times every request under its route template (`/api/v1/tokens/{id}`), never
/// its concrete path; requests no route matched share one label.
pub async fn record_request(request: Request, next: Next) -> Response {
    if !ENABLED.load(Ordering::Relaxed) {
        return next.run(request).await;
    }
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(HTTP_REQUESTS, "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!(HTTP_SECONDS, "route" => route).record(started.elapsed().as_secs_f64());
    response
}
