"""Local accounts in a real browser: a refresh keeps the session, logout ends it for good (also for a
copied cookie), and an idle session ends by itself."""
import shutil
import time

import pytest
from e2e_kit import DESKTOP, Server, key, log_in, logged_in_as, session_cookie, shows_the_login, t, wait_for
from playwright.sync_api import expect

from crm_app.core import settings
from crm_app.core.store import Store

pytestmark = pytest.mark.e2e
IDLE_SECONDS = 6


@pytest.fixture
def idle_server(e2e_dir, template_store):
    """A server whose sessions end after IDLE_SECONDS without a click (set in the store's settings)."""
    db = e2e_dir / "idle.duckdb"
    shutil.copyfile(template_store, db)
    store = Store(db)
    try:
        store.write(lambda cur: settings.set_value(cur, "session_idle_seconds", IDLE_SECONDS))
    finally:
        store.close()
    srv = Server(db, e2e_dir / "idle.log")
    yield srv
    srv.stop()


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

    page.reload()                        # within the idle time: still logged in
    logged_in_as(page, display_name)
    # No click at all: the open screen turns into the login page by itself once the idle time is over.
    started = time.monotonic()
    shows_the_login(page)
    assert time.monotonic() - started >= IDLE_SECONDS - 1.5, "not before the idle time"
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
    for title_key in ("nav.find", "nav.home", "nav.find", "nav.home"):   # a click every ~2.5 s, 10 s in all
        time.sleep(IDLE_SECONDS / 2.4)
        nav.get_by_role("link", name=t(title_key)).click()
        expect(key(page, "app_logout")).to_be_visible()
    logged_in_as(page, display_name)
