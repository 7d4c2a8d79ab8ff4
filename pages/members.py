"""Members of a network with their term end; end a membership early with a reason (the place opens).

The members are one table (an alumni network of 1,500 stays fast); the action is for the member picked in it.
"""
import pandas as pd
import streamlit as st

from crm_app.core.fields import display_name
from crm_app.networks import memberships, registry
from crm_app.ui import actions, session, tables, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import date_format, escape, fmt_date, label, tr, trn

user = session.require("members.view")
store = get_store()
state = st.session_state
buttons = actions.Buttons("members")
END_FIELDS = ("members_end_reason", "members_end_note")

st.title(tr("members.title"), anchor=False)
network_id = widgets.network_select("members", registry.list_networks(store, session.actor()))
if network_id is None:
    st.stop()


@actions.callback
def _end(membership_id: int) -> None:
    buttons.run(memberships.end_early, membership_id, state.get("members_end_reason"), state.get("members_end_note"),
                flash=tr("members.ended"))


rows = memberships.members(store, session.actor(), network_id)
network = registry.get(store, session.actor(), network_id)
st.caption(trn("members.count", len(rows), places=network.max_places))
search = st.text_input(tr("list.search"), key="members_search", max_chars=100, placeholder=tr("list.search_name"))
shown = tables.search(rows, search, lambda r: display_name(r["given_name"], r["family_name"]))

columns = {"name": tr("list.col.name"), "start": tr("members.col.start"), "end": tr("members.col.end"),
           "term": tr("members.col.term")}
frame = pd.DataFrame({
    columns["name"]: [display_name(r["given_name"], r["family_name"]) for r in shown],
    columns["start"]: [r["start_date"] for r in shown],
    columns["end"]: [r["planned_end_date"] for r in shown],
    columns["term"]: [r["term_number"] for r in shown],
})
by_id = {r["id"]: r for r in shown}
picked = tables.picked("members_table", frame, [r["id"] for r in shown], clear=END_FIELDS, column_config={
    columns["start"]: st.column_config.DateColumn(columns["start"], format=date_format()),
    columns["end"]: st.column_config.DateColumn(columns["end"], format=date_format())})

row = by_id.get(picked)
if row is None:
    st.caption(tr("list.pick"))
else:
    with st.container(border=True, key="members_selected"):
        st.subheader(escape(display_name(row["given_name"], row["family_name"])), anchor=False)
        st.caption(tr("members.term", start=fmt_date(row["start_date"]), end=fmt_date(row["planned_end_date"]),
                      number=row["term_number"]))
        widgets.page_link("pages/person.py", tr("list.open_person"), icon=":material/person:",
                          query_params={"id": str(row["person_id"])})
        st.markdown(f"**{tr('members.end')}**")
        st.radio(tr("members.end_reason"), memberships.EARLY_END_REASONS, key="members_end_reason", horizontal=True,
                 format_func=lambda r: label("end_reason", r))
        st.text_input(tr("members.end_note"), key="members_end_note", max_chars=500)
        st.button(tr("members.end_submit"), key="members_end_submit", on_click=_end, args=(row["id"],))
buttons.outcome("members_actions", "members_end_submit",
                labels={"end_reason": tr("members.end_reason"), "end_note": tr("members.end_note")},
                widget_keys={"end_reason": "members_end_reason", "end_note": "members_end_note"})
