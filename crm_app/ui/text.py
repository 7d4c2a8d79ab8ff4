"""Translation and formatting in the language of this browser session."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from crm_app.core import formats, i18n

LANG_KEY = "app_lang"


def lang() -> str:
    value = st.session_state.get(LANG_KEY, i18n.DEFAULT_LANG)
    return value if value in i18n.LANGS else i18n.DEFAULT_LANG


def tr(key: str, **params) -> str:
    return i18n.t(key, lang(), **params)


def trn(key: str, count: int, **params) -> str:
    """A message with plural forms, chosen for `count`."""
    return i18n.tn(key, count, lang(), **params)


def label(group: str, value: str | None) -> str:
    return i18n.label(group, value, lang())


def fmt_date(value: dt.date | None) -> str:
    """A date in the user's language: 29-11-2026 in Dutch."""
    return formats.date(value, lang())


def fmt_datetime(utc_naive: dt.datetime | None) -> str:
    """Stored UTC shown in Europe/Amsterdam: 29-11-2026 14:05 in Dutch."""
    return formats.datetime(utc_naive, lang())


def date_format() -> str:
    """`format=` for st.date_input in the user's language: DD-MM-YYYY in Dutch."""
    return formats.date_input_format(lang())
