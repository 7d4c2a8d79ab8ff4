"""The alumni network's rotation: longest not active first, within its targets, confirmed per period;
settings refused when they cannot work; referrals counted per alumnus."""
from __future__ import annotations

import datetime as dt

import pytest
from networks_kit import alumni_network, insert_people, manager

from crm_app.core import clock
from crm_app.core.errors import CrmError, PermissionDenied, ValidationError
from crm_app.networks import alumni, registry, rotation
from crm_app.networks.registry import NetworkInput, TargetInput
from crm_app.people.sources import SourceInput

PM = manager()
T0 = dt.datetime(2026, 5, 10, 9, 30)     # the half year July–December is proposed from 17-05 on (45 days ahead)


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(T0)
    yield
    clock.freeze(None)


def make_alumni(store, specs: list[dict], **options) -> tuple[int, list[int]]:
    return alumni_network(store, PM, specs, T0.date(), **options)


def proposal(store, network_id: int) -> list[dict]:
    return alumni.overview(store, PM, network_id).proposals


def names(rows) -> list[int]:
    return [a.person_id for a, _ in rows]


def test_the_longest_not_active_become_active_and_the_coordinator_confirms(store):
    network_id, people = make_alumni(store, [{} for _ in range(5)])
    alumni.save_setting(store, PM, network_id, 2, 6, 1)
    (current,) = proposal(store, network_id)                 # the current half year: none yet, proposed at once
    assert current["start"] == dt.date(2026, 1, 1)
    assert names(current["rows"]) == people[:2]              # alumni longest: nobody was ever active
    alumni.confirm(store, PM, current["id"])
    with store.read() as cur:
        assert alumni.active_ids(cur, network_id, T0.date()) == set(people[:2])
    # 45 days before July the next half year is proposed: the two rest, the next two in line come in
    clock.freeze(dt.datetime(2026, 5, 17, 9, 30))
    rotation.process(store, clock.today())
    (following,) = proposal(store, network_id)
    assert following["start"] == dt.date(2026, 7, 1)
    assert names(following["rows"]) == people[2:4]
    reason = following["rows"][0][1][0]
    assert reason.code == "alumni_rested"
    with pytest.raises(CrmError) as caught:
        alumni.confirm(store, PM, current["id"])
    assert caught.value.code == "alumni_period_confirmed"


def test_active_for_two_periods_in_a_row_then_rest(store):
    network_id, people = make_alumni(store, [{} for _ in range(4)])
    alumni.save_setting(store, PM, network_id, 2, 6, 2)
    alumni.confirm(store, PM, proposal(store, network_id)[0]["id"])
    clock.freeze(dt.datetime(2026, 6, 1, 9, 30))
    rotation.process(store, clock.today())
    second = proposal(store, network_id)[0]
    assert names(second["rows"]) == people[:2]                 # they stay: period 2 of 2
    assert second["rows"][0][1][0].code == "alumni_continues"
    alumni.confirm(store, PM, second["id"])
    clock.freeze(dt.datetime(2026, 12, 1, 9, 30))
    rotation.process(store, clock.today())
    third = proposal(store, network_id)[0]
    assert names(third["rows"]) == people[2:4]                 # then they rest


def test_the_proposal_keeps_the_alumni_networks_targets(store):
    specs = [{"gender": "man"}, {"gender": "man"}, {"gender": "man"}, {"gender": "woman"}, {"gender": "woman"}]
    network_id, people = make_alumni(store, specs, targets=[TargetInput("gender", "woman", "count", "2", None)])
    alumni.save_setting(store, PM, network_id, 3, 6, 1)
    rows = proposal(store, network_id)[0]["rows"]
    chosen = names(rows)
    assert set(people[3:5]) <= set(chosen)                     # both women, though they waited less
    assert people[0] in chosen                                  # the third place: the longest not active
    assert any(r.code == "adds_value" for _, reasons in rows for r in reasons)


def test_a_changed_setting_makes_the_proposal_again_and_never_more_than_it_allows(store):
    network_id, people = make_alumni(store, [{} for _ in range(6)])
    alumni.save_setting(store, PM, network_id, 4, 6, 1)
    old = proposal(store, network_id)[0]
    assert len(old["rows"]) == 4
    alumni.save_setting(store, PM, network_id, 2, 6, 1)
    new = proposal(store, network_id)[0]
    assert new["id"] != old["id"] and len(new["rows"]) == 2
    with pytest.raises(CrmError):
        alumni.confirm(store, PM, old["id"])                   # made under the old setting: gone
    alumni.confirm(store, PM, new["id"])
    with store.read() as cur:
        assert len(alumni.active_ids(cur, network_id, T0.date())) == 2


@pytest.mark.parametrize("places, months, periods, field, code", [
    (2, 0, 1, "period_months", "term_length_zero"),
    (2, 5, 1, "period_months", "period_not_divisor"),
    (0, 6, 1, "active_places", "out_of_range"),
    (41, 6, 1, "active_places", "out_of_range"),
    ("twee", 6, 1, "active_places", "not_whole_number"),
    (2, 6, 0, "active_periods", "out_of_range"),
])
def test_settings_that_cannot_work_are_refused(store, places, months, periods, field, code):
    network_id, _ = make_alumni(store, [{}])
    with pytest.raises(ValidationError) as caught:
        alumni.save_setting(store, PM, network_id, places, months, periods)
    assert (caught.value.errors[0].field, caught.value.errors[0].code) == (field, code)
    with store.read() as cur:
        assert alumni.get_setting(cur, network_id) is None


def test_only_an_alumni_network_has_a_rotation_setting(store):
    board = registry.save(store, PM, NetworkInput("Adviesraad", "advisory_council", 0, 9))
    with pytest.raises(CrmError) as caught:
        alumni.save_setting(store, PM, board, 2, 6, 1)
    assert caught.value.code == "not_alumni_network"


def test_referrals_are_counted_per_alumnus(store):
    network_id, people = make_alumni(store, [{} for _ in range(3)])
    referred = insert_people(store, [{} for _ in range(4)])
    from crm_app.people import sources
    for index, pid in enumerate(referred):
        referrer = people[0] if index < 3 else people[2]
        sources.add_source(store, PM, pid, SourceInput(kind="alumni_referral", referrer_id=referrer))
    counts = {a.person_id: a.referrals for a in alumni.overview(store, PM, network_id).alumni}
    assert counts == {people[0]: 3, people[1]: 0, people[2]: 1}
    with store.read() as cur:
        assert alumni.referred_by(cur, people[0]) == referred[:3]


def test_the_coordinator_sees_alumni_by_number_only(store):
    network_id, people = make_alumni(store, [{}])
    coordinator = type(PM)(user_id=None, role="coordinator", origin="web")
    view = alumni.overview(store, coordinator, network_id)
    assert not view.show_names and view.alumni[0].label(view.show_names).startswith("A-")
    with pytest.raises(PermissionDenied):
        alumni.save_setting(store, coordinator, network_id, 1, 6, 1)


def test_a_referral_named_in_words_is_linked_to_the_alumnus(store):
    network_id, people = make_alumni(store, [{} for _ in range(2)])
    (referred,) = insert_people(store, [{}])
    from crm_app.people import sources
    source_id = sources.add_source(store, PM, referred, SourceInput(kind="alumni_referral", source_name="Amal"))
    assert [r["source_id"] for r in alumni.unlinked_referrals(store, PM)] == [source_id]
    with pytest.raises(CrmError) as caught:
        alumni.link_referral(store, PM, source_id, referred)          # not an alumnus (and themselves)
    assert caught.value.code == "not_an_alumnus"
    alumni.link_referral(store, PM, source_id, people[1])
    assert alumni.unlinked_referrals(store, PM) == []
    counts = {a.person_id: a.referrals for a in alumni.overview(store, PM, network_id).alumni}
    assert counts[people[1]] == 1
