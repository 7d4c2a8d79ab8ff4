"""Dates and times as people read them in their language: CLDR patterns through Babel, times in Europe/Amsterdam.

One rule for every language, so a new language needs no code: CLDR's short date with the year in full
(Dutch dd-MM-y → 29-11-2026, English M/d/y → 11/29/2026). The date pickers and chart axes take the same
order and separator, spelled the way Streamlit and Vega want them.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal

from babel import Locale, UnknownLocaleError, dates, numbers

from crm_app.core.clock import to_local

_STREAMLIT = {"d": "DD", "M": "MM", "y": "YYYY"}
_STREAMLIT_ORDERS = ("dMy", "Mdy", "yMd")   # the only orders st.date_input accepts
_D3 = {"d": "%-d", "dd": "%d", "M": "%-m", "MM": "%m"}


@functools.lru_cache(maxsize=16)
def cldr_locale(lang: str) -> Locale:
    """The CLDR locale of a UI language; English when CLDR does not know it (a test catalogue)."""
    try:
        return Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        return Locale("en")


@functools.lru_cache(maxsize=16)
def _date_pattern(lang: str) -> str:
    return re.sub(r"y+", "y", cldr_locale(lang).date_formats["short"].pattern)


def _fields(lang: str) -> tuple[list[str], str]:
    """The day, month and year fields of the short date in order (['dd', 'MM', 'y']) and their separator."""
    pattern = _date_pattern(lang)
    return re.findall(r"d+|M+|y+", pattern), next((c for c in pattern if c in "/-."), "/")


def date(value: dt.date | None, lang: str) -> str:
    return dates.format_date(value, _date_pattern(lang), locale=cldr_locale(lang)) if value else ""


def datetime(utc_naive: dt.datetime | None, lang: str) -> str:
    """Stored UTC shown in Europe/Amsterdam: 29-11-2026 14:05 in Dutch, 11/29/2026 2:05 PM in English.

    Date and time are joined by a space rather than CLDR's "{1}, {0}": tables read better without the comma.
    """
    if not utc_naive:
        return ""
    local = to_local(utc_naive)
    return f"{date(local.date(), lang)} {dates.format_time(local, 'short', locale=cldr_locale(lang))}"


def long_date(value: dt.date, lang: str) -> str:
    """A date written out for a letter or a message: "donderdag 10 december 2026", "Thursday, December 10, 2026"."""
    return dates.format_date(value, "full", locale=cldr_locale(lang))


def time_of_day(value: dt.time, lang: str) -> str:
    """A local time of day: 19:30 in Dutch, 7:30 PM in English."""
    return dates.format_time(value, "short", locale=cldr_locale(lang))


def month(value: dt.date, lang: str) -> str:
    """A month as its number and year in the short date's order: 11-2026 in Dutch, 11/2026 in English."""
    tokens, sep = _fields(lang)
    pattern = sep.join("MM" if t[0] == "M" else t for t in tokens if t[0] != "d")
    return dates.format_date(value, pattern, locale=cldr_locale(lang))


def date_input_format(lang: str) -> str:
    """st.date_input's `format`: DD-MM-YYYY in Dutch, MM/DD/YYYY in English, YYYY/MM/DD when the order is odd."""
    tokens, sep = _fields(lang)
    order = "".join(t[0] for t in tokens)
    return sep.join(_STREAMLIT[c] for c in (order if order in _STREAMLIT_ORDERS else "yMd"))


def d3_date(lang: str) -> str:
    """The short date as a d3 time format, for Vega chart axes and tooltips: %d-%m-%Y in Dutch."""
    tokens, sep = _fields(lang)
    return sep.join(_D3.get(t, "%Y") for t in tokens)


def d3_month(lang: str) -> str:
    """The month as a d3 time format: %m-%Y in Dutch."""
    tokens, sep = _fields(lang)
    return sep.join("%m" if t[0] == "M" else "%Y" for t in tokens if t[0] != "d")


@functools.lru_cache(maxsize=16)
def d3_locale(lang: str) -> dict:
    """Vega's `config.locale` for a language: d3 number and time locales from CLDR, so that an axis or tooltip
    that names a month or a day ("okt 2024", "ma 3") and every number (decimal comma in Dutch) read as
    the user writes them; Vega's own default is American English."""
    cldr = cldr_locale(lang)
    symbols = cldr.number_symbols["latn"]   # Babel 2.14+ keys them by numbering system
    sunday_first = [6, 0, 1, 2, 3, 4, 5]          # CLDR counts from Monday, d3 from Sunday

    def names(table: dict, keys) -> list[str]:
        return [str(table[k]).rstrip(".") for k in keys]

    periods = cldr.day_periods["format"]["abbreviated"]
    return {
        "number": {"decimal": symbols["decimal"], "thousands": symbols["group"], "grouping": [3],
                   "currency": ["€\u00a0", ""]},
        "time": {
            "dateTime": f"{d3_date(lang)} %H:%M:%S", "date": d3_date(lang), "time": "%H:%M:%S",
            "periods": [str(periods.get("am", "AM")), str(periods.get("pm", "PM"))],
            "days": names(cldr.days["format"]["wide"], sunday_first),
            "shortDays": names(cldr.days["format"]["abbreviated"], sunday_first),
            "months": names(cldr.months["stand-alone"]["wide"], range(1, 13)),
            "shortMonths": names(cldr.months["stand-alone"]["abbreviated"], range(1, 13)),
        },
    }


def money(value: Decimal | None, lang: str) -> str:
    """Euros as people read them in their language: € 1.234,50 in Dutch. Exact: a Decimal goes in."""
    if value is None:
        return ""
    return numbers.format_currency(value, "EUR", locale=cldr_locale(lang))
