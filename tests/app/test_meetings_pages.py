"""The Meetings and "You said, we did" screens, and repeated absence on the start page, as a user works them."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from apptest_kit import count, main_text, outcome_box, pick_row, t, tn, values

from crm_app.core import clock
from crm_app.networks import feedback, meetings, registry
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput


@pytest.fixture
def board(store, staff):
    """A monthly network with two members since 2025 and one meeting on 2026-11-01 (today is later)."""
    pm = staff["program_manager"].as_user().actor()
    net = registry.save(store, pm, registry.NetworkInput(name="Klankbordgroep De Stem", min_places=0, max_places=9))
    ids = [persons.register(store, pm, PersonInput(given_name=name, family_name="Haddad", consent_contact=True),
                            SourceInput(kind="market"), confirmed_new=True).person_id for name in ("Amal", "Samir")]
    store.write(lambda cur: [cur.execute(
        "INSERT INTO membership (network_id, person_id, start_date, planned_end_date) VALUES (?, ?, ?, ?)",
        [net, pid, dt.date(2025, 1, 1), dt.date(2027, 1, 1)]) for pid in ids])
    meeting = meetings.plan(store, pm, meetings.MeetingInput(network_id=net, meeting_date=dt.date(2026, 11, 1),
                                                             topic="Wonen"))
    return net, ids, meeting, pm


@pytest.fixture(autouse=True)
def late_november():
    clock.freeze(dt.datetime(2026, 11, 29, 9, 30))
    yield
    clock.freeze(None)


def test_the_cadence_proposes_the_date_and_planning_adds_the_meeting(login, board, store):
    net, _, _, _ = board
    at = login("program_manager", "meetings")
    assert t("meetings.proposed", cadence="maandelijks", date="01-12-2026") in values(at.main, "caption")
    assert at.date_input(key="meetings_meeting_date").value == dt.date(2026, 12, 1)
    at.text_input(key="meetings_topic").input("Werk en inkomen")
    at.checkbox(key="meetings_interpreter").check()
    at.button(key="meetings_plan_submit").click().run()
    assert t("meetings.planned") in values(at.main, "success")
    assert count(store, "SELECT count(*) FROM meeting WHERE network_id = ? AND interpreter AND topic = ?",
                 [net, "Werk en inkomen"]) == 1
    assert "Werk en inkomen" in main_text(at) and t("meetings.interpreter") in main_text(at)


def test_inviting_and_recording_attendance_and_a_reimbursement_from_one_action_area(login, board, store):
    net, (amal, samir), meeting, _ = board
    at = login("program_manager", "meetings")
    pick_row(at, "meetings_table", 0)
    at.button(key="meetings_invite").click().run()
    shown, _ = outcome_box(at, "meetings_attendance_box")
    assert [e.value for e in shown] == [tn("meetings.invited", 2)]
    pick_row(at, "meetings_attendance_table", 0)                 # Amal
    at.radio(key="meetings_status").set_value("present")
    at.button(key="meetings_attendance_submit").click().run()
    assert count(store, "SELECT count(*) FROM meeting_attendance WHERE person_id = ? AND status = 'present'",
                 [amal]) == 1
    at.text_input(key="meetings_travel").input("12,40").run()
    at.text_input(key="meetings_allowance").input("250").run()
    assert t("meetings.cap_warning") in " ".join(values(at.main, "warning"))   # before saving
    assert "€\xa0250,00" in " ".join(values(at.main, "warning"))
    at.button(key="meetings_reimburse_submit").click().run()
    assert count(store, "SELECT count(*) FROM reimbursement") == 0
    assert t("err.reimbursement_over_cap") in main_text(at)
    at.text_input(key="meetings_override_reason").input("Twee dagen op het platform").run()
    at.button(key="meetings_reimburse_submit").click().run()
    with store.read() as cur:
        assert cur.execute("SELECT travel, allowance FROM reimbursement").fetchall() == [
            (Decimal("12.40"), Decimal("250.00"))]
    assert "€\xa012,40" in main_text(at)                            # Dutch formatting in the table


def test_attendance_for_a_non_member_is_refused_on_screen(login, board, store):
    net, (amal, _), meeting, pm = board
    store.write(lambda cur: cur.execute("UPDATE membership SET start_date = DATE '2026-11-15' WHERE person_id = ?",
                                        [amal]))
    store.write(lambda cur: cur.execute("INSERT INTO meeting_attendance VALUES (?, ?, 'invited', now(), NULL)",
                                        [meeting, amal]))
    at = login("program_manager", "meetings")
    pick_row(at, "meetings_table", 0)
    pick_row(at, "meetings_attendance_table", 0)
    at.button(key="meetings_attendance_submit").click().run()
    assert t("err.attendance_not_member", date="01-11-2026") in main_text(at)
    assert count(store, "SELECT count(*) FROM meeting_attendance WHERE status <> 'invited'") == 0


def test_repeated_absence_shows_on_the_start_page_as_a_conversation_to_have(login, board, store):
    net, (amal, _), _, pm = board
    for day in (dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 2)):
        meeting_id = meetings.plan(store, pm, meetings.MeetingInput(network_id=net, meeting_date=day))
        meetings.record_attendance(store, pm, meeting_id, amal, "absent")
    at = login("program_manager")
    assert t("home.absence_title") in values(at.main, "subheader")
    assert tn("home.absence", 1, times=3) in values(at.main, "caption")
    assert "Amal Haddad" in main_text(at)
    assert t("home.absence_title") not in values(login("coordinator").main, "subheader")


def test_inputs_and_responses_and_the_overview_per_year(login, board, store):
    net, (amal, _), meeting, pm = board
    meetings.record_attendance(store, pm, meeting, amal, "present")
    at = login("program_manager", "feedback")
    assert t("feedback.overview_none") in values(at.main, "info")
    at.selectbox(key="feedback_meeting").set_value(meeting)
    at.text_input(key="feedback_topic").input("Kinderopvang")
    at.text_area(key="feedback_body").input("Langer open op werkdagen")
    at.text_input(key="feedback_addressed_to").input("Gemeente, sociaal domein")
    at.button(key="feedback_input_submit").click().run()
    assert t("feedback.input_saved") in values(at.main, "success")
    at.text_area(key="feedback_action_taken").input("Opening tot 19 uur vanaf januari")
    at.selectbox(key="feedback_status").set_value("adopted")
    at.button(key="feedback_response_submit").click().run()
    assert count(store, "SELECT count(*) FROM input_response WHERE status = 'adopted'") == 1
    [row] = at.dataframe[0].value.to_dict("records")
    assert row[t("feedback.col.year")] == "2026" and row[t("feedback.col.changed")] == 1
    assert at.selectbox(key="feedback_person").value == amal


def test_a_coordinator_sees_the_network_overview_only(login, board, store):
    net, (amal, _), meeting, pm = board
    feedback.add_input(store, pm, feedback.InputData(network_id=net, meeting_id=meeting, topic="Taal"))
    at = login("coordinator", "feedback")
    assert at.dataframe[0].value.iloc[0][t("feedback.col.inputs")] == 1
    assert "Taal" not in main_text(at)
    assert not [w for w in at.main if getattr(w, "key", None) == "feedback_input_submit"]
    assert t("nav.meetings") not in main_text(login("coordinator"))
