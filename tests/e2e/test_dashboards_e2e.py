"""A coordinator opens the diversity dashboards in Chromium on the demo data, switches network,
filter and view, and downloads a table as CSV: every count in it is 0, at least k, or hidden.

It walks the shared server on the demo data (the `demo_server` fixture, as `crm init --demo` fills it).
With CRM_SCREENSHOTS=1 the views are saved as docs/screenshots/dashboard_*.png.
"""
from __future__ import annotations

import csv
import io
import re

import pytest
from e2e_kit import TIMEOUT_MS, choose, key, main_area, press, screenshot, settled, t
from playwright.sync_api import expect

from crm_app.demo.fill import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.slow]   # long walks start first: no long tail

K = 5
DESKTOP = {"viewport": {"width": 1400, "height": 1000}, "locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}


@pytest.fixture
def desktop(browser):
    context = browser.new_context(**DESKTOP, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def view(page, name: str) -> None:
    key(page, "dashboards_view").get_by_text(t(f"dash.tab.{name}"), exact=True).click()
    settled(page)


def test_coordinator_opens_dashboards_switches_network_and_filter_and_downloads_a_suppressed_csv(desktop, demo_server):
    page = desktop
    page.goto(demo_server.url)
    key(page, "login_username").locator("input").fill("coordinator")
    key(page, "login_password").locator("input").fill(DEMO_PASSWORD)
    key(page, "login_submit").locator("button").click()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav.dashboards"), exact=True).click()
    expect(page.get_by_role("heading", name=t("dash.title"))).to_be_visible()

    # composition of all networks' members: a chart with its table beside it
    expect(main_area(page).get_by_test_id("stVegaLiteChart").first).to_be_visible()
    expect(main_area(page).get_by_test_id("stDataFrame").first).to_be_visible()
    settled(page)
    screenshot(page, "dashboard_composition")

    # another network, the waiting list, one municipality
    choose(page, "dashboards_network", "Klank", "Klankbordgroep De Stem")
    key(page, "dashboards_population").get_by_text("Wachtlijst", exact=True).click()
    choose(page, "dashboards_municipality", "Utr", "Utrecht")
    settled(page)
    expect(main_area(page).get_by_text(re.compile(r"\d+ personen geteld|" + re.escape(t("dash.too_few", k=K))
                                                  + "|" + re.escape(t("dash.filter_too_close", k=K))))).to_be_visible()

    # back to all municipalities and the candidate pool: download the table
    choose(page, "dashboards_municipality", "Alle", t("dash.all_municipalities"))
    key(page, "dashboards_population").get_by_text("Kandidatenpool", exact=True).click()
    settled(page)
    with page.expect_download() as download:
        press(page, "dashboards_composition_csv")
    body = download.value.path().read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows, body
    for row in rows:
        count = row[t("dash.count")]
        assert count in (f"<{K}", "×") or int(count) == 0 or int(count) >= K, row
    assert any(row[t("dash.count")] == f"<{K}" for row in rows) or all(int(r[t("dash.count")]) >= K for r in rows)

    for name in ("targets", "over_time", "funnel"):
        view(page, name)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        screenshot(page, f"dashboard_{name}")
    view(page, "targets")
    expect(main_area(page).get_by_text(t("dash.targets_note"))).to_be_visible()
