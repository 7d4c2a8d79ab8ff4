"""How long erasing one person takes (delete in every table + compaction into a fresh file), by store size.

    python -m benchmarks.erasure_compaction [--sizes 2000,20000,100000] [--repeat 3] [--seed 2026]
                                            [--out benchmarks/results/erasure_compaction.json] [--workdir DIR]

For each size a temporary store (migrated by crm_app.core.store.Store) gets SIZE synthetic persons from
crm_app.demo.people.synthetic_people (bulk-inserted through Arrow) with two consents each, one source and
one contact moment each. Then, --repeat times, one person is erased through crm_app.privacy.erasure.erase
(what `crm erase` and the Privacy screen call) and timed: total, and the compaction part. Beside it,
in the same run, on the same file:
  - copy:   a plain file copy of the store (shutil.copyfile): the I/O floor of any rewrite;
  - vacuum: DELETE of one person's rows + CHECKPOINT + VACUUM — the cheap way that does NOT remove
            the values from the file (checked: the erased person's email is still in the bytes).
Reported: the ratio erase / copy, file size before and after, and whether the erased person's email
is in the file's bytes after each method. It prints a table and writes the JSON.
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

from crm_app.access.audit import Actor
from crm_app.core import clock, reference
from crm_app.core.bulk import bulk_insert_persons, insert_arrow
from crm_app.core.paths import ROOT
from crm_app.core.store import Store
from crm_app.demo.people import person_row, synthetic_people
from crm_app.privacy import erasure

NOW = dt.datetime(2026, 6, 1, 10, 0)
ADMIN = Actor(user_id=None, role="admin", origin="cli")
_CONSENT = (("person_id", pa.int64()), ("purpose", pa.string()), ("granted", pa.bool_()), ("method", pa.string()),
            ("text_version", pa.string()), ("recorded_utc", pa.timestamp("us")), ("recorded_by", pa.int64()))
_SOURCE = (("person_id", pa.int64()), ("kind", pa.string()), ("source_name", pa.string()),
           ("recorded_utc", pa.timestamp("us")))
_ACTIVITY = (("person_id", pa.int64()), ("kind", pa.string()), ("summary", pa.string()),
             ("occurred_utc", pa.timestamp("us")))


def build(path: Path, size: int, seed: int) -> tuple[Store, list[int], dict[int, str]]:
    rng = random.Random(seed + size)
    raws = []
    phones, emails = set(), set()
    while len(raws) < size:
        raws.extend(synthetic_people(rng, min(size - len(raws), 5000), as_of=NOW.date(), check_phones=False,
                                     taken_phones=phones, taken_emails=emails))
    rows = [person_row(raw, created_utc=NOW - dt.timedelta(days=400), validate=False) for raw in raws[:size]]
    store = Store(path)

    def load(cur):
        ids = bulk_insert_persons(cur, rows)
        when = NOW - dt.timedelta(days=400)
        insert_arrow(cur, "consent", _CONSENT, [
            {"person_id": pid, "purpose": purpose, "granted": True, "method": "verbal",
             "text_version": reference.CONSENT_TEXT_VERSION, "recorded_utc": when, "recorded_by": None}
            for pid in ids for purpose in ("contact", "diversity_statistics")])
        insert_arrow(cur, "person_source", _SOURCE, [
            {"person_id": pid, "kind": "market", "source_name": "Markt Oost", "recorded_utc": when} for pid in ids])
        insert_arrow(cur, "activity", _ACTIVITY, [
            {"person_id": pid, "kind": "call", "summary": f"gesprek over de klankbordgroep {pid}", "occurred_utc": when}
            for pid in ids])
        return ids

    ids = store.write(load)
    with store.read() as cur:
        cur.execute("CHECKPOINT")
        with_email = dict(cur.execute("SELECT id, email FROM person WHERE email IS NOT NULL").fetchall())
    return store, ids, with_email


def in_file(path: Path, needle: str) -> bool:
    data = path.read_bytes()
    wal = path.with_name(path.name + ".wal")
    return needle.encode() in data or (wal.exists() and needle.encode() in wal.read_bytes())


def run_size(size: int, repeat: int, seed: int, workdir: Path) -> dict:
    path = workdir / f"erase_{size}.duckdb"
    started = time.perf_counter()
    store, ids, emails = build(path, size, seed)
    result = {"size": size, "build_seconds": round(time.perf_counter() - started, 2),
              "bytes_before": path.stat().st_size}
    victims = [pid for pid in ids if pid in emails][: 2 * repeat]
    try:
        copies = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            shutil.copyfile(path, workdir / "copy.duckdb")
            copies.append(time.perf_counter() - t0)
            (workdir / "copy.duckdb").unlink()

        vacuums, vacuum_leaves = [], []
        for pid in victims[repeat:]:
            def delete(cur, pid=pid):
                for key in erasure.PERSON_COLUMNS:
                    cur.execute(erasure._SQL[key], [pid])
            t0 = time.perf_counter()
            store.write(delete)
            with store.read() as cur:
                cur.execute("CHECKPOINT")
                cur.execute("VACUUM")
            vacuums.append(time.perf_counter() - t0)
            vacuum_leaves.append(in_file(path, emails[pid]))

        totals, compactions, erase_leaves = [], [], []
        for pid in victims[:repeat]:
            t0 = time.perf_counter()
            done = erasure.erase(store, ADMIN, pid)
            totals.append(time.perf_counter() - t0)
            compactions.append(done.compaction_seconds)
            erase_leaves.append(in_file(path, emails[pid]))
        result.update({
            "copy_median_s": round(statistics.median(copies), 3),
            "vacuum_median_s": round(statistics.median(vacuums), 3),
            "erase_median_s": round(statistics.median(totals), 3),
            "compaction_median_s": round(statistics.median(compactions), 3),
            "ratio_erase_over_copy": round(statistics.median(totals) / statistics.median(copies), 1),
            "email_left_in_file_after_vacuum": any(vacuum_leaves),
            "email_left_in_file_after_erase": any(erase_leaves),
            "bytes_after": path.stat().st_size,
            "load_average": round(os.getloadavg()[0], 2),
        })
        return result
    finally:
        store.close()
        for item in path.parent.glob(path.name + "*"):
            item.unlink(missing_ok=True)


def table(results: list[dict]) -> str:
    head = ("persons", "MB", "erase med s", "of which compaction", "file copy s", "erase/copy", "delete+vacuum s",
            "value left (vacuum)", "value left (erase)", "load avg")
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for r in results:
        lines.append(" | ".join(str(v) for v in (
            f"{r['size']:,}", round(r["bytes_before"] / 1e6, 1), r["erase_median_s"], r["compaction_median_s"],
            r["copy_median_s"], f"{r['ratio_erase_over_copy']}×", r["vacuum_median_s"],
            "yes" if r["email_left_in_file_after_vacuum"] else "no",
            "YES" if r["email_left_in_file_after_erase"] else "no", r["load_average"])))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.erasure_compaction", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2000,20000,100000", help="persons per store, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "erasure_compaction.json"))
    parser.add_argument("--workdir", help="where the temporary stores go (default: a temporary folder)")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes: whole numbers, comma-separated")
    if not sizes or min(sizes) < 10 or args.repeat < 1:
        parser.error("--sizes (at least 10) and --repeat must be positive")
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="erase-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    clock.freeze(NOW)
    results = []
    try:
        for size in sizes:
            print(f"store of {size:,} persons …", file=sys.stderr, flush=True)
            results.append(run_size(size, args.repeat, args.seed, workdir))
    finally:
        clock.freeze(None)
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    report = {"benchmark": "erasure_compaction",
              "when_utc": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
              "machine": {"python": platform.python_version(), "cpus": os.cpu_count()}, "results": results}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(table(results))
    print(f"\nwrote {out}")
    return 0 if not any(r["email_left_in_file_after_erase"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
