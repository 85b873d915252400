//! Token lifecycle through the REST API (browser session or token), concurrency, expiry
//! models, buffered last use, audit, and what is stored.

use app::{
    account::Role,
    request::ClientInfo,
    token::{ExpiryInput, RotationGrace},
};
use axum::{body::Body, http::Request};
use serde_json::{Value, json};
use server::services::{accounts::Confirmed, tokens::TokenOwner};
use sqlx::Row as _;

use crate::{
    on_both_engines,
    platform::reset_fixture,
    support::{Auth, TestApp, TestResponse, json_request, spec},
};

const PASSWORD: &str = "alice's long password";

on_both_engines!(
    rest_lifecycle_with_a_browser_session,
    every_change_needs_the_password_and_a_wrong_one_changes_nothing,
    expiry_inputs_are_checked_with_precise_messages,
    a_token_manages_tokens_only_with_those_methods,
    a_token_introspects_rotates_and_revokes_itself,
    regenerating_twice_concurrently_leaves_one_working_value,
    removing_during_use_refuses_the_next_call,
    auto_refresh_slides_and_hard_limit_ends,
    last_use_is_buffered_then_written,
    only_digests_are_stored,
    changes_are_audited_with_actor_and_subject,
    the_catalog_and_openapi_are_served,
    answers_say_when_the_token_expires,
    remove_all_is_the_incident_button,
);

async fn stop_env(app: &TestApp, token: &str) -> TestResponse {
    app.get(&format!(
        "/1.0/environment/control/rest/stopenv?envName=my-project&session={token}"
    ))
    .await
}

async fn alice(app: &TestApp) -> (String, i64) {
    app.create_user("alice", PASSWORD, Role::User).await;
    let cookie = app.sign_in("alice", PASSWORD).await;
    let id = app.user_id("alice").await;
    reset_fixture(app, id).await;
    (cookie, id)
}

async fn rest_lifecycle_with_a_browser_session(app: &TestApp) {
    let (cookie, _) = alice(app).await;
    let auth = Auth::Session(&cookie);

    let created = json_request(
        app,
        "POST",
        "/api/v1/tokens",
        auth,
        Some(json!({
            "password": PASSWORD,
            "description": "Deploy from CI",
            "api_set": "maven_plugin",
            "expires_in": "30d",
            "scopes": ["env:my-project:rw"],
        })),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let created = created.json();
    let value = created["value"].as_str().unwrap().to_owned();
    let id = created["token"]["id"].as_i64().unwrap();
    assert_eq!(created["token"]["api_label"], "Maven Plugin");
    assert_eq!(created["token"]["hint"], value[value.len() - 4..]);
    assert_eq!(created["token"]["expiration"], "hard_limit");

    let list = json_request(app, "GET", "/api/v1/tokens", auth, None)
        .await
        .json();
    assert_eq!(list["tokens"].as_array().unwrap().len(), 1);
    assert!(
        !list.to_string().contains(&value),
        "a list never shows values"
    );

    let restart = app
        .get(&format!(
            "/1.0/environment/control/rest/restartenv?envName=my-project&session={value}"
        ))
        .await;
    assert_eq!(restart.json()["result"], 0);
    assert_eq!(
        stop_env(app, &value).await.json()["code"],
        "method_not_allowed"
    );

    let edited = json_request(
        app,
        "PATCH",
        &format!("/api/v1/tokens/{id}"),
        auth,
        Some(json!({
            "password": PASSWORD,
            "description": "Stop things",
            "methods": ["environment.control.StopEnv"],
        })),
    )
    .await;
    assert_eq!(edited.status, 200, "{}", edited.text());
    assert_eq!(edited.json()["token"]["api_label"], "Custom (1 method)");
    assert_eq!(
        edited.json()["token"]["scopes"],
        json!(["env:my-project:rw"])
    );
    assert_eq!(stop_env(app, &value).await.json()["result"], 0);

    let regenerated = json_request(
        app,
        "POST",
        &format!("/api/v1/tokens/{id}/regenerate"),
        auth,
        Some(json!({ "password": PASSWORD })),
    )
    .await;
    assert_eq!(regenerated.status, 200, "{}", regenerated.text());
    let new_value = regenerated.json()["value"].as_str().unwrap().to_owned();
    assert_eq!(
        stop_env(app, &value).await.json()["code"],
        "token_regenerated"
    );
    assert_eq!(stop_env(app, &new_value).await.json()["result"], 0);
    assert_eq!(regenerated.json()["token"]["description"], "Stop things");

    let copied = json_request(
        app,
        "POST",
        &format!("/api/v1/tokens/{id}/copy"),
        auth,
        Some(json!({ "password": PASSWORD, "description": "A copy" })),
    )
    .await;
    assert_eq!(copied.status, 201, "{}", copied.text());
    let copy = copied.json();
    let copy_id = copy["token"]["id"].as_i64().unwrap();
    assert_ne!(copy_id, id);
    assert_eq!(copy["token"]["api_label"], "Custom (1 method)");
    assert_eq!(copy["token"]["scopes"], json!(["env:my-project:rw"]));
    let copy_value = copy["value"].as_str().unwrap().to_owned();
    assert_eq!(stop_env(app, &copy_value).await.json()["result"], 0);

    let removed = json_request(
        app,
        "POST",
        "/api/v1/tokens/remove",
        auth,
        Some(json!({ "password": PASSWORD, "ids": [id, copy_id] })),
    )
    .await;
    assert_eq!(removed.json()["removed"], 2, "{}", removed.text());
    assert_eq!(
        stop_env(app, &new_value).await.json()["code"],
        "token_removed"
    );
    assert_eq!(
        stop_env(app, &copy_value).await.json()["code"],
        "token_removed"
    );
    let list = json_request(app, "GET", "/api/v1/tokens", auth, None)
        .await
        .json();
    assert_eq!(list["tokens"], json!([]));
    let gone = json_request(app, "GET", &format!("/api/v1/tokens/{id}"), auth, None).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.json()["error"]["code"], "not_found");
}

async fn every_change_needs_the_password_and_a_wrong_one_changes_nothing(app: &TestApp) {
    let (cookie, _) = alice(app).await;
    let auth = Auth::Session(&cookie);
    let (value, id) = app.token_for("alice", spec("ide_plugins")).await;
    let body = |password: Option<&str>| {
        let mut body = json!({ "description": "x", "api_set": "marketplace" });
        if let Some(password) = password {
            body["password"] = json!(password);
        }
        body
    };
    let changes = [
        ("POST", "/api/v1/tokens".to_owned()),
        ("PATCH", format!("/api/v1/tokens/{id}")),
        ("POST", format!("/api/v1/tokens/{id}/copy")),
    ];
    let mut wrong_attempts = 0;
    for (method, uri) in &changes {
        let missing = json_request(app, method, uri, auth, Some(body(None))).await;
        assert_eq!(missing.status, 422, "{uri}");
        assert_eq!(missing.json()["error"]["code"], "password_required");
        let wrong = json_request(app, method, uri, auth, Some(body(Some("not it at all")))).await;
        wrong_attempts += 1;
        assert_eq!(wrong.status, 403, "{uri}: {}", wrong.text());
        assert_eq!(wrong.json()["error"]["code"], "wrong_password");
    }
    let password_only = [
        ("POST", format!("/api/v1/tokens/{id}/regenerate"), json!({})),
        ("DELETE", format!("/api/v1/tokens/{id}"), json!({})),
        (
            "POST",
            "/api/v1/tokens/remove".to_owned(),
            json!({ "ids": [id] }),
        ),
    ];
    for (method, uri, fields) in &password_only {
        let missing = json_request(app, method, uri, auth, Some(fields.clone())).await;
        assert_eq!(missing.status, 422, "{method} {uri}: {}", missing.text());
        assert_eq!(missing.json()["error"]["code"], "password_required");
        let mut wrong_body = fields.clone();
        wrong_body["password"] = json!("nope nope");
        let wrong = json_request(app, method, uri, auth, Some(wrong_body)).await;
        wrong_attempts += 1;
        if wrong_attempts <= 5 {
            assert_eq!(wrong.status, 403, "{method} {uri}: {}", wrong.text());
            assert_eq!(wrong.json()["error"]["code"], "wrong_password");
        } else {
            // Five free failures, then the account waits (the README's promise).
            assert_eq!(wrong.status, 429, "{method} {uri}: {}", wrong.text());
            assert_eq!(wrong.json()["error"]["code"], "throttled");
            let retry_after = wrong.headers["retry-after"].to_str().unwrap();
            assert!(["1", "2"].contains(&retry_after), "{retry_after}");
        }
    }

    let list = json_request(app, "GET", "/api/v1/tokens", auth, None)
        .await
        .json();
    let tokens = list["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 1, "nothing was created");
    assert_eq!(tokens[0]["api_label"], "IDE Plugins", "nothing was edited");
    let ok = app
        .get(&format!(
            "/1.0/environment/control/rest/getenvs?session={value}"
        ))
        .await;
    assert_eq!(ok.json()["result"], 0, "nothing was regenerated or removed");

    let unknown_field = json_request(
        app,
        "POST",
        "/api/v1/tokens",
        auth,
        Some(json!({ "password": PASSWORD, "description": "x", "api_set": "marketplace", "expires": "1d" })),
    )
    .await;
    assert_eq!(unknown_field.status, 400);
    assert!(unknown_field.text().contains("expires"));

    let signed_out = json_request(app, "GET", "/api/v1/tokens", Auth::None, None).await;
    assert_eq!(signed_out.status, 401);
}

async fn expiry_inputs_are_checked_with_precise_messages(app: &TestApp) {
    let (cookie, _) = alice(app).await;
    let create = |extra: Value| {
        let mut body =
            json!({ "password": PASSWORD, "description": "x", "api_set": "marketplace" });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json_request(
            app,
            "POST",
            "/api/v1/tokens",
            Auth::Session(&cookie),
            Some(body),
        )
    };
    let cases = [
        (
            json!({ "expires_at": "2027-02-31" }),
            "February 2027 has 28 days",
        ),
        (json!({ "expires_at": "2020-01-01" }), "is in the past"),
        (json!({ "expires_at": "31/12/2027" }), "is not a date"),
        (json!({ "expires_at": "9999-12-31" }), "too far ahead"),
        (json!({ "expires_in": "30x" }), "unknown unit"),
        (json!({ "expires_in": "0d" }), "longer than zero"),
        (json!({ "auto_refresh": "abc" }), "is not a duration"),
        (
            json!({ "expires_in": "1d", "auto_refresh": "1h" }),
            "Choose one of",
        ),
        (
            json!({ "methods": ["environment.control.Fly"], "api_set": null }),
            "environment.control.Fly",
        ),
        (json!({ "scopes": ["node:1:rw"] }), "is not a scope"),
        (json!({ "description": "  " }), "Enter a description"),
    ];
    for (extra, expected) in cases {
        let response = create(extra.clone()).await;
        assert_eq!(response.status, 422, "{extra}: {}", response.text());
        let message = response.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains(expected), "{extra}: {message}");
    }
    let list = json_request(app, "GET", "/api/v1/tokens", Auth::Session(&cookie), None).await;
    assert_eq!(list.json()["tokens"], json!([]));

    let in_five_years = create(json!({ "expires_at": "2030-12-31" })).await.json();
    let expires_at = in_five_years["token"]["expires_at"].as_i64().unwrap();
    assert_eq!(
        expires_at, 1_924_992_000,
        "valid through the end of the date, UTC"
    );
}

async fn a_token_manages_tokens_only_with_those_methods(app: &TestApp) {
    alice(app).await;
    let (lister, _) = app
        .token_for("alice", spec("users.authentication.GetTokens"))
        .await;
    let (creator, _) = app
        .token_for(
            "alice",
            spec("users.authentication.GetTokens,users.authentication.CreateToken"),
        )
        .await;
    let (plugin, _) = app.token_for("alice", spec("ide_plugins")).await;

    let listed = json_request(app, "GET", "/api/v1/tokens", Auth::Token(&lister), None).await;
    assert_eq!(listed.json()["tokens"].as_array().unwrap().len(), 3);
    let refused = json_request(app, "GET", "/api/v1/tokens", Auth::Token(&plugin), None).await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.json()["error"]["code"], "method_not_allowed");

    let body =
        json!({ "password": PASSWORD, "description": "made by a token", "api_set": "marketplace" });
    let denied = json_request(
        app,
        "POST",
        "/api/v1/tokens",
        Auth::Token(&lister),
        Some(body.clone()),
    )
    .await;
    assert_eq!(denied.json()["error"]["code"], "method_not_allowed");
    let made = json_request(
        app,
        "POST",
        "/api/v1/tokens",
        Auth::Token(&creator),
        Some(body),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.text());

    let via_platform = app
        .get(&format!(
            "/1.0/users/authentication/rest/createtoken?session={creator}&password=wrong%20password&description=x&apiSet=marketplace"
        ))
        .await;
    assert_eq!(via_platform.status, 403);
    assert_eq!(via_platform.json()["result"], 11);
}

async fn a_token_introspects_rotates_and_revokes_itself(app: &TestApp) {
    alice(app).await;
    let (value, id) = app.token_for("alice", spec("marketplace")).await;

    let me = json_request(app, "GET", "/api/v1/tokens/self", Auth::Token(&value), None).await;
    assert_eq!(me.status, 200, "{}", me.text());
    assert_eq!(me.json()["token"]["id"], id);

    let rotated = json_request(
        app,
        "POST",
        "/api/v1/tokens/self/rotate",
        Auth::Token(&value),
        None,
    )
    .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text());
    let new_value = rotated.json()["value"].as_str().unwrap().to_owned();
    let old = json_request(app, "GET", "/api/v1/tokens/self", Auth::Token(&value), None).await;
    assert_eq!(old.json()["error"]["code"], "token_regenerated");

    let revoked = json_request(
        app,
        "DELETE",
        "/api/v1/tokens/self",
        Auth::Token(&new_value),
        None,
    )
    .await;
    assert_eq!(revoked.status, 204);
    let after = json_request(
        app,
        "GET",
        "/api/v1/tokens/self",
        Auth::Token(&new_value),
        None,
    )
    .await;
    assert_eq!(after.status, 401);
    assert_eq!(after.json()["error"]["code"], "token_removed");
}

async fn regenerating_twice_concurrently_leaves_one_working_value(app: &TestApp) {
    let (_, alice_id) = alice(app).await;
    let (old, id) = app.token_for("alice", spec("extended_access")).await;
    let regenerate = || {
        let tokens = app.services.tokens.clone();
        tokio::spawn(async move {
            let owner = TokenOwner::by_operator(alice_id, "alice".into());
            let (confirmed, client) = (Confirmed::by_operator(), ClientInfo::default());
            tokens
                .regenerate(&owner, id, RotationGrace::NONE, &confirmed, &client)
                .await
        })
    };
    // Two tasks on two worker threads: the regenerations race for real.
    let (a, b) = tokio::join!(regenerate(), regenerate());
    let values = [
        old,
        a.unwrap().unwrap().secret.expose().to_owned(),
        b.unwrap().unwrap().secret.expose().to_owned(),
    ];
    let mut codes = Vec::new();
    for value in &values {
        reset_fixture(app, alice_id).await;
        let answer = stop_env(app, value).await.json();
        codes.push(if answer["result"] == 0 {
            "works".to_owned()
        } else {
            answer["code"].as_str().unwrap_or_default().to_owned()
        });
    }
    codes.sort();
    assert_eq!(
        codes,
        ["token_regenerated", "token_regenerated", "works"],
        "exactly one value works; both others are refused as regenerated"
    );
}

async fn removing_during_use_refuses_the_next_call(app: &TestApp) {
    let (cookie, _) = alice(app).await;
    let (value, id) = app.token_for("alice", spec("extended_access")).await;
    let list = format!("/1.0/environment/control/rest/getenvs?session={value}");
    assert_eq!(app.get(&list).await.json()["result"], 0);
    let in_flight = app.get(&list);
    let uri = format!("/api/v1/tokens/{id}");
    let removal = json_request(
        app,
        "DELETE",
        &uri,
        Auth::Session(&cookie),
        Some(json!({ "password": PASSWORD })),
    );
    let (during, removed) = tokio::join!(in_flight, removal);
    assert_eq!(removed.json()["removed"], 1, "{}", removed.text());
    // The call that raced the removal was either served before it or refused after it.
    let during = during.json();
    assert!(
        during["result"] == 0 || during["code"] == "token_removed",
        "{during}"
    );
    assert_eq!(app.get(&list).await.json()["code"], "token_removed");
}

async fn auto_refresh_slides_and_hard_limit_ends(app: &TestApp) {
    let (_, alice_id) = alice(app).await;
    let mut sliding = spec("extended_access");
    sliding.expiry = Some(ExpiryInput::auto_refresh("3600"));
    let (value, id) = app.token_for("alice", sliding).await;
    // As if made two hours ago and last used 59 minutes ago: one minute left.
    let now = server::clock::now();
    app.exec(&format!(
        "update access_tokens set created_at = {}, last_used_at = {}, expires_at = {} \
         where token_id = {id}",
        now - 7200,
        now - 3540,
        now + 60
    ))
    .await;
    assert_eq!(stop_env(app, &value).await.json()["result"], 0);
    app.services.tokens.flush_usage().await.unwrap();
    let expires_at: i64 = sqlx::query_scalar(&format!(
        "select expires_at from access_tokens where token_id = {id}"
    ))
    .fetch_one(app.database.pool())
    .await
    .unwrap();
    assert!(
        expires_at >= now + 3600,
        "use pushed expiry to now + window"
    );

    app.exec(&format!(
        "update access_tokens set expires_at = {} where token_id = {id}",
        now - 1
    ))
    .await;
    app.services.tokens.flush_usage().await.unwrap();
    reset_fixture(app, alice_id).await;
    assert_eq!(stop_env(app, &value).await.json()["code"], "token_expired");

    let mut short = spec("extended_access");
    short.expiry = Some(ExpiryInput::Lasting("3s".to_owned()));
    let (value, _) = app.token_for("alice", short).await;
    assert_eq!(stop_env(app, &value).await.json()["result"], 0);
    // Made within second t, it stops at t + 3: more than 2 s of use, then refused. Polled, not
    // slept, so a busy machine cannot make it flaky; one that never expires fails after 6 s.
    let made = std::time::Instant::now();
    loop {
        let answer = stop_env(app, &value).await.json();
        if answer["code"] == "token_expired" {
            break;
        }
        assert_eq!(answer["result"], 0, "{answer}");
        assert!(
            made.elapsed().as_secs() < 6,
            "a 3 s token still works after 6 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        made.elapsed().as_millis() >= 1500,
        "expired early: {:?}",
        made.elapsed()
    );
    let (cookie, _) = (app.sign_in("alice", PASSWORD).await, ());
    let list = json_request(app, "GET", "/api/v1/tokens", Auth::Session(&cookie), None)
        .await
        .json();
    let statuses: Vec<&str> = list["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["expired", "expired"],
        "expired tokens stay listed"
    );
}

async fn last_use_is_buffered_then_written(app: &TestApp) {
    let (cookie, _) = alice(app).await;
    let (value, id) = app.token_for("alice", spec("extended_access")).await;
    let request = Request::get(format!(
        "/1.0/environment/control/rest/getenvs?session={value}"
    ))
    .header("user-agent", "deploy-bot/1.0")
    .body(Body::empty())
    .unwrap();
    assert_eq!(app.request(request).await.json()["result"], 0);

    let stored: Option<i64> = sqlx::query_scalar(&format!(
        "select last_used_at from access_tokens where token_id = {id}"
    ))
    .fetch_one(app.database.pool())
    .await
    .unwrap();
    assert_eq!(stored, None, "no write on the request's path");
    let listed = json_request(
        app,
        "GET",
        &format!("/api/v1/tokens/{id}"),
        Auth::Session(&cookie),
        None,
    )
    .await
    .json();
    assert_eq!(listed["token"]["last_used"]["user_agent"], "deploy-bot/1.0");

    app.services.tokens.flush_usage().await.unwrap();
    let (at, agent): (Option<i64>, Option<String>) = sqlx::query_as(&format!(
        "select last_used_at, last_used_user_agent from access_tokens where token_id = {id}"
    ))
    .fetch_one(app.database.pool())
    .await
    .unwrap();
    assert!(at.is_some());
    assert_eq!(agent.as_deref(), Some("deploy-bot/1.0"));
}

async fn only_digests_are_stored(app: &TestApp) {
    let (cookie, _) = alice(app).await;
    let created = json_request(
        app,
        "POST",
        "/api/v1/tokens",
        Auth::Session(&cookie),
        Some(json!({ "password": PASSWORD, "description": "x", "api_set": "marketplace" })),
    )
    .await
    .json();
    let value = created["value"].as_str().unwrap().to_owned();
    let regenerated = json_request(
        app,
        "POST",
        &format!("/api/v1/tokens/{}/regenerate", created["token"]["id"]),
        Auth::Session(&cookie),
        Some(json!({ "password": PASSWORD })),
    )
    .await
    .json();
    let new_value = regenerated["value"].as_str().unwrap().to_owned();
    app.get(&format!(
        "/1.0/marketplace/app/rest/getlist?session={new_value}"
    ))
    .await;
    app.services.tokens.flush_usage().await.unwrap();

    let secret_part = |v: &str| v[4..34].to_owned();
    let mut cells = 0;
    for table in ["access_tokens", "retired_token_digests", "audit_events"] {
        let rows = sqlx::query(&format!("select * from {table}"))
            .fetch_all(app.database.pool())
            .await
            .unwrap();
        for row in &rows {
            for index in 0..row.len() {
                let text = row
                    .try_get::<Option<String>, _>(index)
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                assert!(
                    !text.contains(&secret_part(&value))
                        && !text.contains(&secret_part(&new_value)),
                    "{table} holds a token value"
                );
                cells += 1;
            }
        }
    }
    assert!(cells > 30, "the scan saw the rows ({cells} cells)");
    let digests: Vec<String> = sqlx::query_scalar("select token_digest from access_tokens")
        .fetch_all(app.database.pool())
        .await
        .unwrap();
    assert_eq!(digests, vec![server::auth::secret::digest(&new_value)]);
}

async fn changes_are_audited_with_actor_and_subject(app: &TestApp) {
    let (cookie, _) = alice(app).await;
    let auth = Auth::Session(&cookie);
    let created = json_request(
        app,
        "POST",
        "/api/v1/tokens",
        auth,
        Some(json!({ "password": PASSWORD, "description": "x", "api_set": "marketplace" })),
    )
    .await
    .json();
    let id = created["token"]["id"].as_i64().unwrap();
    for (method, uri) in [
        ("PATCH", format!("/api/v1/tokens/{id}")),
        ("POST", format!("/api/v1/tokens/{id}/regenerate")),
        ("POST", format!("/api/v1/tokens/{id}/copy")),
        ("DELETE", format!("/api/v1/tokens/{id}")),
    ] {
        let response = json_request(
            app,
            method,
            &uri,
            auth,
            Some(json!({ "password": PASSWORD })),
        )
        .await;
        assert!(response.status.is_success(), "{uri}: {}", response.text());
    }
    let events: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "select action, actor_login, subject_login from audit_events \
         where action like 'token_%' order by audit_event_id",
    )
    .fetch_all(app.database.pool())
    .await
    .unwrap();
    let actions: Vec<&str> = events.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "token_created",
            "token_edited",
            "token_regenerated",
            "token_copied",
            "token_removed"
        ]
    );
    assert!(events.iter().all(|(_, actor, subject)| {
        actor.as_deref() == Some("alice") && subject.as_deref() == Some("alice")
    }));
}

async fn the_catalog_and_openapi_are_served(app: &TestApp) {
    let catalog = app.get("/api/v1/catalog").await.json();
    let methods = catalog["methods"].as_array().unwrap();
    assert!(methods.len() >= 20);
    let openapi = app.get("/api/v1/openapi.json").await;
    assert_eq!(openapi.status, 200);
    let openapi = openapi.json();
    assert_eq!(openapi["openapi"], "3.1.0");
    for method in methods {
        let route = method["route"].as_str().unwrap();
        assert!(openapi["paths"][route]["get"].is_object(), "{route}");
    }
    // Every documented REST operation is routed: asked without credentials it answers the
    // document or asks for them, never "no such route" or "method not allowed".
    for (path, operations) in openapi["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        // Each template's parameters are declared (validators and generators insist).
        for name in ["id", "login"] {
            if path.contains(&format!("{{{name}}}")) {
                let declared = operations["parameters"].as_array().is_some_and(|all| {
                    all.iter()
                        .any(|p| p["name"] == name && p["in"] == "path" && p["required"] == true)
                });
                assert!(declared, "{path} declares {name}");
            }
        }
        let uri = path.replace("{id}", "1").replace("{login}", "alice");
        for method in operations.as_object().unwrap().keys() {
            if method == "parameters" {
                continue;
            }
            let method = method.to_uppercase();
            let response = json_request(app, &method, &uri, Auth::None, Some(json!({}))).await;
            let public = matches!(
                path.as_str(),
                "/api/v1/catalog" | "/api/v1/openapi.json" | "/api/v1/marketplace/apps"
            );
            // A scanner's report needs no sign-in: an object instead of a list is refused.
            let expected = match path.as_str() {
                "/api/v1/leaks" => 400,
                _ if public => 200,
                _ => 401,
            };
            assert_eq!(
                response.status,
                expected,
                "{method} {path} is documented and served: {}",
                response.text()
            );
        }
    }
    let results = openapi["x-platform-results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["code"] == "token_regenerated"));
    let docs = app.get("/docs/api").await;
    assert_eq!(docs.status, 200);
    for method in methods {
        let anchor = method["docs"].as_str().unwrap().split_once('#').unwrap().1;
        assert!(
            docs.text().contains(&format!("id=\"{anchor}\"")),
            "{anchor}"
        );
    }
    assert!(
        docs.text().contains("&lt;h1&gt;Hello&lt;/h1&gt;"),
        "examples are escaped"
    );
    let public = app.get("/api/v1/marketplace/apps").await.json();
    assert_eq!(public["result"], 0);
    assert!(public["apps"].as_array().unwrap().len() >= 3);
}

async fn answers_say_when_the_token_expires(app: &TestApp) {
    let (cookie, _) = alice(app).await;
    let lasting = |expiry: ExpiryInput| app::token::TokenInput {
        expiry: Some(expiry),
        ..spec("extended_access")
    };
    let (soon, soon_id) = app
        .token_for("alice", lasting(ExpiryInput::Lasting("3d".into())))
        .await;
    let (never, _) = app.token_for("alice", lasting(ExpiryInput::Never)).await;
    let (sliding, _) = app
        .token_for("alice", lasting(ExpiryInput::auto_refresh("12h")))
        .await;
    let (far, _) = app
        .token_for("alice", lasting(ExpiryInput::Lasting("30d".into())))
        .await;
    let info = async |token: &str| {
        app.get(&format!(
            "/1.0/users/account/rest/getuserinfo?session={token}"
        ))
        .await
    };

    let answer = info(&soon).await;
    let expires_at: i64 = sqlx::query_scalar(&format!(
        "select expires_at from access_tokens where token_id = {soon_id}"
    ))
    .fetch_one(app.database.pool())
    .await
    .unwrap();
    assert_eq!(
        answer.header("tessera-token-expires"),
        Some(app::calendar::format_rfc3339(expires_at).as_str())
    );
    let warning = answer.header("tessera-token-warning").unwrap();
    assert!(warning.contains("expires in 3 days"), "{warning}");
    // REST answers too, the token introspecting itself included.
    let own = json_request(app, "GET", "/api/v1/tokens/self", Auth::Token(&soon), None).await;
    assert_eq!(
        own.header("tessera-token-expires"),
        answer.header("tessera-token-expires")
    );
    assert!(own.header("tessera-token-warning").is_some());

    let never = info(&never).await;
    assert_eq!(never.header("tessera-token-expires"), None);
    let far = info(&far).await;
    assert!(far.header("tessera-token-expires").is_some());
    assert_eq!(
        far.header("tessera-token-warning"),
        None,
        "30 days out: no warning"
    );
    let sliding = info(&sliding).await;
    assert!(sliding.header("tessera-token-expires").is_some());
    assert_eq!(
        sliding.header("tessera-token-warning"),
        None,
        "auto refresh moves on"
    );
    // A session's answers and a refusal carry neither.
    let by_session = json_request(app, "GET", "/api/v1/tokens", Auth::Session(&cookie), None).await;
    assert_eq!(by_session.header("tessera-token-expires"), None);
    let (expired, expired_id) = app
        .token_for("alice", lasting(ExpiryInput::Lasting("3d".into())))
        .await;
    app.exec(&format!(
        "update access_tokens set expires_at = 1000 where token_id = {expired_id}"
    ))
    .await;
    let refused = info(&expired).await;
    assert_eq!(refused.json()["code"], "token_expired");
    assert_eq!(refused.header("tessera-token-expires"), None);
}

async fn remove_all_is_the_incident_button(app: &TestApp) {
    let (cookie, _) = alice(app).await;
    let auth = Auth::Session(&cookie);
    let mut values = Vec::new();
    for _ in 0..3 {
        values.push(app.token_for("alice", spec("extended_access")).await.0);
    }
    app.create_user("bob", "bob's long password", Role::User)
        .await;
    let (bobs, _) = app.token_for("bob", spec("extended_access")).await;
    let remove = |body: Value| json_request(app, "POST", "/api/v1/tokens/remove", auth, Some(body));

    let both = remove(json!({ "password": PASSWORD, "all": true, "ids": [1] })).await;
    assert_eq!(both.status, 400, "{}", both.text());
    let without = remove(json!({ "all": true })).await;
    assert_eq!(without.status, 422, "{}", without.text());

    let removed = remove(json!({ "password": PASSWORD, "all": true })).await;
    assert_eq!(removed.json()["removed"], 3, "{}", removed.text());
    for value in &values {
        assert_eq!(stop_env(app, value).await.json()["code"], "token_removed");
    }
    assert_eq!(
        stop_env(app, &bobs).await.json()["code"],
        "not_found",
        "bob's token still works"
    );
    let again = remove(json!({ "password": PASSWORD, "all": true })).await;
    assert_eq!(again.json()["removed"], 0, "nothing left is no error");

    // An admin does the same for a person.
    app.create_user("root", "root's long password", Role::Admin)
        .await;
    let admin = app.sign_in("root", "root's long password").await;
    let by_admin = json_request(
        app,
        "POST",
        "/api/v1/admin/users/bob/tokens/remove",
        Auth::Session(&admin),
        Some(json!({ "password": "root's long password", "all": true })),
    )
    .await;
    assert_eq!(by_admin.json()["removed"], 1, "{}", by_admin.text());
    assert_eq!(stop_env(app, &bobs).await.json()["code"], "token_removed");
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_events where action = 'token_removed' \
         and detail like '%all of the owner%'",
    )
    .fetch_one(app.database.pool())
    .await
    .unwrap();
    assert_eq!(audited, 4);
}
