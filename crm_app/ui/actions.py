"""Page buttons: the button's callback runs a service, the page's next run says how it went.

Streamlit runs `on_click` before it draws the page again, so the callback keeps its outcome in session
state — `<screen>_flash` (the success text) or `<screen>_refusal` (the CrmError) — and the page shows it
once: `outcome` right below the buttons (where a user on a phone is looking), or `show_outcome` near the
top of the page.

Every callback of a page is a `@callback`: an exception in a callback ends the whole run on Streamlit's
generic English error screen, and the screen can be out of date by the time its button is pressed (the
account was disabled, the session ended, the person was erased). The guard does nothing when nobody is
logged in any more (app.py then shows the login) and keeps a refusal the callback did not handle itself
for `show_stray_refusal`, which app.py draws above the page and as a toast.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import streamlit as st

from crm_app.core import i18n
from crm_app.core.errors import CrmError, ValidationError
from crm_app.ui import feedback, session, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import lang

_STRAY = "callback_refusal"


def callback(fn: Callable) -> Callable:
    """Guard a widget callback: skipped once its user is gone; a refusal it leaves unhandled is shown, not raised."""
    @functools.wraps(fn)
    def guarded(*args, **kwargs):
        if session.current_user() is None:
            return None
        try:
            return fn(*args, **kwargs)
        except CrmError as exc:
            st.session_state[_STRAY] = exc
            return None
    return guarded


def show_stray_refusal() -> None:
    """The refusal a callback left unhandled, once: at the top of the page and as a toast (seen on a phone too)."""
    refusal = st.session_state.pop(_STRAY, None)
    if refusal is not None:
        widgets.show_refusal(refusal)
        st.toast(i18n.error_text(refusal, lang()), icon=":material/error:")


class Buttons:
    """The outcome of one screen's buttons."""

    def __init__(self, screen: str):
        self.screen = screen
        self.flash_key = f"{screen}_flash"
        self.refusal_key = f"{screen}_refusal"

    def run(self, service: Callable, *args, flash: str | Callable[[Any], str]) -> None:
        """An on_click callback: `service(store, actor, *args)`, then `flash` (or `flash(result)`) or the refusal."""
        if session.current_user() is None:   # logged out or disabled meanwhile: app.py shows the login
            return
        try:
            result = service(get_store(), session.actor(), *args)
        except CrmError as exc:
            st.session_state[self.refusal_key] = exc
            return
        st.session_state[self.flash_key] = flash(result) if callable(flash) else flash

    def show_outcome(self, labels: dict[str, str] | None = None) -> CrmError | None:
        """The last success text or refusal (`labels` name this screen's fields); returns the refusal shown.

        Drawn where the page calls it, and once more as a toast: on a phone the pressed button may be far
        below this spot, and the toast is seen however far the page is scrolled."""
        if self.flash_key in st.session_state:
            flash = st.session_state.pop(self.flash_key)
            st.success(flash)
            st.toast(flash, icon=":material/check_circle:")
        refusal = st.session_state.pop(self.refusal_key, None)
        if refusal is not None:
            widgets.show_refusal(refusal, labels)
            st.toast(i18n.error_text(refusal, lang()), icon=":material/error:")
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
