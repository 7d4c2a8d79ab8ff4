"""Offers of places, with a response deadline; accepting one makes the membership.

Every change of a network's places first claims the network row (`registry.lock`), so two
managers filling the last place at once conflict: one wins, the other's retry finds no place left
and is told so. A network never holds more members plus open offers than its max places.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions, settings
from crm_app.core.clock import add_months, today, utcnow
from crm_app.core.errors import CrmError, FieldError, NotFound, ValidationError
from crm_app.networks import lottery, registry
from crm_app.networks.selection import Draw, Reason

RESPONSES = {"accept": "accepted", "decline": "declined", "withdraw": "withdrawn"}


def make(store, actor: Actor, network_id: int, entry_ids: list[int], method: str,
         reasons: dict[int, list[Reason]] | None = None, draw: Draw | None = None,
         deadline_days: int | None = None) -> list[int]:
    """Offer places to these waiting-list entries (all or nothing). A lottery's `draw` is recorded with them,
    and each offer keeps its seed: the next candidate after a decline is drawn with it."""
    permissions.require(actor.role, "places.fill")
    if not entry_ids:
        raise ValidationError([FieldError("entries", "required")])
    if len(set(entry_ids)) != len(entry_ids):
        raise ValidationError([FieldError("entries", "duplicate_entry")])

    def work(cur):
        registry.lock(cur, network_id)
        network = registry.load(cur, network_id)
        open_places = network.max_places - registry.places_taken(cur, network_id)
        if len(entry_ids) > open_places:
            raise CrmError("not_enough_places", wanted=len(entry_ids), open=max(open_places, 0))
        days = deadline_days or settings.get(cur, "offer_deadline_days")
        deadline = today() + dt.timedelta(days=days)
        offer_ids = []
        for entry_id in entry_ids:
            row = cur.execute("SELECT person_id, status, network_id FROM waitlist_entry WHERE id = ?",
                              [entry_id]).fetchone()
            if row is None or row[2] != network_id:
                raise NotFound("entry_not_found")
            person_id, status, _ = row
            if status != "waiting":
                raise CrmError("entry_not_waiting", status=status)
            if cur.execute("SELECT 1 FROM membership WHERE network_id = ? AND person_id = ? AND actual_end_date IS NULL",
                           [network_id, person_id]).fetchone():
                raise CrmError("already_member")
            if cur.execute("SELECT 1 FROM offer WHERE network_id = ? AND person_id = ? AND status = 'open'",
                           [network_id, person_id]).fetchone():
                raise CrmError("already_on_offer")
            why = json.dumps([dataclasses.asdict(r) for r in (reasons or {}).get(entry_id, [])])
            offer_ids.append(cur.execute(
                "INSERT INTO offer (network_id, person_id, waitlist_entry_id, method, reason, offered_utc, "
                "deadline_date, status, offered_by, seed) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
                [network_id, person_id, entry_id, method, why, utcnow(), deadline, actor.user_id,
                 draw.seed if draw else None]).fetchone()[0])
            cur.execute("UPDATE waitlist_entry SET status = 'offered', status_utc = ? WHERE id = ?",
                        [utcnow(), entry_id])
            audit.record(cur, actor, "offer.make", "person", person_id)
        if draw is not None and draw.distribution is not None:
            record_draw(cur, network_id, draw, actor)
        return offer_ids

    return store.write(work)


def record_draw(cur, network_id: int, draw: Draw, actor: Actor) -> int:
    """Keep a lottery draw so anyone with access can check it: seed, hash of pool and targets, the distribution,
    the panel, who drew it and when (the fill's offers, an alumni network's proposal)."""
    return cur.execute(
        "INSERT INTO lottery_draw (network_id, seed, input_hash, places, distribution, panel, drawn_by, drawn_utc) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [network_id, draw.seed, draw.digest, len(draw.panel), json.dumps(lottery.record(draw.distribution)),
         json.dumps(list(draw.panel)), actor.user_id, utcnow()]).fetchone()[0]


def respond(store, actor: Actor, offer_id: int, response: str) -> dict:
    """Accept, decline or withdraw an open offer. Accepting makes the membership for one term."""
    permissions.require(actor.role, "places.fill")
    if response not in RESPONSES:
        raise ValidationError([FieldError("response", "invalid_choice")])

    def work(cur):
        row = cur.execute("SELECT network_id, person_id, waitlist_entry_id, status, deadline_date, method "
                          "FROM offer WHERE id = ?", [offer_id]).fetchone()
        if row is None:
            raise NotFound("offer_not_found")
        network_id, person_id, entry_id, status, deadline, method = row
        registry.lock(cur, network_id)
        if response == "accept" and (status == "expired" or (status == "open" and deadline < today())):
            # also once the upkeep has marked it expired: say why, not just "no longer open"
            raise CrmError("offer_expired", deadline=deadline)
        if status != "open":
            raise CrmError("offer_not_open", status=status)
        now = utcnow()
        cur.execute("UPDATE offer SET status = ?, responded_utc = ? WHERE id = ?", [RESPONSES[response], now, offer_id])
        result = {"offer_id": offer_id, "network_id": network_id, "person_id": person_id,
                  "status": RESPONSES[response], "method": method}
        if response == "accept":
            network = registry.load(cur, network_id)
            start = today()
            result["membership_id"] = cur.execute(
                "INSERT INTO membership (network_id, person_id, offer_id, start_date, planned_end_date) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                [network_id, person_id, offer_id, start, add_months(start, network.term_months)]).fetchone()[0]
            entry_status = "placed"
        else:
            entry_status = "declined" if response == "decline" else "waiting"
        cur.execute("UPDATE waitlist_entry SET status = ?, status_reason = ?, status_utc = ? WHERE id = ?",
                    [entry_status, f"offer_{RESPONSES[response]}", now, entry_id])
        audit.record(cur, actor, f"offer.{response}", "person", person_id)
        return result

    return store.write(work)


def expire_overdue(cur, as_of: dt.date) -> list[int]:
    """Open offers past their deadline expire; their entries end as `expired`. Returns the network ids touched."""
    rows = cur.execute("SELECT id, network_id, waitlist_entry_id FROM offer WHERE status = 'open' AND deadline_date < ?",
                       [as_of]).fetchall()
    now = utcnow()
    for offer_id, network_id, entry_id in rows:
        registry.lock(cur, network_id)
        cur.execute("UPDATE offer SET status = 'expired', responded_utc = ? WHERE id = ?", [now, offer_id])
        cur.execute("UPDATE waitlist_entry SET status = 'expired', status_reason = 'offer_expired', status_utc = ? "
                    "WHERE id = ?", [now, entry_id])
    return sorted({r[1] for r in rows})


def open_offers(store, actor: Actor, network_id: int | None = None) -> list[dict]:
    permissions.require(actor.role, "places.view")
    with store.read() as cur:
        rows = cur.execute(
            "SELECT o.id, o.network_id, n.name, o.person_id, p.given_name, p.family_name, o.offered_utc, "
            "o.deadline_date, o.method, o.reason FROM offer o JOIN person p ON p.id = o.person_id "
            "JOIN network n ON n.id = o.network_id WHERE o.status = 'open' AND (? IS NULL OR o.network_id = ?) "
            "ORDER BY o.deadline_date, o.id", [network_id, network_id]).fetchall()
    keys = ("id", "network_id", "network", "person_id", "given_name", "family_name", "offered_utc",
            "deadline_date", "method", "reasons")
    result = [dict(zip(keys, row)) for row in rows]
    for item in result:
        item["reasons"] = [Reason(**r) for r in json.loads(item["reasons"] or "[]")]
    return result


def draws(store, actor: Actor, network_id: int) -> list[dict]:
    """The lottery draws of a network, newest first: seed, hash of pool and targets, the panel, who and when."""
    permissions.require(actor.role, "places.view")
    with store.read() as cur:
        rows = cur.execute("SELECT id, seed, input_hash, places, panel, drawn_by, drawn_utc FROM lottery_draw "
                           "WHERE network_id = ? ORDER BY drawn_utc DESC, id DESC", [network_id]).fetchall()
    keys = ("id", "seed", "input_hash", "places", "panel", "drawn_by", "drawn_utc")
    return [dict(zip(keys, row)) | {"panel": json.loads(row[4])} for row in rows]


def of_person(cur, person_id: int) -> list[dict]:
    rows = cur.execute(
        "SELECT o.id, n.name, o.offered_utc, o.deadline_date, o.status, o.responded_utc FROM offer o "
        "JOIN network n ON n.id = o.network_id WHERE o.person_id = ? ORDER BY o.offered_utc DESC", [person_id]).fetchall()
    keys = ("id", "network", "offered_utc", "deadline_date", "status", "responded_utc")
    return [dict(zip(keys, row)) for row in rows]
