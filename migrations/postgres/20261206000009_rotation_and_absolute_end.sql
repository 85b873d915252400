-- Rotation with a grace period: a regenerated token's previous value may keep working until
-- `works_until` (null: not at all), or until the new value is first used, if sooner.
alter table retired_token_digests add column works_until bigint;
-- Regenerations and first uses end a token's running graces by its id.
create index retired_token_digests_token_id on retired_token_digests (token_id);
-- The end of the grace period still running, if any: a check of the new value reads it with
-- the token and knows, without another read, that its first use ends the grace.
alter table access_tokens add column old_value_expires_at bigint;
-- An auto-refresh token's absolute end: no use moves `expires_at` past it. Null: none.
alter table access_tokens add column not_after bigint;
-- The tokens whose end is near, for the list above Access Tokens and the top bar's count.
create index access_tokens_user_expiry on access_tokens (user_id, expires_at);
-- null: the server's longest grace (7 days)
alter table token_policy add column max_rotation_grace_secs bigint;

-- A check reads `old_value_expires_at` and `not_after` too: the grace ended on one server must
-- reach the others.
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
    or old.allowed_ips is distinct from new.allowed_ips
    or old.old_value_expires_at is distinct from new.old_value_expires_at
    or old.not_after is distinct from new.not_after)
execute function notify_token_check_changed();
