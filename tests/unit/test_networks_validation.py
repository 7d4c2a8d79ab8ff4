"""Networks: what is refused (with a message per field) and that a refusal changes nothing."""
from __future__ import annotations

import pytest
from networks_kit import insert_people, manager, network, seat, snapshot

from crm_app.core import permissions
from crm_app.core.errors import PermissionDenied, ValidationError
from crm_app.networks import offers, registry, waitlists
from crm_app.networks.composition import Target
from crm_app.networks.registry import NetworkInput, TargetInput


@pytest.fixture
def pm(actor):
    return manager(actor.user_id)


def refused(store, call) -> ValidationError:
    """Run `call`, expect a ValidationError, and check nothing was written."""
    before = snapshot(store)
    with pytest.raises(ValidationError) as caught:
        call()
    assert snapshot(store) == before
    return caught.value


def codes(error: ValidationError) -> dict[str, str]:
    return {e.field: e.code for e in error.errors}


def test_a_valid_network_with_targets_is_stored_as_typed(store, pm):
    network_id = network(store, pm, min_places=15, max_places=15, targets=[
        TargetInput("gender", "woman", "share", "40%", None),
        TargetInput("country_of_origin", None, "distinct", "3", None),
        TargetInput("municipality", None, "count", None, "4"),
    ])
    saved = registry.get(store, pm, network_id)
    assert (saved.min_places, saved.max_places, saved.term_months, saved.rest_months) == (15, 15, 12, 12)
    assert [(t.dimension, t.dim_value, t.measure, t.min_value, t.max_value) for t in saved.targets] == [
        ("gender", "woman", "share", 0.4, None),
        ("country_of_origin", None, "distinct", 3.0, None),
        ("municipality", None, "count", None, 4.0),
    ]
    assert saved.targets[0].bounds(15) == (6, None)


def test_min_places_above_max_places_is_refused(store, pm):
    error = refused(store, lambda: network(store, pm, min_places=16, max_places=15))
    assert codes(error) == {"min_places": "min_above_max"}
    assert error.for_field("min_places").params == {"max": 15}


@pytest.mark.parametrize("target, field", [
    (TargetInput("gender", "woman", "count", "20", None), "target_1_min"),     # 20 of 15 places
    (TargetInput("gender", "woman", "share", "120%", None), "target_1_min"),   # 120 % of 15
    (TargetInput("gender", "woman", "share", "120", None), "target_1_min"),    # a share typed without %
    (TargetInput("country_of_origin", None, "distinct", "16", None), "target_1_min"),
])
def test_a_target_that_can_never_be_met_is_refused(store, pm, target, field):
    error = refused(store, lambda: network(store, pm, min_places=15, max_places=15, targets=[target]))
    assert codes(error) == {field: "target_above_places"}
    assert error.for_field(field).params == {"places": 15}


@pytest.mark.parametrize("target, field, code", [
    (TargetInput("gender", "woman", "count", "5", "3"), "target_1_min", "min_above_max"),
    (TargetInput("gender", None, "count", "5", None), "target_1_value", "target_needs_value"),
    (TargetInput("country_of_origin", "SY", "distinct", "3", None), "target_1_value", "distinct_has_no_value"),
    (TargetInput("gender", "woman", "count", None, None), "target_1_min", "target_needs_bound"),
    (TargetInput("shoe_size", "42", "count", "1", None), "target_1_dimension", "invalid_choice"),
    (TargetInput("gender", "woman", "percent", "1", None), "target_1_measure", "invalid_choice"),
    (TargetInput("gender", "woman", "count", "veel", None), "target_1_min", "not_number"),
    (TargetInput("gender", "woman", "count", "-1", None), "target_1_min", "out_of_range"),
])
def test_a_malformed_target_is_refused_per_row(store, pm, target, field, code):
    ok = TargetInput("gender", "man", "count", None, "10")
    error = refused(store, lambda: network(store, pm, targets=[ok, target]))
    assert codes(error) == {field.replace("target_1", "target_2"): code}


def test_a_share_keeps_its_percent_sign(store, pm):
    """'1%' is one percent and '0.5%' half a percent, not 100 % and 50 %; a bare number above 1 is a percent."""
    network_id = network(store, pm, max_places=100, targets=[
        TargetInput("gender", "woman", "share", "1%", None),
        TargetInput("gender", "man", "share", None, "0,5%"),
        TargetInput("gender", "other", "share", "0.2", "60"),   # a fraction and a percent in one row
    ])
    shares = [(t.min_value, t.max_value) for t in registry.get(store, pm, network_id).targets]
    assert shares == [(0.01, None), (None, 0.005), (0.2, 0.6)]


def test_max_places_below_members_plus_open_offers_is_refused(store, pm):
    network_id = network(store, pm, min_places=0, max_places=15)
    people = insert_people(store, [{} for _ in range(13)])
    seat(store, pm, network_id, people[:10])
    entries = [waitlists.add(store, pm, network_id, pid) for pid in people[10:]]
    offers.make(store, pm, network_id, entries, "waitlist")        # 10 members + 3 on offer = 13 taken

    def change(max_places):
        return registry.save(store, pm, NetworkInput("Klankbordgroep De Stem", "sounding_board", 0, max_places),
                             None, network_id)

    error = refused(store, lambda: change(12))
    assert codes(error) == {"max_places": "max_below_members"}
    assert error.for_field("max_places").params == {"taken": 13}
    change(13)   # exactly the places held is fine
    assert registry.get(store, pm, network_id).max_places == 13


@pytest.mark.parametrize("field, value, code", [
    ("term_months", 0, "term_length_zero"), ("term_months", 121, "out_of_range"), ("term_months", "", "required"),
    ("term_months", "1.5", "not_whole_number"),
    ("max_places", 0, "out_of_range"), ("max_places", 501, "out_of_range"), ("rest_months", -1, "out_of_range"),
    ("max_consecutive_terms", 0, "out_of_range"), ("kind", "book_club", "invalid_choice"),
    ("meeting_cadence", "daily", "invalid_choice"), ("name", "  ", "required"), ("name", "Raad\u202e", "bidi_control"),
])
def test_other_bad_values_are_refused(store, pm, field, value, code):
    data = NetworkInput("Adviesraad", "advisory_council", 6, 10)
    setattr(data, field, value)
    error = refused(store, lambda: registry.save(store, pm, data))
    assert codes(error) == {field: code}


def test_a_duplicate_name_is_refused_whatever_its_case(store, pm):
    network(store, pm, "Adviesraad")
    error = refused(store, lambda: network(store, pm, "ADVIESRAAD "))
    assert codes(error) == {"name": "name_taken"}


def test_renaming_a_network_to_its_own_name_is_fine(store, pm):
    network_id = network(store, pm, "Adviesraad")
    registry.save(store, pm, NetworkInput("adviesraad", "advisory_council", 6, 10), None, network_id)
    assert registry.get(store, pm, network_id).name == "adviesraad"


def test_every_problem_is_reported_at_once(store, pm):
    data = NetworkInput("", "sounding_board", 20, 15, term_months=0)
    error = refused(store, lambda: registry.save(store, pm, data, [TargetInput("gender", "woman", "count", "16")]))
    assert codes(error) == {"name": "required", "min_places": "min_above_max", "term_months": "term_length_zero",
                            "target_1_min": "target_above_places"}


def test_only_managers_may_define_networks(store, actor):
    assert not permissions.allowed(actor.role, "network.manage")
    with pytest.raises(PermissionDenied):
        registry.save(store, actor, NetworkInput("Adviesraad", "advisory_council", 6, 10))


def test_target_bounds_in_whole_persons():
    assert Target(None, "gender", "woman", "share", 0.4, 0.6).bounds(15) == (6, 9)
    assert Target(None, "gender", "woman", "share", 1 / 3, None).bounds(15) == (5, None)   # no float round-up to 6
    assert Target(None, "municipality", None, "count", None, 4).bounds(15) == (None, 4)
