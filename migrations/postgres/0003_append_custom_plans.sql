-- plpgsql caches the plans of plenary_append's queries per connection, and after a few calls
-- settles on a generic plan costed against the tables as they were then: empty. For the
-- idempotency check that plan is a sequential scan, so every append read the whole
-- idempotency table and appends slowed down linearly with the log (measured: 266 events/s at
-- 220,000 events, 2,011 events/s once planned per call). Planning per call costs well under a
-- millisecond and always sees the indexes.
alter function plenary_append(
    bigint, bytea, int[], text[], text[], bigint[], text[], text[], bigint[], bigint[],
    bigint[], uuid[], text[], text[], bigint[], text[], text[], text[], text[], bigint[],
    bytea[], bytea[], text[], text[], bigint[], text[]
) set plan_cache_mode = force_custom_plan;
