"""Rotation: terms ending within 60 days (renewals to confirm, exit conversations), the seat timeline
and the forecast of places opening per month."""
import streamlit as st

from crm_app.core import permissions
from crm_app.core.clock import today
from crm_app.core.fields import display_name
from crm_app.networks import registry, rotation
from crm_app.privacy import exports
from crm_app.ui import actions, downloads, rotation_charts, session, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import escape, fmt_date, tr, tr_md, trn

user = session.require("rotation.view")
store = get_store()
state = st.session_state
buttons = actions.Buttons("rotation")
can_create = permissions.allowed(user.role, "network.manage")

st.set_page_config(layout="wide")   # the timeline and its table side by side
st.title(tr("rotation.title"), anchor=False)


@actions.callback
def _renewal(membership_id: int, confirm: bool) -> None:
    buttons.run(rotation.decide_renewal, membership_id, confirm, state.get(f"rotation_note_{membership_id}"),
                flash=tr("rotation.flash.confirmed" if confirm else "rotation.flash.declined"))


@actions.callback
def _exit(membership_id: int) -> None:
    buttons.run(rotation.record_exit, membership_id, state.get(f"rotation_alumni_{membership_id}"),
                state.get(f"rotation_note_{membership_id}"), flash=tr("rotation.flash.alumni_saved"))


@actions.callback
def _create_alumni(network_id: int) -> None:
    buttons.run(rotation.create_alumni_network, network_id, flash=tr("rotation.flash.alumni_created"))


@actions.callback
def _move(membership_id: int) -> None:
    buttons.run(rotation.move_to_alumni, membership_id, flash=tr("rotation.flash.moved"))


refusal = buttons.show_outcome({"rotation_note": tr("field.rotation_note"), "alumni_choice": tr("field.alumni_choice")})
if refusal is not None and refusal.code == "no_alumni_network" and can_create:
    st.button(tr("rotation.create_alumni"), key="rotation_create_alumni_refusal", on_click=_create_alumni,
              args=(refusal.params["network_id"],))

# -- ending within 60 days ---------------------------------------------------------------------------
soon = rotation.ending_soon(store, session.actor())
days, last = rotation.ending_soon_window(store, session.actor())
st.subheader(tr("rotation.ending", days=days), anchor=False)
if last:
    st.caption(tr("rotation.last_run", date=fmt_date(last)))
if not soon:
    st.info(tr("rotation.none_ending"))
answers = {None: "unknown", "yes": "yes", "no": "no"}
for row in soon:
    mid = row["membership_id"]
    with st.container(border=True, key=f"rotation_row_{mid}"):
        widgets.page_link("pages/person.py", display_name(row["given_name"], row["family_name"]),
                          icon=":material/person:", query_params={"id": str(row["person_id"])})
        st.caption(tr_md("rotation.term", network=row["network"], number=row["term_number"], max=row["max_terms"],
                      end=fmt_date(row["planned_end_date"])) + " · "
                   + (trn("rotation.days_left", row["days_left"]) if row["days_left"] > 0
                      else trn("rotation.days_over", -row["days_left"])))
        st.markdown(f"**{tr('rotation.status.' + row['status'])}** · "
                    + tr("rotation.alumni_answer", answer=tr("rotation.alumni_choice." + answers[row["alumni_choice"]])))
        st.text_input(tr("rotation.note"), key=f"rotation_note_{mid}", max_chars=500)
        renewal_open, asks_exit = rotation.open_decisions(row)
        if renewal_open:
            left, right = st.columns(2)
            left.button(tr("rotation.confirm"), key=f"rotation_confirm_{mid}", type="primary", on_click=_renewal,
                        args=(mid, True), width="stretch")
            right.button(tr("rotation.decline"), key=f"rotation_decline_{mid}", on_click=_renewal,
                         args=(mid, False), width="stretch")
        if asks_exit:
            choice_col, save_col = st.columns([3, 2], vertical_alignment="bottom")
            choice_col.radio(tr("rotation.alumni_question"), rotation.ALUMNI_CHOICES, key=f"rotation_alumni_{mid}",
                             horizontal=True, index=rotation.ALUMNI_CHOICES.index(row["alumni_choice"])
                             if row["alumni_choice"] in rotation.ALUMNI_CHOICES else None,   # the stored answer
                             format_func=lambda v: tr(f"rotation.alumni_choice.{v}"))
            save_col.button(tr("rotation.alumni_save"), key=f"rotation_alumni_save_{mid}", on_click=_exit,
                            args=(mid,), width="stretch")
            if not row["has_alumni_network"]:
                st.warning(tr_md("rotation.no_alumni_network", network=row["network"]))
                if can_create:
                    st.button(tr("rotation.create_alumni"), key=f"rotation_create_alumni_{mid}",
                              on_click=_create_alumni, args=(row["network_id"],))

pending = rotation.pending_alumni_moves(store, session.actor())
if pending:
    st.subheader(tr("rotation.pending_moves"), anchor=False)
    for row in pending:
        with st.container(border=True, key=f"rotation_pending_{row['membership_id']}"):
            st.markdown(f"{escape(display_name(row['given_name'], row['family_name']))} · {escape(row['network'])} · "
                        f"{fmt_date(row['ended'])}")
            if row["alumni_network_id"] is None and can_create:
                st.button(tr("rotation.create_alumni"), key=f"rotation_create_alumni_p{row['membership_id']}",
                          on_click=_create_alumni, args=(row["network_id"],))
            elif row["alumni_network_id"] is not None:
                st.button(tr("rotation.move"), key=f"rotation_move_{row['membership_id']}", on_click=_move,
                          args=(row["membership_id"],))

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
