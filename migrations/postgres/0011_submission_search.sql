-- Full-text search over submissions (the `search` projection): one row per submission with
-- what filters, lists and the reporting-cycle view need, one row per language version with its text and a tsvector of
-- the terms the application derives from that text (folded, stemmed in its language, CJK
-- split into characters; see projections::search), under the 'simple' configuration so that
-- Postgres and SQLite index the same terms.
create table submission_search_meta (
    submission_id       text primary key,
    body_id             text not null,
    kind                text not null,
    filer               text not null,
    filed_by_state      boolean not null,
    status              text not null,
    -- Published once: read by anyone from then on, even if withdrawn later.
    published           boolean not null,
    symbol              text,
    original_language   text not null,
    title               text not null,
    -- When it was submitted (YYYY-MM-DD), and the sections and topics it names (a JSON
    -- array): what the reporting-cycle view reads, without decoding every submission.
    submitted_on        text,
    areas               text not null
);

create index submission_search_meta_body on submission_search_meta (body_id, submission_id);

create table submission_search_text (
    id              bigserial primary key,
    submission_id   text not null,
    language        text not null,
    title           text not null,
    body            text not null,
    terms           tsvector not null,
    unique (submission_id, language)
);

create index submission_search_terms on submission_search_text using gin (terms);
