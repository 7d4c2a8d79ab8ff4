"""The fair lottery (crm_app.networks.lottery) on small random pools, checked against plain enumeration.

For pools of at most 8 candidates every panel is enumerated directly (itertools.combinations and counting),
independently of the integer program: the lottery's panels must all be among the feasible ones, its
minimum must equal the maximin optimum of a separate LP over all feasible panels, and when no panel
exists the proposed relaxation must make one exist.
"""
from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import highspy
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_app.networks import lottery
from crm_app.networks.composition import Tally, Target

ROOT = Path(__file__).resolve().parents[2]
GENDERS = ("woman", "man")
REGIONS = ("north", "south", "east")


@st.composite
def problems(draw, feasible_only: bool = False):
    n = draw(st.integers(2, 8))
    people = [(draw(st.integers(1, 10**6)) * 10 + i,
               {"gender": frozenset((draw(st.sampled_from(GENDERS)),)),
                "district": frozenset((draw(st.sampled_from(REGIONS)),))}) for i in range(n)]
    k = draw(st.integers(1, n))
    members = draw(st.lists(st.tuples(st.sampled_from(GENDERS), st.sampled_from(REGIONS)), max_size=3))
    targets = []
    for index in range(draw(st.integers(1, 3))):
        dimension, values = draw(st.sampled_from((("gender", GENDERS), ("district", REGIONS))))
        low = draw(st.none() | st.integers(0, 3))
        high = draw(st.none() | st.integers(0, 4)) if low is not None else draw(st.integers(0, 4))
        targets.append(Target(index, dimension, draw(st.sampled_from(values)), "count", low, high))
    if draw(st.booleans()):
        targets.append(Target(9, "district", None, "distinct", draw(st.integers(1, 3)), None))
    current = Tally([{"gender": frozenset((g,)), "district": frozenset((r,))} for g, r in members])
    return lottery.Problem.of(people, k, targets, 10, current)


def level(problem: lottery.Problem, panel: tuple[int, ...], target: Target) -> int:
    """The target's level for the current members plus the panel, as the other fill methods count it."""
    tally = Tally()
    for dimension, counts in problem.current.counts.items():
        tally.counts[dimension].update(counts)
    for index in panel:
        tally.add(problem.values[index])
    return tally.level(target)


def meets(problem: lottery.Problem, panel: tuple[int, ...]) -> bool:
    for target in problem.targets:
        low, high = target.bounds(problem.places)
        now = level(problem, panel, target)
        if (low is not None and now < low) or (high is not None and now > high):
            return False
    return True


def feasible_panels(problem: lottery.Problem) -> list[tuple[int, ...]]:
    return [p for p in itertools.combinations(range(len(problem.person_ids)), problem.k) if meets(problem, p)]


def maximin(problem: lottery.Problem, panels: list[tuple[int, ...]]) -> float:
    """max z s.t. Σ_P x_P = 1, Σ_{P∋i} x_P ≥ z for every candidate, x ≥ 0: over all enumerated panels."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    m, n = len(panels), len(problem.person_ids)
    h.addVars(m + 1, np.zeros(m + 1), np.array([highspy.kHighsInf] * (m + 1)))
    h.changeColsCost(m + 1, np.arange(m + 1, dtype=np.int32), np.array([0.0] * m + [-1.0]))
    h.addRow(1.0, 1.0, m, np.arange(m, dtype=np.int32), np.ones(m))
    for i in range(n):
        cols = [j for j, p in enumerate(panels) if i in p] + [m]
        h.addRow(0.0, highspy.kHighsInf, len(cols), np.array(cols, dtype=np.int32),
                 np.array([1.0] * (len(cols) - 1) + [-1.0]))
    h.run()
    return h.getSolution().col_value[m]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_the_lottery_meets_every_target_and_is_maximin(problem):
    panels = feasible_panels(problem)
    distribution = lottery.leximin(problem)
    if not panels:
        assert distribution is None
        relaxed = relax(problem, lottery.relaxation(problem))
        assert feasible_panels(relaxed), "after the proposed relaxation a panel exists"
        return
    assert distribution is not None
    index = {pid: i for i, pid in enumerate(problem.person_ids)}
    for panel, weight in zip(distribution.panels, distribution.weights):
        assert weight > 0
        assert meets(problem, tuple(index[pid] for pid in panel)), "every panel with weight meets every target"
    assert abs(sum(distribution.weights) - 1) < 1e-9
    assert abs(sum(distribution.probabilities) - problem.k) < 1e-6
    assert all(-1e-9 <= p <= 1 + 1e-9 for p in distribution.probabilities)
    assert abs(distribution.minimum - maximin(problem, panels)) < 1e-4



def leximin_by_enumeration(problem: lottery.Problem, panels: list[tuple[int, ...]]) -> list[float]:
    """The LEXIMIN chances over all enumerated panels, the textbook way: the highest level all unfixed reach
    together, then one LP per unfixed candidate: whoever cannot go above that level is fixed at it."""
    n, m = len(problem.person_ids), len(panels)
    fixed: dict[int, float] = {}

    def best(objective: list[float], floor: float | None) -> tuple[float, list[float]]:
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.addVars(m + 1, np.zeros(m + 1), np.array([highspy.kHighsInf] * (m + 1)))
        h.changeColsCost(m + 1, np.arange(m + 1, dtype=np.int32), -np.asarray(objective))
        h.addRow(1.0, 1.0, m, np.arange(m, dtype=np.int32), np.ones(m))
        for i in range(n):
            cols = [j for j, p in enumerate(panels) if i in p]
            if i in fixed:
                low, extra = fixed[i] - 1e-9, []
            else:
                low, extra = (0.0, [m]) if floor is None else (floor - 1e-9, [])
            h.addRow(low, highspy.kHighsInf, len(cols) + len(extra), np.array(cols + extra, dtype=np.int32),
                     np.array([1.0] * len(cols) + [-1.0] * len(extra)))
        h.run()
        return -h.getInfo().objective_function_value, list(h.getSolution().col_value)

    while len(fixed) < n:
        level, _ = best([0.0] * m + [1.0], None)
        unfixed = [i for i in range(n) if i not in fixed]
        stuck = [i for i in unfixed
                 if best([1.0 if i in p else 0.0 for p in panels] + [0.0], level)[0] <= level + 1e-7]
        for i in stuck:
            fixed[i] = level
    return [fixed[i] for i in range(n)]


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=max(5, settings().max_examples // 3))
@given(problems())
def test_the_lottery_is_leximin(problem):
    """Not only the minimum: every candidate's chance equals the LEXIMIN chance over all enumerated panels
    (fixing someone whose chance could still rise would leave it lower)."""
    panels = feasible_panels(problem)
    if not panels:
        return
    distribution = lottery.leximin(problem)
    expected = leximin_by_enumeration(problem, panels)
    assert max(abs(a - b) for a, b in zip(distribution.probabilities, expected)) < 1e-5



def test_above_the_minimum_chances_are_as_equal_as_they_can_be():
    """Two women, four men, two places, at least one woman: the men get 1/4 each (the maximin), and of the
    women's remaining chance each gets half: a maximin solution could give one of them 3/4."""
    people = [(pid, {"gender": frozenset(("woman" if pid <= 2 else "man",))}) for pid in range(1, 7)]
    problem = lottery.Problem.of(people, 2, [Target(1, "gender", "woman", "count", 1, None)], 10, Tally())
    chances = lottery.leximin(problem).probabilities
    assert [round(p, 6) for p in chances] == [0.5, 0.5, 0.25, 0.25, 0.25, 0.25]

def test_chances_the_relaxation_promises_but_no_lottery_gives_are_decided_level_by_level():
    """Three people who each share a language with each other, at most one speaker of each language, two places:
    every panel is one of the three with the fourth, who speaks none. The LP relaxation would give all four
    1/2; over real panels the fourth is always chosen and the three share the other place."""
    languages = {1: ("ar", "fa"), 2: ("ar", "ti"), 3: ("ti", "fa"), 4: ()}
    people = [(pid, {"languages": frozenset(spoken)}) for pid, spoken in languages.items()]
    targets = [Target(i, "languages", value, "count", None, 1) for i, value in enumerate(("ar", "fa", "ti"))]
    problem = lottery.Problem.of(people, 2, targets, 10, Tally())
    assert lottery.PanelModel(problem).relaxed_leximin().tolist() == [0.5] * 4
    distribution = lottery.leximin(problem)
    assert [round(p, 9) for p in distribution.probabilities] == [round(1 / 3, 9)] * 3 + [1.0]
    assert sorted(distribution.panels) == [(1, 4), (2, 4), (3, 4)]


def test_a_progress_callback_that_asks_to_stop_cancels_the_computation():
    people = [(pid, {"gender": frozenset((GENDERS[pid % 2],)), "district": frozenset((REGIONS[pid % 3],))})
              for pid in range(1, 25)]
    targets = [Target(1, "gender", "woman", "count", 3, 5), Target(2, "district", "north", "count", None, 2)]
    problem = lottery.Problem.of(people, 8, targets, 10, Tally())
    seen: list[lottery.Progress] = []

    def stop(progress: lottery.Progress) -> bool:
        seen.append(progress)
        return True

    with pytest.raises(lottery.Cancelled):
        lottery.leximin(problem, stop)
    assert seen and seen[0].candidates == 24 and seen[0].panels > 0 and seen[0].share < 1

def relax(problem: lottery.Problem, relaxations: list[lottery.Relaxation]) -> lottery.Problem:
    moved = {(r.bound.target.id, r.bound.side): r.relaxed for r in relaxations}
    targets = [Target(t.id, t.dimension, t.dim_value, t.measure, moved.get((t.id, "min"), t.min_value),
                      moved.get((t.id, "max"), t.max_value)) for t in problem.targets]
    return lottery.Problem(problem.person_ids, problem.values, problem.k, tuple(targets), problem.places,
                           problem.current)


@given(problems())
def test_a_relaxation_moves_only_bounds_that_conflict(problem):
    """A feasible problem needs no relaxation; an infeasible one names at least one bound."""
    relaxations = lottery.relaxation(problem)
    assert (relaxations == []) == bool(feasible_panels(problem))


def test_without_targets_everyone_has_k_over_n_and_no_solver_runs(monkeypatch):
    monkeypatch.setattr(lottery, "PanelModel", None)   # the uniform lottery needs no integer program
    problem = lottery.Problem.of([(pid, {}) for pid in (5, 3, 9, 1)], 2, [], 10, Tally())
    distribution = lottery.leximin(problem)
    assert distribution.uniform and distribution.probabilities == [0.5] * 4
    assert lottery.draw(problem, distribution, 42) == lottery.draw(problem, distribution, 42)
    assert len(lottery.draw(problem, distribution, 42)) == 2


def test_the_order_of_the_pool_and_targets_does_not_change_the_draw():
    people = [(pid, {"gender": frozenset((GENDERS[pid % 2],))}) for pid in range(1, 13)]
    targets = [Target(1, "gender", "woman", "count", 3, None), Target(2, "gender", "man", "count", None, 4)]
    first = lottery.Problem.of(people, 6, targets, 10, Tally())
    second = lottery.Problem.of(people[::-1], 6, targets[::-1], 10, Tally())
    assert first.digest() == second.digest()
    assert lottery.draw(first, lottery.leximin(first), 7) == lottery.draw(second, lottery.leximin(second), 7)


_DRAW_SCRIPT = """
import json
from crm_app.networks import lottery
from crm_app.networks.composition import Tally, Target
people = [(pid, {"gender": frozenset({("woman", "man")[pid % 2]}), "district": frozenset({"abc"[pid % 3]})})
          for pid in range(1, 31)]
targets = [Target(1, "gender", "woman", "count", 4, None), Target(2, "district", "a", "count", None, 2),
           Target(3, "district", None, "distinct", 3, None)]
problem = lottery.Problem.of(people, 8, targets, 10, Tally())
print(json.dumps([problem.digest(), lottery.draw(problem, lottery.leximin(problem), 2024)]))
"""


def test_the_same_seed_draws_the_same_panel_in_other_processes():
    """Two fresh interpreters with different hash seeds (set and dict order differ) draw the same panel."""
    outputs = []
    for hash_seed in ("1", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONPATH=str(ROOT))
        done = subprocess.run([sys.executable, "-c", _DRAW_SCRIPT], env=env, capture_output=True, text=True,
                              check=True, cwd=ROOT)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith('["'), "nothing but the JSON on stdout (the solver's banner is kept off it)"
