//! Methods of other services behind a reverse proxy, from an operator's routes file: they
//! join the catalog under services of their own, so tokens grant them like any other method
//! and `/auth/verify` checks calls to them. Their route patterns are checked where they are
//! matched (the server's forward-auth gateway); here, what makes them catalog methods.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Access, ApiMethod, Catalog, CatalogError, MethodName, RawService, Service};

/// The routes file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUpstreams {
    #[serde(default)]
    pub services: Vec<RawService>,
    #[serde(default)]
    pub methods: Vec<RawUpstreamMethod>,
    /// Routes anyone may call without a token (`GET /health`).
    #[serde(default)]
    pub public: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUpstreamMethod {
    pub name: String,
    pub access: Access,
    pub description: String,
    /// `VERB /path/{capture}/{*rest}`; one or more.
    pub routes: Vec<String>,
    /// The path capture or query parameter naming the resource a call acts on, checked
    /// against the token's `env:<name>:r|w|rw` scopes.
    #[serde(default)]
    pub resource: Option<String>,
    #[serde(default)]
    pub docs: Option<String>,
}

fn fail<T>(entry: &str, problem: impl Into<String>) -> Result<T, CatalogError> {
    Err(CatalogError {
        entry: entry.to_owned(),
        problem: problem.into(),
    })
}

impl Catalog {
    /// This catalog with the upstream services and methods added. Each method belongs to one
    /// of the file's own services: the platform's services are this server's.
    pub fn with_upstreams(
        mut self,
        services: Vec<RawService>,
        methods: Vec<RawUpstreamMethod>,
    ) -> Result<Self, CatalogError> {
        let mut own = Vec::with_capacity(services.len());
        for service in services {
            if service.id.is_empty() || !service.id.bytes().all(|b| b.is_ascii_lowercase()) {
                return fail(&service.id, "a service id is lower-case letters");
            }
            if self.services.iter().any(|s| s.id == service.id) || own.contains(&service.id) {
                return fail(&service.id, "this service is listed twice");
            }
            own.push(service.id.clone());
            self.services.push(Service {
                id: service.id,
                title: service.title,
            });
        }
        for raw in methods {
            let method = upstream_method(raw, &own)?;
            if self.methods.iter().any(|m| m.name == method.name) {
                return fail(method.name.as_str(), "this method is listed twice");
            }
            self.methods.push(method);
        }
        Ok(self)
    }
}

fn upstream_method(raw: RawUpstreamMethod, services: &[String]) -> Result<ApiMethod, CatalogError> {
    let entry = raw.name.as_str();
    let name = MethodName::parse(entry).or_else(|e| fail(entry, e.to_string()))?;
    if !services.iter().any(|s| s == name.service()) {
        return fail(
            entry,
            format!(
                "the service “{}” is not among the routes file's services",
                name.service()
            ),
        );
    }
    if raw.description.trim().is_empty() {
        return fail(entry, "it needs a one-line description");
    }
    if raw.routes.is_empty() {
        return fail(
            entry,
            "it needs at least one route, such as \"GET /path/{id}\"",
        );
    }
    let docs = raw
        .docs
        .unwrap_or_else(|| format!("/docs/api#{}", name.as_str()));
    if !(docs.starts_with('/') || docs.starts_with("https://")) {
        return fail(entry, "its docs link must be a path or an https:// address");
    }
    let params = raw
        .resource
        .iter()
        .map(|resource| (resource.clone(), "The resource the call acts on".to_owned()))
        .collect::<BTreeMap<_, _>>();
    Ok(ApiMethod {
        route: raw.routes[0].clone(),
        name,
        access: raw.access,
        description: raw.description,
        docs,
        resource: raw.resource,
        params,
        example: BTreeMap::new(),
        token_management: false,
        upstream_routes: raw.routes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{ApiSelection, tests::shipped};

    fn file(text: &str) -> RawUpstreams {
        toml::from_str(text).unwrap()
    }

    const REPORTS: &str = r#"
        [[services]]
        id = "reports"
        title = "Reports"

        [[methods]]
        name = "reports.files.Read"
        access = "read"
        description = "Reads a report."
        resource = "project"
        routes = ["GET /reports/{project}/{*file}"]
    "#;

    #[test]
    fn upstream_methods_join_the_catalog_but_not_the_platform_api() {
        let raw = file(REPORTS);
        let catalog = shipped().with_upstreams(raw.services, raw.methods).unwrap();
        let read = catalog.method("reports.files.Read").unwrap();
        assert!(read.is_upstream());
        assert_eq!(read.resource.as_deref(), Some("project"));
        assert_eq!(catalog.methods_of("reports").count(), 1);
        assert!(catalog.method_at("reports", "files", "read").is_none());
        let selection = ApiSelection::Custom(vec![read.name.clone()]);
        assert!(catalog.grants(&selection, &read.name));
    }

    #[test]
    fn broken_upstream_entries_are_named() {
        let cases = [
            (
                REPORTS.replace("id = \"reports\"", "id = \"environment\""),
                "environment",
                "listed twice",
            ),
            (
                REPORTS.replace("reports.files.Read", "environment.files.Read"),
                "environment.files.Read",
                "not among the routes file's services",
            ),
            (
                REPORTS.replace(
                    "routes = [\"GET /reports/{project}/{*file}\"]",
                    "routes = []",
                ),
                "reports.files.Read",
                "at least one route",
            ),
            (
                REPORTS.replace("Reads a report.", " "),
                "reports.files.Read",
                "description",
            ),
        ];
        for (text, entry, problem) in cases {
            let raw = file(&text);
            let error = shipped()
                .with_upstreams(raw.services, raw.methods)
                .unwrap_err();
            assert_eq!(error.entry, entry, "{text}");
            assert!(error.problem.contains(problem), "{error}");
        }
        let mut twice = file(REPORTS);
        twice.methods.push(twice.methods[0].clone());
        let error = shipped()
            .with_upstreams(twice.services, twice.methods)
            .unwrap_err();
        assert!(error.problem.contains("listed twice"), "{error}");
    }
}
