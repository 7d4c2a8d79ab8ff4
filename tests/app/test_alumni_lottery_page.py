"""The Alumni screen with the lottery: the manager chooses it beside the rotation setting, the proposal card shows
each drawn alumnus's chance and the seed, a new proposal draws again, and confirming makes the drawn active."""
from __future__ import annotations

import datetime as dt

import pytest
from apptest_kit import count, main_text, shown_cells, t, values

from crm_app.core import clock
from crm_app.networks import alumni, registry
from crm_app.networks.registry import NetworkInput
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput

NOW = dt.datetime(2026, 11, 29, 9, 30)
NAMES = ("Amal", "Bashir", "Carla", "Dina", "Esra", "Farid")


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield NOW
    clock.freeze(None)


@pytest.fixture
def network(store, staff) -> int:
    """An alumni network of six alumni, two active per half year, chosen in turn so far."""
    pm = staff["program_manager"].as_user().actor()
    network_id = registry.save(store, pm, NetworkInput("Alumni Netwerk", "alumni_network", 0, 40, 36, 1, 0,
                                                       "quarterly"))
    for name in NAMES:
        pid = persons.register(store, pm, PersonInput(given_name=name, family_name="Test", consent_contact=True),
                               SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id
        store.write(lambda cur, pid=pid: cur.execute(
            "INSERT INTO membership (network_id, person_id, start_date, planned_end_date) VALUES (?, ?, ?, ?)",
            [network_id, pid, dt.date(2025, 1, 1), dt.date(2028, 1, 1)]))
    alumni.save_setting(store, pm, network_id, 2, 6, 1)
    return network_id


def card_table(at):
    return at.dataframe[0].value       # the proposal's table comes first, above the list of alumni


def test_the_manager_chooses_the_lottery_sees_the_chances_draws_again_and_confirms(login, store, staff, network):
    pm = staff["program_manager"].as_user().actor()
    at = login("program_manager", "alumni")
    assert at.radio(key="alumni_method").value == "rotation"
    in_turn = alumni.overview(store, pm, network).proposals[0]
    assert in_turn["seed"] is None and t("alumni.col.chance") not in card_table(at).columns

    at.radio(key="alumni_method").set_value("lottery")
    at.button(key="alumni_save_setting").click().run()
    assert t("alumni.setting_saved") in values(at.main, "success")
    view = alumni.overview(store, pm, network)
    assert view.setting.method == "lottery"
    drawn = view.proposals[0]
    text = main_text(at)
    assert t("alumni.method_text", method=t("alumni.method.lottery")) in text
    assert t("alumni.drawn", seed=drawn["seed"], minimum="33,3%") in text     # two of six: everyone 1 in 3
    table = card_table(at)
    assert list(table[t("alumni.col.chance")]) == pytest.approx([1 / 3, 1 / 3], abs=1e-4)
    assert shown_cells(at.dataframe[0], t("alumni.col.chance")) == ["33,3%", "33,3%"]   # as Dutch writes a chance
    assert sorted(table[t("alumni.col.alumnus")]) == sorted(a.label(True) for a, _ in drawn["rows"])

    at.button(key=f"alumni_repropose_{drawn['id']}").click().run()
    assert t("alumni.reproposed") in values(at.main, "success")
    again = alumni.overview(store, pm, network).proposals[0]
    assert again["id"] != drawn["id"] and again["seed"] is not None
    assert t("alumni.drawn", seed=again["seed"], minimum="33,3%") in main_text(at)

    at.button(key=f"alumni_confirm_{again['id']}").click().run()
    assert t("alumni.confirmed") in values(at.main, "success")
    assert count(store, "SELECT count(*) FROM alumni_period WHERE status = 'confirmed'") == 1
    with store.read() as cur:
        assert alumni.active_ids(cur, network, NOW.date()) == {a.person_id for a, _ in again["rows"]}
    # every draw is kept: this half year and the next (due within 45 days), drawn twice
    assert count(store, "SELECT count(*) FROM lottery_draw WHERE network_id = ?", [network]) == 4
