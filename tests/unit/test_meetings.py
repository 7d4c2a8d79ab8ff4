"""Meetings: the next date from the cadence, who is invited, the attendance rules, repeated absence,
reimbursement caps in exact decimals across month and year boundaries, and "you said, we did"."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from networks_kit import insert_people, manager, network

from crm_app.access.audit import Actor
from crm_app.core import settings
from crm_app.core.errors import CrmError, PermissionDenied, ValidationError
from crm_app.networks import feedback, meetings, registry, reimbursements
from crm_app.networks.meetings import MeetingInput

PM = manager()


def member(store, network_id: int, person_id: int, start: dt.date, end: dt.date | None = None) -> None:
    """A membership from `start` (ended on `end`), straight into the table: the dates are the point."""
    store.write(lambda cur: cur.execute(
        "INSERT INTO membership (network_id, person_id, start_date, planned_end_date, actual_end_date, end_reason) "
        "VALUES (?, ?, ?, ?, ?, ?)", [network_id, person_id, start, start + dt.timedelta(days=700), end,
                                      "left" if end else None]))


def plan(store, network_id: int, day: dt.date) -> int:
    return meetings.plan(store, PM, MeetingInput(network_id=network_id, meeting_date=day, topic="Wonen"))


@pytest.fixture
def setup(store, frozen_clock):
    """A network with two members since 2025 and one who left on 2026-06-01; today is 2026-11-29."""
    net = network(store, PM)
    amal, samir, noor = insert_people(store, [{"given_name": "Amal"}, {"given_name": "Samir"},
                                              {"given_name": "Noor"}])
    member(store, net, amal, dt.date(2025, 1, 1))
    member(store, net, samir, dt.date(2025, 1, 1))
    member(store, net, noor, dt.date(2025, 1, 1), end=dt.date(2026, 6, 1))
    return net, amal, samir, noor


@pytest.mark.parametrize(("cadence", "last", "expected"), [
    ("monthly", dt.date(2026, 10, 31), dt.date(2026, 11, 30)),
    ("monthly", None, dt.date(2026, 12, 29)),
    ("weekly", dt.date(2026, 11, 20), dt.date(2026, 12, 4)),    # 27-11 already passed: one more step
    ("quarterly", dt.date(2026, 1, 31), dt.date(2027, 1, 31)),  # 30-04 … 31-10 passed; clipped days stay whole
    ("biweekly", dt.date(2026, 11, 15), dt.date(2026, 11, 29)),  # today itself is not in the past
])
def test_the_next_date_follows_the_cadence_and_is_never_in_the_past(cadence, last, expected):
    assert meetings.next_date(cadence, last, dt.date(2026, 11, 29)) == expected


def test_the_proposed_date_is_one_step_after_the_last_meeting(store, setup):
    net = setup[0]
    plan(store, net, dt.date(2026, 11, 10))
    assert meetings.propose_date(store, PM, net) == dt.date(2026, 12, 10)


def test_invited_are_the_members_on_the_day_only_once(store, setup):
    net, amal, samir, noor = setup
    earlier = plan(store, net, dt.date(2026, 3, 1))
    later = plan(store, net, dt.date(2026, 11, 1))
    assert meetings.invite(store, PM, earlier) == 3
    assert meetings.invite(store, PM, earlier) == 0
    assert meetings.invite(store, PM, later) == 2
    assert {r["person_id"] for r in meetings.attendance(store, PM, later)} == {amal, samir}


def test_attendance_of_someone_who_was_not_a_member_on_the_day_is_refused(store, setup):
    net, amal, _, noor = setup
    after_leaving = plan(store, net, dt.date(2026, 7, 1))
    before_joining = plan(store, net, dt.date(2024, 12, 31))
    for meeting_id, person_id in ((after_leaving, noor), (before_joining, amal)):
        with pytest.raises(CrmError) as refused:
            meetings.record_attendance(store, PM, meeting_id, person_id, "present")
        assert refused.value.code == "attendance_not_member"
    meetings.record_attendance(store, PM, plan(store, net, dt.date(2026, 5, 31)), noor, "present")
    assert [r["status"] for r in meetings.attendance(store, PM, after_leaving)] == []


def test_attendance_before_the_day_and_unknown_statuses_are_refused(store, setup):
    net, amal, _, _ = setup
    tomorrow = plan(store, net, dt.date(2026, 11, 30))
    with pytest.raises(CrmError) as refused:
        meetings.record_attendance(store, PM, tomorrow, amal, "absent")
    assert refused.value.code == "meeting_not_yet_held"
    with pytest.raises(ValidationError):
        meetings.record_attendance(store, PM, plan(store, net, dt.date(2026, 11, 1)), amal, "late")


def test_a_coordinator_may_not_record_attendance(store, setup):
    with pytest.raises(PermissionDenied):
        meetings.record_attendance(store, Actor(None, "coordinator", "web"), 1, setup[1], "present")


def test_absent_three_recorded_times_in_a_row_is_a_conversation_to_have(store, setup):
    net, amal, samir, _ = setup
    days = [dt.date(2026, m, 1) for m in (7, 8, 9, 10)]
    ids = [plan(store, net, day) for day in days]
    for meeting_id, status in zip(ids, ("absent", "absent", "excused", "absent")):
        meetings.record_attendance(store, PM, meeting_id, amal, status)    # excused is skipped: 3 absences
    for meeting_id, status in zip(ids, ("absent", "absent", "present", "absent")):
        meetings.record_attendance(store, PM, meeting_id, samir, status)   # present broke the run
    rows = meetings.repeated_absence(store, PM)
    assert [(r["person_id"], r["last_meeting"], r["count"]) for r in rows] == [(amal, days[-1], 3)]
    store.write(lambda cur: settings.set_value(cur, "absence_alert_count", 4))
    assert meetings.repeated_absence(store, PM) == []


# -- reimbursements: exact decimals, caps per calendar month and year ---------------------------------
def present(store, net: int, person_id: int, day: dt.date) -> int:
    meeting_id = plan(store, net, day)
    meetings.record_attendance(store, PM, meeting_id, person_id, "present")
    return meeting_id


@pytest.mark.parametrize(("typed", "expected"), [
    ("12,50", Decimal("12.50")), ("€ 7.1", Decimal("7.10")), ("", Decimal("0.00")), (Decimal("0.10"), Decimal("0.10")),
    (3, Decimal("3.00")),
])
def test_amounts_are_read_as_exact_euros(typed, expected):
    errors = []
    assert reimbursements.parse_amount(typed, "travel", errors) == expected
    assert errors == []


@pytest.mark.parametrize(("typed", "code"), [("-5", "amount_negative"), ("1,234", "amount_invalid"),
                                             ("12abc", "amount_invalid"), ("1000,01", "amount_too_high"),
                                             ("99999999", "amount_too_high")])
def test_negative_odd_and_absurd_amounts_are_refused(typed, code):
    errors = []
    reimbursements.parse_amount(typed, "travel", errors)
    assert [e.code for e in errors] == [code]


def test_a_float_never_becomes_an_amount():
    with pytest.raises(TypeError):
        reimbursements.parse_amount(0.1, "travel", [])


def test_the_monthly_cap_counts_cents_exactly_and_resets_at_the_month(store, setup):
    net, amal, _, _ = setup
    jan = [present(store, net, amal, dt.date(2026, 1, d)) for d in (10, 20, 31)]
    for meeting_id in jan[:2]:
        reimbursements.record(store, PM, meeting_id, amal, "0,10", "70,10")
    # 70.10 + 70.10 + 69.80 is exactly 210.00: at the cap, not over (a float sum would be 209.99999…)
    assert not reimbursements.check(store, PM, jan[2], amal, "69,80").over
    result = reimbursements.check(store, PM, jan[2], amal, "69,81")
    assert (result.month_total, result.over_month, result.over_year) == (Decimal("210.01"), True, False)
    reimbursements.record(store, PM, jan[2], amal, "500", "69,80")       # travel costs do not count
    february = present(store, net, amal, dt.date(2026, 2, 1))
    assert reimbursements.check(store, PM, february, amal, "210").month_total == Decimal("210.00")
    with store.read() as cur:
        stored = cur.execute("SELECT sum(allowance), typeof(sum(allowance)) FROM reimbursement").fetchone()
    assert stored[0] == Decimal("210.00") and stored[1].startswith("DECIMAL")


def test_over_a_cap_needs_a_reason_which_is_stored_and_audited(store, setup):
    net, amal, _, _ = setup
    meeting_id = present(store, net, amal, dt.date(2026, 3, 3))
    with pytest.raises(CrmError) as refused:
        reimbursements.record(store, PM, meeting_id, amal, "0", "210,01")
    assert refused.value.code == "reimbursement_over_cap"
    reimbursements.record(store, PM, meeting_id, amal, "0", "210,01", "Twee dagen op het landelijk platform")
    with store.read() as cur:
        assert cur.execute("SELECT allowance, override_reason FROM reimbursement").fetchall() == [
            (Decimal("210.01"), "Twee dagen op het landelijk platform")]
        assert cur.execute("SELECT count(*) FROM audit_event WHERE action = 'reimbursement.cap_override' "
                           "AND record_id = ?", [amal]).fetchone()[0] == 1


def test_the_yearly_cap_spans_the_calendar_year_and_resets_on_new_year(store, setup):
    net, amal, _, _ = setup
    store.write(lambda cur: settings.set_value(cur, "allowance_cap_year_euros", 300))
    first = present(store, net, amal, dt.date(2026, 6, 1))
    reimbursements.record(store, PM, first, amal, "0", "200")
    december = present(store, net, amal, dt.date(2026, 10, 31))
    result = reimbursements.check(store, PM, december, amal, "100,01")
    assert (result.year_total, result.over_year, result.over_month) == (Decimal("300.01"), True, False)
    reimbursements.record(store, PM, december, amal, "0", "100")
    new_year = present(store, net, amal, dt.date(2026, 11, 1))
    store.write(lambda cur: cur.execute("UPDATE meeting SET meeting_date = DATE '2027-01-01' WHERE id = ?",
                                        [new_year]))
    assert reimbursements.check(store, PM, new_year, amal, "200").year_total == Decimal("200.00")


def test_a_reimbursement_is_for_someone_who_was_present(store, setup):
    net, amal, samir, _ = setup
    meeting_id = present(store, net, amal, dt.date(2026, 4, 1))
    meetings.record_attendance(store, PM, meeting_id, samir, "excused")
    with pytest.raises(CrmError) as refused:
        reimbursements.record(store, PM, meeting_id, samir, "5", "0")
    assert refused.value.code == "reimbursement_not_present"


def test_the_payment_list_holds_the_month_of_the_meetings_only(store, setup):
    net, amal, samir, _ = setup
    for day, who, amount in ((dt.date(2026, 4, 30), amal, "1"), (dt.date(2026, 5, 1), amal, "2,50"),
                             (dt.date(2026, 5, 31), samir, "3"), (dt.date(2026, 6, 1), samir, "4")):
        reimbursements.record(store, PM, present(store, net, who, day), who, amount, "10")
    rows = reimbursements.payment_list(store, PM, reimbursements.parse_month("2026-05"))
    assert [(r["person_id"], r["travel"], r["total"]) for r in rows] == [
        (amal, Decimal("2.50"), Decimal("12.50")), (samir, Decimal("3.00"), Decimal("13.00"))]


# -- you said, we did -----------------------------------------------------------------------------------
def test_the_personal_overview_holds_exactly_the_meetings_the_person_attended(store, setup):
    net, amal, samir, _ = setup
    both = present(store, net, amal, dt.date(2026, 9, 1))
    meetings.record_attendance(store, PM, both, samir, "present")
    only_samir = present(store, net, samir, dt.date(2026, 10, 1))
    absent = plan(store, net, dt.date(2026, 11, 1))
    meetings.record_attendance(store, PM, absent, amal, "absent")
    for meeting_id, topic in ((both, "Taalles"), (only_samir, "Werk"), (absent, "Zorg")):
        feedback.add_input(store, PM, feedback.InputData(network_id=net, meeting_id=meeting_id, topic=topic,
                                                         addressed_to="Gemeente"))
    document = feedback.personal(store, PM, amal)
    assert [m["meeting_id"] for m in document["meetings"]] == [both]
    assert [i["topic"] for m in document["meetings"] for i in m["inputs"]] == ["Taalles"]
    assert [m["meeting_id"] for m in feedback.personal(store, PM, samir)["meetings"]] == [both, only_samir]


def test_a_response_sets_the_status_and_not_adopted_needs_a_reason(store, setup):
    net, amal, _, _ = setup
    meeting_id = present(store, net, amal, dt.date(2026, 9, 1))
    input_id = feedback.add_input(store, PM, feedback.InputData(network_id=net, meeting_id=meeting_id,
                                                                topic="Kinderopvang", body="Langer open"))
    with pytest.raises(ValidationError) as refused:
        feedback.add_response(store, PM, feedback.ResponseData(input_id, "Besproken", "not_adopted"))
    assert [e.field for e in refused.value.errors] == ["reason"]
    feedback.add_response(store, PM, feedback.ResponseData(input_id, "Doorgestuurd", "received",
                                                           response_date=dt.date(2026, 9, 5)))
    feedback.add_response(store, PM, feedback.ResponseData(input_id, "Opening tot 19 uur", "adopted",
                                                           response_date=dt.date(2026, 10, 5)))
    [row] = feedback.inputs(store, PM, net)
    assert (row["status"], row["given_date"], len(row["responses"])) == ("adopted", dt.date(2026, 9, 1), 2)
    html = feedback.to_html(feedback.personal(store, PM, amal), "en")
    assert "Kinderopvang" in html and "Opening tot 19 uur" in html and "<script" not in html


def test_the_network_overview_counts_inputs_that_led_to_a_change_per_year(store, setup):
    net = setup[0]
    statuses = [(dt.date(2025, 3, 1), "adopted"), (dt.date(2025, 4, 1), "not_adopted"), (dt.date(2026, 1, 1), None),
                (dt.date(2026, 2, 1), "partly_adopted"), (dt.date(2026, 3, 1), "in_progress")]
    for day, status in statuses:
        input_id = feedback.add_input(store, PM, feedback.InputData(network_id=net, topic="x", given_date=day))
        if status:
            feedback.add_response(store, PM, feedback.ResponseData(input_id, "y", status, reason="z"))
    assert feedback.network_overview(store, PM, net) == [
        {"year": 2026, "inputs": 3, "changed": 1, "not_adopted": 0, "open": 2},
        {"year": 2025, "inputs": 2, "changed": 1, "not_adopted": 1, "open": 0}]


def test_an_input_names_a_meeting_of_its_own_network(store, setup):
    net = setup[0]
    other = network(store, PM, "Adviesraad")
    meeting_id = plan(store, other, dt.date(2026, 9, 1))
    with pytest.raises(ValidationError):
        feedback.add_input(store, PM, feedback.InputData(network_id=net, meeting_id=meeting_id, topic="x"))


def test_an_alumni_network_invites_only_the_alumni_active_on_the_day(store, frozen_clock):
    alumni_net = registry.save(store, PM, registry.NetworkInput(name="Alumni Netwerk", kind="alumni_network",
                                                                 max_places=40, term_months=36))
    active, resting = insert_people(store, [{"given_name": "Amal"}, {"given_name": "Samir"}])
    for person_id in (active, resting):
        member(store, alumni_net, person_id, dt.date(2025, 1, 1))

    def confirm(cur):
        period = cur.execute("INSERT INTO alumni_period (network_id, period_start, period_end, status, active_places, "
                             "created_utc) VALUES (?, DATE '2026-07-01', DATE '2027-01-01', 'confirmed', 1, now()) "
                             "RETURNING id", [alumni_net]).fetchone()[0]
        membership = cur.execute("SELECT id FROM membership WHERE person_id = ?", [active]).fetchone()[0]
        cur.execute("INSERT INTO alumni_active VALUES (?, ?, ?, NULL)", [period, active, membership])

    store.write(confirm)
    in_period, before = plan(store, alumni_net, dt.date(2026, 11, 1)), plan(store, alumni_net, dt.date(2026, 6, 1))
    assert meetings.invite(store, PM, in_period) == 1
    assert [r["person_id"] for r in meetings.attendance(store, PM, in_period)] == [active]
    assert meetings.invite(store, PM, before) == 0
    meetings.record_attendance(store, PM, before, resting, "present")     # every alumnus may come
