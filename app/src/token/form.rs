//! The token dialog's fields as typed, checked the same way in the browser (as you type) and
//! on the server (the authority).

use serde::{Deserialize, Serialize};

use super::{DateError, Description, ExpiryDate, Scope};
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

impl TokenForm {
    /// Checks every field against `today` (UTC) and the catalog.
    pub fn check(
        &self,
        today: ExpiryDate,
        catalog: &Catalog,
    ) -> Result<CheckedForm, TokenFormErrors> {
        let mut errors = TokenFormErrors::default();
        let description = Description::parse(&self.description)
            .map_err(|e| errors.description = Some(e.to_string()))
            .ok();
        let expires_at = match self.expires_at.as_deref().map(str::trim) {
            None => Some(None),
            Some("") => Some(Some(None)),
            Some(raw) => ExpiryDate::parse_dmy(raw)
                .and_then(|date| date.check_range(today, None))
                .map(|date| Some(Some(Some(date))))
                .unwrap_or_else(|e: DateError| {
                    errors.expires_at = Some(e.to_string());
                    None
                }),
        };
        match &self.api {
            ApiSelection::Custom(names) if names.is_empty() => {
                errors.api = Some("Check at least one API method, or choose an API set.".into());
            }
            ApiSelection::Set(id) if catalog.set(id).is_none() => {
                errors.api = Some(format!("There is no API set “{id}”."));
            }
            ApiSelection::Custom(names) => {
                if let Some(unknown) = names.iter().find(|n| catalog.method(n.as_str()).is_none()) {
                    errors.api = Some(format!("There is no API method “{unknown}”."));
                }
            }
            ApiSelection::Set(_) => {}
        }
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
