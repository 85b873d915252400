-- The platform API's resources: environments with their files and deployments, and the
-- marketplace's applications.
create table environments (
    env_id bigint generated always as identity primary key,
    user_id bigint not null references users (user_id) on delete cascade,
    name text not null,
    display_name text not null,
    status text not null check (status in ('running', 'stopped')),
    created_at bigint not null,
    updated_at bigint not null
);

create unique index environments_user_id_name on environments (user_id, name);

create table env_files (
    env_id bigint not null references environments (env_id) on delete cascade,
    path text not null,
    content text not null,
    updated_at bigint not null,
    primary key (env_id, path)
);

create table deployments (
    deployment_id bigint generated always as identity primary key,
    env_id bigint not null references environments (env_id) on delete cascade,
    archive text not null,
    version text,
    deployed_at bigint not null
);

create index deployments_env_id on deployments (env_id);

create table marketplace_apps (
    app_id text primary key,
    title text not null,
    description text not null,
    version text not null
);

create table app_installs (
    env_id bigint not null references environments (env_id) on delete cascade,
    app_id text not null references marketplace_apps (app_id),
    installed_at bigint not null,
    primary key (env_id, app_id)
);

insert into marketplace_apps (app_id, title, description, version) values
    ('wordpress', 'WordPress', 'Blog and website engine with a MariaDB database.', '6.7'),
    ('gitea', 'Gitea', 'Self-hosted Git service with issues and pull requests.', '1.22'),
    ('minio', 'MinIO', 'S3-compatible object storage.', '2024.11'),
    ('grafana', 'Grafana', 'Dashboards and alerting over your metrics.', '11.3'),
    ('keycloak', 'Keycloak', 'Identity and access management with single sign-on.', '26.0');
