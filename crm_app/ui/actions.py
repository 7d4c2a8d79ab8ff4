"""Page buttons: the button's callback runs a service, the page's next run says how it went.

Streamlit runs `on_click` before it draws the page again, so the callback keeps its outcome in session
state — `<screen>_flash` (the success text) or `<screen>_refusal` (the CrmError) — and the page shows it
once: `outcome` right below the buttons (where a user on a phone is looking), or `show_outcome` near the
top of the page.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from crm_app.core import i18n
from crm_app.core.errors import CrmError, ValidationError
from crm_app.ui import feedback, session, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import lang


class Buttons:
    """The outcome of one screen's buttons."""

    def __init__(self, screen: str):
        self.screen = screen
        self.flash_key = f"{screen}_flash"
        self.refusal_key = f"{screen}_refusal"

    def run(self, service: Callable, *args, flash: str | Callable[[Any], str]) -> None:
        """An on_click callback: `service(store, actor, *args)`, then `flash` (or `flash(result)`) or the refusal."""
        try:
            result = service(get_store(), session.actor(), *args)
        except CrmError as exc:
            st.session_state[self.refusal_key] = exc
            return
        st.session_state[self.flash_key] = flash(result) if callable(flash) else flash

    def show_outcome(self, labels: dict[str, str] | None = None) -> CrmError | None:
        """The last success text or refusal (`labels` name this screen's fields); returns the refusal shown."""
        if self.flash_key in st.session_state:
            st.success(st.session_state.pop(self.flash_key))
        refusal = st.session_state.pop(self.refusal_key, None)
        if refusal is not None:
            widgets.show_refusal(refusal, labels)
        return refusal

    def outcome(self, box: str, *after: str, labels: dict[str, str] | None = None,
                widget_keys: dict[str, str] | None = None) -> None:
        """The last success text or refusal, drawn here in the box `<box>_feedback`: right below the buttons
        `after`, or where they stood when the row they acted on is gone. Right after a click the box scrolls
        into view, or the focus moves to the first wrong field (`<screen>_<field>` unless `widget_keys` says)."""
        flash = st.session_state.pop(self.flash_key, None)
        refusal = st.session_state.pop(self.refusal_key, None)
        wrong = i18n.field_errors(refusal, lang()) if isinstance(refusal, ValidationError) else {}
        shown = feedback.outcome(self.screen, after=(box, *after), success=flash, errors=wrong, widget_keys=widget_keys)
        if refusal is not None:
            with shown:
                widgets.show_refusal(refusal, labels)
