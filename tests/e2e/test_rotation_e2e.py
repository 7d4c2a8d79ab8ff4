"""The program manager sees the seat timeline and the forecast and confirms a renewal, in Chromium.

The store is prepared with the crm_app services before the server starts: Klankbordgroep De Stem
(8 places, 12-month terms, at most 2) with an alumni network; six members seated at different
times, so three terms end within 60 days (one of them in its last term), one offer in flight.
"""
from __future__ import annotations

import datetime as dt

import pytest
from e2e_kit import PASSWORD, TIMEOUT_MS, Server, add_user, copy_store, key, log_in, main_area, screenshot, t, type_into
from playwright.sync_api import expect

from crm_app.access.audit import CLI_OPERATOR
from crm_app.core import clock
from crm_app.core.store import Store
from crm_app.networks import offers, registry, waitlists
from crm_app.networks.registry import NetworkInput
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput

pytestmark = pytest.mark.e2e

MANAGER = ("pim", "Pim Programma")
BOARD = "Klankbordgroep De Stem"
MEMBERS = ((("Fatima", "Amrani"), 340), (("Goli", "Rezaei"), 320), (("Hana", "Tesfay"), 250),
           (("Jamal", "Yousef"), 180), (("Karim", "Bakr"), 120), (("Latif", "Noori"), 60))
WIDE = {"viewport": {"width": 1400, "height": 900}, "locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}


def prepare(path) -> dict:
    store = Store(path)
    ids = {}
    try:
        add_user(store, MANAGER[0], MANAGER[1], "program_manager", PASSWORD)
        pm = CLI_OPERATOR
        now = clock.utcnow()

        def person(given, family):
            return persons.register(store, pm, PersonInput(given_name=given, family_name=family, consent_contact=True),
                                    SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id

        clock.freeze(now - dt.timedelta(days=400))
        alumni_id = registry.save(store, pm, NetworkInput("Alumni Netwerk", "alumni_network", 0, 40, 36, 1, 0,
                                                          "quarterly"))
        board = registry.save(store, pm, NetworkInput(BOARD, "sounding_board", 0, 8, 12, 2, 12, "monthly", alumni_id))
        for (given, family), days_ago in MEMBERS:
            clock.freeze(now - dt.timedelta(days=days_ago))
            pid = person(given, family)
            made = offers.make(store, pm, board, [waitlists.add(store, pm, board, pid)], "waitlist")
            ids[given] = offers.respond(store, pm, made[0], "accept")["membership_id"]
        clock.freeze(now - dt.timedelta(days=3))
        waiting = person("Esra", "Yilmaz")
        offers.make(store, pm, board, [waitlists.add(store, pm, board, waiting)], "waitlist")
        # Goli is in her second (last) term
        store.write(lambda cur: cur.execute("UPDATE membership SET term_number = 2 WHERE id = ?", [ids["Goli"]]))
    finally:
        clock.freeze(None)
        store.close()
    return ids


@pytest.fixture
def rotation_server(e2e_dir, template_store):
    db = e2e_dir / "rotation.duckdb"
    copy_store(template_store, db)
    ids = prepare(db)
    srv = Server(db, e2e_dir / "rotation.log")
    yield srv, ids
    srv.stop()


@pytest.fixture
def wide(browser):
    context = browser.new_context(**WIDE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def test_the_manager_sees_the_timeline_and_forecast_and_confirms_a_renewal(wide, rotation_server):
    server, ids = rotation_server
    page = wide
    log_in(page, server.url, MANAGER[0])
    expect(page.get_by_role("heading", name=t("home.welcome", name=MANAGER[1]))).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav.rotation"), exact=True).click()
    expect(page.get_by_role("heading", name=t("rotation.title"), exact=True)).to_be_visible()

    # ending within 60 days: Fatima (renewal to confirm) and Goli (last term) in one table; a search picks one
    expect(key(page, "rotation_table")).to_be_visible()
    type_into(page, "rotation_search", "Goli")
    expect(key(page, "rotation_selected")).to_contain_text(t("rotation.status.last_term"))
    type_into(page, "rotation_search", "Jamal")
    expect(key(page, "rotation_selected")).to_have_count(0)       # his term ends later: not in the table
    type_into(page, "rotation_search", "Fatima")
    fatima = key(page, "rotation_selected")
    expect(fatima).to_contain_text("Fatima Amrani")
    expect(fatima).to_contain_text(t("rotation.status.renewal_proposed"))

    # the seat timeline (a chart with its table beside it) and the 12-month forecast
    charts = main_area(page).get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(2)                      # the timeline and the forecast
    expect(charts.first).to_be_visible()
    expect(charts.nth(1)).to_be_visible()
    tables = main_area(page).get_by_test_id("stDataFrame")
    expect(tables).to_have_count(3)                      # the ending terms, and the charts' numbers beside them
    expect(charts.first).to_contain_text("Fatima Amrani")
    expect(charts.nth(1)).to_contain_text(t("rotation.col.certain"))
    expect(key(page, "rotation_timeline_download")).to_be_visible()
    charts.first.scroll_into_view_if_needed()
    screenshot(page, "rotation_timeline")

    key(page, "rotation_note").locator("input").fill("Wil graag een tweede termijn")
    key(page, "rotation_note").locator("input").blur()
    key(page, "rotation_confirm").locator("button").click()
    expect(key(page, "rotation_actions_feedback")).to_contain_text(t("rotation.flash.confirmed"))
    expect(key(page, "rotation_selected")).to_contain_text(t("rotation.status.renewal_confirmed"))
    expect(key(page, "rotation_confirm")).to_have_count(0)
