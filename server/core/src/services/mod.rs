//! The service layer: every business rule lives here, called by server functions, the REST
//! API and the CLI alike.

pub mod accounts;
pub mod audit;
pub mod error;
pub mod gateway;
pub mod platform;
pub mod system;
pub mod tokens;
pub mod webhooks;

use std::sync::Arc;

use domain::catalog::Catalog;

use crate::storage::Database;

/// What the operator chose beyond the catalog.
#[derive(Debug, Default)]
pub struct Options {
    /// The routes `/auth/verify` checks (from the routes file); `None`: the catalog's.
    pub routes: Option<Arc<gateway::ProtectedRoutes>>,
    pub leak_policy: tokens::LeakPolicy,
}

#[derive(Clone, Debug)]
pub struct Services {
    pub system: system::SystemService,
    pub accounts: accounts::AccountService,
    pub tokens: tokens::TokenService,
    pub platform: platform::PlatformService,
    pub webhooks: webhooks::WebhookService,
    pub gateway: gateway::GatewayService,
    pub audit: audit::AuditService,
}

impl Services {
    /// Lets webhook endpoints point at loopback, private and link-local addresses
    /// (`TESSERA_WEBHOOK_ALLOW_PRIVATE=true`; the tests' receivers are on loopback).
    pub fn allowing_private_webhooks(mut self, allow: bool) -> Self {
        self.webhooks = self.webhooks.allowing_private(allow);
        self
    }

    /// With the catalog's routes for forward-auth, no public ones, and leaked tokens revoked.
    pub fn new(database: Database, catalog: Arc<Catalog>) -> Self {
        Self::with_options(database, catalog, Options::default())
    }

    pub fn with_options(database: Database, catalog: Arc<Catalog>, options: Options) -> Self {
        let routes = options.routes.unwrap_or_else(|| {
            Arc::new(
                gateway::ProtectedRoutes::new(&catalog, &[])
                    .expect("a catalog's upstream routes are checked where it is loaded"),
            )
        });
        let token_checks = Arc::new(tokens::CheckCache::new());
        let accounts = accounts::AccountService::new(database.clone(), token_checks.clone());
        let tokens = tokens::TokenService::new(database.clone(), catalog, token_checks)
            .with_leak_policy(options.leak_policy);
        Self {
            webhooks: webhooks::WebhookService::new(database.clone(), false),
            system: system::SystemService::new(database.clone()),
            audit: audit::AuditService::new(database.clone()),
            gateway: gateway::GatewayService::new(tokens.clone(), routes),
            platform: platform::PlatformService::new(database, tokens.clone(), accounts.clone()),
            accounts,
            tokens,
        }
    }
}
