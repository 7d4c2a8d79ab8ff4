"""Filling open places: who is proposed, and why, before anything changes.

Methods (METHODS; a new one, such as a lottery, is one more entry):
- `waitlist`: longest waiting first.
- `quota`: longest waiting first among those who keep the network within its maximum targets;
  while minimum targets are short, the candidate who moves the composition most toward them.
- `lottery`: a panel drawn with a seed from the fairest lottery that meets the targets (crm_app.networks.lottery).
An offer keeps its method (and a lottery's seed). When one is declined, the next candidate for its place is proposed by that
method unless another is asked for (`pending_decline`): a quota offer made to meet a target is not
followed by whoever waited longest just because the page or command that answered it started afresh.
A target sees little of a candidate: whether they have its value, or (for a spread target:
distinct values, at most N each) their values of its dimension. So each step works out a target's
level with a candidate added once per look (a handful), and weighs all candidates at once in numpy
arrays: a fill over 10,000 entries makes no Python object per person, only for those proposed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from crm_app.access.audit import Actor
from crm_app.core import permissions
from crm_app.core.clock import today
from crm_app.core.errors import CrmError
from crm_app.networks import composition, lottery, registry
from crm_app.networks.composition import Tally, Target

METHODS = ("waitlist", "quota", "lottery")


@dataclass(frozen=True)
class Reason:
    """One plain reason, as a message code and its values (rendered by crm_app.networks.reasons)."""
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


@dataclass(frozen=True)
class Decline:
    """The latest declined offer of a network that no offer has followed yet: its place awaits the next candidate."""
    offer_id: int
    person_id: int
    given_name: str | None
    family_name: str | None
    method: str
    seed: int | None = None


@dataclass
class Draw:
    """A lottery's outcome: the seed, the hash of the pool and targets it ran on, the distribution, the panel."""
    seed: int
    digest: str
    distribution: lottery.Distribution | None       # None: no panel meets the targets
    panel: tuple[int, ...]
    relaxations: list[lottery.Relaxation] = field(default_factory=list)
    names: dict[int, tuple[str, str | None]] = field(default_factory=dict)   # person id → names, in waiting order


@dataclass
class FillPlan:
    network_id: int
    network_name: str
    method: str
    open_places: int
    proposals: list[Proposal]
    unmet: list[Reason]
    draw: Draw | None = None


_CANDIDATES_SQL = """
WITH candidate AS (
    SELECT w.id, w.person_id, w.joined_utc
    FROM waitlist_entry w
    WHERE w.network_id = $network AND w.status = 'waiting'
      AND NOT EXISTS (SELECT 1 FROM membership m WHERE m.network_id = $network AND m.person_id = w.person_id
                      AND m.actual_end_date IS NULL)
      AND NOT EXISTS (SELECT 1 FROM offer o WHERE o.network_id = $network AND o.person_id = w.person_id
                      AND o.status = 'open')
    ORDER BY w.joined_utc, w.id
    LIMIT $limit),
consented AS ({consented})
SELECT c.id AS entry_id, c.person_id, p.given_name, p.family_name, c.joined_utc,
       s.person_id IS NOT NULL AS consented, {columns}, {languages} AS languages
FROM candidate c JOIN person p ON p.id = c.person_id LEFT JOIN consented s ON s.person_id = c.person_id
ORDER BY c.joined_utc, c.id
""".format(consented=composition.consented_sql("SELECT person_id FROM candidate"),
           columns=", ".join("p." + c for c in composition.FRAME_COLUMNS if c != "languages"),
           languages=composition.languages_sql("p"))


class Pool:
    """The candidates of one fill, in waiting order, kept column by column: a waiting list of
    10,000 is read and weighed without a Python object per person; a Candidate is made for those
    proposed. Built from the store (`load_pool`) or from Candidates at hand (`Pool.of`)."""

    def __init__(self, size: int, codes: dict, make_candidate):
        self.size = size
        self.codes = codes                  # composition.value_codes: dimension → (codes, value sets)
        self._make = make_candidate

    @classmethod
    def of(cls, candidates: list[Candidate]) -> Pool:
        return cls(len(candidates), composition.value_codes_of([c.values for c in candidates]),
                   candidates.__getitem__)

    def candidate(self, index: int) -> Candidate:
        return self._make(index)

    def candidates(self) -> list[Candidate]:
        return [self.candidate(i) for i in range(self.size)]

    def looks(self, target: Target) -> tuple[np.ndarray, list[dict]]:
        """What `target` sees of each candidate, as a code per candidate into a list of looks (each a
        person's values as far as the target cares): whether they have its value; or, for a spread
        target (distinct values, at most N each), their values of its dimension."""
        codes, sets = self.codes[target.dimension]
        if target.dim_value is not None and target.measure != "distinct":
            has = np.array([target.dim_value in s for s in sets] + [False], dtype=bool)
            return has[codes].astype(np.intp), [{}, {target.dimension: frozenset((target.dim_value,))}]
        return codes + 1, [{}] + [{target.dimension: s} for s in sets]


def load_pool(cur, network_id: int, as_of: dt.date, limit: int | None = None) -> Pool:
    """Those waiting (not a member, no open offer) in the order they joined, with their values: all of
    them, or the first `limit` (the waitlist method needs no more)."""
    frame = cur.execute(_CANDIDATES_SQL, {"network": network_id, "limit": limit}).df()
    codes = composition.value_codes(frame, frame["consented"].to_numpy(dtype=bool), as_of.year)
    entry_ids, person_ids = frame["entry_id"].tolist(), frame["person_id"].tolist()
    given, family = frame["given_name"].tolist(), frame["family_name"].tolist()
    joined = frame["joined_utc"]

    def make(index: int) -> Candidate:
        family_name = family[index]
        return Candidate(entry_ids[index], person_ids[index], given[index],
                         None if family_name is None or family_name != family_name else family_name,  # NaN → None
                         index + 1, (as_of - joined.iloc[index].date()).days, composition.values_at(codes, index))

    return Pool(len(frame), codes, make)


def load_candidates(cur, network_id: int, as_of: dt.date, limit: int | None = None) -> list[Candidate]:
    return load_pool(cur, network_id, as_of, limit).candidates()


def current_tally(cur, network_id: int, as_of: dt.date) -> Tally:
    """The composition the network has now: members plus persons holding an open offer."""
    ids = [r[0] for r in cur.execute(
        "SELECT person_id FROM membership WHERE network_id = $n AND actual_end_date IS NULL "
        "UNION ALL SELECT person_id FROM offer WHERE network_id = $n AND status = 'open'", {"n": network_id}).fetchall()]
    values = composition.person_values(cur, ids, as_of.year)
    return Tally([values[i] for i in ids])


def _pending_decline(cur, network_id: int) -> Decline | None:
    row = cur.execute(
        "SELECT d.id, d.person_id, p.given_name, p.family_name, d.method, d.seed FROM offer d "
        "LEFT JOIN person p ON p.id = d.person_id WHERE d.network_id = $n AND d.status = 'declined' "
        "AND list_contains($methods, d.method) "
        "AND NOT EXISTS (SELECT 1 FROM offer o WHERE o.network_id = $n AND o.offered_utc > d.responded_utc) "
        "ORDER BY d.responded_utc DESC, d.id DESC LIMIT 1", {"n": network_id, "methods": list(METHODS)}).fetchone()
    return None if row is None else Decline(*row)


def pending_decline(store, actor: Actor, network_id: int) -> Decline | None:
    """The declined offer whose method proposes the next candidate (None when an offer has been made since)."""
    permissions.require(actor.role, "places.fill")
    with store.read() as cur:
        return _pending_decline(cur, network_id)


def propose(store, actor: Actor, network_id: int, places: int | None = None, method: str | None = None,
            *, seed: int | None = None, progress=None, as_of: dt.date | None = None) -> FillPlan:
    """Who would get the open places (all, or `places` of them) by `method`, with reasons. Changes nothing.

    Without a method: that of the declined offer awaiting its next candidate, else the waiting list.
    A lottery draws with `seed`; without one, with the seed of a declined lottery offer awaiting its next
    candidate, else a new seed. `progress` (a lottery.Progress → True to stop) is called while a lottery
    computes; stopped, it is refused with `lottery_cancelled` and nothing is drawn."""
    permissions.require(actor.role, "places.fill")
    if method is not None and method not in METHODS:
        raise CrmError("method_unknown", method=method)
    as_of = as_of or today()
    with store.read() as cur:
        decline = _pending_decline(cur, network_id)
        if method is None:
            method = decline.method if decline else "waitlist"
        if method == "lottery" and seed is None:
            seed = decline.seed if decline and decline.method == "lottery" and decline.seed is not None \
                else lottery.new_seed()
        network = registry.load(cur, network_id)
        open_places = max(network.max_places - registry.places_taken(cur, network_id), 0)
        wanted = open_places if places is None else min(places, open_places)
        if wanted <= 0:   # (asked for 0 of the open places: no proposal, and no claim that none are open)
            return FillPlan(network_id, network.name, method, open_places, [],
                            [Reason("no_open_places")] if open_places <= 0 else [])
        pool = load_pool(cur, network_id, as_of, limit=wanted if method == "waitlist" else None)
        tally = current_tally(cur, network_id, as_of)
    if method == "lottery":
        draw, proposals, unmet = by_lottery(pool, wanted, network.targets, network.max_places, tally, seed, progress)
        return FillPlan(network_id, network.name, method, open_places, proposals, unmet, draw)
    if method == "waitlist":
        proposals, unmet = by_waitlist(pool.candidates(), wanted)
    else:
        proposals, unmet = by_quota(pool, wanted, network.targets, network.max_places, tally)
    return FillPlan(network_id, network.name, method, open_places, proposals, unmet)


def _waited(candidate: Candidate) -> Reason:
    return Reason("waited", {"months": candidate.waited_days // 30, "days": candidate.waited_days,
                             "position": candidate.position})


def by_waitlist(candidates: list[Candidate], wanted: int) -> tuple[list[Proposal], list[Reason]]:
    proposals = [Proposal(c, [_waited(c)]) for c in candidates[:wanted]]
    unmet = [Reason("too_few_candidates", {"wanted": wanted, "found": len(proposals)})] if len(proposals) < wanted else []
    return proposals, unmet


def by_lottery(pool: Pool, wanted: int, targets: list[Target], places: int, tally: Tally, seed: int,
               progress=None) -> tuple[Draw, list[Proposal], list[Reason]]:
    """A panel drawn with `seed` from the LEXIMIN lottery over panels that meet the targets; when none does,
    no proposal but the targets that conflict and the least relaxation that would let a panel exist."""
    everyone = pool.candidates()
    by_person = {c.person_id: i for i, c in enumerate(everyone)}
    names = {c.person_id: (c.given_name, c.family_name) for c in everyone}
    problem = lottery.Problem.of([(pid, composition.values_at(pool.codes, i)) for pid, i in by_person.items()],
                                 wanted, targets, places, tally)
    try:
        distribution = lottery.solve(problem, progress)
    except lottery.Cancelled:
        raise CrmError("lottery_cancelled") from None
    unmet = [Reason("too_few_candidates", {"wanted": wanted, "found": problem.k})] if problem.k < wanted else []
    if distribution is None:
        relaxations = lottery.relaxation(problem)
        unmet = [Reason("lottery_infeasible")] + [_relax_reason(r, places) for r in relaxations] + unmet
        return Draw(seed, problem.digest(), None, (), relaxations, names), [], unmet
    panel = lottery.draw(problem, distribution, seed)
    chance = dict(zip(distribution.person_ids, distribution.probabilities))
    proposals = []
    for index in sorted(by_person[pid] for pid in panel):      # in waiting order
        candidate = everyone[index]
        proposals.append(Proposal(candidate, [Reason("drawn", {"chance": round(chance[candidate.person_id], 4),
                                                               "seed": seed}), _waited(candidate)]))
    return Draw(seed, problem.digest(), distribution, panel, [], names), proposals, unmet


def _relax_reason(relaxation: lottery.Relaxation, places: int) -> Reason:
    bound = relaxation.bound
    return Reason(f"lottery_relax_{bound.side}", {"dimension": bound.target.dimension, "value": bound.target.dim_value,
                                                  "measure": bound.target.measure, "limit": bound.limit,
                                                  "relaxed": relaxation.relaxed, "places": places})


def by_quota(candidates: list[Candidate] | Pool, wanted: int, targets: list[Target], places: int,
             tally: Tally) -> tuple[list[Proposal], list[Reason]]:
    """Greedy fill that never breaks a maximum when another candidate would not, and closes shortfalls first.

    At each place: of the candidates who break no maximum (adding them raises no target's level above
    its maximum), the one who raises the most short minimums; among equals, the longest waiting.
    `candidates` are in waiting order. Each target's level with a candidate added is worked out once
    per look (see Pool.looks), not once per candidate.
    """
    pool = candidates if isinstance(candidates, Pool) else Pool.of(candidates)
    bounds = [t.bounds(places) for t in targets]
    looks = [pool.looks(t) for t in targets]
    free = np.ones(pool.size, dtype=bool)
    proposals: list[Proposal] = []
    unmet: list[Reason] = []

    def after(i: int) -> np.ndarray:
        """Target i's level once each candidate is added (from its look)."""
        codes, views = looks[i]
        return np.array([tally.level_with(targets[i], view) for view in views], dtype=np.int64)[codes]

    while len(proposals) < wanted:
        levels = [tally.level(t) for t in targets]
        short = [i for i, (low, _) in enumerate(bounds) if low is not None and levels[i] < low]
        capped = [i for i, (_, high) in enumerate(bounds) if high is not None]
        raised = {i: after(i) for i in set(short) | set(capped)}
        blocked = ~free
        for i in capped:   # would break a maximum
            blocked |= raised[i] > max(bounds[i][1], levels[i])
        gain = np.zeros(pool.size, dtype=np.int64)
        for i in short:
            gain += raised[i] > levels[i]
        gain[blocked] = -1
        if not pool.size or gain.max() < 0:
            unmet.append(_blocked_reason(targets, bounds, levels, raised, free) if free.any()
                         else Reason("too_few_candidates", {"wanted": wanted, "found": len(proposals)}))
            break
        index = int(np.argmax(gain))            # the first of the best: the longest waiting
        best = pool.candidate(index)
        reasons = [_waited(best)]
        for i in short:
            if raised[i][index] > levels[i]:
                reasons.append(_adds_reason(targets[i], best.values, tally, bounds[i][0], places))
        free[index] = False
        tally.add(best.values)
        proposals.append(Proposal(best, reasons))

    for i, (target, (low, _)) in enumerate(zip(targets, bounds)):
        if low is not None and tally.level(target) < low:
            helps = bool(np.any((after(i) > tally.level(target))[free]))
            unmet.append(_short_reason(target, helps, tally, low, places))
    return proposals, unmet


def _adds_reason(target: Target, values: dict, tally: Tally, low: int, places: int) -> Reason:
    if target.measure == "distinct":
        new = sorted(v for v in values.get(target.dimension, ()) if tally.counts[target.dimension][v] == 0)
        return Reason("adds_distinct", {"dimension": target.dimension, "value": new[0] if new else None,
                                        "now": tally.level(target), "min": low})
    return Reason("adds_value", {"dimension": target.dimension, "value": target.dim_value,
                                 "now": tally.level(target), "places": places, "min": low})


def _blocked_reason(targets, bounds, levels, raised, free) -> Reason:
    """Every remaining candidate would exceed a maximum: name the first such target."""
    for i, (target, (_, high)) in enumerate(zip(targets, bounds)):
        if high is not None and bool(np.all(raised[i][free] > high)):
            return Reason("max_blocks", {"dimension": target.dimension, "value": target.dim_value, "max": high})
    return Reason("max_blocks", {"dimension": None, "value": None, "max": None})


def _short_reason(target: Target, helps: bool, tally: Tally, low: int, places: int) -> Reason:
    """Why a minimum stays short: nobody left who has the value (`helps` false), or not enough places."""
    code = "short_not_enough_places" if helps else "short_no_candidate"
    return Reason(code, {"dimension": target.dimension, "value": target.dim_value, "measure": target.measure,
                         "level": tally.level(target), "min": low, "places": places})
