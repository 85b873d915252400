//! One log line per request with its id, method, path, status and latency. The query string and
//! headers are left out on purpose: they can carry credentials.

use std::time::Duration;

use axum::{body::Body, http::Request, response::Response};
use tower_http::{
    classify::{ServerErrorsAsFailures, SharedClassifier},
    trace::TraceLayer,
};
use tracing::Span;

use super::request_id::RequestId;

type MakeSpan = fn(&Request<Body>) -> Span;
type OnResponse = fn(&Response, Duration, &Span);

pub fn layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, MakeSpan, (), OnResponse> {
    TraceLayer::new_for_http()
        .make_span_with(request_span as MakeSpan)
        .on_request(())
        .on_response(log_response as OnResponse)
}

fn request_span(request: &Request<Body>) -> Span {
    let id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.0.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %request.uri().path()
    )
}

fn log_response(response: &Response, latency: Duration, _span: &Span) {
    let status = response.status().as_u16();
    let latency_ms = latency.as_secs_f64() * 1000.0;
    // Health checks come every few seconds from load balancers and container runtimes: at
    // info they would bury everything else.
    if is_health_check(response) {
        tracing::debug!(status, latency_ms, "served");
    } else {
        tracing::info!(status, latency_ms, "served");
    }
}

fn is_health_check(response: &Response) -> bool {
    response.extensions().get::<HealthCheck>().is_some()
}

/// Marks a healthy health check's answer, so that it is logged at debug level.
#[derive(Debug, Clone, Copy)]
pub struct HealthCheck;
