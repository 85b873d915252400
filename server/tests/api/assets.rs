use axum::{body::Body, http::Request};

use crate::support::TestApp;

#[tokio::test]
async fn bundle_files_are_served_precompressed_and_revalidated() {
    let app = TestApp::sqlite().await;
    let get = |encoding: &'static str| {
        Request::get("/pkg/tessera.css")
            .header("accept-encoding", encoding)
            .body(Body::empty())
    };

    let brotli = app.request(get("gzip, deflate, br").unwrap()).await;
    let gzip = app.request(get("gzip").unwrap()).await;
    let plain = app.request(get("identity").unwrap()).await;

    assert_eq!(brotli.header("content-encoding"), Some("br"));
    assert_eq!(brotli.text(), "brotli stand-in");
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.text(), "body { margin: 0 }\n");
    for response in [&brotli, &gzip, &plain] {
        assert_eq!(response.status, 200);
        assert_eq!(response.header("content-type"), Some("text/css"));
        assert_eq!(
            response.header("cache-control"),
            Some("public, max-age=0, must-revalidate")
        );
        assert!(response.header("last-modified").is_some());
    }
    app.teardown().await;
}

#[tokio::test]
async fn missing_bundle_file_is_404() {
    let app = TestApp::sqlite().await;
    assert_eq!(app.get("/pkg/nope.js").await.status, 404);
    app.teardown().await;
}
