"""Duplicate check at entry: indexed look-ups on normalised keys, then one scored DuckDB query.

Blocking (each branch an index look-up, no scan of all persons): same E.164 phone, same casefolded
email, same given|family consonant skeletons (and swapped), same family skeleton and birth year.
Scoring (in SQL): Jaro-Winkler on the folded names, straight and swapped, and the birth years.
A shared family name averages to at least 0.5 on its own, so the given names must agree as well
(same skeleton, or similar by themselves): siblings and namesakes born the same year are no match.
A name-only match is a *possible* duplicate for a person to decide; nothing merges automatically.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from crm_app.people.names import fold, skeleton

BIRTH_YEAR_TOLERANCE = 1
NAME_SIMILARITY_MIN = 0.75


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

    @classmethod
    def of(cls, given_name: str, family_name: str | None, phone_e164: str | None,
           email_key: str | None, birth_year: int | None) -> Keys:
        given_skel, family_skel = skeleton(given_name), skeleton(family_name)
        return cls(
            phone_e164=phone_e164, email_key=email_key,
            given_key=fold(given_name), family_key=fold(family_name),
            name_block=f"{given_skel}|{family_skel}", swapped_block=f"{family_skel}|{given_skel}",
            family_year_block=f"{family_skel}|{birth_year}" if family_skel and birth_year else None,
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


# Each branch fetches only the four columns scoring needs (a fetch through an index costs per row
# and column) and says which key it came through, so phone/email/block equality needs no columns.
_QUERY = """
WITH candidates AS (
    SELECT id, given_key, family_key, birth_year, 'phone' AS via FROM person WHERE phone_e164 = $phone
    UNION ALL SELECT id, given_key, family_key, birth_year, 'email' FROM person WHERE email_key = $email
    UNION ALL SELECT id, given_key, family_key, birth_year, 'name' FROM person WHERE name_block = $block
    UNION ALL SELECT id, given_key, family_key, birth_year, 'name' FROM person WHERE name_block = $swapped
    UNION ALL SELECT id, given_key, family_key, birth_year, 'family_year' FROM person
              WHERE family_year_block = $family_year
), merged AS (
    SELECT id, any_value(given_key) AS given_key, any_value(family_key) AS family_key,
           any_value(birth_year) AS birth_year, bool_or(via = 'phone') AS same_phone,
           bool_or(via = 'email') AS same_email, bool_or(via = 'name') AS same_block
    FROM candidates WHERE ($exclude IS NULL OR id <> $exclude) GROUP BY id
), scored AS (
    SELECT id, same_phone, same_email,
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
SELECT * FROM scored
WHERE same_phone OR same_email
   OR (given_agrees AND greatest(straight, swapped) >= $min_similarity AND coalesce(year_gap, 0) <= $tolerance)
ORDER BY same_phone DESC, same_email DESC, greatest(straight, swapped) DESC, id
LIMIT $limit
"""


def find_duplicates(cur, keys: Keys, birth_year: int | None, *, exclude_id: int | None = None,
                    limit: int = 10) -> list[Match]:
    """Possible duplicates of a person about to be stored, most certain first."""
    rows = cur.execute(_QUERY, {
        "phone": keys.phone_e164, "email": keys.email_key, "block": keys.name_block,
        "swapped": keys.swapped_block, "family_year": keys.family_year_block,
        "given": keys.given_key, "family": keys.family_key, "birth_year": birth_year,
        "exclude": exclude_id, "min_similarity": NAME_SIMILARITY_MIN,
        "tolerance": BIRTH_YEAR_TOLERANCE, "limit": limit,
    }).fetchall()
    if not rows:
        return []
    ids = [row[0] for row in rows]  # an IN list of placeholders is answered from the primary key's index
    shown = {row[0]: row[1:] for row in cur.execute(
        "SELECT id, given_name, family_name, phone_e164, email, birth_year FROM person "
        f"WHERE id IN ({', '.join('?' * len(ids))})", ids).fetchall()}
    return [_match(row, shown[row[0]]) for row in rows]


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
