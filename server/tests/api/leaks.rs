//! `POST /api/v1/leaks`: secret scanners' reports of token values found in public. A known
//! value is revoked (or its owner only told), the owner sees where it was found, and the
//! answer tells the reporter nothing the format does not.

use app::account::Role;
use hmac::{Hmac, Mac as _};
use serde_json::{Value, json};
use server::{
    clock,
    services::tokens::{FoundValue, LeakAction, LeakPolicy, REPORTS_PER_MINUTE},
};
use sha2::{Digest as _, Sha256};

use crate::{
    on_both_engines,
    support::{Auth, TestApp, TestResponse, json_request, spec},
};

const PASSWORD: &str = "lena's long password";
const FOUND_AT: &str = "https://github.com/lena/app/blob/4f2a/deploy.yml";

on_both_engines!(
    a_reported_token_is_revoked_and_its_owner_sees_where_it_was_found,
    the_answer_says_only_what_the_format_says,
    notify_only_leaves_the_token_working,
    a_replaced_value_reported_in_its_grace_ends_the_grace,
);

async fn report(app: &TestApp, items: Value) -> TestResponse {
    json_request(app, "POST", "/api/v1/leaks", Auth::None, Some(items)).await
}

fn found(token: &str) -> Value {
    json!({ "token": token, "type": "tessera_personal_access_token", "url": FOUND_AT, "source": "content" })
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

async fn lena(app: &TestApp) -> String {
    app.create_user("lena", PASSWORD, Role::User).await;
    app.sign_in("lena", PASSWORD).await
}

async fn token_view(app: &TestApp, cookie: &str, id: i64) -> Value {
    let answer = json_request(
        app,
        "GET",
        &format!("/api/v1/tokens/{id}"),
        Auth::Session(cookie),
        None,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()["token"].clone()
}

async fn a_reported_token_is_revoked_and_its_owner_sees_where_it_was_found(app: &TestApp) {
    let cookie = lena(app).await;
    let hook = json_request(
        app,
        "POST",
        "/api/v1/webhooks",
        Auth::Session(&cookie),
        Some(json!({ "url": "http://127.0.0.1:9/hook", "events": ["token.leaked"], "password": PASSWORD })),
    )
    .await;
    assert_eq!(hook.status, 201, "{}", hook.text());
    let (value, id) = app
        .token_for("lena", spec("users.account.GetUserInfo"))
        .await;
    assert_eq!(info_code(app, &value).await, "ok");

    let answer = report(app, json!([found(&value)])).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert!(
        !answer.text().contains(&value),
        "the value is not sent back"
    );

    let refused = app
        .get(&format!(
            "/1.0/users/account/rest/getuserinfo?session={value}"
        ))
        .await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.json()["code"], "token_leaked");
    assert_eq!(refused.json()["result"], 715);

    let token = token_view(app, &cookie, id).await;
    assert_eq!(token["status"], "leaked");
    assert_eq!(token["leak"]["url"], FOUND_AT);
    assert_eq!(token["leak"]["source"], "content");
    assert_eq!(token["leak"]["revoked"], true);
    let page = app.get_with_session("/settings/tokens", &cookie).await;
    assert!(page.text().contains("Leaked"), "the list marks it");
    assert!(page.text().contains(FOUND_AT), "the list says where");

    let audit: Vec<String> = sqlx::query_scalar(
        "select detail from audit_events where action = 'token_leaked' and subject_login = 'lena'",
    )
    .fetch_all(app.database.pool())
    .await
    .unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert!(
        audit[0].contains(FOUND_AT) && !audit[0].contains(&value),
        "{audit:?}"
    );
    // Reported again (twice in one report, and once more): the first report stands.
    let elsewhere = json!({ "token": value, "url": "https://example.com/phish", "source": "x" });
    assert_eq!(
        report(app, json!([elsewhere, found(&value)])).await.status,
        200
    );
    let queued: Vec<String> =
        sqlx::query_scalar("select payload from webhook_deliveries where event = 'token.leaked'")
            .fetch_all(app.database.pool())
            .await
            .unwrap();
    assert_eq!(queued.len(), 1);
    assert!(queued[0].contains(FOUND_AT) && !queued[0].contains(&value));
    assert_eq!(token_view(app, &cookie, id).await["leak"]["url"], FOUND_AT);

    // A new value works and is not leaked; the leaked one gets no grace, whatever is asked.
    let regenerated = json_request(
        app,
        "POST",
        &format!("/api/v1/tokens/{id}/regenerate"),
        Auth::Session(&cookie),
        Some(json!({ "password": PASSWORD, "grace": "1d" })),
    )
    .await;
    assert_eq!(regenerated.status, 200, "{}", regenerated.text());
    assert!(regenerated.json()["old_value_expires_at"].is_null());
    let new_value = regenerated.json()["value"].as_str().unwrap().to_owned();
    assert_eq!(info_code(app, &value).await, "token_regenerated");
    assert_eq!(info_code(app, &new_value).await, "ok");
    let token = token_view(app, &cookie, id).await;
    assert_eq!(token["status"], "active");
    assert!(token["leak"].is_null());
}

async fn the_answer_says_only_what_the_format_says(app: &TestApp) {
    lena(app).await;
    let (known, _) = app
        .token_for("lena", spec("users.account.GetUserInfo"))
        .await;
    // Well-formed, never issued: the checksum of a random body.
    let unknown = server::auth::secret::new_access_token().expose().to_owned();
    let answer = report(
        app,
        json!([
            found(&known),
            found(&unknown),
            found("ghp_not_ours"),
            found("")
        ]),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let labels = answer.json();
    let labels = labels.as_array().unwrap();
    assert_eq!(labels.len(), 2, "only values shaped like ours: {labels:?}");
    for (label, value) in labels.iter().zip([&known, &unknown]) {
        let hash: String = Sha256::digest(value.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(label["token_hash"], hash);
        assert_eq!(label["label"], "true_positive");
        assert_eq!(label["token_type"], "tessera_personal_access_token");
    }
    assert_eq!(
        labels[0].as_object().unwrap().len(),
        labels[1].as_object().unwrap().len()
    );

    for (body, status) in [
        (json!({ "token": known }), 400),
        (json!([{ "url": FOUND_AT }]), 400),
        (Value::Array(vec![found("x"); 101]), 400),
    ] {
        let refused = report(app, body).await;
        assert_eq!(refused.status, status, "{}", refused.text());
        assert!(!refused.text().contains(&known));
    }
    // Reports per address are limited (four were taken above).
    for _ in 4..REPORTS_PER_MINUTE {
        assert_eq!(report(app, json!([])).await.status, 200);
    }
    let limited = report(app, json!([])).await;
    assert_eq!(limited.status, 429);
    assert!(limited.header("retry-after").is_some());
}

async fn notify_only_leaves_the_token_working(app: &TestApp) {
    let cookie = lena(app).await;
    let (value, id) = app
        .token_for("lena", spec("users.account.GetUserInfo"))
        .await;
    let shaped = app
        .services
        .tokens
        .report_leaks(
            &[FoundValue {
                token: value.clone(),
                url: Some(FOUND_AT.into()),
                source: Some("gitleaks".into()),
            }],
            LeakAction::Notify,
            &app::request::ClientInfo::default(),
        )
        .await
        .unwrap();
    assert_eq!(shaped, [true]);
    assert_eq!(info_code(app, &value).await, "ok");
    let token = token_view(app, &cookie, id).await;
    assert_eq!(token["status"], "active");
    assert_eq!(token["leak"]["revoked"], false);
    assert_eq!(token["leak"]["source"], "gitleaks");
    let home = app.get_with_session("/", &cookie).await;
    assert!(
        home.text().contains("found in public"),
        "the home page asks for attention"
    );
}

async fn a_replaced_value_reported_in_its_grace_ends_the_grace(app: &TestApp) {
    let cookie = lena(app).await;
    let (old, id) = app
        .token_for("lena", spec("users.account.GetUserInfo"))
        .await;
    let regenerated = json_request(
        app,
        "POST",
        &format!("/api/v1/tokens/{id}/regenerate"),
        Auth::Session(&cookie),
        Some(json!({ "password": PASSWORD, "grace": "1d" })),
    )
    .await;
    assert_eq!(regenerated.status, 200, "{}", regenerated.text());
    let new = regenerated.json()["value"].as_str().unwrap().to_owned();
    assert_eq!(
        info_code(app, &old).await,
        "ok",
        "the old value works in its grace"
    );
    assert_eq!(report(app, json!([found(&old)])).await.status, 200);
    assert_eq!(info_code(app, &old).await, "token_regenerated");
    assert_eq!(
        info_code(app, &new).await,
        "ok",
        "the new value was not reported"
    );
    let token = token_view(app, &cookie, id).await;
    assert!(token["leak"].is_null());
    assert!(clock::now() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_secret_only_signed_reports_are_taken() {
    let secret = "a shared secret of some length";
    let app = TestApp::sqlite_with_leak_policy(LeakPolicy {
        action: LeakAction::Revoke,
        secret: Some(secret.into()),
    })
    .await;
    app.create_user("lena", PASSWORD, Role::User).await;
    let (value, _) = app
        .token_for("lena", spec("users.account.GetUserInfo"))
        .await;
    let body = json!([found(&value)]).to_string();
    let send = |signature: Option<String>| {
        let mut request =
            axum::http::Request::post("/api/v1/leaks").header("content-type", "application/json");
        if let Some(signature) = signature {
            request = request.header("x-hub-signature-256", signature);
        }
        app.request(request.body(axum::body::Body::from(body.clone())).unwrap())
    };
    assert_eq!(send(None).await.status, 401);
    assert_eq!(send(Some("sha256=00".into())).await.status, 401);
    assert_eq!(
        info_code(&app, &value).await,
        "ok",
        "an unsigned report did nothing"
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(send(Some(format!("sha256={hex}"))).await.status, 200);
    assert_eq!(info_code(&app, &value).await, "token_leaked");
    app.teardown().await;
}
