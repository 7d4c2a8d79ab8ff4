"""Find a person by any part of a name, a phone number in any notation, or an email address."""
import streamlit as st

from crm_app.core.fields import display_name, format_phone
from crm_app.people import persons
from crm_app.ui import session, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import escape, label, tr

user = session.require("person.search")

st.title(tr("find.title"), anchor=False)
query = st.text_input(tr("find.query"), key="find_query", max_chars=200)
if query.strip():
    results = persons.find(get_store(), session.actor(), query, limit=persons.FIND_LIMIT + 1)
    if not results:
        st.info(tr("find.none"))
    elif len(results) > persons.FIND_LIMIT:
        st.warning(tr("find.more", count=persons.FIND_LIMIT))
    else:
        st.caption(tr("find.count", count=len(results)))
    for row in results[: persons.FIND_LIMIT]:
        name = display_name(row["given_name"], row["family_name"])
        details = " · ".join(filter(None, [format_phone(row["phone_e164"]), row["email"], label("stage", row["stage"])]))
        with st.container(border=True, key=f"find_result_{row['id']}"):
            widgets.page_link("pages/person.py", f"{name}  (#{row['id']})", icon=":material/person:",
                         query_params={"id": str(row["id"])})
            st.caption(escape(details))
