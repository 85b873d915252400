//! Resource scopes: `env:<name>:r`, `env:<name>:w` or `env:<name>:rw` narrow a token to
//! named environments. No scope means all of the owner's environments.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::catalog::Access;

/// An environment name: a DNS label (lower-case letters, digits and inner hyphens, 1-63).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EnvName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error(
        "“{0}” is not an environment name: use 1 to 63 lower-case letters, digits and hyphens, \
         not starting or ending with a hyphen."
    )]
    EnvName(String),
    #[error("“{0}” is not a scope: write env:<name>:r, env:<name>:w or env:<name>:rw.")]
    Malformed(String),
    #[error(
        "A scope is empty (an extra comma?): write env:<name>:r, env:<name>:w or env:<name>:rw, \
         or give no scopes for all environments."
    )]
    Empty,
}

impl EnvName {
    pub fn parse(raw: &str) -> Result<Self, ScopeError> {
        let name = raw.trim();
        let valid = (1..=63).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !name.starts_with('-')
            && !name.ends_with('-');
        if valid {
            Ok(Self(name.to_owned()))
        } else {
            Err(ScopeError::EnvName(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EnvName {
    type Error = ScopeError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EnvName> for String {
    fn from(value: EnvName) -> Self {
        value.0
    }
}

impl fmt::Display for EnvName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Scope {
    env: EnvName,
    read: bool,
    write: bool,
}

impl Scope {
    pub fn parse(raw: &str) -> Result<Self, ScopeError> {
        let malformed = || ScopeError::Malformed(raw.to_owned());
        let mut parts = raw.trim().split(':');
        let (Some("env"), Some(name), Some(permission), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed());
        };
        let (read, write) = match permission {
            "r" => (true, false),
            "w" => (false, true),
            "rw" | "wr" => (true, true),
            _ => return Err(malformed()),
        };
        Ok(Self {
            env: EnvName::parse(name)?,
            read,
            write,
        })
    }

    pub fn env(&self) -> &EnvName {
        &self.env
    }

    pub fn allows(&self, env: &EnvName, access: Access) -> bool {
        self.env == *env
            && match access {
                Access::Read => self.read,
                Access::Write => self.write,
            }
    }

    /// Scope entries as typed: each holds one or more scopes separated by commas, spaces or
    /// line breaks; duplicates are dropped. An empty entry (`""`, `",,"`) is an error, never
    /// "all environments": leaving scopes out is how a token gets every environment.
    pub fn parse_entries<S: AsRef<str>>(entries: &[S]) -> Result<Vec<Self>, ScopeError> {
        let mut scopes: Vec<Self> = Vec::new();
        for entry in entries {
            for part in entry.as_ref().split(',') {
                let mut words = part.split_whitespace().peekable();
                if words.peek().is_none() {
                    return Err(ScopeError::Empty);
                }
                for word in words {
                    let scope = Self::parse(word)?;
                    if !scopes.contains(&scope) {
                        scopes.push(scope);
                    }
                }
            }
        }
        Ok(scopes)
    }
}

/// Whether `scopes` (none = everything) let a call with `access` act on `env`.
pub fn scopes_allow(scopes: &[Scope], env: &EnvName, access: Access) -> bool {
    scopes.is_empty() || scopes.iter().any(|s| s.allows(env, access))
}

impl TryFrom<String> for Scope {
    type Error = ScopeError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Scope> for String {
    fn from(value: Scope) -> Self {
        value.to_string()
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let permission = match (self.read, self.write) {
            (true, true) => "rw",
            (true, false) => "r",
            _ => "w",
        };
        write!(f, "env:{}:{permission}", self.env)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn scopes_read_write_or_both() {
        let env = EnvName::parse("my-project").unwrap();
        let other = EnvName::parse("other").unwrap();
        let read = Scope::parse("env:my-project:r").unwrap();
        assert!(read.allows(&env, Access::Read) && !read.allows(&env, Access::Write));
        assert!(!read.allows(&other, Access::Read));
        let both = Scope::parse("env:my-project:rw").unwrap();
        assert!(both.allows(&env, Access::Write) && both.allows(&env, Access::Read));
        assert_eq!(both.to_string(), "env:my-project:rw");
        assert!(scopes_allow(&[], &other, Access::Write));
        assert!(!scopes_allow(&[read], &env, Access::Write));
    }

    #[test]
    fn malformed_scopes_say_what_is_expected() {
        for bad in [
            "",
            "env:x",
            "node:x:rw",
            "env:x:rx",
            "env:x:rw:extra",
            "env::r",
        ] {
            assert!(Scope::parse(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            Scope::parse("env:Bad_Name:r"),
            Err(ScopeError::EnvName(_))
        ));
        assert_eq!(
            Scope::parse_entries(&["env:a:r, env:b:w\nenv:a:r", "env:b:w"])
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn an_empty_entry_is_an_error_not_every_environment() {
        for entries in [
            vec![""],
            vec!["  "],
            vec![",,,"],
            vec!["env:a:r,"],
            vec!["env:a:r", ""],
        ] {
            assert_eq!(
                Scope::parse_entries(&entries),
                Err(ScopeError::Empty),
                "{entries:?}"
            );
        }
        assert_eq!(Scope::parse_entries::<&str>(&[]), Ok(Vec::new()));
    }

    proptest! {
        #[test]
        fn displayed_scopes_parse_back(name in "[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", p in 0usize..3) {
            let raw = format!("env:{name}:{}", ["r", "w", "rw"][p]);
            let scope = Scope::parse(&raw).unwrap();
            prop_assert_eq!(scope.to_string(), raw);
        }

        #[test]
        fn arbitrary_text_never_panics(raw in ".{0,80}") {
            let _ = Scope::parse_entries(&[raw]);
        }
    }

    #[test]
    fn names_and_scopes_read_back_as_typed() {
        let env = EnvName::parse("my-project").unwrap();
        assert_eq!(env.as_str(), "my-project");
        assert_eq!(String::from(env), "my-project");
        let scope = Scope::parse("env:my-project:rw").unwrap();
        assert_eq!(String::from(scope), "env:my-project:rw");
    }
}
