//! Random secrets from the OS CSPRNG, and the digests stored in their place.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use domain::token::{RANDOM_CHARS, TokenSecret};
use rand_core::{OsRng, RngCore as _};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroize as _;

/// `bytes` random bytes, base64url without padding (cookie- and URL-safe).
pub fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buffer);
    URL_SAFE_NO_PAD.encode(buffer)
}

/// A new access token: its random part drawn from the OS CSPRNG, one base62 character per
/// accepted byte (bytes that would bias the alphabet are skipped).
pub fn new_access_token() -> TokenSecret {
    let mut random = String::with_capacity(RANDOM_CHARS);
    let mut buffer = [0u8; 64];
    while random.len() < RANDOM_CHARS {
        OsRng.fill_bytes(&mut buffer);
        random.extend(
            buffer
                .iter()
                .filter_map(|&b| TokenSecret::base62_char(b))
                .take(RANDOM_CHARS - random.len()),
        );
    }
    let token = TokenSecret::from_random_chars(&random);
    random.zeroize();
    buffer.zeroize();
    token
}

/// The hex SHA-256 of a secret: what the database stores and looks up instead of it.
pub fn digest(secret: &str) -> String {
    let hash = Sha256::digest(secret.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in hash {
        hex.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        hex.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_tokens_are_fresh_and_well_formed() {
        let a = new_access_token();
        let b = new_access_token();
        assert_ne!(a, b);
        assert_eq!(TokenSecret::parse(a.expose()).unwrap(), a);
    }

    #[test]
    fn tokens_are_random_and_url_safe() {
        let a = random_token(32);
        let b = random_token(32);
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn digest_is_hex_sha256() {
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
