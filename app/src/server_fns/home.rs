use leptos::prelude::*;

use super::codec::Json;
use serde::{Deserialize, Serialize};

use crate::{account::UserView, error::ServerError, token::TokenOverview};

/// What the landing page shows a signed-in person: who they are and their tokens at a glance
/// (only those that need attention travel, however many there are), with the server's clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeView {
    pub user: UserView,
    pub overview: TokenOverview,
    /// Unix seconds.
    pub now: i64,
}

/// `None` for nobody signed in: the landing page then only introduces Tessera.
#[server(prefix = "/_fn", endpoint = "home", input = Json, output = Json)]
pub async fn load_home() -> Result<Option<HomeView>, ServerError> {
    use super::call::{Call, server_error};
    use tessera_core::{clock, services::tokens::TokenOwner};

    let call = Call::current()?;
    let Some(session) = call.signed_in().await? else {
        return Ok(None);
    };
    let now = clock::now();
    let overview = call
        .services
        .tokens
        .overview(&TokenOwner::of_session(&session), now)
        .await
        .map_err(server_error)?;
    Ok(Some(HomeView {
        user: session.user,
        overview,
        now,
    }))
}
