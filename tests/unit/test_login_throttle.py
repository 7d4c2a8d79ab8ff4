"""Login throttling per username (a growing wait) and per address: during a wait an attempt is
refused without checking the password, with the same work as a wrong password (one argon2id
verification of a hash with the accounts' parameters), for known and unknown usernames alike; the
owner logs in as soon as the wait has passed (docs/sessions.md)."""
from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher, extract_parameters

from crm_app.access import login_throttle, users
from crm_app.access.audit import CLI_OPERATOR
from crm_app.core import clock, settings

WINDOW = dt.timedelta(minutes=settings.DEFAULTS["login_window_minutes"])
MAX_FAILURES = settings.DEFAULTS["login_max_failures"]
MAX_FAILURES_ADDRESS = settings.DEFAULTS["login_max_failures_address"]
OFFICE, HOME = "192.0.2.10", "198.51.100.7"   # documentation addresses (RFC 5737)


class CountingHasher(PasswordHasher):
    """Real argon2id with the smallest cost parameters, noting every hash it verifies."""

    def __init__(self):
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verified: list[str] = []

    def verify(self, hash, password):
        self.verified.append(hash)
        return super().verify(hash, password)


@pytest.fixture(autouse=True)
def hasher():
    with users.hashing_with(CountingHasher()) as counting:
        yield counting


@pytest.fixture
def olga(actor_login, frozen_clock):
    return actor_login


def later(**delta) -> None:
    clock.freeze(clock.utcnow() + dt.timedelta(**delta))


def fail(store, username: str, times: int, address: str | None = None) -> None:
    for _ in range(times):
        assert users.authenticate(store, username, "wrong password", address=address) is None


def outcomes(store) -> list[str]:
    with store.read() as cur:
        return [r[0] for r in cur.execute("SELECT outcome FROM login_attempt ORDER BY occurred_utc, rowid").fetchall()]


def login_results(store) -> list[tuple]:
    with store.read() as cur:
        return cur.execute("SELECT user_id, record_id, result FROM audit_event WHERE action = 'login' "
                           "ORDER BY id").fetchall()


def test_the_wait_doubles_with_each_failure_from_the_third_and_stops_at_the_window():
    cap = dt.timedelta(minutes=15)
    waits = [login_throttle.account_wait(n, 3, cap).total_seconds() for n in range(13)]
    assert waits == [0, 0, 0, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]
    assert login_throttle.account_wait(10_000, 3, cap) == cap


def test_after_n_wrong_passwords_the_right_one_waits_2_to_the_n_seconds(store, actor, olga, frozen_clock):
    username, password = olga
    fail(store, username, MAX_FAILURES)
    wait = dt.timedelta(seconds=2 ** MAX_FAILURES)
    refused = users.log_in(store, username, password)                  # throttled: the password is not looked at
    assert (refused.user, refused.outcome, refused.retry_at) == (None, "throttled", frozen_clock + wait)
    later(seconds=wait.total_seconds() - 1)
    assert users.authenticate(store, username.upper(), password) is None    # still waiting (any case)
    later(seconds=1)                                                         # the wait has passed
    assert users.authenticate(store, username, password) == users.User(actor.user_id, username, "Olga Outreach",
                                                                       "outreach")
    assert outcomes(store) == ["failed"] * MAX_FAILURES + ["throttled", "throttled", "ok"]
    # Refusals are audited like any other refused login: no user, the account's id, "refused".
    assert login_results(store)[-3:] == [(None, actor.user_id, "refused"), (None, actor.user_id, "refused"),
                                         (actor.user_id, actor.user_id, "ok")]


def test_a_guesser_gets_one_try_per_wait_and_the_owner_logs_in_when_the_longest_wait_has_passed(store, olga):
    username, password = olga
    fail(store, username, MAX_FAILURES)
    for failures in range(MAX_FAILURES, 12):                 # the guesser tries the moment each wait ends
        attempt = users.log_in(store, username, "another guess")
        assert attempt.outcome == "throttled"
        clock.freeze(attempt.retry_at)
        attempt = users.log_in(store, username, "another guess")
        assert attempt.outcome == "failed"
        assert attempt.retry_at - clock.utcnow() == login_throttle.account_wait(failures + 1, MAX_FAILURES, WINDOW)
    assert attempt.retry_at - clock.utcnow() == WINDOW, "the wait stops growing at the window"
    clock.freeze(attempt.retry_at)
    assert users.log_in(store, username, password).outcome == "ok"
    assert users.log_in(store, username, "a typo").retry_at is None, "a success starts the count again"


def test_fewer_failures_than_the_limit_do_not_throttle_and_a_success_starts_the_count_again(store, olga):
    username, password = olga
    fail(store, username, MAX_FAILURES - 2)
    assert users.log_in(store, username, "one more typo").retry_at is None, "no wait yet"
    later(seconds=1)
    assert users.authenticate(store, username, password) is not None
    later(seconds=1)
    fail(store, username, MAX_FAILURES - 1)
    assert users.authenticate(store, username, password) is not None
    assert "throttled" not in outcomes(store)


def test_failures_older_than_a_day_are_forgotten(store, olga):
    username, password = olga
    fail(store, username, MAX_FAILURES + 5)
    later(days=1, seconds=1)
    assert users.log_in(store, username, "a typo").retry_at is None
    assert users.authenticate(store, username, password) is not None


def test_throttled_attempts_do_not_extend_the_wait(store, olga, frozen_clock):
    username, password = olga
    fail(store, username, MAX_FAILURES)
    for _ in range(2 ** MAX_FAILURES - 1):         # someone keeps trying every second
        later(seconds=1)
        assert users.log_in(store, username, "still guessing").retry_at == frozen_clock + dt.timedelta(seconds=8)
    later(seconds=1)                               # the wait since the last *checked* failure has passed
    assert users.authenticate(store, username, password) is not None


def test_a_throttled_attempt_never_checks_the_stored_hash(store, olga, hasher):
    username, password = olga
    fail(store, username, MAX_FAILURES)
    hasher.verified.clear()
    assert users.authenticate(store, username, password) is None
    assert hasher.verified == [users.dummy_hash()], "exactly one verification, against the dummy hash"


def test_an_unknown_username_is_throttled_the_same_way(store, olga, frozen_clock):
    username, password = olga
    fail(store, username, MAX_FAILURES)
    fail(store, "nobody", MAX_FAILURES)
    known, unknown = users.log_in(store, username, password), users.log_in(store, "nobody", password)
    assert (unknown.outcome, unknown.retry_at) == (known.outcome, known.retry_at) == ("throttled", frozen_clock
                                                                                      + dt.timedelta(seconds=8))
    later(seconds=8)
    assert users.log_in(store, "nobody", password).outcome == "failed"
    # The audit trail of a throttled unknown name looks like that of any refused unknown name.
    assert {r for r in login_results(store) if r[1] is None} == {(None, None, "refused")}


def test_throttling_one_username_leaves_the_others_alone(store, olga):
    username, password = olga
    users.add(store, CLI_OPERATOR, "pim", "Pim Programma", "program_manager", "een lang genoeg wachtwoord")
    fail(store, username, MAX_FAILURES, address=OFFICE)
    assert users.authenticate(store, username, password, address=OFFICE) is None
    assert users.authenticate(store, "pim", "een lang genoeg wachtwoord", address=OFFICE) is not None


def test_per_address_limit_counts_failures_for_any_username_and_each_address_on_its_own(store, olga, frozen_clock):
    username, password = olga
    per_name = MAX_FAILURES - 1                                    # stay under the per-username limit
    names = [f"guess{i}" for i in range(-(-MAX_FAILURES_ADDRESS // per_name))]
    for minute, name in enumerate(names):                          # one name a minute, all within the window
        clock.freeze(frozen_clock + dt.timedelta(minutes=minute))
        fail(store, name, per_name, address=OFFICE)
    refused = users.log_in(store, username, password, address=OFFICE)
    assert refused.outcome == "throttled"                          # the address is throttled
    assert refused.retry_at == frozen_clock + WINDOW, "until the oldest counted failure leaves the window"
    assert users.authenticate(store, username, password, address=HOME) is not None   # another address is not
    assert users.authenticate(store, username, password) is not None                 # nor the command line
    clock.freeze(refused.retry_at)
    assert users.authenticate(store, username, password, address=OFFICE) is not None


def test_limits_and_window_are_settings(store, olga, frozen_clock):
    username, password = olga
    store.write(settings.set_value, "login_max_failures", 5)
    store.write(settings.set_value, "login_window_minutes", 1)
    fail(store, username, 4)
    assert users.log_in(store, username, "a typo").retry_at == frozen_clock + dt.timedelta(seconds=32)
    later(seconds=32)
    assert users.log_in(store, username, "a typo").retry_at == clock.utcnow() + dt.timedelta(minutes=1), "capped"
    later(minutes=1)
    assert users.authenticate(store, username, password) is not None


def test_attempts_keep_no_username_and_are_pruned_after_a_day(store, olga):
    username, password = olga
    fail(store, "my secret password typed as username", 2, address=OFFICE)
    with store.read() as cur:
        rows = cur.execute("SELECT username_key, address, ok FROM login_attempt").fetchall()
    assert len(rows) == 2 and all(r[1] == OFFICE and r[2] is False for r in rows)
    assert not any("secret" in r[0] or username in r[0] for r in rows)
    later(days=1, seconds=1)
    users.authenticate(store, username, password)       # a success prunes what is older than a day
    assert outcomes(store) == ["ok"]


def test_refused_unknown_and_refused_known_do_the_same_work(store, olga, hasher):
    """Wrong password, unknown user, and both throttled: each costs exactly one argon2id verification
    of a hash with the parameters of a real account's hash, so timing tells none of them apart.
    (That the dummy hash has the production parameters: tests/unit/test_users.py.)"""
    username, _ = olga
    fail(store, username, MAX_FAILURES)
    fail(store, "nobody", MAX_FAILURES)
    users.add(store, CLI_OPERATOR, "pim", "Pim Programma", "program_manager", "een lang genoeg wachtwoord")
    with store.read() as cur:
        account_hash = cur.execute("SELECT password_hash FROM app_user WHERE username = 'pim'").fetchone()[0]

    for name, outcome in [(username, "throttled"), ("nobody", "throttled"), ("pim", "failed"),
                          ("someone-else", "failed")]:
        hasher.verified.clear()
        assert users.authenticate(store, name, "wrong password") is None
        assert outcomes(store)[-1] == outcome, name
        assert len(hasher.verified) == 1, (name, hasher.verified)
        assert extract_parameters(hasher.verified[0]) == extract_parameters(account_hash), name
