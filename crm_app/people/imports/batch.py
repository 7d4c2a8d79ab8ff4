"""Import a file of persons: read, map, check every row, then store the good rows in one transaction.

Every row ends in one state:
- `accepted`: valid and new; stored (or, in a dry run, would be);
- `rejected`: a field is wrong; the reasons per field say which;
- `duplicate`: valid, but possibly a person already stored or a row above it; held back for a person to
  decide, unless the import is told to add possible duplicates (a same phone or email is never added);
- `already_imported`: this row from this source is in the store already (an earlier run): nothing to do.
The stored rows are one unit of work on the store's writer: all of them, or (on any failure) none. The
duplicate check and the "already imported" check run again inside that unit, so a registration made
between the preview and the import is seen. The audit event holds the batch id and counts, no names.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import bulk, permissions, reference
from crm_app.core.clock import utcnow
from crm_app.core.errors import FieldError, ValidationError
from crm_app.people import dedupe
from crm_app.people import duplicates as review
from crm_app.people.imports import duplicates, mapping, reader, rows
from crm_app.people.imports.rows import Checked, Defaults

STATUSES = ("accepted", "rejected", "duplicate", "already_imported")
LOOK_ALIKE_SCORE = 0.5   # a name-only match added on request: a possible duplicate, for staff to look at
_SOURCE_COLUMNS = tuple((name, kind) for name, kind in (
    ("person_id", pa.int64()), ("kind", pa.string()), ("source_name", pa.string()),
    ("source_org", pa.string()), ("source_date", pa.date32()), ("recorded_utc", pa.timestamp("us")),
    ("recorded_by", pa.int64()), ("import_batch_id", pa.int64()), ("import_row_key", pa.string())))
_CONSENT_COLUMNS = (
    ("person_id", pa.int64()), ("purpose", pa.string()), ("granted", pa.bool_()),
    ("method", pa.string()), ("text_version", pa.string()), ("recorded_utc", pa.timestamp("us")),
    ("recorded_by", pa.int64()))


@dataclass
class RowResult:
    """What happened to one row. `persons`: the stored person(s) it matches, or the one it became."""
    row: int                    # the row number a spreadsheet shows (the header is row 1)
    status: str
    errors: list[FieldError] = field(default_factory=list)
    persons: list[int] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


@dataclass
class Report:
    file_sha256: str
    kind: str
    encoding: str | None
    separator: str | None
    headers: list[str]
    mapping: dict[str, str]
    results: list[RowResult]
    dry_run: bool
    batch_id: int | None = None
    earlier_batch: int | None = None   # the same file was imported before, in this batch
    sheet: reader.Sheet | None = field(default=None, repr=False)   # the rows as read: for the rejected-rows file

    def count(self, status: str) -> int:
        return sum(1 for result in self.results if result.status == status)

    @property
    def complete(self) -> bool:
        """Every row is in the store (now or before)."""
        return all(result.status in ("accepted", "already_imported") for result in self.results)

    def as_dict(self) -> dict:
        return {
            "batch_id": self.batch_id, "dry_run": self.dry_run, "file_sha256": self.file_sha256, "kind": self.kind,
            "encoding": self.encoding, "separator": self.separator, "mapping": self.mapping,
            "earlier_batch": self.earlier_batch, "counts": {status: self.count(status) for status in STATUSES},
            "rows": [{"row": r.row, "status": r.status, "persons": r.persons, "rows": r.rows, "reasons": r.reasons,
                      "errors": [{"field": e.field, "code": e.code} for e in r.errors]} for r in self.results],
        }


@dataclass
class Options:
    defaults: Defaults = field(default_factory=Defaults)
    columns: dict[str, str] | None = None   # header → field, given explicitly; else remembered or guessed
    add_duplicates: bool = False            # add rows that only look like someone (never a same phone/email)


@dataclass
class Prepared:
    """A file read and mapped, every row validated: what preview and import share."""
    sheet: reader.Sheet
    file_sha256: str
    mapping: dict[str, str]
    checked: dict[int, Checked]            # row index → the valid rows
    errors: dict[int, list[FieldError]]    # row index → why it is refused


def read_mapping(store, actor: Actor, data: bytes, defaults: Defaults) -> tuple[reader.Sheet, dict[str, str]]:
    """The file's header and the mapping the import would use (remembered for this source, else guessed)."""
    permissions.require(actor.role, "person.import")
    sheet = reader.read(data)
    with store.read() as cur:
        known = mapping.remembered(cur, mapping.source_key(defaults.source_kind, defaults.source_name))
    return sheet, mapping.complete(sheet.headers, {}, known)


def prepare(store, actor: Actor, data: bytes, options: Options,
            progress: Callable[[int, int], None] | None = None) -> Prepared:
    permissions.require(actor.role, "person.import")
    sheet = reader.read(data)
    key = mapping.source_key(options.defaults.source_kind, options.defaults.source_name)
    with store.read() as cur:
        known = mapping.remembered(cur, key)
    columns = mapping.complete(sheet.headers, options.columns or {}, known)
    mapping.check(columns)
    checked, errors = {}, {}
    total = len(sheet.rows)
    for index, cells in enumerate(sheet.rows):
        if index in sheet.overflowing:
            errors[index] = [FieldError("row", "import_extra_cells")]
            continue
        try:
            checked[index] = rows.check(rows.values(cells, sheet.headers, columns), options.defaults)
        except ValidationError as exc:
            errors[index] = exc.errors
        if progress and (index % 2000 == 0 or index == total - 1):
            progress(index + 1, total)
    return Prepared(sheet, hashlib.sha256(data).hexdigest(), columns, checked, errors)


def _classify(cur, prepared: Prepared, options: Options) -> tuple[list[RowResult], list[int], dict[int, list]]:
    """Every row's result, the indexes of the rows to store, and of those the ones that only look like someone
    (added because the import was told to): their matches go to the review queue."""
    valid = sorted(prepared.checked)
    row_keys = [prepared.checked[i].row_key for i in valid]
    known = dict(cur.execute("SELECT import_row_key, min(person_id) FROM person_source "
                             "WHERE import_row_key IN (SELECT unnest(?::VARCHAR[])) GROUP BY 1", [row_keys]).fetchall())
    fresh = [i for i in valid if prepared.checked[i].row_key not in known]
    found = duplicates.find(cur, [(i, prepared.checked[i].keys, prepared.checked[i].person.dimensions["birth_year"])
                                  for i in fresh])
    numbers = prepared.sheet.numbers
    results, to_store, first_of, look_alike = [], [], {}, {}
    for index in range(len(prepared.sheet.rows)):
        number = numbers[index]
        if index in prepared.errors:
            results.append(RowResult(number, "rejected", prepared.errors[index]))
            continue
        row_key = prepared.checked[index].row_key
        if row_key in known:
            results.append(RowResult(number, "already_imported", persons=[known[row_key]]))
            continue
        if row_key in first_of:   # the same row twice in one file
            results.append(RowResult(number, "duplicate", rows=[numbers[first_of[row_key]]], reasons=["same_row"]))
            continue
        first_of[row_key] = index
        matches = found.get(index, [])
        certain = any(match.certain for match in matches)
        if matches and (certain or not options.add_duplicates):
            reasons = list(dict.fromkeys(reason for match in matches for reason in match.reasons))
            results.append(RowResult(number, "duplicate", persons=[m.other for m in matches if not m.of_row],
                                     rows=[numbers[m.other] for m in matches if m.of_row], reasons=reasons))
            continue
        results.append(RowResult(number, "accepted"))
        to_store.append(index)
        if matches:
            look_alike[index] = matches
    return results, to_store, look_alike


def preview(store, actor: Actor, data: bytes, options: Options,
            progress: Callable[[int, int], None] | None = None) -> Report:
    """What an import would do, storing nothing."""
    prepared = prepare(store, actor, data, options, progress)
    with store.read() as cur:
        results, _, _ = _classify(cur, prepared, options)
        earlier = _earlier_batch(cur, prepared.file_sha256)
    return _report(prepared, results, True, None, earlier)


def run(store, actor: Actor, data: bytes, options: Options,
        progress: Callable[[int, int], None] | None = None) -> Report:
    """Import: the accepted rows go in together, tagged with a new batch; the mapping is remembered."""
    prepared = prepare(store, actor, data, options, progress)
    key = mapping.source_key(options.defaults.source_kind, options.defaults.source_name)

    def work(cur):
        results, to_store, look_alike = _classify(cur, prepared, options)
        earlier = _earlier_batch(cur, prepared.file_sha256)
        mapping.remember(cur, key, prepared.mapping)
        if not to_store:
            audit.record(cur, actor, "person.import", None, None, f"rows={len(results)} added=0")
            return results, None, earlier
        batch_id = cur.execute(
            "INSERT INTO import_batch (file_sha256, file_kind, rows_total, rows_added, rows_refused, imported_by, "
            "imported_utc) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [prepared.file_sha256, prepared.sheet.kind, len(results), len(to_store), len(results) - len(to_store),
             actor.user_id, utcnow()]).fetchone()[0]
        ids = _store_rows(cur, actor, [prepared.checked[i] for i in to_store], batch_id)
        by_number = {prepared.sheet.numbers[i]: person_id for i, person_id in zip(to_store, ids)}
        person_of = dict(zip(to_store, ids))
        pairs = {}                                    # for staff to review, as the kiosk's and the scan's are
        for index, matches in look_alike.items():
            for m in matches:
                if not m.of_row or m.other in person_of:
                    other = person_of[m.other] if m.of_row else m.other
                    pair = tuple(sorted((person_of[index], other)))
                    pairs[pair] = (*pair, review.level_of(LOOK_ALIKE_SCORE), LOOK_ALIKE_SCORE, tuple(m.reasons))
        review.flag_pairs(cur, list(pairs.values()), "import")
        for result in results:
            if result.status == "accepted":
                result.persons = [by_number[result.row]]
        audit.record(cur, actor, "person.import", "import_batch", batch_id,
                     f"rows={len(results)} added={len(to_store)}")
        return results, batch_id, earlier

    results, batch_id, earlier = store.write(work)
    return _report(prepared, results, False, batch_id, earlier)


def _earlier_batch(cur, file_sha256: str) -> int | None:
    row = cur.execute("SELECT min(id) FROM import_batch WHERE file_sha256 = ?", [file_sha256]).fetchone()
    return row[0] if row else None


def _report(prepared: Prepared, results: list[RowResult], dry_run: bool, batch_id, earlier) -> Report:
    sheet = prepared.sheet
    return Report(prepared.file_sha256, sheet.kind, sheet.encoding, sheet.separator, sheet.headers, prepared.mapping,
                  results, dry_run, batch_id, earlier, sheet)


def _store_rows(cur, actor: Actor, checked: list[Checked], batch_id: int) -> list[int]:
    """Persons, their sources and the consents the file stated, in a few statements; then their name keys."""
    now = utcnow()
    persons = []
    for item in checked:
        p, dims, keys = item.person, item.person.dimensions, item.keys
        persons.append({
            "given_name": p.given_name, "family_name": p.family_name, "phone_e164": p.phone_e164,
            "phone_country": p.phone_country, "email": p.email, "preferred_language": p.preferred_language,
            "other_languages": p.other_languages, "note": p.note, **dims, "email_key": keys.email_key,
            "given_key": keys.given_key, "family_key": keys.family_key, "name_block": keys.name_block,
            "family_year_block": keys.family_year_block, "created_utc": now, "updated_utc": now,
            "created_by": actor.user_id})
    ids = bulk.bulk_insert_persons(cur, persons)
    bulk.insert_arrow(cur, "person_source", _SOURCE_COLUMNS, [
        {"person_id": person_id, "kind": item.source.kind, "source_name": item.source.source_name,
         "source_org": item.source.source_org, "source_date": item.source.source_date, "recorded_utc": now,
         "recorded_by": actor.user_id, "import_batch_id": batch_id, "import_row_key": item.row_key}
        for person_id, item in zip(ids, checked)])
    consents = [{"person_id": person_id, "purpose": purpose, "granted": True, "method": rows.CONSENT_METHOD,
                 "text_version": reference.CONSENT_TEXT_VERSION, "recorded_utc": now, "recorded_by": actor.user_id}
                for person_id, item in zip(ids, checked)
                for purpose, given in (("contact", item.person.consent_contact),
                                       ("diversity_statistics", item.person.consent_diversity_statistics)) if given]
    bulk.insert_arrow(cur, "consent", _CONSENT_COLUMNS, consents)
    dedupe.refresh_name_keys(cur, ids)
    return ids
