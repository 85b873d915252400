//! The service layer: every business rule lives here, called by server functions, the REST
//! API and the CLI alike.

pub mod accounts;
pub mod audit;
pub mod system;

use crate::storage::Database;

#[derive(Clone, Debug)]
pub struct Services {
    pub system: system::SystemService,
    pub accounts: accounts::AccountService,
}

impl Services {
    pub fn new(database: Database) -> Self {
        Self {
            system: system::SystemService::new(database.clone()),
            accounts: accounts::AccountService::new(database),
        }
    }
}
