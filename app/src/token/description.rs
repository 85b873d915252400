//! A token's description: what it is for, as its owner names it.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Description(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DescriptionError {
    #[error("Enter a description, so you can tell this token from the others.")]
    Empty,
    #[error("A description is at most {max} characters.", max = Description::MAX_CHARS)]
    TooLong,
    #[error("A description cannot hold control characters such as tabs or line breaks.")]
    ControlCharacter,
}

impl Description {
    pub const MAX_CHARS: usize = 120;

    pub fn parse(raw: &str) -> Result<Self, DescriptionError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(DescriptionError::Empty);
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(DescriptionError::TooLong);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(DescriptionError::ControlCharacter);
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Description {
    type Error = DescriptionError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Description> for String {
    fn from(value: Description) -> Self {
        value.0
    }
}

impl fmt::Display for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_trimmed_bounded_and_single_line() {
        assert_eq!(
            Description::parse("  CI deploy ").unwrap().as_str(),
            "CI deploy"
        );
        assert_eq!(Description::parse(" "), Err(DescriptionError::Empty));
        assert_eq!(
            Description::parse(&"x".repeat(121)),
            Err(DescriptionError::TooLong)
        );
        assert_eq!(
            Description::parse("a\nb"),
            Err(DescriptionError::ControlCharacter)
        );
        assert!(Description::parse(&"é".repeat(120)).is_ok());
    }
}
