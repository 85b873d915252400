//! What a token did: counts per day, method, environment and outcome, and the addresses it
//! came from, answered from memory before they are written and from the database after; and
//! the narrowing edit that takes away what it did not use.

use app::{
    account::Role,
    token::{ApiInput, SUCCESS, TokenUsage},
};
use axum::{body::Body, http::Request};
use serde_json::json;

use crate::{
    on_both_engines,
    platform::reset_fixture,
    support::{Auth, TestApp, TestResponse, json_request, spec},
};

const PASSWORD: &str = "alice's long password";
const GET_ENVS: &str = "environment.control.GetEnvs";
const GET_ENV_INFO: &str = "environment.control.GetEnvInfo";
const STOP_ENV: &str = "environment.control.StopEnv";

on_both_engines!(
    calls_are_counted_by_day_method_environment_and_outcome,
    narrowing_to_what_was_used_refuses_the_rest,
    a_report_is_for_the_owner_or_an_admin_and_checks_its_days,
);

async fn platform_call(app: &TestApp, token: &str, route_and_query: &str) -> TestResponse {
    app.request(
        Request::get(route_and_query)
            .header("x-auth-token", token)
            .header("user-agent", "deploy-script/2.1")
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// alice with a token for three methods on two environments, which she used as the report
/// expects: `GetEnvs` 3 times, `GetEnvInfo` once on `my-project` and once on an environment
/// her scopes do not name, `StopEnv` once on `staging`, which they name read-only.
async fn used_token(app: &TestApp) -> (String, i64) {
    app.create_user("alice", PASSWORD, Role::User).await;
    reset_fixture(app, app.user_id("alice").await).await;
    let mut input = spec(&[GET_ENVS, GET_ENV_INFO, STOP_ENV].join(","));
    input.scopes = Some(vec![
        "env:my-project:rw".to_owned(),
        "env:staging:r".to_owned(),
    ]);
    let (token, id) = app.token_for("alice", input).await;
    for _ in 0..3 {
        let listed = platform_call(app, &token, "/1.0/environment/control/rest/getenvs").await;
        assert_eq!(listed.json()["result"], 0, "{}", listed.text());
    }
    let info = "/1.0/environment/control/rest/getenvinfo?envName=";
    assert_eq!(
        platform_call(app, &token, &format!("{info}my-project"))
            .await
            .json()["result"],
        0
    );
    let elsewhere = platform_call(app, &token, &format!("{info}production")).await;
    assert_eq!(
        elsewhere.json()["code"],
        "out_of_scope",
        "{}",
        elsewhere.text()
    );
    let stop = "/1.0/environment/control/rest/stopenv?envName=staging";
    let read_only = platform_call(app, &token, stop).await;
    assert_eq!(
        read_only.json()["code"],
        "out_of_scope",
        "{}",
        read_only.text()
    );
    (token, id)
}

async fn report(app: &TestApp, uri: &str, auth: Auth<'_>) -> TokenUsage {
    let answer = json_request(app, "GET", uri, auth, None).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    serde_json::from_value(answer.json()).unwrap()
}

fn assert_counts(usage: &TokenUsage) {
    assert_eq!(usage.days.len(), 30);
    assert_eq!(usage.days.last().unwrap().outcomes[SUCCESS], 4);
    assert_eq!(usage.total_of(SUCCESS), 4);
    assert_eq!(usage.total_of("out_of_scope"), 2);
    assert_eq!(usage.total(), 6);
    assert_eq!(usage.outcomes, [SUCCESS, "out_of_scope"]);
    let methods: Vec<(&str, u64, u64)> = usage
        .methods
        .iter()
        .map(|m| (m.name.as_str(), m.succeeded, m.refused))
        .collect();
    assert_eq!(
        methods,
        [(GET_ENVS, 3, 0), (GET_ENV_INFO, 1, 1), (STOP_ENV, 0, 1)]
    );
    let environments: Vec<(&str, u64, u64)> = usage
        .environments
        .iter()
        .map(|e| (e.name.as_str(), e.succeeded, e.refused))
        .collect();
    // Only environments the scopes name are counted by name: a caller cannot grow the counts
    // with names it makes up.
    assert_eq!(environments, [("my-project", 1, 0), ("staging", 0, 1)]);
    assert_eq!(usage.unused_methods, [STOP_ENV]);
    assert_eq!(usage.unused_environments, ["staging"]);
    assert_eq!(usage.sources.len(), 1);
    assert_eq!(
        usage.sources[0].user_agent.as_deref(),
        Some("deploy-script/2.1")
    );
    assert_eq!(usage.sources[0].calls, 6);
}

async fn calls_are_counted_by_day_method_environment_and_outcome(app: &TestApp) {
    let (token, id) = used_token(app).await;
    let session = app.sign_in("alice", PASSWORD).await;
    let uri = format!("/api/v1/tokens/{id}/usage");
    // Before the counts are written, from memory...
    assert_counts(&report(app, &uri, Auth::Session(&session)).await);
    app.services.tokens.flush_usage().await.unwrap();
    // ...and after, from the database, counted once.
    assert_counts(&report(app, &uri, Auth::Session(&session)).await);
    // A call the token may not make (reading its own report) is one more, refused, from
    // another user agent.
    let refused = json_request(app, "GET", &uri, Auth::Token(&token), None).await;
    assert_eq!(refused.status, 403, "{}", refused.text());
    app.services.tokens.flush_usage().await.unwrap();
    let after = report(app, &uri, Auth::Session(&session)).await;
    assert_eq!(after.total_of(SUCCESS), 4);
    assert_eq!(after.total_of("method_not_allowed"), 1);
    assert_eq!(after.sources.len(), 2, "{:?}", after.sources);
    assert_eq!(after.sources[0].calls + after.sources[1].calls, 7);
}

async fn narrowing_to_what_was_used_refuses_the_rest(app: &TestApp) {
    let (token, id) = used_token(app).await;
    let session = app.sign_in("alice", PASSWORD).await;
    let usage = report(
        app,
        &format!("/api/v1/tokens/{id}/usage"),
        Auth::Session(&session),
    )
    .await;
    let current = json_request(
        app,
        "GET",
        &format!("/api/v1/tokens/{id}"),
        Auth::Session(&session),
        None,
    )
    .await;
    let current = serde_json::from_value(current.json()["token"].clone()).unwrap();
    let narrowed = usage
        .narrowing(&current)
        .expect("something to take away")
        .input;
    let Some(ApiInput::Methods(methods)) = narrowed.api else {
        panic!("narrowing names methods: {narrowed:?}");
    };
    assert_eq!(methods, [GET_ENVS, GET_ENV_INFO]);
    let edited = json_request(
        app,
        "PATCH",
        &format!("/api/v1/tokens/{id}"),
        Auth::Session(&session),
        Some(json!({ "password": PASSWORD, "methods": methods, "scopes": narrowed.scopes })),
    )
    .await;
    assert_eq!(edited.status, 200, "{}", edited.text());
    assert_eq!(
        edited.json()["token"]["scopes"],
        json!(["env:my-project:rw"])
    );

    let stop = "/1.0/environment/control/rest/stopenv?envName=my-project";
    assert_eq!(
        platform_call(app, &token, stop).await.json()["code"],
        "method_not_allowed"
    );
    let staging = "/1.0/environment/control/rest/getenvinfo?envName=staging";
    assert_eq!(
        platform_call(app, &token, staging).await.json()["code"],
        "out_of_scope"
    );
    let listed = platform_call(app, &token, "/1.0/environment/control/rest/getenvs").await;
    assert_eq!(listed.json()["result"], 0);
    let again = report(
        app,
        &format!("/api/v1/tokens/{id}/usage"),
        Auth::Session(&session),
    )
    .await;
    assert!(
        again.unused_methods.is_empty(),
        "{:?}",
        again.unused_methods
    );
    assert_eq!(
        again.narrowing(&serde_json::from_value(edited.json()["token"].clone()).unwrap()),
        None
    );
}

async fn a_report_is_for_the_owner_or_an_admin_and_checks_its_days(app: &TestApp) {
    let (_, id) = used_token(app).await;
    app.create_user("bob", PASSWORD, Role::User).await;
    app.create_user("root", PASSWORD, Role::Admin).await;
    let bob = app.sign_in("bob", PASSWORD).await;
    let others = json_request(
        app,
        "GET",
        &format!("/api/v1/tokens/{id}/usage"),
        Auth::Session(&bob),
        None,
    )
    .await;
    assert_eq!(others.status, 404, "{}", others.text());
    let as_bob_admin = json_request(
        app,
        "GET",
        &format!("/api/v1/admin/users/alice/tokens/{id}/usage"),
        Auth::Session(&bob),
        None,
    )
    .await;
    assert_eq!(as_bob_admin.status, 403);

    let root = app.sign_in("root", PASSWORD).await;
    let by_admin = report(
        app,
        &format!("/api/v1/admin/users/alice/tokens/{id}/usage?days=7"),
        Auth::Session(&root),
    )
    .await;
    assert_eq!(by_admin.days.len(), 7);
    assert_eq!(by_admin.total(), 6);
    let not_hers = json_request(
        app,
        "GET",
        &format!("/api/v1/admin/users/root/tokens/{id}/usage"),
        Auth::Session(&root),
        None,
    )
    .await;
    assert_eq!(not_hers.status, 404);

    let alice = app.sign_in("alice", PASSWORD).await;
    for days in ["0", "91", "week", "-1"] {
        let wrong = json_request(
            app,
            "GET",
            &format!("/api/v1/tokens/{id}/usage?days={days}"),
            Auth::Session(&alice),
            None,
        )
        .await;
        assert_eq!(wrong.status, 400, "days={days}: {}", wrong.text());
        assert!(wrong.text().contains("1 to 90"), "{}", wrong.text());
    }
}
