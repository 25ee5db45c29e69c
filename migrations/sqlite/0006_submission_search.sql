-- Full-text search over submissions (the `search` projection): one row per submission with
-- what filters, lists and the reporting-cycle view need, one row per language version with its text, and an FTS5 index
-- of the terms the application derives from that text (folded, stemmed in its language, CJK
-- split into characters; see projections::search). The index's rowid is the version's id.
create table submission_search_meta (
    submission_id       text primary key,
    body_id             text not null,
    kind                text not null,
    filer               text not null,
    filed_by_state      integer not null,
    status              text not null,
    -- Published once: read by anyone from then on, even if withdrawn later.
    published           integer not null,
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
    id              integer primary key,
    submission_id   text not null,
    language        text not null,
    title           text not null,
    body            text not null,
    unique (submission_id, language)
);

create virtual table submission_search using fts5 (
    terms,
    tokenize = 'unicode61 remove_diacritics 0'
);
