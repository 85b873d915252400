//! The platform's API catalog: its methods grouped by service, and the predefined API sets
//! over them. Loaded by the server from a data file and sent to the browser as is.

mod method;
mod raw;
mod sets;
mod upstream;

use serde::{Deserialize, Serialize};

pub use method::{Access, ApiMethod, MethodName, MethodNameError};
pub use raw::{CatalogError, RawCatalog, RawMethod, RawService, RawSet};
pub use sets::{ApiSelection, ApiSet, PREDEFINED_SET_IDS};
pub use upstream::{RawUpstreamMethod, RawUpstreams};

/// A service of the platform (`environment`, `marketplace`, ...), for grouping in lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub id: String,
    pub title: String,
}

/// A validated catalog: every method unique and well-formed, every set made of known
/// methods, and no token-management method in a predefined set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    services: Vec<Service>,
    methods: Vec<ApiMethod>,
    sets: Vec<ApiSet>,
}

impl Catalog {
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    pub fn methods(&self) -> &[ApiMethod] {
        &self.methods
    }

    pub fn sets(&self) -> &[ApiSet] {
        &self.sets
    }

    /// The method by its name, ignoring case (`environment.control.stopenv` finds StopEnv).
    pub fn method(&self, name: &str) -> Option<&ApiMethod> {
        self.methods
            .iter()
            .find(|m| m.name.as_str().eq_ignore_ascii_case(name))
    }

    /// The method served at `/1.0/<service>/<group>/rest/<method>` (the last part in any case).
    pub fn method_at(&self, service: &str, group: &str, method: &str) -> Option<&ApiMethod> {
        self.methods.iter().find(|m| {
            !m.is_upstream()
                && m.name.service() == service
                && m.name.group() == group
                && m.name.method().eq_ignore_ascii_case(method)
        })
    }

    pub fn set(&self, id: &str) -> Option<&ApiSet> {
        self.sets.iter().find(|s| s.id == id)
    }

    /// The methods of a service, in catalog order.
    pub fn methods_of<'a>(&'a self, service: &'a str) -> impl Iterator<Item = &'a ApiMethod> {
        self.methods
            .iter()
            .filter(move |m| m.name.service() == service)
    }

    /// Whether a selection grants `method` (the check on every call: no allocation). Agrees
    /// with [`Self::granted`].
    pub fn grants(&self, selection: &ApiSelection, method: &MethodName) -> bool {
        match selection {
            ApiSelection::Set(id) => self.set(id).is_some_and(|set| set.methods.contains(method)),
            ApiSelection::Custom(names) => {
                names.contains(method) && self.methods.iter().any(|m| &m.name == method)
            }
        }
    }

    /// The method names a selection grants, in catalog order. Names the catalog no longer
    /// has are dropped: an operator who removes a method removes it from every token.
    pub fn granted<'a>(&'a self, selection: &'a ApiSelection) -> Vec<&'a MethodName> {
        match selection {
            ApiSelection::Set(id) => self
                .set(id)
                .map(|set| set.methods.iter().collect())
                .unwrap_or_default(),
            ApiSelection::Custom(names) => self
                .methods
                .iter()
                .map(|m| &m.name)
                .filter(|name| names.contains(name))
                .collect(),
        }
    }

    /// How a selection reads in a list: the set's title, or "Custom (N methods)".
    pub fn describe(&self, selection: &ApiSelection) -> String {
        match selection {
            ApiSelection::Set(id) => self
                .set(id)
                .map_or_else(|| id.clone(), |set| set.title.clone()),
            ApiSelection::Custom(names) => match names.len() {
                1 => "Custom (1 method)".to_owned(),
                n => format!("Custom ({n} methods)"),
            },
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
