"""Role × page: each page either renders for a role or shows only "no access", and the navigation
app.py builds for a role holds exactly the pages that role may open.

The expected table comes from crm_app.core.permissions and crm_app.access.screens.SCREENS; the pages are the
files in pages/, so a new page is checked without touching this file.
"""
from __future__ import annotations

import re

import pytest
import streamlit
from apptest_kit import PAGES_DIR, elements, first_run, new_app, sign_in, t, values

from crm_app.access import screens
from crm_app.core import permissions, reference
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput

PAGE_FILES = sorted(path.name for path in PAGES_DIR.glob("*.py"))
SCREENS = {screen.path: screen for screen in screens.SCREENS}
ROLES = list(reference.ROLES)
_REQUIRE = re.compile(r"""session\.require\(\s*["']([a-z_.]+)["']\s*\)""")


def action_of(page_file: str) -> str:
    return SCREENS[f"pages/{page_file}"].action


def allowed(role: str | None, page_file: str) -> bool:
    return permissions.allowed(role, action_of(page_file))


# -- the table itself ------------------------------------------------------------------------------
@pytest.mark.parametrize("page_file", PAGE_FILES)
def test_every_page_is_a_screen_and_checks_the_same_permission_itself(page_file):
    assert f"pages/{page_file}" in SCREENS, f"pages/{page_file} is missing from crm_app.access.screens.SCREENS"
    source = (PAGES_DIR / page_file).read_text(encoding="utf-8")
    gates = _REQUIRE.findall(source)
    assert gates, f"pages/{page_file} does not call session.require(...)"
    assert gates[0] == action_of(page_file), "the page's own gate and its navigation entry disagree"
    first_streamlit_call = re.search(r"^\s*st\.\w+\(", source, re.MULTILINE)
    assert first_streamlit_call is None or first_streamlit_call.start() > source.index("session.require("), \
        "the permission check comes before anything is drawn"


def test_every_screen_names_a_known_action_and_file():
    for screen in screens.SCREENS:
        assert screen.action in permissions.ACTIONS, screen
        assert (PAGES_DIR.parent / screen.path).is_file(), screen
    for action, roles in permissions.ACTIONS.items():
        assert roles <= set(reference.ROLES), action


def test_the_kiosk_may_open_only_the_self_registration_page():
    assert [s.key for s in screens.screens_for("kiosk")] == ["self_register"]


# -- each page file run on its own -----------------------------------------------------------------
@pytest.fixture
def a_person(store, staff) -> int:
    return persons.register(store, staff["outreach"].as_user().actor(),
                            PersonInput(given_name="Amal", family_name="Haddad"),
                            SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id


@pytest.fixture
def recorded_links(monkeypatch) -> list[str]:
    """Stand-in for st.page_link: with a page file as the main script its links cannot resolve
    (they are relative to app.py), so record where each link points instead."""
    links: list[str] = []

    def page_link(page, *args, **kwargs):
        links.append(page)

    monkeypatch.setattr(streamlit, "page_link", page_link)
    return links


@pytest.mark.parametrize("page_file", PAGE_FILES)
@pytest.mark.parametrize("role", ROLES + [None])
def test_a_page_file_renders_for_allowed_roles_and_shows_only_no_access_otherwise(
        role, page_file, staff, recorded_links, request, store):
    at = new_app(str(PAGES_DIR / page_file))
    if role is not None:
        sign_in(at, staff[role].as_user())
    if page_file == "person.py":
        at.query_params["id"] = str(request.getfixturevalue("a_person"))
    first_run(at)

    assert not at.exception, [e.value for e in at.exception]
    if allowed(role, page_file):
        assert t("app.no_access") not in values(at.main, "error")
        assert values(at.main, "title"), "the page draws its title"
        for target in recorded_links:
            assert target in SCREENS and allowed(role, target.removeprefix("pages/")), \
                f"{page_file} links {role} to {target}, which that role may not open"
    else:
        assert [(e.type, e.value) for e in elements(at.main)] == [("error", t("app.no_access"))]
        assert not elements(at.sidebar)
        assert recorded_links == []
        with store.read() as cur:
            refusals = cur.execute("SELECT user_id, action FROM audit_event WHERE result = 'refused' "
                                   "AND record_type = 'screen'").fetchall()
        expected = [] if role is None else [(staff[role].as_user().id, action_of(page_file))]
        assert refusals == expected, "a logged-in person refused a screen is in the audit log"


# -- the navigation app.py builds ------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_the_navigation_holds_exactly_the_pages_the_role_may_open(role, staff, a_person):
    at = new_app()
    sign_in(at, staff[role].as_user())
    first_run(at)
    assert not at.exception

    reachable = set()
    for page_file in PAGE_FILES:
        try:
            at.switch_page(f"pages/{page_file}")
        except ValueError:   # not registered with st.navigation for this session
            continue
        reachable.add(page_file)
        at.query_params["id"] = str(a_person)
        at.run()
        assert not at.exception, (page_file, [e.value for e in at.exception])
        assert t("app.no_access") not in values(at.main, "error"), page_file
        assert values(at.main, "title"), page_file
        at.query_params.clear()

    expected = {page_file for page_file in PAGE_FILES if allowed(role, page_file)}
    assert reachable == expected
    assert reachable == {screen.path.removeprefix("pages/") for screen in screens.screens_for(role)}


def test_without_a_user_the_navigation_holds_only_the_login():
    at = first_run(new_app())
    assert values(at.main, "title") == [t("login.title")]
    for page_file in PAGE_FILES:
        with pytest.raises(ValueError):
            at.switch_page(f"pages/{page_file}")
