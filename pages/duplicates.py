"""Possible duplicates: the review queue, two records side by side, merge with a choice per field, or
"not a duplicate"; the last merge can be undone from here.

The queue is one table; the pair picked in it is compared below, with its actions once under the comparison.
"""
import pandas as pd
import streamlit as st

from crm_app.core.fields import display_name, format_phone
from crm_app.people import duplicates, merges, scan
from crm_app.ui import actions, session, tables
from crm_app.ui.resources import get_store
from crm_app.ui.text import escape, label, tr, tr_md, trn

SCREEN = "duplicates"
user = session.require("duplicates.review")
store = get_store()
state = st.session_state
buttons = actions.Buttons(SCREEN)
_CHOICE_KEYS = [f"duplicates_choice_{name}" for name in merges.FIELDS]


def _field_label(name: str) -> str:
    return tr("field.stage" if name == "stage_manual" else f"field.{name}")


def _shown(name: str, value) -> str:
    if value in (None, "", []):
        return ""
    if isinstance(value, list):
        return ", ".join(value)
    if name == "phone":
        return format_phone(value)
    if name in ("gender", "education_level", "integration_route"):
        return label(name, value)
    if name == "stage_manual":
        return label("stage", value)
    return str(value)


@actions.callback
def _merge(kept: int, merged: int, conflict_keys: list[str]) -> None:
    choices = {name: state[f"duplicates_choice_{name}"] for name in merges.FIELDS
               if state.get(f"duplicates_choice_{name}") in merges.CHOICES}
    decisions = {key: state[f"duplicates_conflict_{key.replace(':', '_')}"] for key in conflict_keys
                 if state.get(f"duplicates_conflict_{key.replace(':', '_')}") is not None}
    buttons.run(lambda s, a: merges.merge(s, a, kept, merged, choices=choices, decisions=decisions),
                flash=lambda merge_id: _merged(merge_id, kept, merged))


def _merged(merge_id: int, kept: int, merged: int) -> str:
    state["duplicates_last_merge"] = (merge_id, kept, merged)
    return tr("duplicates.merged", merged=merged, kept=kept)


@actions.callback
def _undo(merge_id: int) -> None:
    state.pop("duplicates_last_merge", None)
    buttons.run(merges.undo, merge_id, flash=lambda restored: tr("duplicates.undone", id=restored))


st.title(tr("duplicates.title"), anchor=False)
last = state.get("duplicates_last_merge")
if last:
    with st.container(border=True, key="duplicates_last"):
        st.markdown(tr_md("duplicates.last_merge", merged=last[2], kept=last[1]))
        st.button(tr("duplicates.undo"), key="duplicates_undo", on_click=_undo, args=(last[0],), width="stretch")

pairs = duplicates.open_pairs(store, session.actor())
st.caption(trn("duplicates.count", len(pairs)))
st.button(tr("duplicates.scan"), key="duplicates_scan", on_click=buttons.run,
          args=(lambda s, a: scan.scan(s, a, apply=True),),
          kwargs={"flash": lambda result: tr("duplicates.scanned", likely=result.count("likely"),
                                             possible=result.count("possible"), queued=result.queued)})
if not pairs:
    st.info(tr("duplicates.none"))
    buttons.outcome("duplicates_actions", "duplicates_scan", "duplicates_undo")
    st.stop()

columns = {"first": tr("duplicates.col.first"), "second": tr("duplicates.col.second"),
           "level": tr("duplicates.col.level"), "origin": tr("duplicates.col.origin"),
           "reasons": tr("duplicates.col.reasons")}
frame = pd.DataFrame({
    columns["first"]: [f"#{p['first_person_id']} {display_name(*p['first_name'])}" for p in pairs],
    columns["second"]: [f"#{p['second_person_id']} {display_name(*p['second_name'])}" for p in pairs],
    columns["level"]: [label("duplicate_level", p["level"]) for p in pairs],
    columns["origin"]: [label("duplicate_origin", p["origin"]) for p in pairs],
    columns["reasons"]: [", ".join(tr(f"reason.{r}") for r in p["reasons"]) for p in pairs],
})
picked = tables.picked("duplicates_table", frame, [p["id"] for p in pairs],
                       clear=["duplicates_keep", *_CHOICE_KEYS])
pair = next((p for p in pairs if p["id"] == picked), None)
if pair is None:
    st.caption(tr("list.pick"))
else:
    first, second = pair["first_person_id"], pair["second_person_id"]
    names = {first: display_name(*pair["first_name"]), second: display_name(*pair["second_name"])}
    with st.container(border=True, key="duplicates_selected"):
        kept = st.radio(tr("duplicates.keep"), [first, second], key="duplicates_keep", horizontal=True,
                        format_func=lambda pid: f"#{pid} {escape(names[pid])}")
        merged = second if kept == first else first
        preview = merges.preview(store, session.actor(), kept, merged)
        shown = [n for n in merges.FIELDS if _shown(n, preview.kept[merges.FIELDS[n][0]])
                 or _shown(n, preview.merged[merges.FIELDS[n][0]])]    # fields both leave empty are left out
        compare = {"field": tr("register.compare.field"), "kept": tr("duplicates.col.kept", id=kept),
                   "merged": tr("duplicates.col.merged", id=merged), "agrees": tr("register.compare.agrees")}
        st.dataframe(pd.DataFrame({
            compare["field"]: [_field_label(n) for n in shown],
            compare["kept"]: [_shown(n, preview.kept[merges.FIELDS[n][0]]) for n in shown],
            compare["merged"]: [_shown(n, preview.merged[merges.FIELDS[n][0]]) for n in shown],
            compare["agrees"]: ["✓" if preview.agrees[n] else "" for n in shown],
        }), hide_index=True, width="stretch", key="duplicates_compare")
        st.dataframe(pd.DataFrame({
            tr("duplicates.col.linked"): [tr(f"privacy.kind.{kind}") for kind in preview.linked],
            compare["kept"]: [counts[0] for counts in preview.linked.values()],
            compare["merged"]: [counts[1] for counts in preview.linked.values()],
        }), hide_index=True, width="stretch", key="duplicates_linked")
        st.caption(tr("duplicates.linked_kept"))
        differing = [n for n in shown if not preview.agrees[n]]
        if differing:
            st.subheader(tr("duplicates.choose"), anchor=False)
        for name in differing:
            options = list(merges.CHOICES if name in merges.BOTH_ALLOWED else merges.CHOICES[:2])
            st.radio(_field_label(name), options, key=f"duplicates_choice_{name}", horizontal=True,
                     index=options.index(preview.defaults[name]),
                     format_func=lambda choice: tr(f"duplicates.choice.{choice}"))
        for conflict in preview.conflicts:
            st.warning(tr_md(f"merge.conflict.{conflict.kind}", network=conflict.network_name))
            st.radio(tr("duplicates.conflict_keep"), [conflict.kept_row, conflict.merged_row],
                     key=f"duplicates_conflict_{conflict.key.replace(':', '_')}", horizontal=True, index=None,
                     format_func=lambda row, c=conflict: tr("duplicates.conflict_of", id=kept if row == c.kept_row
                                                             else merged))
        st.button(tr("duplicates.merge", merged=merged, kept=kept), key="duplicates_merge", type="primary",
                  on_click=_merge, args=(kept, merged, [c.key for c in preview.conflicts]), width="stretch")
        st.button(tr("duplicates.not_duplicate"), key="duplicates_not_duplicate", on_click=buttons.run,
                  args=(duplicates.not_duplicate, pair["id"]), kwargs={"flash": tr("duplicates.marked_different")},
                  width="stretch")
buttons.outcome("duplicates_actions", "duplicates_merge", "duplicates_not_duplicate", "duplicates_scan",
                "duplicates_undo")
