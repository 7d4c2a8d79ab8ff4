"""The login form under throttling: after N wrong passwords in a row each next attempt waits (2^n
seconds, at most the window), the refusal says when to try again, known and unknown usernames see
exactly the same, and the right password works as soon as the wait has passed."""
import datetime as dt

import pytest
from apptest_kit import PASSWORD, count, first_run, new_app, submit_login, t, values

from crm_app.core import clock, settings
from crm_app.ui import session

MAX_FAILURES = settings.DEFAULTS["login_max_failures"]
WAIT = dt.timedelta(seconds=2 ** MAX_FAILURES)


@pytest.fixture(autouse=True)
def cheap_dummy_hash(cheap_hashing):
    """Unknown and throttled attempts verify the dummy hash: make it as cheap as the staff's hashes."""


def refused(at, *sentences: str) -> None:
    assert values(at.main, "error") == [" ".join(sentences)]
    assert values(at.main, "title") == [t("login.title")]
    assert "auth_token" not in at.session_state
    assert at.text_input(key="login_password").value == ""


def test_the_refusal_says_when_to_try_again_and_the_right_password_works_after_the_wait(staff, frozen_clock):
    olga = staff["outreach"]
    at = first_run(new_app())
    for _ in range(MAX_FAILURES - 1):
        submit_login(at, olga.username, PASSWORD + "!")
        refused(at, t("login.failed"))
    submit_login(at, olga.username, PASSWORD + "!")
    refused(at, t("login.failed"), t("login.retry_in", seconds=WAIT.seconds))
    submit_login(at, olga.username, PASSWORD)                  # too early: the password is not checked
    refused(at, t("login.throttled"), t("login.retry_in", seconds=WAIT.seconds))

    clock.freeze(frozen_clock + WAIT)
    submit_login(at, olga.username, PASSWORD)
    assert not at.error
    assert values(at.main, "title") == [t("home.welcome", name=olga.display_name)]


def test_an_unknown_username_sees_exactly_the_same_as_a_known_one(staff, frozen_clock):
    seen = {}
    for name in (staff["admin"].username, "nobody"):
        at = first_run(new_app())
        errors = []
        for _ in range(MAX_FAILURES + 2):
            submit_login(at, name, PASSWORD + "!")
            errors.append(values(at.main, "error"))
        seen[name] = (errors, values(at.main, "title"), [w.key for w in at.text_input], [b.key for b in at.button])
    assert seen[staff["admin"].username] == seen["nobody"]
    assert seen["nobody"][0][-1] == [f"{t('login.throttled')} {t('login.retry_in', seconds=WAIT.seconds)}"]


def test_the_browser_address_reaches_the_per_address_limit_and_a_long_wait_names_the_amsterdam_time(
        staff, store, frozen_clock, monkeypatch):
    monkeypatch.setattr(session, "client_address", lambda: "192.0.2.10")
    at = first_run(new_app())
    submit_login(at, "someone", PASSWORD + "!")
    assert count(store, "SELECT count(*) FROM login_attempt WHERE address = '192.0.2.10' AND outcome = 'failed'") == 1
    store.write(settings.set_value, "login_max_failures_address", 3)
    for name in ("someone-else", "a-third"):
        submit_login(at, name, PASSWORD + "!")
    submit_login(at, staff["outreach"].username, PASSWORD)     # the address waits a window: 09:30 + 15 min UTC
    assert frozen_clock == dt.datetime(2026, 11, 29, 9, 30)
    refused(at, t("login.throttled"), t("login.retry_at", time="10:45"))
    assert values(at.main, "error") == ["Te veel mislukte pogingen: het wachtwoord is deze keer niet gecontroleerd. "
                                        "Probeer het opnieuw na 10:45."]
    monkeypatch.setattr(session, "client_address", lambda: "198.51.100.7")
    submit_login(at, staff["outreach"].username, PASSWORD)     # another address does not wait
    assert values(at.main, "title") == [t("home.welcome", name=staff["outreach"].display_name)]


@pytest.mark.parametrize(("seconds_left", "said"), [(8, "over 8 seconden"), (0.2, "over 2 seconden"),
                                                    (59, "over 59 seconden"), (60, "na 10:31"), (61, "na 10:32"),
                                                    (900, "na 10:45")])
def test_a_wait_is_said_in_seconds_when_short_else_as_the_amsterdam_clock_time_rounded_up(seconds_left, said):
    now = dt.datetime(2026, 11, 29, 9, 30)                     # 10:30 in Amsterdam (CET)
    text = session.refusal_text("failed", now + dt.timedelta(seconds=seconds_left), now)
    assert text == f"{t('login.failed')} Probeer het opnieuw {said}."
    assert session.refusal_text("failed", now, now) == t("login.failed"), "no wait left: nothing about waiting"
