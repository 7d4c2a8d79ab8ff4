"""The process-wide store. One DuckDB connection per server process; pages take cursors per unit of work."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from crm_app.core.night import TimedJobs, compact_at_night
from crm_app.core.store import Store

ICON = Path(__file__).with_name("icon.png")   # the browser tab's icon, served by the app itself


@st.cache_resource(show_spinner=False)
def get_store() -> Store:
    """Opening compacts a compaction still owed; then a thread does any that erasures leave, at night, and
    makes the daily backup. A store that fails to open (locked, damaged) is not cached: the next run tries again."""
    store = Store()
    TimedJobs(store, (compact_at_night, _daily_backup)).start()
    return store


def _daily_backup(store: Store) -> None:
    from crm_app.privacy import backups  # the domain: not needed before someone logs in
    backups.scheduled(store)


@st.cache_resource(show_spinner=False, max_entries=2)
def daily_upkeep(day: dt.date) -> dict:
    """Expire overdue offers and unconfirmed waiting-list entries once per day per server process,
    whichever screen is opened first; idempotent, so a second process or the `crm` command may run it too."""
    from crm_app import maintenance  # the whole domain below it: not needed before someone logs in
    return maintenance.run_due(get_store(), day)
