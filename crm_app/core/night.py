"""The server process's timed jobs: a thread that runs each job every CHECK_SECONDS; a job decides if it is due.

The jobs: the compaction a store owes, at night (an erasure made in the app deletes rows at once and leaves the
file's rewrite owed, so that other users do not wait for it; this does it between 02:00 and 05:00 Amsterdam
time, and the daily upkeep else), and the daily backup (crm_app.privacy.backups.scheduled, given by the app).
It lives in core, beside the store, because the server starts it with the store, before anyone logs in:
the login page must not wait for the domain's imports.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import weakref
from collections.abc import Callable, Sequence

from crm_app.core.clock import to_local, utcnow

NIGHT_HOURS = range(2, 5)       # local time (Europe/Amsterdam): a compaction owed is done then
CHECK_SECONDS = 600
log = logging.getLogger(__name__)


def compact_at_night(store, now_utc: dt.datetime | None = None) -> float | None:
    """Compact if a compaction is owed and it is night (local time); the seconds it took, or None."""
    if to_local(now_utc or utcnow()).hour not in NIGHT_HOURS:
        return None
    return store.compact_if_pending()


class TimedJobs(threading.Thread):
    """Runs every job with the store every `interval` seconds. Holds the store weakly, so a closed or dropped
    store (a test, a restart) ends the thread instead of keeping the file open; so does a job that fails."""

    def __init__(self, store, jobs: Sequence[Callable], interval: float = CHECK_SECONDS):
        super().__init__(name="timed-jobs", daemon=True)
        self._store = weakref.ref(store)
        self._jobs = tuple(jobs)
        self._interval = interval
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self._interval):
            store = self._store()
            if store is None:
                return
            try:
                for job in self._jobs:
                    job(store)
            except Exception as exc:      # a closed store ends the thread; nothing personal in the log
                log.info("timed jobs stopped (%s)", type(exc).__name__)
                return
            finally:
                del store
