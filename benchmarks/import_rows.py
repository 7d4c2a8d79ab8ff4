"""Importing a large file of persons: every row validated and checked for duplicates, then stored at once.

    python -m benchmarks.import_rows [--rows 100000] [--stored 20000] [--baseline-rows 500]
                                     [--out benchmarks/results/import_rows.json]

A temporary store holds `--stored` synthetic persons (crm_app.demo.people.synthetic_people, bulk-inserted,
name keys built). The file is a semicolon CSV with Dutch headers and `--rows` other synthetic persons in the
notations people type (national phone numbers with a country column, mixed case), 1% of them persons of the
store typed again and 1% rows repeated further down the file. Timed, in one run:
  check   crm_app.people.imports.batch.preview: read, map, validate every row, the file's duplicate check
          (stored persons and earlier rows, one query each); nothing stored
  import  batch.run: the same, then the accepted rows stored in one transaction (persons, sources,
          consents, name keys) with the audit event
  baseline  the entry-time check (dedupe.find_duplicates, one query per row, as a registration runs it)
          on `--baseline-rows` rows, extrapolated to the file: what checking row by row would cost.
Target: the import of 100,000 rows under 30 s.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from crm_app.access.audit import CLI_OPERATOR
from crm_app.core import clock
from crm_app.core.bulk import bulk_insert_persons
from crm_app.core.paths import ROOT
from crm_app.core.store import Store
from crm_app.demo.people import person_row, synthetic_people
from crm_app.people import dedupe
from crm_app.people.imports import batch
from crm_app.people.imports.rows import Defaults

TARGET_S = 30.0
AS_OF = dt.date(2026, 6, 1)
HEADER = ["Voornaam", "Achternaam", "Telefoon", "Landcode", "E-mail", "Taal", "Geboortejaar",
          "Toestemming contact", "Toestemming diversiteit"]


def build_store(path: Path, stored: int, rng: random.Random, taken: tuple[set, set]) -> tuple[Store, list[dict]]:
    store = Store(path)
    raws = list(synthetic_people(rng, stored, as_of=AS_OF, check_phones=False, taken_phones=taken[0],
                                 taken_emails=taken[1]))
    now = dt.datetime(2026, 1, 1)
    rows = [person_row(raw, created_utc=now, validate=False) for raw in raws]

    def load(cur):
        bulk_insert_persons(cur, rows)
        dedupe.refresh_name_keys(cur)
    store.write(load)
    return store, raws


def file_rows(n: int, rng: random.Random, stored: list[dict], taken: tuple[set, set]) -> bytes:
    raws = list(synthetic_people(rng, n, as_of=AS_OF, check_phones=True, taken_phones=taken[0],
                                 taken_emails=taken[1]))
    for index in rng.sample(range(n), n // 100):       # persons of the store typed again
        raws[index] = rng.choice(stored)
    for index in rng.sample(range(n // 2, n), n // 100):   # a row repeated further down
        raws[index] = raws[rng.randrange(n // 2)]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADER)
    for raw in raws:
        diversity = raw["consent_diversity_statistics"]
        writer.writerow([raw["given_name"], raw["family_name"] or "", raw["phone"] or "", raw["phone_country"],
                         raw["email"] or "", raw["preferred_language"] or "",
                         raw["birth_year"] if diversity and raw["birth_year"] else "",
                         "ja" if raw["consent_contact"] else "nee", "ja" if diversity else ""])
    return buffer.getvalue().encode("utf-8")


def baseline(store: Store, data: bytes, sample: int) -> dict:
    """The entry-time check, one query per row, on the first `sample` valid rows."""
    start = time.perf_counter()
    prepared = batch.prepare(store, CLI_OPERATOR, data, batch.Options(Defaults("partner_org", "Bench")))
    validate_s = time.perf_counter() - start
    rows = [prepared.checked[i] for i in sorted(prepared.checked)[:sample]]
    start = time.perf_counter()
    with store.read() as cur:
        for row in rows:
            dedupe.find_duplicates(cur, row.keys, row.person.dimensions["birth_year"])
    seconds = time.perf_counter() - start
    return {"validate_s": round(validate_s, 2), "rows": len(rows), "seconds": round(seconds, 3),
            "ms_per_row": round(1000 * seconds / len(rows), 2),
            "extrapolated_s": round(seconds / len(rows) * len(prepared.sheet.rows), 1)}


def run(rows: int, stored: int, baseline_rows: int, seed: int, workdir: Path) -> dict:
    rng = random.Random(seed)
    taken: tuple[set, set] = (set(), set())
    clock.freeze(dt.datetime.combine(AS_OF, dt.time(10)))
    try:
        store, stored_raws = build_store(workdir / "import.duckdb", stored, rng, taken)
        data = file_rows(rows, rng, stored_raws, taken)
        options = batch.Options(Defaults("partner_org", "Bench"))
        try:
            start = time.perf_counter()
            checked = batch.preview(store, CLI_OPERATOR, data, options)
            check_s = time.perf_counter() - start
            start = time.perf_counter()
            imported = batch.run(store, CLI_OPERATOR, data, options)
            import_s = time.perf_counter() - start
            base = baseline(store, data, baseline_rows)
        finally:
            store.close()
    finally:
        clock.freeze(None)
    counts = {status: imported.count(status) for status in batch.STATUSES}
    assert counts == {status: checked.count(status) for status in batch.STATUSES}
    return {"rows": rows, "stored": stored, "file_mb": round(len(data) / 1e6, 1), "counts": counts,
            "check_s": round(check_s, 2), "import_s": round(import_s, 2),
            "rows_per_s": round(rows / import_s), "target_s": TARGET_S, "met": import_s < TARGET_S,
            "baseline_row_by_row": base, "load_average_after": os.getloadavg()[0]}


def table(result: dict) -> str:
    base = result["baseline_row_by_row"]
    lines = [("step", "rows", "seconds", "rows/s", "target"),
             ("check (no store)", f"{result['rows']:,}", f"{result['check_s']:.1f}",
              f"{result['rows'] / result['check_s']:,.0f}", ""),
             ("import", f"{result['rows']:,}", f"{result['import_s']:.1f}", f"{result['rows_per_s']:,}",
              f"< {TARGET_S:.0f} s: {'met' if result['met'] else 'NOT met'}"),
             ("baseline: entry check per row", f"{result['rows']:,}", f"~{base['extrapolated_s']:.0f}",
              f"{1000 / base['ms_per_row']:,.0f}", f"({base['rows']} rows measured)"),
             ("of which read + validate", f"{result['rows']:,}", f"{base['validate_s']:.1f}", "", "")]
    widths = [max(len(row[i]) for row in lines) for i in range(5)]
    out = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in lines]
    out.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(out) + (f"\n\noutcome per row: {result['counts']}; load average {result['load_average_after']:.1f} "
                              f"on {os.cpu_count()} cores")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.import_rows", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--stored", type=int, default=20_000, help="persons already in the store")
    parser.add_argument("--baseline-rows", type=int, default=500)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "import_rows.json"))
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="crm_bench_import_"))
    try:
        result = run(args.rows, args.stored, args.baseline_rows, args.seed, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = {"benchmark": "import_rows", "generated_utc": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
              "machine": {"python": platform.python_version(), "duckdb": duckdb.__version__, "cpus": os.cpu_count(),
                          "platform": platform.platform()}, "seed": args.seed, "result": result}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(table(result))
    print(f"\nJSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
