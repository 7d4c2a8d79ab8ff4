"""Right to erasure: a person leaves every table, the file's bytes, and stays gone after a restore.

What `erase` does, in order:
1. Appends a line to the erasure journal beside the store (`<db>.erasures.jsonl`): the erased
   person's id, a fingerprint of the record and the moment. No name, phone, email or text: the
   journal holds no personal data, only the surrogate number the audit log already uses.
   Written (and fsync'ed) *before* the delete, so a crash in between errs on the side of erasing:
   the next re-apply finishes the job.
2. Deletes, in one transaction, every row that belongs to the person (`PERSON_COLUMNS`: the
   record with its search/dedupe keys, sources, consents with their history, activities,
   waiting-list entries, offers, memberships) and clears references from other persons' rows
   (an alumnus who referred someone: `person_source.referrer_id` becomes NULL). A column named
   `person_id` / `*_person_id` that a later migration adds without being listed here is still
   emptied (safety net), and tests/unit/test_erasure.py fails until it is listed.
3. Writes one audit event `person.erase` (record `person`, id) — see "pseudonymous id" below.
4. Compacts the store into a fresh file (`Store.compact`): DuckDB keeps deleted values readable in
   the old file's bytes until the database is copied into a new file.

Pseudonymous id in the audit log: audit events name a person only by the surrogate key
`person.id` (a number from a sequence, never reused: the sequence's value survives compaction,
backup and restore, and a re-apply checks the fingerprint so it can never erase a different person
who later got a number once used). After erasure no table holds anything about that number, so the
events keep who-did-what-when about "person 123" without pointing to a human; the hash chain is
untouched (no audit row is changed or deleted, `audit.verify` stays intact).

The fingerprint is sha256("person:<id>:<created_utc ISO>"): it lets a re-apply tell the erased
record from another one with the same id, and reveals nothing that is not in the record itself.

Re-apply after a restore (`reapply`): every journal entry whose record (same id and fingerprint)
is back in the store is erased again, then the store is compacted once.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions
from crm_app.core.clock import utcnow
from crm_app.core.errors import NotFound

log = logging.getLogger(__name__)

# (table, column, what happens to rows that hold the erased person in that column).
# "delete": the row is about the person; "null": the row is someone else's and only refers to them.
# Order matters only for readability (DuckDB has no foreign keys here); the person row goes last.
PERSON_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("offer", "person_id", "delete"),
    ("membership", "person_id", "delete"),
    ("waitlist_entry", "person_id", "delete"),
    ("activity", "person_id", "delete"),
    ("consent", "person_id", "delete"),          # consent history too: every give and withdraw row
    ("person_source", "person_id", "delete"),
    ("person_source", "referrer_id", "null"),    # another person's source naming this one as referrer
    ("membership_decision", "person_id", "delete"),  # renewal / alumni decisions at a term's end
    ("alumni_active", "person_id", "delete"),    # active periods in an alumni network
    ("person_name_key", "person_id", "delete"),  # the typo-tolerant duplicate-check keys
    ("person", "id", "delete"),                  # the record with its dedupe/search keys
)
# What the confirmation step shows, per kind: (label key, table, column).
KINDS = (
    ("person", "person", "id"),
    ("sources", "person_source", "person_id"),
    ("consents", "consent", "person_id"),
    ("activities", "activity", "person_id"),
    ("waitlist_entries", "waitlist_entry", "person_id"),
    ("offers", "offer", "person_id"),
    ("memberships", "membership", "person_id"),
    ("referred_by_links", "person_source", "referrer_id"),
)
_SQL = {
    (table, column, action): (f"DELETE FROM {table} WHERE {column} = ?" if action == "delete"
                              else f"UPDATE {table} SET {column} = NULL WHERE {column} = ?")
    for table, column, action in PERSON_COLUMNS
}
_COUNT_SQL = {(table, column): f"SELECT count(*) FROM {table} WHERE {column} = ?" for _, table, column in KINDS}


def person_columns(cur) -> set[tuple[str, str]]:
    """Every (table, column) in the store that can hold a person's id, by name: person_id, *_person_id, referrer_id."""
    rows = cur.execute(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c "
        "JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema "
        "WHERE t.table_type = 'BASE TABLE' AND (c.column_name = 'person_id' OR c.column_name LIKE '%\\_person\\_id' "
        "ESCAPE '\\' OR c.column_name = 'referrer_id')").fetchall()
    return {(table, column) for table, column in rows}


def unlisted_columns(cur) -> set[tuple[str, str]]:
    listed = {(table, column) for table, column, _ in PERSON_COLUMNS}
    return person_columns(cur) - listed


# -- the journal ------------------------------------------------------------------------------------
def journal_path(store_path: str | Path) -> Path:
    """`<db>.erasures.jsonl` beside the store, or the file `CRM_ERASURE_JOURNAL` names (e.g. on other,
    separately backed-up storage, so a lost server disk does not take the journal with it)."""
    override = os.environ.get("CRM_ERASURE_JOURNAL")
    if override:
        return Path(override)
    store_path = Path(store_path)
    return store_path.with_name(store_path.name + ".erasures.jsonl")


def fingerprint(person_id: int, created_utc: dt.datetime) -> str:
    stamp = created_utc.replace(tzinfo=None).isoformat(timespec="microseconds")
    return hashlib.sha256(f"person:{int(person_id)}:{stamp}".encode("ascii")).hexdigest()


def _journal_append(store_path: Path, entries: list[dict]) -> None:
    path = journal_path(store_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="ascii") as handle:
        for entry in entries:
            handle.write(json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def journal(store_path: str | Path) -> list[dict]:
    """The erasures recorded beside this store file, oldest first (an unreadable line is skipped)."""
    path = journal_path(store_path)
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="ascii", errors="replace").splitlines():
        with contextlib.suppress(ValueError, TypeError, KeyError):
            item = json.loads(line)
            entries.append({"person_id": int(item["person_id"]), "fingerprint": str(item["fingerprint"]),
                            "erased_utc": str(item["erased_utc"]), "reason": str(item.get("reason", ""))})
    return entries


# -- erasing ----------------------------------------------------------------------------------------
@dataclass
class ErasureResult:
    person_ids: list[int]
    counts: dict[str, int] = field(default_factory=dict)   # rows removed per kind (all persons together)
    compaction_seconds: float | None = None


def preview(store, actor: Actor, person_id: int) -> dict[str, int]:
    """What an erasure of this person would remove: row counts per kind (for the confirmation step)."""
    permissions.require(actor.role, "privacy.erase")
    with store.read() as cur:
        return _counts(cur, person_id)


def _counts(cur, person_id: int) -> dict[str, int]:
    if not cur.execute("SELECT 1 FROM person WHERE id = ?", [person_id]).fetchone():
        raise NotFound("person_not_found")
    return {kind: cur.execute(_COUNT_SQL[(table, column)], [person_id]).fetchone()[0] for kind, table, column in KINDS}


def erase(store, actor: Actor, person_id: int, *, compact: bool = True) -> ErasureResult:
    """Erase one person completely (permission privacy.erase); compacts the store unless told not to."""
    permissions.require(actor.role, "privacy.erase")
    return erase_many(store, actor, [person_id], reason="request", compact=compact)


def erase_many(store, actor: Actor, person_ids: list[int], *, reason: str, compact: bool = True,
               missing_ok: bool = False) -> ErasureResult:
    """Erase these persons in one transaction, journal first, then compact once. For the services
    that already checked permission (erase, retention, re-apply)."""
    person_ids = sorted({int(pid) for pid in person_ids})
    result = ErasureResult(person_ids=[])
    if not person_ids:
        return result
    with store.read() as cur:
        rows = dict(cur.execute("SELECT id, created_utc FROM person WHERE id IN (SELECT unnest(?))",
                                [person_ids]).fetchall())
    if not missing_ok and set(person_ids) - set(rows):
        raise NotFound("person_not_found")
    person_ids = [pid for pid in person_ids if pid in rows]
    if not person_ids:
        return result
    now = utcnow()
    if reason != "reapply":      # a re-apply works from the journal: its entries are there already
        _journal_append(store.path, [{"person_id": pid, "fingerprint": fingerprint(pid, rows[pid]),
                                      "erased_utc": now.isoformat(timespec="seconds"), "reason": reason}
                                     for pid in person_ids])

    def work(cur):
        counts = {kind: 0 for kind, _, _ in KINDS}
        for pid in person_ids:
            for kind, value in _counts(cur, pid).items():
                counts[kind] += value
            for key in PERSON_COLUMNS:
                cur.execute(_SQL[key], [pid])
            for table, column in sorted(unlisted_columns(cur)):   # safety net for a table added later
                cur.execute(f'DELETE FROM "{table}" WHERE "{column}" = ?', [pid])
                log.warning("erasure: table %s is not listed in erasure.PERSON_COLUMNS", table)
            audit.record(cur, actor, "person.erase", "person", pid, "ok" if reason == "request" else reason)
        return counts

    result.counts = store.write(work)
    result.person_ids = person_ids
    if compact:
        result.compaction_seconds = store.compact()
    return result


def reapply(store, actor: Actor) -> int:
    """Erase again every journaled person whose record is back (a restore from an older backup).

    Matches id AND fingerprint, so a person who later received a once-used number is never touched.
    Returns how many persons were erased again; compacts once if any.
    """
    entries = journal(store.path)
    if not entries:
        return 0
    with store.read() as cur:
        present = dict(cur.execute("SELECT id, created_utc FROM person WHERE id IN (SELECT unnest(?))",
                                   [sorted({e["person_id"] for e in entries})]).fetchall())
    again = sorted({e["person_id"] for e in entries if e["person_id"] in present
                    and fingerprint(e["person_id"], present[e["person_id"]]) == e["fingerprint"]})
    if again:
        erase_many(store, actor, again, reason="reapply", missing_ok=True)
    return len(again)
