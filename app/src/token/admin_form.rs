//! The token an admin makes for someone, as in the People panel: a friendly name, an
//! expiration model (Hard Limit or Auto Refresh) with its duration, the API and scopes.

use serde::{Deserialize, Serialize};

use super::{
    Description, ExpirationModel, ExpirySpec, Lifetime, Scope, TokenFormErrors, TokenPolicy,
};
use crate::catalog::{ApiSelection, Catalog};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminTokenForm {
    pub description: String,
    /// [`ExpirationModel::HardLimit`] or [`ExpirationModel::AutoRefresh`].
    pub expiration: ExpirationModel,
    /// `30d`, `12h`, `20m`, `90s`, or a bare number of seconds.
    pub duration: String,
    pub api: ApiSelection,
    pub scopes: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedAdminForm {
    pub description: Description,
    pub expiry: ExpirySpec,
    pub api: ApiSelection,
    pub scopes: Vec<Scope>,
}

impl AdminTokenForm {
    pub fn check(
        &self,
        catalog: &Catalog,
        policy: &TokenPolicy,
        now: i64,
    ) -> Result<CheckedAdminForm, TokenFormErrors> {
        let mut errors = TokenFormErrors::default();
        let description = Description::parse(&self.description)
            .map_err(|e| errors.description = Some(e.to_string()))
            .ok();
        let expiry = Lifetime::parse_or_secs(&self.duration)
            .map_err(|e| e.to_string())
            .and_then(|lifetime| match self.expiration {
                ExpirationModel::AutoRefresh => Ok(ExpirySpec::auto_refresh(lifetime)),
                ExpirationModel::HardLimit => Ok(ExpirySpec::lasting(lifetime)),
                ExpirationModel::Never => Err("Choose Hard Limit or Auto Refresh.".to_owned()),
            })
            .and_then(|expiry| {
                policy
                    .check_expiry(&expiry, now)
                    .map(|()| expiry)
                    .map_err(|e| e.to_string())
            })
            .map_err(|message| errors.expires_at = Some(message))
            .ok();
        errors.api = super::form::api_error(&self.api, catalog, policy);
        let scopes = Scope::parse_list(&self.scopes)
            .map_err(|e| errors.scopes = Some(e.to_string()))
            .ok();
        match (description, expiry, scopes) {
            (Some(description), Some(expiry), Some(scopes)) if errors.is_empty() => {
                Ok(CheckedAdminForm {
                    description,
                    expiry,
                    api: self.api.clone(),
                    scopes,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::tests::shipped;

    fn form(expiration: ExpirationModel, duration: &str) -> AdminTokenForm {
        AdminTokenForm {
            description: "CI for ann".into(),
            expiration,
            duration: duration.into(),
            api: ApiSelection::Set("marketplace".into()),
            scopes: String::new(),
        }
    }

    #[test]
    fn hard_limit_and_auto_refresh_become_their_expiry() {
        let catalog = shipped();
        let policy = TokenPolicy::default();
        let hard = form(ExpirationModel::HardLimit, "20m")
            .check(&catalog, &policy, 0)
            .unwrap();
        assert_eq!(hard.expiry, ExpirySpec::For { secs: 1200 });
        let auto = form(ExpirationModel::AutoRefresh, "3600")
            .check(&catalog, &policy, 0)
            .unwrap();
        assert_eq!(auto.expiry, ExpirySpec::AutoRefresh { window_secs: 3600 });
    }

    #[test]
    fn a_bad_duration_or_one_beyond_policy_is_explained_at_the_field() {
        let catalog = shipped();
        let policy = TokenPolicy {
            max_lifetime_secs: Some(86_400),
            ..TokenPolicy::default()
        };
        let errors = form(ExpirationModel::HardLimit, "two weeks")
            .check(&catalog, &policy, 0)
            .unwrap_err();
        assert!(errors.expires_at.unwrap().contains("not a duration"));
        let errors = form(ExpirationModel::AutoRefresh, "2d")
            .check(&catalog, &policy, 0)
            .unwrap_err();
        assert!(errors.expires_at.unwrap().contains("at most 1d"));
        let errors = form(ExpirationModel::Never, "1d")
            .check(&catalog, &policy, 0)
            .unwrap_err();
        assert!(errors.expires_at.is_some());
    }
}
