"""The dashboards stay warm: after a change only the changed persons are read again, and the next view
shows exactly what a view computed from scratch shows (suppression included)."""
from __future__ import annotations

import datetime as dt

import pytest
from networks_kit import insert_people, manager, network, register, seat

from crm_app.access.audit import Actor
from crm_app.core import clock
from crm_app.insight import counted
from crm_app.insight.composition import composition_screen
from crm_app.insight.counted import Filters
from crm_app.insight.funnel import funnel_screen
from crm_app.insight.population import municipalities
from crm_app.people import activities, consents, persons
from crm_app.privacy import erasure

COORDINATOR = Actor(user_id=None, role="coordinator", origin="web")
OUTREACH = Actor(user_id=None, role="outreach", origin="web")
ADMIN = Actor(user_id=None, role="admin", origin="cli")
NOW = dt.datetime(2026, 11, 29, 9, 0)


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def views(store) -> tuple:
    """Everything a coordinator sees that the counted persons feed: every population, the funnel, the
    municipality filter."""
    return (composition_screen(store, COORDINATOR, Filters()), funnel_screen(store, COORDINATOR, Filters()),
            municipalities(store, COORDINATOR))


def from_scratch(store) -> tuple:
    counted.clear_cache()
    return views(store)


def pool_total(screen) -> int | None:
    return screen[0].populations["pool"].total


@pytest.fixture
def counted_store(store):
    pm = manager()
    nid = network(store, pm, max_places=15)
    seat(store, pm, nid, insert_people(store, [{"gender": "woman", "municipality": "Utrecht"}] * 6
                                       + [{"gender": "man", "municipality": "Zeist"}] * 6))
    insert_people(store, [{"gender": "woman", "municipality": "Utrecht"}] * 10)
    return store


def test_a_change_shows_in_the_next_view_as_a_view_from_scratch_would(counted_store):
    store = counted_store
    before = views(store)
    assert before == from_scratch(store)
    assert pool_total(before) == 10

    reads = []
    original = counted.read_arrow
    counted.read_arrow = lambda cur, sql, params=None: reads.append(params) or original(cur, sql, params)
    try:
        newcomer = register(store, OUTREACH, "Noor", family="Saleh", diversity=True, gender="woman",
                            municipality="Zeist")
        after_registration = views(store)
        # only the new person was read again, for the counted persons and for the funnel
        assert reads == [{"ids": [newcomer]}, {"ids": [newcomer]}]
    finally:
        counted.read_arrow = original
    assert pool_total(after_registration) == 11
    assert after_registration == from_scratch(store)

    views(store)
    activities.log(store, OUTREACH, newcomer, "call")
    after_call = views(store)
    assert after_call == from_scratch(store)
    contacted = after_call[1].by_kind.counts[after_call[1].by_kind.rows.index("market")][1]
    assert contacted is None or contacted >= 1           # shown only when at least k were contacted

    views(store)
    consents.set_consent(store, manager(), newcomer, "diversity_statistics", False, "verbal")
    after_withdrawal = views(store)
    assert pool_total(after_withdrawal) == 10
    assert after_withdrawal == from_scratch(store)

    views(store)
    erasure.erase(store, ADMIN, newcomer, compact=False)
    after_erasure = views(store)
    assert after_erasure == from_scratch(store)


def test_an_erasure_of_a_counted_person_leaves_the_counts_at_once(counted_store):
    store = counted_store
    assert pool_total(views(store)) == 10
    with store.read() as cur:
        someone = cur.execute("SELECT max(id) FROM person").fetchone()[0]
    erasure.erase(store, ADMIN, someone, compact=False)
    assert pool_total(views(store)) == 9
    assert views(store) == from_scratch(store)


def test_an_edit_shows_in_the_next_view(counted_store):
    store = counted_store
    people = [register(store, OUTREACH, "Sami", family="Haddad", diversity=True, gender="man", municipality="Houten")
              for _ in range(5)]
    assert "Houten" in views(store)[2]
    clock.freeze(NOW + dt.timedelta(minutes=5))
    data = persons.to_input(persons.get(store, manager(), people[0], record_view=False))
    data.municipality = "Zeist"
    persons.update(store, manager(), people[0], data)
    after = views(store)
    assert "Houten" not in after[2]                      # four left: fewer than k, no longer a filter
    assert after == from_scratch(store)
