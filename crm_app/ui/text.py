"""Translation and formatting in the language of this browser session."""
from __future__ import annotations

import datetime as dt
import re

import streamlit as st

from crm_app.core import formats, i18n

LANG_KEY = "app_lang"


def lang() -> str:
    value = st.session_state.get(LANG_KEY, i18n.DEFAULT_LANG)
    return value if value in i18n.LANGS else i18n.DEFAULT_LANG


def tr(key: str, **params) -> str:
    return i18n.t(key, lang(), **params)


# Every ASCII punctuation sign: CommonMark shows an escaped one as itself, and Streamlit's own signs
# (`:red[…]`, `:material/…:`, `$$…$$`) lose their meaning too.
_MARKDOWN = re.compile(r"([!-/:-@\[-`{-~])")
# Streamlit's Markdown also turns a bare "http://…" or "www.…" into a link, escaped or not: an invisible
# word joiner after the scheme keeps the text as it reads and stops the link.
_BARE_LINK = re.compile(r"(?i)\b(https?|ftp|www)(?=[:.])")


def escape(text) -> str:
    """A stored value (a name, a note, a network) made safe inside Markdown: it shows as the text it is,
    never as a link, an image, a formula or colour. Every Streamlit element that takes Markdown needs it:
    markdown, caption, title, headers, alerts, toasts, and the labels of buttons, tabs and expanders."""
    return _MARKDOWN.sub(r"\\\1", _BARE_LINK.sub("\\1\u2060", str(text)))


def tr_md(key: str, **params) -> str:
    """`tr` for a Markdown element: every value put into the text is escaped (the catalogue's own text is not)."""
    return tr(key, **{name: escape(value) if isinstance(value, str) else value for name, value in params.items()})


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
