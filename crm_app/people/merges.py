"""Merge two records of one human, and undo a merge exactly.

A merge keeps one person (`kept`) and folds the other (`merged`) into it: every row that names the merged
person — sources, consents, contact moments, waiting-list entries, offers, memberships, and any table a later
migration adds with a `person_id`, `*_person_id` or `referrer_id` column — is pointed at the kept person, the
kept record takes the value chosen per field, and the merged record is deleted. Nothing linked is dropped.

Rules stay whole: when both are active on the same waiting list, or both hold a place in one network, the
merge is refused until someone decides which entry or place stays (`Conflict`); the other entry is withdrawn,
the other place ended, both with a reason. A row whose key would collide (both active in one alumni period)
is deleted and journaled. The latest consent per purpose counts for the merged person, as it does for one:
without contact consent the phone and email go, without the diversity consent the dimensions go.

The merge journal (`person_merge_change`) holds every value the merge changed (old and new, by the row's
primary key) and the whole deleted row, so `undo` puts every row back as it was; it refuses when a journaled
value was changed since (someone edited the kept record), and skips rows deleted since (an erasure). The
journal holds personal data: erasure deletes it with the person (crm_app.privacy.erasure), and an undo
deletes it once it is used. Audit events carry ids only.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions
from crm_app.core.clock import today, utcnow
from crm_app.core.errors import FieldError, NotFound, ValidationError
from crm_app.networks import registry
from crm_app.people import dedupe
from crm_app.people.names import fold

# The fields a reviewer chooses per merge, and the person columns each stands for.
FIELDS: dict[str, tuple[str, ...]] = {
    "given_name": ("given_name",), "family_name": ("family_name",), "phone": ("phone_e164", "phone_country"),
    "email": ("email", "email_key"), "preferred_language": ("preferred_language",),
    "other_languages": ("other_languages",), "note": ("note",), "stage_manual": ("stage_manual",),
    "gender": ("gender",), "birth_year": ("birth_year",), "country_of_origin": ("country_of_origin",),
    "education_level": ("education_level",), "municipality": ("municipality",), "district": ("district",),
    "arrival_year": ("arrival_year",), "integration_route": ("integration_route",),
}
DIMENSIONS = ("gender", "birth_year", "country_of_origin", "education_level", "municipality", "district",
              "arrival_year", "integration_route")
BOTH_ALLOWED = ("other_languages", "note")     # these can keep both values
CHOICES = ("kept", "merged", "both")
# Tables the merge itself keeps: the queue and the journal are handled on their own, the name keys rewritten.
_OWN_TABLES = {"duplicate_pair", "person_merge", "person_merge_change", "person_name_key", "person_find_key",
               "person"}
# Linked records shown side by side: (kind, table).
LINKED = (("sources", "person_source"), ("consents", "consent"), ("activities", "activity"),
          ("waitlist_entries", "waitlist_entry"), ("offers", "offer"), ("memberships", "membership"))


@dataclass(frozen=True)
class Conflict:
    """Both persons hold something in one network that one person may hold once: an active entry on its
    waiting list or a place (either, or one of each). The decision names the row that stays; the other ends."""
    kind: str                 # waitlist | membership | member_waiting
    network_id: int
    network_name: str
    kept_row: int             # the kept person's entry or membership
    merged_row: int
    kept_table: str           # waitlist_entry | membership
    merged_table: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.network_id}"


@dataclass
class Preview:
    kept: dict
    merged: dict
    agrees: dict[str, bool]
    defaults: dict[str, str]
    linked: dict[str, tuple[int, int]]
    conflicts: list[Conflict] = field(default_factory=list)


# -- reading ---------------------------------------------------------------------------------------
def _person(cur, person_id: int) -> dict:
    cur.execute("SELECT * FROM person WHERE id = ?", [person_id])
    row = cur.fetchone()
    if row is None:
        raise NotFound("person_not_found")
    return dict(zip((c[0] for c in cur.description), row))


def _value(person: dict, name: str):
    return person[FIELDS[name][0]]


def _empty(value) -> bool:
    return value is None or value == "" or value == []


def _agree(name: str, kept: dict, merged: dict) -> bool:
    if name in ("given_name", "family_name"):
        return fold(kept[name]) == fold(merged[name])
    if name == "email":
        return kept["email_key"] == merged["email_key"] and kept["email_key"] is not None
    a, b = _value(kept, name), _value(merged, name)
    return not _empty(a) and a == b


def default_choices(kept: dict, merged: dict) -> dict[str, str]:
    """The kept value unless it is empty; both languages lists and both notes when they differ."""
    choices = {}
    for name in FIELDS:
        a, b = _value(kept, name), _value(merged, name)
        if name in BOTH_ALLOWED and not _empty(a) and not _empty(b) and a != b:
            choices[name] = "both"
        else:
            choices[name] = "merged" if _empty(a) and not _empty(b) else "kept"
    return choices


def _conflicts(cur, kept_id: int, merged_id: int) -> list[Conflict]:
    found = []
    for kind, sql in (
        ("waitlist", "SELECT a.network_id, n.name, a.id, b.id FROM waitlist_entry a JOIN waitlist_entry b "
                     "ON a.network_id = b.network_id JOIN network n ON n.id = a.network_id WHERE a.person_id = ? "
                     "AND b.person_id = ? AND a.status IN ('waiting', 'offered') AND b.status IN ('waiting', 'offered')"),
        ("membership", "SELECT a.network_id, n.name, a.id, b.id FROM membership a JOIN membership b "
                       "ON a.network_id = b.network_id JOIN network n ON n.id = a.network_id WHERE a.person_id = ? "
                       "AND b.person_id = ? AND a.actual_end_date IS NULL AND b.actual_end_date IS NULL"),
    ):
        table = "waitlist_entry" if kind == "waitlist" else "membership"
        found += [Conflict(kind, *row, table, table)
                  for row in cur.execute(sql + " ORDER BY a.network_id", [kept_id, merged_id]).fetchall()]
    # an active entry on the list of a network where the other holds a place
    for a, b in ((kept_id, merged_id), (merged_id, kept_id)):
        for network_id, name, member_row, entry_row in cur.execute(
                "SELECT m.network_id, n.name, m.id, w.id FROM membership m JOIN waitlist_entry w "
                "ON w.network_id = m.network_id JOIN network n ON n.id = m.network_id WHERE m.person_id = ? "
                "AND w.person_id = ? AND m.actual_end_date IS NULL AND w.status IN ('waiting', 'offered')",
                [a, b]).fetchall():
            if a == kept_id:
                found.append(Conflict("member_waiting", network_id, name, member_row, entry_row, "membership",
                                      "waitlist_entry"))
            else:
                found.append(Conflict("member_waiting", network_id, name, entry_row, member_row, "waitlist_entry",
                                      "membership"))
    return found


def _linked(cur, person_id: int) -> dict[str, int]:
    return {kind: cur.execute(f"SELECT count(*) FROM {table} WHERE person_id = ?", [person_id]).fetchone()[0]
            for kind, table in LINKED}


def preview(store, actor: Actor, kept_id: int, merged_id: int) -> Preview:
    """Both records side by side: what agrees, the default choice per field, linked records, conflicts."""
    permissions.require(actor.role, "person.merge")
    _refuse_same(kept_id, merged_id)
    with store.read() as cur:
        kept, merged = _person(cur, kept_id), _person(cur, merged_id)
        linked_kept, linked_merged = _linked(cur, kept_id), _linked(cur, merged_id)
        return Preview(kept, merged, {name: _agree(name, kept, merged) for name in FIELDS},
                       default_choices(kept, merged),
                       {kind: (linked_kept[kind], linked_merged[kind]) for kind, _ in LINKED},
                       _conflicts(cur, kept_id, merged_id))


def _refuse_same(kept_id: int, merged_id: int) -> None:
    if int(kept_id) == int(merged_id):
        raise ValidationError([FieldError("merged", "merge_same_person")])


# -- the journal -----------------------------------------------------------------------------------
def _plain(value):
    if isinstance(value, dt.datetime):
        return {"ts": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _typed(value):
    if isinstance(value, dict):
        return dt.datetime.fromisoformat(value["ts"]) if "ts" in value else dt.date.fromisoformat(value["d"])
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return value


def _dump(value) -> str:
    return json.dumps(_plain(value))


def _load(text: str | None):
    return None if text is None else _typed(json.loads(text))


def _primary_key(cur, table: str) -> list[str]:
    row = cur.execute("SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = ? "
                      "AND constraint_type = 'PRIMARY KEY'", [table]).fetchone()
    return list(row[0]) if row else []


def _columns(cur, table: str) -> list[str]:
    return [r[0] for r in cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                      "ORDER BY ordinal_position", [table]).fetchall()]


def _where(key: dict) -> tuple[str, list]:
    return " AND ".join(f'"{c}" IS NOT DISTINCT FROM ?' for c in key), list(key.values())


class _Journal:
    """Writes a change and its journal row in one step; the key recorded is the row's key after the change."""

    def __init__(self, cur, merge_id: int, kept_id: int, merged_id: int):
        self.cur, self.merge_id, self.kept_id, self.merged_id, self.seq = cur, merge_id, kept_id, merged_id, 0

    def _note(self, table: str, key: dict, column: str | None, old, new) -> None:
        self.seq += 1
        self.cur.execute(
            "INSERT INTO person_merge_change VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [self.merge_id, self.seq, self.kept_id, self.merged_id, table,
             json.dumps([[c, _plain(v)] for c, v in key.items()]), column, _dump(old), _dump(new)])

    def update(self, table: str, key: dict, changes: dict, old: dict) -> None:
        """Set `changes` on the row `key` (its key before the change); `old` holds the values it had."""
        where, params = _where(key)
        self.cur.execute(f'UPDATE "{table}" SET {", ".join(f"{c} = ?" for c in changes)} WHERE {where}',
                         [*changes.values(), *params])
        after = {c: changes.get(c, v) for c, v in key.items()}
        for column, value in changes.items():
            self._note(table, after, column, old[column], value)

    def delete(self, table: str, key: dict, row: dict) -> None:
        where, params = _where(key)
        self.cur.execute(f'DELETE FROM "{table}" WHERE {where}', params)
        self.seq += 1
        self.cur.execute(
            "INSERT INTO person_merge_change VALUES (?, ?, ?, ?, ?, ?, NULL, ?, NULL)",
            [self.merge_id, self.seq, self.kept_id, self.merged_id, table,
             json.dumps([[c, _plain(v)] for c, v in key.items()]), json.dumps([[c, _plain(v)] for c, v in row.items()])])


def person_references(cur) -> list[tuple[str, str]]:
    """Every (table, column) that can name a person, by its name, as erasure finds them."""
    rows = cur.execute(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c JOIN information_schema.tables t "
        "ON t.table_name = c.table_name AND t.table_schema = c.table_schema WHERE t.table_type = 'BASE TABLE' "
        "AND (c.column_name = 'person_id' OR c.column_name LIKE '%\\_person\\_id' ESCAPE '\\' "
        "OR c.column_name = 'referrer_id') ORDER BY 1, 2").fetchall()
    return [(table, column) for table, column in rows if table not in _OWN_TABLES]


# -- merging ---------------------------------------------------------------------------------------
def merge(store, actor: Actor, kept_id: int, merged_id: int, *, choices: dict[str, str] | None = None,
          decisions: dict[str, int] | None = None) -> int:
    """Fold `merged_id` into `kept_id`; returns the merge's id (for `undo`).

    `choices`: field → kept | merged | both (both only for languages and the note); missing fields take
    `default_choices`. `decisions`: conflict key → the row id that stays (every conflict needs one).
    """
    permissions.require(actor.role, "person.merge")
    _refuse_same(kept_id, merged_id)
    choices, decisions = dict(choices or {}), dict(decisions or {})
    errors = [FieldError(name, "invalid_choice") for name, choice in choices.items()
              if name not in FIELDS or choice not in CHOICES or (choice == "both" and name not in BOTH_ALLOWED)]
    if errors:
        raise ValidationError(errors)

    def work(cur):
        kept, merged = _person(cur, kept_id), _person(cur, merged_id)
        conflicts = _conflicts(cur, kept_id, merged_id)
        undecided = [c for c in conflicts if decisions.get(c.key) not in (c.kept_row, c.merged_row)]
        if undecided:
            raise ValidationError([FieldError(c.key, "merge_conflict_undecided", {"network": c.network_id})
                                   for c in undecided])
        merge_id = cur.execute(
            "INSERT INTO person_merge (kept_person_id, merged_person_id, status, merged_utc, merged_by) "
            "VALUES (?, ?, 'merged', ?, ?) RETURNING id", [kept_id, merged_id, utcnow(), actor.user_id]).fetchone()[0]
        journal = _Journal(cur, merge_id, kept_id, merged_id)
        for conflict in conflicts:
            _settle(cur, journal, conflict, decisions[conflict.key])
        for table, column in person_references(cur):
            _repoint(cur, journal, table, column, merged_id, kept_id)
        _update_kept(cur, journal, kept, merged, default_choices(kept, merged) | choices)
        journal.delete("person", {"id": merged_id}, merged)
        dedupe.refresh_name_keys(cur, [kept_id, merged_id])   # the merged person's row is gone: its keys too
        _close_pairs(cur, journal, kept_id, merged_id, merge_id, actor)
        audit.record(cur, actor, "person.merge", "person", kept_id, f"merge={merge_id} merged={merged_id}")
        return merge_id

    return store.write(work)


def _settle(cur, journal: _Journal, conflict: Conflict, stays: int) -> None:
    """The entry or place that does not stay ends, with a reason; the network's places are locked first."""
    registry.lock(cur, conflict.network_id)
    ends, table = ((conflict.merged_row, conflict.merged_table) if stays == conflict.kept_row
                   else (conflict.kept_row, conflict.kept_table))
    if table == "waitlist_entry":
        _withdraw_entry(cur, journal, ends, "merged_duplicate")
    else:
        start, end_date, reason = cur.execute(
            "SELECT start_date, actual_end_date, end_reason FROM membership WHERE id = ?", [ends]).fetchone()
        journal.update("membership", {"id": ends}, {"actual_end_date": max(today(), start), "end_reason": "removed"},
                       {"actual_end_date": end_date, "end_reason": reason})


def _withdraw_entry(cur, journal: _Journal, entry_id: int, reason: str) -> None:
    """An entry leaves its list (withdrawn, with the reason) and its open offer is withdrawn."""
    now = utcnow()
    for offer_id, status, responded in cur.execute(
            "SELECT id, status, responded_utc FROM offer WHERE waitlist_entry_id = ? AND status = 'open'",
            [entry_id]).fetchall():
        journal.update("offer", {"id": offer_id}, {"status": "withdrawn", "responded_utc": now},
                       {"status": status, "responded_utc": responded})
    status, old_reason, status_utc = cur.execute(
        "SELECT status, status_reason, status_utc FROM waitlist_entry WHERE id = ?", [entry_id]).fetchone()
    journal.update("waitlist_entry", {"id": entry_id}, {"status": "withdrawn", "status_reason": reason, "status_utc": now},
                   {"status": status, "status_reason": old_reason, "status_utc": status_utc})


def _repoint(cur, journal: _Journal, table: str, column: str, merged_id: int, kept_id: int) -> None:
    key_columns = _primary_key(cur, table) or _columns(cur, table)
    cur.execute(f'SELECT * FROM "{table}" WHERE "{column}" = ?', [merged_id])
    names = [c[0] for c in cur.description]
    for row in [dict(zip(names, r)) for r in cur.fetchall()]:
        key = {c: row[c] for c in key_columns}
        if column in key_columns:          # the key itself changes: a row the kept person has already wins
            taken, params = _where(key | {column: kept_id})
            if cur.execute(f'SELECT 1 FROM "{table}" WHERE {taken}', params).fetchone():
                journal.delete(table, key, row)
                continue
        journal.update(table, key, {column: kept_id}, row)


def _update_kept(cur, journal: _Journal, kept: dict, merged: dict, choices: dict[str, str]) -> None:
    values = {}
    for name, columns in FIELDS.items():
        source = merged if choices[name] == "merged" else kept
        for column in columns:
            values[column] = source[column]
        if choices[name] == "both":
            a, b = kept[name], merged[name]
            values[name] = (list(dict.fromkeys([*a, *b])) if name == "other_languages" else f"{a}\n{b}")
    given = dict(cur.execute("SELECT purpose, arg_max(granted, id) FROM consent WHERE person_id = ? GROUP BY purpose",
                             [kept["id"]]).fetchall())
    if not given.get("contact", False):     # nobody is contacted, nor waits for a place, without it
        values.update(phone_e164=None, phone_country=None, email=None, email_key=None)
        for (entry_id, network_id) in cur.execute(
                "SELECT id, network_id FROM waitlist_entry WHERE person_id = ? AND status IN ('waiting', 'offered') "
                "ORDER BY id", [kept["id"]]).fetchall():
            registry.lock(cur, network_id)
            _withdraw_entry(cur, journal, entry_id, "contact_consent_withdrawn")
    if not given.get("diversity_statistics", False):
        values.update(dict.fromkeys(DIMENSIONS))
    keys = dedupe.Keys.of(values["given_name"], values["family_name"], values["phone_e164"], values["email_key"],
                          values["birth_year"])
    values.update(given_key=keys.given_key, family_key=keys.family_key, name_block=keys.name_block,
                  family_year_block=keys.family_year_block)
    changes = {c: v for c, v in values.items() if kept[c] != v}
    if changes:
        changes["updated_utc"] = utcnow()
        journal.update("person", {"id": kept["id"]}, changes, kept)


def _close_pairs(cur, journal: _Journal, kept_id: int, merged_id: int, merge_id: int, actor: Actor) -> None:
    """The pair of these two is merged; the merged person's other pairs now name the kept person."""
    cur.execute("SELECT * FROM duplicate_pair WHERE first_person_id = ? OR second_person_id = ?", [merged_id, merged_id])
    names = [c[0] for c in cur.description]
    for row in [dict(zip(names, r)) for r in cur.fetchall()]:
        other = row["second_person_id"] if row["first_person_id"] == merged_id else row["first_person_id"]
        if other == kept_id:
            journal.update("duplicate_pair", {"id": row["id"]}, {"status": "merged", "decided_utc": utcnow(),
                                                                 "decided_by": actor.user_id, "merge_id": merge_id}, row)
            continue
        first, second = sorted((kept_id, other))
        if cur.execute("SELECT 1 FROM duplicate_pair WHERE first_person_id = ? AND second_person_id = ?",
                       [first, second]).fetchone():
            journal.delete("duplicate_pair", {"id": row["id"]}, row)
        else:
            journal.update("duplicate_pair", {"id": row["id"]}, {"first_person_id": first, "second_person_id": second},
                           row)


# -- undoing ---------------------------------------------------------------------------------------
def undo(store, actor: Actor, merge_id: int) -> int:
    """Put back every row the merge changed, exactly; returns the merged person's id (back again)."""
    permissions.require(actor.role, "person.merge")

    def work(cur):
        row = cur.execute("SELECT kept_person_id, merged_person_id, status FROM person_merge WHERE id = ?",
                          [merge_id]).fetchone()
        if row is None:
            raise NotFound("merge_not_found")
        kept_id, merged_id, status = row
        if status != "merged":
            raise ValidationError([FieldError("merge", "merge_already_undone")])
        changes = cur.execute("SELECT table_name, row_key, column_name, old_value, new_value FROM person_merge_change "
                              "WHERE merge_id = ? ORDER BY seq DESC", [merge_id]).fetchall()
        for table, row_key, column, old, new in changes:
            key = {c: _typed(v) for c, v in json.loads(row_key)}
            where, params = _where(key)
            if column is None:
                if cur.execute(f'SELECT 1 FROM "{table}" WHERE {where}', params).fetchone():
                    raise ValidationError([FieldError("merge", "merge_changed_since")])
                values = [(c, _typed(v)) for c, v in json.loads(old)]
                cur.execute(f'INSERT INTO "{table}" ({", ".join(c for c, _ in values)}) '
                            f'VALUES ({", ".join("?" * len(values))})', [v for _, v in values])
                continue
            current = cur.execute(f'SELECT "{column}" FROM "{table}" WHERE {where}', params).fetchall()
            if not current:
                continue      # the row is gone since (erased, or past its retention)
            if any(value != _load(new) for (value,) in current):
                raise ValidationError([FieldError("merge", "merge_changed_since")])
            cur.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE {where}', [_load(old), *params])
        dedupe.refresh_name_keys(cur, [kept_id, merged_id])
        cur.execute("DELETE FROM person_merge_change WHERE merge_id = ?", [merge_id])
        cur.execute("UPDATE person_merge SET status = 'undone', undone_utc = ?, undone_by = ? WHERE id = ?",
                    [utcnow(), actor.user_id, merge_id])
        audit.record(cur, actor, "person.merge_undo", "person", kept_id, f"merge={merge_id} merged={merged_id}")
        return merged_id

    return store.write(work)


def merges_of(store, actor: Actor, person_id: int) -> list[dict]:
    """The merges into this person that can still be undone, newest first (the person screen's list)."""
    permissions.require(actor.role, "person.merge")
    with store.read() as cur:
        rows = cur.execute("SELECT id, merged_person_id, merged_utc FROM person_merge WHERE kept_person_id = ? "
                           "AND status = 'merged' ORDER BY id DESC", [person_id]).fetchall()
    return [dict(zip(("id", "merged_person_id", "merged_utc"), row)) for row in rows]


def absorbed(cur, person_ids: list[int]) -> dict[int, dt.datetime]:
    """Every person merged into these (and into those, and so on) and not undone: id → the record's created_utc,
    from the journal. Erasure erases them with the person (they are the same human)."""
    found: dict[int, dt.datetime] = {}
    frontier = [int(p) for p in person_ids]
    while frontier:
        rows = cur.execute(
            "SELECT m.merged_person_id, c.old_value FROM person_merge m JOIN person_merge_change c "
            "ON c.merge_id = m.id AND c.table_name = 'person' AND c.column_name IS NULL "
            "WHERE m.status = 'merged' AND m.kept_person_id IN (SELECT unnest(?::BIGINT[]))", [frontier]).fetchall()
        frontier = []
        for merged_id, row in rows:
            if merged_id not in found:
                found[merged_id] = _typed(dict(json.loads(row))["created_utc"])
                frontier.append(merged_id)
    return found
