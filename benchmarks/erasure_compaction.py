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
is in the file's bytes after each method.

Then the wait another session sees: a second thread reads through the same Store (as another user's
page does: a short query per unit of work, back to back) while one person is erased, and the longest
single read is reported, twice: erasing with the compaction at once (`crm erase`, and the app until the
compaction was deferred) and erasing as the app's Privacy screen now does (rows at once, compaction left
pending for the night or the admin's "Rewrite now", whose wait is the first figure, at night).
`--audit-events N` adds N audit events first (the issue measured with 600,000, a 104 MB log).
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
import threading
import time
from pathlib import Path

import pyarrow as pa

from crm_app.access.audit import Actor
from crm_app.core import clock, reference
from crm_app.core.bulk import bulk_insert_persons, insert_arrow
from crm_app.core.paths import ROOT
from crm_app.core.store import Store
from crm_app.demo.people import person_row, synthetic_people
from crm_app.people import dedupe
from crm_app.privacy import erasure

NOW = dt.datetime(2026, 6, 1, 10, 0)
ADMIN = Actor(user_id=None, role="admin", origin="cli")
_CONSENT = (("person_id", pa.int64()), ("purpose", pa.string()), ("granted", pa.bool_()), ("method", pa.string()),
            ("text_version", pa.string()), ("recorded_utc", pa.timestamp("us")), ("recorded_by", pa.int64()))
_SOURCE = (("person_id", pa.int64()), ("kind", pa.string()), ("source_name", pa.string()),
           ("recorded_utc", pa.timestamp("us")))
_ACTIVITY = (("person_id", pa.int64()), ("kind", pa.string()), ("summary", pa.string()),
             ("occurred_utc", pa.timestamp("us")))

def build(path: Path, size: int, seed: int, audit_events: int = 0) -> tuple[Store, list[int], dict[int, str]]:
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
        dedupe.refresh_name_keys(cur, ids)   # the duplicate check's keys, as every registration writes
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
        if audit_events:          # a long log, as a store in use has (negative ids, hashes not chained)
            cur.execute("INSERT INTO audit_event (id, occurred_utc, user_id, action, record_type, record_id, result, "
                        "origin, prev_hash, event_hash) SELECT -1 - i, ?, NULL, 'person.view', 'person', ? + i % ?, "
                        "'ok', 'web', sha256(i::VARCHAR), sha256((i + 1)::VARCHAR) FROM range(?) t(i)",
                        [when, min(ids), len(ids), audit_events])
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


def longest_read_wait(store: Store, ids: list[int], action) -> tuple[float, int]:
    """Run `action` while another thread reads back to back; (longest single read in seconds, reads done)."""
    waits: list[float] = []
    stop = threading.Event()

    def reader():
        rng = random.Random(7)
        while not stop.is_set():
            t0 = time.perf_counter()
            with store.read() as cur:
                cur.execute("SELECT given_name FROM person WHERE id = ?", [rng.choice(ids)]).fetchall()
            waits.append(time.perf_counter() - t0)

    thread = threading.Thread(target=reader)
    thread.start()
    time.sleep(0.2)                       # the reader is running before the erasure starts
    try:
        action()
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join()
    return max(waits), len(waits)


def run_size(size: int, repeat: int, seed: int, workdir: Path, audit_events: int = 0) -> dict:
    path = workdir / f"erase_{size}.duckdb"
    started = time.perf_counter()
    store, ids, emails = build(path, size, seed, audit_events)
    result = {"size": size, "audit_events": audit_events, "build_seconds": round(time.perf_counter() - started, 2),
              "bytes_before": path.stat().st_size}
    victims = [pid for pid in ids if pid in emails][: 2 * repeat + 2 * repeat]
    try:
        copies = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            shutil.copyfile(path, workdir / "copy.duckdb")
            copies.append(time.perf_counter() - t0)
            (workdir / "copy.duckdb").unlink()

        vacuums, vacuum_leaves = [], []
        for pid in victims[repeat:2 * repeat]:
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
        at_once, deferred, deferred_reads = [], [], []
        for pid in victims[2 * repeat:3 * repeat]:
            at_once.append(longest_read_wait(store, ids, lambda pid=pid: erasure.erase(store, ADMIN, pid))[0])
        for pid in victims[3 * repeat:]:
            wait, reads = longest_read_wait(store, ids, lambda pid=pid: erasure.erase(store, ADMIN, pid, compact=False))
            deferred.append(wait)
            deferred_reads.append(reads)
        store.compact()                   # the night run: what it owes
        result.update({
            "read_wait_max_ms_compact_at_once": round(1000 * statistics.median(at_once), 1),
            "read_wait_max_ms_deferred": round(1000 * statistics.median(deferred), 1),
            "reads_during_deferred": statistics.median(deferred_reads),
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
    head = ("persons", "audit events", "MB", "erase med s", "of which compaction", "file copy s", "erase/copy",
            "delete+vacuum s", "value left (vacuum)", "value left (erase)", "longest read wait: compact at once ms",
            "longest read wait: deferred ms", "load avg")
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for r in results:
        lines.append(" | ".join(str(v) for v in (
            f"{r['size']:,}", f"{r['audit_events']:,}", round(r["bytes_before"] / 1e6, 1), r["erase_median_s"],
            r["compaction_median_s"], r["copy_median_s"], f"{r['ratio_erase_over_copy']}×", r["vacuum_median_s"],
            "yes" if r["email_left_in_file_after_vacuum"] else "no",
            "YES" if r["email_left_in_file_after_erase"] else "no", r["read_wait_max_ms_compact_at_once"],
            r["read_wait_max_ms_deferred"], r["load_average"])))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.erasure_compaction", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2000,20000,100000", help="persons per store, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--audit-events", type=int, default=0, help="audit events added to each store first")
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
            results.append(run_size(size, args.repeat, args.seed, workdir, args.audit_events))
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
