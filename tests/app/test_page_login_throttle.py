"""The login form under throttling: after N wrong passwords the right one is refused with the very
same message as a wrong password, for known and unknown usernames alike, until the window passes."""
import datetime as dt

import pytest
from apptest_kit import PASSWORD, count, first_run, new_app, submit_login, t, values

from crm_app.core import clock, settings
from crm_app.ui import session

MAX_FAILURES = settings.DEFAULTS["login_max_failures"]
WINDOW = dt.timedelta(minutes=settings.DEFAULTS["login_window_minutes"], seconds=1)


@pytest.fixture(autouse=True)
def cheap_dummy_hash(cheap_hashing):
    """Unknown and throttled attempts verify the dummy hash: make it as cheap as the staff's hashes."""


def refused_like_a_wrong_password(at) -> None:
    assert values(at.main, "error") == [t("login.failed")]
    assert values(at.main, "title") == [t("login.title")]
    assert "auth_token" not in at.session_state
    assert at.text_input(key="login_password").value == ""


def test_after_n_wrong_passwords_the_right_one_gets_the_same_message_until_the_window_passes(staff, frozen_clock):
    olga = staff["outreach"]
    at = first_run(new_app())
    for _ in range(MAX_FAILURES):
        submit_login(at, olga.username, PASSWORD + "!")
        refused_like_a_wrong_password(at)
    submit_login(at, olga.username, PASSWORD)
    refused_like_a_wrong_password(at)

    clock.freeze(frozen_clock + WINDOW)
    submit_login(at, olga.username, PASSWORD)
    assert not at.error
    assert values(at.main, "title") == [t("home.welcome", name=olga.display_name)]


def test_an_unknown_username_sees_exactly_the_same_as_a_known_one(staff, frozen_clock):
    seen = {}
    for name in (staff["admin"].username, "nobody"):
        at = first_run(new_app())
        for _ in range(MAX_FAILURES + 2):
            submit_login(at, name, PASSWORD + "!")
            refused_like_a_wrong_password(at)
        seen[name] = (values(at.main, "error"), values(at.main, "title"), [w.key for w in at.text_input],
                      [b.key for b in at.button])
    assert seen[staff["admin"].username] == seen["nobody"]


def test_the_browser_address_reaches_the_per_address_throttle(staff, store, frozen_clock, monkeypatch):
    monkeypatch.setattr(session, "client_address", lambda: "192.0.2.10")
    at = first_run(new_app())
    submit_login(at, "someone", PASSWORD + "!")
    assert count(store, "SELECT count(*) FROM login_attempt WHERE address = '192.0.2.10' AND outcome = 'failed'") == 1
    store.write(settings.set_value, "login_max_failures_address", 3)
    for name in ("someone-else", "a-third"):
        submit_login(at, name, PASSWORD + "!")
    submit_login(at, staff["outreach"].username, PASSWORD)     # the address is throttled now
    refused_like_a_wrong_password(at)
    monkeypatch.setattr(session, "client_address", lambda: "198.51.100.7")
    submit_login(at, staff["outreach"].username, PASSWORD)     # another address is not
    assert values(at.main, "title") == [t("home.welcome", name=staff["outreach"].display_name)]
