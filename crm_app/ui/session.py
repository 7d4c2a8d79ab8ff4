"""Who is logged in to this browser session, the login form, and the permission gate every page calls.

The login lives in session state for now; the privacy issue adds OIDC (`st.login`), idle and
maximum session age, and a session that survives a refresh. Pages only call `require`.
"""
from __future__ import annotations

import contextlib
import threading

import streamlit as st
from streamlit.errors import StreamlitAPIException

from .. import permissions, users
from ..audit import Actor
from ..users import User
from .resources import get_store
from .text import tr

USER_KEY = "auth_user"
ENTRY_SCRIPT = "app.py"
_entry = threading.local()   # a script run executes in one thread: app.py, then the page it runs


@contextlib.contextmanager
def through_entry_script():
    """app.py runs its page inside this, so a page can tell it was reached through the gate."""
    _entry.active = True
    try:
        yield
    finally:
        _entry.active = False


def current_user() -> User | None:
    """The logged-in user, re-read on every run: a disabled account or a changed role counts at once."""
    user = st.session_state.get(USER_KEY)
    if not isinstance(user, User):
        return None
    current = users.active_user(get_store(), user.id)
    if current is None:
        logout()
    elif current != user:
        st.session_state[USER_KEY] = current
    return current


def actor() -> Actor:
    user = current_user()
    return user.actor("web") if user else Actor(None, "none", "web")


def require(action: str) -> User:
    """Stop the page unless someone is logged in whose role may do `action`."""
    user = current_user()
    if user is None or not permissions.allowed(user.role, action):
        if not getattr(_entry, "active", False):
            _to_entry_script()
        st.error(tr("app.no_access"))
        st.stop()
    return user


def _to_entry_script() -> None:
    """Send a page that runs on its own to app.py (its login form and navigation).

    Until some session has run app.py's st.navigation, a freshly started server serves each file
    in pages/ on its own, with Streamlit's automatic sidebar listing every page file: a bookmarked
    /register then showed a dead end ("no access", no login form). Running app.py once ends that
    mode for the whole process.
    """
    try:
        st.switch_page(ENTRY_SCRIPT)
    except StreamlitAPIException:   # no app.py beside this script (a page file run alone): refuse below
        pass


def client_address() -> str | None:
    """The browser's address for the per-address login throttle (None on localhost or when unknown).

    Behind a reverse proxy this is the proxy's address, shared by every user: hence a higher
    per-address limit than per-username (settings.login_max_failures_address).
    """
    try:
        return st.context.ip_address
    except Exception:  # noqa: BLE001 - no client context (e.g. a bare script run)
        return None


def _on_login() -> None:
    username = st.session_state.get("login_username", "")
    password = st.session_state.get("login_password", "")
    user = users.authenticate(get_store(), username, password, address=client_address())
    st.session_state["login_password"] = ""
    if user is None:
        st.session_state["login_failed"] = True
        return
    st.session_state.pop("login_failed", None)
    st.session_state[USER_KEY] = user


def login_page() -> None:
    st.title(tr("login.title"))
    st.text_input(tr("login.username"), key="login_username", autocomplete="username")
    st.text_input(tr("login.password"), key="login_password", type="password", autocomplete="current-password")
    st.button(tr("login.submit"), key="login_submit", type="primary", on_click=_on_login, width="stretch")
    if st.session_state.get("login_failed"):
        st.error(tr("login.failed"))


def logout() -> None:
    for key in list(st.session_state.keys()):
        if key != "app_lang":
            del st.session_state[key]
