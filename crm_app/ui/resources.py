"""The process-wide store. One DuckDB connection per server process; pages take cursors per unit of work."""
from __future__ import annotations

import streamlit as st

from ..store import Store


@st.cache_resource(show_spinner=False)
def get_store() -> Store:
    return Store()
