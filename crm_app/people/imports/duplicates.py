"""The entry-time duplicate check (crm_app.people.dedupe) for a whole file at once.

One query per file instead of one per row: the rows go in as an Arrow table and meet the stored
persons through the same blocks (phone, email, the integer name keys dedupe.lookup_keys_sql makes as
dedupe.Keys.of does: the skeletons with at most one letter left out, or swapped, with the birth year
±1) and the same scoring, thresholds and ranking. The rows are also checked against each other in the
same way, each against the rows above it, as if those were stored already (their keys as
dedupe.key_rows_sql writes them). 100,000 rows take seconds where a query per row took minutes.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from crm_app.people.dedupe import BIRTH_YEAR_TOLERANCE, NAME_SIMILARITY_MIN, Keys, key_rows_sql, lookup_keys_sql

PER_ROW = 3   # the closest few per row are enough to decide; the person screen shows the rest

_ROW_COLUMNS = (
    ("id", pa.int64()), ("given_key", pa.string()), ("family_key", pa.string()), ("birth_year", pa.int32()),
    ("phone_e164", pa.string()), ("email_key", pa.string()), ("name_block", pa.string()),
)

_LOOKUPS = lookup_keys_sql("_import_rows")   # the keys each row looks up, as dedupe.Keys.of makes them

# {people}: the persons (or the rows) compared with; {keys}: their name keys; {pair}: which pairs count.
# The scoring is dedupe._QUERY's, per row.
_MATCHES = """
WITH lookups AS ({lookups}),
candidates AS (
    SELECT r.id AS row_id, p.id, 'phone' AS via FROM _import_rows r JOIN {people} p ON p.phone_e164 = r.phone_e164
    UNION ALL SELECT r.id, p.id, 'email' FROM _import_rows r JOIN {people} p ON p.email_key = r.email_key
    UNION ALL SELECT l.id, k.person_id, CASE WHEN k.exact AND l.exact THEN 'name' ELSE 'typo' END
              FROM lookups l JOIN ({keys}) k ON k.name_key = l.name_key
), merged AS (
    SELECT row_id, id, bool_or(via = 'phone') AS same_phone, bool_or(via = 'email') AS same_email,
           bool_or(via = 'name') AS same_block
    FROM candidates c WHERE {pair} GROUP BY row_id, id
), scored AS (
    SELECT m.row_id, m.id, same_phone, same_email, same_block,
        CASE WHEN p.family_key = '' OR r.family_key = ''
             THEN jaro_winkler_similarity(p.given_key || p.family_key, r.given_key || r.family_key)
             ELSE (jaro_winkler_similarity(p.given_key, r.given_key)
                   + jaro_winkler_similarity(p.family_key, r.family_key)) / 2
        END AS straight,
        (jaro_winkler_similarity(p.given_key, r.family_key) + jaro_winkler_similarity(p.family_key, r.given_key)) / 2
            AS swapped,
        CASE WHEN p.birth_year IS NULL OR r.birth_year IS NULL THEN NULL ELSE abs(p.birth_year - r.birth_year) END
            AS year_gap,
        (same_block OR jaro_winkler_similarity(p.given_key, r.given_key) >= $min_similarity) AS given_agrees
    FROM merged m JOIN {people} p ON p.id = m.id JOIN _import_rows r ON r.id = m.row_id
), kept AS (
    SELECT *, row_number() OVER (PARTITION BY row_id ORDER BY same_phone DESC, same_email DESC,
        CASE WHEN year_gap <= $tolerance THEN 0 WHEN year_gap IS NULL THEN 1 ELSE 2 END,
        greatest(straight, swapped) + CASE WHEN year_gap = 0 THEN 0.1 ELSE 0 END
                                    + CASE WHEN same_block THEN 0.1 ELSE 0 END DESC, id) AS rank
    FROM scored
    WHERE same_phone OR same_email
       OR (given_agrees AND greatest(straight, swapped) >= $min_similarity AND coalesce(year_gap, 0) <= $tolerance)
)
SELECT row_id, id, same_phone, same_email, straight, swapped, year_gap, given_agrees FROM kept
WHERE rank <= $per_row ORDER BY row_id, rank
"""


@dataclass
class Found:
    """A row's possible duplicate: a stored person or (`of_row`) an earlier row, and what agreed."""
    other: int
    of_row: bool
    reasons: list[str]
    certain: bool


def _reasons(same_phone, same_email, straight, swapped, year_gap, given_agrees) -> list[str]:
    """What agreed, in the words of dedupe.Match.reasons."""
    reasons = [name for name, on in (("same_phone", same_phone), ("same_email", same_email)) if on]
    if given_agrees and max(straight, swapped) >= NAME_SIMILARITY_MIN:
        reasons.append("swapped_name" if swapped > straight else "similar_name")
    if year_gap == 0:
        reasons.append("same_birth_year")
    elif year_gap is not None and year_gap <= BIRTH_YEAR_TOLERANCE:
        reasons.append("near_birth_year")
    return reasons


def find(cur, keyed: list[tuple[int, Keys, int | None]]) -> dict[int, list[Found]]:
    """Row id → its possible duplicates among the stored persons, then among the rows before it.
    `keyed` holds (row id, keys, birth year) for every valid row."""
    if not keyed:
        return {}
    table = pa.table({name: pa.array(values, type=kind) for (name, kind), values in zip(_ROW_COLUMNS, zip(*(
        (row_id, k.given_key, k.family_key, year, k.phone_e164, k.email_key, k.name_block)
        for row_id, k, year in keyed)))})
    cur.register("_import_rows", table)
    params = {"min_similarity": NAME_SIMILARITY_MIN, "tolerance": BIRTH_YEAR_TOLERANCE, "per_row": PER_ROW}
    try:
        stored = cur.execute(_MATCHES.format(lookups=_LOOKUPS, people="person", keys="SELECT * FROM person_name_key",
                                             pair="true"), params).fetchall()
        among = cur.execute(_MATCHES.format(lookups=_LOOKUPS, people="_import_rows", keys=key_rows_sql("_import_rows"),
                                            pair="c.id < c.row_id"), params).fetchall()
    finally:
        cur.unregister("_import_rows")
    found: dict[int, list[Found]] = {}
    for of_row, rows in ((False, stored), (True, among)):
        for row_id, other, same_phone, same_email, *score in rows:
            found.setdefault(row_id, []).append(
                Found(other, of_row, _reasons(same_phone, same_email, *score), bool(same_phone or same_email)))
    return found
