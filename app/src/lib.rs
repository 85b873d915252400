//! Tessera's user interface and the types the server and the browser share.
//!
//! Compiled twice: with `ssr` into the server (rendering pages, running server functions) and
//! with `hydrate` into the WASM bundle. Server-only code sits behind `#[cfg(feature = "ssr")]`.

#![recursion_limit = "256"]

pub mod components;
pub mod error;
pub mod navigation;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod request;
pub mod security;
pub mod server_fns;
pub mod shell;

pub use domain::{account, audit, calendar, catalog, paging, status, token, webhook};
pub use shell::{App, shell};
