use axum::{body::Body, http::Request};

use crate::{on_both_engines, support::TestApp};

on_both_engines!(
    home_page_is_rendered_on_the_server,
    home_page_shows_a_signed_in_person_what_needs_attention,
    home_page_lists_the_ten_most_urgent_and_counts_the_rest,
    unknown_page_is_an_html_404,
    check_database_server_function_reads_the_database,
);

async fn home_page_is_rendered_on_the_server(app: &TestApp) {
    let response = app.get("/").await;

    assert_eq!(response.status, 200);
    assert!(
        response
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text();
    assert!(html.contains("<title>Home · Tessera</title>"), "{html}");
    assert!(
        html.contains(r#"<a class="button button--primary" href="/login">Sign in</a>"#),
        "{html}"
    );
    // The database check is for signed-in people only.
    assert!(!html.contains("Check database"), "{html}");
    let versioned = bundle_dir(html);
    assert!(
        html.contains(&format!("{versioned}/frontend.js")),
        "hydration script missing: {html}"
    );
    assert!(
        html.contains(&format!(
            r#"<link rel="stylesheet" id="tessera-style" href="{versioned}/tessera.css">"#
        )),
        "stylesheet missing: {html}"
    );
}

/// `/pkg/VERSION`, where the page loads the bundle from.
fn bundle_dir(html: &str) -> String {
    let start = html.find("/pkg/").expect("the page names the bundle");
    let version: String = html[start + 5..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(
        version.len(),
        16,
        "a 16-digit version: {}",
        &html[start..start + 40]
    );
    format!("/pkg/{version}")
}

async fn home_page_shows_a_signed_in_person_what_needs_attention(app: &TestApp) {
    use app::token::{ExpiryInput, TokenInput};

    app.create_user(
        "alice",
        "correct horse battery staple",
        app::account::Role::User,
    )
    .await;
    let token = |description: &str, expiry: ExpiryInput| TokenInput {
        description: Some(description.to_owned()),
        expiry: Some(expiry),
        ..TokenInput::default()
    };
    let (soon_value, _) = app
        .token_for(
            "alice",
            token("Ends soon", ExpiryInput::Lasting("3d".into())),
        )
        .await;
    app.token_for("alice", token("Far off", ExpiryInput::Lasting("8d".into())))
        .await;
    let (_, idle) = app
        .token_for("alice", token("Left idle", ExpiryInput::Never))
        .await;
    app.exec(&format!(
        "update access_tokens set created_at = created_at - 31 * 86400 where token_id = {idle}"
    ))
    .await;
    let cookie = app.sign_in("alice", "correct horse battery staple").await;

    let response = app.get_with_session("/", &cookie).await;
    let html = response.text();

    assert!(html.contains("Welcome, alice display"), "{html}");
    assert!(html.contains("Needs attention"), "{html}");
    let attention = &html[html.find("Needs attention").unwrap()..];
    let soon = attention
        .find("Ends soon")
        .expect("the token that ends in 3 days");
    let idle = attention
        .find("Left idle")
        .expect("the token unused for 31 days");
    assert!(
        soon < idle,
        "what expires comes before what is unused: {attention}"
    );
    assert!(attention.contains("Ends in 2 days") || attention.contains("Ends in 3 days"));
    assert!(
        attention.contains("Never used in 30 days or more"),
        "{attention}"
    );
    assert!(
        !html.contains("Far off"),
        "a token 8 days from its end is fine: {html}"
    );
    assert!(html.contains("3 access tokens in date."), "{html}");
    assert!(html.contains("Check database"), "{html}");
    assert!(!html.contains(&soon_value), "a token value on the page");
}

async fn home_page_lists_the_ten_most_urgent_and_counts_the_rest(app: &TestApp) {
    use app::token::{ExpiryInput, TokenInput};

    app.create_user(
        "alice",
        "correct horse battery staple",
        app::account::Role::User,
    )
    .await;
    for n in 1..=12 {
        let input = TokenInput {
            description: Some(format!("Soon {n}")),
            expiry: Some(ExpiryInput::Lasting("3d".into())),
            ..TokenInput::default()
        };
        app.token_for("alice", input).await;
    }
    let (_, ended) = app
        .token_for(
            "alice",
            TokenInput {
                description: Some("Ended".into()),
                expiry: Some(ExpiryInput::Lasting("3d".into())),
                ..TokenInput::default()
            },
        )
        .await;
    app.exec(&format!(
        "update access_tokens set expires_at = expires_at - 4 * 86400 where token_id = {ended}"
    ))
    .await;
    let cookie = app.sign_in("alice", "correct horse battery staple").await;

    let html = app.get_with_session("/", &cookie).await.text().to_owned();

    assert!(html.contains("12 access tokens in date."), "{html}");
    let attention = &html[html.find("Needs attention").unwrap()..];
    assert_eq!(
        attention.matches("attention__item").count(),
        10,
        "{attention}"
    );
    assert!(
        attention.find("Ended").unwrap() < attention.find("Soon ").unwrap(),
        "the expired one first: {attention}"
    );
    assert!(attention.contains("And 3 more: see"), "{attention}");
}

async fn unknown_page_is_an_html_404(app: &TestApp) {
    let response = app.get("/no/such/page").await;

    assert_eq!(response.status, 404);
    assert!(response.text().contains("Page not found"));
}

async fn check_database_server_function_reads_the_database(app: &TestApp) {
    app.create_user(
        "alice",
        "correct horse battery staple",
        app::account::Role::User,
    )
    .await;
    let cookie = app.sign_in("alice", "correct horse battery staple").await;
    let response = app
        .request(
            Request::post("/_fn/check_database")
                .header("content-type", "application/json")
                .header("accept", "application/json")
                .header("sec-fetch-site", "same-origin")
                .header("cookie", format!("tessera_session={cookie}"))
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;

    assert_eq!(response.status, 200, "{}", response.text());
    let report = response.json();
    assert_eq!(report["engine"], app.database.engine().as_str());
    assert!(!report["server_version"].as_str().unwrap().is_empty());
    let applied: i64 = sqlx::query_scalar("select count(*) from _sqlx_migrations")
        .fetch_one(app.database.pool())
        .await
        .unwrap();
    assert!(applied >= 1);
    assert_eq!(report["migrations_applied"], applied);
}
