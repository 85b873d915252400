//! Composable expiry: an auto-refresh token with an absolute end that no use moves, and the
//! policy's maximum lifetime capping an auto-refresh token's total age.

use std::time::{Duration, Instant};

use app::{account::Role, token::TokenPolicy};
use serde_json::{Value, json};
use server::services::accounts::Confirmed;

use crate::{
    on_both_engines,
    support::{Auth, TestApp, TestResponse, json_request},
};

const PASSWORD: &str = "ida's long password";

on_both_engines!(
    an_auto_refresh_token_never_outlives_its_absolute_end,
    the_maximum_lifetime_caps_an_auto_refresh_tokens_total_age,
    an_absolute_end_goes_only_with_auto_refresh,
);

async fn ida(app: &TestApp) -> String {
    app.create_user("ida", PASSWORD, Role::User).await;
    app.sign_in("ida", PASSWORD).await
}

async fn create(app: &TestApp, cookie: &str, fields: Value) -> TestResponse {
    let mut body = json!({
        "password": PASSWORD,
        "description": "sliding",
        "api_set": "extended_access",
    });
    body.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    json_request(
        app,
        "POST",
        "/api/v1/tokens",
        Auth::Session(cookie),
        Some(body),
    )
    .await
}

async fn info_code(app: &TestApp, value: &str) -> String {
    let answer = app
        .get(&format!(
            "/1.0/users/account/rest/getuserinfo?session={value}"
        ))
        .await
        .json();
    answer["code"].as_str().unwrap_or("ok").to_owned()
}

fn today_iso() -> String {
    app::calendar::format_rfc3339(server::clock::now())[..10].to_owned()
}

async fn an_auto_refresh_token_never_outlives_its_absolute_end(app: &TestApp) {
    let cookie = ida(app).await;
    let created = create(
        app,
        &cookie,
        json!({ "auto_refresh": "1h", "not_after": today_iso() }),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let token = created.json()["token"].clone();
    let (value, id) = (
        created.json()["value"].as_str().unwrap().to_owned(),
        token["id"].as_i64().unwrap(),
    );
    let end_of_today = (server::clock::now() / 86_400 + 1) * 86_400;
    assert_eq!(token["not_after"], end_of_today);
    assert_eq!(token["expiration"], "auto_refresh");
    assert!(token["expires_at"].as_i64().unwrap() <= end_of_today);

    // As if the end were 2 s away: uses keep sliding the expiry by an hour, but never past
    // the end, so the token stops there however busy it is.
    let now = server::clock::now();
    app.exec(&format!(
        "update access_tokens set expires_at = {end}, not_after = {end} where token_id = {id}",
        end = now + 2
    ))
    .await;
    let started = Instant::now();
    while info_code(app, &value).await == "ok" {
        assert!(
            started.elapsed() < Duration::from_secs(6),
            "a use slid the token past its absolute end"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(info_code(app, &value).await, "token_expired");
    app.services.tokens.flush_usage().await.unwrap();
    let stored: i64 = sqlx::query_scalar(&format!(
        "select expires_at from access_tokens where token_id = {id}"
    ))
    .fetch_one(app.database.pool())
    .await
    .unwrap();
    assert_eq!(stored, now + 2, "the written expiry stays at the end");

    // Extending is an edit: a later end, the same value.
    let edited = json_request(
        app,
        "PATCH",
        &format!("/api/v1/tokens/{id}"),
        Auth::Session(&cookie),
        Some(json!({ "password": PASSWORD, "auto_refresh": "1h", "not_after": "2030-12-31" })),
    )
    .await;
    assert_eq!(edited.status, 200, "{}", edited.text());
    assert_eq!(info_code(app, &value).await, "ok");
}

async fn the_maximum_lifetime_caps_an_auto_refresh_tokens_total_age(app: &TestApp) {
    let cookie = ida(app).await;
    let policy = TokenPolicy {
        max_lifetime_secs: Some(30 * 86_400),
        ..TokenPolicy::default()
    };
    app.services
        .tokens
        .set_policy(policy, &Confirmed::by_operator(), &Default::default())
        .await
        .unwrap();
    let before = server::clock::now();
    let created = create(app, &cookie, json!({ "auto_refresh": "12h" })).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let end = created.json()["token"]["not_after"].as_i64().unwrap();
    assert!(
        (before + 30 * 86_400..=server::clock::now() + 30 * 86_400).contains(&end),
        "{end}"
    );

    let too_far = create(
        app,
        &cookie,
        json!({ "auto_refresh": "12h", "not_after": "2030-12-31" }),
    )
    .await;
    assert_eq!(too_far.status, 422, "{}", too_far.text());
    assert_eq!(too_far.json()["error"]["code"], "policy_violation");
}

async fn an_absolute_end_goes_only_with_auto_refresh(app: &TestApp) {
    let cookie = ida(app).await;
    for fields in [
        json!({ "expires_in": "1d", "not_after": "2099-12-31" }),
        json!({ "never_expires": true, "not_after": "2099-12-31" }),
        json!({ "not_after": "2099-12-31" }),
    ] {
        let refused = create(app, &cookie, fields.clone()).await;
        assert_eq!(refused.status, 422, "{fields}: {}", refused.text());
        assert!(
            refused.text().contains("not_after goes with auto_refresh"),
            "{}",
            refused.text()
        );
    }
    let past = create(
        app,
        &cookie,
        json!({ "auto_refresh": "1h", "not_after": "2020-01-01" }),
    )
    .await;
    assert_eq!(past.status, 422, "{}", past.text());
    assert!(
        past.text().contains("Ends no later than"),
        "{}",
        past.text()
    );
}
