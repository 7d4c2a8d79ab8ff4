"""Contact moments (call, message, visit, conversation at the market…) and the follow-ups they set."""
from __future__ import annotations

import datetime as dt

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions, reference
from crm_app.core.clock import today, utcnow
from crm_app.core.errors import FieldError, NotFound, ValidationError
from crm_app.core.fields import NOTE_MAX, clean_text, parse_choice, parse_date


def log(store, actor: Actor, person_id: int, kind: str, summary: str | None = None,
        follow_up: dt.date | str | None = None) -> int:
    """Record a contact moment now, with an optional follow-up date (today or later)."""
    permissions.require(actor.role, "activity.log")
    errors: list[FieldError] = []
    kind = parse_choice(kind, "activity_kind", reference.ACTIVITY_KINDS, errors)
    if kind is None and not errors:
        errors.append(FieldError("activity_kind", "required"))
    summary = clean_text(summary, "activity_summary", errors, max_len=NOTE_MAX, multiline=True)
    follow_up = parse_date(follow_up, "activity_follow_up", errors)
    if follow_up and follow_up < today():
        errors.append(FieldError("activity_follow_up", "date_in_past"))
    if errors:
        raise ValidationError(errors)

    def work(cur):
        if not cur.execute("SELECT 1 FROM person WHERE id = ?", [person_id]).fetchone():
            raise NotFound("person_not_found")
        activity_id = insert(cur, actor, person_id, kind, summary, follow_up)
        audit.record(cur, actor, "activity.log", "person", person_id)
        return activity_id

    return store.write(work)


def insert(cur, actor: Actor, person_id: int, kind: str, summary: str | None,
           follow_up: dt.date | None = None) -> int:
    """The contact moment's row, inside the caller's unit of work (a message sent records one too)."""
    return cur.execute(
        "INSERT INTO activity (person_id, kind, summary, occurred_utc, follow_up_date, staff_id) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [person_id, kind, summary, utcnow(), follow_up, actor.user_id],
    ).fetchone()[0]


def of_person(cur, person_id: int) -> list[dict]:
    rows = cur.execute(
        "SELECT a.id, a.kind, a.summary, a.occurred_utc, a.follow_up_date, a.follow_up_done, u.display_name "
        "FROM activity a LEFT JOIN app_user u ON u.id = a.staff_id WHERE a.person_id = ? "
        "ORDER BY a.occurred_utc DESC, a.id DESC", [person_id],
    ).fetchall()
    keys = ("id", "kind", "summary", "occurred_utc", "follow_up_date", "follow_up_done", "staff")
    return [dict(zip(keys, row)) for row in rows]


def follow_ups(store, actor: Actor, *, as_of: dt.date | None = None) -> list[dict]:
    """The actor's open follow-ups due today or overdue, the oldest first."""
    permissions.require(actor.role, "activity.log")
    as_of = as_of or today()
    with store.read() as cur:
        rows = cur.execute(
            "SELECT a.id, a.person_id, p.given_name, p.family_name, a.kind, a.summary, a.follow_up_date, p.phone_e164 "
            "FROM activity a JOIN person p ON p.id = a.person_id "
            "WHERE a.staff_id IS NOT DISTINCT FROM ? AND NOT a.follow_up_done AND a.follow_up_date <= ? "
            "ORDER BY a.follow_up_date, a.id", [actor.user_id, as_of],
        ).fetchall()
    keys = ("id", "person_id", "given_name", "family_name", "kind", "summary", "follow_up_date", "phone_e164")
    result = [dict(zip(keys, row)) for row in rows]
    for item in result:
        item["overdue"] = item["follow_up_date"] < as_of
    return result


def mark_done(store, actor: Actor, activity_id: int) -> None:
    permissions.require(actor.role, "activity.log")

    def work(cur):
        row = cur.execute("SELECT person_id FROM activity WHERE id = ?", [activity_id]).fetchone()
        if row is None:
            raise NotFound("activity_not_found")
        cur.execute("UPDATE activity SET follow_up_done = TRUE WHERE id = ?", [activity_id])
        audit.record(cur, actor, "activity.follow_up_done", "person", row[0])

    store.write(work)
