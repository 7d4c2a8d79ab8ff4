"""AppTest fixtures: a fresh store per test, a user for every role, log-in through the login services.

Each test gets its own DuckDB file: a copy of a template made once per session with the staff
users (added through crm_app.access.users.add as the command-line operator), because hashing five
argon2id passwords per test would cost most of a second. `CRM_DB` points at the copy before the
app runs, and the process-wide `get_store` resource is cleared before and after, so the
connection is closed and the file lock freed.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from apptest_kit import PASSWORD, STAFF, first_run, new_app, open_page
from argon2 import PasswordHasher
from streamlit.runtime.pages_manager import PagesManager

from crm_app.access import sessions, users
from crm_app.access.audit import CLI_OPERATOR
from crm_app.core import reference
from crm_app.core.store import Store
from crm_app.ui.resources import get_store
from crm_app.ui.session import TOKEN_KEY

assert set(STAFF) == set(reference.ROLES), "the suite needs a user for every role"


@dataclass(frozen=True)
class StaffUser:
    id: int
    role: str
    username: str
    display_name: str

    def as_user(self) -> users.User:
        return users.User(self.id, self.username, self.display_name, self.role)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> tuple[Path, dict[str, StaffUser]]:
    """The staff users, added once through crm_app.access.users.add as the command-line operator.

    Their argon2id hashes use the smallest cost parameters so that each of the suite's log-ins
    takes a millisecond instead of 0.17 s; verification reads the parameters from the hash, so
    log-in itself runs unchanged. (Accounts added through the users page get the real cost.)
    """
    path = tmp_path_factory.mktemp("template") / "crm.duckdb"
    store = Store(path)
    try:
        with users.hashing_with(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)):
            staff = {role: StaffUser(users.add(store, CLI_OPERATOR, name, display, role, PASSWORD), role, name,
                                     display) for role, (name, display) in STAFF.items()}
    finally:
        store.close()
    return path, staff


@pytest.fixture(autouse=True)
def crm_db(template_db, tmp_path, monkeypatch) -> Path:
    """A fresh store for this test (CRM_DB), with no cached connection before or after."""
    template, _ = template_db
    path = tmp_path / "crm.duckdb"
    shutil.copyfile(template, path)
    monkeypatch.setenv("CRM_DB", str(path))
    get_store.clear()
    yield path
    # Close the connection the app opened (or open one and close it), then drop it from the cache.
    get_store().close()
    get_store.clear()


@pytest.fixture(autouse=True)
def app_py_runs_every_time(monkeypatch):
    """Make every AppTest run execute app.py, as a running server does.

    With a `pages/` folder beside the entry script, Streamlit starts in its old multipage mode
    (each file in pages/ is served on its own) until a script calls st.navigation, which switches
    the process over for good. AppTest resets that switch before every run, so from the second
    run on it would execute the page file alone and skip app.py (its gate, sidebar and
    navigation). The fresh-server case is covered by the browser test
    tests/e2e/test_e2e_fresh_server.py and by the role matrix, which runs each page file alone.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def staff(template_db) -> dict[str, StaffUser]:
    return template_db[1]


@pytest.fixture
def store(crm_db) -> Store:
    """The very store the app under test uses (the cached resource), to arrange data and check it."""
    return get_store()


@pytest.fixture
def login(staff):
    """login(role, page=None, query=None): log in as the login form's submit does, then open pages/<page>.py.

    The same two service calls as crm_app.ui.session's submit (users.log_in, audited, then sessions.start), with
    the token in the tab's state, so the first run of app.py is already logged in: one run less per test than
    typing into the form. The form itself is tested through the form (test_page_login*.py, apptest_kit.submit_login).
    """

    def _login(role: str, page: str | None = None, *, query: dict | None = None):
        at = new_app()
        user = users.log_in(get_store(), staff[role].username, PASSWORD).user
        at.session_state[TOKEN_KEY] = sessions.start(get_store(), user, "local")
        first_run(at)
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        if page is not None:
            open_page(at, page, query=query)
        return at

    return _login
