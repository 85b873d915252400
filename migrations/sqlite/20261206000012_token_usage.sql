-- What each token did, counted in memory and written in batches with its last use:
-- calls per UTC day (`day`: days since 1970-01-01) per method, environment and outcome
-- (`success` or a refusal code); `method` and `env` are '' when a call named none. Rows older
-- than the kept days are pruned as they age.
create table token_usage (
    token_id bigint not null references access_tokens (token_id) on delete cascade,
    day bigint not null,
    method text not null,
    env text not null,
    outcome text not null,
    calls bigint not null,
    primary key (token_id, day, method, env, outcome)
);
create index token_usage_day on token_usage (day);

-- The distinct (address, user agent) pairs a token was presented from; the five seen last
-- are kept per token. '' for a part the call did not give.
create table token_sources (
    token_id bigint not null references access_tokens (token_id) on delete cascade,
    ip text not null,
    user_agent text not null,
    first_seen bigint not null,
    last_seen bigint not null,
    calls bigint not null,
    primary key (token_id, ip, user_agent)
);
