-- Accounts. Times are UTC instants in unix seconds (the same representation on both engines).
create table users (
    user_id integer primary key,
    login text not null,
    -- lower-cased login: uniqueness and look-ups are case-insensitive
    login_key text not null,
    display_name text not null,
    email text not null,
    password_hash text not null,
    role text not null default 'user' check (role in ('user', 'admin')),
    disabled_at bigint,
    created_at bigint not null,
    updated_at bigint not null
);

create unique index users_login_key on users (login_key);
