"""Properties of validate_person for any input: it refuses cleanly or returns safe, normalised values."""
from __future__ import annotations

import unicodedata

import phonenumbers
import pycountry
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from crm_app.core import reference
from crm_app.core.errors import ValidationError
from crm_app.people.validation import DIMENSION_FIELDS, CleanPerson, PersonInput, validate_person

N = settings.default.max_examples   # the Hypothesis profile's count (tests/conftest.py): 200 in ci, 30 in dev
SETTINGS = settings(max_examples=N, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Embedding, override and isolate controls (the characters that make text display as something else).
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Characters that tend to break things: controls, bidi, combining marks, odd spaces, other scripts.
TRICKY = ("\x00\x07\t\n\r\x1b\x7f\x85\u00a0\u0301\u0308\u200b\u200d\u200e\u200f\u2028\u2029\u202e\u2066\u2069"
          "\ufeff\ud800'-@.+()0123456789 محمدተስፋይОлександрJoséﬁ")

any_char = st.characters(exclude_categories=())          # every code point, lone surrogates included
messy_text = st.text(st.one_of(any_char, st.sampled_from(TRICKY)), max_size=60)
long_text = st.one_of(st.text(st.sampled_from("ab \u0301"), min_size=95, max_size=130),
                      st.integers(1990, 2010).map(lambda n: "ab\u0301" * (n // 3)))
text_value = st.one_of(st.none(), messy_text, long_text)
any_value = st.one_of(text_value, st.integers(-10**6, 10**6), st.floats(allow_nan=True))
# (hypothesis' own st.emails() costs seconds to build its regex; this is enough and cheap)
local_part = st.text("abcXYZ019.-_+'", min_size=1, max_size=20)
domain = st.sampled_from(["example.org", "GMIAL.con", "例え.jp", "bücher.de", "b", "x.y.z.co.uk", "-a.nl"])
email_value = st.one_of(text_value, st.builds("{}@{}".format, st.one_of(local_part, messy_text), domain))


def options(values):
    return st.one_of(st.none(), st.sampled_from(values), messy_text)


country_codes = sorted(c.alpha_2 for c in pycountry.countries)
person_inputs = st.builds(
    PersonInput,
    given_name=st.one_of(text_value, st.sampled_from(["Amina", "محمد", "ተስፋይ", "Jose\u0301", "N'Diaye"])),
    family_name=text_value,
    phone=st.one_of(text_value, st.sampled_from(["06 12345678", "0944 123 456", "+31 (0)6-1234 5678", "12"])),
    phone_country=options(country_codes + ["sy", "nl", "NLD", "XK"]),
    email=st.one_of(email_value, st.sampled_from(["Amina@Example.ORG", "a@gmial.con", "a@b", "ä@例え.jp"])),
    preferred_language=options(["ara", "ar", "tir", "Dutch", "nld", "zzz"]),
    other_languages=st.lists(options(["ara", "ti", "ukr", "English", "xx"]), max_size=4),
    note=text_value,
    consent_contact=st.booleans(),
    consent_diversity_statistics=st.booleans(),
    gender=options(reference.GENDERS),
    birth_year=st.one_of(any_value, st.integers(1900, 2030), st.integers(1900, 2030).map(str)),
    country_of_origin=options(country_codes),
    education_level=options(reference.EDUCATION_LEVELS),
    municipality=text_value,
    district=text_value,
    arrival_year=st.one_of(any_value, st.integers(1940, 2030)),
    integration_route=options(reference.INTEGRATION_ROUTES),
)


def assert_safe_text(value: str | None, *, multiline: bool = False) -> None:
    if value is None:
        return
    assert value == unicodedata.normalize("NFC", value)
    assert value == value.strip() and value
    for char in value:
        category = unicodedata.category(char)
        if category == "Cc":
            assert multiline and char in "\n\t", repr(char)
        assert char not in BIDI_CONTROLS, repr(char)
        assert category not in ("Cs", "Cn"), repr(char)


def assert_valid_e164(e164: str) -> None:
    number = phonenumbers.parse(e164, None)
    assert phonenumbers.is_valid_number(number)
    assert phonenumbers.format_number(number, PhoneNumberFormat.E164) == e164


def check(data: PersonInput) -> None:
    """validate_person refuses with ValidationError only, or returns normalised, safe values."""
    try:
        clean = validate_person(data)
    except ValidationError as exc:
        assert exc.errors, "a refusal names at least one field"
        assert all(isinstance(e.code, str) and e.code for e in exc.errors)
        event("refused")
        return
    event("accepted")
    assert isinstance(clean, CleanPerson)
    assert clean.given_name
    for value in (clean.given_name, clean.family_name, clean.email,
                  clean.dimensions["municipality"], clean.dimensions["district"]):
        assert_safe_text(value)
    assert_safe_text(clean.note, multiline=True)
    if clean.phone_e164 is not None:
        assert_valid_e164(clean.phone_e164)
        assert clean.phone_country in country_codes
    if clean.phone_e164 or clean.email:
        assert clean.consent_contact
    if any(clean.dimensions[name] is not None for name in DIMENSION_FIELDS):
        assert clean.consent_diversity_statistics
    assert set(clean.dimensions) == set(DIMENSION_FIELDS)


@SETTINGS
@given(person_inputs)
@example(PersonInput(given_name="Jose\u0301", phone="0944 123 456", phone_country="SY", consent_contact=True))
@example(PersonInput(given_name="\ud800"))
@example(PersonInput(given_name="a", note="x\r\n\ty", email="\u00c4@EXAMPLE.org", consent_contact=True))
def test_validate_person_refuses_cleanly_or_returns_safe_values(data):
    check(data)


FIELD_VALUES = {
    "given_name": text_value, "family_name": text_value, "phone": text_value, "email": email_value,
    "phone_country": options(country_codes), "preferred_language": options(["ara", "ti"]),
    "other_languages": st.lists(text_value, max_size=3), "note": text_value, "gender": options(reference.GENDERS),
    "birth_year": any_value, "country_of_origin": options(country_codes), "municipality": text_value,
    "district": text_value, "arrival_year": any_value, "integration_route": options(reference.INTEGRATION_ROUTES),
    "education_level": options(reference.EDUCATION_LEVELS),
}


@SETTINGS
@given(st.data())
def test_one_arbitrary_field_in_a_valid_person_is_refused_cleanly_or_made_safe(data):
    """The same property, where the other fields are valid, so the odd value itself gets through more often."""
    base = {"given_name": "Amina", "family_name": "Haddad", "phone": "0612345678", "email": "amina@example.org",
            "note": "belt terug", "municipality": "Utrecht", "consent_contact": True,
            "consent_diversity_statistics": True}
    names = data.draw(st.permutations(sorted(FIELD_VALUES)))[:data.draw(st.integers(1, 3))]
    for name in names:
        base[name] = data.draw(FIELD_VALUES[name], label=name)
    check(PersonInput(**base))


# -- real numbers of many countries in every notation ---------------------------------------------
# Regions a person can pick as phone country (pycountry knows them; phonenumbers also has AC, TA, XK).
REGIONS = sorted(r for r in phonenumbers.SUPPORTED_REGIONS if pycountry.countries.get(alpha_2=r))
TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
# Countries whose exit code is 00, so a number written 00<country code>… reads the same there.
EXIT_00 = [r for r in REGIONS if phonenumbers.PhoneMetadata.metadata_for_region(r).international_prefix == "00"]


@st.composite
def valid_numbers(draw) -> phonenumbers.PhoneNumber:
    """A valid number of some region: its example number with the last digits changed where still valid."""
    region = draw(st.sampled_from(REGIONS))
    kind = draw(st.sampled_from(TYPES))
    example_number = (phonenumbers.example_number_for_type(region, kind)
                      or phonenumbers.example_number(region))
    if example_number is None:
        example_number = phonenumbers.example_number("NL")
    national = str(example_number.national_number)
    tail = draw(st.text("0123456789", min_size=1, max_size=min(3, len(national) - 1)))
    varied = phonenumbers.PhoneNumber(country_code=example_number.country_code,
                                      national_number=int(national[: -len(tail)] + tail),
                                      italian_leading_zero=example_number.italian_leading_zero,
                                      number_of_leading_zeros=example_number.number_of_leading_zeros)
    return varied if phonenumbers.is_valid_number(varied) else example_number


@st.composite
def notations(draw, number: phonenumbers.PhoneNumber) -> tuple[str, str]:
    """(what someone types, the phone country chosen) for one number."""
    own_region = phonenumbers.region_code_for_number(number)
    how = draw(st.sampled_from(["national", "international", "e164", "exit00"]))
    if how == "national":
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL), own_region
    if how == "international":
        return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL), draw(st.sampled_from(REGIONS))
    if how == "e164":
        return phonenumbers.format_number(number, PhoneNumberFormat.E164), draw(st.sampled_from(REGIONS))
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    spacer = draw(st.sampled_from(["", " ", "-"]))
    return f"00{spacer}{e164[1:]}", draw(st.sampled_from(EXIT_00))


@SETTINGS
@given(st.data())
def test_numbers_of_any_country_in_any_notation_normalise_to_the_same_e164(data):
    number = data.draw(valid_numbers(), label="number")
    expected = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    typed, country = data.draw(notations(number), label="typed, country")
    clean = validate_person(PersonInput(given_name="Amina", phone=typed, phone_country=country,
                                        consent_contact=True))
    assert clean.phone_e164 == expected
    assert_valid_e164(clean.phone_e164)


@pytest.mark.parametrize("region", ["NL", "SY", "ER", "AF", "UA", "IQ", "IR", "SO", "TR", "MA", "ET", "YE"])
def test_example_numbers_of_newcomers_countries_in_every_notation(region):
    for kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE):
        number = phonenumbers.example_number_for_type(region, kind)
        expected = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        typed = [
            (phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL), region),
            (phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL), "NL"),
            (expected, "NL"),
            ("00" + expected[1:], "NL"),
        ]
        for text, country in typed:
            clean = validate_person(PersonInput(given_name="Amina", phone=text, phone_country=country,
                                                consent_contact=True))
            assert clean.phone_e164 == expected, (text, country)
