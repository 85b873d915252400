//! Admins: every admin page, server function and API route refuses non-admins; admins manage
//! people and their tokens; the token policy binds the dashboard, the REST API and the admin
//! paths alike.

use app::account::Role;
use axum::{body::Body, http::Request};
use serde_json::{Value, json};

use crate::{
    on_both_engines,
    support::{Auth, TestApp, TestResponse, json_request},
};

const ADMIN_PASSWORD: &str = "the admin's long password";
const USER_PASSWORD: &str = "alice's long password";

on_both_engines!(
    non_admins_get_403_from_every_admin_page_function_and_route,
    admins_list_search_and_page_through_people,
    an_admin_makes_and_removes_a_users_tokens_with_their_own_password,
    the_policy_binds_the_dashboard_the_rest_api_and_the_admin,
    the_report_lists_existing_tokens_the_policy_would_not_allow,
    disabling_a_user_stops_their_tokens_at_once,
);

struct Signed {
    admin: String,
    alice: String,
}

async fn setup(app: &TestApp) -> Signed {
    app.create_user("root", ADMIN_PASSWORD, Role::Admin).await;
    app.create_user("alice", USER_PASSWORD, Role::User).await;
    Signed {
        admin: app.sign_in("root", ADMIN_PASSWORD).await,
        alice: app.sign_in("alice", USER_PASSWORD).await,
    }
}

/// Calls a server function with a JSON body, as the hydrated page does.
async fn server_fn(app: &TestApp, path: &str, cookie: &str, body: Value) -> TestResponse {
    let request = Request::post(path)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .header("sec-fetch-site", "same-origin")
        .header("cookie", format!("tessera_session={cookie}"))
        .body(Body::from(body.to_string()))
        .unwrap();
    app.request(request).await
}

fn admin_server_fns() -> Vec<&'static str> {
    let mut paths: Vec<_> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .filter(|path| path.starts_with("/_fn/admin_"))
        .collect();
    paths.sort_unstable();
    paths
}

async fn non_admins_get_403_from_every_admin_page_function_and_route(app: &TestApp) {
    let signed = setup(app).await;

    for page in [
        "/admin",
        "/admin/people",
        "/admin/people?q=a&page=2",
        "/admin/people/root",
        "/admin/policies",
        "/admin/audit",
        "/admin/audit?actor=root&page=2",
    ] {
        let response = app.get_with_session(page, &signed.alice).await;
        assert_eq!(response.status, 403, "{page}");
        assert!(response.text().contains("Admins only"), "{page}");
        assert!(
            !response.text().contains("root display"),
            "{page} leaks people"
        );
        let response = app.get_with_session(page, &signed.admin).await;
        assert_eq!(response.status, 200, "{page} for the admin");
        assert!(
            !response.text().contains("Admins only"),
            "{page} for the admin"
        );
    }

    // Each admin server function with a well-formed body: a function added without one here
    // fails this test, so none escapes the walk.
    let bodies = [
        (
            "/_fn/admin_audit",
            json!({ "filters": { "actor": "root" }, "page": 1 }),
        ),
        (
            "/_fn/admin_create_person",
            json!({ "password": USER_PASSWORD, "form": {
            "login": "mallory", "display_name": "", "email": "",
            "password": "a long enough password", "role": "admin" } }),
        ),
        (
            "/_fn/admin_create_token",
            json!({ "login": "root", "password": USER_PASSWORD,
            "input": { "description": "x", "expiry": { "kind": "lasting", "value": "1d" },
                      "api": { "kind": "set", "value": "marketplace" } } }),
        ),
        (
            "/_fn/admin_extend_token_of",
            json!({ "login": "root", "id": 1, "password": USER_PASSWORD,
            "expiry": { "kind": "date", "value": "2030-01-01" } }),
        ),
        (
            "/_fn/admin_people",
            json!({ "query": { "search": "", "page": 1 } }),
        ),
        ("/_fn/admin_person", json!({ "login": "root", "page": 1 })),
        ("/_fn/admin_policy", json!({})),
        ("/_fn/admin_policy_report", json!({})),
        (
            "/_fn/admin_regenerate_token_of",
            json!({ "login": "root", "id": 1, "grace": "1h", "password": USER_PASSWORD }),
        ),
        (
            "/_fn/admin_remove_all_tokens",
            json!({ "login": "root", "password": USER_PASSWORD }),
        ),
        (
            "/_fn/admin_remove_tokens",
            json!({ "login": "root", "ids": [1], "password": USER_PASSWORD }),
        ),
        (
            "/_fn/admin_set_person_disabled",
            json!({ "login": "root", "disabled": true,
            "password": USER_PASSWORD }),
        ),
        (
            "/_fn/admin_set_policy",
            json!({ "policy": { "custom_allowed": false },
            "password": USER_PASSWORD }),
        ),
        (
            "/_fn/admin_suspend_token",
            json!({ "login": "root", "id": 1, "suspend": true, "password": USER_PASSWORD }),
        ),
        (
            "/_fn/admin_token_usage",
            json!({ "login": "root", "id": 1, "days": 30 }),
        ),
    ];
    let listed: Vec<&str> = bodies.iter().map(|(path, _)| *path).collect();
    assert_eq!(
        admin_server_fns(),
        listed,
        "every admin server function is walked"
    );
    for (path, body) in bodies {
        let response = server_fn(app, path, &signed.alice, body).await;
        assert_eq!(response.status, 403, "{path}: {}", response.text());
        assert!(response.text().contains("Forbidden"), "{path}");
    }
    let people = app.services.accounts.list_users().await.unwrap();
    assert!(
        people.iter().all(|p| p.login != "mallory" && !p.disabled),
        "nothing changed"
    );

    let (all_methods_token, _) = app
        .token_for(
            "alice",
            app::token::TokenInput {
                api: Some(app::token::ApiInput::Methods(
                    app.services
                        .tokens
                        .catalog()
                        .methods()
                        .iter()
                        .map(|m| m.name.to_string())
                        .collect(),
                )),
                ..crate::support::spec("extended_access")
            },
        )
        .await;
    for (method, route) in server::http::ADMIN_API_ROUTES {
        let uri = route.replace("{login}", "root").replace("{id}", "1");
        let body = Some(json!({ "password": USER_PASSWORD }));
        for auth in [
            Auth::Session(&signed.alice),
            Auth::Token(&all_methods_token),
        ] {
            let response = json_request(app, method, &uri, auth, body.clone()).await;
            assert_eq!(response.status, 403, "{method} {uri}: {}", response.text());
            assert_eq!(response.json()["error"]["code"], "forbidden");
        }
        let response = json_request(app, method, &uri, Auth::None, body.clone()).await;
        assert_eq!(response.status, 401, "{method} {uri}");
    }

    // The OpenAPI document lists every admin route.
    let document = app.get("/api/v1/openapi.json").await.json();
    for (method, route) in server::http::ADMIN_API_ROUTES {
        assert!(
            document["paths"][route][method.to_lowercase()].is_object(),
            "{method} {route} in the OpenAPI document"
        );
    }
}

async fn admins_list_search_and_page_through_people(app: &TestApp) {
    let signed = setup(app).await;
    for n in 0..30 {
        app.create_user(&format!("user{n:02}"), USER_PASSWORD, Role::User)
            .await;
    }
    app.token_for("alice", crate::support::spec("marketplace"))
        .await;
    let people = |query: &'static str| {
        let cookie = signed.admin.clone();
        async move {
            json_request(
                app,
                "GET",
                &format!("/api/v1/admin/users{query}"),
                Auth::Session(&cookie),
                None,
            )
            .await
        }
    };
    let first = people("").await;
    assert_eq!(first.status, 200, "{}", first.text());
    let first = first.json();
    assert_eq!(first["total"], 32);
    assert_eq!(first["people"].as_array().unwrap().len(), 25);
    assert_eq!(first["people"][0]["login"], "alice");
    assert_eq!(first["people"][0]["tokens"], 1);
    let second = people("?page=2").await.json();
    assert_eq!(second["people"].as_array().unwrap().len(), 7);
    assert_eq!(second["page"], 2);
    let beyond = people("?page=99").await.json();
    assert_eq!(beyond["page"], 2, "a page past the end shows the last");
    for wrong in ["?page=0", "?page=-1", "?page=two"] {
        let refused = people(wrong).await;
        assert_eq!(refused.status, 400, "{wrong}: {}", refused.text());
        assert_eq!(refused.json()["error"]["code"], "invalid_query", "{wrong}");
    }

    let found = people("?q=USER1").await.json();
    assert_eq!(found["total"], 10, "user10..user19, any case");
    let by_email = people("?q=alice%40example").await.json();
    assert_eq!(by_email["total"], 1);
    let wildcard = people("?q=%25").await.json();
    assert_eq!(wildcard["total"], 0, "% is matched literally");

    // The People page renders the same list on the server.
    let html = app
        .get_with_session("/admin/people?q=user2", &signed.admin)
        .await;
    assert_eq!(html.status, 200);
    assert!(html.text().contains("user29") && !html.text().contains("user19"));
}

async fn an_admin_makes_and_removes_a_users_tokens_with_their_own_password(app: &TestApp) {
    let signed = setup(app).await;
    let create = |password: &'static str| {
        let cookie = signed.admin.clone();
        async move {
            server_fn(
                app,
                "/_fn/admin_create_token",
                &cookie,
                json!({ "login": "alice", "password": password, "input": {
                    "description": "CI for alice",
                    "expiry": { "kind": "auto_refresh", "value": { "window": "3600" } },
                    "api": { "kind": "set", "value": "extended_access" },
                    "scopes": ["env:ci:rw"] } }),
            )
            .await
        }
    };
    let wrong = create(USER_PASSWORD).await;
    assert_eq!(wrong.status, 403, "alice's password is not the admin's");
    assert!(wrong.text().contains("WrongPassword"), "{}", wrong.text());

    let made = create(ADMIN_PASSWORD).await;
    assert_eq!(made.status, 200, "{}", made.text());
    let made = made.json();
    let value = made["value"].as_str().unwrap().to_owned();
    assert_eq!(made["token"]["owner"], "alice");
    assert_eq!(made["token"]["created_by"], "root");
    assert_eq!(made["token"]["expiration"], "auto_refresh");
    let id = made["token"]["id"].as_i64().unwrap();

    let info = app
        .get(&format!(
            "/1.0/users/account/rest/getuserinfo?session={value}"
        ))
        .await;
    assert_eq!(info.json()["user"]["login"], "alice", "{}", info.text());

    // The page lists it, never with its value.
    let page = server_fn(
        app,
        "/_fn/admin_person",
        &signed.admin,
        json!({ "login": "ALICE", "page": 1 }),
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(!page.text().contains(&value));
    assert_eq!(page.json()["tokens"][0]["created_by"], "root");
    let html = app
        .get_with_session("/admin/people/alice", &signed.admin)
        .await;
    assert!(html.text().contains("CI for alice") && !html.text().contains(&value));

    let audit: Vec<(String, String, String)> = sqlx::query_as(
        "select action, actor_login, subject_login from audit_events \
         where action = 'token_created'",
    )
    .fetch_all(app.database.pool())
    .await
    .unwrap();
    assert_eq!(
        audit,
        [("token_created".into(), "root".into(), "alice".into())]
    );

    let removed = json_request(
        app,
        "DELETE",
        &format!("/api/v1/admin/users/alice/tokens/{id}"),
        Auth::Session(&signed.admin),
        Some(json!({ "password": ADMIN_PASSWORD })),
    )
    .await;
    assert_eq!(removed.status, 200, "{}", removed.text());
    let refused = app
        .get(&format!(
            "/1.0/users/account/rest/getuserinfo?session={value}"
        ))
        .await;
    assert_eq!(refused.json()["code"], "token_removed");

    let listed = json_request(
        app,
        "GET",
        "/api/v1/admin/users/alice/tokens",
        Auth::Session(&signed.admin),
        None,
    )
    .await
    .json();
    assert_eq!(
        listed["tokens"][0]["status"], "removed",
        "removed tokens stay listed"
    );

    let unknown = server_fn(
        app,
        "/_fn/admin_person",
        &signed.admin,
        json!({ "login": "nobody", "page": 1 }),
    )
    .await;
    assert_eq!(unknown.status, 404);
}

async fn the_report_lists_existing_tokens_the_policy_would_not_allow(app: &TestApp) {
    let signed = setup(app).await;
    let (_, never) = app
        .token_for("alice", crate::support::spec("maven_plugin"))
        .await;
    let mut fitting = crate::support::spec("marketplace");
    fitting.expiry = Some(app::token::ExpiryInput::Lasting("7d".to_owned()));
    app.token_for("alice", fitting).await;
    let report = async || {
        let answer = json_request(
            app,
            "GET",
            "/api/v1/admin/policy/report",
            Auth::Session(&signed.admin),
            None,
        )
        .await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        answer.json()
    };
    let before = report().await;
    assert_eq!(before["tokens"], json!([]), "no policy, nothing outside it");
    assert_eq!(before["checked"], 2);

    let set = json_request(
        app,
        "PUT",
        "/api/v1/admin/policy",
        Auth::Session(&signed.admin),
        Some(
            json!({ "password": ADMIN_PASSWORD, "max_lifetime_secs": 86_400 * 30,
                     "api_sets": ["marketplace"] }),
        ),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.text());
    let after = report().await;
    let listed = after["tokens"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{after}");
    assert_eq!(listed[0]["token"]["id"], never);
    assert_eq!(listed[0]["token"]["owner"], "alice");
    let why = listed[0]["objections"].to_string();
    assert!(
        why.contains("Maven Plugin") && why.contains("never expires"),
        "{why}"
    );
    assert_eq!(after["truncated"], false);

    let as_alice = json_request(
        app,
        "GET",
        "/api/v1/admin/policy/report",
        Auth::Session(&signed.alice),
        None,
    )
    .await;
    assert_eq!(as_alice.status, 403);
}

async fn the_policy_binds_the_dashboard_the_rest_api_and_the_admin(app: &TestApp) {
    let signed = setup(app).await;
    // Made before there is a policy: a token that may make tokens on the platform API.
    let (manager, _) = app
        .token_for(
            "alice",
            crate::support::spec("users.authentication.CreateToken"),
        )
        .await;
    let set = json_request(
        app,
        "PUT",
        "/api/v1/admin/policy",
        Auth::Session(&signed.admin),
        Some(
            json!({ "password": ADMIN_PASSWORD, "max_lifetime_secs": 86_400 * 30,
                     "api_sets": ["marketplace", "ide_plugins"], "custom_allowed": false }),
        ),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.text());
    assert_eq!(set.json()["expiry_required"], false);
    let typo = json_request(
        app,
        "PUT",
        "/api/v1/admin/policy",
        Auth::Session(&signed.admin),
        Some(json!({ "password": ADMIN_PASSWORD, "max_lifetime": 5 })),
    )
    .await;
    assert_eq!(
        typo.status,
        400,
        "unknown fields are refused: {}",
        typo.text()
    );
    let nothing_allowed = json_request(
        app,
        "PUT",
        "/api/v1/admin/policy",
        Auth::Session(&signed.admin),
        Some(json!({ "password": ADMIN_PASSWORD, "api_sets": [], "custom_allowed": false })),
    )
    .await;
    assert_eq!(nothing_allowed.status, 422, "{}", nothing_allowed.text());
    assert!(
        nothing_allowed
            .text()
            .contains("would let nobody make a token")
    );
    let kept = json_request(
        app,
        "GET",
        "/api/v1/admin/policy",
        Auth::Session(&signed.admin),
        None,
    )
    .await
    .json();
    assert_eq!(
        kept["api_sets"],
        json!(["marketplace", "ide_plugins"]),
        "the policy in force stays"
    );

    // REST: the caller's own tokens.
    let rest = |body: Value| {
        let cookie = signed.alice.clone();
        async move {
            json_request(
                app,
                "POST",
                "/api/v1/tokens",
                Auth::Session(&cookie),
                Some(body),
            )
            .await
        }
    };
    let cases = [
        (json!({ "api_set": "marketplace" }), "never expire"),
        (
            json!({ "api_set": "marketplace", "expires_in": "31d" }),
            "at most 30d",
        ),
        (
            json!({ "api_set": "marketplace", "auto_refresh": "40d" }),
            "at most 30d",
        ),
        (
            json!({ "api_set": "extended_access", "expires_in": "1d" }),
            "Extended Access",
        ),
        (
            json!({ "methods": ["environment.control.GetEnvs"], "expires_in": "1d" }),
            "hand-picked",
        ),
    ];
    for (mut body, expected) in cases {
        body["password"] = json!(USER_PASSWORD);
        body["description"] = json!("policy test");
        let response = rest(body.clone()).await;
        assert_eq!(response.status, 422, "{body}: {}", response.text());
        assert_eq!(
            response.json()["error"]["code"],
            "policy_violation",
            "{body}"
        );
        assert!(
            response.text().contains(expected),
            "{body}: {}",
            response.text()
        );
    }
    let allowed = rest(json!({ "password": USER_PASSWORD, "description": "ok",
                              "api_set": "marketplace", "expires_in": "30d" }))
    .await;
    assert_eq!(allowed.status, 201, "{}", allowed.text());

    // Dashboard: the fields' errors come back for the dialog.
    let dashboard = server_fn(
        app,
        "/_fn/generate_token",
        &signed.alice,
        json!({ "password": USER_PASSWORD, "input": { "description": "too long",
                "expiry": { "kind": "date", "value": "31-12-2029" },
                "api": { "kind": "set", "value": "marketplace" }, "scopes": [] } }),
    )
    .await;
    assert_eq!(dashboard.status, 422, "{}", dashboard.text());
    assert!(
        dashboard.text().contains("too far ahead"),
        "{}",
        dashboard.text()
    );

    // An edit that keeps a set the policy has since closed still applies.
    let id = allowed.json()["token"]["id"].as_i64().unwrap();
    json_request(
        app,
        "PUT",
        "/api/v1/admin/policy",
        Auth::Session(&signed.admin),
        Some(
            json!({ "password": ADMIN_PASSWORD, "max_lifetime_secs": 86_400 * 30,
                     "api_sets": ["ide_plugins"] }),
        ),
    )
    .await;
    let renamed = server_fn(
        app,
        "/_fn/edit_token",
        &signed.alice,
        json!({ "id": id, "password": USER_PASSWORD, "input": { "description": "renamed",
                "api": { "kind": "set", "value": "marketplace" }, "scopes": [] } }),
    )
    .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text());

    // Admins are bound too, from the People panel.
    let admin = server_fn(
        app,
        "/_fn/admin_create_token",
        &signed.admin,
        json!({ "login": "alice", "password": ADMIN_PASSWORD, "input": {
            "description": "too long", "expiry": { "kind": "lasting", "value": "60d" },
            "api": { "kind": "set", "value": "ide_plugins" } } }),
    )
    .await;
    assert_eq!(admin.status, 422, "{}", admin.text());
    assert!(admin.text().contains("at most 30d"), "{}", admin.text());

    // And on every other path that makes or changes a token.
    let refused = |response: &crate::support::TestResponse, expected: &str| {
        assert_eq!(response.status, 422, "{}", response.text());
        assert_eq!(response.json()["error"]["code"], "policy_violation");
        assert!(response.text().contains(expected), "{}", response.text());
    };
    let alice = Auth::Session(&signed.alice);
    let patch = json_request(
        app,
        "PATCH",
        &format!("/api/v1/tokens/{id}"),
        alice,
        Some(json!({ "password": USER_PASSWORD, "expires_in": "60d" })),
    )
    .await;
    refused(&patch, "at most 30d");
    let copy = json_request(
        app,
        "POST",
        &format!("/api/v1/tokens/{id}/copy"),
        alice,
        Some(json!({ "password": USER_PASSWORD, "expires_in": "1d" })),
    )
    .await;
    refused(&copy, "Marketplace");
    let for_alice = json_request(
        app,
        "POST",
        "/api/v1/admin/users/alice/tokens",
        Auth::Session(&signed.admin),
        Some(json!({ "password": ADMIN_PASSWORD, "description": "x",
                     "api_set": "ide_plugins", "expires_in": "60d" })),
    )
    .await;
    refused(&for_alice, "at most 30d");
    let platform = app
        .get(&format!(
            "/1.0/users/authentication/rest/createtoken?session={manager}\
             &password={}&description=x&apiSet=ide_plugins&expiresIn=60d",
            USER_PASSWORD.replace(' ', "%20").replace('\'', "%27")
        ))
        .await
        .json();
    assert_ne!(platform["result"], 0, "{platform}");
    assert!(
        platform["error"]
            .as_str()
            .unwrap_or_default()
            .contains("at most 30d"),
        "{platform}"
    );

    let page = server_fn(app, "/_fn/token_page", &signed.alice, json!({ "page": 1 })).await;
    assert_eq!(page.json()["policy"]["api_sets"], json!(["ide_plugins"]));
}

async fn disabling_a_user_stops_their_tokens_at_once(app: &TestApp) {
    let signed = setup(app).await;
    let (value, _) = app
        .token_for("alice", crate::support::spec("extended_access"))
        .await;
    let uri = format!("/1.0/users/account/rest/getuserinfo?session={value}");
    let call = || app.get(&uri);
    assert_eq!(call().await.json()["result"], 0);

    let disable = |disabled: bool, password: &'static str| {
        let cookie = signed.admin.clone();
        async move {
            server_fn(
                app,
                "/_fn/admin_set_person_disabled",
                &cookie,
                json!({ "login": "alice", "disabled": disabled, "password": password }),
            )
            .await
        }
    };
    assert_eq!(disable(true, USER_PASSWORD).await.status, 403);
    assert_eq!(
        call().await.json()["result"],
        0,
        "a wrong password changes nothing"
    );
    let disabled = disable(true, ADMIN_PASSWORD).await;
    assert_eq!(disabled.status, 200, "{}", disabled.text());
    assert_eq!(disabled.json()["disabled"], true);
    assert_eq!(call().await.json()["code"], "owner_disabled");
    let page = app
        .get_with_session("/settings/tokens", &signed.alice)
        .await;
    assert_eq!(page.status, 303, "alice's session ended");

    assert_eq!(disable(false, ADMIN_PASSWORD).await.status, 200);
    assert_eq!(call().await.json()["result"], 0);

    let own = server_fn(
        app,
        "/_fn/admin_set_person_disabled",
        &signed.admin,
        json!({ "login": "root", "disabled": true, "password": ADMIN_PASSWORD }),
    )
    .await;
    assert_eq!(own.status, 422, "an admin cannot lock themselves out");
}
