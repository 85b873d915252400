-- Webhooks: endpoints that hear of token events. `user_id` registered it; `all_people` (an
-- admin's) hears of everyone's tokens, else only of that user's own. The signing secret is
-- kept as it is: deliveries are signed with it (it grants nothing in Tessera).
create table webhooks (
    webhook_id bigint generated always as identity primary key,
    user_id bigint not null references users (user_id) on delete cascade,
    url text not null,
    -- event names separated by spaces
    events text not null,
    -- seconds before a token's end to announce it, separated by spaces
    lead_times text not null,
    all_people bigint not null default 0,
    secret text not null,
    created_at bigint not null,
    removed_at bigint
);

create index webhooks_user_id on webhooks (user_id);

-- The outbox: one row per event and endpoint, written in the transaction of the change it
-- announces, so that a restart loses none; delivered, retried or given up by the servers.
create table webhook_deliveries (
    delivery_id bigint generated always as identity primary key,
    webhook_id bigint not null references webhooks (webhook_id) on delete cascade,
    event text not null,
    payload text not null,
    created_at bigint not null,
    next_attempt_at bigint not null,
    attempts bigint not null default 0,
    last_status bigint,
    last_error text,
    delivered_at bigint,
    gave_up_at bigint
);

create index webhook_deliveries_due on webhook_deliveries (next_attempt_at)
    where delivered_at is null and gave_up_at is null;
create index webhook_deliveries_webhook on webhook_deliveries (webhook_id, delivery_id);

-- Each token end announced once per endpoint, lead time and end (an extension announces anew).
create table webhook_notices (
    webhook_id bigint not null references webhooks (webhook_id) on delete cascade,
    token_id bigint not null references access_tokens (token_id) on delete cascade,
    kind text not null,
    token_end bigint not null,
    primary key (webhook_id, token_id, kind, token_end)
);

-- A replaced value whose grace was ended (by the new value's first use or a new
-- regeneration): its later use is announced as token.used_after_grace.
alter table retired_token_digests add column grace_ended_at bigint;

-- The expiry scan reads live tokens by their end, across owners.
create index access_tokens_expires_at on access_tokens (expires_at) where removed_at is null;
create index access_tokens_not_after on access_tokens (not_after) where not_after is not null;
