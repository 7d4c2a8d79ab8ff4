"""Below a dashboard table with hidden cells: why they are hidden, and where the target status is shown whole."""
from __future__ import annotations

import streamlit as st

from crm_app.access.screens import SCREENS
from crm_app.core import permissions
from crm_app.ui import widgets
from crm_app.ui.text import tr

_PLACES = next(screen for screen in SCREENS if screen.key == "places")


def explain(k: int, role: str) -> None:
    """The reason (k is the setting min_cell_size) and, for a role that may open it, a link to Open places,
    where a network's target progress is shown without suppression."""
    st.info(tr("dash.hidden_why", k=k, k_minus=k - 1))
    if permissions.allowed(role, _PLACES.action):
        widgets.page_link(_PLACES.path, tr("dash.hidden_targets_link"), icon=_PLACES.icon)
