"""One place that says what time it is, so tests can freeze it and everything stores UTC.

Test seam for a server in its own process, where a test cannot call freeze(): when the environment
variable CRM_TEST_CLOCK_FILE names a file, the clock stands at the naive-UTC ISO moment written in
it (read at every call, so the test moves it by rewriting the file; empty or missing: the real time).
Unset — as it is everywhere but in the browser tests — it changes nothing.
"""
from __future__ import annotations

import calendar
import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Amsterdam")
TEST_CLOCK_ENV = "CRM_TEST_CLOCK_FILE"
_frozen: dt.datetime | None = None


def utcnow() -> dt.datetime:
    """Naive UTC timestamp, the form DuckDB TIMESTAMP columns hold."""
    if _frozen is not None:
        return _frozen
    return _test_clock_moment() or dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _test_clock_moment() -> dt.datetime | None:
    path = os.environ.get(TEST_CLOCK_ENV)
    if not path:
        return None
    try:
        text = Path(path).read_text("ascii").strip()
    except FileNotFoundError:
        return None
    return dt.datetime.fromisoformat(text) if text else None


def today() -> dt.date:
    """Today's date in Europe/Amsterdam: follow-ups are due by the local calendar."""
    return to_local(utcnow()).date()


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), clipped to the month's last day: 31-01 + 1 → 28-02."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def to_local(utc_naive: dt.datetime) -> dt.datetime:
    return utc_naive.replace(tzinfo=dt.UTC).astimezone(LOCAL_TZ)


def freeze(moment: dt.datetime | None) -> None:
    """Freeze the clock at a naive-UTC moment (None unfreezes). For tests and `--as-of` runs."""
    global _frozen
    _frozen = moment
