-- Leaked tokens: a secret scanner reported the value in public (POST /api/v1/leaks). When
-- (`leaked_at`), where (`leak_url`, `leak_source`), and, when the report revoked it, since
-- when it is refused as `token_leaked` (`leak_revoked_at`). A new value clears them all.
alter table access_tokens add column leaked_at bigint;
alter table access_tokens add column leak_url text;
alter table access_tokens add column leak_source text;
alter table access_tokens add column leak_revoked_at bigint;

-- A check reads `leak_revoked_at`: a revocation on one server must reach the others.
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
    or old.old_value_expires_at is not new.old_value_expires_at
    or old.not_after is not new.not_after
    or old.leak_revoked_at is not new.leak_revoked_at
begin
    update token_revision set revision = revision + 1 where revision_id = 1;
end;
