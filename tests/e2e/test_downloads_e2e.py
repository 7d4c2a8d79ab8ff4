"""A personal-data download exists only from the click until a few seconds later.

Before, the backup's bytes sat at /media/<id> for anyone with the address, no cookie needed, 105 s after
logout. Now nothing is at any address before the click, the browser gets the file at once, and
EXPIRE_SECONDS later the address answers 404 (crm_app/ui/downloads.py)."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from e2e_kit import (
    DESKTOP,
    PASSWORD,
    TIMEOUT_MS,
    Server,
    add_user,
    copy_store,
    key,
    log_in,
    logged_in_as,
    press,
    t,
    wait_for,
)
from playwright.sync_api import expect

from crm_app.core.store import Store

pytestmark = pytest.mark.e2e
ADMIN = ("ada", "Ada Admin")
EXPIRE_SECONDS = 2   # the server's CRM_DOWNLOAD_EXPIRE_SECONDS (10 by default)


@pytest.fixture
def admin_server(e2e_dir, template_store):
    db = e2e_dir / "downloads.duckdb"
    copy_store(template_store, db)
    store = Store(db)
    try:
        add_user(store, ADMIN[0], ADMIN[1], "admin", PASSWORD)
    finally:
        store.close()
    srv = Server(db, e2e_dir / "downloads.log", env={"CRM_DOWNLOAD_EXPIRE_SECONDS": str(EXPIRE_SECONDS)})
    yield srv
    srv.stop()


def status_without_cookie(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_backup_is_made_at_the_click_and_gone_seconds_later(browser, admin_server):
    context = browser.new_context(**DESKTOP, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log_in(page, admin_server.url, ADMIN[0])
    logged_in_as(page, ADMIN[1])
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav.privacy"), exact=True).click()
    page.get_by_role("tab", name=t("privacy.backup")).click()
    press(page, "privacy_backup")
    button = key(page, "privacy_backup_download")
    expect(button).to_be_visible()

    with page.expect_download() as event:
        button.locator("button").click()
    download = event.value
    assert download.path().read_bytes()[8:12] == b"DUCK", "the browser got the backup itself"

    url = download.url
    assert "/media/" in url
    wait_for(lambda: status_without_cookie(url) == 404, timeout=EXPIRE_SECONDS + 3)   # the file is gone from the server
    context.close()
