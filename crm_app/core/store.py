"""The DuckDB store: one connection per process, a cursor per unit of work, migrations at start-up.

DuckDB connections must not be shared between threads, so callers never keep a cursor: they ask
`store.read()` or `store.write()` for one per unit of work.

One writer: `write()` hands its unit of work to the store's single writer thread and waits for it, so
units of work from different sessions never run as concurrent transactions. In DuckDB two overlapping
transactions that touch one row conflict (every audited write updates the audit chain's head), and the
retries that followed still failed some users' saves at busy moments; queued one after another they all
succeed. Reads stay concurrent: each takes its own cursor in the caller's thread.

Compaction (erasure) and backup: `compact()` copies the whole database into a fresh file with
`ATTACH …; COPY FROM DATABASE` (the only way deleted values leave the file's bytes), swaps it in
with an atomic rename, overwrites the old file's bytes and reopens the connection. The web app
shares one Store between all sessions and threads, so every unit of work holds a shared gate and
`compact()`/`backup()` take it exclusively: units of work that start during the swap wait for it
to finish and then run on the new connection.

A compaction the store still owes is a row in `compaction_pending`, written by `mark_compaction_pending`
in the same transaction as the delete, so deleted rows are never committed without it; the fresh copy
starts without those rows, so the mark goes with the swap. A failed compaction (disk full, a crash)
leaves the mark; the store retries when it is opened, and the daily upkeep and the night run retry too.

A damaged file or write-ahead log (a failed disk, a copy cut short) is refused at opening with `StoreDamaged`:
nothing is written to it and nothing is deleted, the WAL included. `restore()` replaces it with a backup and
keeps the damaged file and its WAL aside (`<db>.damaged-<time>`) for whoever investigates.
"""
from __future__ import annotations

import contextlib
import logging
import os
import random
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from crm_app.core import fingerprints
from crm_app.core.clock import utcnow
from crm_app.core.errors import BackupDamaged, ConcurrentChange, StoreDamaged, StoreLocked, StoreWriteFailed
from crm_app.core.paths import DATA_DIR, SCHEMA_DIR

log = logging.getLogger(__name__)

DEFAULT_DB = DATA_DIR / "crm.duckdb"
RETRIES = 8  # writes are serialised, so only a transaction opened outside `write()` can still conflict
_WRITER_THREAD = "crm-writer"
# DuckDB reports a failed write of the file (disk full, a file-size limit) as a TransactionException at
# COMMIT, the same type as a write conflict; only its text tells them apart. tests/unit/test_store.py
# fills a real disk limit, so a DuckDB that words it differently fails that test rather than the user.
# What DuckDB says when a file or its WAL cannot be trusted (seen: a flipped byte, a truncated file, a bad header).
_DAMAGED = re.compile(r"replaying WAL|corrupt|not a valid DuckDB database|could not read enough bytes", re.IGNORECASE)
_WRITE_FAILED = re.compile(r"could not (write|fsync|truncate|extend)|no space left|file too large|i/o error",
                           re.IGNORECASE)
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def default_path() -> Path:
    return Path(os.environ.get("CRM_DB") or DEFAULT_DB)


class _Gate:
    """A shared/exclusive lock: units of work share it, compaction and backup hold it alone.

    Re-entrant for the shared side within a thread (a unit of work may open a read inside itself);
    a thread that holds the shared side cannot take the exclusive side (that would wait for itself).
    Waiting exclusive requests block new shared holders, so a compaction is not starved.
    """

    def __init__(self):
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0
        self._local = threading.local()

    def _depth(self) -> int:
        return getattr(self._local, "depth", 0)

    @contextlib.contextmanager
    def shared(self):
        depth = self._depth()
        if depth == 0:
            with self._cond:
                while self._writer or self._writers_waiting:
                    self._cond.wait()
                self._readers += 1
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth = depth
            if depth == 0:
                with self._cond:
                    self._readers -= 1
                    if self._readers == 0:
                        self._cond.notify_all()

    @contextlib.contextmanager
    def on_behalf(self):
        """Mark this thread (the writer) as inside a unit of work whose caller holds the shared side, so
        that an exclusive request from inside the unit is refused instead of waiting for itself."""
        depth = self._depth()
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth = depth

    @contextlib.contextmanager
    def exclusive(self):
        if self._depth():
            raise RuntimeError("exclusive store access requested inside a unit of work")
        with self._cond:
            self._writers_waiting += 1
            try:
                while self._writer or self._readers:
                    self._cond.wait()
            finally:
                self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class Store:
    """Owns the process's DuckDB connection to one database file."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._gate = _Gate()
        self._conflicts = 0
        self._queued_behind = 0
        self._in_flight = 0
        self._counts_lock = threading.Lock()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix=_WRITER_THREAD)
        _shred_leftover(self.path)
        self._con = _connect(self.path)
        try:
            self.migrate()
        except BaseException as exc:
            self._con.close()
            _refuse_damaged(exc, self.path)
            raise
        self.compact_if_pending()

    def close(self) -> None:
        self._writer.shutdown(wait=True)
        self._con.close()

    # -- units of work -------------------------------------------------------------------------
    @contextlib.contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._gate.shared():
            cur = self._con.cursor()
            try:
                yield cur
            finally:
                cur.close()

    def write(self, work, *args, **kwargs):
        """Run `work(cursor, *args, **kwargs)` in one transaction, retried on write conflicts.

        The unit runs on the store's writer thread, after the units queued before it; the caller waits
        for its result or its exception. Nothing is ever half-written: any exception rolls the whole unit back.
        """
        if threading.current_thread().name.startswith(_WRITER_THREAD):
            raise RuntimeError("a unit of work asked for another write inside itself")
        with self._gate.shared():
            with self._counts_lock:
                if self._in_flight:
                    self._queued_behind += 1
                self._in_flight += 1
            try:
                return self._writer.submit(self._write, work, *args, **kwargs).result()
            finally:
                with self._counts_lock:
                    self._in_flight -= 1

    def _write(self, work, *args, **kwargs):
        for attempt in range(RETRIES):
            cur = self._con.cursor()
            try:
                cur.execute("BEGIN TRANSACTION")
                with self._gate.on_behalf():
                    result = work(cur, *args, **kwargs)
                cur.execute("COMMIT")
                return result
            except duckdb.IOException:
                _rollback_quietly(cur)
                raise StoreWriteFailed("store_write_failed") from None
            except duckdb.TransactionException as exc:
                _rollback_quietly(cur)
                if _WRITE_FAILED.search(str(exc)):
                    raise StoreWriteFailed("store_write_failed") from None
                with self._counts_lock:
                    self._conflicts += 1
                if attempt == RETRIES - 1:
                    raise ConcurrentChange("concurrent_change") from None
                time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))  # jitter: racing writers spread out
            except BaseException:
                _rollback_quietly(cur)
                raise
            finally:
                cur.close()

    @property
    def conflicts(self) -> int:
        """How many units of work met a write conflict (each retry counts), since the store was opened."""
        return self._conflicts

    @property
    def queued_behind(self) -> int:
        """How many units of work waited for another one to finish writing, since the store was opened."""
        return self._queued_behind

    # -- schema --------------------------------------------------------------------------------
    def migrate(self) -> list[int]:
        """Apply the forward-only migrations in schemas/ that this file has not seen yet."""
        cur = self._con.cursor()
        try:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, "
                "name VARCHAR NOT NULL, applied_utc TIMESTAMP NOT NULL)"
            )
            done = {row[0] for row in cur.execute("SELECT version FROM schema_migration").fetchall()}
            applied = []
            for path in sorted(SCHEMA_DIR.glob("*.sql")):
                match = _MIGRATION_NAME.match(path.name)
                if not match or int(match.group(1)) in done:
                    continue
                version = int(match.group(1))
                cur.execute("BEGIN TRANSACTION")
                try:
                    cur.execute(path.read_text(encoding="utf-8"))
                    cur.execute(
                        "INSERT INTO schema_migration VALUES (?, ?, ?)", [version, path.name, utcnow()]
                    )
                    cur.execute("COMMIT")
                except BaseException:
                    _rollback_quietly(cur)
                    raise
                applied.append(version)
                log.info("applied migration %s", path.name)
            return applied
        finally:
            cur.close()

    def schema_version(self) -> int:
        with self.read() as cur:
            return cur.execute("SELECT coalesce(max(version), 0) FROM schema_migration").fetchone()[0]

    # -- compaction and backup -----------------------------------------------------------------
    def compact(self) -> float:
        """Rewrite the store into a fresh file so deleted rows leave the bytes; returns the seconds taken.

        Every other unit of work waits (the exclusive gate) until the new file is in place and the
        connection reopened. Steps: CHECKPOINT; copy into `<db>.compact` (a new, empty file, whose
        `compaction_pending` is emptied); close; rename the old file to `<db>.old`, the new one onto the
        store's name (atomic); overwrite `<db>.old` with zeros and delete it; reopen. A crash part-way
        leaves either the old or the new complete file under the store's name; a left-over `.old` is
        shredded at the next open. When a step fails (a full disk makes DuckDB give up the connection),
        the connection is reopened on whichever complete file is in place, the failed attempt is counted
        on the pending mark, and the error is raised: the deleted rows stay deleted, the mark stays.
        """
        started = time.perf_counter()
        try:
            with self._gate.exclusive():
                try:
                    self._compact_locked()
                except BaseException:
                    self._reopen_after_failure()
                    raise
        except (duckdb.Error, OSError) as exc:
            log.warning("store compaction failed (%s); it stays pending", type(exc).__name__)
            with contextlib.suppress(duckdb.Error, OSError, ConcurrentChange):
                self.write(_count_failed_attempt, type(exc).__name__)
            raise
        seconds = time.perf_counter() - started
        log.info("store compacted in %.3f s", seconds)
        return seconds

    def _compact_locked(self) -> None:
        fresh = _sibling(self.path, ".compact")
        _remove_with_wal(fresh)
        self._con.execute("CHECKPOINT")
        _copy_database(self._con, fresh)
        self._con.close()
        old = _sibling(self.path, ".old")
        _remove_with_wal(old)
        os.replace(self.path, old)
        wal = _sibling(self.path, ".wal")
        if wal.exists():           # closed after a checkpoint there is none; never keep a stale one
            os.replace(wal, _sibling(old, ".wal"))
        os.replace(fresh, self.path)
        _fsync_dir(self.path.parent)
        try:
            self._con = _connect(self.path)
        finally:
            _shred(old)
            _shred(_sibling(old, ".wal"))

    def _reopen_after_failure(self) -> None:
        """Put a complete file back under the store's name and connect to it again."""
        with contextlib.suppress(duckdb.Error):
            self._con.close()
        _shred_leftover(self.path)
        self._con = _connect(self.path)

    def pending_compaction(self) -> dict | None:
        """The compaction the store still owes (since, how many requests, failed attempts, last error), or None."""
        with self.read() as cur:
            row = cur.execute("SELECT min(requested_utc), count(*), max(attempts), max(last_attempt_utc), "
                              "max(last_error) FROM compaction_pending").fetchone()
        if not row[1]:
            return None
        return dict(zip(("since_utc", "requests", "attempts", "last_attempt_utc", "last_error"), row))

    def compact_if_pending(self) -> float | None:
        """Compact when a compaction is owed; a failure is logged and counted, never raised (the store still works)."""
        try:
            if self.pending_compaction() is None:
                return None
            return self.compact()
        except (duckdb.Error, OSError):
            return None

    def backup(self, target: str | Path) -> Path:
        """A consistent copy of the whole store in a new file `target` (replaced if it exists), readable by its
        owner only: it is made in a private folder beside the target and moved into place when complete."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as private:
            tmp = Path(private) / target.name
            with self._gate.exclusive():
                self._con.execute("CHECKPOINT")
                _copy_database(self._con, tmp)
            tmp.chmod(0o600)
            os.replace(tmp, target)
        return target


def restore(backup_file: str | Path, target: str | Path, expected: dict[str, dict] | None = None) -> Path | None:
    """Replace the store file `target` with a copy of `backup_file` (refused while anyone holds `target`).

    The copy goes through `COPY FROM DATABASE` into a fresh file, so the backup is checked to be a
    readable DuckDB database with this CRM's tables before the store is touched; with `expected` (the
    backup's manifest), the copy's row counts and checksums must equal it (else `BackupDamaged`). The caller
    opens the result as a Store (which migrates an older schema) and re-applies the erasure journal.
    A damaged store is not shredded but kept aside; its new name is returned.
    """
    backup_file, target = Path(backup_file), Path(target)
    if not backup_file.is_file():
        raise FileNotFoundError(str(backup_file))
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        holder = _connect(target)       # holds the target's lock: the app cannot be using it meanwhile
        damaged = None
    except StoreDamaged:                # nobody can hold a file that does not open; it is kept, not shredded
        holder, damaged = duckdb.connect(":memory:"), _sibling(target, f".damaged-{utcnow():%Y%m%d%H%M%S}")
    fresh = _sibling(target, ".restore")
    _remove_with_wal(fresh)
    try:
        holder.execute(f"ATTACH {_quote(backup_file)} AS crm_backup (READ_ONLY)")
        try:
            tables = {r[0] for r in holder.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'crm_backup'").fetchall()}
            if not {"schema_migration", "person", "audit_event"} <= tables:
                raise ValueError("not_a_crm_backup")
            holder.execute(f"ATTACH {_quote(fresh)} AS crm_restored")
            holder.execute("COPY FROM DATABASE crm_backup TO crm_restored")
            _clear_pending(holder, "crm_restored")
            differ = [] if expected is None else fingerprints.differences(
                expected, fingerprints.of_catalog(holder, "crm_restored"))
            if differ:
                raise BackupDamaged("backup_damaged", tables=", ".join(differ[:5]))
            holder.execute("DETACH crm_restored")
        finally:
            holder.execute("DETACH crm_backup")
    except duckdb.Error as exc:
        holder.close()
        _remove_with_wal(fresh)
        if _DAMAGED.search(str(exc)):
            raise BackupDamaged("backup_damaged", tables="?") from None
        raise
    except BaseException:
        holder.close()
        _remove_with_wal(fresh)
        raise
    holder.close()
    if damaged is not None:
        for item, aside in ((target, damaged), (_sibling(target, ".wal"), _sibling(damaged, ".wal"))):
            if item.exists():
                os.replace(item, aside)
        os.replace(fresh, target)
        _fsync_dir(target.parent)
        return damaged
    old = _sibling(target, ".old")
    _remove_with_wal(old)
    if target.exists():
        os.replace(target, old)
    wal = _sibling(target, ".wal")
    if wal.exists():
        os.replace(wal, _sibling(old, ".wal"))
    os.replace(fresh, target)
    _fsync_dir(target.parent)
    _shred(old)
    _shred(_sibling(old, ".wal"))
    return None


def mark_compaction_pending(cur, reason: str) -> None:
    """Inside the unit of work that deletes rows: the file owes a compaction until its next successful one."""
    cur.execute("INSERT INTO compaction_pending (requested_utc, reason) VALUES (?, ?)", [utcnow(), reason])


def _count_failed_attempt(cur, error: str) -> None:
    cur.execute("UPDATE compaction_pending SET attempts = attempts + 1, last_attempt_utc = ?, last_error = ?",
                [utcnow(), error])


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path))
    except duckdb.Error as exc:
        if isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower():
            raise StoreLocked("store_locked", path=str(path)) from None
        _refuse_damaged(exc, path)
        raise


def _refuse_damaged(exc: BaseException, path: Path) -> None:
    """A database error that says the file or its WAL is damaged becomes StoreDamaged (the rest passes)."""
    if isinstance(exc, duckdb.Error) and _DAMAGED.search(str(exc)):
        raise StoreDamaged("store_damaged", path=str(path)) from None


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _quote(path: Path) -> str:
    """A file path as a SQL string literal (ATTACH takes no parameters); the path is ours, not user data."""
    return "'" + str(path).replace("'", "''") + "'"


def _copy_database(con, fresh: Path) -> None:
    """Copy every table, view, sequence (with its current value) and index of `con`'s database into `fresh`."""
    source = con.execute("SELECT current_database()").fetchone()[0]
    con.execute(f"ATTACH {_quote(fresh)} AS crm_fresh")
    try:
        con.execute(f'COPY FROM DATABASE "{source.replace(chr(34), chr(34) * 2)}" TO crm_fresh')
        _clear_pending(con, "crm_fresh")
    finally:
        con.execute("DETACH crm_fresh")


def _clear_pending(con, catalog: str) -> None:
    """A fresh copy owes no compaction: it holds no deleted rows."""
    if con.execute("SELECT count(*) FROM information_schema.tables WHERE table_catalog = ? "
                   "AND table_name = 'compaction_pending'", [catalog]).fetchone()[0]:
        con.execute(f"DELETE FROM {catalog}.compaction_pending")


def _remove_with_wal(path: Path) -> None:
    for item in (path, _sibling(path, ".wal")):
        with contextlib.suppress(FileNotFoundError):
            item.unlink()


def _shred(path: Path) -> None:
    """Overwrite a file's bytes with zeros, flush, then delete it (best effort on copy-on-write disks)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    with open(path, "r+b") as handle:
        chunk = b"\0" * (1 << 20)
        left = size
        while left > 0:
            handle.write(chunk[:min(left, len(chunk))])
            left -= len(chunk)
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()


def _shred_leftover(path: Path) -> None:
    """A compaction or restore interrupted after the swap leaves `<db>.old`: its bytes still hold erased data."""
    old = _sibling(path, ".old")
    if not path.exists():
        fresh = _sibling(path, ".compact")
        if fresh.exists() and old.exists():     # crashed between the two renames: the copy was complete
            os.replace(fresh, path)
        elif old.exists():
            os.replace(old, path)
    if path.exists():
        _shred(old)
        _shred(_sibling(old, ".wal"))
    for partial in (_sibling(path, ".compact"), _sibling(path, ".restore")):
        _remove_with_wal(partial)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _rollback_quietly(cur) -> None:
    # After a failed COMMIT DuckDB has already ended the transaction; ROLLBACK then says so.
    with contextlib.suppress(duckdb.Error):
        cur.execute("ROLLBACK")
