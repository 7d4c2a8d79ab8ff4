"""The duplicate check at entry against large stores, beside a naive scan.

    python -m benchmarks.dedupe_check [--sizes 10000,100000,1000000] [--queries 200]
                                      [--out benchmarks/results/dedupe_check.json]

For each size: a temporary store (migrated by crm_app.core.store.Store) is filled with synthetic persons
from crm_app.demo.dataset.synthetic_people (same names, keys and distributions as the demo data; rows
bulk-inserted through Arrow; beyond 100,000 grown inside DuckDB by recombining those persons; the
person indexes of the schema rebuilt afterwards). Then N query
persons are checked with crm_app.people.dedupe.find_duplicates, the function the registration form calls:
  variant  an existing person typed again with another spelling (Muhammad for Mohammed, …) or a
           typo, same family name, birth year the same or one off, no phone
  phone    an existing person's phone number typed again (the same E.164), sometimes another spelling
  new      someone not in the store
Beside it, in the same run and on the same queries:
  baseline a Python scan: every stored (id, given_key, family_key, phone, email_key, birth_year)
           fetched once, then per query every stored name compared with Jaro-Winkler (rapidfuzz,
           or a pure-Python implementation equal to DuckDB's) under the same match rule
  or_scan  the same blocking keys as one OR-ed filter (what the query would cost if the indexes
           were not used)
Large sizes run the slow comparisons on fewer queries (--baseline-queries).
EXPLAIN ANALYZE of the real query shows whether each blocking branch is an index scan.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import json
import multiprocessing
import os
import platform
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from crm_app.core.paths import ROOT, SCHEMA_DIR
from crm_app.core.store import Store
from crm_app.demo import dataset as demo
from crm_app.people import dedupe, names

AS_OF = dt.date(2026, 6, 1)
CREATED = dt.datetime(2026, 6, 1, 10, 0)
CHUNK = 50_000
POOL = 100_000          # persons drawn by crm_app.demo.dataset.synthetic_people; more are recombined in DuckDB
WARMUP = 10
KINDS = ("variant", "phone", "new")

try:  # C implementation; equal to DuckDB's jaro_winkler_similarity (FIELD-NOTES) except on two empty strings
    from rapidfuzz.distance import JaroWinkler as _RapidJW

    def jaro_winkler(a: str, b: str, _similarity=_RapidJW.similarity) -> float:
        return _similarity(a, b) if a and b else 0.0

    JW_IMPLEMENTATION = "rapidfuzz"
except ImportError:  # pragma: no cover - only without rapidfuzz
    JW_IMPLEMENTATION = "python"

    def jaro_winkler(a: str, b: str) -> float:
        """Jaro-Winkler as DuckDB computes it (prefix scale 0.1, prefix of at most 4)."""
        la, lb = len(a), len(b)
        if not la or not lb:
            return 0.0
        if a == b:
            return 1.0
        window = max(max(la, lb) // 2 - 1, 0)
        used_a, used_b = [False] * la, [False] * lb
        matches = 0
        for i, ch in enumerate(a):
            for j in range(max(0, i - window), min(lb, i + window + 1)):
                if not used_b[j] and b[j] == ch:
                    used_a[i] = used_b[j] = True
                    matches += 1
                    break
        if not matches:
            return 0.0
        k = transpositions = 0
        for i in range(la):
            if used_a[i]:
                while not used_b[k]:
                    k += 1
                if a[i] != b[k]:
                    transpositions += 1
                k += 1
        jaro = (matches / la + matches / lb + (matches - transpositions // 2) / matches) / 3
        if jaro <= 0.7:  # Winkler's boost only above this threshold
            return jaro
        prefix = 0
        for x, y in zip(a[:4], b[:4]):
            if x != y:
                break
            prefix += 1
        return jaro + prefix * 0.1 * (1 - jaro)


# -- building a store ---------------------------------------------------------------------------
_PERSON_INDEX = re.compile(r"CREATE\s+(?:UNIQUE\s+)?INDEX\s+(\w+)\s+ON\s+person\s*\([^;]*\);", re.I)


def person_index_statements() -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of every index the schema puts on `person`."""
    found = []
    for path in sorted(SCHEMA_DIR.glob("*.sql")):
        for match in _PERSON_INDEX.finditer(path.read_text(encoding="utf-8")):
            found.append((match.group(1), match.group(0)))
    return found


@contextlib.contextmanager
def cached_name_keys():
    """Memoise names.fold/skeleton inside dedupe.Keys.of while building: same results, computed once per name."""
    saved = dedupe.fold, dedupe.skeleton
    _cache_name_keys()
    try:
        yield
    finally:
        dedupe.fold, dedupe.skeleton = saved


def _cache_name_keys() -> None:
    dedupe.fold = functools.lru_cache(maxsize=None)(names.fold)
    dedupe.skeleton = functools.lru_cache(maxsize=None)(names.skeleton)


def _generate_chunk(task: tuple[int, int, int]):
    """Persons of one chunk as an Arrow table (deterministic per seed and chunk; runs in a worker process).

    The extra column `name_country` (the country the name was drawn for) is not stored in `person`;
    the expansion below uses it.
    """
    index, count, seed = task
    rng = random.Random(f"{seed}:{index}")  # str seeds hash with SHA-512: the same in every process
    people = list(demo.synthetic_people(rng, count, as_of=AS_OF, check_phones=False))
    rows = [demo.person_row(raw, created_utc=CREATED, validate=False) for raw in people]
    table = demo.arrow_table(demo.PERSON_COLUMNS, rows)
    return table.append_column("name_country", pa.array([raw["country"] for raw in people], pa.string()))


# Beyond the pool: each new person takes the given-name side (given name, contact, language and
# dimensions) of one pooled person and the family name of another pooled person from the same
# country, so names combine as synthetic_people draws them (given and family independent within a
# country) without a Python loop per person. Phone numbers get fresh last digits; emails a suffix.
_EXPAND = """
INSERT INTO person (id, given_name, family_name, phone_e164, phone_country, email, preferred_language,
    other_languages, note, stage_manual, gender, birth_year, country_of_origin, education_level, municipality,
    district, arrival_year, integration_route, email_key, given_key, family_key, name_block, family_year_block,
    created_utc, updated_utc, created_by)
WITH pool AS (
    SELECT p.*, c.name_country, row_number() OVER (ORDER BY p.id) - 1 AS k,
           row_number() OVER (PARTITION BY c.name_country ORDER BY p.id) - 1 AS ck,
           count(*) OVER (PARTITION BY c.name_country) AS cn,
           split_part(p.name_block, '|', 1) AS given_skel, split_part(p.name_block, '|', 2) AS family_skel
    FROM person p JOIN _pool_country c ON c.id = p.id
), draws AS (
    SELECT i, hash(i, $seed, 'given') % $pool AS a_k, hash(i, $seed, 'family') AS b_h,
           hash(i, $seed, 'phone') % 1000000 AS digits FROM range($n) t(i)
), given_side AS (
    SELECT d.i, d.b_h, d.digits, a.* EXCLUDE (k) FROM draws d JOIN pool a ON a.k = d.a_k
)
SELECT nextval('person_id_seq'), a.given_name, b.family_name,
       CASE WHEN a.phone_e164 IS NOT NULL THEN left(a.phone_e164, -6) || lpad(a.digits::VARCHAR, 6, '0') END,
       a.phone_country,
       replace(a.email, '@', '.' || a.i::VARCHAR || '@'),
       a.preferred_language, a.other_languages, a.note, a.stage_manual, a.gender, a.birth_year,
       a.country_of_origin, a.education_level, a.municipality, a.district, a.arrival_year, a.integration_route,
       replace(a.email_key, '@', '.' || a.i::VARCHAR || '@'),
       a.given_key, b.family_key, a.given_skel || '|' || b.family_skel,
       CASE WHEN b.family_skel <> '' AND a.birth_year IS NOT NULL THEN b.family_skel || '|' || a.birth_year::VARCHAR END,
       a.created_utc, a.updated_utc, a.created_by
FROM given_side a JOIN pool b ON b.name_country = a.name_country AND b.ck = a.b_h % a.cn
"""

_UNIQUE_CONTACTS = """
UPDATE person SET phone_e164 = NULL, phone_country = NULL WHERE id IN (
    SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY phone_e164 ORDER BY id) AS n
                    FROM person WHERE phone_e164 IS NOT NULL) WHERE n > 1);
UPDATE person SET email = replace(email, '@', '.' || id::VARCHAR || '@'),
                  email_key = replace(email_key, '@', '.' || id::VARCHAR || '@')
WHERE id IN (
    SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY email_key ORDER BY id) AS n
                    FROM person WHERE email_key IS NOT NULL) WHERE n > 1);
"""


def _check_keys(cur, sample: int = 2000) -> None:
    """The keys of stored persons are what dedupe.Keys.of computes (guards the SQL expansion)."""
    rows = cur.execute(
        "SELECT given_name, family_name, phone_e164, email_key, birth_year, given_key, family_key, name_block, "
        f"family_year_block FROM person USING SAMPLE reservoir({int(sample)} ROWS) REPEATABLE (7)").fetchall()
    for given, family, phone, email, birth_year, *stored in rows:
        keys = dedupe.Keys.of(given, family, phone, email, birth_year)
        expected = [keys.given_key, keys.family_key, keys.name_block, keys.family_year_block]
        if expected != stored:
            raise RuntimeError(f"stored keys differ from dedupe.Keys.of: {stored} != {expected}")


def build_store(path: Path, size: int, seed: int, pool: int = POOL) -> tuple[Store, dict, tuple[set, set]]:
    """A migrated store with `size` synthetic persons and the schema's person indexes.

    Up to `pool` persons come from crm_app.demo.dataset.synthetic_people (in chunks, in worker processes,
    bulk-inserted through Arrow); beyond that the store is grown inside DuckDB by recombining pooled
    persons (see _EXPAND). Indexes are dropped during the load and rebuilt from the schema after it.
    Also returns the phone numbers and email keys in use, so query persons can get fresh ones.
    """
    started = time.perf_counter()
    store = Store(path)
    indexes = person_index_statements()
    with store.read() as cur:  # loading first and indexing after is faster than inserting into indexes
        for name, _ in indexes:
            cur.execute(f"DROP INDEX {name}")
    pooled = min(size, pool)
    tasks = [(i, min(CHUNK, pooled - start), seed) for i, start in enumerate(range(0, pooled, CHUNK))]
    workers = min(os.cpu_count() or 1, len(tasks))
    countries = []

    def load(tables):
        for table in tables:
            ids = store.write(demo.bulk_insert_persons, table)
            countries.append(pa.table({"id": pa.array(ids, pa.int64()), "name_country": table["name_country"]}))

    if workers <= 1:
        with cached_name_keys():
            load(map(_generate_chunk, tasks))
    else:
        with multiprocessing.get_context("spawn").Pool(workers, initializer=_cache_name_keys) as workers_pool:
            load(workers_pool.imap(_generate_chunk, tasks))
    generated = time.perf_counter()
    with store.read() as cur:
        if size > pooled:
            cur.register("_pool_country", pa.concat_tables(countries))
            cur.execute(_EXPAND, {"seed": seed, "pool": pooled, "n": size - pooled})
            cur.unregister("_pool_country")
        cur.execute(_UNIQUE_CONTACTS)
        expanded = time.perf_counter()
        for _, statement in indexes:
            cur.execute(statement)
        cur.execute("CHECKPOINT")
        indexed = time.perf_counter()
        present = {row[0] for row in cur.execute(
            "SELECT index_name FROM duckdb_indexes() WHERE table_name = 'person'").fetchall()}
        count = cur.execute("SELECT count(*) FROM person").fetchone()[0]
        missing = [name for name, _ in indexes if name not in present]
        if missing or count != size:
            raise RuntimeError(f"build incomplete: {count} persons, indexes missing: {missing}")
        _check_keys(cur)
        taken_phones = {row[0] for row in cur.execute(
            "SELECT phone_e164 FROM person WHERE phone_e164 IS NOT NULL").fetchall()}
        taken_emails = {row[0] for row in cur.execute(
            "SELECT email_key FROM person WHERE email_key IS NOT NULL").fetchall()}
    timings = {"generated_persons": pooled, "workers": workers, "generate_s": round(generated - started, 2),
               "expand_s": round(expanded - generated, 2), "index_s": round(indexed - expanded, 2),
               "build_s": round(indexed - started, 2), "indexes": [name for name, _ in indexes]}
    return store, timings, (taken_phones, taken_emails)


# -- queries ------------------------------------------------------------------------------------
def _typo(rng: random.Random, name: str) -> str:
    """A plausible slip: a doubled or dropped letter, or two letters swapped."""
    if len(name) < 4:
        return name + name[-1]
    i = rng.randrange(1, len(name) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return name[:i] + name[i] + name[i:]
    if kind == 1:
        return name[:i] + name[i + 1:]
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]


def make_queries(store: Store, n: int, seed: int, taken: tuple[set, set]) -> list[dict]:
    """`n` query persons: a third spelling variants, a third phone re-entries, a third new people (shuffled)."""
    rng = random.Random(seed + 1)
    with store.read() as cur:
        low, high = cur.execute("SELECT min(id), max(id) FROM person").fetchone()
        picks = rng.sample(range(low, high + 1), min(4 * n, high - low + 1))
        stored = {row[0]: row for row in cur.execute(
            "SELECT id, given_name, family_name, phone_e164, email, birth_year FROM person WHERE id IN "
            "(SELECT unnest(?::BIGINT[]))", [picks]).fetchall()}
    pool = [stored[i] for i in picks if i in stored]
    with_phone = [row for row in pool if row[3]]
    named = [row for row in pool if row[2]]
    kinds = [KINDS[i % 3] for i in range(n)]
    rng.shuffle(kinds)
    fresh = demo.synthetic_people(random.Random(seed + 2), n, as_of=AS_OF, check_phones=False,
                                  taken_phones=taken[0], taken_emails=taken[1])
    queries = []
    for kind in kinds:
        if kind == "variant":
            pid, given, family, _, _, birth_year = named.pop()
            spellings = demo.variant_spellings(given)
            given = rng.choice(spellings) if spellings and rng.random() < 0.7 else _typo(rng, given)
            if birth_year is not None and rng.random() < 0.3:
                birth_year += rng.choice((-1, 1))
            query = {"given_name": given, "family_name": family, "phone_e164": None, "email_key": None,
                     "birth_year": birth_year, "target": pid}
        elif kind == "phone":
            pid, given, family, phone, _, birth_year = with_phone.pop()
            spellings = demo.variant_spellings(given)
            if spellings and rng.random() < 0.5:
                given = rng.choice(spellings)
            query = {"given_name": given, "family_name": family, "phone_e164": phone, "email_key": None,
                     "birth_year": birth_year, "target": pid}
        else:
            raw = next(fresh)
            query = {"given_name": raw["given_name"], "family_name": raw["family_name"],
                     "phone_e164": raw["phone_e164"], "email_key": raw["email"].casefold() if raw["email"] else None,
                     "birth_year": raw["birth_year"], "target": None}
        query["kind"] = kind
        query["keys"] = dedupe.Keys.of(query["given_name"], query["family_name"], query["phone_e164"],
                                       query["email_key"], query["birth_year"])
        queries.append(query)
    return queries


# -- the three ways to check --------------------------------------------------------------------
def ours(cur, query: dict) -> list[int]:
    return [m.person_id for m in dedupe.find_duplicates(cur, query["keys"], query["birth_year"])]


def _params(query: dict) -> dict:
    keys = query["keys"]
    return {"phone": keys.phone_e164, "email": keys.email_key, "block": keys.name_block,
            "swapped": keys.swapped_block, "family_year": keys.family_year_block, "given": keys.given_key,
            "family": keys.family_key, "birth_year": query["birth_year"], "exclude": None,
            "min_similarity": dedupe.NAME_SIMILARITY_MIN, "tolerance": dedupe.BIRTH_YEAR_TOLERANCE, "limit": 10}


_BLOCKING = re.compile(r"WITH candidates AS \(.*?\), merged AS", re.S)
# The same candidates as one OR-ed filter (which no index can answer), each row tagged with every key it matched.
_OR_SCAN_QUERY = _BLOCKING.sub(
    "WITH candidates AS (SELECT id, given_key, family_key, birth_year, unnest(list_filter(["
    "CASE WHEN phone_e164 = $phone THEN 'phone' END, CASE WHEN email_key = $email THEN 'email' END, "
    "CASE WHEN name_block = $block OR name_block = $swapped THEN 'name' END, "
    "CASE WHEN family_year_block = $family_year THEN 'family_year' END], lambda x: x IS NOT NULL)) AS via "
    "FROM person WHERE phone_e164 = $phone OR email_key = $email "
    "OR name_block = $block OR name_block = $swapped OR family_year_block = $family_year), merged AS",
    dedupe._QUERY)
assert _OR_SCAN_QUERY != dedupe._QUERY, "the blocking part of dedupe._QUERY was not found"


def or_scan(cur, query: dict) -> list[int]:
    return [row[0] for row in cur.execute(_OR_SCAN_QUERY, _params(query)).fetchall()]


def baseline(stored: list[tuple], query: dict, limit: int = 10) -> list[int]:
    """Compare the query with every stored person in Python, under dedupe's match rule."""
    keys, birth_year = query["keys"], query["birth_year"]
    phone, email, given, family = keys.phone_e164, keys.email_key, keys.given_key, keys.family_key
    joined = given + family
    jw = jaro_winkler
    tolerance, minimum = dedupe.BIRTH_YEAR_TOLERANCE, dedupe.NAME_SIMILARITY_MIN
    found = []
    for pid, g, f, p, e, year in stored:
        same_phone = phone is not None and p == phone
        same_email = email is not None and e == email
        if f == "" or family == "":
            straight = jw(g + f, joined)
        else:
            straight = (jw(g, given) + jw(f, family)) / 2
        swapped = (jw(g, family) + jw(f, given)) / 2
        name = straight if straight > swapped else swapped
        gap = abs(year - birth_year) if year is not None and birth_year is not None else 0
        if same_phone or same_email or (name >= minimum and gap <= tolerance):
            found.append((not same_phone, not same_email, -name, pid))
    found.sort()
    return [item[3] for item in found[:limit]]


# -- EXPLAIN ------------------------------------------------------------------------------------
def explain(cur, query: dict) -> dict:
    """How each scan of `person` in the real query ran (EXPLAIN ANALYZE: the runtime choice)."""
    text = cur.execute("EXPLAIN ANALYZE " + dedupe._QUERY, _params(query)).fetchall()[0][1]
    kinds = re.findall(r"Type:\s*(Index Scan|Sequential Scan)", text)
    return {"index_scans": kinds.count("Index Scan"), "sequential_scans": kinds.count("Sequential Scan"),
            "plan": text}


def _stats(samples: list[tuple[float, float]]) -> dict:
    """Median, p95, mean and max of (wall ms, cpu ms) samples. CPU time (all threads of this
    process) is what the query itself costs; wall time also shows what other load on the machine did."""
    if not samples:
        return {"n": 0}
    wall = np.asarray([w for w, _ in samples])
    cpu = np.asarray([c for _, c in samples])
    return {"n": len(samples), "median_ms": round(float(np.median(wall)), 3),
            "p95_ms": round(float(np.percentile(wall, 95)), 3), "mean_ms": round(float(wall.mean()), 3),
            "max_ms": round(float(wall.max()), 3), "cpu_median_ms": round(float(np.median(cpu)), 3),
            "cpu_p95_ms": round(float(np.percentile(cpu, 95)), 3)}


def _timed(fn, *args) -> tuple[tuple[float, float], list[int]]:
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn(*args)
    return ((time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000), result


# Experiment (--experiment-uncompressed): the same query against a copy of `person` whose
# looked-up columns are stored uncompressed. DuckDB fetches an index-scan row by decompressing
# the vector around it, per column, so big name blocks cost most of their time there.
_HOT_COLUMNS = ("id", "given_name", "family_name", "phone_e164", "email", "birth_year", "given_key", "family_key",
                "email_key", "name_block", "family_year_block")


def _uncompressed_copy(cur, indexes: list[tuple[str, str]]) -> float:
    started = time.perf_counter()
    columns = cur.execute("SELECT column_name, data_type FROM information_schema.columns "
                          "WHERE table_name = 'person' ORDER BY ordinal_position").fetchall()
    ddl = ", ".join(f"{name} {kind}" + (" USING COMPRESSION uncompressed" if name in _HOT_COLUMNS else "")
                    for name, kind in columns)
    cur.execute(f"CREATE TABLE person_uncompressed ({ddl})")
    cur.execute("INSERT INTO person_uncompressed SELECT * FROM person")
    for name, statement in indexes:
        cur.execute(re.sub(r"\bON\s+person\b", "ON person_uncompressed", statement.replace(name, f"{name}_u", 1)))
    cur.execute("CHECKPOINT")
    return time.perf_counter() - started


_UNCOMPRESSED_QUERY = re.sub(r"\bperson\b", "person_uncompressed", dedupe._QUERY)


def ours_uncompressed(cur, query: dict) -> list[int]:
    return [row[0] for row in cur.execute(_UNCOMPRESSED_QUERY, _params(query)).fetchall()]


def run_size(size: int, queries_n: int, baseline_n: int, or_scan_n: int, seed: int, workdir: Path,
             plan_dir: Path | None, experiment_uncompressed: bool = False) -> dict:
    path = workdir / f"bench_{size}.duckdb"
    load_before = os.getloadavg()[0]
    store, build, taken = build_store(path, size, seed)
    try:
        queries = make_queries(store, queries_n + WARMUP, seed, taken)
        del taken
        warmup, queries = queries[:WARMUP], queries[WARMUP:]
        result = {"size": size, "build": build}
        with store.read() as cur:
            for query in warmup:
                ours(cur, query)
            times, by_kind, hits = [], {k: [] for k in KINDS}, {k: [] for k in KINDS}
            for query in queries:
                elapsed, found = _timed(ours, cur, query)
                times.append(elapsed)
                by_kind[query["kind"]].append(elapsed)
                query["ours"] = found
                if query["target"] is not None:
                    hits[query["kind"]].append(query["target"] in found)
            result["ours"] = _stats(times)
            result["ours_by_kind"] = {k: _stats(v) for k, v in by_kind.items()}
            # the person typed again is among the (at most 10) possible duplicates shown
            all_hits = hits["variant"] + hits["phone"]
            result["ours_target_found"] = round(sum(all_hits) / len(all_hits), 3) if all_hits else None
            result["ours_target_found_by_kind"] = {k: round(sum(v) / len(v), 3) for k, v in hits.items() if v}

            result["or_scan"] = _stats([_timed(or_scan, cur, q)[0] for q in queries[:or_scan_n]])

            # blocks: how many rows the biggest look-ups return, against DuckDB's index-scan threshold
            threshold = max(int(cur.execute("SELECT current_setting('index_scan_max_count')").fetchone()[0]),
                            int(float(cur.execute("SELECT current_setting('index_scan_percentage')").fetchone()[0])
                                * size))
            largest = {}
            for column in ("name_block", "family_year_block", "phone_e164", "email_key"):
                row = cur.execute(f"SELECT {column}, count(*) AS n FROM person WHERE {column} IS NOT NULL "
                                  "GROUP BY 1 ORDER BY n DESC, 1 LIMIT 1").fetchone()
                largest[column] = {"value": row[0], "rows": row[1]}
            result["largest_blocks"] = largest
            result["index_scan_threshold_rows"] = threshold

            plans = {}
            for kind in KINDS:
                sample = next(q for q in queries if q["kind"] == kind)
                plans[kind] = explain(cur, sample)
            # the most common name: the biggest name block
            given, family, birth_year = cur.execute(
                "SELECT given_name, family_name, birth_year FROM person WHERE name_block = ? AND birth_year IS NOT NULL "
                "ORDER BY id LIMIT 1", [largest["name_block"]["value"]]).fetchone()
            popular = {"birth_year": birth_year, "keys": dedupe.Keys.of(given, family, None, None, birth_year)}
            plans["most_common_name"] = explain(cur, popular)
            if plan_dir is not None:
                plan_dir.mkdir(parents=True, exist_ok=True)
                (plan_dir / f"dedupe_plan_{size}.txt").write_text(
                    "\n\n".join(f"== {k} ==\n{v['plan']}" for k, v in plans.items()), encoding="utf-8")
            result["plans"] = {k: {"index_scans": v["index_scans"], "sequential_scans": v["sequential_scans"]}
                               for k, v in plans.items()}

            if experiment_uncompressed:
                copy_s = _uncompressed_copy(cur, person_index_statements())
                samples, same = [], 0
                for query in queries:
                    elapsed, found = _timed(ours_uncompressed, cur, query)
                    samples.append(elapsed)
                    same += found == query["ours"]
                result["experiment_uncompressed"] = {
                    **_stats(samples), "copy_s": round(copy_s, 2), "same_results": round(same / len(queries), 3),
                    "columns": list(_HOT_COLUMNS)}
                cur.execute("DROP TABLE person_uncompressed")

            t0 = time.perf_counter()
            stored = cur.execute(
                "SELECT id, given_key, family_key, phone_e164, email_key, birth_year FROM person").fetchall()
            load_s = time.perf_counter() - t0
        base_times, base_hits, agree = [], [], []
        for query in queries[:baseline_n]:
            elapsed, found = _timed(baseline, stored, query)
            base_times.append(elapsed)
            if query["target"] is not None:
                base_hits.append(query["target"] in found)
            # every match ours reports, the full scan reports too (ours only looks inside the blocks)
            agree.append(set(query["ours"]) <= set(found) or len(found) == 10)
        del stored
        result["baseline"] = {**_stats(base_times), "load_s": round(load_s, 2), "jaro_winkler": JW_IMPLEMENTATION,
                              "target_found": round(sum(base_hits) / len(base_hits), 3) if base_hits else None,
                              "ours_subset_of_baseline": round(sum(agree) / len(agree), 3) if agree else None}
        result["ratio_baseline_over_ours"] = round(result["baseline"]["median_ms"] / result["ours"]["median_ms"], 1)
        result["ratio_or_scan_over_ours"] = round(result["or_scan"]["median_ms"] / result["ours"]["median_ms"], 1)
        result["load_average"] = {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)}
        return result
    finally:
        store.close()
        for suffix in ("", ".wal"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(f"{path}{suffix}")


def _table(results: list[dict]) -> str:
    header = ["size", "build s", "ours median ms", "ours p95 ms", "ours p95 cpu ms", "baseline median ms",
              "baseline n", "ratio", "OR-scan median ms", "index scans", "target found", "load avg"]
    experiment = any("experiment_uncompressed" in r for r in results)
    if experiment:
        header += ["uncompressed median ms", "uncompressed p95 ms"]
    lines = [tuple(header)]
    for r in results:
        plans = r["plans"]
        index = sum(p["index_scans"] for p in plans.values())
        seq = sum(p["sequential_scans"] for p in plans.values())
        row = [f"{r['size']:,}", f"{r['build']['build_s']:.1f}", f"{r['ours']['median_ms']:.2f}",
               f"{r['ours']['p95_ms']:.2f}", f"{r['ours']['cpu_p95_ms']:.2f}", f"{r['baseline']['median_ms']:.1f}",
               str(r["baseline"]["n"]), f"{r['ratio_baseline_over_ours']:.0f}x", f"{r['or_scan']['median_ms']:.1f}",
               f"{index}/{index + seq}", f"{r['ours_target_found']:.0%}",
               f"{r['load_average']['before']:.1f}/{r['load_average']['after']:.1f}"]
        if experiment:
            exp = r.get("experiment_uncompressed", {})
            row += [f"{exp['median_ms']:.2f}" if exp else "-", f"{exp['p95_ms']:.2f}" if exp else "-"]
        lines.append(tuple(row))
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    out = [" | ".join(cell.rjust(widths[i]) for i, cell in enumerate(row)) for row in lines]
    out.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dedupe_check", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated store sizes")
    parser.add_argument("--queries", type=int, default=200, help="query persons per size")
    parser.add_argument("--baseline-queries", type=int, default=None,
                        help="queries for the Python scan (default: all up to 10k, then 2,000,000/size, at least 5)")
    parser.add_argument("--or-scan-queries", type=int, default=50, help="queries for the OR-scan comparison")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "dedupe_check.json"))
    parser.add_argument("--workdir", default=None, help="where the temporary stores go (default: a temp dir)")
    parser.add_argument("--experiment-uncompressed", action="store_true",
                        help="also time the query on a copy of person with its looked-up columns uncompressed")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    out = Path(args.out)
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="crm_bench_"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for size in sizes:
            baseline_n = args.baseline_queries or max(5, min(args.queries, 2_000_000 // size))
            print(f"size {size:,}: building, then {args.queries} queries "
                  f"({min(baseline_n, args.queries)} for the Python scan)…", file=sys.stderr, flush=True)
            result = run_size(size, args.queries, min(baseline_n, args.queries),
                              min(args.or_scan_queries, args.queries), args.seed, workdir, out.parent,
                              args.experiment_uncompressed)
            results.append(result)
            print(f"  built in {result['build']['build_s']} s; ours median {result['ours']['median_ms']} ms, "
                  f"p95 {result['ours']['p95_ms']} ms; baseline median {result['baseline']['median_ms']} ms",
                  file=sys.stderr, flush=True)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    report = {
        "benchmark": "dedupe_check",
        "generated_utc": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "machine": {"python": platform.python_version(), "duckdb": duckdb.__version__,
                    "cpus": os.cpu_count(), "platform": platform.platform()},
        "queries": args.queries, "seed": args.seed, "limit": 10,
        "targets": {"p95_ms_at_1m": 20, "ratio_min": 10},
        "results": results,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print(_table(results))
    print(f"\nJSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
