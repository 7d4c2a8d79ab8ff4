"""One place that says what time it is, so tests can freeze it and everything stores UTC."""
from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Amsterdam")
_frozen: dt.datetime | None = None


def utcnow() -> dt.datetime:
    """Naive UTC timestamp, the form DuckDB TIMESTAMP columns hold."""
    if _frozen is not None:
        return _frozen
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


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
