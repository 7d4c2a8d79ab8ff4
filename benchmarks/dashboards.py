"""How long each dashboard screen takes at 10k, 100k and 1M persons with 10 years of memberships.

    python -m benchmarks.dashboards [--sizes 10000,100000] [--with-1m] [--repeat 5] [--seed 2026]
                                    [--out benchmarks/results/dashboards.json] [--workdir DIR]

For each size a temporary store (migrated by crm_app.core.store.Store) is filled in SQL (DuckDB's
range() and a seeded random()): persons with every dimension (85 % with the diversity-statistics
consent), a first source each (markets, coach organisations, partners, …), contact moments for
half of them, one network per 500 persons (15 places, 12-month terms, three targets) with ten
yearly cohorts of members (10 years of history; a third of those whose term ended hold a place in
the alumni network), 5 % of persons on a waiting list and an open offer per network.

Screens timed (median over --repeat runs after a warm-up), as the page calls them:
  composition_all      members, waiting list, pool and alumni of all networks, every dimension
  composition_network  the same for one network, filtered on one municipality and the last 12 months
  targets              every target of every network: met / at risk / not met, now and with offers
  over_time            24 months of one network's composition (one dimension; all are computed)
  over_time_all        24 months of all networks' members
  funnel               registered → member by source kind and by named channel, reach per group
  compare              two networks side by side
Baseline, in the same run: composition_all done the straightforward way — every person of the
four populations read into Python with composition.ValueReader and counted with a Counter per
dimension (no grouping in SQL), then the same suppression. ratio = baseline / composition_all. And
targets the straightforward way (insight.targets.targets_by_tally: a composition.Tally per network):
targets_ratio.
Screens reuse the counted persons' values, read once per change of persons, consents, sources or
contact moments: that first read is reported as cold_cache_ms (it comes on top of one screen).
Target: every screen under 150 ms at 100k and under 1 s at 1M. The 1M step takes minutes to
build; it runs only with --with-1m (`make bench` passes it when BENCH_1M=1).
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import platform
import shutil
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from crm_app.access.audit import Actor
from crm_app.core import clock
from crm_app.core.paths import ROOT
from crm_app.core.store import Store
from crm_app.insight import suppression
from crm_app.insight.composition import compare_screen, composition_screen
from crm_app.insight.counted import Filters, clear_cache, people
from crm_app.insight.funnel import funnel_screen, store_channels
from crm_app.insight.history import over_time_screen
from crm_app.insight.population import POPULATIONS, cell_size, population_query
from crm_app.insight.targets import targets_by_tally, targets_screen
from crm_app.networks import composition

NOW = dt.datetime(2026, 6, 1, 10, 0)
COORDINATOR = Actor(user_id=None, role="coordinator", origin="cli")
PERSONS_PER_NETWORK = 500


def build(store: Store, n: int, seed: int) -> dict:
    """Fill an empty store with n persons and their history, in SQL."""
    networks = max(2, n // PERSONS_PER_NETWORK)
    today = NOW.date()

    def work(cur):
        cur.execute("SELECT setseed(?)", [seed / 10_000])
        cur.execute("""
            INSERT INTO person (id, given_name, family_name, given_key, family_key, name_block, gender, birth_year,
                                country_of_origin, preferred_language, other_languages, education_level, municipality,
                                district, arrival_year, integration_route, created_utc, updated_utc)
            SELECT i, 'P', 'Q', 'p', 'q', 'p|q',
                   CASE WHEN r1 < 0.03 THEN NULL WHEN r1 < 0.45 THEN 'woman' WHEN r1 < 0.99 THEN 'man' ELSE 'other' END,
                   CASE WHEN r2 < 0.05 THEN NULL ELSE 1950 + (r2 * 55)::INTEGER END,
                   CASE WHEN r3 < 0.04 THEN NULL ELSE ['SY','ER','TR','MA','AF','UA','IR','IQ','SO','ET','SD','YE',
                        'PK','NG','CN','IN','BR','PL','RU','VE'][1 + (r3 * 19.99)::INTEGER % 20] END,
                   ['ara','tir','tur','ary','fas','ukr','som','amh','eng','nld'][1 + (r4 * 9.99)::INTEGER % 10],
                   CASE WHEN r4 < 0.5 THEN ['eng'] WHEN r4 < 0.7 THEN ['nld', 'eng'] ELSE [] END,
                   CASE WHEN r5 < 0.08 THEN NULL ELSE ['none','primary','secondary','vocational','higher_professional',
                        'university'][1 + (r5 * 5.99)::INTEGER % 6] END,
                   CASE WHEN r6 < 0.03 THEN NULL ELSE ['Utrecht','Amersfoort','Nieuwegein','Zeist','Houten','Woerden',
                        'IJsselstein','De Bilt'][1 + (r6 * 7.99)::INTEGER % 8] END,
                   CASE WHEN r7 < 0.2 THEN NULL ELSE 'Wijk ' || (1 + (r7 * 11)::INTEGER) END,
                   CASE WHEN r8 < 0.1 THEN NULL ELSE 2000 + (r8 * 26)::INTEGER END,
                   CASE WHEN r9 < 0.15 THEN NULL
                        ELSE ['b1','education','z_route','not_obligated'][1 + (r9 * 3.99)::INTEGER % 4] END,
                   $now - INTERVAL (r10 * 3650) DAY, $now
            FROM (SELECT range + 1 AS i, random() r1, random() r2, random() r3, random() r4, random() r5, random() r6,
                         random() r7, random() r8, random() r9, random() r10 FROM range($n))""", {"n": n, "now": NOW})
        cur.execute("""INSERT INTO consent (person_id, purpose, granted, method, text_version, recorded_utc)
                       SELECT id, 'diversity_statistics', random() < 0.85, 'verbal', '2026-11', created_utc FROM person""")
        cur.execute("""
            INSERT INTO person_source (person_id, kind, source_name, source_org, recorded_utc)
            SELECT id, kind, CASE WHEN kind IN ('market', 'partner_org') THEN name END,
                   CASE WHEN kind IN ('coach_referral', 'internal_coach') THEN name END, created_utc
            FROM (SELECT id, created_utc,
                         ['market','coach_referral','internal_coach','alumni_referral','partner_org','self_registration',
                          'event','other'][1 + (random() * 7.99)::INTEGER % 8] AS kind,
                         ['Markt Oost','Markt West','Vredenburg','Taalschool De Brug','VluchtelingenWerk','ROC',
                          'Gemeente Utrecht','Buurthuis Zuid'][1 + (random() * 7.99)::INTEGER % 8] AS name FROM person)""")
        cur.execute("""INSERT INTO activity (person_id, kind, occurred_utc)
                       SELECT id, 'call', created_utc + INTERVAL 3 DAY FROM person WHERE random() < 0.5""")
        cur.execute("""INSERT INTO network (id, name, kind, min_places, max_places, term_months, created_utc)
                       SELECT range + 2, 'Netwerk ' || (range + 2), 'sounding_board', 10, 15, 12, $now FROM range($k)""",
                    {"k": networks, "now": NOW})
        cur.execute("INSERT INTO network (id, name, kind, min_places, max_places, term_months, created_utc) "
                    "VALUES (1, 'Alumni', 'alumni_network', 0, 100000, 36, ?)", [NOW])
        cur.execute("""INSERT INTO network_target (network_id, dimension, dim_value, measure, min_value, max_value)
                       SELECT id, d, v, m, lo, hi FROM network, (VALUES ('gender', 'woman', 'share', 0.4, NULL),
                              ('country_of_origin', NULL, 'distinct', 4, NULL),
                              ('integration_route', 'z_route', 'count', 1, NULL))
                              t(d, v, m, lo, hi) WHERE kind <> 'alumni_network'""")
        # ten yearly cohorts of 15 per network; persons drawn at random (some hold two places over the years)
        cur.execute("""
            INSERT INTO membership (network_id, person_id, start_date, planned_end_date, actual_end_date, end_reason)
            SELECT network_id, 1 + (random() * ($n - 1))::BIGINT, start, start + INTERVAL 12 MONTH,
                   CASE WHEN start + INTERVAL 12 MONTH <= $today THEN start + INTERVAL 12 MONTH END,
                   CASE WHEN start + INTERVAL 12 MONTH <= $today THEN 'term_completed' END
            FROM (SELECT n.id AS network_id,
                         ($today - INTERVAL (c * 12) MONTH - INTERVAL (s * 20 + n.id % 20) DAY)::DATE AS start
                  FROM network n, range(10) r(c), range(15) q(s) WHERE n.kind <> 'alumni_network')""",
                    {"n": n, "today": today})
        cur.execute("""INSERT INTO membership (network_id, person_id, start_date, planned_end_date)
                       SELECT 1, person_id, actual_end_date, actual_end_date + INTERVAL 36 MONTH FROM membership
                       WHERE actual_end_date IS NOT NULL AND random() < 0.33""")
        cur.execute("""INSERT INTO waitlist_entry (network_id, person_id, joined_utc, status, status_utc)
                       SELECT 2 + (random() * ($k - 1))::BIGINT, id, created_utc, 'waiting', created_utc
                       FROM person WHERE random() < 0.05""", {"k": networks})
        cur.execute("""INSERT INTO offer (network_id, person_id, waitlist_entry_id, method, offered_utc, deadline_date,
                                         status)
                       SELECT network_id, arg_min(person_id, id), arg_min(id, id), 'waitlist', $now, $today, 'open'
                       FROM waitlist_entry GROUP BY network_id""", {"now": NOW, "today": today})
        return {"persons": n, "networks": networks,
                "memberships": cur.execute("SELECT count(*) FROM membership").fetchone()[0]}

    return store.write(work)


def screens(store: Store, network_id: int, other_id: int, municipality: str) -> dict:
    one = Filters(network_id, municipality, "12")
    return {
        "composition_all": lambda: composition_screen(store, COORDINATOR, Filters()),
        "composition_network": lambda: composition_screen(store, COORDINATOR, one),
        "targets": lambda: targets_screen(store, COORDINATOR),
        "over_time": lambda: over_time_screen(store, COORDINATOR, Filters(network_id), "gender"),
        "over_time_all": lambda: over_time_screen(store, COORDINATOR, Filters(), "origin"),
        "funnel": lambda: funnel_screen(store, COORDINATOR, Filters()),
        "compare": lambda: compare_screen(store, COORDINATOR, network_id, other_id),
    }


def baseline(store: Store) -> dict:
    """composition_all the straightforward way: every person read into Python and counted one by one."""
    as_of = clock.today()
    out = {}
    with store.read() as cur:
        k = cell_size(cur)
        for population in POPULATIONS:
            sql, params = population_query(population, None, as_of)
            ids = [r[0] for r in cur.execute(f"SELECT person_id FROM ({sql})", params).fetchall()]
            values = composition.person_values(cur, ids, as_of.year)
            counts = {dim: Counter() for dim in composition.DIMENSIONS}
            for person in values.values():
                for dim, vals in person.items():
                    counts[dim].update(vals)
            out[population] = {dim: suppression.suppress(list(c), list(c.values()), k) for dim, c in counts.items()}
    return out


def timed(fn, repeat: int) -> float:
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--with-1m", action="store_true", help="also run 1,000,000 persons (minutes to build)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "dashboards.json"))
    parser.add_argument("--workdir")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] + ([1_000_000] if args.with_1m else [])
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bench-dashboards-"))
    clock.freeze(NOW)
    results = []
    try:
        for n in sizes:
            path = workdir / f"dash-{n}.duckdb"
            path.unlink(missing_ok=True)
            store = Store(path)
            started = time.perf_counter()
            facts = build(store, n, args.seed)
            facts["build_s"] = round(time.perf_counter() - started, 1)
            with store.read() as cur:
                network_id, other_id = [r[0] for r in cur.execute(
                    "SELECT id FROM network WHERE kind <> 'alumni_network' ORDER BY id LIMIT 2").fetchall()]
            row = {**facts, "screens_ms": {}}
            clear_cache()
            started = time.perf_counter()       # the first screen after a change reads every counted person once
            with store.read() as cur:
                store_channels(cur, store.path, people(cur, store.path))
            row["cold_cache_ms"] = round((time.perf_counter() - started) * 1000, 1)
            for name, fn in screens(store, network_id, other_id, "Utrecht").items():
                row["screens_ms"][name] = round(timed(fn, args.repeat), 1)
            fewer = max(1, args.repeat // 2)
            row["baseline_composition_all_ms"] = round(timed(functools.partial(baseline, store), fewer), 1)
            row["ratio"] = round(row["baseline_composition_all_ms"] / row["screens_ms"]["composition_all"], 2)
            row["baseline_targets_ms"] = round(timed(functools.partial(targets_by_tally, store), fewer), 1)
            row["targets_ratio"] = round(row["baseline_targets_ms"] / row["screens_ms"]["targets"], 2)
            results.append(row)
            store.close()
            path.unlink(missing_ok=True)
            _print(row)
    finally:
        clock.freeze(None)
        shutil.rmtree(workdir, ignore_errors=True) if not args.workdir else None
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"benchmark": "dashboards", "python": platform.python_version(),
                               "cpus": os.cpu_count(), "repeat": args.repeat, "results": results}, indent=2))
    print(f"\nJSON: {out}")
    return 0


def _print(row: dict) -> None:
    print(f"\n{row['persons']:>9,} persons · {row['networks']} networks · {row['memberships']:,} memberships "
          f"(built in {row['build_s']} s)")
    print(f"  {'screen':<22}{'median ms':>10}")
    for name, ms in row["screens_ms"].items():
        print(f"  {name:<22}{ms:>10.1f}")
    print(f"  {'baseline (naive)':<22}{row['baseline_composition_all_ms']:>10.1f}   ratio {row['ratio']}x")
    print(f"  {'baseline targets':<22}{row['baseline_targets_ms']:>10.1f}   ratio {row['targets_ratio']}x "
          "(a composition.Tally per network)")
    print(f"  {'cold cache (once)':<22}{row['cold_cache_ms']:>10.1f}   after a change of persons or consents")


if __name__ == "__main__":
    raise SystemExit(main())
