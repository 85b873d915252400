//! What the server knows about the request behind a server function or handler: the
//! session cookie (read and written), the client's address and user agent, and whether it came
//! over HTTPS.

use http::{HeaderMap, request::Parts};
use tessera_core::services::{
    Services,
    accounts::{AccountError, SESSION_ABSOLUTE_SECS, SessionUser},
};

pub const SESSION_COOKIE: &str = "tessera_session";
const MAX_USER_AGENT_CHARS: usize = 256;

pub use domain::client::ClientInfo;

#[derive(Clone, Default)]
pub struct RequestContext {
    /// The session cookie's value; a credential, so `Debug` leaves it out.
    pub session_token: Option<String>,
    pub client: ClientInfo,
    /// The request reached us over HTTPS (directly or through a proxy that says so).
    pub https: bool,
}

impl std::fmt::Debug for RequestContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestContext")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("client", &self.client)
            .field("https", &self.https)
            .finish()
    }
}

impl RequestContext {
    pub fn from_parts(parts: &Parts) -> Self {
        let ip = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip().to_string());
        let user_agent = header(&parts.headers, http::header::USER_AGENT)
            .map(|agent| agent.chars().take(MAX_USER_AGENT_CHARS).collect());
        let https = parts.uri.scheme_str() == Some("https")
            || header(&parts.headers, "x-forwarded-proto")
                .is_some_and(|p| p.eq_ignore_ascii_case("https"));
        Self {
            session_token: session_cookie_value(&parts.headers),
            client: ClientInfo { ip, user_agent },
            https,
        }
    }

    /// The context of the request a server function is answering.
    pub fn current() -> Self {
        leptos::prelude::use_context::<Parts>()
            .map(|parts| Self::from_parts(&parts))
            .unwrap_or_default()
    }
}

pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={SESSION_ABSOLUTE_SECS}{secure}"
    )
}

pub fn cleared_session_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

/// The user signed in with the request's session cookie, if any.
pub async fn signed_in_session(
    services: &Services,
    request: &RequestContext,
) -> Result<Option<SessionUser>, AccountError> {
    match request.session_token.as_deref() {
        Some(token) => services.accounts.session_user(token).await,
        None => Ok(None),
    }
}

fn header(headers: &HeaderMap, name: impl http::header::AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

fn session_cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_cookie_among_others() {
        let request = http::Request::get("/")
            .header("cookie", "theme=dark; tessera_session=abc123; other=1")
            .header("x-forwarded-proto", "https")
            .body(())
            .unwrap();
        let (parts, ()) = request.into_parts();
        let context = RequestContext::from_parts(&parts);
        assert_eq!(context.session_token.as_deref(), Some("abc123"));
        assert!(context.https);
        assert!(!format!("{context:?}").contains("abc123"));
    }

    #[test]
    fn cookie_is_http_only_lax_and_secure_over_https() {
        let cookie = session_cookie("abc", true);
        assert!(cookie.starts_with("tessera_session=abc;"));
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax")
                && cookie.ends_with("; Secure")
        );
        assert!(!session_cookie("abc", false).contains("Secure"));
    }
}
