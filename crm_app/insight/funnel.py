"""The recruitment funnel: registered → contacted → waiting → offered → member, by source kind and by
named channel, with conversion, median days to a first place and which groups each kind reaches."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_app.access.audit import Actor
from crm_app.core import permissions
from crm_app.core.clock import today
from crm_app.insight import suppression
from crm_app.insight.counted import (
    EPOCH,
    Filters,
    People,
    encoded,
    kept,
    people,
    period_start,
)
from crm_app.insight.population import cell_size, coarse, order
from crm_app.insight.suppression import Table

FUNNEL_STAGES = ("registered", "contacted", "waiting", "offered", "member")
REACH_DIMENSIONS = ("gender", "integration_route", "region")


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
       p.created_utc::DATE - {EPOCH} AS registered, p.id IN (SELECT person_id FROM activity) AS contacted
FROM person p LEFT JOIN (
    SELECT person_id, arg_min(kind, recorded_utc) AS kind,
           arg_min(CASE WHEN kind = 'market' THEN source_name WHEN kind IN ('coach_referral', 'internal_coach')
                        THEN source_org WHEN kind = 'partner_org' THEN source_name END, recorded_utc) AS channel
    FROM person_source GROUP BY person_id) s ON s.person_id = p.id
WHERE p.id IN ({{consented}}) {{only}} ORDER BY p.id
"""


class Channels:
    """Per counted person (in People's order): first source kind and named channel, registration day,
    and whether staff had contact with them. Cached like People."""

    def __init__(self, table, everyone: People):
        n = len(everyone.ids)
        at, keep = everyone.positions(table["id"].to_numpy())
        kind_codes, self.kinds = encoded(table["kind"].combine_chunks())
        if "other" not in self.kinds:
            self.kinds.append("other")
        # the query reads every counted person; one it would miss (a change after People was read) is "other"
        self.kind_codes = np.full(n, self.kinds.index("other"), dtype=np.int64)
        self.kind_codes[at] = kind_codes[keep]
        channel_codes, self.channels = encoded(table["channel"].combine_chunks())
        self.channel_codes = np.full(n, -1, dtype=np.int64)
        self.channel_codes[at] = channel_codes[keep]
        self.registered = np.zeros(n, dtype=np.int64)
        self.registered[at] = table["registered"].to_numpy()[keep]
        self.contacted = np.zeros(n, dtype=bool)
        self.contacted[at] = table["contacted"].to_numpy(zero_copy_only=False)[keep]


def store_channels(cur, store_key, everyone: People) -> Channels:
    """The Channels of this store, kept up to date per changed person as People is."""
    return kept(cur, store_key, "channels", {"channels": _CHANNELS_SQL},
                lambda tables: Channels(tables["channels"], everyone))


_STAGE_SQL = {
    "waited": "SELECT DISTINCT person_id FROM waitlist_entry WHERE $network IS NULL OR network_id = $network",
    "offered": "SELECT DISTINCT person_id FROM offer WHERE $network IS NULL OR network_id = $network",
}
_FIRST_PLACE_SQL = f"""
SELECT m.person_id, min(m.start_date) - {EPOCH} AS first_start FROM membership m JOIN network n ON n.id = m.network_id
WHERE n.kind <> 'alumni_network' AND ($network IS NULL OR m.network_id = $network) GROUP BY m.person_id
"""


def funnel_screen(store, actor: Actor, filters: Filters, as_of: dt.date | None = None) -> FunnelScreen:
    """The recruitment funnel by first source kind and by named channel: registered → contacted → waiting →
    offered → member (each step counts those who got at least that far), conversion, median days from
    registration to a first place; and per kind who it reaches (gender, integration route, region)."""
    permissions.require(actor.role, "dashboards.view")
    as_of = as_of or today()
    with store.read() as cur:
        k = cell_size(cur)
        everyone = people(cur, store.path)
        channels = store_channels(cur, store.path, everyone)
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
    start = period_start(filters.period, as_of)
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
                    counts[coarse("region", value) if dimension == "region" else value] += int(c)
            # a kind whose registered count the funnel hides gets no breakdown: its cells would add up to it
            if counts and kind in shown_kinds:
                categories = order(counts)
                reach[f"{kind}|{dimension}"] = suppression.suppress(categories, [counts[c] for c in categories], k)
    return FunnelScreen(k, by_kind, by_channel, reach)
