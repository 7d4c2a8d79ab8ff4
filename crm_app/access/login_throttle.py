"""When a log-in for a username, or from an address, is checked again after failed attempts.

A fixed lock-out (N failures → refused for a quarter of an hour) let anyone who knows a username
lock its owner out. Instead:
- per username: the first `login_max_failures` failures in a row cost nothing; from then on each
  next attempt waits 2^n seconds after the n-th failure (3 → 8 s, 4 → 16 s, …), at most
  `login_window_minutes`. A guesser gets one try per wait; the owner can log in as soon as the
  wait has passed, and a success starts the count again. Failures older than a day are forgotten.
- per address: `login_max_failures_address` failures for any usernames within the window → that
  address waits until the oldest of them leaves the window (this stops trying many usernames).
An attempt made during a wait is refused without looking at the password and does not count, so
it never makes the wait longer. Unknown usernames have a key and a count like known ones: the
answer and its timing do not tell whether an account exists.
"""
from __future__ import annotations

import datetime as dt

from crm_app.core import settings

REMEMBERED = dt.timedelta(days=1)   # a run of failures is forgotten after a day (and pruned)
_EPOCH = dt.datetime(1970, 1, 1)


def account_wait(failures: int, free: int, cap: dt.timedelta) -> dt.timedelta:
    """The wait after `failures` failed log-ins in a row: none below `free`, then 2^failures seconds, at most `cap`."""
    if failures < free:
        return dt.timedelta(0)
    return min(dt.timedelta(seconds=2 ** min(failures, 30)), cap)


def retry_at(cur, username_key: str, address: str | None, now: dt.datetime) -> dt.datetime | None:
    """The moment (naive UTC) from which a log-in for this username from this address is checked again; None: now."""
    window = dt.timedelta(minutes=settings.get(cur, "login_window_minutes"))
    moments = [_account_retry_at(cur, username_key, now, window)]
    if address is not None:
        moments.append(_address_retry_at(cur, address, now, window))
    latest = max((m for m in moments if m is not None), default=None)
    return latest if latest is not None and latest > now else None


def _account_retry_at(cur, username_key: str, now: dt.datetime, cap: dt.timedelta) -> dt.datetime | None:
    failures, last = cur.execute(
        "SELECT count(*), max(occurred_utc) FROM login_attempt WHERE username_key = ? AND outcome = 'failed' "
        "AND occurred_utc > ? AND occurred_utc > coalesce((SELECT max(occurred_utc) FROM login_attempt "
        "                                                  WHERE username_key = ? AND ok), ?)",
        [username_key, now - REMEMBERED, username_key, _EPOCH]).fetchone()
    wait = account_wait(failures, settings.get(cur, "login_max_failures"), cap)
    return last + wait if wait else None


def _address_retry_at(cur, address: str, now: dt.datetime, window: dt.timedelta) -> dt.datetime | None:
    """While the window holds `limit` failures from this address, the limit-th most recent one decides."""
    limit = settings.get(cur, "login_max_failures_address")
    row = cur.execute(
        "SELECT occurred_utc FROM login_attempt WHERE address = ? AND outcome = 'failed' AND occurred_utc > ? "
        "ORDER BY occurred_utc DESC LIMIT 1 OFFSET ?", [address, now - window, limit - 1]).fetchone()
    return row[0] + window if row else None
