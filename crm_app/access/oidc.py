"""From an identity-provider login (OIDC through Streamlit's `st.login`) to a CRM account.

The identity provider says *who* someone is; only the CRM's own user table says *whether* they
may log in and with which role. A role, group or any other claim in the token or in the URL is
never read. The account is found by:

1. its linked subject (`app_user.oidc_subject`, the token's `sub`; and when the account has an
   `oidc_issuer`, the token's `iss` must equal it), else
2. its email, when the provider marks that email as verified (`email_verified` true) and the
   account has no subject linked yet — the subject is then linked to it (audited), so a later
   change of email at the provider does not move the access.

A disabled account, an unknown identity or an unverified email gets no account: the caller shows
"no access, ask an administrator" and an audit event `login` with result `refused` is written
(without the identity's subject or email: those are personal data).

A session may only start from a *fresh* provider login (`iat` of the ID token within
`oidc_fresh_login_seconds`): Streamlit's own identity cookie lives 30 days and cannot be revoked,
so an old cookie alone never opens a new session — after logout or expiry the person must pass
the identity provider again.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.access.identity import User
from crm_app.core import settings
from crm_app.core.clock import utcnow

CLOCK_SKEW = dt.timedelta(seconds=60)   # an `iat` this far in the future is still accepted


@dataclass(frozen=True)
class Identity:
    subject: str
    issuer: str | None
    email: str | None
    email_verified: bool
    issued_utc: dt.datetime | None


def identity_from_claims(claims) -> Identity | None:
    """The fields we use from `st.user` (the ID token's claims), or None when there is no subject."""
    if not claims:
        return None
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > 255:
        return None
    email = claims.get("email")
    email = email.strip().casefold() if isinstance(email, str) and email.strip() else None
    verified = claims.get("email_verified")
    verified = verified is True or (isinstance(verified, str) and verified.lower() == "true")
    issued = claims.get("iat")
    issued_utc = None
    if isinstance(issued, (int, float)) and not isinstance(issued, bool):
        try:
            issued_utc = dt.datetime.fromtimestamp(issued, dt.UTC).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):
            issued_utc = None
    issuer = claims.get("iss")
    return Identity(subject.strip(), issuer if isinstance(issuer, str) else None, email, verified, issued_utc)


def is_fresh(cur_or_store, identity: Identity, now: dt.datetime | None = None) -> bool:
    """Was this provider login made recently enough to start a new session?"""
    if identity.issued_utc is None:
        return False
    now = now or utcnow()
    window = _setting(cur_or_store, "oidc_fresh_login_seconds")
    return now - dt.timedelta(seconds=window) <= identity.issued_utc <= now + CLOCK_SKEW


def _setting(cur_or_store, name: str) -> int:
    if hasattr(cur_or_store, "read"):
        with cur_or_store.read() as cur:
            return settings.get(cur, name)
    return settings.get(cur_or_store, name)


def account_for(store, identity: Identity, origin: str = "web") -> User | None:
    """The active account this identity may use, or None (refused); the outcome is audited."""

    def work(cur):
        row = cur.execute(
            "SELECT id, username, display_name, role, disabled FROM app_user "
            "WHERE oidc_subject = ? AND (oidc_issuer IS NULL OR oidc_issuer = ?)",
            [identity.subject, identity.issuer or ""]).fetchone()
        bind = False
        if row is None and identity.email and identity.email_verified:
            row = cur.execute(
                "SELECT id, username, display_name, role, disabled FROM app_user "
                "WHERE lower(email) = ? AND oidc_subject IS NULL "
                "AND NOT EXISTS (SELECT 1 FROM app_user WHERE oidc_subject = ?)",
                [identity.email, identity.subject]).fetchone()
            bind = row is not None
        if row is None or row[4]:
            audit.record(cur, Actor(None, "none", origin), "login", "app_user", row[0] if row else None, "refused")
            return None
        user = User(row[0], row[1], row[2], row[3])
        actor = Actor(user.id, user.role, origin)
        if bind and not row[4]:
            cur.execute("UPDATE app_user SET oidc_subject = ?, oidc_issuer = ? WHERE id = ?",
                        [identity.subject, identity.issuer, user.id])
            audit.record(cur, actor, "user.link_identity", "app_user", user.id, "verified_email")
        cur.execute("UPDATE app_user SET last_login_utc = ? WHERE id = ?", [utcnow(), user.id])
        audit.record(cur, actor, "login", "app_user", user.id, "ok")
        return user

    return store.write(work)
