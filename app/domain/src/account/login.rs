use std::fmt;

/// A login name: 1 to 64 characters of letters, digits, `.`, `_`, `-` and `@`.
/// Unique and looked up case-insensitively through [`Login::key`].
#[derive(Clone, PartialEq, Eq)]
pub struct Login(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    #[error("Enter a login.")]
    Empty,
    #[error("A login is at most {max} characters.", max = Login::MAX_CHARS)]
    TooLong,
    #[error("A login may hold letters, digits and . _ - @ only.")]
    InvalidCharacter,
}

impl Login {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, LoginError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(LoginError::Empty);
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(LoginError::TooLong);
        }
        if !trimmed
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
        {
            return Err(LoginError::InvalidCharacter);
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-insensitive identity of the login (what uniqueness is checked on).
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Login({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_keys_case_insensitively() {
        let login = Login::parse("  Alice.Smith@Example ").unwrap();
        assert_eq!(login.as_str(), "Alice.Smith@Example");
        assert_eq!(login.key(), "alice.smith@example");
        assert_eq!(Login::parse("ÉLODIE").unwrap().key(), "élodie");
    }

    #[test]
    fn rejects_empty_long_and_odd_logins() {
        assert_eq!(Login::parse("   "), Err(LoginError::Empty));
        assert_eq!(Login::parse(&"a".repeat(65)), Err(LoginError::TooLong));
        assert!(Login::parse(&"a".repeat(64)).is_ok());
        assert_eq!(Login::parse("bob smith"), Err(LoginError::InvalidCharacter));
        assert_eq!(Login::parse("bob/.."), Err(LoginError::InvalidCharacter));
    }
}
