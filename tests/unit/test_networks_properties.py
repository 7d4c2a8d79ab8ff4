"""Properties of filling places, over random pools, targets and orders of events.

- Members plus open offers never exceed max places, whatever happens in whatever order.
- `quota` never proposes a candidate who breaks a maximum target while another candidate would not;
  its proposal is exactly the plain greedy rule evaluated person by person (a brute force over every
  candidate with a fresh crm_app.networks.composition.Tally), so grouping candidates by signature changes nothing.
- The waitlist method's order is the joined order: positions 1..n, ties broken by entry id.
"""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from networks_kit import insert_people, letters, manager, network, taken

from crm_app import maintenance
from crm_app.core import clock
from crm_app.core.errors import CrmError, ValidationError
from crm_app.core.store import Store
from crm_app.networks import composition, memberships, offers, registry, selection, waitlists
from crm_app.networks.composition import Tally, Target
from crm_app.networks.registry import TargetInput, validate_targets

PM = manager()
START = dt.datetime(2026, 11, 29, 9, 30)
N = settings.default.max_examples   # the Hypothesis profile's count (tests/conftest.py): 200 in ci, 30 in dev
EVENTS = settings(max_examples=N * 3 // 20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PURE = settings(max_examples=N * 3 // 10, deadline=None)

GENDERS = ("woman", "man", "other")
COUNTRIES = ("SY", "ER", "UA", "TR", "AF")
MUNICIPALITIES = ("Utrecht", "Zeist", "Nieuwegein")
LANGUAGES = ("ara", "tir", "ukr", "nld", "eng")
EDUCATION = ("primary", "secondary", "vocational", "university")
ROUTES = ("b1", "z_route", "education")


# -- strategies -------------------------------------------------------------------------------------
def maybe(values):
    return st.one_of(st.none(), st.sampled_from(values))


person_spec = st.fixed_dictionaries({
    "gender": maybe(GENDERS), "country_of_origin": maybe(COUNTRIES), "municipality": maybe(MUNICIPALITIES),
    "education_level": maybe(EDUCATION), "integration_route": maybe(ROUTES),
    "birth_year": st.one_of(st.none(), st.integers(1950, 2005)),
    "arrival_year": st.one_of(st.none(), st.integers(2000, 2026)),
    "other_languages": st.one_of(st.none(), st.lists(st.sampled_from(LANGUAGES + ("",)), max_size=3)),
    "preferred_language": st.one_of(st.none(), st.just(""), st.sampled_from(LANGUAGES)),
    "diversity": st.sampled_from([True, True, True, False, "withdrawn"]),   # mostly with consent
})


@st.composite
def target_inputs(draw, places: int) -> TargetInput:
    """A valid target for a network of `places` (every minimum reachable)."""
    kind = draw(st.sampled_from(["value_min", "value_max", "value_range", "share", "distinct", "each"]))
    dimension, values = draw(st.sampled_from([
        ("gender", GENDERS), ("country_of_origin", COUNTRIES), ("municipality", MUNICIPALITIES),
        ("language", LANGUAGES), ("education_band", ("low", "middle", "high")), ("integration_route", ROUTES),
        ("age_band", ("20-29", "30-39", "40-49")), ("years_in_nl", ("0-2", "3-5", "6-10", "10+"))]))
    if kind == "distinct":
        low = draw(st.integers(1, min(places, 3)))
        return TargetInput(dimension, None, "distinct", str(low), draw(st.sampled_from([None, str(low + 1)])))
    if kind == "each":
        return TargetInput(dimension, None, "count", None, str(draw(st.integers(1, places))))
    value = draw(st.sampled_from(values))
    if kind == "share":
        low = draw(st.sampled_from([None, 20, 40, 50]))
        high = draw(st.sampled_from([None, 50, 60]) if low is not None else st.sampled_from([30, 50]))
        if low is not None and high is not None and low > high:
            low, high = high, low
        return TargetInput(dimension, value, "share", None if low is None else f"{low}%",
                           None if high is None else f"{high}%")
    low = draw(st.integers(1, places)) if kind in ("value_min", "value_range") else None
    high = draw(st.integers(low or 0, places)) if kind in ("value_max", "value_range") else None
    return TargetInput(dimension, value, "count", None if low is None else str(low),
                       None if high is None else str(high))


@st.composite
def scenarios(draw):
    places = draw(st.integers(1, 7))
    return {
        "places": places,
        "rest_months": draw(st.integers(0, 2)),
        "targets": draw(st.lists(target_inputs(places), max_size=4)),
        "pool": draw(st.lists(person_spec, min_size=2, max_size=12)),
        "events": draw(st.lists(st.one_of(
            st.tuples(st.just("add"), st.integers(0, 99)),
            # the lottery solves LPs per fill: its draws have their own properties (test_lottery_properties.py)
            st.tuples(st.just("fill"), st.sampled_from([m for m in selection.METHODS if m != "lottery"]),
                      st.one_of(st.none(), st.integers(1, 4))),
            st.tuples(st.just("accept"), st.integers(0, 99)),
            st.tuples(st.just("decline"), st.integers(0, 99)),
            st.tuples(st.just("withdraw"), st.integers(0, 99)),
            st.tuples(st.just("end"), st.integers(0, 99)),
            st.tuples(st.just("advance"), st.integers(1, 40)),
            st.tuples(st.just("overfill"),),
        ), min_size=4, max_size=22)),
    }


# -- the rule, person by person -----------------------------------------------------------------------
def breaks(group: list[dict], values: dict, targets: list[Target], places: int) -> bool:
    """Adding this person raises some target's level above its maximum."""
    before, after = Tally(group), Tally(group + [values])
    for target in targets:
        high = target.bounds(places)[1]
        if high is not None and after.level(target) > high and after.level(target) > before.level(target):
            return True
    return False


def brute_quota(group: list[dict], candidates: list, targets: list[Target], places: int, wanted: int) -> list:
    """Greedy by the stated rule, weighing every candidate anew at every place (no grouping, no shortcuts)."""
    group, remaining, chosen = list(group), list(candidates), []
    while len(chosen) < wanted:
        now = Tally(group)
        short = [t for t in targets if t.bounds(places)[0] is not None and now.level(t) < t.bounds(places)[0]]
        best, best_gain = None, -1
        for candidate in remaining:                      # in waiting order: the first of equals wins
            if breaks(group, candidate.values, targets, places):
                continue
            after = Tally(group + [candidate.values])
            gain = sum(1 for t in short if after.level(t) > now.level(t))
            if gain > best_gain:
                best, best_gain = candidate, gain
        if best is None:
            break
        chosen.append(best)
        group.append(best.values)
        remaining.remove(best)
    return chosen


def check_quota(proposals, group, candidates, targets, places, wanted) -> None:
    group, remaining = list(group), list(candidates)
    for proposal in proposals:
        chosen = next(c for c in remaining if c.entry_id == proposal.candidate.entry_id)
        others = [c for c in remaining if c is not chosen]
        if breaks(group, chosen.values, targets, places):
            assert all(breaks(group, c.values, targets, places) for c in others), \
                "quota broke a maximum while another candidate would not have"
        group.append(chosen.values)
        remaining = others
    if len(proposals) < wanted:   # it stopped early: everyone left would break a maximum
        assert all(breaks(group, c.values, targets, places) for c in remaining)
    expected = brute_quota(group[:len(group) - len(proposals)], candidates, targets, places, wanted)
    assert [p.candidate.entry_id for p in proposals] == [c.entry_id for c in expected]


# -- pure: by_quota against the brute force -------------------------------------------------------
def values_of(spec: dict) -> dict:
    out = {}
    for dim, value in (("gender", spec["gender"]), ("country_of_origin", spec["country_of_origin"]),
                       ("municipality", spec["municipality"]), ("integration_route", spec["integration_route"]),
                       ("education_band", composition.EDUCATION_BANDS.get(spec["education_level"]))):
        if value is not None:
            out[dim] = frozenset([value])
    languages = {spec["preferred_language"], *(spec["other_languages"] or [])} - {None, ""}
    if languages:
        out["language"] = frozenset(languages)
    return out


@st.composite
def quota_cases(draw):
    places = draw(st.integers(1, 12))
    raw_targets = draw(st.lists(target_inputs(places), max_size=5))
    errors = []
    targets = validate_targets(raw_targets, places, errors)
    assert not errors, errors
    members = draw(st.lists(person_spec, max_size=places))
    pool = draw(st.lists(person_spec, max_size=25))
    wanted = draw(st.integers(0, places - len(members))) if len(members) < places else 0
    return places, targets, [values_of(m) for m in members], [values_of(p) for p in pool], wanted


@PURE
@given(quota_cases())
def test_quota_is_the_person_by_person_greedy_rule(case):
    places, targets, members, pool, wanted = case
    candidates = [selection.Candidate(i + 1, 1000 + i, "X", None, i + 1, 0, values) for i, values in enumerate(pool)]
    proposals, unmet = selection.by_quota(candidates, wanted, targets, places, Tally(members))
    check_quota(proposals, members, candidates, targets, places, wanted)
    assert len({p.candidate.entry_id for p in proposals}) == len(proposals)
    if len(proposals) < wanted:
        assert unmet and unmet[0].code in ("max_blocks", "too_few_candidates")


# -- events against a real store --------------------------------------------------------------------
@pytest.fixture(scope="module")
def shared_store(_store_template, tmp_path_factory):
    """One store file for the module: every example gets its own network and persons in it (opening
    a store per example would cost more than the example)."""
    path = tmp_path_factory.mktemp("properties") / "crm.duckdb"
    shutil.copyfile(_store_template[0], path)
    store = Store(path)
    yield store
    store.close()


class World:
    """One scenario: a network of its own, a pool of persons, and the events applied in turn."""
    count = 0

    def __init__(self, store: Store, scenario: dict):
        World.count += 1
        clock.freeze(START)
        self.store = store
        self.places = scenario["places"]
        self.network = network(self.store, PM, f"Netwerk {letters(World.count)}", max_places=self.places,
                                rest_months=scenario["rest_months"], targets=scenario["targets"])
        self.people = insert_people(self.store, scenario["pool"])

    def close(self) -> None:
        clock.freeze(None)

    # -- looking -------------------------------------------------------------------------------------
    def ids(self, sql: str) -> list[int]:
        with self.store.read() as cur:
            return [r[0] for r in cur.execute(sql, [self.network]).fetchall()]

    def open_offers(self) -> list[int]:
        return self.ids("SELECT id FROM offer WHERE network_id = ? AND status = 'open' ORDER BY id")

    def check_invariants(self) -> None:
        members, on_offer = taken(self.store, self.network)
        assert members + on_offer <= self.places, "more members plus open offers than places"
        entries = waitlists.entries(self.store, PM, self.network)
        waiting = [e for e in entries if e.status == "waiting"]
        assert [e.position for e in waiting] == list(range(1, len(waiting) + 1))
        assert [(e.joined_utc, e.id) for e in entries] == sorted((e.joined_utc, e.id) for e in entries)
        with self.store.read() as cur:
            twice, mismatched, member_waiting = cur.execute("""
                SELECT (SELECT count(*) FROM (SELECT person_id FROM waitlist_entry WHERE network_id = $n
                                              AND status IN ('waiting', 'offered') GROUP BY person_id
                                              HAVING count(*) > 1)),
                       -- an entry is 'offered' exactly while its offer is open
                       (SELECT count(*) FROM (SELECT * FROM waitlist_entry WHERE network_id = $n) w
                        FULL JOIN (SELECT * FROM offer WHERE network_id = $n AND status = 'open') o
                        ON o.waitlist_entry_id = w.id WHERE (w.status = 'offered') IS DISTINCT FROM (o.id IS NOT NULL)),
                       (SELECT count(*) FROM membership m JOIN waitlist_entry w ON w.person_id = m.person_id
                        AND w.network_id = m.network_id WHERE m.network_id = $n AND m.actual_end_date IS NULL
                        AND w.status IN ('waiting', 'offered'))""", {"n": self.network}).fetchone()
        assert (twice, mismatched, member_waiting) == (0, 0, 0)

    # -- events --------------------------------------------------------------------------------------
    def add(self, index: int) -> None:
        try:
            waitlists.add(self.store, PM, self.network, self.people[index % len(self.people)])
        except ValidationError as exc:
            assert exc.errors[0].code in ("already_on_list", "already_member", "resting")

    def fill(self, method: str, places: int | None) -> None:
        today = clock.today()
        plan = selection.propose(self.store, PM, self.network, places, method)
        members, on_offer = taken(self.store, self.network)
        open_places = self.places - members - on_offer
        assert plan.open_places == open_places
        wanted = open_places if places is None else min(places, open_places)
        waiting = [e for e in waitlists.entries(self.store, PM, self.network) if e.status == "waiting"]
        proposed = [p.candidate for p in plan.proposals]
        if method == "waitlist":
            assert [c.entry_id for c in proposed] == [e.id for e in waiting][:wanted]
            assert [c.position for c in proposed] == list(range(1, len(proposed) + 1))
        else:
            with self.store.read() as cur:
                group_ids = [r[0] for r in cur.execute(
                    "SELECT person_id FROM membership WHERE network_id = $n AND actual_end_date IS NULL UNION ALL "
                    "SELECT person_id FROM offer WHERE network_id = $n AND status = 'open'",
                    {"n": self.network}).fetchall()]
                values = composition.person_values(cur, group_ids + [e.person_id for e in waiting], today.year)
            candidates = [selection.Candidate(e.id, e.person_id, e.given_name, e.family_name, e.position,
                                              e.waited_days, values[e.person_id]) for e in waiting]
            with self.store.read() as cur:    # read column-wise for the fill: the same values, person by person
                loaded = selection.load_candidates(cur, self.network, today)
            assert [(c.entry_id, c.position, c.values) for c in loaded] == [
                (c.entry_id, c.position, c.values) for c in candidates]
            with self.store.read() as cur:
                targets = registry.load(cur, self.network).targets
            check_quota(plan.proposals, [values[p] for p in group_ids], candidates, targets, self.places,
                        max(wanted, 0))
        if proposed:
            offers.make(self.store, PM, self.network, [c.entry_id for c in proposed], method,
                        {p.candidate.entry_id: p.reasons for p in plan.proposals})

    def respond(self, index: int, response: str) -> None:
        open_ids = self.open_offers()
        if not open_ids:
            return
        offers.respond(self.store, PM, open_ids[index % len(open_ids)], response)

    def end(self, index: int) -> None:
        current = self.ids("SELECT id FROM membership WHERE network_id = ? AND actual_end_date IS NULL ORDER BY id")
        if current:
            memberships.end_early(self.store, PM, current[index % len(current)], "left")

    def advance(self, days: int) -> None:
        clock.freeze(clock.utcnow() + dt.timedelta(days=days))
        maintenance.run_due(self.store)
        assert not self.ids("SELECT id FROM offer WHERE network_id = ? AND status = 'open' "
                            f"AND deadline_date < DATE '{clock.today().isoformat()}'")

    def overfill(self) -> None:
        """One offer more than there are open places: refused, nothing changed."""
        members, on_offer = taken(self.store, self.network)
        waiting = [e.id for e in waitlists.entries(self.store, PM, self.network) if e.status == "waiting"]
        wanted = self.places - members - on_offer + 1
        if len(waiting) < wanted:
            return
        with pytest.raises(CrmError) as caught:
            offers.make(self.store, PM, self.network, waiting[:wanted], "waitlist")
        assert caught.value.code == "not_enough_places"
        assert taken(self.store, self.network) == (members, on_offer)

    def run(self, event: tuple) -> None:
        name, *args = event
        if name in ("accept", "decline", "withdraw"):
            self.respond(args[0], name)
        else:
            getattr(self, name)(*args)
        self.check_invariants()


@pytest.mark.slow
@EVENTS
@given(scenario=scenarios())
def test_random_events_never_overfill_and_proposals_follow_the_rules(shared_store, scenario):
    world = World(shared_store, scenario)
    try:
        for person_index in range(len(world.people)):       # start with everyone on the list
            world.add(person_index)
        for event in scenario["events"]:
            world.run(event)
    finally:
        world.close()
