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
        assert_eq!(response.header("vary"), Some("accept-encoding"));
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

#[tokio::test]
async fn pages_name_the_bundle_by_version_and_that_address_is_kept_for_a_year() {
    let app = TestApp::sqlite().await;
    let html = app.get("/login").await.text().to_owned();
    let link = html
        .split('"')
        .find(|part| part.ends_with("/tessera.css"))
        .expect("the page links the stylesheet");
    let dir = link.strip_suffix("/tessera.css").unwrap();
    assert_ne!(dir, "/pkg", "the page names a version: {link}");

    let kept = app.get(&format!("{dir}/tessera.css")).await;
    assert_eq!(kept.status, 200);
    assert_eq!(kept.text(), "body { margin: 0 }\n");
    assert_eq!(
        kept.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(kept.header("vary"), Some("accept-encoding"));
    // Another version is not this bundle: no answer to keep.
    let other = app.get("/pkg/0123456789abcdef/tessera.css").await;
    assert_eq!(other.status, 404);
    assert_eq!(other.header("cache-control"), Some("no-store"));
    let missing = app.get(&format!("{dir}/nope.js")).await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("cache-control"),
        Some("no-store"),
        "a miss is not kept"
    );
    app.teardown().await;
}

#[test]
fn the_version_follows_the_files() {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    std::fs::write(pkg.join("frontend.js"), "one").unwrap();
    let version = || server::http::assets::versioned_pkg_dir(site.path()).unwrap();
    let first = version();

    assert_eq!(version(), first, "the same files, the same version");
    std::fs::write(pkg.join("frontend.js"), "two").unwrap();
    let changed = version();
    assert_ne!(changed, first, "a changed file is a new version");
    std::fs::write(pkg.join("tessera.css"), "").unwrap();
    let added = version();
    assert_ne!(added, changed, "a new file is a new version");
    std::fs::create_dir(pkg.join("snippets")).unwrap();
    std::fs::write(pkg.join("snippets").join("inline0.js"), "x").unwrap();
    assert_ne!(version(), added, "files in folders count too");
}
