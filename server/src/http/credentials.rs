//! Finding the access token a request presents: the `session` parameter (query or form),
//! `Authorization: Bearer`, `X-Auth-Token`, or HTTP Basic with the token as password. All
//! four lead to the same check; a request carrying two different tokens is refused.

use base64::{Engine as _, engine::general_purpose::STANDARD};
use http::{HeaderMap, header::AUTHORIZATION};

use crate::services::tokens::{Presented, Refusal, Transport};

pub use domain::call_parameters::SESSION_PARAM;
const AUTH_TOKEN_HEADER: &str = "x-auth-token";

/// The token among `headers` and the call's `session` parameters (already taken out of the
/// parameters, so no handler ever sees it). `None` when the request carries none.
pub fn presented_token(
    headers: &HeaderMap,
    session_params: Vec<String>,
) -> Result<Option<Presented>, Refusal> {
    let mut found: Vec<(String, Option<String>, Transport)> = Vec::new();
    // Credentials sent but unusable: an empty value, or an Authorization scheme other than
    // Bearer and Basic. They never stand in the way of a token sent beside them; alone, they
    // are refused rather than passed over for whoever else the request could pass as (a
    // browser session): a script whose token variable is unset must hear so.
    let mut empty = false;
    let mut foreign_scheme = false;
    for value in session_params {
        if value.is_empty() {
            empty = true;
        } else {
            found.push((value, None, Transport::SessionParameter));
        }
    }
    for value in headers.get_all(AUTH_TOKEN_HEADER) {
        let value = value.to_str().map_err(|_| Refusal::Unknown)?.trim();
        if value.is_empty() {
            empty = true;
        } else {
            found.push((value.to_owned(), None, Transport::XAuthToken));
        }
    }
    for value in headers.get_all(AUTHORIZATION) {
        let value = value.to_str().map_err(|_| Refusal::Unknown)?.trim();
        let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
        if scheme.eq_ignore_ascii_case("bearer") {
            found.push((rest.trim().to_owned(), None, Transport::Bearer));
        } else if scheme.eq_ignore_ascii_case("basic") {
            let decoded = STANDARD
                .decode(rest.trim())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or(Refusal::Unknown)?;
            let (login, token) = decoded.split_once(':').ok_or(Refusal::Unknown)?;
            found.push((token.to_owned(), Some(login.to_owned()), Transport::Basic));
        } else {
            foreign_scheme = true;
        }
    }
    let Some((value, login, transport)) = found.pop() else {
        return if foreign_scheme {
            Err(Refusal::NoCredential)
        } else if empty {
            Ok(Some(Presented::new(
                String::new(),
                None,
                Transport::XAuthToken,
            )))
        } else {
            Ok(None)
        };
    };
    if found.iter().any(|(other, _, _)| *other != value) {
        return Err(Refusal::ConflictingCredentials);
    }
    let login = login.or_else(|| found.into_iter().find_map(|(_, login, _)| login));
    Ok(Some(Presented::new(value, login, transport)))
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn each_transport_presents_the_token() {
        let token = "tsr_x";
        let basic = STANDARD.encode(format!("alice:{token}"));
        let cases = [
            (headers(&[("authorization", "Bearer tsr_x")]), vec![]),
            (headers(&[("x-auth-token", "tsr_x")]), vec![]),
            (
                headers(&[("authorization", &format!("Basic {basic}"))]),
                vec![],
            ),
            (HeaderMap::new(), vec![token.to_owned()]),
        ];
        for (headers, params) in cases {
            let presented = presented_token(&headers, params).unwrap().unwrap();
            assert_eq!(presented.value(), token);
        }
        assert!(
            presented_token(&HeaderMap::new(), vec![])
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn two_different_tokens_are_refused_and_the_same_one_twice_is_fine() {
        let both = headers(&[("authorization", "Bearer tsr_a"), ("x-auth-token", "tsr_b")]);
        assert_eq!(
            presented_token(&both, vec![]).unwrap_err(),
            Refusal::ConflictingCredentials
        );
        let same = headers(&[("x-auth-token", "tsr_a")]);
        assert!(presented_token(&same, vec!["tsr_a".into()]).is_ok());
    }

    #[test]
    fn another_scheme_alone_is_refused_and_beside_a_token_is_no_bother() {
        let digest = headers(&[("authorization", "Digest username=\"ann\"")]);
        assert_eq!(
            presented_token(&digest, vec![]).unwrap_err(),
            Refusal::NoCredential
        );
        let raw = headers(&[("authorization", "tsr_x")]);
        assert_eq!(
            presented_token(&raw, vec![]).unwrap_err(),
            Refusal::NoCredential,
            "a value without a scheme is no fifth transport"
        );
        let beside = headers(&[
            ("authorization", "Negotiate abc"),
            ("x-auth-token", "tsr_x"),
        ]);
        assert_eq!(
            presented_token(&beside, vec![]).unwrap().unwrap().value(),
            "tsr_x"
        );
    }

    #[test]
    fn an_empty_token_alone_is_presented_and_beside_a_token_is_no_bother() {
        let empty_header = headers(&[("x-auth-token", "")]);
        assert_eq!(
            presented_token(&empty_header, vec![])
                .unwrap()
                .unwrap()
                .value(),
            ""
        );
        let empty_parameter = presented_token(&HeaderMap::new(), vec![String::new()]);
        assert_eq!(empty_parameter.unwrap().unwrap().value(), "");
        let beside = headers(&[("x-auth-token", ""), ("authorization", "Bearer tsr_x")]);
        assert_eq!(
            presented_token(&beside, vec![]).unwrap().unwrap().value(),
            "tsr_x"
        );
    }

    #[test]
    fn broken_basic_auth_is_refused() {
        let broken = headers(&[("authorization", "Basic !!!")]);
        assert_eq!(
            presented_token(&broken, vec![]).unwrap_err(),
            Refusal::Unknown
        );
    }
}
