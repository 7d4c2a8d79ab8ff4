"""Logging in by keyboard alone, as many staff do: Tab between the fields, Tab to the button and
Enter, or Enter in a field. Outside a form, Streamlit commits a text field only when it loses focus
or gets Enter, and Tab from the password field goes to its own "show password" button, which does
not count as leaving: the password was never sent and the right one was refused."""

import pytest
from e2e_kit import PASSWORD, Server, copy_store, key, logged_in_as, settled, t
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(e2e_dir, template_store):
    """A server of its own (named `server`, so its log is shown on failure): a refused log-in here must
    not make the shared server's user wait."""
    db = e2e_dir / "login-keyboard.duckdb"
    copy_store(template_store, db)
    srv = Server(db, e2e_dir / "login-keyboard.log")
    yield srv
    srv.stop()


@pytest.fixture
def login_screen(desktop, server) -> Page:
    page = desktop.new_page()
    page.goto(server.url)
    expect(page.get_by_role("heading", name=t("login.title"))).to_be_visible()
    expect(key(page, "login_submit")).to_be_visible()
    settled(page)        # focus is not moved while the first script run still redraws the page
    return page


def focused_in(page: Page, widget_key: str) -> bool:
    return page.evaluate(f"document.activeElement.closest('.st-key-{widget_key}') !== null")


def tab_to(page: Page, widget_key: str, most: int = 30) -> None:
    """Press Tab until the focus is inside the widget (as a keyboard user would, never a click)."""
    seen = []
    for _ in range(most):
        if focused_in(page, widget_key):
            return
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.outerHTML.slice(0, 120)"))
    raise AssertionError(f"Tab never reached {widget_key}: {seen}")


def type_username_and_password(page: Page, username: str) -> None:
    tab_to(page, "login_username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert focused_in(page, "login_password"), "Tab from the username goes to the password"
    page.keyboard.type(PASSWORD)


def test_tab_to_the_button_and_enter_logs_in(login_screen, outreach_login):
    page = login_screen
    username, display_name = outreach_login
    type_username_and_password(page, username)
    tab_to(page, "login_submit")          # past the "show password" button
    page.keyboard.press("Enter")
    logged_in_as(page, display_name)


def test_enter_in_the_password_field_logs_in(login_screen, outreach_login):
    page = login_screen
    username, display_name = outreach_login
    type_username_and_password(page, username)
    page.keyboard.press("Enter")
    logged_in_as(page, display_name)


def test_enter_in_the_username_field_logs_in_too(login_screen, outreach_login):
    page = login_screen
    username, display_name = outreach_login
    type_username_and_password(page, username)
    page.keyboard.press("Shift+Tab")
    assert focused_in(page, "login_username")
    page.keyboard.press("Enter")
    logged_in_as(page, display_name)
    expect(key(page, "login_submit")).to_have_count(0)
