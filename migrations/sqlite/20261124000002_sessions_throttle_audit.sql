-- Browser sessions. Only a SHA-256 digest of the cookie value is stored.
create table sessions (
    session_id integer primary key,
    token_digest text not null,
    user_id integer not null references users (user_id) on delete cascade,
    created_at bigint not null,
    last_seen_at bigint not null,
    -- absolute end, whatever the activity
    expires_at bigint not null,
    ip text,
    user_agent text
);

create unique index sessions_token_digest on sessions (token_digest);
create index sessions_user_id on sessions (user_id);

-- Failed password checks, counted per account ('account:<login key>', whether or not the
-- account exists, so that throttling reveals nothing) and per client ('client:<address>').
create table sign_in_throttle (
    throttle_key text primary key,
    failures bigint not null,
    last_failure_at bigint not null
);

-- Who did what to whom. Never a password or a token value.
create table audit_events (
    audit_event_id integer primary key,
    occurred_at bigint not null,
    action text not null,
    actor_user_id integer references users (user_id) on delete set null,
    actor_login text,
    subject_login text,
    ip text,
    user_agent text,
    detail text
);

create index audit_events_occurred_at on audit_events (occurred_at);
create index audit_events_subject_login on audit_events (subject_login);
