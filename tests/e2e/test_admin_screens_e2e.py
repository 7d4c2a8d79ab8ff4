"""An administrator without a terminal: in the browser, give a user another role (it counts at the
user's next click) and end that user's session (their browser shows the login). Rows are picked in
the tables themselves (st.dataframe row selection), as an administrator would."""

import pytest
from e2e_kit import (
    PASSWORD,
    Server,
    add_user,
    choose,
    copy_store,
    key,
    log_in,
    logged_in_as,
    press,
    session_cookie,
    settled,
    shows,
    shows_the_login,
    t,
    wait_for,
)
from playwright.sync_api import Page, expect

from crm_app.core.store import Store

pytestmark = pytest.mark.e2e
ROW_HEIGHT = 35   # st.dataframe's default row (and header) height in pixels


@pytest.fixture(scope="module")
def server(e2e_dir, template_store):
    """A server of its own with an administrator beside the outreach user."""
    db = e2e_dir / "admin-screens.duckdb"
    copy_store(template_store, db)
    store = Store(db)
    try:
        add_user(store, "ada", "Ada Admin", "admin", PASSWORD)
    finally:
        store.close()
    srv = Server(db, e2e_dir / "admin-screens.log")
    yield srv
    srv.stop()


def pick_row(page: Page, table_key: str, index: int) -> None:
    """Tick row `index` of a table in its row-selection column (the narrow first column)."""
    grid = key(page, table_key).get_by_test_id("stDataFrame")
    expect(grid).to_be_visible()
    settled(page)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + ROW_HEIGHT * (index + 1) + ROW_HEIGHT / 2)


def nav_link(page: Page, title_key: str):
    return page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=t(title_key), exact=True)


def test_an_admin_changes_a_role_and_ends_that_users_session(browser, server, outreach_login):
    username, display_name = outreach_login
    olga_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    admin_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    try:
        olga = olga_context.new_page()
        log_in(olga, server.url, username)
        logged_in_as(olga, display_name)
        wait_for(lambda: session_cookie(olga_context) is not None)   # a reload finds the session
        expect(nav_link(olga, "nav.fill")).to_have_count(0)

        admin = admin_context.new_page()
        log_in(admin, server.url, "ada")
        logged_in_as(admin, "Ada Admin")
        nav_link(admin, "nav.users").click()
        pick_row(admin, "users_table", sorted(["ada", "kiosk-markt", username]).index(username))   # conftest's accounts
        expect(key(admin, "users_account")).to_contain_text(display_name)
        choose(admin, "users_new_role", "Programma", t("label.role.program_manager"))
        press(admin, "users_change_role")
        shows(admin, t("users.role_changed", username=username, role=t("label.role.program_manager")))

        olga.reload()                     # her next click: the screens of her new role
        expect(nav_link(olga, "nav.fill")).to_be_visible()

        nav_link(admin, "nav.sessions").click()
        pick_row(admin, "sessions_table", 0)   # olga logged in first: the oldest session
        expect(key(admin, "sessions_selected")).to_be_visible()
        press(admin, "sessions_end")
        shows(admin, t("sessions.confirm_one", username=username))
        press(admin, "sessions_confirm_yes")
        shows(admin, t("sessions.ended_one"))

        olga.reload()
        shows_the_login(olga)
        expect(key(admin, "app_logout")).to_be_visible()   # the administrator's own session goes on
    finally:
        olga_context.close()
        admin_context.close()
