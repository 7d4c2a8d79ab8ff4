"""Who is logged in to this browser session, the login form, and the permission gate every page calls.

The login lives in session state for now; the privacy issue adds OIDC (`st.login`), idle and
maximum session age, and a session that survives a refresh. Pages only call `require`.
"""
from __future__ import annotations

import streamlit as st

from .. import permissions, users
from ..audit import Actor
from ..users import User
from .resources import get_store
from .text import tr

USER_KEY = "auth_user"


def current_user() -> User | None:
    user = st.session_state.get(USER_KEY)
    return user if isinstance(user, User) else None


def actor() -> Actor:
    user = current_user()
    return user.actor("web") if user else Actor(None, "none", "web")


def require(action: str) -> User:
    """Stop the page unless someone is logged in whose role may do `action`."""
    user = current_user()
    if user is None or not permissions.allowed(user.role, action):
        st.error(tr("app.no_access"))
        st.stop()
    return user


def _on_login() -> None:
    username = st.session_state.get("login_username", "")
    password = st.session_state.get("login_password", "")
    user = users.authenticate(get_store(), username, password)
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
