"""Waiting lists: one per network, in the order people joined; "still interested?" checks keep them fresh.

An entry is never silently deleted: it ends with a status (placed, declined, expired, withdrawn,
removed) and a reason, so positions and decisions can always be explained afterwards.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions, settings
from crm_app.core.clock import add_months, today, utcnow
from crm_app.core.errors import FieldError, NotFound, ValidationError
from crm_app.core.fields import clean_text
from crm_app.networks import registry

ACTIVE = ("waiting", "offered")


@dataclass
class Entry:
    id: int
    network_id: int
    person_id: int
    given_name: str
    family_name: str | None
    joined_utc: dt.datetime
    status: str
    last_check_utc: dt.datetime | None
    position: int | None          # among those waiting, 1 = next in line
    waited_days: int
    check_due: dt.date            # when the next "still interested?" check is due
    check_overdue: bool
    phone_e164: str | None = None  # staff call to ask "still interested?"


def _eligibility_problem(cur, network: registry.Network, person_id: int, as_of: dt.date) -> str | None:
    """Why a person cannot be put on this list now, or None."""
    if not registry.may_contact(cur, person_id):
        return "contact_consent_needed"
    if cur.execute("SELECT 1 FROM waitlist_entry WHERE network_id = ? AND person_id = ? "
                   "AND status IN ('waiting', 'offered')", [network.id, person_id]).fetchone():
        return "already_on_list"
    if cur.execute("SELECT 1 FROM membership WHERE network_id = ? AND person_id = ? AND actual_end_date IS NULL",
                   [network.id, person_id]).fetchone():
        return "already_member"
    last_end = cur.execute("SELECT max(actual_end_date) FROM membership WHERE network_id = ? AND person_id = ?",
                           [network.id, person_id]).fetchone()[0]
    if last_end is not None and add_months(last_end, network.rest_months) > as_of:
        return "resting"
    return None


def add(store, actor: Actor, network_id: int, person_id: int) -> int:
    """Put a person on a network's waiting list (contact consent needed; once per list)."""
    permissions.require(actor.role, "waitlist.manage")
    return store.write(_add_entry, actor, network_id, person_id, False)


def _add_entry(cur, actor: Actor, network_id: int, person_id: int, newcomers_only: bool) -> int:
    registry.lock(cur, network_id)
    network = registry.load(cur, network_id)
    if not cur.execute("SELECT 1 FROM person WHERE id = ?", [person_id]).fetchone():
        raise NotFound("person_not_found")
    if newcomers_only and network.kind == "alumni_network":   # alumni are moved there, they do not wait
        raise ValidationError([FieldError("network", "alumni_network_no_list")])
    problem = _eligibility_problem(cur, network, person_id, today())
    if problem:
        raise ValidationError([FieldError("network", problem)])
    now = utcnow()
    entry_id = cur.execute(
        "INSERT INTO waitlist_entry (network_id, person_id, joined_utc, status, status_utc, added_by) "
        "VALUES (?, ?, ?, 'waiting', ?, ?) RETURNING id", [network_id, person_id, now, now, actor.user_id],
    ).fetchone()[0]
    audit.record(cur, actor, "waitlist.add", "person", person_id)
    return entry_id


def joinable(store, actor: Actor) -> dict[int, str]:
    """The networks a newcomer can wait for (id → name, by name): every network but the alumni networks,
    which alumni are moved to. Offered at registration."""
    permissions.require(actor.role, "waitlist.join")
    with store.read() as cur:
        return dict(cur.execute("SELECT id, name FROM network WHERE kind <> 'alumni_network' ORDER BY name").fetchall())


def join(store, actor: Actor, person_id: int, network_ids: list[int]) -> dict[int, FieldError | None]:
    """Put a person just registered (or met again) on these lists: network id → None when added, or why not.

    Each list is its own unit of work with the rules and audit of `add`, so a refusal on one (already on it,
    resting, no contact consent, an alumni network) leaves the person and the other lists as they are."""
    permissions.require(actor.role, "waitlist.join")
    outcome: dict[int, FieldError | None] = {}
    for network_id in dict.fromkeys(network_ids):
        try:
            store.write(_add_entry, actor, network_id, person_id, True)
            outcome[network_id] = None
        except ValidationError as exc:
            outcome[network_id] = exc.errors[0]
        except NotFound as exc:
            if exc.code != "network_not_found":
                raise
            outcome[network_id] = FieldError("network", "network_not_found")
    return outcome


def end(store, actor: Actor, entry_id: int, status: str, reason: str | None) -> None:
    """Take someone off a list: `withdrawn` (their wish) or `removed` (staff decision), with a reason."""
    permissions.require(actor.role, "waitlist.manage")
    errors: list[FieldError] = []
    if status not in ("withdrawn", "removed"):
        errors.append(FieldError("status", "invalid_choice"))
    reason = clean_text(reason, "reason", errors, max_len=500, required=True)
    if errors:
        raise ValidationError(errors)

    def work(cur):
        row = cur.execute("SELECT network_id, person_id, status FROM waitlist_entry WHERE id = ?", [entry_id]).fetchone()
        if row is None:
            raise NotFound("entry_not_found")
        network_id, person_id, current = row
        if current != "waiting":
            raise ValidationError([FieldError("status", "entry_not_waiting", {"status": current})])
        registry.lock(cur, network_id)
        cur.execute("UPDATE waitlist_entry SET status = ?, status_reason = ?, status_utc = ? WHERE id = ?",
                    [status, reason, utcnow(), entry_id])
        audit.record(cur, actor, f"waitlist.{status}", "person", person_id)

    store.write(work)


def confirm_interest(store, actor: Actor, entry_id: int) -> None:
    """The person is still interested: their next check is due N months from now; their place in line stays."""
    permissions.require(actor.role, "waitlist.manage")

    def work(cur):
        row = cur.execute("SELECT person_id, status FROM waitlist_entry WHERE id = ?", [entry_id]).fetchone()
        if row is None:
            raise NotFound("entry_not_found")
        if row[1] != "waiting":
            raise ValidationError([FieldError("status", "entry_not_waiting", {"status": row[1]})])
        cur.execute("UPDATE waitlist_entry SET last_check_utc = ? WHERE id = ?", [utcnow(), entry_id])
        audit.record(cur, actor, "waitlist.confirm_interest", "person", row[0])

    store.write(work)


def entries(store, actor: Actor, network_id: int, *, as_of: dt.date | None = None) -> list[Entry]:
    """The list in order (waiting and on offer), with each person's position, waiting time and check due."""
    permissions.require(actor.role, "waitlist.view")
    as_of = as_of or today()
    with store.read() as cur:
        registry.load(cur, network_id)
        months = settings.get(cur, "interest_check_months")
        rows = cur.execute(
            "SELECT w.id, w.network_id, w.person_id, p.given_name, p.family_name, w.joined_utc, w.status, "
            "w.last_check_utc, p.phone_e164 FROM waitlist_entry w JOIN person p ON p.id = w.person_id "
            "WHERE w.network_id = ? AND w.status IN ('waiting', 'offered') ORDER BY w.joined_utc, w.id",
            [network_id]).fetchall()
    result, position = [], 0
    for row in rows:
        entry_id, nid, pid, given, family, joined, status, last_check, phone = row
        if status == "waiting":
            position += 1
        due = add_months((last_check or joined).date(), months)
        result.append(Entry(entry_id, nid, pid, given, family, joined, status, last_check,
                            position if status == "waiting" else None, (as_of - joined.date()).days, due,
                            status == "waiting" and due <= as_of, phone))
    return result


def of_person(cur, person_id: int) -> list[dict]:
    rows = cur.execute(
        "SELECT w.id, w.network_id, n.name, w.joined_utc, w.status, w.status_reason, w.status_utc "
        "FROM waitlist_entry w JOIN network n ON n.id = w.network_id WHERE w.person_id = ? ORDER BY w.joined_utc",
        [person_id]).fetchall()
    keys = ("id", "network_id", "network", "joined_utc", "status", "status_reason", "status_utc")
    return [dict(zip(keys, row)) for row in rows]


def expire_unconfirmed(cur, as_of: dt.date) -> int:
    """Entries whose check was due and not confirmed within the grace period become `expired` (kept, not deleted)."""
    months = settings.get(cur, "interest_check_months")
    grace = settings.get(cur, "interest_grace_days")
    candidates = cur.execute(
        "SELECT id, coalesce(last_check_utc, joined_utc) FROM waitlist_entry WHERE status = 'waiting'").fetchall()
    expired = [entry_id for entry_id, since in candidates
               if add_months(since.date(), months) + dt.timedelta(days=grace) < as_of]
    if expired:
        cur.execute("UPDATE waitlist_entry SET status = 'expired', status_reason = 'interest_not_confirmed', "
                    "status_utc = ? WHERE id IN (SELECT unnest(?))", [utcnow(), expired])
    return len(expired)
