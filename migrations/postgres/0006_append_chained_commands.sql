-- Several commands on one stream may now share a batch: a command decided on the result of
-- one still being committed (docs/adr/0010) joins that command's batch. The writer admits it
-- only if it continues the previous command's versions, so only the first command of each
-- stream is checked against the stored version here. The unique (stream, version) index
-- still backs this up. Same signature and result as 0001; only that check changed.
create or replace function plenary_append(
    p_expected_head bigint,
    p_new_head_hash bytea,
    c_idx int[], c_type text[], c_id text[], c_expected bigint[],
    c_key text[], c_request_hash text[], c_first bigint[], c_last bigint[],
    e_position bigint[], e_event_id uuid[], e_type text[], e_id text[], e_version bigint[],
    e_event_type text[], e_event_version text[], e_payload text[], e_metadata text[],
    e_recorded_at bigint[], e_prev_hash bytea[], e_hash bytea[],
    s_type text[], s_id text[], s_version bigint[], s_payload text[]
) returns table (kind text, idx int, version bigint, first_position bigint, last_position bigint, request_hash text)
language plpgsql
set plan_cache_mode = force_custom_plan  -- as in 0003; a replaced function loses its settings
as $$
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

    -- Only the first command of each stream in the batch is checked against the log: the
    -- writer admits a later one only if it continues the versions of the one before it.
    return query
        select 'conflict'::text, c.i, coalesce(s.v, 0), 0::bigint, 0::bigint, null::text
        from (
            select u.*, row_number() over (partition by u.t, u.a order by u.i) as nth
            from unnest(c_idx, c_type, c_id, c_expected) as u(i, t, a, expected)
        ) c
        left join lateral (
            select max(e.stream_version) as v from events e
            where e.aggregate_type = c.t and e.aggregate_id = c.a
        ) s on true
        where c.nth = 1 and coalesce(s.v, 0) <> c.expected;
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
