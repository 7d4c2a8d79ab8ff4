"""A fair lottery for open places: LEXIMIN selection over panels that meet the targets, and a seeded draw.

Among all lotteries over panels (sets of `k` candidates) that, together with the current members, meet
every target, LEXIMIN (Flanigan, Gölz, Gupta, Hennig, Procaccia, Nature 2021) maximises the smallest
selection probability, then the next smallest, and so on. Solved with the open-source HiGHS (highspy) in two
steps. First the chances: LEXIMIN over the LP relaxation of the panels (each candidate chosen with a share
between 0 and 1) takes a few small LPs. Then the panels: column generation finds a lottery over real panels
that gives exactly those chances. Every lottery's chances lie inside the relaxation, so when the relaxation's
LEXIMIN can be realised, it is the LEXIMIN over panels. When it cannot (targets whose relaxation is loose), the
exact column generation level by level decides, starting from the panels found. docs/lottery.md explains it.
Without targets every panel is allowed: k/n for everyone, no solver.

A problem is put in a canonical order (candidates by person id, targets by their fields) before
anything is solved or hashed, so the same pool, targets and seed give the same panel in any process:
nothing depends on set or dict iteration order or on PYTHONHASHSEED.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import random
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np

from crm_app.networks.composition import Tally, Target

EPS = 1e-6           # dual weights and gaps below this count as zero
WEIGHT_EPS = 1e-9    # panels with less weight carry none
FIRST_PANELS = 40    # at most this many first panels by the integer program (when swaps cannot find them)
REALISED = 1 - 1e-7  # panels realise the chances when they give everyone at least this share of their chance
FOLLOWING = 1.5      # first panels that follow the chances, per candidate (found by swaps)


class Cancelled(Exception):
    """The caller's progress callback asked to stop."""


@dataclass(frozen=True)
class Bound:
    """One bound of one target as whole persons (or distinct values)."""
    target: Target
    side: str           # 'min' or 'max'
    limit: int


@dataclass(frozen=True)
class Relaxation:
    """A bound moved so that a panel exists: `limit` → `relaxed`."""
    bound: Bound
    relaxed: int


@dataclass
class Distribution:
    """The lottery: panels (tuples of person ids, sorted) with weights summing to 1, and each candidate's chance."""
    person_ids: list[int]
    probabilities: list[float]           # per person id, in the order of person_ids; sum = places drawn
    panels: list[tuple[int, ...]]
    weights: list[float]
    panel_count: int                     # panels carrying weight (all k-subsets for the uniform lottery)
    uniform: bool

    @property
    def minimum(self) -> float:
        return min(self.probabilities, default=0.0)


@dataclass(frozen=True)
class Problem:
    """Who may be drawn, how many, and the targets the panel plus the current members must meet."""
    person_ids: tuple[int, ...]                       # sorted
    values: tuple[dict, ...]                          # per candidate: dimension → frozenset of values
    k: int
    targets: tuple[Target, ...]
    places: int                                       # the network's places (shares convert to counts of these)
    current: Tally

    @classmethod
    def of(cls, people: list[tuple[int, dict]], k: int, targets: list[Target], places: int, current: Tally) -> Problem:
        people = sorted(people, key=lambda p: p[0])
        ordered = sorted(targets, key=lambda t: (t.dimension, t.dim_value or "", t.measure,
                                                 -1 if t.min_value is None else t.min_value,
                                                 -1 if t.max_value is None else t.max_value))
        return cls(tuple(p[0] for p in people), tuple(p[1] for p in people), min(k, len(people)),
                   tuple(ordered), places, current)

    def canonical(self) -> dict:
        """The problem as plain sorted data: what the draw's hash covers."""
        current = {dim: {v: n for v, n in sorted(c.items()) if n} for dim, c in sorted(self.current.counts.items())}
        return {
            "k": self.k, "places": self.places,
            "pool": [[pid, {dim: sorted(vals) for dim, vals in sorted(values.items())}]
                     for pid, values in zip(self.person_ids, self.values)],
            "current": {dim: counts for dim, counts in current.items() if counts},
            "targets": [[t.dimension, t.dim_value, t.measure, *t.bounds(self.places)] for t in self.targets],
        }

    def digest(self) -> str:
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def bounds(self) -> list[Bound]:
        out = []
        for target in self.targets:
            low, high = target.bounds(self.places)
            if low is not None:
                out.append(Bound(target, "min", low))
            if high is not None:
                out.append(Bound(target, "max", high))
        return out


# -- HiGHS ----------------------------------------------------------------------------------------------
_banner = threading.Lock()
_banner_shown = False


def _highs() -> highspy.Highs:
    """A silent HiGHS instance. The library prints its banner to stdout when the first one is made:
    that would spoil `crm --json`, so the first construction runs with stdout pointed at /dev/null."""
    global _banner_shown
    with _banner:
        if not _banner_shown:
            saved = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
            _banner_shown = True
        else:
            h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    return h


_INF = highspy.kHighsInf


class PanelModel:
    """The integer program whose solutions are the feasible panels: a binary x per candidate, sum x = k, and per
    target bound its rows (with auxiliary binaries for spread targets). With `relax`, every bound gets a slack
    column (its relaxation in persons); otherwise slacks are fixed at zero."""

    def __init__(self, problem: Problem, relax: bool = False):
        self.problem = problem
        self.n = n = len(problem.person_ids)
        self.h = h = _highs()
        h.setOptionValue("mip_rel_gap", 1e-6)
        h.addVars(n, np.zeros(n), np.ones(n))
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger))
        self._linear: list[tuple[list[int], float, float]] | None = []   # rows over x alone (for swaps)
        self.slacks: list[int] = []
        self._row(list(range(n)), [1.0] * n, problem.k, problem.k)
        self.bounds = problem.bounds()
        for bound in self.bounds:
            self.slacks.append(self._col(0.0, _INF if relax else 0.0, integer=False))
            self._bound_rows(bound, self.slacks[-1])

    # columns and rows
    def _col(self, low: float, high: float, integer: bool) -> int:
        self.h.addVar(low, high)
        index = self.h.getNumCol() - 1
        if integer:
            self.h.changeColIntegrality(index, highspy.HighsVarType.kInteger)
        return index

    def _row(self, cols: list[int], coefs: list[float], low: float, high: float) -> None:
        self.h.addRow(low, high, len(cols), np.asarray(cols, dtype=np.int32), np.asarray(coefs, dtype=np.float64))
        if self._linear is not None:
            if any(c >= self.n and c not in self.slacks for c in cols):
                self._linear = None      # an auxiliary binary (a spread target): no cheap swaps
            else:                        # (x coefficients are all 1; slacks are 0 unless relaxing)
                self._linear.append(([c for c in cols if c < self.n], low, high))

    def _having(self, dimension: str, value: str) -> list[int]:
        return [i for i, values in enumerate(self.problem.values) if value in values.get(dimension, ())]

    def _bound_rows(self, bound: Bound, slack: int) -> None:
        target, limit = bound.target, bound.limit
        counts = self.problem.current.counts.get(target.dimension, Counter())
        if target.dim_value is not None and target.measure != "distinct":
            have = self._having(target.dimension, target.dim_value)
            now = counts[target.dim_value]
            if bound.side == "min":    # now + Σx + s ≥ limit
                self._row(have + [slack], [1.0] * len(have) + [1.0], limit - now, _INF)
            else:                      # now + Σx - s ≤ limit
                self._row(have + [slack], [1.0] * len(have) + [-1.0], -_INF, limit - now)
            return
        values = sorted({v for vals in self.problem.values for v in vals.get(target.dimension, ())}
                        | {v for v, c in counts.items() if c})
        if target.measure == "distinct":
            flags = [self._col(0.0, 1.0, integer=True) for _ in values]
            for flag, value in zip(flags, values):
                have, now = self._having(target.dimension, value), counts[value] > 0
                if bound.side == "min":      # a value counts only when someone has it
                    self._row([flag] + have, [1.0] + [-1.0] * len(have), -_INF, 1.0 if now else 0.0)
                else:                        # a value someone has counts
                    if now:
                        self.h.changeColBounds(flag, 1.0, 1.0)
                    for i in have:
                        self._row([flag, i], [1.0, -1.0], 0.0, _INF)
            if bound.side == "min":
                self._row(flags + [slack], [1.0] * len(flags) + [1.0], limit, _INF)
            else:
                self._row(flags + [slack], [1.0] * len(flags) + [-1.0], -_INF, limit)
            return
        # each value of the dimension: at most `limit` each, or (min) the largest count at least `limit`
        if bound.side == "max":
            for value in values:
                have = self._having(target.dimension, value)
                self._row(have + [slack], [1.0] * len(have) + [-1.0], -_INF, limit - counts[value])
            return
        if not values:
            self._row([slack], [1.0], limit, _INF)
            return
        flags = [self._col(0.0, 1.0, integer=True) for _ in values]
        for flag, value in zip(flags, values):   # now + Σx + s ≥ limit · flag
            have = self._having(target.dimension, value)
            self._row(have + [flag, slack], [1.0] * len(have) + [-float(limit), 1.0], -counts[value], _INF)
        self._row(flags, [1.0] * len(flags), 1.0, _INF)

    # solving
    def best(self, weights: np.ndarray, above: float = -_INF) -> tuple[float, list[tuple[int, ...]]] | None:
        """The feasible panel of largest total weight, and any other panels found on the way whose weight is
        above `above` (indices, sorted), with an upper bound on the best weight; None when no panel exists."""
        h = self.h
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        h.changeColsCost(self.n, np.arange(self.n, dtype=np.int32), np.asarray(weights, dtype=np.float64))
        h.setOptionValue("mip_improving_solution_save", above > -_INF)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        found = [np.asarray(h.getSolution().col_value[: self.n])]
        if above > -_INF:
            found += [np.asarray(s.col_value[: self.n]) for s in h.getSavedMipSolutions() if s.objective > above]
        panels = list(dict.fromkeys(tuple(int(i) for i in np.flatnonzero(x > 0.5)) for x in found))
        return float(h.getInfo().mip_dual_bound), panels

    def swaps(self) -> Swaps | None:
        """Local search over this model's panels, when every target is a count of who is chosen."""
        return None if self._linear is None else Swaps(self._linear, self.n)

    def relaxed_leximin(self) -> np.ndarray | None:
        """The LEXIMIN chances over this model's LP relaxation (every variable between its bounds, none integer),
        per candidate; None if HiGHS does not solve it. Level by level: the highest level z all unfixed
        candidates reach together, then whoever has a positive dual at that optimum cannot rise above z in
        any optimum (complementary slackness) and is fixed at z."""
        n, h = self.n, _highs()
        h.passModel(self.h.getLp())
        cols = h.getNumCol()
        h.changeColsIntegrality(cols, np.arange(cols, dtype=np.int32), np.full(cols, highspy.HighsVarType.kContinuous))
        h.changeColsCost(cols, np.arange(cols, dtype=np.int32), np.zeros(cols))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        z = h.getNumCol()
        h.addVar(0.0, 1.0)
        h.changeColCost(z, 1.0)
        first = h.getNumRow()
        h.addRows(n, np.zeros(n), np.full(n, _INF), 2 * n, np.arange(0, 2 * n, 2, dtype=np.int32),   # x_i − z ≥ 0
                  np.column_stack([np.arange(n), np.full(n, z)]).ravel().astype(np.int32), np.tile([1.0, -1.0], n))
        chances, unfixed = np.zeros(n), np.ones(n, dtype=bool)
        while unfixed.any():
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None
            solution, level = h.getSolution(), h.getInfo().objective_function_value
            duals = np.abs(np.asarray(h.getSolution().row_dual[first:first + n]))
            stuck = unfixed & (duals > WEIGHT_EPS)
            if not stuck.any():      # no dual says who: the lowest unfixed one cannot be above the level
                stuck[np.flatnonzero(unfixed)[np.argmin(np.asarray(solution.col_value[:n])[unfixed])]] = True
            for i in np.flatnonzero(stuck):
                h.changeCoeff(first + int(i), z, 0.0)
                h.changeRowBounds(first + int(i), level - WEIGHT_EPS, _INF)
            chances[stuck], unfixed[stuck] = level, False
        return np.clip(chances, 0.0, 1.0)

    def least_relaxation(self) -> list[Relaxation]:
        """The smallest total change of bounds (in persons) after which a panel exists."""
        h = self.h
        h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        cols = np.asarray(self.slacks, dtype=np.int32)
        h.changeColsCost(len(cols), cols, np.ones(len(cols)))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return []
        values = h.getSolution().col_value
        out = []
        for bound, col in zip(self.bounds, self.slacks):
            by = math.ceil(values[col] - 1e-6)
            if by > 0:
                out.append(Relaxation(bound, bound.limit - by if bound.side == "min" else bound.limit + by))
        return out


class Swaps:
    """Local search over feasible panels by swaps (one candidate out, one in), for targets that are all counts
    of chosen candidates (rows of 0/1 over who is chosen): improving panels for the price of a few small
    matrix products, so the integer program runs mostly to prove that none is left."""

    def __init__(self, rows: list[tuple[list[int], float, float]], n: int):
        self.n = n
        self.a = np.zeros((len(rows), n))
        for r, (cols, _, _) in enumerate(rows):
            self.a[r, cols] = 1.0
        self.low = np.array([low for _, low, _ in rows])
        self.high = np.array([high for _, _, high in rows])

    def climb(self, panel: tuple[int, ...], weights: np.ndarray, above: float) -> tuple[list[tuple[int, ...]], tuple]:
        """Best swap after best swap from `panel` while the weight rises: the panels passed whose weight is above
        `above`, and where the climb ended. A swap keeps every target: a row at its lower bound loses no member
        without gaining one, a row at its upper bound gains none without losing one."""
        a, chosen = self.a, np.zeros(self.n, dtype=bool)
        chosen[list(panel)] = True
        level = a[:, chosen].sum(axis=1)
        found = []
        for _ in range(2 * len(panel)):
            inside, outside = np.flatnonzero(chosen), np.flatnonzero(~chosen)
            if not len(inside) or not len(outside):
                break
            gain = weights[outside][None, :] - weights[inside][:, None]
            at_low, at_high = a[level <= self.low + 0.5], a[level >= self.high - 0.5]
            bad = at_low[:, inside].T @ (1.0 - at_low[:, outside]) + (1.0 - at_high[:, inside]).T @ at_high[:, outside]
            gain[bad > 0.5] = -_INF
            r, c = np.unravel_index(int(np.argmax(gain)), gain.shape)
            if gain[r, c] <= 1e-12:
                break
            chosen[inside[r]], chosen[outside[c]] = False, True
            level += a[:, outside[c]] - a[:, inside[r]]
            if float(weights[chosen].sum()) > above:
                found.append(tuple(int(i) for i in np.flatnonzero(chosen)))
        return found, tuple(int(i) for i in np.flatnonzero(chosen))


# -- the distribution -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Progress:
    """How far a LEXIMIN computation is: the candidates, the panels found, and the share of the work done."""
    candidates: int
    panels: int
    share: float


def leximin(problem: Problem, progress: Callable[[Progress], bool | None] | None = None) -> Distribution | None:
    """The LEXIMIN lottery over feasible panels, or None when no panel meets the targets.

    `progress` is called between rounds of the computation; returning True stops it with `Cancelled`.
    """
    n, k = len(problem.person_ids), problem.k
    if not problem.targets:
        return uniform(problem)
    if k == 0:
        return Distribution(list(problem.person_ids), [0.0] * n, [()], [1.0], 1, False)
    model = PanelModel(problem)
    first = model.best(np.ones(n))
    if first is None:
        return None

    def cancelled(panels: int, share: float) -> None:
        if progress is not None and progress(Progress(n, panels, share)):
            raise Cancelled

    chances = model.relaxed_leximin()
    found = [first[1][0]]
    if chances is not None:
        master = _Master(n, chances)
        if _realise(master, _Pricer(model, master), chances, found[0], cancelled):
            return _distribution(problem, master.panels, master.weights())
        found = master.panels
    return _by_levels(problem, model, found, cancelled)


def _realise(master: _Master, pricer: _Pricer, chances: np.ndarray, first: tuple[int, ...],
             cancelled: Callable[[int, float], None]) -> bool:
    """Column generation for a lottery over panels that gives everyone their chance: the master's level is the
    largest λ with a lottery giving everyone λ times their chance. True when it reaches 1 (the master's
    weights are that lottery); False when no panel can raise it (the chances cannot be realised).
    Progress: the first panels are the first half of the work, the master's level the second."""
    master.add(pricer.following(first, chances, lambda drawn, count: cancelled(drawn, drawn / count / 2)))
    level = 0.0
    while True:
        cancelled(len(master.panels), 0.5 + min(max(level, 0.0), 1.0) / 2)
        solved = master.solve()
        if solved is None:
            return False
        y, cap, level = solved
        if level >= REALISED:
            return True
        if not master.add(pricer.price(y, cap + EPS, starts=master.heaviest(pricer.STARTS))):
            return False


def _by_levels(problem: Problem, model: PanelModel, found: list[tuple[int, ...]],
               cancelled: Callable[[int, float], None]) -> Distribution:
    """The exact LEXIMIN by column generation level by level, from the panels found so far."""
    n = len(problem.person_ids)
    master = _Master(n)
    pricer = _Pricer(model, master)
    pricer.spread(found[0])
    master.add(found)
    for i in pricer.uncovered():          # in no feasible panel at all: their chance is 0
        master.fix(i, 0.0)
    while len(master.fixed) < n:
        y, level = pricer.level(lambda: cancelled(len(master.panels), len(master.fixed) / n))
        unfixed = [i for i in range(n) if i not in master.fixed]
        for i in [i for i in unfixed if y[i] > EPS] or [max(unfixed, key=lambda i: y[i])]:
            master.fix(i, min(max(0.0, level), 1.0))
    return _distribution(problem, master.panels, master.weights())


class _Master:
    """The dual of the leximin LP over the panels found so far, kept across levels, a panel per row:
    minimise ŷ − Σ_fixed p_i·y_i  s.t.  Σ_{i∈P} y_i ≤ ŷ for every panel P,  Σ_unfixed c_i·y_i = 1,  y, ŷ ≥ 0.
    Its optimum is the highest level λ such that a lottery gives every unfixed candidate λ·c_i (given the fixed
    ones' levels); the panel rows' duals are the panels' weights. c is 1 for everyone when levels are sought,
    and the chances when they are to be realised. A new panel is a new row, so the dual simplex goes on
    from the last basis, and fixing a candidate changes one cost and one coefficient."""

    def __init__(self, n: int, shares: np.ndarray | None = None):
        self.n, self.fixed = n, {}
        self.panels: list[tuple[int, ...]] = []
        self.seen: set[tuple[int, ...]] = set()
        self.members = np.zeros((0, 0), dtype=np.int64)    # the panels as rows of indices (all have k members)
        self.h = h = _highs()
        h.addVars(n + 1, np.zeros(n + 1), np.full(n + 1, _INF))
        h.changeColCost(n, 1.0)                            # ŷ, column n
        h.addRow(1.0, 1.0, n, np.arange(n, dtype=np.int32), np.ones(n) if shares is None else shares)

    def add(self, panels: list[tuple[int, ...]]) -> int:
        new = [p for p in dict.fromkeys(panels) if p not in self.seen]
        for panel in new:
            self.seen.add(panel)
            self.panels.append(panel)
            self.h.addRow(-_INF, 0.0, len(panel) + 1, np.asarray([*panel, self.n], dtype=np.int32),
                          np.asarray([1.0] * len(panel) + [-1.0]))
        if new:
            self.members = np.asarray(self.panels, dtype=np.int64)
        return len(new)

    def fix(self, i: int, p: float) -> None:
        self.fixed[i] = p
        self.h.changeColCost(i, -p)
        self.h.changeCoeff(0, i, 0.0)

    def solve(self) -> tuple[np.ndarray, float, float] | None:
        """(y, ŷ, level) at an optimal vertex; None if HiGHS finds none with nobody fixed."""
        while True:
            self.h.run()
            solved = self._read(self.h)
            if solved is not None or not self.fixed:
                return solved
            # rounding made the fixed levels just out of reach: lower them a hair and try again
            for i, p in list(self.fixed.items()):
                self.fix(i, max(0.0, p - 1e-7))

    def weights(self) -> list[float]:
        """The panels' weights in the last solve: they give every candidate the chance fixed for them."""
        duals = np.abs(np.asarray(self.h.getSolution().row_dual[1:]))
        duals[duals < WEIGHT_EPS] = 0.0
        return (duals / duals.sum()).tolist()

    def heaviest(self, count: int) -> list[tuple[int, ...]]:
        """The panels with the most weight in the last solve (those with any)."""
        weights = np.abs(np.asarray(self.h.getSolution().row_dual[1:]))
        return [self.panels[j] for j in np.argsort(-weights, kind="stable")[:count] if weights[j] >= WEIGHT_EPS]

    def _read(self, h) -> tuple[np.ndarray, float, float] | None:
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        values = np.asarray(h.getSolution().col_value)
        return np.maximum(values[: self.n], 0.0), float(values[self.n]), float(h.getInfo().objective_function_value)


class _Pricer:
    """Finds panels that break the master's dual constraints (Σ_{i∈P} y_i > ŷ): by swaps from the heaviest
    panels when it can, else the integer program's best panel, then a few more by swaps from it under weights
    that shrink for whoever it holds (as multiplicative weights do), so one round adds panels that cover
    different people."""

    SPREAD = 20     # extra panels tried per round by swaps
    STARTS = 30     # heaviest panels to climb from before the integer program runs
    REPORT_EVERY = 50   # first panels between progress reports

    def __init__(self, model: PanelModel, master: _Master):
        self.model, self.master = model, master
        self.swaps = model.swaps()

    def spread(self, first: tuple[int, ...]) -> None:
        """A first spread of panels by multiplicative weights: everyone chosen lowers their weight."""
        n, k = self.master.n, len(first)
        weights, panel = np.ones(n), first
        self.master.add([first])
        rounds = min(FIRST_PANELS, 2 * math.ceil(n / max(k, 1))) if self.swaps is None else 4 * math.ceil(n / max(k, 1))
        for _ in range(rounds):
            weights[list(panel)] *= 0.8
            weights *= n / weights.sum()
            panel = self.model.best(weights)[1][0] if self.swaps is None else self.swaps.climb(panel, weights, _INF)[1]
            self.master.add([panel])

    def following(self, first: tuple[int, ...], chances: np.ndarray,
                  report: Callable[[int, int], None]) -> list[tuple[int, ...]]:
        """Panels whose running mean follows the chances: each next one is the best for whoever is furthest
        behind their chance so far (by swaps from the last, or by the integer program when swaps cannot be
        used), so the master starts near a lottery that realises the chances. `report(found, count)` is called
        now and then (it may raise Cancelled)."""
        n, panels = len(chances), [first]
        count = math.ceil(FOLLOWING * n) if self.swaps is not None else FIRST_PANELS
        cover = np.zeros(n)
        cover[list(first)] += 1
        for drawn in range(2, count + 1):
            if drawn % self.REPORT_EVERY == 0:
                report(drawn, count)
            behind = chances * drawn - cover
            if self.swaps is None:
                panels.append(self.model.best(behind)[1][0])
            else:
                panels.append(self.swaps.climb(panels[-1], behind, _INF)[1])
            cover[list(panels[-1])] += 1
        return panels

    def uncovered(self) -> list[int]:
        """Candidates in no feasible panel (after adding panels for everyone who is in one)."""
        covered = np.zeros(self.master.n, dtype=bool)
        covered[self.master.members.ravel()] = True
        while not covered.all():
            weights = (~covered).astype(float)
            found = [] if self.swaps is None else self.swaps.climb(self.master.panels[-1], weights, 0.5)[0]
            if not found:
                found = [p for p in self.model.best(weights)[1] if not covered[list(p)].all()]
            if not found:
                break
            self.master.add(found[-1:])
            covered[list(found[-1])] = True
        return np.flatnonzero(~covered).tolist()

    def level(self, cancel: Callable[[], None]) -> tuple[np.ndarray, float]:
        """Column generation up to the next level: (y whose positive entries cannot go higher, the level).
        When no panel breaks the optimal vertex y, y is optimal over all panels, and complementary slackness
        says every i with y_i > 0 has exactly the level in every optimum. `cancel` raises Cancelled to stop."""
        while True:
            cancel()
            y, cap, level = self.master.solve()
            if not self.master.add(self.price(y, cap + EPS)):
                return y, level

    def price(self, y: np.ndarray, above: float, starts: list[tuple[int, ...]] = ()) -> list[tuple[int, ...]]:
        if self.swaps is not None:
            climbed = [found[-1] for found, _ in (self.swaps.climb(p, y, above) for p in starts) if found]
            if climbed:
                return climbed
        _, panels = self.model.best(y, above=above)
        found = [p for p in panels if float(y[list(p)].sum()) > above]
        if self.swaps is not None and found:
            weights, panel = y.copy(), found[0]
            for _ in range(self.SPREAD):
                weights[list(panel)] *= 0.7
                panel = self.swaps.climb(panel, weights, _INF)[1]
                if float(y[list(panel)].sum()) > above:
                    found.append(panel)
        return found


def _distribution(problem: Problem, panels: list[tuple[int, ...]], weights: list[float]) -> Distribution:
    ids = problem.person_ids
    kept = sorted((tuple(ids[i] for i in panel), round(w, 12)) for panel, w in zip(panels, weights) if w > 0)
    total = sum(w for _, w in kept)
    kept = [(panel, w / total) for panel, w in kept]
    chance = dict.fromkeys(ids, 0.0)
    for panel, w in kept:
        for pid in panel:
            chance[pid] += w
    return Distribution(list(ids), [min(chance[pid], 1.0) for pid in ids], [p for p, _ in kept],
                        [w for _, w in kept], len(kept), False)


_solved: OrderedDict[str, Distribution | None] = OrderedDict()
_solved_lock = threading.Lock()


def solve(problem: Problem, progress: Callable[[float], bool | None] | None = None) -> Distribution | None:
    """leximin, remembered by the problem's hash for the last few problems: a screen that reruns, or a
    decline followed by the next draw, does not compute the same lottery twice."""
    key = problem.digest()
    with _solved_lock:
        if key in _solved:
            _solved.move_to_end(key)
            return _solved[key]
    result = leximin(problem, progress)
    with _solved_lock:
        _solved[key] = result
        while len(_solved) > 16:
            _solved.popitem(last=False)
    return result


def uniform(problem: Problem) -> Distribution:
    n, k = len(problem.person_ids), problem.k
    return Distribution(list(problem.person_ids), [k / n if n else 0.0] * n, [], [], math.comb(n, k), True)


def relaxation(problem: Problem) -> list[Relaxation]:
    """For targets no panel can meet: the bounds to move, and to where, with the least total change."""
    return PanelModel(problem, relax=True).least_relaxation()


def draw(problem: Problem, distribution: Distribution, seed: int) -> tuple[int, ...]:
    """One panel (person ids, sorted) drawn with `seed`: the same problem and seed give the same panel anywhere."""
    rng = random.Random(seed)
    if distribution.uniform:
        return tuple(sorted(rng.sample(list(problem.person_ids), problem.k)))
    point = rng.random()
    total = 0.0
    for panel, weight in zip(distribution.panels, distribution.weights):
        total += weight
        if point < total:
            return panel
    return distribution.panels[-1]


def record(distribution: Distribution) -> dict:
    """The distribution as stored with a draw: each candidate's chance and the panels with their weight."""
    return {"probabilities": [[pid, round(p, 9)] for pid, p in zip(distribution.person_ids, distribution.probabilities)],
            "panels": [[list(panel), round(w, 12)] for panel, w in zip(distribution.panels, distribution.weights)],
            "uniform": distribution.uniform}


def new_seed() -> int:
    """A seed short enough to read out and type in."""
    return random.SystemRandom().randrange(1, 10**9)
