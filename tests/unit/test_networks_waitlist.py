"""Waiting lists: who may be on one, positions and waiting time, "still interested?" checks and expiry."""
from __future__ import annotations

import datetime as dt

import pytest
from networks_kit import entry_of, insert_people, manager, network, register, seat, snapshot

from crm_app import maintenance
from crm_app.core import clock, settings
from crm_app.core.clock import add_months
from crm_app.core.errors import NotFound, PermissionDenied, ValidationError
from crm_app.networks import memberships, offers, waitlists
from crm_app.people import consents


@pytest.fixture
def pm(actor):
    return manager(actor.user_id)


@pytest.fixture
def board(store, pm, frozen_clock):
    return network(store, pm, max_places=15, rest_months=6)


def refusal(store, call) -> str:
    before = snapshot(store)
    with pytest.raises(ValidationError) as caught:
        call()
    assert snapshot(store) == before, "a refusal changes nothing"
    [error] = caught.value.errors
    return error.code


def move_clock(days: int = 0, *, months: int = 0) -> dt.datetime:
    now = clock.utcnow()
    day = add_months(now.date(), months) + dt.timedelta(days=days)
    clock.freeze(dt.datetime.combine(day, now.time()))
    return clock.utcnow()


# -- who may be on a list ---------------------------------------------------------------------------
def test_contact_consent_is_required(store, pm, board):
    person = register(store, pm, "Samir", contact=False)
    assert refusal(store, lambda: waitlists.add(store, pm, board, person)) == "contact_consent_needed"


def test_a_withdrawn_contact_consent_counts_as_none(store, pm, board):
    person = register(store, pm, "Samir")
    consents.set_consent(store, pm, person, "contact", False, "verbal")
    assert refusal(store, lambda: waitlists.add(store, pm, board, person)) == "contact_consent_needed"


def test_a_person_is_on_a_list_once(store, pm, board):
    person = register(store, pm)
    entry = waitlists.add(store, pm, board, person)
    assert refusal(store, lambda: waitlists.add(store, pm, board, person)) == "already_on_list"
    offers.make(store, pm, board, [entry], "waitlist")
    assert refusal(store, lambda: waitlists.add(store, pm, board, person)) == "already_on_list", "on offer"


def test_a_person_may_wait_for_two_networks(store, pm, board):
    other = network(store, pm, "Adviesraad", max_places=10)
    person = register(store, pm)
    waitlists.add(store, pm, board, person)
    waitlists.add(store, pm, other, person)
    assert [e.person_id for e in waitlists.entries(store, pm, other)] == [person]


def test_a_member_cannot_join_the_list_of_their_network(store, pm, board):
    [person] = insert_people(store, [{}])
    seat(store, pm, board, [person])
    assert refusal(store, lambda: waitlists.add(store, pm, board, person)) == "already_member"


def test_after_an_ended_membership_the_rest_period_runs(store, pm, board):
    [person] = insert_people(store, [{}])
    [membership] = seat(store, pm, board, [person])
    memberships.end_early(store, pm, membership, "left")
    assert refusal(store, lambda: waitlists.add(store, pm, board, person)) == "resting"
    move_clock(-1, months=6)
    assert refusal(store, lambda: waitlists.add(store, pm, board, person)) == "resting"
    move_clock(1)    # six months after the end: the rest period is over
    waitlists.add(store, pm, board, person)
    assert entry_of(store, board, person)[1] == "waiting"


def test_without_a_rest_period_one_may_join_again_at_once(store, pm, board):
    no_rest = network(store, pm, "Adviesraad", rest_months=0)
    [person] = insert_people(store, [{}])
    ended = [seat(store, pm, network_id, [person])[0] for network_id in (board, no_rest)]
    for membership in ended:
        memberships.end_early(store, pm, membership, "left")
    assert refusal(store, lambda: waitlists.add(store, pm, board, person)) == "resting", "six months there"
    entry = waitlists.add(store, pm, no_rest, person)                          # the same day, no rest period
    assert entry_of(store, no_rest, person) == (entry, "waiting")
    assert [e.person_id for e in waitlists.entries(store, pm, no_rest)] == [person]


def test_unknown_person_or_network(store, pm, board):
    with pytest.raises(NotFound):
        waitlists.add(store, pm, board, 999_999)
    person = register(store, pm)
    with pytest.raises(NotFound):
        waitlists.add(store, pm, 999_999, person)


def test_outreach_may_not_keep_waiting_lists(store, actor, board):
    with pytest.raises(PermissionDenied):
        waitlists.add(store, actor, board, 1)
    with pytest.raises(PermissionDenied):
        waitlists.entries(store, actor, board)


# -- order, positions and waiting time ----------------------------------------------------------------
def test_positions_follow_the_joined_order_and_waited_days_count(store, pm, board, frozen_clock):
    people = insert_people(store, [{} for _ in range(4)])
    entries = {}
    for person, days_later in zip(people, (0, 10, 10, 45)):
        clock.freeze(frozen_clock + dt.timedelta(days=days_later))
        entries[person] = waitlists.add(store, pm, board, person)
    clock.freeze(frozen_clock + dt.timedelta(days=100))

    listed = waitlists.entries(store, pm, board)
    assert [(e.person_id, e.position, e.waited_days) for e in listed] == [
        (people[0], 1, 100), (people[1], 2, 90), (people[2], 3, 90), (people[3], 4, 55)]

    # on offer: no position, the others move up; the offer withdrawn: the same place in line again
    [offer] = offers.make(store, pm, board, [entries[people[1]]], "waitlist")
    assert [(e.person_id, e.status, e.position) for e in waitlists.entries(store, pm, board)] == [
        (people[0], "waiting", 1), (people[1], "offered", None), (people[2], "waiting", 2), (people[3], "waiting", 3)]
    offers.respond(store, pm, offer, "withdraw")
    assert [(e.person_id, e.position) for e in waitlists.entries(store, pm, board)] == [
        (people[0], 1), (people[1], 2), (people[2], 3), (people[3], 4)]


def test_taking_someone_off_needs_a_reason_and_keeps_the_entry(store, pm, board):
    first, second = insert_people(store, [{}, {}])
    entry = waitlists.add(store, pm, board, first)
    waitlists.add(store, pm, board, second)
    assert refusal(store, lambda: waitlists.end(store, pm, entry, "withdrawn", "  ")) == "required"
    assert refusal(store, lambda: waitlists.end(store, pm, entry, "expired", "weg")) == "invalid_choice"

    waitlists.end(store, pm, entry, "withdrawn", "Verhuisd naar Zwolle")
    assert [(e.person_id, e.position) for e in waitlists.entries(store, pm, board)] == [(second, 1)]
    with store.read() as cur:
        assert cur.execute("SELECT status, status_reason FROM waitlist_entry WHERE id = ?", [entry]).fetchone() == (
            "withdrawn", "Verhuisd naar Zwolle")
    assert refusal(store, lambda: waitlists.end(store, pm, entry, "removed", "nogmaals")) == "entry_not_waiting"
    waitlists.add(store, pm, board, first)   # may join again, at the back of the line
    assert [e.person_id for e in waitlists.entries(store, pm, board)] == [second, first]


# -- "still interested?" ------------------------------------------------------------------------------
def test_a_check_is_due_after_the_interval_set(store, pm, board, frozen_clock):
    with store.read() as cur:
        assert settings.get(cur, "interest_check_months") == 6
    store.write(settings.set_value, "interest_check_months", 2)
    [person] = insert_people(store, [{}])
    waitlists.add(store, pm, board, person)

    [entry] = waitlists.entries(store, pm, board, as_of=add_months(frozen_clock.date(), 2) - dt.timedelta(days=1))
    assert entry.check_due == dt.date(2027, 1, 29) and not entry.check_overdue
    [entry] = waitlists.entries(store, pm, board, as_of=dt.date(2027, 1, 29))
    assert entry.check_overdue

    clock.freeze(dt.datetime(2027, 2, 3, 9, 30))
    waitlists.confirm_interest(store, pm, entry.id)
    [entry] = waitlists.entries(store, pm, board)
    assert (entry.check_due, entry.check_overdue, entry.position) == (dt.date(2027, 4, 3), False, 1)
    assert entry.last_check_utc == dt.datetime(2027, 2, 3, 9, 30)


def test_a_setting_out_of_range_is_refused(store):
    with pytest.raises(ValidationError):
        store.write(settings.set_value, "interest_check_months", 0)
    with pytest.raises(ValidationError):
        store.write(settings.set_value, "interest_grace_days", 181)


def test_unconfirmed_entries_expire_after_the_grace_period_and_are_kept(store, pm, board, frozen_clock):
    store.write(settings.set_value, "interest_check_months", 3)
    store.write(settings.set_value, "interest_grace_days", 10)
    silent, confirmed, later = insert_people(store, [{}, {}, {}])
    silent_entry = waitlists.add(store, pm, board, silent)
    confirmed_entry = waitlists.add(store, pm, board, confirmed)
    clock.freeze(frozen_clock + dt.timedelta(days=30))
    waitlists.add(store, pm, board, later)
    due = dt.datetime(2027, 2, 28, 9, 30)          # 29-11-2026 + 3 months, clipped to February's last day

    clock.freeze(due - dt.timedelta(days=5))
    waitlists.confirm_interest(store, pm, confirmed_entry)
    clock.freeze(due + dt.timedelta(days=10))       # the last day of grace: nothing expires yet
    assert maintenance.run_due(store)["expired_entries"] == 0
    assert [e.position for e in waitlists.entries(store, pm, board)] == [1, 2, 3]
    assert [e.check_overdue for e in waitlists.entries(store, pm, board)] == [True, False, False]

    clock.freeze(due + dt.timedelta(days=11))
    assert maintenance.run_due(store) == {"networks_with_expired_offers": [], "expired_entries": 1}
    assert maintenance.run_due(store)["expired_entries"] == 0, "running it again changes nothing"
    assert [e.person_id for e in waitlists.entries(store, pm, board)] == [confirmed, later]
    with store.read() as cur:
        assert cur.execute("SELECT status, status_reason, status_utc FROM waitlist_entry WHERE id = ?",
                           [silent_entry]).fetchone() == ("expired", "interest_not_confirmed", clock.utcnow())
        assert cur.execute("SELECT count(*) FROM audit_event WHERE action = 'maintenance.expire'").fetchone()[0] == 1
    waitlists.add(store, pm, board, silent)           # expired, not barred: may join again


def test_confirming_needs_a_waiting_entry(store, pm, board):
    [person] = insert_people(store, [{}])
    entry = waitlists.add(store, pm, board, person)
    offers.make(store, pm, board, [entry], "waitlist")
    assert refusal(store, lambda: waitlists.confirm_interest(store, pm, entry)) == "entry_not_waiting"
    with pytest.raises(NotFound):
        waitlists.confirm_interest(store, pm, 999_999)
