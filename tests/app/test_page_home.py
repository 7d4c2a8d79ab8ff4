"""The start page: who is logged in, what this role can do, what needs attention."""
import pytest
from apptest_kit import page_links, t, values

from crm_app.access import screens
from crm_app.core.i18n import label


@pytest.mark.parametrize("role", ["outreach", "program_manager", "coordinator", "admin"])
def test_greets_by_name_and_links_to_exactly_the_visible_screens_of_the_role(login, staff, role):
    at = login(role)
    assert values(at.main, "title") == [t("home.welcome", name=staff[role].display_name)]
    assert t("home.role", role=label("role", role)) in values(at.main, "caption")
    expected = [(t(s.title_key), s.path.removeprefix("pages/").removesuffix(".py"))
                for s in screens.screens_for(role) if s.key != "home" and not s.hidden]
    assert [(text, url) for text, url, _ in page_links(at.main)] == expected


def test_staff_who_log_contacts_see_the_counts(login):
    at = login("outreach")
    assert values(at.main, "info") == [t("home.stats", persons=0, due=0)]


def test_a_coordinator_sees_no_person_counts(login):
    at = login("coordinator")
    assert not at.info
