"""My follow-ups: contact moments I promised to follow up, due today or overdue."""
import streamlit as st

from crm_app.core.fields import display_name
from crm_app.people import activities
from crm_app.ui import actions, session, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import fmt_date, label, tr

user = session.require("activity.log")
store = get_store()


@actions.callback
def _done(activity_id: int) -> None:
    activities.mark_done(store, session.actor(), activity_id)


st.title(tr("followups.title"), anchor=False)
due = activities.follow_ups(store, session.actor())
if not due:
    st.info(tr("followups.none"))
for item in due:
    with st.container(border=True, key=f"followups_item_{item['id']}"):
        when = tr("followups.overdue") if item["overdue"] else tr("followups.today")
        name = display_name(item["given_name"], item["family_name"])
        left, right = st.columns([4, 1])
        with left:
            widgets.page_link("pages/person.py", name, icon=":material/person:",
                         query_params={"id": str(item["person_id"])})
            st.caption(f"{fmt_date(item['follow_up_date'])} ({when}) · {label('activity_kind', item['kind'])}")
            if item["summary"]:
                st.text(item["summary"])
        with right:
            st.button(tr("followups.done"), key=f"followups_done_{item['id']}", on_click=_done, args=(item["id"],))
