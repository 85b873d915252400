-- What admins allow when tokens are made or changed. One row, created here with the defaults
-- (no limits).
create table token_policy (
    policy_id bigint primary key check (policy_id = 1),
    -- null: no maximum lifetime
    max_lifetime_secs bigint,
    expiry_required bigint not null default 0 check (expiry_required in (0, 1)),
    -- predefined API set ids separated by spaces; null: all of them
    api_sets text,
    custom_allowed bigint not null default 1 check (custom_allowed in (0, 1)),
    updated_at bigint not null,
    updated_by_login text not null
);

insert into token_policy (policy_id, updated_at, updated_by_login) values (1, 0, '');
