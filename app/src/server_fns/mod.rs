//! Server functions: public HTTP endpoints, each a thin adapter over the server's services.

pub mod check_database;
pub mod session;
