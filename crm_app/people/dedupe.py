"""Duplicate check at entry: indexed look-ups on normalised keys, then one scored DuckDB query.

Blocking (each an index look-up, no scan of all persons): same E.164 phone, same casefolded email,
and the typo-tolerant name keys of `person_name_key`: the given|family consonant skeletons with one
letter left out of either (names.deletions), so a dropped, added or swapped letter still meets, and
the skeletons swapped. A key is one BIGINT (a hash of the variant and the birth year in its low
byte: far smaller than the strings and their index), so a check with a year reads only the persons
born within a year of it (or of unknown year): at a million persons a common name has hundreds of
namesakes.
Scoring (in SQL): Jaro-Winkler on the folded names, straight and swapped, and the birth years.
A shared family name averages to at least 0.5 on its own, so the given names must agree as well
(same skeleton, or similar by themselves): siblings and namesakes born the same year are no match.
Ranking: phone, email, then birth-year agreement (within a year, unknown), so a namesake without a
birth year no longer crowds out the person born that year; then the name score with a bonus for the
same year and one for the same skeletons: a year typed one off still ranks the same name above
another name born that year (Nasra Mohamed 1978 above Sara Mohamed 1979 for "Nasrra Mohamed 1979").
A name-only match is a *possible* duplicate for a person to decide; nothing merges automatically.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from crm_app.people.names import deletions, fold, skeleton

BIRTH_YEAR_TOLERANCE = 1
NAME_SIMILARITY_MIN = 0.75
# The low byte of a name key: the birth year (as year - 1900, kept within 1..254), 0 for an unknown
# year, ANY_YEAR on the row every person with a known year has for a check without a birth year.
UNKNOWN_YEAR, ANY_YEAR = 0, 255


def year_code(birth_year: int | None) -> int:
    return UNKNOWN_YEAR if birth_year is None else min(max(birth_year - 1900, 1), 254)


def name_key(variant: str, code: int) -> int:
    """A name variant and a year code as one BIGINT: 55 bits of the variant's MD5 (stable across
    DuckDB versions, unlike hash()), then the year code. In SQL: name_key_sql, key_rows_sql."""
    digest = int.from_bytes(hashlib.md5(variant.encode()).digest(), "little")
    return (digest >> 73) << 8 | code


@dataclass(frozen=True)
class Keys:
    """The normalised keys stored with a person and used to look up possible duplicates."""
    phone_e164: str | None
    email_key: str | None
    given_key: str
    family_key: str
    name_block: str
    swapped_block: str
    family_year_block: str | None
    typo_keys: tuple[int, ...] = ()   # looked up in person_name_key
    exact_keys: tuple[int, ...] = ()  # the ones among them with the same skeletons

    @classmethod
    def of(cls, given_name: str, family_name: str | None, phone_e164: str | None,
           email_key: str | None, birth_year: int | None) -> Keys:
        given_skel, family_skel = skeleton(given_name), skeleton(family_name)
        if birth_year is None:
            codes = {ANY_YEAR, UNKNOWN_YEAR}
        else:
            codes = {year_code(birth_year + gap) for gap in range(-BIRTH_YEAR_TOLERANCE, BIRTH_YEAR_TOLERANCE + 1)}
            codes.add(UNKNOWN_YEAR)
        variants = {f"{given}|{family_skel}" for given in deletions(given_skel)}
        variants |= {f"{given_skel}|{family}" for family in deletions(family_skel)}
        exact = f"{given_skel}|{family_skel}"
        swapped = f"{family_skel}|{given_skel}"   # given and family name typed the other way round
        return cls(
            phone_e164=phone_e164, email_key=email_key,
            given_key=fold(given_name), family_key=fold(family_name),
            name_block=exact, swapped_block=f"{family_skel}|{given_skel}",
            family_year_block=f"{family_skel}|{birth_year}" if family_skel and birth_year else None,
            typo_keys=tuple(sorted(name_key(v, code) for v in variants | {swapped} for code in codes)),
            exact_keys=tuple(sorted(name_key(v, code) for v in {exact, swapped} for code in codes)),
        )


@dataclass
class Match:
    """An existing person who may be the one being entered, and what agreed."""
    person_id: int
    given_name: str
    family_name: str | None
    phone_e164: str | None
    email: str | None
    birth_year: int | None
    score: float
    reasons: list[str] = field(default_factory=list)

    @property
    def certain(self) -> bool:
        """Same phone or email: almost surely the same person (still confirmed by a human)."""
        return "same_phone" in self.reasons or "same_email" in self.reasons


# The rows of person_name_key for the persons (or import rows) in `source`, a relation with id,
# name_block and birth_year: each name variant (the name_block skeletons, then each with one letter
# left out of the given or the family skeleton) as name_key() with the year code, and again with
# ANY_YEAR when the year is known. One definition for every write, the migration's statement
# (schemas/019_person_name_key_int.sql) and the import's whole-file check.
_HASHED = "(md5_number({variant}) >> 73) << 8"   # name_key() without its year code


def year_code_sql(year: str) -> str:
    """year_code() of the SQL expression `year`."""
    return f"CASE WHEN {year} IS NULL THEN {UNKNOWN_YEAR} ELSE least(greatest({year} - 1900, 1), 254) END"


def name_key_sql(variant: str, code: str) -> str:
    """name_key() of the SQL expressions `variant` and `code`."""
    return f"(({_HASHED.format(variant=variant)}) | ({code})::UHUGEINT)::BIGINT"


def variants_sql(source: str) -> str:
    """Two CTEs: `source` (id, g, f: the skeletons, birth_year, code) and `dropped` (id, g, f, code,
    exact): the skeletons, then each with one letter left out of the given or the family one."""
    return f"""source AS (
    SELECT id, split_part(name_block, '|', 1) AS g, split_part(name_block, '|', 2) AS f, birth_year,
           {year_code_sql("birth_year")} AS code
    FROM {source}
), dropped AS (
    SELECT id, g, f, code, true AS exact FROM source
    UNION ALL SELECT id, left(g, i - 1) || substr(g, i + 1), f, code, false
              FROM (SELECT *, unnest(range(1, length(g) + 1)) AS i FROM source)
    UNION ALL SELECT id, g, left(f, i - 1) || substr(f, i + 1), code, false
              FROM (SELECT *, unnest(range(1, length(f) + 1)) AS i FROM source)
)"""


def key_rows_sql(source: str) -> str:
    """SELECT name_key, person_id, exact: the person_name_key rows of the persons in `source`."""
    return f"""WITH {variants_sql(source)}, variants AS (
    SELECT id, {_HASHED.format(variant="g || '|' || f")} AS hashed, code, bool_or(exact) AS exact
    FROM dropped GROUP BY id, g, f, code
)
SELECT (hashed | code::UHUGEINT)::BIGINT AS name_key, id AS person_id, exact FROM variants
UNION ALL SELECT (hashed | {ANY_YEAR}::UHUGEINT)::BIGINT, id, exact FROM variants WHERE code <> {UNKNOWN_YEAR}"""


def lookup_keys_sql(source: str) -> str:
    """SELECT id, name_key, exact: the keys Keys.of looks up for the persons (or import rows) in `source`
    (its typo_keys; exact: one of its exact_keys, the own skeletons or them swapped)."""
    return f"""WITH {variants_sql(source)}, looked AS (
    SELECT id, g || '|' || f AS v, exact FROM dropped
    UNION ALL SELECT id, f || '|' || g, true FROM source
), codes AS (
    SELECT id, {year_code_sql("y")} AS code
    FROM (SELECT id, unnest(range(birth_year - {BIRTH_YEAR_TOLERANCE}, birth_year + {BIRTH_YEAR_TOLERANCE} + 1)) AS y
          FROM source WHERE birth_year IS NOT NULL)
    UNION ALL SELECT id, {ANY_YEAR} FROM source WHERE birth_year IS NULL
    UNION ALL SELECT id, {UNKNOWN_YEAR} FROM source
)
SELECT id, {name_key_sql("v", "code")} AS name_key, bool_or(exact) AS exact FROM looked JOIN codes USING (id)
GROUP BY ALL"""


# Ordered by person, so a delete by person_id reads only the row groups that can hold it (no index on
# person_id). {where} picks the persons.
_KEY_ROWS = ("INSERT INTO person_name_key (name_key, person_id, exact) "
             + key_rows_sql("person WHERE {where}") + "\nORDER BY 2")

# The rows of person_find_key (find's keys, crm_app.people.persons._name_hits) for the persons in
# {where}: 's:' + the given or the family skeleton (another spelling of it) and 'p:' + every prefix of
# every folded name word (a word typed in part). schemas/020_person_find_key.sql fills it the same way.
_FIND_ROWS = """
INSERT INTO person_find_key (find_key, person_id)
WITH source AS (
    SELECT id, split_part(name_block, '|', 1) AS g, split_part(name_block, '|', 2) AS f,
           given_key || ' ' || family_key AS words
    FROM person WHERE {where}
), word AS (
    SELECT id, unnest(string_split(words, ' ')) AS w FROM source
)
SELECT DISTINCT * FROM (
    SELECT 's:' || g, id FROM source WHERE g <> ''
    UNION ALL SELECT 's:' || f, id FROM source WHERE f <> ''
    UNION ALL SELECT 'p:' || left(w, i), id FROM (SELECT *, unnest(range(1, length(w) + 1)) AS i FROM word WHERE w <> '')
)
ORDER BY 2
"""


def refresh_name_keys(cur, person_ids: list[int] | None = None) -> None:
    """Rewrite the name keys of these persons (all when None) from their stored names and birth year:
    the duplicate check's (person_name_key) and find's (person_find_key). After every write that
    changes either."""
    for table, rows in (("person_name_key", _KEY_ROWS), ("person_find_key", _FIND_ROWS)):
        if person_ids is None:
            cur.execute(f"DELETE FROM {table}")
            cur.execute(rows.format(where="true"))
        elif len(person_ids) == 1:  # one person: the person by primary key, its key rows by zonemap
            cur.execute(f"DELETE FROM {table} WHERE person_id = ?", person_ids)
            cur.execute(rows.format(where="id = ?"), person_ids)
        else:
            ids = [int(i) for i in person_ids]
            cur.execute(f"DELETE FROM {table} WHERE person_id IN (SELECT unnest(?::BIGINT[]))", [ids])
            cur.execute(rows.format(where="id IN (SELECT unnest(?::BIGINT[]))"), [ids])


# Each branch fetches only the four columns scoring needs and says which key it came through, so
# phone/email/block equality needs no columns. {typo_branch}: the persons sharing a name key (an
# index scan of person_name_key) joined to person in the same statement: at a million persons a
# common name has a thousand such persons, and a hash join costs one pass over person's ids where
# fetching each through the primary key's index costs ~10 µs a person.
_QUERY = """
WITH candidates AS (
    SELECT id, given_key, family_key, birth_year, 'phone' AS via FROM person WHERE phone_e164 = $phone
    UNION ALL SELECT id, given_key, family_key, birth_year, 'email' FROM person WHERE email_key = $email
    {typo_branch}
), merged AS (
    SELECT id, any_value(given_key) AS given_key, any_value(family_key) AS family_key,
           any_value(birth_year) AS birth_year, bool_or(via = 'phone') AS same_phone,
           bool_or(via = 'email') AS same_email, bool_or(via = 'name') AS same_block
    FROM candidates WHERE ($exclude IS NULL OR id <> $exclude) GROUP BY id
), scored AS (
    SELECT id, same_phone, same_email, same_block,
        CASE WHEN family_key = '' OR $family = ''
             THEN jaro_winkler_similarity(given_key || family_key, $given || $family)
             ELSE (jaro_winkler_similarity(given_key, $given) + jaro_winkler_similarity(family_key, $family)) / 2
        END AS straight,
        (jaro_winkler_similarity(given_key, $family) + jaro_winkler_similarity(family_key, $given)) / 2 AS swapped,
        CASE WHEN birth_year IS NULL OR $birth_year IS NULL THEN NULL
             ELSE abs(birth_year - $birth_year) END AS year_gap,
        -- found through the family name and birth year alone, the given names must agree too
        (same_block OR jaro_winkler_similarity(given_key, $given) >= $min_similarity) AS given_agrees
    FROM merged
)
SELECT id, same_phone, same_email, straight, swapped, year_gap, given_agrees FROM scored
WHERE same_phone OR same_email
   OR (given_agrees AND greatest(straight, swapped) >= $min_similarity AND coalesce(year_gap, 0) <= $tolerance)
ORDER BY same_phone DESC, same_email DESC,
         CASE WHEN year_gap <= $tolerance THEN 0 WHEN year_gap IS NULL THEN 1 ELSE 2 END,
         greatest(straight, swapped) + CASE WHEN year_gap = 0 THEN 0.1 ELSE 0 END
                                     + CASE WHEN same_block THEN 0.1 ELSE 0 END DESC, id
LIMIT $limit
"""
# The keys are integers computed here (name_key), written in as literals: an IN list of constants
# is answered from the index. `name` when the shared key is the person's own skeletons.
_TYPO_BRANCH = """
    UNION ALL SELECT p.id, p.given_key, p.family_key, p.birth_year, CASE WHEN t.same THEN 'name' ELSE 'typo' END
    FROM person p JOIN (SELECT person_id, bool_or(exact AND name_key IN ({exact})) AS same FROM person_name_key
                        WHERE name_key IN ({keys}) GROUP BY person_id) t ON p.id = t.person_id
"""


def scored_query(keys: Keys) -> str:
    """The scoring query with this check's name keys written in."""
    branch = _TYPO_BRANCH.format(exact=", ".join(str(int(k)) for k in keys.exact_keys),
                                 keys=", ".join(str(int(k)) for k in keys.typo_keys))
    return _QUERY.format(typo_branch=branch)


def find_duplicates(cur, keys: Keys, birth_year: int | None, *, exclude_id: int | None = None,
                    limit: int = 10) -> list[Match]:
    """Possible duplicates of a person about to be stored, most certain first."""
    rows = cur.execute(scored_query(keys), query_params(keys, birth_year, exclude_id, limit)).fetchall()
    if not rows:
        return []
    ids = [row[0] for row in rows]  # an IN list of placeholders is answered from the primary key's index
    shown = {row[0]: row[1:] for row in cur.execute(
        "SELECT id, given_name, family_name, phone_e164, email, birth_year FROM person "
        f"WHERE id IN ({', '.join('?' * len(ids))})", ids).fetchall()}
    return [_match(row, shown[row[0]]) for row in rows]


def query_params(keys: Keys, birth_year: int | None, exclude_id: int | None = None, limit: int = 10) -> dict:
    return {
        "phone": keys.phone_e164, "email": keys.email_key,
        "given": keys.given_key, "family": keys.family_key,
        "birth_year": birth_year, "exclude": exclude_id, "min_similarity": NAME_SIMILARITY_MIN,
        "tolerance": BIRTH_YEAR_TOLERANCE, "limit": limit,
    }


def _match(row, shown) -> Match:
    pid, same_phone, same_email, straight, swapped, year_gap, given_agrees = row
    given, family, phone, email, birth_year = shown
    reasons = []
    if same_phone:
        reasons.append("same_phone")
    if same_email:
        reasons.append("same_email")
    name_score = max(straight, swapped)
    if given_agrees and name_score >= NAME_SIMILARITY_MIN:
        reasons.append("swapped_name" if swapped > straight else "similar_name")
    if year_gap == 0:
        reasons.append("same_birth_year")
    elif year_gap is not None and year_gap <= BIRTH_YEAR_TOLERANCE:
        reasons.append("near_birth_year")
    score = 0.95 if same_phone or same_email else 0.0
    score = max(score, 0.8 * name_score + (0.1 if year_gap == 0 else 0.0))
    return Match(pid, given, family, phone, email, birth_year, round(min(score, 1.0), 3), reasons)
