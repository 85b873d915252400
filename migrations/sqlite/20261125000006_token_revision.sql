-- A counter that moves whenever something a token check reads changes (a token's value,
-- methods, scopes, expiry or removal; its owner's login, role or disabling), whoever wrote it:
-- this server, another process, the CLI. Servers keep checked tokens in memory and start over
-- when it moves (they poll it).
create table token_revision (
    revision_id integer primary key check (revision_id = 1),
    revision bigint not null
);

insert into token_revision (revision_id, revision) values (1, 0);

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
begin
    update token_revision set revision = revision + 1 where revision_id = 1;
end;

create trigger access_tokens_check_deleted after delete on access_tokens
begin
    update token_revision set revision = revision + 1 where revision_id = 1;
end;

create trigger users_check_changed after update on users
when old.login is not new.login
    or old.role is not new.role
    or old.disabled_at is not new.disabled_at
begin
    update token_revision set revision = revision + 1 where revision_id = 1;
end;

create trigger users_check_deleted after delete on users
begin
    update token_revision set revision = revision + 1 where revision_id = 1;
end;
