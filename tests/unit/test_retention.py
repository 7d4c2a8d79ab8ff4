"""Retention with a frozen clock: each limit one day before and one day after, what stays, the daily switch."""
from __future__ import annotations

import datetime as dt

import pytest
from networks_kit import network, register, seat

from crm_app import maintenance
from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import clock
from crm_app.core.clock import add_months
from crm_app.core.errors import CrmError, PermissionDenied
from crm_app.networks import memberships, waitlists
from crm_app.people import activities
from crm_app.privacy import retention

T0 = dt.datetime(2024, 3, 15, 9, 30)       # registration moment (UTC; 10:30 in Amsterdam, same day)


@pytest.fixture
def admin(actor):
    return Actor(user_id=actor.user_id, role="admin", origin="web")


@pytest.fixture
def start():
    clock.freeze(T0)
    yield T0
    clock.freeze(None)


def rules_for(store, admin, as_of) -> dict[int, str]:
    return {i.person_id: i.rule for i in retention.preview(store, admin, as_of, record=False)}


def test_a_candidate_goes_the_day_after_24_months_without_contact(store, admin, start):
    pid = register(store, admin, "Amal", family="Haddad")
    limit = add_months(T0.date(), 24)
    assert pid not in rules_for(store, admin, limit - dt.timedelta(days=1))
    assert pid not in rules_for(store, admin, limit)
    [item] = retention.preview(store, admin, limit + dt.timedelta(days=1), record=False)
    assert (item.person_id, item.rule, item.stage, item.last_activity) == (pid, "candidate_inactive", "new", T0.date())


def test_contact_or_a_confirmation_restarts_the_candidate_period(store, admin, start):
    pid = register(store, admin, "Amal", family="Haddad")
    board = network(store, admin, max_places=5)
    entry = waitlists.add(store, admin, board, pid)
    clock.freeze(dt.datetime.combine(add_months(T0.date(), 5), T0.time()))
    waitlists.confirm_interest(store, admin, entry)
    confirmed = clock.today()
    clock.freeze(dt.datetime.combine(add_months(T0.date(), 20), T0.time()))
    activities.log(store, admin, pid, "call", "nog steeds geïnteresseerd")
    called = clock.today()
    limit = add_months(called, 24)
    assert confirmed < called
    assert pid not in rules_for(store, admin, limit)
    assert rules_for(store, admin, limit + dt.timedelta(days=1))[pid] == "candidate_inactive"


def test_members_and_open_offers_are_never_removed(store, admin, start):
    member, offered = register(store, admin, "Amal", family="Haddad"), register(store, admin, "Bilal", family="Demir")
    board = network(store, admin, max_places=5, term_months=120)
    seat(store, admin, board, [member])
    from crm_app.networks import offers
    entry = waitlists.add(store, admin, board, offered)
    offers.make(store, admin, board, [entry], "waitlist", deadline_days=90)
    far = add_months(T0.date(), 119)
    found = rules_for(store, admin, far)
    assert member not in found
    assert offered not in found


def test_an_alumnus_goes_the_day_after_five_years_without_activity(store, admin, start):
    pid = register(store, admin, "Amal", family="Haddad")
    board = network(store, admin, max_places=5)
    [membership] = seat(store, admin, board, [pid])
    clock.freeze(dt.datetime.combine(add_months(T0.date(), 3), T0.time()))
    memberships.end_early(store, admin, membership, "left")
    ended = clock.today()
    limit = add_months(ended, 60)
    assert pid not in rules_for(store, admin, limit - dt.timedelta(days=1))
    assert pid not in rules_for(store, admin, limit)
    [item] = [i for i in retention.preview(store, admin, limit + dt.timedelta(days=1), record=False) if i.person_id == pid]
    assert (item.rule, item.stage, item.last_activity) == ("alumnus_inactive", "alumnus", ended)


def test_an_expired_entry_goes_12_months_later_and_the_person_stays(store, admin, start):
    pid = register(store, admin, "Amal", family="Haddad")
    board = network(store, admin, max_places=5)
    waitlists.add(store, admin, board, pid)
    # the entry expires through the daily upkeep (interest check due after 6 months, 30 days grace)
    expiry_day = add_months(T0.date(), 6) + dt.timedelta(days=31)
    clock.freeze(dt.datetime.combine(expiry_day, T0.time()))
    assert maintenance.run_due(store)["expired_entries"] == 1
    limit = add_months(expiry_day, 12)
    assert [i.rule for i in retention.preview(store, admin, limit, record=False)] == []
    [item] = retention.preview(store, admin, limit + dt.timedelta(days=1), record=False)
    assert (item.rule, item.person_id, item.last_activity) == ("waitlist_expired", pid, expiry_day)
    clock.freeze(dt.datetime.combine(limit + dt.timedelta(days=1), T0.time()))
    result = retention.apply(store, admin)
    assert result == {"candidate_inactive": 0, "alumnus_inactive": 0, "waitlist_expired": 1, "persons_erased": 0}
    with store.read() as cur:
        assert cur.execute("SELECT count(*) FROM waitlist_entry").fetchone()[0] == 0
        assert cur.execute("SELECT count(*) FROM person WHERE id = ?", [pid]).fetchone()[0] == 1


def test_apply_erases_and_audits_counts_only(store, admin, start):
    old = register(store, admin, "Amal", family="Haddad")
    clock.freeze(dt.datetime.combine(add_months(T0.date(), 12), T0.time()))
    recent = register(store, admin, "Bilal", family="Demir")
    clock.freeze(dt.datetime.combine(add_months(T0.date(), 24) + dt.timedelta(days=1), T0.time()))
    result = retention.apply(store, admin)
    assert result["candidate_inactive"] == 1 and result["persons_erased"] == 1
    with store.read() as cur:
        assert [r[0] for r in cur.execute("SELECT id FROM person").fetchall()] == [recent]
    [event] = audit.search(store, admin, action="retention.apply")
    assert event["result"] == "candidate_inactive=1 alumnus_inactive=0 waitlist_expired=0"
    assert "Amal" not in str(event) and "Haddad" not in str(event)
    erased = audit.search(store, admin, action="person.erase")
    assert [(e["record_id"], e["result"]) for e in erased] == [(old, "retention")]
    assert audit.verify(store).ok


def test_the_daily_job_waits_for_an_admin_to_switch_retention_on_after_a_preview(store, admin, start):
    pid = register(store, admin, "Amal", family="Haddad")
    late = add_months(T0.date(), 30)
    clock.freeze(dt.datetime.combine(late, T0.time()))
    assert "retention" not in maintenance.run_due(store), "off by default: nothing removed"
    with store.read() as cur:
        assert cur.execute("SELECT count(*) FROM person").fetchone()[0] == 1
    with pytest.raises(CrmError) as refused:
        retention.enable(store, admin)
    assert refused.value.code == "retention_preview_first"
    assert [i.person_id for i in retention.preview(store, admin)] == [pid]     # the admin sees the list
    retention.enable(store, admin)
    assert maintenance.run_due(store)["retention"]["persons_erased"] == 1
    assert "retention" in maintenance.run_due(store) and maintenance.run_due(store)["retention"]["persons_erased"] == 0
    assert len(audit.search(store, admin, action="retention.apply")) == 1, "an idle daily run writes no event"
    retention.enable(store, admin, on=False)
    assert not retention.is_enabled(store)


def test_retention_is_for_admins(store, actor, start):
    for role in ("outreach", "program_manager", "coordinator"):
        with pytest.raises(PermissionDenied):
            retention.preview(store, Actor(actor.user_id, role))
        with pytest.raises(PermissionDenied):
            retention.apply(store, Actor(actor.user_id, role))


def test_periods_are_settings_within_limits(store, admin, start):
    from crm_app.core.errors import ValidationError
    pid = register(store, admin, "Amal", family="Haddad")
    retention.set_rules(store, admin, {"retention_candidate_months": 36})
    assert pid not in rules_for(store, admin, add_months(T0.date(), 36))
    assert rules_for(store, admin, add_months(T0.date(), 36) + dt.timedelta(days=1))[pid] == "candidate_inactive"
    with pytest.raises(ValidationError):
        retention.set_rules(store, admin, {"retention_candidate_months": 48, "retention_alumni_years": 0})
    assert retention.rules(store) == {"retention_candidate_months": 36, "retention_waitlist_months": 12,
                                      "retention_alumni_years": 5}, "all or nothing"
