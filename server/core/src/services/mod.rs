//! The service layer: every business rule lives here, called by server functions, the REST
//! API and the CLI alike.

pub mod accounts;
pub mod audit;
pub mod error;
pub mod platform;
pub mod system;
pub mod tokens;
pub mod webhooks;

use std::sync::Arc;

use domain::catalog::Catalog;

use crate::storage::Database;

#[derive(Clone, Debug)]
pub struct Services {
    pub system: system::SystemService,
    pub accounts: accounts::AccountService,
    pub tokens: tokens::TokenService,
    pub platform: platform::PlatformService,
    pub webhooks: webhooks::WebhookService,
}

impl Services {
    /// Lets webhook endpoints point at loopback, private and link-local addresses
    /// (`TESSERA_WEBHOOK_ALLOW_PRIVATE=true`; the tests' receivers are on loopback).
    pub fn allowing_private_webhooks(mut self, allow: bool) -> Self {
        self.webhooks = self.webhooks.allowing_private(allow);
        self
    }

    pub fn new(database: Database, catalog: Arc<Catalog>) -> Self {
        let token_checks = Arc::new(tokens::CheckCache::new());
        let accounts = accounts::AccountService::new(database.clone(), token_checks.clone());
        let tokens = tokens::TokenService::new(database.clone(), catalog, token_checks);
        Self {
            webhooks: webhooks::WebhookService::new(database.clone(), false),
            system: system::SystemService::new(database.clone()),
            platform: platform::PlatformService::new(database, tokens.clone(), accounts.clone()),
            accounts,
            tokens,
        }
    }
}
