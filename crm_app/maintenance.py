"""Time-driven upkeep that must happen whether or not anyone clicks: offers and waiting-list checks expire,
erasures are re-applied, retention and the rotation run, and the audit chain's head is exported outside the store.

Idempotent: running it twice for the same day changes nothing the second time. The app runs it
the first time a screen opens each day (crm_app.ui.resources.daily_upkeep); the `crm` commands run it before they read.
"""
from __future__ import annotations

import datetime as dt

from crm_app.access import audit, audit_heads
from crm_app.access.audit import Actor
from crm_app.core.clock import today
from crm_app.networks import offers, rotation, waitlists
from crm_app.privacy import erasure, retention

SYSTEM = Actor(user_id=None, role="system", origin="job")


def run_due(store, as_of: dt.date | None = None) -> dict:
    as_of = as_of or today()

    def work(cur):
        touched = offers.expire_overdue(cur, as_of)
        expired_entries = waitlists.expire_unconfirmed(cur, as_of)
        if touched or expired_entries:
            audit.record(cur, SYSTEM, "maintenance.expire", None, None,
                         f"offers_in_networks={len(touched)} entries={expired_entries}")
        return {"networks_with_expired_offers": touched, "expired_entries": expired_entries}

    result = store.write(work)
    reapplied = erasure.reapply(store, SYSTEM)   # erasures journaled beside the store (a restored or copied file)
    if reapplied:
        result["erasures_reapplied"] = reapplied
    removed = retention.run_daily(store, SYSTEM, as_of)   # only once an admin switched it on after a preview
    if removed is not None:
        result["retention"] = removed
    rotation.run_daily(store, as_of)   # terms end, renewals and alumni periods are proposed (idempotent per day)
    audit_heads.export(store)          # last: the head after today's upkeep, appended outside the store

    return result
