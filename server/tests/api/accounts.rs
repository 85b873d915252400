use std::time::Instant;

use app::{account::Role, request::ClientInfo};
use axum::{body::Body, extract::ConnectInfo, http::Request};

use crate::{on_both_engines, support::TestApp};

const PASSWORD: &str = "correct horse battery staple";

on_both_engines!(
    sign_in_opens_a_session_stored_as_a_digest,
    wrong_password_and_unknown_login_look_the_same,
    signed_out_visit_goes_to_login_and_remembers_where,
    failures_slow_down_then_lock_the_account,
    a_client_address_is_locked_out_after_a_hundred_failures,
    only_a_trusted_proxy_names_the_client,
    idle_and_absolute_timeouts_end_sessions,
    disabling_a_user_ends_their_sessions_and_sign_in,
    sign_out_ends_the_session_on_the_server,
    signing_in_again_replaces_the_old_session,
    change_password_needs_the_current_password,
    initial_admin_is_created_once,
    audit_records_account_events_without_secrets,
);

async fn sign_in_opens_a_session_stored_as_a_digest(app: &TestApp) {
    app.create_user("Alice", PASSWORD, Role::User).await;

    let response = app
        .post_form(
            "/login",
            &[
                ("login", "alice"),
                ("password", PASSWORD),
                ("next", "/settings/account"),
            ],
            None,
        )
        .await;

    assert_eq!(response.status, 303);
    assert_eq!(response.location(), "/settings/account");
    let set_cookie = response.header("set-cookie").unwrap();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let cookie = response.session_cookie().unwrap();
    let stored: Vec<String> = sqlx::query_scalar("select token_digest from sessions")
        .fetch_all(app.database.pool())
        .await
        .unwrap();
    assert_eq!(stored, vec![server::auth::secret::digest(&cookie)]);

    let settings = app.get_with_session("/settings/tokens", &cookie).await;
    assert_eq!(settings.status, 200);
    assert!(
        settings.text().contains("Alice display"),
        "{}",
        settings.text()
    );
    assert!(settings.text().contains("Access Tokens"));
}

async fn wrong_password_and_unknown_login_look_the_same(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    let attempt = |login: &'static str| async move {
        let started = Instant::now();
        let response = app
            .post_form(
                "/login",
                &[("login", login), ("password", "not the password")],
                None,
            )
            .await;
        (response, started.elapsed())
    };

    // Interleaved, four of each (within the five free failures), compared by their medians:
    // one slow moment on a busy machine cannot decide it.
    let (mut wrong_times, mut unknown_times) = (Vec::new(), Vec::new());
    let mut answers = None;
    for _ in 0..4 {
        let (wrong, wrong_time) = attempt("alice").await;
        let (unknown, unknown_time) = attempt("mallory").await;
        wrong_times.push(wrong_time);
        unknown_times.push(unknown_time);
        answers = Some((wrong, unknown));
    }
    let (wrong, unknown) = answers.unwrap();
    let median = |times: &mut Vec<std::time::Duration>| {
        times.sort();
        (times[1] + times[2]) / 2
    };
    let (wrong_time, unknown_time) = (median(&mut wrong_times), median(&mut unknown_times));

    assert_eq!(wrong.status, unknown.status);
    assert_eq!(
        wrong.location().replace("login=alice", "login=X"),
        unknown.location().replace("login=mallory", "login=X")
    );
    assert!(wrong.location().starts_with("/login?error=invalid"));
    assert_eq!(wrong.session_cookie(), None);
    // An unknown login is verified against a dummy hash: no fast path to tell it apart.
    assert!(
        unknown_time * 3 >= wrong_time,
        "unknown login answered in {unknown_time:?}, wrong password in {wrong_time:?}"
    );
    // The server function answers the same way for both.
    let via_function = |login: &'static str| async move {
        crate::support::json_request(
            app,
            "POST",
            "/_fn/sign_in",
            crate::support::Auth::None,
            Some(serde_json::json!({ "login": login, "password": "not the password" })),
        )
        .await
    };
    let (wrong, unknown) = (via_function("alice").await, via_function("mallory").await);
    assert_eq!(
        (wrong.status, wrong.text()),
        (unknown.status, unknown.text())
    );
    assert!(
        wrong.text().contains("InvalidCredentials"),
        "{}",
        wrong.text()
    );
}

async fn signed_out_visit_goes_to_login_and_remembers_where(app: &TestApp) {
    let response = app.get("/settings/tokens").await;

    assert_eq!(response.status, 303);
    assert_eq!(response.location(), "/login?next=/settings/tokens");
    let forged = app
        .get_with_session("/settings/account", "not-a-session")
        .await;
    assert_eq!(forged.location(), "/login?next=/settings/account");
}

async fn failures_slow_down_then_lock_the_account(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    for _ in 0..5 {
        let response = app
            .post_form(
                "/login",
                &[("login", "alice"), ("password", "wrong guess")],
                None,
            )
            .await;
        assert!(
            response.location().starts_with("/login?error=invalid"),
            "{}",
            response.location()
        );
    }

    // The sixth attempt must wait, even with the right password.
    let waiting = app
        .post_form(
            "/login",
            &[("login", "alice"), ("password", PASSWORD)],
            None,
        )
        .await;
    // One second from the end of the second of the fifth failure: 1 or 2 from now.
    let retry = waiting
        .location()
        .strip_prefix("/login?error=throttled&retry=")
        .and_then(|rest| rest.split('&').next())
        .and_then(|secs| secs.parse::<i64>().ok());
    assert!(matches!(retry, Some(1 | 2)), "{}", waiting.location());

    // Once the wait is over, the right password works and clears the count.
    app.exec("update sign_in_throttle set last_failure_at = last_failure_at - 3")
        .await;
    app.sign_in("alice", PASSWORD).await;
    let left: i64 = sqlx::query_scalar(
        "select count(*) from sign_in_throttle where throttle_key = 'account:alice'",
    )
    .fetch_one(app.database.pool())
    .await
    .unwrap();
    assert_eq!(left, 0);

    // Twenty consecutive failures lock the account for 15 minutes.
    let now = server::clock::now();
    app.exec(&format!(
        "insert into sign_in_throttle (throttle_key, failures, last_failure_at) values ('account:alice', 20, {now})"
    ))
    .await;
    let locked = app
        .post_form(
            "/login",
            &[("login", "alice"), ("password", PASSWORD)],
            None,
        )
        .await;
    let location = locked.location();
    let retry = location
        .strip_prefix("/login?error=throttled&retry=")
        .and_then(|rest| rest.split('&').next())
        .and_then(|secs| secs.parse::<i64>().ok());
    assert!(matches!(retry, Some(899..=901)), "{location}");
}

async fn a_client_address_is_locked_out_after_a_hundred_failures(app: &TestApp) {
    app.create_user("bob", PASSWORD, Role::User).await;
    let now = server::clock::now();
    app.exec(&format!(
        "insert into sign_in_throttle (throttle_key, failures, last_failure_at) values ('client:203.0.113.7', 100, {now})"
    ))
    .await;
    let from = |ip: [u8; 4]| {
        let mut request = Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "login=bob&password={}",
                PASSWORD.replace(' ', "+")
            )))
            .unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(std::net::SocketAddr::from((ip, 40000))));
        request
    };

    let blocked = app.request(from([203, 0, 113, 7])).await;
    let other = app.request(from([198, 51, 100, 1])).await;

    assert!(
        blocked.location().starts_with("/login?error=throttled"),
        "{}",
        blocked.location()
    );
    assert_eq!(other.location(), "/settings/tokens");
}

async fn only_a_trusted_proxy_names_the_client(app: &TestApp) {
    let attempt = |peer: [u8; 4], forwarded_for: &str| {
        let mut request = Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-forwarded-for", forwarded_for)
            .body(Body::from("login=nobody&password=wrong+guess"))
            .unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(std::net::SocketAddr::from((peer, 40000))));
        app.request(request)
    };

    attempt([127, 0, 0, 9], "203.0.113.50").await;
    attempt([198, 51, 100, 7], "203.0.113.51").await;

    let keys: Vec<String> = sqlx::query_scalar(
        "select throttle_key from sign_in_throttle where throttle_key like 'client:%' order by 1",
    )
    .fetch_all(app.database.pool())
    .await
    .unwrap();
    // Behind the trusted proxy the forwarded client counts; a direct peer's header is ignored.
    assert_eq!(keys, ["client:198.51.100.7", "client:203.0.113.50"]);
}

async fn idle_and_absolute_timeouts_end_sessions(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    let idle = app.sign_in("alice", PASSWORD).await;
    let lifetime: i64 = sqlx::query_scalar("select expires_at - created_at from sessions")
        .fetch_one(app.database.pool())
        .await
        .unwrap();
    assert_eq!(lifetime, 12 * 3600, "a session lasts 12 hours at most");
    // 59 minutes idle: still signed in (a visit marks it seen again).
    app.exec("update sessions set last_seen_at = last_seen_at - 3540")
        .await;
    assert_eq!(app.get_with_session("/settings", &idle).await.status, 200);
    // An hour idle: signed out.
    app.exec("update sessions set last_seen_at = last_seen_at - 3601")
        .await;
    assert_eq!(
        app.get_with_session("/settings", &idle).await.location(),
        "/login?next=/settings"
    );

    let absolute = app.sign_in("alice", PASSWORD).await;
    app.exec("update sessions set expires_at = last_seen_at - 1")
        .await;
    assert_eq!(
        app.get_with_session("/settings", &absolute)
            .await
            .location(),
        "/login?next=/settings"
    );

    let sessions: i64 = sqlx::query_scalar("select count(*) from sessions")
        .fetch_one(app.database.pool())
        .await
        .unwrap();
    assert_eq!(sessions, 0, "expired sessions are deleted when seen");
}

async fn disabling_a_user_ends_their_sessions_and_sign_in(app: &TestApp) {
    app.create_user("carol", PASSWORD, Role::User).await;
    let cookie = app.sign_in("carol", PASSWORD).await;

    let login = app::account::Login::parse("carol").unwrap();
    app.services
        .accounts
        .set_disabled(
            &login,
            true,
            &server::services::audit::Actor::Operator,
            &ClientInfo::default(),
        )
        .await
        .unwrap();

    assert_eq!(
        app.get_with_session("/settings/tokens", &cookie)
            .await
            .status,
        303
    );
    let again = app
        .post_form(
            "/login",
            &[("login", "carol"), ("password", PASSWORD)],
            None,
        )
        .await;
    assert!(again.location().starts_with("/login?error=invalid"));
}

async fn sign_out_ends_the_session_on_the_server(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    let cookie = app.sign_in("alice", PASSWORD).await;

    let response = app.post_form("/logout", &[], Some(&cookie)).await;

    assert_eq!(response.location(), "/login?signed_out=1");
    assert_eq!(response.session_cookie().as_deref(), Some(""));
    assert_eq!(
        app.get_with_session("/settings/tokens", &cookie)
            .await
            .status,
        303
    );
}

async fn signing_in_again_replaces_the_old_session(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    let first = app.sign_in("alice", PASSWORD).await;

    let response = app
        .post_form(
            "/login",
            &[("login", "alice"), ("password", PASSWORD)],
            Some(&first),
        )
        .await;

    let second = response.session_cookie().unwrap();
    assert_ne!(first, second);
    assert_eq!(
        app.get_with_session("/settings/tokens", &first)
            .await
            .status,
        303
    );
    assert_eq!(
        app.get_with_session("/settings/tokens", &second)
            .await
            .status,
        200
    );
}

async fn change_password_needs_the_current_password(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    let cookie = app.sign_in("alice", PASSWORD).await;
    let change = |current: &'static str, new: &'static str, confirm: &'static str| {
        let form = [
            ("current_password", current),
            ("new_password", new),
            ("confirm_password", confirm),
        ];
        let cookie = cookie.clone();
        async move {
            app.post_form("/_fn/change_password", &form, Some(&cookie))
                .await
        }
    };

    let wrong = change(
        "not my password",
        "a brand new secret",
        "a brand new secret",
    )
    .await;
    assert!(wrong.text().contains("WrongPassword"), "{}", wrong.text());
    let short = change(PASSWORD, "short", "short").await;
    assert!(
        short.text().contains("at least 8 characters"),
        "{}",
        short.text()
    );
    let differ = change(PASSWORD, "a brand new secret", "another new secret").await;
    assert!(differ.text().contains("differ"), "{}", differ.text());
    app.sign_in("alice", PASSWORD).await;

    let ok = change(PASSWORD, "a brand new secret", "a brand new secret").await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    app.sign_in("alice", "a brand new secret").await;
    let old = app
        .post_form(
            "/login",
            &[("login", "alice"), ("password", PASSWORD)],
            None,
        )
        .await;
    assert!(old.location().starts_with("/login?error=invalid"));
}

async fn initial_admin_is_created_once(app: &TestApp) {
    let accounts = &app.services.accounts;
    // People made before the first start do not stand in for an admin.
    app.create_user("early", PASSWORD, Role::User).await;

    let admin = accounts
        .ensure_initial_admin(None)
        .await
        .unwrap()
        .expect("first start creates it");
    let password = admin.generated_password.expect("a generated password");
    assert!(password.expose().chars().count() >= 20);
    assert!(accounts.ensure_initial_admin(None).await.unwrap().is_none());

    let cookie = app.sign_in("admin", password.expose()).await;
    let page = app.get_with_session("/settings/account", &cookie).await;
    assert!(page.text().contains("admin"), "{}", page.text());
}

async fn audit_records_account_events_without_secrets(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    app.post_form(
        "/login",
        &[("login", "alice"), ("password", "a wrong one")],
        None,
    )
    .await;
    let cookie = app.sign_in("alice", PASSWORD).await;
    app.post_form("/logout", &[], Some(&cookie)).await;

    let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "select action, actor_login, subject_login from audit_events order by audit_event_id",
    )
    .fetch_all(app.database.pool())
    .await
    .unwrap();
    let actions: Vec<&str> = rows.iter().map(|(action, ..)| action.as_str()).collect();
    assert_eq!(
        actions,
        ["user_created", "sign_in_failed", "sign_in", "sign_out"]
    );
    assert!(
        rows.iter()
            .all(|(_, _, subject)| subject.as_deref() == Some("alice"))
    );
    assert_eq!(rows[2].1.as_deref(), Some("alice"));

    let everything: Vec<String> = sqlx::query_scalar(
        "select coalesce(detail, '') || coalesce(user_agent, '') || coalesce(ip, '') from audit_events",
    )
    .fetch_all(app.database.pool())
    .await
    .unwrap();
    assert!(
        everything
            .iter()
            .all(|text| !text.contains(PASSWORD) && !text.contains("a wrong one"))
    );
}
