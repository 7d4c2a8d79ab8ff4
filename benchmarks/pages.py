"""Every screen through Streamlit's AppTest at 2k and 100k persons (1M with BENCH_1M=1), as its role sees it.

    python -m benchmarks.pages [--sizes 2000,100000] [--with-1m] [--repeat 9] [--only "places;waitlist (1,000)"]
                               [--out benchmarks/results/pages.json]

The stores are built once by the demo generator (crm_app.demo.fill: persons, sources, consents,
contact moments, three networks, one account per role), grown by `grow` into a national platform:
200 sounding boards and a second alumni network, ten yearly cohorts of members per board, 5 % of
the persons waiting (one list of 1,000), an alumni network of 1,500, an open offer per board and six
audit events per person (a valid hash chain). Each store is kept in benchmarks/cache/ under the
generator's version (a hash of crm_app/demo, the schemas and `grow`), and every run works on a copy.

Per page: log in as the role that uses it (a real server-side session), open the page once (warm-up),
then time --repeat reruns: median and p95 of wall and CPU time (this process: the script thread and
DuckDB's threads), the queries a rerun runs (cursor executes, counted by wrapping the store's units of
work), and how many elements the page drew. Baseline in the same run: the login page; `x login` is
page / login, and `x 2k` is 100k / 2k per page. `dashboards after change` is the composition view
right after a registration (the counted persons change). The heaviest reads are shown with EXPLAIN ANALYZE.
Target: every page under 150 ms at 100k and under 1 s at 1M.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import inspect
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

from crm_app.access import audit_key
from crm_app.core.paths import ROOT

CACHE = ROOT / "benchmarks" / "cache"
ALUMNI_MEMBERS = 1500
LONG_LIST = 1000
BOARDS = 200
TIMEOUT_S = 300          # one run of a page; a run that takes longer is reported as an error
SLOW_S = 5               # a page slower than this once is not timed --repeat times
ROLE_OF = {"home": "outreach", "register": "outreach", "find": "outreach", "follow_ups": "outreach",
           "self_register": "kiosk", "dashboards": "coordinator", "users": "admin", "sessions": "admin",
           "roles": "admin", "audit": "admin", "privacy": "admin"}     # every other screen: the program manager
USERNAMES = {"outreach": "outreach", "program_manager": "manager", "coordinator": "coordinator", "admin": "admin",
             "kiosk": "kiosk"}


# -- the store ----------------------------------------------------------------------------------------
def grow(cur, seed: int) -> dict:
    """The demo store made national: boards, years of members, long lists, a large audit log (in SQL)."""
    cur.execute("SELECT setseed(?)", [seed / 10_000])
    today = dt.date.today()
    n = cur.execute("SELECT max(id) FROM person").fetchone()[0]
    manager = cur.execute("SELECT id FROM app_user WHERE username = 'manager'").fetchone()[0]
    alumni_id = cur.execute("SELECT id FROM network WHERE kind = 'alumni_network' ORDER BY id LIMIT 1").fetchone()[0]
    cur.execute("""INSERT INTO network (name, kind, min_places, max_places, term_months, max_consecutive_terms,
                                        rest_months, meeting_cadence, created_utc)
                   VALUES ('Alumni Landelijk', 'alumni_network', 0, 5000, 36, 1, 0, 'quarterly', now())""")
    second_alumni = cur.execute("SELECT max(id) FROM network").fetchone()[0]
    cur.execute("""INSERT INTO network (name, kind, min_places, max_places, term_months, max_consecutive_terms,
                                        rest_months, meeting_cadence, alumni_network_id, created_utc)
                   SELECT 'Klankbordgroep ' || lpad((range + 1)::VARCHAR, 3, '0'), 'sounding_board', 10, 15, 12, 2,
                          12, 'monthly', CASE WHEN range % 2 = 0 THEN $a ELSE $b END, now() FROM range($k)""",
                {"k": BOARDS, "a": alumni_id, "b": second_alumni})
    boards = "SELECT id FROM network WHERE name LIKE 'Klankbordgroep ___'"
    cur.execute(f"""INSERT INTO network_target (network_id, dimension, dim_value, measure, min_value, max_value)
                    SELECT id, d, v, m, lo, hi FROM ({boards}), (VALUES ('gender', 'woman', 'share', 0.4, NULL),
                           ('country_of_origin', NULL, 'distinct', 4, NULL), ('integration_route', 'z_route', 'count',
                           1, NULL)) t(d, v, m, lo, hi)""")
    # ten yearly cohorts of 13-15 per board: the last one current (some places open), the rest ended
    cur.execute(f"""
        INSERT INTO membership (network_id, person_id, start_date, planned_end_date, actual_end_date, end_reason)
        SELECT id, 1 + (random() * ($n - 1))::BIGINT, start, start + INTERVAL 12 MONTH,
               CASE WHEN c > 0 THEN start + INTERVAL 12 MONTH END, CASE WHEN c > 0 THEN 'term_completed' END
        FROM (SELECT b.id, c, ($today - INTERVAL (c * 12) MONTH - INTERVAL (s * 20 + b.id % 20) DAY)::DATE AS start
              FROM ({boards}) b, range(10) r(c), range(15) q(s) WHERE s < 13 + b.id % 3)""", {"n": n, "today": today})
    cur.execute("""INSERT INTO membership (network_id, person_id, start_date, planned_end_date)
                   SELECT $a, person_id, actual_end_date, actual_end_date + INTERVAL 36 MONTH FROM membership
                   WHERE actual_end_date IS NOT NULL ORDER BY random() LIMIT $m""",
                {"a": alumni_id, "m": ALUMNI_MEMBERS})
    cur.execute("""INSERT INTO membership (network_id, person_id, start_date, planned_end_date)
                   SELECT $a, person_id, actual_end_date, actual_end_date + INTERVAL 36 MONTH FROM membership
                   WHERE actual_end_date IS NOT NULL ORDER BY random() LIMIT 400""", {"a": second_alumni})
    # 5 % of the persons waiting: the first board holds a list of 1,000, the rest spread over the boards
    first = cur.execute(f"SELECT min(id) FROM ({boards})").fetchone()[0]
    cur.execute(f"""
        INSERT INTO waitlist_entry (network_id, person_id, joined_utc, status, status_utc, last_check_utc, added_by)
        SELECT CASE WHEN row_number() OVER () <= $long THEN $first
                    ELSE (SELECT min(id) FROM ({boards})) + 1 + (random() * ($k - 2))::BIGINT END,
               id, j, 'waiting', j, CASE WHEN random() < 0.7 THEN j + INTERVAL 150 DAY END, $manager
        FROM (SELECT id, now()::TIMESTAMP - INTERVAL (random() * 700) DAY AS j FROM person
              WHERE random() < 0.05 ORDER BY random())""",
                {"long": LONG_LIST, "first": first, "k": BOARDS, "manager": manager})
    cur.execute(f"""INSERT INTO offer (network_id, person_id, waitlist_entry_id, method, reason, offered_utc,
                                       deadline_date, status, offered_by)
                    SELECT network_id, arg_min(person_id, id), min(id), 'waitlist', '[]', now(), $d, 'open', $manager
                    FROM waitlist_entry WHERE network_id IN ({boards}) GROUP BY network_id""",
                {"d": today + dt.timedelta(days=10), "manager": manager})
    cur.execute("UPDATE waitlist_entry SET status = 'offered' WHERE id IN (SELECT waitlist_entry_id FROM offer "
                "WHERE status = 'open')")
    events = _audit_log(cur, 6 * n)
    return {"boards": BOARDS, "long_list_network": first, "alumni_network": alumni_id, "audit_events": events,
            "memberships": cur.execute("SELECT count(*) FROM membership").fetchone()[0],
            "waiting": cur.execute("SELECT count(*) FROM waitlist_entry WHERE status = 'waiting'").fetchone()[0]}


def _audit_log(cur, count: int, chunk: int = 200_000) -> int:
    """`count` staff events over the last years, appended to the keyed hash chain as audit.record would (ids
    from the head, HMAC with the store's key; in chunks, so that a million persons' log fits in memory)."""
    import pyarrow as pa

    from crm_app.access import audit, audit_key
    audit.record(cur, audit.CLI_OPERATOR, "store.backup")   # keys the chain (and makes its key file) if not yet
    key = audit_key.load(audit_key.store_path(cur))
    rng = random.Random(count)
    users = [r[0] for r in cur.execute("SELECT id FROM app_user ORDER BY id").fetchall()]
    last_id, prev = cur.execute("SELECT last_id, last_hash FROM audit_head WHERE id = 1").fetchall()[0]
    start = dt.datetime.now().replace(microsecond=0) - dt.timedelta(days=3 * 365)
    step = 3 * 365 * 86400 / count
    actions = ("person.view", "person.view", "person.view", "person.register", "waitlist.add", "login", "offer.make")
    names = ("id", "occurred_utc", "user_id", "action", "record_type", "record_id", "result", "origin", "prev_hash",
             "event_hash")
    i = 0
    while i < count:
        size = min(chunk, count - i)
        ids = range(last_id + 1, last_id + 1 + size)
        columns = {name: [] for name in names}
        for event_id in ids:
            when = start + dt.timedelta(seconds=int(i * step))
            user, action = rng.choice(users), rng.choice(actions)
            record = None if action == "login" else rng.randrange(1, 100_000)
            kind = None if record is None else action.split(".")[0]
            digest = audit.event_hash(prev, event_id, when, user, action, kind, record, "ok", "web", key)
            for name, value in zip(names, (event_id, when, user, action, kind, record, "ok", "web", prev, digest)):
                columns[name].append(value)
            prev, i = digest, i + 1
        cur.register("audit_rows", pa.table(columns))
        cur.execute("INSERT INTO audit_event (id, occurred_utc, user_id, action, record_type, record_id, result, "
                    "origin, prev_hash, event_hash) SELECT * FROM audit_rows")
        cur.unregister("audit_rows")
        last_id = ids[-1]
        cur.execute("UPDATE audit_head SET last_id = ?, last_hash = ? WHERE id = 1", [last_id, prev])
    return count


def generator_version() -> str:
    digest = hashlib.sha256(inspect.getsource(grow).encode() + inspect.getsource(_audit_log).encode())
    for folder, pattern in ((ROOT / "crm_app" / "demo", "*.py"), (ROOT / "schemas", "*.sql"),
                            (ROOT / "data", "demo_*.json")):
        for path in sorted(folder.glob(pattern)):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def cached_store(n: int, seed: int) -> tuple[Path, dict]:
    """The store of n persons from the cache, built when the generator changed since."""
    from crm_app.core.store import Store
    from crm_app.demo.fill import fill_demo
    path = CACHE / f"pages-{n}-{generator_version()}.duckdb"
    facts_path = path.with_suffix(".json")
    if path.exists() and facts_path.exists():
        return path, json.loads(facts_path.read_text())
    CACHE.mkdir(parents=True, exist_ok=True)
    for old in CACHE.glob(f"pages-{n}-*"):
        old.unlink()
    started = time.perf_counter()
    store = Store(path)
    try:
        summary = fill_demo(store, persons=n, seed=seed)
        facts = {"persons": summary["persons"], **store.write(grow, seed)}
        with store.read() as cur:
            cur.execute("CHECKPOINT")
    finally:
        store.close()
    facts["build_s"] = round(time.perf_counter() - started, 1)
    facts_path.write_text(json.dumps(facts))
    return path, facts


# -- counting queries ---------------------------------------------------------------------------------
class _Counting:
    """A cursor that counts its executes; everything else goes to the real cursor."""

    def __init__(self, cur, counter):
        self._cur, self._counter = cur, counter

    def execute(self, *args, **kwargs):
        self._counter[0] += 1
        self._cur.execute(*args, **kwargs)
        return self

    def sql(self, *args, **kwargs):
        self._counter[0] += 1
        return self._cur.sql(*args, **kwargs)

    def executemany(self, *args, **kwargs):
        self._counter[0] += 1
        self._cur.executemany(*args, **kwargs)
        return self

    def __getattr__(self, name):
        return getattr(self._cur, name)


def count_queries(counter: list[int]):
    """Wrap Store.read and Store.write so every cursor they hand out counts into counter[0]."""
    from crm_app.core.store import Store
    read, write = Store.read, Store._write

    @contextlib.contextmanager
    def counting_read(self):
        with read(self) as cur:
            yield _Counting(cur, counter)

    def counting_write(self, work, *args, **kwargs):
        return write(self, lambda cur, *a, **k: work(_Counting(cur, counter), *a, **k), *args, **kwargs)

    Store.read, Store._write = counting_read, counting_write


# -- the pages ----------------------------------------------------------------------------------------
def cases(facts: dict, person_id: int) -> list[tuple[str, str, str, dict, dict]]:
    """(name, screen, role, query, session state) for every screen, plus the long lists and dashboard views."""
    from crm_app.access.screens import SCREENS
    from crm_app.core import permissions
    out = []
    for screen in SCREENS:
        role = ROLE_OF.get(screen.key, "program_manager")
        if not permissions.allowed(role, screen.action):
            role = next(r for r in USERNAMES if permissions.allowed(r, screen.action))
        query = {"id": str(person_id)} if screen.key == "person" else {}
        out.append((screen.key, screen.key, role, query, {}))
    out += [("waitlist (1,000)", "waitlist", "program_manager", {"network": str(facts["long_list_network"])}, {}),
            ("members (alumni 1,500)", "members", "program_manager", {"network": str(facts["alumni_network"])}, {}),
            ("alumni (1,500)", "alumni", "program_manager", {"network": str(facts["alumni_network"])}, {})]
    for view in ("targets", "over_time", "funnel", "compare"):
        out.append((f"dashboards {view}", "dashboards", "coordinator", {}, {"dashboards_view": view}))
    return out


def _elements(node) -> int:
    return sum(_elements(child) if hasattr(child, "children") else 1 for child in node.children.values())


def run_case(screen: str, role: str, query: dict, state: dict, repeat: int, counter: list[int],
             before_each=None) -> dict:
    from apptest_kit import new_app, sign_in

    from crm_app.access import users
    from crm_app.ui.resources import get_store
    store = get_store()
    with store.read() as cur:
        user_id = cur.execute("SELECT id FROM app_user WHERE username = ?", [USERNAMES[role]]).fetchone()[0]
    at = new_app()
    sign_in(at, users.active_user(store, user_id))
    for key, value in state.items():
        at.session_state[key] = value
    at.query_params.update(query)
    at.switch_page(f"pages/{screen}.py")
    try:
        at.run(timeout=TIMEOUT_S)
        if at.exception:
            return {"error": str(at.exception[0].value)[:300]}
        walls, cpus, queries = [], [], []
        for _ in range(repeat):
            if before_each:
                before_each()
            counter[0] = 0
            wall, cpu = time.perf_counter(), time.process_time()
            at.run(timeout=TIMEOUT_S)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            queries.append(counter[0])
            if walls[-1] > SLOW_S * 1000:
                break                       # a page that takes seconds: one timed run says enough
    except RuntimeError as exc:             # AppTest's timeout
        return {"error": str(exc)[:300]}
    if at.exception:
        return {"error": str(at.exception[0].value)[:300]}
    return {"median_ms": round(statistics.median(walls), 1), "p95_ms": round(_p95(walls), 1),
            "cpu_median_ms": round(statistics.median(cpus), 1), "cpu_p95_ms": round(_p95(cpus), 1),
            "queries": max(queries), "elements": _elements(at.main)}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def login_page(repeat: int, counter: list[int]) -> dict:
    from apptest_kit import new_app
    at = new_app()
    at.run(timeout=120)
    walls, cpus = [], []
    for _ in range(repeat):
        counter[0] = 0
        wall, cpu = time.perf_counter(), time.process_time()
        at.run(timeout=60)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return {"median_ms": round(statistics.median(walls), 1), "p95_ms": round(_p95(walls), 1),
            "cpu_median_ms": round(statistics.median(cpus), 1), "cpu_p95_ms": round(_p95(cpus), 1),
            "queries": counter[0], "elements": _elements(at.main)}


_FRESH = """
import json, os, sys, time
t0 = time.perf_counter()
from streamlit.testing.v1 import AppTest
t1 = time.perf_counter()
AppTest.from_file(sys.argv[1], default_timeout=120).run()
t2 = time.perf_counter()
mods = [m for m in ("pandas", "numpy", "pyarrow", "phonenumbers", "email_validator", "crm_app.networks.registry")
        if m in sys.modules]
print(json.dumps({"streamlit_import_ms": (t1 - t0) * 1000, "first_page_ms": (t2 - t1) * 1000, "modules": mods}))
"""


def fresh_start(db: Path, repeat: int = 3) -> dict:
    """The login page's first run in a new process (the app's imports, the store opened): what the first
    visitor after `crm serve` waits for, beyond Streamlit's own start."""
    import subprocess
    runs = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", _FRESH, str(ROOT / "app.py")], capture_output=True, text=True,
                              env={**os.environ, "CRM_DB": str(db)}, check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {"first_page_ms": round(statistics.median(r["first_page_ms"] for r in runs), 1),
            "modules_loaded": runs[0]["modules"]}


def registration(store):
    """A new person with the diversity consent: the counted persons change before the next dashboard view."""
    from crm_app.access.audit import Actor
    from crm_app.people import persons
    from crm_app.people.sources import SourceInput
    from crm_app.people.validation import PersonInput
    actor = Actor(user_id=None, role="outreach", origin="cli")
    counter = [0]

    def register():
        counter[0] += 1
        persons.register(store, actor, PersonInput(given_name="Bench", family_name="Mark" + "abcdefghij"[counter[0] % 10],
                                                   gender="woman", birth_year=1990, country_of_origin="SY",
                                                   consent_contact=True, consent_diversity_statistics=True),
                         SourceInput("market", "Markt Bench", None, dt.date.today(), None, None), confirmed_new=True)
    return register


def explain(store, facts: dict) -> str:
    """EXPLAIN ANALYZE of the heaviest reads on a page path."""
    import duckdb

    from crm_app.insight import counted
    from crm_app.insight.population import population_query
    from crm_app.networks import composition
    out = []
    with store.read() as cur:
        member_sql = ("SELECT person_id FROM membership WHERE actual_end_date IS NULL UNION ALL "
                      "SELECT person_id FROM offer WHERE status = 'open'")
        queries = {
            "diversity consent of all members and offered (composition.consented_sql)":
                (f"SELECT count(*) FROM ({composition.consented_sql(member_sql)})", []),
            "places overview counts per network (registry._PLACES_SQL)": (_places_sql(), _places_params()),
        }
        sql, params = population_query("waiting", None, dt.date.today())
        queries["dashboards: the waiting population"] = (f"SELECT count(*) FROM ({sql})", params)
        queries["dashboards: every counted person, read once (counted._PEOPLE_SQL, cold)"] = (
            counted._PEOPLE_SQL.format(consented=counted.CONSENTED, only=""), None)
        queries["dashboards: one changed person read again (counted.kept)"] = (
            counted._PEOPLE_SQL.format(
                consented=counted.CONSENTED.replace("GROUP BY", "AND person_id IN (SELECT unnest($ids)) GROUP BY"),
                only="AND p.id IN (SELECT unnest($ids))"), {"ids": [facts["persons"] // 2]})
        for title, (sql, params) in queries.items():
            if sql is None:
                continue
            try:
                plan = cur.execute("EXPLAIN ANALYZE " + sql, params).fetchall()
            except duckdb.Error as exc:     # an older version of the code under test (a before run)
                out.append(f"-- {title}\n(not available: {type(exc).__name__})")
                continue
            out.append(f"-- {title}\n" + "\n".join(row[1] for row in plan))
    return "\n\n".join(out)


def _places_sql():
    from crm_app.networks import registry
    return getattr(registry, "_PLACES_SQL", None)


def _places_params():
    from crm_app.core.clock import add_months
    return {"until": add_months(dt.date.today(), 3)}


# -- main ---------------------------------------------------------------------------------------------
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2000,100000")
    parser.add_argument("--with-1m", action="store_true", default=bool(os.environ.get("BENCH_1M")))
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--only", default="", help="case names separated by ; (default: all)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "pages.json"))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] + ([1_000_000] if args.with_1m else [])
    only = {s.strip() for s in args.only.split(";") if s.strip()}
    sys.path.insert(0, str(ROOT / "tests" / "app"))     # apptest_kit: how the tests open the app and sign in
    import logging

    from streamlit.runtime.pages_manager import PagesManager
    for name in [n for n in logging.root.manager.loggerDict if n.startswith("streamlit")]:
        logging.getLogger(name).setLevel(logging.ERROR)      # "missing ScriptRunContext" from the main thread

    from crm_app.ui.resources import get_store
    original_init = PagesManager.__init__

    def init(self, *a, **k):    # every run executes app.py, as a running server does (tests/app/conftest.py)
        original_init(self, *a, **k)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    counter = [0]
    count_queries(counter)
    results, workdir = [], Path(tempfile.mkdtemp(prefix="bench-pages-"))
    try:
        for n in sizes:
            started = time.perf_counter()
            cached, facts = cached_store(n, args.seed)
            how = f"built in {facts['build_s']} s" if time.perf_counter() - started > 1 else "cached"
            print(f"\n{n:,} persons: {cached.name} ({how}; "
                  f"{facts['boards']} boards, {facts['memberships']:,} memberships, {facts['waiting']:,} waiting, "
                  f"{facts['audit_events']:,} audit events)", flush=True)
            path = workdir / f"pages-{n}.duckdb"
            shutil.copyfile(cached, path)
            if audit_key.key_file(cached).exists():   # the audit chain's key travels with its store
                shutil.copyfile(audit_key.key_file(cached), audit_key.key_file(path))
            os.environ["CRM_DB"] = str(path)
            get_store.clear()
            store = get_store()
            with store.read() as cur:
                person_id = cur.execute("SELECT person_id FROM membership WHERE actual_end_date IS NULL "
                                        "ORDER BY id LIMIT 1").fetchone()[0]
            row = {"persons": n, "facts": facts, "pages": {}}
            if n == min(sizes):
                get_store().close()
                get_store.clear()
                row["fresh_start"] = fresh_start(path)
                print(f"  first page after a fresh start: {row['fresh_start']['first_page_ms']} ms (median of 3; "
                      f"loaded: {', '.join(row['fresh_start']['modules_loaded']) or 'none of the heavy modules'})")
                store = get_store()
            row["pages"]["login"] = login_page(args.repeat, counter)
            _print_head(n)
            _print_line("login", row["pages"]["login"], None)
            for name, screen, role, query, state in cases(facts, person_id):
                if only and name not in only:
                    continue
                row["pages"][name] = run_case(screen, role, query, state, args.repeat, counter)
                _print_line(name, row["pages"][name], row["pages"]["login"])
            if not only or "dashboards after change" in only:
                row["pages"]["dashboards after change"] = run_case(
                    "dashboards", "coordinator", {}, {}, max(3, args.repeat // 2), counter, registration(store))
                _print_line("dashboards after change", row["pages"]["dashboards after change"], row["pages"]["login"])
            row["explain"] = explain(store, facts)
            if n == max(sizes):
                print("\nEXPLAIN ANALYZE of the heaviest reads at", f"{n:,}:\n" + row["explain"])
            get_store().close()
            get_store.clear()
            path.unlink(missing_ok=True)
            results.append(row)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    _print_ratio(results)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"benchmark": "pages", "python": platform.python_version(), "cpus": os.cpu_count(),
                               "repeat": args.repeat, "load_avg": os.getloadavg(), "results": results}, indent=2,
                              default=str))
    print(f"\nJSON: {out}")
    return 0


def _print_head(n: int) -> None:
    print(f"  {'page':<26}{'median':>8}{'p95':>8}{'cpu med':>9}{'cpu p95':>9}{'queries':>9}{'elements':>10}"
          f"{'x login':>9}")


def _print_line(name: str, m: dict, login: dict | None) -> None:
    if "error" in m:
        print(f"  {name:<26}error: {m['error']}", flush=True)
        return
    ratio = f"{m['median_ms'] / login['median_ms']:.1f}" if login else ""
    print(f"  {name:<26}{m['median_ms']:>8.1f}{m['p95_ms']:>8.1f}{m['cpu_median_ms']:>9.1f}{m['cpu_p95_ms']:>9.1f}"
          f"{m['queries']:>9}{m['elements']:>10}{ratio:>9}", flush=True)


def _print_ratio(results: list[dict]) -> None:
    if len(results) < 2:
        return
    small, *large = results
    print(f"\nmedian ms per page, and the ratio to {small['persons']:,} persons")
    print(f"  {'page':<26}{small['persons']:>10,}" + "".join(f"{r['persons']:>10,}{'ratio':>7}" for r in large))
    for name, m in small["pages"].items():
        if "error" in m:
            continue
        line = f"  {name:<26}{m['median_ms']:>10.1f}"
        for r in large:
            other = r["pages"].get(name, {})
            if "median_ms" in other:
                line += f"{other['median_ms']:>10.1f}{other['median_ms'] / m['median_ms']:>7.1f}"
        print(line)


if __name__ == "__main__":
    raise SystemExit(main())
