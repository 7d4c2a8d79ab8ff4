"""Start screen: who is logged in, what this role can do, and what needs attention today."""
import pandas as pd
import streamlit as st

from crm_app.access.screens import screens_for
from crm_app.core import permissions
from crm_app.core.fields import display_name
from crm_app.networks import meetings
from crm_app.people import activities, duplicates, persons
from crm_app.ui import session, tables, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import date_format, label, tr, tr_md, trn

user = session.require("home.view")
store = get_store()

st.title(tr_md("home.welcome", name=user.display_name), anchor=False)
st.caption(tr("home.role", role=label("role", user.role)))

if permissions.allowed(user.role, "activity.log"):
    due = len(activities.follow_ups(store, session.actor()))
    st.info(tr("home.stats", persons=persons.count(store, session.actor()), due=due))

if permissions.allowed(user.role, "meeting.manage") and (absent := meetings.repeated_absence(store, session.actor())):
    st.subheader(tr("home.absence_title"), anchor=False)
    st.caption(trn("home.absence", len(absent), times=absent[0]["count"]))
    cols = {k: tr(f"home.absence_col.{k}") for k in ("name", "network", "last_meeting")}
    frame = pd.DataFrame({cols["name"]: [display_name(r["given_name"], r["family_name"]) for r in absent],
                          cols["network"]: [r["network"] for r in absent],
                          cols["last_meeting"]: [r["last_meeting"] for r in absent]})
    picked = tables.picked("home_absence_table", frame, [(r["network_id"], r["person_id"]) for r in absent],
                           column_config={cols["last_meeting"]: st.column_config.DateColumn(cols["last_meeting"],
                                                                                            format=date_format())})
    if picked is not None:
        widgets.page_link("pages/person.py", tr("list.open_person"), icon=":material/person:",
                          query_params={"id": str(picked[1])})
if permissions.allowed(user.role, "duplicates.review"):
    waiting = duplicates.open_count(store, session.actor())
    if waiting:
        with st.container(key="home_duplicates"):
            st.warning(trn("home.duplicates", waiting))
            widgets.page_link("pages/duplicates.py", tr("home.review_duplicates"), icon=":material/join_inner:")

st.markdown(tr("home.what_you_can_do"))
for screen in screens_for(user.role):
    if screen.key != "home" and not screen.hidden:
        widgets.page_link(screen.path, tr(screen.title_key), icon=screen.icon)
