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
drop trigger access_tokens_check_changed;

create trigger access_tokens_check_changed after update on access_tokens
when old.token_digest is not new.token_digest
    or old.user_id is not new.user_id
    or old.api_set is not new.api_set
    or old.methods is not new.methods
    or old.scopes is not new.scopes
    or old.expiration is not new.expiration
    or old.expires_at is not new.expires_at
    or old.refresh_window_secs is not new.refresh_window_secs
    or old.removed_at is not new.removed_at
    or old.suspended_at is not new.suspended_at
    or old.max_uses is not new.max_uses
    or old.rate_limit is not new.rate_limit
    or old.allowed_ips is not new.allowed_ips
begin
    update token_revision set revision = revision + 1 where revision_id = 1;
end;

create trigger token_policy_check_changed after update on token_policy
when old.owner_rate_limit is not new.owner_rate_limit
begin
    update token_revision set revision = revision + 1 where revision_id = 1;
end;
