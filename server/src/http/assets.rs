//! The WASM bundle and stylesheet: precompressed (brotli, gzip) files picked by
//! `Accept-Encoding`. Pages load them from `/pkg/VERSION/`, where VERSION is a digest of the
//! bundle's files: that address never serves other bytes, so browsers keep them for a year
//! without asking again. `/pkg/` itself serves the same files, revalidated by `Last-Modified`
//! (for pages that name them without a version: the API reference).

use std::{io, path::Path};

use axum::{
    Router,
    http::{
        HeaderValue,
        header::{CACHE_CONTROL, VARY},
    },
    middleware,
    response::Response,
};
use sha2::{Digest as _, Sha256};
use tower_http::services::ServeDir;

use crate::config::PKG_DIR;

const REVALIDATED: &str = "public, max-age=0, must-revalidate";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `pkg/VERSION`, the directory pages name the bundle's files under: VERSION is the first 16
/// hex digits of a SHA-256 over the paths and contents of every file under `pkg/`.
pub fn versioned_pkg_dir(site_root: &Path) -> io::Result<String> {
    let pkg = site_root.join(PKG_DIR);
    let mut files = Vec::new();
    let mut folders = vec![pkg.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder)? {
            let path = entry?.path();
            // `is_dir` follows links: a linked file or folder counts as what it points at.
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut digest = Sha256::new();
    for file in files {
        let name = file.strip_prefix(&pkg).unwrap_or(&file);
        digest.update(name.as_os_str().as_encoded_bytes());
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

/// The files, with `cache_control` on what is found (an error is not to be kept) and
/// `Vary: Accept-Encoding`, since one address answers brotli, gzip or plain bytes.
fn files(site_root: &Path, cache_control: &'static str) -> Router {
    let files = ServeDir::new(site_root.join(PKG_DIR))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .fallback_service(files)
        .layer(middleware::map_response(
            move |mut response: Response| async move {
                let found = response.status().is_success();
                let headers = response.headers_mut();
                if found {
                    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache_control));
                }
                headers.append(VARY, HeaderValue::from_static("accept-encoding"));
                response
            },
        ))
}
