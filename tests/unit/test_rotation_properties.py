"""Properties of the rotation over random years of events (terms, renewals, early leaves, re-joining,
the alumni rotation):

- processing a day twice is processing it once: the second run changes nothing at all;
- nobody is a member of a network during their rest period after leaving it (renewals continue a
  membership; only a fresh join after the rest starts a new one);
- the number of active alumni never exceeds the setting, and no proposal names more;
- members plus open offers never exceed a network's places.
"""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from networks_kit import insert_people, manager
from rotation_kit import snapshot

from crm_app.core import clock
from crm_app.core.errors import CrmError, ValidationError
from crm_app.core.store import Store
from crm_app.networks import alumni, memberships, offers, registry, rotation, waitlists
from crm_app.networks.registry import NetworkInput

PM = manager()
START = dt.datetime(2026, 1, 5, 9, 30)
N = settings.default.max_examples   # the Hypothesis profile's count (tests/conftest.py): 200 in ci, 30 in dev
EVENTS = settings(max_examples=N // 10, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.function_scoped_fixture])

event = st.one_of(
    st.tuples(st.just("advance"), st.integers(1, 120)),
    st.tuples(st.just("decide"), st.integers(0, 20), st.booleans()),
    st.tuples(st.just("exit"), st.integers(0, 20), st.sampled_from(["yes", "no"])),
    st.tuples(st.just("leave"), st.integers(0, 20)),
    st.tuples(st.just("join"), st.integers(0, 20)),
    st.tuples(st.just("confirm_alumni"), st.integers(0, 3)),
)
scenario = st.fixed_dictionaries({
    "places": st.integers(1, 4), "term_months": st.sampled_from([3, 6, 12]), "max_terms": st.integers(1, 3),
    "rest_months": st.integers(0, 12), "active": st.integers(1, 3), "period": st.sampled_from([3, 6]),
    "active_periods": st.integers(1, 2), "events": st.lists(event, min_size=5, max_size=30),
})


class World:
    def __init__(self, store: Store, spec: dict):
        clock.freeze(START)
        self.store, self.spec = store, spec
        self.alumni = registry.save(store, PM, NetworkInput("Alumni", "alumni_network", 0, 40, 36, 1, 0, "quarterly"))
        self.board = registry.save(store, PM, NetworkInput(
            "Klankbord", "sounding_board", 0, spec["places"], spec["term_months"], spec["max_terms"],
            spec["rest_months"], "monthly", self.alumni))
        alumni.save_setting(store, PM, self.alumni, spec["active"], spec["period"], spec["active_periods"])
        self.people = insert_people(store, [{} for _ in range(8)])
        # two alumni from before, so the alumni rotation has someone to rotate from the start
        for pid in self.people[:2]:
            store.write(lambda cur, pid=pid: cur.execute(
                "INSERT INTO membership (network_id, person_id, start_date, planned_end_date) VALUES (?, ?, ?, ?)",
                [self.alumni, pid, START.date() - dt.timedelta(days=30), START.date() + dt.timedelta(days=1000)]))

    def current(self) -> list[int]:
        with self.store.read() as cur:
            return [r[0] for r in cur.execute("SELECT id FROM membership WHERE network_id = ? AND actual_end_date "
                                              "IS NULL ORDER BY id", [self.board]).fetchall()]

    # -- events --------------------------------------------------------------------------------------
    def advance(self, days: int) -> None:
        day = clock.today() + dt.timedelta(days=days)
        clock.freeze(dt.datetime.combine(day, START.time()))
        rotation.process(self.store, day)
        before = snapshot(self.store)
        assert rotation.process(self.store, day)["changes"] == 0
        assert snapshot(self.store) == before, "processing the same day again changed something"

    def decide(self, index: int, confirm: bool) -> None:
        current = self.current()
        if current:
            try:
                rotation.decide_renewal(self.store, PM, current[index % len(current)], confirm)
            except CrmError as exc:
                assert exc.code == "no_terms_left"

    def exit(self, index: int, choice: str) -> None:
        current = self.current()
        if current:
            rotation.record_exit(self.store, PM, current[index % len(current)], choice)

    def leave(self, index: int) -> None:
        current = self.current()
        if current:
            memberships.end_early(self.store, PM, current[index % len(current)], "left")

    def join(self, index: int) -> None:
        person = self.people[index % len(self.people)]
        try:
            entry = waitlists.add(self.store, PM, self.board, person)
        except ValidationError as exc:
            assert exc.errors[0].code in ("already_on_list", "already_member", "resting")
            return
        try:
            (offer,) = offers.make(self.store, PM, self.board, [entry], "waitlist")
        except CrmError as exc:
            assert exc.code == "not_enough_places"
            return
        offers.respond(self.store, PM, offer, "accept")

    def confirm_alumni(self, index: int) -> None:
        view = alumni.overview(self.store, PM, self.alumni)
        if view.proposals:
            alumni.confirm(self.store, PM, view.proposals[index % len(view.proposals)]["id"])

    # -- invariants ----------------------------------------------------------------------------------
    def check(self) -> None:
        with self.store.read() as cur:
            rejoined_resting = cur.execute(
                """SELECT count(*) FROM membership m JOIN network n ON n.id = m.network_id
                   JOIN membership e ON e.person_id = m.person_id AND e.network_id = m.network_id AND e.id <> m.id
                   WHERE m.actual_end_date IS NULL AND m.term_number = 1 AND e.actual_end_date IS NOT NULL
                     AND e.actual_end_date <= m.start_date
                     AND m.start_date < e.actual_end_date + to_months(n.rest_months)""").fetchone()[0]
            assert rejoined_resting == 0, "a member during their rest period"
            twice = cur.execute("SELECT count(*) FROM (SELECT person_id FROM membership WHERE network_id = ? "
                                "AND actual_end_date IS NULL GROUP BY person_id HAVING count(*) > 1)",
                                [self.board]).fetchone()[0]
            assert twice == 0
            active = alumni.active_ids(cur, self.alumni, clock.today())
            assert len(active) <= self.spec["active"], "more active alumni than the setting"
            oversized = cur.execute("SELECT count(*) FROM alumni_period p WHERE (SELECT count(*) FROM alumni_active a "
                                    "WHERE a.period_id = p.id) > p.active_places").fetchone()[0]
            assert oversized == 0
            for status in rotation.status_of_person(cur, self.people[0]):
                assert not (status["member"] and status["resting"])
        taken = registry.places_taken
        with self.store.read() as cur:
            assert taken(cur, self.board) <= self.spec["places"]


@pytest.mark.slow
@EVENTS
@given(spec=scenario)
def test_random_years_keep_the_rotation_rules(_store_template, tmp_path_factory, spec):
    path = tmp_path_factory.mktemp("rotation-prop") / "crm.duckdb"
    shutil.copyfile(_store_template[0], path)
    store = Store(path)
    try:
        world = World(store, spec)
        world.advance(1)
        for name, *args in spec["events"]:
            getattr(world, name)(*args)
            world.check()
        world.advance(400)          # a long gap caught up in one run
        world.check()
    finally:
        clock.freeze(None)
        store.close()
