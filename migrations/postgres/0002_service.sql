-- Credentials: bearer tokens are stored only as SHA-256 hashes (they are 256-bit random
-- values, so a slow password hash would add nothing; see docs/adr/0005-credentials.md).
create table credentials (
    id              text primary key,
    token_hash      text not null unique,
    role            text not null,
    scope           text,
    label           text not null,
    created_at_us   bigint not null,
    revoked_at_us   bigint
);

-- One row per projection: the last log position applied. Updated in the same transaction
-- as the projection's rows, so a crash neither loses nor repeats an event.
create table projection_checkpoints (
    name      text primary key,
    position  bigint not null
);

-- Document read models: one JSON document per (projection, key).
create table read_docs (
    projection  text not null,
    key         text not null,
    body        text not null,
    position    bigint not null,     -- last event that changed it
    primary key (projection, key)
);

-- The audit history: every event, with who / on whose behalf / when / why, for filtering.
create table audit_log (
    position        bigint primary key,
    event_id        text not null,
    aggregate_type  text not null,
    aggregate_id    text not null,
    stream_version  bigint not null,
    event_type      text not null,
    actor           text,
    role            text,
    on_behalf_of    text,
    correlation_id  text,
    causation_id    text,
    meeting_id      text,
    amendment_id    text,
    recorded_at_us  bigint not null,
    hash            text not null
);
create index audit_log_stream on audit_log (aggregate_type, aggregate_id, position);
create index audit_log_actor on audit_log (actor, position);
create index audit_log_state on audit_log (on_behalf_of, position);
create index audit_log_type on audit_log (event_type, position);
create index audit_log_meeting on audit_log (meeting_id, position);
create index audit_log_amendment on audit_log (amendment_id, position);
create index audit_log_time on audit_log (recorded_at_us);
