"""The clock: frozen by tests in-process, or standing at the moment a file names (the browser tests' server)."""
import datetime as dt

import pytest

from crm_app.core import clock

MOMENT = dt.datetime(2026, 11, 29, 9, 30)


def real_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def close_to_now(moment: dt.datetime) -> bool:
    return abs(moment - real_now()) < dt.timedelta(minutes=1)


def test_without_the_test_clock_the_time_is_real(monkeypatch):
    monkeypatch.delenv(clock.TEST_CLOCK_ENV, raising=False)
    assert close_to_now(clock.utcnow())


def test_the_test_clock_file_sets_the_time_and_moving_it_is_rewriting_it(tmp_path, monkeypatch):
    path = tmp_path / "clock"
    monkeypatch.setenv(clock.TEST_CLOCK_ENV, str(path))
    assert close_to_now(clock.utcnow()), "no file yet: the real time"
    path.write_text(MOMENT.isoformat())
    assert clock.utcnow() == MOMENT and clock.today() == dt.date(2026, 11, 29)
    path.write_text((MOMENT + dt.timedelta(seconds=7)).isoformat())
    assert clock.utcnow() == MOMENT + dt.timedelta(seconds=7)
    path.write_text("")
    assert close_to_now(clock.utcnow()), "an empty file: the real time"


def test_a_frozen_clock_wins_over_the_file(tmp_path, monkeypatch, frozen_clock):
    path = tmp_path / "clock"
    path.write_text((MOMENT + dt.timedelta(days=3)).isoformat())
    monkeypatch.setenv(clock.TEST_CLOCK_ENV, str(path))
    assert clock.utcnow() == frozen_clock


def test_a_garbled_file_is_an_error_not_the_real_time(tmp_path, monkeypatch):
    path = tmp_path / "clock"
    path.write_text("half past nine")
    monkeypatch.setenv(clock.TEST_CLOCK_ENV, str(path))
    with pytest.raises(ValueError):
        clock.utcnow()
