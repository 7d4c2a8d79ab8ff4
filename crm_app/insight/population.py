"""One population's counts (members, waiting list, candidate pool, alumni) and their suppression.

A population is a query for its persons' ids, then one bincount per level over the counted persons
(crm_app.insight.counted). The coarser levels (10-year bands, region groups, continents, three
education levels, …) are sums of the finest. A dimension is shown on the first level where
suppression hides few persons (FALLBACK_HIDDEN_SHARE) and otherwise on its coarsest. Every count
returned here went through crm_app.insight.suppression.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from crm_app.access.audit import Actor
from crm_app.core import permissions, settings
from crm_app.core.paths import DATA_DIR
from crm_app.insight import suppression
from crm_app.insight.counted import EPOCH, PERIODS, UNKNOWN, Filters, epoch_days, people, period_start
from crm_app.insight.suppression import Table
from crm_app.networks.composition import EDUCATION_BANDS
from crm_app.people.stages import CLOSED_STAGES

POPULATIONS = ("members", "waiting", "pool", "alumni")
FALLBACK_HIDDEN_SHARE = 0.25             # a level hiding more persons than this falls back to a coarser one

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


def cell_size(cur) -> int:
    """k, read inside a unit of work (see min_cell_size)."""
    return max(3, settings.get(cur, "min_cell_size"))


def min_cell_size(store) -> int:
    """k: the smallest count of persons a dashboard shows (the min_cell_size setting, never below 3)."""
    with store.read() as cur:
        return cell_size(cur)


def municipalities(store, actor: Actor) -> list[str]:
    """The municipalities to filter on: those with at least k consented persons (a rarer one would be a
    filter that shows almost no one)."""
    permissions.require(actor.role, "dashboards.view")
    with store.read() as cur:
        k = cell_size(cur)
        everyone = people(cur, store.path)
    codes, values = everyone.codes["municipality"]          # the last value is "unknown": no municipality
    counts = np.bincount(codes, minlength=len(values))[:-1]
    return sorted(value for value, count in zip(values, counts) if count >= k)


# -- levels: the coarser ones are sums of the finest --------------------------------------------------------
@functools.lru_cache(maxsize=1)
def region_groups() -> dict[str, tuple[str, str]]:
    """Country (ISO alpha-2) → (UN M49 sub-region, continent), from data/region_groups.csv."""
    lines = (DATA_DIR / "region_groups.csv").read_text(encoding="utf-8").splitlines()
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    return {r["country"]: (r["region"], r["continent"]) for r in rows}


def coarse(level: str, value: str) -> str:
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
            out[coarse(level, value)] += n
        return dict(out)
    return dict(fine.get(level, {}))


def order(values) -> list[str]:
    """Categories in a stable order: known values sorted (numbers by their start), unknown last."""
    def key(v: str):
        head = v.split("-")[0].rstrip("+")
        return (v == UNKNOWN, (0, int(head), v) if head.isdigit() else (1, 0, v))
    return sorted(values, key=key)


# -- one population's counts ----------------------------------------------------------------------------
_POPULATION_SQL = {
    # person_id, entered (the date the person entered this population; NULL: always counted)
    "members": """SELECT DISTINCT m.person_id, NULL::DATE AS entered FROM membership m JOIN network n ON n.id = m.network_id
                  WHERE (CASE WHEN $network IS NULL THEN n.kind <> 'alumni_network' ELSE m.network_id = $network END)
                    AND m.start_date <= $as_of AND (m.actual_end_date IS NULL OR m.actual_end_date > $as_of)""",
    "waiting": """SELECT person_id, min(joined_utc)::DATE AS entered FROM waitlist_entry
                  WHERE status = 'waiting' AND ($network IS NULL OR network_id = $network) GROUP BY person_id""",
    "pool": """SELECT p.id AS person_id, p.created_utc::DATE AS entered FROM person p
               WHERE p.id NOT IN (SELECT person_id FROM membership)
                 AND NOT list_contains($closed, coalesce(p.stage_manual, ''))""",
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


def population_query(population: str, network_id: int | None, as_of: dt.date) -> tuple[str, dict]:
    """The statement listing a population's persons (person_id, entered) and the parameters it takes."""
    sql = _POPULATION_SQL[population]
    return sql, _used({"network": network_id, "as_of": as_of, "closed": list(CLOSED_STAGES)}, sql)


def _variants(filters: Filters) -> list[tuple[str | None, str]]:
    """The filter results a screen must be consistent with: the chosen one and every wider one (each
    filter relaxed towards "all"), widest first. (municipality, period) pairs."""
    chain = PERIODS[:PERIODS.index(filters.period) + 1]
    municipalities = [None] if filters.municipality is None else [None, filters.municipality]
    return [(m, p) for m in municipalities for p in chain]


def fine_counts(cur, population: str, filters: Filters, as_of: dt.date, year: int | None = None,
                store_key=None) -> dict[tuple[str | None, str], dict[str, dict[str, int]]]:
    """variant → level → value → persons (and "_total"), for the chosen filters and every wider variant."""
    everyone = people(cur, store_key)
    sql, params = population_query(population, filters.network_id, as_of)
    # Composed only of this module's fixed statements (_POPULATION_SQL, EPOCH); the values are parameters.
    found = cur.execute(f"SELECT person_id, coalesce(entered, {EPOCH}) - {EPOCH} AS entered FROM ({sql})",
                        params).fetchnumpy()
    at, keep = everyone.positions(found["person_id"])
    entered = np.full(len(everyone.ids), np.datetime64("NaT"), dtype="datetime64[D]")
    member = np.zeros(len(everyone.ids), dtype=bool)
    member[at] = True
    if population != "members":
        entered[at] = epoch_days(found["entered"])[keep]
    out = {}
    for municipality, period in _variants(filters):
        mask = member
        if municipality is not None:
            mask = mask & everyone.in_municipality(municipality)
        start = period_start(period, as_of)
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


def suppress_dimension(fine_by_variant: dict, dimension: str, level: str, k: int, totals: list[int],
                       municipality_tables: list[Table] | None = None) -> tuple[list[Table], list[dict], list[str]]:
    """(a table per variant, the variants' counts, the categories) of one dimension on one level."""
    variants = list(fine_by_variant)
    chain = [level_counts(fine_by_variant[v], dimension, level) for v in variants]
    categories = order(set().union(*chain))
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
            tables, chain, categories = suppress_dimension(fine_by_variant, dimension, level, k, totals,
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
