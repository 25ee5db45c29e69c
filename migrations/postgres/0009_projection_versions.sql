-- The version of each read model's shape, as last built. A projection whose code declares
-- another version is rebuilt from the log when the service starts (ADR 14).
create table projection_versions (
    name     text primary key,
    version  bigint not null
);
