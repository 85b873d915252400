//! The token value: `tsr_`, 30 random base62 characters (about 178 bits), then a 6-character
//! base62 CRC32 of everything before it. A mistyped or truncated value is refused by its
//! shape or checksum without a database look-up, and secret scanners can match the regex.

use std::fmt;

use zeroize::Zeroize;

pub const TOKEN_PREFIX: &str = "tsr_";
pub const RANDOM_CHARS: usize = 30;
const CHECKSUM_CHARS: usize = 6;
const TOKEN_CHARS: usize = TOKEN_PREFIX.len() + RANDOM_CHARS + CHECKSUM_CHARS;
/// For secret scanners (the checksum is what tells a real token from a look-alike).
pub const TOKEN_REGEX: &str = r"\btsr_[0-9A-Za-z]{36}\b";
const HINT_CHARS: usize = 4;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenFormatError {
    #[error("An access token starts with {TOKEN_PREFIX}.")]
    WrongPrefix,
    #[error("An access token has {TOKEN_CHARS} characters; this one has {0}.")]
    WrongLength(usize),
    #[error("An access token holds only letters and digits after {TOKEN_PREFIX}.")]
    InvalidCharacter,
    #[error("This access token is mistyped or incomplete (its checksum does not match).")]
    BadChecksum,
}

/// A token's secret value. `Debug` never shows it; its memory is wiped when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    /// Assembles a token from `RANDOM_CHARS` random base62 characters (drawn by the caller
    /// from a CSPRNG). Panics on anything else: that would be a bug, not bad input.
    pub fn from_random_chars(random: &str) -> Self {
        assert!(
            random.len() == RANDOM_CHARS && random.bytes().all(|b| BASE62.contains(&b)),
            "a token body is {RANDOM_CHARS} base62 characters"
        );
        let body = format!("{TOKEN_PREFIX}{random}");
        let checksum = encode_checksum(crc32(body.as_bytes()));
        Self(body + &checksum)
    }

    /// The base62 character for a random byte below 248 (62 × 4), `None` for the others;
    /// rejecting those keeps every character equally likely.
    pub fn base62_char(random_byte: u8) -> Option<char> {
        (random_byte < 248).then(|| char::from(BASE62[usize::from(random_byte % 62)]))
    }

    pub fn parse(raw: &str) -> Result<Self, TokenFormatError> {
        let raw = raw.trim();
        let Some(rest) = raw.strip_prefix(TOKEN_PREFIX) else {
            return Err(TokenFormatError::WrongPrefix);
        };
        if raw.len() != TOKEN_CHARS {
            return Err(TokenFormatError::WrongLength(raw.chars().count()));
        }
        if !rest.bytes().all(|b| BASE62.contains(&b)) {
            return Err(TokenFormatError::InvalidCharacter);
        }
        let (body, checksum) = raw.split_at(TOKEN_CHARS - CHECKSUM_CHARS);
        if encode_checksum(crc32(body.as_bytes())) != checksum {
            return Err(TokenFormatError::BadChecksum);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The last characters, safe to show in lists ("…a1B2").
    pub fn hint(&self) -> &str {
        &self.0[self.0.len() - HINT_CHARS..]
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenSecret(<redacted>…{})", self.hint())
    }
}

impl Drop for TokenSecret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

fn encode_checksum(mut value: u32) -> String {
    let mut digits = [b'0'; CHECKSUM_CHARS];
    for digit in digits.iter_mut().rev() {
        *digit = BASE62[(value % 62) as usize];
        value /= 62;
    }
    String::from_utf8(digits.to_vec()).expect("base62 is ASCII")
}

/// CRC-32 (IEEE 802.3, as zip and PNG use it), with one 1 KiB lookup table.
const CRC32: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);

fn crc32(bytes: &[u8]) -> u32 {
    CRC32.checksum(bytes)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn random_chars() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(BASE62.to_vec()), RANDOM_CHARS)
            .prop_map(|bytes| String::from_utf8(bytes).unwrap())
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn shape_errors_say_what_is_wrong() {
        let token = TokenSecret::from_random_chars(&"a".repeat(RANDOM_CHARS));
        let value = token.expose().to_owned();
        assert_eq!(value.len(), 40);
        assert_eq!(
            TokenSecret::parse(&value[4..]),
            Err(TokenFormatError::WrongPrefix)
        );
        assert_eq!(
            TokenSecret::parse(&value[..39]),
            Err(TokenFormatError::WrongLength(39))
        );
        let bad_char = format!("{}-{}", &value[..10], &value[11..]);
        assert_eq!(
            TokenSecret::parse(&bad_char),
            Err(TokenFormatError::InvalidCharacter)
        );
        assert_eq!(TokenSecret::parse(&format!(" {value}\n")).unwrap(), token);
    }

    #[test]
    fn debug_shows_only_the_hint() {
        let token = TokenSecret::from_random_chars(&"Zz9".repeat(10));
        let shown = format!("{token:?}");
        assert!(!shown.contains(&token.expose()[4..30]), "{shown}");
        assert!(shown.ends_with(&format!("…{})", token.hint())));
    }

    #[test]
    fn random_bytes_map_to_base62_uniformly() {
        let mut counts = [0u32; 62];
        for byte in 0..=255u8 {
            if let Some(c) = TokenSecret::base62_char(byte) {
                counts[BASE62.iter().position(|&b| char::from(b) == c).unwrap()] += 1;
            }
        }
        assert!(counts.iter().all(|&n| n == 4));
    }

    proptest! {
        #[test]
        fn every_generated_token_parses_and_matches_the_regex_shape(random in random_chars()) {
            let token = TokenSecret::from_random_chars(&random);
            let value = token.expose();
            prop_assert_eq!(TokenSecret::parse(value).unwrap(), token.clone());
            prop_assert!(value.starts_with(TOKEN_PREFIX) && value.len() == 40);
            prop_assert!(value[4..].bytes().all(|b| b.is_ascii_alphanumeric()));
        }

        #[test]
        fn any_single_changed_character_is_caught(
            random in random_chars(),
            position in 4usize..40,
            replacement in proptest::sample::select(BASE62.to_vec()),
        ) {
            let value = TokenSecret::from_random_chars(&random).expose().to_owned();
            prop_assume!(value.as_bytes()[position] != replacement);
            let mut changed = value.into_bytes();
            changed[position] = replacement;
            let changed = String::from_utf8(changed).unwrap();
            prop_assert_eq!(TokenSecret::parse(&changed), Err(TokenFormatError::BadChecksum));
        }

        #[test]
        fn arbitrary_text_never_panics(raw in ".{0,60}") {
            let _ = TokenSecret::parse(&raw);
        }
    }

    #[test]
    fn the_hint_is_the_last_four_characters() {
        let secret = TokenSecret::from_random_chars(&"a".repeat(RANDOM_CHARS));
        let value = secret.expose().to_owned();
        assert_eq!(secret.hint(), &value[value.len() - 4..]);
        assert_eq!(secret.hint().len(), 4);
    }
}
