"""Find a person by any part of a name, a phone number in any notation, or an email address.

The results are one table (the phone number dials on a tap); the person picked in it opens from below.
"""
import pandas as pd
import streamlit as st

from crm_app.core.fields import display_name, format_phone, tel_url
from crm_app.people import persons
from crm_app.ui import session, tables, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import escape, label, tr

user = session.require("person.search")

st.title(tr("find.title"), anchor=False)
query = st.text_input(tr("find.query"), key="find_query", max_chars=200)
if query.strip():
    results = persons.find(get_store(), session.actor(), query, limit=persons.FIND_LIMIT + 1)
    if not results:
        st.info(tr("find.none"))
        st.stop()
    if len(results) > persons.FIND_LIMIT:
        st.warning(tr("find.more", count=persons.FIND_LIMIT))
    else:
        st.caption(tr("find.count", count=len(results)))
    results = results[: persons.FIND_LIMIT]
    columns = {"name": tr("list.col.name"), "id": tr("find.col.number"), "call": tr("list.col.call"),
               "phone": tr("list.col.phone"),
               "email": tr("find.col.email"), "stage": tr("find.col.stage"), "matched": tr("find.col.matched")}
    frame = pd.DataFrame({
        columns["name"]: [display_name(r["given_name"], r["family_name"]) for r in results],
        columns["id"]: [r["id"] for r in results],
        columns["call"]: [tel_url(r["phone_e164"]) for r in results],
        columns["phone"]: [format_phone(r["phone_e164"]) for r in results],
        columns["email"]: [r["email"] or "" for r in results],
        columns["stage"]: [label("stage", r["stage"]) for r in results],
        columns["matched"]: [", ".join(tr(f"find.matched.{m}") for m in r["matched"]) for r in results],
    })
    picked = tables.picked("find_table", frame, [r["id"] for r in results],
                           column_config={columns["call"]: tables.call_column(columns["call"]),
                                          columns["id"]: st.column_config.NumberColumn(columns["id"], format="#%d")})
    if picked is None:
        st.caption(tr("list.pick"))
    else:
        person = next(r for r in results if r["id"] == picked)
        with st.container(border=True, key="find_selected"):
            widgets.page_link("pages/person.py", tr("find.open", name=escape(
                display_name(person["given_name"], person["family_name"])), id=person["id"]),
                icon=":material/person:", query_params={"id": str(person["id"])})
