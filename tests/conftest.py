"""Fixtures shared by every test folder: a real DuckDB store, a staff actor, a frozen clock.

Kept small and general; tests/app and tests/e2e add their own fixtures in their own conftest.py
(a fixture of the same name there overrides the one here for that folder).

The store is a copy of a template made once per session: migrated, with one outreach user added
through crm_app.access.users.add as the command-line operator. Copying the closed file costs a millisecond,
migrating a new one about 0.1 s. The user's argon2id hash uses the smallest cost parameters:
verification reads them from the hash, so logging in runs unchanged and takes a millisecond
instead of 0.3 s (accounts added during a test get the real cost unless the test says otherwise).

Every test, and every process a test starts, keys the audit chain with one test key from the environment
(CRM_AUDIT_KEY), so a store file copied from the template verifies without its key file; the tests of the
key file itself (tests/unit/test_audit_key.py) unset it.

Hypothesis runs under a profile named by HYPOTHESIS_PROFILE: `dev` (the default) tries few examples
for a quick run, `ci` as many as the property tests were written for (`make test` picks ci when
CI=true). Property tests state their counts as shares of the profile's `max_examples`.

Test files live in memory when the machine has room there: unless TMPDIR says otherwise, pytest's base
temporary folder goes on /dev/shm (a tmpfs), because every commit and checkpoint of DuckDB, every shred and key
file, waits for an fsync, and on a virtual disk those waits were a third of the store tests' time. The files
are real files all the same (nothing asserts what survives a power cut). A passed test's folder is removed
when it ends (tmp_path_retention_policy = "failed" in pyproject.toml), so memory holds only the running
tests' files and those of failures, kept for a look.

`make test` runs the suite in parallel on every core (pytest-xdist).
Tests marked `slow` run first, so that the parallel run does not end waiting for one of them.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from hypothesis import settings

from crm_app.access import users
from crm_app.access.audit import CLI_OPERATOR, Actor
from crm_app.core import clock
from crm_app.core.store import Store

OUTREACH_USERNAME = "olga"
OUTREACH_DISPLAY_NAME = "Olga Outreach"
OUTREACH_PASSWORD = "correct horse battery staple"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)   # argon2id, cheapest parameters
# A Sunday morning in Amsterdam (09:30 UTC = 10:30 local), far from a date line either way.
FROZEN_NOW = dt.datetime(2026, 11, 29, 9, 30)

TEST_AUDIT_KEY = "test-audit-key-0123456789abcdef0123456789abcdef"
os.environ["CRM_AUDIT_KEY"] = TEST_AUDIT_KEY

MEMORY_TMP = Path("/dev/shm")
MEMORY_TMP_MIN_FREE = 2 << 30    # a container's /dev/shm is often 64 MiB: too small, the disk then


def _temp_in_memory() -> None:
    """Point tempfile (and so pytest's tmp_path) at /dev/shm, unless TMPDIR is set or there is no room."""
    if os.environ.get("TMPDIR") or not os.access(MEMORY_TMP, os.W_OK | os.X_OK):
        return
    stat = os.statvfs(MEMORY_TMP)
    if stat.f_bavail * stat.f_frsize >= MEMORY_TMP_MIN_FREE:
        tempfile.tempdir = str(MEMORY_TMP)


_temp_in_memory()

settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile("ci", max_examples=200, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)   # stable: otherwise in order


@pytest.fixture(scope="session")
def _store_template(tmp_path_factory) -> tuple[Path, int]:
    """A migrated, closed store file holding one outreach user; tests get copies of it."""
    path = tmp_path_factory.mktemp("store-template") / "crm.duckdb"
    store = Store(path)
    try:
        with users.hashing_with(FAST_HASHER):
            user_id = users.add(store, CLI_OPERATOR, OUTREACH_USERNAME, OUTREACH_DISPLAY_NAME, "outreach",
                                OUTREACH_PASSWORD)
    finally:
        store.close()
    return path, user_id


@pytest.fixture
def cheap_hashing() -> PasswordHasher:
    """Hash and verify with FAST_HASHER during the test: accounts it adds, and the dummy hash of refusals."""
    with users.hashing_with(FAST_HASHER) as hasher:
        yield hasher


@pytest.fixture
def store(_store_template, tmp_path) -> Store:
    """A crm_app.core.store.Store on its own DuckDB file under tmp_path, closed at teardown.

    The file already holds the outreach user of the `actor` fixture (and its user.add audit event).
    """
    template, _ = _store_template
    path = tmp_path / "crm.duckdb"
    shutil.copyfile(template, path)
    the_store = Store(path)
    yield the_store
    the_store.close()


@pytest.fixture
def actor(store, _store_template) -> Actor:
    """The outreach staff member (a real app_user row) on whose behalf services run."""
    _, user_id = _store_template
    return Actor(user_id=user_id, role="outreach", origin="web")


@pytest.fixture
def actor_login() -> tuple[str, str]:
    """(username, password) of the `actor` user, for log-in tests."""
    return OUTREACH_USERNAME, OUTREACH_PASSWORD


@pytest.fixture
def frozen_clock():
    """Freeze crm_app.core.clock at FROZEN_NOW (naive UTC); yields the moment. Call clock.freeze to move it."""
    clock.freeze(FROZEN_NOW)
    yield FROZEN_NOW
    clock.freeze(None)
