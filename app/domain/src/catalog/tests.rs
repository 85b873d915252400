use super::*;

const SHIPPED: &str = include_str!("../../../../catalog/api.toml");

fn shipped_raw() -> RawCatalog {
    toml::from_str(SHIPPED).expect("the shipped catalog parses")
}

pub(crate) fn shipped() -> Catalog {
    shipped_raw()
        .validate()
        .expect("the shipped catalog is valid")
}

#[test]
fn shipped_catalog_covers_what_the_platform_promises() {
    let catalog = shipped();
    assert!(catalog.methods().len() >= 20);
    let groups: std::collections::BTreeSet<_> = catalog
        .methods()
        .iter()
        .map(|m| (m.name.service(), m.name.group()))
        .collect();
    assert!(groups.len() >= 5, "{groups:?}");
    for id in PREDEFINED_SET_IDS {
        assert!(catalog.set(id).is_some(), "{id}");
    }
    let token_management: Vec<_> = catalog
        .methods()
        .iter()
        .filter(|m| m.token_management)
        .collect();
    assert!(!token_management.is_empty());
    for set in catalog.sets() {
        for method in &set.methods {
            assert!(!catalog.method(method.as_str()).unwrap().token_management);
        }
    }
}

#[test]
fn lookups_ignore_the_case_of_the_method() {
    let catalog = shipped();
    let stop = catalog
        .method_at("environment", "control", "stopenv")
        .unwrap();
    assert_eq!(stop.name.as_str(), "environment.control.StopEnv");
    assert_eq!(
        catalog.method("environment.control.STOPENV").unwrap().name,
        stop.name
    );
    assert!(
        catalog
            .method_at("environment", "control", "nope")
            .is_none()
    );
}

#[test]
fn selections_parse_from_a_set_or_method_names() {
    use crate::token::{ApiInput, resolve_api};
    let catalog = shipped();
    assert_eq!(
        resolve_api(&ApiInput::Set("IDE Plugins".into()), &catalog).unwrap(),
        ApiSelection::Set("ide_plugins".into())
    );
    let custom = resolve_api(
        &ApiInput::Methods(vec![
            "environment.control.stopenv".into(),
            "environment.control.StopEnv".into(),
        ]),
        &catalog,
    )
    .unwrap();
    assert_eq!(
        custom,
        ApiSelection::Custom(vec![
            MethodName::parse("environment.control.StopEnv").unwrap()
        ])
    );
    assert_eq!(catalog.describe(&custom), "Custom (1 method)");
    assert!(
        resolve_api(
            &ApiInput::Methods(vec!["environment.control.Fly".into()]),
            &catalog
        )
        .unwrap_err()
        .contains("environment.control.Fly")
    );
    assert!(resolve_api(&ApiInput::Methods(Vec::new()), &catalog).is_err());
    assert!(
        resolve_api(&ApiInput::Set("everything".into()), &catalog)
            .unwrap_err()
            .contains("everything")
    );
}

#[test]
fn broken_entries_are_named() {
    type Breakage = fn(&mut RawCatalog);
    let cases: [(&str, Breakage); 6] = [
        ("environment.control.StopEnv", |raw| {
            raw.methods[4].route = "/1.0/environment/control/rest/halt".into();
        }),
        ("environment.control.StopEnv", |raw| {
            raw.methods[4].resource = Some("env".into());
        }),
        ("ide_plugins", |raw| {
            raw.sets[1]
                .methods
                .push("users.authentication.GetTokens".into());
        }),
        ("maven_plugin", |raw| {
            raw.sets[3].methods.push("environment.control.Fly".into());
        }),
        ("marketplace", |raw| {
            raw.sets.retain(|s| s.id != "marketplace");
        }),
        ("environment.control.GetEnvs", |raw| {
            let first = raw.methods[0].clone();
            raw.methods.push(first);
        }),
    ];
    for (entry, breaks) in cases {
        let mut raw = shipped_raw();
        breaks(&mut raw);
        let error = raw.validate().unwrap_err();
        assert_eq!(error.entry, entry, "{error}");
        assert!(error.to_string().contains(entry));
    }
}

#[test]
fn the_check_grants_exactly_what_the_lists_show() {
    let catalog = shipped();
    let first = catalog.methods()[0].name.clone();
    let last = catalog.methods().last().unwrap().name.clone();
    let mut selections: Vec<ApiSelection> = catalog
        .sets()
        .iter()
        .map(|set| ApiSelection::Set(set.id.clone()))
        .collect();
    selections.push(ApiSelection::Set("no_such_set".into()));
    selections.push(ApiSelection::Custom(vec![first.clone()]));
    selections.push(ApiSelection::Custom(vec![last.clone(), first]));
    // A name the catalog no longer has grants nothing, even if a token still lists it.
    let gone = MethodName::parse("environment.control.NoLongerThere").unwrap();
    selections.push(ApiSelection::Custom(vec![gone.clone(), last]));
    for selection in &selections {
        for method in catalog.methods().iter().map(|m| &m.name).chain([&gone]) {
            assert_eq!(
                catalog.grants(selection, method),
                catalog.granted(selection).contains(&method),
                "{selection:?} {method}"
            );
        }
    }
    assert!(catalog.grants(
        &selections[0],
        &catalog.set(&catalog.sets()[0].id).unwrap().methods[0]
    ));
}

#[test]
fn services_and_their_methods_in_catalog_order() {
    let catalog = shipped();
    let ids: Vec<&str> = catalog.services().iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["environment", "marketplace", "users"]);
    let marketplace: Vec<&str> = catalog
        .methods_of("marketplace")
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(
        marketplace,
        [
            "marketplace.app.GetList",
            "marketplace.app.GetAppInfo",
            "marketplace.app.Install"
        ]
    );
}

#[test]
fn names_accesses_and_selections_read_back() {
    let name = MethodName::parse("environment.control.StopEnv").unwrap();
    assert_eq!(name.to_string(), "environment.control.StopEnv");
    assert_eq!(String::from(name), "environment.control.StopEnv");
    assert_eq!(Access::Read.as_str(), "read");
    assert_eq!(Access::Write.as_str(), "write");
    assert_eq!(
        ApiSelection::Set("ide_plugins".into()).set_id(),
        Some("ide_plugins")
    );
    assert_eq!(ApiSelection::Custom(Vec::new()).set_id(), None);
}

#[test]
fn a_service_id_is_lower_case_letters_and_not_empty() {
    for id in ["", "Environment", "env-2"] {
        let mut raw = shipped_raw();
        raw.services[0].id = id.into();
        let error = raw.validate().unwrap_err();
        assert!(
            error.to_string().contains("lower-case letters"),
            "{id:?}: {error}"
        );
    }
}
