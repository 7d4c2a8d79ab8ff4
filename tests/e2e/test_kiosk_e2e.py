"""A kiosk at the market on a tablet (820×1180): an outreach worker starts it, a newcomer signs up in Arabic,
right to left, and sees the thank-you; the screen starts over by itself; a staff address shows nothing; the
PIN gives the tablet back, and the Arabic name is stored as typed."""
from __future__ import annotations

import re

import pytest
from e2e_kit import PHONE, TIMEOUT_MS, go, key, log_in, main_area, pick_row, press, screenshot, settled, t, tick, type_into
from playwright.sync_api import expect

from crm_app.core import i18n

pytestmark = pytest.mark.e2e
TABLET = {**PHONE, "viewport": {"width": 820, "height": 1180}, "device_scale_factor": 1}
PIN = "271828"
GIVEN, FAMILY = "أمل", "السيد"


def test_a_newcomer_signs_up_in_arabic_at_a_market_kiosk(browser, server, outreach_login):
    context = browser.new_context(**TABLET)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log_in(page, server.url, outreach_login[0])
    expect(key(page, "app_logout")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav").locator('a[href$="/kiosk_start"]')).to_have_count(1)
    go(page, "kiosk_start")
    type_into(page, "kiosk_start_market", "Markt Kerkplein")
    type_into(page, "kiosk_start_pin", PIN)
    press(page, "kiosk_start_submit")

    expect(key(page, "kiosk_lang_ar")).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    expect(key(page, "app_logout")).to_have_count(0)
    screenshot(page, "kiosk_chooser")
    press(page, "kiosk_lang_ar")
    body = key(page, "kiosk_body")
    expect(body).to_have_attribute("dir", "rtl")
    settled(page)                   # the form's first run is over: nothing typed now is lost in it
    assert body.evaluate("e => getComputedStyle(e).direction") == "rtl"
    for field in ("kiosk_given_name", "kiosk_family_name", "kiosk_phone", "kiosk_email"):
        expect(key(page, field).locator("input")).to_have_attribute("autocomplete", "off")
    type_into(page, "kiosk_given_name", GIVEN)
    type_into(page, "kiosk_family_name", FAMILY)
    type_into(page, "kiosk_phone", "06 31415926")
    tick(page, "kiosk_consent_contact")
    screenshot(page, "kiosk_ar")
    press(page, "kiosk_submit")

    thanks = main_area(page).get_by_role("heading", name=i18n.kt("kiosk.thanks_title", "ar"))
    expect(thanks).to_be_in_viewport()
    expect(main_area(page).get_by_text(i18n.kt("kiosk.thanks", "ar"))).to_be_in_viewport()
    expect(key(page, "kiosk_lang_ti")).to_be_visible(timeout=20_000)   # back at the chooser by itself
    expect(main_area(page).get_by_text(GIVEN)).to_have_count(0)

    press(page, "kiosk_lang_ti")
    expect(main_area(page).get_by_role("heading", name=i18n.kt("kiosk.title", "ti"))).to_be_visible()
    expect(key(page, "kiosk_body")).to_have_attribute("dir", "ltr")
    screenshot(page, "kiosk_ti")
    page.goto(f"{server.url}/find")                  # a staff screen by its address: nothing of it
    expect(key(page, "kiosk_lang_ar")).to_be_visible()
    expect(page.get_by_role("heading", name=t("find.title"))).to_have_count(0)
    expect(key(page, "find_query")).to_have_count(0)
    page.keyboard.press("Escape")          # Streamlit's own "Page not found" notice

    press(page, "kiosk_staff_open")
    expect(key(page, "kiosk_pin").locator("input")).to_have_attribute("inputmode", "numeric")   # the number pad
    type_into(page, "kiosk_pin", PIN)
    press(page, "kiosk_end")
    expect(key(page, "app_logout")).to_be_visible()
    page.goto(f"{server.url}/find")
    type_into(page, "find_query", FAMILY)
    pick_row(page, "find_table", 0)
    expect(key(page, "find_selected")).to_contain_text(re.compile(f"{GIVEN} {FAMILY}"))
    settled(page)
    context.close()
