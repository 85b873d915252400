use crate::{on_both_engines, support::TestApp};

on_both_engines!(
    healthz_reports_version_engine_and_database,
    healthz_is_503_without_database
);

async fn healthz_reports_version_engine_and_database(app: &TestApp) {
    let response = app.get("/healthz").await;

    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let body = response.json();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["storage"], app.database.engine().as_str());
    assert_eq!(body["database"]["reachable"], true);
    assert!(body["database"]["latency_ms"].as_f64().is_some());
}

async fn healthz_is_503_without_database(app: &TestApp) {
    app.database.close().await;

    let response = app.get("/healthz").await;

    assert_eq!(response.status, 503, "{}", response.text());
    let body = response.json();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["database"]["reachable"], false);
}
