use axum::{body::Body, http::Request};

use crate::{on_both_engines, support::TestApp};

on_both_engines!(
    home_page_is_rendered_on_the_server,
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
    assert!(html.contains("Check database"), "{html}");
    assert!(
        html.contains("/pkg/frontend.js"),
        "hydration script missing: {html}"
    );
    assert!(
        html.contains("/pkg/tessera.css"),
        "stylesheet missing: {html}"
    );
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
