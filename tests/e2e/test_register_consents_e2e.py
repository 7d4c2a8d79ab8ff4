"""Outreach on a phone registers someone a coach referred: photo and sharing consents, and a waiting list."""
import pytest
from e2e_kit import choose, go, key, log_in, main_area, press, shows, t, tick, type_into
from playwright.sync_api import expect

from crm_app.core.i18n import label
from crm_app.demo.fill import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


def test_a_referred_person_is_registered_with_every_consent_and_put_on_a_list(phone, demo_server):
    page = phone
    log_in(page, demo_server.url, "outreach", DEMO_PASSWORD)
    expect(key(page, "app_logout")).to_have_count(1)
    go(page, "register")
    expect(page.get_by_role("heading", name=t("register.title"))).to_be_visible()
    expect(key(page, "register_consent_share_with_referrer")).to_have_count(0)   # a market: nobody to share with

    choose(page, "register_source_kind", "Doorverwezen", label("source_kind", "coach_referral"))
    type_into(page, "register_given_name", "Zainab")
    type_into(page, "register_family_name", "Kwartelkoning")
    type_into(page, "register_source_name", "Coach Petra")
    for purpose in ("contact", "share_with_referrer", "photo"):
        tick(page, f"register_consent_{purpose}")
    networks = key(page, "register_networks").locator("input")
    networks.click()
    page.keyboard.type("Klankbord")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(key(page, "register_networks")).to_contain_text("Klankbordgroep De Stem")
    press(page, "register_submit")

    shows(page, t("register.saved", name="Zainab Kwartelkoning"))
    expect(main_area(page).get_by_text(t("register.joined", networks="Klankbordgroep De Stem"))).to_be_visible()
