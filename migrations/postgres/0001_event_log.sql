-- The event log. One row per event, in global order. Rows are never updated or deleted
-- (enforced by triggers below); the hash chain makes any tampering detectable offline.
create table events (
    position        bigint primary key,          -- global order; contiguous, commit order
    event_id        uuid not null unique,         -- UUID v7
    aggregate_type  text not null,
    aggregate_id    text not null,
    stream_version  bigint not null,              -- 1-based version within the stream
    event_type      text not null,
    event_version   text not null,                -- schema version of the payload
    payload         text not null,                -- canonical JSON, exactly the hashed bytes
    metadata        text not null,                -- canonical JSON object of strings
    recorded_at_us  bigint not null,              -- server clock, microseconds since epoch
    prev_hash       bytea not null,
    hash            bytea not null,
    unique (aggregate_type, aggregate_id, stream_version)
);

-- The head of the chain. Its row lock serialises appends across processes, which is what
-- makes positions contiguous and commit order equal position order (see docs/adr/0002).
create table log_head (
    id        int primary key check (id = 1),
    position  bigint not null,
    hash      bytea not null
);
insert into log_head values (1, 0, '\x0000000000000000000000000000000000000000000000000000000000000000');

-- Accepted idempotency keys and the outcome to replay for a retried command.
create table idempotency (
    key             text primary key,
    aggregate_type  text not null,
    aggregate_id    text not null,
    request_hash    text not null,
    first_position  bigint not null,
    last_position   bigint not null,
    stream_version  bigint not null
);

-- Aggregate snapshots: a cache, never a source of truth; loading catches up from the log.
create table snapshots (
    aggregate_type  text not null,
    aggregate_id    text not null,
    stream_version  bigint not null,
    payload         text not null,
    primary key (aggregate_type, aggregate_id)
);

create function plenary_refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'the event log is append-only: % on events is not allowed', tg_op;
end $$;

create trigger events_append_only before update or delete on events
    for each row execute function plenary_refuse_change();
create trigger events_no_truncate before truncate on events
    for each statement execute function plenary_refuse_change();

-- Appends one batch of commands atomically, or nothing. Returns no rows when committed;
-- otherwise one row per reason it refused: 'head' (another process appended: recompute the
-- hashes and retry), 'duplicate' (idempotency key already accepted) or 'conflict' (stale
-- stream version). Doing it in one round trip is what lets a single serialised writer reach
-- tens of thousands of events per second.
create function plenary_append(
    p_expected_head bigint,
    p_new_head_hash bytea,
    c_idx int[], c_type text[], c_id text[], c_expected bigint[],
    c_key text[], c_request_hash text[], c_first bigint[], c_last bigint[],
    e_position bigint[], e_event_id uuid[], e_type text[], e_id text[], e_version bigint[],
    e_event_type text[], e_event_version text[], e_payload text[], e_metadata text[],
    e_recorded_at bigint[], e_prev_hash bytea[], e_hash bytea[],
    s_type text[], s_id text[], s_version bigint[], s_payload text[]
) returns table (kind text, idx int, version bigint, first_position bigint, last_position bigint, request_hash text)
language plpgsql as $$
declare
    v_head bigint;
    v_hash bytea;
begin
    select h.position, h.hash into v_head, v_hash from log_head h where h.id = 1 for update;
    if v_head <> p_expected_head then
        return query select 'head'::text, 0, v_head, 0::bigint, 0::bigint, encode(v_hash, 'hex');
        return;
    end if;

    return query
        select 'duplicate'::text, c.i, k.stream_version, k.first_position, k.last_position, k.request_hash
        from unnest(c_idx, c_key) as c(i, key)
        join idempotency k on k.key = c.key;
    if found then return; end if;

    return query
        select 'conflict'::text, c.i, coalesce(s.v, 0), 0::bigint, 0::bigint, null::text
        from unnest(c_idx, c_type, c_id, c_expected) as c(i, t, a, expected)
        left join lateral (
            select max(e.stream_version) as v from events e
            where e.aggregate_type = c.t and e.aggregate_id = c.a
        ) s on true
        where coalesce(s.v, 0) <> c.expected;
    if found then return; end if;

    insert into events (position, event_id, aggregate_type, aggregate_id, stream_version,
                        event_type, event_version, payload, metadata, recorded_at_us, prev_hash, hash)
    select * from unnest(e_position, e_event_id, e_type, e_id, e_version, e_event_type,
                         e_event_version, e_payload, e_metadata, e_recorded_at, e_prev_hash, e_hash);

    insert into idempotency (key, aggregate_type, aggregate_id, request_hash, first_position, last_position, stream_version)
    select c.key, c.t, c.a, c.rh, c.f, c.l, c.expected + (c.l - c.f + 1)
    from unnest(c_key, c_type, c_id, c_request_hash, c_first, c_last, c_expected) as c(key, t, a, rh, f, l, expected)
    where c.key is not null;

    insert into snapshots (aggregate_type, aggregate_id, stream_version, payload)
    select * from unnest(s_type, s_id, s_version, s_payload)
    on conflict (aggregate_type, aggregate_id) do update
        set stream_version = excluded.stream_version, payload = excluded.payload
        where snapshots.stream_version < excluded.stream_version;

    update log_head set position = e_position[array_length(e_position, 1)], hash = p_new_head_hash where id = 1;
    perform pg_notify('plenary_' || current_schema(), e_position[array_length(e_position, 1)]::text);
end $$;
