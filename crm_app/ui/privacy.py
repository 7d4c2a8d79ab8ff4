"""Streamlit glue for the privacy features: the subject-access download on the person page."""
from __future__ import annotations

import streamlit as st

from crm_app.privacy import subject_access
from crm_app.ui import actions, downloads, session
from crm_app.ui.text import lang, tr


def subject_access_buttons(store, person_id: int, screen: str = "person") -> None:
    """Prepare (audited, once per click) and download the subject-access JSON and HTML of one person."""
    state = st.session_state
    ready_key = f"{screen}_subject_access_ready"
    ready = state.get(ready_key)
    if ready and ready[0] != person_id:
        ready = None
        state.pop(ready_key, None)

    @actions.callback
    def _prepare() -> None:
        document = subject_access.collect(store, session.actor(), person_id)
        state[ready_key] = (person_id, subject_access.to_json(document), subject_access.to_html(document, lang()))

    st.subheader(tr("sar.heading"), anchor=False)
    st.caption(tr("sar.explain"))
    st.button(tr("sar.prepare"), key=f"{screen}_subject_access", on_click=_prepare)
    if ready:
        left, right = st.columns(2)
        as_json, as_html = ready[1].encode("utf-8"), ready[2].encode("utf-8")
        downloads.personal_download(tr("sar.download_json"), lambda: as_json, f"subject-access-{person_id}.json",
                                    "application/json", f"{screen}_subject_access_json", where=left)
        downloads.personal_download(tr("sar.download_html"), lambda: as_html, f"subject-access-{person_id}.html",
                                    "text/html", f"{screen}_subject_access_html", where=right)
