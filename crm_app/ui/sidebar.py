"""The collapsed sidebar is slid off screen but stays in the tab order (Streamlit 1.67 has no option for it):
hiding it takes its links out of keyboard focus, so Tab on a phone starts at the page itself."""
from __future__ import annotations

import streamlit as st

_STYLE = '<style>[data-testid="stSidebar"][data-collapsed="true"] { visibility: hidden; }</style>'


def hide_when_collapsed() -> None:
    st.html(_STYLE)
