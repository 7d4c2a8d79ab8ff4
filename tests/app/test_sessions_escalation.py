"""Escalation attempts reach nothing: URL parameters, values planted in session state, a forged or
copied token, a disabled account's open session, an expired session. And logout really ends it."""
from __future__ import annotations

import datetime as dt
import secrets

import pytest
from apptest_kit import (
    PAGES_DIR,
    PASSWORD,
    account_row,
    count,
    elements,
    first_run,
    new_app,
    pick_row,
    sign_in,
    submit_login,
    t,
    values,
)

from crm_app.access import screens, sessions, users
from crm_app.access.audit import CLI_OPERATOR
from crm_app.core import clock, settings
from crm_app.ui import session

ADMIN_ONLY = [s.path for s in screens.SCREENS if s.action == "user.manage"]
HOSTILE_QUERIES = [{"role": "admin"}, {"user": "1"}, {"user_id": "1"}, {"page": "users"}, {"admin": "true"},
                   {"auth_token": "x" * 43}, {"token": "x" * 43}, {"crm_session": "x" * 43},
                   {"role": "admin", "user": "1", "page": "users", "debug": "1"}]


def only_the_login(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert values(at.main, "title") == [t("login.title")]
    assert not at.sidebar.button, "no log-out button: nobody is logged in"
    for screen in screens.SCREENS:
        with pytest.raises(ValueError):   # not registered with st.navigation for this browser
            at.switch_page(screen.path)


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_query_parameters_open_nothing_without_a_login(query):
    at = new_app()
    at.query_params.update(query)
    only_the_login(first_run(at))


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_query_parameters_do_not_raise_a_logged_in_role(staff, query):
    at = new_app()
    sign_in(at, staff["outreach"].as_user())
    at.query_params.update(query)
    first_run(at)
    assert values(at.main, "title") == [t("home.welcome", name=staff["outreach"].display_name)]
    for path in ADMIN_ONLY:
        with pytest.raises(ValueError):
            at.switch_page(path)


@pytest.mark.parametrize("planted", [
    {"auth_user": "admin_user"},                         # the old place of the logged-in user
    {"role": "admin", "user": 1, "user_id": 1, "is_admin": True},
    {"auth_token": "forged"},
    {"auth_token": "forged-but-the-right-shape-" + "A" * 20},
    {"auth_token": 12345},
    {"auth_expires_utc": dt.datetime(2099, 1, 1)},
])
def test_values_planted_in_session_state_open_nothing(staff, planted):
    at = new_app()
    for key, value in planted.items():
        at.session_state[key] = staff["admin"].as_user() if value == "admin_user" else value
    only_the_login(first_run(at))


@pytest.mark.parametrize("page_file", ["users.py", "audit.py", "register.py", "person.py"])
def test_a_page_file_run_alone_with_a_planted_admin_shows_only_no_access(staff, page_file):
    at = new_app(str(PAGES_DIR / page_file))
    at.session_state["auth_user"] = staff["admin"].as_user()
    at.session_state["role"] = "admin"
    first_run(at)
    assert [(e.type, e.value) for e in elements(at.main)] == [("error", t("app.no_access"))]


def test_a_forged_cookie_opens_nothing(monkeypatch):
    monkeypatch.setattr(session, "_cookie_token", lambda: secrets.token_urlsafe(32))
    only_the_login(first_run(new_app()))


def test_a_valid_cookie_token_is_a_refresh_that_keeps_the_session(staff, store, monkeypatch):
    token = sessions.start(store, staff["coordinator"].as_user(), "local")
    monkeypatch.setattr(session, "_cookie_token", lambda: token)
    at = first_run(new_app())                       # a new browser session: nothing in session state
    assert values(at.main, "title") == [t("home.welcome", name=staff["coordinator"].display_name)]


def test_logout_ends_the_session_in_the_store_so_a_copied_token_is_dead(login, store, monkeypatch):
    at = login("admin")
    token = at.session_state[session.TOKEN_KEY]
    at.sidebar.button(key="app_logout").click().run()
    only_the_login(at)
    assert sessions.resume(store, token) is None
    monkeypatch.setattr(session, "_cookie_token", lambda: token)   # the same token replayed from a cookie
    only_the_login(first_run(new_app()))
    assert count(store, "SELECT count(*) FROM audit_event WHERE action = 'logout'") == 1


def test_a_disabled_account_s_open_session_ends_at_its_next_click(login, staff, store):
    at = login("program_manager")
    users.set_disabled(store, CLI_OPERATOR, staff["program_manager"].username, True)
    at.run()
    only_the_login(at)
    assert values(at.main, "info") == [t("login.session_ended")]


def test_an_idle_session_ends_and_says_so(login, store, frozen_clock):
    at = login("outreach")
    clock.freeze(frozen_clock + dt.timedelta(seconds=settings.DEFAULTS["session_idle_seconds"] - 1))
    at.run()
    assert values(at.main, "title") == [t("home.welcome", name="Olga Outreach")]
    clock.freeze(frozen_clock + dt.timedelta(seconds=2 * settings.DEFAULTS["session_idle_seconds"]))
    at.run()
    only_the_login(at)
    assert values(at.main, "info") == [t("login.session_ended")]
    assert count(store, "SELECT count(*) FROM audit_event WHERE action = 'session.expire' AND result = 'idle'") == 1
    submit_login(at, "olga", PASSWORD)               # and logging in again works
    assert values(at.main, "title") == [t("home.welcome", name="Olga Outreach")]


def test_an_expired_session_cannot_act_through_a_button_either(login, staff, store, frozen_clock):
    at = login("admin")
    at.switch_page("pages/users.py").run()
    pick_row(at, "users_table", account_row(store, staff["outreach"].username))
    at.button(key="users_toggle").click().run()      # asks to confirm
    clock.freeze(frozen_clock + dt.timedelta(seconds=settings.DEFAULTS["session_max_seconds"]))
    before = count(store, "SELECT count(*) FROM app_user WHERE disabled")
    at.button(key="users_disable_confirm").click().run()
    assert count(store, "SELECT count(*) FROM app_user WHERE disabled") == before
    assert values(at.main, "title") == [t("login.title")]
