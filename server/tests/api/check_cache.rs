//! Checked tokens are kept in memory so that a call costs no database read; every change that
//! alters a check is seen by the very next request to the same server. Each case uses the
//! token twice first (the second use is answered from memory), then changes it.

use app::{
    account::{Login, Role},
    request::ClientInfo,
    token::RotationGrace,
};
use axum::{body::Body, http::Request};
use server::services::{
    accounts::Confirmed,
    audit::Actor,
    tokens::{TokenOwner, TokenTarget},
};

use crate::{
    on_both_engines,
    support::{TestApp, TestResponse, spec},
};

on_both_engines!(
    a_kept_token_is_refused_on_the_next_request_after_each_change,
    values_that_match_no_token_are_not_kept,
);

const INFO: &str = "/1.0/users/account/rest/getuserinfo";

async fn info(app: &TestApp, value: &str) -> TestResponse {
    app.get(&format!("{INFO}?session={value}")).await
}

fn code(response: &TestResponse) -> String {
    response.json()["code"].as_str().unwrap_or("ok").to_owned()
}

/// A fresh token for `login`, used twice so that the check keeps it and answers the second
/// use from memory.
async fn kept_token(app: &TestApp, login: &str) -> (String, i64) {
    let started = std::time::Instant::now();
    while !app.services.tokens.answers_from_memory() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "the change watcher never showed it works"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (value, id) = app.token_for(login, spec("extended_access")).await;
    for _ in 0..2 {
        let answer = info(app, &value).await;
        assert_eq!(answer.json()["result"], 0, "{}", answer.text());
    }
    assert!(
        app.services.tokens.kept_checks() > 0,
        "the check keeps a used token"
    );
    (value, id)
}

async fn bearer(app: &TestApp, method: &str, uri: &str, value: &str) -> TestResponse {
    app.request(
        Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {value}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

async fn a_kept_token_is_refused_on_the_next_request_after_each_change(app: &TestApp) {
    app.create_user("kim", "kim's long password", Role::User)
        .await;
    let user_id = app.user_id("kim").await;
    let owner = || TokenOwner::by_operator(user_id, "kim".to_owned());
    let client = ClientInfo::default();
    let tokens = &app.services.tokens;

    let (value, id) = kept_token(app, "kim").await;
    let narrower = spec("environment.control.GetEnvs");
    let settings = tokens
        .decide(&owner(), TokenTarget::Edit(id), &narrower)
        .await
        .unwrap();
    tokens
        .edit(&owner(), id, &settings, &Confirmed::by_operator(), &client)
        .await
        .unwrap();
    assert_eq!(
        code(&info(app, &value).await),
        "method_not_allowed",
        "after an edit"
    );

    let (value, id) = kept_token(app, "kim").await;
    tokens
        .regenerate(
            &owner(),
            id,
            RotationGrace::NONE,
            &Confirmed::by_operator(),
            &client,
        )
        .await
        .unwrap();
    assert_eq!(
        code(&info(app, &value).await),
        "token_regenerated",
        "after a regeneration"
    );

    let (value, id) = kept_token(app, "kim").await;
    tokens
        .remove(&owner(), &[id], &Confirmed::by_operator(), &client)
        .await
        .unwrap();
    assert_eq!(
        code(&info(app, &value).await),
        "token_removed",
        "after a removal"
    );

    let (value, _) = kept_token(app, "kim").await;
    let revoked = bearer(app, "DELETE", "/api/v1/tokens/self", &value).await;
    assert!(revoked.status.is_success(), "{}", revoked.text());
    assert_eq!(
        code(&info(app, &value).await),
        "token_removed",
        "after revoking itself"
    );

    let (value, _) = kept_token(app, "kim").await;
    let rotated = bearer(app, "POST", "/api/v1/tokens/self/rotate", &value).await;
    assert!(rotated.status.is_success(), "{}", rotated.text());
    assert_eq!(
        code(&info(app, &value).await),
        "token_regenerated",
        "after rotating itself"
    );
    let new_value = rotated.json()["value"].as_str().unwrap().to_owned();
    assert_eq!(info(app, &new_value).await.json()["result"], 0);

    let (value, _) = kept_token(app, "kim").await;
    let login = Login::parse("kim").unwrap();
    app.services
        .accounts
        .set_disabled(&login, true, &Actor::Operator, &client)
        .await
        .unwrap();
    assert_eq!(
        code(&info(app, &value).await),
        "owner_disabled",
        "after disabling the owner"
    );
    app.services
        .accounts
        .set_disabled(&login, false, &Actor::Operator, &client)
        .await
        .unwrap();
    assert_eq!(
        info(app, &value).await.json()["result"],
        0,
        "after enabling the owner"
    );
}

async fn values_that_match_no_token_are_not_kept(app: &TestApp) {
    app.create_user("kim", "kim's long password", Role::User)
        .await;
    let (value, _) = kept_token(app, "kim").await;
    let kept = app.services.tokens.kept_checks();
    for _ in 0..200 {
        let made_up = server::auth::secret::new_access_token();
        assert_eq!(code(&info(app, made_up.expose()).await), "token_unknown");
    }
    assert_eq!(app.services.tokens.kept_checks(), kept);
    assert_eq!(info(app, &value).await.json()["result"], 0);
}
