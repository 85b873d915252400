//! Where the server finds the files it serves, independent of the working directory.

use std::path::{Path, PathBuf};

/// The directory under the site root that holds the bundle (`/pkg/...` in URLs).
pub const PKG_DIR: &str = "pkg";
/// The name Trunk gives the bundle's JS and WASM files (`frontend.js`, `frontend_bg.wasm`).
pub const BUNDLE_NAME: &str = "frontend";

#[derive(Debug, thiserror::Error)]
#[error(
    "the dashboard's WASM bundle was not found (looked for {pkg}/{BUNDLE_NAME}.js in {}); \
     `./dev.sh build` builds it (`./dev.sh serve` builds and serves); or pass --site-root \
     (TESSERA_SITE_ROOT) naming the directory that holds `{pkg}/`",
    .searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
    pkg = PKG_DIR
)]
pub struct SiteNotFound {
    pub searched: Vec<PathBuf>,
}

/// The explicit site root if given, otherwise `site/` next to the executable or one level up
/// (the build leaves the binary in `<target>/release/` and the site in `<target>/site/`).
pub fn resolve_site_root(explicit: Option<&Path>) -> Result<PathBuf, SiteNotFound> {
    let candidates: Vec<PathBuf> = match explicit {
        Some(path) => vec![path.to_path_buf()],
        None => executable_dir()
            .map(|dir| vec![dir.join("site"), dir.join("../site")])
            .unwrap_or_default(),
    };
    candidates
        .iter()
        .find(|root| has_bundle(root))
        .map(|root| root.canonicalize().unwrap_or_else(|_| root.clone()))
        .ok_or(SiteNotFound {
            searched: candidates,
        })
}

fn has_bundle(root: &Path) -> bool {
    root.join(PKG_DIR)
        .join(format!("{BUNDLE_NAME}.js"))
        .is_file()
}

fn executable_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let exe = exe.canonicalize().unwrap_or(exe);
    exe.parent().map(Path::to_path_buf)
}
