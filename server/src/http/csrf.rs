//! Cross-site request forgery protection for every state-changing request.
//!
//! Browsers label each request with where it came from: `Sec-Fetch-Site` (all current
//! browsers) and `Origin` (on every POST). A request with an unsafe method is refused when
//! either says another site sent it. A request that carries the session cookie must also
//! *prove* it came from this site: `Sec-Fetch-Site: same-origin`, or an `Origin` equal to this
//! server's scheme and host; a browser always sends one of them, so a request with neither
//! did not come from our pages. Clients that are not browsers (scripts with a token) send no
//! cookie and neither header, and pass.
//!
//! JSON endpoints (the REST API and the server functions) take JSON only: any other body type
//! is answered 415, so an HTML form on another site cannot even reach their parsers.

use app::request::RequestContext;
use axum::{
    body::HttpBody as _, extract::Request, http::StatusCode, middleware::Next, response::Response,
};
use http::HeaderMap;

use super::error::json_error;

pub async fn reject_cross_site(request: Request, next: Next) -> Response {
    // A forward-auth check carries the headers of a request to another service, Origin
    // included; it reads no session and changes nothing but the token's use.
    if request.method().is_safe() || request.uri().path() == super::forward_auth::PATH {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let context = RequestContext::from_parts(&parts);
    let this_origin = format!(
        "{}://{}",
        if context.https { "https" } else { "http" },
        header(&parts.headers, http::header::HOST).unwrap_or_default()
    );
    let verdict = match provenance(&parts.headers, &this_origin) {
        Provenance::CrossSite => Some("This request came from another site and was refused."),
        Provenance::Unknown if context.session_token.is_some() => Some(
            "A signed-in change must come from this site's pages (the browser's Origin or \
             Sec-Fetch-Site header is missing).",
        ),
        Provenance::Unknown | Provenance::SameOrigin => None,
    };
    if let Some(message) = verdict {
        tracing::warn!(path = %parts.uri.path(), "cross-site request refused");
        // Each API in its own format. (A browser may hold HTTP Basic credentials for the
        // platform API, which it sends on its own: the check applies there too.)
        if parts.uri.path().starts_with(super::platform::PREFIX) {
            return super::platform::cross_site_refusal(message);
        }
        return json_error(StatusCode::FORBIDDEN, "cross_site_request", message);
    }
    let has_body = body.size_hint().exact() != Some(0) || declares_body(&parts.headers);
    if takes_json_only(parts.uri.path()) && has_body && !is_json(&parts.headers) {
        return json_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as JSON, with Content-Type: application/json.",
        );
    }
    next.run(Request::from_parts(parts, body)).await
}

#[derive(Debug, PartialEq, Eq)]
enum Provenance {
    SameOrigin,
    CrossSite,
    /// Neither header: not a browser, or a browser's request we cannot place.
    Unknown,
}

/// Either header saying "another site" is enough to refuse; either saying "this site" (and
/// neither saying otherwise) is enough to accept.
///
/// `Origin: null` says nothing: browsers send it for a form posted from a page whose referrer
/// policy is `no-referrer` (every page here), and then `Sec-Fetch-Site` decides.
fn provenance(headers: &HeaderMap, this_origin: &str) -> Provenance {
    let origin = header(headers, http::header::ORIGIN).filter(|origin| *origin != "null");
    if origin.is_some_and(|origin| origin != this_origin) {
        return Provenance::CrossSite;
    }
    match header(headers, "sec-fetch-site") {
        Some("same-origin") => Provenance::SameOrigin,
        // A person typing an address or following a bookmark: no page sent it.
        Some("none") | None if origin.is_some() => Provenance::SameOrigin,
        Some("none") | None => Provenance::Unknown,
        Some(_) => Provenance::CrossSite,
    }
}

/// The REST API and every server function but the password change, which the Account page
/// posts as a plain form before it has hydrated.
fn takes_json_only(path: &str) -> bool {
    use leptos::server_fn::ServerFn as _;

    path.starts_with("/api/")
        || (path.starts_with("/_fn/") && path != app::server_fns::session::ChangePassword::PATH)
}

fn declares_body(headers: &HeaderMap) -> bool {
    headers.contains_key(http::header::TRANSFER_ENCODING)
        || header(headers, http::header::CONTENT_LENGTH).is_some_and(|length| length != "0")
}

fn is_json(headers: &HeaderMap) -> bool {
    header(headers, http::header::CONTENT_TYPE).is_some_and(|value| {
        value
            .split(';')
            .next()
            .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
    })
}

fn header(headers: &HeaderMap, name: impl http::header::AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HERE: &str = "http://127.0.0.1:3000";

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (http::header::HeaderName::from_static(k), v.parse().unwrap()))
            .collect()
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        let of = |site| provenance(&headers(&[("sec-fetch-site", site)]), HERE);
        assert_eq!(of("same-origin"), Provenance::SameOrigin);
        assert_eq!(of("cross-site"), Provenance::CrossSite);
        assert_eq!(of("same-site"), Provenance::CrossSite);
        assert_eq!(of("none"), Provenance::Unknown);
    }

    #[test]
    fn a_foreign_origin_is_refused_whatever_fetch_metadata_says() {
        let with = |origin, site| {
            provenance(
                &headers(&[("origin", origin), ("sec-fetch-site", site)]),
                HERE,
            )
        };
        assert_eq!(
            with("http://evil.example", "same-origin"),
            Provenance::CrossSite
        );
        assert_eq!(with("null", "same-origin"), Provenance::SameOrigin);
        assert_eq!(with("null", "cross-site"), Provenance::CrossSite);
        assert_eq!(with(HERE, "same-origin"), Provenance::SameOrigin);
        assert_eq!(with(HERE, "cross-site"), Provenance::CrossSite);
    }

    #[test]
    fn the_origin_must_match_scheme_and_host() {
        let of = |origin| provenance(&headers(&[("origin", origin)]), HERE);
        assert_eq!(of("http://127.0.0.1:3000"), Provenance::SameOrigin);
        assert_eq!(of("https://127.0.0.1:3000"), Provenance::CrossSite);
        assert_eq!(of("https://evil.example"), Provenance::CrossSite);
        assert_eq!(of("null"), Provenance::Unknown);
        assert_eq!(provenance(&headers(&[]), HERE), Provenance::Unknown);
    }

    #[test]
    fn json_is_recognised_with_parameters_and_in_any_case() {
        assert!(is_json(&headers(&[(
            "content-type",
            "Application/JSON; charset=utf-8"
        )])));
        assert!(!is_json(&headers(&[("content-type", "text/plain")])));
        assert!(!is_json(&headers(&[(
            "content-type",
            "application/json-patch+json"
        )])));
        assert!(!is_json(&headers(&[])));
    }
}
