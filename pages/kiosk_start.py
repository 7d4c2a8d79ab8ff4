"""Start a kiosk on this tablet (outreach staff at a market): the market, the day and a PIN to end it.

From the next click on, this session has the kiosk's rights only (crm_app.access.kiosk) and shows the kiosk
screen alone. Below: which kiosk languages a native speaker has reviewed.
"""
import streamlit as st

from crm_app.access import kiosk
from crm_app.core import i18n
from crm_app.core.clock import today
from crm_app.core.errors import ValidationError
from crm_app.ui import actions, feedback, keypad, session, widgets
from crm_app.ui import kiosk as kiosk_ui
from crm_app.ui.resources import get_store
from crm_app.ui.text import date_format, label, lang, tr

user = session.require("kiosk.start")
state = st.session_state
FIELDS = {"kiosk_market": "kiosk_start_market", "kiosk_day": "kiosk_start_day", "kiosk_pin": "kiosk_start_pin"}


@actions.callback
def _start() -> None:
    pin = state.get("kiosk_start_pin", "")
    state["kiosk_start_pin"] = ""
    try:
        kiosk.start(get_store(), session.current_user(), session.current_token(), state.get("kiosk_start_market"),
                    state.get("kiosk_start_day"), pin)
    except ValidationError as exc:
        state["kiosk_start_errors"] = i18n.field_errors(exc, lang())
        return
    state.pop("kiosk_start_errors", None)
    kiosk_ui.clear()          # the kiosk screen starts at its language chooser


st.title(tr("kiosk_start.title"), anchor=False)
st.write(tr("kiosk_start.intro"))
errors = state.get("kiosk_start_errors", {})
state.setdefault("kiosk_start_day", today())
st.text_input(tr("kiosk_start.market"), key="kiosk_start_market", max_chars=120, placeholder=tr("kiosk_start.market_hint"))
st.date_input(tr("kiosk_start.day"), key="kiosk_start_day", format=date_format())
st.text_input(tr("kiosk_start.pin"), key="kiosk_start_pin", type="password", max_chars=12, autocomplete="new-password")
keypad.digits("kiosk_start_pin")
feedback.outcome("kiosk_start", after=("kiosk_start_submit",), errors=errors, summary=tr("kiosk_start.fix"),
                 widget_keys=FIELDS)
widgets.field_refusals(errors, {field: tr(f"kiosk_start.field.{field}") for field in FIELDS})
st.button(tr("kiosk_start.submit"), key="kiosk_start_submit", type="primary", on_click=_start, width="stretch")

st.subheader(tr("kiosk_start.translations"), anchor=False)
st.caption(tr("kiosk_start.translations_help"))
st.dataframe([{tr("kiosk_start.col.language"): i18n.kt("kiosk.language_name", review.lang),
               tr("kiosk_start.col.status"): label("translation_status", review.status),
               tr("kiosk_start.col.translator"): review.translator, tr("kiosk_start.col.reviewer"): review.reviewer,
               tr("kiosk_start.col.reviewed_on"): review.reviewed_on}
              for review in i18n.review_status()], hide_index=True, width="stretch")
