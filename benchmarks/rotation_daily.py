"""How long the daily rotation takes for 1,000 networks of 15 places with 10 years of history.

    python -m benchmarks.rotation_daily [--networks 1000] [--places 15] [--years 10] [--days 20]
                                        [--out benchmarks/results/rotation_daily.json] [--workdir DIR]

A temporary store (migrated by crm_app.core.store.Store) gets NETWORKS sounding boards of PLACES places
(12-month terms, at most 2 in a row, 12 months' rest) and one alumni network per 100 boards. Every
place has been held for YEARS years: one person after another, each for one term or two (renewed),
half of those leaving moving to the alumni network; so ~15 memberships per place, their renewal and
alumni decisions, and one person per membership with contact consent. The terms of the places are
staggered over the year, so some end every day. The history up to the day before the run is
processed once (not timed); then DAYS consecutive days are processed — each a new day with real
work: renewals proposed 60 days ahead, terms renewed or ended on their end day, members moved to
the alumni network, places opened — timed with crm_app.networks.rotation.process (what the app's daily upkeep
and `crm rotate --apply` run): median and p95 in ms.

Beside it, in the same run, on a copy of the same store and for the same days:
  - baseline (the first --baseline-days days only: it is slow): the straightforward daily loop: for every network,
    read its current members, and for every member read their decision row and decide in Python (a query per network
    and per member), applying the same changes with the same helpers. Both must leave the same memberships behind.
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

import pyarrow as pa

from crm_app.core import clock, settings
from crm_app.core.clock import add_months
from crm_app.core.paths import ROOT
from crm_app.core.store import Store
from crm_app.networks import alumni, rotation

NOW = dt.datetime(2026, 6, 1, 10, 0)       # naive UTC: the first processed day is 01-06-2026
TERM, MAX_TERMS, REST = 12, 2, 12

_MEMBERSHIP = (("id", pa.int64()), ("network_id", pa.int64()), ("person_id", pa.int64()),
               ("start_date", pa.date32()), ("planned_end_date", pa.date32()), ("actual_end_date", pa.date32()),
               ("end_reason", pa.string()), ("term_number", pa.int32()))
_DECISION = (("membership_id", pa.int64()), ("network_id", pa.int64()), ("person_id", pa.int64()),
             ("renewal", pa.string()), ("alumni_choice", pa.string()), ("outcome", pa.string()))


def build_store(path: Path, n_networks: int, places: int, years: int, seed: int) -> tuple[Store, dict]:
    started = time.perf_counter()
    rng = random.Random(seed)
    clock.freeze(NOW - dt.timedelta(days=1))
    store = Store(path)
    first_day = add_months(NOW.date(), -12 * years)
    n_alumni = max(1, n_networks // 100)

    def networks_sql(cur):
        now = clock.utcnow()
        for a in range(n_alumni):
            cur.execute("INSERT INTO network (id, name, kind, min_places, max_places, term_months, "
                        "max_consecutive_terms, rest_months, created_utc) VALUES (?, ?, 'alumni_network', 0, 500, "
                        "36, 1, 0, ?)", [a + 1, f"Alumni {a + 1}", now])
        for n in range(n_networks):
            cur.execute("INSERT INTO network (id, name, kind, min_places, max_places, term_months, "
                        "max_consecutive_terms, rest_months, alumni_network_id, created_utc) VALUES "
                        "(?, ?, 'sounding_board', 0, ?, ?, ?, ?, ?, ?)",
                        [n_alumni + n + 1, f"Netwerk {n + 1}", places, TERM, MAX_TERMS, REST, n % n_alumni + 1, now])

    store.write(networks_sql)
    memberships, decisions = [], []
    next_id = 1
    alumni_left: dict[int, list[tuple[int, dt.date]]] = {}
    for n in range(n_networks):
        network_id = n_alumni + n + 1
        alumni_id = n % n_alumni + 1
        for _seat in range(places):
            start = first_day + dt.timedelta(days=rng.randrange(365))
            while True:
                terms = 2 if rng.random() < 0.5 else 1
                person_id = next_id
                for term in range(1, terms + 1):
                    end = add_months(start, TERM)
                    current = end > NOW.date() - dt.timedelta(days=1)
                    mid = next_id
                    next_id += 1
                    if current:
                        memberships.append((mid, network_id, person_id, start, end, None, None, term))
                        if term < MAX_TERMS and end <= NOW.date() + dt.timedelta(days=59):
                            decisions.append((mid, network_id, person_id, "proposed", None, None))
                        break
                    last = term == terms
                    moved = last and rng.random() < 0.5
                    memberships.append((mid, network_id, person_id, start, end, end,
                                        "moved_to_alumni" if moved else "term_completed", term))
                    decisions.append((mid, network_id, person_id,
                                      ("confirmed" if not last else "declined") if term < MAX_TERMS else None,
                                      "yes" if moved else None,
                                      "renewed" if not last else ("moved_to_alumni" if moved else "ended")))
                    if moved:
                        alumni_left.setdefault(alumni_id, []).append((person_id, end))
                    start = end
                else:
                    start = start + dt.timedelta(days=rng.randrange(0, 20))
                    continue
                break
    # alumni memberships (36 months) of those who moved
    for alumni_id, rows in alumni_left.items():
        for person_id, end in rows:
            alumni_end = add_months(end, 36)
            memberships.append((next_id, alumni_id, person_id, end, alumni_end,
                                alumni_end if alumni_end < NOW.date() else None,
                                "term_completed" if alumni_end < NOW.date() else None, 1))
            next_id += 1
    persons = max(m[2] for m in memberships)
    # half of the current members in their last term agreed to join the alumni network
    for m in memberships:
        if m[5] is None and m[7] == MAX_TERMS and rng.random() < 0.5:
            decisions.append((m[0], m[1], m[2], None, "yes", None))

    def load(cur):
        now = clock.utcnow()
        cur.execute("INSERT INTO person (id, given_name, family_name, given_key, family_key, name_block, created_utc, "
                    "updated_utc) SELECT i, 'Persoon', 'Test', 'persoon', 'test', 'prsn|tst', ?, ? "
                    "FROM range(1, ?) t(i)", [now, now, persons + 1])
        cur.execute("INSERT INTO consent (person_id, purpose, granted, method, text_version, recorded_utc) "
                    "SELECT i, 'contact', TRUE, 'verbal', '2026-11', ? FROM range(1, ?) t(i)", [now, persons + 1])
        _bulk(cur, "membership", _MEMBERSHIP, memberships)
        _bulk(cur, "membership_decision", _DECISION, decisions)
        cur.execute("INSERT INTO rotation_run VALUES (?, ?, 0, 0, 0, 0)",
                    [NOW.date() - dt.timedelta(days=1), now])

    store.write(load)
    # membership and person ids continue after the loaded ones
    _advance_sequence(store, "person_id_seq", persons + 1)
    _advance_sequence(store, "membership_id_seq", next_id)
    store.write(lambda cur: cur.execute("CHECKPOINT"))
    with store.read() as cur:
        rows = cur.execute("SELECT count(*), count(*) FILTER (WHERE actual_end_date IS NULL) FROM membership").fetchone()
    return store, {"memberships": rows[0], "current": rows[1], "persons": persons, "decisions": len(decisions),
                   "seconds": round(time.perf_counter() - started, 1)}


def _bulk(cur, table: str, columns, rows: list[tuple]) -> None:
    """Rows into one of the two tables above through Arrow (fixed table and column names)."""
    names = [name for name, _ in columns]
    arrow = pa.table({name: pa.array([r[i] for r in rows], type=kind) for i, (name, kind) in enumerate(columns)})
    cur.register("_bulk_rows", arrow)
    try:
        sql = {"membership": "INSERT INTO membership ({c}) SELECT {c} FROM _bulk_rows",
               "membership_decision": "INSERT INTO membership_decision ({c}) SELECT {c} FROM _bulk_rows"}[table]
        cur.execute(sql.format(c=", ".join(names)))
    finally:
        cur.unregister("_bulk_rows")


def _advance_sequence(store, name: str, past: int) -> None:
    def work(cur):
        value = cur.execute(f"SELECT nextval('{name}')").fetchone()[0]
        if value < past:
            cur.execute(f"SELECT max(nextval('{name}')) FROM range(?)", [past - value])
    store.write(work)


# -- the baseline: every network, every member --------------------------------------------------------
def baseline_process(store, as_of: dt.date) -> int:
    """The same rules, found the straightforward way: a query per network and per member."""
    def work(cur):
        notice = settings.get(cur, "renewal_notice_days")
        grace = settings.get(cur, "renewal_grace_days")
        plan = rotation.DayPlan(as_of)
        for (network_id,) in cur.execute("SELECT id FROM network ORDER BY id").fetchall():
            term_months, max_terms, alumni_id = cur.execute(
                "SELECT term_months, max_consecutive_terms, alumni_network_id FROM network WHERE id = ?",
                [network_id]).fetchone()
            for mid, pid, start, end, term in cur.execute(
                    "SELECT id, person_id, start_date, planned_end_date, term_number FROM membership "
                    "WHERE network_id = ? AND actual_end_date IS NULL ORDER BY planned_end_date, id",
                    [network_id]).fetchall():
                row = cur.execute("SELECT renewal, alumni_choice FROM membership_decision WHERE membership_id = ?",
                                  [mid]).fetchone()
                renewal, choice = row if row else (None, None)
                due = rotation.Due(mid, network_id, pid, start, end, term, term_months, max_terms, alumni_id,
                                   renewal, choice)
                if end > as_of:
                    if end <= as_of + dt.timedelta(days=notice) and due.terms_left and row is None:
                        plan.propose.append(due)
                elif renewal == "confirmed" and due.terms_left:
                    plan.renew.append(due)
                elif due.terms_left and renewal != "declined" and as_of <= end + dt.timedelta(days=grace):
                    if renewal is None:
                        plan.propose.append(due)
                else:
                    plan.end.append(due)
        plan.alumni_periods = alumni.periods_due(cur, as_of)
        counts = {"renewed": 0, "ended": 0, "moved": 0, "proposed": 0, "alumni_periods": 0}
        rotation._apply(cur, plan, rotation.SYSTEM, counts)
        cur.execute("INSERT INTO rotation_run VALUES (?, ?, ?, ?, ?, ?)",
                    [as_of, clock.utcnow(), counts["renewed"], counts["ended"], counts["moved"], counts["proposed"]])
        return sum(counts.values())

    return store.write(work)


def state(store) -> list:
    with store.read() as cur:
        return cur.execute("SELECT network_id, person_id, start_date, planned_end_date, actual_end_date, end_reason, "
                           "term_number FROM membership ORDER BY ALL").fetchall()


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def run(args) -> dict:
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bench-rotation-"))
    workdir.mkdir(parents=True, exist_ok=True)
    path_a, path_b = workdir / "ours.duckdb", workdir / "baseline.duckdb"
    for p in (path_a, path_b):
        p.unlink(missing_ok=True)
    print(f"building {args.networks:,} networks × {args.places} places × {args.years} years …", file=sys.stderr,
          flush=True)
    store, built = build_store(path_a, args.networks, args.places, args.years, args.seed)
    store.close()
    shutil.copyfile(path_a, path_b)
    results = {}
    for name, fn, days in (("ours", lambda s, d: rotation.process(s, d)["changes"], args.days),
                           ("baseline", baseline_process, min(args.baseline_days, args.days))):
        the_store = Store(path_a if name == "ours" else path_b)
        wall, cpu, changes = [], [], []
        try:
            for i in range(days):
                day = NOW.date() + dt.timedelta(days=i)
                clock.freeze(dt.datetime.combine(day, dt.time(10, 0)))
                t0, c0 = time.perf_counter(), time.process_time()
                changes.append(fn(the_store, day))
                wall.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                if i + 1 == min(args.baseline_days, args.days):
                    results.setdefault("states", {})[name] = state(the_store)
            results[name] = {"days": days, "median_ms": round(statistics.median(wall), 1),
                             "p95_ms": round(_p95(wall), 1), "cpu_median_ms": round(statistics.median(cpu), 1),
                             "changes_per_day_median": statistics.median(changes), "changes_total": sum(changes)}
        finally:
            the_store.close()
    same = results["states"]["ours"] == results["states"]["baseline"]
    ratio = results["baseline"]["median_ms"] / max(results["ours"]["median_ms"], 0.001)
    clock.freeze(None)
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return {"store": built, "ours": results["ours"], "baseline": results["baseline"], "same_result": same,
            "speedup_median": round(ratio, 1)}


def table(report: dict) -> str:
    b = report["store"]
    lines = [f"store: {report['networks']:,} networks × {report['places']} places, {report['years']} years: "
             f"{b['memberships']:,} memberships ({b['current']:,} current), {b['persons']:,} persons "
             f"(built in {b['seconds']} s)",
             f"{'method':<16} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>8} {'changes/day':>12}"]
    for name in ("ours", "baseline"):
        r = report[name]
        lines.append(f"{name + ' (' + str(r['days']) + ' d)':<16} {r['median_ms']:>10} {r['p95_ms']:>8} "
                     f"{r['cpu_median_ms']:>8} {r['changes_per_day_median']:>12}")
    lines.append(f"baseline / ours (median): {report['speedup_median']}×; same memberships afterwards: "
                 f"{report['same_result']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rotation_daily", description=__doc__.split("\n")[0])
    parser.add_argument("--networks", type=int, default=1000)
    parser.add_argument("--places", type=int, default=15)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--days", type=int, default=20, help="consecutive days processed and timed")
    parser.add_argument("--baseline-days", type=int, default=3, help="days the (slow) baseline processes")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "rotation_daily.json"))
    parser.add_argument("--workdir")
    args = parser.parse_args(argv)
    result = run(args)
    report = {"benchmark": "rotation_daily", "networks": args.networks, "places": args.places, "years": args.years,
              "days": args.days, "seed": args.seed, "python": platform.python_version(), "cpus": os.cpu_count(),
              **result}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    print(table(report))
    print(f"\nwrote {out}")
    return 0 if result["same_result"] else 1


if __name__ == "__main__":
    sys.exit(main())
