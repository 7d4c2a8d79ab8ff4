"""Diversity dashboards: composition, targets, composition over time and the recruitment funnel.

Everything here returns counts that went through crm_app.insight.suppression — never a person, never a
name, never an unsuppressed count. Only persons whose latest diversity_statistics consent is a
yes are counted; a missing value is its own category, "unknown".

Every counted person's values are read once per change of the data (People, cached) as integer
codes on the finest level of each dimension (5-year age bands, countries, education levels,
districts, …); a population is a query for its persons' ids, then one bincount per level. The
coarser levels (10-year bands, region groups, continents, three education levels, …) are sums.
A dimension is shown on the first level where suppression hides few persons
(FALLBACK_HIDDEN_SHARE) and otherwise on its coarsest.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import re
import warnings
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crm_app.access.audit import Actor
from crm_app.core import permissions, settings
from crm_app.core.clock import add_months, today
from crm_app.core.paths import DATA_DIR
from crm_app.insight import suppression
from crm_app.insight.suppression import Table
from crm_app.networks import composition
from crm_app.networks.composition import EDUCATION_BANDS

UNKNOWN = "unknown"
POPULATIONS = ("members", "waiting", "pool", "alumni")
PERIODS = ("all", "24", "12")            # every period filter option, widest first; a number is months back
FALLBACK_HIDDEN_SHARE = 0.25             # a level hiding more persons than this falls back to a coarser one
FUNNEL_STAGES = ("registered", "contacted", "waiting", "offered", "member")
REACH_DIMENSIONS = ("gender", "integration_route", "region")

# dimension → its levels, finest first
LEVELS: dict[str, tuple[str, ...]] = {
    "gender": ("gender",),
    "age": ("age5", "age10"),
    "origin": ("country", "region", "continent"),
    "language": ("language",),
    "education": ("education_level", "education_band"),
    "municipality": ("municipality",),
    "district": ("district", "municipality"),
    "years_in_nl": ("years_in_nl", "years_in_nl_coarse"),
    "integration_route": ("integration_route",),
}
DIMENSIONS = tuple(LEVELS)
# the finest levels, counted per person (People); the coarser ones are sums of these
FINE_LEVELS = ("gender", "age5", "country", "education_level", "municipality", "district", "years_in_nl",
               "integration_route")
_CONSENTED = ("SELECT person_id FROM consent WHERE purpose = 'diversity_statistics' "
              "GROUP BY person_id HAVING arg_max(granted, id)")


@functools.lru_cache(maxsize=1)
def region_groups() -> dict[str, tuple[str, str]]:
    """Country (ISO alpha-2) → (UN M49 sub-region, continent), from data/region_groups.csv."""
    lines = (DATA_DIR / "region_groups.csv").read_text(encoding="utf-8").splitlines()
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    return {r["country"]: (r["region"], r["continent"]) for r in rows}


def _coarse(level: str, value: str) -> str:
    """The value of a coarse level for a value of the finer level it is made from."""
    if value == UNKNOWN:
        return UNKNOWN
    if level == "age10":
        low = int(value.split("-")[0]) // 10 * 10
        return f"{low}-{low + 9}"
    if level in ("region", "continent"):
        found = region_groups().get(value)
        return UNKNOWN if found is None else found[0 if level == "region" else 1]
    if level == "education_band":
        return EDUCATION_BANDS.get(value, UNKNOWN)
    if level == "years_in_nl_coarse":
        return "0-5" if value in ("0-2", "3-5") else "6+"
    if level == "municipality":          # from a district: "Utrecht · Overvecht" → "Utrecht"
        return value.split(" · ")[0]
    raise KeyError(level)


_SOURCE_LEVEL = {"age10": "age5", "region": "country", "continent": "country", "education_band": "education_level",
                 "years_in_nl_coarse": "years_in_nl"}


def level_counts(fine: dict[str, dict[str, int]], dimension: str, level: str) -> dict[str, int]:
    """Counts on one level of a dimension, from the counts on the finest levels."""
    if dimension == "language":
        return dict(fine.get("language", {}))
    if level in _SOURCE_LEVEL or (dimension == "district" and level == "municipality"):
        source = "district" if dimension == "district" else _SOURCE_LEVEL[level]
        out: dict[str, int] = defaultdict(int)
        for value, n in fine.get(source, {}).items():
            out[_coarse(level, value)] += n
        return dict(out)
    return dict(fine.get(level, {}))


def _order(values) -> list[str]:
    """Categories in a stable order: known values sorted (numbers by their start), unknown last."""
    def key(v: str):
        head = v.split("-")[0].rstrip("+")
        return (v == UNKNOWN, (0, int(head), v) if head.isdigit() else (1, 0, v))
    return sorted(values, key=key)


# -- every counted person's values, as arrays --------------------------------------------------------------
# one row per counted person with its languages (preferred and others, each once) as a list; read as Arrow
# so that codes come from Arrow's dictionary encoding and the list offsets (no Python object per value)
_PEOPLE_SQL = f"""
SELECT p.id, p.gender, p.birth_year, p.country_of_origin, p.education_level, p.municipality,
       CASE WHEN p.district IS NULL AND p.municipality IS NULL THEN NULL
            ELSE coalesce(p.municipality, 'unknown') || ' · ' || coalesce(p.district, 'unknown') END AS district,
       p.arrival_year, p.integration_route,
       list_distinct(list_filter(list_prepend(p.preferred_language, coalesce(p.other_languages, []::VARCHAR[])),
                                 lambda x: x IS NOT NULL AND x <> '')) AS languages
FROM person p WHERE p.id IN ({_CONSENTED}) ORDER BY p.id
"""
_VERSION_SQL = ("SELECT (SELECT count(*) FROM person), (SELECT max(updated_utc) FROM person), "
                "(SELECT count(*) FROM consent), (SELECT max(id) FROM consent)")


def _arrow(cur, sql: str) -> pa.Table:
    """The rows of `sql` as an Arrow table, through the cursor's result (cur.sql() refuses to run while an
    earlier result on it, such as the version look-up, is unfinished). The extra copy DuckDB warns about
    is cheap next to a Python object per value."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Arrow output on a DB-API result", UserWarning)
        return cur.execute(sql).to_arrow_table()


def _encoded(column: pa.Array) -> tuple[np.ndarray, list[str]]:
    """(codes, values) of a string column: codes index values in order of first appearance (as
    pd.factorize); a missing value gets code -1."""
    encoded = pc.dictionary_encode(column)
    return (np.asarray(encoded.indices.fill_null(-1), dtype=np.int64),
            [str(v) for v in encoded.dictionary.to_pylist()])


class People:
    """Every person the dashboards may count (latest diversity_statistics consent: yes) with their values
    as integer codes per fine level: a population's counts are then one bincount per level over the
    positions of its persons. Read once per version of the data (see people())."""

    def __init__(self, cur):
        table = _arrow(cur, _PEOPLE_SQL)
        self.ids = np.asarray(table["id"], dtype=np.int64)
        self.birth_year = table["birth_year"].to_numpy().astype("float64")      # a missing year: NaN
        self.arrival_year = table["arrival_year"].to_numpy().astype("float64")
        self.codes: dict[str, tuple[np.ndarray, list[str]]] = {}
        for level, column in (("gender", "gender"), ("country", "country_of_origin"),
                              ("education_level", "education_level"), ("municipality", "municipality"),
                              ("district", "district"), ("integration_route", "integration_route")):
            codes, values = _encoded(table[column].combine_chunks())
            values.append(UNKNOWN)                                # a missing value is the last category
            self.codes[level] = (np.where(codes < 0, len(values) - 1, codes), values)
        self.municipality_codes, self.municipalities = self.codes["municipality"]
        languages = table["languages"].combine_chunks()
        # person i's languages are language_code[language_start[i]:language_start[i + 1]]
        self.language_start = np.asarray(languages.offsets, dtype=np.int64) - languages.offsets[0].as_py()
        self.language_code, self.languages = _encoded(languages.flatten())
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


_CACHE: dict = {}


def _cached(cur, store_key, name: str, version_sql: str, build):
    """One object per store and name, built again only when `version_sql` (a cheap look-up of counts and
    newest ids) gives another answer. Holds counted persons' codes, never a name or a contact detail."""
    version = cur.execute(version_sql).fetchone()
    cached = _CACHE.get((store_key, name))
    if cached is None or cached[0] != version:
        for key in [key for key in _CACHE if key[0] != store_key]:
            del _CACHE[key]                # one store per process in the app; keep memory bounded
        _CACHE[(store_key, name)] = (version, build(cur))
    return _CACHE[(store_key, name)][1]


def people(cur, store_key) -> People:
    """The People of this store, read again only when persons or consents changed."""
    return _cached(cur, store_key, "people", _VERSION_SQL, People)


# -- one population's counts ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    network_id: int | None = None        # None: all networks (the alumni network only under alumni)
    municipality: str | None = None      # None: every municipality
    period: str = "all"                  # "all", "24" or "12" months back (when persons entered the population)


def _period_start(period: str, as_of: dt.date) -> dt.date | None:
    return None if period == "all" else add_months(as_of, -int(period))


_POPULATION_SQL = {
    # person_id, entered (the date the person entered this population; NULL: always counted)
    "members": """SELECT DISTINCT m.person_id, NULL::DATE AS entered FROM membership m JOIN network n ON n.id = m.network_id
                  WHERE (CASE WHEN $network IS NULL THEN n.kind <> 'alumni_network' ELSE m.network_id = $network END)
                    AND m.start_date <= $as_of AND (m.actual_end_date IS NULL OR m.actual_end_date > $as_of)""",
    "waiting": """SELECT person_id, min(joined_utc)::DATE AS entered FROM waitlist_entry
                  WHERE status = 'waiting' AND ($network IS NULL OR network_id = $network) GROUP BY person_id""",
    "pool": """SELECT p.id AS person_id, p.created_utc::DATE AS entered FROM person p
               WHERE p.id NOT IN (SELECT person_id FROM membership)
                 AND coalesce(p.stage_manual, '') NOT IN ('not_interested', 'unreachable', 'withdrawn')""",
    "alumni": """SELECT m.person_id, max(coalesce(m.actual_end_date, m.start_date)) AS entered
                 FROM membership m JOIN network n ON n.id = m.network_id
                 WHERE m.start_date <= $as_of AND (
                     CASE WHEN $network IS NULL
                          THEN (n.kind = 'alumni_network' AND (m.actual_end_date IS NULL OR m.actual_end_date > $as_of))
                               OR (n.kind <> 'alumni_network' AND m.actual_end_date <= $as_of)
                          ELSE m.network_id = $network AND (
                               (n.kind = 'alumni_network' AND (m.actual_end_date IS NULL OR m.actual_end_date > $as_of))
                               OR (n.kind <> 'alumni_network' AND m.actual_end_date <= $as_of)) END)
                   AND m.person_id NOT IN (
                       SELECT c.person_id FROM membership c JOIN network cn ON cn.id = c.network_id
                       WHERE cn.kind <> 'alumni_network' AND c.start_date <= $as_of
                         AND (c.actual_end_date IS NULL OR c.actual_end_date > $as_of)
                         AND ($network IS NULL OR c.network_id = $network))
                 GROUP BY m.person_id""",
}


def _used(params: dict, sql: str) -> dict:
    """The named parameters this statement uses (DuckDB refuses extra ones)."""
    return {name: value for name, value in params.items() if re.search(rf"\${name}\b", sql)}


def _variants(filters: Filters) -> list[tuple[str | None, str]]:
    """The filter results a screen must be consistent with: the chosen one and every wider one (each
    filter relaxed towards "all"), widest first. (municipality, period) pairs."""
    chain = PERIODS[:PERIODS.index(filters.period) + 1]
    municipalities = [None] if filters.municipality is None else [None, filters.municipality]
    return [(m, p) for m in municipalities for p in chain]


def _days(column) -> np.ndarray:
    """Whole days since 1970-01-01 (as the queries give them) as datetime64[D]."""
    return np.asarray(column, dtype=np.int64).astype("datetime64[D]")


_FAR = "DATE '9999-12-31'"
_EPOCH = "DATE '1970-01-01'"


def _fine_counts(cur, population: str, filters: Filters, as_of: dt.date, year: int | None = None,
                 store_key=None) -> dict[tuple[str | None, str], dict[str, dict[str, int]]]:
    """variant → level → value → persons (and "_total"), for the chosen filters and every wider variant."""
    everyone = people(cur, store_key)
    sql = _POPULATION_SQL[population]
    # Composed only of this module's fixed statements (_POPULATION_SQL, _EPOCH); the values are parameters.
    found = cur.execute(f"SELECT person_id, coalesce(entered, {_EPOCH}) - {_EPOCH} AS entered FROM ({sql})",
                        _used({"network": filters.network_id, "as_of": as_of}, sql)).fetchnumpy()
    at, keep = everyone.positions(found["person_id"])
    entered = np.full(len(everyone.ids), np.datetime64("NaT"), dtype="datetime64[D]")
    member = np.zeros(len(everyone.ids), dtype=bool)
    member[at] = True
    if population != "members":
        entered[at] = _days(found["entered"])[keep]
    out = {}
    for municipality, period in _variants(filters):
        mask = member
        if municipality is not None:
            mask = mask & everyone.in_municipality(municipality)
        start = _period_start(period, as_of)
        if start is not None and population != "members":
            mask = mask & (entered >= np.datetime64(start, "D"))
        out[(municipality, period)] = everyone.fine(mask, year or as_of.year)
    return out


# -- suppressing a population's tables ---------------------------------------------------------------------
@dataclass
class DimensionView:
    dimension: str
    level: str
    table: Table
    coarser: bool          # shown on a coarser level than the finest, to keep cells readable


@dataclass
class PopulationView:
    population: str
    total: int | None                 # persons counted (None: fewer than k, or hidden)
    withheld_reason: str | None       # None, "too_few" or "filter_too_close"
    dimensions: list[DimensionView] = field(default_factory=list)


def _suppress_level(chain: list[dict[str, int]], categories: list[str], k: int, additive: bool,
                    totals: list[int]) -> list[Table]:
    """Suppress one level for the chain of variants (widest first), each linked to the one before."""
    wider: Table | None = None
    wider_counts: list[int] | None = None
    tables = []
    for counts, total in zip(chain, totals):
        values = [counts.get(c, 0) for c in categories]
        table = suppression.suppress(categories, values, k, total=total, additive=additive,
                                     wider=wider, wider_counts=wider_counts)
        tables.append(table)
        wider, wider_counts = table, values
    return tables


def _suppress_districts(chain: list[dict[str, int]], categories: list[str], k: int,
                        municipality_tables: list[Table]) -> list[Table]:
    """Districts nest in municipalities, whose counts the municipality table shows: each municipality's
    districts are suppressed as a table of their own with that count as its total (so a hidden district
    cannot be worked out from the municipality), and all of them are hidden where the municipality is."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, category in enumerate(categories):
        blocks[category.split(" · ")[0]].append(i)
    tables = []
    wider_blocks: dict[str, tuple[Table, list[int]]] = {}
    for counts, municipalities in zip(chain, municipality_tables):
        values = [counts.get(c, 0) for c in categories]
        status = [suppression.SHOWN] * len(categories)
        shown_municipality = dict(zip(municipalities.categories, municipalities.shown_counts()))
        this_blocks = {}
        for municipality, cells in blocks.items():
            block_values = [values[i] for i in cells]
            wider = wider_blocks.get(municipality)
            block = suppression.suppress([categories[i] for i in cells], block_values, k, total=sum(block_values),
                                         wider=wider[0] if wider else None, wider_counts=wider[1] if wider else None)
            this_blocks[municipality] = (block, block_values)
            hidden_block = municipalities.withheld or (shown_municipality.get(municipality) is None and sum(block_values))
            for i, block_status, value in zip(cells, block.status, block_values):
                if block.withheld or hidden_block:
                    status[i] = suppression.SHOWN if value == 0 else (
                        suppression.PRIMARY if value <= k - 1 else suppression.SECONDARY)
                else:
                    status[i] = block_status
        # a block that cannot be protected while its municipality's count is shown: no district view at all
        unprotectable = any(block.withheld and shown_municipality.get(m) is not None
                            for m, (block, _) in this_blocks.items())
        table = Table(k, list(categories), values, status, municipalities.total, True,
                      municipalities.withheld or unprotectable)
        tables.append(table)
        wider_blocks = this_blocks
    return tables


def _suppress_dimension(fine_by_variant: dict, dimension: str, level: str, k: int, totals: list[int],
                        municipality_tables: list[Table] | None = None) -> tuple[list[Table], list[dict], list[str]]:
    variants = list(fine_by_variant)
    chain = [level_counts(fine_by_variant[v], dimension, level) for v in variants]
    categories = _order(set().union(*chain))
    if dimension == "district" and level == "district" and municipality_tables is not None:
        return _suppress_districts(chain, categories, k, municipality_tables), chain, categories
    additive = dimension != "language"
    return _suppress_level(chain, categories, k, additive, totals if additive else [None] * len(chain)), chain, categories


def suppress_population(population: str, fine_by_variant: dict, k: int) -> PopulationView:
    """The chosen variant (the last) of `fine_by_variant`, suppressed consistently with every wider one."""
    variants = list(fine_by_variant)
    totals = [sum(fine_by_variant[v].get("_total", {}).values()) for v in variants]
    total = totals[-1]
    if any(1 <= wide - narrow <= k - 1 for wide, narrow in zip(totals, totals[1:])):
        return PopulationView(population, None, "filter_too_close")
    if 1 <= total <= k - 1:
        return PopulationView(population, None, "too_few")
    view = PopulationView(population, total, None)
    if total == 0:
        return view
    municipality_tables = None
    for dimension, levels in LEVELS.items():
        chosen = None
        for index, level in enumerate(levels):
            tables, chain, categories = _suppress_dimension(fine_by_variant, dimension, level, k, totals,
                                                            municipality_tables)
            table = tables[-1]
            if dimension == "municipality":
                municipality_tables = tables
            hidden = 0 if table.withheld else sum(
                n for n, shown in zip([chain[-1].get(c, 0) for c in categories], table.shown_counts()) if shown is None)
            chosen = DimensionView(dimension, level, table, index > 0)
            if not table.withheld and hidden <= FALLBACK_HIDDEN_SHARE * total:
                break
        view.dimensions.append(chosen)
    return view


# -- membership history: what was released when -------------------------------------------------------------
def month_ends(as_of: dt.date, months: int) -> list[dt.date]:
    """The last day of each of the `months` months before the month of `as_of`, then `as_of` itself."""
    first = as_of.replace(day=1)
    ends = [add_months(first, -i) - dt.timedelta(days=1) for i in range(months, 0, -1)]
    return ends + [as_of]


_HISTORY_SQL = f"""
SELECT m.person_id, m.start_date - {_EPOCH} AS start_day, coalesce(m.actual_end_date, {_FAR}) - {_EPOCH} AS end_day
FROM membership m JOIN network n ON n.id = m.network_id
WHERE (CASE WHEN $network IS NULL THEN n.kind <> 'alumni_network' ELSE m.network_id = $network END)
"""


class MemberHistory:
    """Who held a place when: the members of any date as a mask over the counted persons (People), so a
    month's counts are one bincount per level (no query per month)."""

    def __init__(self, cur, filters: Filters, store_key=None):
        self.everyone = people(cur, store_key)
        found = cur.execute(_HISTORY_SQL, {"network": filters.network_id}).fetchnumpy()
        ids = np.asarray(found["person_id"], dtype=np.int64)
        at, keep = self.everyone.positions(ids)
        self.index = at
        self.n = len(self.everyone.ids)
        self.start = _days(found["start_day"])[keep]
        self.end = _days(found["end_day"])[keep]
        self.municipality = filters.municipality
        self.in_part = self.everyone.in_municipality(filters.municipality) if filters.municipality else None

    def active(self, day: dt.date) -> np.ndarray:
        d = np.datetime64(day, "D")
        rows = (self.start <= d) & (self.end > d)
        out = np.zeros(self.n, dtype=bool)
        out[self.index[rows]] = True
        return out

    def fine(self, mask: np.ndarray, year: int) -> dict[str, dict[str, int]]:
        return self.everyone.fine(mask, year)

    def fine_by_variant(self, day: dt.date, year: int) -> dict:
        """Like _fine_counts for members: the whole (network) and, with a municipality filter, that part."""
        active = self.active(day)
        out = {(None, "all"): self.fine(active, year)}
        if self.in_part is not None:
            out[(self.municipality, "all")] = self.fine(active & self.in_part, year)
        return out

    def released(self, dates: list[dt.date], k: int) -> list[dt.date]:
        """For each date: the date whose members are shown for it.

        A date is released when the members counted then differ from those of every date released
        before by no one or by at least k persons (joined plus left); otherwise the last release
        stands. So no two points of the history differ by one person — nor by any 1..k−1 persons.
        With a municipality filter the check runs on the whole and on that part.
        """
        released: list[dt.date] = []
        shown: list[tuple] = []          # every released (members, part, date) so far
        for day in dates:
            active = self.active(day)
            part = active & self.in_part if self.in_part is not None else None
            if all(not (1 <= int(np.count_nonzero(active != a)) <= k - 1)
                   and (part is None or not (1 <= int(np.count_nonzero(part != b)) <= k - 1)) for a, b, _ in shown):
                shown.append((active, part, day))
            released.append(shown[-1][2])
        return released


# -- the screens ---------------------------------------------------------------------------------------------
def _k(cur) -> int:
    return max(3, settings.get(cur, "min_cell_size"))


def min_cell_size(store) -> int:
    """k: the smallest count of persons a dashboard shows (the min_cell_size setting, never below 3)."""
    with store.read() as cur:
        return _k(cur)


@dataclass
class CompositionScreen:
    k: int
    as_of: dt.date
    members_as_of: dt.date | None        # the released date the member counts are from
    populations: dict[str, PopulationView]


def composition_screen(store, actor: Actor, filters: Filters, as_of: dt.date | None = None,
                       populations=POPULATIONS) -> CompositionScreen:
    """Members, waiting list, candidate pool and alumni, every dimension, suppressed."""
    permissions.require(actor.role, "dashboards.view")
    as_of = as_of or today()
    with store.read() as cur:
        k = _k(cur)
        members_day = None
        out = {}
        for population in populations:
            day = as_of
            if population == "members":
                history = MemberHistory(cur, filters, store.path)
                members_day = history.released(month_ends(as_of, 24), k)[-1]
                fine = history.fine_by_variant(members_day, as_of.year)
            else:
                fine = _fine_counts(cur, population, filters, day, year=as_of.year, store_key=store.path)
            out[population] = suppress_population(population, fine, k)
    return CompositionScreen(k, as_of, members_day, out)


@dataclass
class CompareScreen:
    k: int
    refused: bool                 # the two networks' members differ by 1..k−1 persons
    left: PopulationView | None
    right: PopulationView | None


def compare_screen(store, actor: Actor, first: int, second: int, as_of: dt.date | None = None) -> CompareScreen:
    """Members of two networks side by side. Refused when the two differ by only a few persons, since
    then the difference between the two would show them."""
    permissions.require(actor.role, "dashboards.view")
    as_of = as_of or today()
    with store.read() as cur:
        k = _k(cur)
        sets = []
        views = []
        for network_id in (first, second):
            history = MemberHistory(cur, Filters(network_id), store.path)
            day = history.released(month_ends(as_of, 24), k)[-1]
            active = history.active(day)
            sets.append(set(history.everyone.ids[active].tolist()))
            views.append(suppress_population("members", history.fine_by_variant(day, as_of.year), k))
    refused = 1 <= len(sets[0] ^ sets[1]) <= k - 1
    return CompareScreen(k, refused, None if refused else views[0], None if refused else views[1])


@dataclass
class OverTimeScreen:
    k: int
    dimension: str
    level: str
    months: list[dt.date]          # the month ends (and today)
    released: list[dt.date | None]  # per month: the date whose counts are shown
    tables: list[Table | None]      # per month (None: no members)
    categories: list[str]

    def frame(self) -> pd.DataFrame:
        """month, category, count (None: hidden), text, held (True: the last release carried forward)."""
        rows = []
        for month, released, table in zip(self.months, self.released, self.tables):
            if table is None:
                continue
            frame = table.frame()
            frame.insert(0, "month", month)
            frame["held"] = released != month
            rows.append(frame)
        if not rows:
            return pd.DataFrame(columns=["month", "category", "count", "text", "share", "held"])
        return pd.concat(rows, ignore_index=True)


def over_time_screen(store, actor: Actor, filters: Filters, dimension: str, as_of: dt.date | None = None,
                     months: int | None = None) -> OverTimeScreen:
    """Members' composition on one dimension at the end of each month (24 by default; 12 with the
    12-month period), from membership history. Each month is released only as described in
    MemberHistory.released, and suppressed like every table; one level for all months (the coarsest needed)."""
    permissions.require(actor.role, "dashboards.view")
    as_of = as_of or today()
    months = months or (12 if filters.period == "12" else 24)
    dates = month_ends(as_of, months)
    with store.read() as cur:
        k = _k(cur)
        history = MemberHistory(cur, filters, store.path)
        released = history.released(dates, k)
        fine_at = {day: history.fine_by_variant(day, day.year) for day in sorted(set(released))}
    levels = LEVELS[dimension]
    chosen = None
    for index, level in enumerate(levels):
        views = {}
        worst = 0.0
        for day, fine in fine_at.items():
            totals = [sum(fine[v].get("_total", {}).values()) for v in fine]
            if not totals[-1] or any(1 <= t <= k - 1 for t in totals) or any(
                    1 <= wide - narrow <= k - 1 for wide, narrow in zip(totals, totals[1:])):
                views[day] = None
                continue
            municipality_tables = _suppress_dimension(fine, "municipality", "municipality", k, totals)[0] \
                if dimension == "district" else None
            tables, chain, categories = _suppress_dimension(fine, dimension, level, k, totals, municipality_tables)
            table = tables[-1]
            hidden = totals[-1] if table.withheld else sum(
                chain[-1].get(c, 0) for c, s in zip(categories, table.shown_counts()) if s is None)
            worst = max(worst, hidden / totals[-1])
            views[day] = table
        chosen = (level, views)
        if worst <= FALLBACK_HIDDEN_SHARE:
            break
    level, views = chosen
    tables = [views.get(day) if day is not None else None for day in released]
    categories = _order({c for t in tables if t is not None for c in t.categories})
    return OverTimeScreen(k, dimension, level, dates, released, tables, categories)


# -- targets -----------------------------------------------------------------------------------------------------
@dataclass
class TargetRow:
    network_id: int
    network: str
    target: composition.Target
    places: int
    now: str            # "met", "at_risk" or "not_met"
    with_offers: str    # "met" or "not_met"


_HELD_SQL = """
WITH held AS (
    SELECT m.network_id, m.person_id, m.planned_end_date > $until AS staying, FALSE AS offered
    FROM membership m WHERE m.actual_end_date IS NULL AND m.start_date <= $as_of
      AND m.network_id IN (SELECT network_id FROM network_target)
    UNION ALL
    SELECT o.network_id, o.person_id, TRUE, TRUE FROM offer o
    WHERE o.status = 'open' AND o.network_id IN (SELECT network_id FROM network_target))
SELECT h.network_id, h.person_id, h.staying, h.offered, {columns}, {languages} AS languages,
       h.person_id IN ({consented}) AS consented
FROM held h JOIN person p ON p.id = h.person_id
""".format(columns=", ".join("p." + c for c in composition.FRAME_COLUMNS if c != "languages"),
           languages=composition.languages_sql("p"),
           consented=composition.consented_sql("SELECT person_id FROM held"))


def _targets_input(cur, as_of: dt.date, network_id: int | None):
    until = add_months(as_of, settings.get(cur, "opening_horizon_months"))
    targets = defaultdict(list)
    names = {}
    for nid, name, places, *target in cur.execute(
            """SELECT n.id, n.name, n.max_places, t.id, t.dimension, t.dim_value, t.measure, t.min_value, t.max_value
               FROM network_target t JOIN network n ON n.id = t.network_id
               WHERE $n IS NULL OR n.id = $n ORDER BY n.name, t.id""", {"n": network_id}).fetchall():
        targets[nid].append(composition.Target(*target))
        names[nid] = (name, places)
    held = cur.execute(_HELD_SQL, {"until": until, "as_of": as_of}).df()
    return targets, names, held


def _state(target, places: int, now: int, later: int, after: int) -> tuple[str, str]:
    """(now: met / at_risk / not_met, with offers: met / not_met) from the three levels of one target."""
    low, high = target.bounds(places)

    def met(level: int) -> bool:
        return (low is None or level >= low) and (high is None or level <= high)

    state = "not_met" if not met(now) else "at_risk" if not met(later) else "met"
    return state, "met" if met(after) else "not_met"


def _levels(codes: np.ndarray, sets: list, target, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """A target's level (count of a value, largest count of any value, or distinct values) per group of rows."""
    if target.dim_value is not None and target.measure != "distinct":
        has = np.array([target.dim_value in s for s in sets] + [False], dtype=np.float64)   # code -1: no value
        return np.bincount(groups, weights=has[codes], minlength=n_groups).astype(np.int64)
    values = sorted({v for s in sets for v in s})
    index = {v: i for i, v in enumerate(values)}
    members = [[index[v] for v in s] for s in sets]
    lengths = np.array([len(m) for m in members] + [0])[codes]
    flat = np.array([i for m in members for i in m] or [0], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum([len(m) for m in members])))[np.where(codes >= 0, codes, 0)]
    pair_rows = np.repeat(np.arange(len(codes)), lengths)
    pair_values = flat[np.repeat(offsets - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
                       + np.arange(lengths.sum())] if lengths.sum() else np.zeros(0, dtype=np.int64)
    grid = np.bincount(groups[pair_rows] * max(len(values), 1) + pair_values,
                       minlength=n_groups * max(len(values), 1)).reshape(n_groups, max(len(values), 1))
    if target.measure == "distinct":
        return (grid > 0).sum(axis=1)
    return grid.max(axis=1)


def targets_screen(store, actor: Actor, as_of: dt.date | None = None, network_id: int | None = None) -> list[TargetRow]:
    """Every target of every network (or one): met, at risk (met now, but not once the terms ending within
    the opening horizon have ended) or not met — now and with the offers in flight. No counts.

    Two queries for all networks at once; each target's level for every network in one bincount
    (composition.value_codes gives the same values as composition.person_values)."""
    permissions.require(actor.role, "dashboards.view")
    as_of = as_of or today()
    with store.read() as cur:
        targets, names, held = _targets_input(cur, as_of, network_id)
    codes = composition.value_codes(held, held["consented"].to_numpy(dtype=bool), as_of.year) if len(held) else {}
    network_ids = sorted(targets)
    position = {nid: i for i, nid in enumerate(network_ids)}
    n = len(network_ids)
    groups = np.array([position.get(nid, n) for nid in held["network_id"]], dtype=np.int64)   # n: not asked
    staying = held["staying"].to_numpy(dtype=bool)
    offered = held["offered"].to_numpy(dtype=bool)
    masks = {"now": ~offered, "later": ~offered & staying, "after": np.ones(len(held), dtype=bool)}
    levels: dict = {}
    rows: list[TargetRow] = []
    for nid in network_ids:
        name, places = names[nid]
        for target in targets[nid]:
            key = (target.dimension, target.dim_value, target.measure)
            if key not in levels:
                levels[key] = {}
                for which, mask in masks.items():
                    if not len(held):
                        levels[key][which] = np.zeros(n + 1, dtype=np.int64)
                        continue
                    column, sets = codes[target.dimension]
                    levels[key][which] = _levels(column[mask], sets, target, groups[mask], n + 1)
            at = position[nid]
            now, after = _state(target, places, int(levels[key]["now"][at]), int(levels[key]["later"][at]),
                                int(levels[key]["after"][at]))
            rows.append(TargetRow(nid, name, target, places, now, after))
    return rows


def targets_by_tally(store, as_of: dt.date | None = None, network_id: int | None = None) -> list[TargetRow]:
    """targets_screen the straightforward way (a composition.Tally per network): the reference the
    array version is tested against, and the benchmark's baseline."""
    as_of = as_of or today()
    with store.read() as cur:
        targets, names, held = _targets_input(cur, as_of, network_id)
        values = composition.person_values(cur, set(held["person_id"].tolist()), as_of.year)
    rows = []
    for nid in sorted(targets):
        name, places = names[nid]
        persons = held[held["network_id"] == nid]
        entries = list(zip(persons["person_id"], persons["staying"], persons["offered"]))
        now = composition.Tally([values[p] for p, _, off in entries if not off])
        later = composition.Tally([values[p] for p, stay, off in entries if stay and not off])
        after = composition.Tally([values[p] for p, _, _ in entries])
        for target in targets[nid]:
            state = "not_met" if composition.status(target, now, places) != "met" else (
                "at_risk" if composition.status(target, later, places) != "met" else "met")
            with_offers = "met" if composition.status(target, after, places) == "met" else "not_met"
            rows.append(TargetRow(nid, name, target, places, state, with_offers))
    return rows


# -- recruitment funnel ---------------------------------------------------------------------------------------------
@dataclass
class FunnelTable:
    """Rows (source kinds or named channels) × stages; counts suppressed; conversion and median days."""
    k: int
    rows: list[str]
    counts: list[list[int | None]]        # per row, per stage (None: hidden)
    texts: list[list[str]]
    conversion: list[float | None]        # member / registered, only when both are shown
    median_days: list[float | None]       # registration to first place, only with at least k members


@dataclass
class FunnelScreen:
    k: int
    by_kind: FunnelTable
    by_channel: FunnelTable
    reach: dict[str, Table]               # "<kind>|<dimension>" → suppressed table of that channel's registered


def funnel_table(k: int, rows: list[str], counts: list[list[int]], days: list[list]) -> FunnelTable:
    """Suppress a funnel: each stage column across the rows (with the column total shown), each row as a
    nested sequence (suppression.nested_counts); repeated until neither hides more."""
    n_rows, n_stages = len(rows), len(FUNNEL_STAGES)
    hidden = [[False] * n_stages for _ in range(n_rows)]
    while True:
        changed = False
        for r in range(n_rows):
            values = counts[r]
            last = None
            for s in range(n_stages):
                c = values[s]
                ok = (not hidden[r][s]) and not (1 <= c <= k - 1) and (last is None or not (1 <= last - c <= k - 1))
                if not ok and not hidden[r][s]:
                    hidden[r][s] = changed = True
                if ok:
                    last = c
        for s in range(n_stages):
            column = [counts[r][s] for r in range(n_rows)]
            table = suppression.suppress(rows, column, k)
            forced = [r for r in range(n_rows) if hidden[r][s] and column[r] > 0]
            if forced:   # cells hidden by the rows: hide them here too, and what that takes
                table = _with_forced(rows, column, k, forced)
            for r, shown in enumerate(table.shown_counts()):
                if shown is None and column[r] > 0 and not hidden[r][s]:
                    hidden[r][s] = changed = True
        if not changed:
            break
    shown = [[None if hidden[r][s] else counts[r][s] for s in range(n_stages)] for r in range(n_rows)]
    texts = [[str(c) if c is not None else suppression.hidden_text(k) if 1 <= counts[r][s] <= k - 1
              else suppression.SECONDARY_TEXT for s, c in enumerate(row)] for r, row in enumerate(shown)]
    conversion = [row[-1] / row[0] if row[0] and row[-1] is not None else None for row in shown]
    medians = [suppression.median_if_enough(d, k) for d in days]
    return FunnelTable(k, rows, shown, texts, conversion, medians)


def _with_forced(rows, column, k, forced) -> Table:
    """A column suppressed with some cells hidden beforehand (secondary), plus what that then takes."""
    status = [suppression.SHOWN] * len(column)
    for r, c in enumerate(column):
        if 1 <= c <= k - 1:
            status[r] = suppression.PRIMARY
    for r in forced:
        if status[r] == suppression.SHOWN:
            status[r] = suppression.SECONDARY
    total = sum(column)
    table = Table(k, list(rows), list(column), status, total, True)
    if 1 <= total <= k - 1:
        table.withheld = True
        return table
    while suppression.pinned(column, status, total, k):
        candidates = [i for i, (c, s) in enumerate(zip(column, status)) if s == suppression.SHOWN and c > 0]
        if not candidates:
            table.withheld = True
            return table
        status[min(candidates, key=lambda i: (column[i], i))] = suppression.SECONDARY
    return table


# per counted person: first source kind ("other" without a source), "<kind>|<named channel>" (NULL: none),
# registration day and whether staff had contact with them
_CHANNELS_SQL = f"""
SELECT p.id, coalesce(s.kind, 'other') AS kind, s.kind || '|' || s.channel AS channel,
       p.created_utc::DATE - {_EPOCH} AS registered, p.id IN (SELECT person_id FROM activity) AS contacted
FROM person p LEFT JOIN (
    SELECT person_id, arg_min(kind, recorded_utc) AS kind,
           arg_min(CASE WHEN kind = 'market' THEN source_name WHEN kind IN ('coach_referral', 'internal_coach')
                        THEN source_org WHEN kind = 'partner_org' THEN source_name END, recorded_utc) AS channel
    FROM person_source GROUP BY person_id) s ON s.person_id = p.id
WHERE p.id IN ({_CONSENTED})
"""
_FUNNEL_VERSION_SQL = (_VERSION_SQL + ", (SELECT count(*) FROM person_source), (SELECT max(id) FROM person_source), "
                       "(SELECT count(*) FROM activity), (SELECT max(id) FROM activity)")


class Channels:
    """Per counted person (in People's order): first source kind and named channel, registration day,
    and whether staff had contact with them. Cached like People."""

    def __init__(self, cur, everyone: People):
        n = len(everyone.ids)
        table = _arrow(cur, _CHANNELS_SQL)
        at, keep = everyone.positions(table["id"].to_numpy())
        kind_codes, self.kinds = _encoded(table["kind"].combine_chunks())
        if "other" not in self.kinds:
            self.kinds.append("other")
        # the query reads every counted person; one it would miss (a change after People was read) is "other"
        self.kind_codes = np.full(n, self.kinds.index("other"), dtype=np.int64)
        self.kind_codes[at] = kind_codes[keep]
        channel_codes, self.channels = _encoded(table["channel"].combine_chunks())
        self.channel_codes = np.full(n, -1, dtype=np.int64)
        self.channel_codes[at] = channel_codes[keep]
        self.registered = np.zeros(n, dtype=np.int64)
        self.registered[at] = table["registered"].to_numpy()[keep]
        self.contacted = np.zeros(n, dtype=bool)
        self.contacted[at] = table["contacted"].to_numpy(zero_copy_only=False)[keep]


_STAGE_SQL = {
    "waited": "SELECT DISTINCT person_id FROM waitlist_entry WHERE $network IS NULL OR network_id = $network",
    "offered": "SELECT DISTINCT person_id FROM offer WHERE $network IS NULL OR network_id = $network",
}
_FIRST_PLACE_SQL = f"""
SELECT m.person_id, min(m.start_date) - {_EPOCH} AS first_start FROM membership m JOIN network n ON n.id = m.network_id
WHERE n.kind <> 'alumni_network' AND ($network IS NULL OR m.network_id = $network) GROUP BY m.person_id
"""


def funnel_screen(store, actor: Actor, filters: Filters, as_of: dt.date | None = None) -> FunnelScreen:
    """The recruitment funnel by first source kind and by named channel: registered → contacted → waiting →
    offered → member (each step counts those who got at least that far), conversion, median days from
    registration to a first place; and per kind who it reaches (gender, integration route, region)."""
    permissions.require(actor.role, "dashboards.view")
    as_of = as_of or today()
    with store.read() as cur:
        k = _k(cur)
        everyone = people(cur, store.path)
        channels = _cached(cur, store.path, "channels", _FUNNEL_VERSION_SQL, lambda c: Channels(c, everyone))
        n = len(everyone.ids)
        flags = {}
        for name, sql in _STAGE_SQL.items():
            at, _ = everyone.positions(cur.execute(sql, {"network": filters.network_id}).fetchnumpy()["person_id"])
            flags[name] = np.zeros(n, dtype=bool)
            flags[name][at] = True
        found = cur.execute(_FIRST_PLACE_SQL, {"network": filters.network_id}).fetchnumpy()
        at, keep = everyone.positions(found["person_id"])
        first_start = np.full(n, -1, dtype=np.int64)
        first_start[at] = np.asarray(found["first_start"], dtype=np.int64)[keep]
    member = first_start >= 0
    base = np.ones(n, dtype=bool)
    if filters.municipality is not None:
        base &= everyone.in_municipality(filters.municipality)
    start = _period_start(filters.period, as_of)
    if start is not None:
        base &= channels.registered >= (start - dt.date(1970, 1, 1)).days
    offered = flags["offered"] | member
    stages = [base, base & (channels.contacted | flags["waited"] | offered), base & (flags["waited"] | offered),
              base & offered, base & member]
    timely = base & member & (first_start >= channels.registered)
    days = first_start - channels.registered

    def table(codes, names, rows_of):
        counts = [np.bincount(codes[(codes >= 0) & stage], minlength=len(names)) for stage in stages]
        medians = pd.Series(days[timely & (codes >= 0)]).groupby(codes[timely & (codes >= 0)]).agg(["median", "size"])
        rows = []
        for code, name in enumerate(names):
            row = [int(c[code]) for c in counts]
            median = None
            if code in medians.index and medians.loc[code, "size"] >= k:
                median = float(medians.loc[code, "median"])
            rows.append((name, row, median))
        return rows_of(rows)

    kinds = table(channels.kind_codes, channels.kinds, lambda rows: sorted(r for r in rows if r[1][0]))
    by_kind = funnel_table(k, [name for name, _, _ in kinds], [row for _, row, _ in kinds], [[]] * len(kinds))
    by_kind.median_days = [median for _, _, median in kinds]
    # named channels: those with fewer than k registered are pooled per kind ("other markets", …)
    merged: dict[tuple[str, str], list] = {}
    for name, row, median in table(channels.channel_codes, channels.channels, list):
        if not row[0]:
            continue
        kind, channel = name.split("|", 1)
        key = (kind, channel if row[0] >= k else "_small")
        entry = merged.setdefault(key, [[0] * 5, None])
        entry[0] = [a + b for a, b in zip(entry[0], row)]
        entry[1] = median if key[1] != "_small" else None          # a pooled median is not kept
    keys = sorted(merged, key=lambda kv: (kv[0], kv[1] == "_small", kv[1]))
    by_channel = funnel_table(k, [f"{kind}|{name}" for kind, name in keys], [merged[key][0] for key in keys],
                               [[]] * len(keys))
    by_channel.median_days = [merged[key][1] for key in keys]
    reach: dict[str, Table] = {}
    shown_kinds = {name for name, row in zip(by_kind.rows, by_kind.counts) if row[0] is not None}
    for dimension, level in (("gender", "gender"), ("integration_route", "integration_route"), ("region", "country")):
        codes, values = everyone.codes[level]
        width = len(values)
        grid = np.bincount(channels.kind_codes[base] * width + codes[base],
                           minlength=len(channels.kinds) * width).reshape(len(channels.kinds), width)
        for kind_code, kind in sorted(enumerate(channels.kinds), key=lambda kv: kv[1]):
            counts: dict[str, int] = defaultdict(int)
            for value, c in zip(values, grid[kind_code]):
                if c:
                    counts[_coarse("region", value) if dimension == "region" else value] += int(c)
            # a kind whose registered count the funnel hides gets no breakdown: its cells would add up to it
            if counts and kind in shown_kinds:
                categories = _order(counts)
                reach[f"{kind}|{dimension}"] = suppression.suppress(categories, [counts[c] for c in categories], k)
    return FunnelScreen(k, by_kind, by_channel, reach)


def municipalities(store, actor: Actor) -> list[str]:
    """The municipalities to filter on: those with at least k consented persons (a rarer one would be a
    filter that shows almost no one)."""
    permissions.require(actor.role, "dashboards.view")
    with store.read() as cur:
        k = _k(cur)
        return [r[0] for r in cur.execute(
            f"SELECT municipality FROM person WHERE municipality IS NOT NULL AND id IN ({_CONSENTED}) "
            "GROUP BY municipality HAVING count(*) >= ? ORDER BY municipality", [k]).fetchall()]
