"""The composition screen (members, waiting list, pool and alumni on every dimension) and two networks compared."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from crm_app.access.audit import Actor
from crm_app.core import permissions
from crm_app.core.clock import today
from crm_app.insight.counted import Filters
from crm_app.insight.history import MemberHistory, month_ends
from crm_app.insight.population import POPULATIONS, PopulationView, cell_size, fine_counts, suppress_population


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
        k = cell_size(cur)
        members_day = None
        out = {}
        for population in populations:
            day = as_of
            if population == "members":
                history = MemberHistory(cur, filters, store.path)
                members_day = history.released(month_ends(as_of, 24), k)[-1]
                fine = history.fine_by_variant(members_day, as_of.year)
            else:
                fine = fine_counts(cur, population, filters, day, year=as_of.year, store_key=store.path)
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
        k = cell_size(cur)
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
