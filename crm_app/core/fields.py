"""Field parsers shared by every domain: text, names, phone numbers, email, years, dates, codes.

Each parser appends a `FieldError` instead of raising, so a form can say per field what is wrong
while keeping what was typed; the caller raises one `ValidationError` at the end.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from crm_app.core import reference
from crm_app.core.errors import FieldError

NAME_MAX = 100
SHORT_TEXT_MAX = 120
NOTE_MAX = 2000
PHONE_RAW_MAX = 40
EMAIL_MAX = 254

# Embedding, override and isolate controls can make text display differently from what it is.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ALLOWED_CONTROLS_MULTILINE = {"\n", "\t"}
_RECORD_ID = re.compile(r"[1-9][0-9]{0,17}")   # ASCII only: str.isdigit() and int() also take "٣" and "３"


def record_id(text: str | None) -> int | None:
    """A record id typed in an address or a command (`person?id=12`), or None when it is not one.

    Only the digits 0–9: `int()` reads Arabic-Indic and full-width digits too, so `?id=٣` opened person 3."""
    text = (text or "").strip()
    return int(text) if _RECORD_ID.fullmatch(text) else None


def clean_text(value: str | None, field_name: str, errors: list[FieldError], *, max_len: int,
               required: bool = False, multiline: bool = False) -> str | None:
    """NFC-normalise and trim; refuse control and bidi-override characters and over-long text."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        value = str(value)
    text = unicodedata.normalize("NFC", value).strip()
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text:
        if required:
            errors.append(FieldError(field_name, "required"))
        return None
    for char in text:
        if char in _BIDI_CONTROLS:
            errors.append(FieldError(field_name, "bidi_control"))
            return None
        category = unicodedata.category(char)
        if category == "Cc" and not (multiline and char in _ALLOWED_CONTROLS_MULTILINE):
            errors.append(FieldError(field_name, "control_character"))
            return None
        if category in ("Cs", "Cn"):  # lone surrogates and unassigned code points
            errors.append(FieldError(field_name, "invalid_character"))
            return None
    if len(text) > max_len:
        errors.append(FieldError(field_name, "too_long", {"max": max_len, "length": len(text)}))
        return None
    return text


def display_name(given_name: str | None, family_name: str | None) -> str:
    """`Amira Haddad`; the given name alone when there is no family name (and no stray space)."""
    return " ".join(part for part in (given_name, family_name) if part)


def clean_name(value: str | None, field_name: str, errors: list[FieldError], *, required: bool) -> str | None:
    """A name in any script; it must contain a letter and no digits (apostrophes and hyphens are fine)."""
    before = len(errors)
    name = clean_text(value, field_name, errors, max_len=NAME_MAX, required=required)
    if name is None or len(errors) > before:
        return None
    name = re.sub(r"\s+", " ", name)
    if not any(unicodedata.category(c).startswith("L") for c in name):
        errors.append(FieldError(field_name, "name_needs_letter"))
        return None
    if any(unicodedata.category(c) == "Nd" for c in name):
        errors.append(FieldError(field_name, "name_has_digit"))
        return None
    return name


HOME_REGION = "NL"   # a number written without + or 00 is read as Dutch unless another country is given


def parse_phone(raw: str | None, country: str | None, errors: list[FieldError],
                field_name: str = "phone") -> str | None:
    """Any notation → E.164. The country decides how a number without + or 00 is read."""
    text = clean_text(raw, field_name, errors, max_len=PHONE_RAW_MAX)
    if text is None:
        return None
    region = (country or HOME_REGION).upper()
    import phonenumbers  # its metadata takes a few tenths of a second to import: only when a number is read
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        errors.append(FieldError(field_name, "phone_unreadable"))
        return None
    if not phonenumbers.is_valid_number(number):
        errors.append(FieldError(field_name, "phone_invalid", {"country": region}))
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_variants(text: str) -> list[str]:
    """E.164 readings of a search text that looks like a phone number (NL first, then as written)."""
    if sum(c.isdigit() for c in text) < 6:
        return []
    import phonenumbers
    found = []
    for region in (HOME_REGION, None):
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if e164 not in found:
                found.append(e164)
    return found


def format_phone(e164: str | None) -> str:
    """E.164 → international notation for display (`+963 944 123 456`)."""
    if not e164:
        return ""
    import phonenumbers
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def tel_url(e164: str | None) -> str | None:
    """E.164 → a tap-to-call link (`tel:+963-944-123-456`, RFC 3966): a phone dials it, the dashes read well."""
    if not e164:
        return None
    import phonenumbers
    return phonenumbers.format_number(phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.RFC3966)


def parse_email(raw: str | None, errors: list[FieldError], field_name: str = "email") -> str | None:
    """Syntax check only (no DNS look-up at a market stall); the domain is lower-cased."""
    text = clean_text(raw, field_name, errors, max_len=EMAIL_MAX)
    if text is None:
        return None
    import email_validator  # compiles its grammar at import (~0.1 s): only when an email is typed
    try:
        result = email_validator.validate_email(text, check_deliverability=False)
    except email_validator.EmailNotValidError:
        errors.append(FieldError(field_name, "email_invalid"))
        return None
    return result.normalized


def email_key(email: str | None) -> str | None:
    """Emails compare case-insensitively in practice, whatever the RFC says of the local part."""
    return email.casefold() if email else None


def parse_year(raw, field_name: str, errors: list[FieldError], *, low: int, high: int) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        year = int(str(raw).strip())
    except ValueError:
        errors.append(FieldError(field_name, "year_not_number"))
        return None
    if not low <= year <= high:
        errors.append(FieldError(field_name, "year_out_of_range", {"low": low, "high": high}))
        return None
    return year


def parse_choice(raw: str | None, field_name: str, options, errors: list[FieldError]) -> str | None:
    if raw is None or raw == "":
        return None
    if raw not in options:
        errors.append(FieldError(field_name, "invalid_choice"))
        return None
    return raw


def parse_language(raw: str | None, field_name: str, errors: list[FieldError]) -> str | None:
    if not raw:
        return None
    code = reference.language_code(str(raw)[:60])
    if code is None:
        errors.append(FieldError(field_name, "language_unknown"))
    return code


def parse_country(raw: str | None, field_name: str, errors: list[FieldError]) -> str | None:
    if not raw:
        return None
    code = reference.country_code(str(raw)[:10])
    if code is None:
        errors.append(FieldError(field_name, "country_unknown"))
    return code


def parse_date(raw, field_name: str, errors: list[FieldError]) -> dt.date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        errors.append(FieldError(field_name, "date_invalid"))
        return None
