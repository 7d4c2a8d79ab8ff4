"""Server-side sessions: hashed tokens, idle and absolute expiry, logout, disabled accounts, audit."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from crm_app.access import sessions, users
from crm_app.access.audit import CLI_OPERATOR
from crm_app.core import clock, settings
from crm_app.core.errors import ValidationError

IDLE = dt.timedelta(seconds=settings.DEFAULTS["session_idle_seconds"])
MAX_AGE = dt.timedelta(seconds=settings.DEFAULTS["session_max_seconds"])


@pytest.fixture(autouse=True)
def cheap(cheap_hashing):
    """Real argon2id with the smallest cost parameters."""


@pytest.fixture
def olga(store, actor) -> users.User:
    return users.active_user(store, actor.user_id)


def events(store, action: str) -> list[tuple]:
    with store.read() as cur:
        return cur.execute("SELECT user_id, record_type, record_id, result FROM audit_event WHERE action = ? "
                           "ORDER BY id", [action]).fetchall()


def session_rows(store) -> list[tuple]:
    with store.read() as cur:
        return cur.execute("SELECT token_hash, method, ended_utc, end_reason FROM app_session ORDER BY id").fetchall()


def test_a_new_session_resumes_as_its_user_and_only_the_hash_is_stored(store, olga, frozen_clock):
    token = sessions.start(store, olga, "local")
    assert len(token) >= 43
    live = sessions.resume(store, token)
    assert live.user == olga and live.method == "local"
    assert live.expires_utc == frozen_clock + IDLE and live.absolute_end_utc == frozen_clock + MAX_AGE
    [(stored, method, ended, _)] = session_rows(store)
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored
    assert method == "local" and ended is None
    assert events(store, "session.start") == [(olga.id, "app_session", 1, "local")]


def test_two_logins_get_different_tokens(store, olga):
    assert sessions.start(store, olga, "local") != sessions.start(store, olga, "local")


@pytest.mark.parametrize("token", [None, "", "x", "a" * 43, "a" * 500, 12345, "' OR 1=1 --" + "a" * 30])
def test_unknown_forged_or_malformed_tokens_open_nothing(store, olga, token):
    sessions.start(store, olga, "local")
    assert sessions.resume(store, token) is None


def test_activity_keeps_a_session_alive_and_idleness_ends_it(store, olga, frozen_clock):
    token = sessions.start(store, olga, "local")
    for minutes in (20, 40, 60, 80):       # a click every 20 minutes: more than 30 in total, never idle
        clock.freeze(frozen_clock + dt.timedelta(minutes=minutes))
        assert sessions.resume(store, token) is not None
    clock.freeze(frozen_clock + dt.timedelta(minutes=80) + IDLE)
    assert sessions.resume(store, token) is None
    assert session_rows(store)[0][2:] == (frozen_clock + dt.timedelta(minutes=80) + IDLE, "idle")
    assert events(store, "session.expire") == [(olga.id, "app_session", 1, "idle")]
    clock.freeze(frozen_clock + dt.timedelta(minutes=81))      # going back in time does not revive it
    assert sessions.resume(store, token) is None
    assert len(events(store, "session.expire")) == 1, "expiry is audited once"


def test_the_absolute_maximum_ends_even_a_busy_session(store, olga, frozen_clock):
    token = sessions.start(store, olga, "local")
    moment = frozen_clock
    while moment + dt.timedelta(minutes=10) < frozen_clock + MAX_AGE:
        moment += dt.timedelta(minutes=10)
        clock.freeze(moment)
        assert sessions.resume(store, token) is not None
    clock.freeze(frozen_clock + MAX_AGE)
    assert sessions.resume(store, token) is None
    assert events(store, "session.expire")[-1][3] == "max_age"


def test_the_limits_are_settings(store, olga, frozen_clock):
    store.write(lambda cur: settings.set_value(cur, "session_idle_seconds", 60))
    token = sessions.start(store, olga, "local")
    clock.freeze(frozen_clock + dt.timedelta(seconds=59))
    assert sessions.resume(store, token) is not None
    clock.freeze(frozen_clock + dt.timedelta(seconds=59 + 60))
    assert sessions.resume(store, token) is None
    with pytest.raises(ValidationError):
        store.write(lambda cur: settings.set_value(cur, "session_idle_seconds", 0))


def test_the_maximum_age_is_a_setting_beside_the_idle_limit(store, olga, frozen_clock):
    """Both limits are read together: each keeps its own value (the stored one, or the default)."""
    store.write(lambda cur: settings.set_value(cur, "session_max_seconds", 120))
    token = sessions.start(store, olga, "local")
    clock.freeze(frozen_clock + dt.timedelta(seconds=100))   # within both limits: idle is the default 30 min
    assert sessions.is_live(store, token)
    assert sessions.resume(store, token) is not None
    clock.freeze(frozen_clock + dt.timedelta(seconds=130))   # active 30 s ago, but past the maximum age
    assert not sessions.is_live(store, token)
    assert sessions.resume(store, token) is None
    assert events(store, "session.expire")[-1][3] == "max_age"


def test_last_seen_is_written_at_most_twice_a_minute(store, olga, frozen_clock):
    token = sessions.start(store, olga, "local")
    clock.freeze(frozen_clock + dt.timedelta(seconds=10))
    sessions.resume(store, token)
    with store.read() as cur:
        assert cur.execute("SELECT last_seen_utc FROM app_session").fetchone()[0] == frozen_clock
    clock.freeze(frozen_clock + dt.timedelta(seconds=31))
    sessions.resume(store, token)
    with store.read() as cur:
        assert cur.execute("SELECT last_seen_utc FROM app_session").fetchone()[0] == \
            frozen_clock + dt.timedelta(seconds=31)


def test_logout_ends_the_session_for_every_copy_of_the_token(store, olga, frozen_clock):
    token = sessions.start(store, olga, "local")
    other = sessions.start(store, olga, "local")     # another browser of the same person
    assert sessions.end(store, token) is True
    assert sessions.resume(store, token) is None
    assert sessions.end(store, token) is False, "ending twice changes nothing"
    assert sessions.resume(store, other) is not None, "only this browser's session ended"
    assert events(store, "logout") == [(olga.id, "app_session", 1, "logout")]


def test_disabling_an_account_ends_its_sessions_at_once(store, olga, frozen_clock):
    token = sessions.start(store, olga, "local")
    users.set_disabled(store, CLI_OPERATOR, olga.username, True)
    assert sessions.resume(store, token) is None
    assert session_rows(store)[0][3] == "disabled"
    users.set_disabled(store, CLI_OPERATOR, olga.username, False)
    assert sessions.resume(store, token) is None, "enabling again does not revive an ended session"


def test_a_disabled_account_is_refused_even_if_its_session_was_not_ended(store, olga, frozen_clock):
    token = sessions.start(store, olga, "local")
    store.write(lambda cur: cur.execute("UPDATE app_user SET disabled = TRUE WHERE id = ?", [olga.id]))
    assert sessions.resume(store, token) is None
    assert session_rows(store)[0][3] == "disabled"


def test_a_changed_role_counts_at_the_next_run(store, olga, frozen_clock):
    token = sessions.start(store, olga, "local")
    store.write(lambda cur: cur.execute("UPDATE app_user SET role = 'kiosk' WHERE id = ?", [olga.id]))
    assert sessions.resume(store, token).user.role == "kiosk"


def test_audit_events_of_sessions_hold_no_token_and_no_name(store, olga, frozen_clock):
    token = sessions.start(store, olga, "local")
    sessions.end(store, token)
    with store.read() as cur:
        rows = cur.execute("SELECT * FROM audit_event").fetchall()
    flat = repr(rows)
    assert token not in flat and hashlib.sha256(token.encode()).hexdigest() not in flat
    assert olga.display_name not in flat and olga.username not in flat


def test_old_sessions_are_purged_but_their_audit_stays(store, olga, frozen_clock):
    token = sessions.start(store, olga, "local")
    sessions.end(store, token)
    clock.freeze(frozen_clock + dt.timedelta(days=31))
    live = sessions.start(store, olga, "local")      # a login purges what is older than 30 days
    assert len(session_rows(store)) == 1 and sessions.resume(store, live) is not None
    sessions.end(store, live)
    clock.freeze(frozen_clock + dt.timedelta(days=62))
    assert sessions.purge(store) == 1 and session_rows(store) == []
    assert events(store, "logout")


def test_the_periodic_check_reads_only_and_does_not_keep_an_idle_session_alive(store, olga, frozen_clock):
    token = sessions.start(store, olga, "local")
    for seconds in range(0, int(IDLE.total_seconds()), 60):     # the browser asks every minute
        clock.freeze(frozen_clock + dt.timedelta(seconds=seconds))
        assert sessions.is_live(store, token)
    clock.freeze(frozen_clock + IDLE)
    assert not sessions.is_live(store, token)
    assert session_rows(store)[0][2] is None, "ending (and its audit event) is left to resume"
    assert sessions.resume(store, token) is None and session_rows(store)[0][3] == "idle"
    assert not sessions.is_live(store, "forged" * 8)
