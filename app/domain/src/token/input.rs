//! A token's settings as every surface takes them (the dashboard's dialog, the admin's dialog,
//! the REST body, the CLI's flags), and the one function that decides what the token will be.
//!
//! The browser runs [`TokenInput::decide`] for instant feedback; the token service runs it as
//! the authority. Defaults, bounds and messages therefore cannot differ between surfaces.

use serde::{Deserialize, Serialize};

use super::{
    AddressRange, DateError, Description, ExpirationModel, ExpiryDate, ExpirySpec, Lifetime,
    RateLimit, Scope, TokenPolicy, TokenView, parse_uses,
};
use crate::catalog::{ApiSelection, Catalog, MethodName};

/// What a person or client asked for. `None` keeps the token's own setting on an edit, takes
/// the source's on a copy, and the default on a new token (see [`TokenInput::decide`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TokenInput {
    pub description: Option<String>,
    pub api: Option<ApiInput>,
    /// Scope entries as typed: each may hold several scopes separated by commas or spaces.
    pub scopes: Option<Vec<String>>,
    pub expiry: Option<ExpiryInput>,
    /// How many calls the token may make, as typed; empty or `unlimited`: no limit. On an
    /// edit, a fresh allowance (a refill).
    pub max_uses: Option<String>,
    /// Calls per period (`600/min`); empty or `none`: no limit.
    pub rate_limit: Option<String>,
    /// Addresses and CIDR ranges the token may be used from; none: anywhere.
    pub allowed_ips: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ApiInput {
    /// A predefined API set, by id or title, in any case.
    Set(String),
    /// Hand-picked methods by name.
    Methods(Vec<String>),
}

impl From<&ApiSelection> for ApiInput {
    fn from(selection: &ApiSelection) -> Self {
        match selection {
            ApiSelection::Set(id) => Self::Set(id.clone()),
            ApiSelection::Custom(names) => {
                Self::Methods(names.iter().map(|n| n.as_str().to_owned()).collect())
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ExpiryInput {
    Never,
    /// Hard limit through the end of a date: `dd-mm-yyyy` or `yyyy-mm-dd`.
    Date(String),
    /// Hard limit a duration from now: `30d`, `12h`, `20m`, `90s` or a number of seconds.
    Lasting(String),
    /// Auto refresh: each use before expiry pushes it to now + this window, and, when
    /// `not_after` is a date (as for [`Self::Date`]), never past the end of that date.
    AutoRefresh {
        window: String,
        #[serde(default)]
        not_after: Option<String>,
    },
}

impl ExpiryInput {
    /// Auto refresh with `window` and no absolute end.
    pub fn auto_refresh(window: impl Into<String>) -> Self {
        Self::AutoRefresh {
            window: window.into(),
            not_after: None,
        }
    }
}

/// Which token an input is decided against.
#[derive(Debug, Clone, Copy)]
pub enum Basis<'a> {
    New,
    /// An edit: what the input leaves out stays as the token has it, and keeping its API is
    /// allowed even where the policy has closed it since.
    Edit(&'a TokenView),
    /// A new token that starts from another's settings.
    Copy(&'a TokenView),
}

impl<'a> Basis<'a> {
    fn source(self) -> Option<&'a TokenView> {
        match self {
            Self::New => None,
            Self::Edit(token) | Self::Copy(token) => Some(token),
        }
    }
}

/// What an input is decided against besides the token it changes.
#[derive(Debug, Clone, Copy)]
pub struct TokenRules<'a> {
    /// Unix seconds: "today" and every upper bound follow from it.
    pub now: i64,
    pub catalog: &'a Catalog,
    pub policy: &'a TokenPolicy,
    pub basis: Basis<'a>,
}

/// A token's settings as decided. Only [`TokenInput::decide`] makes one, so a service that
/// takes it knows every rule was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecidedToken {
    description: Description,
    api: ApiSelection,
    scopes: Vec<Scope>,
    expiry: Option<ExpirySpec>,
    uses: Option<Option<u64>>,
    rate_limit: Option<RateLimit>,
    allowed_ips: Vec<AddressRange>,
}

impl DecidedToken {
    pub fn description(&self) -> &Description {
        &self.description
    }

    pub fn api(&self) -> &ApiSelection {
        &self.api
    }

    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    /// `None`: an edit that keeps the token's expiry as it is.
    pub fn expiry(&self) -> Option<ExpirySpec> {
        self.expiry
    }

    /// `None`: an edit that keeps the token's uses as they are; `Some(None)`: unlimited.
    pub fn uses(&self) -> Option<Option<u64>> {
        self.uses
    }

    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.rate_limit
    }

    pub fn allowed_ips(&self) -> &[AddressRange] {
        &self.allowed_ips
    }
}

/// What is wrong, field by field, worded for the person who typed it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInputErrors {
    pub description: Option<String>,
    pub expiry: Option<String>,
    pub api: Option<String>,
    pub scopes: Option<String>,
    pub max_uses: Option<String>,
    pub rate_limit: Option<String>,
    pub allowed_ips: Option<String>,
    /// Every message is the server's policy refusing an otherwise valid choice.
    pub by_policy: bool,
}

impl TokenInputErrors {
    pub fn is_empty(&self) -> bool {
        self.description.is_none()
            && self.expiry.is_none()
            && self.api.is_none()
            && self.scopes.is_none()
            && self.max_uses.is_none()
            && self.rate_limit.is_none()
            && self.allowed_ips.is_none()
    }

    /// All messages in one line (for an error banner, a REST answer or the CLI).
    pub fn summary(&self) -> String {
        [
            &self.description,
            &self.expiry,
            &self.api,
            &self.scopes,
            &self.max_uses,
            &self.rate_limit,
            &self.allowed_ips,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" ")
    }
}

/// Why a field was refused: the input itself, or the policy.
enum Refused {
    Invalid(String),
    Policy(String),
}

impl TokenInput {
    /// Decides the token this input makes or changes. The one place for defaults, bounds and
    /// the policy: every surface that makes a token goes through here.
    pub fn decide(&self, rules: &TokenRules<'_>) -> Result<DecidedToken, Box<TokenInputErrors>> {
        let description = self.decide_description(rules);
        let api = self.decide_api(rules);
        let scopes = self.decide_scopes(rules);
        let expiry = self.decide_expiry(rules);
        let uses = self.decide_uses(rules);
        let rate_limit = self.decide_rate_limit(rules);
        let allowed_ips = match &api {
            Ok(api) => self.decide_allowed_ips(rules, api),
            Err(_) => self.decide_allowed_ips(rules, &ApiSelection::Custom(Vec::new())),
        };
        match (
            description,
            api,
            scopes,
            expiry,
            uses,
            rate_limit,
            allowed_ips,
        ) {
            (
                Ok(description),
                Ok(api),
                Ok(scopes),
                Ok(expiry),
                Ok(uses),
                Ok(rate_limit),
                Ok(allowed_ips),
            ) => Ok(DecidedToken {
                description,
                api,
                scopes,
                expiry,
                uses,
                rate_limit,
                allowed_ips,
            }),
            (description, api, scopes, expiry, uses, rate_limit, allowed_ips) => {
                let mut policy_only = true;
                let mut message = |refused: Option<Refused>| {
                    refused.map(|refused| match refused {
                        Refused::Invalid(message) => {
                            policy_only = false;
                            message
                        }
                        Refused::Policy(message) => message,
                    })
                };
                let mut errors = TokenInputErrors {
                    description: message(description.err()),
                    api: message(api.err()),
                    scopes: message(scopes.err()),
                    expiry: message(expiry.err()),
                    max_uses: message(uses.err()),
                    rate_limit: message(rate_limit.err()),
                    allowed_ips: message(allowed_ips.err()),
                    by_policy: false,
                };
                errors.by_policy = policy_only;
                Err(Box::new(errors))
            }
        }
    }

    fn decide_description(&self, rules: &TokenRules<'_>) -> Result<Description, Refused> {
        match (&self.description, rules.basis.source()) {
            (Some(raw), _) => Description::parse(raw),
            // A stored description stays as it is, even if today's rules would refuse it.
            (None, Some(token)) => Ok(Description::from_stored(token.description.clone())),
            (None, None) => Description::parse(""),
        }
        .map_err(|e| Refused::Invalid(e.to_string()))
    }

    fn decide_api(&self, rules: &TokenRules<'_>) -> Result<ApiSelection, Refused> {
        let api = match (&self.api, rules.basis.source()) {
            (Some(input), _) => resolve_api(input, rules.catalog).map_err(Refused::Invalid)?,
            (None, Some(token)) => token.api.clone(),
            // The default is a set, or (when the policy allows none) an empty list.
            (None, None) => match rules.policy.default_api(rules.catalog) {
                ApiSelection::Custom(_) => {
                    return Err(Refused::Policy(
                        "Choose the API methods the token may call: this server's policy \
                         allows no predefined API set."
                            .to_owned(),
                    ));
                }
                api => api,
            },
        };
        let kept = matches!(rules.basis, Basis::Edit(token) if token.api == api);
        if !kept {
            rules
                .policy
                .check_api(&api, rules.catalog)
                .map_err(|e| Refused::Policy(e.to_string()))?;
        }
        Ok(api)
    }

    fn decide_scopes(&self, rules: &TokenRules<'_>) -> Result<Vec<Scope>, Refused> {
        match (&self.scopes, rules.basis.source()) {
            (Some(entries), _) => {
                Scope::parse_entries(entries).map_err(|e| Refused::Invalid(e.to_string()))
            }
            (None, Some(token)) => Ok(token
                .scopes
                .iter()
                .filter_map(|raw| Scope::parse(raw).ok())
                .collect()),
            (None, None) => Ok(Vec::new()),
        }
    }

    fn decide_expiry(&self, rules: &TokenRules<'_>) -> Result<Option<ExpirySpec>, Refused> {
        let expiry = match (&self.expiry, rules.basis) {
            (Some(input), _) => input.parse(rules.now).map_err(Refused::Invalid)?,
            (None, Basis::Edit(_)) => return Ok(None),
            (None, Basis::Copy(source)) => kept_expiry(source, rules.now)?,
            (None, Basis::New) => ExpirySpec::Never,
        };
        rules
            .policy
            .check_expiry(&expiry, rules.now)
            .map_err(|e| Refused::Policy(e.to_string()))?;
        Ok(Some(rules.policy.cap_total_age(expiry, rules.now)))
    }
}

impl TokenInput {
    fn decide_uses(&self, rules: &TokenRules<'_>) -> Result<Option<Option<u64>>, Refused> {
        match (&self.max_uses, rules.basis) {
            (Some(raw), _) => parse_uses(raw)
                .map(Some)
                .map_err(|e| Refused::Invalid(e.to_string())),
            (None, Basis::Edit(_)) => Ok(None),
            // A copy starts with the source's full allowance.
            (None, Basis::Copy(source)) => Ok(Some(source.max_uses)),
            (None, Basis::New) => Ok(Some(None)),
        }
    }

    fn decide_rate_limit(&self, rules: &TokenRules<'_>) -> Result<Option<RateLimit>, Refused> {
        match (&self.rate_limit, rules.basis.source()) {
            (Some(raw), _) => {
                RateLimit::parse_optional(raw).map_err(|e| Refused::Invalid(e.to_string()))
            }
            (None, Some(token)) => Ok(token.rate_limit),
            (None, None) => Ok(None),
        }
    }

    fn decide_allowed_ips(
        &self,
        rules: &TokenRules<'_>,
        api: &ApiSelection,
    ) -> Result<Vec<AddressRange>, Refused> {
        let ranges = match (&self.allowed_ips, rules.basis.source()) {
            (Some(entries), _) => {
                AddressRange::parse_entries(entries).map_err(|e| Refused::Invalid(e.to_string()))?
            }
            (None, Some(token)) => token.allowed_ips.clone(),
            (None, None) => Vec::new(),
        };
        if ranges.is_empty()
            && let ApiSelection::Set(id) = api
            && rules.policy.requires_allowed_ips(id)
        {
            return Err(Refused::Policy(format!(
                "This server's policy requires tokens with the API set “{}” to list the \
                 addresses they may be used from.",
                rules
                    .catalog
                    .set(id)
                    .map_or(id.as_str(), |set| set.title.as_str())
            )));
        }
        Ok(ranges)
    }
}

impl ExpiryInput {
    /// The expiry this input chooses at `now`: no date in the past, nothing further ahead than
    /// the longest lifetime any token may have ([`Lifetime::MAX_DAYS`]).
    pub fn parse(&self, now: i64) -> Result<ExpirySpec, String> {
        let lifetime = |raw: &str| Lifetime::parse_or_secs(raw).map_err(|e| e.to_string());
        Ok(match self {
            Self::Never => ExpirySpec::Never,
            Self::Date(raw) => ExpirySpec::until(
                ExpiryDate::parse(raw)
                    .and_then(|date| date.check_range(today(now), Some(latest_date(now))))
                    .map_err(|e: DateError| e.to_string())?,
            ),
            Self::Lasting(raw) => ExpirySpec::lasting(lifetime(raw)?),
            Self::AutoRefresh { window, not_after } => {
                let not_after = match not_after.as_deref().map(str::trim) {
                    None | Some("") => None,
                    Some(raw) => Some(
                        ExpiryDate::parse(raw)
                            .and_then(|date| date.check_range(today(now), Some(latest_date(now))))
                            .map_err(|e| format!("Ends no later than: {e}"))?
                            .expires_at_unix(),
                    ),
                };
                ExpirySpec::auto_refresh(lifetime(window)?, not_after)
            }
        })
    }
}

fn today(now: i64) -> ExpiryDate {
    ExpiryDate::of_unix(now)
}

/// The last date any token may be valid through, policy or not: the same bound as the longest
/// duration.
pub fn latest_date(now: i64) -> ExpiryDate {
    ExpiryDate::of_unix(now + Lifetime::MAX_DAYS as i64 * 86_400 - 86_400)
}

/// A selection as typed, resolved against the catalog: a set by id or title in any case, or
/// at least one known method (duplicates dropped).
pub fn resolve_api(input: &ApiInput, catalog: &Catalog) -> Result<ApiSelection, String> {
    match input {
        ApiInput::Set(raw) => {
            let raw = raw.trim();
            if raw.is_empty() {
                return Err("Choose an API set or at least one method.".to_owned());
            }
            catalog
                .sets()
                .iter()
                .find(|s| s.id.eq_ignore_ascii_case(raw) || s.title.eq_ignore_ascii_case(raw))
                .map(|s| ApiSelection::Set(s.id.clone()))
                .ok_or_else(|| {
                    let known: Vec<&str> = catalog.sets().iter().map(|s| s.id.as_str()).collect();
                    format!(
                        "There is no API set “{raw}”. Known sets: {}.",
                        known.join(", ")
                    )
                })
        }
        ApiInput::Methods(names) if names.is_empty() => {
            Err("Check at least one API method, or choose an API set.".to_owned())
        }
        ApiInput::Methods(names) => {
            let mut chosen: Vec<MethodName> = Vec::with_capacity(names.len());
            for raw in names {
                let method = catalog
                    .method(raw.trim())
                    .ok_or_else(|| format!("There is no API method “{}”.", raw.trim()))?;
                if !chosen.contains(&method.name) {
                    chosen.push(method.name.clone());
                }
            }
            Ok(ApiSelection::Custom(chosen))
        }
    }
}

/// A token's expiry as it would be chosen at `now` (what a copy inherits): its window for auto
/// refresh, the time it has left for a hard limit.
fn kept_expiry(token: &TokenView, now: i64) -> Result<ExpirySpec, Refused> {
    match (
        token.expiration,
        token.expires_at,
        token.refresh_window_secs,
    ) {
        (ExpirationModel::AutoRefresh, _, _) if token.not_after.is_some_and(|end| end <= now) => {
            Err(Refused::Invalid(
                "The token you copy has reached its absolute end: choose a new expiry.".to_owned(),
            ))
        }
        (ExpirationModel::AutoRefresh, _, Some(window)) => Ok(ExpirySpec::AutoRefresh {
            window_secs: window.max(1) as u64,
            not_after: token.not_after,
        }),
        (_, Some(at), _) if at <= now => Err(Refused::Invalid(
            "The token you copy has expired: choose a new expiry.".to_owned(),
        )),
        (_, Some(at), _) => Ok(ExpirySpec::For {
            secs: (at - now) as u64,
        }),
        _ => Ok(ExpirySpec::Never),
    }
}

#[cfg(test)]
mod tests;
