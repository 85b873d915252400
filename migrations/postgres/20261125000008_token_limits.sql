-- Tokens that limit themselves: suspended until resumed, a number of uses, a rate of calls,
-- the addresses they may be used from; and the policy's rate limit per person and the API
-- sets whose tokens must list their addresses.
alter table access_tokens add column suspended_at bigint;
-- null: unlimited. `uses_left` counts down on each admitted call; an edit may refill both.
alter table access_tokens add column max_uses bigint;
alter table access_tokens add column uses_left bigint;
-- `600/min`; null: no limit
alter table access_tokens add column rate_limit text;
-- addresses and CIDR ranges separated by spaces; empty: anywhere
alter table access_tokens add column allowed_ips text not null default '';

-- null: no limit per person
alter table token_policy add column owner_rate_limit text;
-- API set ids separated by spaces
alter table token_policy add column allowed_ips_required_for text not null default '';

-- A check reads the new settings too (but not `uses_left`: spending a use must not make every
-- server drop the tokens it keeps, and the count is never read from memory).
drop trigger access_tokens_check_changed on access_tokens;

create trigger access_tokens_check_changed after update on access_tokens
for each row
when (old.token_digest is distinct from new.token_digest
    or old.user_id is distinct from new.user_id
    or old.api_set is distinct from new.api_set
    or old.methods is distinct from new.methods
    or old.scopes is distinct from new.scopes
    or old.expiration is distinct from new.expiration
    or old.expires_at is distinct from new.expires_at
    or old.refresh_window_secs is distinct from new.refresh_window_secs
    or old.removed_at is distinct from new.removed_at
    or old.suspended_at is distinct from new.suspended_at
    or old.max_uses is distinct from new.max_uses
    or old.rate_limit is distinct from new.rate_limit
    or old.allowed_ips is distinct from new.allowed_ips)
execute function notify_token_check_changed();

create trigger token_policy_check_changed after update on token_policy
for each row
when (old.owner_rate_limit is distinct from new.owner_rate_limit)
execute function notify_token_check_changed();
