"""The batch scan: every pair of persons in the store that may be one human, scored, sorted and clustered.

Blocking, in one DuckDB query, with the keys the entry-time check uses: a shared key of `person_name_key`
(the given|family skeletons, one letter left out of either, with and without the birth year: the key
without its low byte, the year code), the names
swapped, a phone one digit apart (or the same), the same email, the family name and birth year, the birth
year and district, the given or family name and district. A block of more than MAX_BLOCK persons is too
common to pair on (the narrower blocks do the work).

Scoring, in the same query: a match weight in bits (Fellegi–Sunter), the sum of one weight per field. A field
that agrees adds log2(m/u), where u is how often it agrees by chance: the share of persons with that value,
so a common name (or birth year, district) agrees for less than a rare one; a field that disagrees subtracts;
a field missing on either side counts zero. Names agree exactly, or nearly (Jaro–Winkler at least
NAME_NEAR, or the same consonant skeleton: another transliteration) for less; swapped names count when that
scores higher. A share is estimated with PRIOR persons of the usual share added, and a phone or email agrees
by chance at most once in IDENTIFIER_SPACE persons, so a small store weighs like a large one. Pairs of at
least LIKELY bits are likely duplicates, of at least POSSIBLE possible ones.
Clusters are the connected groups of pairs (three records of one person make one cluster).

Nothing merges by itself: `crm dedupe scan --apply` puts the pairs in the review queue (crm_app.people.duplicates).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions
from crm_app.people import duplicates

MAX_BLOCK = 100
PRIOR = 1000               # persons of the usual share mixed into each value's share
IDENTIFIER_SPACE = 10_000  # a phone or email shared by chance: at most once in this many persons
NAME_NEAR = 0.88
LIKELY = 12.0          # bits
POSSIBLE = 7.0
# The 0–1 score stored with a pair: a logistic of the weight, 0.9 exactly at LIKELY (the queue's "likely").
_MIDPOINT = LIKELY - math.log2(9)

_QUERY = """
WITH n AS (SELECT greatest(count(*), 2)::DOUBLE AS n FROM person),
ident AS (SELECT log2(0.95 * greatest(n, $identifier_space)) AS w FROM n),   -- a phone or email agrees
blocks AS (
    SELECT DISTINCT 'nk:' || (name_key >> 8) AS k, person_id AS id FROM person_name_key   -- any birth year
    UNION ALL SELECT 'ny:' || name_key, person_id FROM person_name_key WHERE name_key & 255 <> 255
    UNION ALL SELECT 'nb:' || name_block, id FROM person
    UNION ALL SELECT 'nb:' || split_part(name_block, '|', 2) || '|' || split_part(name_block, '|', 1), id FROM person
    UNION ALL SELECT 'ph:' || left(phone_e164, i - 1) || substr(phone_e164, i + 1), id
              FROM (SELECT id, phone_e164, unnest(range(2, length(phone_e164) + 1)) AS i FROM person
                    WHERE phone_e164 IS NOT NULL)
    UNION ALL SELECT 'em:' || email_key, id FROM person WHERE email_key IS NOT NULL
    UNION ALL SELECT 'fy:' || family_year_block, id FROM person WHERE family_year_block IS NOT NULL
    UNION ALL SELECT 'dy:' || district || '|' || birth_year, id FROM person
              WHERE district IS NOT NULL AND birth_year IS NOT NULL
    UNION ALL SELECT 'gd:' || split_part(name_block, '|', 1) || '|' || district, id FROM person
              WHERE district IS NOT NULL
    UNION ALL SELECT 'fd:' || split_part(name_block, '|', 2) || '|' || district, id FROM person
              WHERE district IS NOT NULL
),
usable AS (SELECT k FROM blocks GROUP BY k HAVING count(*) BETWEEN 2 AND $max_block),
pairs AS (
    SELECT DISTINCT a.id AS a, b.id AS b FROM blocks a JOIN blocks b ON a.k = b.k AND a.id < b.id
    WHERE a.k IN (SELECT k FROM usable)
),
share AS (     -- how often each value occurs (c), and how often a value of its kind does by itself (u0)
    SELECT 'g' AS f, given_key AS v, count(*) AS c, 0.001 AS u0 FROM person GROUP BY ALL
    UNION ALL SELECT 'f', family_key, count(*), 0.001 FROM person GROUP BY ALL
    UNION ALL SELECT 'y', birth_year::VARCHAR, count(*), 0.02 FROM person WHERE birth_year IS NOT NULL GROUP BY ALL
    UNION ALL SELECT 'd', district, count(*), 0.01 FROM person WHERE district IS NOT NULL GROUP BY ALL
    UNION ALL SELECT 'm', municipality, count(*), 0.05 FROM person WHERE municipality IS NOT NULL GROUP BY ALL
),
-- the chance to agree by accident: the value's share, with PRIOR persons of the usual share mixed in, so a
-- small store (where every name is rare) does not count a name for more than it is worth
w AS (SELECT f, v, log2(0.9 * ((SELECT n FROM n) + $prior) / (c + $prior * u0)) AS agree FROM share),
side AS (
    SELECT p.a, p.b, a.given_key AS ag, a.family_key AS af, b.given_key AS bg, b.family_key AS bf,
           split_part(a.name_block, '|', 1) AS ags, split_part(a.name_block, '|', 2) AS afs,
           split_part(b.name_block, '|', 1) AS bgs, split_part(b.name_block, '|', 2) AS bfs,
           a.birth_year AS ay, b.birth_year AS by_, a.phone_e164 AS aphone, b.phone_e164 AS bphone,
           a.email_key AS aemail, b.email_key AS bemail, a.district AS ad, b.district AS bd,
           a.municipality AS am, b.municipality AS bm
    FROM pairs p JOIN person a ON a.id = p.a JOIN person b ON b.id = p.b
),
named AS (
    SELECT s.*, g1.agree AS wag, g2.agree AS wbg, f1.agree AS waf, f2.agree AS wbf, y.agree AS wy,
           d.agree AS wd, m.agree AS wm
    FROM side s
    LEFT JOIN w g1 ON g1.f = 'g' AND g1.v = s.ag LEFT JOIN w g2 ON g2.f = 'g' AND g2.v = s.bg
    LEFT JOIN w f1 ON f1.f = 'f' AND f1.v = s.af LEFT JOIN w f2 ON f2.f = 'f' AND f2.v = s.bf
    LEFT JOIN w y ON y.f = 'y' AND y.v = s.ay::VARCHAR LEFT JOIN w d ON d.f = 'd' AND d.v = s.ad
    LEFT JOIN w m ON m.f = 'm' AND m.v = s.am
),
fields AS (
    SELECT *,
        -- one name against another: exact, near (similar or the same skeleton: for less), or not
        CASE WHEN ag = '' OR bg = '' THEN 0 WHEN ag = bg THEN wag
             WHEN ags = bgs OR jaro_winkler_similarity(ag, bg) >= $near THEN least(wag, wbg) - 2 ELSE -3 END
        + CASE WHEN af = '' OR bf = '' THEN 0 WHEN af = bf THEN waf
             WHEN afs = bfs OR jaro_winkler_similarity(af, bf) >= $near THEN least(waf, wbf) - 2 ELSE -3 END AS straight,
        CASE WHEN ag = '' OR bf = '' THEN 0 WHEN ag = bf OR ags = bfs OR jaro_winkler_similarity(ag, bf) >= $near
             THEN least(wag, wbf) - 3 ELSE -3 END
        + CASE WHEN af = '' OR bg = '' THEN 0 WHEN af = bg OR afs = bgs OR jaro_winkler_similarity(af, bg) >= $near
             THEN least(waf, wbg) - 3 ELSE -3 END AS swapped,
        CASE WHEN ay IS NULL OR by_ IS NULL THEN 0 WHEN ay = by_ THEN wy WHEN abs(ay - by_) = 1 THEN 1 ELSE -6 END AS year_w,
        CASE WHEN aphone IS NULL OR bphone IS NULL THEN 0 WHEN aphone = bphone THEN (SELECT w FROM ident)
             WHEN damerau_levenshtein(aphone, bphone) = 1 THEN (SELECT w FROM ident) - 5
             ELSE -3 END AS phone_w,
        CASE WHEN aemail IS NULL OR bemail IS NULL THEN 0 WHEN aemail = bemail THEN (SELECT w FROM ident)
             ELSE -1 END AS email_w,
        CASE WHEN ad IS NULL OR bd IS NULL THEN 0 WHEN ad = bd THEN wd ELSE -1 END AS district_w,
        CASE WHEN am IS NULL OR bm IS NULL THEN 0 WHEN am = bm THEN wm ELSE -1 END AS municipality_w
    FROM named
)
SELECT a, b, greatest(straight, swapped) + year_w + phone_w + email_w + district_w + municipality_w AS weight,
       swapped > straight AS is_swapped, aphone = bphone AS same_phone, email_w > 0 AS same_email,
       greatest(straight, swapped) > 0 AS similar_name, year_w > 1 AS same_birth_year, year_w = 1 AS near_birth_year,
       district_w > 0 OR municipality_w > 0 AS same_place
FROM fields WHERE greatest(straight, swapped) + year_w + phone_w + email_w + district_w + municipality_w >= $possible
ORDER BY weight DESC, a, b
"""


@dataclass
class Pair:
    first_id: int
    second_id: int
    weight: float
    reasons: tuple[str, ...]

    @property
    def level(self) -> str:
        return "likely" if self.weight >= LIKELY else "possible"

    @property
    def score(self) -> float:
        return round(1 / (1 + 2 ** (_MIDPOINT - self.weight)), 3)


@dataclass
class ScanResult:
    pairs: list[Pair]
    clusters: list[list[int]] = field(default_factory=list)   # person ids, largest cluster first
    queued: int = 0                                          # pairs new in the review queue (--apply)

    def count(self, level: str) -> int:
        return sum(1 for p in self.pairs if p.level == level)


_REASONS = ("swapped_name", "same_phone", "same_email", "similar_name", "same_birth_year", "near_birth_year",
            "same_place")


def find_pairs(cur, *, possible: float = POSSIBLE) -> list[Pair]:
    """Every pair weighing at least `possible` bits, heaviest first (no permission: for services and benchmarks)."""
    rows = cur.execute(_QUERY, {"max_block": MAX_BLOCK, "near": NAME_NEAR, "possible": possible, "prior": PRIOR,
                                "identifier_space": IDENTIFIER_SPACE}).fetchall()
    pairs = []
    for a, b, weight, *flags in rows:
        reasons = tuple(code for code, flag in zip(_REASONS, flags) if flag)
        if "swapped_name" in reasons:
            reasons = tuple(r for r in reasons if r != "similar_name")
        pairs.append(Pair(a, b, float(weight), reasons))
    return pairs


def clusters(pairs: list[Pair]) -> list[list[int]]:
    """Connected groups of persons joined by pairs (union–find), the largest first."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in pairs:
        a, b = root(pair.first_id), root(pair.second_id)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for person in parent:
        groups.setdefault(root(person), []).append(person)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g[0]))


def scan(store, actor: Actor, *, apply: bool = False) -> ScanResult:
    """Scan the whole store; with `apply`, put every pair found in the review queue (origin scan) in one unit
    of work — pairs already there, decided or not, stay as they are."""
    permissions.require(actor.role, "duplicates.review")
    with store.read() as cur:
        pairs = find_pairs(cur)
    result = ScanResult(pairs, clusters(pairs))

    def work(cur):
        added = duplicates.flag_pairs(cur, [(p.first_id, p.second_id, p.level, p.score, p.reasons) for p in pairs],
                                      "scan")
        audit.record(cur, actor, "duplicates.scan", None, None, f"pairs={len(pairs)} queued={added}")
        return added

    if apply:
        result.queued = store.write(work)
    return result
