//! Access-token rules both sides share: the secret's format, lifetimes and expiry dates.

mod expiry;
mod lifetime;
mod secret;

pub use expiry::{DateError, ExpiryDate};
pub use lifetime::{Lifetime, LifetimeError};
pub use secret::{TOKEN_PREFIX, TOKEN_REGEX, TokenFormatError, TokenSecret};
