"""Readable and usable in Chromium, on the demo data: text contrast, the phone keypad, no built-in
table download, headings that fit a phone.

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


# -- contrast --------------------------------------------------------------------------------------
# Every visible element with text of its own: its colour (alpha blended) against the first opaque
# background behind it, up the tree (the page is white when none is set). Large text (24 px, or
# 18.66 px bold) needs 3:1, the rest 4.5:1 (WCAG 2.1 AA, 1.4.3). Disabled controls are exempt.
LOW_CONTRAST = """() => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const background = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let colour = [255, 255, 255, 1];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const luminance = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'svg', 'text', 'tspan'].includes(el.tagName) || el.closest('svg')) continue;
    const own = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
    if (!own) continue;
    if (el.closest('[disabled], [aria-disabled=true]')) continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility !== 'visible' || box.width === 0 || box.height === 0 || el.closest('[aria-hidden=true]')) continue;
    let opacity = 1;
    for (let e = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
    if (opacity === 0) continue;
    const back = background(el);
    const fore = parse(style.color);
    const text = over([fore[0], fore[1], fore[2], fore[3] * opacity], back);
    const [a, b] = [luminance(text), luminance(back)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const large = size >= 24 || (size >= 18.66 && bold);
    if (ratio < (large ? 3 : 4.5))
      bad.push(`${ratio.toFixed(2)} ${style.color} on rgb(${back.slice(0, 3).map(Math.round)}) ${size}px: `
               + own.slice(0, 40));
  }
  return bad;
}"""


def low_contrast(page: Page) -> list[str]:
    return page.evaluate(LOW_CONTRAST)


def test_text_has_enough_contrast_on_every_main_screen(new_page, demo_server):
    page = new_page()
    found = {}
    page.goto(demo_server.url)
    expect(key(page, "login_submit")).to_be_visible()
    settled(page)
    found["login"] = low_contrast(page)
    log_in(page, demo_server, "manager")
    for path in (*MANAGER_SCREENS, first_person_path(page)):
        open_screen(page, path)
        found[path] = low_contrast(page)
    kiosk = new_page()
    log_in(kiosk, demo_server, "kiosk")
    open_screen(kiosk, "self_register")
    found["self_register"] = low_contrast(kiosk)
    assert not any(found.values()), "\n".join(f"{screen}: {line}" for screen, bad in found.items() for line in bad)


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
