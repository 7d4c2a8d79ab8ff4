"""The networks screens in AppTest: open places, networks, waiting list, fill, members — and who may open them.

The store is arranged through the crm_app services as the program manager; the app under test uses
the same store (tests/app/conftest.py).
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from apptest_kit import (
    PAGES_DIR,
    count,
    elements,
    field_messages,
    first_run,
    main_text,
    new_app,
    outcome_box,
    page_links,
    pick_row,
    sign_in,
    t,
    tn,
    values,
)
from streamlit.proto.WidgetStates_pb2 import WidgetState

from crm_app.core import clock
from crm_app.core.store import Store
from crm_app.networks import memberships, offers, registry, waitlists
from crm_app.networks.registry import NetworkInput, TargetInput
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput
from crm_app.ui.resources import get_store
from crm_app.ui.text import escape as widgets_escape

NETWORK_PAGES = ("places", "fill", "waitlist", "members", "networks")
WAITING = (("Amal", "man"), ("Bashir", "man"), ("Carla", "woman"), ("Dina", "woman"), ("Esra", "woman"))


@pytest.fixture
def pm(staff):
    return staff["program_manager"].as_user().actor()


def person(store, who, given: str, gender: str | None = None, *, contact: bool = True) -> int:
    return persons.register(
        store, who, PersonInput(given_name=given, family_name="Test", consent_contact=contact,
                                consent_diversity_statistics=gender is not None, gender=gender),
        SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id


NOW = dt.datetime(2026, 11, 29, 9, 30)   # naive UTC; the app under test runs in this process, on this clock


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield NOW
    clock.freeze(None)


@pytest.fixture(scope="session")
def board_file(template_db, tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """The board's store, built once: a test starts from a copy (building it takes 60 writes, 0.7 s)."""
    template, staff = template_db
    path = tmp_path_factory.mktemp("board") / "crm.duckdb"
    shutil.copyfile(template, path)
    built = Store(path)
    try:
        ids = build_board(built, staff["program_manager"].as_user().actor())
    finally:
        built.close()
    return path, ids


@pytest.fixture
def board(board_file, crm_db) -> dict[str, int]:
    """A 15-place sounding board (min 15, women at least 40 %) with 13 members (4 women) and five
    people waiting, who joined a day apart in the order of WAITING, 59 to 55 days ago. Returns ids by name."""
    path, ids = board_file
    shutil.copyfile(path, crm_db)     # before anything opens the store: `store` below asks for the board first
    return ids


@pytest.fixture
def store(crm_db, request) -> Store:
    """The store the app under test uses; with the board in the test, opened after its copy is in place."""
    if "board" in request.fixturenames:
        request.getfixturevalue("board")
    return get_store()


def build_board(store, pm) -> dict[str, int]:
    start = NOW - dt.timedelta(days=60)
    clock.freeze(start)
    try:
        network_id = registry.save(store, pm, NetworkInput("Klankbordgroep De Stem", "sounding_board", 15, 15),
                                   [TargetInput("gender", "woman", "share", "40%", None)])
        names = ["Fatima", "Goli", "Hana", "Iman"] + ["Jamal", "Karim", "Latif", "Majid", "Nabil", "Omar", "Rami",
                                                       "Said", "Tarek"]
        members = [person(store, pm, name, "woman" if i < 4 else "man") for i, name in enumerate(names)]
        made = offers.make(store, pm, network_id, [waitlists.add(store, pm, network_id, p) for p in members],
                           "waitlist")
        for offer_id in made:
            offers.respond(store, pm, offer_id, "accept")
        ids = {"network": network_id}
        for days, (given, gender) in enumerate(WAITING):
            clock.freeze(start + dt.timedelta(days=days + 1))
            ids[given] = person(store, pm, given, gender)
            ids[f"{given}_entry"] = waitlists.add(store, pm, network_id, ids[given])
    finally:
        clock.freeze(NOW)
    return ids


def metric_values(block) -> dict[str, str]:
    return {e.label: e.value for e in elements(block) if e.type == "metric"}


def container(at, key: str):
    return next(b for b in _blocks(at.main) if getattr(b, "key", None) == key)


def _blocks(block):
    yield block
    for child in block.children.values():
        if hasattr(child, "children"):
            yield from _blocks(child)


def keys_with(at, prefix: str) -> list[str]:
    return [b.key for b in _blocks(at.main) if (getattr(b, "key", None) or "").startswith(prefix)]


# -- open places --------------------------------------------------------------------------------------
def test_places_shows_open_places_and_the_shortfalls(login, board):
    at = login("program_manager", "places")
    assert values(at.main, "title") == [t("places.title")]
    card = container(at, f"places_network_{board['network']}")
    assert metric_values(card) == {t("places.open_now"): "2", t("places.on_offer"): "0",
                                   t("places.opening_soon"): "0"}
    assert values(card, "warning") == [t("places.below_min_text", min=15)]
    text = main_text(card)
    assert f"{widgets_escape('Gender Vrouw: minstens 6 (40% van 15)')}: :material/warning: {t('target.short')}" in text
    table = at.dataframe[0].value
    row = table.iloc[0].to_dict()
    assert (row[t("places.members")], row[t("places.open_now")], row[t("places.on_offer")], row[t("places.waiting")]) \
        == ("13/15", 2, 0, 5)
    assert [(label, path) for label, path, _ in page_links(card)] == [(t("places.fill_link"), "fill")]


def test_many_networks_are_one_table_with_filters_and_the_details_of_the_picked_one(login, store, pm, board):
    for name, kind in (("Adviesraad Noord", "advisory_council"), ("Adviesraad Zuid", "advisory_council"),
                       ("Alumni Netwerk", "alumni_network")):
        registry.save(store, pm, NetworkInput(name, kind, 0, 10))
    at = login("program_manager", "places")
    assert len(at.dataframe[0].value) == 4
    assert not keys_with(at, "places_network_"), "no card per network: the details of the picked one only"
    assert t("places.pick") in values(at.main, "caption")

    at.toggle(key="places_only_short").set_value(True).run()
    assert list(at.dataframe[0].value[t("places.network")]) == ["Klankbordgroep De Stem"]
    assert keys_with(at, "places_network_") == [f"places_network_{board['network']}"], "the only row is picked"
    at.toggle(key="places_only_short").set_value(False).run()
    at.selectbox(key="places_kind").set_value("advisory_council").run()
    assert list(at.dataframe[0].value[t("places.network")]) == ["Adviesraad Noord", "Adviesraad Zuid"]
    assert values(at.main, "caption")[0] == tn("places.shown", 4, shown=2)
    at.selectbox(key="places_kind").set_value(None).run()
    at.text_input(key="places_search").input("zuid").run()
    assert list(at.dataframe[0].value[t("places.network")]) == ["Adviesraad Zuid"]
    at.text_input(key="places_search").input("").run()
    at.toggle(key="places_only_open").set_value(True).run()
    shown = list(at.dataframe[0].value[t("places.network")])
    assert "Alumni Netwerk" not in shown and "Klankbordgroep De Stem" in shown, "alumni have no places to fill"


def test_a_link_that_names_a_network_opens_its_details(login, store, pm, board):
    registry.save(store, pm, NetworkInput("Adviesraad Noord", "advisory_council", 0, 10))
    at = login("program_manager", "places", query={"network": str(board["network"])})
    assert keys_with(at, "places_network_") == [f"places_network_{board['network']}"]


def test_the_coordinator_sees_places_but_no_way_to_fill(login, board):
    at = login("coordinator", "places")
    card = container(at, f"places_network_{board['network']}")
    assert metric_values(card)[t("places.open_now")] == "2"
    assert page_links(card) == []


# -- networks -----------------------------------------------------------------------------------------
def choose_shown(picker, shown: str) -> None:
    """Choose an option by the text the user sees, as the browser does: it sends that text back, and the
    server maps it to the option (AppTest's select_index cannot, when a format_func names the options)."""
    assert shown in picker.options, (shown, picker.options[:5])
    state = WidgetState(id=picker.id, string_value=shown)
    picker.__class__ = type("ChosenByText", (type(picker),), {"_widget_state": property(lambda self: state)})


def add_target(at, dimension: str, value_label: str | None, measure: str, low: str = "", high: str = ""):
    """Fill the new-target form as a user does: a dimension, then a value by its label, and add it."""
    at.selectbox(key="networks_target_dimension").set_value(dimension).run()
    if value_label is not None:
        choose_shown(at.selectbox(key="networks_target_value"), value_label)
    at.selectbox(key="networks_target_measure").set_value(measure)
    at.text_input(key="networks_target_min").input(low)
    at.text_input(key="networks_target_max").input(high)
    return at.button(key="networks_target_add").click().run()


def test_create_a_network_with_a_target(login, store, pm):
    at = login("program_manager", "networks")
    at.text_input(key="networks_name").input("Adviesraad Inburgering")
    at.selectbox(key="networks_kind").set_value("advisory_council")
    at.text_input(key="networks_min_places").input("6")
    at.text_input(key="networks_max_places").input("10")
    at.text_input(key="networks_term_months").input("24")
    add_target(at, "gender", "Vrouw", "share", low="40%")
    add_target(at, "municipality", None, "count", high="3")
    at.button(key="networks_save").click().run()

    assert not at.exception
    assert values(at.main, "success") == [t("networks.saved")]
    [saved] = registry.list_networks(store, pm)
    assert (saved.name, saved.kind, saved.min_places, saved.max_places, saved.term_months) == (
        "Adviesraad Inburgering", "advisory_council", 6, 10, 24)
    assert [(x.dimension, x.dim_value, x.measure, x.min_value, x.max_value) for x in saved.targets] == [
        ("gender", "woman", "share", 0.4, None), ("municipality", None, "count", None, 3.0)]
    assert at.selectbox(key="networks_edit").value == saved.id, "the saved network stays open for editing"


def test_the_target_picker_offers_values_in_the_users_language_and_saves_their_codes(login, store, pm):
    at = login("program_manager", "networks")
    at.text_input(key="networks_name").input("Klankbord Oost")
    at.text_input(key="networks_max_places").input("12")
    at.selectbox(key="networks_target_dimension").set_value("gender").run()
    assert at.selectbox(key="networks_target_value").options == [t("networks.any_value"), "Vrouw", "Man", "Anders"]
    add_target(at, "gender", "Vrouw", "count", low="4")
    add_target(at, "country_of_origin", "Syrië", "count", low="2")
    at.selectbox(key="networks_target_dimension").set_value("language").run()
    arabic = next(o for o in at.selectbox(key="networks_target_value").options if o.startswith("Arabisch"))
    add_target(at, "language", arabic, "count", low="3")
    add_target(at, "education_level", t("networks.any_value"), "distinct", low="2")
    assert "1. Gender Vrouw · aantal personen · minimum 4" in main_text(at)
    at.button(key="networks_target_delete_3").click().run()
    at.button(key="networks_save").click().run()

    assert values(at.main, "success") == [t("networks.saved")]
    [saved] = registry.list_networks(store, pm)
    assert [(x.dimension, x.dim_value, x.measure, x.min_value) for x in saved.targets] == [
        ("gender", "woman", "count", 4.0), ("country_of_origin", "SY", "count", 2.0), ("language", "ara", "count", 3.0)]


def test_a_target_that_is_not_whole_is_refused_at_the_form_and_not_added(login, store):
    at = login("program_manager", "networks")
    add_target(at, "gender", "Vrouw", "count")
    assert f":red[:material/error: {widgets_escape(t('err.target_needs_bound'))}]" in [
        e.value for e in elements(container(at, "networks_target_form")) if e.type == "markdown"]
    assert keys_with(at, "networks_target_delete_") == []


def test_min_above_max_shows_the_message_at_the_field_and_saves_nothing(login, store):
    at = login("program_manager", "networks")
    at.text_input(key="networks_name").input("Adviesraad")
    at.text_input(key="networks_min_places").input("12")
    at.text_input(key="networks_max_places").input("10")
    add_target(at, "gender", "Vrouw", "count", low="11")
    at.button(key="networks_save").click().run()

    assert field_messages(at, "networks", "min_places") == [
        f":red[:material/error: {t('err.min_above_max', max=10)}]"]
    assert f"{t('networks.target_row', row=1)}: {widgets_escape(t('err.target_above_places', places=10))}" in main_text(at)
    assert not at.success
    assert at.text_input(key="networks_min_places").value == "12", "what was typed is kept"
    assert count(store, "SELECT count(*) FROM network") == 0


# -- a target value no person can hold, stored by an older version ------------------------------------
def store_bad_target(store, network_id: int, value: str = "vrouw") -> None:
    store.write(lambda cur: cur.execute(
        "INSERT INTO network_target (network_id, dimension, dim_value, measure, min_value) "
        "VALUES (?, 'gender', ?, 'share', 0.4)", [network_id, value]))


@pytest.fixture
def bad_target(store, pm, board):
    """The board and a network listed before it both hold the stored target `gender = vrouw`."""
    first = registry.save(store, pm, NetworkInput("Adviesraad Alfa", "advisory_council", 0, 10))
    store_bad_target(store, first)
    store_bad_target(store, board["network"])
    return board | {"first": first}


def test_a_stored_unknown_target_value_does_not_break_open_places(login, bad_target):
    at = login("program_manager", "places")
    assert not at.exception and not at.error
    assert list(at.dataframe[0].value[t("places.network")]) == ["Adviesraad Alfa", "Klankbordgroep De Stem"]
    for row, network in enumerate(("first", "network")):
        pick_row(at, "places_table", row)
        card = main_text(container(at, f"places_network_{bad_target[network]}"))
        assert widgets_escape("Gender " + t("target.unknown_value", value="vrouw")) in card   # the stored value as text
    assert widgets_escape("Gender Vrouw: minstens 6") in main_text(container(at, f"places_network_{bad_target['network']}"))


def test_a_stored_unknown_target_value_does_not_break_fill(login, bad_target):
    at = login("program_manager", "fill", query={"network": str(bad_target["network"])})
    at.radio(key="fill_method").set_value("quota").run()
    assert not at.exception
    assert proposed(at) == [bad_target["Carla_entry"], bad_target["Dina_entry"]]
    assert any(t("target.unknown_value", value="vrouw") in w for w in values(at.main, "warning"))


def test_a_stored_unknown_target_value_shows_on_networks_and_dashboards(login, bad_target):
    at = login("program_manager", "networks")
    at.selectbox(key="networks_edit").set_value(bad_target["network"]).run()
    assert not at.exception
    assert "2. Gender " + t("target.unknown_value", value="vrouw") in main_text(at)
    at.button(key="networks_save").click().run()
    assert t("err.target_value_unknown", value="vrouw", dimension="gender", allowed="woman, man, other") in \
        main_text(at).replace("\\", ""), "saving it again is refused until the target is changed"
    at.button(key="networks_target_delete_1").click().run()
    at.button(key="networks_save").click().run()
    assert values(at.main, "success") == [t("networks.saved")]

    dash = login("program_manager", "dashboards")
    dash.session_state["dashboards_view"] = "targets"
    dash.run()
    assert not dash.exception and not dash.error
    assert t("target.unknown_value", value="vrouw") in main_text(dash) + str(dash.dataframe[0].value)


# -- waiting list -------------------------------------------------------------------------------------
def waitlist_table(at):
    frame = next(e for e in elements(at.main) if getattr(e, "key", None) == "waitlist_table").value
    return frame


def names_in_line(at) -> list[str]:
    frame = waitlist_table(at)
    return [f"{position}. {name}" for position, name in zip(frame[t("waitlist.col.position")], frame[t("list.col.name")])]


def test_put_someone_on_the_list_from_the_search(login, store, pm, board):
    newcomer = person(store, pm, "Yasmin", "woman")
    at = login("program_manager", "waitlist")
    at.text_input(key="waitlist_find").input("yasm").run()
    at.button(key=f"waitlist_add_{newcomer}").click().run()

    shown, _ = outcome_box(at, "waitlist_add")
    assert [e.value for e in shown] == [t("waitlist.added")], "the outcome stands beside the add buttons"
    assert names_in_line(at)[-1] == "6. Yasmin Test"
    assert waitlist_table(at)[t("waitlist.col.days")].iloc[-1] == 0


def test_without_contact_consent_the_list_says_why(login, store, pm, board):
    silent = person(store, pm, "Zaid", contact=False)
    at = login("program_manager", "waitlist")
    at.text_input(key="waitlist_find").input("zaid").run()
    at.button(key=f"waitlist_add_{silent}").click().run()
    shown, _ = outcome_box(at, "waitlist_add")
    assert [e.value for e in shown] == [t("err.contact_consent_needed")]
    assert len(waitlist_table(at)) == 5


def test_the_list_is_one_table_with_the_actions_for_the_picked_person(login, store, board):
    at = login("program_manager", "waitlist")
    assert names_in_line(at) == [f"{i}. {name} Test" for i, (name, _) in enumerate(WAITING, 1)]
    assert list(waitlist_table(at)[t("waitlist.col.days")]) == [59, 58, 57, 56, 55]
    with pytest.raises(KeyError):
        at.button(key="waitlist_confirm")          # nothing picked: no actions
    assert t("list.pick") in values(at.main, "caption")

    pick_row(at, "waitlist_table", 0)
    area = container(at, "waitlist_selected")
    assert "1. Amal Test" in main_text(area)
    assert [label for label, *_ in page_links(area)] == [t("list.open_person")]
    at.button(key="waitlist_confirm").click().run()
    shown, script = outcome_box(at, "waitlist_actions")
    assert [e.value for e in shown] == [t("waitlist.confirmed")]
    assert script is not None, "right after the click the outcome scrolls into view"
    assert count(store, "SELECT count(*) FROM waitlist_entry WHERE last_check_utc IS NOT NULL") == 1
    assert values(at.main, "success") == [t("waitlist.confirmed")], "once, beside the button, not at the top"


def test_searching_the_list_keeps_the_place_in_line(login, board):
    at = login("program_manager", "waitlist")
    at.text_input(key="waitlist_search").input("dina").run()
    assert names_in_line(at) == ["4. Dina Test"]
    pick_row(at, "waitlist_table", 0)
    assert "4. Dina Test" in main_text(container(at, "waitlist_selected"))
    at.text_input(key="waitlist_search").input("").run()
    assert not keys_with(at, "waitlist_selected"), "the rows changed: row 0 is someone else now, so nothing is picked"


def test_take_someone_off_with_a_reason(login, store, board):
    at = login("program_manager", "waitlist")
    entry = board["Bashir_entry"]
    pick_row(at, "waitlist_table", 1)
    at.button(key="waitlist_end_submit").click().run()          # no reason given
    shown, script = outcome_box(at, "waitlist_actions")
    assert [e.value for e in shown] == [f"{t('waitlist.end_reason')}: {t('err.required')}"]
    assert script["fields"] == ["waitlist_end_reason"], "the focus goes to the reason"
    assert len(waitlist_table(at)) == 5

    at.radio(key="waitlist_end_status").set_value("withdrawn")
    at.text_input(key="waitlist_end_reason").input("Heeft werk gevonden")
    at.button(key="waitlist_end_submit").click().run()
    shown, _ = outcome_box(at, "waitlist_actions")
    assert [e.value for e in shown] == [t("waitlist.ended")]
    assert not keys_with(at, "waitlist_selected"), "Bashir is gone: nobody else is picked in his place"
    with store.read() as cur:
        assert cur.execute("SELECT status, status_reason FROM waitlist_entry WHERE id = ?", [entry]).fetchone() == (
            "withdrawn", "Heeft werk gevonden")
    assert names_in_line(at) == ["1. Amal Test", "2. Carla Test", "3. Dina Test", "4. Esra Test"]

    pick_row(at, "waitlist_table", 1)
    at.text_input(key="waitlist_end_reason").input("Verhuisd").run()
    pick_row(at, "waitlist_table", 2)
    assert "3. Dina Test" in main_text(container(at, "waitlist_selected"))
    assert at.text_input(key="waitlist_end_reason").value == "", "nothing typed for Carla is left for Dina"


def test_the_phone_number_dials_on_a_tap(login, store, pm, board):
    caller = persons.register(store, pm, PersonInput(given_name="Yara", family_name="Test", phone="06 12345678",
                                                     consent_contact=True),
                              SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id
    waitlists.add(store, pm, board["network"], caller)
    at = login("program_manager", "waitlist")
    table = next(e for e in elements(at.main) if getattr(e, "key", None) == "waitlist_table")
    assert waitlist_table(at)[t("list.col.call")].iloc[-1] == "tel:+31-6-12345678"
    assert waitlist_table(at)[t("list.col.phone")].iloc[-1] == "+31 6 12345678"
    column = json.loads(table.proto.columns)[t("list.col.call")]
    assert column["type_config"] == {"type": "link", "display_text": ":material/call:"}
    pick_row(at, "waitlist_table", 5)
    [call] = [e for e in elements(container(at, "waitlist_selected"))
              if e.type == "link_button" and e.proto.url.startswith("tel:")]
    assert (call.proto.label, call.proto.url) == ("+31 6 12345678", "tel:+31-6-12345678")


# -- fill ---------------------------------------------------------------------------------------------
def proposed(at) -> list[int]:
    return [int(key.rsplit("_", 1)[1]) for key in keys_with(at, "fill_proposal_")]


def answer(at, offer_id: int, response: str) -> None:
    """Answer an offer on the Fill page: the answer, then its confirmation."""
    at.button(key=f"fill_{response}_{offer_id}").click().run()
    at.button(key=f"fill_confirm_{offer_id}").click().run()


def test_quota_fill_offers_answers_and_the_next_candidate(login, store, pm, board):
    at = login("program_manager", "fill")
    assert proposed(at) == [board["Amal_entry"], board["Bashir_entry"]], "the waiting list method by default"

    at.radio(key="fill_method").set_value("quota").run()
    assert proposed(at) == [board["Carla_entry"], board["Dina_entry"]]
    carla = main_text(container(at, f"fill_proposal_{board['Carla_entry']}"))
    assert "wacht 1 maand (nummer 3 op de lijst)" in carla
    assert "voegt toe: gender Vrouw: nu 4 van 15, doel minstens 6" in carla
    assert "voegt toe: gender Vrouw: nu 5 van 15, doel minstens 6" in main_text(
        container(at, f"fill_proposal_{board['Dina_entry']}"))

    at.button(key="fill_make_offers").click().run()
    assert values(at.main, "success") == [tn("fill.offers_made", 2)]
    assert proposed(at) == []
    assert t("reason.no_open_places") in values(at.main, "warning")
    made = {o["person_id"]: o["id"] for o in offers.open_offers(store, pm, board["network"])}
    assert set(made) == {board["Carla"], board["Dina"]}
    assert sorted(keys_with(at, "fill_offer_")) == sorted(f"fill_offer_{i}" for i in made.values())

    answer(at, made[board["Carla"]], "accept")
    assert values(at.main, "success") == [t("fill.offer_accepted")]
    assert keys_with(at, "fill_offer_") == [f"fill_offer_{made[board['Dina']]}"]

    answer(at, made[board["Dina"]], "decline")
    assert values(at.main, "success") == [t("fill.offer_declined")]
    assert keys_with(at, "fill_offer_") == []
    assert proposed(at) == [board["Esra_entry"]], "the next candidate by the same method"
    assert "voegt toe: gender Vrouw: nu 5 van 15, doel minstens 6" in main_text(
        container(at, f"fill_proposal_{board['Esra_entry']}"))
    assert count(store, "SELECT count(*) FROM membership WHERE actual_end_date IS NULL") == 14


def snapshot(store) -> list:
    """What answering an offer changes: offers, memberships, waiting-list entries, audit events."""
    with store.read() as cur:
        return [cur.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
                for table in ("offer", "membership", "waitlist_entry", "audit_event")]


def quota_offers_to_carla_and_dina(store, pm, board) -> dict[int, int]:
    """Quota offers to Carla and Dina, made elsewhere (another session, `crm fill --apply`); person → offer id."""
    offers.make(store, pm, board["network"], [board["Carla_entry"], board["Dina_entry"]], "quota")
    return {o["person_id"]: o["id"] for o in offers.open_offers(store, pm, board["network"])}


def test_a_decline_in_a_fresh_session_proposes_the_next_by_the_offers_method(login, store, pm, board):
    made = quota_offers_to_carla_and_dina(store, pm, board)
    offers.respond(store, pm, made[board["Carla"]], "accept")
    at = login("program_manager", "fill")
    assert at.radio(key="fill_method").value == "waitlist", "no decline yet: the default"

    answer(at, made[board["Dina"]], "decline")
    assert values(at.main, "success") == [t("fill.offer_declined")]
    assert at.radio(key="fill_method").value == "quota"
    assert values(at.main, "info") == [t("fill.after_decline", name="Dina Test", method=t("fill.method.quota"))]
    assert proposed(at) == [board["Esra_entry"]], "a woman, though Amal and Bashir waited longer"
    assert "voegt toe: gender Vrouw: nu 5 van 15, doel minstens 6" in main_text(
        container(at, f"fill_proposal_{board['Esra_entry']}"))

    at.button(key="fill_make_offers").click().run()
    assert {o["person_id"]: o["method"] for o in offers.open_offers(store, pm, board["network"])} == {
        board["Esra"]: "quota"}


def test_a_decline_made_elsewhere_sets_the_method_of_a_fresh_session(login, store, pm, board):
    made = quota_offers_to_carla_and_dina(store, pm, board)
    offers.respond(store, pm, made[board["Dina"]], "decline")
    at = login("program_manager", "fill")
    assert at.radio(key="fill_method").value == "quota"
    assert proposed(at) == [board["Esra_entry"]]
    at.radio(key="fill_method").set_value("waitlist").run()
    assert proposed(at) == [board["Amal_entry"]], "the manager may still choose another method"
    assert values(at.main, "info") == []


def test_an_answer_changes_nothing_until_confirmed(login, store, pm, board):
    made = quota_offers_to_carla_and_dina(store, pm, board)
    at = login("program_manager", "fill")
    dina = made[board["Dina"]]
    assert [b.label for b in elements(container(at, f"fill_offer_{dina}")) if b.type == "button"] == [
        t("fill.accept"), t("fill.decline"), t("fill.withdraw")]
    before = snapshot(store)

    at.button(key=f"fill_decline_{dina}").click().run()
    assert snapshot(store) == before, "asking changes nothing"
    offer = container(at, f"fill_offer_{dina}")
    assert values(offer, "warning") == [
        "Het aanbod aan Dina Test voor Klankbordgroep De Stem als afgeslagen vastleggen? Dit kan niet ongedaan worden."]
    assert [b.label for b in elements(offer) if b.type == "button"] == ["Ja, afslaan", "Annuleren"]
    assert values(container(at, f"fill_offer_{made[board['Carla']]}"), "warning") == [], "only the offer asked about"
    at.button(key=f"fill_cancel_{dina}").click().run()
    assert snapshot(store) == before, "cancel changes nothing"
    assert values(at.main, "success") == [] and values(container(at, f"fill_offer_{dina}"), "warning") == []

    at.button(key=f"fill_accept_{dina}").click().run()
    assert snapshot(store) == before
    assert values(container(at, f"fill_offer_{dina}"), "warning") == [t(
        "fill.confirm.accept", name="Dina Test", network="Klankbordgroep De Stem")]
    at.button(key=f"fill_confirm_{dina}").click().run()
    assert values(at.main, "success") == [t("fill.offer_accepted")]
    assert count(store, f"SELECT count(*) FROM membership WHERE person_id = {board['Dina']}") == 1


def test_withdrawing_an_offer_puts_the_person_back_first(login, store, pm, board):
    at = login("program_manager", "fill")
    at.number_input(key="fill_places").set_value(1).run()
    assert proposed(at) == [board["Amal_entry"]]
    at.button(key="fill_make_offers").click().run()
    [offer] = offers.open_offers(store, pm, board["network"])
    assert proposed(at) == [board["Bashir_entry"]]
    answer(at, offer["id"], "withdraw")
    assert values(at.main, "success") == [t("fill.offer_withdrawn")]
    assert proposed(at)[0] == board["Amal_entry"]


def test_a_refused_offer_is_said_plainly(login, store, pm, board):
    at = login("program_manager", "fill")
    # meanwhile another manager fills both places
    offers.make(store, pm, board["network"], [board["Dina_entry"], board["Esra_entry"]], "waitlist")
    at.button(key="fill_make_offers").click().run()
    assert values(at.main, "error") == [t("err.not_enough_places", wanted=2, open=0)]
    assert count(store, "SELECT count(*) FROM offer WHERE status = 'open'") == 2


# -- members ------------------------------------------------------------------------------------------
def test_end_a_membership_early(login, store, pm, board):
    at = login("program_manager", "members")
    frame = next(e for e in elements(at.main) if getattr(e, "key", None) == "members_table").value
    assert len(frame) == 13
    assert values(at.main, "caption")[0] == tn("members.count", 13, places=15)
    first = memberships.members(store, pm, board["network"])[0]
    assert frame[t("list.col.name")].iloc[0] == f"{first['given_name']} Test"
    pick_row(at, "members_table", 0)
    at.radio(key="members_end_reason").set_value("left")
    at.text_input(key="members_end_note").input("Verhuisd")
    at.button(key="members_end_submit").click().run()

    shown, _ = outcome_box(at, "members_actions")
    assert [e.value for e in shown] == [t("members.ended")]
    frame = next(e for e in elements(at.main) if getattr(e, "key", None) == "members_table").value
    assert len(frame) == 12 and not keys_with(at, "members_selected")
    with store.read() as cur:
        assert cur.execute("SELECT actual_end_date, end_reason FROM membership WHERE id = ?", [first["id"]]).fetchone() \
            == (clock.today(), "left")
    [row] = registry.overview(store, pm)
    assert (row.members, row.open_now) == (12, 3)


def test_the_members_page_draws_no_widgets_per_member(login, store, pm, board):
    """A list of any length is one table: no button, radio or text input per row (each widget copies the
    session state; 1,508 alumni with three widgets each took 55 s per rerun)."""
    at = login("program_manager", "members")
    pick_row(at, "members_table", 0)
    assert {w.key for w in at.button} == {"members_end_submit", "app_logout"}
    assert {w.key for w in at.radio} == {"members_end_reason", "app_lang"}
    assert {w.key for w in at.text_input} == {"members_search", "members_end_note"}


# -- the person page's networks section ----------------------------------------------------------------
def test_put_on_a_waiting_list_from_the_person_page(login, store, pm, board):
    newcomer = person(store, pm, "Yasmin", "woman")
    at = login("program_manager", "person", query={"id": str(newcomer)})
    at.selectbox(key="person_waitlist_network").set_value(board["network"])
    at.button(key="person_waitlist_add").click().run()
    assert values(at.main, "success") == [t("person.waitlist_added")]
    assert "Klankbordgroep De Stem" in main_text(at)
    at.button(key="person_waitlist_add").click().run()
    assert values(at.main, "error") == [t("err.already_on_list")]


def test_outreach_sees_no_waiting_list_controls_on_a_person(login, store, pm, board):
    at = login("outreach", "person", query={"id": str(board["Amal"])})
    assert "Klankbordgroep De Stem" in main_text(at)
    with pytest.raises(KeyError):
        at.button(key="person_waitlist_add")


# -- who may open what ---------------------------------------------------------------------------------
@pytest.mark.parametrize("role, reachable", [
    ("program_manager", set(NETWORK_PAGES)), ("admin", set(NETWORK_PAGES)), ("coordinator", {"places"}),
    ("outreach", set()), ("kiosk", set()),
])
def test_which_network_screens_a_role_can_open(login, role, reachable, board):
    at = login(role)
    opened = set()
    for page in NETWORK_PAGES:
        try:
            at.switch_page(f"pages/{page}.py")
        except ValueError:   # not in this role's navigation
            continue
        at.run()
        assert not at.exception
        assert t("app.no_access") not in values(at.main, "error")
        opened.add(page)
    assert opened == reachable


@pytest.mark.parametrize("role", ["outreach", "kiosk", "coordinator"])
@pytest.mark.parametrize("page", ["fill", "waitlist", "members", "networks"])
def test_a_network_page_opened_directly_refuses_other_roles(staff, role, page):
    at = new_app(str(PAGES_DIR / f"{page}.py"))
    sign_in(at, staff[role].as_user())
    first_run(at)
    assert [(e.type, e.value) for e in elements(at.main)] == [("error", t("app.no_access"))]
