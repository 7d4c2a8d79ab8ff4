"""The duplicate check at entry against large stores, beside the strongest simple alternative.

    python -m benchmarks.dedupe_check [--sizes 10000,100000,1000000] [--queries 300]
                                      [--out benchmarks/results/dedupe_check.json]

For each size: a temporary store (migrated by crm_app.core.store.Store) is filled with synthetic persons
from crm_app.demo.people.synthetic_people (same names, keys and distributions as the demo data; rows
bulk-inserted through Arrow; beyond 100,000 grown inside DuckDB by recombining those persons; the
indexes of the schema and the typo-tolerant name keys rebuilt afterwards). Then N query persons are
checked with crm_app.people.dedupe.find_duplicates, the function the registration form calls:
  name_year  an existing person typed again with a respelled given name (another spelling, Muhammad
             for Mohammed, or a typo: a letter doubled, dropped or two swapped), same family name,
             the birth year the same or one off, no phone
  name_only  the same without a birth year
  phone      an existing person's phone number typed again (the same E.164), sometimes another spelling
  new        someone not in the store
Beside it, on the same queries: the baseline, one DuckDB query that scores every stored person with
jaro_winkler_similarity under the same match rule and ranking (no blocking, no key table).
Recall@10: the person typed again is among the (at most 10) possible duplicates shown.
EXPLAIN ANALYZE of both statements of the check shows whether each look-up is an index scan.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import hashlib
import inspect
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

from crm_app.core.bulk import PERSON_COLUMNS, arrow_table, bulk_insert_persons
from crm_app.core.paths import ROOT
from crm_app.core.store import Store
from crm_app.demo.people import person_row, synthetic_people, variant_spellings
from crm_app.people import dedupe, names

AS_OF = dt.date(2026, 6, 1)
CREATED = dt.datetime(2026, 6, 1, 10, 0)
CHUNK = 50_000
CACHE = ROOT / "benchmarks" / "cache"
POOL = 100_000          # persons drawn by crm_app.demo.people.synthetic_people; more are recombined in DuckDB
WARMUP = 10
KINDS = ("name_year", "name_only", "phone", "new")
TARGETS = {"name_year": {100_000: 0.98, 1_000_000: 0.95}, "name_only": {100_000: 0.90}, "p95_ms_at_1m": 20}

# -- building a store ---------------------------------------------------------------------------
def person_index_statements(cur) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of every index the migrated schema has on `person` and `person_name_key`."""
    return cur.execute("SELECT index_name, sql FROM duckdb_indexes() WHERE table_name IN ('person', 'person_name_key') "
                       "ORDER BY index_name").fetchall()


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
    people = list(synthetic_people(rng, count, as_of=AS_OF, check_phones=False))
    rows = [person_row(raw, created_utc=CREATED, validate=False) for raw in people]
    table = arrow_table(PERSON_COLUMNS, rows)
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
    for (pid, given, family, birth_year) in cur.execute(
            f"SELECT id, given_name, family_name, birth_year FROM person USING SAMPLE reservoir({int(sample) // 10} ROWS) "
            "REPEATABLE (7)").fetchall():
        for year in {birth_year, None}:
            exact = dedupe.Keys.of(given, family, None, None, year).exact_keys
            if not cur.execute("SELECT bool_or(exact) FROM person_name_key WHERE person_id = ? AND name_key IN "
                               "(SELECT unnest(?::BIGINT[]))", [pid, list(exact)]).fetchone()[0]:
                raise RuntimeError(f"person {pid} not found through its own name keys")


def persons_version(seed: int) -> str:
    """What the generated persons depend on: the demo generator and this module's build code."""
    digest = hashlib.sha256(f"{seed}".encode())
    for source in (_generate_chunk, _EXPAND, _UNIQUE_CONTACTS, _load_persons):
        digest.update((source if isinstance(source, str) else inspect.getsource(source)).encode())
    for path in sorted((ROOT / "crm_app" / "demo").glob("*.py")) + [ROOT / "crm_app" / "people" / "names.py"]:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def _load_persons(store: Store, size: int, seed: int, pool: int) -> dict:
    """Generate `size` persons into an empty store (indexes dropped): pool, then expansion in DuckDB."""
    started = time.perf_counter()
    pooled = min(size, pool)
    tasks = [(i, min(CHUNK, pooled - start), seed) for i, start in enumerate(range(0, pooled, CHUNK))]
    workers = min(os.cpu_count() or 1, len(tasks))
    countries = []

    def load(tables):
        for table in tables:
            ids = store.write(bulk_insert_persons, table)
            countries.append(pa.table({"id": pa.array(ids, pa.int64()), "name_country": table["name_country"]}))

    if workers <= 1:
        with cached_name_keys():
            load(map(_generate_chunk, tasks))
    else:
        with multiprocessing.get_context("spawn").Pool(workers, initializer=_cache_name_keys) as workers_pool:
            load(workers_pool.imap(_generate_chunk, tasks))
    with store.read() as cur:
        if size > pooled:
            cur.register("_pool_country", pa.concat_tables(countries))
            cur.execute(_EXPAND, {"seed": seed, "pool": pooled, "n": size - pooled})
            cur.unregister("_pool_country")
        cur.execute(_UNIQUE_CONTACTS)
    return {"generated_persons": pooled, "workers": workers, "generate_s": round(time.perf_counter() - started, 2)}


def build_store(path: Path, size: int, seed: int, pool: int = POOL) -> tuple[Store, dict, tuple[set, set]]:
    """A migrated store with `size` synthetic persons, their name keys and the schema's person indexes.

    Up to `pool` persons come from crm_app.demo.people.synthetic_people (in chunks, in worker processes,
    bulk-inserted through Arrow); beyond that the store is grown inside DuckDB by recombining pooled
    persons (see _EXPAND). The persons are cached as Parquet in benchmarks/cache/ under persons_version
    (a 1M build takes minutes); the name keys and indexes are always built afresh by the code under test.
    Indexes are dropped during the load and rebuilt from the schema after it.
    Also returns the phone numbers and email keys in use, so query persons can get fresh ones.
    """
    started = time.perf_counter()
    store = Store(path)
    with store.read() as cur:  # loading first and indexing after is faster than inserting into indexes
        indexes = person_index_statements(cur)
        for name, _ in indexes:
            cur.execute(f"DROP INDEX {name}")
    cached = CACHE / f"dedupe-persons-{size}-{persons_version(seed)}.parquet"
    if cached.exists():
        with store.read() as cur:
            cur.execute(f"INSERT INTO person SELECT * FROM read_parquet('{cached}')")
        timings = {"persons": "cached"}
    else:
        timings = _load_persons(store, size, seed, pool)
        CACHE.mkdir(parents=True, exist_ok=True)
        for old in CACHE.glob(f"dedupe-persons-{size}-*.parquet"):
            old.unlink()
        with store.read() as cur:
            cur.execute(f"COPY person TO '{cached}' (FORMAT parquet)")
    generated = time.perf_counter()
    with store.read() as cur:
        dedupe.refresh_name_keys(cur)
        expanded = time.perf_counter()
        for _, statement in indexes:
            cur.execute(statement)
        cur.execute("CHECKPOINT")
        indexed = time.perf_counter()
        present = {row[0] for row in cur.execute(
            "SELECT index_name FROM duckdb_indexes() WHERE table_name IN ('person', 'person_name_key')").fetchall()}
        count = cur.execute("SELECT count(*) FROM person").fetchone()[0]
        missing = [name for name, _ in indexes if name not in present]
        if missing or count != size:
            raise RuntimeError(f"build incomplete: {count} persons, indexes missing: {missing}")
        _check_keys(cur)
        key_rows = cur.execute("SELECT count(*) FROM person_name_key").fetchone()[0]
        taken_phones = {row[0] for row in cur.execute(
            "SELECT phone_e164 FROM person WHERE phone_e164 IS NOT NULL").fetchall()}
        taken_emails = {row[0] for row in cur.execute(
            "SELECT email_key FROM person WHERE email_key IS NOT NULL").fetchall()}
    timings.update({"persons_s": round(generated - started, 2), "keys_s": round(expanded - generated, 2),
                    "index_s": round(indexed - expanded, 2), "build_s": round(indexed - started, 2),
                    "indexes": [name for name, _ in indexes], "name_key_rows": key_rows,
                    "store_mb": round(path.stat().st_size / 1e6, 1)})
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
    """`n` query persons, a quarter of each kind (shuffled)."""
    rng = random.Random(seed + 1)
    with store.read() as cur:
        low, high = cur.execute("SELECT min(id), max(id) FROM person").fetchone()
        picks = rng.sample(range(low, high + 1), min(6 * n, high - low + 1))
        stored = {row[0]: row for row in cur.execute(
            "SELECT id, given_name, family_name, phone_e164, email, birth_year FROM person WHERE id IN "
            "(SELECT unnest(?::BIGINT[]))", [picks]).fetchall()}
    pool = [stored[i] for i in picks if i in stored]
    with_phone = [row for row in pool if row[3]]
    named = [row for row in pool if row[2]]
    named_with_year = [row for row in named if row[5] is not None]
    kinds = [KINDS[i % len(KINDS)] for i in range(n)]
    rng.shuffle(kinds)
    fresh = synthetic_people(random.Random(seed + 2), n, as_of=AS_OF, check_phones=False,
                             taken_phones=taken[0], taken_emails=taken[1])
    queries = []
    for kind in kinds:
        if kind in ("name_year", "name_only"):
            pid, given, family, _, _, birth_year = (named_with_year if kind == "name_year" else named).pop()
            spellings = variant_spellings(given)
            given = rng.choice(spellings) if spellings and rng.random() < 0.7 else _typo(rng, given)
            if kind == "name_only":
                birth_year = None
            elif rng.random() < 0.3:
                birth_year += rng.choice((-1, 1))
            query = {"given_name": given, "family_name": family, "phone_e164": None, "email_key": None,
                     "birth_year": birth_year, "target": pid}
        elif kind == "phone":
            pid, given, family, phone, _, birth_year = with_phone.pop()
            spellings = variant_spellings(given)
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


# -- the two ways to check ----------------------------------------------------------------------
def ours(cur, query: dict) -> list[int]:
    return [m.person_id for m in dedupe.find_duplicates(cur, query["keys"], query["birth_year"])]


def _params(query: dict) -> dict:
    return dedupe.query_params(query["keys"], query["birth_year"])


# The strongest simple alternative: one statement that scores every stored person with DuckDB's
# jaro_winkler_similarity under dedupe's match rule and ranking, with no blocking and no key table
# (given names agree by similarity or by the same skeleton, read from name_block).
_BASELINE_QUERY = """
WITH scored AS (
    SELECT id, coalesce(phone_e164 = $phone, false) AS same_phone, coalesce(email_key = $email, false) AS same_email,
        CASE WHEN family_key = '' OR $family = ''
             THEN jaro_winkler_similarity(given_key || family_key, $given || $family)
             ELSE (jaro_winkler_similarity(given_key, $given) + jaro_winkler_similarity(family_key, $family)) / 2
        END AS straight,
        (jaro_winkler_similarity(given_key, $family) + jaro_winkler_similarity(family_key, $given)) / 2 AS swapped,
        CASE WHEN birth_year IS NULL OR $birth_year IS NULL THEN NULL
             ELSE abs(birth_year - $birth_year) END AS year_gap,
        name_block = $block OR name_block = $swapped AS same_block,
        (same_block OR jaro_winkler_similarity(given_key, $given) >= $min_similarity) AS given_agrees
    FROM person
)
SELECT id FROM scored
WHERE same_phone OR same_email
   OR (given_agrees AND greatest(straight, swapped) >= $min_similarity AND coalesce(year_gap, 0) <= $tolerance)
ORDER BY same_phone DESC, same_email DESC,
         CASE WHEN year_gap <= $tolerance THEN 0 WHEN year_gap IS NULL THEN 1 ELSE 2 END,
         greatest(straight, swapped) + CASE WHEN year_gap = 0 THEN 0.1 ELSE 0 END
                                     + CASE WHEN same_block THEN 0.1 ELSE 0 END DESC, id
LIMIT $limit
"""


def baseline(cur, query: dict) -> list[int]:
    params = {k: v for k, v in _params(query).items() if k != "exclude"}
    params["block"], params["swapped"] = query["keys"].name_block, query["keys"].swapped_block
    return [row[0] for row in cur.execute(_BASELINE_QUERY, params).fetchall()]


# -- EXPLAIN ------------------------------------------------------------------------------------
def explain(cur, query: dict) -> dict:
    """How each scan in the check's statement ran (EXPLAIN ANALYZE: the runtime choice). One sequential
    scan is by design: person's ids, probed by the persons sharing a name key (a hash join)."""
    keys = query["keys"]
    text = cur.execute("EXPLAIN ANALYZE " + dedupe.scored_query(keys), _params(query)).fetchall()[0][1]
    kinds = re.findall(r"Type:\s*(Index Scan|Sequential Scan)", text)
    candidates = cur.execute("SELECT count(DISTINCT person_id) FROM person_name_key WHERE name_key IN "
                             "(SELECT unnest(?::BIGINT[]))", [list(keys.typo_keys)]).fetchone()[0]
    return {"index_scans": kinds.count("Index Scan"), "sequential_scans": kinds.count("Sequential Scan"),
            "candidates": candidates, "plan": text}


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


def _recall(queries: list[dict], field: str) -> dict:
    """Per kind with a target: the share of queries whose target is among the results in `field`."""
    out = {}
    for kind in KINDS[:3]:
        hits = [q["target"] in q[field] for q in queries if q["kind"] == kind and field in q]
        if hits:
            out[kind] = {"n": len(hits), "recall": round(sum(hits) / len(hits), 3)}
    return out


def _run(cur, queries: list[dict], fn, field: str) -> dict:
    times, by_kind = [], {k: [] for k in KINDS}
    for query in queries:
        elapsed, query[field] = _timed(fn, cur, query)
        times.append(elapsed)
        by_kind[query["kind"]].append(elapsed)
    return {**_stats(times), "by_kind": {k: _stats(v) for k, v in by_kind.items()}, "recall_at_10": _recall(queries, field)}


def run_size(size: int, queries_n: int, baseline_n: int, seed: int, workdir: Path, plan_dir: Path | None) -> dict:
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
                baseline(cur, query)
            result["ours"] = _run(cur, queries, ours, "ours")
            result["baseline"] = _run(cur, queries[:baseline_n], baseline, "baseline")
            # ours on exactly the baseline's queries, for a like-for-like recall
            result["ours"]["recall_at_10_on_baseline_queries"] = _recall(queries[:baseline_n], "ours")

            # blocks: how many rows the biggest look-ups return, against DuckDB's index-scan threshold
            threshold = max(int(cur.execute("SELECT current_setting('index_scan_max_count')").fetchone()[0]),
                            int(float(cur.execute("SELECT current_setting('index_scan_percentage')").fetchone()[0])
                                * size))
            largest = {}
            for column in ("name_block", "family_year_block", "phone_e164", "email_key"):
                row = cur.execute(f"SELECT {column}, count(*) AS n FROM person WHERE {column} IS NOT NULL "
                                  "GROUP BY 1 ORDER BY n DESC, 1 LIMIT 1").fetchone()
                largest[column] = {"value": row[0], "rows": row[1]}
            row = cur.execute("SELECT name_key, count(*) AS n FROM person_name_key GROUP BY 1 ORDER BY n DESC, 1 "
                              "LIMIT 1").fetchone()
            largest["person_name_key"] = {"value": row[0], "rows": row[1]}
            result["largest_blocks"] = largest
            result["index_scan_threshold_rows"] = threshold

            plans = {}
            for kind in KINDS:
                plans[kind] = explain(cur, next(q for q in queries if q["kind"] == kind))
            # the most common name: the biggest name block, with and without a birth year
            given, family, birth_year = cur.execute(
                "SELECT given_name, family_name, birth_year FROM person WHERE name_block = ? AND birth_year IS NOT NULL "
                "ORDER BY id LIMIT 1", [largest["name_block"]["value"]]).fetchone()
            for name, year in (("most_common_name_year", birth_year), ("most_common_name_only", None)):
                plans[name] = explain(cur, {"birth_year": year, "keys": dedupe.Keys.of(given, family, None, None, year)})
            if plan_dir is not None:
                plan_dir.mkdir(parents=True, exist_ok=True)
                (plan_dir / f"dedupe_plan_{size}.txt").write_text(
                    "\n\n".join(f"== {k} ==\n{v['plan']}" for k, v in plans.items()), encoding="utf-8")
            result["plans"] = {k: {key: v[key] for key in ("index_scans", "sequential_scans", "candidates")}
                               for k, v in plans.items()}
        result["ratio_baseline_over_ours"] = round(result["baseline"]["median_ms"] / result["ours"]["median_ms"], 1)
        result["load_average"] = {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)}
        return result
    finally:
        store.close()
        for suffix in ("", ".wal"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(f"{path}{suffix}")


def _pct(recall: dict, kind: str) -> str:
    return f"{recall[kind]['recall']:.0%}" if kind in recall else "-"


def _table(results: list[dict]) -> str:
    header = ["size", "build s", "check", "n", "median ms", "p95 ms", "p95 cpu ms", "recall name+year",
              "recall name only", "recall phone", "index scans", "load avg"]
    lines = [tuple(header)]
    for r in results:
        index = sum(p["index_scans"] for p in r["plans"].values())
        seq = sum(p["sequential_scans"] for p in r["plans"].values())
        for name in ("ours", "baseline"):
            m = r[name]
            recall = m["recall_at_10"]
            lines.append((f"{r['size']:,}", f"{r['build']['build_s']:.1f}", name, str(m["n"]), f"{m['median_ms']:.1f}",
                          f"{m['p95_ms']:.1f}", f"{m['cpu_p95_ms']:.1f}", _pct(recall, "name_year"),
                          _pct(recall, "name_only"), _pct(recall, "phone"),
                          f"{index}/{index + seq}" if name == "ours" else "0 (scan)",
                          f"{r['load_average']['before']:.1f}/{r['load_average']['after']:.1f}"))
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    out = [" | ".join(cell.rjust(widths[i]) for i, cell in enumerate(row)) for row in lines]
    out.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dedupe_check", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated store sizes")
    parser.add_argument("--queries", type=int, default=300, help="query persons per size")
    parser.add_argument("--baseline-queries", type=int, default=None,
                        help="queries for the baseline scan (default: all up to 100k, then 100,000,000/size)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "dedupe_check.json"))
    parser.add_argument("--workdir", default=None, help="where the temporary stores go (default: a temp dir)")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    out = Path(args.out)
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="crm_bench_"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for size in sizes:
            baseline_n = min(args.queries, args.baseline_queries or max(20, 100_000_000 // size))
            print(f"size {size:,}: building, then {args.queries} queries ({baseline_n} for the baseline)…",
                  file=sys.stderr, flush=True)
            result = run_size(size, args.queries, baseline_n, args.seed, workdir, out.parent)
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
        "targets": {"recall_at_10": {kind: {str(size): goal for size, goal in goals.items()}
                                     for kind, goals in TARGETS.items() if kind != "p95_ms_at_1m"},
                    "p95_ms_at_1m": TARGETS["p95_ms_at_1m"]},
        "results": results,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print(_table(results))
    print(f"\nJSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
