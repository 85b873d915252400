//! `Tessera-Token-Expires` and `Tessera-Token-Warning` on every answer to a call a token was
//! admitted for, so that a script (CI, say) can warn itself before its token stops working.
//!
//! The middleware gives each request an empty [`AdmittedToken`] slot; whatever admits a token
//! for the request (the REST extractors, the platform API's handler) fills it in; on the way
//! out the headers are written from it.

use std::sync::{Arc, OnceLock};

use app::{calendar::format_rfc3339, token::ExpirationModel};
use axum::{extract::Request, middleware::Next, response::Response};
use http::HeaderValue;

use crate::{clock, services::tokens::TokenGrant};

pub const EXPIRES: &str = "tessera-token-expires";
pub const WARNING: &str = "tessera-token-warning";
/// A hard limit this close is warned of.
pub const WARN_WITHIN_SECS: i64 = 7 * 86_400;

/// The token a request was admitted with, as far as its answer needs it.
#[derive(Clone, Debug, Default)]
pub struct AdmittedToken(Arc<OnceLock<(Option<i64>, ExpirationModel)>>);

impl AdmittedToken {
    pub fn record(&self, grant: &TokenGrant) {
        let _ = self.0.set((grant.expiry.at(), grant.expiry.model()));
    }
}

pub async fn announce(mut request: Request, next: Next) -> Response {
    let admitted = AdmittedToken::default();
    request.extensions_mut().insert(admitted.clone());
    let mut response = next.run(request).await;
    if let Some(&(Some(at), model)) = admitted.0.get() {
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&format_rfc3339(at)) {
            headers.insert(EXPIRES, value);
        }
        if let Some(warning) = warning(at, model, clock::now())
            && let Ok(value) = HeaderValue::from_str(&warning)
        {
            headers.insert(WARNING, value);
        }
    }
    response
}

/// The sentence for a hard limit within [`WARN_WITHIN_SECS`]. An auto-refresh token's end
/// moves with each use, so it gets none.
fn warning(at: i64, model: ExpirationModel, now: i64) -> Option<String> {
    let left = at - now;
    if model != ExpirationModel::HardLimit || left > WARN_WITHIN_SECS {
        return None;
    }
    // Rounded to the nearest hour or day: a token made for 3 days expires "in 3 days".
    let when = match left {
        ..=3_599 => "within the hour".to_owned(),
        3_600..=84_599 => format!("in {} h", (left + 1_800) / 3_600),
        _ => format!("in {} days", (left + 43_200) / 86_400),
    };
    Some(format!(
        "This access token expires {when} ({}): extend it or replace it before then.",
        format_rfc3339(at)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_near_hard_limit_is_warned_of() {
        let now = 1_800_000_000;
        let hard = ExpirationModel::HardLimit;
        assert_eq!(warning(now + WARN_WITHIN_SECS + 1, hard, now), None);
        assert_eq!(
            warning(now + 3 * 86_400 + 5, hard, now).as_deref(),
            Some(
                "This access token expires in 3 days (2027-01-18T08:00:05Z): extend it or \
                 replace it before then."
            )
        );
        assert!(warning(now + 7_200, hard, now).unwrap().contains("in 2 h"));
        assert!(
            warning(now + 60, hard, now)
                .unwrap()
                .contains("within the hour")
        );
        assert_eq!(warning(now + 60, ExpirationModel::AutoRefresh, now), None);
    }
}
