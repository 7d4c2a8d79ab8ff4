"""Networks: create or change one — places, term, rest period, cadence and composition targets."""
import streamlit as st

from crm_app.core import i18n
from crm_app.core.errors import CrmError, ValidationError
from crm_app.networks import composition, reasons, registry
from crm_app.ui import actions, feedback, session, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import escape, label, lang, tr

user = session.require("network.manage")
store = get_store()
state = st.session_state
NEW = 0
ANY = ""   # the value picker's "any value": a target per value, or on the number of different values


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
    state["networks_target_rows"] = [
        {"dimension": t.dimension, "value": t.dim_value, "measure": t.measure,
         "min": _bound_text(t.min_value, t.measure), "max": _bound_text(t.max_value, t.measure)}
        for t in source.targets]
    state["networks_errors"] = {}
    state["networks_target_errors"] = {}


def _target_inputs(rows: list[dict]) -> list[registry.TargetInput]:
    return [registry.TargetInput(r["dimension"], r["value"] or None, r["measure"], r["min"] or None, r["max"] or None)
            for r in rows]


def _target_text(row: dict) -> str:
    """A target as the list shows it, in the user's language: `Gender Vrouw · percentage van de plaatsen · minimum 40%`."""
    subject = reasons.dimension_label(row["dimension"], lang())
    if row["value"]:
        subject += " " + reasons.value_label(row["dimension"], row["value"], lang())
    bounds = [f"{tr(key).lower()} {row[end]}"
              for end, key in (("min", "networks.col.min"), ("max", "networks.col.max")) if row[end]]
    return " · ".join([subject[0].upper() + subject[1:], tr(f"networks.measure.{row['measure']}"), *bounds])


def _new_target_value() -> str | None:
    if reasons.value_options(state["networks_target_dimension"], lang()) is None:
        return state.get("networks_target_text") or None
    return state.get("networks_target_value") or None


@actions.callback
def _add_target() -> None:
    """Check the new target on its own (the places are checked on save) and put it in the list."""
    errors: list = []
    item = registry.TargetInput(state["networks_target_dimension"], _new_target_value(),
                                state["networks_target_measure"], state["networks_target_min"] or None,
                                state["networks_target_max"] or None)
    clean = registry.validate_targets([item], None, errors)
    if errors:
        state["networks_target_errors"] = i18n.field_errors(ValidationError(errors), lang())
        return
    state["networks_target_rows"].append(
        {"dimension": item.dimension, "value": clean[0].dim_value, "measure": item.measure,
         "min": (item.min_value or "").strip(), "max": (item.max_value or "").strip()})
    state["networks_target_errors"] = {}
    state["networks_target_flash"] = tr("networks.target_added")
    for field in ("value", "text", "min", "max"):
        state[f"networks_target_{field}"] = ANY


@actions.callback
def _delete_target(index: int) -> None:
    del state["networks_target_rows"][index]
    state["networks_errors"] = {}


@actions.callback
def _save(network_id: int | None) -> None:
    data = registry.NetworkInput(
        state["networks_name"], state["networks_kind"], state["networks_min_places"], state["networks_max_places"],
        state["networks_term_months"], state["networks_max_terms"], state["networks_rest_months"],
        state["networks_cadence"], state["networks_alumni_network"] or None)
    try:
        saved = registry.save(store, session.actor(), data, _target_inputs(state["networks_target_rows"]), network_id)
    except ValidationError as exc:
        state["networks_errors"] = i18n.field_errors(exc, lang())
        return
    except CrmError as exc:
        state["networks_errors"] = {"name": i18n.error_text(exc, lang())}
        return
    state["networks_flash"] = tr("networks.saved")
    state["networks_edit"] = saved
    state.pop("networks_loaded", None)


st.title(tr("networks.title"), anchor=False)
all_networks = registry.list_networks(store, session.actor())
choices = {NEW: tr("networks.new")} | {n.id: n.name for n in all_networks}
if state.get("networks_edit") not in choices:
    state["networks_edit"] = NEW
chosen = st.selectbox(tr("networks.edit"), list(choices), key="networks_edit",
                      placeholder=tr("app.choose"), format_func=choices.get)
current = next((n for n in all_networks if n.id == chosen), None)
if state.get("networks_loaded") != chosen:
    _load(current)
    state["networks_loaded"] = chosen
errors = state.get("networks_errors", {})

st.text_input(tr("field.network_name"), key="networks_name", max_chars=120)
widgets.field_error(errors, "name")
st.selectbox(tr("field.network_kind"), registry.KINDS, key="networks_kind",
             placeholder=tr("app.choose"), format_func=lambda k: label("network_kind", k))
left, right = st.columns(2)
for column, field in ((left, "min_places"), (right, "max_places"), (left, "term_months"), (right, "max_terms"),
                      (left, "rest_months")):
    with column:
        st.text_input(tr(f"field.{field}"), key=f"networks_{field}", max_chars=4)
        widgets.field_error(errors, {"max_terms": "max_consecutive_terms"}.get(field, field))
with right:
    st.selectbox(tr("field.cadence"), registry.CADENCES, key="networks_cadence",
                 placeholder=tr("app.choose"), format_func=lambda c: label("cadence", c))
alumni = {NEW: tr("field.none")} | {n.id: n.name for n in all_networks if n.kind == "alumni_network" and n.id != chosen}
if state.get("networks_alumni_network") not in alumni:
    state["networks_alumni_network"] = NEW
st.selectbox(tr("field.alumni_network"), list(alumni), key="networks_alumni_network",
             placeholder=tr("app.choose"), format_func=alumni.get)

st.subheader(tr("networks.targets"), anchor=False)
st.caption(tr("networks.targets_intro"))
rows = state["networks_target_rows"]
if not rows:
    st.caption(tr("networks.no_targets"))
for index, row in enumerate(rows):
    text_column, delete_column = st.columns([5, 1], vertical_alignment="center")
    text_column.text(f"{index + 1}. {_target_text(row)}")
    delete_column.button(tr("networks.delete_target", row=index + 1), key=f"networks_target_delete_{index}",
                         icon=":material/delete:", on_click=_delete_target, args=(index,))
    for field, message in errors.items():
        if field.startswith(f"target_{index + 1}_"):
            st.markdown(f":red[:material/error: {tr('networks.target_row', row=index + 1)}: {escape(message)}]")

with st.container(border=True, key="networks_target_form"):
    st.markdown(f"**{tr('networks.new_target')}**")
    dimension = st.selectbox(tr("networks.col.dimension"), composition.DIMENSIONS, key="networks_target_dimension",
                             placeholder=tr("app.choose"),
                             format_func=lambda d: reasons.dimension_label(d, lang()).capitalize())
    options = reasons.value_options(dimension, lang())
    if options is None:
        st.text_input(tr("networks.col.value"), key="networks_target_text", max_chars=120,
                      placeholder=tr("networks.any_value"))
    else:
        if state.get("networks_target_value") not in (ANY, *options):
            state["networks_target_value"] = ANY
        st.selectbox(tr("networks.col.value"), [ANY, *options], key="networks_target_value", placeholder=tr("app.choose"),
                     format_func=lambda code: options.get(code) or tr("networks.any_value"))
    st.selectbox(tr("networks.col.measure"), registry.MEASURES, key="networks_target_measure", placeholder=tr("app.choose"),
                 format_func=lambda m: tr(f"networks.measure.{m}"))
    low_column, high_column = st.columns(2)
    low_column.text_input(tr("networks.col.min"), key="networks_target_min", max_chars=8)
    high_column.text_input(tr("networks.col.max"), key="networks_target_max", max_chars=8)
    for message in state.get("networks_target_errors", {}).values():
        st.markdown(f":red[:material/error: {escape(message)}]")
    if "networks_target_flash" in state:
        st.success(state.pop("networks_target_flash"))
    st.button(tr("networks.add_target"), key="networks_target_add", on_click=_add_target, icon=":material/add:")
feedback.outcome("networks", after=("networks_save",), success=state.pop("networks_flash", None), errors=errors,
                 widget_keys={"max_consecutive_terms": "networks_max_terms"}
                 | {field: f"networks_target_delete_{int(field.split('_')[1]) - 1}"
                    for field in errors if field.startswith("target_") and field.split("_")[1].isdigit()})
st.button(tr("networks.save"), key="networks_save", type="primary", on_click=_save,
          args=(None if chosen == NEW else chosen,), width="stretch")
