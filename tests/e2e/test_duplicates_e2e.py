"""Outreach reviews a possible duplicate in Chromium: the pair from the queue side by side, merged with the
kiosk's email, then the merge undone — both records back as they were.

The store is prepared with the services before the server starts (DuckDB: one process per file): Yusuf
Haddad found at the market, and Youssef Haddad registered at a kiosk with the same phone and an email.
"""
from __future__ import annotations

import pytest
from e2e_kit import DESKTOP, TIMEOUT_MS, Server, copy_store, key, log_in, main_area, pick_row, press, screenshot, t
from playwright.sync_api import expect

from crm_app.access.audit import CLI_OPERATOR, Actor
from crm_app.core.store import Store
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput

pytestmark = pytest.mark.e2e


def prepare(path) -> tuple[int, int]:
    store = Store(path)
    try:
        first = persons.register(store, CLI_OPERATOR, PersonInput(
            given_name="Yusuf", family_name="Haddad", phone="0612345678", consent_contact=True),
            SourceInput(kind="market", source_name="Markt Oost")).person_id
        with store.read() as cur:   # the template's kiosk account
            kiosk = cur.execute("SELECT id FROM app_user WHERE role = 'kiosk'").fetchone()[0]
        second = persons.register(store, Actor(kiosk, "kiosk", "web"), PersonInput(
            given_name="Youssef", family_name="Haddad", phone="+31612345678", email="youssef@example.org",
            consent_contact=True), SourceInput(kind="self_registration", source_name="Bibliotheek")).person_id
        return first, second
    finally:
        store.close()


@pytest.fixture
def pair_server(e2e_dir, template_store):
    db = e2e_dir / "duplicates.duckdb"
    copy_store(template_store, db)
    ids = prepare(db)
    srv = Server(db, e2e_dir / "duplicates.log")
    yield srv, ids
    srv.stop()


def test_review_a_pair_merge_and_undo(browser, pair_server, outreach_login):
    server, (first, second) = pair_server
    context = browser.new_context(**DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        log_in(page, server.url, outreach_login[0])
        expect(key(page, "home_duplicates")).to_be_visible()
        key(page, "home_duplicates").get_by_role("link").click()
        expect(page.get_by_role("heading", name=t("duplicates.title"))).to_be_visible()

        pick_row(page, "duplicates_table", 0)
        selected = key(page, "duplicates_selected")
        expect(selected.get_by_text(t("duplicates.keep"))).to_be_visible()
        screenshot(page, "duplicates_review")
        key(page, "duplicates_choice_email").get_by_text(t("duplicates.choice.merged"), exact=True).click()
        press(page, "duplicates_merge")
        expect(main_area(page).get_by_text(t("duplicates.merged", merged=second, kept=first))).to_be_visible()
        expect(main_area(page).get_by_text(t("duplicates.none"))).to_be_visible()

        press(page, "duplicates_undo")
        expect(main_area(page).get_by_text(t("duplicates.undone", id=second))).to_be_visible()
        expect(key(page, "duplicates_table")).to_be_visible()    # the pair is back in the queue
    finally:
        context.close()
