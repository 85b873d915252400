//! A token's settings as API clients send them (strings), parsed into a spec or an edit with
//! messages that say what is wrong. The REST API, the platform API and the CLI share it.

use app::{
    catalog::Catalog,
    token::{Description, ExpiryDate, ExpirySpec, Lifetime, Scope},
};
use serde::Deserialize;

use super::{TokenChanges, TokenSpec};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub description: Option<String>,
    /// A predefined API set's id or title.
    pub api_set: Option<String>,
    #[serde(default)]
    pub methods: Vec<String>,
    /// The last valid date, `yyyy-mm-dd`.
    pub expires_at: Option<String>,
    /// A hard-limit lifetime from now, such as `30d`.
    pub expires_in: Option<String>,
    /// An auto-refresh window, such as `12h` or a number of seconds.
    pub auto_refresh: Option<String>,
    /// Removes the expiry (edits only; a new token without expiry options never expires).
    #[serde(default)]
    pub never_expires: bool,
    pub scopes: Option<Vec<String>>,
}

impl TokenRequest {
    pub fn to_spec(&self, catalog: &Catalog) -> Result<TokenSpec, String> {
        let description = Description::parse(self.description.as_deref().unwrap_or_default())
            .map_err(|e| e.to_string())?;
        let api = catalog.selection_of(self.api_set.as_deref(), &self.methods)?;
        Ok(TokenSpec {
            description,
            api,
            scopes: self.scopes()?.unwrap_or_default(),
            expiry: self.expiry()?.unwrap_or(ExpirySpec::Never),
        })
    }

    pub fn to_changes(&self, catalog: &Catalog) -> Result<TokenChanges, String> {
        let description = self
            .description
            .as_deref()
            .map(Description::parse)
            .transpose()
            .map_err(|e| e.to_string())?;
        let api = if self.api_set.is_some() || !self.methods.is_empty() {
            Some(catalog.selection_of(self.api_set.as_deref(), &self.methods)?)
        } else {
            None
        };
        Ok(TokenChanges {
            description,
            api,
            scopes: self.scopes()?,
            expiry: self.expiry()?,
        })
    }

    fn scopes(&self) -> Result<Option<Vec<Scope>>, String> {
        self.scopes
            .as_ref()
            .map(|raw| Scope::parse_list(&raw.join(" ")).map_err(|e| e.to_string()))
            .transpose()
    }

    fn expiry(&self) -> Result<Option<ExpirySpec>, String> {
        let given = [
            self.expires_at.is_some(),
            self.expires_in.is_some(),
            self.auto_refresh.is_some(),
            self.never_expires,
        ];
        if given.iter().filter(|g| **g).count() > 1 {
            return Err("Choose one of expires_at, expires_in, auto_refresh and \
                        never_expires."
                .to_owned());
        }
        if let Some(date) = &self.expires_at {
            let date = ExpiryDate::parse_iso(date).map_err(|e| e.to_string())?;
            return Ok(Some(ExpirySpec::until(date)));
        }
        if let Some(lifetime) = &self.expires_in {
            let lifetime = Lifetime::parse(lifetime).map_err(|e| e.to_string())?;
            return Ok(Some(ExpirySpec::lasting(lifetime)));
        }
        if let Some(window) = &self.auto_refresh {
            return Ok(Some(ExpirySpec::auto_refresh(parse_window(window)?)));
        }
        Ok(self.never_expires.then_some(ExpirySpec::Never))
    }
}

/// A window as a duration (`12h`) or a bare number of seconds (`3600`, as the CLI's `-a`).
pub fn parse_window(raw: &str) -> Result<Lifetime, String> {
    Lifetime::parse_or_secs(raw).map_err(|e| e.to_string())
}
