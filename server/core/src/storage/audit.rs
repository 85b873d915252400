//! The `audit_events` table.

use sqlx::AnyExecutor;

use super::Result;

pub struct NewAuditEvent<'a> {
    pub now: i64,
    pub action: &'a str,
    pub actor_user_id: Option<i64>,
    pub actor_login: Option<&'a str>,
    pub subject_login: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub detail: Option<&'a str>,
}

pub async fn insert<'c>(executor: impl AnyExecutor<'c>, event: NewAuditEvent<'_>) -> Result<()> {
    sqlx::query(
        "insert into audit_events (occurred_at, action, actor_user_id, actor_login, \
         subject_login, ip, user_agent, detail) values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(event.now)
    .bind(event.action)
    .bind(event.actor_user_id)
    .bind(event.actor_login)
    .bind(event.subject_login)
    .bind(event.ip)
    .bind(event.user_agent)
    .bind(event.detail)
    .execute(executor)
    .await?;
    Ok(())
}

/// Which events to read; every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Events this login took part in, as actor or as subject (a person's own log).
    pub involving: Option<String>,
    pub actor: Option<String>,
    pub subject: Option<String>,
    /// The action, such as `token_created`.
    pub kind: Option<String>,
    /// Unix seconds, inclusive.
    pub from: Option<i64>,
    /// Unix seconds, exclusive.
    pub until: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AuditRow {
    #[sqlx(rename = "audit_event_id")]
    pub id: i64,
    pub occurred_at: i64,
    pub action: String,
    pub actor_login: Option<String>,
    pub subject_login: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
}

impl AuditQuery {
    /// The `where` clause and its values, numbered from `$1`.
    fn conditions(&self) -> (String, Vec<Bound>) {
        let mut clauses: Vec<String> = Vec::new();
        let mut values = Vec::new();
        let mut add = |value: Bound, clause: fn(usize) -> String| {
            values.push(value);
            clauses.push(clause(values.len()));
        };
        let text = |value: &Option<String>| value.clone().map(Bound::Text);
        if let Some(login) = text(&self.involving) {
            add(login, |n| {
                format!("(actor_login = ${n} or subject_login = ${n})")
            });
        }
        if let Some(actor) = text(&self.actor) {
            add(actor, |n| format!("actor_login = ${n}"));
        }
        if let Some(subject) = text(&self.subject) {
            add(subject, |n| format!("subject_login = ${n}"));
        }
        if let Some(kind) = text(&self.kind) {
            add(kind, |n| format!("action = ${n}"));
        }
        if let Some(from) = self.from {
            add(Bound::Number(from), |n| format!("occurred_at >= ${n}"));
        }
        if let Some(until) = self.until {
            add(Bound::Number(until), |n| format!("occurred_at < ${n}"));
        }
        let clause = if clauses.is_empty() {
            String::new()
        } else {
            format!(" where {}", clauses.join(" and "))
        };
        (clause, values)
    }
}

#[derive(Debug, Clone)]
enum Bound {
    Text(String),
    Number(i64),
}

fn bind<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    values: &'q [Bound],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    values.iter().fold(query, |query, value| match value {
        Bound::Text(text) => query.bind(text.as_str()),
        Bound::Number(number) => query.bind(*number),
    })
}

/// How many events match.
pub async fn count<'c>(executor: impl AnyExecutor<'c>, query: &AuditQuery) -> Result<i64> {
    let (clause, values) = query.conditions();
    let sql = format!("select count(*) from audit_events{clause}");
    let row = bind(sqlx::query(&sql), &values).fetch_one(executor).await?;
    Ok(sqlx::Row::try_get(&row, 0)?)
}

/// The matching events, newest first, `limit` of them after `offset`.
pub async fn page<'c>(
    executor: impl AnyExecutor<'c>,
    query: &AuditQuery,
    offset: i64,
    limit: i64,
) -> Result<Vec<AuditRow>> {
    let (clause, mut values) = query.conditions();
    values.push(Bound::Number(limit));
    values.push(Bound::Number(offset));
    let n = values.len();
    let sql = format!(
        "select audit_event_id, occurred_at, action, actor_login, subject_login, ip, user_agent, \
         detail from audit_events{clause} order by occurred_at desc, audit_event_id desc \
         limit ${} offset ${n}",
        n - 1
    );
    let rows = bind(sqlx::query(&sql), &values).fetch_all(executor).await?;
    rows.iter()
        .map(|row| Ok(<AuditRow as sqlx::FromRow<_>>::from_row(row)?))
        .collect()
}
