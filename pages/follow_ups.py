"""My follow-ups: contact moments I promised to follow up, due today or overdue.

One table (the phone number dials on a tap); the follow-up picked in it is marked done from below. When the person
has an open offer or waits on a list, the message about it is ready to send (call, SMS, WhatsApp, email).
"""
import pandas as pd
import streamlit as st

from crm_app.core.fields import display_name, format_phone, tel_url
from crm_app.people import activities
from crm_app.people.messages import outbox
from crm_app.ui import actions, messages, session, tables, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import date_format, escape, label, tr

user = session.require("activity.log")
store = get_store()
buttons = actions.Buttons("followups")

st.title(tr("followups.title"), anchor=False)
due = activities.follow_ups(store, session.actor())
if not due:
    st.info(tr("followups.none"))
else:
    columns = {"name": tr("list.col.name"), "call": tr("list.col.call"), "phone": tr("list.col.phone"),
               "date": tr("followups.col.date"), "when": tr("followups.col.when"), "kind": tr("followups.col.kind"),
               "summary": tr("followups.col.summary")}
    frame = pd.DataFrame({
        columns["name"]: [display_name(i["given_name"], i["family_name"]) for i in due],
        columns["call"]: [tel_url(i["phone_e164"]) for i in due],
        columns["phone"]: [format_phone(i["phone_e164"]) for i in due],
        columns["date"]: [i["follow_up_date"] for i in due],
        columns["when"]: [tr("followups.overdue") if i["overdue"] else tr("followups.today") for i in due],
        columns["kind"]: [label("activity_kind", i["kind"]) for i in due],
        columns["summary"]: [i["summary"] or "" for i in due],
    })
    picked = tables.picked("followups_table", frame, [i["id"] for i in due], column_config={
        columns["call"]: tables.call_column(columns["call"]),
        columns["date"]: st.column_config.DateColumn(columns["date"], format=date_format())})
    item = next((i for i in due if i["id"] == picked), None)
    if item is None:
        st.caption(tr("list.pick"))
    else:
        with st.container(border=True, key="followups_selected"):
            st.subheader(escape(display_name(item["given_name"], item["family_name"])), anchor=False)
            if item["summary"]:
                st.text(item["summary"])
            widgets.page_link("pages/person.py", tr("list.open_person"), icon=":material/person:",
                              query_params={"id": str(item["person_id"])})
            request = outbox.open_request(store, session.actor(), item["person_id"])
            if request is not None:
                st.markdown(f"**{label('message_kind', request[0])}**")
                messages.contact_box("followups", request[0], item["person_id"], request[1])
            st.button(tr("followups.done"), key="followups_done", on_click=buttons.run,
                      args=(activities.mark_done, item["id"]), kwargs={"flash": tr("followups.marked_done")})
buttons.outcome("followups_actions", "followups_done")
