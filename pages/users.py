"""Staff accounts (administrators): add one; pick one in the table to change its role, reset its
password, or disable or enable it. Disabling asks to confirm; a generated password is shown once."""
import streamlit as st

from crm_app.access import users
from crm_app.core import i18n, reference
from crm_app.core.errors import ValidationError
from crm_app.ui import actions, feedback, session, widgets
from crm_app.ui.actions import Buttons
from crm_app.ui.resources import get_store
from crm_app.ui.text import escape, fmt_datetime, label, lang, tr, tr_md

user = session.require("user.manage")
store = get_store()
state = st.session_state
buttons = Buttons("users")


@actions.callback
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
    state["users_add_flash"] = tr("users.added", username=state["users_username"].strip().lower())
    state["users_errors"] = {}
    state.pop("users_table", None)   # the rows moved: pick again
    for key in ("users_username", "users_display_name", "users_password", "users_oidc_subject", "users_email"):
        state[key] = ""


@actions.callback
def _set_password(username: str, generate: bool) -> None:
    """Typed by the administrator (never shown back) or generated and shown once."""
    password = users.generated_password(username) if generate else state.get("users_new_password", "")
    state["users_new_password"] = ""
    buttons.run(users.set_password, username, password, flash=tr("users.password_set", username=username))
    if generate and "users_flash" in state:
        state["users_generated"] = password


@actions.callback
def _change_role(username: str) -> None:
    role = state.get("users_new_role")
    buttons.run(users.set_role, username, role, flash=tr("users.role_changed", username=username, role=label("role", role)))


@actions.callback
def _toggle(username: str, disabled: bool) -> None:
    state.pop("users_confirm_disable", None)
    buttons.run(users.set_disabled, username, disabled,
                flash=tr("users.was_disabled" if disabled else "users.was_enabled", username=username))


st.title(tr("users.title"), anchor=False)
buttons.show_outcome({"password": tr("field.password"), "role": tr("field.role")})
generated = state.pop("users_generated", None)
if generated:
    st.info(tr("users.generated_once"))
    st.code(generated, language=None)

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
feedback.outcome("users", after=("users_submit",), success=state.pop("users_add_flash", None), errors=errors)

rows = users.list_users(store)
st.caption(tr("users.pick"))
picked = st.dataframe(
    [{
        tr("field.username"): row["username"],
        tr("field.display_name"): row["display_name"],
        tr("field.role"): label("role", row["role"]),
        tr("users.col.status"): tr("users.disabled") if row["disabled"] else tr("users.active"),
        tr("users.col.login"): " · ".join(([tr("users.password_login")] if row["local_login"] else [])
                                          + ([tr("users.linked")] if row["oidc_linked"] else [])),
        tr("users.col.last_login"): (fmt_datetime(row["last_login_utc"]) if row["last_login_utc"]
                                     else tr("users.never_logged_in")),
    } for row in rows],
    hide_index=True, width="stretch", key="users_table", on_select="rerun", selection_mode="single-row",
)
chosen = [rows[i] for i in picked.selection.rows if i < len(rows)]
if not chosen:
    st.stop()
account = chosen[0]
name = account["username"]
if state.get("users_selected") != name:   # another account picked: its own role in the picker
    state["users_selected"] = name
    state["users_new_role"] = account["role"]
    state.pop("users_confirm_disable", None)

with st.container(border=True, key="users_account"):
    st.subheader(tr("users.account", name=escape(account["display_name"]), username=escape(name)),
                 anchor=False)
    if account["id"] == user.id:
        st.caption(tr("users.own_account"))
    else:
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        left.selectbox(tr("users.new_role"), reference.ROLES, key="users_new_role", format_func=lambda r: label("role", r),
                       placeholder=tr("app.choose"))
        right.button(tr("users.change_role"), key="users_change_role", on_click=_change_role, args=(name,))

    left, middle, right = st.columns([3, 1, 1], vertical_alignment="bottom")
    left.text_input(tr("users.new_password"), key="users_new_password", type="password",
                    help=tr("users.new_password_help", min=users.PASSWORD_MIN))
    middle.button(tr("users.set_password"), key="users_set_password", on_click=_set_password, args=(name, False))
    right.button(tr("users.generate_password"), key="users_generate_password", on_click=_set_password,
                 args=(name, True))

    if account["id"] != user.id:
        if account["disabled"]:
            st.button(tr("users.enable"), key="users_toggle", on_click=_toggle, args=(name, False))
        elif not state.get("users_confirm_disable"):
            st.button(tr("users.disable"), key="users_toggle",
                      on_click=lambda: state.update(users_confirm_disable=True))
        else:
            st.warning(tr_md("users.confirm_disable", username=name))
            yes, no = st.columns(2)
            yes.button(tr("users.disable"), key="users_disable_confirm", type="primary", on_click=_toggle,
                       args=(name, True))
            no.button(tr("users.cancel"), key="users_disable_cancel",
                      on_click=lambda: state.pop("users_confirm_disable", None))
