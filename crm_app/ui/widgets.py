"""Form widgets shared by the registration, person and kiosk screens.

Every widget key is `<screen>_<field>` (docs/architecture.md, "Pages"). Values live in session state, so a
refused form keeps everything typed; the per-field messages come from the server-side validation.
"""
from __future__ import annotations

from urllib.parse import urlencode

import phonenumbers
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from crm_app.core import reference
from crm_app.core.clock import today
from crm_app.core.fields import HOME_REGION, record_id
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput
from crm_app.ui import keypad
from crm_app.ui.text import date_format, escape, label, lang, tr

PERSON_FIELDS = ("given_name", "family_name", "phone_country", "phone", "email", "preferred_language",
                 "other_languages", "note", "consent_contact", "consent_diversity_statistics",
                 "consent_share_with_referrer", "consent_photo", "gender",
                 "birth_year", "country_of_origin", "education_level", "municipality", "district",
                 "arrival_year", "integration_route")
SOURCE_FIELDS = ("source_kind", "source_name", "source_org", "source_date", "source_detail")
_SOURCE_WITH_ORG = ("coach_referral",)
_SOURCE_WITH_DATE = ("market", "event")


def _defaults(data: PersonInput) -> dict:
    values = {name: getattr(data, name) for name in PERSON_FIELDS}
    for name, value in values.items():
        if name.startswith("consent_"):
            values[name] = bool(value)
        elif value is None:
            values[name] = "" if name not in ("phone_country",) else HOME_REGION
        elif isinstance(value, int) and not isinstance(value, bool):
            values[name] = str(value)
    values["other_languages"] = list(data.other_languages or [])
    return values


def load_person_state(screen: str, data: PersonInput) -> None:
    """Put a person's values into the widgets of `screen` (before the widgets are drawn)."""
    for name, value in _defaults(data).items():
        st.session_state[f"{screen}_{name}"] = value


def clear_person_state(screen: str) -> None:
    load_person_state(screen, PersonInput())


def read_person(screen: str) -> PersonInput:
    """The raw values of the person widgets of `screen`, for the server to validate."""
    get = st.session_state.get
    consent_div = bool(get(f"{screen}_consent_diversity_statistics", False))
    dims = {name: (get(f"{screen}_{name}") or None) for name in (
        "gender", "birth_year", "country_of_origin", "education_level", "municipality", "district",
        "arrival_year", "integration_route")}
    if not consent_div:
        dims = {}  # the section is hidden without consent; hidden values are never stored
    return PersonInput(
        given_name=get(f"{screen}_given_name"), family_name=get(f"{screen}_family_name"),
        phone=get(f"{screen}_phone"), phone_country=get(f"{screen}_phone_country") or HOME_REGION,
        email=get(f"{screen}_email"), preferred_language=get(f"{screen}_preferred_language") or None,
        other_languages=list(get(f"{screen}_other_languages") or []), note=get(f"{screen}_note"),
        consent_contact=bool(get(f"{screen}_consent_contact", False)),
        consent_diversity_statistics=consent_div, **dims, **_asked_consents(screen),
    )


def _asked_consents(screen: str) -> dict:
    """Photo and sharing as ticked, or None where the screen did not ask (left as they are). A box not drawn
    in the last run (sharing, after the source changed to one without a referrer) is gone from the session
    state: Streamlit drops the state of widgets a run did not draw."""
    get = st.session_state.get
    return {name: None if get(f"{screen}_{name}") is None else bool(get(f"{screen}_{name}"))
            for name in ("consent_photo", "consent_share_with_referrer")}


def read_source(screen: str) -> SourceInput:
    get = st.session_state.get
    kind = get(f"{screen}_source_kind")
    return SourceInput(
        kind=kind, source_name=get(f"{screen}_source_name"),
        source_org=get(f"{screen}_source_org") if kind in _SOURCE_WITH_ORG else None,
        source_date=get(f"{screen}_source_date") if kind in _SOURCE_WITH_DATE else None,
        detail=get(f"{screen}_source_detail"),
    )


def field_error(errors: dict[str, str], field: str) -> None:
    if field in errors:
        st.markdown(f":red[:material/error: {errors[field]}]")


def _ensure(key: str, default) -> None:
    if key not in st.session_state:
        st.session_state[key] = default


def _country_label(code: str) -> str:
    dial = phonenumbers.country_code_for_region(code)
    name = reference.countries(lang()).get(code, code)
    return f"{name} (+{dial})" if dial else name


def _choice(screen: str, field: str, options, group: str, errors: dict[str, str]) -> None:
    key = f"{screen}_{field}"
    _ensure(key, "")
    st.selectbox(tr(f"field.{field}"), ("",) + tuple(options), key=key, placeholder=tr("app.choose"),
                 format_func=lambda v: label(group, v) if v else tr("field.none"))
    field_error(errors, field)


def contact_fields(screen: str, errors: dict[str, str]) -> None:
    """Names, phone with its country, email and languages: the fields every registration has."""
    for name, default in (("given_name", ""), ("family_name", ""), ("phone", ""), ("email", ""),
                          ("phone_country", HOME_REGION), ("preferred_language", ""), ("other_languages", [])):
        _ensure(f"{screen}_{name}", default)
    st.text_input(tr("field.given_name"), key=f"{screen}_given_name", max_chars=100)
    field_error(errors, "given_name")
    st.text_input(tr("field.family_name"), key=f"{screen}_family_name", max_chars=100)
    field_error(errors, "family_name")
    # The home country first: the usual choice, and what the browser shows should it ever fall back to the
    # first option (seen now and then when staff typed the moment the screen opened; docs/scaling.md).
    countries = [HOME_REGION, *(code for code in reference.countries(lang()) if code != HOME_REGION)]
    country_col, phone_col = st.columns([2, 3])
    with country_col:
        st.selectbox(tr("field.phone_country"), countries, key=f"{screen}_phone_country", placeholder=tr("app.choose"),
                     format_func=_country_label)
        field_error(errors, "phone_country")
    with phone_col:
        st.text_input(tr("field.phone"), key=f"{screen}_phone", max_chars=40, placeholder="06 12345678")
        keypad.telephone(f"{screen}_phone")
        field_error(errors, "phone")
    st.text_input(tr("field.email"), key=f"{screen}_email", max_chars=254)
    field_error(errors, "email")
    _language_fields(screen, errors)


def _language_options(*kept: str) -> list[str]:
    """The offered languages, plus stored ones no longer offered so the person's own value stays shown."""
    offered = list(reference.language_labels(lang()))
    return offered + [code for code in dict.fromkeys(kept) if code and code not in offered]


def _language_label(code: str) -> str:
    return reference.language_labels(lang()).get(code) or reference.language_label(code, lang())


def _language_fields(screen: str, errors: dict[str, str]) -> None:
    """Preferred and other languages. A label carries every name a search may use: "Perzisch (Farsi) — فارسی"."""
    preferred = st.session_state[f"{screen}_preferred_language"]
    others = st.session_state[f"{screen}_other_languages"]
    st.selectbox(tr("field.preferred_language"), ["", *_language_options(preferred)],
                 key=f"{screen}_preferred_language", placeholder=tr("app.choose"),
                 format_func=lambda code: _language_label(code) if code else tr("field.none"))
    field_error(errors, "preferred_language")
    st.multiselect(tr("field.other_languages"), _language_options(*others), key=f"{screen}_other_languages",
                   format_func=_language_label, placeholder=tr("field.none"))
    field_error(errors, "other_languages")


def consent_fields(screen: str, errors: dict[str, str], *, with_method: bool = True, referrer: bool | None = None,
                   given: dict[str, bool] | None = None) -> None:
    """A box per consent purpose. Staff screens (`with_method`) also ask photo and sharing with the referrer,
    which staff explain; sharing only where there is a referrer (`referrer`, or else the source kind picked on
    this screen). `given` (the stored consents) adds under each ticked-off one what withdrawing it does."""
    purposes = ["contact", "diversity_statistics"]
    if with_method:
        if referrer is None:
            referrer = st.session_state.get(f"{screen}_source_kind") in reference.REFERRER_SOURCE_KINDS
        purposes += ["share_with_referrer", "photo"] if referrer else ["photo"]
    for purpose in purposes:
        key = f"{screen}_consent_{purpose}"
        _ensure(key, False)
        st.checkbox(tr(f"field.consent_{purpose}"), key=key)
        if given and given.get(purpose) and not st.session_state[key]:
            st.caption(tr(f"consent.withdraw_effect.{purpose}"))
        field_error(errors, f"consent_{purpose}")
    if with_method:
        _ensure(f"{screen}_consent_method", "verbal")
        st.radio(tr("field.consent_method"), reference.CONSENT_METHODS, key=f"{screen}_consent_method",
                 format_func=lambda v: label("consent_method", v), horizontal=True)


def dimension_fields(screen: str, errors: dict[str, str]) -> None:
    """The optional characteristics; drawn only while the diversity-statistics consent is ticked."""
    if not st.session_state.get(f"{screen}_consent_diversity_statistics"):
        return
    st.markdown(f"**{tr('register.section.dimensions')}**")
    _choice(screen, "gender", reference.GENDERS, "gender", errors)
    for field in ("birth_year", "arrival_year"):
        _ensure(f"{screen}_{field}", "")
    left, right = st.columns(2)
    with left:
        st.text_input(tr("field.birth_year"), key=f"{screen}_birth_year", max_chars=4, placeholder="1990")
        field_error(errors, "birth_year")
    with right:
        st.text_input(tr("field.arrival_year"), key=f"{screen}_arrival_year", max_chars=4, placeholder="2022")
        field_error(errors, "arrival_year")
    countries = reference.countries(lang())
    _ensure(f"{screen}_country_of_origin", "")
    st.selectbox(tr("field.country_of_origin"), [""] + list(countries), key=f"{screen}_country_of_origin",
                 placeholder=tr("app.choose"),
                 format_func=lambda code: countries.get(code, tr("field.none")))
    field_error(errors, "country_of_origin")
    _choice(screen, "education_level", reference.EDUCATION_LEVELS, "education_level", errors)
    _choice(screen, "integration_route", reference.INTEGRATION_ROUTES, "integration_route", errors)
    for field in ("municipality", "district"):
        _ensure(f"{screen}_{field}", "")
        st.text_input(tr(f"field.{field}"), key=f"{screen}_{field}", max_chars=120)
        field_error(errors, field)


def note_field(screen: str, errors: dict[str, str]) -> None:
    _ensure(f"{screen}_note", "")
    st.text_area(tr("field.note"), key=f"{screen}_note", max_chars=2000, height=90)
    field_error(errors, "note")


def source_fields(screen: str, errors: dict[str, str]) -> None:
    """How the person was found; the detail fields follow the kind (market and day, coach and organisation…)."""
    _ensure(f"{screen}_source_kind", "market")
    _ensure(f"{screen}_source_name", "")
    _ensure(f"{screen}_source_org", "")
    _ensure(f"{screen}_source_date", today())
    _ensure(f"{screen}_source_detail", "")
    st.selectbox(tr("field.source_kind"), reference.SOURCE_KINDS, key=f"{screen}_source_kind", placeholder=tr("app.choose"),
                 format_func=lambda v: label("source_kind", v))
    field_error(errors, "source_kind")
    kind = st.session_state[f"{screen}_source_kind"]
    st.text_input(tr(f"field.source_name.{kind}"), key=f"{screen}_source_name", max_chars=120)
    field_error(errors, "source_name")
    if kind in _SOURCE_WITH_ORG:
        st.text_input(tr("field.source_org"), key=f"{screen}_source_org", max_chars=120)
        field_error(errors, "source_org")
    if kind in _SOURCE_WITH_DATE:
        st.date_input(tr("field.source_date"), key=f"{screen}_source_date", format=date_format())
        field_error(errors, "source_date")
    st.text_input(tr("field.source_detail"), key=f"{screen}_source_detail", max_chars=240)
    field_error(errors, "source_detail")


def network_select(screen: str, networks_list) -> int | None:
    """Choose a network; remembered per screen. Returns its id, or None when there is none yet."""
    if not networks_list:
        st.info(tr("networks.none"))
        return None
    options = {n.id: n.name for n in networks_list}
    wanted = record_id(st.query_params.get("network", ""))
    if wanted in options and f"{screen}_network" not in st.session_state:
        st.session_state[f"{screen}_network"] = wanted
    if st.session_state.get(f"{screen}_network") not in options:
        st.session_state[f"{screen}_network"] = next(iter(options))
    return st.selectbox(tr("field.network"), list(options), key=f"{screen}_network",
                        placeholder=tr("app.choose"), format_func=options.get)


def show_refusal(exc, labels: dict[str, str] | None = None) -> None:
    """A refusal from the core as a plain message (never a traceback, never a value from the database).

    A refused input says what is wrong per field ("Already on this waiting list", "Explanation: please
    fill this in"), not only how many fields were wrong; `labels` names the fields on this screen.
    """
    from crm_app.core import i18n
    from crm_app.core.errors import ValidationError
    if isinstance(exc, ValidationError):
        field_refusals(i18n.field_errors(exc, lang()), labels)
        return
    st.error(i18n.error_text(exc, lang()))


def field_refusals(errors: dict[str, str], labels: dict[str, str] | None = None) -> None:
    """Field → message as one plain message per field, named by its label on this screen where it has one."""
    for field, message in errors.items():
        st.error(f"{labels[field]}: {message}" if labels and field in labels else message)


def page_link(path: str, text: str, icon: str | None = None, query_params: dict | None = None) -> None:
    """st.page_link, or a plain link when this script runs outside the app's navigation (a page opened
    on its own, as in page tests): the link still says where it goes instead of failing the screen.
    The label is Markdown, and usually holds a name: it is escaped here, once for every caller."""
    text = escape(text)
    try:
        st.page_link(path, label=text, icon=icon, query_params=query_params)
    except StreamlitPageNotFoundError:
        url = "/" + path.removeprefix("pages/").removesuffix(".py")
        if query_params:
            url += "?" + urlencode(query_params)
        st.markdown(f"[{text}]({url})")

