"""Login sessions (administrators): who is logged in, since when, last seen and from where (never a
token); end one session or all of an account's, after a confirmation; change the session limits."""
import streamlit as st

from crm_app.access import sessions
from crm_app.ui import actions, session
from crm_app.ui.actions import Buttons
from crm_app.ui.resources import get_store
from crm_app.ui.text import fmt_datetime, label, tr, tr_md, trn

session.require("session.manage")
store = get_store()
state = st.session_state
buttons = Buttons("sessions")
LIMIT_FIELDS = {"session_idle_seconds": "sessions_idle_seconds", "session_max_seconds": "sessions_max_seconds",
                "oidc_fresh_login_seconds": "sessions_oidc_fresh_seconds"}


@actions.callback
def _end(kind: str, target) -> None:
    """Carry out the confirmed question: end one session (`target` its id) or all of an account's (`target` the username)."""
    state.pop("sessions_confirm", None)
    state.pop("sessions_table", None)   # the rows change: pick again
    if kind == "one":
        buttons.run(sessions.end_one, target, flash=tr("sessions.ended_one"))
    else:
        buttons.run(sessions.end_all_for_user, target,
                    flash=lambda count: trn("sessions.ended_all", count, username=target))


@actions.callback
def _save_limits() -> None:
    current = sessions.limits(store)
    changes = {name: state.get(key) for name, key in LIMIT_FIELDS.items() if state.get(key) != current[name]}
    buttons.run(sessions.change_limits, changes, flash=tr("sessions.limits_saved"))


st.title(tr("sessions.title"), anchor=False)
buttons.show_outcome({name: tr(f"sessions.limit.{name}") for name in LIMIT_FIELDS})

rows = sessions.live_sessions(store, session.actor())
if not rows:
    st.info(tr("sessions.none"))
else:
    st.caption(trn("sessions.count", len(rows)))
    picked = st.dataframe(
        [{
            tr("sessions.col.account"): f"{row['display_name']} ({row['username']})",
            tr("sessions.col.method"): label("session_method", row["method"]),
            tr("sessions.col.started"): fmt_datetime(row["created_utc"]),
            tr("sessions.col.last_seen"): fmt_datetime(row["last_seen_utc"]),
            tr("sessions.col.address"): row["address"] or tr("sessions.address_unknown"),
        } for row in rows],
        hide_index=True, width="stretch", key="sessions_table", on_select="rerun", selection_mode="single-row",
    )
    chosen = [rows[i] for i in picked.selection.rows if i < len(rows)]
    if chosen:
        row = chosen[0]
        if state.get("sessions_selected") != row["id"]:   # another session picked: no question left open
            state["sessions_selected"] = row["id"]
            state.pop("sessions_confirm", None)
        asked = state.get("sessions_confirm")
        with st.container(border=True, key="sessions_selected"):
            if asked:
                kind, target = asked
                st.warning(tr_md("sessions.confirm_one", username=row["username"]) if kind == "one"
                           else tr_md("sessions.confirm_all", username=target))
                yes, no = st.columns(2)
                yes.button(tr("sessions.confirm_yes"), key="sessions_confirm_yes", type="primary", on_click=_end,
                           args=asked)
                no.button(tr("sessions.cancel"), key="sessions_confirm_no",
                          on_click=lambda: state.pop("sessions_confirm", None))
            else:
                one, every = st.columns(2)
                one.button(tr("sessions.end_one"), key="sessions_end", on_click=state.update,
                           args=({"sessions_confirm": ("one", row["id"])},))
                every.button(tr_md("sessions.end_all", username=row["username"]), key="sessions_end_all",
                             on_click=state.update, args=({"sessions_confirm": ("all", row["username"])},))

st.subheader(tr("sessions.limits"), anchor=False)
current = sessions.limits(store)
for name, key in LIMIT_FIELDS.items():
    if key not in state:
        state[key] = current[name]
    st.number_input(tr(f"sessions.limit.{name}"), key=key, min_value=1, step=60, format="%d",
                    help=tr(f"sessions.limit_help.{name}"))
st.button(tr("sessions.save_limits"), key="sessions_save_limits", type="primary", on_click=_save_limits)
