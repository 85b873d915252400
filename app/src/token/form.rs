//! The token dialog's fields as typed, checked the same way in the browser (as you type) and
//! on the server (the authority).

use serde::{Deserialize, Serialize};

use super::{DateError, Description, ExpiryDate, ExpirySpec, Scope, TokenPolicy};
use crate::catalog::{ApiSelection, Catalog};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenForm {
    pub description: String,
    /// `dd-mm-yyyy`; empty for no expiry. `None` on an edit keeps the token's expiry as is.
    pub expires_at: Option<String>,
    pub api: ApiSelection,
    /// Resource scopes separated by spaces or commas; empty for all environments.
    pub scopes: String,
}

/// What is wrong, field by field, worded for the person at the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenFormErrors {
    pub description: Option<String>,
    pub expires_at: Option<String>,
    pub api: Option<String>,
    pub scopes: Option<String>,
}

impl TokenFormErrors {
    pub fn is_empty(&self) -> bool {
        self.description.is_none()
            && self.expires_at.is_none()
            && self.api.is_none()
            && self.scopes.is_none()
    }

    /// All messages in one line (for an error banner).
    pub fn summary(&self) -> String {
        [&self.description, &self.expires_at, &self.api, &self.scopes]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The form, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedForm {
    pub description: Description,
    /// `None`: keep the expiry (edits); `Some(None)`: never expires.
    pub expires_at: Option<Option<ExpiryDate>>,
    pub api: ApiSelection,
    pub scopes: Vec<Scope>,
}

/// What a form is checked against.
#[derive(Clone, Copy)]
pub struct FormRules<'a> {
    /// Unix seconds: "today" and the policy's latest date follow from it.
    pub now: i64,
    pub catalog: &'a Catalog,
    pub policy: &'a TokenPolicy,
    /// An edited token's current API: keeping it stays allowed even where the policy has
    /// since closed it.
    pub current_api: Option<&'a ApiSelection>,
}

impl TokenForm {
    /// Checks every field against the catalog, the policy and today (UTC).
    pub fn check(&self, rules: FormRules<'_>) -> Result<CheckedForm, TokenFormErrors> {
        let mut errors = TokenFormErrors::default();
        let description = Description::parse(&self.description)
            .map_err(|e| errors.description = Some(e.to_string()))
            .ok();
        let today = ExpiryDate::of_unix(rules.now);
        let expires_at = match self.expires_at.as_deref().map(str::trim) {
            None => Some(None),
            Some("") => match rules.policy.check_expiry(&ExpirySpec::Never, rules.now) {
                Ok(()) => Some(Some(None)),
                Err(violation) => {
                    errors.expires_at = Some(violation.to_string());
                    None
                }
            },
            Some(raw) => ExpiryDate::parse_dmy(raw)
                .and_then(|date| date.check_range(today, rules.policy.latest_date(rules.now)))
                .map(|date| Some(Some(Some(date))))
                .unwrap_or_else(|e: DateError| {
                    errors.expires_at = Some(e.to_string());
                    None
                }),
        };
        let policy = if rules.current_api == Some(&self.api) {
            &TokenPolicy::default()
        } else {
            rules.policy
        };
        errors.api = api_error(&self.api, rules.catalog, policy);
        let scopes = Scope::parse_list(&self.scopes)
            .map_err(|e| errors.scopes = Some(e.to_string()))
            .ok();
        match (description, expires_at, scopes) {
            (Some(description), Some(expires_at), Some(scopes)) if errors.is_empty() => {
                Ok(CheckedForm {
                    description,
                    expires_at,
                    api: self.api.clone(),
                    scopes,
                })
            }
            _ => Err(errors),
        }
    }
}

/// What is wrong with an API choice, if anything.
pub(super) fn api_error(
    api: &ApiSelection,
    catalog: &Catalog,
    policy: &TokenPolicy,
) -> Option<String> {
    catalog
        .check_selection(api)
        .err()
        .or_else(|| policy.check_api(api, catalog).err().map(|e| e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::tests::shipped;

    fn form(expires_at: &str, api: ApiSelection) -> TokenForm {
        TokenForm {
            description: "Deploy bot".into(),
            expires_at: Some(expires_at.into()),
            api,
            scopes: String::new(),
        }
    }

    const NOON_1_MARCH_2027: i64 = 1_803_902_400;

    #[test]
    fn the_policy_is_explained_at_the_fields_it_concerns() {
        let catalog = shipped();
        let policy = TokenPolicy {
            max_lifetime_secs: Some(30 * 86_400),
            expiry_required: true,
            api_sets: Some(vec!["marketplace".into()]),
            custom_allowed: false,
        };
        let rules = FormRules {
            now: NOON_1_MARCH_2027,
            catalog: &catalog,
            policy: &policy,
            current_api: None,
        };
        let marketplace = ApiSelection::Set("marketplace".into());
        assert!(form("30-03-2027", marketplace.clone()).check(rules).is_ok());
        let errors = form("31-03-2027", marketplace.clone())
            .check(rules)
            .unwrap_err();
        assert!(
            errors
                .expires_at
                .unwrap()
                .contains("latest allowed date is 30-03-2027")
        );
        let errors = form("", marketplace).check(rules).unwrap_err();
        assert!(errors.expires_at.unwrap().contains("never expire"));
        let ide = ApiSelection::Set("ide_plugins".into());
        let errors = form("30-03-2027", ide.clone()).check(rules).unwrap_err();
        assert!(errors.api.unwrap().contains("IDE Plugins"));
        let keeping = FormRules {
            current_api: Some(&ide),
            ..rules
        };
        assert!(form("30-03-2027", ide.clone()).check(keeping).is_ok());
    }

    #[test]
    fn impossible_and_past_dates_are_explained() {
        let catalog = shipped();
        let policy = TokenPolicy::default();
        let rules = FormRules {
            now: NOON_1_MARCH_2027,
            catalog: &catalog,
            policy: &policy,
            current_api: None,
        };
        let api = ApiSelection::Set("marketplace".into());
        let errors = form("29-02-2027", api.clone()).check(rules).unwrap_err();
        assert!(
            errors
                .expires_at
                .unwrap()
                .contains("February 2027 has 28 days")
        );
        let errors = form("28-02-2027", api).check(rules).unwrap_err();
        assert!(errors.expires_at.unwrap().contains("in the past"));
    }
}
