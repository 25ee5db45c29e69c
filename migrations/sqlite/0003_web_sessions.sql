-- Sessions of the web pages. A browser cannot send a bearer token, so a credential's token,
-- or a one-time sign-in link issued for a credential, is exchanged for a session carried in a
-- cookie. Only SHA-256 hashes of session ids and link codes are stored: a copy of this table
-- lets nobody in. A session ends at its expiry, at sign-out, or when its credential is revoked.
create table web_sessions (
    id_hash         text primary key,
    credential_id   text not null references credentials (id),
    created_at_us   integer not null,
    expires_at_us   integer not null,
    ended_at_us     integer
);

-- One-time sign-in links (the demo prints one per role; an admin can issue one). Single use,
-- valid for minutes.
create table sign_in_links (
    code_hash       text primary key,
    credential_id   text not null references credentials (id),
    created_at_us   integer not null,
    expires_at_us   integer not null,
    used_at_us      integer
);
