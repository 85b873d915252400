//! What an outside review broke, each pinned where a person or attacker meets it: over HTTP,
//! on both engines where storage is involved.

use app::account::Role;
use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{Request, StatusCode},
};
use serde_json::json;
use tower::ServiceExt as _;

use crate::{
    on_both_engines,
    support::{Auth, TestApp, json_request, spec},
};

const PASSWORD: &str = "correct horse battery staple";

on_both_engines!(
    concurrent_wrong_passwords_get_exactly_the_free_attempts,
    concurrent_wrong_confirmations_get_exactly_the_free_attempts,
    parallel_changes_with_the_right_password_are_not_throttled,
    an_address_gets_exactly_a_hundred_attempts_however_fast,
    changing_a_password_ends_every_other_session,
    a_sign_in_racing_a_password_change_keeps_no_session,
    empty_scope_entries_are_refused_on_every_path,
);

#[tokio::test]
async fn next_cannot_leave_the_site_and_never_breaks_sign_in() {
    let app = TestApp::sqlite().await;
    app.create_user("alice", PASSWORD, Role::User).await;
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
        "\t//evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        " //evil.example",
        "https://evil.example",
        "//evil.example",
        "/%09/evil.example",
        "/a\r\nSet-Cookie: stolen=1",
        "/\u{0}/evil.example",
        "/café?x=é#frag",
    ] {
        let response = app
            .post_form(
                "/login",
                &[("login", "alice"), ("password", PASSWORD), ("next", next)],
                None,
            )
            .await;
        assert_eq!(response.status, 303, "{next:?}: {}", response.text());
        let location = response.location();
        assert!(
            location.starts_with('/')
                && !location.starts_with("//")
                && location.bytes().all(|b| b.is_ascii_graphic())
                && !location.contains('\\'),
            "{next:?} -> {location:?}"
        );
        assert!(response.session_cookie().is_some(), "{next:?}");
        assert!(
            response.headers.get("stolen").is_none() && !location.contains("evil.example/"),
            "{next:?} -> {location:?}"
        );
    }
    let wrong = app
        .post_form(
            "/login",
            &[
                ("login", "alice"),
                ("password", "nope nope"),
                ("next", "/x\r\ny"),
            ],
            None,
        )
        .await;
    assert_eq!(wrong.status, 303);
    assert!(wrong.location().starts_with("/login?error=invalid"));
    app.teardown().await;
}

/// Sends `requests` all at once, each from `address`; the statuses and `Location`s.
async fn all_at_once(
    app: &TestApp,
    requests: Vec<Request<Body>>,
    address: [u8; 4],
) -> Vec<(StatusCode, String, String)> {
    let mut running = tokio::task::JoinSet::new();
    for mut request in requests {
        request
            .extensions_mut()
            .insert(ConnectInfo(std::net::SocketAddr::from((address, 40000))));
        let router = app.router.clone();
        running.spawn(async move {
            let response = router.oneshot(request).await.unwrap();
            let status = response.status();
            let location = response
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            (
                status,
                location,
                String::from_utf8_lossy(&body).into_owned(),
            )
        });
    }
    running.join_all().await
}

fn sign_in_request(login: &str, password: &str) -> Request<Body> {
    Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(
            serde_urlencoded::to_string([("login", login), ("password", password)]).unwrap(),
        ))
        .unwrap()
}

async fn concurrent_wrong_passwords_get_exactly_the_free_attempts(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    let requests = (0..40)
        .map(|_| sign_in_request("alice", "a wrong guess"))
        .collect();
    let answers = all_at_once(app, requests, [203, 0, 113, 1]).await;
    let verified = answers
        .iter()
        .filter(|(_, location, _)| location.starts_with("/login?error=invalid"))
        .count();
    let throttled = answers
        .iter()
        .filter(|(_, location, _)| location.starts_with("/login?error=throttled"))
        .count();
    assert_eq!((verified, throttled), (5, 35), "{:?}", statuses(&answers));
}

/// The answers in brief, for failure messages.
fn statuses(answers: &[(StatusCode, String, String)]) -> Vec<String> {
    answers
        .iter()
        .map(|(status, location, _)| format!("{} {}", status.as_u16(), location))
        .collect()
}

async fn parallel_changes_with_the_right_password_are_not_throttled(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    let cookie = app.sign_in("alice", PASSWORD).await;
    let requests = (0..12)
        .map(|i| {
            Request::post("/api/v1/tokens")
                .header("content-type", "application/json")
                .header("sec-fetch-site", "same-origin")
                .header("cookie", format!("tessera_session={cookie}"))
                .body(Body::from(
                    json!({ "password": PASSWORD, "description": format!("parallel {i}"), "api_set": "marketplace" })
                        .to_string(),
                ))
                .unwrap()
        })
        .collect();
    let answers = all_at_once(app, requests, [203, 0, 113, 5]).await;
    assert!(
        answers
            .iter()
            .all(|(status, _, _)| *status == StatusCode::CREATED),
        "{:?}",
        statuses(&answers)
    );
}

async fn concurrent_wrong_confirmations_get_exactly_the_free_attempts(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    let cookie = app.sign_in("alice", PASSWORD).await;
    let requests = (0..40)
        .map(|_| {
            Request::post("/api/v1/tokens")
                .header("content-type", "application/json")
                .header("sec-fetch-site", "same-origin")
                .header("cookie", format!("tessera_session={cookie}"))
                .body(Body::from(
                    json!({ "password": "a wrong guess", "description": "x", "api_set": "marketplace" })
                        .to_string(),
                ))
                .unwrap()
        })
        .collect();
    let answers = all_at_once(app, requests, [203, 0, 113, 2]).await;
    let wrong = answers
        .iter()
        .filter(|(status, _, _)| *status == StatusCode::FORBIDDEN)
        .count();
    let throttled = answers
        .iter()
        .filter(|(status, _, _)| *status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((wrong, throttled), (5, 35), "{:?}", statuses(&answers));
}

async fn an_address_gets_exactly_a_hundred_attempts_however_fast(app: &TestApp) {
    // 120 different logins, so that no account's own limit interferes.
    let requests = (0..120)
        .map(|i| sign_in_request(&format!("guess-{i}"), "a wrong guess"))
        .collect();
    let answers = all_at_once(app, requests, [203, 0, 113, 3]).await;
    let verified = answers
        .iter()
        .filter(|(_, location, _)| location.starts_with("/login?error=invalid"))
        .count();
    assert_eq!(verified, 100, "{:?}", statuses(&answers));
}

async fn changing_a_password_ends_every_other_session(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    let laptop = app.sign_in("alice", PASSWORD).await;
    let phone = app.sign_in("alice", PASSWORD).await;
    let changed = app
        .post_form(
            "/_fn/change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new secret"),
                ("confirm_password", "a brand new secret"),
            ],
            Some(&laptop),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    let signed_in = |cookie: String| async move {
        app.get_with_session("/settings/tokens", &cookie)
            .await
            .status
            == StatusCode::OK
    };
    assert!(
        signed_in(laptop.clone()).await,
        "the browser that changed it stays"
    );
    assert!(!signed_in(phone).await, "every other session ends");

    let tablet = app.sign_in("alice", "a brand new secret").await;
    let login = app::account::Login::parse("alice").unwrap();
    let reset = app::account::Password::new("an operator reset".into()).unwrap();
    app.services
        .accounts
        .set_password(
            &login,
            &reset,
            &server::services::audit::Actor::Operator,
            &app::request::ClientInfo::default(),
        )
        .await
        .unwrap();
    assert!(
        !signed_in(laptop).await && !signed_in(tablet).await,
        "a reset ends them all"
    );
    let audited: Vec<String> = sqlx::query_scalar(
        "select detail from audit_events where action = 'password_changed' order by audit_event_id",
    )
    .fetch_all(app.database.pool())
    .await
    .unwrap();
    assert_eq!(
        audited,
        [
            "changed; 1 other session(s) ended",
            "reset; 2 other session(s) ended"
        ]
    );
}

async fn a_sign_in_racing_a_password_change_keeps_no_session(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    let changer = app.sign_in("alice", PASSWORD).await;
    let mut requests: Vec<Request<Body>> = (0..12)
        .map(|_| sign_in_request("alice", PASSWORD))
        .collect();
    requests.insert(
        6,
        Request::post("/_fn/change_password")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .header("cookie", format!("tessera_session={changer}"))
            .body(Body::from(
                "current_password=correct+horse+battery+staple&new_password=a+brand+new+secret\
                 &confirm_password=a+brand+new+secret",
            ))
            .unwrap(),
    );
    let answers = all_at_once(app, requests, [203, 0, 113, 4]).await;
    assert!(
        answers
            .iter()
            .any(|(status, location, _)| *status == StatusCode::OK && location.is_empty()),
        "the change went through: {:?}",
        statuses(&answers)
    );
    let sessions: Vec<i64> = sqlx::query_scalar(
        "select s.session_id from sessions s join users u on u.user_id = s.user_id \
         where u.login = 'alice'",
    )
    .fetch_all(app.database.pool())
    .await
    .unwrap();
    assert_eq!(sessions.len(), 1, "only the changer's session is left");
    assert_eq!(
        app.get_with_session("/settings/tokens", &changer)
            .await
            .status,
        StatusCode::OK
    );
}

async fn empty_scope_entries_are_refused_on_every_path(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    let cookie = app.sign_in("alice", PASSWORD).await;
    let expected = "A scope is empty";
    for scopes in [
        json!([""]),
        json!([",,,"]),
        json!(["env:a:r", " "]),
        json!(["env:a:r,"]),
    ] {
        let rest = json_request(
            app,
            "POST",
            "/api/v1/tokens",
            Auth::Session(&cookie),
            Some(json!({ "password": PASSWORD, "description": "x", "api_set": "marketplace", "scopes": scopes })),
        )
        .await;
        assert_eq!(rest.status, 422, "{scopes}: {}", rest.text());
        assert!(
            rest.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains(expected)
        );

        let dialog = json_request(
            app,
            "POST",
            "/_fn/generate_token",
            Auth::Session(&cookie),
            Some(json!({
                "input": { "description": "x", "api": { "kind": "set", "value": "marketplace" }, "scopes": scopes },
                "password": PASSWORD
            })),
        )
        .await;
        assert_eq!(dialog.status, 422, "{scopes}: {}", dialog.text());
        assert!(
            dialog.json()["InvalidFields"]["scopes"]
                .as_str()
                .unwrap()
                .contains(expected)
        );
    }
    let (token, _) = app
        .token_for("alice", spec("users.authentication.CreateToken"))
        .await;
    let platform = app
        .get(&format!(
            "/1.0/users/authentication/rest/createtoken?session={token}&password={}&description=x&apiSet=marketplace&scopes=,,,",
            PASSWORD.replace(' ', "+")
        ))
        .await;
    assert_eq!(platform.json()["result"], 2, "{}", platform.text());
    assert!(
        platform.json()["error"]
            .as_str()
            .unwrap()
            .contains(expected)
    );
    let list = json_request(app, "GET", "/api/v1/tokens", Auth::Session(&cookie), None).await;
    assert_eq!(
        list.json()["tokens"].as_array().unwrap().len(),
        1,
        "only the test's own token"
    );
}

#[tokio::test]
async fn pages_and_answers_carry_the_security_headers() {
    let app = TestApp::sqlite().await;
    let login = app.get("/login").await;
    let policy = login.header("content-security-policy").unwrap().to_owned();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the page's scripts are allowed by nonce");
    assert!(
        login.text().contains(&format!("nonce=\"{nonce}\"")),
        "the inline scripts carry the nonce"
    );
    let again = app.get("/login").await;
    assert_ne!(
        again.header("content-security-policy").unwrap(),
        policy,
        "a nonce is used once"
    );
    for response in [
        &login,
        &app.get("/api/v1/catalog").await,
        &app.get("/docs/api").await,
    ] {
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(response.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(response.header("x-frame-options"), Some("DENY"));
        assert_eq!(response.header("cache-control"), Some("no-store"));
        assert_eq!(response.header("strict-transport-security"), None);
    }
    assert!(
        app.get("/docs/api")
            .await
            .header("content-security-policy")
            .is_some_and(|p| p.contains("frame-ancestors 'none'"))
    );
    let over_https = app
        .request(
            Request::get("/login")
                .header("x-forwarded-proto", "https")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        over_https
            .header("strict-transport-security")
            .is_some_and(|v| v.starts_with("max-age="))
    );
    // Over a socket, only a trusted proxy (127.0.0.9 in these tests) may say so.
    let claimed_from = |peer: [u8; 4]| {
        let mut request = Request::get("/login")
            .header("x-forwarded-proto", "https")
            .body(Body::empty())
            .unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(std::net::SocketAddr::from((peer, 40000))));
        app.request(request)
    };
    assert!(
        claimed_from([127, 0, 0, 9])
            .await
            .header("strict-transport-security")
            .is_some()
    );
    assert_eq!(
        claimed_from([198, 51, 100, 7])
            .await
            .header("strict-transport-security"),
        None,
        "a client's own X-Forwarded-Proto is ignored"
    );
    app.teardown().await;
}

#[tokio::test]
async fn signed_in_changes_must_prove_they_come_from_this_site() {
    let app = TestApp::sqlite().await;
    app.create_user("alice", PASSWORD, Role::User).await;
    let cookie = app.sign_in("alice", PASSWORD).await;
    let body =
        json!({ "password": PASSWORD, "description": "x", "api_set": "marketplace" }).to_string();
    let post = |content_type: &'static str, origin: Option<&'static str>| {
        let mut request = Request::post("/api/v1/tokens")
            .header("host", "tessera.example")
            .header("content-type", content_type)
            .header("cookie", format!("tessera_session={cookie}"));
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        app.request(request.body(Body::from(body.clone())).unwrap())
    };
    let foreign_despite_metadata = app
        .request(
            Request::post("/api/v1/tokens")
                .header("host", "tessera.example")
                .header("content-type", "application/json")
                .header("sec-fetch-site", "same-origin")
                .header("origin", "http://evil.example")
                .header("cookie", format!("tessera_session={cookie}"))
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(foreign_despite_metadata.status, 403);
    let neither = post("application/json", None).await;
    assert_eq!(neither.status, 403, "{}", neither.text());
    assert_eq!(neither.json()["error"]["code"], "cross_site_request");
    let other_scheme = post("application/json", Some("https://tessera.example")).await;
    assert_eq!(other_scheme.status, 403);
    let as_text = post("text/plain", Some("http://tessera.example")).await;
    assert_eq!(as_text.status, 415, "{}", as_text.text());
    let as_form = app
        .request(
            Request::post("/_fn/generate_token")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .header("cookie", format!("tessera_session={cookie}"))
                .body(Body::from("password=x"))
                .unwrap(),
        )
        .await;
    assert_eq!(as_form.status, 415);
    let same_site = post("application/json", Some("http://tessera.example")).await;
    assert_eq!(same_site.status, 201, "{}", same_site.text());
    // A script with a token sends no cookie and no Origin, and is not a browser to protect.
    let (token, _) = app
        .token_for("alice", spec("users.authentication.CreateToken"))
        .await;
    let script = json_request(
        &app,
        "POST",
        "/api/v1/tokens",
        Auth::Token(&token),
        Some(serde_json::from_str(&body).unwrap()),
    )
    .await;
    assert_eq!(script.status, 201, "{}", script.text());
    app.teardown().await;
}

#[tokio::test]
async fn small_holes_stay_closed() {
    let app = TestApp::sqlite().await;
    app.create_user("alice", PASSWORD, Role::User).await;
    let cookie = app.sign_in("alice", PASSWORD).await;
    let create = |extra: serde_json::Value| {
        let mut body =
            json!({ "password": PASSWORD, "description": "x", "api_set": "marketplace" });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json_request(
            &app,
            "POST",
            "/api/v1/tokens",
            Auth::Session(&cookie),
            Some(body),
        )
    };
    let far = create(json!({ "expires_at": "9999-12-31" })).await;
    assert_eq!(far.status, 422);
    assert!(far.text().contains("too far ahead"), "{}", far.text());
    for spoof in [
        "deploy\u{202E}gnp.exe",
        "prod\u{200B}",
        "tok\u{034F}en",
        "a\u{3164}b",
    ] {
        let response = create(json!({ "description": spoof })).await;
        assert_eq!(response.status, 422, "{spoof:?}");
        assert!(response.text().contains("invisible formatting"));
    }

    let anonymous = app
        .request(
            Request::post("/_fn/check_database")
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(anonymous.status, 401);
    assert!(!anonymous.text().contains("SQLite") && !anonymous.text().contains("3."));

    let (scoped, _) = app
        .token_for(
            "alice",
            app::token::TokenInput {
                scopes: Some(vec!["env:mine:r".into()]),
                ..spec("extended_access")
            },
        )
        .await;
    let quotas = app
        .get(&format!(
            "/1.0/users/account/rest/getquotas?session={scoped}"
        ))
        .await
        .json();
    assert_eq!(quotas["result"], 0);
    assert!(quotas["quotas"][0].get("used").is_none(), "{quotas}");

    let malformed = json_request(
        &app,
        "POST",
        "/_fn/generate_token",
        Auth::Session(&cookie),
        Some(json!({ "input": 7 })),
    )
    .await;
    assert_eq!(malformed.status, 400, "{}", malformed.text());
    let oversized = app
        .request(
            Request::post("/_fn/generate_token")
                .header("content-type", "application/json")
                .header("sec-fetch-site", "same-origin")
                .header("cookie", format!("tessera_session={cookie}"))
                .body(Body::from(format!(
                    "{{\"password\": \"{}\"}}",
                    "x".repeat(100_000)
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(oversized.status, 413);

    for path in ["/api/v1/no/such/route", "/api", "/api/"] {
        let unknown = app.get(path).await;
        assert_eq!(unknown.status, 404, "{path}");
        assert_eq!(unknown.json()["error"]["code"], "not_found", "{path}");
    }
    let bad_id = json_request(
        &app,
        "GET",
        "/api/v1/tokens/abc",
        Auth::Session(&cookie),
        None,
    )
    .await;
    assert_eq!(bad_id.status, 400);
    assert_eq!(bad_id.json()["error"]["code"], "invalid_request");
    let wrong_method =
        json_request(&app, "PUT", "/api/v1/tokens", Auth::Session(&cookie), None).await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.json()["error"]["code"], "method_not_allowed");
    let long_login = "a".repeat(70_000);
    let refused = app
        .post_form(
            "/login",
            &[("login", &long_login), ("password", "not it at all")],
            None,
        )
        .await;
    assert!(
        refused.location().len() < 1_000,
        "the login is not echoed whole"
    );
    let longest_key: i64 =
        sqlx::query_scalar("select max(length(throttle_key)) from sign_in_throttle")
            .fetch_one(app.database.pool())
            .await
            .unwrap();
    assert!(longest_key <= 140, "{longest_key}");
    app.teardown().await;
}
