"""My follow-ups: the contact moments I promised to follow up, due today or overdue; 'done' clears them."""
import datetime as dt

import pytest
from apptest_kit import main_text, outcome_box, pick_row, t, values

from crm_app.core import clock
from crm_app.people import activities, persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput


@pytest.fixture
def moments(store, staff):
    """Amal: due today (outreach). Samir: overdue since yesterday (outreach). Yusuf: due today, but
    promised by the program manager. Noor: next week (outreach)."""
    me = staff["outreach"].as_user().actor()
    other = staff["program_manager"].as_user().actor()

    def person(name):
        return persons.register(store, me, PersonInput(given_name=name), SourceInput(kind="market"),
                                confirmed_new=True).person_id

    ids = {name: person(name) for name in ("Amal", "Samir", "Yusuf", "Noor")}
    today = clock.today()
    clock.freeze(clock.utcnow() - dt.timedelta(days=1))
    try:
        samir = activities.log(store, me, ids["Samir"], "call", "Terugbellen", clock.today())
    finally:
        clock.freeze(None)
    return {
        "amal": activities.log(store, me, ids["Amal"], "message", None, today),
        "samir": samir,
        "yusuf": activities.log(store, other, ids["Yusuf"], "call", None, today),
        "noor": activities.log(store, me, ids["Noor"], "visit", None, today + dt.timedelta(days=7)),
    }


def table(at):
    frames = [e for e in at.main if getattr(e, "key", None) == "followups_table"]
    return frames[0].value if frames else None


def shown(at) -> list[str]:
    frame = table(at)
    return [] if frame is None else list(frame[t("list.col.name")])


def test_only_my_due_and_overdue_follow_ups_oldest_first(login, moments):
    at = login("outreach", "follow_ups")
    assert values(at.main, "title") == [t("followups.title")]
    assert shown(at) == ["Samir", "Amal"]
    assert list(table(at)[t("followups.col.when")]) == [t("followups.overdue"), t("followups.today")]
    assert "Terugbellen" in main_text(at)


def test_done_removes_only_that_follow_up(login, moments, store):
    at = login("outreach", "follow_ups")
    pick_row(at, "followups_table", 1)
    assert "Amal" in main_text(at.get_by_key("followups_selected"))
    at.button(key="followups_done").click().run()
    box, script = outcome_box(at, "followups_actions")
    assert [e.value for e in box] == [t("followups.marked_done")] and script is not None
    assert shown(at) == ["Samir"]
    pick_row(at, "followups_table", 0)
    at.button(key="followups_done").click().run()
    assert shown(at) == []
    assert values(at.main, "info") == [t("followups.none")]
    assert values(at.main, "success") == [t("followups.marked_done")], "the outcome stays where the button was"


def test_the_home_page_counts_what_is_due(login, moments):
    at = login("outreach")
    assert values(at.main, "info") == [t("home.stats", persons=4, due=2)]
