//! Integration tests: the real router over a real database, SQLite and PostgreSQL alike,
//! plus the real `tessera` binary for start-up behaviour.

mod support;

mod abandoned;
mod accounts;
mod admin;
mod assets;
mod audit;
mod check_cache;
mod cli;
mod csrf;
mod expiry;
mod forward_auth;
mod forward_auth_nginx;
mod health;
mod leaks;
mod limits;
mod operations;
mod pages;
mod paging;
mod platform;
mod rotation;
mod security;
mod startup;
mod storage;
mod tokens;
mod upgrade;
mod usage;
mod webhooks;
