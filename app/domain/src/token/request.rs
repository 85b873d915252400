//! A token's settings in the JSON shape the REST API and the platform API document, turned
//! into the one [`TokenInput`] every surface shares. Only the shape is checked here: what the
//! values mean is decided by [`TokenInput::decide`].

use super::{ApiInput, ExpiryInput, TokenInput, TokenInputErrors};
use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub description: Option<String>,
    /// A predefined API set's id or title.
    pub api_set: Option<String>,
    pub methods: Option<Vec<String>>,
    /// The last valid date, `yyyy-mm-dd` (or `dd-mm-yyyy`).
    pub expires_at: Option<String>,
    /// A hard-limit lifetime from now, such as `30d`.
    pub expires_in: Option<String>,
    /// An auto-refresh window, such as `12h` or a number of seconds.
    pub auto_refresh: Option<String>,
    /// With `auto_refresh`: the last valid date however often the token is used.
    pub not_after: Option<String>,
    /// No expiry (where the policy allows it); on an edit, removes the token's expiry.
    #[serde(default)]
    pub never_expires: bool,
    pub scopes: Option<Vec<String>>,
    /// How many calls the token may make (a refill on an edit); `null`: unlimited.
    #[serde(default, deserialize_with = "given")]
    pub max_uses: Option<Option<i64>>,
    /// Calls per period, such as `600/min`; `null`: no limit.
    #[serde(default, deserialize_with = "given")]
    pub rate_limit: Option<Option<String>>,
    /// Addresses and CIDR ranges the token may be used from; `[]`: anywhere.
    pub allowed_ips: Option<Vec<String>>,
}

/// A field that is present, even as `null` (`Some(None)`), unlike one left out (`None`).
fn given<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

impl TokenRequest {
    pub fn into_input(self) -> Result<TokenInput, Box<TokenInputErrors>> {
        let mut errors = TokenInputErrors::default();
        let api = match (self.api_set, self.methods) {
            (Some(_), Some(_)) => {
                errors.api = Some("Choose an API set or a list of methods, not both.".to_owned());
                None
            }
            (Some(set), None) => Some(ApiInput::Set(set)),
            (None, Some(methods)) => Some(ApiInput::Methods(methods)),
            (None, None) => None,
        };
        let choices = [
            self.expires_at.map(ExpiryInput::Date),
            self.expires_in.map(ExpiryInput::Lasting),
            self.auto_refresh.map(|window| ExpiryInput::AutoRefresh {
                window,
                not_after: self.not_after.clone(),
            }),
            self.never_expires.then_some(ExpiryInput::Never),
        ];
        if self.not_after.is_some() && choices[2].is_none() {
            errors.expiry = Some(
                "not_after goes with auto_refresh: a hard limit already ends, and a token that \
                 never expires has no end."
                    .to_owned(),
            );
        }
        let mut given = choices.into_iter().flatten();
        let expiry = given.next();
        if given.next().is_some() {
            errors.expiry = Some(
                "Choose one of expires_at, expires_in, auto_refresh and never_expires.".to_owned(),
            );
        }
        if !errors.is_empty() {
            return Err(Box::new(errors));
        }
        Ok(TokenInput {
            description: self.description,
            api,
            scopes: self.scopes,
            expiry,
            max_uses: self
                .max_uses
                .map(|uses| uses.map_or_else(String::new, |n| n.to_string())),
            rate_limit: self.rate_limit.map(Option::unwrap_or_default),
            allowed_ips: self.allowed_ips,
        })
    }
}
