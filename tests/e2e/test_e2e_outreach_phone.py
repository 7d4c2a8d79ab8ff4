"""Outreach at a market stall, on a phone: log in, register, find in another notation, open."""
import re

import pytest
from e2e_kit import (
    TIMEOUT_MS,
    big_enough_to_tap,
    choose,
    fits_the_width,
    key,
    log_in,
    main_area,
    pick_row,
    press,
    screenshot,
    shows,
    t,
    tick,
    type_into,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def open_screen(page, title_key: str) -> None:
    """Go to another screen through the sidebar navigation, as on a phone: open the collapsed
    sidebar, tap the screen, close the sidebar again (Streamlit leaves it open over the page)."""
    sidebar = page.get_by_test_id("stSidebar")
    if sidebar.get_attribute("data-collapsed") == "true":
        page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t(title_key)).click()
    if sidebar.get_attribute("data-collapsed") == "false":
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        expect(sidebar).to_have_attribute("data-collapsed", "true")


def register(page, given, family, country, number, source):
    expect(page.get_by_role("heading", name=t("register.title"))).to_be_visible()
    type_into(page, "register_given_name", given)
    type_into(page, "register_family_name", family)
    choose(page, "register_phone_country", *country)
    type_into(page, "register_phone", number)
    tick(page, "register_consent_contact")
    type_into(page, "register_source_name", source)


def test_register_a_candidate_then_find_them_by_another_notation(phone, server, outreach_login):
    page = phone
    username, display_name = outreach_login
    log_in(page, server.url, username, shot="login")
    expect(page.get_by_role("heading", name=t("home.welcome", name=display_name))).to_be_visible()

    open_screen(page, "nav.register")
    register(page, "Amal", "Haddad", ("Syri", "Syrië (+963)"), "0944 123 456", "Markt Oost")
    fits_the_width(page)
    big_enough_to_tap(key(page, "register_submit").locator("button"))
    screenshot(page, "register_phone")
    press(page, "register_submit")
    shows(page, t("register.saved", name="Amal Haddad"))

    open_screen(page, "nav.find")
    expect(page.get_by_role("heading", name=t("find.title"))).to_be_visible()
    type_into(page, "find_query", "00963 944 123 456")
    shows(page, t("find.count", count=1))
    table = key(page, "find_table")
    expect(table).to_contain_text("Amal Haddad")
    expect(table).to_contain_text("+963 944 123 456")
    fits_the_width(page)
    pick_row(page, "find_table", 0)
    result = key(page, "find_selected")
    expect(result).to_contain_text("Amal Haddad")
    screenshot(page, "find_results")

    result.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Amal Haddad")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page).to_have_url(re.compile(r"/person\?id=\d+$"))
    shows(page, "Markt · Markt Oost")
    fits_the_width(page)
    screenshot(page, "person")


def test_the_same_number_in_another_notation_warns_before_saving(phone, server, outreach_login):
    page = phone
    log_in(page, server.url, outreach_login[0])
    open_screen(page, "nav.register")
    register(page, "Yusuf", "Demir", ("Nederland", "Nederland (+31)"), "06 11223344", "Taalcafé De Brug")
    press(page, "register_submit")
    shows(page, t("register.saved", name="Yusuf Demir"))

    register(page, "Youssef", "Demir", ("Nederland", "Nederland (+31)"), "+31 (0)6-1122 3344", "Markt West")
    press(page, "register_submit")
    shows(page, t("register.duplicates_found"))
    panel = main_area(page).locator("[class*='st-key-register_match_']")
    expect(panel).to_have_count(1)
    expect(panel).to_contain_text("Yusuf")
    expect(key(page, "register_confirm_new")).to_be_visible()
    fits_the_width(page)
    big_enough_to_tap(panel.get_by_role("button", name=t("register.use_existing")))
    screenshot(page, "register_duplicate")

    panel.get_by_role("button", name=t("register.use_existing")).click()
    expect(page.get_by_role("heading", name="Yusuf Demir")).to_be_visible(timeout=TIMEOUT_MS)
    shows(page, "Taalcafé De Brug")
    shows(page, "Markt West")
