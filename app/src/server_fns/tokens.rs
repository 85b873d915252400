//! The Access Tokens tab's server functions. Every change carries the account password,
//! checked on the server in the same request.

use leptos::{prelude::*, server_fn::codec::Json};

use crate::{
    error::ServerError,
    token::{IssuedTokenView, TokenInput, TokenPage, TokenView},
};

#[server(prefix = "/_fn", endpoint = "token_page", input = Json)]
pub async fn load_token_page() -> Result<TokenPage, ServerError> {
    use crate::{backend::backend, request::RequestContext};

    backend()?.token_page(&RequestContext::current()).await
}

#[server(prefix = "/_fn", endpoint = "generate_token", input = Json)]
pub async fn generate_token(
    input: TokenInput,
    password: String,
) -> Result<IssuedTokenView, ServerError> {
    use crate::{backend::backend, request::RequestContext};

    backend()?
        .generate_token(&RequestContext::current(), input, &password)
        .await
}

#[server(prefix = "/_fn", endpoint = "edit_token", input = Json)]
pub async fn edit_token(
    id: i64,
    input: TokenInput,
    password: String,
) -> Result<TokenView, ServerError> {
    use crate::{backend::backend, request::RequestContext};

    backend()?
        .edit_token(&RequestContext::current(), id, input, &password)
        .await
}

#[server(prefix = "/_fn", endpoint = "regenerate_token", input = Json)]
pub async fn regenerate_token(id: i64, password: String) -> Result<IssuedTokenView, ServerError> {
    use crate::{backend::backend, request::RequestContext};

    backend()?
        .regenerate_token(&RequestContext::current(), id, &password)
        .await
}

#[server(prefix = "/_fn", endpoint = "copy_token", input = Json)]
pub async fn copy_token(
    id: i64,
    input: TokenInput,
    password: String,
) -> Result<IssuedTokenView, ServerError> {
    use crate::{backend::backend, request::RequestContext};

    backend()?
        .copy_token(&RequestContext::current(), id, input, &password)
        .await
}

#[server(prefix = "/_fn", endpoint = "remove_tokens", input = Json)]
pub async fn remove_tokens(ids: Vec<i64>, password: String) -> Result<usize, ServerError> {
    use crate::{backend::backend, request::RequestContext};

    backend()?
        .remove_tokens(&RequestContext::current(), ids, &password)
        .await
}
