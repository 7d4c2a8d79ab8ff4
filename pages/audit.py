"""The audit log (administrators and coordinators): search events and verify the hash chain.

Read-only: nothing on this screen (or anywhere in the app) edits or deletes audit events.
"""
import streamlit as st

from crm_app.access import audit
from crm_app.ui import session
from crm_app.ui.resources import get_store
from crm_app.ui.text import date_format, fmt_datetime, lang, tr, trn

user = session.require("audit.view")
store = get_store()
state = st.session_state
LIMIT = 500

st.title(tr("audit.title"), anchor=False)

staff = audit.staff(store, session.actor())
left, middle, right = st.columns(3)
with left:
    action = st.text_input(tr("audit.action"), key="audit_action", max_chars=60)
    record_text = st.text_input(tr("audit.record_id"), key="audit_record_id", max_chars=20)
with middle:
    user_choice = st.selectbox(
        tr("audit.user"), [None, *staff], key="audit_user", placeholder=tr("app.choose"),
        format_func=lambda v: tr("audit.user_any") if v is None else staff.get(v, str(v)))
with right:
    since = st.date_input(tr("audit.since"), value=None, key="audit_since", format=date_format())
    until = st.date_input(tr("audit.until"), value=None, key="audit_until", format=date_format())

record_id = None
if record_text.strip():
    if record_text.strip().isdigit():
        record_id = int(record_text.strip())
    else:
        st.warning(tr("audit.bad_record_id"))

rows = audit.search(store, session.actor(), action=action or None,
                    user_id=user_choice,
                    record_id=record_id, since=since, until=until, limit=LIMIT, lang=lang())

if st.button(tr("audit.verify"), key="audit_verify"):
    result = audit.verify(store)
    if result.ok:
        st.success(trn("audit.intact", result.events_checked))
    else:
        where = tr("audit.failed") if result.first_bad_id is None else tr("audit.broken", id=result.first_bad_id)
        st.error(f"{where} {tr(f'audit.reason.{result.reason}')}")

if not rows:
    st.info(tr("audit.none"))
else:
    st.caption(trn("audit.count", len(rows), limit=LIMIT))
    st.dataframe(
        [{
            tr("audit.col.time"): fmt_datetime(row["occurred_utc"]),
            tr("audit.col.user"): row["user_display_name"] or (tr("audit.user_cli") if row["user_id"] is None
                                                               else str(row["user_id"])),
            tr("audit.col.action"): audit.action_label(row["action"], lang()),
            tr("audit.col.record"): f"{row['record_type'] or ''} "
                                    f"{row['record_id'] if row['record_id'] is not None else ''}".strip(),
            tr("audit.col.result"): audit.result_label(row["result"], lang()),
            tr("audit.col.origin"): audit.origin_label(row["origin"], lang()),
        } for row in rows],
        hide_index=True, width="stretch", key="audit_table",
    )
