//! One API method: its dotted name, route, whether it reads or writes, and its documentation.

use std::{collections::BTreeMap, fmt};

use serde::{Deserialize, Serialize};

/// `service.group.Method`, for example `environment.control.StopEnv`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MethodName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "“{0}” is not an API method name: write service.group.Method, for example \
     environment.control.StopEnv."
)]
pub struct MethodNameError(pub String);

impl MethodName {
    pub fn parse(raw: &str) -> Result<Self, MethodNameError> {
        let error = || MethodNameError(raw.to_owned());
        let parts: Vec<&str> = raw.split('.').collect();
        let [service, group, method] = parts.as_slice() else {
            return Err(error());
        };
        let lower = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase());
        let method_ok = method
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase())
            && method.bytes().all(|b| b.is_ascii_alphanumeric());
        if lower(service) && lower(group) && method_ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(error())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn service(&self) -> &str {
        self.0.split('.').next().unwrap_or_default()
    }

    pub fn group(&self) -> &str {
        self.0.split('.').nth(1).unwrap_or_default()
    }

    pub fn method(&self) -> &str {
        self.0.split('.').nth(2).unwrap_or_default()
    }

    /// Where the platform API serves it: `/1.0/<service>/<group>/rest/<method in lower case>`.
    pub fn route(&self) -> String {
        format!(
            "/1.0/{}/{}/rest/{}",
            self.service(),
            self.group(),
            self.method().to_ascii_lowercase()
        )
    }
}

impl TryFrom<String> for MethodName {
    type Error = MethodNameError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<MethodName> for String {
    fn from(value: MethodName) -> Self {
        value.0
    }
}

impl fmt::Display for MethodName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    Read,
    Write,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiMethod {
    pub name: MethodName,
    pub route: String,
    pub access: Access,
    pub description: String,
    /// A link to the method's documentation.
    pub docs: String,
    /// The parameter naming the environment the call acts on, checked against the token's
    /// resource scopes.
    pub resource: Option<String>,
    /// Parameter name → what it means.
    pub params: BTreeMap<String, String>,
    /// Parameters for a call that works on a fresh account with one environment, `my-project`.
    /// A value in braces (`{password}`) is for the caller to fill in.
    pub example: BTreeMap<String, String>,
    /// Manages tokens; such methods belong to no predefined API set.
    pub token_management: bool,
    /// Served by another service behind a reverse proxy, at these routes
    /// (`GET /reports/{project}/{*file}`), which `/auth/verify` checks; empty for the
    /// platform API's own methods.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upstream_routes: Vec<String>,
}

impl ApiMethod {
    /// Served by an upstream behind a reverse proxy, not by this server's platform API.
    pub fn is_upstream(&self) -> bool {
        !self.upstream_routes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_have_three_parts_and_a_capitalised_method() {
        let name = MethodName::parse("environment.control.StopEnv").unwrap();
        assert_eq!(
            (name.service(), name.group(), name.method()),
            ("environment", "control", "StopEnv")
        );
        assert_eq!(name.route(), "/1.0/environment/control/rest/stopenv");
        for bad in [
            "",
            "environment.StopEnv",
            "environment.control.stopenv",
            "Environment.control.StopEnv",
            "a.b.C.d",
            "environment.control.Stop-Env",
        ] {
            assert!(MethodName::parse(bad).is_err(), "{bad}");
        }
    }
}
