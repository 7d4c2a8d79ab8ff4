"""Diversity dimensions of persons and composition targets of networks.

A person's values count only while their diversity_statistics consent is given (without it the
columns are empty anyway). Languages are multi-valued: a person counts for each language spoken.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crm_app.core import reference

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

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


AGE_BANDS = tuple(f"{low}-{low + 9}" for low in range(0, 120, 10))
YEARS_IN_NL_BANDS = ("0-2", "3-5", "6-10", "10+")
# The values a target may name per dimension; municipality and district are free text (None).
_CODED = {
    "gender": reference.GENDERS, "age_band": AGE_BANDS, "education_level": reference.EDUCATION_LEVELS,
    "education_band": ("low", "middle", "high"), "years_in_nl": YEARS_IN_NL_BANDS,
    "integration_route": reference.INTEGRATION_ROUTES,
}


def dimension_values(dimension: str) -> tuple[str, ...] | None:
    """The codes a value of `dimension` is one of, in their natural order; None for free text.

    Countries are ISO 3166 alpha-2 and languages ISO 639-3, as a person's values are stored.
    """
    if dimension == "country_of_origin":
        return tuple(reference.countries("en"))
    if dimension == "language":
        return tuple(reference.languages("en"))
    return _CODED.get(dimension)


def known_value(dimension: str, value: str) -> str | None:
    """`value` as the code a person's value of `dimension` is stored as, or None when no person can hold it.

    Countries and languages accept what a person's form accepts (SY, syr; ar, ara, Arabic); free text is kept.
    """
    if dimension == "country_of_origin":
        return reference.country_code(value)
    if dimension == "language":
        return reference.language_code(value)
    allowed = _CODED.get(dimension)
    if allowed is None:
        return value
    code = value.strip().lower()
    return code if code in allowed else None


# The columns a person's values are read from, in the order ValueReader takes them.
VALUE_COLUMNS = ("gender", "birth_year", "country_of_origin", "preferred_language", "other_languages",
                 "education_level", "municipality", "district", "arrival_year", "integration_route")


def consented_sql(person_ids_sql: str) -> str:
    """The persons (among those `person_ids_sql` yields) whose latest diversity_statistics consent is a yes.

    One grouped look-up for all of them, not a subquery per person: a fill reads thousands of persons.
    """
    return ("SELECT c.person_id FROM consent c WHERE c.purpose = 'diversity_statistics' "
            f"AND c.person_id IN ({person_ids_sql}) GROUP BY c.person_id HAVING arg_max(c.granted, c.id)")


def _values_sql(asked_sql: str) -> str:
    return f"""
WITH asked AS ({asked_sql})
SELECT p.id, {', '.join('p.' + c for c in VALUE_COLUMNS)}
FROM person p WHERE p.id IN ({consented_sql('SELECT id FROM asked')})
"""


_VALUES_SQL = _values_sql("SELECT DISTINCT unnest($ids) AS id")


class _Sets(dict):
    """value → frozenset({value}), made once: persons who share a value share the set."""

    def __missing__(self, value):
        found = self[value] = frozenset((value,))
        return found


class ValueReader:
    """A person's dimension values from their VALUE_COLUMNS, for one reference year (age and years in NL
    are banded per birth or arrival year once)."""

    def __init__(self, year: int):
        self.year = year
        self._sets = _Sets()
        self._ages: dict = {}
        self._arrivals: dict = {}

    def __call__(self, gender, birth_year, country, preferred, others, education, municipality, district,
                 arrival, route) -> dict[str, frozenset[str]]:
        sets = self._sets
        dims: dict[str, frozenset[str]] = {}
        if gender is not None:
            dims["gender"] = sets[gender]
        if birth_year is not None:
            band = self._ages.get(birth_year)
            if band is None:
                band = self._ages[birth_year] = age_band(birth_year, self.year)
            dims["age_band"] = sets[band]
        if country is not None:
            dims["country_of_origin"] = sets[country]
        if education is not None:
            dims["education_level"] = sets[education]
            if education in EDUCATION_BANDS:
                dims["education_band"] = sets[EDUCATION_BANDS[education]]
        if municipality is not None:
            dims["municipality"] = sets[municipality]
        if district is not None:
            dims["district"] = sets[district]
        if arrival is not None:
            band = self._arrivals.get(arrival)
            if band is None:
                band = self._arrivals[arrival] = years_in_nl_band(arrival, self.year)
            dims["years_in_nl"] = sets[band]
        if route is not None:
            dims["integration_route"] = sets[route]
        if others:
            languages = frozenset(code for code in (preferred, *others) if code)
            if languages:
                dims["language"] = languages
        elif preferred:
            dims["language"] = sets[preferred]
        return dims


# -- many persons at once, column by column ----------------------------------------------------------
# A fill over a long waiting list reads thousands of persons. Instead of a dict per person, each
# dimension becomes one array of codes into a short list of value sets (ValueReader's values, the
# same for every person who shares them); the selection weighs those sets, not the persons.
def languages_sql(alias: str = "p") -> str:
    """A person's languages (preferred and others, empty ones left out) as one sorted, comma-joined key."""
    return (f"nullif(array_to_string(list_sort(list_distinct(list_filter(list_prepend({alias}.preferred_language, "
            f"coalesce({alias}.other_languages, []::VARCHAR[])), lambda x: x IS NOT NULL AND x <> ''))), ','), '')")


FRAME_COLUMNS = ("gender", "birth_year", "country_of_origin", "education_level", "municipality", "district",
                 "arrival_year", "integration_route", "languages")

# dimension → (frame column, the value it counts for given a stored value and the year; None: no value)
_FROM_COLUMN = {
    "gender": ("gender", None), "country_of_origin": ("country_of_origin", None),
    "education_level": ("education_level", None), "municipality": ("municipality", None),
    "district": ("district", None), "integration_route": ("integration_route", None),
    "age_band": ("birth_year", lambda v, year: age_band(int(v), year)),
    "years_in_nl": ("arrival_year", lambda v, year: years_in_nl_band(int(v), year)),
    "education_band": ("education_level", lambda v, year: EDUCATION_BANDS.get(v)),
    "language": ("languages", "split"),
}


def value_codes(frame: pd.DataFrame, consented, year: int) -> dict[str, tuple[np.ndarray, list[frozenset[str]]]]:
    """dimension → (per row: an index into the list of value sets, -1 for no value; the value sets).

    `frame` holds FRAME_COLUMNS (languages as languages_sql gives them); rows without `consented`
    count for nothing, as in person_values. Row i has the values ValueReader would give it.
    """
    import numpy as np  # numpy and pandas only where a fill needs them: the log-in page starts without them
    import pandas as pd
    out = {}
    absent = ~np.asarray(consented, dtype=bool)
    for dimension, (column, convert) in _FROM_COLUMN.items():
        raw_codes, uniques = pd.factorize(frame[column])
        if convert is None:
            sets = [frozenset((value,)) for value in uniques]
        elif convert == "split":
            sets = [frozenset(value.split(",")) for value in uniques]
        else:
            sets = [None if (band := convert(value, year)) is None else frozenset((band,)) for value in uniques]
        merged, kept = pd.factorize(pd.Series(sets, dtype=object))   # equal sets (1990, 1991 → 30-39) merge
        codes = np.append(merged, -1)[raw_codes]                      # raw -1 (no value) stays -1
        codes[absent] = -1
        out[dimension] = (codes, list(kept))
    return out


def value_codes_of(people: list[dict[str, frozenset[str]]]) -> dict[str, tuple[np.ndarray, list[frozenset[str]]]]:
    """value_codes for persons whose values are at hand already."""
    import numpy as np
    import pandas as pd
    out = {}
    for dimension in DIMENSIONS:
        codes, kept = pd.factorize(pd.Series([values.get(dimension) for values in people], dtype=object))
        out[dimension] = (np.asarray(codes), list(kept))
    return out


def values_at(codes: dict[str, tuple[np.ndarray, list]], index: int) -> dict[str, frozenset[str]]:
    """One row of value_codes back as a person's values."""
    return {dimension: sets[int(column[index])] for dimension, (column, sets) in codes.items() if column[index] >= 0}


def person_values(cur, person_ids, year: int) -> dict[int, dict[str, frozenset[str]]]:
    """person id → dimension → the values they count for (empty when unknown or without consent)."""
    ids = list(person_ids)
    values: dict[int, dict[str, frozenset[str]]] = {pid: {} for pid in ids}
    if not ids:
        return values
    read = ValueReader(year)
    for pid, *columns in cur.execute(_VALUES_SQL, {"ids": ids}).fetchall():
        values[pid] = read(*columns)
    return values


def values_of(cur, person_ids_sql: str, year: int) -> dict[int, dict[str, frozenset[str]]]:
    """person_values of the persons `person_ids_sql` (a fixed statement of the caller, column `id`) yields,
    without them passing through Python: the consented ones only (the others have no values)."""
    read = ValueReader(year)
    return {pid: read(*columns) for pid, *columns in cur.execute(_values_sql(person_ids_sql)).fetchall()}


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
