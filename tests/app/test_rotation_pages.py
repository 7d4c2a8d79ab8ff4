"""The rotation and alumni screens in AppTest: what the program manager and the coordinator see and do."""
from __future__ import annotations

import datetime as dt

import pytest
from apptest_kit import count, elements, main_text, outcome_box, page_links, pick_row, t, values

from crm_app.core import clock
from crm_app.networks import alumni, offers, registry, rotation, waitlists
from crm_app.networks.registry import NetworkInput
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput

NOW = dt.datetime(2026, 11, 29, 9, 30)
START = NOW - dt.timedelta(days=335)       # terms of 12 months end in about 30 days


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield NOW
    clock.freeze(None)


@pytest.fixture
def pm(staff):
    return staff["program_manager"].as_user().actor()


def person(store, who, given: str) -> int:
    return persons.register(store, who, PersonInput(given_name=given, family_name="Test", consent_contact=True),
                            SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id


@pytest.fixture
def board(store, pm):
    """De Stem (5 places, 12-month terms, at most 2) with an alumni network; Amal and Bashir seated 335 days ago."""
    clock.freeze(START)
    try:
        alumni_id = registry.save(store, pm, NetworkInput("Alumni Netwerk", "alumni_network", 0, 40, 36, 1, 0,
                                                          "quarterly"))
        board_id = registry.save(store, pm, NetworkInput("Klankbordgroep De Stem", "sounding_board", 0, 5, 12, 2,
                                                         12, "monthly", alumni_id))
        ids = {"board": board_id, "alumni": alumni_id}
        for name in ("Amal", "Bashir", "Carla", "Dina"):
            ids[name] = person(store, pm, name)
        made = offers.make(store, pm, board_id, [waitlists.add(store, pm, board_id, ids[n]) for n in ("Amal", "Bashir")],
                           "waitlist")
        ids["memberships"] = [offers.respond(store, pm, o, "accept")["membership_id"] for o in made]
    finally:
        clock.freeze(NOW)
    return ids


def test_the_manager_sees_ending_terms_timeline_and_forecast_and_confirms_a_renewal(login, store, board):
    at = login("program_manager", "rotation")
    text = main_text(at)
    assert t("rotation.title") in values(at.main, "title")
    assert "Amal Test" in text and "Bashir Test" in text
    assert t("rotation.status.renewal_proposed") in text
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    # the ending terms are one table; the timeline's numbers in a table beside it: five places, two held
    ending = at.dataframe[0].value
    assert list(ending[t("list.col.name")]) == ["Amal Test", "Bashir Test"]
    timeline = at.dataframe[1].value
    assert sorted(set(timeline[t("rotation.col.seat")])) == [1, 2, 3, 4, 5]
    assert {"Amal Test", "Bashir Test"} <= set(timeline[t("rotation.col.holder")])
    forecast = at.dataframe[2].value
    assert len(forecast) == 12 and forecast[t("rotation.col.possible")].sum() == 2
    assert not [b for b in at.button if b.key == "rotation_confirm"], "the decisions wait for a picked member"

    pick_row(at, "rotation_table", 0)
    at.text_input(key="rotation_note").input("Wil graag door")
    at.button(key="rotation_confirm").click().run()
    shown, _ = outcome_box(at, "rotation_actions")
    assert [e.value for e in shown if e.type == "success"] == [t("rotation.flash.confirmed")]
    assert t("rotation.status.renewal_confirmed") in main_text(at)
    assert count(store, "SELECT count(*) FROM activity WHERE kind = 'renewal_conversation' AND person_id = ?",
                 [board["Amal"]]) == 1
    forecast = at.dataframe[2].value
    assert forecast[t("rotation.col.possible")].sum() == 1


def test_the_exit_conversation_and_the_offer_to_create_a_missing_alumni_network(login, store, pm):
    clock.freeze(START)
    board_id = registry.save(store, pm, NetworkInput("Adviesraad", "advisory_council", 0, 3, 12, 1, 12, "monthly"))
    pid = person(store, pm, "Esra")
    made = offers.make(store, pm, board_id, [waitlists.add(store, pm, board_id, pid)], "waitlist")
    offers.respond(store, pm, made[0], "accept")
    clock.freeze(NOW)
    at = login("program_manager", "rotation")
    assert t("rotation.status.last_term") in main_text(at)
    pick_row(at, "rotation_table", 0)
    assert t("rotation.no_alumni_network", network="Adviesraad") in values(at.main, "warning")
    at.radio(key="rotation_alumni").set_value("yes")
    at.button(key="rotation_alumni_save").click().run()
    assert [e.value for e in outcome_box(at, "rotation_actions")[0]] == [t("rotation.flash.alumni_saved")]
    at.button(key="rotation_create_alumni").click().run()
    assert [e.value for e in outcome_box(at, "rotation_actions")[0]] == [t("rotation.flash.alumni_created")]
    with store.read() as cur:
        assert cur.execute("SELECT alumni_network_id IS NOT NULL FROM network WHERE id = ?", [board_id]).fetchone()[0]


def test_the_coordinator_confirms_the_alumni_rotation_without_seeing_names(login, store, pm, board):
    # three alumni, two active per half year
    clock.freeze(NOW - dt.timedelta(days=400))
    for name in ("Carla", "Dina"):
        store.write(lambda cur, pid=board[name]: cur.execute(
            "INSERT INTO membership (network_id, person_id, start_date, planned_end_date) VALUES (?, ?, ?, ?)",
            [board["alumni"], pid, clock.today(), clock.add_months(clock.today(), 36)]))
    clock.freeze(NOW)
    alumni.save_setting(store, pm, board["alumni"], 1, 6, 1)
    at = login("coordinator", "alumni")
    text = main_text(at)
    assert "Carla" not in text and "Dina" not in text
    assert t("alumni.names_hidden") in text
    view = alumni.overview(store, pm, board["alumni"])
    first = view.proposals[0]
    assert len(first["rows"]) == 1
    at.button(key=f"alumni_confirm_{first['id']}").click().run()
    assert t("alumni.confirmed") in values(at.main, "success")
    assert count(store, "SELECT count(*) FROM alumni_period WHERE status = 'confirmed'") == 1
    # the coordinator cannot change the setting; the manager sees names
    assert not [w for w in at.main if getattr(w, "key", None) == "alumni_save_setting"]
    manager = login("program_manager", "alumni")
    assert "Carla Test" in main_text(manager) or "Dina Test" in main_text(manager)


def test_the_manager_links_a_referral_named_in_words(login, store, pm, board):
    clock.freeze(NOW - dt.timedelta(days=400))
    store.write(lambda cur: cur.execute(
        "INSERT INTO membership (network_id, person_id, start_date, planned_end_date) VALUES (?, ?, ?, ?)",
        [board["alumni"], board["Carla"], clock.today(), clock.add_months(clock.today(), 36)]))
    clock.freeze(NOW)
    from crm_app.people import sources
    source_id = sources.add_source(store, pm, board["Dina"], SourceInput(kind="alumni_referral", source_name="Carla"))
    at = login("program_manager", "alumni")
    pick_row(at, "alumni_link_table", 0)
    at.selectbox(key="alumni_link").set_value(board["Carla"])
    at.button(key="alumni_link_save").click().run()
    assert t("alumni.linked") in values(at.main, "success")
    assert count(store, "SELECT count(*) FROM person_source WHERE id = ? AND referrer_id = ?",
                 [source_id, board["Carla"]]) == 1
    table = at.dataframe[-1].value
    assert table.loc[table[t("alumni.col.alumnus")] == "Carla Test", t("alumni.col.referrals")].tolist() == [1]


@pytest.mark.parametrize("role, page", [("program_manager", "rotation"), ("program_manager", "alumni"),
                                        ("coordinator", "alumni")])
def test_the_screens_on_the_demo_data(login, store, role, page):
    from crm_app import maintenance
    from crm_app.demo.fill import fill_demo
    fill_demo(store, persons=400)
    maintenance.run_due(store)
    at = login(role, page)
    assert not at.exception and not values(at.main, "error")
    assert at.get("arrow_data_frame") or at.dataframe


def test_the_exit_question_shows_the_stored_answer(login, store, pm):
    """"Alumni: Ja" beside an empty Yes/No choice: the choice shows what was answered before."""
    clock.freeze(START)
    board_id = registry.save(store, pm, NetworkInput("Adviesraad", "advisory_council", 0, 3, 12, 1, 12, "monthly"))
    pid = person(store, pm, "Esra")
    made = offers.make(store, pm, board_id, [waitlists.add(store, pm, board_id, pid)], "waitlist")
    membership = offers.respond(store, pm, made[0], "accept")["membership_id"]
    clock.freeze(NOW)
    rotation.record_exit(store, pm, membership, "yes", None)
    at = login("program_manager", "rotation")
    assert t("rotation.alumni_choice.yes") in list(at.dataframe[0].value[t("rotation.col.alumni")])
    pick_row(at, "rotation_table", 0)
    assert t("rotation.alumni_answer", answer=t("rotation.alumni_choice.yes")) in main_text(at)
    assert at.radio(key="rotation_alumni").value == "yes"


def test_an_alumni_network_shows_active_and_resting_alumni_and_nothing_to_fill(login, store, pm, board):
    clock.freeze(NOW - dt.timedelta(days=400))
    for name in ("Carla", "Dina"):
        store.write(lambda cur, pid=board[name]: cur.execute(
            "INSERT INTO membership (network_id, person_id, start_date, planned_end_date) VALUES (?, ?, ?, ?)",
            [board["alumni"], pid, clock.today(), clock.add_months(clock.today(), 36)]))
    clock.freeze(NOW)
    alumni.save_setting(store, pm, board["alumni"], 1, 6, 1)
    alumni.confirm(store, pm, alumni.overview(store, pm, board["alumni"]).proposals[0]["id"])
    at = login("program_manager", "places")
    pick_row(at, "places_table", 0)   # the networks in name order: Alumni Netwerk first
    card = next(b for b in _blocks(at.main) if getattr(b, "key", None) == f"places_network_{board['alumni']}")
    metrics = {e.label: e.value for e in elements(card) if e.type == "metric"}
    assert metrics == {t("alumni.count.alumni"): "2", t("alumni.count.active"): "1", t("alumni.count.resting"): "1"}
    assert page_links(card) == []
    table = at.dataframe[0].value
    row = table[table[t("places.network")] == "Alumni Netwerk"].iloc[0]
    assert row.isna()[t("places.open_now")]
    pick_row(at, "places_table", 1)
    board_card = next(b for b in _blocks(at.main) if getattr(b, "key", None) == f"places_network_{board['board']}")
    assert t("places.open_now") in {e.label for e in elements(board_card) if e.type == "metric"}


def _blocks(block):
    yield block
    for child in block.children.values():
        if hasattr(child, "children"):
            yield from _blocks(child)
