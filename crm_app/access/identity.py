"""Who is logged in: the account as sessions, the identity provider and the screens see it.

Its own module so that users (which ends sessions when an account is disabled) and sessions
(which hands out the user of a session) both build on it without importing each other.
"""
from __future__ import annotations

from dataclasses import dataclass

from crm_app.access.audit import Actor


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str

    def actor(self, origin: str = "web") -> Actor:
        return Actor(self.id, self.role, origin)
