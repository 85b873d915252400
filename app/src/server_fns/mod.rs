//! Server functions: public HTTP endpoints, each a thin adapter over the service layer
//! (`tessera_core`), which the server provides as a Leptos context value. A failed one answers
//! the HTTP status its error means (`ServerError::status`), set for all of them in one place on
//! the server (`server/src/http/server_fns.rs`).

pub mod admin;
pub mod audit;
#[cfg(feature = "ssr")]
mod call;
pub mod check_database;
pub mod codec;
pub mod home;
pub mod session;
pub mod tokens;
pub mod webhooks;
