"""Staff accounts and their roles (administrators only)."""
import streamlit as st

from crm_app.access import users
from crm_app.core import i18n, reference
from crm_app.core.errors import ValidationError
from crm_app.ui import session, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import fmt_datetime, label, lang, tr

user = session.require("user.manage")
store = get_store()
state = st.session_state


def _add() -> None:
    if session.current_user() is None:   # the session ended before this click: the run shows the login
        return
    try:
        users.add(store, session.actor(), state.get("users_username", ""), state.get("users_display_name", ""),
                  state.get("users_role", ""), state.get("users_password", "") or None,
                  oidc_subject=state.get("users_oidc_subject"), email=state.get("users_email"))
    except ValidationError as exc:
        state["users_errors"] = i18n.field_errors(exc, lang())
        state["users_password"] = ""
        return
    state["users_flash"] = tr("users.added", username=state["users_username"].strip().lower())
    state["users_errors"] = {}
    for key in ("users_username", "users_display_name", "users_password", "users_oidc_subject", "users_email"):
        state[key] = ""


def _toggle(username: str, disabled: bool) -> None:
    if session.current_user() is None:
        return
    users.set_disabled(store, session.actor(), username, disabled)


st.title(tr("users.title"), anchor=False)
if "users_flash" in state:
    st.success(state.pop("users_flash"))

with st.expander(tr("users.add"), expanded=bool(state.get("users_errors"))):
    errors = state.get("users_errors", {})
    st.text_input(tr("field.username"), key="users_username", max_chars=40)
    widgets.field_error(errors, "username")
    st.text_input(tr("field.display_name"), key="users_display_name", max_chars=100)
    widgets.field_error(errors, "display_name")
    st.selectbox(tr("field.role"), reference.ROLES, key="users_role",
                 placeholder=tr("app.choose"), format_func=lambda r: label("role", r))
    st.text_input(tr("field.password"), key="users_password", type="password")
    widgets.field_error(errors, "password")
    st.caption(tr("users.identity_hint"))
    st.text_input(tr("users.oidc_subject"), key="users_oidc_subject", max_chars=255)
    widgets.field_error(errors, "oidc_subject")
    st.text_input(tr("users.email"), key="users_email", max_chars=254)
    widgets.field_error(errors, "email")
    st.button(tr("users.add"), key="users_submit", type="primary", on_click=_add)

for row in users.list_users(store):
    with st.container(border=True, key=f"users_row_{row['username']}"):
        left, right = st.columns([4, 1])
        with left:
            status = f" · {tr('users.disabled')}" if row["disabled"] else ""
            status += f" · {tr('users.linked')}" if row["oidc_linked"] else ""
            st.markdown(f"**{row['display_name']}** ({row['username']}) · {label('role', row['role'])}{status}")
            st.caption(tr("users.last_login", time=fmt_datetime(row["last_login_utc"])) if row["last_login_utc"]
                       else tr("users.never_logged_in"))
        with right:
            if row["id"] != user.id:
                st.button(tr("users.enable" if row["disabled"] else "users.disable"),
                          key=f"users_toggle_{row['username']}", on_click=_toggle,
                          args=(row["username"], not row["disabled"]))
