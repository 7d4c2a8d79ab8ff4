"""The kiosk at the market: a newcomer chooses a language and leaves their own details. Shows nothing about
anyone else; the thank-you replaces the form and the screen starts over by itself (crm_app.ui.kiosk)."""
import time

import phonenumbers
import streamlit as st

from crm_app.access import kiosk
from crm_app.core import i18n, reference
from crm_app.core.clock import to_local, utcnow
from crm_app.core.errors import ValidationError
from crm_app.people import interests, persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput
from crm_app.ui import actions, feedback, keypad, session
from crm_app.ui import kiosk as kiosk_ui
from crm_app.ui.resources import get_store
from crm_app.ui.text import escape, tr

user = session.require("person.self_register")
state = st.session_state
# The message shown under a field the server refused, by field; a code with a message of its own goes first.
FIELD_MESSAGES = {"given_name": "kiosk.err.given_name", "family_name": "kiosk.err.family_name",
                  "phone": "kiosk.err.phone", "phone_country": "kiosk.err.phone", "email": "kiosk.err.email",
                  "consent_contact": "kiosk.err.consent_contact"}
CODE_MESSAGES = {"contact_required": "kiosk.err.contact_required"}


def kt(key: str) -> str:
    return i18n.kt(key, state.get("kiosk_lang") or i18n.KIOSK_FALLBACK)


@actions.callback
def _choose(lang: str) -> None:
    kiosk_ui.clear()
    state["kiosk_lang"] = lang
    state["kiosk_preferred_language"] = reference.language_code(lang) or ""


@actions.callback
def _submit() -> None:
    lang = state["kiosk_lang"]
    data = PersonInput(given_name=state.get("kiosk_given_name"), family_name=state.get("kiosk_family_name"),
                       phone=state.get("kiosk_phone"), phone_country=state.get("kiosk_phone_country") or "NL",
                       email=state.get("kiosk_email"), preferred_language=state.get("kiosk_preferred_language") or None,
                       consent_contact=bool(state.get("kiosk_consent_contact")))
    place = user.kiosk
    source = SourceInput(kind="self_registration", source_name=place.market if place else user.display_name,
                         source_date=place.day if place else None)
    try:
        # A possible duplicate goes to the staff's review queue: the kiosk never says who else is registered.
        persons.register(get_store(), session.actor(), data, source, consent_method="form", confirmed_new=True,
                         consent_version=reference.kiosk_consent_version(lang),
                         interests_in=tuple(state.get("kiosk_interests") or ()))
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for item in exc.errors:   # the first problem per field, in the form's order
            errors.setdefault(item.field, CODE_MESSAGES.get(item.code) or FIELD_MESSAGES.get(item.field)
                              or "kiosk.err.other")
        state["kiosk_errors"] = errors
        return
    kiosk_ui.clear()
    state["kiosk_lang"] = lang
    state["kiosk_thanks_at"] = time.time()


@actions.callback
def _end() -> None:
    place = user.kiosk
    if place is not None and not place.staff_session:       # the kiosk account: its own password logs it out
        if session.password_matches(user, state.get("kiosk_pin", "")):
            kiosk_ui.clear()
            session.logout()
            return
        state["kiosk_pin_refused"] = None
    else:
        attempt = kiosk.end(get_store(), session.current_token(), state.get("kiosk_pin", ""))
        if attempt.ended:
            kiosk_ui.clear()
            return
        state["kiosk_pin_refused"] = attempt.retry_at
    state["kiosk_pin"] = ""


@actions.callback
def _restart() -> None:
    kiosk_ui.clear()


@actions.callback
def _open_staff_panel() -> None:
    kiosk_ui.clear()
    state["kiosk_staff_panel"] = True


def _error(*fields: str) -> None:
    """The messages for these fields (`None`: every refused field the form does not show) under what was drawn last."""
    errors = state.get("kiosk_errors", {})
    wanted = fields or [field for field in errors if field not in FIELD_MESSAGES]
    for key in dict.fromkeys(errors[field] for field in wanted if field in errors):
        st.markdown(f":red[:material/error: {kt(key)}]")


def chooser() -> None:
    st.title(f"{i18n.kt('kiosk.choose', 'nl')} · {i18n.kt('kiosk.choose', 'en')}", anchor=False)
    languages = i18n.kiosk_languages()
    columns = st.columns(2)
    for index, lang in enumerate(languages):
        with columns[index % 2]:
            st.button(i18n.kt("kiosk.language_name", lang), key=f"kiosk_lang_{lang}", on_click=_choose, args=(lang,),
                      width="stretch")
    with st.container(key="kiosk_staff"):
        st.button(tr("kiosk_mode.staff"), key="kiosk_staff_open", type="tertiary", on_click=_open_staff_panel)


def staff_panel() -> None:
    """Staff end the kiosk here: the PIN they set (or, on the kiosk account, its password)."""
    place = user.kiosk
    staff_session = place is None or place.staff_session
    st.subheader(tr("kiosk_mode.staff_title"), anchor=False)
    st.text_input(tr("kiosk_mode.pin") if staff_session else tr("login.password"), key="kiosk_pin", type="password",
                  autocomplete="off", max_chars=128)
    if staff_session:
        keypad.digits("kiosk_pin")
    if "kiosk_pin_refused" in state:
        retry = state["kiosk_pin_refused"]
        st.error(tr("kiosk_mode.pin_wait", time=to_local(retry).strftime("%H:%M:%S")) if retry and retry > utcnow()
                 else tr("kiosk_mode.pin_wrong"))
    left, right = st.columns(2)
    left.button(tr("kiosk_mode.end") if staff_session else tr("app.logout"), key="kiosk_end", type="primary",
                on_click=_end, width="stretch")
    right.button(tr("kiosk_mode.back"), key="kiosk_back", on_click=_restart, width="stretch")


def thanks() -> None:
    st.title(kt("kiosk.thanks_title"), anchor=False)
    st.success(kt("kiosk.thanks"))
    st.button(kt("kiosk.done"), key="kiosk_done", type="primary", on_click=_restart, width="stretch")


def _country(code: str, names: dict[str, str]) -> str:
    dial = phonenumbers.country_code_for_region(code)
    return f"{names.get(code, code)} (+{dial})" if dial else names.get(code, code)


def form(lang: str) -> None:
    st.title(kt("kiosk.title"), anchor=False)
    st.write(kt("kiosk.intro"))
    st.text_input(kt("kiosk.given_name"), key="kiosk_given_name", max_chars=100, autocomplete="off")
    _error("given_name")
    st.text_input(kt("kiosk.family_name"), key="kiosk_family_name", max_chars=100, autocomplete="off")
    _error("family_name")
    countries = reference.countries(lang)
    state.setdefault("kiosk_phone_country", "NL")
    st.selectbox(kt("kiosk.phone_country"), list(countries), key="kiosk_phone_country",
                 format_func=lambda code: _country(code, countries), placeholder=kt("kiosk.choose_option"))
    st.text_input(kt("kiosk.phone"), key="kiosk_phone", max_chars=40, type="phone", autocomplete="off",
                  placeholder="06 12345678")
    keypad.telephone("kiosk_phone")
    _error("phone", "phone_country")
    st.text_input(kt("kiosk.email"), key="kiosk_email", max_chars=254, type="email", autocomplete="off",
                  placeholder="")
    _error("email")
    labels = reference.language_labels_with_english(lang)
    st.selectbox(kt("kiosk.preferred_language"), ["", *labels], key="kiosk_preferred_language",
                 format_func=lambda code: labels.get(code, "—"), placeholder=kt("kiosk.choose_option"))
    networks = interests.open_networks(get_store(), session.actor())
    if networks:
        st.pills(kt("kiosk.interests"), list(networks), selection_mode="multi", key="kiosk_interests",
                 format_func=lambda network_id: escape(networks[network_id]))
    st.info(kt("kiosk.consent_text"))
    st.checkbox(kt("kiosk.consent"), key="kiosk_consent_contact")
    _error("consent_contact")
    _error()
    errors = state.get("kiosk_errors", {})
    feedback.outcome("kiosk", after=("kiosk_submit",), errors={field: kt(key) for field, key in errors.items()})
    st.button(kt("kiosk.submit"), key="kiosk_submit", type="primary", on_click=_submit, width="stretch")
    st.button(kt("kiosk.other_language"), key="kiosk_other_language", on_click=_restart, width="stretch")


kiosk_ui.reset_when_due()
with kiosk_ui.body(None if state.get("kiosk_staff_panel") else state.get("kiosk_lang")):
    if state.get("kiosk_staff_panel"):
        staff_panel()
    elif state.get("kiosk_thanks_at") is not None:
        thanks()
    elif state.get("kiosk_lang"):
        form(state["kiosk_lang"])
    else:
        chooser()
