//! Loading the API catalog: the file shipped in the repository, or one an operator names;
//! and the operator's routes file, whose upstream methods join the catalog and whose routes
//! `/auth/verify` checks. A file that does not parse, is inconsistent, or names a method this
//! server does not implement stops the start with a message naming the entry.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use app::catalog::{Catalog, CatalogError, RawCatalog, RawUpstreams};
use serde::de::DeserializeOwned;

use crate::services::{
    gateway::{ProtectedRoutes, RoutesError},
    platform,
};

pub const SHIPPED: &str = include_str!("../../catalog/api.toml");

#[derive(Debug, thiserror::Error)]
pub enum CatalogLoadError {
    #[error("cannot read the API catalog {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid TOML: {message}")]
    Parse { path: String, message: String },
    #[error("{0}")]
    Invalid(#[from] CatalogError),
    #[error("the routes file {path}: {error}")]
    Routes { path: String, error: RoutesError },
}

/// The catalog with the routes file's methods, and the table of protected routes.
pub struct Loaded {
    pub catalog: Arc<Catalog>,
    pub routes: Arc<ProtectedRoutes>,
}

pub fn load_with_routes(
    catalog_path: Option<&Path>,
    routes_path: Option<&Path>,
) -> Result<Loaded, CatalogLoadError> {
    let catalog = load(catalog_path)?;
    let Some(path) = routes_path else {
        let routes =
            ProtectedRoutes::new(&catalog, &[]).map_err(|error| CatalogLoadError::Routes {
                path: "(none)".into(),
                error,
            })?;
        return Ok(Loaded {
            catalog,
            routes: Arc::new(routes),
        });
    };
    let shown = path.display().to_string();
    let upstreams: RawUpstreams = parse_toml(&read(path)?, &shown)?;
    let catalog = Catalog::clone(&catalog).with_upstreams(upstreams.services, upstreams.methods)?;
    let routes = ProtectedRoutes::new(&catalog, &upstreams.public)
        .map_err(|error| CatalogLoadError::Routes { path: shown, error })?;
    Ok(Loaded {
        catalog: Arc::new(catalog),
        routes: Arc::new(routes),
    })
}

fn read(path: &Path) -> Result<String, CatalogLoadError> {
    std::fs::read_to_string(path).map_err(|source| CatalogLoadError::Read {
        path: path.to_owned(),
        source,
    })
}

pub fn load(path: Option<&Path>) -> Result<Arc<Catalog>, CatalogLoadError> {
    match path {
        Some(path) => parse(&read(path)?, &path.display().to_string()),
        None => parse(SHIPPED, "catalog/api.toml"),
    }
}

/// The catalog shipped with the server (its tests prove it valid).
pub fn shipped() -> Arc<Catalog> {
    parse(SHIPPED, "catalog/api.toml").expect("the shipped API catalog is valid")
}

fn parse_toml<T: DeserializeOwned>(text: &str, shown_path: &str) -> Result<T, CatalogLoadError> {
    toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map_or(0, |span| text[..span.start].matches('\n').count() + 1);
        CatalogLoadError::Parse {
            path: shown_path.to_owned(),
            message: format!("line {line}: {}", e.message().trim()),
        }
    })
}

fn parse(text: &str, shown_path: &str) -> Result<Arc<Catalog>, CatalogLoadError> {
    let raw: RawCatalog = parse_toml(text, shown_path)?;
    let catalog = raw.validate()?;
    platform::check_catalog(&catalog)?;
    Ok(Arc::new(catalog))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalog_is_fully_implemented() {
        let catalog = shipped();
        assert_eq!(catalog.methods().len(), platform::IMPLEMENTED.len());
    }

    #[test]
    fn an_unimplemented_method_is_named() {
        let text = format!(
            "{SHIPPED}\n[[methods]]\nname = \"environment.control.Teleport\"\n\
             route = \"/1.0/environment/control/rest/teleport\"\naccess = \"write\"\n\
             description = \"Moves an environment.\"\ndocs = \"/docs/api\"\n"
        );
        let error = parse(&text, "x").unwrap_err().to_string();
        assert!(error.contains("environment.control.Teleport"), "{error}");
        assert!(error.contains("does not implement"), "{error}");
    }

    /// The shipped catalog with `old` replaced by `new` throughout one method's entry.
    fn with_line_replaced(method: &str, old: &str, new: &str) -> String {
        let start = SHIPPED
            .find(&format!("name = \"{method}\""))
            .expect("the method is shipped");
        let end = start + SHIPPED[start..].find("[[").unwrap_or(SHIPPED.len() - start);
        let entry = SHIPPED[start..end].replace(old, new);
        assert_ne!(entry, SHIPPED[start..end], "{old} is in {method}'s entry");
        format!("{}{entry}{}", &SHIPPED[..start], &SHIPPED[end..])
    }

    #[test]
    fn a_catalog_that_hides_what_a_method_acts_on_is_refused() {
        let no_resource = with_line_replaced(
            "environment.control.StopEnv",
            "resource = \"envName\"\n",
            "",
        );
        let error = parse(&no_resource, "x").unwrap_err().to_string();
        assert!(error.contains("environment.control.StopEnv"), "{error}");
        assert!(error.contains("acts on an environment"), "{error}");

        let read_marked = with_line_replaced(
            "environment.control.StopEnv",
            "access = \"write\"",
            "access = \"read\"",
        );
        let error = parse(&read_marked, "x").unwrap_err().to_string();
        assert!(error.contains("its access must be \"write\""), "{error}");

        let renamed = with_line_replaced("environment.control.StopEnv", "envName", "env");
        assert!(parse(&renamed, "x").is_ok(), "a renamed parameter is fine");
    }
}
