//! Tokens whose end is near or just past, and what one-click **Extend** makes of each: the
//! list above Access Tokens, the person page's, and the top bar's count.

use super::{
    EXPIRES_SOON_SECS, ExpirationModel, ExpiryDate, ExpiryInput, Lifetime, TokenPolicy,
    TokenStatus, TokenView,
};

/// How far Extend moves a token's end: 30 days past the later of now and that end.
pub const EXTEND_BY_SECS: i64 = 30 * 86_400;

/// How far back a token that has ended is still listed (7 days).
pub const ENDED_SHOWN_SECS: i64 = 7 * 86_400;

/// When `token` stops (or stopped) working, if that is within 7 days either side of `now`:
/// a hard limit, an auto-refresh token's absolute end, or an auto-refresh token that lapsed
/// unused. An auto-refresh token that may still renew is left out (using it renews it), and
/// so are removed tokens and tokens that never expire.
pub fn ending_near(token: &TokenView, now: i64) -> Option<i64> {
    if token.status == TokenStatus::Removed {
        return None;
    }
    let end = match (token.expiration, token.expires_at) {
        (ExpirationModel::HardLimit, Some(at)) => at,
        (ExpirationModel::AutoRefresh, Some(at)) if at <= now => at,
        (ExpirationModel::AutoRefresh, Some(_)) => token.not_after?,
        _ => return None,
    };
    (end > now - ENDED_SHOWN_SECS && end <= now + EXPIRES_SOON_SECS).then_some(end)
}

/// The edit **Extend** applies to `token` at `now`: a hard limit moves to the last day that
/// ends 30 days past the later of now and its end, an absolute end likewise, and an
/// auto-refresh token that lapsed renews for its window. Within the policy's latest date;
/// `None` when that leaves nothing to gain (the policy allows no later end).
pub fn extension(token: &TokenView, policy: &TokenPolicy, now: i64) -> Option<ExpiryInput> {
    let latest = policy.latest_allowed_date(now);
    let later_date = |end: i64| {
        let target = end.max(now).saturating_add(EXTEND_BY_SECS);
        let date = ExpiryDate::of_unix(target - 1).min(latest);
        (date.expires_at_unix() > end).then_some(date)
    };
    match token.expiration {
        ExpirationModel::HardLimit => {
            let date = later_date(token.expires_at?)?;
            Some(ExpiryInput::Date(date.to_string()))
        }
        ExpirationModel::AutoRefresh => {
            let window = Lifetime::from_secs(token.refresh_window_secs?.unsigned_abs()).ok()?;
            let lapsed = token.expires_at.is_some_and(|at| at <= now);
            let not_after = match token.not_after {
                // Lapsed unused before its end: renewing is enough, and the end the person
                // chose stays (within the policy).
                Some(end) if lapsed && end > now => {
                    Some(ExpiryDate::of_unix(end - 1).min(latest).to_string())
                }
                Some(end) => Some(later_date(end)?.to_string()),
                None => None,
            };
            Some(ExpiryInput::AutoRefresh {
                window: window.to_string(),
                not_after,
            })
        }
        ExpirationModel::Never => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOON_1_MARCH_2027: i64 = 1_803_902_400;
    const DAY: i64 = 86_400;

    fn hard_limit(at: i64) -> TokenView {
        TokenView {
            expiration: ExpirationModel::HardLimit,
            expires_at: Some(at),
            ..TokenView::sample()
        }
    }

    fn auto_refresh(at: i64, not_after: Option<i64>) -> TokenView {
        TokenView {
            expiration: ExpirationModel::AutoRefresh,
            expires_at: Some(at),
            refresh_window_secs: Some(12 * 3600),
            not_after,
            ..TokenView::sample()
        }
    }

    #[test]
    fn a_week_either_side_of_now_is_near() {
        let now = NOON_1_MARCH_2027;
        assert_eq!(
            ending_near(&hard_limit(now + 7 * DAY), now),
            Some(now + 7 * DAY)
        );
        assert_eq!(ending_near(&hard_limit(now + 7 * DAY + 1), now), None);
        assert_eq!(
            ending_near(&hard_limit(now - 7 * DAY + 1), now),
            Some(now - 7 * DAY + 1)
        );
        assert_eq!(ending_near(&hard_limit(now - 7 * DAY), now), None);
        let removed = TokenView {
            status: TokenStatus::Removed,
            ..hard_limit(now + DAY)
        };
        assert_eq!(ending_near(&removed, now), None);
        assert_eq!(ending_near(&TokenView::sample(), now), None);
    }

    #[test]
    fn auto_refresh_is_near_only_by_its_absolute_end_or_when_it_lapsed() {
        let now = NOON_1_MARCH_2027;
        assert_eq!(ending_near(&auto_refresh(now + 3600, None), now), None);
        assert_eq!(
            ending_near(&auto_refresh(now - 3600, None), now),
            Some(now - 3600)
        );
        assert_eq!(
            ending_near(&auto_refresh(now + 3600, Some(now + 2 * DAY)), now),
            Some(now + 2 * DAY)
        );
        assert_eq!(
            ending_near(&auto_refresh(now + 3600, Some(now + 20 * DAY)), now),
            None
        );
    }

    #[test]
    fn extend_adds_thirty_days_to_the_later_of_now_and_the_end() {
        let now = NOON_1_MARCH_2027;
        let open = TokenPolicy::default();
        // Valid through 03-03-2027 (ends at midnight after it): through 02-04-2027.
        let through_3_march = ExpiryDate::parse_dmy("03-03-2027")
            .unwrap()
            .expires_at_unix();
        assert_eq!(
            extension(&hard_limit(through_3_march), &open, now),
            Some(ExpiryInput::Date("02-04-2027".into()))
        );
        // Ended two days ago: 30 days from now.
        assert_eq!(
            extension(&hard_limit(now - 2 * DAY), &open, now),
            Some(ExpiryInput::Date("31-03-2027".into()))
        );
        assert_eq!(
            extension(&auto_refresh(now - 3600, None), &open, now),
            Some(ExpiryInput::auto_refresh("12h"))
        );
        assert_eq!(
            extension(&auto_refresh(now + 3600, Some(through_3_march)), &open, now),
            Some(ExpiryInput::AutoRefresh {
                window: "12h".into(),
                not_after: Some("02-04-2027".into())
            })
        );
        assert_eq!(extension(&TokenView::sample(), &open, now), None);
        // Lapsed unused, its far end kept: a renewal, not a later end.
        let through_june = ExpiryDate::parse_dmy("30-06-2027")
            .unwrap()
            .expires_at_unix();
        assert_eq!(
            extension(&auto_refresh(now - 3600, Some(through_june)), &open, now),
            Some(ExpiryInput::AutoRefresh {
                window: "12h".into(),
                not_after: Some("30-06-2027".into())
            })
        );
    }

    #[test]
    fn the_policy_bounds_an_extension_or_rules_it_out() {
        let now = NOON_1_MARCH_2027;
        let ten_days = TokenPolicy {
            max_lifetime_secs: Some(10 * 86_400),
            ..TokenPolicy::default()
        };
        assert_eq!(
            extension(&hard_limit(now + DAY), &ten_days, now),
            Some(ExpiryInput::Date("10-03-2027".into()))
        );
        let through_10_march = ExpiryDate::parse_dmy("10-03-2027")
            .unwrap()
            .expires_at_unix();
        assert_eq!(
            extension(&hard_limit(through_10_march), &ten_days, now),
            None
        );
    }
}
