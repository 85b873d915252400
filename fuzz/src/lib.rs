//! The properties each fuzz target checks, as plain functions: libFuzzer drives them through
//! `fuzz_targets/` (`scripts/fuzz.sh`), and `cargo test` runs the seed corpora through them.
//! Beyond "no panic", each asserts what a parse promises: what parses prints back to an equal
//! value, and a token with any one character changed is refused.

use std::sync::LazyLock;

use domain::{
    call_parameters::{CallParameters, SESSION_PARAM},
    catalog::{Catalog, RawCatalog},
    token::{
        Basis, ExpiryDate, Lifetime, RANDOM_CHARS, RateLimit, RotationGrace, Scope, TokenPolicy,
        TokenRequest, TokenRules, TokenSecret,
    },
};

const SHIPPED_CATALOG: &str = include_str!("../../catalog/api.toml");
/// 2026-12-06: the rules' "today", fixed so that a finding reproduces.
const NOW: i64 = 1_796_515_200;

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    toml::from_str::<RawCatalog>(SHIPPED_CATALOG)
        .expect("the shipped catalog parses")
        .validate()
        .expect("the shipped catalog is valid")
});

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// A parsed value is the text it came from (trimmed); a real token with one character changed
/// is not a token.
pub fn token_value(data: &[u8]) {
    if let Some(raw) = text(data)
        && let Ok(secret) = TokenSecret::parse(raw)
    {
        // Pasted values come with spaces and line ends, which parsing drops.
        assert_eq!(secret.expose(), raw.trim());
    }
    let Some((random, rest)) = data.split_at_checked(RANDOM_CHARS) else {
        return;
    };
    let random: String = random
        .iter()
        .map(|byte| TokenSecret::base62_char(byte % 248).expect("below 248"))
        .collect();
    let token = TokenSecret::from_random_chars(&random);
    let value = token.expose();
    assert!(TokenSecret::parse(value).is_ok(), "a made token parses");
    if let [position, replacement, ..] = rest {
        let position = usize::from(*position) % value.len();
        let replacement = TokenSecret::base62_char(replacement % 248).expect("below 248");
        let mut changed: Vec<char> = value.chars().collect();
        if changed[position] == replacement {
            return;
        }
        changed[position] = replacement;
        let changed: String = changed.into_iter().collect();
        assert!(
            TokenSecret::parse(&changed).is_err(),
            "one character changed at {position} still parses"
        );
    }
}

/// A date that parses (dd-mm-yyyy or ISO) prints back, both ways, to the same date.
pub fn dates(data: &[u8]) {
    let Some(raw) = text(data) else { return };
    for parsed in [
        ExpiryDate::parse(raw),
        ExpiryDate::parse_dmy(raw),
        ExpiryDate::parse_iso(raw),
    ]
    .into_iter()
    .flatten()
    {
        assert_eq!(
            ExpiryDate::parse_dmy(&parsed.to_string()).ok(),
            Some(parsed)
        );
        assert_eq!(ExpiryDate::parse_iso(&parsed.to_iso()).ok(), Some(parsed));
        assert_eq!(ExpiryDate::of_unix(parsed.expires_at_unix() - 1), parsed);
    }
}

/// Durations, rotation graces and rate limits print back to equal values.
pub fn durations(data: &[u8]) {
    let Some(raw) = text(data) else { return };
    for lifetime in [Lifetime::parse(raw), Lifetime::parse_or_secs(raw)]
        .into_iter()
        .flatten()
    {
        assert!(lifetime.as_secs() > 0);
        assert_eq!(Lifetime::parse(&lifetime.to_string()).ok(), Some(lifetime));
    }
    if let Ok(grace) = RotationGrace::parse(raw) {
        assert_eq!(RotationGrace::parse(&grace.typed()).ok(), Some(grace));
    }
    if let Ok(Some(limit)) = RateLimit::parse_optional(raw) {
        assert_eq!(limit.to_string().parse::<RateLimit>().ok(), Some(limit));
    }
}

/// A scope that parses prints back to an equal scope.
pub fn scopes(data: &[u8]) {
    let Some(raw) = text(data) else { return };
    if let Ok(scope) = Scope::parse(raw) {
        assert_eq!(Scope::parse(&scope.to_string()).ok(), Some(scope));
    }
}

/// Any catalog file is refused with a message or accepted whole: every method it lists can be
/// found by its name and its address.
pub fn catalog_file(data: &[u8]) {
    let Some(raw) = text(data) else { return };
    let Ok(parsed) = toml::from_str::<RawCatalog>(raw) else {
        return;
    };
    match parsed.validate() {
        Ok(catalog) => {
            for method in catalog.methods() {
                let name = method.name.to_string();
                assert!(catalog.method(&name).is_some(), "{name} not found by name");
            }
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
}

/// Any JSON body for the REST token routes is refused with a message per field or decided;
/// a decided token is decided the same way again (the rules are a function of the input).
pub fn token_body(data: &[u8]) {
    let Ok(request) = serde_json::from_slice::<TokenRequest>(data) else {
        return;
    };
    let policy = TokenPolicy::default();
    let rules = TokenRules {
        now: NOW,
        catalog: &CATALOG,
        policy: &policy,
        basis: Basis::New,
    };
    match request.into_input() {
        Ok(input) => match input.decide(&rules) {
            Ok(decided) => assert_eq!(input.decide(&rules).ok(), Some(decided)),
            Err(errors) => assert!(!errors.is_empty()),
        },
        Err(errors) => assert!(!errors.is_empty()),
    }
}

/// The query and form (split at the first 0 byte) parse as URL-encoding does, and no
/// `session` value is left among the method's parameters.
pub fn call_parameters(data: &[u8]) {
    let (query, form) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let Some(query) = text(query) else { return };
    let Ok(parameters) = CallParameters::parse(Some(query), form) else {
        return;
    };
    assert!(
        parameters
            .pairs
            .iter()
            .all(|(name, _)| name != SESSION_PARAM)
    );
    let all: Vec<(String, String)> = serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .expect("parsed once")
        .into_iter()
        .chain(serde_urlencoded::from_bytes::<Vec<(String, String)>>(form).expect("parsed once"))
        .collect();
    assert_eq!(
        all.len(),
        parameters.pairs.len() + parameters.sessions.len()
    );
}

#[cfg(test)]
mod seeds {
    //! Every file in `seeds/<target>/` through its property: the seeds, and every input a
    //! run found to crash (scripts/fuzz.sh says to add it here), so that it stays a test.

    use std::path::Path;

    fn each_seed(target: &str, property: fn(&[u8])) {
        let directory = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("seeds")
            .join(target);
        let mut count = 0;
        for entry in std::fs::read_dir(&directory).expect("the seed corpus exists") {
            let path = entry.expect("a readable entry").path();
            property(&std::fs::read(&path).expect("a readable seed"));
            count += 1;
        }
        assert!(count > 0, "no seeds in {}", directory.display());
    }

    #[test]
    fn token_value() {
        each_seed("token_value", super::token_value);
    }

    #[test]
    fn dates() {
        each_seed("dates", super::dates);
    }

    #[test]
    fn durations() {
        each_seed("durations", super::durations);
    }

    #[test]
    fn scopes() {
        each_seed("scopes", super::scopes);
    }

    #[test]
    fn catalog_file() {
        each_seed("catalog_file", super::catalog_file);
    }

    #[test]
    fn token_body() {
        each_seed("token_body", super::token_body);
    }

    #[test]
    fn call_parameters() {
        each_seed("call_parameters", super::call_parameters);
    }
}
