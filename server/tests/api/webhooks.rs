//! Webhooks against a real receiver on loopback (the tests allow private addresses, as
//! `TESSERA_WEBHOOK_ALLOW_PRIVATE=true` does): signed deliveries that never carry a token's
//! value, retries that survive a restart, who hears of what, and the address check.

use std::{
    collections::VecDeque,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use app::{account::Role, webhook::WebhookInput};
use axum::{Router, body::Bytes, extract::State, http::HeaderMap, routing::post};
use serde_json::{Value, json};
use server::services::webhooks::{WebhookError, WebhookOwner, WebhookService, signature};

use crate::{
    on_both_engines,
    support::{Auth, TestApp, TestResponse, json_request, spec},
};

const PASSWORD: &str = "wren's long password";

on_both_engines!(
    a_regeneration_is_delivered_signed_and_without_the_value,
    a_failed_delivery_is_retried_and_survives_a_restart,
    each_endpoint_hears_only_of_its_tokens_and_admins_of_everyones,
    token_ends_are_announced_once_per_lead_time,
    a_replaced_value_used_after_its_grace_is_announced,
    endpoints_may_not_point_inside_the_network_unless_allowed,
    a_delivery_is_checked_again_when_it_is_sent,
);

#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: String,
}

#[derive(Clone, Default)]
struct Inbox {
    received: Arc<Mutex<Vec<Received>>>,
    /// Statuses to answer, in order; 200 once they run out.
    statuses: Arc<Mutex<VecDeque<u16>>>,
}

/// A webhook receiver on a free loopback port.
struct Receiver {
    addr: SocketAddr,
    inbox: Inbox,
}

impl Receiver {
    async fn start() -> Self {
        let inbox = Inbox::default();
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(inbox.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, inbox }
    }

    fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    fn answer_next(&self, statuses: &[u16]) {
        self.inbox.statuses.lock().unwrap().extend(statuses);
    }

    fn received(&self) -> Vec<Received> {
        self.inbox.received.lock().unwrap().clone()
    }
}

async fn receive(
    State(inbox): State<Inbox>,
    headers: HeaderMap,
    body: Bytes,
) -> axum::http::StatusCode {
    inbox.received.lock().unwrap().push(Received {
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let status = inbox.statuses.lock().unwrap().pop_front().unwrap_or(200);
    axum::http::StatusCode::from_u16(status).unwrap()
}

async fn person(app: &TestApp, login: &str, role: Role) -> String {
    app.create_user(login, PASSWORD, role).await;
    app.sign_in(login, PASSWORD).await
}

async fn register(app: &TestApp, cookie: &str, body: Value) -> TestResponse {
    let mut body = body;
    body["password"] = json!(PASSWORD);
    json_request(
        app,
        "POST",
        "/api/v1/webhooks",
        Auth::Session(cookie),
        Some(body),
    )
    .await
}

async fn registered(app: &TestApp, cookie: &str, body: Value) -> (i64, String) {
    let answer = register(app, cookie, body).await;
    assert_eq!(answer.status, 201, "{}", answer.text());
    let json = answer.json();
    (
        json["webhook"]["id"].as_i64().unwrap(),
        json["secret"].as_str().unwrap().to_owned(),
    )
}

async fn deliveries(app: &TestApp, cookie: &str, webhook_id: i64) -> Vec<Value> {
    let answer = json_request(
        app,
        "GET",
        &format!("/api/v1/webhooks/{webhook_id}/deliveries"),
        Auth::Session(cookie),
        None,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()["deliveries"].as_array().unwrap().clone()
}

async fn a_regeneration_is_delivered_signed_and_without_the_value(app: &TestApp) {
    let receiver = Receiver::start().await;
    let cookie = person(app, "wren", Role::User).await;
    let (webhook_id, secret) = registered(
        app,
        &cookie,
        json!({ "url": receiver.url(), "events": ["token.regenerated", "token.removed"] }),
    )
    .await;
    assert!(
        secret.starts_with("whsec_") && secret.len() > 40,
        "{secret}"
    );
    let listed = json_request(app, "GET", "/api/v1/webhooks", Auth::Session(&cookie), None).await;
    assert!(
        !listed.text().contains(&secret),
        "lists never show the secret"
    );

    let (old, id) = app.token_for("wren", spec("extended_access")).await;
    let regenerated = json_request(
        app,
        "POST",
        &format!("/api/v1/tokens/{id}/regenerate"),
        Auth::Session(&cookie),
        Some(json!({ "password": PASSWORD, "grace": "1h" })),
    )
    .await;
    let new = regenerated.json()["value"].as_str().unwrap().to_owned();
    assert_eq!(app.services.webhooks.deliver_due().await.unwrap(), 1);

    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let delivery = &received[0];
    let body: Value = serde_json::from_str(&delivery.body).unwrap();
    assert_eq!(body["event"], "token.regenerated");
    assert_eq!(body["token"]["id"], id);
    assert_eq!(body["token"]["owner"], "wren");
    assert_eq!(body["token"]["hint"], &new[new.len() - 4..]);
    assert!(body["old_value_expires_at"].is_string(), "{body}");
    assert!(!delivery.body.contains(&new) && !delivery.body.contains(&old));
    assert_eq!(delivery.headers["tessera-event"], "token.regenerated");
    let signed = delivery.headers["tessera-signature"].to_str().unwrap();
    let timestamp: i64 = signed
        .strip_prefix("t=")
        .and_then(|rest| rest.split(',').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!((timestamp - server::clock::now()).abs() < 60);
    assert_eq!(signed, signature(&secret, timestamp, &delivery.body));
    assert_ne!(
        signed,
        signature("whsec_another", timestamp, &delivery.body)
    );

    let listed = deliveries(app, &cookie, webhook_id).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["last_status"], 200);
    assert!(listed[0]["delivered_at"].is_i64());

    // Redeliver sends the same event again, as a new delivery.
    let again = json_request(
        app,
        "POST",
        &format!("/api/v1/webhooks/deliveries/{}/redeliver", listed[0]["id"]),
        Auth::Session(&cookie),
        None,
    )
    .await;
    assert_eq!(again.status, 202, "{}", again.text());
    assert_eq!(app.services.webhooks.deliver_due().await.unwrap(), 1);
    assert_eq!(receiver.received()[1].body, delivery.body);
    assert_eq!(deliveries(app, &cookie, webhook_id).await.len(), 2);

    // Removed, the endpoint hears nothing more.
    let removed = json_request(
        app,
        "DELETE",
        &format!("/api/v1/webhooks/{webhook_id}"),
        Auth::Session(&cookie),
        Some(json!({ "password": PASSWORD })),
    )
    .await;
    assert_eq!(removed.status, 204, "{}", removed.text());
    let gone = json_request(
        app,
        "DELETE",
        &format!("/api/v1/tokens/{id}"),
        Auth::Session(&cookie),
        Some(json!({ "password": PASSWORD })),
    )
    .await;
    assert_eq!(gone.status, 200, "{}", gone.text());
    assert_eq!(app.services.webhooks.deliver_due().await.unwrap(), 0);
    assert_eq!(receiver.received().len(), 2);
}

async fn a_failed_delivery_is_retried_and_survives_a_restart(app: &TestApp) {
    let receiver = Receiver::start().await;
    receiver.answer_next(&[503]);
    let cookie = person(app, "wren", Role::User).await;
    let (webhook_id, _) = registered(app, &cookie, json!({ "url": receiver.url() })).await;
    let (_, id) = app.token_for("wren", spec("extended_access")).await;
    let removed = json_request(
        app,
        "DELETE",
        &format!("/api/v1/tokens/{id}"),
        Auth::Session(&cookie),
        Some(json!({ "password": PASSWORD })),
    )
    .await;
    assert_eq!(removed.status, 200);
    assert_eq!(app.services.webhooks.deliver_due().await.unwrap(), 1);
    let first = &deliveries(app, &cookie, webhook_id).await[0];
    assert_eq!(first["last_status"], 503);
    assert_eq!(first["attempts"], 1);
    assert!(first["delivered_at"].is_null());
    let retry_at = first["next_attempt_at"].as_i64().unwrap();
    assert!(
        retry_at >= server::clock::now() + 5,
        "backs off: {retry_at}"
    );
    // Not due yet: nothing is sent.
    assert_eq!(app.services.webhooks.deliver_due().await.unwrap(), 0);

    // The server stops; another starts on the same database once the retry is due.
    app.exec("update webhook_deliveries set next_attempt_at = 0")
        .await;
    let restarted = app.replica().await;
    assert_eq!(restarted.services.webhooks.deliver_due().await.unwrap(), 1);
    let delivered = &deliveries(app, &cookie, webhook_id).await[0];
    assert_eq!(delivered["last_status"], 200);
    assert_eq!(delivered["attempts"], 2);
    let bodies: Vec<Value> = receiver
        .received()
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0], bodies[1], "the same event, retried");
    assert_eq!(bodies[0]["event"], "token.removed");
    restarted.teardown().await;
}

async fn each_endpoint_hears_only_of_its_tokens_and_admins_of_everyones(app: &TestApp) {
    let wrens = Receiver::start().await;
    let admins = Receiver::start().await;
    let wren = person(app, "wren", Role::User).await;
    let kit = person(app, "kit", Role::User).await;
    let root = person(app, "root", Role::Admin).await;
    registered(app, &wren, json!({ "url": wrens.url() })).await;
    let refused = register(
        app,
        &kit,
        json!({ "url": admins.url(), "all_people": true }),
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.text());
    registered(
        app,
        &root,
        json!({ "url": admins.url(), "all_people": true }),
    )
    .await;

    for (login, cookie) in [("wren", &wren), ("kit", &kit)] {
        let (_, id) = app.token_for(login, spec("extended_access")).await;
        let removed = json_request(
            app,
            "DELETE",
            &format!("/api/v1/tokens/{id}"),
            Auth::Session(cookie),
            Some(json!({ "password": PASSWORD })),
        )
        .await;
        assert_eq!(removed.status, 200);
    }
    app.services.webhooks.deliver_due().await.unwrap();
    let owners = |receiver: &Receiver| -> Vec<String> {
        let mut owners: Vec<String> = receiver
            .received()
            .iter()
            .map(|r| {
                let body: Value = serde_json::from_str(&r.body).unwrap();
                body["token"]["owner"].as_str().unwrap().to_owned()
            })
            .collect();
        owners.sort();
        owners
    };
    assert_eq!(owners(&wrens), ["wren"]);
    assert_eq!(owners(&admins), ["kit", "wren"]);

    // A disabled admin's endpoint hears nothing more, of anyone.
    app.exec("update users set disabled_at = 1 where login = 'root'")
        .await;
    let (_, id) = app.token_for("kit", spec("extended_access")).await;
    let removed = json_request(
        app,
        "DELETE",
        &format!("/api/v1/tokens/{id}"),
        Auth::Session(&kit),
        Some(json!({ "password": PASSWORD })),
    )
    .await;
    assert_eq!(removed.status, 200);
    app.services.webhooks.deliver_due().await.unwrap();
    assert_eq!(owners(&admins), ["kit", "wren"]);

    // Someone else's endpoint is not there for you.
    let wrens_hook = json_request(app, "GET", "/api/v1/webhooks", Auth::Session(&wren), None)
        .await
        .json()["webhooks"][0]["id"]
        .as_i64()
        .unwrap();
    let other = json_request(
        app,
        "DELETE",
        &format!("/api/v1/webhooks/{wrens_hook}"),
        Auth::Session(&kit),
        Some(json!({ "password": PASSWORD })),
    )
    .await;
    assert_eq!(other.status, 404, "{}", other.text());
    let listed = deliveries(app, &wren, wrens_hook).await;
    for (method, uri) in [
        ("GET", format!("/api/v1/webhooks/{wrens_hook}/deliveries")),
        (
            "POST",
            format!("/api/v1/webhooks/deliveries/{}/redeliver", listed[0]["id"]),
        ),
    ] {
        let theirs = json_request(app, method, &uri, Auth::Session(&kit), None).await;
        assert_eq!(theirs.status, 404, "{method} {uri}: {}", theirs.text());
    }
}

async fn token_ends_are_announced_once_per_lead_time(app: &TestApp) {
    let receiver = Receiver::start().await;
    let cookie = person(app, "wren", Role::User).await;
    registered(
        app,
        &cookie,
        json!({ "url": receiver.url(), "events": ["token.expiring", "token.expired"],
                "lead_times": "7d 1d" }),
    )
    .await;
    let (_, id) = app.token_for("wren", spec("extended_access")).await;
    let now = server::clock::now();
    app.exec(&format!(
        "update access_tokens set expiration = 'hard_limit', expires_at = {} where token_id = {id}",
        now + 3 * 86_400
    ))
    .await;
    let webhooks = &app.services.webhooks;
    assert_eq!(
        webhooks.announce_token_ends(now).await.unwrap(),
        1,
        "within 7d"
    );
    assert_eq!(webhooks.announce_token_ends(now).await.unwrap(), 0, "once");
    assert_eq!(
        webhooks
            .announce_token_ends(now + 2 * 86_400 + 60)
            .await
            .unwrap(),
        1,
        "within 1d"
    );
    assert_eq!(
        webhooks
            .announce_token_ends(now + 3 * 86_400 + 1)
            .await
            .unwrap(),
        1,
        "expired"
    );
    assert_eq!(
        webhooks
            .announce_token_ends(now + 3 * 86_400 + 2)
            .await
            .unwrap(),
        0
    );
    // Two days past the end its notices are forgotten; nothing is announced again.
    assert_eq!(webhooks.prune(now + 5 * 86_400 + 1).await.unwrap(), 3);
    assert_eq!(
        webhooks
            .announce_token_ends(now + 5 * 86_400 + 2)
            .await
            .unwrap(),
        0
    );
    // Queued at the scans' (future) instants: due now.
    app.exec("update webhook_deliveries set next_attempt_at = 0")
        .await;
    assert_eq!(webhooks.deliver_due().await.unwrap(), 3);
    // Delivered deliveries stay listed for 30 days, then go.
    let today = server::clock::now();
    assert_eq!(webhooks.prune(today + 29 * 86_400).await.unwrap(), 0);
    assert_eq!(webhooks.prune(today + 31 * 86_400).await.unwrap(), 3);
    let events: Vec<(String, String)> = receiver
        .received()
        .iter()
        .map(|r| {
            let body: Value = serde_json::from_str(&r.body).unwrap();
            (
                body["event"].as_str().unwrap().to_owned(),
                body["lead_time"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            ("token.expiring".to_owned(), "7d".to_owned()),
            ("token.expiring".to_owned(), "1d".to_owned()),
            ("token.expired".to_owned(), String::new()),
        ]
    );
}

async fn a_replaced_value_used_after_its_grace_is_announced(app: &TestApp) {
    let receiver = Receiver::start().await;
    let cookie = person(app, "wren", Role::User).await;
    registered(
        app,
        &cookie,
        json!({ "url": receiver.url(), "events": ["token.used_after_grace"] }),
    )
    .await;
    let (old, id) = app.token_for("wren", spec("extended_access")).await;
    let regenerated = json_request(
        app,
        "POST",
        &format!("/api/v1/tokens/{id}/regenerate"),
        Auth::Session(&cookie),
        Some(json!({ "password": PASSWORD, "grace": "1h" })),
    )
    .await;
    let new = regenerated.json()["value"].as_str().unwrap().to_owned();
    let info = |value: String| async move {
        app.get(&format!(
            "/1.0/users/account/rest/getuserinfo?session={value}"
        ))
        .await
        .json()
    };
    assert_eq!(
        info(new.clone()).await["result"],
        0,
        "the first use ends the grace"
    );
    for _ in 0..3 {
        assert_eq!(info(old.clone()).await["code"], "token_regenerated");
    }
    // Queued off the request's path: wait for it, then deliver.
    let started = Instant::now();
    while app.services.webhooks.deliver_due().await.unwrap() == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "nothing was queued"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.services.webhooks.deliver_due().await.unwrap();
    let received = receiver.received();
    assert_eq!(
        received.len(),
        1,
        "once, however often the old value is tried"
    );
    let body: Value = serde_json::from_str(&received[0].body).unwrap();
    assert_eq!(body["event"], "token.used_after_grace");
    assert_eq!(body["token"]["id"], id);
    assert!(!received[0].body.contains(&old));
}

async fn endpoints_may_not_point_inside_the_network_unless_allowed(app: &TestApp) {
    let cookie = person(app, "wren", Role::User).await;
    let strict = WebhookService::new(app.database.clone(), false);
    let session = app
        .services
        .accounts
        .session_user(&cookie)
        .await
        .unwrap()
        .expect("signed in");
    let owner = WebhookOwner::of_session(&session);
    for url in [
        "http://127.0.0.1:9/hook",
        "http://[::1]:9/hook",
        "http://localhost/hook",
    ] {
        let input = WebhookInput {
            url: url.into(),
            ..WebhookInput::default()
        };
        match strict.decide(&owner, &input).await {
            Err(WebhookError::Address(message)) => {
                assert!(message.contains("inside the network"), "{url}: {message}")
            }
            other => panic!("{url}: {other:?}"),
        }
    }
    let bad = register(app, &cookie, json!({ "url": "ftp://example.com/" })).await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    assert!(bad.text().contains("https://"), "{}", bad.text());
    let wrong_password = json_request(
        app,
        "POST",
        "/api/v1/webhooks",
        Auth::Session(&cookie),
        Some(json!({ "url": "http://127.0.0.1:9/hook", "password": "not it" })),
    )
    .await;
    assert_eq!(wrong_password.status, 403);
    let none = json_request(app, "GET", "/api/v1/webhooks", Auth::Session(&cookie), None).await;
    assert_eq!(none.json()["webhooks"], json!([]));
}

async fn a_delivery_is_checked_again_when_it_is_sent(app: &TestApp) {
    let receiver = Receiver::start().await;
    let cookie = person(app, "wren", Role::User).await;
    let (webhook_id, _) = registered(app, &cookie, json!({ "url": receiver.url() })).await;
    let (_, id) = app.token_for("wren", spec("extended_access")).await;
    let removed = json_request(
        app,
        "DELETE",
        &format!("/api/v1/tokens/{id}"),
        Auth::Session(&cookie),
        Some(json!({ "password": PASSWORD })),
    )
    .await;
    assert_eq!(removed.status, 200);
    // A server that does not allow private addresses refuses to send it there, whatever was
    // allowed when it was added (as if its name now resolved inside the network).
    let strict = WebhookService::new(app.database.clone(), false);
    assert_eq!(strict.deliver_due().await.unwrap(), 1);
    assert!(receiver.received().is_empty());
    let failed = &deliveries(app, &cookie, webhook_id).await[0];
    assert!(failed["last_status"].is_null());
    assert!(
        failed["last_error"]
            .as_str()
            .unwrap()
            .contains("inside the network"),
        "{failed}"
    );
    assert!(failed["delivered_at"].is_null());
}
