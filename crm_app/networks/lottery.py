"""A fair lottery for open places: LEXIMIN selection over panels that meet the targets, and a seeded draw.

Among all lotteries over panels (sets of `k` candidates) that, together with the current members, meet
every target, LEXIMIN (Flanigan, Gölz, Gupta, Hennig, Procaccia, Nature 2021) maximises the smallest
selection probability, then the next smallest, and so on. Solved with the open-source HiGHS (highspy)
by column generation: an integer program finds the feasible panel of best dual weight, linear programs
fix the probabilities level by level. Without targets every panel is allowed: k/n for everyone, no solver.

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
FIRST_PANELS = 40    # at most this many panels found up front by multiplicative weights, before the levels


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

    def swaps(self, panel: tuple[int, ...], weights: np.ndarray, above: float, most: int = 24) -> list[tuple[int, ...]]:
        """Panels one swap away from `panel` (one in, one out) that still meet every target and weigh more than
        `above`: cheap extra columns beside the integer program's. Only when every target is linear in who is
        chosen (value counts, at most N each); spread targets need the program."""
        if self._linear is None or not panel:
            return []
        if not hasattr(self, "_matrix"):
            self._matrix = np.zeros((len(self._linear), self.n))
            for r, (cols, _, _) in enumerate(self._linear):
                self._matrix[r, cols] = 1.0
            self._low = np.array([low for _, low, _ in self._linear]) - 1e-9
            self._high = np.array([high for _, _, high in self._linear]) + 1e-9
        a = self._matrix
        inside = np.asarray(panel)
        outside = np.setdiff1d(np.arange(self.n), inside)
        level = a[:, inside].sum(axis=1)
        base = float(weights[inside].sum())
        found = []
        for i in inside:
            new = (level - a[:, i])[:, None] + a[:, outside]
            ok = np.all((new >= self._low[:, None]) & (new <= self._high[:, None]), axis=0)
            gain = base - weights[i] + weights[outside]
            for j in np.flatnonzero(ok & (gain > above)):
                found.append((float(gain[j]), int(i), int(outside[j])))
        found.sort(key=lambda f: (-f[0], f[1], f[2]))
        return [tuple(sorted(set(panel) - {i} | {j})) for _, i, j in found[:most]]

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


# -- the distribution -------------------------------------------------------------------------------------
def _lp(h: highspy.Highs, interior: bool) -> None:
    if interior:   # a strictly complementary ("inner") solution fixes more probabilities per level
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("run_crossover", "off")


def leximin(problem: Problem, progress: Callable[[float], bool | None] | None = None) -> Distribution | None:
    """The LEXIMIN lottery over feasible panels, or None when no panel meets the targets.

    `progress` is called with the share of candidates whose probability is fixed; returning True cancels.
    """
    n, k = len(problem.person_ids), problem.k
    if not problem.targets:
        return uniform(problem)
    if k == 0:
        return Distribution(list(problem.person_ids), [0.0] * n, [()], [1.0], 1, False)
    model = PanelModel(problem)
    panels: list[tuple[int, ...]] = []
    seen: set[tuple[int, ...]] = set()

    def add(panel: tuple[int, ...]) -> bool:
        if panel in seen:
            return False
        seen.add(panel)
        panels.append(panel)
        return True

    # a spread of first panels (multiplicative weights): everyone chosen lowers their weight
    weights = np.ones(n)
    first = model.best(weights)
    if first is None:
        return None
    add(first[1][0])
    for _ in range(min(FIRST_PANELS, 2 * math.ceil(n / max(k, 1)))):
        weights[list(panels[-1])] *= 0.8
        weights *= n / weights.sum()
        add(model.best(weights)[1][0])
    # who is in no feasible panel at all: their chance is 0
    covered = np.zeros(n, dtype=bool)
    for panel in panels:
        covered[list(panel)] = True
    while not covered.all():
        bound, [panel] = model.best((~covered).astype(float))
        if covered[list(panel)].all():
            break
        add(panel)
        covered[list(panel)] = True
    fixed: dict[int, float] = dict.fromkeys(np.flatnonzero(~covered).tolist(), 0.0)
    levels = _Levels(panels, fixed, n)

    while len(fixed) < n:
        if progress is not None and progress(len(fixed) / n):
            raise Cancelled
        _fix_level(model, levels, add)
    weights_out = _final_weights(panels, fixed, n)
    return _distribution(problem, panels, weights_out)


class _Levels:
    """The LP of the leximin loop over the panels so far, kept across levels: found panels are added as
    columns and fixing a candidate changes their row, so the simplex goes on from its last basis.
    maximise z  s.t.  Σ_{P∋i} x_P ≥ z for unfixed i,  Σ_{P∋i} x_P ≥ p_i for fixed i,  Σ_P x_P ≤ 1,  x ≥ 0.
    Its row duals are the dual LP's y_i (per candidate) and ŷ (of Σ_P x_P ≤ 1):
    minimise ŷ − Σ_fixed p_i·y_i  s.t.  Σ_{i∈P} y_i ≤ ŷ for every panel P,  Σ_unfixed y_i = 1,  y ≥ 0."""

    def __init__(self, panels: list, fixed: dict[int, float], n: int):
        self.n, self.fixed = n, fixed
        self.h = h = _highs()
        h.setOptionValue("simplex_strategy", 4)   # primal simplex: new columns leave the basis primal feasible
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        h.addVar(0.0, _INF)                       # z, column 0
        h.changeColCost(0, 1.0)
        for _ in range(n):
            h.addRow(0.0, _INF, 1, np.zeros(1, dtype=np.int32), np.array([-1.0]))
        h.addRow(-_INF, 1.0, 0, np.zeros(0, dtype=np.int32), np.zeros(0))
        for i, p in fixed.items():
            self.fix(i, p)
        for panel in panels:
            self.add(panel)

    @property
    def unfixed(self) -> list[int]:
        return [i for i in range(self.n) if i not in self.fixed]

    def fix(self, i: int, p: float) -> None:
        self.fixed[i] = p
        self.h.changeCoeff(i, 0, 0.0)
        self.h.changeRowBounds(i, p, _INF)

    def add(self, panel: tuple[int, ...]) -> None:
        self.h.addCol(0.0, 0.0, _INF, len(panel) + 1, np.asarray([*panel, self.n], dtype=np.int32),
                      np.ones(len(panel) + 1))

    def solve(self) -> tuple[np.ndarray, float, float] | None:
        """(y, ŷ, level), or None when the fixed levels are out of reach."""
        self.h.run()
        return self._read(self.h)

    def inner_duals(self) -> np.ndarray | None:
        """y from an interior-point solve without crossover: a strictly complementary ("inner") solution,
        which fixes more probabilities per level than a vertex. On a copy, to keep the simplex basis."""
        copy = _highs()
        copy.setOptionValue("solver", "ipm")
        copy.setOptionValue("run_crossover", "off")
        copy.passModel(self.h.getLp())
        copy.run()
        solved = self._read(copy)
        return None if solved is None else solved[0]

    def _read(self, h) -> tuple[np.ndarray, float, float] | None:
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        duals = np.abs(np.asarray(h.getSolution().row_dual))
        return duals[: self.n], float(duals[self.n]), float(h.getInfo().objective_function_value)


def _fix_level(model: PanelModel, levels: _Levels, add) -> None:
    """One level of the leximin loop. The LP optimum is the highest level all unfixed candidates can reach
    together; column generation adds the panel of largest dual weight while it breaks a dual constraint.
    Those whose y_i stays positive in an inner optimum cannot go higher and are fixed at it."""
    while True:
        solved = levels.solve()
        if solved is None:
            # rounding made the fixed levels just out of reach: lower them a hair and try again
            for i, p in list(levels.fixed.items()):
                levels.fix(i, max(0.0, p - 1e-7))
            continue
        y, cap, level = solved
        bound, found = model.best(y, above=cap + EPS)
        new = [p for p in found if float(y[list(p)].sum()) > cap + EPS]
        if new:
            new += model.swaps(new[0], y, cap + EPS)
        if bound <= cap + EPS or not new:
            break
        for panel in new:
            if add(panel):
                levels.add(panel)
    inner = levels.inner_duals()
    y = solved[0] if inner is None else inner      # (the level is the simplex optimum: exact at a vertex)
    unfixed = levels.unfixed
    for i in [i for i in unfixed if y[i] > EPS] or [max(unfixed, key=lambda i: y[i])]:
        levels.fix(i, min(max(0.0, level), 1.0))


def _final_weights(panels: list[tuple[int, ...]], fixed: dict[int, float], n: int) -> list[float]:
    """Weights on the panels that give everyone their fixed probability (least shortfall, for rounding)."""
    h = _highs()
    m = len(panels)
    h.addVars(m + 1, np.zeros(m + 1), np.full(m + 1, _INF))
    h.changeColsCost(m + 1, np.arange(m + 1, dtype=np.int32), np.asarray([0.0] * m + [1.0]))
    h.addRow(1.0, 1.0, m, np.arange(m, dtype=np.int32), np.ones(m))
    member_of: list[list[int]] = [[] for _ in range(n)]
    for j, panel in enumerate(panels):
        for i in panel:
            member_of[i].append(j)
    for i in range(n):
        cols = member_of[i] + [m]
        h.addRow(fixed[i], _INF, len(cols), np.asarray(cols, dtype=np.int32), np.ones(len(cols)))
    h.run()
    x = np.clip(np.asarray(h.getSolution().col_value[:m]), 0.0, 1.0)
    x[x < WEIGHT_EPS] = 0.0
    return (x / x.sum()).tolist()


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
