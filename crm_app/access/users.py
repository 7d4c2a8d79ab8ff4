"""Staff accounts: roles, argon2id password hashes, log-in.

argon2-cffi's PasswordHasher defaults to argon2id with RFC 9106's low-memory parameters.
An unknown user costs a hash verification too, so timing does not tell which usernames exist.

Log-in is throttled per username (a growing wait) and per address (crm_app.access.login_throttle):
during a wait an attempt is refused without looking at the password, at the same cost (a dummy
verification), for known and unknown usernames alike. Attempts are kept in `login_attempt` for a
day: the username as a salted sha256 key, the address as Streamlit reports it (staff IP addresses,
not participants'; NULL on localhost and the CLI).

New passwords: at least PASSWORD_MIN characters, not a common password (data/common_passwords.txt),
and not the username or containing it.

Nobody locks the administrators out: an administrator cannot change their own role or disable their
own account, and the last active administrator can be neither demoted nor disabled (also not by the
operator at the command line).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from crm_app.access import audit, login_throttle, sessions
from crm_app.access.audit import Actor
from crm_app.access.identity import User
from crm_app.core import permissions, reference
from crm_app.core.clock import utcnow
from crm_app.core.errors import CrmError, FieldError, ValidationError
from crm_app.core.fields import clean_text, parse_email
from crm_app.core.paths import DATA_DIR

PASSWORD_MIN = 12
USERNAME_IN_PASSWORD_MIN = 4   # usernames this long may not appear anywhere in the password
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
_DUMMY_PASSWORD = "not a real password, only spends the same time"
_hasher = PasswordHasher()
_DUMMY_HASH: str | None = None      # made at the first log-in, not at import (a hash costs ~0.2 s)
COMMON_PASSWORDS_FILE = DATA_DIR / "common_passwords.txt"
_EDGE_JUNK = "0123456789!@#$%^&*()_+-=[]{};:'\",.<>/?\\|`~ "
GENERATED_BYTES = 15   # a generated password: 120 random bits, 20 url-safe characters


@contextlib.contextmanager
def hashing_with(hasher: PasswordHasher):
    """Hash and verify passwords with `hasher` inside the block, the dummy hash included.

    A test seam: the suite hashes with the cheapest argon2id parameters (0.3 s per log-in adds up)
    or with a hasher that counts its verifications.
    """
    global _hasher, _DUMMY_HASH
    saved = _hasher, _DUMMY_HASH
    _hasher, _DUMMY_HASH = hasher, hasher.hash(_DUMMY_PASSWORD)
    try:
        yield hasher
    finally:
        _hasher, _DUMMY_HASH = saved


def dummy_hash() -> str:
    """What an unknown or throttled log-in is verified against: made by the same hasher as real accounts."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash(_DUMMY_PASSWORD)
    return _DUMMY_HASH


def hash_secret(secret: str) -> str:
    """An argon2id hash of a secret that is not an account's password (a kiosk's PIN), by the same hasher."""
    return _hasher.hash(secret)


def secret_matches(secret_hash: str | None, secret: str) -> bool:
    """Whether `secret` matches `secret_hash`; the same cost when there is no hash."""
    try:
        return bool(_hasher.verify(secret_hash or dummy_hash(), secret or "")) and secret_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-cased (lines starting with # are comments)."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_error(password: str, username: str = "") -> FieldError | None:
    """Why a new password is refused (a FieldError for the password field), or None when it is acceptable.

    Common means: the password, ignoring case, is on the list, or is once leading and trailing
    digits, punctuation and spaces are stripped ("Welkom2026!!" → "welkom"). A username of four
    characters or more may not appear in the password; a shorter one (where "cor" in "correct" would
    be a false alarm) may not be the whole password.
    """
    password = password or ""
    if len(password) < PASSWORD_MIN:
        return FieldError("password", "password_too_short", {"min": PASSWORD_MIN})
    lowered = password.lower()
    stripped = lowered.strip(_EDGE_JUNK)
    if lowered in common_passwords() or (stripped and stripped in common_passwords()):
        return FieldError("password", "password_common")
    username = (username or "").strip().lower()
    if username and (lowered == username or (len(username) >= USERNAME_IN_PASSWORD_MIN and username in lowered)):
        return FieldError("password", "password_contains_username")
    return None


def add(store, actor: Actor, username: str, display_name: str, role: str, password: str | None,
        *, oidc_subject: str | None = None, email: str | None = None, oidc_issuer: str | None = None) -> int:
    """A new staff account. `password` may be None for an account that only logs in through the
    identity provider (OIDC): it then needs an `oidc_subject` or an `email` to be found by."""
    permissions.require(actor.role, "user.manage")
    errors: list[FieldError] = []
    username = (username or "").strip().lower()
    if not _USERNAME.match(username):
        errors.append(FieldError("username", "username_invalid"))
    display = clean_text(display_name, "display_name", errors, max_len=100, required=True)
    if role not in reference.ROLES:
        errors.append(FieldError("role", "invalid_choice"))
    subject, email, issuer = _identity_fields(oidc_subject, email, oidc_issuer, errors)
    if password or not (subject or email):
        problem = password_error(password, username if _USERNAME.match(username) else "")
        if problem:
            errors.append(problem)
    if errors:
        raise ValidationError(errors)

    def work(cur):
        if cur.execute("SELECT 1 FROM app_user WHERE username = ?", [username]).fetchone():
            raise ValidationError([FieldError("username", "username_taken")])
        _check_identity_free(cur, subject, email, None)
        user_id = cur.execute(
            "INSERT INTO app_user (username, display_name, role, password_hash, created_utc, oidc_subject, email, "
            "oidc_issuer) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [username, display, role, _hasher.hash(password) if password else None, utcnow(), subject, email,
             issuer],
        ).fetchone()[0]
        audit.record(cur, actor, "user.add", "app_user", user_id)
        return user_id

    return store.write(work)


_SUBJECT_MAX = 255   # OIDC Core: sub is at most 255 ASCII characters


def _identity_fields(subject, email, issuer, errors: list[FieldError]):
    """Clean the identity-provider fields of an account (subject, email, issuer)."""
    subject = (subject or "").strip() or None
    if subject is not None and (len(subject) > _SUBJECT_MAX or not subject.isascii() or not subject.isprintable()):
        errors.append(FieldError("oidc_subject", "oidc_subject_invalid"))
        subject = None
    email = parse_email(email, errors) if (email or "").strip() else None
    email = email.casefold() if email else None
    issuer = (issuer or "").strip() or None
    if issuer is not None and (len(issuer) > 500 or not issuer.startswith(("https://", "http://"))):
        errors.append(FieldError("oidc_issuer", "oidc_issuer_invalid"))
        issuer = None
    return subject, email, issuer


def _check_identity_free(cur, subject, email, user_id) -> None:
    """An identity leads to at most one account: refuse a subject or email another account holds."""
    if subject and cur.execute("SELECT 1 FROM app_user WHERE oidc_subject = ? AND id IS DISTINCT FROM ?",
                               [subject, user_id]).fetchone():
        raise ValidationError([FieldError("oidc_subject", "oidc_identity_taken")])
    if email and cur.execute("SELECT 1 FROM app_user WHERE lower(email) = ? AND id IS DISTINCT FROM ?",
                             [email, user_id]).fetchone():
        raise ValidationError([FieldError("email", "oidc_identity_taken")])


def link_identity(store, actor: Actor, username: str, *, oidc_subject: str | None = None, email: str | None = None,
                  oidc_issuer: str | None = None) -> None:
    """Link an account to its identity-provider identity (subject and/or verified email); audited.

    Only an administrator (or the operator at the command line) does this: the CRM's own user
    table decides who may log in and with which role, never the identity token.
    """
    permissions.require(actor.role, "user.manage")
    errors: list[FieldError] = []
    subject, email, issuer = _identity_fields(oidc_subject, email, oidc_issuer, errors)
    if not (subject or email) and not errors:
        errors.append(FieldError("oidc_subject", "oidc_identity_missing"))
    if errors:
        raise ValidationError(errors)

    def work(cur):
        row = cur.execute("SELECT id FROM app_user WHERE username = ?", [(username or "").strip().lower()]).fetchone()
        if row is None:
            raise CrmError("user_not_found")
        _check_identity_free(cur, subject, email, row[0])
        if subject:
            cur.execute("UPDATE app_user SET oidc_subject = ?, oidc_issuer = ? WHERE id = ?", [subject, issuer, row[0]])
        if email:
            cur.execute("UPDATE app_user SET email = ? WHERE id = ?", [email, row[0]])
        audit.record(cur, actor, "user.link_identity", "app_user", row[0])

    store.write(work)


def set_password(store, actor: Actor, username: str, new_password: str) -> None:
    """Give an account a new password (the same rules as for a new account); audited, never logged."""
    permissions.require(actor.role, "user.manage")
    username = (username or "").strip().lower()
    problem = password_error(new_password, username)
    if problem:
        raise ValidationError([problem])
    new_hash = _hasher.hash(new_password)

    def work(cur):
        row = cur.execute("SELECT id FROM app_user WHERE username = ?", [username]).fetchone()
        if row is None:
            raise CrmError("user_not_found")
        cur.execute("UPDATE app_user SET password_hash = ? WHERE id = ?", [new_hash, row[0]])
        audit.record(cur, actor, "user.passwd", "app_user", row[0])

    store.write(work)


def generated_password(username: str = "") -> str:
    """A random password that meets the policy, for an administrator to hand over once."""
    while True:
        password = secrets.token_urlsafe(GENERATED_BYTES)
        if password_error(password, username) is None:
            return password


def set_role(store, actor: Actor, username: str, role: str) -> None:
    """Give an account another role; audited. Refused for one's own account and for the last active
    administrator (`own_account`, `last_admin`), so the administrators cannot lock themselves out."""
    permissions.require(actor.role, "user.manage")
    if role not in reference.ROLES:
        raise ValidationError([FieldError("role", "invalid_choice")])

    def work(cur):
        row = _account(cur, actor, username)
        if role != "admin":
            _keep_an_admin(cur, row)
        cur.execute("UPDATE app_user SET role = ? WHERE id = ?", [role, row[0]])
        audit.record(cur, actor, "user.role", "app_user", row[0])

    store.write(work)


def _account(cur, actor: Actor, username: str) -> tuple:
    """(id, role, disabled) of the account an administrator changes; never the administrator's own."""
    row = cur.execute("SELECT id, role, disabled FROM app_user WHERE username = ?",
                      [(username or "").strip().lower()]).fetchone()
    if row is None:
        raise CrmError("user_not_found")
    if actor.user_id is not None and row[0] == actor.user_id:
        raise CrmError("own_account")
    return row


def _keep_an_admin(cur, row: tuple) -> None:
    """Refuse when the account `row` is the only active administrator left."""
    user_id, role, disabled = row
    if role != "admin" or disabled:
        return
    others = cur.execute("SELECT count(*) FROM app_user WHERE role = 'admin' AND NOT disabled AND id <> ?",
                         [user_id]).fetchone()[0]
    if others == 0:
        raise CrmError("last_admin")


def list_users(store) -> list[dict]:
    with store.read() as cur:
        rows = cur.execute(
            "SELECT id, username, display_name, role, disabled, created_utc, last_login_utc, "
            "oidc_subject IS NOT NULL OR email IS NOT NULL, password_hash IS NOT NULL FROM app_user ORDER BY username"
        ).fetchall()
    keys = ("id", "username", "display_name", "role", "disabled", "created_utc", "last_login_utc", "oidc_linked",
            "local_login")
    return [dict(zip(keys, row)) for row in rows]


def set_disabled(store, actor: Actor, username: str, disabled: bool = True) -> None:
    """Disable (or enable again) an account; audited. Disabling ends its sessions at once; refused for
    one's own account and for the last active administrator."""
    permissions.require(actor.role, "user.manage")

    def work(cur):
        row = _account(cur, actor, username)
        if disabled:
            _keep_an_admin(cur, row)
        cur.execute("UPDATE app_user SET disabled = ? WHERE id = ?", [disabled, row[0]])
        audit.record(cur, actor, "user.disable" if disabled else "user.enable", "app_user", row[0])
        if disabled:   # its open sessions end now, not at their next click
            sessions.end_all_in(cur, actor, row[0], "disabled")

    store.write(work)


def active_user(store, user_id: int) -> User | None:
    """The account as it is now, or None when it was disabled or removed."""
    with store.read() as cur:
        row = cur.execute("SELECT id, username, display_name, role FROM app_user WHERE id = ? AND NOT disabled",
                          [user_id]).fetchone()
    return User(*row) if row else None


def _username_key(cur, username: str) -> str:
    salt = cur.execute("SELECT salt FROM login_throttle_salt").fetchone()[0]
    return hashlib.sha256(f"{salt}:{username}".encode()).hexdigest()


@dataclass(frozen=True)
class LoginAttempt:
    """The outcome of one log-in: the user, or why not and from when it is worth trying again."""
    user: User | None
    outcome: str                    # 'ok', 'failed' (password checked) or 'throttled' (not checked)
    retry_at: dt.datetime | None    # naive UTC; None: the next attempt is checked at once


def authenticate(store, username: str, password: str, origin: str = "web", address: str | None = None) -> User | None:
    """The user if the password is right and the account active; None otherwise (same cost either way)."""
    return log_in(store, username, password, origin, address).user


def log_in(store, username: str, password: str, origin: str = "web", address: str | None = None) -> LoginAttempt:
    """Check a log-in under the throttle of crm_app.access.login_throttle, record and audit it.

    `address` is the client's address (the web form passes `st.context.ip_address`), for the
    per-address limit. An attempt during a wait is refused without checking the password (one
    verification of the dummy hash instead, so it costs the same) and is not counted as a failure.
    """
    username = (username or "").strip().lower()[:40]
    address = (address or None) and str(address)[:64]
    now = utcnow()
    with store.read() as cur:
        row = cur.execute(
            "SELECT id, username, display_name, role, password_hash, disabled FROM app_user WHERE username = ?",
            [username],
        ).fetchone()
        username_key = _username_key(cur, username)
        throttled = login_throttle.retry_at(cur, username_key, address, now) is not None
    try:
        if throttled:
            _hasher.verify(dummy_hash(), password or "")   # spend the same time, then refuse
            ok = False
        else:
            _hasher.verify(row[4] if row and row[4] else dummy_hash(), password or "")
            ok = row is not None and row[4] is not None and not row[5]
    except (VerificationError, InvalidHashError):
        ok = False
    user = User(row[0], row[1], row[2], row[3]) if ok else None
    outcome = "ok" if user else "throttled" if throttled else "failed"

    def work(cur):
        cur.execute("INSERT INTO login_attempt (username_key, address, occurred_utc, ok, outcome) "
                    "VALUES (?, ?, ?, ?, ?)", [username_key, address, now, user is not None, outcome])
        if user:
            cur.execute("UPDATE app_user SET last_login_utc = ? WHERE id = ?", [now, user.id])
            cur.execute("DELETE FROM login_attempt WHERE occurred_utc < ?", [now - login_throttle.REMEMBERED])
        audit.record(cur, Actor(user.id if user else None, user.role if user else "none", origin),
                     "login", "app_user", row[0] if row else None, "ok" if user else "refused")
        return None if user else login_throttle.retry_at(cur, username_key, address, now)

    return LoginAttempt(user, outcome, store.write(work))
