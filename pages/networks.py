"""Networks: create or change one — places, term, rest period, cadence and composition targets."""
import pandas as pd
import streamlit as st

from crm_app.core import i18n
from crm_app.core.errors import CrmError, ValidationError
from crm_app.networks import composition, registry
from crm_app.ui import feedback, session, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import label, lang, tr

user = session.require("network.manage")
store = get_store()
state = st.session_state
NEW = 0
TARGET_COLUMNS = ["dimension", "value", "measure", "min", "max"]


def _bound_text(value, measure: str) -> str:
    if value is None:
        return ""
    return f"{value * 100:g}%" if measure == "share" else f"{value:g}"


def _load(network) -> None:
    """Put a network (or a blank one) into the form's widgets."""
    source = network or registry.Network(0, "", "sounding_board", 0, 15, 12, 2, 12, "monthly", None)
    for field, value in (("name", source.name), ("kind", source.kind), ("min_places", str(source.min_places)),
                         ("max_places", str(source.max_places)), ("term_months", str(source.term_months)),
                         ("max_terms", str(source.max_consecutive_terms)), ("rest_months", str(source.rest_months)),
                         ("cadence", source.meeting_cadence), ("alumni_network", source.alumni_network_id or NEW)):
        state[f"networks_{field}"] = value
    state["networks_targets_start"] = pd.DataFrame(
        [{"dimension": t.dimension, "value": t.dim_value or "", "measure": t.measure,
          "min": _bound_text(t.min_value, t.measure), "max": _bound_text(t.max_value, t.measure)}
         for t in source.targets], columns=TARGET_COLUMNS)
    state.pop("networks_targets", None)
    state["networks_errors"] = {}


def _targets_from_editor() -> list[registry.TargetInput]:
    """The start rows with the editor's changes applied (callbacks run before the editor redraws)."""
    changes = state.get("networks_targets") or {}
    rows = state["networks_targets_start"].to_dict("records")
    for index, edits in changes.get("edited_rows", {}).items():
        rows[int(index)].update(edits)
    deleted = {int(i) for i in changes.get("deleted_rows", [])}
    rows = [row for index, row in enumerate(rows) if index not in deleted] + list(changes.get("added_rows", []))
    return [registry.TargetInput(r.get("dimension"), r.get("value") or None, r.get("measure"),
                                 r.get("min") or None, r.get("max") or None)
            for r in rows if any(str(r.get(c) or "").strip() for c in TARGET_COLUMNS)]


def _save(network_id: int | None) -> None:
    data = registry.NetworkInput(
        state["networks_name"], state["networks_kind"], state["networks_min_places"], state["networks_max_places"],
        state["networks_term_months"], state["networks_max_terms"], state["networks_rest_months"],
        state["networks_cadence"], state["networks_alumni_network"] or None)
    try:
        saved = registry.save(store, session.actor(), data, _targets_from_editor(), network_id)
    except ValidationError as exc:
        state["networks_errors"] = i18n.field_errors(exc, lang())
        return
    except CrmError as exc:
        state["networks_errors"] = {"name": i18n.error_text(exc, lang())}
        return
    state["networks_flash"] = tr("networks.saved")
    state["networks_edit"] = saved
    state.pop("networks_loaded", None)


st.title(tr("networks.title"))
all_networks = registry.list_networks(store, session.actor())
choices = {NEW: tr("networks.new")} | {n.id: n.name for n in all_networks}
if state.get("networks_edit") not in choices:
    state["networks_edit"] = NEW
chosen = st.selectbox(tr("networks.edit"), list(choices), key="networks_edit", format_func=choices.get)
current = next((n for n in all_networks if n.id == chosen), None)
if state.get("networks_loaded") != chosen:
    _load(current)
    state["networks_loaded"] = chosen
errors = state.get("networks_errors", {})

st.text_input(tr("field.network_name"), key="networks_name", max_chars=120)
widgets.field_error(errors, "name")
st.selectbox(tr("field.network_kind"), registry.KINDS, key="networks_kind", format_func=lambda k: label("network_kind", k))
left, right = st.columns(2)
for column, field in ((left, "min_places"), (right, "max_places"), (left, "term_months"), (right, "max_terms"),
                      (left, "rest_months")):
    with column:
        st.text_input(tr(f"field.{field}"), key=f"networks_{field}", max_chars=4)
        widgets.field_error(errors, {"max_terms": "max_consecutive_terms"}.get(field, field))
with right:
    st.selectbox(tr("field.cadence"), registry.CADENCES, key="networks_cadence", format_func=lambda c: label("cadence", c))
alumni = {NEW: tr("field.none")} | {n.id: n.name for n in all_networks if n.kind == "alumni_network" and n.id != chosen}
if state.get("networks_alumni_network") not in alumni:
    state["networks_alumni_network"] = NEW
st.selectbox(tr("field.alumni_network"), list(alumni), key="networks_alumni_network", format_func=alumni.get)

st.subheader(tr("networks.targets"))
st.caption(tr("networks.targets_help"))
st.data_editor(
    state["networks_targets_start"], key="networks_targets", num_rows="dynamic", hide_index=True,
    width="stretch",
    column_config={
        "dimension": st.column_config.SelectboxColumn(tr("networks.col.dimension"), options=composition.DIMENSIONS,
                                                      required=True),
        "value": st.column_config.TextColumn(tr("networks.col.value")),
        "measure": st.column_config.SelectboxColumn(tr("networks.col.measure"), options=registry.MEASURES,
                                                    required=True, default="count"),
        "min": st.column_config.TextColumn(tr("networks.col.min")),
        "max": st.column_config.TextColumn(tr("networks.col.max")),
    })
for field, message in errors.items():
    if field.startswith("target_"):
        st.markdown(f":red[:material/error: {tr('networks.target_row', row=field.split('_')[1])}: {message}]")
feedback.outcome("networks", after=("networks_save",), success=state.pop("networks_flash", None), errors=errors,
                 widget_keys={"max_consecutive_terms": "networks_max_terms"}
                 | {field: "networks_targets" for field in errors if field.startswith("target_")})
st.button(tr("networks.save"), key="networks_save", type="primary", on_click=_save,
          args=(None if chosen == NEW else chosen,), width="stretch")
