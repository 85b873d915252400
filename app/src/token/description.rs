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
    /// Invisible characters that reorder or hide text (U+202E, U+200B...) would let one
    /// token's name pass for another's in a list.
    #[error(
        "A description cannot hold invisible formatting characters (such as U+{0:04X}): they \
         can make one token's name look like another's."
    )]
    FormatCharacter(u32),
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
        if let Some(c) = trimmed.chars().find(|c| is_format_character(*c)) {
            return Err(DescriptionError::FormatCharacter(u32::from(c)));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// A description read back from storage: kept as it was saved, even where today's rules
    /// would refuse it (an edit that does not touch it must not fail on it).
    pub fn from_stored(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Unicode's format characters (general category Cf): bidirectional overrides and isolates,
/// zero-width spaces and joiners, the byte-order mark, tag characters and their kin.
fn is_format_character(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
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

    #[test]
    fn invisible_formatting_that_could_spoof_a_name_is_refused() {
        for (raw, code) in [
            ("deploy\u{202E}gnp.exe", 0x202E),
            ("prod\u{200B}uction", 0x200B),
            ("\u{2066}admin\u{2069}", 0x2066),
            ("x\u{FEFF}", 0xFEFF),
            ("tag\u{E0041}", 0xE0041),
        ] {
            assert_eq!(
                Description::parse(raw),
                Err(DescriptionError::FormatCharacter(code)),
                "{raw:?}"
            );
        }
        assert!(Description::parse("Déploiement 🚀 – ünïcode").is_ok());
    }
}
