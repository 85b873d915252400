-- Leaked tokens: a secret scanner reported the value in public (POST /api/v1/leaks). When
-- (`leaked_at`), where (`leak_url`, `leak_source`), and, when the report revoked it, since
-- when it is refused as `token_leaked` (`leak_revoked_at`). A new value clears them all.
alter table access_tokens add column leaked_at bigint;
alter table access_tokens add column leak_url text;
alter table access_tokens add column leak_source text;
alter table access_tokens add column leak_revoked_at bigint;

-- A check reads `leak_revoked_at`: a revocation on one server must reach the others.
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
    or old.not_after is distinct from new.not_after
    or old.leak_revoked_at is distinct from new.leak_revoked_at)
execute function notify_token_check_changed();
