"""Text that came from a person stays text on every screen: no link, image or formula made from it, and no
request to another host. Every text field of a store holds Markdown that would otherwise render as a
tracking pixel (`![x](http://…)`), a phishing link (`[…](https://…)`), a formula (`$$…$$`) or colour;
each role then opens every screen of its navigation in Chromium, plus the pages that show one record."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest
from e2e_kit import (
    DESKTOP,
    PASSWORD,
    TIMEOUT_MS,
    Server,
    add_user,
    copy_store,
    go,
    key,
    log_in,
    session_cookie,
    settled,
    t,
    type_into,
    wait_for,
)
from playwright.sync_api import expect

from crm_app.access.audit import CLI_OPERATOR
from crm_app.core import clock
from crm_app.core.store import Store
from crm_app.networks import offers, registry, waitlists
from crm_app.people import activities, persons, sources
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput

pytestmark = [pytest.mark.e2e, pytest.mark.slow]   # long walks start first: no long tail

EVIL = "evil.example"
PIXEL = f"![x](http://{EVIL}/p.png)"
LINK = f"[Sessie verlopen log opnieuw in](https://{EVIL}/login)"
FORMULA = "$$x^y$$"
COLOUR = ":red[Rood]"
STAFF = {"admin": ("ada", f"Ada {LINK}"), "program_manager": ("pim", f"Pim {PIXEL}"),
         "coordinator": ("cor", f"Cor {FORMULA}"), "outreach": ("otto", f"Otto {COLOUR}")}


@pytest.fixture(scope="module")
def hostile(e2e_dir, template_store):
    db = e2e_dir / "hostile.duckdb"
    copy_store(template_store, db)
    store = Store(db)
    try:
        for role, (username, display) in STAFF.items():
            add_user(store, username, display, role, PASSWORD)
        board = registry.save(store, CLI_OPERATOR, registry.NetworkInput(
            name=f"Raad {LINK}", kind="sounding_board", min_places=0, max_places=3, term_months=12,
            max_consecutive_terms=2, rest_months=12, meeting_cadence="monthly"))
        ids = []
        for given, family in ((PIXEL, LINK), (LINK, FORMULA), (COLOUR, PIXEL)):
            ids.append(persons.register(store, CLI_OPERATOR, PersonInput(
                given_name=given, family_name=family, consent_contact=True, note=f"{FORMULA} {COLOUR} {LINK}"),
                SourceInput(kind="coach_referral", source_name=LINK, source_org=PIXEL), confirmed_new=True).person_id)
            sources.add_source(store, CLI_OPERATOR, ids[-1], SourceInput(kind="market", source_name=PIXEL))
            activities.log(store, CLI_OPERATOR, ids[-1], "call", f"{PIXEL} {LINK}", follow_up=clock.today())
        entries = [waitlists.add(store, CLI_OPERATOR, board, person) for person in ids]
        accepted = offers.make(store, CLI_OPERATOR, board, entries[:1], "waitlist")
        offers.respond(store, CLI_OPERATOR, accepted[0], "accept")
        offers.make(store, CLI_OPERATOR, board, entries[1:2], "waitlist")
    finally:
        store.close()
    srv = Server(db, e2e_dir / "hostile.log")
    srv.person_ids, srv.board = ids, board
    yield srv
    srv.stop()


def made_from_stored_text(page) -> list[str]:
    """Links and images that point at the hostile host, and formulas rendered on the page."""
    return page.evaluate(f"""() => [
        ...[...document.querySelectorAll('a[href*="{EVIL}"]')].map(a => 'link ' + a.href),
        ...[...document.querySelectorAll('img[src*="{EVIL}"]')].map(i => 'image ' + i.src),
        ...[...document.querySelectorAll('.katex')].map(k => 'formula ' + k.textContent)]""")


def visit(page, path: str | None = None) -> None:
    if path:
        go(page, path)
        expect(key(page, "app_logout")).to_be_visible()   # the app has run for this address (not a blank shell)
    settled(page)
    charts = page.get_by_test_id("stVegaLiteChart")
    for index in range(charts.count()):          # charts draw after the script run ends
        expect(charts.nth(index).locator("svg").first).to_be_attached()


# The administrator opens every staff screen (also the program manager's and the coordinator's), outreach
# the phone-first ones with its own start page; the other two roles see the same screens with less on them.
@pytest.mark.parametrize("role", ["admin", "outreach"])
def test_every_screen_shows_stored_markdown_as_text(browser, hostile, role):
    context = browser.new_context(**DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    elsewhere: list[str] = []
    context.on("request", lambda request: elsewhere.append(request.url)
               if urlparse(request.url).hostname not in ("127.0.0.1", "localhost") else None)
    page = context.new_page()
    username, _ = STAFF[role]
    log_in(page, hostile.url, username)
    expect(key(page, "app_logout")).to_be_visible()
    wait_for(lambda: session_cookie(context) is not None)   # every page below is opened by its address
    found: dict[str, list[str]] = {}
    nav = page.get_by_test_id("stSidebarNav").get_by_role("link")
    screens = [urlparse(nav.nth(i).get_attribute("href")).path.strip("/") for i in range(nav.count())]
    record_pages = [f"person?id={hostile.person_ids[0]}"] + [   # another role's page would say "Page not found"
        f"{screen}?network={hostile.board}" for screen in ("waitlist", "members", "fill", "rotation") if screen in screens]
    for url in screens + record_pages:
        visit(page, url)
        for expander in page.locator("[data-testid='stExpander'] summary:visible").all()[:10]:
            expander.click()
        if made := made_from_stored_text(page):
            found[url] = made
    if role in ("outreach", "program_manager", "admin"):      # the duplicate warning names the stored person
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav.register"), exact=True).click()
        expect(key(page, "register_given_name")).to_be_visible()
        type_into(page, "register_given_name", PIXEL)
        type_into(page, "register_family_name", LINK)
        key(page, "register_submit").locator("button").click()
        visit(page)
        if made := made_from_stored_text(page):
            found["register (duplicate warning)"] = made
    context.close()
    assert found == {}
    assert elsewhere == []
