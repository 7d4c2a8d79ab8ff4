"""Synthetic newcomers: names, phones, emails and diversity values as staff would enter them.

Names come in the Latin spellings staff actually write, with their variants; languages, phone
countries, education and arrival years follow the person's country of origin. The reference
lists live in data/demo_names.json and data/demo_context.json. Deterministic for a given
`random.Random`. `person_row` validates and keys a person exactly as `persons.register` does.
The demo store (crm_app.demo.fill) and the benchmarks build their persons here.
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers

from crm_app.core import clock
from crm_app.core.paths import DATA_DIR
from crm_app.people import dedupe
from crm_app.people.names import fold
from crm_app.people.validation import PersonInput, validate_person

NL_MOBILE = ("61", "62", "63", "64", "65", "68")
_AGE_BANDS = ((18, 24, 20), (25, 34, 32), (35, 44, 24), (45, 54, 14), (55, 66, 8), (67, 80, 2))
# a person's diversity values: dropped together when the diversity_statistics consent is withdrawn
DIMENSIONS = ("gender", "birth_year", "country_of_origin", "education_level", "municipality", "district",
              "arrival_year", "integration_route")


# -- reference data ----------------------------------------------------------------------------
class Weighted:
    """A fixed weighted choice; `pick(rng)` draws as `rng.choices` does, on precomputed cumulative weights."""

    __slots__ = ("values", "cum", "total")

    def __init__(self, weights: dict):
        self.values = list(weights)
        total, self.cum = 0.0, []
        for value in self.values:
            total += float(weights[value])
            self.cum.append(total)
        self.total = total

    def pick(self, rng: random.Random):
        # what rng.choices(values, cum_weights=cum) does, without its per-call overhead
        return self.values[bisect.bisect(self.cum, rng.random() * self.total, 0, len(self.cum) - 1)]


_ROUTES = Weighted({"b1": 60, "education": 5, "z_route": 20, "not_obligated": 5})
_ROUTES_YOUNG = Weighted({"b1": 60, "education": 40, "z_route": 20, "not_obligated": 5})
_OTHER_LANGUAGE_COUNT = Weighted({0: 35, 1: 45, 2: 20})


@dataclass
class _Country:
    code: str
    spec: dict
    preferred: Weighted
    other: Weighted
    education: Weighted
    men: list[str]
    women: list[str]
    family: list[str]
    family_by_gender: dict


@dataclass
class _World:
    countries: dict[str, _Country]
    country_pick: Weighted
    variants: dict[str, list[str]]
    context: dict
    municipality_pick: Weighted
    email_domain_pick: Weighted
    age_pick: Weighted


@functools.lru_cache(maxsize=1)
def world() -> _World:
    names = json.loads((DATA_DIR / "demo_names.json").read_text(encoding="utf-8"))
    context = json.loads((DATA_DIR / "demo_context.json").read_text(encoding="utf-8"))
    countries = {}
    for code, spec in names["countries"].items():
        countries[code] = _Country(
            code, spec, Weighted(spec["languages"]["preferred"]), Weighted(spec["languages"]["other"]),
            Weighted(spec["education"]), spec["given"]["man"], spec["given"]["woman"], spec["family"],
            spec.get("family_by_gender", {}),
        )
    variants: dict[str, list[str]] = {}
    for group in names["variants"]:
        for name in group:
            variants.setdefault(name, [])
            variants[name].extend(other for other in group if other != name and other not in variants[name])
    return _World(
        countries=countries,
        country_pick=Weighted({code: spec["weight"] for code, spec in names["countries"].items()}),
        variants=variants, context=context,
        municipality_pick=Weighted({name: m["weight"] for name, m in context["municipalities"].items()}),
        email_domain_pick=Weighted(context["email_domains"]),
        age_pick=Weighted({band: band[2] for band in _AGE_BANDS}),
    )


def variant_spellings(name: str) -> list[str]:
    """Other Latin spellings of the same name (Mohammed → Muhammad, Mohamed, …), from data/demo_names.json."""
    return list(world().variants.get(name, ()))


# -- phones and emails -------------------------------------------------------------------------
@functools.lru_cache(maxsize=64)
def _mobile_shape(region: str) -> tuple[int, int]:
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    return example.country_code, len(str(example.national_number))


def new_phone(rng: random.Random, region: str, prefixes, taken: set, check: bool) -> tuple[int, str]:
    """(country code, national number) of a fresh mobile number that is valid and not yet used."""
    country_code, length = _mobile_shape(region)
    for _ in range(50):
        prefix = rng.choice(prefixes)
        digits = length - len(prefix)
        national = prefix + str(rng.randrange(10 ** digits)).zfill(digits)
        e164 = f"+{country_code}{national}"
        if e164 in taken:
            continue
        if check and not phonenumbers.is_valid_number(phonenumbers.parse(e164, None)):
            continue
        taken.add(e164)
        return country_code, national
    raise RuntimeError(f"no valid phone number drawn for {region}")


def phone_notation(rng: random.Random, region: str, country_code: int, national: str, *,
                   exact: bool = True, avoid: str | None = None) -> tuple[str, str]:
    """(as typed, phone_country): one of the notations staff write a number in. `exact` uses phonenumbers' formats."""
    for _ in range(20):
        if region == "NL":
            rest = national[1:]
            raw = (f"0{national}", f"06 {rest}", f"06-{rest}", f"+31 6 {rest}", f"+31{national}",
                   f"0031 6 {rest[:4]} {rest[4:]}", f"+31 (0)6-{rest[:4]} {rest[4:]}",
                   f"06 {rest[:2]} {rest[2:4]} {rest[4:6]} {rest[6:]}")[rng.randrange(8)]
            country = "NL"
        else:
            style = rng.randrange(4 if exact else 2)
            if style == 0:
                raw, country = f"+{country_code}{national}", "NL"
            elif style == 1:
                raw, country = f"00{country_code}{national}", "NL"
            else:
                number = phonenumbers.parse(f"+{country_code}{national}", None)
                if style == 2:
                    raw = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
                    country = "NL"
                else:  # national notation: only readable with the country given
                    raw = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
                    country = region
        if raw != avoid:
            return raw, country
    return raw, country


def _email(rng: random.Random, given: str, family: str | None, birth_year: int, taken: set) -> str:
    g = fold(given).replace(" ", "")
    f = fold(family).replace(" ", "")
    domain = world().email_domain_pick.pick(rng)
    if f:
        local = (f"{g}.{f}", f"{g}{f}", f"{g[0]}.{f}", f"{g}{f}{birth_year % 100:02d}", f"{f}.{g}",
                 f"{g}_{f}")[rng.randrange(6)]
    else:
        local = f"{g}{birth_year % 100:02d}"
    if rng.random() < 0.12:  # typed with capitals: the key is casefolded, the address kept as typed
        local = ".".join(part[:1].upper() + part[1:] for part in local.split("."))
    address = f"{local}@{domain}"
    span = 99
    while address.casefold() in taken:
        address = f"{local}{rng.randint(1, span)}@{domain}"
        span = span * 10 if span < 10 ** 6 else span  # common names: widen the suffix range
    taken.add(address.casefold())
    return address


# -- synthetic persons -------------------------------------------------------------------------
def synthetic_people(rng: random.Random, n: int, *, as_of: dt.date | None = None, check_phones: bool = True,
                     taken_phones: set | None = None, taken_emails: set | None = None) -> Iterator[dict]:
    """Yield `n` raw person dicts (the fields of `validation.PersonInput`, plus `country`, `phone_e164`).

    Names, languages, phone countries, education and arrival years follow the person's country of
    origin (data/demo_names.json). Phones and emails are unique within `taken_phones`/`taken_emails`.
    `check_phones=False` skips the phonenumbers validity check (the prefixes are valid mobile ranges;
    the benchmark builds a million persons this way).
    """
    w = world()
    as_of = as_of or clock.today()
    this_year = as_of.year
    taken_phones = set() if taken_phones is None else taken_phones
    taken_emails = set() if taken_emails is None else taken_emails
    municipalities = w.context["municipalities"]
    for _ in range(n):
        c = w.countries[w.country_pick.pick(rng)]
        spec = c.spec
        draw = rng.random()
        gender = "other" if draw < 0.01 else ("man" if draw < 0.01 + spec.get("man_share", 0.55) * 0.99 else "woman")
        given_list = c.men if gender == "man" else c.women if gender == "woman" else (c.men + c.women)
        given = rng.choice(given_list)
        family: str | None
        if c.family_by_gender and gender in c.family_by_gender and rng.random() < 0.1:
            family = rng.choice(c.family_by_gender[gender])
        else:
            family = rng.choice(c.family)
        if rng.random() < spec.get("mononym_share", 0.0):
            family = None
        swapped = family is not None and rng.random() < spec.get("swap_share", 0.0)
        low, high, _ = w.age_pick.pick(rng)
        birth_year = this_year - rng.randint(low, high)

        phone = phone_country = phone_e164 = None
        if rng.random() < 0.88:
            abroad = rng.random() < spec["phone"]["abroad_share"]
            region = c.code if abroad else "NL"
            prefixes = spec["phone"]["prefixes"] if abroad else NL_MOBILE
            country_code, national = new_phone(rng, region, prefixes, taken_phones, check_phones)
            phone_e164 = f"+{country_code}{national}"
            phone, phone_country = phone_notation(rng, region, country_code, national, exact=check_phones)
        email = None
        if rng.random() < spec["email_share"]:
            email = _email(rng, given, family, birth_year, taken_emails)

        preferred = c.preferred.pick(rng) if rng.random() < 0.95 else None
        others: list[str] = []
        for _ in range(_OTHER_LANGUAGE_COUNT.pick(rng)):
            code = c.other.pick(rng)
            if code != preferred and code not in others:
                others.append(code)

        person = {
            "country": c.code, "given_name": family if swapped else given,
            "family_name": given if swapped else family, "phone": phone, "phone_country": phone_country or "NL",
            "phone_e164": phone_e164, "email": email, "preferred_language": preferred, "other_languages": others,
            "note": None, "consent_contact": bool(phone or email), "consent_diversity_statistics": False,
            "gender": None, "birth_year": None, "country_of_origin": None, "education_level": None,
            "municipality": None, "district": None, "arrival_year": None, "integration_route": None,
        }
        if rng.random() < 0.8:
            arrival = spec["arrival"]
            year = (rng.choice(arrival["peaks"]) if rng.random() < 0.5
                    else rng.randint(arrival["from"], arrival["to"]))
            year = min(max(year, birth_year + 1), this_year)
            age_at_arrival = year - birth_year
            if "route" in spec:
                route = rng.choice(list(spec["route"]))
            elif year >= 2022:  # the civic integration act of 2022: B1, education (young) or Z route
                route = (_ROUTES_YOUNG if age_at_arrival < 28 else _ROUTES).pick(rng)
            else:
                route = "not_obligated" if rng.random() < 0.65 else "b1"
            municipality = w.municipality_pick.pick(rng)
            person.update({
                "consent_diversity_statistics": True,
                "gender": gender if rng.random() < 0.97 else None,
                "birth_year": birth_year if rng.random() < 0.95 else None,
                "country_of_origin": c.code if rng.random() < 0.96 else None,
                "education_level": c.education.pick(rng) if rng.random() < 0.92 else None,
                "municipality": municipality if rng.random() < 0.97 else None,
                "arrival_year": year if rng.random() < 0.9 else None,
                "integration_route": route if rng.random() < 0.85 else None,
            })
            if person["municipality"] and rng.random() < 0.8:
                person["district"] = rng.choice(municipalities[municipality]["districts"])
            if person["arrival_year"] and person["birth_year"] is None and rng.random() < 0.5:
                person["arrival_year"] = None
        if rng.random() < 0.05:
            person["note"] = rng.choice(w.context["notes"])
        yield person


def person_input(raw: dict) -> PersonInput:
    return PersonInput(**{k: raw[k] for k in PersonInput.__dataclass_fields__ if k in raw})


def person_row(raw: dict, *, created_utc: dt.datetime, created_by: int | None = None,
               stage_manual: str | None = None, validate: bool = True) -> dict:
    """A `person` table row (without id) from a raw person: validated and keyed exactly as `persons.register` does.

    With `validate=False` the raw values are trusted (only for synthetic benchmark data built by
    `synthetic_people`, whose values are valid by construction).
    """
    if validate:
        clean = validate_person(person_input(raw))
        if clean.phone_e164 != raw.get("phone_e164", clean.phone_e164):
            raise ValueError("synthetic phone notation does not read back as its number")
        values = {
            "given_name": clean.given_name, "family_name": clean.family_name, "phone_e164": clean.phone_e164,
            "phone_country": clean.phone_country, "email": clean.email,
            "preferred_language": clean.preferred_language, "other_languages": clean.other_languages,
            "note": clean.note, **clean.dimensions, "email_key": clean.email_key,
        }
    else:
        values = {k: raw[k] for k in ("given_name", "family_name", "phone_e164", "email", "preferred_language",
                                      "other_languages", "note", *DIMENSIONS)}
        values["phone_country"] = raw["phone_country"] if raw["phone_e164"] else None
        values["email_key"] = raw["email"].casefold() if raw["email"] else None
    keys = dedupe.Keys.of(values["given_name"], values["family_name"], values["phone_e164"], values["email_key"],
                          values["birth_year"])
    values.update({
        "given_key": keys.given_key, "family_key": keys.family_key, "name_block": keys.name_block,
        "family_year_block": keys.family_year_block, "stage_manual": stage_manual,
        "created_utc": created_utc, "updated_utc": created_utc, "created_by": created_by,
    })
    return values
