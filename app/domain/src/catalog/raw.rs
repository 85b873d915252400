//! The catalog as written in its data file, and the checks that turn it into a [`Catalog`].

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::{Access, ApiMethod, ApiSet, Catalog, MethodName, PREDEFINED_SET_IDS, Service};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCatalog {
    #[serde(default)]
    pub services: Vec<RawService>,
    #[serde(default)]
    pub methods: Vec<RawMethod>,
    #[serde(default)]
    pub sets: Vec<RawSet>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawService {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMethod {
    pub name: String,
    pub route: String,
    pub access: Access,
    pub description: String,
    pub docs: String,
    #[serde(default)]
    pub resource: Option<String>,
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    #[serde(default)]
    pub example: BTreeMap<String, String>,
    #[serde(default)]
    pub token_management: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSet {
    pub id: String,
    pub title: String,
    pub description: String,
    pub methods: Vec<String>,
}

/// What is wrong with the catalog, naming the entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("API catalog entry “{entry}”: {problem}")]
pub struct CatalogError {
    pub entry: String,
    pub problem: String,
}

fn fail<T>(entry: &str, problem: impl Into<String>) -> Result<T, CatalogError> {
    Err(CatalogError {
        entry: entry.to_owned(),
        problem: problem.into(),
    })
}

impl RawCatalog {
    pub fn validate(self) -> Result<Catalog, CatalogError> {
        let mut service_ids = BTreeSet::new();
        for service in &self.services {
            if service.id.is_empty() || !service.id.bytes().all(|b| b.is_ascii_lowercase()) {
                return fail(&service.id, "a service id is lower-case letters");
            }
            if !service_ids.insert(service.id.as_str()) {
                return fail(&service.id, "this service is listed twice");
            }
        }
        if self.methods.is_empty() {
            return fail("methods", "the catalog lists no methods");
        }
        let mut methods = Vec::with_capacity(self.methods.len());
        let mut routes = BTreeSet::new();
        for raw in self.methods {
            let method = validate_method(raw, &service_ids)?;
            if !routes.insert(method.route.clone()) {
                return fail(method.name.as_str(), "this method is listed twice");
            }
            methods.push(method);
        }
        let mut sets = Vec::with_capacity(self.sets.len());
        for raw in self.sets {
            if sets.iter().any(|s: &ApiSet| s.id == raw.id) {
                return fail(&raw.id, "this API set is listed twice");
            }
            sets.push(validate_set(raw, &methods)?);
        }
        for id in PREDEFINED_SET_IDS {
            if !sets.iter().any(|s| s.id == id) {
                return fail(id, "this predefined API set is missing");
            }
        }
        Ok(Catalog {
            services: self
                .services
                .into_iter()
                .map(|s| Service {
                    id: s.id,
                    title: s.title,
                })
                .collect(),
            methods,
            sets,
        })
    }
}

fn validate_method(raw: RawMethod, services: &BTreeSet<&str>) -> Result<ApiMethod, CatalogError> {
    let entry = raw.name.as_str();
    let name = MethodName::parse(entry).or_else(|e| fail(entry, e.to_string()))?;
    if !services.contains(name.service()) {
        return fail(
            entry,
            format!("the service “{}” is not listed", name.service()),
        );
    }
    if raw.route != name.route() {
        return fail(entry, format!("its route must be {}", name.route()));
    }
    if raw.description.trim().is_empty() {
        return fail(entry, "it needs a one-line description");
    }
    if !(raw.docs.starts_with('/') || raw.docs.starts_with("https://")) {
        return fail(
            entry,
            "its docs link must be a path on this server or an https:// address",
        );
    }
    if let Some(resource) = &raw.resource
        && !raw.params.contains_key(resource)
    {
        return fail(
            entry,
            format!("its resource parameter “{resource}” is not among its params"),
        );
    }
    if let Some(unknown) = raw.example.keys().find(|k| !raw.params.contains_key(*k)) {
        return fail(
            entry,
            format!("its example uses “{unknown}”, which is not among its params"),
        );
    }
    Ok(ApiMethod {
        name,
        route: raw.route,
        access: raw.access,
        description: raw.description,
        docs: raw.docs,
        resource: raw.resource,
        params: raw.params,
        example: raw.example,
        token_management: raw.token_management,
        upstream_routes: Vec::new(),
    })
}

fn validate_set(raw: RawSet, methods: &[ApiMethod]) -> Result<ApiSet, CatalogError> {
    if raw.id.eq_ignore_ascii_case("custom") {
        return fail(
            &raw.id,
            "“custom” means a hand-picked list and cannot be a set",
        );
    }
    if raw.methods.is_empty() {
        return fail(&raw.id, "an API set needs at least one method");
    }
    let mut names = Vec::with_capacity(raw.methods.len());
    for name in &raw.methods {
        let Some(method) = methods.iter().find(|m| m.name.as_str() == name) else {
            return fail(&raw.id, format!("it names “{name}”, which is not a method"));
        };
        if method.token_management {
            return fail(
                &raw.id,
                format!("“{name}” manages tokens and belongs to no predefined set"),
            );
        }
        if names.contains(&method.name) {
            return fail(&raw.id, format!("it names “{name}” twice"));
        }
        names.push(method.name.clone());
    }
    Ok(ApiSet {
        id: raw.id,
        title: raw.title,
        description: raw.description,
        methods: names,
    })
}
