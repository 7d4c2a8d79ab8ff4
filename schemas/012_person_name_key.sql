-- Typo-tolerant name keys for the duplicate check (crm_app.people.dedupe): per person, the
-- given|family consonant skeletons (person.name_block) with at most one letter left out of one of
-- them, once without and once with the birth year ('' when unknown). Two names a dropped, added,
-- changed or swapped letter apart share a key. Rewritten on every write that changes a name or
-- birth year; erasure deletes the rows with the person.
CREATE TABLE person_name_key (
    name_key    VARCHAR NOT NULL,
    person_id   BIGINT NOT NULL,
    exact       BOOLEAN NOT NULL   -- the person's own skeletons, nothing left out
);

-- the same statement as dedupe._KEY_ROWS, for every person already stored
INSERT INTO person_name_key (name_key, person_id, exact)
WITH source AS (
    SELECT id, split_part(name_block, '|', 1) AS g, split_part(name_block, '|', 2) AS f,
           '|' || coalesce(birth_year::VARCHAR, '') AS y
    FROM person
), dropped AS (
    SELECT id, g, f, y, true AS exact FROM source
    UNION ALL SELECT id, left(g, i - 1) || substr(g, i + 1), f, y, false
              FROM (SELECT *, unnest(range(1, length(g) + 1)) AS i FROM source)
    UNION ALL SELECT id, g, left(f, i - 1) || substr(f, i + 1), y, false
              FROM (SELECT *, unnest(range(1, length(f) + 1)) AS i FROM source)
), keyed AS (
    SELECT id, g || '|' || f AS name_key, exact FROM dropped
    UNION ALL SELECT id, g || '|' || f || y, exact FROM dropped
)
SELECT name_key, id, bool_or(exact) FROM keyed GROUP BY name_key, id;

CREATE INDEX person_name_key_idx ON person_name_key (name_key);
CREATE INDEX person_name_key_person_idx ON person_name_key (person_id);
