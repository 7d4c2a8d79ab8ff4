"""Behind the shipped nginx site (deploy/nginx-crm.conf), the per-address login limit counts the browser's
address, not the proxy's.

Streamlit sees every request come from 127.0.0.1 (and reports it as no address at all), so before, the
per-address limit never applied. nginx adds the client to X-Forwarded-For; the app believes it because
CRM_TRUSTED_PROXIES names the proxy. Two browsers stand for two clients: each sends the address an outer
load balancer would have put in the header, and nginx appends its own peer, as in production.
"""

import pytest
from e2e_kit import PASSWORD, TIMEOUT_MS, Nginx, Server, copy_store, key, logged_in_as, t
from playwright.sync_api import expect

from crm_app.core import settings
from crm_app.core.store import Store

pytestmark = [pytest.mark.e2e, pytest.mark.slow]   # long walks start first: no long tail
CLIENT_A, CLIENT_B = "203.0.113.7", "198.51.100.9"


@pytest.fixture(scope="module")
def behind_nginx(e2e_dir, template_store):
    db = e2e_dir / "proxy.duckdb"
    copy_store(template_store, db)
    store = Store(db)
    store.write(settings.set_value, "login_max_failures_address", 3)
    store.close()
    app = Server(db, e2e_dir / "proxy-app.log", env={"CRM_TRUSTED_PROXIES": "127.0.0.1, ::1"})
    proxy = Nginx(e2e_dir / "nginx-proxy", app)
    yield proxy.url, app, db
    proxy.stop()
    app.stop()


def attempt(browser, url: str, client: str, username: str, password: str):
    context = browser.new_context(extra_http_headers={"X-Forwarded-For": client}, locale="nl-NL",
                                  ignore_https_errors=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(url)
    expect(page.get_by_role("heading", name=t("login.title"))).to_be_visible()
    key(page, "login_username").locator("input").fill(username)
    key(page, "login_password").locator("input").fill(password)
    key(page, "login_password").locator("input").press("Enter")
    return context, page


def test_one_address_trying_many_usernames_waits_and_another_address_logs_in(browser, behind_nginx):
    url, app, db = behind_nginx
    for name in ("ahmed", "bram", "chen"):               # three usernames from one address: its limit
        context, page = attempt(browser, url, CLIENT_A, name, "wrong password 1")
        expect(page.get_by_text(t("login.failed"))).to_be_visible()
        context.close()

    context, page = attempt(browser, url, CLIENT_A, "olga", PASSWORD)   # even the right password waits
    expect(page.get_by_text(t("login.throttled"))).to_be_visible()
    expect(key(page, "app_logout")).to_have_count(0)
    context.close()

    context, page = attempt(browser, url, CLIENT_B, "olga", PASSWORD)   # another office is not locked out
    logged_in_as(page, "Olga Outreach")
    context.close()

    app.stop()
    store = Store(db)
    try:
        with store.read() as cur:
            addresses = {row[0] for row in cur.execute("SELECT DISTINCT address FROM login_attempt").fetchall()}
    finally:
        store.close()
    assert addresses == {CLIENT_A, CLIENT_B}
