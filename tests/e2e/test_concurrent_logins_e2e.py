"""Eight staff log in at the same moment on one server: everyone gets in, and every login is audited.

Before the store had one writer, every audited write updated the audit chain's head row at the same
time: one of eight simultaneous logins ended on Streamlit's generic English error screen, unaudited."""
from __future__ import annotations

import pytest
from e2e_kit import DESKTOP, PASSWORD, TIMEOUT_MS, Server, copy_store, key, t
from playwright.sync_api import expect

from crm_app.core.store import Store

pytestmark = [pytest.mark.e2e, pytest.mark.slow]   # long walks start first: no long tail
SESSIONS = 8


@pytest.fixture
def busy_server(e2e_dir, template_store):
    db = e2e_dir / "concurrent.duckdb"
    copy_store(template_store, db)
    srv = Server(db, e2e_dir / "concurrent.log")
    srv.db = db
    yield srv
    srv.stop()


def test_eight_simultaneous_logins_all_get_in_and_are_audited(browser, busy_server, outreach_login):
    contexts = [browser.new_context(**DESKTOP) for _ in range(SESSIONS)]
    pages = []
    for context in contexts:               # the eight login pages load side by side
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto(busy_server.url, wait_until="commit")
        pages.append(page)
    for page in pages:
        expect(page.get_by_role("heading", name=t("login.title"))).to_be_visible()
        key(page, "login_username").locator("input").fill(outreach_login[0])
        key(page, "login_password").locator("input").fill(PASSWORD)
    for page in pages:                      # eight Enters within a few milliseconds
        key(page, "login_password").locator("input").press("Enter", no_wait_after=True)
    for page in pages:
        expect(key(page, "app_logout")).to_be_visible()
        expect(page.get_by_test_id("stException")).to_have_count(0)
    for context in contexts:
        context.close()
    busy_server.stop()
    store = Store(busy_server.db)
    try:
        with store.read() as cur:
            logins = cur.execute("SELECT count(*) FROM audit_event WHERE action = 'login'").fetchone()[0]
    finally:
        store.close()
    assert logins == SESSIONS
