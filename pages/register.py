"""Register a candidate: fast, on a phone at a market stall, warned of duplicates before saving."""
import streamlit as st

from crm_app.core import i18n
from crm_app.core.errors import ValidationError
from crm_app.core.fields import display_name, format_phone
from crm_app.people import persons, sources
from crm_app.ui import actions, feedback, session, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import escape, lang, tr, tr_md

SCREEN = "register"
user = session.require("person.register")
store = get_store()
state = st.session_state


@actions.callback
def _save(confirmed_new: bool) -> None:
    state.pop("register_saved", None)
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
        state["register_saved"] = (result.person_id, name)
        state.pop("register_duplicates", None)
        widgets.clear_person_state(SCREEN)  # the source stays: the next person is met at the same stall
    else:
        state["register_duplicates"] = result.duplicates


@actions.callback
def _use_existing(person_id: int) -> None:
    try:
        sources.add_source(store, session.actor(), person_id, widgets.read_source(SCREEN))
    except ValidationError as exc:
        state["register_errors"] = i18n.field_errors(exc, lang())
        return
    state.pop("register_duplicates", None)
    widgets.clear_person_state(SCREEN)
    state["register_open_person"] = person_id


if "register_open_person" in state:
    st.switch_page("pages/person.py", query_params={"id": str(state.pop("register_open_person"))})

st.title(tr("register.title"), anchor=False)
errors = state.get("register_errors", {})

widgets.contact_fields(SCREEN, errors)
st.subheader(tr("register.section.source"), anchor=False)
widgets.source_fields(SCREEN, errors)
st.subheader(tr("register.section.consent"), anchor=False)
widgets.consent_fields(SCREEN, errors)
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
            st.button(tr("register.use_existing"), key=f"register_use_existing_{match.person_id}",
                      on_click=_use_existing, args=(match.person_id,), width="stretch")
    st.button(tr("register.confirm_new"), key="register_confirm_new", on_click=_save, args=(True,),
              width="stretch")

saved = state.get("register_saved")
with feedback.outcome(SCREEN, after=("register_submit", "register_confirm_new"), errors=errors,
                      success=tr_md("register.saved", name=saved[1]) if saved else None,
                      summary=tr("register.fix_fields")):
    if saved:
        widgets.page_link("pages/person.py", tr("register.open_person"), icon=":material/person:",
                          query_params={"id": str(saved[0])})

# While possible duplicates are shown, saving means deciding; an edited form can be checked again.
st.button(tr("register.check_again" if duplicates else "register.submit"), key="register_submit",
          type="secondary" if duplicates else "primary", on_click=_save, args=(False,), width="stretch")
