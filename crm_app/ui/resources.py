"""The process-wide store. One DuckDB connection per server process; pages take cursors per unit of work."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from crm_app.core.store import Store


@st.cache_resource(show_spinner=False)
def get_store() -> Store:
    return Store()


@st.cache_resource(show_spinner=False, max_entries=2)
def daily_upkeep(day: dt.date) -> dict:
    """Expire overdue offers and unconfirmed waiting-list entries once per day per server process,
    whichever screen is opened first; idempotent, so a second process or the `crm` command may run it too."""
    from crm_app import maintenance  # the whole domain below it: not needed before someone logs in
    return maintenance.run_due(get_store(), day)
