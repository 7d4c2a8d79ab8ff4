"""Dates per CLDR through Babel: the Dutch short date stays 29-11-2026; times in Europe/Amsterdam."""
import datetime as dt

from babel import dates

from crm_app.core import formats, i18n
from crm_app.core.errors import CrmError

DAY = dt.date(2026, 11, 29)


def test_dutch_dates_read_day_month_year_in_full():
    assert formats.date(DAY, "nl") == "29-11-2026"
    assert formats.date(dt.date(2026, 1, 5), "nl") == "05-01-2026"
    assert formats.date(None, "nl") == ""
    assert formats.month(DAY, "nl") == "11-2026"


def test_english_dates_follow_cldr_with_the_year_in_full():
    assert formats.date(DAY, "en") == "11/29/2026" == dates.format_date(DAY, "M/d/y", locale="en")
    assert formats.date(dt.date(2026, 1, 5), "en") == "1/5/2026"


def test_times_are_shown_in_amsterdam_winter_and_summer():
    assert formats.datetime(dt.datetime(2026, 11, 29, 13, 5), "nl") == "29-11-2026 14:05"
    assert formats.datetime(dt.datetime(2026, 7, 1, 12, 5), "nl") == "01-07-2026 14:05"
    english = formats.datetime(dt.datetime(2026, 11, 29, 13, 5), "en")
    assert english.startswith("11/29/2026 2:05") and english.endswith("PM")


def test_pickers_and_charts_take_the_same_order():
    assert (formats.date_input_format("nl"), formats.d3_date("nl"), formats.d3_month("nl")) == (
        "DD-MM-YYYY", "%d-%m-%Y", "%m-%Y")
    assert (formats.date_input_format("en"), formats.d3_date("en")) == ("MM/DD/YYYY", "%-m/%-d/%Y")
    assert formats.date_input_format("fa") == "YYYY/MM/DD"


def test_an_unknown_ui_language_gets_english_patterns():
    assert formats.date(DAY, "qps") == "11/29/2026"


def test_a_date_in_a_refusal_is_written_in_the_readers_language():
    error = CrmError("offer_expired", deadline=dt.date(2026, 12, 13))
    assert "13-12-2026" in i18n.error_text(error, "nl")
    assert "12/13/2026" in i18n.error_text(error, "en")
