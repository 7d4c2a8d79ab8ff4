"""Diversity dimensions of persons and composition targets of networks.

A person's values count only while their diversity_statistics consent is given (without it the
columns are empty anyway). Languages are multi-valued: a person counts for each language spoken.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

DIMENSIONS = ("gender", "age_band", "country_of_origin", "language", "education_level", "education_band",
              "municipality", "district", "years_in_nl", "integration_route")
EDUCATION_BANDS = {"none": "low", "primary": "low", "secondary": "middle", "vocational": "middle",
                   "higher_professional": "high", "university": "high"}


def age_band(birth_year: int | None, year: int) -> str | None:
    """10-year bands: 20-29, 30-39, …"""
    if birth_year is None:
        return None
    low = (year - birth_year) // 10 * 10
    return f"{low}-{low + 9}"


def years_in_nl_band(arrival_year: int | None, year: int) -> str | None:
    if arrival_year is None:
        return None
    years = year - arrival_year
    return "0-2" if years <= 2 else "3-5" if years <= 5 else "6-10" if years <= 10 else "10+"


_VALUES_SQL = """
SELECT p.id, p.gender, p.birth_year, p.country_of_origin, p.preferred_language, p.other_languages,
       p.education_level, p.municipality, p.district, p.arrival_year, p.integration_route
FROM person p
WHERE p.id IN (SELECT unnest($ids))
  AND coalesce((SELECT arg_max(c.granted, c.id) FROM consent c
                WHERE c.person_id = p.id AND c.purpose = 'diversity_statistics'), false)
"""


def person_values(cur, person_ids, year: int) -> dict[int, dict[str, frozenset[str]]]:
    """person id → dimension → the values they count for (empty when unknown or without consent)."""
    ids = list(person_ids)
    values: dict[int, dict[str, frozenset[str]]] = {pid: {} for pid in ids}
    if not ids:
        return values
    for (pid, gender, birth_year, country, preferred, others, education, municipality, district, arrival,
         route) in cur.execute(_VALUES_SQL, {"ids": ids}).fetchall():
        single = {
            "gender": gender, "age_band": age_band(birth_year, year), "country_of_origin": country,
            "education_level": education, "education_band": EDUCATION_BANDS.get(education),
            "municipality": municipality, "district": district,
            "years_in_nl": years_in_nl_band(arrival, year), "integration_route": route,
        }
        dims = {dim: frozenset([value]) for dim, value in single.items() if value is not None}
        languages = {code for code in [preferred, *(others or [])] if code}
        if languages:
            dims["language"] = frozenset(languages)
        values[pid] = dims
    return values


@dataclass(frozen=True)
class Target:
    """A composition goal: `dim_value` set → count or share of that value; None → spread of the dimension."""
    id: int | None
    dimension: str
    dim_value: str | None
    measure: str            # 'count', 'share' or 'distinct'
    min_value: float | None
    max_value: float | None

    def bounds(self, places: int) -> tuple[int | None, int | None]:
        """Minimum and maximum as whole persons (or distinct values) for a network of `places`."""
        if self.measure == "share":
            low = math.ceil(self.min_value * places - 1e-9) if self.min_value is not None else None
            high = math.floor(self.max_value * places + 1e-9) if self.max_value is not None else None
            return low, high
        as_int = (lambda v: None if v is None else int(v))
        return as_int(self.min_value), as_int(self.max_value)


class Tally:
    """Counts per dimension value of a group of persons; cheap to extend by one person."""

    def __init__(self, people: list[dict[str, frozenset[str]]] | None = None):
        self.counts: dict[str, Counter] = {dim: Counter() for dim in DIMENSIONS}
        self.size = 0
        for values in people or []:
            self.add(values)

    def add(self, values: dict[str, frozenset[str]]) -> None:
        self.size += 1
        for dim, vals in values.items():
            self.counts[dim].update(vals)

    def level(self, target: Target) -> int:
        """Where the group stands on a target: the count, the largest count per value, or distinct values."""
        counts = self.counts[target.dimension]
        if target.measure == "distinct":
            return sum(1 for n in counts.values() if n > 0)
        if target.dim_value is None:
            return max(counts.values(), default=0)
        return counts[target.dim_value]

    def level_with(self, target: Target, values: dict[str, frozenset[str]]) -> int:
        """The level after adding one person with `values`, without changing the tally."""
        counts = self.counts[target.dimension]
        theirs = values.get(target.dimension, frozenset())
        if target.measure == "distinct":
            return self.level(target) + sum(1 for v in theirs if counts[v] == 0)
        if target.dim_value is None:
            return max([counts[v] + 1 for v in theirs] + [max(counts.values(), default=0)])
        return counts[target.dim_value] + (target.dim_value in theirs)


def status(target: Target, tally: Tally, places: int) -> str:
    """'met', 'short' (below its minimum) or 'over' (above its maximum)."""
    low, high = target.bounds(places)
    level = tally.level(target)
    if low is not None and level < low:
        return "short"
    if high is not None and level > high:
        return "over"
    return "met"
