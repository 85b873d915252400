//! Tessera's user interface and the types the server and the browser share.
//!
//! Compiled twice: with `ssr` into the server (rendering pages, running server functions) and
//! with `hydrate` into the WASM bundle. Server-only code sits behind `#[cfg(feature = "ssr")]`.

#![recursion_limit = "256"]

#[cfg(feature = "ssr")]
pub mod backend;
pub mod error;
pub mod pages;
pub mod server_fns;
pub mod shell;
pub mod status;

pub use shell::{App, shell};
