"""One place that says what time it is, so tests can freeze it and everything stores UTC."""
from __future__ import annotations

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


def to_local(utc_naive: dt.datetime) -> dt.datetime:
    return utc_naive.replace(tzinfo=dt.UTC).astimezone(LOCAL_TZ)


def freeze(moment: dt.datetime | None) -> None:
    """Freeze the clock at a naive-UTC moment (None unfreezes). For tests and `--as-of` runs."""
    global _frozen
    _frozen = moment
