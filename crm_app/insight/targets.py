"""The targets screen: per network and target, met / at risk / not met, now and with the offers in flight."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from crm_app.access.audit import Actor
from crm_app.core import permissions, settings
from crm_app.core.clock import add_months, today
from crm_app.networks import composition


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
