"""Browser-test fixtures: Debian's Chromium, a store with an outreach user, real streamlit servers.

DuckDB lets one process open a file, so the store is prepared here and closed before the server
starts; a second (fresh) server gets its own copy.

Accounts the tests make (e2e_kit.add_user) hash their passwords with the cheapest argon2id parameters. The
template keeps the kiosk's thank-you 4 s instead of 8 (the setting kiosk_thanks_seconds), so the kiosk walk
waits less for the real reset.
"""
from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from e2e_kit import CHEAP_HASHER, CHROMIUM, CHROMIUM_ARGS, DESKTOP, PASSWORD, PHONE, TIMEOUT_MS, Server, add_user, copy_store
from playwright.sync_api import expect

from crm_app.access import users
from crm_app.core import settings
from crm_app.core.store import Store
from crm_app.demo.fill import fill_demo

OUTREACH = ("olga", "Olga Outreach")
KIOSK = ("kiosk-markt", "Kiosk Markt")
KIOSK_THANKS_SECONDS = 4   # the kiosk's thank-you (8 s by default): the kiosk walk waits for the real reset
expect.set_options(timeout=TIMEOUT_MS)
_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    return report


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def e2e_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def template_store(e2e_dir) -> Path:
    path = e2e_dir / "template.duckdb"
    store = Store(path)
    try:
        add_user(store, OUTREACH[0], OUTREACH[1], "outreach", PASSWORD)
        add_user(store, KIOSK[0], KIOSK[1], "kiosk", PASSWORD)
        store.write(settings.set_value, "kiosk_thanks_seconds", KIOSK_THANKS_SECONDS)
    finally:
        store.close()   # DuckDB: one process per file; the server opens it next
    return path


def _start(e2e_dir: Path, template: Path, name: str) -> Server:
    db = e2e_dir / f"{name}.duckdb"
    copy_store(template, db)
    return Server(db, e2e_dir / f"{name}.log")


@pytest.fixture(scope="session")
def server(e2e_dir, template_store):
    """The shared server for the user journeys."""
    srv = _start(e2e_dir, template_store, "shared")
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def demo_server(e2e_dir, template_store):
    """A server on the demo data set (1,200 persons; the demo accounts, password DEMO_PASSWORD), shared by the
    walks that only look: enough persons that the dashboards show counts above the small-cell limit."""
    db = e2e_dir / "demo.duckdb"
    copy_store(template_store, db)
    store = Store(db)
    try:
        with users.hashing_with(CHEAP_HASHER):     # the demo accounts log in in a millisecond
            fill_demo(store, persons=1200, seed=2026)
        with store.read() as cur:
            person_id = cur.execute("SELECT min(id) FROM person").fetchone()[0]
    finally:
        store.close()
    srv = Server(db, e2e_dir / "demo.log")
    srv.person_id = person_id
    yield srv
    srv.stop()


@pytest.fixture
def fresh_server(e2e_dir, template_store, request):
    """A server no session has talked to yet (Streamlit behaves differently until one has)."""
    srv = _start(e2e_dir, template_store, f"fresh-{request.node.name}")
    yield srv
    srv.stop()


@pytest.fixture
def phone(browser, request, e2e_dir):
    """A page in a phone-sized browser context (390×844, touch, Dutch, Amsterdam time)."""
    context = browser.new_context(**PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    if request.node.stash.get(_FAILED, False):
        path = e2e_dir / f"failure-{request.node.name}.png"
        with contextlib.suppress(Exception):
            page.screenshot(path=str(path), full_page=True)
            print(f"screenshot of the failure: {path}")
    context.close()


@pytest.fixture
def desktop(browser):
    """A desktop-sized browser context (pages share its cookies, like tabs of one browser)."""
    context = browser.new_context(**DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def outreach_login():
    return OUTREACH


@pytest.fixture
def kiosk_login():
    return KIOSK





@pytest.fixture(autouse=True)
def server_log_on_failure(request):
    """When a browser test fails, the end of the server's log goes into the report."""
    yield
    if not request.node.stash.get(_FAILED, False):
        return
    for name in ("server", "fresh_server"):
        if name in request.fixturenames:
            print(f"--- {name} log ---\n{request.getfixturevalue(name).output()[-3000:]}")
