"""Kiosk mode: a staff member's session on a tablet turns into a self-registration kiosk, and back.

`start` records the market, the day and the PIN on the staff member's own server-side session
(crm_app.access.sessions): from the next run on that session has the `kiosk` role and nothing else,
whatever the account may do, so every other screen, record and download is refused by the same
permission checks as for the kiosk account. `end` takes the PIN: right, and the session is the staff
member's again; wrong, and it is counted: after `FREE_TRIES` wrong PINs each next try waits 2^n
seconds (at most `MAX_WAIT`), and a try during the wait is refused unchecked. Only the PIN's argon2id
hash is stored. Both are audited with the session id, never the PIN.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from crm_app.access import audit, login_throttle, sessions, users
from crm_app.access.audit import Actor
from crm_app.access.identity import User
from crm_app.core import permissions
from crm_app.core.clock import today, utcnow
from crm_app.core.errors import CrmError, FieldError, ValidationError
from crm_app.core.fields import SHORT_TEXT_MAX, clean_text, parse_date

PIN_SHAPE = re.compile(r"[0-9]{4,12}")
FREE_TRIES = 3
MAX_WAIT = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class EndAttempt:
    ended: bool
    retry_at: dt.datetime | None    # naive UTC; None: the next PIN is checked at once


def start(store, user: User, token: str | None, market: str, day: dt.date | str | None, pin: str) -> None:
    """Put this session (`token`) in kiosk mode at `market` on `day` (default today), ended by `pin`."""
    permissions.require(user.role, "kiosk.start")
    errors: list[FieldError] = []
    market_clean = clean_text(market, "kiosk_market", errors, max_len=SHORT_TEXT_MAX, required=True)
    when = parse_date(day, "kiosk_day", errors) if day not in (None, "") else today()
    if not PIN_SHAPE.fullmatch(pin or ""):
        errors.append(FieldError("kiosk_pin", "kiosk_pin_shape"))
    if errors:
        raise ValidationError(errors)
    pin_hash = users.hash_secret(pin)

    def work(cur):
        row = cur.execute("UPDATE app_session SET kiosk_market = ?, kiosk_day = ?, kiosk_pin_hash = ?, kiosk_failures = 0, "
                          "kiosk_retry_utc = NULL WHERE token_hash = ? AND user_id = ? AND ended_utc IS NULL "
                          "AND kiosk_market IS NULL RETURNING id",
                          [market_clean, when, pin_hash, sessions.token_hash(token or ""), user.id]).fetchone()
        if row is None:
            raise CrmError("session_gone")
        audit.record(cur, user.actor("web"), "kiosk.start", "app_session", row[0])

    store.write(work)


def end(store, token: str | None, pin: str) -> EndAttempt:
    """Leave kiosk mode with the PIN it was started with; a wrong PIN counts towards the wait."""
    now = utcnow()
    with store.read() as cur:
        row = cur.execute("SELECT id, user_id, kiosk_pin_hash, kiosk_failures, kiosk_retry_utc FROM app_session "
                          "WHERE token_hash = ? AND ended_utc IS NULL AND kiosk_market IS NOT NULL",
                          [sessions.token_hash(token or "")]).fetchone()
    if row is None:
        return EndAttempt(False, None)
    session_id, user_id, pin_hash, failures, retry_utc = row
    waiting = retry_utc is not None and retry_utc > now
    ok = users.secret_matches(None if waiting else pin_hash, pin)
    actor = Actor(user_id, sessions.KIOSK_ROLE, "web")

    def work(cur):
        if ok:
            cur.execute("UPDATE app_session SET kiosk_market = NULL, kiosk_day = NULL, kiosk_pin_hash = NULL, "
                        "kiosk_failures = 0, kiosk_retry_utc = NULL, last_seen_utc = ? WHERE id = ?", [now, session_id])
            audit.record(cur, actor, "kiosk.end", "app_session", session_id)
            return None
        if waiting:
            return retry_utc
        count = (failures or 0) + 1
        wait = login_throttle.account_wait(count, FREE_TRIES, MAX_WAIT)
        retry = now + wait if wait else None
        cur.execute("UPDATE app_session SET kiosk_failures = ?, kiosk_retry_utc = ? WHERE id = ?",
                    [count, retry, session_id])
        audit.record(cur, actor, "kiosk.end", "app_session", session_id, "refused")
        return retry

    retry_at = store.write(work)
    return EndAttempt(ok, retry_at)
