"""Server-side sessions: a random token in the browser, only its sha256 in the store.

A session belongs to one account and says how it was started (`local`: username + password,
`oidc`: the organisation's identity provider). `resume` is called on every script run: it
refuses a token that is unknown, ended, idle longer than `session_idle_seconds`, older than
`session_max_seconds`, or whose account is disabled — and ends such a session for good, with an
audit event (`session.expire` with result `idle`/`max_age`, `session.end` with `disabled` or
`identity`). `end` is the logout: the token stops working at once, on every tab and for anyone
who copied it. Audit events carry the session id and the user id, never a name or a token.

A session in kiosk mode (crm_app.access.kiosk) has the `kiosk` role whatever its account's role, and no
idle limit: a tablet at a market stands idle between visitors. The absolute limit stays.

`last_seen_utc` is written at most every `touch_interval(idle)` seconds (≤ 30 s), so a busy
session costs a write about twice a minute rather than on every click; the idle limit is
therefore enforced to within that interval.

An administrator sees the live sessions (account, how, since, last seen, the address it was started
from — never the token) and ends one or all of an account's (`session.manage`, audited), and changes
the limits (`change_limits`): the same services behind the Sessions screen and `crm sessions`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import secrets
from dataclasses import dataclass

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.access.identity import KioskPlace, User
from crm_app.core import permissions, settings
from crm_app.core.clock import today, utcnow
from crm_app.core.errors import CrmError, ValidationError

METHODS = ("local", "oidc")
TOKEN_BYTES = 32          # 256 bits from the OS's CSPRNG, url-safe base64 (43 characters)
TOKEN_MAX_LEN = 128       # anything longer is not ours and is refused without a look-up
KEEP_ENDED = dt.timedelta(days=30)   # ended sessions are kept this long (which browser, when), then purged
KIOSK_ROLE = "kiosk"      # the rights of a session in kiosk mode (crm_app.access.kiosk)
LIMITS = ("session_idle_seconds", "session_max_seconds", "oidc_fresh_login_seconds")   # what change_limits sets


@dataclass(frozen=True)
class Session:
    id: int
    user: User
    method: str
    oidc_subject: str | None
    created_utc: dt.datetime
    expires_utc: dt.datetime      # the earlier of the idle and the absolute limit, as of now
    absolute_end_utc: dt.datetime  # created + session_max_seconds: the latest it can last


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def touch_interval(idle_seconds: int) -> float:
    """How stale last_seen_utc may get before a run writes it again."""
    return min(30.0, idle_seconds / 5)


def start(store, user: User, method: str, oidc_subject: str | None = None, origin: str = "web",
          address: str | None = None) -> str:
    """A new session for `user`; returns the token (shown to nobody but the browser).

    `address` is the client's address as Streamlit reports it (None on localhost), shown to administrators."""
    if method not in METHODS:
        raise ValueError(method)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    address = _ip_address(address)

    def work(cur):
        session_id = cur.execute(
            "INSERT INTO app_session (token_hash, user_id, method, oidc_subject, created_utc, last_seen_utc, address) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [token_hash(token), user.id, method, oidc_subject, now, now, address]).fetchone()[0]
        audit.record(cur, Actor(user.id, user.role, origin), "session.start", "app_session", session_id, method)
        _purge_in(cur, now - KEEP_ENDED)   # like login_attempt: old rows go at the next login

    store.write(work)
    return token


def _ip_address(address) -> str | None:
    """The address in its normal written form, or None when it is none (or not an IP address)."""
    try:
        return str(ipaddress.ip_address(str(address))) if address else None
    except ValueError:
        return None


def _valid_shape(token) -> bool:
    return isinstance(token, str) and 20 <= len(token) <= TOKEN_MAX_LEN


def resume(store, token: str | None, origin: str = "web") -> Session | None:
    """The live session of this token (its last_seen refreshed), or None — ending it if it just ran out."""
    if not _valid_shape(token):
        return None
    now = utcnow()
    with store.read() as cur:
        row = cur.execute(
            "SELECT s.id, s.user_id, s.method, s.oidc_subject, s.created_utc, s.last_seen_utc, s.ended_utc, "
            "       u.id, u.username, u.display_name, u.role, u.disabled, s.kiosk_market, s.kiosk_day "
            "FROM app_session s LEFT JOIN app_user u ON u.id = s.user_id WHERE s.token_hash = ?",
            [token_hash(token)]).fetchone()
        if row is None or row[6] is not None:
            return None
        idle, max_age = settings.get_many(cur, "session_idle_seconds", "session_max_seconds")
    session_id, user_id, method, subject, created, last_seen, _, uid, username, display, role, disabled, market, day = row
    if now >= created + dt.timedelta(seconds=max_age):
        _end(store, session_id, user_id, role, "max_age", origin, action="session.expire")
        return None
    if market is None and now >= last_seen + dt.timedelta(seconds=idle):   # a kiosk stands idle between visitors
        _end(store, session_id, user_id, role, "idle", origin, action="session.expire")
        return None
    if uid is None or disabled:
        _end(store, session_id, user_id, role or "none", "disabled", origin)
        return None
    if (now - last_seen).total_seconds() >= touch_interval(idle):
        def touch(cur):
            cur.execute("UPDATE app_session SET last_seen_utc = ? WHERE id = ? AND ended_utc IS NULL",
                        [now, session_id])
        store.write(touch)
        last_seen = now
    absolute_end = created + dt.timedelta(seconds=max_age)
    expires = min(absolute_end, last_seen + dt.timedelta(seconds=idle))
    return Session(session_id, _user(uid, username, display, role, market, day), method, subject, created, expires,
                   absolute_end)


def _user(uid: int, username: str, display: str, role: str, market: str | None, day: dt.date | None) -> User:
    """The session's user. In kiosk mode the staff member's account has the kiosk's rights and nothing else;
    the kiosk account itself stands at the market its display name says, today."""
    if market is not None:
        return User(uid, username, display, KIOSK_ROLE, KioskPlace(market, day or today(), staff_session=True))
    if role == KIOSK_ROLE:
        return User(uid, username, display, role, KioskPlace(display, today(), staff_session=False))
    return User(uid, username, display, role)


def is_live(store, token: str | None) -> bool:
    """Would `resume` accept this token right now? Reads only (no touch, no ending): for the
    browser's periodic check, which must not keep an idle session alive."""
    if not _valid_shape(token):
        return False
    now = utcnow()
    with store.read() as cur:
        row = cur.execute(
            "SELECT s.created_utc, s.last_seen_utc, u.disabled, s.kiosk_market FROM app_session s "
            "JOIN app_user u ON u.id = s.user_id WHERE s.token_hash = ? AND s.ended_utc IS NULL",
            [token_hash(token)]).fetchone()
        if row is None or row[2]:
            return False
        idle, max_age = settings.get_many(cur, "session_idle_seconds", "session_max_seconds")
    return now < row[0] + dt.timedelta(seconds=max_age) and (
        row[3] is not None or now < row[1] + dt.timedelta(seconds=idle))


def end(store, token: str | None, reason: str = "logout", origin: str = "web") -> bool:
    """End the token's session (logout). True when a live session was ended."""
    if not _valid_shape(token):
        return False
    with store.read() as cur:
        row = cur.execute(
            "SELECT s.id, s.user_id, u.role FROM app_session s LEFT JOIN app_user u ON u.id = s.user_id "
            "WHERE s.token_hash = ? AND s.ended_utc IS NULL", [token_hash(token)]).fetchone()
    if row is None:
        return False
    return _end(store, row[0], row[1], row[2] or "none", reason, origin,
                action="logout" if reason == "logout" else "session.end")


def end_all_for_user(store, actor: Actor, username: str, reason: str = "ended_by_admin") -> int:
    """An administrator logs an account out everywhere: every live session ends; returns how many."""
    permissions.require(actor.role, "session.manage")

    def work(cur):
        row = cur.execute("SELECT id FROM app_user WHERE username = ?", [(username or "").strip().lower()]).fetchone()
        if row is None:
            raise CrmError("user_not_found")
        return end_all_in(cur, actor, row[0], reason)

    return store.write(work)


def end_one(store, actor: Actor, session_id: int) -> bool:
    """An administrator ends one session (the others of the account go on); False when it had already ended."""
    permissions.require(actor.role, "session.manage")

    def work(cur):
        changed = cur.execute("UPDATE app_session SET ended_utc = ?, end_reason = 'ended_by_admin' "
                              "WHERE id = ? AND ended_utc IS NULL RETURNING id", [utcnow(), session_id]).fetchall()
        if changed:
            audit.record(cur, actor, "session.end", "app_session", session_id, "ended_by_admin")
        return bool(changed)

    return store.write(work)


def end_all_in(cur, actor: Actor, user_id: int, reason: str) -> int:
    """End every live session of the account `user_id` inside the caller's transaction (users.set_disabled uses it)."""
    now = utcnow()
    ids = [r[0] for r in cur.execute(
        "SELECT id FROM app_session WHERE user_id = ? AND ended_utc IS NULL ORDER BY id", [user_id]).fetchall()]
    for session_id in ids:
        cur.execute("UPDATE app_session SET ended_utc = ?, end_reason = ? WHERE id = ?", [now, reason, session_id])
        audit.record(cur, actor, "session.end", "app_session", session_id, reason)
    return len(ids)


def _end(store, session_id: int, user_id: int, role: str, reason: str, origin: str,
         action: str = "session.end") -> bool:
    now = utcnow()

    def work(cur):
        changed = cur.execute(
            "UPDATE app_session SET ended_utc = ?, end_reason = ? WHERE id = ? AND ended_utc IS NULL "
            "RETURNING id", [now, reason, session_id]).fetchall()
        if changed:   # two tabs may notice the same expiry: one audit event
            audit.record(cur, Actor(user_id, role, origin), action, "app_session", session_id, reason)
        return bool(changed)

    return store.write(work)


def live_sessions(store, actor: Actor) -> list[dict]:
    """Sessions not ended (some may have run out and end at their next use): id, account, how, since,
    last seen, address — never the token."""
    permissions.require(actor.role, "session.manage")
    with store.read() as cur:
        cur.execute("SELECT s.id, u.username, u.display_name, s.method, s.created_utc, s.last_seen_utc, s.address "
                    "FROM app_session s JOIN app_user u ON u.id = s.user_id WHERE s.ended_utc IS NULL ORDER BY s.id")
        keys = [d[0] for d in cur.description]
        return [dict(zip(keys, row)) for row in cur.fetchall()]


def limits(store) -> dict[str, int]:
    """The session limits in force: idle and maximum seconds, and how fresh an identity-provider login must be."""
    with store.read() as cur:
        return {name: settings.get(cur, name) for name in LIMITS}


def change_limits(store, actor: Actor, changes: dict[str, int | None]) -> dict[str, int]:
    """Set the given limits (None: unchanged), each audited as `setting.change`; returns the limits now.

    All or nothing: a value out of its range refuses the whole change (a ValidationError per field)."""
    permissions.require(actor.role, "session.manage")
    unknown = set(changes) - set(LIMITS)
    if unknown:
        raise ValueError(sorted(unknown))

    def work(cur):
        errors = []
        for name, value in changes.items():
            if value is None:
                continue
            try:
                settings.set_value(cur, name, value)
            except ValidationError as exc:
                errors += exc.errors
                continue
            audit.record(cur, actor, "setting.change", None, None, name)
        if errors:   # raising rolls back the ones already set
            raise ValidationError(errors)
        return {name: settings.get(cur, name) for name in LIMITS}

    return store.write(work)


def purge(store) -> int:
    """Forget sessions ended (or last seen) more than KEEP_ENDED ago; their audit events stay."""
    return store.write(_purge_in, utcnow() - KEEP_ENDED)


def _purge_in(cur, cutoff: dt.datetime) -> int:
    return len(cur.execute("DELETE FROM app_session WHERE coalesce(ended_utc, last_seen_utc) < ? RETURNING id",
                           [cutoff]).fetchall())
