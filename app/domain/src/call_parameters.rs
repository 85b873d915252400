//! A platform API call's parameters: the query and a URL-encoded form body taken together,
//! with every `session` value (a token presented as a parameter) set apart from the method's
//! own parameters.

/// The parameter that carries a token.
pub const SESSION_PARAM: &str = "session";

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CallParameters {
    /// The method's parameters, the query's first, then the form's.
    pub pairs: Vec<(String, String)>,
    /// Every `session` value, in order.
    pub sessions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The parameters are not URL-encoded.")]
pub struct NotUrlEncoded;

impl CallParameters {
    pub fn parse(query: Option<&str>, form: &[u8]) -> Result<Self, NotUrlEncoded> {
        let mut pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query.unwrap_or_default()).map_err(|_| NotUrlEncoded)?;
        pairs.extend(
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(form)
                .map_err(|_| NotUrlEncoded)?,
        );
        let (sessions, pairs): (Vec<_>, Vec<_>) = pairs
            .into_iter()
            .partition(|(name, _)| name == SESSION_PARAM);
        Ok(Self {
            pairs,
            sessions: sessions.into_iter().map(|(_, value)| value).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(name: &str, value: &str) -> (String, String) {
        (name.to_owned(), value.to_owned())
    }

    #[test]
    fn sessions_are_set_apart_from_both_query_and_form() {
        let parameters =
            CallParameters::parse(Some("envName=a%20b&session=one"), b"session=two&x=%2B").unwrap();
        assert_eq!(parameters.pairs, [pair("envName", "a b"), pair("x", "+")]);
        assert_eq!(parameters.sessions, ["one", "two"]);
    }

    #[test]
    fn an_encoded_session_name_is_still_a_session() {
        let parameters = CallParameters::parse(Some("s%65ssion=one"), b"").unwrap();
        assert_eq!(parameters.sessions, ["one"]);
        assert!(parameters.pairs.is_empty());
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused_or_replaced_never_a_panic() {
        assert!(CallParameters::parse(None, b"a=\xff\xfe").is_ok());
        assert_eq!(
            CallParameters::parse(None, b"").unwrap(),
            CallParameters::default()
        );
    }
}
