"""Membership history: which members' counts may be shown for which date, and the over-time screen.

A month is released only when its members differ from those of every month released before by no
one or by at least k persons (MemberHistory.released); otherwise the last release stands.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_app.access.audit import Actor
from crm_app.core import permissions
from crm_app.core.clock import add_months, today
from crm_app.insight.counted import EPOCH, Filters, epoch_days, people
from crm_app.insight.population import FALLBACK_HIDDEN_SHARE, LEVELS, cell_size, order, suppress_dimension
from crm_app.insight.suppression import Table

_FAR = "DATE '9999-12-31'"


def month_ends(as_of: dt.date, months: int) -> list[dt.date]:
    """The last day of each of the `months` months before the month of `as_of`, then `as_of` itself."""
    first = as_of.replace(day=1)
    ends = [add_months(first, -i) - dt.timedelta(days=1) for i in range(months, 0, -1)]
    return ends + [as_of]


_HISTORY_SQL = f"""
SELECT m.person_id, m.start_date - {EPOCH} AS start_day, coalesce(m.actual_end_date, {_FAR}) - {EPOCH} AS end_day
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
        self.start = epoch_days(found["start_day"])[keep]
        self.end = epoch_days(found["end_day"])[keep]
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
        """Like population.fine_counts for members: the whole (network) and, with a municipality filter, that part."""
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
        k = cell_size(cur)
        history = MemberHistory(cur, filters, store.path)
        released = history.released(dates, k)
        fine_at = {day: history.fine_by_variant(day, day.year) for day in sorted(set(released))}
    levels = LEVELS[dimension]
    chosen = None
    for level in levels:
        views = {}
        worst = 0.0
        for day, fine in fine_at.items():
            totals = [sum(fine[v].get("_total", {}).values()) for v in fine]
            if not totals[-1] or any(1 <= t <= k - 1 for t in totals) or any(
                    1 <= wide - narrow <= k - 1 for wide, narrow in zip(totals, totals[1:])):
                views[day] = None
                continue
            municipality_tables = suppress_dimension(fine, "municipality", "municipality", k, totals)[0] \
                if dimension == "district" else None
            tables, chain, categories = suppress_dimension(fine, dimension, level, k, totals, municipality_tables)
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
    categories = order({c for t in tables if t is not None for c in t.categories})
    return OverTimeScreen(k, dimension, level, dates, released, tables, categories)
