//! Which of a person's tokens need them: expired ones, ones about to expire, ones nobody uses.

use serde::{Deserialize, Serialize};

use super::{ExpirationModel, TokenStatus, TokenView};

/// A hard limit this close is worth a warning (7 days).
pub const EXPIRES_SOON_SECS: i64 = 7 * 86_400;
/// A token not used for this long is probably not needed (30 days).
pub const UNUSED_SECS: i64 = 30 * 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Attention {
    /// Its value was reported found in public (`revoked`: and it is refused since).
    Leaked { at: i64, revoked: bool },
    /// It stopped working at `at` (unix seconds).
    Expired { at: i64 },
    /// A hard limit within [`EXPIRES_SOON_SECS`]. An auto-refresh token is not warned about:
    /// using it renews it.
    ExpiresSoon { at: i64 },
    /// Not used for [`UNUSED_SECS`]; `last_used` is `None` for a token never used.
    Unused { last_used: Option<i64> },
}

impl Attention {
    /// What needs attention about `token` at `now`, the most urgent first; `None` when all is
    /// well (and for removed tokens, which need nothing more).
    pub fn of(token: &TokenView, now: i64) -> Option<Self> {
        let expires_at = token.expires_at;
        if token.status != TokenStatus::Removed
            && let Some(leak) = &token.leak
        {
            return Some(Self::Leaked {
                at: leak.reported_at,
                revoked: leak.revoked,
            });
        }
        match token.status {
            TokenStatus::Removed | TokenStatus::Leaked => return None,
            TokenStatus::Expired => {
                return Some(Self::Expired {
                    at: expires_at.unwrap_or(now),
                });
            }
            TokenStatus::Active | TokenStatus::Suspended => {}
        }
        if let Some(at) = expires_at {
            if at <= now {
                return Some(Self::Expired { at });
            }
            if token.expiration == ExpirationModel::HardLimit && at - now <= EXPIRES_SOON_SECS {
                return Some(Self::ExpiresSoon { at });
            }
        }
        let last_used = token.last_used.as_ref().map(|used| used.at);
        let idle_since = last_used.unwrap_or(token.created_at);
        (now - idle_since >= UNUSED_SECS).then_some(Self::Unused { last_used })
    }
}

/// At most this many tokens are listed as needing attention; the rest are counted.
pub const ATTENTION_SHOWN: usize = 10;

/// A person's tokens at a glance: how many work, and which need attention, the most urgent
/// first (expired, then ending soonest, then unused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenOverview {
    /// Tokens that are not removed, have not expired and were not revoked as leaked.
    pub in_date: usize,
    /// The [`ATTENTION_SHOWN`] most urgent.
    pub attention: Vec<(TokenView, Attention)>,
    /// How many more need attention.
    pub more: usize,
}

impl TokenOverview {
    /// `live` counts the person's tokens not removed; `candidates` holds every one of them
    /// that may need attention (at least all that do; others are left out here), so that a
    /// person with thousands of tokens in good order costs a few rows, not thousands.
    pub fn of(live: usize, candidates: Vec<TokenView>, now: i64) -> Self {
        let mut attention: Vec<(TokenView, Attention)> = candidates
            .into_iter()
            .filter_map(|token| Attention::of(&token, now).map(|attention| (token, attention)))
            .collect();
        let not_working = attention
            .iter()
            .filter(|(_, attention)| {
                matches!(
                    attention,
                    Attention::Expired { .. } | Attention::Leaked { revoked: true, .. }
                )
            })
            .count();
        attention.sort_by_key(|(token, attention)| {
            let urgency = match attention {
                Attention::Leaked { .. } => 0,
                Attention::Expired { .. } => 1,
                Attention::ExpiresSoon { .. } => 2,
                Attention::Unused { .. } => 3,
            };
            (urgency, token.expires_at, token.id)
        });
        let more = attention.len().saturating_sub(ATTENTION_SHOWN);
        attention.truncate(ATTENTION_SHOWN);
        Self {
            in_date: live.saturating_sub(not_working),
            attention,
            more,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::{LastUse, TokenView};

    const NOW: i64 = 1_800_000_000;
    const DAY: i64 = 86_400;

    fn token(expiration: ExpirationModel, expires_at: Option<i64>) -> TokenView {
        TokenView {
            expiration,
            expires_at,
            created_at: NOW - DAY,
            updated_at: NOW - DAY,
            last_used: Some(LastUse {
                at: NOW - DAY,
                ip: None,
                user_agent: None,
            }),
            ..TokenView::sample()
        }
    }

    #[test]
    fn a_token_in_date_and_in_use_needs_nothing() {
        assert_eq!(
            Attention::of(&token(ExpirationModel::Never, None), NOW),
            None
        );
        let later = token(ExpirationModel::HardLimit, Some(NOW + 8 * DAY));
        assert_eq!(Attention::of(&later, NOW), None);
    }

    #[test]
    fn a_hard_limit_within_seven_days_is_a_warning_from_its_first_second() {
        let soon = token(ExpirationModel::HardLimit, Some(NOW + 7 * DAY));
        assert_eq!(
            Attention::of(&soon, NOW),
            Some(Attention::ExpiresSoon { at: NOW + 7 * DAY })
        );
        let just_outside = token(ExpirationModel::HardLimit, Some(NOW + 7 * DAY + 1));
        assert_eq!(Attention::of(&just_outside, NOW), None);
    }

    #[test]
    fn an_auto_refresh_token_is_not_warned_about_until_it_has_expired() {
        let sliding = token(ExpirationModel::AutoRefresh, Some(NOW + 3600));
        assert_eq!(Attention::of(&sliding, NOW), None);
        assert_eq!(
            Attention::of(&sliding, NOW + 3600),
            Some(Attention::Expired { at: NOW + 3600 })
        );
    }

    #[test]
    fn expiry_is_read_from_the_status_or_the_clock() {
        let mut expired = token(ExpirationModel::HardLimit, Some(NOW - 10));
        assert_eq!(
            Attention::of(&expired, NOW),
            Some(Attention::Expired { at: NOW - 10 })
        );
        expired.status = TokenStatus::Expired;
        assert_eq!(
            Attention::of(&expired, NOW - 20),
            Some(Attention::Expired { at: NOW - 10 })
        );
        expired.status = TokenStatus::Removed;
        assert_eq!(Attention::of(&expired, NOW), None);
    }

    #[test]
    fn thirty_days_without_a_use_counts_from_the_last_use_or_the_creation() {
        let mut idle = token(ExpirationModel::Never, None);
        idle.last_used.as_mut().unwrap().at = NOW - 30 * DAY;
        assert_eq!(
            Attention::of(&idle, NOW),
            Some(Attention::Unused {
                last_used: Some(NOW - 30 * DAY)
            })
        );
        idle.last_used.as_mut().unwrap().at = NOW - 30 * DAY + 1;
        assert_eq!(Attention::of(&idle, NOW), None);

        idle.last_used = None;
        idle.created_at = NOW - 29 * DAY;
        assert_eq!(Attention::of(&idle, NOW), None);
        idle.created_at = NOW - 31 * DAY;
        assert_eq!(
            Attention::of(&idle, NOW),
            Some(Attention::Unused { last_used: None })
        );
    }

    #[test]
    fn the_overview_counts_what_works_and_puts_the_most_urgent_first() {
        let mut idle = token(ExpirationModel::Never, None);
        idle.id = 1;
        idle.last_used = None;
        idle.created_at = NOW - 40 * DAY;
        let mut later = token(ExpirationModel::HardLimit, Some(NOW + 6 * DAY));
        later.id = 2;
        let mut sooner = token(ExpirationModel::HardLimit, Some(NOW + 2 * DAY));
        sooner.id = 3;
        let mut expired = token(ExpirationModel::HardLimit, Some(NOW - DAY));
        expired.id = 4;
        expired.status = TokenStatus::Expired;
        let mut fine = token(ExpirationModel::Never, None);
        fine.id = 5;

        // Neither a removed token nor one ending this very second is in date.
        let mut removed = token(ExpirationModel::Never, None);
        removed.id = 6;
        removed.status = TokenStatus::Removed;
        let mut ending = token(ExpirationModel::HardLimit, Some(NOW));
        ending.id = 7;

        // Six are live (not removed).
        let overview = TokenOverview::of(
            6,
            vec![idle, later, sooner, expired, fine, removed, ending],
            NOW,
        );

        assert_eq!(overview.in_date, 4);
        let order: Vec<i64> = overview.attention.iter().map(|(t, _)| t.id).collect();
        assert_eq!(order, [4, 7, 3, 2, 1]);
        assert_eq!(overview.more, 0);
    }

    #[test]
    fn a_leaked_token_comes_first_and_a_revoked_one_does_not_work() {
        let leak = |revoked| crate::token::LeakReport {
            reported_at: NOW - 60,
            url: None,
            source: None,
            revoked,
        };
        let mut revoked = token(ExpirationModel::Never, None);
        revoked.id = 1;
        revoked.status = TokenStatus::Leaked;
        revoked.leak = Some(leak(true));
        let mut told = token(ExpirationModel::Never, None);
        told.id = 2;
        told.leak = Some(leak(false));
        let mut expired = token(ExpirationModel::HardLimit, Some(NOW - DAY));
        expired.id = 3;
        expired.status = TokenStatus::Expired;
        let mut gone = told.clone();
        gone.id = 4;
        gone.status = TokenStatus::Removed;
        assert_eq!(
            Attention::of(&told, NOW),
            Some(Attention::Leaked {
                at: NOW - 60,
                revoked: false
            })
        );
        assert_eq!(Attention::of(&gone, NOW), None);

        let overview = TokenOverview::of(3, vec![expired, told, revoked, gone], NOW);
        let order: Vec<i64> = overview.attention.iter().map(|(t, _)| t.id).collect();
        assert_eq!(order, [1, 2, 3]);
        assert_eq!(overview.in_date, 1, "the notified token still works");
    }

    #[test]
    fn the_overview_lists_the_most_urgent_and_counts_the_rest() {
        let mut candidates: Vec<TokenView> = (1..=14)
            .map(|id| {
                let mut idle = token(ExpirationModel::Never, None);
                idle.id = id;
                idle.last_used = None;
                idle.created_at = NOW - 40 * DAY;
                idle
            })
            .collect();
        let mut expired = token(ExpirationModel::HardLimit, Some(NOW - DAY));
        expired.id = 99;
        candidates.push(expired);

        let overview = TokenOverview::of(100, candidates, NOW);

        assert_eq!(overview.attention.len(), ATTENTION_SHOWN);
        assert_eq!(
            overview.attention[0].0.id, 99,
            "the expired one comes first"
        );
        assert_eq!(overview.more, 15 - ATTENTION_SHOWN);
        assert_eq!(overview.in_date, 99);
    }
}
