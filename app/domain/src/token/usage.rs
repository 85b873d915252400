//! What a token did over recent days: calls per day by outcome, per method and environment,
//! the addresses it came from, and what it may do but has not (with the edit that would take
//! that away). The server counts; this turns the counts into what the panel and the REST
//! answer show.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{ApiInput, Scope, TokenInput, TokenView};
use crate::catalog::Catalog;

/// The outcome of a call the token was allowed to make; every other outcome is a refusal code.
pub const SUCCESS: &str = "success";
/// Days a usage report covers unless asked otherwise, and at most.
pub const USAGE_DAYS: u32 = 30;
pub const MAX_USAGE_DAYS: u32 = 90;
/// Days of counts kept (at least): older ones are pruned.
pub const USAGE_KEPT_DAYS: i64 = 100;
/// Distinct (address, user agent) pairs kept per token, the last seen.
pub const SOURCES_KEPT: usize = 5;

/// Calls of one token on one UTC day (`day`: days since 1970-01-01) with one method,
/// environment and outcome; `method` and `env` are empty when the call named none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageCount {
    pub day: i64,
    pub method: String,
    pub env: String,
    pub outcome: String,
    pub calls: u64,
}

/// An address and user agent a token was presented from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageSource {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Unix seconds.
    pub first_seen: i64,
    pub last_seen: i64,
    pub calls: u64,
}

/// One day of the chart: calls by outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayUsage {
    /// Unix seconds of the day's start (UTC).
    pub day: i64,
    pub outcomes: BTreeMap<String, u64>,
}

impl DayUsage {
    pub fn total(&self) -> u64 {
        self.outcomes.values().sum()
    }
}

/// Calls made with one method, or on one environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallCount {
    pub name: String,
    pub succeeded: u64,
    pub refused: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUsage {
    pub token_id: i64,
    /// Every day of the period, oldest first, days without calls included.
    pub days: Vec<DayUsage>,
    /// The outcomes seen in the period, `success` first, then refusal codes by name.
    pub outcomes: Vec<String>,
    /// Most called first.
    pub methods: Vec<CallCount>,
    pub environments: Vec<CallCount>,
    /// Seen last first.
    pub sources: Vec<UsageSource>,
    /// Methods the token may call now and did, successfully, in the period.
    pub used_methods: Vec<String>,
    /// Methods the token may call and did not, successfully, in the period.
    pub unused_methods: Vec<String>,
    /// Environments its scopes name that no successful call acted on in the period (none when
    /// its scopes are all environments).
    pub unused_environments: Vec<String>,
}

impl TokenUsage {
    /// The report over the `days` days up to and including `today` (days since 1970-01-01).
    pub fn assemble(
        token: &TokenView,
        catalog: &Catalog,
        counts: &[UsageCount],
        mut sources: Vec<UsageSource>,
        today: i64,
        days: u32,
    ) -> Self {
        let first = today - i64::from(days.max(1)) + 1;
        let counts: Vec<&UsageCount> = counts
            .iter()
            .filter(|c| (first..=today).contains(&c.day))
            .collect();
        let mut chart: BTreeMap<i64, BTreeMap<String, u64>> =
            (first..=today).map(|day| (day, BTreeMap::new())).collect();
        let mut methods = BTreeMap::<&str, CallCount>::new();
        let mut environments = BTreeMap::<&str, CallCount>::new();
        for count in &counts {
            *chart
                .entry(count.day)
                .or_default()
                .entry(count.outcome.clone())
                .or_default() += count.calls;
            for (name, tally) in [
                (&count.method, &mut methods),
                (&count.env, &mut environments),
            ] {
                if name.is_empty() {
                    continue;
                }
                let entry = tally.entry(name).or_insert_with(|| CallCount {
                    name: name.clone(),
                    succeeded: 0,
                    refused: 0,
                });
                if count.outcome == SUCCESS {
                    entry.succeeded += count.calls;
                } else {
                    entry.refused += count.calls;
                }
            }
        }
        let mut outcomes: Vec<String> = counts
            .iter()
            .map(|c| c.outcome.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        outcomes.sort_by_key(|outcome| outcome != SUCCESS);
        let used = |tally: &BTreeMap<&str, CallCount>, name: &str| {
            tally.get(name).is_some_and(|c| c.succeeded > 0)
        };
        let (used_methods, unused_methods): (Vec<String>, Vec<String>) = catalog
            .granted(&token.api)
            .into_iter()
            .map(|m| m.as_str().to_owned())
            .partition(|name| used(&methods, name));
        let unused_environments = scoped_envs(token)
            .into_iter()
            .filter(|env| !used(&environments, env))
            .collect();
        let by_calls = |tally: BTreeMap<&str, CallCount>| {
            let mut list: Vec<CallCount> = tally.into_values().collect();
            list.sort_by(|a, b| {
                (b.succeeded + b.refused)
                    .cmp(&(a.succeeded + a.refused))
                    .then_with(|| a.name.cmp(&b.name))
            });
            list
        };
        sources.sort_by_key(|s| std::cmp::Reverse(s.last_seen));
        sources.truncate(SOURCES_KEPT);
        Self {
            token_id: token.id,
            days: chart
                .into_iter()
                .map(|(day, outcomes)| DayUsage {
                    day: day * 86_400,
                    outcomes,
                })
                .collect(),
            outcomes,
            methods: by_calls(methods),
            environments: by_calls(environments),
            sources,
            used_methods,
            unused_methods,
            unused_environments,
        }
    }

    pub fn total(&self) -> u64 {
        self.days.iter().map(DayUsage::total).sum()
    }

    pub fn total_of(&self, outcome: &str) -> u64 {
        self.days
            .iter()
            .filter_map(|day| day.outcomes.get(outcome))
            .sum()
    }

    /// The edit that leaves the token only the methods, and (when scoped) the environments,
    /// it used in the period, with what it keeps and loses; `None` when it used nothing
    /// (remove it instead) or nothing would change. Scopes are narrowed only while one of
    /// them stays: none at all would mean every environment.
    pub fn narrowing(&self, token: &TokenView) -> Option<Narrowing> {
        // What it may call now: a method used earlier and taken away since stays away.
        let used = self.used_methods.clone();
        if used.is_empty() {
            return None;
        }
        let mut loses: Vec<String> = self.unused_methods.clone();
        let kept_scopes: Vec<String> = token
            .scopes
            .iter()
            .filter(|scope| {
                Scope::parse(scope).is_ok_and(|scope| {
                    !self
                        .unused_environments
                        .iter()
                        .any(|env| env == scope.env().as_str())
                })
            })
            .cloned()
            .collect();
        let scopes = (!self.unused_environments.is_empty() && !kept_scopes.is_empty()).then(|| {
            loses.extend(
                self.unused_environments
                    .iter()
                    .map(|env| format!("environment {env}")),
            );
            kept_scopes
        });
        if loses.is_empty() {
            return None;
        }
        let mut keeps = used.clone();
        keeps.extend(scopes.iter().flatten().cloned());
        Some(Narrowing {
            input: TokenInput {
                api: (!self.unused_methods.is_empty()).then_some(ApiInput::Methods(used)),
                scopes,
                ..TokenInput::default()
            },
            keeps,
            loses,
        })
    }
}

/// Narrow to what it uses: the edit, and in words what the token keeps (methods, scopes) and
/// what it loses (methods, environments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Narrowing {
    pub input: TokenInput,
    pub keeps: Vec<String>,
    pub loses: Vec<String>,
}

/// The environments a token's scopes name, in order, each once.
fn scoped_envs(token: &TokenView) -> Vec<String> {
    let mut envs: Vec<String> = Vec::new();
    for scope in token.scopes.iter().filter_map(|s| Scope::parse(s).ok()) {
        let env = scope.env().as_str().to_owned();
        if !envs.contains(&env) {
            envs.push(env);
        }
    }
    envs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{ApiSelection, tests::shipped};

    fn count(day: i64, method: &str, env: &str, outcome: &str, calls: u64) -> UsageCount {
        UsageCount {
            day,
            method: method.into(),
            env: env.into(),
            outcome: outcome.into(),
            calls,
        }
    }

    fn token(methods: &[&str], scopes: &[&str]) -> TokenView {
        TokenView {
            id: 7,
            api: ApiSelection::Custom(
                methods
                    .iter()
                    .map(|m| crate::catalog::MethodName::parse(m).unwrap())
                    .collect(),
            ),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            ..TokenView::sample()
        }
    }

    const GET_ENVS: &str = "environment.control.GetEnvs";
    const START: &str = "environment.control.StartEnv";
    const STOP: &str = "environment.control.StopEnv";

    #[test]
    fn days_are_zero_filled_and_counts_summed_by_outcome() {
        let catalog = shipped();
        let token = token(&[GET_ENVS, START], &[]);
        let counts = [
            count(100, GET_ENVS, "", SUCCESS, 3),
            count(100, START, "demo", "out_of_scope", 2),
            count(98, GET_ENVS, "", SUCCESS, 4),
            count(90, GET_ENVS, "", SUCCESS, 50),
        ];
        let usage = TokenUsage::assemble(&token, &catalog, &counts, vec![], 100, 3);
        assert_eq!(usage.days.len(), 3);
        assert_eq!(usage.days[0].day, 98 * 86_400);
        assert_eq!(usage.days[1].total(), 0);
        assert_eq!(usage.days[2].outcomes["out_of_scope"], 2);
        assert_eq!(usage.total(), 9);
        assert_eq!(usage.total_of(SUCCESS), 7);
        assert_eq!(usage.outcomes, [SUCCESS, "out_of_scope"]);
        assert_eq!(usage.methods[0].name, GET_ENVS);
        assert_eq!(
            (usage.methods[1].succeeded, usage.methods[1].refused),
            (0, 2)
        );
        assert_eq!(usage.unused_methods, [START]);
    }

    #[test]
    fn narrowing_keeps_what_succeeded_and_scoped_envs_used() {
        let catalog = shipped();
        let token = token(
            &[GET_ENVS, START, STOP],
            &["env:demo:rw", "env:old:r", "env:demo:r"],
        );
        let counts = [
            count(5, START, "demo", SUCCESS, 1),
            count(5, STOP, "old", "out_of_scope", 1),
        ];
        let usage = TokenUsage::assemble(&token, &catalog, &counts, vec![], 5, 30);
        assert_eq!(usage.unused_methods, [GET_ENVS, STOP]);
        assert_eq!(usage.unused_environments, ["old"]);
        let narrowing = usage.narrowing(&token).unwrap();
        let narrowed = &narrowing.input;
        assert_eq!(
            narrowed.api,
            Some(ApiInput::Methods(vec![START.to_owned()]))
        );
        assert_eq!(
            narrowed.scopes,
            Some(vec!["env:demo:rw".to_owned(), "env:demo:r".to_owned()])
        );
        assert_eq!(narrowed.description, None);
        assert_eq!(narrowing.keeps, [START, "env:demo:rw", "env:demo:r"]);
        assert_eq!(narrowing.loses, [GET_ENVS, STOP, "environment old"]);
    }

    #[test]
    fn scopes_stay_when_no_scoped_environment_was_used() {
        // No scopes at all would mean every environment: narrowing must never widen.
        let catalog = shipped();
        let token = token(&[GET_ENVS, START], &["env:demo:rw", "env:old:r"]);
        let counts = [count(5, GET_ENVS, "", SUCCESS, 4)];
        let usage = TokenUsage::assemble(&token, &catalog, &counts, vec![], 5, 30);
        assert_eq!(usage.unused_environments, ["demo", "old"]);
        let narrowing = usage.narrowing(&token).unwrap();
        assert_eq!(narrowing.input.scopes, None);
        assert_eq!(narrowing.loses, [START]);
    }

    #[test]
    fn nothing_to_narrow_when_all_or_nothing_was_used() {
        let catalog = shipped();
        let token = token(&[GET_ENVS], &[]);
        let used = [count(5, GET_ENVS, "", SUCCESS, 1)];
        let usage = TokenUsage::assemble(&token, &catalog, &used, vec![], 5, 30);
        assert!(usage.unused_methods.is_empty());
        assert_eq!(usage.narrowing(&token), None);
        let refused_only = [count(5, GET_ENVS, "", "token_expired", 1)];
        let usage = TokenUsage::assemble(&token, &catalog, &refused_only, vec![], 5, 30);
        assert_eq!(usage.unused_methods, [GET_ENVS]);
        assert_eq!(usage.narrowing(&token), None);
    }

    #[test]
    fn narrowing_never_gives_back_a_method_taken_away_since() {
        // Used GetEnvs and StopEnv, then edited to GetEnvs and StartEnv.
        let catalog = shipped();
        let token = token(&[GET_ENVS, START], &[]);
        let counts = [
            count(5, GET_ENVS, "", SUCCESS, 2),
            count(4, STOP, "", SUCCESS, 9),
        ];
        let usage = TokenUsage::assemble(&token, &catalog, &counts, vec![], 5, 30);
        assert_eq!(usage.used_methods, [GET_ENVS]);
        let narrowing = usage.narrowing(&token).unwrap();
        assert_eq!(
            narrowing.input.api,
            Some(ApiInput::Methods(vec![GET_ENVS.to_owned()]))
        );
        assert_eq!(narrowing.keeps, [GET_ENVS]);
        assert_eq!(narrowing.loses, [START]);
    }

    #[test]
    fn sources_are_the_last_seen_five() {
        let catalog = shipped();
        let sources = (0..7)
            .map(|n| UsageSource {
                ip: Some(format!("192.0.2.{n}")),
                user_agent: None,
                first_seen: n,
                last_seen: n,
                calls: 1,
            })
            .collect();
        let usage = TokenUsage::assemble(&token(&[GET_ENVS], &[]), &catalog, &[], sources, 5, 30);
        let seen: Vec<i64> = usage.sources.iter().map(|s| s.last_seen).collect();
        assert_eq!(seen, [6, 5, 4, 3, 2]);
    }
}
