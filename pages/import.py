"""Import persons from a CSV or XLSX file: upload, map the columns, check, import, download the refused rows.

The check and the import run in the page (not in a callback) so the progress bar is drawn where the user
looks. Nothing is stored by the check; the import stores every good row at once or none.
"""
import hashlib

import pandas as pd
import streamlit as st

from crm_app.core import reference
from crm_app.core.errors import CrmError
from crm_app.people.imports import batch, mapping, rejects
from crm_app.people.imports.rows import Defaults
from crm_app.ui import downloads, session, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import label, lang, tr, trn

user = session.require("person.import")
store = get_store()
state = st.session_state

st.title(tr("import.title"), anchor=False)
st.caption(tr("import.intro"))

kind = st.selectbox(tr("import.source"), ("",) + reference.SOURCE_KINDS, key="import_source",
                    format_func=lambda v: label("source_kind", v) if v else tr("field.none"), placeholder=tr("app.choose"))
source_name = st.text_input(tr("import.source_name"), key="import_source_name", max_chars=100)
countries = reference.countries(lang())
country = st.selectbox(tr("import.phone_country"), list(countries), key="import_phone_country",
                       index=list(countries).index("NL"), format_func=lambda code: countries.get(code, code),
                       placeholder=tr("app.choose"))
add_duplicates = st.checkbox(tr("import.add_duplicates"), key="import_add_duplicates")
upload = st.file_uploader(tr("import.file"), key="import_file", type=None, accept_multiple_files=False)
if upload is None:
    state.pop("import_report", None)
    st.stop()

data = upload.getvalue()
defaults = Defaults(kind or None, source_name.strip() or None, country)
try:
    sheet, prefilled = batch.read_mapping(store, session.actor(), data, defaults)
except CrmError as exc:
    widgets.show_refusal(exc)
    st.stop()

# A new file or source: the column choices start again from the remembered or guessed mapping.
signature = hashlib.sha256(data + (defaults.source_kind or "").encode() + (defaults.source_name or "").encode())
if state.get("import_signature") != signature.hexdigest():
    state["import_signature"] = signature.hexdigest()
    state.pop("import_report", None)
    for position, header in enumerate(sheet.headers):
        state[f"import_map_{position}"] = prefilled.get(header, "")

st.subheader(tr("import.mapping"), anchor=False)
st.caption(tr("import.mapping_help"))
choices = ("",) + mapping.FIELDS
columns = st.columns(3)
for position, header in enumerate(sheet.headers):
    with columns[position % 3]:
        st.selectbox(header, choices, key=f"import_map_{position}",
                     format_func=lambda f: tr(f"field.{f}") if f else tr("import.skip_column"), placeholder=tr("app.choose"))
chosen = {header: state[f"import_map_{position}"] for position, header in enumerate(sheet.headers)}

st.subheader(tr("import.preview"), anchor=False)
st.dataframe(pd.DataFrame(sheet.rows[:10], columns=sheet.headers), hide_index=True, key="import_preview")

options = batch.Options(defaults, chosen, add_duplicates)
check_col, import_col = st.columns(2)
checking = check_col.button(tr("import.check"), key="import_check")
importing = import_col.button(tr("import.submit"), key="import_submit", type="primary")
if checking or importing:
    bar = st.progress(0.0, text=tr("import.progress"))
    try:
        report = (batch.run if importing else batch.preview)(
            store, session.actor(), data, options, lambda done, total: bar.progress(done / max(total, 1),
                                                                                   text=tr("import.progress")))
    except CrmError as exc:
        bar.empty()
        state.pop("import_report", None)
        widgets.show_refusal(exc)
        st.stop()
    bar.empty()
    state["import_report"] = report

report = state.get("import_report")
if report is None:
    st.stop()

with st.container(key="import_outcome"):
    counts = {status: report.count(status) for status in batch.STATUSES}
    if report.dry_run:
        st.info(tr("import.checked_only"))
    else:
        st.success(trn("import.done", report.count("accepted")))
    st.write(trn("import.counts", len(report.results), **counts))
    if report.earlier_batch is not None:
        st.warning(tr("import.seen_before", batch=report.earlier_batch))

st.subheader(tr("import.report"), anchor=False)
st.dataframe(pd.DataFrame({
    tr("import.col.row"): [r.row for r in report.results],
    tr("import.col.status"): [tr(f"import.status.{r.status}") for r in report.results],
    tr("import.col.reason"): [rejects.reason(r, lang()) for r in report.results],
    tr("import.col.person"): [", ".join(str(p) for p in r.persons) for r in report.results],
}), hide_index=True, key="import_report_table")

if counts["rejected"] or counts["duplicate"]:
    st.caption(tr("import.rejects_help"))
    downloads.personal_download(tr("import.download_rejects"), lambda: rejects.csv_file(report, lang()),
                                "rejected-rows.csv", "text/csv", key="import_rejects",
                                audit_action="export.import_rejects")
