"""The DuckDB store: migrations, the file lock, retries on write conflicts, all-or-nothing units of work."""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import duckdb
import pytest

from crm_app.access import audit
from crm_app.core import store as store_module
from crm_app.core.errors import ConcurrentChange
from crm_app.core.paths import SCHEMA_DIR
from crm_app.core.store import Store

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = sorted(int(p.name[:3]) for p in SCHEMA_DIR.glob("*.sql") if re.match(r"^\d{3}_[a-z0-9_]+\.sql$", p.name))


def rows(store: Store, sql: str, params=None) -> list[tuple]:
    with store.read() as cur:
        return cur.execute(sql, params or []).fetchall()


# -- migrations -----------------------------------------------------------------------------------
def test_new_file_is_migrated_to_the_newest_schema(tmp_path):
    store = Store(tmp_path / "crm.duckdb")
    try:
        assert MIGRATIONS[0] == 1
        assert store.schema_version() == MIGRATIONS[-1]
        assert [r[0] for r in rows(store, "SELECT version FROM schema_migration ORDER BY version")] == MIGRATIONS
        assert rows(store, "SELECT name FROM schema_migration WHERE version = 1") == [("001_foundation.sql",)]
        tables = {r[0] for r in rows(store, "SELECT table_name FROM information_schema.tables")}
        assert {"app_user", "person", "person_source", "consent", "activity", "audit_event", "network",
                "person_stage"} <= tables
    finally:
        store.close()


def test_reopening_applies_nothing_again(tmp_path):
    path = tmp_path / "crm.duckdb"
    Store(path).close()
    store = Store(path)
    try:
        assert store.migrate() == []
        assert rows(store, "SELECT count(*) FROM schema_migration") == [(len(MIGRATIONS),)]
        assert store.schema_version() == MIGRATIONS[-1]
    finally:
        store.close()


def test_reopening_keeps_the_data(tmp_path):
    path = tmp_path / "crm.duckdb"
    store = Store(path)
    store.write(lambda cur: cur.execute(
        "INSERT INTO audit_event (occurred_utc, action, result, origin) VALUES (now(), 'test', 'ok', 'cli')"))
    store.close()
    store = Store(path)
    try:
        assert rows(store, "SELECT action FROM audit_event") == [("test",)]
    finally:
        store.close()


def test_missing_folder_is_created(tmp_path):
    path = tmp_path / "not" / "there" / "yet" / "crm.duckdb"
    store = Store(path)
    try:
        assert path.exists()
        assert store.schema_version() == MIGRATIONS[-1]
    finally:
        store.close()


def test_crm_db_environment_variable_chooses_the_file(tmp_path, monkeypatch):
    path = tmp_path / "elsewhere" / "crm.duckdb"
    monkeypatch.setenv("CRM_DB", str(path))
    store = Store()
    try:
        assert store.path == path and path.exists()
    finally:
        store.close()


# -- one process per file -------------------------------------------------------------------------
OPEN_IN_ANOTHER_PROCESS = textwrap.dedent("""
    import sys
    from crm_app.core.errors import StoreLocked
    from crm_app.core.i18n import error_text
    from crm_app.core.store import Store
    try:
        Store(sys.argv[1]).close()
    except StoreLocked as exc:
        print("locked", exc.code, error_text(exc, "en"))
        sys.exit(3)
    print("opened")
""")


def open_elsewhere(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", OPEN_IN_ANOTHER_PROCESS, str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_second_process_is_told_the_store_is_locked(store):
    done = open_elsewhere(store.path)
    assert done.returncode == 3, done.stderr
    assert done.stdout.startswith("locked store_locked The database ")
    assert str(store.path) in done.stdout
    assert "Traceback" not in done.stderr


WRITE_WITH_A_FULL_DISK = textwrap.dedent("""
    import os, resource, signal, sys
    from crm_app.core.errors import ConcurrentChange, StoreWriteFailed
    from crm_app.core.i18n import error_text
    from crm_app.core.store import Store
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a write past the limit fails instead of killing us
    store = Store(sys.argv[1])
    store.write(lambda cur: cur.execute("CREATE TABLE note (body VARCHAR)"))
    store.write(lambda cur: cur.execute("INSERT INTO note VALUES ('kept')"))
    store.write(lambda cur: cur.execute("CHECKPOINT"))
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (os.path.getsize(sys.argv[1]) + (1 << 20), hard))
    big = lambda cur: cur.execute("INSERT INTO note SELECT repeat('x', 200) || range FROM range(200000)")
    try:
        store.write(big)
        print("saved")
    except ConcurrentChange as exc:
        print("conflict", error_text(exc, "en"))
    except StoreWriteFailed as exc:
        print("failed", error_text(exc, "en"))
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
    store.write(lambda cur: cur.execute("INSERT INTO note VALUES ('after')"))
    with store.read() as cur:
        print(cur.execute("SELECT list(body ORDER BY body) FROM note WHERE length(body) < 10").fetchone()[0])
    store.close()
""")


def test_a_full_disk_says_nothing_was_saved_and_the_store_stays_writable(tmp_path):
    """Disk full is not "someone else changed this": the user is told the truth, earlier data stays, and once
    there is room again the store takes writes."""
    done = subprocess.run([sys.executable, "-c", WRITE_WITH_A_FULL_DISK, str(tmp_path / "crm.duckdb")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    outcome, remaining = done.stdout.splitlines()
    assert outcome.startswith("failed Saving failed: the server could not write"), outcome
    assert remaining == "['after', 'kept']"


def test_second_process_opens_the_file_once_it_is_free(tmp_path):
    path = tmp_path / "crm.duckdb"
    Store(path).close()
    done = open_elsewhere(path)
    assert (done.returncode, done.stdout.strip()) == (0, "opened"), done.stderr


# -- write conflicts ------------------------------------------------------------------------------
def test_unit_of_work_retried_on_transaction_conflict(store, monkeypatch):
    monkeypatch.setattr(store_module.time, "sleep", lambda seconds: None)
    attempts = []

    def work(cur, value):
        attempts.append(value)
        cur.execute("INSERT INTO audit_event (occurred_utc, action, result, origin) VALUES (now(), ?, 'ok', 'cli')",
                    [f"try {len(attempts)}"])
        if len(attempts) < store_module.RETRIES:
            raise duckdb.TransactionException("Conflict on update!")
        return "done"

    assert store.write(work, "x") == "done"
    assert len(attempts) == store_module.RETRIES
    assert store.conflicts == store_module.RETRIES - 1, "each retried conflict is counted"
    # Only the attempt that committed left a row.
    assert rows(store, "SELECT action FROM audit_event WHERE action LIKE 'try %'") == [
        (f"try {store_module.RETRIES}",)]


def test_persistent_conflict_ends_in_concurrent_change_and_nothing_written(store, monkeypatch):
    monkeypatch.setattr(store_module.time, "sleep", lambda seconds: None)
    attempts = []

    def work(cur):
        attempts.append(1)
        cur.execute("INSERT INTO audit_event (occurred_utc, action, result, origin) VALUES (now(), 'x', 'ok', 'cli')")
        raise duckdb.TransactionException("Conflict on update!")

    with pytest.raises(ConcurrentChange) as info:
        store.write(work)
    assert info.value.code == "concurrent_change"
    assert len(attempts) == store_module.RETRIES
    assert rows(store, "SELECT count(*) FROM audit_event WHERE action = 'x'") == [(0,)]


def set_name(cur, user_id: int, name: str) -> None:
    cur.execute("UPDATE app_user SET display_name = ? WHERE id = ?", [name, user_id])


def test_real_conflict_with_another_transaction_is_retried_after_it_commits(store, actor):
    """A transaction that began before another one committed its update of the same row conflicts; the retry wins."""
    attempts = []
    with store.read() as other:
        other.execute("BEGIN TRANSACTION")
        set_name(other, actor.user_id, "Changed elsewhere")

        def work(cur):
            attempts.append(1)
            cur.execute("SELECT display_name FROM app_user WHERE id = ?", [actor.user_id]).fetchone()
            if len(attempts) == 1:
                other.execute("COMMIT")   # the other unit finishes while ours is under way
            set_name(cur, actor.user_id, "Changed here")
            return len(attempts)

        assert store.write(work) == 2
    assert rows(store, "SELECT display_name FROM app_user WHERE id = ?", [actor.user_id]) == [("Changed here",)]


def test_real_conflict_that_lasts_ends_in_concurrent_change(store, actor):
    with store.read() as other:
        other.execute("BEGIN TRANSACTION")
        set_name(other, actor.user_id, "Held elsewhere")
        with pytest.raises(ConcurrentChange):
            store.write(set_name, actor.user_id, "Changed here")
        other.execute("COMMIT")
    assert rows(store, "SELECT display_name FROM app_user WHERE id = ?", [actor.user_id]) == [("Held elsewhere",)]


def test_threads_updating_the_same_row_all_succeed(store):
    """Each thread waits for the one writer: every increment counts, none is refused, none is lost."""
    store.write(lambda cur: cur.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
    store.write(lambda cur: cur.execute("INSERT INTO counter VALUES (1, 0)"))
    threads, per_thread = 4, 15
    ok, errors = [], []
    start = threading.Barrier(threads)

    def increment(cur):
        n = cur.execute("SELECT n FROM counter WHERE id = 1").fetchone()[0]
        cur.execute("UPDATE counter SET n = ? WHERE id = 1", [n + 1])

    def run():
        start.wait()
        for _ in range(per_thread):
            try:
                store.write(increment)
                ok.append(1)
            except Exception as exc:
                errors.append(repr(exc))

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    assert rows(store, "SELECT n FROM counter") == [(threads * per_thread,)]
    assert store.queued_behind > 0, "the threads never overlapped: the test raced nothing"


def test_eight_sessions_writing_audited_events_at_full_speed_lose_nothing(store, actor):
    """As the server does: 8 threads, one store, every write audited (the chain's head is one hot row).

    Before the single writer, 57 of 600 such writes ended in ConcurrentChange."""
    threads, per_thread = 8, 75
    acknowledged, errors = [], []
    start = threading.Barrier(threads)

    def audited_write(cur, thread: int, n: int):
        audit.record(cur, actor, "person.view", "person", thread * 1000 + n)

    def run(thread: int):
        start.wait()
        for n in range(per_thread):
            try:
                store.write(audited_write, thread, n)
                acknowledged.append((thread, n))
            except Exception as exc:
                errors.append(repr(exc))

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    assert len(acknowledged) == threads * per_thread
    assert rows(store, "SELECT count(*) FROM audit_event WHERE action = 'person.view'") == [(threads * per_thread,)]
    assert audit.verify(store).ok
    assert store.conflicts == 0


def test_a_write_inside_a_write_is_refused_rather_than_waiting_for_itself(store):
    def outer(cur):
        return store.write(lambda inner: None)

    with pytest.raises(RuntimeError, match="inside itself"):
        store.write(outer)
    assert store.write(lambda cur: cur.execute("SELECT 42").fetchone()[0]) == 42, "the writer goes on after it"


# -- all or nothing -------------------------------------------------------------------------------
def test_failing_unit_of_work_leaves_nothing_half_written(store, actor):
    class Boom(Exception):
        pass

    def work(cur):
        cur.execute("INSERT INTO person (given_name, given_key, family_key, name_block, created_utc, updated_utc) "
                    "VALUES ('Amina', 'amina', '', 'amn|', now(), now())")
        cur.execute("INSERT INTO audit_event (occurred_utc, action, result, origin) VALUES (now(), 'half', 'ok', 'cli')")
        set_name(cur, actor.user_id, "Half written")
        raise Boom()

    with pytest.raises(Boom):
        store.write(work)
    assert rows(store, "SELECT count(*) FROM person") == [(0,)]
    assert rows(store, "SELECT count(*) FROM audit_event WHERE action = 'half'") == [(0,)]
    assert rows(store, "SELECT display_name FROM app_user WHERE id = ?", [actor.user_id]) == [("Olga Outreach",)]
    # The store is still usable afterwards.
    assert store.write(lambda cur: cur.execute("SELECT 42").fetchone()[0]) == 42


def test_database_error_inside_a_unit_rolls_back_and_is_not_retried(store):
    attempts = []

    def work(cur):
        attempts.append(1)
        cur.execute("INSERT INTO audit_event (occurred_utc, action, result, origin) VALUES (now(), 'y', 'ok', 'cli')")
        cur.execute("INSERT INTO audit_event (occurred_utc, action, result, origin) VALUES (now(), NULL, 'ok', 'cli')")

    with pytest.raises(duckdb.ConstraintException):
        store.write(work)
    assert attempts == [1]
    assert rows(store, "SELECT count(*) FROM audit_event WHERE action = 'y'") == [(0,)]


def test_failed_migration_is_rolled_back(tmp_path, monkeypatch):
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    for source in SCHEMA_DIR.glob("*.sql"):
        (schemas / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    broken = f"{MIGRATIONS[-1] + 1:03d}_broken.sql"
    (schemas / broken).write_text("CREATE TABLE half_done (id INTEGER); SELECT * FROM no_such_table;",
                                  encoding="utf-8")
    monkeypatch.setattr(store_module, "SCHEMA_DIR", schemas)
    path = tmp_path / "crm.duckdb"
    with pytest.raises(duckdb.CatalogException):
        Store(path)
    (schemas / broken).unlink()
    store = Store(path)
    try:
        tables = {r[0] for r in rows(store, "SELECT table_name FROM information_schema.tables")}
        assert "half_done" not in tables
        assert store.schema_version() == MIGRATIONS[-1]
    finally:
        store.close()
