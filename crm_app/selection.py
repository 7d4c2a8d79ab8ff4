"""Filling open places: who is proposed, and why, before anything changes.

Methods (a registry, so the lottery issue adds one more):
- `waitlist`: longest waiting first.
- `quota`: longest waiting first among those who keep the network within its maximum targets;
  while minimum targets are short, the candidate who moves the composition most toward them.
Candidates with the same values on every target dimension are interchangeable for the targets,
so only the longest-waiting of each such group is weighed: a fill over 10,000 entries weighs a
few hundred groups per place, not 10,000 persons.
"""
from __future__ import annotations

import datetime as dt
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from . import composition, networks, permissions
from .audit import Actor
from .clock import today
from .composition import Tally, Target
from .errors import CrmError

METHODS = ("waitlist", "quota")


@dataclass(frozen=True)
class Reason:
    """One plain reason, as a message code and its values (rendered by crm_app.reasons)."""
    code: str
    params: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass
class Candidate:
    entry_id: int
    person_id: int
    given_name: str
    family_name: str | None
    position: int
    waited_days: int
    values: dict


@dataclass
class Proposal:
    candidate: Candidate
    reasons: list[Reason]


@dataclass
class FillPlan:
    network_id: int
    network_name: str
    method: str
    open_places: int
    proposals: list[Proposal]
    unmet: list[Reason]


_CANDIDATES_SQL = """
SELECT w.id, w.person_id, p.given_name, p.family_name, w.joined_utc
FROM waitlist_entry w JOIN person p ON p.id = w.person_id
WHERE w.network_id = $network AND w.status = 'waiting'
  AND NOT EXISTS (SELECT 1 FROM membership m WHERE m.network_id = $network AND m.person_id = w.person_id
                  AND m.actual_end_date IS NULL)
  AND NOT EXISTS (SELECT 1 FROM offer o WHERE o.network_id = $network AND o.person_id = w.person_id
                  AND o.status = 'open')
ORDER BY w.joined_utc, w.id
"""


def load_candidates(cur, network_id: int, as_of: dt.date) -> list[Candidate]:
    rows = cur.execute(_CANDIDATES_SQL, {"network": network_id}).fetchall()
    values = composition.person_values(cur, [r[1] for r in rows], as_of.year)
    return [Candidate(entry_id, pid, given, family, index + 1, (as_of - joined.date()).days, values[pid])
            for index, (entry_id, pid, given, family, joined) in enumerate(rows)]


def current_tally(cur, network_id: int, as_of: dt.date) -> Tally:
    """The composition the network has now: members plus persons holding an open offer."""
    ids = [r[0] for r in cur.execute(
        "SELECT person_id FROM membership WHERE network_id = $n AND actual_end_date IS NULL "
        "UNION ALL SELECT person_id FROM offer WHERE network_id = $n AND status = 'open'", {"n": network_id}).fetchall()]
    values = composition.person_values(cur, ids, as_of.year)
    return Tally([values[i] for i in ids])


def propose(store, actor: Actor, network_id: int, places: int | None = None, method: str = "waitlist",
            *, as_of: dt.date | None = None) -> FillPlan:
    """Who would get the open places (all, or `places` of them) by `method`, with reasons. Changes nothing."""
    permissions.require(actor.role, "places.fill")
    if method not in METHODS:
        raise CrmError("method_unknown", method=method)
    as_of = as_of or today()
    with store.read() as cur:
        network = networks.load(cur, network_id)
        open_places = max(network.max_places - networks.places_taken(cur, network_id), 0)
        candidates = load_candidates(cur, network_id, as_of)
        tally = current_tally(cur, network_id, as_of)
    wanted = open_places if places is None else min(places, open_places)
    if wanted <= 0:
        return FillPlan(network_id, network.name, method, open_places, [], [Reason("no_open_places")])
    if method == "waitlist":
        proposals, unmet = by_waitlist(candidates, wanted)
    else:
        proposals, unmet = by_quota(candidates, wanted, network.targets, network.max_places, tally)
    return FillPlan(network_id, network.name, method, open_places, proposals, unmet)


def _waited(candidate: Candidate) -> Reason:
    return Reason("waited", {"months": candidate.waited_days // 30, "days": candidate.waited_days,
                             "position": candidate.position})


def by_waitlist(candidates: list[Candidate], wanted: int) -> tuple[list[Proposal], list[Reason]]:
    proposals = [Proposal(c, [_waited(c)]) for c in candidates[:wanted]]
    unmet = [Reason("too_few_candidates", {"wanted": wanted, "found": len(proposals)})] if len(proposals) < wanted else []
    return proposals, unmet


def by_quota(candidates: list[Candidate], wanted: int, targets: list[Target], places: int,
             tally: Tally) -> tuple[list[Proposal], list[Reason]]:
    """Greedy fill that never breaks a maximum when another candidate would not, and closes shortfalls first."""
    bounds = {t: t.bounds(places) for t in targets}
    dims = sorted({t.dimension for t in targets})
    groups: OrderedDict[tuple, deque[Candidate]] = OrderedDict()
    for candidate in candidates:
        signature = tuple(candidate.values.get(d, frozenset()) for d in dims)
        groups.setdefault(signature, deque()).append(candidate)

    proposals: list[Proposal] = []
    unmet: list[Reason] = []
    while len(proposals) < wanted:
        short = [t for t in targets if bounds[t][0] is not None and tally.level(t) < bounds[t][0]]
        best, best_gain = None, -1
        for group in groups.values():
            if not group:
                continue
            head = group[0]
            if _breaks_a_maximum(head.values, targets, bounds, tally):
                continue
            gain = sum(1 for t in short if tally.level_with(t, head.values) > tally.level(t))
            if gain > best_gain or (gain == best_gain and head.position < best.position):
                best, best_gain = head, gain
        if best is None:
            remaining = sum(len(g) for g in groups.values())
            unmet.append(_blocked_reason(groups, targets, bounds, tally) if remaining
                         else Reason("too_few_candidates", {"wanted": wanted, "found": len(proposals)}))
            break
        reasons = [_waited(best)]
        for target in short:
            if tally.level_with(target, best.values) > tally.level(target):
                reasons.append(_adds_reason(target, best.values, tally, bounds[target][0], places))
        groups[tuple(best.values.get(d, frozenset()) for d in dims)].popleft()
        tally.add(best.values)
        proposals.append(Proposal(best, reasons))

    for target in targets:
        low = bounds[target][0]
        if low is not None and tally.level(target) < low:
            unmet.append(_short_reason(target, groups, tally, low, places))
    return proposals, unmet


def _breaks_a_maximum(values: dict, targets: list[Target], bounds: dict, tally: Tally) -> bool:
    for target in targets:
        high = bounds[target][1]
        if high is not None:
            after = tally.level_with(target, values)
            if after > high and after > tally.level(target):
                return True
    return False


def _adds_reason(target: Target, values: dict, tally: Tally, low: int, places: int) -> Reason:
    if target.measure == "distinct":
        new = sorted(v for v in values.get(target.dimension, ()) if tally.counts[target.dimension][v] == 0)
        return Reason("adds_distinct", {"dimension": target.dimension, "value": new[0] if new else None,
                                        "now": tally.level(target), "min": low})
    return Reason("adds_value", {"dimension": target.dimension, "value": target.dim_value,
                                 "now": tally.level(target), "places": places, "min": low})


def _blocked_reason(groups, targets, bounds, tally) -> Reason:
    """Every remaining candidate would exceed a maximum: name the first such target."""
    for target in targets:
        high = bounds[target][1]
        if high is not None and all(tally.level_with(target, g[0].values) > high for g in groups.values() if g):
            return Reason("max_blocks", {"dimension": target.dimension, "value": target.dim_value, "max": high})
    return Reason("max_blocks", {"dimension": None, "value": None, "max": None})


def _short_reason(target: Target, groups, tally: Tally, low: int, places: int) -> Reason:
    """Why a minimum stays short: nobody left who has the value, or not enough places."""
    helps = any(tally.level_with(target, c.values) > tally.level(target) for g in groups.values() for c in g)
    code = "short_not_enough_places" if helps else "short_no_candidate"
    return Reason(code, {"dimension": target.dimension, "value": target.dim_value, "measure": target.measure,
                         "level": tally.level(target), "min": low, "places": places})
