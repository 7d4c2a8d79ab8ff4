"""A network's waiting list: order, waiting time, "still interested?" checks; add, confirm, take off.

The list is one table (a thousand people waiting stay fast); the actions are for the person picked in it.
"""
import pandas as pd
import streamlit as st

from crm_app.core import permissions
from crm_app.core.fields import display_name, format_phone, tel_url
from crm_app.networks import registry, waitlists
from crm_app.people import persons
from crm_app.ui import actions, messages, session, tables, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import date_format, escape, fmt_date, fmt_datetime, label, tr, trn

user = session.require("waitlist.view")
store = get_store()
state = st.session_state
buttons = actions.Buttons("waitlist")
added = actions.Buttons("waitlist_add")
can_manage = permissions.allowed(user.role, "waitlist.manage")
END_FIELDS = {"status": "waitlist_end_status", "reason": "waitlist_end_reason"}

st.title(tr("waitlist.title"), anchor=False)
network_id = widgets.network_select("waitlist", registry.list_networks(store, session.actor()))
if network_id is None:
    st.stop()


@actions.callback
def _end(entry_id: int) -> None:
    buttons.run(waitlists.end, entry_id, state.get("waitlist_end_status"), state.get("waitlist_end_reason"),
                flash=tr("waitlist.ended"))


if can_manage:
    with st.expander(tr("waitlist.add"), icon=":material/person_add:"):
        query = st.text_input(tr("find.query"), key="waitlist_find")
        found = persons.find(store, session.actor(), query, limit=10) if query.strip() else []
        for row in found:   # at most ten: a search, not the list
            left, right = st.columns([3, 1])
            name = display_name(row["given_name"], row["family_name"])
            left.markdown(f"{escape(name)} (#{row['id']}) · {label('stage', row['stage'])}")
            right.button(tr("waitlist.add_button"), key=f"waitlist_add_{row['id']}", on_click=added.run,
                         args=(waitlists.add, network_id, row["id"]), kwargs={"flash": tr("waitlist.added")})
        added.outcome("waitlist_add", *(f"waitlist_add_{row['id']}" for row in found))

entries = waitlists.entries(store, session.actor(), network_id)
due = [e for e in entries if e.check_overdue]
st.caption(tr("waitlist.summary", waiting=sum(e.status == "waiting" for e in entries), due=len(due)))
left, right = st.columns([2, 1], vertical_alignment="bottom")
search = left.text_input(tr("list.search"), key="waitlist_search", max_chars=100,
                         placeholder=tr("list.search_placeholder"))
only_due = right.toggle(tr("waitlist.only_due"), key="waitlist_only_due")
shown = tables.search(due if only_due else entries, search, lambda e: display_name(e.given_name, e.family_name),
                      lambda e: e.phone_e164)

columns = {"position": tr("waitlist.col.position"), "name": tr("list.col.name"), "call": tr("list.col.call"),
           "phone": tr("list.col.phone"),
           "status": tr("list.col.status"), "joined": tr("waitlist.col.joined"), "days": tr("waitlist.col.days"),
           "check": tr("waitlist.col.check"), "overdue": tr("waitlist.col.overdue")}
frame = pd.DataFrame({
    columns["position"]: pd.array([e.position for e in shown], dtype="Int64"),
    columns["name"]: [display_name(e.given_name, e.family_name) for e in shown],
    columns["call"]: [tel_url(e.phone_e164) for e in shown],
    columns["phone"]: [format_phone(e.phone_e164) for e in shown],
    columns["status"]: [label("waitlist_status", e.status) for e in shown],
    columns["joined"]: [e.joined_utc.date() for e in shown],
    columns["days"]: [e.waited_days for e in shown],
    columns["check"]: [e.check_due for e in shown],
    columns["overdue"]: [e.check_overdue for e in shown],
})
by_id = {e.id: e for e in shown}
picked = tables.picked("waitlist_table", frame, [e.id for e in shown], clear=END_FIELDS.values(), column_config={
    columns["call"]: tables.call_column(columns["call"]),
    columns["joined"]: st.column_config.DateColumn(columns["joined"], format=date_format()),
    columns["check"]: st.column_config.DateColumn(columns["check"], format=date_format()),
    columns["overdue"]: st.column_config.CheckboxColumn(columns["overdue"])})

entry = by_id.get(picked)
if entry is None:
    st.caption(tr("list.pick"))
else:
    with st.container(border=True, key="waitlist_selected"):
        position = f"{entry.position}. " if entry.position else ""
        st.subheader(position + escape(display_name(entry.given_name, entry.family_name)), anchor=False)
        check = tr("waitlist.check_overdue" if entry.check_overdue else "waitlist.check_due",
                   date=fmt_date(entry.check_due))
        st.caption(f"{label('waitlist_status', entry.status)} · "
                   f"{trn('waitlist.since', entry.waited_days, date=fmt_datetime(entry.joined_utc))} · {check}")
        asking = entry.status == "waiting" and can_manage
        if entry.phone_e164 and not asking:
            st.link_button(format_phone(entry.phone_e164), tel_url(entry.phone_e164), icon=":material/call:")
        widgets.page_link("pages/person.py", tr("list.open_person"), icon=":material/person:",
                          query_params={"id": str(entry.person_id)})
        if asking:
            st.markdown(f"**{tr('waitlist.ask')}**")
            messages.contact_box("waitlist", "still_interested", entry.person_id, entry.id)
            st.button(tr("waitlist.confirm"), key="waitlist_confirm", on_click=buttons.run,
                      args=(waitlists.confirm_interest, entry.id), kwargs={"flash": tr("waitlist.confirmed")})
            st.markdown(f"**{tr('waitlist.end')}**")
            st.radio(tr("waitlist.end_status"), ("withdrawn", "removed"), key="waitlist_end_status", horizontal=True,
                     format_func=lambda s: label("waitlist_status", s))
            st.text_input(tr("waitlist.end_reason"), key="waitlist_end_reason", max_chars=500)
            st.button(tr("waitlist.end_submit"), key="waitlist_end_submit", on_click=_end, args=(entry.id,))
buttons.outcome("waitlist_actions", "waitlist_confirm", "waitlist_end_submit",
                labels={"status": tr("waitlist.end_status"), "reason": tr("waitlist.end_reason")}, widget_keys=END_FIELDS)
