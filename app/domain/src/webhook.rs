//! Webhooks: endpoints a person (for their tokens) or an admin (for everyone's) registers to
//! hear of token events, and the deliveries made to them. The rules both sides share: the
//! events, the URL's shape, the lead times, and what lists show.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::token::{Lifetime, LifetimeError};

/// What a webhook may hear of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WebhookEvent {
    /// A token's end is within one of the endpoint's lead times.
    #[serde(rename = "token.expiring")]
    TokenExpiring,
    #[serde(rename = "token.expired")]
    TokenExpired,
    #[serde(rename = "token.regenerated")]
    TokenRegenerated,
    #[serde(rename = "token.removed")]
    TokenRemoved,
    /// A value replaced by regeneration was presented after its grace ended: something still
    /// uses it.
    #[serde(rename = "token.used_after_grace")]
    TokenUsedAfterGrace,
    /// A secret scanner reported a token's value found in public.
    #[serde(rename = "token.leaked")]
    TokenLeaked,
}

impl WebhookEvent {
    pub const ALL: [Self; 6] = [
        Self::TokenExpiring,
        Self::TokenExpired,
        Self::TokenRegenerated,
        Self::TokenRemoved,
        Self::TokenUsedAfterGrace,
        Self::TokenLeaked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TokenExpiring => "token.expiring",
            Self::TokenExpired => "token.expired",
            Self::TokenRegenerated => "token.regenerated",
            Self::TokenRemoved => "token.removed",
            Self::TokenUsedAfterGrace => "token.used_after_grace",
            Self::TokenLeaked => "token.leaked",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|event| event.as_str() == raw.trim())
    }

    /// What it means, for the form.
    pub fn description(self) -> &'static str {
        match self {
            Self::TokenExpiring => "a token will expire (at each lead time)",
            Self::TokenExpired => "a token has expired",
            Self::TokenRegenerated => "a token was given a new value",
            Self::TokenRemoved => "a token was removed",
            Self::TokenUsedAfterGrace => "a replaced value was used after its grace period",
            Self::TokenLeaked => "a token's value was found in public",
        }
    }
}

impl fmt::Display for WebhookEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lead times when none are given: a week and a day before the end.
pub const DEFAULT_LEAD_TIMES_SECS: [u64; 2] = [7 * 86_400, 86_400];
/// The longest lead time (30 days) and the most of them (5).
pub const MAX_LEAD_SECS: u64 = 30 * 86_400;
pub const MAX_LEAD_TIMES: usize = 5;
/// The longest URL taken.
pub const MAX_URL_LEN: usize = 2048;

/// A webhook as typed in the form, a REST body or the CLI.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookInput {
    pub url: String,
    /// Event names; none: every event.
    pub events: Vec<String>,
    /// When to announce `token.expiring`, such as `7d 1d`; empty: a week and a day.
    pub lead_times: String,
    /// An admin's endpoint for everyone's tokens, not only their own.
    pub all_people: bool,
}

/// A webhook as decided: only [`WebhookInput::decide`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecidedWebhook {
    url: WebhookUrl,
    events: Vec<WebhookEvent>,
    lead_times_secs: Vec<u64>,
    all_people: bool,
}

impl DecidedWebhook {
    pub fn url(&self) -> &WebhookUrl {
        &self.url
    }

    pub fn events(&self) -> &[WebhookEvent] {
        &self.events
    }

    pub fn lead_times_secs(&self) -> &[u64] {
        &self.lead_times_secs
    }

    pub fn all_people(&self) -> bool {
        self.all_people
    }
}

/// What is wrong with a webhook as typed, field by field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookInputErrors {
    pub url: Option<String>,
    pub events: Option<String>,
    pub lead_times: Option<String>,
}

impl WebhookInputErrors {
    pub fn is_empty(&self) -> bool {
        self.url.is_none() && self.events.is_none() && self.lead_times.is_none()
    }

    pub fn summary(&self) -> String {
        [&self.url, &self.events, &self.lead_times]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl WebhookInput {
    pub fn decide(&self) -> Result<DecidedWebhook, Box<WebhookInputErrors>> {
        let url = WebhookUrl::parse(&self.url);
        let events = parse_events(&self.events);
        let lead_times = parse_lead_times(&self.lead_times);
        match (url, events, lead_times) {
            (Ok(url), Ok(events), Ok(lead_times_secs)) => Ok(DecidedWebhook {
                url,
                events,
                lead_times_secs,
                all_people: self.all_people,
            }),
            (url, events, lead_times) => Err(Box::new(WebhookInputErrors {
                url: url.err(),
                events: events.err(),
                lead_times: lead_times.err(),
            })),
        }
    }
}

fn parse_events(raw: &[String]) -> Result<Vec<WebhookEvent>, String> {
    if raw.iter().all(|event| event.trim().is_empty()) {
        return Ok(WebhookEvent::ALL.to_vec());
    }
    let mut events = Vec::new();
    for name in raw.iter().filter(|event| !event.trim().is_empty()) {
        let event = WebhookEvent::parse(name).ok_or_else(|| {
            format!(
                "There is no event “{}”: choose among {}.",
                name.trim(),
                WebhookEvent::ALL.map(WebhookEvent::as_str).join(", ")
            )
        })?;
        if !events.contains(&event) {
            events.push(event);
        }
    }
    Ok(events)
}

/// `7d 1d` or `7d, 1d`: each a duration up to 30 days; empty: the defaults. Longest first.
pub fn parse_lead_times(raw: &str) -> Result<Vec<u64>, String> {
    let parts: Vec<&str> = raw
        .split([',', ' '])
        .filter(|part| !part.is_empty())
        .collect();
    if parts.is_empty() {
        return Ok(DEFAULT_LEAD_TIMES_SECS.to_vec());
    }
    if parts.len() > MAX_LEAD_TIMES {
        return Err(format!("Give at most {MAX_LEAD_TIMES} lead times."));
    }
    let mut secs = Vec::with_capacity(parts.len());
    for part in parts {
        let lead = Lifetime::parse(part)
            .map_err(|e: LifetimeError| format!("Lead time: {e}"))?
            .as_secs();
        if lead > MAX_LEAD_SECS {
            return Err("A lead time is at most 30d.".to_owned());
        }
        if !secs.contains(&lead) {
            secs.push(lead);
        }
    }
    secs.sort_unstable_by(|a, b| b.cmp(a));
    Ok(secs)
}

/// Lead times as typed back: `7d 1d`.
pub fn format_lead_times(secs: &[u64]) -> String {
    secs.iter()
        .filter_map(|&s| Lifetime::from_secs(s).ok())
        .map(|lead| lead.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// An `http` or `https` URL with a host and no credentials in it. Where it may point (not a
/// private address, unless the operator allows it) is the server's check, after DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    url: String,
    https: bool,
    host: String,
    port: u16,
}

impl WebhookUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let url = raw.trim();
        if url.is_empty() {
            return Err(
                "Enter the endpoint's URL, such as https://ci.example.com/hooks/tessera."
                    .to_owned(),
            );
        }
        if url.len() > MAX_URL_LEN {
            return Err(format!("A URL is at most {MAX_URL_LEN} characters."));
        }
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("A URL has no spaces or control characters.".to_owned());
        }
        let (https, rest) = if let Some(rest) = url.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err("The URL must start with https:// (or http://).".to_owned());
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err("Leave credentials out of the URL: the deliveries are signed.".to_owned());
        }
        let (host, port) = split_host_port(authority)
            .ok_or_else(|| format!("“{authority}” is not a host (and port)."))?;
        Ok(Self {
            url: url.to_owned(),
            https,
            host,
            port: port.unwrap_or(if https { 443 } else { 80 }),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn is_https(&self) -> bool {
        self.https
    }
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`; the host lower-cased.
fn split_host_port(authority: &str) -> Option<(String, Option<u16>)> {
    let (host, port, bracketed) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        host.parse::<std::net::Ipv6Addr>().ok()?;
        let port = match after {
            "" => None,
            after => Some(after.strip_prefix(':')?),
        };
        (host, port, true)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port), false),
            None => (authority, None, false),
        }
    };
    // A colon belongs only to a bracketed IPv6 address.
    let valid_host = !host.is_empty()
        && host.len() <= 253
        && host.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '-') || (bracketed && c == ':')
        });
    if !valid_host {
        return None;
    }
    let port = match port {
        None => None,
        Some(port) => Some(port.parse::<u16>().ok().filter(|&p| p != 0)?),
    };
    Some((host.to_ascii_lowercase(), port))
}

/// A registered endpoint as lists show it (never its signing secret).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WebhookView {
    pub id: i64,
    pub owner: String,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub lead_times_secs: Vec<u64>,
    pub all_people: bool,
    /// Unix seconds.
    pub created_at: i64,
}

/// An endpoint just registered, with its signing secret: shown once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredWebhook {
    pub webhook: WebhookView,
    pub secret: String,
}

impl fmt::Debug for RegisteredWebhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisteredWebhook")
            .field("webhook", &self.webhook)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// One delivery of an event to an endpoint, and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: i64,
    pub webhook_id: i64,
    pub event: WebhookEvent,
    /// Unix seconds.
    pub created_at: i64,
    pub attempts: u32,
    /// The endpoint's last HTTP status; `None` before an answer.
    pub last_status: Option<u16>,
    /// Why the last attempt failed, when it did not get an answer.
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
    /// Retries stopped (24 hours of them) without a 2xx answer.
    pub gave_up_at: Option<i64>,
    pub next_attempt_at: Option<i64>,
}

impl DeliveryView {
    /// "delivered", "retrying", "failed", "pending".
    pub fn state(&self) -> &'static str {
        if self.delivered_at.is_some() {
            "delivered"
        } else if self.gave_up_at.is_some() {
            "failed"
        } else if self.attempts > 0 {
            "retrying"
        } else {
            "pending"
        }
    }
}

/// What Settings → Notifications shows: the caller's endpoints with their recent deliveries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationsPage {
    pub webhooks: Vec<(WebhookView, Vec<DeliveryView>)>,
    /// Whether the caller may register endpoints for everyone's tokens.
    pub admin: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_read_back_and_none_means_all() {
        for event in WebhookEvent::ALL {
            assert_eq!(WebhookEvent::parse(event.as_str()), Some(event));
            assert_eq!(
                serde_json::to_string(&event).unwrap(),
                format!("\"{event}\"")
            );
        }
        let all = WebhookInput {
            url: "https://ci.example.com/hook".into(),
            ..WebhookInput::default()
        };
        assert_eq!(all.decide().unwrap().events(), WebhookEvent::ALL);
        let some = WebhookInput {
            events: vec!["token.removed".into(), " token.removed ".into()],
            ..all.clone()
        };
        assert_eq!(
            some.decide().unwrap().events(),
            [WebhookEvent::TokenRemoved]
        );
        let unknown = WebhookInput {
            events: vec!["token.exploded".into()],
            ..all
        };
        assert!(
            unknown
                .decide()
                .unwrap_err()
                .events
                .unwrap()
                .contains("token.exploded")
        );
    }

    #[test]
    fn urls_are_http_or_https_with_a_host_and_no_credentials() {
        let url = WebhookUrl::parse(" https://CI.example.com:8443/hook?x=1 ").unwrap();
        assert_eq!(url.host(), "ci.example.com");
        assert_eq!(url.port(), 8443);
        assert!(url.is_https());
        assert_eq!(url.as_str(), "https://CI.example.com:8443/hook?x=1");
        let plain = WebhookUrl::parse("http://127.0.0.1/hook").unwrap();
        assert_eq!((plain.host(), plain.port()), ("127.0.0.1", 80));
        let v6 = WebhookUrl::parse("http://[::1]:9000/").unwrap();
        assert_eq!((v6.host(), v6.port()), ("::1", 9000));
        for bad in [
            "",
            "ftp://example.com/",
            "https://user:pw@example.com/",
            "https:///path",
            "https://exa mple.com/",
            "https://example.com:0/",
            "https://example.com:99999/",
            "https://[not-v6]/",
            "https://[::1]x/",
            "https://a:b:80/",
            "javascript:alert(1)",
        ] {
            assert!(WebhookUrl::parse(bad).is_err(), "{bad}");
        }
        assert!(WebhookUrl::parse(&format!("https://e.com/{}", "a".repeat(MAX_URL_LEN))).is_err());
    }

    #[test]
    fn lead_times_default_to_a_week_and_a_day_and_are_bounded() {
        assert_eq!(parse_lead_times(""), Ok(vec![604_800, 86_400]));
        assert_eq!(parse_lead_times("1d, 3d 1d"), Ok(vec![259_200, 86_400]));
        assert_eq!(format_lead_times(&[604_800, 3600]), "7d 1h");
        assert!(parse_lead_times("31d").is_err());
        assert!(parse_lead_times("1d 2d 3d 4d 5d 6d").is_err());
        assert!(
            parse_lead_times("soon")
                .unwrap_err()
                .starts_with("Lead time:")
        );
    }

    #[test]
    fn a_registered_secret_never_shows_in_debug() {
        let registered = RegisteredWebhook {
            webhook: WebhookView {
                id: 1,
                owner: "ann".into(),
                url: "https://ci.example.com/".into(),
                events: vec![WebhookEvent::TokenRemoved],
                lead_times_secs: vec![86_400],
                all_people: false,
                created_at: 0,
            },
            secret: "whsec_topsecret".into(),
        };
        let shown = format!("{registered:?}");
        assert!(!shown.contains("topsecret"), "{shown}");
    }
}
