"""Staff accounts: roles, argon2id password hashes, log-in.

argon2-cffi's PasswordHasher defaults to argon2id with RFC 9106's low-memory parameters.
An unknown user costs a hash verification too, so timing does not tell which usernames exist.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from . import audit, reference
from .audit import Actor
from .clock import utcnow
from .errors import CrmError, FieldError, ValidationError
from .validation import clean_text

PASSWORD_MIN = 12
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password, only spends the same time")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str

    def actor(self, origin: str = "web") -> Actor:
        return Actor(self.id, self.role, origin)


def add(store, actor: Actor, username: str, display_name: str, role: str, password: str) -> int:
    errors: list[FieldError] = []
    username = (username or "").strip().lower()
    if not _USERNAME.match(username):
        errors.append(FieldError("username", "username_invalid"))
    display = clean_text(display_name, "display_name", errors, max_len=100, required=True)
    if role not in reference.ROLES:
        errors.append(FieldError("role", "invalid_choice"))
    if len(password or "") < PASSWORD_MIN:
        errors.append(FieldError("password", "password_too_short", {"min": PASSWORD_MIN}))
    if errors:
        raise ValidationError(errors)

    def work(cur):
        if cur.execute("SELECT 1 FROM app_user WHERE username = ?", [username]).fetchone():
            raise ValidationError([FieldError("username", "username_taken")])
        user_id = cur.execute(
            "INSERT INTO app_user (username, display_name, role, password_hash, created_utc) "
            "VALUES (?, ?, ?, ?, ?) RETURNING id",
            [username, display, role, _hasher.hash(password), utcnow()],
        ).fetchone()[0]
        audit.record(cur, actor, "user.add", "app_user", user_id)
        return user_id

    return store.write(work)


def list_users(store) -> list[dict]:
    with store.read() as cur:
        rows = cur.execute(
            "SELECT id, username, display_name, role, disabled, created_utc, last_login_utc FROM app_user ORDER BY username"
        ).fetchall()
    keys = ("id", "username", "display_name", "role", "disabled", "created_utc", "last_login_utc")
    return [dict(zip(keys, row)) for row in rows]


def set_disabled(store, actor: Actor, username: str, disabled: bool = True) -> None:
    def work(cur):
        row = cur.execute("SELECT id FROM app_user WHERE username = ?", [username.strip().lower()]).fetchone()
        if row is None:
            raise CrmError("user_not_found")
        cur.execute("UPDATE app_user SET disabled = ? WHERE id = ?", [disabled, row[0]])
        audit.record(cur, actor, "user.disable" if disabled else "user.enable", "app_user", row[0])

    store.write(work)


def active_user(store, user_id: int) -> User | None:
    """The account as it is now, or None when it was disabled or removed."""
    with store.read() as cur:
        row = cur.execute("SELECT id, username, display_name, role FROM app_user WHERE id = ? AND NOT disabled",
                          [user_id]).fetchone()
    return User(*row) if row else None


def authenticate(store, username: str, password: str, origin: str = "web") -> User | None:
    """The user if the password is right and the account active; None otherwise (same cost either way)."""
    username = (username or "").strip().lower()[:40]
    with store.read() as cur:
        row = cur.execute(
            "SELECT id, username, display_name, role, password_hash, disabled FROM app_user WHERE username = ?",
            [username],
        ).fetchone()
    try:
        _hasher.verify(row[4] if row and row[4] else _DUMMY_HASH, password or "")
        ok = row is not None and row[4] is not None and not row[5]
    except (VerificationError, InvalidHashError):
        ok = False
    user = User(row[0], row[1], row[2], row[3]) if ok else None

    def work(cur):
        if user:
            cur.execute("UPDATE app_user SET last_login_utc = ? WHERE id = ?", [utcnow(), user.id])
        audit.record(cur, Actor(user.id if user else None, user.role if user else "none", origin),
                     "login", "app_user", row[0] if row else None, "ok" if user else "refused")

    store.write(work)
    return user
