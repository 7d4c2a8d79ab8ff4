"""Time-driven upkeep that must happen whether or not anyone clicks: offers and waiting-list checks expire,
erasures are re-applied, retention and the rotation run, and the audit chain's head is exported outside the store.

Idempotent: running it twice for the same day changes nothing the second time. The app runs it
the first time a screen opens each day (crm_app.ui.resources.daily_upkeep); the `crm` commands run it before they read.

A compaction the store owes (an erasure made in the app leaves one, so that other users do not wait for the
rewrite) is done in the night window by `crm_app.core.night.TimedJobs`, a thread of the server process,
and else by the daily upkeep: erased bytes leave the file within a day at most while the server runs, and at
its next start.
"""
from __future__ import annotations

import datetime as dt
import logging

from crm_app.access import audit, audit_heads
from crm_app.access.audit import Actor
from crm_app.core.clock import today
from crm_app.networks import offers, rotation, waitlists
from crm_app.privacy import erasure, retention

SYSTEM = Actor(user_id=None, role="system", origin="job")
log = logging.getLogger(__name__)


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
    # erasures journaled beside the store (a restored or copied file); a damaged line cannot stop the day's
    # work: the lines that verify are applied, and the Privacy screen shows the damage with its line numbers
    problems = erasure.journal_problems(store.path)
    if problems:
        log.warning("erasure journal: %d line(s) cannot be verified, first line %d", len(problems), problems[0].line)
    reapplied = erasure.reapply(store, SYSTEM, accept_damaged=True)
    if reapplied:
        result["erasures_reapplied"] = reapplied
    removed = retention.run_daily(store, SYSTEM, as_of)   # only once an admin switched it on after a preview
    if removed is not None:
        result["retention"] = removed
    rotation.run_daily(store, as_of)   # terms end, renewals and alumni periods are proposed (idempotent per day)
    if store.pending_compaction() is not None:   # not done at night (the server was down, or it failed)
        result["compacted"] = store.compact_if_pending() is not None
    audit_heads.export(store)          # last: the head after today's upkeep, appended outside the store
    return result
