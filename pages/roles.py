"""The roles matrix (administrators): which role may open which screen and do what — the tables of
docs/roles.md, generated from the permission table the code enforces (no stored or typed text)."""
import streamlit as st

from crm_app.access import roles
from crm_app.ui import session
from crm_app.ui.text import lang, tr

session.require("user.manage")

st.title(tr("roles.title"), anchor=False)
st.caption(tr("roles.intro"))
for heading, (header, rows) in ((tr("roles.screens"), roles.screens_table(lang())),
                                (tr("roles.actions"), roles.actions_table(lang()))):
    st.subheader(heading, anchor=False)
    st.dataframe([dict(zip(header, row)) for row in rows], hide_index=True, width="stretch")
