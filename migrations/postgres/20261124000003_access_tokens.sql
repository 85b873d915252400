-- Personal access tokens. Only a SHA-256 digest of the value is stored, and its last four
-- characters (`hint`) for display.
create table access_tokens (
    token_id bigint generated always as identity primary key,
    user_id bigint not null references users (user_id) on delete cascade,
    token_digest text not null,
    hint text not null,
    description text not null,
    -- a predefined API set's id, or null when `methods` holds a hand-picked list
    api_set text,
    -- method names separated by spaces (hand-picked lists only)
    methods text not null default '',
    -- resource scopes separated by spaces; empty means all of the owner's resources
    scopes text not null default '',
    expiration text not null check (expiration in ('never', 'hard_limit', 'auto_refresh')),
    -- null only when expiration = 'never'; for auto refresh, pushed forward on use
    expires_at bigint,
    refresh_window_secs bigint,
    created_at bigint not null,
    created_by_user_id bigint references users (user_id) on delete set null,
    created_by_login text not null,
    updated_at bigint not null,
    last_used_at bigint,
    last_used_ip text,
    last_used_user_agent text,
    -- removed tokens stay, refused, so admins see their history
    removed_at bigint,
    removed_by_login text
);

create unique index access_tokens_token_digest on access_tokens (token_digest);
create index access_tokens_user_id on access_tokens (user_id);

-- Digests of values replaced by regeneration: their use is refused with a precise reason.
create table retired_token_digests (
    token_digest text primary key,
    token_id bigint not null references access_tokens (token_id) on delete cascade,
    retired_at bigint not null
);
