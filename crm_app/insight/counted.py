"""Who the dashboards count, as arrays: every counted person's values, read once and then kept up to date.

Only persons whose latest diversity_statistics consent is a yes are counted; a missing value is its
own category, "unknown". Their values are read (People, cached; after a change only the changed
persons are read again, see kept()) as integer codes on the finest level
of each dimension (5-year age bands, countries, education levels, districts, …), so that a
population's counts are one bincount per level. Also the dashboards' filters and the date helpers
their queries share.
"""
from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from crm_app.core.clock import add_months

UNKNOWN = "unknown"
PERIODS = ("all", "24", "12")            # every period filter option, widest first; a number is months back
# the finest levels, counted per person (People); the coarser ones are sums of these
FINE_LEVELS = ("gender", "age5", "country", "education_level", "municipality", "district", "years_in_nl",
               "integration_route")
CONSENTED = ("SELECT person_id FROM consent WHERE purpose = 'diversity_statistics' "
             "GROUP BY person_id HAVING arg_max(granted, id)")
EPOCH = "DATE '1970-01-01'"                # the queries give dates as days since this one


# -- every counted person's values, as arrays --------------------------------------------------------------
# one row per counted person with its languages (preferred and others, each once) as a list; read as Arrow
# so that codes come from Arrow's dictionary encoding and the list offsets (no Python object per value).
# {only} narrows it to some persons (see kept()).
_PEOPLE_SQL = """
SELECT p.id, p.gender, p.birth_year, p.country_of_origin, p.education_level, p.municipality,
       CASE WHEN p.district IS NULL AND p.municipality IS NULL THEN NULL
            ELSE coalesce(p.municipality, 'unknown') || ' · ' || coalesce(p.district, 'unknown') END AS district,
       p.arrival_year, p.integration_route,
       list_distinct(list_filter(list_prepend(p.preferred_language, coalesce(p.other_languages, []::VARCHAR[])),
                                 lambda x: x IS NOT NULL AND x <> '')) AS languages
FROM person p WHERE p.id IN ({consented}) {only} ORDER BY p.id
"""


def read_arrow(cur, sql: str, params=None) -> pa.Table:
    """The rows of `sql` as an Arrow table, through the cursor's result (cur.sql() refuses to run while an
    earlier result on it, such as the version look-up, is unfinished). The extra copy DuckDB warns about
    is cheap next to a Python object per value."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Arrow output on a DB-API result", UserWarning)
        return cur.execute(sql, params).to_arrow_table()


def encoded(column: pa.Array) -> tuple[np.ndarray, list[str]]:
    """(codes, values) of a string column: codes index values in order of first appearance (as
    pd.factorize); a missing value gets code -1."""
    encoded = pc.dictionary_encode(column)
    return (np.asarray(encoded.indices.fill_null(-1), dtype=np.int64),
            [str(v) for v in encoded.dictionary.to_pylist()])


# -- kept up to date per changed person ---------------------------------------------------------------------
# What the dashboards' per-person rows depend on: persons (new ones, updated_utc), consents, first sources and
# contact moments. Rows are only ever added to these tables, except by an erasure or the retention job.
_TABLES = ("person", "consent", "person_source", "activity")
# one aggregate per table (as scalar subqueries side by side DuckDB took 40 ms at 100k persons, this 1 ms)
_MARKS_SQL = " UNION ALL ".join(
    f"SELECT {i}, count(*), coalesce(max(id), 0), {'max(updated_utc)' if t == 'person' else 'NULL'} FROM {t}"
    for i, t in enumerate(_TABLES))
_GROWN_SQL = "SELECT " + ", ".join(f"(SELECT count(*) FROM {t} WHERE id > ?)" for t in _TABLES)
_CHANGED_SQL = ("SELECT id FROM person WHERE id > ? OR updated_utc > ? UNION "
                + " UNION ".join(f"SELECT person_id FROM {t} WHERE id > ?" for t in _TABLES[1:]))


def marks(cur) -> tuple:
    """Rows and newest id of each table the per-person rows depend on, and the newest person update."""
    rows = sorted(cur.execute(_MARKS_SQL).fetchall())
    return (*(value for row in rows for value in row[1:3]), rows[0][3])


def changed_persons(cur, before: tuple, now: tuple) -> list[int] | None:
    """The persons whose rows may differ between two marks(); None when rows were deleted (an
    erasure, the retention job): then everything is read again."""
    counts, maxima = before[0:8:2], before[1:8:2]
    grown = cur.execute(_GROWN_SQL, list(maxima)).fetchone()
    if tuple(n - b for n, b in zip(now[0:8:2], counts)) != grown:
        return None
    updated = before[8] or dt.datetime(1970, 1, 1)
    return [r[0] for r in cur.execute(_CHANGED_SQL, [maxima[0], updated, *maxima[1:]]).fetchall()]


class Kept:
    """The rows (by person id) of a per-person query, and what is made of them, for one state of the data."""

    def __init__(self, marks: tuple, tables: dict[str, pa.Table], value):
        self.marks, self.tables, self.value = marks, tables, value


def _merged(old: pa.Table, fresh: pa.Table, changed: list[int]) -> pa.Table:
    """`old` without the changed persons' rows, plus their rows as read now; by id."""
    if not changed:
        return old
    if not old.num_rows or min(changed) > old["id"][-1].as_py():    # only new persons: append
        merged = pa.concat_tables([old, fresh.cast(old.schema)])
        return merged.combine_chunks() if merged["id"].num_chunks > 32 else merged   # a chunk per change
    kept = old.filter(pc.invert(pc.is_in(old["id"], pa.array(changed, pa.int64()))))
    return pa.concat_tables([kept, fresh.cast(old.schema)]).sort_by("id")


_CACHE: dict = {}


def kept(cur, store_key, name: str, queries: dict[str, str], build):
    """`build(tables)` of the per-person rows of `queries` (SQL with {consented} and {only}), cached per store.

    After a registration, an edit, a consent or a contact moment only the persons that changed are read
    again (their rows replaced), so the first view after a change costs little more than any other; after
    a deletion everything is read again. Holds counted persons' codes, never a name or a contact detail.
    """
    now = marks(cur)
    entry = _CACHE.get((store_key, name))
    if entry is not None and entry.marks == now:
        return entry.value
    for key in [key for key in _CACHE if key[0] != store_key]:
        del _CACHE[key]                    # one store per process in the app; keep memory bounded
    changed = changed_persons(cur, entry.marks, now) if entry is not None else None
    if changed is None:
        tables = {table: read_arrow(cur, sql.format(consented=CONSENTED, only=""))
                  for table, sql in queries.items()}
    else:
        only = "AND p.id IN (SELECT unnest($ids))"
        consented = CONSENTED.replace("GROUP BY", "AND person_id IN (SELECT unnest($ids)) GROUP BY")
        tables = {table: _merged(entry.tables[table],
                                 read_arrow(cur, sql.format(consented=consented, only=only), {"ids": changed}),
                                 changed) for table, sql in queries.items()}
    value = build(tables)
    _CACHE[(store_key, name)] = Kept(now, tables, value)
    return value


class People:
    """Every person the dashboards may count (latest diversity_statistics consent: yes) with their values
    as integer codes per fine level: a population's counts are then one bincount per level over the
    positions of its persons. Read once per version of the data (see people())."""

    def __init__(self, table: pa.Table):
        self.ids = np.asarray(table["id"], dtype=np.int64)
        self.birth_year = table["birth_year"].to_numpy().astype("float64")      # a missing year: NaN
        self.arrival_year = table["arrival_year"].to_numpy().astype("float64")
        self.codes: dict[str, tuple[np.ndarray, list[str]]] = {}
        for level, column in (("gender", "gender"), ("country", "country_of_origin"),
                              ("education_level", "education_level"), ("municipality", "municipality"),
                              ("district", "district"), ("integration_route", "integration_route")):
            codes, values = encoded(table[column].combine_chunks())
            values.append(UNKNOWN)                                # a missing value is the last category
            self.codes[level] = (np.where(codes < 0, len(values) - 1, codes), values)
        self.municipality_codes, self.municipalities = self.codes["municipality"]
        languages = table["languages"].combine_chunks()
        # person i's languages are language_code[language_start[i]:language_start[i + 1]]
        self.language_start = np.asarray(languages.offsets, dtype=np.int64) - languages.offsets[0].as_py()
        self.language_code, self.languages = encoded(languages.flatten())
        self._banded: dict = {}

    def _bands(self, level: str, year: int) -> tuple[np.ndarray, list[str]]:
        if (level, year) not in self._banded:
            if level == "age5":
                age = year - self.birth_year
                low = np.floor_divide(age, 5) * 5
                keys = np.where(np.isnan(age), -1, low).astype(np.int64)
                uniques = np.unique(keys)
                values = [UNKNOWN if u < 0 else f"{u}-{u + 4}" for u in uniques]
            else:
                years = year - self.arrival_year
                keys = np.select([np.isnan(years), years <= 2, years <= 5, years <= 10], [0, 1, 2, 3], 4)
                uniques = np.arange(5)
                values = [UNKNOWN, "0-2", "3-5", "6-10", "10+"]
            self._banded[(level, year)] = (np.searchsorted(uniques, keys), values)
        return self._banded[(level, year)]

    def positions(self, person_ids) -> tuple[np.ndarray, np.ndarray]:
        """(positions among the counted persons, which of `person_ids` are counted): persons without the
        consent are dropped."""
        ids = np.asarray(person_ids, dtype=np.int64)
        if not len(self.ids):
            return np.zeros(0, dtype=np.int64), np.zeros(len(ids), dtype=bool)
        at = np.clip(np.searchsorted(self.ids, ids), 0, len(self.ids) - 1)
        keep = self.ids[at] == ids
        return at[keep], keep

    def fine(self, mask: np.ndarray, year: int) -> dict[str, dict[str, int]]:
        """level → value → persons, for the persons where `mask` (over all counted persons) is true."""
        at = np.flatnonzero(mask)               # gather the few, rather than mask the many, per level
        out: dict[str, dict[str, int]] = {"_total": {"": int(len(at))}}
        for level in FINE_LEVELS:
            codes, values = self._bands(level, year) if level in ("age5", "years_in_nl") else self.codes[level]
            counts = np.bincount(codes[at], minlength=len(values))
            out[level] = {value: int(c) for value, c in zip(values, counts) if c}
        if len(self.languages):
            starts, ends = self.language_start[at], self.language_start[at + 1]
            lengths = ends - starts
            pairs = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths) + np.arange(lengths.sum())
            counts = np.bincount(self.language_code[pairs], minlength=len(self.languages))
            out["language"] = {value: int(c) for value, c in zip(self.languages, counts) if c}
        return out

    def in_municipality(self, municipality: str) -> np.ndarray:
        if municipality not in self.municipalities[:-1]:
            return np.zeros(len(self.ids), dtype=bool)
        return self.municipality_codes == self.municipalities.index(municipality)


def people(cur, store_key) -> People:
    """The People of this store, kept up to date per changed person (see kept())."""
    return kept(cur, store_key, "people", {"people": _PEOPLE_SQL}, lambda tables: People(tables["people"]))


def clear_cache() -> None:
    """Forget every cached object (the benchmark times the first read after a change)."""
    _CACHE.clear()


# -- filters and dates ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    network_id: int | None = None        # None: all networks (the alumni network only under alumni)
    municipality: str | None = None      # None: every municipality
    period: str = "all"                  # "all", "24" or "12" months back (when persons entered the population)


def period_start(period: str, as_of: dt.date) -> dt.date | None:
    """The first day a period filter counts (None: all time)."""
    return None if period == "all" else add_months(as_of, -int(period))


def epoch_days(column) -> np.ndarray:
    """Whole days since 1970-01-01 (as the queries give them) as datetime64[D]."""
    return np.asarray(column, dtype=np.int64).astype("datetime64[D]")

