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
    #[error("A description cannot stack more than {MAX_STACKED_MARKS} accents on one letter.")]
    StackedMarks,
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
        if let Some(c) = first_invisible(trimmed) {
            return Err(DescriptionError::FormatCharacter(u32::from(c)));
        }
        if too_many_stacked_marks(trimmed) {
            return Err(DescriptionError::StackedMarks);
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

/// Characters that show nothing, or nothing of themselves: Unicode's format characters
/// (bidirectional overrides and isolates, zero-width spaces and joiners, the byte-order mark,
/// tag characters), the rest of its default-ignorable code points (variation selectors,
/// fillers, the combining grapheme joiner), line and paragraph separators, the Braille blank,
/// private-use characters and noncharacters.
fn is_invisible(c: char) -> bool {
    let code = u32::from(c);
    matches!(
        code,
        0x00AD
            | 0x034F
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x206F
            | 0x2800
            | 0x3164
            | 0xE000..=0xF8FF
            | 0xFDD0..=0xFDEF
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
            | 0xF0000..
    ) || code & 0xFFFE == 0xFFFE
}

/// The first invisible character, but for the two that emoji need: a variation selector right
/// after a symbol (`❤️`), and a zero-width joiner between two symbols (`👨‍👩‍👧`). After a
/// letter or digit they would only hide.
fn first_invisible(text: &str) -> Option<char> {
    let chars: Vec<char> = text.chars().collect();
    let symbol = |c: Option<&char>| c.is_some_and(|c| !c.is_ascii() && !c.is_alphanumeric());
    chars.iter().enumerate().find_map(|(i, &c)| {
        let before = i.checked_sub(1).and_then(|j| chars.get(j));
        let after = chars.get(i + 1);
        let emoji_part = match c {
            '\u{FE0E}' | '\u{FE0F}' => symbol(before),
            '\u{200D}' => symbol(before) && symbol(after),
            _ => false,
        };
        (is_invisible(c) && !emoji_part).then_some(c)
    })
}

/// Combining marks (the common blocks), which stack on the character before them.
fn is_combining_mark(c: char) -> bool {
    matches!(
        u32::from(c),
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
    )
}

/// More combining marks on one character than any language needs ("Zalgo" text spills over
/// the neighbouring rows of a list).
const MAX_STACKED_MARKS: usize = 4;

fn too_many_stacked_marks(text: &str) -> bool {
    let mut run = 0;
    text.chars().any(|c| {
        run = if is_combining_mark(c) { run + 1 } else { 0 };
        run > MAX_STACKED_MARKS
    })
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
        for invisible in [
            "tok\u{034F}en",
            "a\u{3164}b",
            "x\u{FE0F}",
            "a\u{2028}b",
            "\u{E000}",
            "a\u{2800}b",
            "\u{FFFE}",
            "a\u{E0100}",
        ] {
            assert!(
                matches!(
                    Description::parse(invisible),
                    Err(DescriptionError::FormatCharacter(_))
                ),
                "{invisible:?}"
            );
        }
        assert_eq!(
            Description::parse("Z\u{0301}\u{0302}\u{0303}\u{0304}\u{0305}algo"),
            Err(DescriptionError::StackedMarks)
        );
        assert!(Description::parse("Déploiement 🚀 – ünïcode, Việt, 한국어").is_ok());
        assert!(Description::parse("Love it ❤\u{FE0F}").is_ok());
        assert!(Description::parse("👨\u{200D}👩\u{200D}👧 family").is_ok());
        assert!(Description::parse("a\u{200D}b").is_err());
        assert!(Description::parse("e\u{0301}\u{0302}").is_ok());
    }

    #[test]
    fn emoji_joiners_and_selectors_pass_only_between_symbols() {
        // A joiner needs a symbol on both sides; after a symbol, before a letter, it hides.
        assert!(Description::parse("👨\u{200D}b").is_err());
        assert!(Description::parse("a\u{200D}👩").is_err());
        // Only non-ASCII symbols take a selector: not letters (ASCII or not), not ASCII marks.
        assert!(Description::parse("é\u{FE0F}").is_err());
        assert!(Description::parse("-\u{FE0F}").is_err());
        assert!(Description::parse("-\u{200D}-").is_err());
        assert!(Description::parse("★\u{FE0E} star").is_ok());
    }

    #[test]
    fn four_stacked_marks_pass_and_five_do_not() {
        assert!(Description::parse("e\u{0301}\u{0302}\u{0303}\u{0304}").is_ok());
        assert_eq!(
            Description::parse("e\u{0301}\u{0302}\u{0303}\u{0304}\u{0305}"),
            Err(DescriptionError::StackedMarks)
        );
        // A run is per character: four, a letter, four again.
        assert!(
            Description::parse(
                "e\u{0301}\u{0302}\u{0303}\u{0304}a\u{0301}\u{0302}\u{0303}\u{0304}"
            )
            .is_ok()
        );
    }

    #[test]
    fn a_description_turns_back_into_the_text_it_holds() {
        let description = Description::parse(" CI deploy ").unwrap();
        assert_eq!(description.to_string(), "CI deploy");
        assert_eq!(String::from(description), "CI deploy");
    }
}
