-- Whenever something a token check reads changes (a token's value, methods, scopes, expiry or
-- removal; its owner's login, role or disabling), whoever wrote it (any replica, the CLI), a
-- notification on `tessera_token_check` tells every server to drop the tokens it keeps in
-- memory. NOTIFY is delivered at commit, so no server re-reads the row before the change is
-- visible; and unlike a shared counter row it takes no lock.
create function notify_token_check_changed() returns trigger
language plpgsql as $$
begin
    perform pg_notify('tessera_token_check', '');
    return null;
end;
$$;

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
    or old.removed_at is distinct from new.removed_at)
execute function notify_token_check_changed();

create trigger access_tokens_check_deleted after delete on access_tokens
for each row execute function notify_token_check_changed();

create trigger users_check_changed after update on users
for each row
when (old.login is distinct from new.login
    or old.role is distinct from new.role
    or old.disabled_at is distinct from new.disabled_at)
execute function notify_token_check_changed();

create trigger users_check_deleted after delete on users
for each row execute function notify_token_check_changed();
