"""On a phone the sidebar starts collapsed: Tab from the top of the page must not land on its hidden links."""
import pytest
from e2e_kit import log_in, settled, t
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

_FOCUSED_BOX = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const r = el.getBoundingClientRect();
    return {tag: el.tagName, text: (el.innerText || el.getAttribute('aria-label') || '').slice(0, 40),
            x: r.x, y: r.y, width: r.width, height: r.height, visible: el.checkVisibility({visibilityProperty: true})};
}"""


def test_tab_on_a_phone_skips_the_collapsed_sidebar(phone, server, outreach_login):
    page = phone
    username, display_name = outreach_login
    log_in(page, server.url, username)
    expect(page.get_by_role("heading", name=t("home.welcome", name=display_name))).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
    page.reload()                   # Tab from the start of a freshly loaded page (the session cookie keeps the login)
    expect(page.get_by_role("heading", name=t("home.welcome", name=display_name))).to_be_visible()
    viewport = page.viewport_size
    settled(page)
    for press in range(6):
        page.keyboard.press("Tab")
        box = page.evaluate(_FOCUSED_BOX)
        if box is None:             # past the last element of the page: focus left the document
            assert press >= 2, press
            break
        assert box["visible"] and box["width"] > 0 and box["height"] > 0, (press, box)
        assert box["x"] + box["width"] > 0 and box["x"] < viewport["width"], (press, box)
        assert box["y"] + box["height"] > 0 and box["y"] < viewport["height"], (press, box)
