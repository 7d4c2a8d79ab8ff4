"""Target values: each is checked against its dimension's values when saved, and one stored by an older
version (`gender = vrouw`) is shown as an unknown value on every screen instead of breaking it."""
from __future__ import annotations

import pytest
from networks_kit import insert_people, manager, network, snapshot

from crm_app.core import i18n
from crm_app.core.errors import ValidationError
from crm_app.insight.targets import targets_screen
from crm_app.networks import reasons, registry, selection, waitlists
from crm_app.networks.registry import TargetInput


@pytest.fixture
def pm(actor):
    return manager(actor.user_id)


@pytest.mark.parametrize("dimension, value, code, allowed", [
    ("gender", "vrouw", "target_value_unknown", "woman, man, other"),
    ("age_band", "30-40", "target_value_unknown", "0-9, 10-19, 20-29, 30-39"),
    ("education_level", "hbo", "target_value_unknown", "none, primary, secondary, vocational, higher_professional"),
    ("education_band", "hoog", "target_value_unknown", "low, middle, high"),
    ("years_in_nl", "4", "target_value_unknown", "0-2, 3-5, 6-10, 10+"),
    ("integration_route", "b2", "target_value_unknown", "b1, education, z_route, not_obligated"),
    ("country_of_origin", "Syrie", "target_value_not_country", None),
    ("language", "xx1", "target_value_not_language", None),
])
def test_a_value_outside_the_dimension_is_refused_and_nothing_is_stored(store, pm, dimension, value, code, allowed):
    before = snapshot(store)
    with pytest.raises(ValidationError) as caught:
        network(store, pm, targets=[TargetInput("gender", "woman", "count", "2", None),
                                    TargetInput(dimension, value, "count", "1", None)])
    assert snapshot(store) == before
    [error] = caught.value.errors
    assert (error.field, error.code, error.params["value"]) == ("target_2_value", code, value)
    if allowed:
        assert error.params["allowed"].startswith(allowed)
    for lang in ("nl", "en"):
        assert f"'{value}'" in i18n.error_text(error, lang)


@pytest.mark.parametrize("dimension, typed, stored", [
    ("gender", "Woman", "woman"), ("country_of_origin", "sy", "SY"), ("country_of_origin", "SYR", "SY"),
    ("language", "ar", "ara"), ("language", "tir", "tir"), ("age_band", "30-39", "30-39"),
    ("years_in_nl", "10+", "10+"), ("education_band", "high", "high"),
    ("municipality", "Utrecht", "Utrecht"), ("district", "Overvecht-Noord", "Overvecht-Noord"),
])
def test_a_known_value_is_stored_as_its_code(store, pm, dimension, typed, stored):
    network_id = network(store, pm, targets=[TargetInput(dimension, typed, "count", "1", None)])
    assert registry.get(store, pm, network_id).targets[0].dim_value == stored


def store_bad_target(store, network_id: int) -> None:
    store.write(lambda cur: cur.execute(
        "INSERT INTO network_target (network_id, dimension, dim_value, measure, min_value) "
        "VALUES (?, 'gender', 'vrouw', 'share', 0.4)", [network_id]))


def test_a_stored_unknown_value_is_shown_as_unknown_everywhere(store, pm):
    first = network(store, pm, "Adviesraad", max_places=10)
    second = network(store, pm, "Klankbord", max_places=10, targets=[TargetInput("gender", "woman", "count", "2", None)])
    store_bad_target(store, first)
    store_bad_target(store, second)
    people = insert_people(store, [{"gender": "woman"}, {"gender": "man"}])
    for person_id in people:
        waitlists.add(store, pm, second, person_id)

    rows = registry.overview(store, pm)
    assert [r.name for r in rows] == ["Adviesraad", "Klankbord"]
    bad = rows[0].targets[0][0]
    assert reasons.target_text(bad, 10, "en") == "Gender unknown value 'vrouw': at least 4 (40% of 10)"
    assert reasons.target_text(bad, 10, "nl") == "Gender onbekende waarde 'vrouw': minstens 4 (40% van 10)"
    assert [r.network for r in targets_screen(store, pm)] == ["Adviesraad", "Klankbord", "Klankbord"]

    plan = selection.propose(store, pm, second, None, "quota")
    assert [p.candidate.person_id for p in plan.proposals] == people
    assert any("unknown value 'vrouw'" in reasons.describe(r, "en") for r in plan.unmet)
