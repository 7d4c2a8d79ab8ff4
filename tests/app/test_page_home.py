"""The start page: who is logged in, what this role can do, what needs attention."""
import datetime as dt

import pytest
from apptest_kit import page_links, t, values

from crm_app.access import screens
from crm_app.core import clock
from crm_app.core.i18n import label
from crm_app.people import activities, persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput


@pytest.mark.parametrize("role", ["outreach", "program_manager", "coordinator", "admin"])
def test_greets_by_name_and_links_to_exactly_the_visible_screens_of_the_role(login, staff, role):
    at = login(role)
    assert values(at.main, "title") == [t("home.welcome", name=staff[role].display_name)]
    assert t("home.role", role=label("role", role)) in values(at.main, "caption")
    expected = [(t(s.title_key), s.path.removeprefix("pages/").removesuffix(".py"))
                for s in screens.screens_for(role) if s.key != "home" and not s.hidden]
    assert [(text, url) for text, url, _ in page_links(at.main)] == expected


@pytest.fixture
def seeded(store, staff):
    """Five persons. Follow-ups of outreach: one overdue, one due today, one due today but done, one
    next week. Of the program manager: one due today."""
    me = staff["outreach"].as_user().actor()
    other = staff["program_manager"].as_user().actor()
    ids = [persons.register(store, me, PersonInput(given_name=name), SourceInput(kind="market"),
                            confirmed_new=True).person_id for name in ("Amal", "Samir", "Yusuf", "Noor", "Bilal")]
    today = clock.today()
    clock.freeze(clock.utcnow() - dt.timedelta(days=1))
    try:
        activities.log(store, me, ids[0], "call", None, clock.today())
    finally:
        clock.freeze(None)
    activities.log(store, me, ids[1], "call", None, today)
    activities.mark_done(store, me, activities.log(store, me, ids[2], "call", None, today))
    activities.log(store, me, ids[3], "visit", None, today + dt.timedelta(days=7))
    activities.log(store, other, ids[4], "message", None, today)


def test_staff_who_log_contacts_see_the_counts_of_an_empty_store(login):
    at = login("outreach")
    assert values(at.main, "info") == [t("home.stats", persons=0, due=0)]


@pytest.mark.parametrize(("role", "due"), [("outreach", 2), ("program_manager", 1), ("admin", 0)])
def test_the_counts_are_all_persons_and_the_own_open_follow_ups_due_by_today(login, seeded, role, due):
    at = login(role)
    assert values(at.main, "info") == [t("home.stats", persons=5, due=due)]


def test_a_coordinator_sees_no_person_counts(login):
    at = login("coordinator")
    assert not at.info
