-- Document keys are looked up by prefix range ("rc-1/" up to "rc-10"), which is only a range
-- under bytewise order. Databases created with a linguistic collation (en_US.UTF-8 ignores
-- punctuation at first level) would interleave other keys into it, so the key column and its
-- index use "C" whatever the database default. SQLite compares bytewise already.
alter table read_docs alter column key type text collate "C";
