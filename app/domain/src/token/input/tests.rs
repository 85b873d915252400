use super::*;
use crate::catalog::tests::shipped;

const NOON_1_MARCH_2027: i64 = 1_803_902_400;

fn rules<'a>(catalog: &'a Catalog, policy: &'a TokenPolicy, basis: Basis<'a>) -> TokenRules<'a> {
    TokenRules {
        now: NOON_1_MARCH_2027,
        catalog,
        policy,
        basis,
    }
}

fn input(expiry: Option<ExpiryInput>, api: Option<ApiInput>) -> TokenInput {
    TokenInput {
        description: Some("Deploy bot".into()),
        api,
        scopes: None,
        expiry,
        ..TokenInput::default()
    }
}

fn marketplace() -> Option<ApiInput> {
    Some(ApiInput::Set("marketplace".into()))
}

fn existing(api: ApiSelection) -> TokenView {
    TokenView {
        id: 7,
        description: "old\u{200B}name".into(),
        hint: "abcd".into(),
        api,
        api_label: String::new(),
        scopes: vec!["env:a:r".into()],
        expiration: ExpirationModel::HardLimit,
        expires_at: Some(NOON_1_MARCH_2027 + 3600),
        ..TokenView::sample()
    }
}

fn date(raw: &str) -> Option<ExpiryInput> {
    Some(ExpiryInput::Date(raw.into()))
}

#[test]
fn a_new_token_without_an_api_gets_the_narrowest_set_the_policy_allows() {
    let catalog = shipped();
    let open = TokenPolicy::default();
    let decided = input(None, None)
        .decide(&rules(&catalog, &open, Basis::New))
        .unwrap();
    assert_eq!(decided.api(), &ApiSelection::Set("maven_plugin".into()));
    assert_eq!(decided.expiry(), Some(ExpirySpec::Never));
    assert!(decided.scopes().is_empty());

    let marketplace_only = TokenPolicy {
        api_sets: Some(vec!["extended_access".into(), "marketplace".into()]),
        ..TokenPolicy::default()
    };
    let decided = input(None, None)
        .decide(&rules(&catalog, &marketplace_only, Basis::New))
        .unwrap();
    assert_eq!(decided.api(), &ApiSelection::Set("marketplace".into()));

    let no_sets = TokenPolicy {
        api_sets: Some(Vec::new()),
        ..TokenPolicy::default()
    };
    let errors = input(None, None)
        .decide(&rules(&catalog, &no_sets, Basis::New))
        .unwrap_err();
    assert!(errors.api.unwrap().contains("allows no predefined API set"));
    assert!(errors.by_policy);
}

#[test]
fn sets_are_found_by_id_or_title_in_any_case() {
    let catalog = shipped();
    let policy = TokenPolicy::default();
    for raw in ["ide_plugins", "IDE Plugins", "ide plugins", " IDE_PLUGINS "] {
        let decided = input(None, Some(ApiInput::Set(raw.into())))
            .decide(&rules(&catalog, &policy, Basis::New))
            .unwrap();
        assert_eq!(
            decided.api(),
            &ApiSelection::Set("ide_plugins".into()),
            "{raw}"
        );
    }
    let errors = input(None, Some(ApiInput::Set("everything".into())))
        .decide(&rules(&catalog, &policy, Basis::New))
        .unwrap_err();
    assert!(errors.api.unwrap().contains("Known sets: extended_access"));
    assert!(!errors.by_policy);
    let errors = input(
        None,
        Some(ApiInput::Methods(vec!["environment.control.Fly".into()])),
    )
    .decide(&rules(&catalog, &policy, Basis::New))
    .unwrap_err();
    assert!(errors.api.unwrap().contains("environment.control.Fly"));
}

#[test]
fn empty_scope_entries_are_errors_on_new_tokens_and_edits() {
    let catalog = shipped();
    let policy = TokenPolicy::default();
    let token = existing(ApiSelection::Set("marketplace".into()));
    for basis in [Basis::New, Basis::Edit(&token), Basis::Copy(&token)] {
        for entries in [vec![""], vec![",,,"], vec!["env:a:r", " "]] {
            let mut with_scopes = input(None, marketplace());
            with_scopes.scopes = Some(entries.iter().map(|e| e.to_string()).collect());
            let errors = with_scopes
                .decide(&rules(&catalog, &policy, basis))
                .unwrap_err();
            assert!(
                errors.scopes.unwrap().contains("A scope is empty"),
                "{entries:?}"
            );
        }
    }
}

#[test]
fn dates_in_either_form_are_bounded_by_today_the_longest_lifetime_and_the_policy() {
    let catalog = shipped();
    let open = TokenPolicy::default();
    let decide = |expiry, policy: &TokenPolicy| {
        input(expiry, marketplace()).decide(&rules(&catalog, policy, Basis::New))
    };
    assert!(decide(date("01-03-2027"), &open).is_ok());
    assert_eq!(
        decide(date("2027-03-31"), &open).unwrap().expiry(),
        decide(date("31-03-2027"), &open).unwrap().expiry()
    );
    let past = decide(date("28-02-2027"), &open).unwrap_err();
    assert!(past.expiry.unwrap().contains("in the past"));
    // 3650 days from 01-03-2027 noon end on 26-02-2037 noon: the 25th is the last full day.
    assert!(decide(date("25-02-2037"), &open).is_ok());
    let far = decide(date("9999-12-31"), &open).unwrap_err();
    assert!(
        far.expiry
            .unwrap()
            .contains("the latest allowed date is 25-02-2037")
    );
    assert!(!far.by_policy);
    let impossible = decide(date("29-02-2027"), &open).unwrap_err();
    assert!(
        impossible
            .expiry
            .unwrap()
            .contains("February 2027 has 28 days")
    );

    let month = TokenPolicy {
        max_lifetime_secs: Some(30 * 86_400),
        ..TokenPolicy::default()
    };
    assert!(decide(date("30-03-2027"), &month).is_ok());
    let beyond = decide(date("31-03-2027"), &month).unwrap_err();
    assert!(
        beyond
            .expiry
            .unwrap()
            .contains("latest allowed date is 30-03-2027")
    );
    assert!(beyond.by_policy);
    let never = decide(Some(ExpiryInput::Never), &month).unwrap_err();
    assert!(never.expiry.unwrap().contains("never expire"));
    let implicit_never = decide(None, &month).unwrap_err();
    assert!(implicit_never.expiry.unwrap().contains("never expire"));
}

#[test]
fn durations_and_windows_take_units_or_seconds() {
    let catalog = shipped();
    let policy = TokenPolicy {
        max_lifetime_secs: Some(86_400),
        ..TokenPolicy::default()
    };
    let decide =
        |expiry| input(Some(expiry), marketplace()).decide(&rules(&catalog, &policy, Basis::New));
    assert_eq!(
        decide(ExpiryInput::Lasting("20m".into())).unwrap().expiry(),
        Some(ExpirySpec::For { secs: 1200 })
    );
    assert_eq!(
        decide(ExpiryInput::auto_refresh("3600")).unwrap().expiry(),
        Some(ExpirySpec::AutoRefresh {
            window_secs: 3600,
            // The maximum lifetime caps an auto-refresh token's total age.
            not_after: Some(NOON_1_MARCH_2027 + 86_400),
        })
    );
    let bad = decide(ExpiryInput::Lasting("two weeks".into())).unwrap_err();
    assert!(bad.expiry.unwrap().contains("not a duration"));
    let long = decide(ExpiryInput::auto_refresh("2d")).unwrap_err();
    assert!(long.expiry.unwrap().contains("at most 1d"));
}

#[test]
fn auto_refresh_may_have_an_absolute_end_within_the_policy() {
    let catalog = shipped();
    let open = TokenPolicy::default();
    let month = TokenPolicy {
        max_lifetime_secs: Some(30 * 86_400),
        ..TokenPolicy::default()
    };
    let decide = |not_after: Option<&str>, policy: &TokenPolicy| {
        let expiry = ExpiryInput::AutoRefresh {
            window: "12h".into(),
            not_after: not_after.map(str::to_owned),
        };
        input(Some(expiry), marketplace()).decide(&rules(&catalog, policy, Basis::New))
    };
    let end_of_march = ExpiryDate::parse_dmy("31-03-2027")
        .unwrap()
        .expires_at_unix();
    assert_eq!(
        decide(Some("2027-03-31"), &open).unwrap().expiry(),
        Some(ExpirySpec::AutoRefresh {
            window_secs: 43_200,
            not_after: Some(end_of_march),
        })
    );
    assert_eq!(
        decide(None, &open).unwrap().expiry(),
        Some(ExpirySpec::AutoRefresh {
            window_secs: 43_200,
            not_after: None,
        }),
        "no policy limit, no end"
    );
    let past = decide(Some("28-02-2027"), &open).unwrap_err();
    assert!(past.expiry.unwrap().starts_with("Ends no later than:"));
    let garbage = decide(Some("someday"), &open).unwrap_err();
    assert!(garbage.expiry.unwrap().starts_with("Ends no later than:"));
    // 30 days from noon on 1 March: the end of 30 March at the latest.
    let too_far = decide(Some("31-03-2027"), &month).unwrap_err();
    assert!(too_far.by_policy);
    assert!(too_far.expiry.unwrap().contains("30-03-2027"));
    assert_eq!(
        decide(None, &month).unwrap().expiry(),
        Some(ExpirySpec::AutoRefresh {
            window_secs: 43_200,
            not_after: Some(NOON_1_MARCH_2027 + 30 * 86_400),
        })
    );
}

#[test]
fn an_edit_keeps_what_it_leaves_out_and_may_keep_an_api_the_policy_closed() {
    let catalog = shipped();
    let policy = TokenPolicy {
        api_sets: Some(vec!["marketplace".into()]),
        ..TokenPolicy::default()
    };
    let ide = ApiSelection::Set("ide_plugins".into());
    let token = existing(ide.clone());
    let untouched = TokenInput::default()
        .decide(&rules(&catalog, &policy, Basis::Edit(&token)))
        .unwrap();
    assert_eq!(untouched.api(), &ide);
    assert_eq!(untouched.expiry(), None, "the expiry is kept as stored");
    assert_eq!(untouched.description().as_str(), "old\u{200B}name");
    assert_eq!(untouched.scopes().len(), 1);
    let same_api = input(None, Some(ApiInput::Set("IDE Plugins".into()))).decide(&rules(
        &catalog,
        &policy,
        Basis::Edit(&token),
    ));
    assert!(same_api.is_ok());
    let copy = TokenInput::default().decide(&rules(&catalog, &policy, Basis::Copy(&token)));
    let errors = copy.unwrap_err();
    assert!(
        errors.api.unwrap().contains("IDE Plugins"),
        "a copy is a new token"
    );
}

#[test]
fn a_copy_inherits_the_time_left_or_the_window() {
    let catalog = shipped();
    let policy = TokenPolicy::default();
    let mut token = existing(ApiSelection::Set("marketplace".into()));
    let copy = TokenInput::default()
        .decide(&rules(&catalog, &policy, Basis::Copy(&token)))
        .unwrap();
    assert_eq!(copy.expiry(), Some(ExpirySpec::For { secs: 3600 }));
    token.expires_at = Some(NOON_1_MARCH_2027 - 1);
    let expired = TokenInput::default()
        .decide(&rules(&catalog, &policy, Basis::Copy(&token)))
        .unwrap_err();
    assert!(expired.expiry.unwrap().contains("has expired"));
    token.expiration = ExpirationModel::AutoRefresh;
    token.refresh_window_secs = Some(600);
    let auto = TokenInput::default()
        .decide(&rules(&catalog, &policy, Basis::Copy(&token)))
        .unwrap();
    assert_eq!(
        auto.expiry(),
        Some(ExpirySpec::AutoRefresh {
            window_secs: 600,
            not_after: None
        })
    );
    token.not_after = Some(NOON_1_MARCH_2027 + 600);
    let capped = TokenInput::default()
        .decide(&rules(&catalog, &policy, Basis::Copy(&token)))
        .unwrap();
    assert_eq!(
        capped.expiry(),
        Some(ExpirySpec::AutoRefresh {
            window_secs: 600,
            not_after: Some(NOON_1_MARCH_2027 + 600)
        })
    );
    token.not_after = Some(NOON_1_MARCH_2027);
    let ended = TokenInput::default()
        .decide(&rules(&catalog, &policy, Basis::Copy(&token)))
        .unwrap_err();
    assert!(ended.expiry.unwrap().contains("absolute end"));
}

#[test]
fn every_field_is_explained_at_once() {
    let catalog = shipped();
    let policy = TokenPolicy::default();
    let errors = TokenInput {
        description: Some(" ".into()),
        api: Some(ApiInput::Methods(Vec::new())),
        scopes: Some(vec!["node:1:rw".into()]),
        expiry: date("31/12/2027"),
        max_uses: Some("many".into()),
        rate_limit: Some("fast".into()),
        allowed_ips: Some(vec!["localhost".into()]),
    }
    .decide(&rules(&catalog, &policy, Basis::New))
    .unwrap_err();
    assert!(errors.description.unwrap().contains("Enter a description"));
    assert!(errors.api.unwrap().contains("at least one API method"));
    assert!(errors.scopes.unwrap().contains("is not a scope"));
    assert!(errors.expiry.unwrap().contains("is not a date"));
    assert!(errors.max_uses.unwrap().contains("whole number"));
    assert!(errors.rate_limit.unwrap().contains("calls per period"));
    assert!(errors.allowed_ips.unwrap().contains("“localhost” is not"));
}

#[test]
fn errors_are_empty_only_without_a_message_and_sum_up_in_field_order() {
    assert!(TokenInputErrors::default().is_empty());
    let one = |field: usize| {
        let mut errors = TokenInputErrors::default();
        let message = Some(format!("field {field}"));
        match field {
            0 => errors.description = message,
            1 => errors.expiry = message,
            2 => errors.api = message,
            3 => errors.scopes = message,
            4 => errors.max_uses = message,
            5 => errors.rate_limit = message,
            _ => errors.allowed_ips = message,
        }
        errors
    };
    for field in 0..7 {
        assert!(!one(field).is_empty(), "field {field}");
    }
    let all = TokenInputErrors {
        description: Some("D.".into()),
        expiry: Some("E.".into()),
        api: Some("A.".into()),
        scopes: Some("S.".into()),
        max_uses: Some("U.".into()),
        rate_limit: Some("R.".into()),
        allowed_ips: Some("I.".into()),
        by_policy: false,
    };
    assert_eq!(all.summary(), "D. E. A. S. U. R. I.");
    assert_eq!(TokenInputErrors::default().summary(), "");
}

#[test]
fn limits_are_decided_with_the_rest_and_an_edit_keeps_what_it_leaves_out() {
    let catalog = shipped();
    let open = TokenPolicy::default();
    let new = TokenInput {
        max_uses: Some("10".into()),
        rate_limit: Some("600/min".into()),
        allowed_ips: Some(vec!["203.0.113.0/24 198.51.100.7".into()]),
        ..input(None, marketplace())
    }
    .decide(&rules(&catalog, &open, Basis::New))
    .unwrap();
    assert_eq!(new.uses(), Some(Some(10)));
    assert_eq!(
        new.rate_limit().map(|r| r.to_string()),
        Some("600/min".into())
    );
    assert_eq!(new.allowed_ips().len(), 2);

    let token = TokenView {
        max_uses: Some(10),
        uses_left: Some(3),
        rate_limit: "10/s".parse().ok(),
        allowed_ips: AddressRange::parse_entries(&["10.0.0.0/8"]).unwrap(),
        ..existing(ApiSelection::Set("marketplace".into()))
    };
    let kept = input(None, None)
        .decide(&rules(&catalog, &open, Basis::Edit(&token)))
        .unwrap();
    assert_eq!(kept.uses(), None, "an edit without uses keeps what is left");
    assert_eq!(kept.rate_limit(), token.rate_limit);
    assert_eq!(kept.allowed_ips(), &token.allowed_ips[..]);
    let copied = input(None, None)
        .decide(&rules(&catalog, &open, Basis::Copy(&token)))
        .unwrap();
    assert_eq!(
        copied.uses(),
        Some(Some(10)),
        "a copy starts with the full allowance"
    );
    let lifted = TokenInput {
        max_uses: Some("unlimited".into()),
        rate_limit: Some(String::new()),
        allowed_ips: Some(Vec::new()),
        ..input(None, None)
    }
    .decide(&rules(&catalog, &open, Basis::Edit(&token)))
    .unwrap();
    assert_eq!(lifted.uses(), Some(None));
    assert_eq!(lifted.rate_limit(), None);
    assert!(lifted.allowed_ips().is_empty());
}

#[test]
fn bad_limits_are_refused_field_by_field() {
    let catalog = shipped();
    let open = TokenPolicy::default();
    let errors = TokenInput {
        max_uses: Some("0".into()),
        rate_limit: Some("lots".into()),
        allowed_ips: Some(vec!["10.0.0.1/8".into()]),
        ..input(None, marketplace())
    }
    .decide(&rules(&catalog, &open, Basis::New))
    .unwrap_err();
    assert!(errors.max_uses.unwrap().contains("1 to 1,000,000,000"));
    assert!(errors.rate_limit.unwrap().contains("600/min"));
    assert!(
        errors
            .allowed_ips
            .unwrap()
            .contains("did you mean 10.0.0.0/8")
    );
    assert!(!errors.by_policy);
}

#[test]
fn the_policy_may_require_an_allow_list_for_a_set() {
    let catalog = shipped();
    let policy = TokenPolicy {
        allowed_ips_required_for: vec!["marketplace".into()],
        ..TokenPolicy::default()
    };
    let errors = input(None, marketplace())
        .decide(&rules(&catalog, &policy, Basis::New))
        .unwrap_err();
    assert!(errors.allowed_ips.unwrap().contains("Marketplace"));
    assert!(errors.by_policy);
    let listed = TokenInput {
        allowed_ips: Some(vec!["192.0.2.1".into()]),
        ..input(None, marketplace())
    };
    assert!(listed.decide(&rules(&catalog, &policy, Basis::New)).is_ok());
    let other_set = input(None, Some(ApiInput::Set("maven_plugin".into())));
    assert!(
        other_set
            .decide(&rules(&catalog, &policy, Basis::New))
            .is_ok()
    );
}
