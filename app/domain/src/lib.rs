//! Tessera's domain: the rules and types that the server (as the authority) and the browser
//! (for instant feedback) share. Pure code only: no I/O, no server or browser dependencies, so
//! it compiles into the WASM bundle and into the services alike.

pub mod account;
pub mod audit;
pub mod calendar;
pub mod call_parameters;
pub mod catalog;
pub mod client;
pub mod paging;
pub mod status;
pub mod token;
pub mod webhook;
