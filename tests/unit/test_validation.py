"""What a staff member typing at a market stall would check: notations, scripts, refusals per field."""
from __future__ import annotations

import unicodedata

import pytest

from crm_app.core.errors import ValidationError
from crm_app.core.fields import NAME_MAX, NOTE_MAX, SHORT_TEXT_MAX, format_phone
from crm_app.people.validation import PersonInput, validate_person


def person(**fields) -> PersonInput:
    """A valid minimal person with contact consent, plus the given fields."""
    fields.setdefault("given_name", "Amina")
    fields.setdefault("consent_contact", True)
    return PersonInput(**fields)


def refusal(data: PersonInput) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_person(data)
    return info.value


def codes(error: ValidationError) -> dict[str, str]:
    return {e.field: e.code for e in error.errors}


# -- phone numbers --------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", [
    "06 12345678", "+31 6 1234 5678", "0031612345678", "+31 (0)6-1234 5678", "0612345678",
    "06-12 34 56 78", "+31612345678",
])
def test_dutch_mobile_in_any_notation_becomes_e164(typed):
    clean = validate_person(person(phone=typed, phone_country="NL"))
    assert clean.phone_e164 == "+31612345678"
    assert clean.phone_country == "NL"


def test_country_decides_how_a_national_number_is_read():
    assert validate_person(person(phone="0944 123 456", phone_country="SY")).phone_e164 == "+963944123456"
    # Written internationally, the country chosen does not matter.
    assert validate_person(person(phone="+963 944 123 456", phone_country="NL")).phone_e164 == "+963944123456"
    assert validate_person(person(phone="00963944123456", phone_country="NL")).phone_e164 == "+963944123456"


def test_syrian_number_read_as_dutch_is_refused_and_asks_for_the_country():
    error = refusal(person(phone="0944 123 456", phone_country="NL"))
    problem = error.for_field("phone")
    assert problem.code == "phone_invalid"
    assert problem.params == {"country": "NL"}


def test_phone_country_may_be_lower_case_or_left_empty():
    assert validate_person(person(phone="0944123456", phone_country="sy")).phone_e164 == "+963944123456"
    assert validate_person(person(phone="0612345678", phone_country=None)).phone_e164 == "+31612345678"


@pytest.mark.parametrize("typed", ["geen nummer", "abc", "++--", "@@@"])
def test_unreadable_phone(typed):
    assert codes(refusal(person(phone=typed))) == {"phone": "phone_unreadable"}


@pytest.mark.parametrize("typed", ["12", "06 1234", "+31 6 1234 5678 9999"])
def test_too_short_or_too_long_phone_is_invalid(typed):
    assert codes(refusal(person(phone=typed))) == {"phone": "phone_invalid"}


def test_unknown_phone_country_is_refused():
    assert codes(refusal(person(phone="0612345678", phone_country="QQ"))) == {"phone_country": "country_unknown"}


def test_no_phone_is_fine_and_stores_no_phone_country():
    clean = validate_person(person(phone="  ", email="a@example.org"))
    assert clean.phone_e164 is None
    assert clean.phone_country is None


def test_stored_number_shown_in_international_notation():
    assert format_phone("+963944123456") == "+963 944 123 456"
    assert format_phone("+31612345678") == "+31 6 12345678"
    assert format_phone(None) == ""


# -- email ----------------------------------------------------------------------------------------
def test_email_domain_lower_cased_local_part_kept():
    clean = validate_person(person(email="Amina.Haddad@Example.ORG"))
    assert clean.email == "Amina.Haddad@example.org"
    assert clean.email_key == "amina.haddad@example.org"


def test_email_with_typo_in_domain_is_accepted_without_dns_lookup():
    # A market stall has no network to spare and a typo'd domain is still what the person said.
    assert validate_person(person(email="amina@gmial.con")).email == "amina@gmial.con"


def test_email_surrounding_spaces_trimmed():
    assert validate_person(person(email="  amina@example.org ")).email == "amina@example.org"


@pytest.mark.parametrize("typed", ["amina", "amina@", "@example.org", "amina@example", "amina@@example.org",
                                   "amina example@example.org", "amina@exa mple.org", "amina@.org"])
def test_malformed_email_refused(typed):
    assert codes(refusal(person(email=typed))) == {"email": "email_invalid"}


# -- unsafe text ----------------------------------------------------------------------------------
@pytest.mark.parametrize("field_name", ["given_name", "family_name", "municipality", "district", "note"])
@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_control_characters_refused_per_field(field_name, char):
    data = person(consent_diversity_statistics=True, **{field_name: f"Ab{char}cd"})
    assert codes(refusal(data)) == {field_name: "control_character"}


@pytest.mark.parametrize("field_name", ["given_name", "family_name", "municipality", "district", "note", "email",
                                        "phone"])
@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u202a", "\u202d", "\u2067", "\u2068", "\u2069"])
def test_bidi_overrides_and_isolates_refused_per_field(field_name, char):
    value = {"email": f"ab{char}c@example.org", "phone": f"06{char}12345678"}.get(field_name, f"Ab{char}cd")
    data = person(consent_diversity_statistics=True, **{field_name: value})
    assert codes(refusal(data)) == {field_name: "bidi_control"}


def test_note_keeps_line_breaks_and_tabs():
    clean = validate_person(person(note="eerste regel\r\ntweede\tregel\rderde"))
    assert clean.note == "eerste regel\ntweede\tregel\nderde"


def test_line_break_in_a_name_is_refused():
    assert codes(refusal(person(given_name="Amina\nHaddad"))) == {"given_name": "control_character"}


@pytest.mark.parametrize("field_name, limit", [("given_name", NAME_MAX), ("family_name", NAME_MAX),
                                               ("municipality", SHORT_TEXT_MAX), ("note", NOTE_MAX)])
def test_too_long_text_refused_with_limit(field_name, limit):
    data = person(consent_diversity_statistics=True, **{field_name: "a" * (limit + 1)})
    error = refusal(data)
    problem = error.for_field(field_name)
    assert problem.code == "too_long"
    assert problem.params == {"max": limit, "length": limit + 1}
    # Exactly at the limit is fine.
    validate_person(person(consent_diversity_statistics=True, **{field_name: "a" * limit}))


def test_given_name_required():
    assert codes(refusal(person(given_name="   "))) == {"given_name": "required"}


def test_names_need_a_letter_and_no_digits():
    assert codes(refusal(person(given_name="Amina2"))) == {"given_name": "name_has_digit"}
    assert codes(refusal(person(given_name="Amina", family_name="--"))) == {"family_name": "name_needs_letter"}


# -- names in every script ------------------------------------------------------------------------
@pytest.mark.parametrize("given, family", [
    ("محمد", "الحسن"),
    ("ተስፋይ", "ገብረሂወት"),
    ("Олександр", "Коваленко"),
    ("Aïcha", "N'Diaye"),
    ("Sean", "O'Neil"),
    ("Nguyễn", "Thị Minh"),
    ("Jean-Pierre", "van den Berg"),
])
def test_names_in_any_script_stored_unchanged(given, family):
    clean = validate_person(person(given_name=given, family_name=family))
    assert (clean.given_name, clean.family_name) == (given, family)


def test_decomposed_name_stored_composed():
    decomposed = "Jose\u0301"
    clean = validate_person(person(given_name=decomposed, family_name="Gonza\u0301lez"))
    assert clean.given_name == "José" == unicodedata.normalize("NFC", decomposed)
    assert clean.family_name == "González"
    assert len(clean.given_name) == 4


def test_inner_spaces_of_a_name_collapsed_and_ends_trimmed():
    clean = validate_person(person(given_name="  Amina\u00a0 Fatima ", family_name=" Al  Haddad"))
    assert (clean.given_name, clean.family_name) == ("Amina Fatima", "Al Haddad")


# -- dimensions and consent -----------------------------------------------------------------------
def test_birth_year_range_follows_the_clock(frozen_clock):
    year = frozen_clock.year
    ok = validate_person(person(birth_year=str(year - 30), consent_diversity_statistics=True))
    assert ok.dimensions["birth_year"] == year - 30
    for too_young in (year - 11, year, year + 1):
        problem = refusal(person(birth_year=too_young, consent_diversity_statistics=True)).for_field("birth_year")
        assert problem.code == "year_out_of_range"
        assert problem.params == {"low": year - 110, "high": year - 12}
    assert refusal(person(birth_year=year - 111, consent_diversity_statistics=True)).for_field(
        "birth_year").code == "year_out_of_range"
    validate_person(person(birth_year=year - 110, consent_diversity_statistics=True))
    validate_person(person(birth_year=year - 12, consent_diversity_statistics=True))


def test_birth_year_not_a_number():
    data = person(birth_year="negentig", consent_diversity_statistics=True)
    assert codes(refusal(data)) == {"birth_year": "year_not_number"}


def test_arrival_before_birth_refused(frozen_clock):
    data = person(birth_year=1990, arrival_year=1985, consent_diversity_statistics=True)
    assert codes(refusal(data)) == {"arrival_year": "arrival_before_birth"}


def test_contact_details_without_contact_consent_refused():
    for details in ({"phone": "0612345678"}, {"email": "amina@example.org"}):
        error = refusal(person(consent_contact=False, **details))
        assert codes(error) == {"consent_contact": "contact_consent_required"}
    # A name alone needs no consent to contact.
    assert validate_person(person(consent_contact=False)).phone_e164 is None


@pytest.mark.parametrize("dimension, value", [
    ("gender", "woman"), ("birth_year", 1990), ("country_of_origin", "SY"), ("education_level", "university"),
    ("municipality", "Utrecht"), ("district", "Overvecht"), ("arrival_year", 2016), ("integration_route", "b1"),
])
def test_each_dimension_needs_diversity_consent(dimension, value, frozen_clock):
    error = refusal(person(**{dimension: value}))
    assert codes(error) == {"consent_diversity_statistics": "diversity_consent_required"}
    clean = validate_person(person(consent_diversity_statistics=True, **{dimension: value}))
    assert clean.dimensions[dimension] == value


def test_dimension_choices_checked():
    data = person(consent_diversity_statistics=True, gender="female", education_level="phd",
                  integration_route="x", country_of_origin="Syria")
    assert codes(refusal(data)) == {"gender": "invalid_choice", "education_level": "invalid_choice",
                                    "integration_route": "invalid_choice", "country_of_origin": "country_unknown"}


def test_languages_normalised_to_iso_639_3():
    clean = validate_person(person(preferred_language="ar", other_languages=["tir", "Dutch", "ara", "nl"]))
    assert clean.preferred_language == "ara"
    assert clean.other_languages == ["tir", "nld"]   # duplicates and the preferred one dropped
    assert codes(refusal(person(preferred_language="klingonish"))) == {"preferred_language": "language_unknown"}


def test_every_problem_reported_at_once_one_per_field():
    data = PersonInput(
        given_name="", family_name="A\u202eB", phone="0944 123 456", phone_country="NL", email="not-an-email",
        note="bell\x07", birth_year=1800, gender="x",
    )
    error = refusal(data)
    assert codes(error) == {
        "given_name": "required",
        "family_name": "bidi_control",
        "phone": "phone_invalid",
        "email": "email_invalid",
        "note": "control_character",
        "birth_year": "year_out_of_range",
        "gender": "invalid_choice",
        "consent_diversity_statistics": "diversity_consent_required",
    }
    assert len(error.errors) == len(codes(error))   # one per field
    assert error.params == {"count": len(error.errors)}


def test_refused_person_is_not_stored(store, actor):
    from crm_app.people import persons
    from crm_app.people.sources import SourceInput

    data = PersonInput(given_name="Amina", phone="0944 123 456", phone_country="NL", consent_contact=True)
    with pytest.raises(ValidationError):
        persons.register(store, actor, data, SourceInput(kind="market", source_name="Vredenburg"))
    with store.read() as cur:
        assert cur.execute("SELECT count(*) FROM person").fetchone() == (0,)
        assert cur.execute("SELECT count(*) FROM person_source").fetchone() == (0,)
        assert cur.execute("SELECT count(*) FROM consent").fetchone() == (0,)
