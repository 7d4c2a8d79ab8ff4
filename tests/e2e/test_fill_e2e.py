"""A program manager fills the two open places of a sounding board in Chromium, against a real server.

The store is prepared with the crm_app services before the server starts (DuckDB: one process per
file): Klankbordgroep De Stem, 15 places, 13 members (4 women), target "women at least 40 %", and
five people waiting. Quota proposes Carla and Dina (women, though Amal and Bashir waited longer);
Carla accepts, Dina declines — each answer confirmed first — and Esra is proposed next, by the declined
offer's method although the page was opened afresh on the waiting-list method. The open-places
overview follows along.
"""
from __future__ import annotations

import datetime as dt

import pytest
from e2e_kit import (
    DESKTOP,
    PASSWORD,
    TIMEOUT_MS,
    Server,
    add_user,
    copy_store,
    key,
    log_in,
    main_area,
    press,
    screenshot,
    shows,
    t,
    tn,
)
from playwright.sync_api import expect

from crm_app.access.audit import CLI_OPERATOR
from crm_app.core import clock
from crm_app.core.store import Store
from crm_app.networks import offers, registry, waitlists
from crm_app.networks.registry import NetworkInput, TargetInput
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput

pytestmark = pytest.mark.e2e

MANAGER = ("pim", "Pim Programma")
BOARD = "Klankbordgroep De Stem"
MEMBERS = (("Fatima", "Amrani", "woman"), ("Goli", "Rezaei", "woman"), ("Hana", "Tesfay", "woman"),
           ("Iman", "Haddad", "woman"), ("Jamal", "Yousef", "man"), ("Karim", "Bakr", "man"),
           ("Latif", "Noori", "man"), ("Majid", "Karimi", "man"), ("Nabil", "Saleh", "man"),
           ("Omar", "Hassan", "man"), ("Rami", "Aziz", "man"), ("Said", "Mansour", "man"),
           ("Tarek", "Darwish", "man"))
WAITING = (("Amal", "Kassem", "man"), ("Bashir", "Ahmadi", "man"), ("Carla", "Mendes", "woman"),
           ("Dina", "Petrenko", "woman"), ("Esra", "Yilmaz", "woman"))


def prepare(path) -> None:
    store = Store(path)
    try:
        add_user(store, MANAGER[0], MANAGER[1], "program_manager", PASSWORD)
        pm = CLI_OPERATOR

        def person(given, family, gender):
            return persons.register(store, pm, PersonInput(
                given_name=given, family_name=family, consent_contact=True, consent_diversity_statistics=True,
                gender=gender), SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id

        start = clock.utcnow() - dt.timedelta(days=160)   # the waiting joined 150..70 days ago: no check due yet
        clock.freeze(start)
        network_id = registry.save(store, pm, NetworkInput(BOARD, "sounding_board", 15, 15),
                                   [TargetInput("gender", "woman", "share", "40%", None)])
        members = [person(*m) for m in MEMBERS]
        made = offers.make(store, pm, network_id, [waitlists.add(store, pm, network_id, p) for p in members],
                           "waitlist")
        for offer_id in made:
            offers.respond(store, pm, offer_id, "accept")
        for days, spec in enumerate(WAITING):
            clock.freeze(start + dt.timedelta(days=10 + 20 * days))
            waitlists.add(store, pm, network_id, person(*spec))
    finally:
        clock.freeze(None)
        store.close()


@pytest.fixture
def fill_server(e2e_dir, template_store):
    db = e2e_dir / "fill.duckdb"
    copy_store(template_store, db)
    prepare(db)
    srv = Server(db, e2e_dir / "fill.log")
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


def choose_quota(page) -> None:
    key(page, "fill_method").get_by_text(t("fill.method.quota"), exact=True).click()
    expect(key(page, "fill_method").get_by_role("radio", name=t("fill.method.quota"))).to_be_checked()


def card(page):
    return main_area(page).locator("[class*='st-key-places_network_']").filter(has_text=BOARD)


def metric(block, label_key: str):
    return block.get_by_test_id("stMetric").filter(has_text=t(label_key)).get_by_test_id("stMetricValue")


def expect_places(page, open_now: int, on_offer: int) -> None:
    go(page, "nav.places", "places.title")
    expect(metric(card(page), "places.open_now")).to_have_text(str(open_now))
    expect(metric(card(page), "places.on_offer")).to_have_text(str(on_offer))
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()


def proposals(page):
    return main_area(page).locator("[class*='st-key-fill_proposal_']")


def offer_of(page, name: str):
    return main_area(page).locator("[class*='st-key-fill_offer_']").filter(has_text=name)


def answer(page, name: str, response: str) -> None:
    """An answer to an offer: the action, then its confirmation (the question names the person and the board)."""
    offer_of(page, name).get_by_role("button", name=t(f"fill.{response}"), exact=True).click()
    expect(offer_of(page, name)).to_contain_text(t(f"fill.confirm.{response}", name=name, network=BOARD))
    offer_of(page, name).get_by_role("button", name=t(f"fill.confirm_yes.{response}"), exact=True).click()


def test_fill_two_places_one_accepts_one_declines_the_next_is_proposed(desktop, fill_server):
    page = desktop
    log_in(page, fill_server.url, MANAGER[0])
    expect(page.get_by_role("heading", name=t("home.welcome", name=MANAGER[1]))).to_be_visible()

    # the overview: 13 of 15, two places open, below the minimum, the women target short
    expect_places(page, open_now=2, on_offer=0)
    expect(card(page)).to_contain_text(t("places.below_min_text", min=15))
    expect(card(page)).to_contain_text(t("target.short"))
    screenshot(page, "places")

    card(page).get_by_role("link", name=t("places.fill_link")).click()
    expect(page.get_by_role("heading", name=t("fill.title"))).to_be_visible()
    expect(proposals(page)).to_have_count(2)
    expect(proposals(page).first).to_contain_text("Amal Kassem")            # waiting list: longest first

    choose_quota(page)
    expect(proposals(page)).to_have_count(2)
    expect(proposals(page).nth(0)).to_contain_text("Carla Mendes")
    expect(proposals(page).nth(0)).to_contain_text("voegt toe: gender Vrouw: nu 4 van 15, doel minstens 6")
    expect(proposals(page).nth(1)).to_contain_text("Dina Petrenko")
    expect(proposals(page).nth(1)).to_contain_text("nu 5 van 15")
    screenshot(page, "fill")

    press(page, "fill_make_offers")
    expect(main_area(page).get_by_text(tn("fill.offers_made", 2)).first).to_be_visible()   # also as a toast
    expect(proposals(page)).to_have_count(0)
    expect(offer_of(page, "Carla Mendes")).to_have_count(1)
    expect(offer_of(page, "Dina Petrenko")).to_have_count(1)

    expect_places(page, open_now=0, on_offer=2)

    go(page, "nav.fill", "fill.title")                                       # afresh: the waiting-list method
    expect(key(page, "fill_method").get_by_role("radio", name=t("fill.method.waitlist"))).to_be_checked()
    offer_of(page, "Carla Mendes").get_by_role("button", name=t("fill.accept"), exact=True).click()
    offer_of(page, "Carla Mendes").get_by_role("button", name=t("fill.confirm_cancel")).click()   # changes nothing
    expect(offer_of(page, "Carla Mendes").get_by_role("button", name=t("fill.accept"), exact=True)).to_be_visible()
    answer(page, "Carla Mendes", "accept")
    expect(main_area(page).get_by_text(t("fill.offer_accepted")).first).to_be_visible()   # also as a toast
    expect(offer_of(page, "Carla Mendes")).to_have_count(0)

    answer(page, "Dina Petrenko", "decline")
    expect(main_area(page).get_by_text(t("fill.offer_declined")).first).to_be_visible()   # also as a toast
    expect(key(page, "fill_method").get_by_role("radio", name=t("fill.method.quota"))).to_be_checked()
    shows(page, t("fill.after_decline", name="Dina Petrenko", method=t("fill.method.quota")))
    expect(offer_of(page, "Dina Petrenko")).to_have_count(0)
    expect(proposals(page)).to_have_count(1)
    expect(proposals(page).first).to_contain_text("Esra Yilmaz")              # the next woman in line
    expect(proposals(page).first).to_contain_text("nu 5 van 15")
    screenshot(page, "fill_next")

    expect_places(page, open_now=1, on_offer=0)
