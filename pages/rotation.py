"""Rotation: terms ending within 60 days (renewals to confirm, exit conversations), the seat timeline
and the forecast of places opening per month."""
import pandas as pd
import streamlit as st

from crm_app.core import permissions
from crm_app.core.clock import today
from crm_app.core.fields import display_name
from crm_app.networks import registry, rotation
from crm_app.privacy import exports
from crm_app.ui import actions, downloads, rotation_charts, session, tables, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import date_format, escape, fmt_date, tr, tr_md, trn

user = session.require("rotation.view")
store = get_store()
state = st.session_state
buttons = actions.Buttons("rotation")               # the decisions on a member whose term ends
moves = actions.Buttons("rotation_moves")           # the moves of ended terms to the alumni network
can_create = permissions.allowed(user.role, "network.manage")

st.set_page_config(layout="wide")   # the timeline and its table side by side
st.title(tr("rotation.title"), anchor=False)


NOTE = "rotation_note"
ALUMNI = "rotation_alumni"


@actions.callback
def _renewal(membership_id: int, confirm: bool) -> None:
    buttons.run(rotation.decide_renewal, membership_id, confirm, state.get(NOTE),
                flash=tr("rotation.flash.confirmed" if confirm else "rotation.flash.declined"))


@actions.callback
def _exit(membership_id: int) -> None:
    buttons.run(rotation.record_exit, membership_id, state.get(ALUMNI), state.get(NOTE),
                flash=tr("rotation.flash.alumni_saved"))


@actions.callback
def _create_alumni(network_id: int, outcome: actions.Buttons) -> None:
    outcome.run(rotation.create_alumni_network, network_id, flash=tr("rotation.flash.alumni_created"))


@actions.callback
def _move(membership_id: int) -> None:
    moves.run(rotation.move_to_alumni, membership_id, flash=tr("rotation.flash.moved"))


def _days(row: dict) -> str:
    return (trn("rotation.days_left", row["days_left"]) if row["days_left"] > 0
            else trn("rotation.days_over", -row["days_left"]))


# -- ending within 60 days: one table, the decisions for the picked member below it -----------------------
soon = rotation.ending_soon(store, session.actor())
days, last = rotation.ending_soon_window(store, session.actor())
st.subheader(tr("rotation.ending", days=days), anchor=False)
if last:
    st.caption(tr("rotation.last_run", date=fmt_date(last)))
answers = {None: "unknown", "yes": "yes", "no": "no"}
if not soon:
    st.info(tr("rotation.none_ending"))
else:
    search = st.text_input(tr("list.search"), key="rotation_search", max_chars=100,
                           placeholder=tr("list.search_name"))
    shown = tables.search(soon, search, lambda r: display_name(r["given_name"], r["family_name"]))
    frame = pd.DataFrame({
        tr("list.col.name"): [display_name(r["given_name"], r["family_name"]) for r in shown],
        tr("rotation.col.network"): [r["network"] for r in shown],
        tr("rotation.col.status"): [tr("rotation.status." + r["status"]) for r in shown],
        tr("rotation.col.end"): [r["planned_end_date"] for r in shown],
        tr("rotation.col.when"): [_days(r) for r in shown],
        tr("rotation.col.term"): [f"{r['term_number']}/{r['max_terms']}" for r in shown],
        tr("rotation.col.alumni"): [tr("rotation.alumni_choice." + answers[r["alumni_choice"]]) for r in shown],
    })
    by_id = {r["membership_id"]: r for r in shown}
    mid = tables.picked("rotation_table", frame, [r["membership_id"] for r in shown], clear=(NOTE, ALUMNI),
                        select=shown[0]["membership_id"] if len(shown) == 1 else None,   # a search found one
                        column_config={tr("rotation.col.end"): st.column_config.DateColumn(
                            tr("rotation.col.end"), format=date_format())})
    row = by_id.get(mid)
    if row is None:
        st.caption(tr("list.pick"))
    else:
        with st.container(border=True, key="rotation_selected"):
            st.subheader(escape(display_name(row["given_name"], row["family_name"])), anchor=False)
            widgets.page_link("pages/person.py", tr("list.open_person"), icon=":material/person:",
                              query_params={"id": str(row["person_id"])})
            st.caption(tr_md("rotation.term", network=row["network"], number=row["term_number"], max=row["max_terms"],
                             end=fmt_date(row["planned_end_date"])) + " · " + _days(row))
            st.markdown(f"**{tr('rotation.status.' + row['status'])}** · "
                        + tr("rotation.alumni_answer", answer=tr("rotation.alumni_choice." + answers[row["alumni_choice"]])))
            st.text_input(tr("rotation.note"), key=NOTE, max_chars=500)
            renewal_open, asks_exit = rotation.open_decisions(row)
            if renewal_open:
                left, right = st.columns(2)
                left.button(tr("rotation.confirm"), key="rotation_confirm", type="primary", on_click=_renewal,
                            args=(mid, True), width="stretch")
                right.button(tr("rotation.decline"), key="rotation_decline", on_click=_renewal,
                             args=(mid, False), width="stretch")
            if asks_exit:
                if ALUMNI not in state and row["alumni_choice"] in rotation.ALUMNI_CHOICES:
                    state[ALUMNI] = row["alumni_choice"]   # the stored answer
                choice_col, save_col = st.columns([3, 2], vertical_alignment="bottom")
                choice_col.radio(tr("rotation.alumni_question"), rotation.ALUMNI_CHOICES, key=ALUMNI,
                                 horizontal=True, index=None, format_func=lambda v: tr(f"rotation.alumni_choice.{v}"))
                save_col.button(tr("rotation.alumni_save"), key="rotation_alumni_save", on_click=_exit,
                                args=(mid,), width="stretch")
                if not row["has_alumni_network"]:
                    st.warning(tr_md("rotation.no_alumni_network", network=row["network"]))
                    if can_create:
                        st.button(tr("rotation.create_alumni"), key="rotation_create_alumni",
                                  on_click=_create_alumni, args=(row["network_id"], buttons))
    buttons.outcome("rotation_actions", "rotation_confirm", "rotation_decline", "rotation_alumni_save",
                    "rotation_create_alumni",
                    labels={"rotation_note": tr("field.rotation_note"), "alumni_choice": tr("field.alumni_choice")},
                    widget_keys={"rotation_note": NOTE, "alumni_choice": ALUMNI})

# -- ended terms still to move to the alumni network --------------------------------------------------------
pending = rotation.pending_alumni_moves(store, session.actor())
if pending:
    st.subheader(tr("rotation.pending_moves"), anchor=False)
    frame = pd.DataFrame({
        tr("list.col.name"): [display_name(r["given_name"], r["family_name"]) for r in pending],
        tr("rotation.col.network"): [r["network"] for r in pending],
        tr("rotation.col.ended"): [r["ended"] for r in pending]})
    by_id = {r["membership_id"]: r for r in pending}
    moved = tables.picked("rotation_pending_table", frame, [r["membership_id"] for r in pending], column_config={
        tr("rotation.col.ended"): st.column_config.DateColumn(tr("rotation.col.ended"), format=date_format())})
    row = by_id.get(moved)
    if row is not None:
        with st.container(border=True, key="rotation_pending_selected"):
            st.markdown(f"{escape(display_name(row['given_name'], row['family_name']))} · {escape(row['network'])} · "
                        f"{fmt_date(row['ended'])}")
            if row["alumni_network_id"] is None and can_create:
                st.button(tr("rotation.create_alumni"), key="rotation_pending_create_alumni",
                          on_click=_create_alumni, args=(row["network_id"], moves))
            elif row["alumni_network_id"] is not None:
                st.button(tr("rotation.move"), key="rotation_move", on_click=_move, args=(moved,))
    moves.outcome("rotation_pending_actions", "rotation_move", "rotation_pending_create_alumni")

# -- the seat timeline and the forecast ----------------------------------------------------------------
all_networks = [n for n in registry.list_networks(store, session.actor()) if n.kind != "alumni_network"]
network_id = widgets.network_select("rotation", all_networks)
if network_id is None:
    st.stop()

st.subheader(tr("rotation.timeline"), anchor=False)
st.caption(tr("rotation.timeline_help"))
timeline, table, chart_height = rotation_charts.seat_timeline(rotation.timeline(store, session.actor(), network_id),
                                                            today())
chart_col, table_col = st.columns([3, 2])
with chart_col:
    st.altair_chart(timeline, width="stretch", height=chart_height, key="rotation_timeline_chart")
with table_col:
    st.dataframe(table, hide_index=True, width="stretch", key="rotation_timeline_table")
    downloads.personal_download(tr("rotation.download_timeline"), lambda: exports.csv_bytes(table),
                                "seat_timeline.csv", "text/csv", "rotation_timeline_download",
                                audit_action="export.seat_timeline")

st.subheader(tr("rotation.forecast"), anchor=False)
forecast_chart, forecast_table = rotation_charts.opening_forecast(
    rotation.forecast(store, session.actor(), network_id=network_id))
chart_col, table_col = st.columns([3, 2])
with chart_col:
    st.altair_chart(forecast_chart, width="stretch", key="rotation_forecast_chart")
with table_col:
    st.dataframe(forecast_table, hide_index=True, width="stretch", key="rotation_forecast_table")
    st.download_button(tr("rotation.download_forecast"), exports.csv_bytes(forecast_table),
                       "forecast.csv", "text/csv", key="rotation_forecast_download")
