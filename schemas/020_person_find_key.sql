-- Find's keys (crm_app.people.persons._name_hits) in a table of their own, apart from the duplicate
-- check's integer keys (019): 's:' + the given or the family consonant skeleton (another spelling of
-- it) and 'p:' + every prefix of every folded name word (a word typed in part). Personal data derived
-- from the name: erased with the person, shown in subject access. No index on person_id (rows are
-- ordered by person, so a delete by person reads only the row groups that can hold it).
CREATE TABLE person_find_key (
    find_key    VARCHAR NOT NULL,
    person_id   BIGINT NOT NULL
);

-- the same statement as dedupe._FIND_ROWS, for every person already stored
INSERT INTO person_find_key (find_key, person_id)
WITH source AS (
    SELECT id, split_part(name_block, '|', 1) AS g, split_part(name_block, '|', 2) AS f,
           given_key || ' ' || family_key AS words
    FROM person
), word AS (
    SELECT id, unnest(string_split(words, ' ')) AS w FROM source
)
SELECT DISTINCT * FROM (
    SELECT 's:' || g, id FROM source WHERE g <> ''
    UNION ALL SELECT 's:' || f, id FROM source WHERE f <> ''
    UNION ALL SELECT 'p:' || left(w, i), id FROM (SELECT *, unnest(range(1, length(w) + 1)) AS i FROM word WHERE w <> '')
)
ORDER BY 2;

CREATE INDEX person_find_key_idx ON person_find_key (find_key);
