//! The audit log as people read it: events, a page of them, and the filters an admin types
//! (the REST query and the `/admin/audit` form decide them by the same rules).

use serde::{Deserialize, Serialize};

use crate::{paging::Paging, token::ExpiryDate};

/// Events shown per page in the dashboard.
pub const EVENTS_PER_PAGE: u32 = 50;

/// Who did what to whom, from where; never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: i64,
    /// Unix seconds.
    pub occurred_at: i64,
    /// Such as `token_created`.
    pub action: String,
    /// `None`: the system (a refused token use, say).
    pub actor_login: Option<String>,
    pub subject_login: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEventPage {
    pub events: Vec<AuditEvent>,
    pub paging: Paging,
}

/// Filters as typed; empty is no filter. Days are `dd-mm-yyyy` or `yyyy-mm-dd` (UTC), both
/// included.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditFilters {
    pub kind: String,
    pub actor: String,
    pub subject: String,
    pub from: String,
    pub to: String,
}

/// What the filters select: logins and the kind as given (trimmed), times in Unix seconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditSelection {
    pub kind: Option<String>,
    pub actor: Option<String>,
    pub subject: Option<String>,
    /// Inclusive.
    pub from: Option<i64>,
    /// Exclusive: the end of the `to` day.
    pub until: Option<i64>,
}

impl AuditFilters {
    pub fn decide(&self) -> Result<AuditSelection, String> {
        let text = |value: &str| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        let day = |name: &str, value: &str| match value.trim() {
            "" => Ok(None),
            typed => ExpiryDate::parse(typed)
                .map(Some)
                .map_err(|error| format!("{name}: {error}")),
        };
        let from = day("from", &self.from)?;
        let to = day("to", &self.to)?;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err("from is after to: the first day comes first.".to_owned());
        }
        Ok(AuditSelection {
            kind: text(&self.kind),
            actor: text(&self.actor),
            subject: text(&self.subject),
            // A day's end is the next day's start: `to` includes its whole day.
            from: from.map(|d| d.expires_at_unix() - 86_400),
            until: to.map(ExpiryDate::expires_at_unix),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_filters_select_everything() {
        assert_eq!(
            AuditFilters::default().decide(),
            Ok(AuditSelection::default())
        );
    }

    #[test]
    fn days_are_whole_utc_days_both_included() {
        let filters = AuditFilters {
            from: "2026-12-01".into(),
            to: " 01-12-2026 ".into(),
            actor: " root ".into(),
            ..AuditFilters::default()
        };
        let selection = filters.decide().unwrap();
        assert_eq!(selection.from, Some(1_796_083_200));
        assert_eq!(selection.until, Some(1_796_083_200 + 86_400));
        assert_eq!(selection.actor.as_deref(), Some("root"));
    }

    #[test]
    fn wrong_or_reversed_days_are_refused_with_a_reason() {
        let wrong = AuditFilters {
            from: "01-12-2026x".into(),
            ..AuditFilters::default()
        };
        assert!(wrong.decide().unwrap_err().starts_with("from: "));
        let reversed = AuditFilters {
            from: "2026-12-02".into(),
            to: "2026-12-01".into(),
            ..AuditFilters::default()
        };
        assert!(reversed.decide().unwrap_err().contains("after"));
    }
}
