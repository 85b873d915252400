use std::fmt;

use zeroize::Zeroize;

/// A password as typed: any Unicode, 8 to 1024 characters, never trimmed or truncated.
/// `Debug` never shows it, and its memory is wiped when it is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("A password has at least {min} characters.", min = Password::MIN_CHARS)]
    TooShort,
    #[error("A password has at most {max} characters.", max = Password::MAX_CHARS)]
    TooLong,
}

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 1024;

    /// For a new password: enforces the length rules.
    pub fn new(raw: String) -> Result<Self, PasswordError> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > Self::MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        Ok(Self(raw))
    }

    /// For a password offered to be checked: any length is checked as is (an old password
    /// may predate today's rules), up to a bound that keeps hashing cheap.
    pub fn candidate(raw: String) -> Result<Self, PasswordError> {
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        Ok(Self(raw))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl Drop for Password {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters_and_nothing_is_truncated() {
        assert_eq!(
            Password::new("seven77".into()),
            Err(PasswordError::TooShort)
        );
        let unicode = "pässwörd".to_owned();
        assert_eq!(Password::new(unicode.clone()).unwrap().expose(), unicode);
        let long = "ü".repeat(1024);
        assert_eq!(Password::new(long.clone()).unwrap().expose(), long);
        assert_eq!(Password::new("x".repeat(1025)), Err(PasswordError::TooLong));
        assert_eq!(
            Password::new(" spaces kept ".into()).unwrap().expose(),
            " spaces kept "
        );
    }

    #[test]
    fn debug_never_shows_the_password() {
        let password = Password::new("correct horse battery".into()).unwrap();
        assert_eq!(format!("{password:?}"), "Password(<redacted>)");
    }
}
