"""A long list on a phone (390×844, touch): the waiting list is one table; a program manager taps a person in
it, calls them with the tel: link, takes them off the list, and sees the outcome beside the button.

The store is prepared before the server starts (DuckDB: one process per file): one sounding board with
three people waiting, each with a Dutch mobile number.
"""
from __future__ import annotations

import pytest
from e2e_kit import PASSWORD, Server, add_user, copy_store, key, log_in, main_area, pick_row, t, type_into, wait_for
from playwright.sync_api import expect
from test_e2e_feedback_phone import comes_into_view, focus_is_in, tap_save
from test_e2e_outreach_phone import open_screen

from crm_app.access.audit import CLI_OPERATOR
from crm_app.core.store import Store
from crm_app.networks import registry, waitlists
from crm_app.networks.registry import NetworkInput
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput

pytestmark = pytest.mark.e2e

MANAGER = ("pim", "Pim Programma")
WAITING = (("Amal", "06 11111111"), ("Bashir", "06 22222222"), ("Carla", "06 33333333"))


def prepare(path) -> None:
    store = Store(path)
    try:
        add_user(store, MANAGER[0], MANAGER[1], "program_manager", PASSWORD)
        board = registry.save(store, CLI_OPERATOR, NetworkInput("Klankbordgroep De Stem", "sounding_board", 0, 10))
        for given, phone in WAITING:
            person_id = persons.register(store, CLI_OPERATOR, PersonInput(
                given_name=given, family_name="Test", phone=phone, consent_contact=True),
                SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id
            waitlists.add(store, CLI_OPERATOR, board, person_id)
    finally:
        store.close()


@pytest.fixture
def list_server(e2e_dir, template_store):
    db = e2e_dir / "lists.duckdb"
    copy_store(template_store, db)
    prepare(db)
    srv = Server(db, e2e_dir / "lists.log")
    yield srv
    srv.stop()


def test_pick_a_waiting_person_on_a_phone_call_and_take_them_off_with_the_outcome_beside_the_button(phone, list_server):
    page = phone
    log_in(page, list_server.url, MANAGER[0])
    expect(page.get_by_role("heading", name=t("home.welcome", name=MANAGER[1]))).to_be_visible()
    open_screen(page, "nav.waitlist")
    expect(page.get_by_role("heading", name=t("waitlist.title"))).to_be_visible()
    expect(key(page, "waitlist_selected")).to_have_count(0)          # nothing picked: no actions yet

    pick_row(page, "waitlist_table", 1)
    area = key(page, "waitlist_selected")
    expect(area.get_by_role("heading")).to_have_text("2. Bashir Test")
    expect(area.get_by_role("link", name="+31 6 22222222")).to_have_attribute("href", "tel:+31-6-22222222")

    tap_save(page, "waitlist_end_submit")                             # no reason yet
    box = key(page, "waitlist_actions_feedback")
    comes_into_view(box.get_by_text(f"{t('waitlist.end_reason')}: {t('err.required')}"))
    wait_for(lambda: focus_is_in(page, "waitlist_end_reason"), timeout=5)

    type_into(page, "waitlist_end_reason", "Heeft werk gevonden")
    tap_save(page, "waitlist_end_submit")
    comes_into_view(box.get_by_text(t("waitlist.ended")))
    expect(key(page, "waitlist_selected")).to_have_count(0)          # Bashir is gone; nobody picked in his place
    expect(main_area(page)).to_contain_text(t("waitlist.summary", waiting=2, due=0))
