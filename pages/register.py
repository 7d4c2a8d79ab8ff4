"""Register a candidate: fast, on a phone at a market stall, warned of duplicates before saving."""
import pandas as pd
import streamlit as st

from crm_app.core import i18n, permissions
from crm_app.core.errors import ValidationError
from crm_app.core.fields import display_name, format_phone
from crm_app.networks import waitlists
from crm_app.people import persons
from crm_app.ui import actions, feedback, session, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import escape, label, lang, tr, tr_md

SCREEN = "register"
user = session.require("person.register")
store = get_store()
state = st.session_state
# The lists a newcomer can be put on here (not the alumni networks): outreach may, with contact consent.
joinable = waitlists.joinable(store, session.actor()) if permissions.allowed(user.role, "waitlist.join") else {}


def _join_lists(person_id: int) -> None:
    """After a save: the picked lists, each on its own (a refusal on one is shown beside the others)."""
    picked = [n for n in state.get("register_networks") or [] if n in joinable]
    state["register_networks"] = []
    if picked and state.get("register_consent_contact"):
        state["register_joined"] = {joinable[n]: problem
                                    for n, problem in waitlists.join(store, session.actor(), person_id, picked).items()}


@actions.callback
def _save(confirmed_new: bool) -> None:
    state.pop("register_saved", None)
    state.pop("register_joined", None)
    try:
        result = persons.register(store, session.actor(), widgets.read_person(SCREEN), widgets.read_source(SCREEN),
                                  consent_method=state.get("register_consent_method", "verbal"),
                                  confirmed_new=confirmed_new)
    except ValidationError as exc:
        state["register_errors"] = i18n.field_errors(exc, lang())
        state.pop("register_duplicates", None)
        return
    state["register_errors"] = {}
    if result.saved:
        name = display_name(state.get("register_given_name"), state.get("register_family_name"))
        state["register_saved"] = (result.person_id, name, "register.saved")
        state.pop("register_duplicates", None)
        _join_lists(result.person_id)
        widgets.clear_person_state(SCREEN)  # the source stays: the next person is met at the same stall
    else:
        state["register_duplicates"] = result.duplicates


@actions.callback
def _use_existing(person_id: int) -> None:
    """Same person: when the form holds details the record lacks or has otherwise, offer them field by field
    (a name spelled otherwise alone is no new detail: the record keeps its spelling, the source is added)."""
    existing = persons.to_input(persons.get(store, session.actor(), person_id, record_view=False))
    if set(persons.typed_differences(existing, widgets.read_person(SCREEN))) - {"given_name", "family_name"}:
        state["register_merge_into"] = person_id
        for name in persons.TYPED_FIELDS:
            state.pop(f"register_take_{name}", None)
        return
    _add_to_existing(person_id, [])


@actions.callback
def _add_to_existing(person_id: int, take: list[str] | None = None) -> None:
    if take is None:
        take = [name for name in persons.TYPED_FIELDS if state.get(f"register_take_{name}")]
    try:
        persons.add_to_existing(store, session.actor(), person_id, widgets.read_person(SCREEN),
                                widgets.read_source(SCREEN), take,
                                consent_method=state.get("register_consent_method", "verbal"))
    except ValidationError as exc:
        state["register_errors"] = i18n.field_errors(exc, lang())
        return
    state.pop("register_merge_into", None)
    if not (state.get("register_networks") and state.get("register_consent_contact")):
        state.pop("register_duplicates", None)
        widgets.clear_person_state(SCREEN)
        state["register_open_person"] = person_id
        return
    # Lists were picked: their outcome is shown here, beside the others, with a link to the person.
    match = next(m for m in state.pop("register_duplicates") if m.person_id == person_id)
    state["register_saved"] = (person_id, display_name(match.given_name, match.family_name), "register.added_to_existing")
    state.pop("register_joined", None)
    _join_lists(person_id)
    widgets.clear_person_state(SCREEN)


def _shown(name: str, value) -> str:
    """A form or record value as text for the side-by-side table."""
    if value in (None, "", []):
        return ""
    if isinstance(value, bool):
        return tr("register.merge.yes" if value else "register.merge.no")
    if isinstance(value, list):
        return ", ".join(value)
    if name in ("gender", "education_level", "integration_route"):
        return label(name, value)
    return format_phone(value) if name == "phone" and str(value).startswith("+") else str(value)


def _merge_offer(person_id: int) -> None:
    """The typed details beside the record's, each with a box to take it over (an empty field is ticked)."""
    existing = persons.to_input(persons.get(store, session.actor(), person_id, record_view=False))
    typed = widgets.read_person(SCREEN)
    names = persons.typed_differences(existing, typed)
    with st.container(border=True, key="register_merge"):
        st.markdown(tr_md("register.merge.title", id=person_id))
        old_values = [_shown(n, getattr(existing, persons.TYPED_FIELDS[n][0])) for n in names]
        st.dataframe(pd.DataFrame({   # cells show stored text as text
            tr("register.compare.field"): [tr(f"field.{n}") for n in names],
            tr("register.compare.existing", id=person_id): old_values,
            tr("register.compare.new"): [_shown(n, getattr(typed, persons.TYPED_FIELDS[n][0])) for n in names],
        }), hide_index=True, width="stretch")
        st.caption(tr("register.merge.help"))
        for name, old in zip(names, old_values):
            st.checkbox(tr(f"field.{name}"), key=f"register_take_{name}", value=old == "" or name == "other_languages")
        st.button(tr("register.merge.confirm"), key="register_merge_confirm", type="primary", on_click=_add_to_existing,
                  args=(person_id,), width="stretch")
        st.button(tr("register.merge.cancel"), key="register_merge_cancel", on_click=_cancel_merge, width="stretch")


@actions.callback
def _cancel_merge() -> None:
    state.pop("register_merge_into", None)


if "register_open_person" in state:
    st.switch_page("pages/person.py", query_params={"id": str(state.pop("register_open_person"))})

st.title(tr("register.title"), anchor=False)
errors = state.get("register_errors", {})

widgets.contact_fields(SCREEN, errors)
st.subheader(tr("register.section.source"), anchor=False)
widgets.source_fields(SCREEN, errors)
st.subheader(tr("register.section.consent"), anchor=False)
widgets.consent_fields(SCREEN, errors)
if joinable:
    state.setdefault("register_networks", [])
    st.multiselect(tr("register.networks"), list(joinable), key="register_networks", format_func=joinable.get,
                   placeholder=tr("field.none"), disabled=not state.get("register_consent_contact"),
                   help=tr("register.networks_help"))
widgets.dimension_fields(SCREEN, errors)
widgets.note_field(SCREEN, errors)

duplicates = state.get("register_duplicates")
if duplicates:
    st.warning(tr("register.duplicates_found"))
    entered = widgets.read_person(SCREEN)
    for match in duplicates:
        with st.container(border=True, key=f"register_match_{match.person_id}"):
            reasons = ", ".join(tr(f"reason.{reason}") for reason in match.reasons)
            st.markdown(f"**#{match.person_id} {escape(display_name(match.given_name, match.family_name))}** — {reasons}")
            rows = [
                (tr("field.given_name"), entered.given_name, match.given_name, "similar_name" in match.reasons),
                (tr("field.family_name"), entered.family_name, match.family_name, "similar_name" in match.reasons),
                (tr("field.phone"), entered.phone, format_phone(match.phone_e164), "same_phone" in match.reasons),
                (tr("field.email"), entered.email, match.email, "same_email" in match.reasons),
                (tr("field.birth_year"), entered.birth_year, match.birth_year,
                 "same_birth_year" in match.reasons or "near_birth_year" in match.reasons),
            ]
            st.table({
                tr("register.compare.field"): [r[0] for r in rows],
                tr("register.compare.new"): [escape(r[1] or "") for r in rows],      # st.table renders Markdown
                tr("register.compare.existing", id=match.person_id): [escape(r[2] or "") for r in rows],
                tr("register.compare.agrees"): ["✓" if r[3] else "" for r in rows],
            })
            if state.get("register_merge_into") == match.person_id:
                _merge_offer(match.person_id)
            else:
                st.button(tr("register.use_existing"), key=f"register_use_existing_{match.person_id}",
                          on_click=_use_existing, args=(match.person_id,), width="stretch")
    st.button(tr("register.confirm_new"), key="register_confirm_new", on_click=_save, args=(True,),
              width="stretch")

saved = state.get("register_saved")
with feedback.outcome(SCREEN, after=("register_submit", "register_confirm_new", "register_merge_confirm"), errors=errors,
                      success=tr_md(saved[2], name=saved[1], id=saved[0]) if saved else None,
                      summary=tr("register.fix_fields")):
    joined = state.get("register_joined") or {}
    if added := [name for name, problem in joined.items() if problem is None]:
        st.markdown(tr("register.joined", networks=", ".join(escape(name) for name in added)))
    for name, problem in joined.items():
        if problem is not None:
            st.warning(f"{escape(name)}: {i18n.error_text(problem, lang())}")
    if saved:
        widgets.page_link("pages/person.py", tr("register.open_person"), icon=":material/person:",
                          query_params={"id": str(saved[0])})

# While possible duplicates are shown, saving means deciding; an edited form can be checked again.
st.button(tr("register.check_again" if duplicates else "register.submit"), key="register_submit",
          type="secondary" if duplicates else "primary", on_click=_save, args=(False,), width="stretch")
