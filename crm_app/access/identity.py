"""Who is logged in: the account as sessions, the identity provider and the screens see it.

Its own module so that users (which ends sessions when an account is disabled) and sessions
(which hands out the user of a session) both build on it without importing each other.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from crm_app.access.audit import Actor


@dataclass(frozen=True)
class KioskPlace:
    """Where a kiosk stands: the market and day every self-registration is recorded with."""
    market: str
    day: dt.date
    staff_session: bool   # a staff member's session in kiosk mode (ended with its PIN), not the kiosk account


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str                          # in kiosk mode "kiosk", whatever the account's own role
    kiosk: KioskPlace | None = None    # set for the kiosk account and for a staff session in kiosk mode

    def actor(self, origin: str = "web") -> Actor:
        return Actor(self.id, self.role, origin)
