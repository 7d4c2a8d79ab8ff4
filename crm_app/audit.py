"""Audit events: who did what to which record, when, from where, and with what result.

Never the personal data itself: record ids and action names only. The privacy issue adds search,
a hash chain and `crm audit verify` on top of this table.
"""
from __future__ import annotations

from dataclasses import dataclass

from .clock import utcnow


@dataclass(frozen=True)
class Actor:
    """The staff member (or operator at the command line) on whose behalf a service runs."""
    user_id: int | None
    role: str
    origin: str = "web"        # 'web' or 'cli'


CLI_OPERATOR = Actor(user_id=None, role="admin", origin="cli")


def record(cur, actor: Actor, action: str, record_type: str | None = None, record_id: int | None = None,
           result: str = "ok") -> None:
    cur.execute(
        "INSERT INTO audit_event (occurred_utc, user_id, action, record_type, record_id, result, origin) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [utcnow(), actor.user_id, action, record_type, record_id, result, actor.origin],
    )
