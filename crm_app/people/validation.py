"""Server-side validation and normalisation of everything a person record holds.

Every check raises only `ValidationError` (collecting every field's problem at once), so a form
can say per field what is wrong while keeping what was typed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from crm_app.core import reference
from crm_app.core.clock import today
from crm_app.core.errors import FieldError, ValidationError
from crm_app.core.fields import (
    NOTE_MAX,
    SHORT_TEXT_MAX,
    clean_name,
    clean_text,
    email_key,
    parse_choice,
    parse_country,
    parse_email,
    parse_language,
    parse_phone,
    parse_year,
)

OLDEST_AGE = 110
YOUNGEST_AGE = 12


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
    consent_share_with_referrer: bool | None = None   # None: not asked on this form, stays as it is
    consent_photo: bool | None = None
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
    consent_share_with_referrer: bool | None = None
    consent_photo: bool | None = None

    def consents_asked(self) -> dict[str, bool]:
        """Purpose → yes/no for every purpose this input speaks about (photo and sharing only when asked)."""
        asked = {"contact": self.consent_contact, "diversity_statistics": self.consent_diversity_statistics,
                 "share_with_referrer": self.consent_share_with_referrer, "photo": self.consent_photo}
        return {purpose: bool(given) for purpose, given in asked.items() if given is not None}

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
        consent_share_with_referrer=None if data.consent_share_with_referrer is None
        else bool(data.consent_share_with_referrer),
        consent_photo=None if data.consent_photo is None else bool(data.consent_photo),
    )
