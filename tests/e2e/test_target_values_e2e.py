"""Target values in Chromium: a target value stored by an older version (`gender = vrouw`, not a code) breaks
neither Open places nor Fill, and the targets editor offers the values by name ("Vrouw") and saves the code.

The store is prepared before the server starts (DuckDB: one process per file): two networks, both holding the
bad target; the second also a valid one, and three people waiting for it.
"""
from __future__ import annotations

import pytest
from e2e_kit import (
    DESKTOP,
    PASSWORD,
    TIMEOUT_MS,
    Server,
    add_user,
    choose,
    copy_store,
    key,
    log_in,
    main_area,
    pick_row,
    press,
    t,
    type_into,
)
from playwright.sync_api import expect

from crm_app.access.audit import CLI_OPERATOR
from crm_app.core.store import Store
from crm_app.networks import registry, waitlists
from crm_app.networks.registry import NetworkInput, TargetInput
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput

pytestmark = pytest.mark.e2e

MANAGER = ("pim", "Pim Programma")
FIRST, BOARD = "Adviesraad Alfa", "Klankbordgroep De Stem"
UNKNOWN = "onbekende waarde 'vrouw'"


def prepare(path) -> dict[str, int]:
    store = Store(path)
    try:
        add_user(store, MANAGER[0], MANAGER[1], "program_manager", PASSWORD)
        first = registry.save(store, CLI_OPERATOR, NetworkInput(FIRST, "advisory_council", 0, 10))
        board = registry.save(store, CLI_OPERATOR, NetworkInput(BOARD, "sounding_board", 0, 10),
                              [TargetInput("gender", "woman", "count", "2", None)])
        store.write(lambda cur: cur.execute(   # as an older version could have stored it
            "INSERT INTO network_target (network_id, dimension, dim_value, measure, min_value) "
            "SELECT id, 'gender', 'vrouw', 'share', 0.4 FROM network"))
        for given, gender in (("Amal", "man"), ("Carla", "woman"), ("Dina", "woman")):
            person_id = persons.register(store, CLI_OPERATOR, PersonInput(
                given_name=given, family_name="Test", consent_contact=True, consent_diversity_statistics=True,
                gender=gender), SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id
            waitlists.add(store, CLI_OPERATOR, board, person_id)
        return {"first": first, "board": board}
    finally:
        store.close()


@pytest.fixture
def target_server(e2e_dir, template_store):
    db = e2e_dir / "targets.duckdb"
    copy_store(template_store, db)
    ids = prepare(db)
    srv = Server(db, e2e_dir / "targets.log")
    srv.ids = ids
    yield srv
    srv.stop()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(**DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def go(page, title_key: str, heading_key: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t(title_key), exact=True).click()
    expect(page.get_by_role("heading", name=t(heading_key))).to_be_visible()


def test_a_stored_unknown_value_breaks_neither_open_places_nor_fill(desktop, target_server):
    page = desktop
    log_in(page, target_server.url, MANAGER[0])
    expect(page.get_by_role("heading", name=t("home.welcome", name=MANAGER[1]))).to_be_visible()

    go(page, "nav.places", "places.title")
    for row, name in enumerate(("first", "board")):   # one table; the picked network's details below it
        pick_row(page, "places_table", row)
        card = key(page, f"places_network_{target_server.ids[name]}")
        expect(card).to_be_visible()
        expect(card).to_contain_text(f"Gender {UNKNOWN}")
    expect(key(page, f"places_network_{target_server.ids['board']}")).to_contain_text("Gender Vrouw: minstens 2")
    expect(main_area(page).get_by_test_id("stException")).to_have_count(0)
    expect(main_area(page).get_by_test_id("stAlertContentError")).to_have_count(0)

    key(page, f"places_network_{target_server.ids['board']}").get_by_role("link", name=t("places.fill_link")).click()
    expect(page.get_by_role("heading", name=t("fill.title"))).to_be_visible()
    key(page, "fill_method").get_by_text(t("fill.method.quota"), exact=True).click()
    expect(key(page, "fill_method").get_by_role("radio", name=t("fill.method.quota"))).to_be_checked()
    proposals = main_area(page).locator("[class*='st-key-fill_proposal_']")
    expect(proposals).to_have_count(3)
    expect(proposals.first).to_contain_text("Carla Test")
    expect(main_area(page)).to_contain_text(UNKNOWN)
    expect(main_area(page).get_by_test_id("stException")).to_have_count(0)


def test_the_target_picker_saves_the_code_of_the_chosen_name(desktop, target_server):
    page = desktop
    log_in(page, target_server.url, MANAGER[0])
    expect(page.get_by_role("heading", name=t("home.welcome", name=MANAGER[1]))).to_be_visible()
    go(page, "nav.networks", "networks.title")
    type_into(page, "networks_name", "Klankbord Oost")
    type_into(page, "networks_max_places", "12")
    choose(page, "networks_target_value", "Vrou", "Vrouw")
    choose(page, "networks_target_measure", "perc", "percentage van de plaatsen")
    type_into(page, "networks_target_min", "40%")
    press(page, "networks_target_add")
    expect(main_area(page)).to_contain_text("1. Gender Vrouw · percentage van de plaatsen · minimum 40%")
    press(page, "networks_save")
    expect(page.get_by_text(t("networks.saved")).first).to_be_visible()   # beside the button, and as a toast

    go(page, "nav.places", "places.title")
    type_into(page, "places_search", "oost")   # the only row left: its details show
    expect(main_area(page).locator("[class*='st-key-places_network_']").filter(has_text="Klankbord Oost")) \
        .to_contain_text("Gender Vrouw: minstens 5 (40% van 12)")
