"""How long a fill proposal takes for a network with a long waiting list and eight targets.

    python -m benchmarks.fill_proposal [--sizes 100,1000,10000] [--repeat 20] [--seed 2026]
                                       [--out benchmarks/results/fill_proposal.json] [--workdir DIR]

For each size a temporary store (migrated by crm_app.core.store.Store) gets:
  - one 15-place sounding board with eight composition targets (share of women, distinct
    countries of origin, at most 4 per municipality, education band, age band, language,
    integration route, years in the Netherlands) — saved through crm_app.networks.registry.save;
  - 10 members, seated through the services (waiting list → offer → accept): 5 places are open;
  - a waiting list of SIZE synthetic persons from crm_app.demo.people.synthetic_people, all with the
    diversity-statistics (and contact) consent, bulk-inserted through Arrow, joined over 3 years.
Then crm_app.networks.selection.propose — what the fill screen and `crm fill` call — is timed for the
`quota` and `waitlist` methods (wall and CPU time, median and p95 over --repeat runs after a
warm-up), and beside it, in the same run:
  - baseline: the same greedy quota rule done the straightforward way: the same query, every
              candidate read into a Python object with its values (composition.ValueReader), and
              every candidate weighed for every open place with Tally.level_with — no grouping by
              what the targets see, no arrays. Its proposal must equal quota's.
Also reported: how many distinct "looks" the eight targets have (what quota weighs per step).
It prints a table and writes the JSON.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa

from crm_app.access.audit import Actor
from crm_app.core import clock, reference
from crm_app.core.bulk import bulk_insert_persons, insert_arrow
from crm_app.core.paths import ROOT
from crm_app.core.store import Store
from crm_app.demo.people import person_row, synthetic_people
from crm_app.networks import composition, offers, registry, selection, waitlists
from crm_app.networks.composition import Tally, Target
from crm_app.networks.registry import NetworkInput, TargetInput
from crm_app.people import dedupe

NOW = dt.datetime(2026, 6, 1, 10, 0)           # naive UTC; the clock is frozen here for the whole run
MANAGER = Actor(user_id=None, role="program_manager", origin="cli")
PLACES, MEMBERS = 15, 10
WARMUP = 3
TARGETS = (
    TargetInput("gender", "woman", "share", "40%", None),            # share of women
    TargetInput("country_of_origin", None, "distinct", "4", None),   # distinct countries
    TargetInput("municipality", None, "count", None, "4"),           # at most 4 per municipality
    TargetInput("education_band", "high", "count", "3", None),       # education band
    TargetInput("age_band", None, "count", None, "6"),               # at most 6 per 10-year age band
    TargetInput("language", "nld", "count", "2", None),              # speaks Dutch
    TargetInput("integration_route", "z_route", "count", None, "3"),  # integration route
    TargetInput("years_in_nl", "0-2", "count", "2", None),           # recently arrived
)
_CONSENT_COLUMNS = (("person_id", pa.int64()), ("purpose", pa.string()), ("granted", pa.bool_()),
                    ("method", pa.string()), ("text_version", pa.string()), ("recorded_utc", pa.timestamp("us")),
                    ("recorded_by", pa.int64()))
_ENTRY_COLUMNS = (("network_id", pa.int64()), ("person_id", pa.int64()), ("joined_utc", pa.timestamp("us")),
                  ("status", pa.string()), ("status_utc", pa.timestamp("us")), ("last_check_utc", pa.timestamp("us")))


# -- the store ---------------------------------------------------------------------------------------
def synthetic(rng: random.Random, n: int) -> list[dict]:
    """n synthetic persons who gave the diversity-statistics consent (and so carry their dimensions)."""
    people: list[dict] = []
    phones: set = set()
    emails: set = set()
    while len(people) < n:
        batch = synthetic_people(rng, max(n - len(people), 50) * 5 // 4, as_of=NOW.date(), check_phones=False,
                                 taken_phones=phones, taken_emails=emails)
        people.extend(raw for raw in batch if raw["consent_diversity_statistics"])
    return people[:n]


def build_store(path: Path, size: int, seed: int) -> tuple[Store, int, dict]:
    started = time.perf_counter()
    rng = random.Random(seed + size)
    store = Store(path)
    raws = synthetic(rng, MEMBERS + size)
    rows = [person_row(raw, created_utc=NOW - dt.timedelta(days=1200), validate=False) for raw in raws]

    def load(cur):
        ids = bulk_insert_persons(cur, rows)
        dedupe.refresh_name_keys(cur, ids)   # the duplicate check's keys, as every registration writes
        consent_rows = [{"person_id": pid, "purpose": purpose, "granted": True, "method": "verbal",
                         "text_version": reference.CONSENT_TEXT_VERSION, "recorded_utc": NOW - dt.timedelta(days=1200),
                         "recorded_by": None}
                        for pid in ids for purpose in ("contact", "diversity_statistics")]
        insert_arrow(cur, "consent", _CONSENT_COLUMNS, consent_rows)
        return ids

    ids = store.write(load)
    network_id = registry.save(store, MANAGER, NetworkInput("Klankbordgroep De Stem", "sounding_board", PLACES, PLACES),
                               list(TARGETS))
    member_ids, waiting_ids = ids[:MEMBERS], ids[MEMBERS:]
    entries = [waitlists.add(store, MANAGER, network_id, pid) for pid in member_ids]
    for offer_id in offers.make(store, MANAGER, network_id, entries, "waitlist"):
        offers.respond(store, MANAGER, offer_id, "accept")

    span = 3 * 365 * 24 * 3600                      # joined over the last three years, in this order
    joined = sorted(NOW - dt.timedelta(seconds=rng.randrange(span)) for _ in waiting_ids)
    entry_rows = [{"network_id": network_id, "person_id": pid, "joined_utc": when, "status": "waiting",
                   "status_utc": when, "last_check_utc": NOW - dt.timedelta(days=rng.randrange(150))}
                  for pid, when in zip(waiting_ids, joined)]
    store.write(lambda cur: insert_arrow(cur, "waitlist_entry", _ENTRY_COLUMNS, entry_rows))
    store.write(lambda cur: cur.execute("CHECKPOINT"))
    return store, network_id, {"persons": len(ids), "waiting": len(waiting_ids), "members": len(member_ids),
                               "seconds": round(time.perf_counter() - started, 2)}


# -- the baseline: the same rule, person by person ----------------------------------------------------
def read_person_by_person(store, network_id: int):
    """The straightforward read: every candidate a Python object with its values (as
    composition.ValueReader reads a person), plus the network, its open places and its tally."""
    today = clock.today()
    with store.read() as cur:
        network = registry.load(cur, network_id)
        open_places = network.max_places - registry.places_taken(cur, network_id)
        rows = cur.execute(selection._CANDIDATES_SQL, {"network": network_id, "limit": None}).fetchall()
        tally = selection.current_tally(cur, network_id, today)
    read = composition.ValueReader(today.year)
    candidates = [
        selection.Candidate(entry_id, pid, given, family, index + 1, (today - joined.date()).days,
                            read(gender, birth, country, None, languages.split(",") if languages else None,
                                 education, municipality, district, arrival, route) if consented else {})
        for index, (entry_id, pid, given, family, joined, consented, gender, birth, country, education,
                    municipality, district, arrival, route, languages) in enumerate(rows)]
    return network, open_places, candidates, tally


def naive_quota(candidates: list, wanted: int, targets: list[Target], places: int, tally: Tally) -> list:
    """Greedy quota weighing every remaining candidate for every open place (no looks, no arrays)."""
    bounds = [t.bounds(places) for t in targets]
    remaining, chosen = list(candidates), []
    while len(chosen) < wanted:
        levels = [tally.level(t) for t in targets]
        short = [i for i, (low, _) in enumerate(bounds) if low is not None and levels[i] < low]
        best, best_gain = None, -1
        for candidate in remaining:
            if any(high is not None and tally.level_with(t, candidate.values) > max(high, level)
                   for t, (_, high), level in zip(targets, bounds, levels)):
                continue
            gain = sum(1 for i in short if tally.level_with(targets[i], candidate.values) > levels[i])
            if gain > best_gain:
                best, best_gain = candidate, gain
        if best is None:
            break
        chosen.append(best)
        tally.add(best.values)
        remaining.remove(best)
    return chosen


def baseline(store, network_id: int) -> list[int]:
    network, open_places, candidates, tally = read_person_by_person(store, network_id)
    return [c.entry_id for c in naive_quota(candidates, open_places, network.targets, network.max_places, tally)]


def ours(store, network_id: int, method: str) -> list[int]:
    plan = selection.propose(store, MANAGER, network_id, None, method)
    return [p.candidate.entry_id for p in plan.proposals]


# -- timing -------------------------------------------------------------------------------------------
def timed(repeat: int, fn, *args) -> tuple[dict, object]:
    for _ in range(WARMUP):
        result = fn(*args)
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn(*args)
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    return {"n": repeat, "median_ms": round(statistics.median(walls), 2), "p95_ms": round(_p95(walls), 2),
            "cpu_median_ms": round(statistics.median(cpus), 2), "cpu_p95_ms": round(_p95(cpus), 2)}, result


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def run_size(size: int, repeat: int, seed: int, workdir: Path) -> dict:
    path = workdir / f"fill_{size}.duckdb"
    load_before = os.getloadavg()[0]
    store, network_id, build = build_store(path, size, seed)
    try:
        result = {"size": size, "build": build}
        with store.read() as cur:
            network = registry.load(cur, network_id)
            pool = selection.load_pool(cur, network_id, clock.today())
            result["open_places"] = network.max_places - registry.places_taken(cur, network_id)
        result["candidates"] = pool.size
        # what the targets see: distinct looks per target (what quota weighs per step, instead of persons)
        result["looks_per_target"] = [len(pool.looks(t)[1]) for t in network.targets]
        result["quota"], quota_ids = timed(repeat, ours, store, network_id, "quota")
        result["waitlist"], waitlist_ids = timed(repeat, ours, store, network_id, "waitlist")
        result["baseline"], baseline_ids = timed(max(3, repeat // 4) if size >= 10_000 else repeat,
                                                 baseline, store, network_id)
        result["proposal_quota"] = quota_ids
        result["proposal_waitlist"] = waitlist_ids
        result["baseline_same_proposal"] = baseline_ids == quota_ids
        result["ratio_baseline_over_quota"] = round(result["baseline"]["median_ms"] / result["quota"]["median_ms"], 1)
        result["load_average"] = {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)}
        return result
    finally:
        store.close()
        for suffix in ("", ".wal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def table(results: list[dict]) -> str:
    head = ("waiting", "looks", "quota med", "quota p95", "waitlist med", "waitlist p95",
            "baseline med", "baseline p95", "baseline/quota", "same", "load avg")
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for r in results:
        lines.append(" | ".join(str(v) for v in (
            f"{r['size']:,}", sum(r["looks_per_target"]), r["quota"]["median_ms"],
            r["quota"]["p95_ms"], r["waitlist"]["median_ms"], r["waitlist"]["p95_ms"], r["baseline"]["median_ms"],
            r["baseline"]["p95_ms"], f"{r['ratio_baseline_over_quota']}×", "yes" if r["baseline_same_proposal"] else "NO",
            r["load_average"]["after"])))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fill_proposal", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="waiting-list lengths, comma-separated")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per method and size (after a warm-up)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "fill_proposal.json"))
    parser.add_argument("--workdir", help="where the temporary stores go (default: a temporary folder)")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes: whole numbers, comma-separated")
    if not sizes or min(sizes) < 1 or args.repeat < 1:
        parser.error("--sizes and --repeat must be positive")

    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="fill-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    clock.freeze(NOW)
    results = []
    try:
        for size in sizes:
            print(f"waiting list of {size:,} …", file=sys.stderr, flush=True)
            results.append(run_size(size, args.repeat, args.seed, workdir))
    finally:
        clock.freeze(None)
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)

    report = {
        "benchmark": "fill_proposal", "when_utc": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "duckdb": duckdb.__version__, "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "network": {"places": PLACES, "members": MEMBERS,
                    "targets": [f"{t.dimension}{'=' + t.dim_value if t.dim_value else ''} {t.measure} "
                                f"min={t.min_value} max={t.max_value}" for t in TARGETS]},
        "repeat": args.repeat, "seed": args.seed, "target_ms_at_10000": 200, "results": results,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(table(results))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
