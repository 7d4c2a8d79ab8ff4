"""Helpers for the networks / waiting lists / offers tests (tests/unit/test_networks_*.py).

Persons are added either through crm_app.people.persons.register (the real path) or, where a test needs
many of them, straight into the tables in one transaction (`insert_people`): the same columns and
keys register writes, without the duplicate check and the per-person transaction.
"""
from __future__ import annotations

import datetime as dt
import string

from crm_app.access.audit import Actor
from crm_app.core import reference
from crm_app.core.clock import add_months, utcnow
from crm_app.networks import offers, registry, waitlists
from crm_app.people import dedupe, persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput

DIMENSION_COLUMNS = ("gender", "birth_year", "country_of_origin", "education_level", "municipality", "district",
                     "arrival_year", "integration_route")


def manager(user_id: int | None = None) -> Actor:
    return Actor(user_id=user_id, role="program_manager", origin="web")


def letters(index: int) -> str:
    """A name made of letters only (names may not hold digits): 0 → 'Aaa', 1 → 'Aab', …"""
    out = ""
    for _ in range(3):
        index, rest = divmod(index, 26)
        out = string.ascii_lowercase[rest] + out
    return out.capitalize()


def register(store, who: Actor, given: str = "Amal", *, family: str | None = "Haddad", contact: bool = True,
             diversity: bool = False, **dimensions) -> int:
    """A person through the real registration service."""
    data = PersonInput(given_name=given, family_name=family, consent_contact=contact,
                       consent_diversity_statistics=diversity, **dimensions)
    return persons.register(store, who, data, SourceInput(kind="market", source_name="Markt Oost"),
                            confirmed_new=True).person_id


def insert_people(store, specs: list[dict], *, contact: bool = True) -> list[int]:
    """Many persons in one transaction. A spec holds dimension columns (gender, country_of_origin, …),
    `preferred_language`, `other_languages` and `diversity`: consent to diversity statistics (default
    True when any dimension is given), or "withdrawn" (given, then withdrawn; the values stay in the
    row, as old data might have them, and must count for nothing)."""

    def work(cur):
        ids = []
        now = utcnow()
        for index, spec in enumerate(specs):
            given = spec.get("given_name") or letters(index)
            family = spec.get("family_name", "Test")
            keys = dedupe.Keys.of(given, family, None, None, spec.get("birth_year"))
            dims = {c: spec.get(c) for c in DIMENSION_COLUMNS}
            diversity = spec.get("diversity")
            if diversity is None:
                diversity = any(v is not None for v in dims.values())
            if not diversity:
                dims = dict.fromkeys(DIMENSION_COLUMNS)
            # "withdrawn": given, then withdrawn, with the values still in the row (they must not count)
            person_id = cur.execute(
                f"INSERT INTO person (given_name, family_name, preferred_language, other_languages, "
                f"{', '.join(DIMENSION_COLUMNS)}, given_key, family_key, name_block, created_utc, updated_utc) "
                f"VALUES (?, ?, ?, ?, {', '.join('?' * len(DIMENSION_COLUMNS))}, ?, ?, ?, ?, ?) RETURNING id",
                [given, family, spec.get("preferred_language"), spec.get("other_languages"),
                 *dims.values(), keys.given_key, keys.family_key, keys.name_block, now, now]).fetchone()[0]
            answers = [("contact", True)] if spec.get("contact", contact) else []
            if diversity:
                answers.append(("diversity_statistics", True))
            if diversity == "withdrawn":
                answers.append(("diversity_statistics", False))
            for purpose, granted in answers:
                cur.execute("INSERT INTO consent (person_id, purpose, granted, method, text_version, "
                            "recorded_utc) VALUES (?, ?, ?, 'verbal', ?, ?)",
                            [person_id, purpose, granted, reference.CONSENT_TEXT_VERSION, now])
            ids.append(person_id)
        return ids

    return store.write(work)


def network(store, who: Actor, name: str = "Klankbordgroep De Stem", *, min_places=0, max_places=15,
            term_months=12, rest_months=12, targets: list[registry.TargetInput] | None = None) -> int:
    return registry.save(store, who, registry.NetworkInput(
        name=name, kind="sounding_board", min_places=min_places, max_places=max_places, term_months=term_months,
        rest_months=rest_months), targets)


def seat(store, who: Actor, network_id: int, person_ids: list[int]) -> list[int]:
    """Make these persons members through the services: waiting list, one offer each, accepted."""
    entries = [waitlists.add(store, who, network_id, pid) for pid in person_ids]
    made = offers.make(store, who, network_id, entries, "waitlist")
    return [offers.respond(store, who, offer_id, "accept")["membership_id"] for offer_id in made]


def snapshot(store) -> dict[str, list]:
    """Everything the networks part writes (plus audit), to prove a refusal changed nothing."""
    tables = ("network", "network_target", "waitlist_entry", "offer", "membership", "audit_event")
    with store.read() as cur:
        return {t: cur.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}


def taken(store, network_id: int) -> tuple[int, int]:
    """(current members, open offers) of a network, counted straight from the tables."""
    with store.read() as cur:
        return cur.execute(
            "SELECT (SELECT count(*) FROM membership WHERE network_id = $n AND actual_end_date IS NULL), "
            "(SELECT count(*) FROM offer WHERE network_id = $n AND status = 'open')", {"n": network_id}).fetchone()


def entry_of(store, network_id: int, person_id: int) -> tuple[int, str]:
    """(id, status) of the person's latest entry on the network's list."""
    with store.read() as cur:
        return cur.execute("SELECT id, status FROM waitlist_entry WHERE network_id = ? AND person_id = ? "
                           "ORDER BY id DESC LIMIT 1", [network_id, person_id]).fetchone()


def at(moment: dt.datetime, days: int = 0) -> dt.datetime:
    return moment + dt.timedelta(days=days)


def seat_directly(store, network_id: int, person_ids: list[int], *, term_months: int = 12) -> list[int]:
    """Members in one transaction, the rows exactly as entry → offer → accept leave them (placed entry,
    accepted offer, membership for one term). For arranging many members fast; `seat` is the real path."""
    from crm_app.core.clock import add_months, today

    def work(cur):
        now, start = utcnow(), today()
        ids = []
        for person_id in person_ids:
            entry = cur.execute(
                "INSERT INTO waitlist_entry (network_id, person_id, joined_utc, status, status_reason, status_utc) "
                "VALUES (?, ?, ?, 'placed', 'offer_accepted', ?) RETURNING id",
                [network_id, person_id, now, now]).fetchone()[0]
            offer = cur.execute(
                "INSERT INTO offer (network_id, person_id, waitlist_entry_id, method, offered_utc, deadline_date, "
                "status, responded_utc) VALUES (?, ?, ?, 'waitlist', ?, ?, 'accepted', ?) RETURNING id",
                [network_id, person_id, entry, now, start, now]).fetchone()[0]
            ids.append(cur.execute(
                "INSERT INTO membership (network_id, person_id, offer_id, start_date, planned_end_date) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                [network_id, person_id, offer, start, add_months(start, term_months)]).fetchone()[0])
        return ids

    return store.write(work)


def alumni_network(store, who: Actor, specs: list[dict], today: dt.date, *, targets=None,
                   contact: bool = True) -> tuple[int, list[int]]:
    """An alumni network whose members became alumni one month apart from two years before `today`, in the
    order of `specs`."""
    network_id = registry.save(store, who, registry.NetworkInput("Alumni Netwerk", "alumni_network", 0, 40, 36, 1, 0,
                                                                 "quarterly"), targets)
    people = insert_people(store, specs, contact=contact)

    def seat(cur):
        for index, pid in enumerate(people):
            start = add_months(today, -24 + index)
            cur.execute("INSERT INTO membership (network_id, person_id, start_date, planned_end_date) "
                        "VALUES (?, ?, ?, ?)", [network_id, pid, start, add_months(start, 36)])

    store.write(seat)
    return network_id, people
