"""A message's words from the gettext catalogues (`message.<kind>.subject|body|short`), in the person's
language where a catalogue translates them, else Dutch; and the links a phone opens with the text prefilled.

Dates and times are written as people read them in that language (crm_app.core.formats).
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from crm_app.core import formats, i18n, reference

KINDS = ("offer", "still_interested", "meeting_invitation", "meeting_reminder")
PARTS = ("subject", "body", "short")


def language_of(preferred: str | None) -> str:
    """The catalogue to write in: the person's preferred language (ISO 639-3, as stored) when a catalogue
    translates the messages, else Dutch."""
    if not preferred:
        return i18n.DEFAULT_LANG
    code = reference.cldr_code(preferred)
    return code if i18n.translates("message.offer.subject", code) else i18n.DEFAULT_LANG


def render(kind: str, lang: str, **params) -> dict[str, str]:
    """Subject, body (email) and short text (SMS, WhatsApp) of one message kind, filled in."""
    return {part: i18n.t(f"message.{kind}.{part}", lang, **params) for part in PARTS}


def when(day: dt.date, start: dt.time | None, lang: str) -> dict[str, str]:
    """`date` in full ("donderdag 10 december 2026") and `time` ("19:30"; "not known yet" without one)."""
    time = formats.time_of_day(start, lang) if start else i18n.t("message.time_unknown", lang)
    return {"date": formats.long_date(day, lang), "time": time}


def sms_url(e164: str, text: str) -> str:
    """`sms:+31612345678?body=…`: the phone's messages app with the text filled in (every reserved character
    percent-encoded, so an `&` or `#` in a name cannot cut the text short)."""
    return f"sms:{e164}?body={quote(text, safe='')}"


def whatsapp_url(e164: str, text: str) -> str:
    """`https://wa.me/31612345678?text=…`: WhatsApp's click-to-chat link takes the number without the +."""
    return f"https://wa.me/{e164.lstrip('+')}?text={quote(text, safe='')}"
