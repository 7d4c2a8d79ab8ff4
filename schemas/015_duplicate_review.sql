-- Duplicates found after entry: one review queue, merges that can be undone, and search keys for find.

-- A pair of persons that may be one human, found at registration, at a kiosk, by an import or by the scan.
-- first_person_id < second_person_id, so a pair is stored once and a "not a duplicate" is remembered:
-- the next scan or import finds the row and adds nothing.
CREATE SEQUENCE duplicate_pair_id_seq START 1;
CREATE TABLE duplicate_pair (
    id                BIGINT PRIMARY KEY DEFAULT nextval('duplicate_pair_id_seq'),
    first_person_id   BIGINT NOT NULL,
    second_person_id  BIGINT NOT NULL,
    origin            VARCHAR NOT NULL CHECK (origin IN ('registration', 'kiosk', 'import', 'scan')),
    level             VARCHAR NOT NULL CHECK (level IN ('likely', 'possible')),
    score             DOUBLE NOT NULL,
    reasons           VARCHAR NOT NULL,      -- codes, comma-separated (same_phone, similar_name, …)
    status            VARCHAR NOT NULL CHECK (status IN ('open', 'not_duplicate', 'merged')),
    found_utc         TIMESTAMP NOT NULL,
    decided_utc       TIMESTAMP,
    decided_by        BIGINT,
    merge_id          BIGINT,
    UNIQUE (first_person_id, second_person_id),
    CHECK (first_person_id < second_person_id)
);
CREATE INDEX duplicate_pair_status_idx ON duplicate_pair (status);

-- A merge: the person kept and the person merged into it (whose row is gone until an undo).
CREATE SEQUENCE person_merge_id_seq START 1;
CREATE TABLE person_merge (
    id                BIGINT PRIMARY KEY DEFAULT nextval('person_merge_id_seq'),
    kept_person_id    BIGINT NOT NULL,
    merged_person_id  BIGINT NOT NULL,
    status            VARCHAR NOT NULL CHECK (status IN ('merged', 'undone')),
    merged_utc        TIMESTAMP NOT NULL,
    merged_by         BIGINT,
    undone_utc        TIMESTAMP,
    undone_by         BIGINT
);

-- The merge journal: every value the merge changed, so an undo puts each row back exactly. A changed
-- column holds its old and new value (JSON); a deleted row (the merged person) its whole row in old_value.
-- Personal data: erasure deletes these rows with either person (both ids are on every row).
CREATE TABLE person_merge_change (
    merge_id          BIGINT NOT NULL,
    seq               INTEGER NOT NULL,
    kept_person_id    BIGINT NOT NULL,
    merged_person_id  BIGINT NOT NULL,
    table_name        VARCHAR NOT NULL,
    row_key           VARCHAR NOT NULL,      -- JSON object: the row's primary key
    column_name       VARCHAR,               -- NULL: the whole row was deleted
    old_value         VARCHAR,
    new_value         VARCHAR,
    PRIMARY KEY (merge_id, seq)
);
CREATE INDEX person_merge_change_kept_idx ON person_merge_change (kept_person_id);

-- Find reads person_name_key too: besides the duplicate check's keys, 'p:' + every prefix of every folded
-- name word (a word typed in part) and 's:' + the given or family skeleton (another spelling of it).
-- The same statement as dedupe._KEY_ROWS, for every person already stored.
DELETE FROM person_name_key;
INSERT INTO person_name_key (name_key, person_id, exact)
WITH source AS (
    SELECT id, split_part(name_block, '|', 1) AS g, split_part(name_block, '|', 2) AS f,
           '|' || coalesce(birth_year::VARCHAR, '') AS y, given_key || ' ' || family_key AS words
    FROM person
), dropped AS (
    SELECT id, g, f, y, true AS exact FROM source
    UNION ALL SELECT id, left(g, i - 1) || substr(g, i + 1), f, y, false
              FROM (SELECT *, unnest(range(1, length(g) + 1)) AS i FROM source)
    UNION ALL SELECT id, g, left(f, i - 1) || substr(f, i + 1), y, false
              FROM (SELECT *, unnest(range(1, length(f) + 1)) AS i FROM source)
), word AS (
    SELECT id, unnest(string_split(words, ' ')) AS w FROM source
), keyed AS (
    SELECT id, g || '|' || f AS name_key, exact FROM dropped
    UNION ALL SELECT id, g || '|' || f || y, exact FROM dropped
    UNION ALL SELECT id, 's:' || g, false FROM source WHERE g <> ''
    UNION ALL SELECT id, 's:' || f, false FROM source WHERE f <> ''
    UNION ALL SELECT id, 'p:' || left(w, i), false
              FROM (SELECT *, unnest(range(1, length(w) + 1)) AS i FROM word WHERE w <> '')
)
SELECT name_key, id, bool_or(exact) FROM keyed GROUP BY name_key, id;
