"""Right to erasure: a person leaves every table, the file's bytes, and stays gone after a restore.

What `erase` does, in order:
1. Appends a line to the erasure journal beside the store (`<db>.erasures.jsonl`): the erased
   person's id, a fingerprint of the record and the moment. No name, phone, email or text: the
   journal holds no personal data, only the surrogate number the audit log already uses.
   Written (and fsync'ed) *before* the delete, so a crash in between errs on the side of erasing:
   the next re-apply finishes the job. Each line carries `prev` (the checksum of the line before it) and
   `sha256` (over the line's other fields), see "The journal's protection" below.
2. Deletes, in one transaction, every row that belongs to the person (`PERSON_COLUMNS`: the record with
   its search/dedupe keys, sources, consents with their history, activities, waiting-list entries,
   offers, memberships, meeting attendance, reimbursements, messages) and clears references from other persons'
   rows (an alumnus who referred someone: `person_source.referrer_id` becomes NULL, and the text of that
   source — the name, organisation and detail typed about the referrer — is cleared; `NAMING_TEXT` lists
   it). Other persons' free text that spells the erased person's full name (a note, a contact moment, an
   unlinked referral "Aangebracht door …") has the name replaced by `ERASED_NAME`. Records merged into the
   person (crm_app.people.merges) are the same human: the merge journal that holds them is deleted, and they
   are journaled and counted as erased too, so a restore from before the merge erases them again. It also
   marks the store as owing a compaction (`compaction_pending`), in the same transaction, so the delete can
   never be committed without it. A column named `person_id` / `*_person_id` that a later migration adds
   without being listed here is still emptied (safety net), and tests/unit/test_erasure.py fails until it
   is listed.
3. Writes one audit event `person.erase` (record `person`, id) — see "pseudonymous id" below.
4. Compacts the store into a fresh file (`Store.compact`): DuckDB keeps deleted values readable in
   the old file's bytes until the database is copied into a new file. `crm erase` compacts at once;
   the app's Privacy screen does not (a compaction holds every other user for seconds on a big
   store): it leaves the mark, and the night run, the daily upkeep, the next start or the admin's
   *Compact now* does it, within a day at most. When a compaction fails (a full disk, a crash) the
   rows stay erased, the mark stays, and it is retried at each of those moments until it succeeds.

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

The journal's protection: it is opened append-only and fsync'ed after each write. Every line
carries a plain sha256 over its own fields, and `prev`, the checksum of the line before it, so a
flipped byte, a cut-off line, and a line removed from the middle are each found, with their line
number. Plain, not keyed: the threat is damage (a disk, an editor, a half-copied file); a key would
have to be kept and backed up beside the journal, and a lost key would make every line
unverifiable, while someone able to rewrite the file could still drop its last lines either way.
A restore stops at the first line that cannot be read or verified (`JournalDamaged`, naming the
line) unless the operator knowingly accepts it (`crm restore --accept-damaged-journal`, audited
with the line numbers). Lines written before checksums existed (no `sha256`) are accepted only
before the first checksummed line.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions
from crm_app.core.clock import utcnow
from crm_app.core.errors import CrmError, NotFound
from crm_app.core.store import mark_compaction_pending
from crm_app.people import merges

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
    ("person_find_key", "person_id", "delete"),  # find's name keys (prefixes and skeletons)
    ("meeting_attendance", "person_id", "delete"),  # invitations and attendance at meetings
    ("reimbursement", "person_id", "delete"),    # travel costs and allowances paid for meetings
    ("message_log", "person_id", "delete"),      # messages sent or prepared to the person
    ("person_interest", "person_id", "delete"),  # the networks they said they are interested in
    ("duplicate_pair", "first_person_id", "delete"),      # the review queue's pairs with this person
    ("duplicate_pair", "second_person_id", "delete"),
    ("person_merge_change", "kept_person_id", "delete"),  # the merge journal: the merged record's values
    ("person_merge_change", "merged_person_id", "delete"),
    ("person_merge", "kept_person_id", "delete"),
    ("person_merge", "merged_person_id", "delete"),
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
    ("meeting_attendance", "meeting_attendance", "person_id"),
    ("reimbursements", "reimbursement", "person_id"),
    ("messages", "message_log", "person_id"),
)
# Free text in another person's rows that was typed about the person who referred them: cleared with the link.
NAMING_TEXT: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("person_source", "referrer_id", ("source_name", "source_org", "detail")),
)
# Free text about other persons that may spell the erased person's full name; the name is replaced there.
FREE_TEXT: tuple[tuple[str, str], ...] = (
    ("person_source", "source_name"), ("person_source", "source_org"), ("person_source", "detail"),
    ("person", "note"), ("activity", "summary"), ("waitlist_entry", "status_reason"),
)
ERASED_NAME = "[…]"
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


class JournalDamaged(CrmError):
    """A journal line cannot be read or verified: a restore would bring erased persons back unseen."""


@dataclass(frozen=True)
class JournalProblem:
    line: int            # 1-based
    reason: str          # unreadable, checksum, chain, old_format


_ENTRY_KEYS = ("person_id", "fingerprint", "erased_utc", "reason")
_append_lock = threading.Lock()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(item: dict) -> str:
    return json.dumps(item, sort_keys=True, separators=(",", ":"))


def _journal_append(store_path: Path, entries: list[dict]) -> None:
    """Append checksummed lines (O_APPEND, never rewritten) and fsync them before the caller deletes anything."""
    path = journal_path(store_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _append_lock:
        text = path.read_bytes().decode("ascii", errors="replace") if path.exists() else ""
        lines = [line for line in text.split("\n") if line]
        prev = _line_id(lines[-1]) if lines else ""
        out = []
        for entry in entries:
            item = {key: entry[key] for key in _ENTRY_KEYS} | {"prev": prev}
            line = _canonical(item | {"sha256": _digest(_canonical(item))})
            out.append(line)
            prev = _line_id(line)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            lead = "\n" if text and not text.endswith("\n") else ""    # a cut-off last line stays a line of its own
            os.write(fd, (lead + "\n".join(out) + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)


def _line_id(line: str) -> str:
    """What the next line's `prev` holds: the line's own checksum (the hash of the raw text for an old line)."""
    try:
        claimed = json.loads(line).get("sha256")
    except (ValueError, AttributeError):
        claimed = None
    return claimed if isinstance(claimed, str) else _digest(line)


def read_journal(store_path: str | Path) -> tuple[list[dict], list[JournalProblem]]:
    """The erasures whose lines verify (oldest first) and every line that could not be read or verified.

    A line that verifies but does not follow the line before it (`chain`: a line was removed) is both: its
    erasure is applied when the damage is accepted, and it is reported.
    """
    path = journal_path(store_path)
    if not path.exists():
        return [], []
    entries, problems = [], []
    prev_id, checksummed = "", False
    for number, line in enumerate(path.read_bytes().decode("ascii", errors="replace").split("\n"), start=1):
        if not line:
            continue
        problem, entry = _check_line(line, prev_id, checksummed)
        checksummed = checksummed or '"sha256":' in line
        if problem:
            problems.append(JournalProblem(number, problem))
        if entry is not None and problem in (None, "chain"):
            entries.append(entry)
        prev_id = None if problem == "unreadable" else _line_id(line)
    return entries, problems


def _check_line(line: str, prev_id: str | None, checksummed: bool) -> tuple[str | None, dict | None]:
    """(what is wrong or None, the entry). A line without a checksum is an old one: fine only before the first.
    `prev_id` is None after an unreadable line: what followed it cannot be told."""
    try:
        item = json.loads(line)
        entry = {"person_id": int(item["person_id"]), "fingerprint": str(item["fingerprint"]),
                 "erased_utc": str(item["erased_utc"]), "reason": str(item.get("reason", ""))}
    except (ValueError, TypeError, KeyError, AttributeError):
        return "unreadable", None
    if "sha256" not in item:
        return ("old_format" if checksummed else None), entry
    claimed = item.pop("sha256")
    if claimed != _digest(_canonical(item)) or not re.fullmatch(r"[0-9a-f]{64}", entry["fingerprint"]):
        return "checksum", entry
    if prev_id is not None and item.get("prev") != prev_id:
        return "chain", entry
    return None, entry


def journal(store_path: str | Path) -> list[dict]:
    """The verified erasures recorded beside this store file, oldest first."""
    return read_journal(store_path)[0]


def journal_problems(store_path: str | Path) -> list[JournalProblem]:
    return read_journal(store_path)[1]


def refuse_damaged(problems: list[JournalProblem]) -> None:
    """Stop here, naming the first bad line, when the journal has any."""
    if problems:
        raise JournalDamaged("journal_damaged", line=problems[0].line, count=len(problems))


# -- erasing ----------------------------------------------------------------------------------------
@dataclass
class ErasureResult:
    person_ids: list[int]
    counts: dict[str, int] = field(default_factory=dict)   # rows removed per kind (all persons together)
    compaction_seconds: float | None = None
    compaction_pending: bool = False     # erased, but the file still has to be compacted (deferred or failed)


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
    """Erase one person completely (permission privacy.erase); compacts the store now unless told to leave it
    pending (the app: other users would wait for the rewrite)."""
    permissions.require(actor.role, "privacy.erase")
    return erase_many(store, actor, [person_id], reason="request", compact=compact)


def erase_many(store, actor: Actor, person_ids: list[int], *, reason: str, compact: bool = True,
               missing_ok: bool = False) -> ErasureResult:
    """Erase these persons in one transaction, journal first, then compact once. For the services
    that already checked permission (erase, retention, re-apply).

    The rows are gone once this returns; a compaction that fails (or is not asked for) leaves the store's
    pending mark and `compaction_pending` set, and is retried later (see the module's docstring).
    """
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
    with store.read() as cur:     # records merged into them: the same human, back if a merge were undone
        absorbed = merges.absorbed(cur, person_ids)
    now = utcnow()
    if reason != "reapply":      # a re-apply works from the journal: its entries are there already
        _journal_append(store.path, [{"person_id": pid, "fingerprint": fingerprint(pid, created),
                                      "erased_utc": now.isoformat(timespec="seconds"), "reason": reason}
                                     for pid, created in sorted((rows | absorbed).items())])

    def work(cur):
        counts = {kind: 0 for kind, _, _ in KINDS}
        for pid in person_ids:
            for kind, value in _counts(cur, pid).items():
                counts[kind] += value
            _clear_naming_text(cur, pid)
            for key in PERSON_COLUMNS:
                cur.execute(_SQL[key], [pid])
            for table, column in sorted(unlisted_columns(cur)):   # safety net for a table added later
                cur.execute(f'DELETE FROM "{table}" WHERE "{column}" = ?', [pid])
                log.warning("erasure: table %s is not listed in erasure.PERSON_COLUMNS", table)
            audit.record(cur, actor, "person.erase", "person", pid, "ok" if reason == "request" else reason)
        for pid in absorbed:      # only the merge journal and the queue still name them
            for key in PERSON_COLUMNS:
                cur.execute(_SQL[key], [pid])
            audit.record(cur, actor, "person.erase", "person", pid, "merged")
        mark_compaction_pending(cur, reason)
        return counts

    result.counts = store.write(work)
    result.person_ids = person_ids
    result.compaction_pending = True
    if compact:
        try:
            result.compaction_seconds = store.compact()
            result.compaction_pending = False
        except (duckdb.Error, OSError):
            pass        # logged and counted by the store; the rows are erased, the mark stays
    return result


def _clear_naming_text(cur, pid: int) -> None:
    """Other persons' text about this one: the referral's typed name, and the full name wherever it is spelled."""
    for table, column, texts in NAMING_TEXT:
        cur.execute(f"UPDATE {table} SET {', '.join(f'{t} = NULL' for t in texts)} WHERE {column} = ?", [pid])
    given, family = cur.execute("SELECT given_name, family_name FROM person WHERE id = ?", [pid]).fetchone()
    full = " ".join(part for part in (given, family) if part)
    if len(full) < 5 or " " not in full:
        return              # a lone given name is too common to replace in other people's text
    pattern = "(?i)" + re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", full).replace(" ", r"\s+")
    for table, column in FREE_TEXT:
        key = "person_id" if table != "person" else "id"
        cur.execute(f"UPDATE {table} SET {column} = regexp_replace({column}, ?, ?, 'g') "
                    f"WHERE {key} <> ? AND regexp_matches({column}, ?)", [pattern, ERASED_NAME, pid, pattern])


def compact_now(store, actor: Actor) -> float:
    """The administrator's *Compact now*: the owed compaction, at once. Refused with a message if it fails."""
    permissions.require(actor.role, "privacy.erase")
    try:
        seconds = store.compact()
    except (duckdb.Error, OSError):
        raise CrmError("compaction_failed") from None
    store.write(lambda cur: audit.record(cur, actor, "store.compact"))
    return seconds


def reapply(store, actor: Actor, *, accept_damaged: bool = False) -> int:
    """Erase again every journaled person whose record is back (a restore from an older backup).

    Matches id AND fingerprint, so a person who later received a once-used number is never touched.
    A journal line that cannot be read or verified stops it (JournalDamaged) unless `accept_damaged`:
    then the lines that verify are applied. Returns how many persons were erased again; compacts once if any.
    """
    entries, problems = read_journal(store.path)
    if not accept_damaged:
        refuse_damaged(problems)
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
