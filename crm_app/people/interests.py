"""Which networks a person said they are interested in: a hint for staff, not a place on a waiting list.

Noted at the kiosk (or by staff) as one row per person and network. The kiosk offers the open networks:
every network except an alumni network, which one joins only after a term. Erasure removes the rows, the
subject-access file holds them, a merge carries them to the kept person.
"""
from __future__ import annotations

from collections.abc import Iterable

from crm_app.access.audit import Actor
from crm_app.core import permissions
from crm_app.core.clock import utcnow
from crm_app.core.errors import FieldError, PermissionDenied, ValidationError

VIAS = ("kiosk", "staff")
CLOSED_KINDS = ("alumni_network",)


def open_networks(store, actor: Actor) -> dict[int, str]:
    """The networks anyone may say they are interested in: id → name, by name (for whoever registers persons)."""
    if not (permissions.allowed(actor.role, "person.self_register") or permissions.allowed(actor.role, "person.register")):
        raise PermissionDenied("permission_denied", action="person.register")
    with store.read() as cur:
        return dict(cur.execute("SELECT id, name FROM network WHERE kind NOT IN (SELECT unnest(?)) ORDER BY name",
                                [list(CLOSED_KINDS)]).fetchall())


def note(cur, person_id: int, network_ids: Iterable[int], via: str) -> int:
    """Note the person's interest in each network (inside the caller's unit of work); returns how many were new.

    An id that is not an open network is refused: the choice comes from a screen, not from a free field."""
    if via not in VIAS:
        raise ValueError(via)
    wanted = sorted({int(n) for n in network_ids})
    if not wanted:
        return 0
    known = {row[0] for row in cur.execute(
        "SELECT id FROM network WHERE id IN (SELECT unnest(?)) AND kind NOT IN (SELECT unnest(?))",
        [wanted, list(CLOSED_KINDS)]).fetchall()}
    if set(wanted) - known:
        raise ValidationError([FieldError("interests", "invalid_choice")])
    now = utcnow()
    return len(cur.execute(
        "INSERT INTO person_interest (person_id, network_id, noted_utc, via) "
        "SELECT ?, unnest(?), ?, ? ON CONFLICT DO NOTHING RETURNING network_id",
        [person_id, wanted, now, via]).fetchall())


def of_person(cur, person_id: int) -> list[dict]:
    """The person's interests, by network name: network id and name, when, and how it was noted."""
    rows = cur.execute(
        "SELECT i.network_id, n.name, i.noted_utc, i.via FROM person_interest i JOIN network n ON n.id = i.network_id "
        "WHERE i.person_id = ? ORDER BY n.name", [person_id]).fetchall()
    return [dict(zip(("network_id", "network", "noted_utc", "via"), row)) for row in rows]
