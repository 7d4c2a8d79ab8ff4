"""Backup and restore of the whole store, audited; a restore re-applies the erasure journal.

A backup is a consistent copy made with `COPY FROM DATABASE` into a new file (Store.backup), so it
is compact too: rows deleted before the backup are not in its bytes. It holds personal data: keep
it as carefully as the store. A restore replaces the store file with a copy of the backup, refused
while anyone (the running app) holds the store; then every erasure recorded in the journal beside
the store (`<db>.erasures.jsonl`, see crm_app.privacy.erasure) is applied again, so a person erased after
the backup was made does not come back. The journal is checked first: a line that cannot be read or
verified stops the restore before the store is touched (`erasure.JournalDamaged`, naming the line), unless
the operator accepts it knowingly; the accepted line numbers go into the audit event.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions
from crm_app.core import store as store_module
from crm_app.privacy import erasure


def backup(store, actor: Actor, target: str | Path) -> Path:
    """Write a consistent copy of the store to `target` (permission privacy.manage); audited."""
    permissions.require(actor.role, "privacy.manage")
    path = store.backup(target)
    store.write(lambda cur: audit.record(cur, actor, "store.backup"))
    return path


@dataclass(frozen=True)
class Restored:
    store_path: Path
    schema_version: int
    erasures_reapplied: int


def restore(actor: Actor, backup_file: str | Path, store_path: str | Path, *,
            accept_damaged_journal: bool = False) -> Restored:
    """Replace the store at `store_path` with the backup, migrate it, re-apply the erasure journal.

    Raises JournalDamaged when a journal line cannot be read or verified and `accept_damaged_journal` is
    not given, StoreLocked while another process holds the store, FileNotFoundError when the backup is
    missing, ValueError('not_a_crm_backup') when it is not this CRM's database: in each case nothing changed.
    """
    permissions.require(actor.role, "privacy.manage")
    problems = erasure.journal_problems(store_path)
    if not accept_damaged_journal:
        erasure.refuse_damaged(problems)
    store_module.restore(backup_file, store_path)
    store = store_module.Store(store_path)
    try:
        reapplied = erasure.reapply(store, actor, accept_damaged=True)
        result = f"erasures_reapplied={reapplied}"
        if problems:
            result += " damaged_journal_lines=" + ",".join(str(p.line) for p in problems[:20])
        store.write(lambda cur: audit.record(cur, actor, "store.restore", None, None, result))
        return Restored(Path(store_path), store.schema_version(), reapplied)
    finally:
        store.close()
