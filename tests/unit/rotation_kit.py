"""Helpers for the rotation tests: a sounding board with an alumni network, members seated on a day."""
from __future__ import annotations

import datetime as dt

from networks_kit import insert_people, manager, seat

from crm_app.core import clock
from crm_app.networks import registry, rotation
from crm_app.networks.registry import NetworkInput

PM = manager()
T0 = dt.datetime(2026, 1, 5, 9, 30)       # naive UTC, a Monday morning


def at_day(day: dt.date) -> None:
    clock.freeze(dt.datetime.combine(day, dt.time(9, 30)))


def make_board(store, *, places=5, term_months=12, max_terms=2, rest_months=12, alumni=True,
               name="Klankbordgroep De Stem") -> tuple[int, int | None]:
    alumni_id = None
    if alumni:
        alumni_id = registry.save(store, PM, NetworkInput(f"Alumni {name}", "alumni_network", 0, 40, 36, 1, 0,
                                                          "quarterly"))
    board = registry.save(store, PM, NetworkInput(name, "sounding_board", 0, places, term_months, max_terms,
                                                  rest_months, "monthly", alumni_id))
    return board, alumni_id


def seat_people(store, network_id: int, n: int, **spec) -> tuple[list[int], list[int]]:
    """n new persons (contact consent) seated today through the services: (person ids, membership ids)."""
    people = insert_people(store, [dict(spec, given_name=None) for _ in range(n)]) if spec else \
        insert_people(store, [{} for _ in range(n)])
    return people, seat(store, PM, network_id, people)


def current(store, network_id: int) -> dict[int, tuple]:
    """person id → (membership id, term number, start, planned end) of the current members."""
    with store.read() as cur:
        rows = cur.execute("SELECT person_id, id, term_number, start_date, planned_end_date FROM membership "
                           "WHERE network_id = ? AND actual_end_date IS NULL", [network_id]).fetchall()
    return {r[0]: r[1:] for r in rows}


def process(store, day: dt.date) -> dict:
    at_day(day)
    return rotation.process(store, day)


def snapshot(store) -> dict:
    tables = ("membership", "membership_decision", "rotation_run", "alumni_period", "alumni_active", "activity",
              "audit_event", "network")
    with store.read() as cur:
        return {t: cur.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
