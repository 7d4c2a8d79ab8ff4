"""The navigation a role gets: st.Page and st.navigation built from the screen list (crm_app.access.screens)."""
from __future__ import annotations

import streamlit as st

from crm_app.access.screens import screens_for
from crm_app.ui.text import tr


def navigation_for(role: str, position: str = "sidebar"):
    """st.navigation with only the screens this role may open, grouped in sections (`hidden`: no menu at all)."""
    sections: dict[str, list] = {}
    for screen in screens_for(role):
        page = st.Page(screen.path, title=tr(screen.title_key), icon=screen.icon,
                       visibility="hidden" if screen.hidden else "visible")
        sections.setdefault(tr(screen.section), []).append(page)
    # expanded: an admin has more screens than the collapsed menu shows
    return st.navigation(sections, expanded=True, position=position)
