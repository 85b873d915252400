//! The WASM bundle and stylesheet: precompressed (brotli, gzip) files picked by
//! `Accept-Encoding`. Pages load them from `/pkg/VERSION/`, where VERSION is a digest of the
//! bundle's files: that address never serves other bytes, so browsers keep them for a year
//! without asking again. `/pkg/` itself serves the same files, revalidated by `Last-Modified`
//! (for pages that name them without a version: the API reference).

use std::{io, path::Path};

use axum::{Router, http::HeaderValue};
use sha2::{Digest as _, Sha256};
use tower::Layer as _;
use tower_http::{
    services::ServeDir,
    set_header::{SetResponseHeader, SetResponseHeaderLayer},
};

use crate::config::PKG_DIR;

const REVALIDATED: &str = "public, max-age=0, must-revalidate";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `pkg/VERSION`, the directory pages name the bundle's files under: VERSION is the first 16
/// hex digits of a SHA-256 over the names and contents of the files in `pkg/`.
pub fn versioned_pkg_dir(site_root: &Path) -> io::Result<String> {
    let mut files: Vec<_> = std::fs::read_dir(site_root.join(PKG_DIR))?
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
        .map(|entry| entry.path())
        .collect();
    files.sort();
    let mut digest = Sha256::new();
    for file in files {
        digest.update(file.file_name().unwrap_or_default().as_encoded_bytes());
        digest.update([0]);
        digest.update(std::fs::read(&file)?);
    }
    let version: String = digest
        .finalize()
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    Ok(format!("{PKG_DIR}/{version}"))
}

/// `/pkg/` (revalidated) and, when pages name a versioned directory, `/{pkg_dir}/` (kept).
pub fn routes<S: Clone + Send + Sync + 'static>(site_root: &Path, pkg_dir: &str) -> Router<S> {
    let router = Router::new().nest_service(&format!("/{PKG_DIR}"), files(site_root, REVALIDATED));
    if pkg_dir == PKG_DIR {
        router
    } else {
        router.nest_service(&format!("/{pkg_dir}"), files(site_root, IMMUTABLE))
    }
}

fn files(
    site_root: &Path,
    cache_control: &'static str,
) -> SetResponseHeader<ServeDir, HeaderValue> {
    let files = ServeDir::new(site_root.join(PKG_DIR))
        .precompressed_br()
        .precompressed_gzip();
    SetResponseHeaderLayer::overriding(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    )
    .layer(files)
}
