"""Export persons, networks, members or waiting lists as CSV, XLSX or JSON: the same files as `crm export`.

The file is made at the click (formulas neutralised, the export audited) and gone from the server seconds later.
"""
import streamlit as st

from crm_app.privacy import exports
from crm_app.ui import downloads, session
from crm_app.ui.resources import get_store
from crm_app.ui.text import tr

user = session.require("data.export")
store = get_store()
MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "json": "application/json"}

st.title(tr("export.title"), anchor=False)
st.caption(tr("export.intro"))
kind = st.selectbox(tr("export.kind"), exports.KINDS, key="export_kind", format_func=lambda k: tr(f"export.kind.{k}"),
                    placeholder=tr("app.choose"))
fmt = st.radio(tr("export.format"), exports.FORMATS, key="export_format", horizontal=True, format_func=str.upper)
actor = session.actor()
downloads.personal_download(tr("export.download"), lambda: exports.render(store, actor, kind, fmt), f"{kind}.{fmt}",
                            MIME[fmt], key="export_download")
