"""The DuckDB store: one connection per process, a cursor per unit of work, migrations at start-up.

DuckDB connections must not be shared between threads, so callers never keep a cursor: they ask
`store.read()` or `store.transaction()` for one per unit of work.
"""
from __future__ import annotations

import contextlib
import logging
import os
import random
import re
import time
from pathlib import Path
from typing import Iterator

import duckdb

from .clock import utcnow
from .errors import ConcurrentChange, StoreLocked
from .paths import DATA_DIR, SCHEMA_DIR

log = logging.getLogger(__name__)

DEFAULT_DB = DATA_DIR / "crm.duckdb"
RETRIES = 8  # every audited write also updates the audit chain's head row, so writes conflict often
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def default_path() -> Path:
    return Path(os.environ.get("CRM_DB") or DEFAULT_DB)


class Store:
    """Owns the process's DuckDB connection to one database file."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path))
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreLocked("store_locked", path=str(self.path)) from None
            raise
        try:
            self.migrate()
        except BaseException:
            self._con.close()
            raise

    def close(self) -> None:
        self._con.close()

    # -- units of work -------------------------------------------------------------------------
    @contextlib.contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def write(self, work, *args, **kwargs):
        """Run `work(cursor, *args, **kwargs)` in one transaction, retried on write conflicts.

        Nothing is ever half-written: any exception rolls the whole unit back.
        """
        for attempt in range(RETRIES):
            cur = self._con.cursor()
            try:
                cur.execute("BEGIN TRANSACTION")
                result = work(cur, *args, **kwargs)
                cur.execute("COMMIT")
                return result
            except duckdb.TransactionException:
                _rollback_quietly(cur)
                if attempt == RETRIES - 1:
                    raise ConcurrentChange("concurrent_change") from None
                time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))  # jitter: racing writers spread out
            except BaseException:
                _rollback_quietly(cur)
                raise
            finally:
                cur.close()

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


def _rollback_quietly(cur) -> None:
    # After a failed COMMIT DuckDB has already ended the transaction; ROLLBACK then says so.
    with contextlib.suppress(duckdb.Error):
        cur.execute("ROLLBACK")
