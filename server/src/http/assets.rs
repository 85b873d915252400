//! The WASM bundle and stylesheet: precompressed (brotli, gzip) files picked by
//! `Accept-Encoding`, revalidated by `Last-Modified` since their names carry no hash.

use std::path::Path;

use axum::http::HeaderValue;
use tower::Layer as _;
use tower_http::{
    services::ServeDir,
    set_header::{SetResponseHeader, SetResponseHeaderLayer},
};

use crate::config::PKG_DIR;

pub fn service(site_root: &Path) -> SetResponseHeader<ServeDir, HeaderValue> {
    let files = ServeDir::new(site_root.join(PKG_DIR))
        .precompressed_br()
        .precompressed_gzip();
    SetResponseHeaderLayer::overriding(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=0, must-revalidate"),
    )
    .layer(files)
}
