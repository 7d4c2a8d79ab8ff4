"""On a phone (390 px), a program manager picks someone on a waiting list and has the "still interested?"
question ready to send: the call, SMS and WhatsApp links open the phone's own apps with the text filled in.

Walks the shared demo server and only reads (the links are followed by the phone, not by the test).
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from e2e_kit import go, key, pick_row, t, type_into
from playwright.sync_api import expect

from crm_app.demo.fill import DEMO_ACCOUNTS, DEMO_PASSWORD

pytestmark = pytest.mark.e2e
MANAGER = next(username for username, _, role in DEMO_ACCOUNTS if role == "program_manager")


def test_the_waiting_list_card_has_call_sms_and_whatsapp_links_with_the_text_filled_in(phone, demo_server):
    page = phone
    page.goto(demo_server.url)
    key(page, "login_username").locator("input").fill(MANAGER)
    key(page, "login_password").locator("input").fill(DEMO_PASSWORD)
    key(page, "login_submit").locator("button").click()
    expect(page.get_by_role("heading", name=t("login.title"))).to_have_count(0)
    go(page, "waitlist")
    type_into(page, "waitlist_search", "+31")                    # those with a Dutch number
    pick_row(page, "waitlist_table", 0)
    card = key(page, "waitlist_selected")
    call, sms, whatsapp = (key(page, f"waitlist_message_{channel}").get_by_role("link")
                           for channel in ("phone", "sms", "whatsapp"))
    for link in (call, sms, whatsapp):
        expect(link).to_be_visible()
    assert page.viewport_size["width"] == 390 and card.bounding_box()["width"] <= 390
    tel = call.get_attribute("href")
    assert tel.startswith("tel:+31-")
    number = tel.removeprefix("tel:").replace("-", "")
    text = parse_qs(urlsplit(sms.get_attribute("href")).query)["body"][0]
    assert sms.get_attribute("href").startswith(f"sms:{number}?body=") and text.startswith("Hallo ")
    assert "wachtlijst" in text
    wa = whatsapp.get_attribute("href")
    assert wa.startswith(f"https://wa.me/{number.lstrip('+')}?text=")
    assert parse_qs(urlsplit(wa).query)["text"] == [text]
