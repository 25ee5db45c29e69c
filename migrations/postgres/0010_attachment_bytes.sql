-- The bytes of submissions' attachments, named by their SHA-256 (content-addressed). The
-- events name a file by hash and size; the bytes live here, written before the event that
-- names them, and never changed or deleted while an event names them. One row per content:
-- the same file attached twice is stored once.
create table attachment_bytes (
    sha256          text primary key,
    size            bigint not null,
    bytes           bytea not null,
    stored_at_us    bigint not null
);
