"""Every screen in Dutch, in Chromium, on the demo data: no English text of Streamlit's own that the app can replace,
and every text readable (WCAG AA contrast: 4.5:1, 3:1 for large text).

Each screen is opened by a role allowed to open it (crm_app.access.screens); the test reads the page's text and
its aria-label, placeholder and title attributes. Streamlit's texts the app cannot replace (no parameter for
them) are the allow-list below, the same list as docs/i18n.md, "Streamlit's own texts".
"""
from __future__ import annotations

import re

import pytest
from e2e_kit import DESKTOP, ROOT, TIMEOUT_MS, go, key, low_contrast, main_area, settled, t
from playwright.sync_api import expect

from crm_app.access import screens
from crm_app.core import permissions
from crm_app.demo.fill import DEMO_ACCOUNTS, DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.slow]   # long walks start first: no long tail

# Streamlit's English defaults a screen may show; each one the app can replace (placeholder=, anchor=False, ...).
ENGLISH = ("Choose an option", "Choose options", "Select all", "No options to select", "Link to heading",
           "Select a date", "Add row", "Delete row", "Select...")
# Streamlit's texts without a parameter (docs/i18n.md, "Streamlit's own texts"): not looked for here.
ALLOWED = ("Show password", "Hide password", "Clear value", "Clear all", "No results", "Press Enter to apply",
           "Previous month", "Next month", "Drag and drop file here", "Browse files", "Running…")
# Axes: an English month ("Oct 2024") or a count drawn with decimals ("0.000000").
CHART_TEXT = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b|\d\.0{3,}")
ROLE_ORDER = ("admin", "program_manager", "coordinator", "outreach", "kiosk")
USERNAMES = {role: username for username, _, role in DEMO_ACCOUNTS}

TEXTS_JS = """() => {
    const texts = [document.body.innerText];
    for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
        for (const name of ['aria-label', 'placeholder', 'title', 'alt']) {
            if (el.hasAttribute(name)) texts.push(el.getAttribute(name));
        }
    }
    return texts;
}"""
SVG_JS = "() => Array.from(document.querySelectorAll('[data-testid=stVegaLiteChart] svg text'), e => e.textContent)"


def _role_for(screen) -> str:
    return next(role for role in ROLE_ORDER if permissions.allowed(role, screen.action))


WALK = {role: [s for s in screens.SCREENS if _role_for(s) == role] for role in ROLE_ORDER}


def english_on(page) -> set[str]:
    texts = page.evaluate(TEXTS_JS)
    found = {phrase for phrase in ENGLISH for text in texts if phrase in (text or "")}
    found |= {text for text in page.evaluate(SVG_JS) if CHART_TEXT.search(text)}
    return found


def open_screen(page, screen, person_id: int) -> None:
    if screen.key != "self_register":   # the kiosk has this one screen and no navigation
        go(page, f"{screen.key}?id={person_id}" if screen.hidden else screen.key)
    expect(page.get_by_role("heading", name=t("login.title"))).to_have_count(0)
    settled(page)
    charts = main_area(page).get_by_test_id("stVegaLiteChart")
    for index in range(charts.count()):          # charts draw after the script run ends
        expect(charts.nth(index).locator("svg text").first).to_be_attached()


def test_the_allow_list_is_the_documented_one():
    doc = (ROOT / "docs" / "i18n.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Streamlit's own texts"):]
    assert [text for text in ALLOWED if f'"{text}"' not in section] == []
    assert not set(ALLOWED) & set(ENGLISH)


@pytest.mark.parametrize("role", [r for r in ROLE_ORDER if WALK[r]])
def test_every_screen_is_dutch_and_readable(browser, demo_server, role):
    assert sum(len(w) for w in WALK.values()) == len(screens.SCREENS)
    context = browser.new_context(**DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(demo_server.url)
        expect(key(page, "login_submit")).to_be_visible()
        settled(page)
        dim = {"login": low_contrast(page)} if role == ROLE_ORDER[0] else {}
        key(page, "login_username").locator("input").fill(USERNAMES[role])
        key(page, "login_password").locator("input").fill(DEMO_PASSWORD)
        key(page, "login_submit").locator("button").click()
        expect(page.get_by_role("heading", name=t("login.title"))).to_have_count(0)
        found = {}
        for screen in sorted(WALK[role], key=lambda s: s.hidden):   # the person screen by URL, last
            open_screen(page, screen, demo_server.person_id)
            english = english_on(page)
            if english:
                found[screen.key] = sorted(english)
            dim[screen.key] = low_contrast(page)
            if screen.key == "self_register":       # the kiosk's form, behind its language chooser
                key(page, "kiosk_lang_nl").locator("button").click()
                expect(key(page, "kiosk_given_name")).to_be_visible()
                settled(page)
                dim["self_register form"] = low_contrast(page)
        assert not found, f"English on Dutch screens ({role}): {found}"
        assert not any(dim.values()), "\n".join(f"{screen}: {line}" for screen, bad in dim.items() for line in bad)
    finally:
        context.close()
