//! The Tessera server as a library, so tests drive the real router and services.

pub mod admin_cli;
pub mod backup;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod http;
pub mod metrics;
pub mod serve;
pub mod settings;
pub mod state;
pub mod telemetry;

pub use tessera_core::{auth, clock, services, storage};
