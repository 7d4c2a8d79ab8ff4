"""Privacy (administrators): erase a person, the compaction still owed, retention preview and switch, backups:
a download now, and the daily backups of the running app (where, how many kept, the last outcome)."""
import tempfile
from pathlib import Path

import streamlit as st

from crm_app.core import i18n
from crm_app.core.errors import CrmError, ValidationError
from crm_app.privacy import backups, erasure, retention
from crm_app.ui import actions, downloads, feedback, session, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import fmt_date, fmt_datetime, label, lang, tr, tr_md, trn

user = session.require("privacy.manage")
store = get_store()
state = st.session_state

st.title(tr("privacy.title"), anchor=False)
flash = state.pop("privacy_flash", None)   # shown beside the button that saved (rules, retention)

erase_tab, retention_tab, backup_tab = st.tabs([tr("privacy.erase"), tr("privacy.retention"), tr("privacy.backup")])


# -- erasure ------------------------------------------------------------------------------------------
@actions.callback
def _erase_preview() -> None:
    state.pop("privacy_erase_pending", None)
    raw = str(state.get("privacy_person_id") or "").strip()
    if not raw.isdigit():
        state["privacy_erase_error"] = tr("privacy.bad_id")
        return
    try:
        counts = erasure.preview(store, session.actor(), int(raw))
    except CrmError as exc:
        state["privacy_erase_error"] = exc
        return
    state.pop("privacy_erase_error", None)
    name = retention.names(store, session.actor(), [int(raw)]).get(int(raw), "")
    state["privacy_erase_pending"] = (int(raw), counts, name)


@actions.callback
def _erase_confirm() -> None:
    pending = state.pop("privacy_erase_pending", None)
    if not pending:
        return
    try:   # the rows go now; the file is rewritten at night or on "Compact now" (others would wait for it)
        result = erasure.erase(store, session.actor(), pending[0], compact=False)
    except CrmError as exc:
        state["privacy_erase_error"] = exc
        return
    state["privacy_erase_done"] = (pending[0], result.counts)
    state["privacy_person_id"] = ""


@actions.callback
def _compact_requested() -> None:
    state["privacy_compact_running"] = True


@actions.callback
def _erase_cancel() -> None:
    state.pop("privacy_erase_pending", None)


with erase_tab:
    st.caption(tr("privacy.erase_explain"))
    st.text_input(tr("privacy.person_id"), key="privacy_person_id", max_chars=12)
    st.button(tr("privacy.erase_preview"), key="privacy_erase_preview", on_click=_erase_preview)
    error = state.get("privacy_erase_error")
    if isinstance(error, CrmError):
        widgets.show_refusal(error)
    elif error:
        st.error(error)
    pending = state.get("privacy_erase_pending")
    if pending:
        person_id, counts, name = pending
        with st.container(border=True, key="privacy_erase_confirmation"):
            st.warning(tr_md("privacy.erase_confirm_text", id=person_id, name=name))
            st.table({tr("privacy.col.kind"): [tr(f"privacy.kind.{kind}") for kind in counts],
                      tr("privacy.col.count"): list(counts.values())})
            left, right = st.columns(2)
            left.button(tr("privacy.erase_confirm"), key="privacy_erase_confirm", type="primary",
                        on_click=_erase_confirm)
            right.button(tr("privacy.cancel"), key="privacy_erase_cancel", on_click=_erase_cancel)
    done = state.pop("privacy_erase_done", None)
    if done:
        person_id, counts = done
        st.success(tr("privacy.erased_pending", id=person_id))
        st.table({tr("privacy.col.kind"): [tr(f"privacy.kind.{kind}") for kind in counts],
                  tr("privacy.col.count"): list(counts.values())})

    compacted = None
    if state.pop("privacy_compact_running", False):
        with st.spinner(tr("privacy.compacting")):
            try:
                compacted = erasure.compact_now(store, session.actor())
            except CrmError as exc:
                state["privacy_compact_error"] = exc
    owed = store.pending_compaction()
    with st.container(border=True, key="privacy_compaction"):
        if owed:
            st.warning(trn("privacy.compaction_pending", owed["requests"], since=fmt_datetime(owed["since_utc"])))
            if owed["attempts"]:
                st.caption(trn("privacy.compaction_failed_before", owed["attempts"],
                               when=fmt_datetime(owed["last_attempt_utc"])))
            st.button(tr("privacy.compact_now"), key="privacy_compact_now", on_click=_compact_requested)
        else:
            st.caption(tr("privacy.compaction_none"))
        if "privacy_compact_error" in state:
            widgets.show_refusal(state.pop("privacy_compact_error"))
        feedback.outcome("privacy", after=("privacy_compact_now",),
                         success=None if compacted is None else tr("privacy.compacted", seconds=f"{compacted:.2f}"))

    entries, problems = erasure.read_journal(store.path)
    st.caption(tr("privacy.journal", count=len(entries)))
    if problems:
        st.error(trn("privacy.journal_damaged", len(problems), line=problems[0].line))


# -- retention ----------------------------------------------------------------------------------------
@actions.callback
def _retention_preview() -> None:
    state["privacy_retention_items"] = retention.preview(store, session.actor())


@actions.callback
def _retention_apply() -> None:
    result = retention.apply(store, session.actor(), compact=False)   # the file is rewritten at night, as for erasure
    state.pop("privacy_retention_items", None)
    state["privacy_flash"] = tr("privacy.retention_applied", persons=result["persons_erased"],
                                entries=result["waitlist_expired"])


@actions.callback
def _retention_switch(on: bool) -> None:
    try:
        retention.enable(store, session.actor(), on)
    except CrmError as exc:
        state["privacy_retention_error"] = exc


@actions.callback
def _save_rules() -> None:
    try:
        retention.set_rules(store, session.actor(), {name: int(state[f"privacy_{name}"]) for name in retention.SETTINGS})
    except ValidationError as exc:
        state["privacy_rules_errors"] = i18n.field_errors(exc, lang())
        return
    state["privacy_rules_errors"] = {}
    state["privacy_flash"] = tr("privacy.rules_saved")


with retention_tab:
    st.caption(tr("privacy.retention_explain"))
    with st.expander(tr("privacy.rules"), expanded=bool(state.get("privacy_rules_errors"))):
        current = retention.rules(store)
        rule_errors = state.get("privacy_rules_errors", {})
        for name in retention.SETTINGS:
            state.setdefault(f"privacy_{name}", current[name])
            st.number_input(tr(f"privacy.setting.{name}"), key=f"privacy_{name}", step=1, min_value=0)
            widgets.field_error(rule_errors, name)
        st.button(tr("privacy.rules_save"), key="privacy_rules_save", on_click=_save_rules)
    feedback.outcome("privacy", after=("privacy_rules_save",), errors=rule_errors,
                     success=flash if feedback.pressed("privacy_rules_save") else None)
    enabled = retention.is_enabled(store)
    st.markdown(tr("privacy.retention_on" if enabled else "privacy.retention_off"))
    st.button(tr("privacy.retention_preview"), key="privacy_retention_preview", on_click=_retention_preview)
    if "privacy_retention_error" in state:
        widgets.show_refusal(state.pop("privacy_retention_error"))
    feedback.outcome("privacy", after=("privacy_retention_apply",),   # the list and its button are gone by now
                     success=flash if feedback.pressed("privacy_retention_apply") else None)
    items = state.get("privacy_retention_items")
    if items is not None:
        counts = retention.counts(items)
        st.markdown(tr("privacy.retention_counts", candidates=counts["candidate_inactive"],
                       alumni=counts["alumnus_inactive"], entries=counts["waitlist_expired"]))
        if items:
            names = retention.names(store, session.actor(), [i.person_id for i in items])
            st.dataframe([{
                tr("privacy.col.person"): f"#{i.person_id} {names.get(i.person_id, '')}",
                tr("privacy.col.stage"): label("stage", i.stage),
                tr("privacy.col.rule"): tr(f"privacy.rule.{i.rule}"),
                tr("privacy.col.last_activity"): fmt_date(i.last_activity),
            } for i in items], hide_index=True, width="stretch", key="privacy_retention_table")
            st.button(tr("privacy.retention_apply"), key="privacy_retention_apply", type="primary",
                      on_click=_retention_apply)
        if not enabled:
            st.button(tr("privacy.retention_enable"), key="privacy_retention_enable", on_click=_retention_switch,
                      args=(True,))
    if enabled:
        st.button(tr("privacy.retention_disable"), key="privacy_retention_disable", on_click=_retention_switch,
                  args=(False,))


# -- backup -------------------------------------------------------------------------------------------
@actions.callback
def _backup() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = backups.backup(store, session.actor(), Path(folder) / "crm-backup.duckdb")
        state["privacy_backup_bytes"] = path.read_bytes()


@actions.callback
def _save_keep() -> None:
    try:
        backups.set_keep(store, session.actor(), int(state["privacy_backup_keep"]))
    except ValidationError as exc:
        state["privacy_keep_errors"] = i18n.field_errors(exc, lang())
        return
    state["privacy_keep_errors"] = {}
    state["privacy_flash"] = tr("privacy.backup_keep_saved")


with backup_tab:
    st.caption(tr("privacy.backup_explain"))
    st.button(tr("privacy.backup_make"), key="privacy_backup", on_click=_backup)
    if backup := state.get("privacy_backup_bytes"):
        downloads.personal_download(tr("privacy.backup_download"), lambda: backup, "crm-backup.duckdb",
                                    "application/octet-stream", "privacy_backup_download")

    st.subheader(tr("privacy.backup_daily"), anchor=False)
    plan = backups.schedule(store)
    st.markdown(tr_md("privacy.backup_folder", folder=str(plan.folder)) if plan.keep else tr("privacy.backup_off"))
    if plan.last_success_utc:
        st.success(tr_md("privacy.backup_last_success", when=fmt_datetime(plan.last_success_utc), file=plan.last_file))
    if plan.last_failure_utc and (not plan.last_success_utc or plan.last_failure_utc > plan.last_success_utc):
        st.error(tr("privacy.backup_last_failure", when=fmt_datetime(plan.last_failure_utc), reason=plan.last_error))
    if plan.backups:
        st.dataframe([{tr("privacy.col.backup_file"): path.name,
                       tr("privacy.col.backup_size"): f"{path.stat().st_size / 1e6:.1f} MB"} for path in plan.backups],
                     hide_index=True, width="stretch", key="privacy_backup_table")
    keep_errors = state.get("privacy_keep_errors", {})
    state.setdefault("privacy_backup_keep", plan.keep)
    st.number_input(tr("privacy.backup_keep"), key="privacy_backup_keep", step=1, min_value=0)
    widgets.field_error(keep_errors, "backup_keep")
    st.button(tr("privacy.backup_keep_save"), key="privacy_backup_keep_save", on_click=_save_keep)
    feedback.outcome("privacy", after=("privacy_backup_keep_save",), errors=keep_errors,
                     widget_keys={"backup_keep": "privacy_backup_keep"},
                     success=flash if feedback.pressed("privacy_backup_keep_save") else None)
