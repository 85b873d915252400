//! Calls of known tokens counted in memory between two writes: per token, per day, method,
//! environment and outcome, with the sources (address, user agent) seen last. Everything a
//! caller chooses is bounded: environments are named only when the token's scopes name them
//! (see `check`), a token keeps its [`SOURCES_KEPT`] latest sources, and past
//! [`MAX_COUNTS`] distinct counts a call is counted without its environment, then not at all.

use std::collections::HashMap;

use domain::{
    catalog::MethodName,
    client::ClientInfo,
    token::{EnvName, SOURCES_KEPT},
};

use crate::storage::usage::{CountOf, Seen, SourceOf};

/// Distinct counts held between two writes, over all tokens.
pub const MAX_COUNTS: usize = 50_000;
/// Tokens whose sources are held between two writes.
const MAX_TOKENS_WITH_SOURCES: usize = 10_000;

/// One call of a known token.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    pub token_id: i64,
    pub at: i64,
    pub method: Option<&'a MethodName>,
    /// Only an environment the token's scopes name.
    pub env: Option<&'a EnvName>,
    /// `success` or the refusal's code.
    pub outcome: &'static str,
    pub client: &'a ClientInfo,
}

/// Calls per (day, outcome), method and environment. Nested, so that counting a call that
/// was counted before looks its names up as they are, allocating nothing (this is on every
/// call's path).
type Counts = HashMap<(i64, &'static str), HashMap<String, HashMap<String, u64>>>;

/// One token's calls since the last write.
#[derive(Debug, Clone, Default)]
pub struct TokenTally {
    counts: Counts,
    /// The latest, at most [`SOURCES_KEPT`].
    pub sources: Vec<(SourceOf, Seen)>,
}

impl TokenTally {
    /// Every count, in a stable order (rows are written in it).
    pub fn counts(&self) -> Vec<(CountOf, u64)> {
        let mut counts: Vec<(CountOf, u64)> = self
            .counts
            .iter()
            .flat_map(|(&(day, outcome), methods)| {
                methods.iter().flat_map(move |(method, envs)| {
                    envs.iter().map(move |(env, calls)| {
                        let count = CountOf {
                            day,
                            method: method.clone(),
                            env: env.clone(),
                            outcome,
                        };
                        (count, *calls)
                    })
                })
            })
            .collect();
        counts.sort_by(|(a, _), (b, _)| {
            (a.day, &a.method, &a.env, a.outcome).cmp(&(b.day, &b.method, &b.env, b.outcome))
        });
        counts
    }

    fn get_mut(
        &mut self,
        day: i64,
        outcome: &'static str,
        method: &str,
        env: &str,
    ) -> Option<&mut u64> {
        self.counts
            .get_mut(&(day, outcome))?
            .get_mut(method)?
            .get_mut(env)
    }

    fn insert(&mut self, day: i64, outcome: &'static str, method: &str, env: &str, calls: u64) {
        *self
            .counts
            .entry((day, outcome))
            .or_default()
            .entry(method.to_owned())
            .or_default()
            .entry(env.to_owned())
            .or_default() += calls;
    }

    fn add_source_of(&mut self, client: &ClientInfo, at: i64) {
        let ip = client.ip.as_deref().unwrap_or_default();
        let user_agent = client.user_agent.as_deref().unwrap_or_default();
        let seen = Seen {
            first: at,
            last: at,
            calls: 1,
        };
        match self
            .sources
            .iter_mut()
            .find(|(s, _)| s.ip == ip && s.user_agent == user_agent)
        {
            Some((_, held)) => {
                held.first = held.first.min(at);
                held.last = held.last.max(at);
                held.calls += 1;
            }
            None => {
                let source = SourceOf {
                    ip: ip.to_owned(),
                    user_agent: user_agent.to_owned(),
                };
                self.add_source(source, seen);
            }
        }
    }

    fn add_source(&mut self, source: SourceOf, seen: Seen) {
        if let Some((_, held)) = self.sources.iter_mut().find(|(s, _)| *s == source) {
            held.first = held.first.min(seen.first);
            held.last = held.last.max(seen.last);
            held.calls += seen.calls;
            return;
        }
        if self.sources.len() < SOURCES_KEPT {
            self.sources.push((source, seen));
            return;
        }
        // Only the latest are kept anyway: the oldest makes room, if this one is newer.
        if let Some(oldest) = self
            .sources
            .iter_mut()
            .min_by_key(|(_, held)| held.last)
            .filter(|(_, held)| held.last < seen.last)
        {
            *oldest = (source, seen);
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct CallTally {
    tokens: HashMap<i64, TokenTally>,
    /// Distinct counts over all tokens.
    counts: usize,
    /// Calls past the bounds, not counted.
    uncounted: u64,
}

impl CallTally {
    pub fn count(&mut self, call: Call<'_>) {
        let day = call.at.div_euclid(86_400);
        let method = call.method.map_or("", MethodName::as_str);
        let env = call.env.map_or("", EnvName::as_str);
        if self.add(call.token_id, day, call.outcome, method, env, 1)
            && let Some(tally) = self.tokens.get_mut(&call.token_id)
        {
            tally.add_source_of(call.client, call.at);
        }
    }

    /// `calls` more for a token; false when past the bounds (not counted).
    fn add(
        &mut self,
        token_id: i64,
        day: i64,
        outcome: &'static str,
        method: &str,
        env: &str,
        calls: u64,
    ) -> bool {
        let full = self.counts >= MAX_COUNTS;
        if !self.tokens.contains_key(&token_id)
            && (full || self.tokens.len() >= MAX_TOKENS_WITH_SOURCES)
        {
            self.uncounted += calls;
            return false;
        }
        let tally = self.tokens.entry(token_id).or_default();
        for env in [env, ""] {
            if let Some(held) = tally.get_mut(day, outcome, method, env) {
                *held += calls;
                return true;
            }
            if !full {
                tally.insert(day, outcome, method, env, calls);
                self.counts += 1;
                return true;
            }
        }
        self.uncounted += calls;
        false
    }

    /// Adds counts a failed write gave back (older than those held), within the bounds.
    pub fn merge(&mut self, older: CallTally) {
        self.uncounted += older.uncounted;
        for (token_id, tally) in older.tokens {
            for (count, calls) in tally.counts() {
                self.add(
                    token_id,
                    count.day,
                    count.outcome,
                    &count.method,
                    &count.env,
                    calls,
                );
            }
            if let Some(held) = self.tokens.get_mut(&token_id) {
                for (source, seen) in tally.sources {
                    held.add_source(source, seen);
                }
            }
        }
    }

    pub fn of(&self, token_id: i64) -> Option<&TokenTally> {
        self.tokens.get(&token_id)
    }

    /// Tokens in id order, so that replicas writing at once take row locks in the same order.
    pub fn sorted(&self) -> Vec<(i64, &TokenTally)> {
        let mut tokens: Vec<(i64, &TokenTally)> =
            self.tokens.iter().map(|(id, tally)| (*id, tally)).collect();
        tokens.sort_by_key(|(id, _)| *id);
        tokens
    }

    /// Distinct counts and sources held.
    pub fn records(&self) -> usize {
        self.counts + self.tokens.values().map(|t| t.sources.len()).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    pub fn uncounted(&self) -> u64 {
        self.uncounted
    }

    /// The latest day counted.
    pub fn last_day(&self) -> Option<i64> {
        self.tokens
            .values()
            .flat_map(|t| t.counts.keys().map(|(day, _)| *day))
            .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call<'a>(
        token_id: i64,
        at: i64,
        env: Option<&'a EnvName>,
        client: &'a ClientInfo,
    ) -> Call<'a> {
        Call {
            token_id,
            at,
            method: None,
            env,
            outcome: "success",
            client,
        }
    }

    fn client(agent: &str) -> ClientInfo {
        ClientInfo {
            ip: Some("192.0.2.1".to_owned()),
            user_agent: Some(agent.to_owned()),
        }
    }

    #[test]
    fn a_token_keeps_its_latest_five_sources_whatever_others_send() {
        let mut tally = CallTally::default();
        for n in 0..8 {
            tally.count(call(1, n, None, &client(&format!("agent {n}"))));
        }
        let agents: Vec<&str> = tally
            .of(1)
            .unwrap()
            .sources
            .iter()
            .map(|(s, _)| s.user_agent.as_str())
            .collect();
        assert_eq!(agents.len(), 5);
        assert!(
            agents
                .iter()
                .all(|a| ["agent 3", "agent 4", "agent 5", "agent 6", "agent 7"].contains(a))
        );
        assert_eq!(tally.records(), 1 + 5);
    }

    #[test]
    fn past_the_bound_a_call_drops_its_environment_then_is_not_counted() {
        let mut tally = CallTally::default();
        let agent = client("a");
        let envs: Vec<EnvName> = (0..MAX_COUNTS)
            .map(|n| EnvName::parse(&format!("env-{n}")).unwrap())
            .collect();
        for env in &envs {
            tally.count(call(1, 0, Some(env), &agent));
        }
        assert_eq!(tally.uncounted(), 0);
        let one_more = EnvName::parse("one-more").unwrap();
        // Token 1 has no count without an environment yet: it cannot add one.
        tally.count(call(1, 0, Some(&one_more), &agent));
        assert_eq!(tally.uncounted(), 1);
        // Another token cannot start counting at all.
        tally.count(call(2, 0, None, &agent));
        assert_eq!(tally.uncounted(), 2);
        assert!(tally.of(2).is_none());
    }

    #[test]
    fn a_failed_write_gives_counts_back_added_once() {
        let mut written = CallTally::default();
        let agent = client("a");
        written.count(call(1, 0, None, &agent));
        written.count(call(1, 0, None, &agent));
        let mut held = CallTally::default();
        held.count(call(1, 5, None, &agent));
        held.merge(written);
        let tally = held.of(1).unwrap();
        assert_eq!(tally.counts().iter().map(|(_, n)| n).sum::<u64>(), 3);
        assert_eq!(tally.sources.len(), 1);
        assert_eq!(
            tally.sources[0].1,
            Seen {
                first: 0,
                last: 5,
                calls: 3
            }
        );
        assert_eq!(held.records(), 2);
    }
}
