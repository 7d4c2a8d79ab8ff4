"""Server-side validation and normalisation of everything a person record holds.

Every check raises only `ValidationError` (collecting every field's problem at once), so a form
can say per field what is wrong while keeping what was typed.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

import email_validator
import phonenumbers

from . import reference
from .clock import today
from .errors import FieldError, ValidationError

NAME_MAX = 100
SHORT_TEXT_MAX = 120
NOTE_MAX = 2000
PHONE_RAW_MAX = 40
EMAIL_MAX = 254
OLDEST_AGE = 110
YOUNGEST_AGE = 12

# Embedding, override and isolate controls can make text display differently from what it is.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ALLOWED_CONTROLS_MULTILINE = {"\n", "\t"}


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


def parse_phone(raw: str | None, country: str | None, errors: list[FieldError],
                field_name: str = "phone") -> str | None:
    """Any notation → E.164. The country decides how a number without + or 00 is read."""
    text = clean_text(raw, field_name, errors, max_len=PHONE_RAW_MAX)
    if text is None:
        return None
    region = (country or "NL").upper()
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
    found = []
    for region in ("NL", None):
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
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def parse_email(raw: str | None, errors: list[FieldError], field_name: str = "email") -> str | None:
    """Syntax check only (no DNS look-up at a market stall); the domain is lower-cased."""
    text = clean_text(raw, field_name, errors, max_len=EMAIL_MAX)
    if text is None:
        return None
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


# -- a whole person ------------------------------------------------------------------------------
DIMENSION_FIELDS = ("gender", "birth_year", "country_of_origin", "education_level", "municipality",
                    "district", "arrival_year", "integration_route")


@dataclass
class PersonInput:
    """What a form, the command line or an import hands in: raw values, nothing trusted."""
    given_name: str | None = None
    family_name: str | None = None
    phone: str | None = None
    phone_country: str | None = "NL"
    email: str | None = None
    preferred_language: str | None = None
    other_languages: list[str] = field(default_factory=list)
    note: str | None = None
    consent_contact: bool = False
    consent_diversity_statistics: bool = False
    gender: str | None = None
    birth_year: int | str | None = None
    country_of_origin: str | None = None
    education_level: str | None = None
    municipality: str | None = None
    district: str | None = None
    arrival_year: int | str | None = None
    integration_route: str | None = None


@dataclass
class CleanPerson:
    """A person record that passed validation; every value normalised and safe to store."""
    given_name: str
    family_name: str | None
    phone_e164: str | None
    phone_country: str | None
    email: str | None
    preferred_language: str | None
    other_languages: list[str]
    note: str | None
    consent_contact: bool
    consent_diversity_statistics: bool
    dimensions: dict

    @property
    def email_key(self) -> str | None:
        return email_key(self.email)


def validate_person(data: PersonInput) -> CleanPerson:
    """Check every field at once; raise one ValidationError listing each problem."""
    errors: list[FieldError] = []
    this_year = today().year
    given = clean_name(data.given_name, "given_name", errors, required=True)
    family = clean_name(data.family_name, "family_name", errors, required=False)
    country = parse_country(data.phone_country or "NL", "phone_country", errors)
    phone = parse_phone(data.phone, country, errors) if country else None
    email = parse_email(data.email, errors)
    if (phone or email) and not data.consent_contact:
        errors.append(FieldError("consent_contact", "contact_consent_required"))
    preferred = parse_language(data.preferred_language, "preferred_language", errors)
    others = []
    for raw in data.other_languages or []:
        code = parse_language(raw, "other_languages", errors)
        if code and code not in others and code != preferred:
            others.append(code)
    note = clean_text(data.note, "note", errors, max_len=NOTE_MAX, multiline=True)

    dims = {
        "gender": parse_choice(data.gender, "gender", reference.GENDERS, errors),
        "birth_year": parse_year(data.birth_year, "birth_year", errors,
                                 low=this_year - OLDEST_AGE, high=this_year - YOUNGEST_AGE),
        "country_of_origin": parse_country(data.country_of_origin, "country_of_origin", errors),
        "education_level": parse_choice(data.education_level, "education_level",
                                        reference.EDUCATION_LEVELS, errors),
        "municipality": clean_text(data.municipality, "municipality", errors, max_len=SHORT_TEXT_MAX),
        "district": clean_text(data.district, "district", errors, max_len=SHORT_TEXT_MAX),
        "arrival_year": parse_year(data.arrival_year, "arrival_year", errors, low=1950, high=this_year),
        "integration_route": parse_choice(data.integration_route, "integration_route",
                                          reference.INTEGRATION_ROUTES, errors),
    }
    if dims["birth_year"] and dims["arrival_year"] and dims["arrival_year"] < dims["birth_year"]:
        errors.append(FieldError("arrival_year", "arrival_before_birth"))
    # A dimension typed wrongly was still typed: say at once that it needs the consent too.
    dims_given = any(v is not None for v in dims.values()) or any(e.field in DIMENSION_FIELDS for e in errors)
    if dims_given and not data.consent_diversity_statistics:
        errors.append(FieldError("consent_diversity_statistics", "diversity_consent_required"))
    if errors:
        raise ValidationError(errors)
    return CleanPerson(
        given_name=given, family_name=family, phone_e164=phone, phone_country=country if phone else None,
        email=email, preferred_language=preferred, other_languages=others, note=note,
        consent_contact=bool(data.consent_contact),
        consent_diversity_statistics=bool(data.consent_diversity_statistics), dimensions=dims,
    )


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
