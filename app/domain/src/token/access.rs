//! What a token will be able to do, in words, while its settings are being chosen: computed
//! from the [`DecidedToken`] that [`super::TokenInput::decide`] gives (the same decision the
//! server applies) and the catalog's own grants, so the preview cannot drift from the check.

use crate::{
    calendar::format_dmy,
    catalog::{Access, ApiMethod, Catalog},
};

use super::{DecidedToken, ExpirationModel, Expiry, Lifetime, TokenView};

/// Methods named in a line before "and N more".
const NAMED: usize = 6;

/// One sentence per aspect: methods, environments, time, addresses, calls.
pub fn effective_access(
    decided: &DecidedToken,
    catalog: &Catalog,
    current: Option<&TokenView>,
    now: i64,
) -> Vec<String> {
    let granted: Vec<&ApiMethod> = catalog
        .granted(decided.api())
        .into_iter()
        .filter_map(|name| catalog.method(name.as_str()))
        .collect();
    vec![
        methods_line(&granted),
        environments_line(decided, &granted),
        time_line(decided, current, now),
        addresses_line(decided),
        calls_line(decided, current),
    ]
}

fn methods_line(granted: &[&ApiMethod]) -> String {
    if granted.is_empty() {
        return "Calls no method.".to_owned();
    }
    let named = |access: Access| {
        // `group.Method`: short, and unlike the method alone never ambiguous (file.GetList,
        // app.GetList).
        let of: Vec<String> = granted
            .iter()
            .filter(|m| m.access == access)
            .map(|m| format!("{}.{}", m.name.group(), m.name.method()))
            .collect();
        match of.len() {
            0 => None,
            n if n > NAMED => Some(format!(
                "{n} that {} ({}, and {} more)",
                verb(access),
                of[..NAMED].join(", "),
                n - NAMED
            )),
            n => Some(format!("{n} that {} ({})", verb(access), of.join(", "))),
        }
    };
    let parts: Vec<String> = [named(Access::Read), named(Access::Write)]
        .into_iter()
        .flatten()
        .collect();
    let count = match granted.len() {
        1 => "1 method".to_owned(),
        n => format!("{n} methods"),
    };
    let managing = granted.iter().any(|m| m.token_management);
    format!(
        "Calls {count}: {}{}.",
        parts.join(" and "),
        if managing {
            ", including managing your tokens"
        } else {
            ""
        }
    )
}

fn verb(access: Access) -> &'static str {
    match access {
        Access::Read => "read",
        Access::Write => "write",
    }
}

fn environments_line(decided: &DecidedToken, granted: &[&ApiMethod]) -> String {
    let scopes = decided.scopes();
    if scopes.is_empty() {
        return "On all of your environments, including ones made later.".to_owned();
    }
    let each: Vec<String> = scopes
        .iter()
        .map(|scope| {
            let env = scope.env();
            let access = match (
                scope.allows(env, Access::Read),
                scope.allows(env, Access::Write),
            ) {
                (true, true) => "read and write",
                (true, false) => "read only",
                _ => "write only",
            };
            format!("{env} ({access})")
        })
        .collect();
    let writes = granted.iter().any(|m| m.access == Access::Write);
    let may_write = scopes
        .iter()
        .any(|scope| scope.allows(scope.env(), Access::Write));
    let note = if writes && !may_write {
        " Its write methods are refused everywhere: no scope gives write access."
    } else {
        ""
    };
    format!("Only on {}.{note}", each.join(", "))
}

fn time_line(decided: &DecidedToken, current: Option<&TokenView>, now: i64) -> String {
    let expiry = match (decided.expiry(), current) {
        (Some(spec), _) => spec.starting_at(now),
        (None, Some(token)) => kept(token),
        (None, None) => Expiry::Never,
    };
    match expiry {
        Expiry::Never => "Never expires: it works until it is removed.".to_owned(),
        Expiry::HardLimit { at } if at <= now => "Has expired.".to_owned(),
        Expiry::HardLimit { at } => {
            format!("Works through {} (UTC), then stops.", format_dmy(at - 1))
        }
        Expiry::AutoRefresh {
            window_secs,
            not_after,
            ..
        } => {
            let window = u64::try_from(window_secs)
                .ok()
                .and_then(|secs| Lifetime::from_secs(secs).ok())
                .map_or_else(|| format!("{window_secs}s"), |w| w.to_string());
            match not_after {
                Some(end) => format!(
                    "Works while used at least every {window}, and never past {} (UTC).",
                    format_dmy(end - 1)
                ),
                None => format!("Works while used at least every {window}, with no end date."),
            }
        }
    }
}

/// The expiry an edit keeps, as the token's view shows it.
fn kept(token: &TokenView) -> Expiry {
    match (
        token.expiration,
        token.expires_at,
        token.refresh_window_secs,
    ) {
        (ExpirationModel::HardLimit, Some(at), _) => Expiry::HardLimit { at },
        (ExpirationModel::AutoRefresh, Some(at), Some(window_secs)) => Expiry::AutoRefresh {
            at,
            window_secs,
            not_after: token.not_after,
        },
        _ => Expiry::Never,
    }
}

fn addresses_line(decided: &DecidedToken) -> String {
    let ranges = decided.allowed_ips();
    if ranges.is_empty() {
        return "From any address.".to_owned();
    }
    let listed: Vec<String> = ranges.iter().map(ToString::to_string).collect();
    format!("Only from {}.", listed.join(", "))
}

fn calls_line(decided: &DecidedToken, current: Option<&TokenView>) -> String {
    let uses = match decided.uses() {
        Some(Some(1)) => "A single call".to_owned(),
        Some(Some(n)) => format!("At most {n} calls"),
        Some(None) => "Any number of calls".to_owned(),
        None => match current.and_then(|t| t.max_uses.map(|_| t.uses_left.unwrap_or(0))) {
            Some(left) => format!("The {left} calls it has left"),
            None => "Any number of calls".to_owned(),
        },
    };
    match decided.rate_limit() {
        Some(rate) => format!("{uses}, at most {rate}."),
        None => format!("{uses}, at any rate."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        catalog::tests::shipped,
        token::{ApiInput, Basis, ExpiryInput, TokenInput, TokenPolicy, TokenRules},
    };

    const NOW: i64 = 1_800_000_000;

    fn lines(input: TokenInput) -> Vec<String> {
        let catalog = shipped();
        let policy = TokenPolicy::default();
        let rules = TokenRules {
            now: NOW,
            catalog: &catalog,
            policy: &policy,
            basis: Basis::New,
        };
        let decided = input.decide(&rules).expect("valid input");
        effective_access(&decided, &catalog, None, NOW)
    }

    fn input(api: ApiInput) -> TokenInput {
        TokenInput {
            description: Some("CI".into()),
            api: Some(api),
            expiry: Some(ExpiryInput::Never),
            ..TokenInput::default()
        }
    }

    #[test]
    fn the_preview_follows_the_catalog_and_the_scopes() {
        let stop = input(ApiInput::Methods(vec![
            "environment.control.StopEnv".into(),
            "environment.control.GetEnvs".into(),
        ]));
        let said = lines(TokenInput {
            scopes: Some(vec!["env:my-project:r".into()]),
            ..stop.clone()
        });
        assert_eq!(
            said[0],
            "Calls 2 methods: 1 that read (control.GetEnvs) and 1 that write (control.StopEnv)."
        );
        assert!(
            said[1].starts_with("Only on my-project (read only)."),
            "{}",
            said[1]
        );
        assert!(said[1].contains("refused everywhere"), "{}", said[1]);
        assert_eq!(
            lines(stop)[1],
            "On all of your environments, including ones made later."
        );
        let set = lines(input(ApiInput::Set("marketplace".into())));
        let catalog = shipped();
        let count = catalog.set("marketplace").unwrap().methods.len();
        assert!(said[0].starts_with("Calls 2"));
        assert!(
            set[0].starts_with(&format!("Calls {count} method")),
            "{}",
            set[0]
        );
    }

    #[test]
    fn time_addresses_and_calls_read_as_decided() {
        let said = lines(TokenInput {
            expiry: Some(ExpiryInput::Lasting("30d".into())),
            max_uses: Some("10".into()),
            rate_limit: Some("600/min".into()),
            allowed_ips: Some(vec!["10.0.0.0/8".into()]),
            ..input(ApiInput::Set("ide_plugins".into()))
        });
        assert_eq!(
            said[2],
            format!(
                "Works through {} (UTC), then stops.",
                format_dmy(NOW + 30 * 86_400 - 1)
            )
        );
        assert_eq!(said[3], "Only from 10.0.0.0/8.");
        assert_eq!(said[4], "At most 10 calls, at most 600/min.");
        let never = lines(input(ApiInput::Set("ide_plugins".into())));
        assert_eq!(never[2], "Never expires: it works until it is removed.");
        assert_eq!(never[3], "From any address.");
        assert_eq!(never[4], "Any number of calls, at any rate.");
        let sliding = lines(TokenInput {
            expiry: Some(ExpiryInput::AutoRefresh {
                window: "12h".into(),
                not_after: None,
            }),
            ..input(ApiInput::Set("ide_plugins".into()))
        });
        assert_eq!(
            sliding[2],
            "Works while used at least every 12h, with no end date."
        );
    }
}
