"""Backup and restore of the whole store, audited; a restore re-applies the erasure journal.

A backup is a consistent copy made with `COPY FROM DATABASE` into a new file (Store.backup), so it
is compact too: rows deleted before the backup are not in its bytes. It holds personal data: keep
it as carefully as the store. A restore replaces the store file with a copy of the backup, refused
while anyone (the running app) holds the store; then every erasure recorded in the journal beside
the store (`<db>.erasures.jsonl`, see crm_app.privacy.erasure) is applied again, so a person erased after
the backup was made does not come back. The journal is checked first: a line that cannot be read or
verified stops the restore before the store is touched (`erasure.JournalDamaged`, naming the line), unless
the operator accepts it knowingly; the accepted line numbers go into the audit event.

Every backup is readable by its owner only (mode 0600) and has a manifest beside it (`<file>.manifest.json`)
with each table's row count and checksum; a restore compares the copy with it before the store is replaced.

The running app makes a backup every day (`scheduled`, called by the server's night thread): into
CRM_BACKUP_DIR (default: `backups/` beside the store), keeping the newest `backup_keep` (a setting; 0 stops
them), and writes the outcome to `status.json` there, which the Privacy screen shows.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import fingerprints, permissions, settings
from crm_app.core import store as store_module
from crm_app.core.clock import to_local, utcnow
from crm_app.privacy import erasure

SCHEDULED_FROM_HOUR = 1          # local time: the day's backup is made at the first check from 01:00 on
SYSTEM = Actor(user_id=None, role="system", origin="job")
STATUS_FILE = "status.json"
_PREFIX, _SUFFIX = "crm-", ".duckdb"
log = logging.getLogger(__name__)


def backup(store, actor: Actor, target: str | Path) -> Path:
    """Write a consistent copy of the store to `target` and its manifest beside it (permission
    privacy.manage); audited."""
    permissions.require(actor.role, "privacy.manage")
    return _made(store, actor, target)


def _made(store, actor: Actor, target: str | Path) -> Path:
    path = store.backup(target)
    tables = fingerprints.of_file(path)
    fingerprints.write_manifest(path, tables, made_utc=utcnow().isoformat(), schema_version=store.schema_version())
    store.write(lambda cur: audit.record(cur, actor, "store.backup", None, None,
                                         f"tables={len(tables)} rows={sum(t['rows'] for t in tables.values())}"))
    return path


def folder(store_path: Path) -> Path:
    """Where the scheduled backups go: CRM_BACKUP_DIR, else `backups/` beside the store."""
    return Path(os.environ.get("CRM_BACKUP_DIR") or Path(store_path).parent / "backups")


def scheduled(store, now_utc: dt.datetime | None = None) -> Path | None:
    """The day's backup, if it is due: from SCHEDULED_FROM_HOUR local time, once per local day, while
    `backup_keep` > 0. Keeps the newest `backup_keep`; a failure is written to the status, never raised."""
    now_utc = now_utc or utcnow()
    local = to_local(now_utc)
    with store.read() as cur:
        keep = settings.get(cur, "backup_keep")
    target_dir = folder(store.path)
    if keep == 0 or local.hour < SCHEDULED_FROM_HOUR or any(
            p.name.startswith(f"{_PREFIX}{local:%Y%m%d}") for p in backups_in(target_dir)):
        return None
    status = read_status(target_dir)
    try:
        target_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = _made(store, SYSTEM, target_dir / f"{_PREFIX}{local:%Y%m%d-%H%M%S}{_SUFFIX}")
    except Exception as exc:          # the reason's kind only: no path or value of a person goes to the log
        log.warning("scheduled backup failed (%s)", type(exc).__name__)
        _write_status(target_dir, {**status, "last_failure_utc": now_utc.isoformat(), "last_error": type(exc).__name__})
        return None
    _write_status(target_dir, {**status, "last_success_utc": now_utc.isoformat(), "last_file": path.name})
    for old in backups_in(target_dir)[keep:]:
        old.unlink(missing_ok=True)
        fingerprints.manifest_path(old).unlink(missing_ok=True)
    return path


def set_keep(store, actor: Actor, keep: int) -> None:
    """How many daily backups the app keeps (0 stops them); audited as a setting change."""
    permissions.require(actor.role, "privacy.manage")

    def work(cur):
        settings.set_value(cur, "backup_keep", keep)
        audit.record(cur, actor, "setting.change", None, None, "backup_keep")
    store.write(work)


def backups_in(target_dir: Path) -> list[Path]:
    """The scheduled backups in the folder, newest first (their names sort by time)."""
    if not target_dir.is_dir():
        return []
    return sorted((p for p in target_dir.iterdir() if p.name.startswith(_PREFIX) and p.name.endswith(_SUFFIX)),
                  reverse=True)


@dataclass(frozen=True)
class Schedule:
    folder: Path
    keep: int
    last_success_utc: dt.datetime | None
    last_file: str | None
    last_failure_utc: dt.datetime | None
    last_error: str | None
    backups: list[Path]


def schedule(store) -> Schedule:
    """What the Privacy screen shows of the daily backups."""
    with store.read() as cur:
        keep = settings.get(cur, "backup_keep")
    target_dir = folder(store.path)
    status = read_status(target_dir)
    when = {name: dt.datetime.fromisoformat(status[name]) if status.get(name) else None
            for name in ("last_success_utc", "last_failure_utc")}
    return Schedule(target_dir, keep, when["last_success_utc"], status.get("last_file"), when["last_failure_utc"],
                    status.get("last_error"), backups_in(target_dir))


def read_status(target_dir: Path) -> dict:
    try:
        return json.loads((target_dir / STATUS_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _write_status(target_dir: Path, status: dict) -> None:
    try:
        target_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = target_dir / (STATUS_FILE + ".partial")
        partial.write_text(json.dumps(status, indent=1, sort_keys=True), "utf-8")
        partial.replace(target_dir / STATUS_FILE)
    except OSError as exc:
        log.warning("backup status not written (%s)", type(exc).__name__)


@dataclass(frozen=True)
class Restored:
    store_path: Path
    schema_version: int
    erasures_reapplied: int
    verified: bool                  # the copy's counts and checksums equal the backup's manifest
    damaged_kept: Path | None       # a damaged store replaced by the backup, kept aside


def restore(actor: Actor, backup_file: str | Path, store_path: str | Path, *,
            accept_damaged_journal: bool = False) -> Restored:
    """Replace the store at `store_path` with the backup, migrate it, re-apply the erasure journal.

    Raises JournalDamaged when a journal line cannot be read or verified and `accept_damaged_journal` is
    not given, StoreLocked while another process holds the store, FileNotFoundError when the backup is
    missing, ValueError('not_a_crm_backup') when it is not this CRM's database, BackupDamaged when it cannot
    be read or differs from its manifest: in each case nothing changed.
    """
    permissions.require(actor.role, "privacy.manage")
    problems = erasure.journal_problems(store_path)
    if not accept_damaged_journal:
        erasure.refuse_damaged(problems)
    expected = fingerprints.read_manifest(Path(backup_file))
    damaged_kept = store_module.restore(backup_file, store_path, expected)
    store = store_module.Store(store_path)
    try:
        reapplied = erasure.reapply(store, actor, accept_damaged=True)
        result = f"erasures_reapplied={reapplied}"
        if problems:
            result += " damaged_journal_lines=" + ",".join(str(p.line) for p in problems[:20])
        store.write(lambda cur: audit.record(cur, actor, "store.restore", None, None, result))
        return Restored(Path(store_path), store.schema_version(), reapplied, expected is not None, damaged_kept)
    finally:
        store.close()
