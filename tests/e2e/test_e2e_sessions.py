"""Local accounts in a real browser: a refresh keeps the session, logout ends it for good (also for a
copied cookie), and an idle session ends by itself.

The idle tests move the server's clock (crm_app.core.clock's test seam) instead of waiting: the
server's time stands still between moves, so no test depends on how busy the machine is.
"""
import datetime as dt
import time

import pytest
from e2e_kit import DESKTOP, Server, copy_store, key, log_in, logged_in_as, session_cookie, shows_the_login, t, wait_for
from playwright.sync_api import expect

from crm_app.core import settings
from crm_app.core.store import Store

pytestmark = pytest.mark.e2e
IDLE = dt.timedelta(seconds=6)   # the smallest allowed, so the open page checks its session every 2 s
START = dt.datetime.now(dt.UTC).replace(tzinfo=None)


@pytest.fixture(scope="module")
def _idle_server(tmp_path_factory, template_store):
    tmp_path = tmp_path_factory.mktemp("idle")
    db = tmp_path / "idle.duckdb"
    copy_store(template_store, db)
    store = Store(db)
    try:
        store.write(lambda cur: settings.set_value(cur, "session_idle_seconds", int(IDLE.total_seconds())))
    finally:
        store.close()
    srv = Server(db, tmp_path / "idle.log", clock_file=tmp_path / "clock")
    yield srv
    srv.stop()


@pytest.fixture
def idle_server(_idle_server):
    """A server whose sessions end after IDLE without a click (set in the store's settings), its clock
    standing at START until the test moves it. The idle tests share it: each logs in anew at START."""
    _idle_server.set_clock(START)
    return _idle_server


def test_a_local_login_survives_a_refresh_and_a_new_tab_and_logout_ends_it_everywhere(desktop, server,
                                                                                       outreach_login):
    username, display_name = outreach_login
    page = desktop.new_page()
    log_in(page, server.url, username)
    logged_in_as(page, display_name)

    wait_for(lambda: session_cookie(desktop) is not None)
    cookie = session_cookie(desktop)
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert 0 < cookie["expires"] - time.time() <= settings.DEFAULTS["session_max_seconds"] + 5

    page.reload()
    logged_in_as(page, display_name)

    second = desktop.new_page()          # a second tab of the same browser shares the session
    second.goto(server.url)
    logged_in_as(second, display_name)

    key(page, "app_logout").locator("button").click()
    shows_the_login(page)
    page.reload()
    shows_the_login(page)
    second.reload()                      # the other tab's session was ended in the store too
    shows_the_login(second)

    # A copy of the old cookie (a stolen token) opens nothing after logout.
    thief = desktop.browser.new_context(**DESKTOP)
    try:
        thief.add_cookies([{"name": "crm_session", "value": cookie["value"], "url": server.url}])
        stolen = thief.new_page()
        stolen.goto(server.url)
        shows_the_login(stolen)
    finally:
        thief.close()


def test_an_idle_session_ends_by_itself(desktop, idle_server, outreach_login):
    username, display_name = outreach_login
    page = desktop.new_page()
    log_in(page, idle_server.url, username)
    logged_in_as(page, display_name)
    wait_for(lambda: session_cookie(desktop) is not None)

    idle_server.set_clock(START + IDLE - dt.timedelta(seconds=1))
    page.reload()                        # within the idle time: still logged in (and this counts as a click)
    logged_in_as(page, display_name)
    # No click at all: the open screen turns into the login page by itself once the idle time is over.
    idle_server.set_clock(START + 2 * IDLE)
    shows_the_login(page)
    expect(page.get_by_text(t("login.session_ended"))).to_be_visible()
    expect(page.get_by_role("heading", name=t("home.welcome", name=display_name))).to_have_count(0)
    page.reload()
    shows_the_login(page)


def test_clicks_keep_a_session_alive_past_the_idle_time(desktop, idle_server, outreach_login):
    username, display_name = outreach_login
    page = desktop.new_page()
    log_in(page, idle_server.url, username)
    logged_in_as(page, display_name)
    nav = page.get_by_test_id("stSidebarNav")
    step = IDLE * 0.8
    screens = [("nav.find", t("find.title")), ("nav.home", t("home.welcome", name=display_name))] * 2
    for n, (link, heading) in enumerate(screens, start=1):
        idle_server.set_clock(START + n * step)          # a click every 4.8 s, 19.2 s in all
        nav.get_by_role("link", name=t(link)).click()
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        expect(key(page, "app_logout")).to_be_visible()
    page.reload()
    logged_in_as(page, display_name)
