"""The audit chain's head, exported outside the store so that a rewrite is caught by comparing.

Whoever can write the database file can cut the newest events off together with the head, or wipe
the whole log; nothing inside the store shows that. So the head (event id, hash, time) is appended
to a file outside the store — `CRM_AUDIT_HEADS`, by default `<db>.audit-heads.log` beside it — and
written to the log, by the daily upkeep and by `crm audit head`. The operator ships that file (or the
log) elsewhere; `crm audit verify --against FILE` then fails when an exported head is no longer in the
chain with the same hash. Each line is one JSON object; the file is only ever appended to.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from crm_app.access import audit
from crm_app.core.clock import utcnow
from crm_app.core.errors import CrmError

log = logging.getLogger(__name__)

ENV = "CRM_AUDIT_HEADS"


def heads_file(store_path: str | Path) -> Path:
    override = os.environ.get(ENV)
    if override:
        return Path(override)
    store_path = Path(store_path)
    return store_path.with_name(store_path.name + ".audit-heads.log")


@dataclass(frozen=True)
class Head:
    event_id: int
    event_hash: str
    exported_utc: str


def read(path: str | Path) -> list[Head]:
    """Every head in an exported file, oldest first; a line that cannot be read is refused, never skipped."""
    heads = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                heads.append(Head(int(item["id"]), str(item["hash"]), str(item["time"])))
            except (ValueError, KeyError, TypeError):
                raise CrmError("audit_heads_unreadable", file=str(path), line=number) from None
    return heads


def export(store) -> Head | None:
    """Append the current head unless the file already ends with it; None when there is nothing new.

    Also checks that the chain still holds the head exported last time, and logs an error when not.
    Never raises for the file: the daily upkeep must go on, so a damaged or unwritable file is logged.
    """
    event_id, event_hash = audit.head(store)
    if event_id is None:
        return None
    path = heads_file(store.path)
    try:
        last = read(path)[-1:] if path.exists() else []
    except CrmError:
        log.error("the audit heads file %s has a line that cannot be read: check it against its copies", path)
        last = []
    if last and (last[0].event_id, last[0].event_hash) == (event_id, event_hash):
        return None
    if last and not audit.holds(store, last[0].event_id, last[0].event_hash):
        log.error("the audit chain no longer holds the head exported for event %d: run "
                  "`crm audit verify --against %s`", last[0].event_id, path)
    head = Head(event_id, event_hash, utcnow().replace(tzinfo=None).isoformat(timespec="seconds") + "Z")
    line = json.dumps({"id": head.event_id, "hash": head.event_hash, "time": head.exported_utc})
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        log.error("could not append the audit head to %s (%s); the log line below still has it", path, exc.strerror)
    log.info("audit head: event %d, hash %s, at %s", head.event_id, head.event_hash, head.exported_utc)
    return head
