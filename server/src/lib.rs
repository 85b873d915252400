//! The Tessera server as a library, so tests drive the real router and services.

pub mod admin_cli;
pub mod auth;
pub mod backend;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod config;
pub mod http;
pub mod serve;
pub mod services;
pub mod state;
pub mod storage;
pub mod telemetry;
