//! Rotation with a grace period: after a regeneration both values work until the grace ends
//! or the new value is first used, whichever comes first; on one server and across replicas.

use std::time::{Duration, Instant};

use app::{account::Role, token::TokenPolicy};
use serde_json::{Value, json};
use server::services::accounts::Confirmed;

use crate::{
    on_both_engines,
    support::{Auth, TestApp, TestResponse, json_request, spec},
};

const PASSWORD: &str = "rosa's long password";

on_both_engines!(
    both_values_work_until_the_new_one_is_first_used,
    the_old_value_stops_when_the_grace_runs_out,
    a_second_regeneration_ends_the_first_ones_grace,
    a_token_rotating_itself_may_keep_its_old_value,
    an_old_value_cannot_rotate_the_token_and_follows_its_state,
    the_grace_is_checked_against_the_limit_and_the_policy,
    the_first_use_on_any_replica_ends_the_grace,
);

async fn rosa(app: &TestApp) -> String {
    app.create_user("rosa", PASSWORD, Role::User).await;
    app.sign_in("rosa", PASSWORD).await
}

async fn regenerate(app: &TestApp, cookie: &str, id: i64, grace: Option<&str>) -> TestResponse {
    let mut body = json!({ "password": PASSWORD });
    if let Some(grace) = grace {
        body["grace"] = json!(grace);
    }
    json_request(
        app,
        "POST",
        &format!("/api/v1/tokens/{id}/regenerate"),
        Auth::Session(cookie),
        Some(body),
    )
    .await
}

fn new_value(answer: &TestResponse) -> String {
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()["value"].as_str().unwrap().to_owned()
}

/// The refusal code of a call made with `value`, or "ok".
async fn use_token(app: &TestApp, value: &str) -> String {
    let answer = json_request(app, "GET", "/api/v1/tokens/self", Auth::Token(value), None).await;
    match answer.status.as_u16() {
        200 => "ok".to_owned(),
        _ => answer.json()["error"]["code"]
            .as_str()
            .unwrap_or("?")
            .to_owned(),
    }
}

async fn listed(app: &TestApp, cookie: &str, id: i64) -> Value {
    let answer = json_request(
        app,
        "GET",
        &format!("/api/v1/tokens/{id}"),
        Auth::Session(cookie),
        None,
    )
    .await;
    answer.json()["token"].clone()
}

fn unix_now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

async fn both_values_work_until_the_new_one_is_first_used(app: &TestApp) {
    let cookie = rosa(app).await;
    let (old, id) = app.token_for("rosa", spec("extended_access")).await;
    let before = unix_now();

    let answer = regenerate(app, &cookie, id, Some("1h")).await;
    let new = new_value(&answer);
    let deadline = answer.json()["old_value_expires_at"].as_i64().unwrap();
    assert!(
        (before + 3600..=unix_now() + 3600).contains(&deadline),
        "{deadline}"
    );
    assert_eq!(answer.json()["token"]["old_value_expires_at"], deadline);
    assert_eq!(
        listed(app, &cookie, id).await["old_value_expires_at"],
        deadline
    );

    // The old value works, again and again (from memory once the watcher has seen the
    // regeneration), as the same token.
    tokio::time::sleep(Duration::from_millis(700)).await;
    for _ in 0..2 {
        assert_eq!(use_token(app, &old).await, "ok");
    }
    assert!(
        app.services.tokens.kept_checks() > 0,
        "answered from memory"
    );
    let through_old = json_request(app, "GET", "/api/v1/tokens/self", Auth::Token(&old), None)
        .await
        .json();
    assert_eq!(through_old["token"]["id"], id);

    // The new value's first use proves its client has it: the old one stops there.
    assert_eq!(use_token(app, &new).await, "ok");
    assert_eq!(use_token(app, &old).await, "token_regenerated");
    assert_eq!(use_token(app, &new).await, "ok");
    assert_eq!(
        listed(app, &cookie, id).await["old_value_expires_at"],
        Value::Null
    );
}

async fn the_old_value_stops_when_the_grace_runs_out(app: &TestApp) {
    let cookie = rosa(app).await;
    let (old, id) = app.token_for("rosa", spec("extended_access")).await;
    let new = new_value(&regenerate(app, &cookie, id, Some("3s")).await);
    let regenerated = Instant::now();
    // Once the watcher has seen the regeneration (SQLite polls every 250 ms) it drops nothing
    // more: the old value is then kept in memory from its next use, and the deadline must
    // hold there too.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(use_token(app, &old).await, "ok");
    assert_eq!(use_token(app, &old).await, "ok");
    tokio::time::sleep(Duration::from_millis(3100).saturating_sub(regenerated.elapsed())).await;
    // Instants are whole seconds: a grace of 3 s ends 2 to 3 s after the regeneration.
    let refused_by = Instant::now() + Duration::from_secs(2);
    while use_token(app, &old).await == "ok" {
        assert!(
            Instant::now() < refused_by,
            "the old value outlived its grace"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(use_token(app, &old).await, "token_regenerated");
    assert_eq!(use_token(app, &new).await, "ok");
    assert_eq!(
        listed(app, &cookie, id).await["old_value_expires_at"],
        Value::Null
    );
}

async fn a_second_regeneration_ends_the_first_ones_grace(app: &TestApp) {
    let cookie = rosa(app).await;
    let (first, id) = app.token_for("rosa", spec("extended_access")).await;
    let second = new_value(&regenerate(app, &cookie, id, Some("1d")).await);
    assert_eq!(use_token(app, &first).await, "ok");
    let third = new_value(&regenerate(app, &cookie, id, Some("1h")).await);
    // Only the value just replaced keeps a grace.
    assert_eq!(use_token(app, &first).await, "token_regenerated");
    assert_eq!(use_token(app, &second).await, "ok");
    assert_eq!(use_token(app, &third).await, "ok");
    assert_eq!(use_token(app, &second).await, "token_regenerated");

    // Without a grace the old value stops at once, as before.
    let fourth = new_value(&regenerate(app, &cookie, id, None).await);
    assert_eq!(use_token(app, &third).await, "token_regenerated");
    assert_eq!(use_token(app, &fourth).await, "ok");
}

async fn a_token_rotating_itself_may_keep_its_old_value(app: &TestApp) {
    rosa(app).await;
    let (old, _) = app.token_for("rosa", spec("marketplace")).await;
    let rotated = json_request(
        app,
        "POST",
        "/api/v1/tokens/self/rotate",
        Auth::Token(&old),
        Some(json!({ "grace": "1d" })),
    )
    .await;
    let new = new_value(&rotated);
    assert!(rotated.json()["old_value_expires_at"].as_i64().unwrap() > unix_now() + 86_000);
    assert_eq!(use_token(app, &old).await, "ok");
    assert_eq!(use_token(app, &new).await, "ok");
    assert_eq!(use_token(app, &old).await, "token_regenerated");
}

async fn the_grace_is_checked_against_the_limit_and_the_policy(app: &TestApp) {
    let cookie = rosa(app).await;
    let (old, id) = app.token_for("rosa", spec("extended_access")).await;
    for (grace, message) in [
        ("8d", "at most 7d"),
        ("soon", "not a duration"),
        ("1w", "unknown unit"),
    ] {
        let refused = regenerate(app, &cookie, id, Some(grace)).await;
        assert_eq!(refused.status, 422, "{grace}: {}", refused.text());
        assert_eq!(refused.json()["error"]["code"], "invalid");
        let said = refused.json()["error"]["message"].to_string();
        assert!(said.contains(message), "{grace}: {said}");
    }
    let wrong_type = json_request(
        app,
        "POST",
        &format!("/api/v1/tokens/{id}/regenerate"),
        Auth::Session(&cookie),
        Some(json!({ "password": PASSWORD, "grace": 3600 })),
    )
    .await;
    assert_eq!(wrong_type.status, 400, "{}", wrong_type.text());

    let policy = TokenPolicy {
        max_rotation_grace_secs: Some(3600),
        ..TokenPolicy::default()
    };
    app.services
        .tokens
        .set_policy(policy, &Confirmed::by_operator(), &Default::default())
        .await
        .unwrap();
    let refused = regenerate(app, &cookie, id, Some("1d")).await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert!(refused.text().contains("at most 1h"), "{}", refused.text());
    // Nothing was changed by the refusals: the token has its first value still, no grace.
    assert_eq!(use_token(app, &old).await, "ok");
    assert_eq!(
        listed(app, &cookie, id).await["old_value_expires_at"],
        Value::Null
    );
    let allowed = regenerate(app, &cookie, id, Some("1h")).await;
    new_value(&allowed);
    assert_eq!(use_token(app, &old).await, "ok");
}

async fn the_first_use_on_any_replica_ends_the_grace(app: &TestApp) {
    let cookie = rosa(app).await;
    let replica = app.replica().await;
    let (old, id) = app.token_for("rosa", spec("extended_access")).await;
    let new = new_value(&regenerate(app, &cookie, id, Some("1h")).await);
    // Once both watchers have seen the regeneration (SQLite polls every 250 ms), both servers
    // keep the old value in memory, working: only the grace's end can drop it there.
    tokio::time::sleep(Duration::from_millis(700)).await;
    for server in [app, &replica] {
        for _ in 0..2 {
            assert_eq!(use_token(server, &old).await, "ok");
        }
        assert!(
            server.services.tokens.kept_checks() > 0,
            "answered from memory"
        );
    }
    // The new value's first use, on the replica, ends the grace there at once...
    assert_eq!(use_token(&replica, &new).await, "ok");
    assert_eq!(use_token(&replica, &old).await, "token_regenerated");
    // ...and on the first server within a second (its watcher hears of the change).
    let started = Instant::now();
    while use_token(app, &old).await == "ok" {
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "the other server still accepts the old value"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(use_token(app, &old).await, "token_regenerated");
    assert_eq!(use_token(app, &new).await, "ok");
    replica.teardown().await;
}

async fn an_old_value_cannot_rotate_the_token_and_follows_its_state(app: &TestApp) {
    let cookie = rosa(app).await;
    let (old, id) = app.token_for("rosa", spec("extended_access")).await;
    let new = new_value(&regenerate(app, &cookie, id, Some("1d")).await);
    // Whoever still holds the old value may use it, not take the token over with it.
    let rotated = json_request(
        app,
        "POST",
        "/api/v1/tokens/self/rotate",
        Auth::Token(&old),
        Some(json!({ "grace": "0" })),
    )
    .await;
    assert_eq!(rotated.status, 409, "{}", rotated.text());
    assert_eq!(rotated.json()["error"]["code"], "conflict");
    assert_eq!(use_token(app, &old).await, "ok");

    // The old value is the token: suspended, it is refused too; resumed, it works again.
    for (action, code) in [("suspend", "token_suspended"), ("resume", "ok")] {
        let changed = json_request(
            app,
            "POST",
            &format!("/api/v1/tokens/{id}/{action}"),
            Auth::Session(&cookie),
            Some(json!({ "password": PASSWORD })),
        )
        .await;
        assert_eq!(changed.status, 200, "{}", changed.text());
        assert_eq!(use_token(app, &old).await, code, "after {action}");
    }
    app.exec("update users set disabled_at = 1 where login = 'rosa'")
        .await;
    app.services.tokens.flush_usage().await.unwrap();
    let disabled_by = Instant::now() + Duration::from_secs(2);
    while use_token(app, &old).await != "owner_disabled" {
        assert!(
            Instant::now() < disabled_by,
            "the old value outlived its owner's disabling"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(use_token(app, &new).await, "owner_disabled");
}
