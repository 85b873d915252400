//! Headers every response carries: no sniffing, no referrer (tokens may ride in a `session`
//! query parameter), no framing, a Content-Security-Policy on every HTML page (Leptos pages
//! bring their own, with the nonce of their inline scripts), nothing stored by caches but the
//! static bundle, and HSTS when the request came over HTTPS.

use app::{request::RequestContext, security::content_security_policy};
use axum::{extract::Request, middleware::Next, response::Response};
use http::{HeaderValue, header};

/// Two years, with subdomains: what browsers' preload lists ask for.
const HSTS: &str = "max-age=63072000; includeSubDomains";

pub async fn add(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let https = RequestContext::from_parts(&parts).https;
    let mut response = next.run(Request::from_parts(parts, body)).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html
        && !headers.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(policy) = HeaderValue::from_str(&content_security_policy(None))
    {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    // Pages, API answers and server functions carry personal data or token values; only the
    // bundle under /pkg sets a cache policy of its own.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}
