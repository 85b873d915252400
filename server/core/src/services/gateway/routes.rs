//! The table `/auth/verify` looks requests up in: the platform API's own routes, the routes of
//! upstream methods in the catalog, and the routes anyone may call. A request that matches
//! none is refused.

use std::collections::BTreeMap;

use domain::catalog::{ApiMethod, Catalog, MethodName};

use super::pattern::{PatternError, RequestPath, RoutePattern};

#[derive(Debug, Default)]
pub struct ProtectedRoutes {
    routes: Vec<Route>,
}

#[derive(Debug)]
struct Route {
    pattern: RoutePattern,
    text: String,
    /// `None`: a public route.
    method: Option<MethodName>,
}

/// A route of the routes file that cannot be used, naming it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoutesError {
    #[error("{owner}: {error}")]
    Pattern { owner: String, error: PatternError },
    #[error("“{first}” and “{second}” match the same requests: make one more specific or drop it")]
    Overlap { first: String, second: String },
    #[error(
        "{method}: its resource “{resource}” is a path capture in some of its routes and not \
         in others: a typo would move the scope check to a query parameter"
    )]
    ResourceHalfCaptured { method: String, resource: String },
}

/// What a proxied request is.
#[derive(Debug)]
pub enum Resolved<'a> {
    Public,
    Method {
        method: &'a ApiMethod,
        /// The path's captures by name.
        captures: BTreeMap<String, String>,
    },
}

impl ProtectedRoutes {
    /// The catalog's upstream routes and the public ones, each checked, none overlapping.
    pub fn new(catalog: &Catalog, public: &[String]) -> Result<Self, RoutesError> {
        let mut routes = Vec::new();
        let upstream = catalog.methods().iter().filter(|m| m.is_upstream());
        let owned = upstream.flat_map(|method| {
            method
                .upstream_routes
                .iter()
                .map(move |text| (text, Some(&method.name)))
        });
        for method in catalog.methods().iter().filter(|m| m.is_upstream()) {
            let Some(resource) = &method.resource else {
                continue;
            };
            let captured: Vec<bool> = method
                .upstream_routes
                .iter()
                .filter_map(|text| RoutePattern::parse(text).ok())
                .map(|pattern| pattern.captures(resource))
                .collect();
            if captured.contains(&true) && captured.contains(&false) {
                return Err(RoutesError::ResourceHalfCaptured {
                    method: method.name.to_string(),
                    resource: resource.clone(),
                });
            }
        }
        for (text, method) in owned.chain(public.iter().map(|text| (text, None))) {
            let pattern = RoutePattern::parse(text).map_err(|error| RoutesError::Pattern {
                owner: method.map_or_else(|| "public".to_owned(), ToString::to_string),
                error,
            })?;
            if let Some(earlier) = routes
                .iter()
                .find(|r: &&Route| r.pattern.overlaps(&pattern))
            {
                return Err(RoutesError::Overlap {
                    first: earlier.text.clone(),
                    second: text.clone(),
                });
            }
            routes.push(Route {
                pattern,
                text: text.clone(),
                method: method.cloned(),
            });
        }
        Ok(Self { routes })
    }

    /// The platform API's method at `/1.0/<service>/<group>/rest/<method>` (GET, POST or HEAD),
    /// else the most specific route that matches.
    pub fn resolve<'a>(
        &self,
        catalog: &'a Catalog,
        verb: &str,
        path: &RequestPath,
    ) -> Option<Resolved<'a>> {
        if let ["1.0", service, group, "rest", method] = path
            .segments()
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            return catalog
                .method_at(service, group, method)
                .filter(|_| matches!(verb, "GET" | "POST" | "HEAD"))
                .map(|method| Resolved::Method {
                    method,
                    captures: BTreeMap::new(),
                });
        }
        let (route, captures) = self
            .routes
            .iter()
            .filter_map(|route| route.pattern.matches(verb, path).map(|c| (route, c)))
            .max_by(|(a, _), (b, _)| a.pattern.specificity(&b.pattern))?;
        match &route.method {
            None => Some(Resolved::Public),
            Some(name) => catalog
                .method(name.as_str())
                .map(|method| Resolved::Method { method, captures }),
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::catalog::{RawCatalog, RawUpstreams};

    use super::*;

    const SHIPPED: &str = include_str!("../../../../../catalog/api.toml");
    const ROUTES: &str = r#"
        public = ["GET /reports/health"]

        [[services]]
        id = "reports"
        title = "Reports"

        [[methods]]
        name = "reports.files.Read"
        access = "read"
        description = "Reads a report."
        resource = "project"
        routes = ["GET /reports/{project}/{*file}"]

        [[methods]]
        name = "reports.files.Write"
        access = "write"
        description = "Writes a report."
        resource = "project"
        routes = ["PUT /reports/{project}/{*file}", "DELETE /reports/{project}/{*file}"]
    "#;

    fn loaded(routes: &str) -> Result<(Catalog, ProtectedRoutes), RoutesError> {
        let raw: RawCatalog = toml::from_str(SHIPPED).unwrap();
        let upstreams: RawUpstreams = toml::from_str(routes).unwrap();
        let catalog = raw
            .validate()
            .unwrap()
            .with_upstreams(upstreams.services, upstreams.methods)
            .unwrap();
        let table = ProtectedRoutes::new(&catalog, &upstreams.public)?;
        Ok((catalog, table))
    }

    fn resolved(verb: &str, path: &str) -> Option<String> {
        let (catalog, table) = loaded(ROUTES).unwrap();
        let path = RequestPath::parse(path).unwrap();
        table.resolve(&catalog, verb, &path).map(|r| match r {
            Resolved::Public => "public".to_owned(),
            Resolved::Method { method, captures } => format!("{} {captures:?}", method.name),
        })
    }

    #[test]
    fn requests_find_their_method_public_route_or_nothing() {
        assert_eq!(
            resolved("GET", "/reports/acme/q1.pdf").unwrap(),
            r#"reports.files.Read {"file": "q1.pdf", "project": "acme"}"#
        );
        assert!(
            resolved("DELETE", "/reports/acme/q1.pdf")
                .unwrap()
                .starts_with("reports.files.Write")
        );
        assert_eq!(resolved("GET", "/reports/health").unwrap(), "public");
        assert_eq!(resolved("POST", "/reports/acme/q1.pdf"), None);
        assert_eq!(resolved("GET", "/elsewhere"), None);
        assert_eq!(
            resolved("POST", "/1.0/environment/control/rest/stopenv").unwrap(),
            "environment.control.StopEnv {}"
        );
        assert_eq!(
            resolved("PUT", "/1.0/environment/control/rest/stopenv"),
            None
        );
        assert_eq!(resolved("GET", "/1.0/reports/files/rest/read"), None);
    }

    #[test]
    fn overlapping_and_broken_routes_are_named() {
        let overlap = ROUTES.replace("GET /reports/health", "GET /reports/{p}/{*f}");
        let error = loaded(&overlap).unwrap_err().to_string();
        assert!(error.contains("match the same requests"), "{error}");
        let half = ROUTES.replace(
            "\"DELETE /reports/{project}/{*file}\"",
            "\"DELETE /reports/{other}/{*file}\"",
        );
        let error = loaded(&half).unwrap_err().to_string();
        assert!(error.contains("reports.files.Write"), "{error}");
        assert!(error.contains("some of its routes"), "{error}");
        let broken = ROUTES.replace("PUT /reports", "PUT reports");
        let error = loaded(&broken).unwrap_err().to_string();
        assert!(error.starts_with("reports.files.Write: "), "{error}");
    }
}
