//! Tessera's core: the service layer (every business rule), the storage under it, and the
//! credential primitives. Called by three thin adapters: server functions (in `app`, under
//! `ssr`), the REST and platform APIs, and the CLI (in `server`). Knows nothing of HTTP.

pub mod auth;
pub mod clock;
pub mod metrics;
pub mod services;
pub mod storage;
