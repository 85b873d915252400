//! Predefined API sets, and what a token's methods are chosen as.

use serde::{Deserialize, Serialize};

use super::MethodName;

/// The sets the dashboard offers, in its order. A catalog must define each of them.
pub const PREDEFINED_SET_IDS: [&str; 4] = [
    "extended_access",
    "ide_plugins",
    "marketplace",
    "maven_plugin",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiSet {
    pub id: String,
    pub title: String,
    pub description: String,
    pub methods: Vec<MethodName>,
}

/// What a token may call: a predefined set (which follows the catalog when an operator
/// changes it) or a hand-picked list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ApiSelection {
    Set(String),
    Custom(Vec<MethodName>),
}

impl ApiSelection {
    pub fn set_id(&self) -> Option<&str> {
        match self {
            Self::Set(id) => Some(id),
            Self::Custom(_) => None,
        }
    }
}
