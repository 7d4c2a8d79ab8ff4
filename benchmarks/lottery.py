"""The fair lottery (crm_app.networks.lottery, LEXIMIN with HiGHS) against the reference `sortition-algorithms`.

    python -m benchmarks.lottery [--instances 90:15,300:15,400:40] [--seed 2026]
                                 [--out benchmarks/results/lottery.json]

Synthetic newcomer-style pools from a fixed seed: six dimensions (gender, age band, region of origin,
Dutch level, education, municipality) with skewed shares, as those who sign up are; the quotas pull the
panel halfway toward an even spread: per value, the centre c = k·(share + 1/values)/2, min ⌊c⌋−1 (not
below 0) and max ⌈c⌉+1. So people of over-represented values get smaller chances, as in practice.
For each instance, in the same run:
  - ours: lottery.leximin (column generation over HiGHS through highspy);
  - theirs: sortition_algorithms' `find_distribution_maximin` with its default HiGHS backend (a
    benchmark-only dependency, the `[bench]` extra; crm_app never imports it).
Reported: the smallest selection probability of each (LEXIMIN maximises the same minimum first, so
they must agree within 1e-4), the Gini coefficient of the probabilities (lower is more equal; LEXIMIN
goes on raising the next levels, maximin stops at the minimum), wall and CPU seconds, and the ratio
theirs / ours of CPU seconds (on a shared machine CPU time is the steadier measure). The package ships
no pools in its wheel, so only synthetic pools are compared. It prints a table and writes the JSON.
"""
from __future__ import annotations

import argparse
import json
import logging
import math
import os
import platform
import random
import time
from pathlib import Path

import numpy as np

from crm_app.networks import lottery
from crm_app.networks.composition import Tally, Target

ROOT = Path(__file__).resolve().parents[1]
DIMENSIONS = {
    "gender": {"woman": .48, "man": .48, "x": .04},
    "age_band": {"18-29": .3, "30-39": .35, "40-54": .25, "55+": .1},
    "region": {"middle_east": .35, "horn_of_africa": .2, "europe": .15, "north_africa": .15, "asia": .1, "other": .05},
    "dutch_level": {"a1": .3, "a2": .35, "b1": .25, "b2": .1},
    "education": {"low": .3, "middle": .4, "high": .3},
    "municipality": {"amsterdam": .45, "zaanstad": .2, "diemen": .15, "amstelveen": .2},
}


def pool(n: int, seed: int) -> list[tuple[int, dict]]:
    rng = random.Random(seed)
    return [(i + 1, {d: rng.choices(list(shares), list(shares.values()))[0] for d, shares in DIMENSIONS.items()})
            for i in range(n)]


def quotas(k: int) -> dict[str, dict[str, tuple[int, int]]]:
    out = {}
    for d, shares in DIMENSIONS.items():
        centres = {v: k * (p + 1 / len(shares)) / 2 for v, p in shares.items()}
        out[d] = {v: (max(0, math.floor(c) - 1), math.ceil(c) + 1) for v, c in centres.items()}
    return out


def gini(values) -> float:
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    return float((2 * np.arange(1, n + 1) - n - 1) @ x / (n * x.sum())) if x.sum() else 0.0


def ours(people, k: int, bounds) -> dict:
    targets = [Target(None, d, v, "count", low, high) for d, values in bounds.items() for v, (low, high) in values.items()]
    problem = lottery.Problem.of([(pid, {d: frozenset((v,)) for d, v in values.items()}) for pid, values in people],
                                 k, targets, k, Tally())
    wall, cpu = time.perf_counter(), time.process_time()
    distribution = lottery.leximin(problem)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"min": distribution.minimum, "gini": gini(distribution.probabilities), "seconds": wall, "cpu": cpu,
            "panels": distribution.panel_count, "sum": sum(distribution.probabilities)}


def theirs(people, k: int, bounds) -> dict:
    from requests.structures import CaseInsensitiveDict
    from sortition_algorithms.committee_generation.maximin import find_distribution_maximin
    from sortition_algorithms.features import FeatureValueMinMax, set_default_max_flex
    from sortition_algorithms.people import People

    features = CaseInsensitiveDict({d: CaseInsensitiveDict({v: FeatureValueMinMax(min=low, max=high)
                                                            for v, (low, high) in values.items()})
                                    for d, values in bounds.items()})
    set_default_max_flex(features)
    group = People([])
    for row, (pid, values) in enumerate(people, start=2):
        group.add(str(pid), dict(values), features, row)
    wall, cpu = time.perf_counter(), time.process_time()
    committees, weights, _ = find_distribution_maximin(features, group, k, [])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    chance = dict.fromkeys((str(pid) for pid, _ in people), 0.0)
    for committee, weight in zip(committees, weights):
        for pid in committee:
            chance[pid] += weight
    return {"min": min(chance.values()), "gini": gini(list(chance.values())), "seconds": wall, "cpu": cpu,
            "panels": sum(1 for w in weights if w > 1e-9)}


def table(results: list[dict]) -> str:
    head = (f"{'n':>4} {'k':>3} {'dims':>4} | {'min ours':>9} {'min theirs':>10} | {'Gini ours':>9} "
            f"{'Gini theirs':>11} | {'s ours':>7} {'s theirs':>8} | {'cpu ours':>8} {'cpu theirs':>10} | {'ratio':>6} | "
            f"{'panels':>6}")
    lines = [head, "-" * len(head)]
    for r in results:
        o, t = r["ours"], r["theirs"]
        lines.append(f"{r['n']:>4} {r['k']:>3} {r['dimensions']:>4} | {o['min']:>9.5f} "
                     f"{t['min'] if t else float('nan'):>10.5f} | {o['gini']:>9.4f} "
                     f"{t['gini'] if t else float('nan'):>11.4f} | {o['seconds']:>7.2f} "
                     f"{t['seconds'] if t else float('nan'):>8.2f} | {o['cpu']:>8.2f} "
                     f"{t['cpu'] if t else float('nan'):>10.2f} | "
                     f"{(t['cpu'] / o['cpu']) if t else float('nan'):>6.2f} | {o['panels']:>6}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default="90:15,300:15,400:40", help="n:k pairs")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "lottery.json"))
    args = parser.parse_args()
    logging.getLogger("sortition_algorithms").setLevel(logging.WARNING)
    try:
        import sortition_algorithms  # noqa: F401
        reference = True
    except ImportError:
        reference = False
        print("sortition-algorithms is not installed (pip install -e '.[bench]'): ours only")
    results = []
    for spec in args.instances.split(","):
        n, k = (int(x) for x in spec.split(":"))
        people, bounds = pool(n, args.seed + n), quotas(k)
        mine = ours(people, k, bounds)
        other = theirs(people, k, bounds) if reference else None
        results.append({"n": n, "k": k, "dimensions": len(DIMENSIONS), "ours": mine, "theirs": other,
                        "min_agrees": None if other is None else abs(mine["min"] - other["min"]) <= 1e-4})
        print(table(results[-1:]).splitlines()[-1], flush=True)
    report = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                          "load_avg": os.getloadavg()},
              "seed": args.seed, "results": results}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(table(results))


if __name__ == "__main__":
    main()
