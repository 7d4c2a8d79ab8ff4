"""Readable and usable in Chromium, on the demo data: the phone keypad, no built-in table download,
headings that fit a phone (text contrast is checked on the walk of tests/e2e/test_dutch_screens_e2e.py).

They walk the shared server on the demo data (the `demo_server` fixture).
"""
from __future__ import annotations

import pytest
from e2e_kit import DESKTOP, PHONE, TIMEOUT_MS, Server, go, key, main_area, pick_row, settled, t
from playwright.sync_api import Page, expect

from crm_app.demo.fill import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.slow]   # long walks start first: no long tail

# The screens a program manager walks (url paths).
MANAGER_SCREENS = ("register", "find", "places", "fill", "waitlist", "members", "alumni", "rotation", "dashboards")


@pytest.fixture
def new_page(browser):
    """A page in a fresh browser context (its own cookies: its own login), desktop or phone."""
    contexts = []

    def make(profile: dict = DESKTOP) -> Page:
        context = browser.new_context(**profile)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()
    yield make
    for context in contexts:
        context.close()


def log_in(page: Page, server: Server, username: str) -> None:
    page.goto(server.url)
    key(page, "login_username").locator("input").fill(username)
    key(page, "login_password").locator("input").fill(DEMO_PASSWORD)
    key(page, "login_submit").locator("button").click()
    expect(key(page, "login_submit")).to_have_count(0)
    settled(page)


def open_screen(page: Page, path: str) -> None:
    go(page, path)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def first_person_path(page: Page) -> str:
    open_screen(page, "find")
    key(page, "find_query").locator("input").fill("a")
    key(page, "find_query").locator("input").press("Enter")
    pick_row(page, "find_table", 0)   # the results are a table: the picked person's link shows below it
    href = key(page, "find_selected").locator("a[href*='person?id=']").first.get_attribute("href")
    return "person?id=" + href.split("person?id=")[1]


# -- the telephone keypad ------------------------------------------------------------------------------
def has_the_telephone_keypad(page: Page, widget_key: str) -> None:
    expect(key(page, widget_key).locator("input")).to_have_attribute("inputmode", "tel")


def test_phone_fields_bring_up_the_telephone_keypad(new_page, demo_server):
    page = new_page(PHONE)
    log_in(page, demo_server, "manager")
    open_screen(page, "register")
    has_the_telephone_keypad(page, "register_phone")
    open_screen(page, first_person_path(page))
    has_the_telephone_keypad(page, "person_phone")
    # through the app's own navigation (no page load): the field is drawn anew and still gets it
    page.get_by_test_id("stExpandSidebarButton").click()       # the collapsed sidebar is hidden on a phone
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav.register"), exact=True).click()
    expect(main_area(page).get_by_role("heading", name=t("register.title"))).to_be_visible()
    has_the_telephone_keypad(page, "register_phone")
    expect(key(page, "register_email").locator("input")).not_to_have_attribute("inputmode", "tel")
    open_screen(page, "kiosk_start")                  # a kiosk's PIN is digits: the number pad
    expect(key(page, "kiosk_start_pin").locator("input")).to_have_attribute("inputmode", "numeric")

    kiosk = new_page(PHONE)
    log_in(kiosk, demo_server, "kiosk")
    open_screen(kiosk, "self_register")
    key(kiosk, "kiosk_lang_nl").locator("button").dispatch_event("click")   # the kiosk starts at its language chooser
    has_the_telephone_keypad(kiosk, "kiosk_phone")


# -- no built-in table download ------------------------------------------------------------------------
def toolbar_labels(page: Page, table) -> list[str]:
    """The buttons on a table's toolbar, which shows on hover."""
    table.scroll_into_view_if_needed()
    table.hover()
    buttons = table.get_by_test_id("stElementToolbar").get_by_role("button")
    expect(buttons.first).to_be_visible()
    return [button.get_attribute("aria-label") or button.inner_text() for button in buttons.all()]


def test_tables_with_names_offer_no_download_of_their_own(new_page, demo_server):
    """Streamlit's own CSV download would bypass the audited, formula-safe export (alumni, the seat
    timeline and open places here; the setting is app-wide)."""
    page = new_page()
    log_in(page, demo_server, "manager")
    seen = {}
    for path in ("alumni", "rotation", "places"):
        open_screen(page, path)
        tables = main_area(page).get_by_test_id("stElementContainer").filter(has=page.get_by_test_id("stDataFrame"))
        expect(tables.first).to_be_visible()
        for index, table in enumerate(tables.all()):
            if table.is_visible():   # not one in a closed expander (the referrals to link on Alumni)
                seen[f"{path} {index}"] = toolbar_labels(page, table)
    assert len(seen) >= 4 and not [labels for labels in seen.values() if any("download" in x.lower() for x in labels)], seen


# -- headings on a phone ---------------------------------------------------------------------------------
# No heading sticks out, and each word stays on one line: the line of every letter is compared with
# the next one's (the last box of a one-letter range: at a soft-hyphen break the first box is the
# drawn hyphen). A change of line between two letters of a word is a mid-word break, unless it is at
# a soft hyphen (U+00AD) or after a hyphen, where the word is meant to break.
SPLIT_HEADINGS = r"""() => {
  const bad = [];
  const lineOf = (node, i) => {
    const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
    const boxes = [...range.getClientRects()].filter(r => r.height > 0);
    return boxes.length ? Math.round(boxes.at(-1).top) : null;
  };
  for (const heading of document.querySelectorAll('[data-testid=stMain] :is(h1, h2, h3, h4, h5, h6)')) {
    if (heading.scrollWidth > heading.clientWidth) bad.push(`too wide: ${heading.textContent}`);
    const walker = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      for (let i = 0; i + 1 < text.length; i++) {
        const [one, two] = [text[i], text[i + 1]];
        if (/\s/.test(one) || /\s/.test(two) || '\u00ad-'.includes(one) || two === '\u00ad') continue;
        const [here, next] = [lineOf(node, i), lineOf(node, i + 1)];
        if (here !== null && next !== null && here !== next) bad.push(`split: ${text.slice(0, i + 1)}/${text.slice(i + 1)}`);
      }
    }
  }
  return bad;
}"""


def test_headings_keep_their_words_whole_on_a_phone(new_page, demo_server):
    page = new_page(PHONE)
    found = {}
    log_in(page, demo_server, "manager")
    for path in (*MANAGER_SCREENS, "home", "networks", "follow_ups", "privacy", first_person_path(page)):
        open_screen(page, path)
        found[path] = page.evaluate(SPLIT_HEADINGS)
    assert not any(found.values()), "\n".join(f"{screen}: {line}" for screen, bad in found.items() for line in bad)
