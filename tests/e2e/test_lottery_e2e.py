"""A program manager draws the open places of a sounding board by lot in Chromium, against a real server.

The store is prepared with the crm_app services before the server starts (DuckDB: one process per file):
Klankbord Loting, 3 places, target "at least 2 women", six people waiting (three women). On Fill the
manager chooses the lottery, sees the smallest chance and every candidate's chance, sets the seed and
sees the group drawn: the group the service draws with that seed.
"""
from __future__ import annotations

import pytest
from e2e_kit import DESKTOP, PASSWORD, TIMEOUT_MS, Server, key, log_in, main_area, screenshot, settled, t, tn
from playwright.sync_api import expect

from crm_app.access import users
from crm_app.access.audit import CLI_OPERATOR
from crm_app.core.fields import display_name
from crm_app.core.store import Store
from crm_app.networks import reasons, registry, selection, waitlists
from crm_app.networks.registry import NetworkInput, TargetInput
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput

pytestmark = pytest.mark.e2e

MANAGER = ("lotte", "Lotte Loting")
WAITING = (("Amal", "Kassem", "man"), ("Bashir", "Ahmadi", "man"), ("Carla", "Mendes", "woman"),
           ("Dina", "Petrenko", "woman"), ("Esra", "Yilmaz", "woman"), ("Farid", "Noori", "man"))
SEED = 77


@pytest.fixture
def lottery_server(e2e_dir, template_store):
    """The server, and what the service draws with SEED (computed before the server holds the file)."""
    db = e2e_dir / "lottery.duckdb"
    db.write_bytes(template_store.read_bytes())
    store = Store(db)
    try:
        users.add(store, CLI_OPERATOR, MANAGER[0], MANAGER[1], "program_manager", PASSWORD)
        network_id = registry.save(store, CLI_OPERATOR, NetworkInput("Klankbord Loting", "sounding_board", 0, 3),
                                   [TargetInput("gender", "woman", "count", "2", None)])
        for given, family, gender in WAITING:
            person_id = persons.register(store, CLI_OPERATOR, PersonInput(
                given_name=given, family_name=family, consent_contact=True, consent_diversity_statistics=True,
                gender=gender), SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id
            waitlists.add(store, CLI_OPERATOR, network_id, person_id)
        plan = selection.propose(store, CLI_OPERATOR, network_id, None, "lottery", seed=SEED)
    finally:
        store.close()
    srv = Server(db, e2e_dir / "lottery.log")
    yield srv, plan
    srv.stop()


def test_the_manager_sees_the_chances_and_draws_a_group_with_a_seed(browser, lottery_server):
    srv, plan = lottery_server
    context = browser.new_context(**DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        log_in(page, srv.url, MANAGER[0])
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav.fill"), exact=True).click()
        expect(page.get_by_role("heading", name=t("fill.title"))).to_be_visible()
        settled(page)                       # the screen's first run is over: a click now is not lost in it
        key(page, "fill_method").get_by_text(t("fill.method.lottery"), exact=True).click()
        expect(key(page, "fill_method").get_by_role("radio", name=t("fill.method.lottery"))).to_be_checked()
        settled(page)

        seed = key(page, "fill_seed").locator("input")
        seed.fill(str(SEED))
        seed.press("Enter")
        shown = plan.draw.distribution
        minimum = reasons.percent(shown.minimum, "nl")
        expect(main_area(page).get_by_text(tn("fill.lottery.summary", shown.panel_count, minimum=minimum,
                                              seed=SEED))).to_be_visible()
        main_area(page).get_by_text(t("fill.lottery.chances")).click()
        expect(main_area(page).get_by_test_id("stDataFrame")).to_be_visible()   # each candidate's chance

        drawn = main_area(page).locator("[class*='st-key-fill_proposal_']")
        expect(drawn).to_have_count(3)
        for index, proposal in enumerate(plan.proposals):
            expect(drawn.nth(index)).to_contain_text(display_name(proposal.candidate.given_name,
                                                                  proposal.candidate.family_name))
        expect(key(page, "fill_make_offers")).to_be_visible()
        screenshot(page, "fill_lottery")
    finally:
        context.close()
