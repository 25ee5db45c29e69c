-- The event log. One row per event, in global order. Rows are never updated or deleted
-- (enforced by triggers below); the hash chain makes any tampering detectable offline.
create table events (
    position        integer primary key,          -- global order; contiguous, commit order
    event_id        text not null unique,          -- UUID v7
    aggregate_type  text not null,
    aggregate_id    text not null,
    stream_version  integer not null,              -- 1-based version within the stream
    event_type      text not null,
    event_version   text not null,                 -- schema version of the payload
    payload         text not null,                 -- canonical JSON, exactly the hashed bytes
    metadata        text not null,                 -- canonical JSON object of strings
    recorded_at_us  integer not null,              -- server clock, microseconds since epoch
    prev_hash       blob not null,
    hash            blob not null,
    unique (aggregate_type, aggregate_id, stream_version)
);

-- The head of the chain; appends run under SQLite's write lock (BEGIN IMMEDIATE).
create table log_head (
    id        integer primary key check (id = 1),
    position  integer not null,
    hash      blob not null
);
insert into log_head values (1, 0, zeroblob(32));

-- Accepted idempotency keys and the outcome to replay for a retried command.
create table idempotency (
    key             text primary key,
    aggregate_type  text not null,
    aggregate_id    text not null,
    request_hash    text not null,
    first_position  integer not null,
    last_position   integer not null,
    stream_version  integer not null
);

-- Aggregate snapshots: a cache, never a source of truth; loading catches up from the log.
create table snapshots (
    aggregate_type  text not null,
    aggregate_id    text not null,
    stream_version  integer not null,
    payload         text not null,
    primary key (aggregate_type, aggregate_id)
);

create trigger events_no_update before update on events
begin
    select raise(abort, 'the event log is append-only: UPDATE on events is not allowed');
end;

create trigger events_no_delete before delete on events
begin
    select raise(abort, 'the event log is append-only: DELETE on events is not allowed');
end;
