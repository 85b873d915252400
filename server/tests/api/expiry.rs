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

/// A server function call as the hydrated dashboard makes it.
async fn server_fn(app: &TestApp, path: &str, cookie: &str, body: Value) -> TestResponse {
    let request = axum::http::Request::post(path)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .header("sec-fetch-site", "same-origin")
        .header("cookie", format!("tessera_session={cookie}"))
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    app.request(request).await
}

const PASSWORD: &str = "ida's long password";

on_both_engines!(
    an_auto_refresh_token_never_outlives_its_absolute_end,
    the_maximum_lifetime_caps_an_auto_refresh_tokens_total_age,
    an_absolute_end_goes_only_with_auto_refresh,
    tokens_ending_soon_are_listed_counted_and_extended_with_the_same_value,
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

async fn tokens_ending_soon_are_listed_counted_and_extended_with_the_same_value(app: &TestApp) {
    let cookie = ida(app).await;
    app.create_user("root", "root's long password", Role::Admin)
        .await;
    let admin = app.sign_in("root", "root's long password").await;
    let mut values = std::collections::HashMap::new();
    for (name, fields) in [
        ("soon", json!({ "expires_in": "2d" })),
        ("later", json!({ "expires_in": "60d" })),
        ("sliding", json!({ "auto_refresh": "1h" })),
        ("ended", json!({ "expires_in": "60d" })),
        ("long gone", json!({ "expires_in": "60d" })),
    ] {
        let mut fields = fields;
        fields["description"] = json!(name);
        let created = create(app, &cookie, fields).await;
        assert_eq!(created.status, 201, "{}", created.text());
        let body = created.json();
        values.insert(
            name,
            (
                body["value"].as_str().unwrap().to_owned(),
                body["token"]["id"].as_i64().unwrap(),
            ),
        );
    }
    let now = server::clock::now();
    for (name, ago) in [("ended", 3 * 86_400), ("long gone", 10 * 86_400)] {
        app.exec(&format!(
            "update access_tokens set expires_at = {} where token_id = {}",
            now - ago,
            values[name].1
        ))
        .await;
    }

    let page = server_fn(app, "/_fn/token_page", &cookie, json!({ "page": 1 })).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let ending: Vec<String> = page.json()["ending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|token| token["description"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ending, ["ended", "soon"], "the soonest end first");
    let count = server_fn(app, "/_fn/ending_token_count", &cookie, json!({})).await;
    assert_eq!(count.json(), 2);
    let html = app
        .get_with_session("/settings/tokens", &cookie)
        .await
        .text()
        .to_owned();
    assert!(html.contains("Ending soon"), "the list is server-rendered");
    assert!(
        html.contains("2 tokens end soon"),
        "the top bar counts them"
    );

    // Extend, as the button does: the domain's extension, applied as an edit.
    let soon: app::token::TokenView =
        serde_json::from_value(page.json()["ending"][1].clone()).unwrap();
    let policy = TokenPolicy::default();
    let expiry = app::token::extension(&soon, &policy, now).expect("an extension");
    let extended = server_fn(
        app,
        "/_fn/edit_token",
        &cookie,
        json!({ "id": soon.id, "password": PASSWORD,
                "input": { "expiry": expiry } }),
    )
    .await;
    assert_eq!(extended.status, 200, "{}", extended.text());
    let new_end = extended.json()["expires_at"].as_i64().unwrap();
    assert!(
        new_end >= soon.expires_at.unwrap() + 30 * 86_400,
        "{new_end}"
    );
    assert_eq!(
        info_code(app, &values["soon"].0).await,
        "ok",
        "the same value"
    );
    let count = server_fn(app, "/_fn/ending_token_count", &cookie, json!({})).await;
    assert_eq!(count.json(), 1);

    // An admin sees the same on the person's page, and extends an ended token back to life.
    let person = server_fn(
        app,
        "/_fn/admin_person",
        &admin,
        json!({ "login": "ida", "page": 1 }),
    )
    .await;
    assert_eq!(person.json()["ending"][0]["description"], "ended");
    assert_eq!(info_code(app, &values["ended"].0).await, "token_expired");
    let ended: app::token::TokenView =
        serde_json::from_value(person.json()["ending"][0].clone()).unwrap();
    let revived = server_fn(
        app,
        "/_fn/admin_extend_token_of",
        &admin,
        json!({ "login": "ida", "id": ended.id, "password": "root's long password",
                "expiry": app::token::extension(&ended, &policy, now).unwrap() }),
    )
    .await;
    assert_eq!(revived.status, 200, "{}", revived.text());
    assert_eq!(info_code(app, &values["ended"].0).await, "ok");
    let wrong = server_fn(
        app,
        "/_fn/admin_extend_token_of",
        &admin,
        json!({ "login": "ida", "id": values["long gone"].1, "password": "wrong password",
                "expiry": { "kind": "date", "value": "2030-01-01" } }),
    )
    .await;
    assert_eq!(wrong.status, 403, "{}", wrong.text());
    assert_eq!(
        info_code(app, &values["long gone"].0).await,
        "token_expired"
    );
    let count = server_fn(app, "/_fn/ending_token_count", &cookie, json!({})).await;
    assert_eq!(count.json(), 0);
}
