//! Access-token rules both sides share: the secret's format, descriptions, lifetimes, expiry
//! dates, resource scopes, and the token as lists show it.

mod description;
mod expiry;
mod form;
mod lifetime;
mod scope;
mod secret;
mod view;

pub use description::{Description, DescriptionError};
pub use expiry::{DateError, ExpiryDate};
pub use form::{CheckedForm, TokenForm, TokenFormErrors};
pub use lifetime::{Lifetime, LifetimeError};
pub use scope::{EnvName, Scope, ScopeError, scopes_allow};
pub use secret::{RANDOM_CHARS, TOKEN_PREFIX, TOKEN_REGEX, TokenFormatError, TokenSecret};
pub use view::{
    ExpirationModel, ExpiryDateWire, ExpirySpec, IssuedTokenView, LastUse, TokenPage, TokenStatus,
    TokenView,
};
