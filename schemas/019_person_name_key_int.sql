-- The typo-tolerant name keys as integers (crm_app.people.dedupe.name_key): per person and name
-- variant (the given|family consonant skeletons, and each with one letter left out of one of them)
-- 55 bits of the variant's MD5 and a year code in the low byte (birth year - 1900; 0 unknown), plus a
-- row with code 255 for checks without a birth year. Replaces the string keys of 012, whose index
-- made the store five times its size; no index on person_id (rows are ordered by person, so a
-- delete by person reads only the row groups that can hold it).
DROP TABLE person_name_key;
CREATE TABLE person_name_key (
    name_key    BIGINT NOT NULL,
    person_id   BIGINT NOT NULL,
    exact       BOOLEAN NOT NULL   -- the person's own skeletons, nothing left out
);

-- the same statement as dedupe._KEY_ROWS, for every person already stored
INSERT INTO person_name_key (name_key, person_id, exact)
WITH source AS (
    SELECT id, split_part(name_block, '|', 1) AS g, split_part(name_block, '|', 2) AS f,
           CASE WHEN birth_year IS NULL THEN 0 ELSE least(greatest(birth_year - 1900, 1), 254) END AS code
    FROM person
), dropped AS (
    SELECT id, g, f, code, true AS exact FROM source
    UNION ALL SELECT id, left(g, i - 1) || substr(g, i + 1), f, code, false
              FROM (SELECT *, unnest(range(1, length(g) + 1)) AS i FROM source)
    UNION ALL SELECT id, g, left(f, i - 1) || substr(f, i + 1), code, false
              FROM (SELECT *, unnest(range(1, length(f) + 1)) AS i FROM source)
), variants AS (
    SELECT id, (md5_number(g || '|' || f) >> 73) << 8 AS hashed, code, bool_or(exact) AS exact
    FROM dropped GROUP BY id, g, f, code
)
SELECT (hashed | code::UHUGEINT)::BIGINT, id, exact FROM variants
UNION ALL SELECT (hashed | 255::UHUGEINT)::BIGINT, id, exact FROM variants WHERE code <> 0
ORDER BY 2;

CREATE INDEX person_name_key_idx ON person_name_key (name_key);

-- The duplicate check finds swapped names through the key table too and no longer looks up a family
-- name with a birth year: no query reads these two indexes any more (the columns stay, derived keys).
DROP INDEX person_name_block_idx;
DROP INDEX person_family_year_block_idx;
