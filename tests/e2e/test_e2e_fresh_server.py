"""A page's own address on a server that has just started, before any session ran app.py."""
import pytest
from e2e_kit import TIMEOUT_MS, key, t
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_direct_page_url_without_login_shows_only_the_login(phone, fresh_server):
    page = phone
    page.goto(f"{fresh_server.url}/register")

    expect(page.get_by_role("heading", name=t("login.title"))).to_be_visible(timeout=TIMEOUT_MS)
    expect(key(page, "login_username")).to_be_visible()
    expect(page.locator(".st-key-register_given_name")).to_have_count(0)
    expect(page.get_by_text(t("register.title"))).to_have_count(0)
    # Streamlit's automatic list of every file in pages/ is not shown either.
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)


@pytest.mark.parametrize("path", ["/users?role=admin&user=1", "/audit?page=users&admin=true",
                                  "/?role=admin&auth_token=" + "A" * 43], ids=["users", "audit", "root"])
def test_page_urls_with_escalation_parameters_on_a_fresh_server_show_only_the_login(phone, fresh_server, path):
    page = phone
    page.context.add_cookies([{"name": "crm_session", "value": "B" * 43, "url": fresh_server.url}])  # forged
    page.goto(f"{fresh_server.url}{path}")

    expect(page.get_by_role("heading", name=t("login.title"))).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator(".st-key-users_username")).to_have_count(0)
    expect(page.get_by_text(t("users.title"), exact=True)).to_have_count(0)
    expect(page.get_by_text(t("audit.title"), exact=True)).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
