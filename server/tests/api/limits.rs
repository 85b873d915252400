//! Tokens that limit themselves: uses, rates, suspension and address allow-lists, through the
//! REST API and the platform API, on both engines.

use std::net::SocketAddr;

use app::{account::Role, token::TokenInput};
use axum::{body::Body, extract::ConnectInfo, http::Request};
use serde_json::json;
use tower::ServiceExt as _;

use crate::{
    on_both_engines,
    support::{Auth, TestApp, TestResponse, json_request, spec},
};

const PASSWORD: &str = "alice's long password";
const INFO: &str = "/1.0/users/account/rest/getuserinfo";

on_both_engines!(
    a_limited_token_gives_exactly_its_uses_under_concurrency,
    rate_limits_answer_429_and_the_owner_limit_is_shared,
    a_suspended_token_resumes_with_the_same_value,
    allowed_addresses_admit_only_their_clients,
    limits_are_set_shown_and_refused_through_rest,
    the_policy_may_require_an_allow_list,
    an_admin_suspends_and_resumes_someone_elses_token,
);

/// A platform call with the token as Bearer, from `client` when given (through the tests'
/// trusted proxy, 127.0.0.9).
async fn info_call(app: &TestApp, token: &str, client: Option<&str>) -> TestResponse {
    let mut request = Request::get(INFO).header("authorization", format!("Bearer {token}"));
    if let Some(client) = client {
        request = request.header("x-forwarded-for", client);
    }
    let mut request = request.body(Body::empty()).unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 9], 40000))));
    app.request(request).await
}

/// `count` calls at once, each on its own task: the status and code of each.
async fn parallel_calls(app: &TestApp, token: &str, count: usize) -> Vec<(u16, String)> {
    let mut running = tokio::task::JoinSet::new();
    for _ in 0..count {
        let router = app.router.clone();
        let request = Request::get(INFO)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        running.spawn(async move {
            let response = router.oneshot(request).await.unwrap();
            let status = response.status().as_u16();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
            (
                status,
                body["code"].as_str().unwrap_or("success").to_owned(),
            )
        });
    }
    running.join_all().await
}

fn code(response: &TestResponse) -> String {
    response.json()["code"]
        .as_str()
        .unwrap_or("success")
        .to_owned()
}

async fn alice_signed_in(app: &TestApp) -> String {
    app.create_user("alice", PASSWORD, Role::User).await;
    app.sign_in("alice", PASSWORD).await
}

fn extended(change: impl FnOnce(&mut TokenInput)) -> TokenInput {
    let mut input = spec("extended_access");
    change(&mut input);
    input
}

async fn a_limited_token_gives_exactly_its_uses_under_concurrency(app: &TestApp) {
    let cookie = alice_signed_in(app).await;
    let (token, id) = app
        .token_for("alice", extended(|i| i.max_uses = Some("10".into())))
        .await;
    let answers = parallel_calls(app, &token, 100).await;
    let succeeded = answers.iter().filter(|(status, _)| *status == 200).count();
    let exhausted = answers
        .iter()
        .filter(|(status, code)| *status == 403 && code == "token_exhausted")
        .count();
    assert_eq!((succeeded, exhausted), (10, 90));
    let left: Option<i64> = sqlx::query_scalar(&format!(
        "select uses_left from access_tokens where token_id = {id}"
    ))
    .fetch_one(app.database.pool())
    .await
    .unwrap();
    assert_eq!(left, Some(0));

    // The list shows none left; an edit that gives uses refills them.
    let listed = json_request(
        app,
        "GET",
        &format!("/api/v1/tokens/{id}"),
        Auth::Session(&cookie),
        None,
    )
    .await;
    assert_eq!(listed.json()["token"]["uses_left"], 0, "{}", listed.text());
    assert_eq!(listed.json()["token"]["max_uses"], 10);
    let refill = json_request(
        app,
        "PATCH",
        &format!("/api/v1/tokens/{id}"),
        Auth::Session(&cookie),
        Some(json!({ "password": PASSWORD, "max_uses": 3 })),
    )
    .await;
    assert_eq!(refill.status, 200, "{}", refill.text());
    assert_eq!(refill.json()["token"]["uses_left"], 3);
    let again = parallel_calls(app, &token, 5).await;
    assert_eq!(again.iter().filter(|(status, _)| *status == 200).count(), 3);

    // An edit that leaves uses out keeps what is left; lifting the limit ends the counting.
    let renamed = json_request(
        app,
        "PATCH",
        &format!("/api/v1/tokens/{id}"),
        Auth::Session(&cookie),
        Some(json!({ "password": PASSWORD, "description": "renamed" })),
    )
    .await;
    assert_eq!(
        renamed.json()["token"]["uses_left"],
        0,
        "{}",
        renamed.text()
    );
    let lifted = json_request(
        app,
        "PATCH",
        &format!("/api/v1/tokens/{id}"),
        Auth::Session(&cookie),
        Some(json!({ "password": PASSWORD, "max_uses": null })),
    )
    .await;
    assert!(
        lifted.json()["token"]["max_uses"].is_null(),
        "{}",
        lifted.text()
    );
    assert_eq!(info_call(app, &token, None).await.status, 200);
}

async fn rate_limits_answer_429_and_the_owner_limit_is_shared(app: &TestApp) {
    alice_signed_in(app).await;
    let (token, _) = app
        .token_for("alice", extended(|i| i.rate_limit = Some("2/min".into())))
        .await;
    assert_eq!(info_call(app, &token, None).await.status, 200);
    assert_eq!(info_call(app, &token, None).await.status, 200);
    let refused = info_call(app, &token, None).await;
    assert_eq!(refused.status, 429, "{}", refused.text());
    assert_eq!(code(&refused), "rate_limited");
    assert_eq!(refused.json()["result"], 713);
    let wait: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&wait), "Retry-After {wait}");

    // The policy's limit per person covers all of alice's tokens together.
    app.exec("update token_policy set owner_rate_limit = '3/h' where policy_id = 1")
        .await;
    // A spent token's calls, refused, cost the shared allowance nothing.
    let (spent, _) = app
        .token_for("alice", extended(|i| i.max_uses = Some("1".into())))
        .await;
    app.exec("update access_tokens set uses_left = 0 where max_uses = 1")
        .await;
    for _ in 0..5 {
        assert_eq!(code(&info_call(app, &spent, None).await), "token_exhausted");
    }
    let (first, _) = app.token_for("alice", spec("extended_access")).await;
    let (second, _) = app.token_for("alice", spec("extended_access")).await;
    assert_eq!(info_call(app, &first, None).await.status, 200);
    assert_eq!(info_call(app, &first, None).await.status, 200);
    assert_eq!(info_call(app, &second, None).await.status, 200);
    let shared = info_call(app, &second, None).await;
    assert_eq!(code(&shared), "rate_limited", "{}", shared.text());
    app.create_user("bob", "bob's long password", Role::User)
        .await;
    let (bobs, _) = app.token_for("bob", spec("extended_access")).await;
    assert_eq!(
        info_call(app, &bobs, None).await.status,
        200,
        "bob has his own"
    );
}

async fn a_suspended_token_resumes_with_the_same_value(app: &TestApp) {
    let cookie = alice_signed_in(app).await;
    let (token, id) = app.token_for("alice", spec("extended_access")).await;
    let suspend = |password: Option<&str>, action: &str| {
        let body = password.map(|p| json!({ "password": p }));
        let uri = format!("/api/v1/tokens/{id}/{action}");
        let cookie = cookie.clone();
        async move { json_request(app, "POST", &uri, Auth::Session(&cookie), body).await }
    };
    let without = suspend(None, "suspend").await;
    assert_eq!(without.status, 422, "{}", without.text());
    assert_eq!(info_call(app, &token, None).await.status, 200);

    let suspended = suspend(Some(PASSWORD), "suspend").await;
    assert_eq!(suspended.status, 200, "{}", suspended.text());
    assert_eq!(suspended.json()["token"]["status"], "suspended");
    let refused = info_call(app, &token, None).await;
    assert_eq!(
        (refused.status.as_u16(), code(&refused)),
        (403, "token_suspended".into())
    );
    assert_eq!(refused.json()["result"], 711);

    let resumed = suspend(Some(PASSWORD), "resume").await;
    assert_eq!(
        resumed.json()["token"]["status"],
        "active",
        "{}",
        resumed.text()
    );
    assert_eq!(info_call(app, &token, None).await.status, 200);

    let actions: Vec<String> = sqlx::query_scalar(
        "select action from audit_events where action in ('token_suspended', 'token_resumed') \
         order by audit_event_id",
    )
    .fetch_all(app.database.pool())
    .await
    .unwrap();
    assert_eq!(actions, ["token_suspended", "token_resumed"]);
}

async fn allowed_addresses_admit_only_their_clients(app: &TestApp) {
    alice_signed_in(app).await;
    let (token, _) = app
        .token_for(
            "alice",
            extended(|i| i.allowed_ips = Some(vec!["203.0.113.0/24, 2001:db8::/32".into()])),
        )
        .await;
    for allowed in ["203.0.113.7", "2001:db8::1"] {
        let answer = info_call(app, &token, Some(allowed)).await;
        assert_eq!(answer.status, 200, "{allowed}: {}", answer.text());
    }
    for refused in [Some("198.51.100.1"), Some("2001:db9::1"), None] {
        let answer = info_call(app, &token, refused).await;
        assert_eq!(answer.status, 403, "{refused:?}: {}", answer.text());
        assert_eq!(code(&answer), "address_not_allowed");
    }
}

async fn limits_are_set_shown_and_refused_through_rest(app: &TestApp) {
    let cookie = alice_signed_in(app).await;
    let created = json_request(
        app,
        "POST",
        "/api/v1/tokens",
        Auth::Session(&cookie),
        Some(json!({
            "password": PASSWORD, "description": "CI job", "api_set": "extended_access",
            "max_uses": 5, "rate_limit": "10/s", "allowed_ips": ["10.0.0.0/8"],
        })),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let token = created.json()["token"].clone();
    assert_eq!(token["max_uses"], 5);
    assert_eq!(token["uses_left"], 5);
    assert_eq!(token["rate_limit"], "10/s");
    assert_eq!(token["allowed_ips"], json!(["10.0.0.0/8"]));
    let value = created.json()["value"].as_str().unwrap().to_owned();
    let introspected = info_self(app, &value, "10.1.1.1").await;
    assert_eq!(
        introspected.json()["token"]["rate_limit"],
        "10/s",
        "{}",
        introspected.text()
    );
    assert_eq!(
        introspected.json()["token"]["uses_left"],
        4,
        "the introspection was a use"
    );

    let refused = json_request(
        app,
        "POST",
        "/api/v1/tokens",
        Auth::Session(&cookie),
        Some(json!({
            "password": PASSWORD, "description": "bad", "max_uses": 0, "rate_limit": "fast",
            "allowed_ips": ["10.0.0.1/8"],
        })),
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    let message = refused.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("1 to 1,000,000,000"), "{message}");
    assert!(message.contains("600/min"), "{message}");
    assert!(message.contains("did you mean 10.0.0.0/8"), "{message}");
    let count: i64 = sqlx::query_scalar("select count(*) from access_tokens")
        .fetch_one(app.database.pool())
        .await
        .unwrap();
    assert_eq!(count, 1, "a refused body makes nothing");
}

async fn info_self(app: &TestApp, token: &str, client: &str) -> TestResponse {
    let mut request = Request::get("/api/v1/tokens/self")
        .header("authorization", format!("Bearer {token}"))
        .header("x-forwarded-for", client)
        .body(Body::empty())
        .unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 9], 40000))));
    app.request(request).await
}

async fn the_policy_may_require_an_allow_list(app: &TestApp) {
    app.create_user("root", "root's long password", Role::Admin)
        .await;
    let admin = app.sign_in("root", "root's long password").await;
    let set = json_request(
        app,
        "PUT",
        "/api/v1/admin/policy",
        Auth::Session(&admin),
        Some(json!({
            "password": "root's long password",
            "allowed_ips_required_for": ["extended_access"],
            "owner_rate_limit": "100/min",
        })),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.text());
    assert_eq!(set.json()["owner_rate_limit"], "100/min");
    let refused = json_request(
        app,
        "POST",
        "/api/v1/tokens",
        Auth::Session(&admin),
        Some(
            json!({ "password": "root's long password", "description": "x",
                     "api_set": "extended_access" }),
        ),
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert_eq!(refused.json()["error"]["code"], "policy_violation");
    let listed = json_request(
        app,
        "POST",
        "/api/v1/tokens",
        Auth::Session(&admin),
        Some(
            json!({ "password": "root's long password", "description": "x",
                     "api_set": "extended_access", "allowed_ips": ["192.0.2.1"] }),
        ),
    )
    .await;
    assert_eq!(listed.status, 201, "{}", listed.text());
    let unknown_set = json_request(
        app,
        "PUT",
        "/api/v1/admin/policy",
        Auth::Session(&admin),
        Some(json!({ "password": "root's long password",
                     "allowed_ips_required_for": ["no_such_set"] })),
    )
    .await;
    assert_eq!(unknown_set.status, 422, "{}", unknown_set.text());
}

async fn an_admin_suspends_and_resumes_someone_elses_token(app: &TestApp) {
    alice_signed_in(app).await;
    app.create_user("root", "root's long password", Role::Admin)
        .await;
    let admin = app.sign_in("root", "root's long password").await;
    let (token, id) = app.token_for("alice", spec("extended_access")).await;
    let change = |action: &str| {
        let uri = format!("/api/v1/admin/users/alice/tokens/{id}/{action}");
        let admin = admin.clone();
        async move {
            json_request(
                app,
                "POST",
                &uri,
                Auth::Session(&admin),
                Some(json!({ "password": "root's long password" })),
            )
            .await
        }
    };
    let suspended = change("suspend").await;
    assert_eq!(
        suspended.json()["token"]["status"],
        "suspended",
        "{}",
        suspended.text()
    );
    assert_eq!(code(&info_call(app, &token, None).await), "token_suspended");
    let resumed = change("resume").await;
    assert_eq!(
        resumed.json()["token"]["status"],
        "active",
        "{}",
        resumed.text()
    );
    assert_eq!(info_call(app, &token, None).await.status, 200);
    let (actor, subject): (Option<String>, Option<String>) = sqlx::query_as(
        "select actor_login, subject_login from audit_events where action = 'token_suspended'",
    )
    .fetch_one(app.database.pool())
    .await
    .unwrap();
    assert_eq!(
        (actor.as_deref(), subject.as_deref()),
        (Some("root"), Some("alice"))
    );
}
