//! The platform's API catalog: its methods grouped by service, and the predefined API sets
//! over them. Loaded by the server from a data file and sent to the browser as is.

mod method;
mod raw;
mod sets;

use serde::{Deserialize, Serialize};

pub use method::{Access, ApiMethod, MethodName, MethodNameError};
pub use raw::{CatalogError, RawCatalog, RawMethod, RawService, RawSet};
pub use sets::{ApiSelection, ApiSet, PREDEFINED_SET_IDS};

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
            m.name.service() == service
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

    /// Parses a selection as an API client or the CLI sends it: a set id, or method names.
    pub fn selection_of(
        &self,
        set: Option<&str>,
        methods: &[String],
    ) -> Result<ApiSelection, String> {
        match (set.map(str::trim).filter(|s| !s.is_empty()), methods) {
            (Some(_), [_, ..]) => {
                Err("Choose an API set or a list of methods, not both.".to_owned())
            }
            (Some(id), []) if id.eq_ignore_ascii_case("custom") => {
                Err("A custom selection needs at least one method.".to_owned())
            }
            (Some(id), []) => self
                .sets
                .iter()
                .find(|s| s.id.eq_ignore_ascii_case(id) || s.title.eq_ignore_ascii_case(id))
                .map(|s| ApiSelection::Set(s.id.clone()))
                .ok_or_else(|| {
                    let known: Vec<&str> = self.sets.iter().map(|s| s.id.as_str()).collect();
                    format!(
                        "There is no API set “{id}”. Known sets: {}.",
                        known.join(", ")
                    )
                }),
            (None, []) => Err("Choose an API set or at least one method.".to_owned()),
            (None, names) => {
                let mut chosen = Vec::with_capacity(names.len());
                for raw in names {
                    let method = self
                        .method(raw.trim())
                        .ok_or_else(|| format!("There is no API method “{}”.", raw.trim()))?;
                    if !chosen.contains(&method.name) {
                        chosen.push(method.name.clone());
                    }
                }
                Ok(ApiSelection::Custom(chosen))
            }
        }
    }

    /// Whether a selection names only what the catalog has, and at least one method.
    pub fn check_selection(&self, selection: &ApiSelection) -> Result<(), String> {
        match selection {
            ApiSelection::Set(id) if self.set(id).is_none() => {
                Err(format!("There is no API set “{id}”."))
            }
            ApiSelection::Custom(names) if names.is_empty() => {
                Err("Check at least one API method, or choose an API set.".to_owned())
            }
            ApiSelection::Custom(names) => match names
                .iter()
                .find(|name| self.method(name.as_str()).is_none())
            {
                Some(unknown) => Err(format!("There is no API method “{unknown}”.")),
                None => Ok(()),
            },
            ApiSelection::Set(_) => Ok(()),
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
