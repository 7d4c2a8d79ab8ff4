"""A program manager plans a meeting, records who came, adds the advice given and what was done with it, and
downloads a member's personal "you said, we did" overview, in Chromium against a real server.

The store is prepared before the server starts (DuckDB: one process per file): a weekly network whose last
meeting was a week ago, so the cadence proposes today, and one member, Amal Haddad, since last year.
"""
from __future__ import annotations

import datetime as dt

import pytest
from e2e_kit import (
    DESKTOP,
    PASSWORD,
    TIMEOUT_MS,
    Server,
    add_user,
    choose,
    copy_store,
    key,
    log_in,
    main_area,
    pick_row,
    press,
    screenshot,
    settled,
    t,
    tn,
)
from playwright.sync_api import expect

from crm_app.access.audit import CLI_OPERATOR
from crm_app.core import clock, formats
from crm_app.core.store import Store
from crm_app.networks import meetings, registry
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput

pytestmark = pytest.mark.e2e

MANAGER = ("pim", "Pim Programma")


def prepare(path) -> None:
    store = Store(path)
    try:
        add_user(store, MANAGER[0], MANAGER[1], "program_manager", PASSWORD)
        net = registry.save(store, CLI_OPERATOR, registry.NetworkInput(
            name="Klankbordgroep De Stem", min_places=0, max_places=9, meeting_cadence="weekly"))
        amal = persons.register(store, CLI_OPERATOR, PersonInput(given_name="Amal", family_name="Haddad",
                                                                 consent_contact=True),
                                SourceInput(kind="market"), confirmed_new=True).person_id
        store.write(lambda cur: cur.execute(
            "INSERT INTO membership (network_id, person_id, start_date, planned_end_date) VALUES (?, ?, ?, ?)",
            [net, amal, clock.today() - dt.timedelta(days=400), clock.today() + dt.timedelta(days=300)]))
        meetings.plan(store, CLI_OPERATOR, meetings.MeetingInput(network_id=net,
                                                                 meeting_date=clock.today() - dt.timedelta(days=7)))
    finally:
        store.close()


@pytest.fixture
def meetings_server(e2e_dir, template_store):
    db = e2e_dir / "meetings.duckdb"
    copy_store(template_store, db)
    prepare(db)
    srv = Server(db, e2e_dir / "meetings.log")
    yield srv
    srv.stop()


def test_plan_attend_advise_respond_and_download_the_personal_overview(browser, meetings_server):
    context = browser.new_context(**DESKTOP, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log_in(page, meetings_server.url, MANAGER[0])
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav.meetings"), exact=True).click()
    today = formats.date(clock.today(), "nl")
    expect(main_area(page)).to_contain_text(t("meetings.proposed", cadence="wekelijks", date=today))

    key(page, "meetings_topic").locator("input").fill("Werk en inkomen")
    key(page, "meetings_topic").locator("input").press("Enter")
    press(page, "meetings_plan_submit")
    expect(key(page, "meetings_plan_feedback")).to_contain_text(t("meetings.planned"))
    expect(key(page, "meetings_selected")).to_contain_text(t("meetings.heading", date=today))
    settled(page)   # a click while the page is still being drawn after the last one can be lost
    press(page, "meetings_invite")
    expect(key(page, "meetings_attendance_box_feedback")).to_contain_text(tn("meetings.invited", 1))
    settled(page)
    pick_row(page, "meetings_attendance_table", 0)
    expect(key(page, "meetings_status").get_by_role("radio", name=t("label.attendance.present"))).to_be_checked()
    settled(page)
    press(page, "meetings_attendance_submit")
    expect(key(page, "meetings_attendance_box_feedback")).to_contain_text(t("meetings.attendance_saved"))
    screenshot(page, "meetings")

    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav.feedback"), exact=True).click()
    expect(key(page, "feedback_input_submit")).to_be_visible()
    settled(page)
    choose(page, "feedback_meeting", "Werk", f"{today} Werk en inkomen")
    key(page, "feedback_topic").locator("input").fill("Avondlessen")
    key(page, "feedback_topic").locator("input").press("Enter")
    press(page, "feedback_input_submit")
    expect(key(page, "feedback_input_feedback")).to_contain_text(t("feedback.input_saved"))
    expect(key(page, "feedback_selected")).to_contain_text("Avondlessen")
    settled(page)
    key(page, "feedback_action_taken").locator("textarea").fill("Twee avondgroepen erbij vanaf maart")
    key(page, "feedback_action_taken").locator("textarea").blur()
    settled(page)
    press(page, "feedback_response_submit")
    expect(key(page, "feedback_response_box_feedback")).to_contain_text(t("feedback.response_saved"))
    screenshot(page, "feedback")

    expect(key(page, "feedback_person").locator("input")).to_have_value("Amal Haddad")
    settled(page)
    with page.expect_download() as event:
        press(page, "feedback_download")
    overview = event.value.path().read_text(encoding="utf-8")
    assert t("feedback.personal_title", name="Amal Haddad") in overview
    assert "Avondlessen" in overview and "Twee avondgroepen erbij vanaf maart" in overview
    context.close()
