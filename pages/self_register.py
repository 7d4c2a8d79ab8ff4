"""Kiosk self-registration: a newcomer leaves their own details. Shows nothing about anyone else."""
import streamlit as st

from crm_app.core import i18n
from crm_app.core.errors import ValidationError
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.ui import actions, feedback, session, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import lang, tr

SCREEN = "kiosk"
user = session.require("person.self_register")
state = st.session_state


@actions.callback
def _submit() -> None:
    try:
        # Possible duplicates are kept for staff to review: the kiosk never shows who else is registered.
        persons.register(get_store(), session.actor(), widgets.read_person(SCREEN),
                         SourceInput(kind="self_registration", source_name=user.display_name),
                         consent_method="form", confirmed_new=True)
    except ValidationError as exc:
        state["kiosk_errors"] = i18n.field_errors(exc, lang())
        return
    state["kiosk_errors"] = {}
    state["kiosk_thanks"] = True
    widgets.clear_person_state(SCREEN)


st.title(tr("self.title"), anchor=False)
st.write(tr("self.intro"))
errors = state.get("kiosk_errors", {})
widgets.contact_fields(SCREEN, errors)
widgets.consent_fields(SCREEN, errors, with_method=False)
widgets.dimension_fields(SCREEN, errors)
feedback.outcome(SCREEN, after=("kiosk_submit",), errors=errors,
                 success=tr("self.thanks") if state.pop("kiosk_thanks", False) else None)
st.button(tr("self.submit"), key="kiosk_submit", type="primary", on_click=_submit, width="stretch")
