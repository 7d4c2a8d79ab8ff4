"""Memberships: who holds a place in which network, for which term; ending one early opens the place."""
from __future__ import annotations

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions
from crm_app.core.clock import today
from crm_app.core.errors import CrmError, FieldError, NotFound, ValidationError
from crm_app.core.fields import clean_text
from crm_app.networks import registry

EARLY_END_REASONS = ("left", "removed")


def members(store, actor: Actor, network_id: int) -> list[dict]:
    """Current members with their term, the soonest-ending first."""
    permissions.require(actor.role, "members.view")
    with store.read() as cur:
        registry.load(cur, network_id)
        rows = cur.execute(
            "SELECT m.id, m.person_id, p.given_name, p.family_name, m.start_date, m.planned_end_date, m.term_number "
            "FROM membership m JOIN person p ON p.id = m.person_id "
            "WHERE m.network_id = ? AND m.actual_end_date IS NULL ORDER BY m.planned_end_date, p.given_key",
            [network_id]).fetchall()
    keys = ("id", "person_id", "given_name", "family_name", "start_date", "planned_end_date", "term_number")
    return [dict(zip(keys, row)) for row in rows]


def end_early(store, actor: Actor, membership_id: int, reason: str, note: str | None = None) -> None:
    """End a membership before its term: the place opens at once."""
    permissions.require(actor.role, "places.fill")
    errors: list[FieldError] = []
    if reason not in EARLY_END_REASONS:
        errors.append(FieldError("end_reason", "invalid_choice"))
    clean_text(note, "end_note", errors, max_len=500)
    if errors:
        raise ValidationError(errors)

    def work(cur):
        row = cur.execute("SELECT network_id, person_id, actual_end_date FROM membership WHERE id = ?",
                          [membership_id]).fetchone()
        if row is None:
            raise NotFound("membership_not_found")
        network_id, person_id, ended = row
        if ended is not None:
            raise CrmError("membership_already_ended")
        registry.lock(cur, network_id)
        cur.execute("UPDATE membership SET actual_end_date = ?, end_reason = ? WHERE id = ?",
                    [today(), reason, membership_id])
        audit.record(cur, actor, f"membership.end_{reason}", "person", person_id)

    store.write(work)


def of_person(cur, person_id: int) -> list[dict]:
    rows = cur.execute(
        "SELECT m.id, n.name, m.start_date, m.planned_end_date, m.actual_end_date, m.end_reason, m.term_number "
        "FROM membership m "
        "JOIN network n ON n.id = m.network_id WHERE m.person_id = ? ORDER BY m.start_date DESC", [person_id]).fetchall()
    keys = ("id", "network", "start_date", "planned_end_date", "actual_end_date", "end_reason", "term_number")
    return [dict(zip(keys, row)) for row in rows]
