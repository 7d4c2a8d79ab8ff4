"""A realistic synthetic data set for demonstrations, training and the scale benchmarks.

`fill_demo` fills an empty store with about 2,000 newcomers from the largest groups in the
Netherlands (names in the Latin spellings staff actually write, with their variants), found at
markets, through coaches, partners, events and the kiosk; their consents, contact moments and
follow-ups; a handful of true duplicates for the duplicate review; three networks; and one demo
account per role. Deterministic for a given seed (Faker and `random.Random` seeded; nothing
depends on hash order). Every person passes `validation.validate_person`, and the dedupe keys
are computed with `dedupe.Keys.of` as `persons.register` does; rows are bulk-inserted through
Arrow in one transaction (no audit row per person; one `demo.fill` event). A fill takes 2-3 s,
most of it hashing the five demo passwords (argon2id).

The reference lists live in data/demo_names.json and data/demo_context.json.
`synthetic_people`, `person_row` and `bulk_insert_persons` are reused by benchmarks/.
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import phonenumbers
import pyarrow as pa

from crm_app.access import audit, users
from crm_app.access.audit import Actor
from crm_app.core import clock, reference
from crm_app.core.errors import CrmError, FieldError, ValidationError
from crm_app.core.paths import DATA_DIR
from crm_app.demo import networks as demo_networks
from crm_app.people import dedupe
from crm_app.people.names import fold
from crm_app.people.sources import SourceInput, validate_source
from crm_app.people.validation import PersonInput, validate_person

DEMO_PASSWORD = "demo-password-2026"
# username, display name, role
DEMO_ACCOUNTS = (
    ("outreach", "Sanne Bakker", "outreach"),
    ("manager", "Joost van Leeuwen", "program_manager"),
    ("coordinator", "Fatima el Amrani", "coordinator"),
    ("admin", "Beheerder", "admin"),
    ("kiosk", "Kiosk Stadskantoor", "kiosk"),
)
NETWORKS = (
    # name, kind, min, max, term months, max consecutive terms, rest months, cadence, alumni network?
    ("Alumni Netwerk", "alumni_network", 0, 40, 36, 1, 0, "quarterly", False),
    ("Klankbordgroep De Stem", "sounding_board", 15, 15, 12, 2, 12, "monthly", True),
    ("Adviesraad", "advisory_council", 6, 10, 24, 2, 12, "bimonthly", True),
)
HISTORY_DAYS = 540          # registrations spread over the last ~18 months
DUPLICATES = 15             # true duplicates planted at the default size

_NL_MOBILE = ("61", "62", "63", "64", "65", "68")
_SOURCE_KINDS = {"market": 38, "coach_referral": 20, "partner_org": 13, "self_registration": 10,
                 "internal_coach": 7, "event": 6, "alumni_referral": 4, "other": 2}
_AGE_BANDS = ((18, 24, 20), (25, 34, 32), (35, 44, 24), (45, 54, 14), (55, 66, 8), (67, 80, 2))
_ACTIVITY_KIND_WEIGHTS = {"call": 45, "message": 30, "visit": 8, "meeting": 12, "other": 5}


# -- reference data ----------------------------------------------------------------------------
class _Weighted:
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


_ROUTES = _Weighted({"b1": 60, "education": 5, "z_route": 20, "not_obligated": 5})
_ROUTES_YOUNG = _Weighted({"b1": 60, "education": 40, "z_route": 20, "not_obligated": 5})
_ACTIVITY_KINDS = _Weighted(_ACTIVITY_KIND_WEIGHTS)
_OTHER_LANGUAGE_COUNT = _Weighted({0: 35, 1: 45, 2: 20})


@dataclass
class _Country:
    code: str
    spec: dict
    preferred: _Weighted
    other: _Weighted
    education: _Weighted
    men: list[str]
    women: list[str]
    family: list[str]
    family_by_gender: dict


@dataclass
class _World:
    countries: dict[str, _Country]
    country_pick: _Weighted
    variants: dict[str, list[str]]
    context: dict
    municipality_pick: _Weighted
    email_domain_pick: _Weighted
    age_pick: _Weighted


@functools.lru_cache(maxsize=1)
def world() -> _World:
    names = json.loads((DATA_DIR / "demo_names.json").read_text(encoding="utf-8"))
    context = json.loads((DATA_DIR / "demo_context.json").read_text(encoding="utf-8"))
    countries = {}
    for code, spec in names["countries"].items():
        countries[code] = _Country(
            code, spec, _Weighted(spec["languages"]["preferred"]), _Weighted(spec["languages"]["other"]),
            _Weighted(spec["education"]), spec["given"]["man"], spec["given"]["woman"], spec["family"],
            spec.get("family_by_gender", {}),
        )
    variants: dict[str, list[str]] = {}
    for group in names["variants"]:
        for name in group:
            variants.setdefault(name, [])
            variants[name].extend(other for other in group if other != name and other not in variants[name])
    return _World(
        countries=countries,
        country_pick=_Weighted({code: spec["weight"] for code, spec in names["countries"].items()}),
        variants=variants, context=context,
        municipality_pick=_Weighted({name: m["weight"] for name, m in context["municipalities"].items()}),
        email_domain_pick=_Weighted(context["email_domains"]),
        age_pick=_Weighted({band: band[2] for band in _AGE_BANDS}),
    )


def variant_spellings(name: str) -> list[str]:
    """Other Latin spellings of the same name (Mohammed → Muhammad, Mohamed, …), from data/demo_names.json."""
    return list(world().variants.get(name, ()))


# -- phones and emails -------------------------------------------------------------------------
@functools.lru_cache(maxsize=64)
def _mobile_shape(region: str) -> tuple[int, int]:
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    return example.country_code, len(str(example.national_number))


def _new_phone(rng: random.Random, region: str, prefixes, taken: set, check: bool) -> tuple[int, str]:
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
            prefixes = spec["phone"]["prefixes"] if abroad else _NL_MOBILE
            country_code, national = _new_phone(rng, region, prefixes, taken_phones, check_phones)
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


PERSON_COLUMNS = (
    ("id", pa.int64()), ("given_name", pa.string()), ("family_name", pa.string()),
    ("phone_e164", pa.string()), ("phone_country", pa.string()), ("email", pa.string()),
    ("preferred_language", pa.string()), ("other_languages", pa.list_(pa.string())), ("note", pa.string()),
    ("stage_manual", pa.string()), ("gender", pa.string()), ("birth_year", pa.int32()),
    ("country_of_origin", pa.string()), ("education_level", pa.string()), ("municipality", pa.string()),
    ("district", pa.string()), ("arrival_year", pa.int32()), ("integration_route", pa.string()),
    ("email_key", pa.string()), ("given_key", pa.string()), ("family_key", pa.string()),
    ("name_block", pa.string()), ("family_year_block", pa.string()), ("created_utc", pa.timestamp("us")),
    ("updated_utc", pa.timestamp("us")), ("created_by", pa.int64()),
)


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
                                      "other_languages", "note", *_DIMENSIONS)}
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


_DIMENSIONS = ("gender", "birth_year", "country_of_origin", "education_level", "municipality", "district",
               "arrival_year", "integration_route")


def reserve_ids(cur, sequence: str, n: int) -> list[int]:
    """`n` fresh values of a sequence, ascending (so bulk-inserted rows never collide with later inserts)."""
    if n == 0:
        return []
    rows = cur.execute("SELECT nextval(?) AS v FROM range(?) ORDER BY v", [sequence, n]).fetchnumpy()
    return rows["v"].tolist()


def arrow_table(columns, rows: list[dict]) -> pa.Table:
    """Dict rows as an Arrow table with the given (name, type) columns; missing keys are NULL."""
    return pa.table({name: pa.array([row.get(name) for row in rows], type=kind) for name, kind in columns})


_BULK_TABLES = frozenset({"person", "person_source", "consent", "activity", "waitlist_entry"})


def insert_arrow(cur, table: str, columns, rows: list[dict] | pa.Table) -> int:
    """Insert dict rows (or an Arrow table) into `table` in one statement through Arrow."""
    if len(rows) == 0:
        return 0
    names = [name for name, _ in columns]
    # Identifiers cannot be parameters: they are checked against the schema instead (never user input).
    known = {r[0] for r in cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                                       [table]).fetchall()}
    if table not in _BULK_TABLES or not set(names) <= known:
        raise ValueError(f"bulk insert into an unknown table or column: {table}")
    arrow = rows if isinstance(rows, pa.Table) else arrow_table(columns, rows)
    view = f"_bulk_{table}"
    cur.register(view, arrow)
    try:
        cur.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(names)} FROM {view}")
    finally:
        cur.unregister(view)
    return len(rows)


def bulk_insert_persons(cur, rows: list[dict] | pa.Table) -> list[int]:
    """Insert person rows (from `person_row`, or `arrow_table(PERSON_COLUMNS, rows)`) in one statement.

    Ids come from the person sequence, so later registrations never collide; returns them in row order.
    """
    ids = reserve_ids(cur, "person_id_seq", len(rows))
    if isinstance(rows, pa.Table):
        rows = rows.set_column(rows.schema.get_field_index("id"), "id", pa.array(ids, type=pa.int64()))
    else:
        for row, new_id in zip(rows, ids):
            row["id"] = new_id
    insert_arrow(cur, "person", PERSON_COLUMNS, rows)
    return ids


# -- the demo store ----------------------------------------------------------------------------
_SOURCE_COLUMNS = (("person_id", pa.int64()), ("kind", pa.string()), ("source_name", pa.string()),
                   ("source_org", pa.string()), ("source_date", pa.date32()), ("referrer_id", pa.int64()),
                   ("detail", pa.string()), ("recorded_utc", pa.timestamp("us")), ("recorded_by", pa.int64()))
_CONSENT_COLUMNS = (("person_id", pa.int64()), ("purpose", pa.string()), ("granted", pa.bool_()),
                    ("method", pa.string()), ("text_version", pa.string()), ("recorded_utc", pa.timestamp("us")),
                    ("recorded_by", pa.int64()))
_ACTIVITY_COLUMNS = (("person_id", pa.int64()), ("kind", pa.string()), ("summary", pa.string()),
                     ("occurred_utc", pa.timestamp("us")), ("follow_up_date", pa.date32()),
                     ("follow_up_done", pa.bool_()), ("staff_id", pa.int64()))


@dataclass
class _Planned:
    raw: dict
    created: dt.datetime
    created_by: int | None
    sources: list[dict] = field(default_factory=list)
    consents: list[tuple] = field(default_factory=list)
    activities: list[dict] = field(default_factory=list)
    stage_manual: str | None = None
    twin_of: _Planned | None = None
    row: dict | None = None


def _utc(day: dt.date, hour: int, minute: int) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.LOCAL_TZ)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


class _Planner:
    """Decides, in Python and deterministically, everything the demo store will hold."""

    def __init__(self, rng: random.Random, fake, accounts: dict[str, int]):
        self.rng, self.fake, self.accounts = rng, fake, accounts
        self.now = clock.utcnow()
        self.today = clock.today()
        ctx = world().context
        self.ctx = ctx
        self.market_pick = _Weighted({i: m["weight"] for i, m in enumerate(ctx["markets"])})
        self.coach_org_pick = _Weighted({i: o["weight"] for i, o in enumerate(ctx["coach_orgs"])})
        self.partner_pick = _Weighted({p["name"]: p["weight"] for p in ctx["partner_orgs"]})
        self.self_reg_pick = _Weighted({p["name"]: p["weight"] for p in ctx["self_registration"]})
        self.kind_pick = _Weighted(_SOURCE_KINDS)
        # Coaches of the referring organisations and the programme's own coaches: generated Dutch names.
        self.coaches = [[f"{fake.first_name()} {fake.last_name()}" for _ in range(org["coaches"])]
                        for org in ctx["coach_orgs"]]
        self.internal_coaches = [f"{fake.first_name()} {fake.last_name()}" for _ in range(ctx["internal_coaches"])]
        # Contact moments are logged by the roles that may (permissions: activity.log).
        self.staff_pick = _Weighted({accounts["outreach"]: 70, accounts["manager"]: 30})

    # dates ---------------------------------------------------------------------------------
    def _days_ago(self) -> int:
        return 1 + int((HISTORY_DAYS - 1) * self.rng.random() ** 1.3)  # more registrations lately

    def _event_day(self, event: dict) -> dt.date:
        if "month_day" in event:
            month, day = event["month_day"]
            when = dt.date(self.today.year, month, day)
            years_back = self.rng.choice((0, 1))
            if when >= self.today:
                years_back += 1
            return when.replace(year=when.year - years_back)
        return self.today - dt.timedelta(days=self.rng.choice(event["days_ago"]))

    def source(self, kind: str, after: dt.date | None = None) -> tuple[dict, dt.datetime]:
        """A source of `kind` and when it was recorded (after `after`, if given)."""
        rng = self.rng
        name = org = day = detail = None
        referrer = None
        hour_low, hour_high = 9, 17
        if kind == "event":
            event = rng.choice(self.ctx["events"])
            name, day = event["name"], self._event_day(event)
            hour_low, hour_high = 14, 20
            if after and day <= after:  # no such event since: met at a market instead
                kind, name, day = "market", None, None
        if kind == "market":
            market = self.ctx["markets"][self.market_pick.pick(rng)]
            name, day = market["name"], self._market_day(market["weekdays"], after)
            hour_low, hour_high = 9, 15
        elif kind == "coach_referral":
            index = self.coach_org_pick.pick(rng)
            name, org = rng.choice(self.coaches[index]), self.ctx["coach_orgs"][index]["org"]
        elif kind == "internal_coach":
            name = rng.choice(self.internal_coaches)
        elif kind == "partner_org":
            name = self.partner_pick.pick(rng)
        elif kind == "self_registration":
            name = self.self_reg_pick.pick(rng)
        elif kind == "alumni_referral":
            referrer = True  # the referring person is chosen once everyone's registration order is known
        else:
            detail = rng.choice(self.ctx["other_details"])
        recorded_day = day or self._recent_day(after)
        if recorded_day >= self.today:
            recorded_day = self.today - dt.timedelta(days=1)
        recorded = _utc(recorded_day, rng.randint(hour_low, hour_high - 1), rng.randrange(60))
        source = {"kind": kind, "source_name": name, "source_org": org, "source_date": day,
                  "referrer": referrer, "detail": detail, "recorded_utc": recorded}
        return source, recorded

    def _market_day(self, weekdays: list[int], after: dt.date | None) -> dt.date:
        """A past market day; after `after` when there was one since."""
        if after is not None:
            days = [after + dt.timedelta(days=k) for k in range(1, (self.today - after).days)]
            days = [d for d in days if d.weekday() in weekdays]
            if days:
                return self.rng.choice(days)
            day = self.today - dt.timedelta(days=1)
        else:
            day = self.today - dt.timedelta(days=self._days_ago())
        weekday = self.rng.choice(weekdays)  # each market day as busy as the other
        while day.weekday() != weekday:
            day -= dt.timedelta(days=1)
        return day

    def _recent_day(self, after: dt.date | None) -> dt.date:
        if after is None:
            return self.today - dt.timedelta(days=self._days_ago())
        span = (self.today - after).days - 1
        if span < 1:
            return self.today - dt.timedelta(days=1)
        return after + dt.timedelta(days=self.rng.randint(1, span))

    def recorder(self, kind: str) -> int:
        if kind == "self_registration":
            return self.accounts["kiosk"]
        if kind in ("coach_referral", "partner_org", "internal_coach"):
            return self.accounts["manager"] if self.rng.random() < 0.4 else self.accounts["outreach"]
        return self.accounts["outreach"]

    # a whole person ------------------------------------------------------------------------
    def plan(self, raw: dict, kind: str | None = None, after: dt.date | None = None) -> _Planned:
        rng = self.rng
        kind = kind or self.kind_pick.pick(rng)
        source, created = self.source(kind, after)
        by = self.recorder(source["kind"])
        source["recorded_by"] = by
        planned = _Planned(raw, created, by, sources=[source])
        method = {"self_registration": "form", "coach_referral": "written", "partner_org": "written"}.get(
            source["kind"], "verbal")
        if raw["consent_contact"]:
            planned.consents.append(("contact", True, method, created, by))
        if raw["consent_diversity_statistics"]:
            planned.consents.append(("diversity_statistics", True, method, created, by))
            if rng.random() < 0.01:  # withdrawn later: the dimensions go with it (consents.record)
                later = created + dt.timedelta(days=rng.randint(5, 60))
                if later < self.now:
                    planned.consents.append(("diversity_statistics", False, "verbal", later, self.accounts["outreach"]))
                    raw["consent_diversity_statistics"] = False
                    for name in _DIMENSIONS:
                        raw[name] = None
        if source["kind"] in ("coach_referral", "alumni_referral") and rng.random() < 0.6:
            planned.consents.append(("share_with_referrer", True, method, created, by))
        if rng.random() < 0.06:
            planned.consents.append(("photo", True, "written", created, by))
        if rng.random() < 0.12:  # met again elsewhere
            second_kind = self.kind_pick.pick(rng)
            if second_kind != source["kind"] and second_kind != "alumni_referral":
                second, _ = self.source(second_kind, created.date())
                second["recorded_by"] = self.recorder(second["kind"])
                planned.sources.append(second)
        self._activities(planned)
        return planned

    def _activities(self, planned: _Planned) -> None:
        rng = self.rng
        summaries = self.ctx["activity_summaries"]
        first_kind = planned.sources[0]["kind"]
        moments = []
        if first_kind == "market" and rng.random() < 0.5:
            moments.append(("market_conversation", planned.created))
        if rng.random() < 0.5:
            span = (self.now - planned.created).total_seconds()
            for _ in range(rng.choices((1, 2, 3), (55, 30, 15))[0]):
                when = planned.created + dt.timedelta(seconds=span * rng.random())
                kind = _ACTIVITY_KINDS.pick(rng)
                moments.append((kind, when.replace(microsecond=0)))
        moments.sort(key=lambda m: m[1])
        for index, (kind, when) in enumerate(moments):
            activity = {"kind": kind, "summary": rng.choice(summaries[kind]), "occurred_utc": when,
                        "follow_up_date": None, "follow_up_done": False, "staff_id": self.staff_pick.pick(rng)}
            if kind == "market_conversation":
                activity["staff_id"] = self.accounts["outreach"]
            local_day = clock.to_local(when).date()
            if index < len(moments) - 1 and rng.random() < 0.4:
                activity["follow_up_date"] = local_day + dt.timedelta(days=rng.randint(2, 14))
                activity["follow_up_done"] = True
            elif index == len(moments) - 1 and rng.random() < 0.15:
                due = local_day + dt.timedelta(days=rng.randint(7, 28))
                if due > self.today:  # an open follow-up still to come
                    activity["follow_up_date"] = due
                elif local_day + dt.timedelta(days=3) < self.today:  # one that was done in time
                    activity["follow_up_date"] = local_day + dt.timedelta(days=rng.randint(1, 3))
                    activity["follow_up_done"] = True
            planned.activities.append(activity)
        if planned.activities:
            draw = rng.random()
            planned.stage_manual = ("interested" if draw < 0.15 else "not_interested" if draw < 0.20
                                    else "unreachable" if draw < 0.26 else "withdrawn" if draw < 0.275 else None)
        elif rng.random() < 0.03:
            planned.stage_manual = "interested"

    def plant_follow_ups(self, people: list[_Planned]) -> int:
        """Open follow-ups for each demo account: some overdue, some due today, some still to come."""
        rng = self.rng
        targets = (("outreach", 6, 3, 8), ("manager", 3, 2, 4))
        candidates = [p for p in people if p.twin_of is None and p.stage_manual not in ("not_interested", "withdrawn")
                      and p.created < self.now - dt.timedelta(days=21)]
        rng.shuffle(candidates)
        planted = 0
        for username, overdue, due_today, later in targets:
            for offset_days in ([-rng.randint(1, 12) for _ in range(overdue)] + [0] * due_today
                                + [rng.randint(1, 14) for _ in range(later)]):
                if not candidates:
                    return planted
                person = candidates.pop()
                due = self.today + dt.timedelta(days=offset_days)
                occurred_day = min(due, self.today) - dt.timedelta(days=rng.randint(2, 12))
                occurred = max(_utc(occurred_day, rng.randint(9, 16), rng.randrange(60)), person.created)
                kind = rng.choice(("call", "message", "meeting"))
                for activity in person.activities:  # older follow-ups of this person are done
                    if activity["follow_up_date"] and not activity["follow_up_done"]:
                        activity["follow_up_done"] = True
                person.activities.append({
                    "kind": kind, "summary": rng.choice(self.ctx["activity_summaries"][kind]),
                    "occurred_utc": occurred, "follow_up_date": due, "follow_up_done": False,
                    "staff_id": self.accounts[username]})
                if person.stage_manual == "unreachable":
                    person.stage_manual = None
                planted += 1
        return planted

    # duplicates ----------------------------------------------------------------------------
    def twin(self, original: _Planned, how: str, taken_phones: set) -> dict | None:
        """The same human registered a second time: `how` says what differs. None if `original` doesn't fit."""
        rng, raw = self.rng, original.raw
        twin = dict(raw, other_languages=list(raw["other_languages"]), note=None)
        if how == "phone_notation":
            if not raw["phone_e164"]:
                return None
            number = phonenumbers.parse(raw["phone_e164"], None)
            region = phonenumbers.region_code_for_number(number)
            twin["phone"], twin["phone_country"] = phone_notation(
                rng, region, number.country_code, str(number.national_number), avoid=raw["phone"])
            spellings = variant_spellings(raw["given_name"])
            if spellings and rng.random() < 0.6:
                twin["given_name"] = rng.choice(spellings)
            twin["email"] = None
        elif how == "spelling":
            if raw["birth_year"] is None or not raw["family_name"]:
                return None
            block = dedupe.Keys.of(raw["given_name"], raw["family_name"], None, None, None).name_block
            spellings = [s for s in variant_spellings(raw["given_name"])  # found through the name block
                         if dedupe.Keys.of(s, raw["family_name"], None, None, None).name_block == block]
            if not spellings:
                return None
            twin["given_name"] = rng.choice(spellings)
            twin.update(self._fresh_contact(raw, taken_phones))
        elif how == "swapped":
            if not raw["family_name"]:
                return None
            twin["given_name"], twin["family_name"] = raw["family_name"], raw["given_name"]
            twin.update(self._fresh_contact(raw, taken_phones))
        elif how == "email_case":
            if not raw["email"]:
                return None
            local, _, domain = raw["email"].partition("@")
            changed = local.upper() if local != local.upper() else local.lower()
            twin["email"] = f"{changed}@{domain.upper() if rng.random() < 0.3 else domain}"
            twin["phone"] = twin["phone_e164"] = None
            family_spellings = variant_spellings(raw["family_name"] or "")
            if family_spellings:
                twin["family_name"] = rng.choice(family_spellings)
        elif how == "mononym":
            if raw["family_name"] or not raw["phone_e164"]:
                return None
            country = world().countries.get(raw["country"])
            twin["family_name"] = rng.choice(country.men if country else ["Tesfay"])
            number = phonenumbers.parse(raw["phone_e164"], None)
            region = phonenumbers.region_code_for_number(number)
            twin["phone"], twin["phone_country"] = phone_notation(
                rng, region, number.country_code, str(number.national_number), avoid=raw["phone"])
        else:
            raise ValueError(how)
        twin["consent_contact"] = bool(twin["phone"] or twin["email"])
        if twin["consent_diversity_statistics"] and rng.random() < 0.3:
            twin["district"] = None  # the second registration was less complete
        return twin

    def _fresh_contact(self, raw: dict, taken_phones: set) -> dict:
        """A second registration with a number the person did not have before (or none)."""
        if self.rng.random() < 0.5:
            return {"phone": None, "phone_e164": None, "email": None}
        country_code, national = _new_phone(self.rng, "NL", _NL_MOBILE, taken_phones, True)
        raw_phone, country = phone_notation(self.rng, "NL", country_code, national)
        return {"phone": raw_phone, "phone_country": country, "phone_e164": f"+{country_code}{national}",
                "email": None}


_TWIN_KINDS = ("phone_notation", "spelling", "swapped", "phone_notation", "email_case", "spelling",
               "swapped", "phone_notation", "mononym", "spelling", "email_case", "phone_notation",
               "swapped", "spelling", "phone_notation")


def _ensure_accounts(store, actor: Actor) -> tuple[dict[str, int], int]:
    """One demo account per role (username → id). Existing accounts with a demo username are kept as they are."""
    ids, created = {}, 0
    for username, display_name, role in DEMO_ACCOUNTS:
        with store.read() as cur:
            row = cur.execute("SELECT id FROM app_user WHERE username = ?", [username]).fetchone()
        if row:
            ids[username] = row[0]
        else:
            ids[username] = users.add(store, actor, username, display_name, role, DEMO_PASSWORD)
            created += 1
    return ids, created


def _person_count(cur) -> int:
    return cur.execute("SELECT count(*) FROM person").fetchone()[0]


def fill_demo(store, *, persons: int = 2000, seed: int = 2026, actor: Actor = audit.CLI_OPERATOR) -> dict:
    """Fill an EMPTY store with the synthetic demo data set; returns a summary of what was made.

    Raises CrmError("store_not_empty") when the store already holds persons.
    """
    started = time.perf_counter()
    with store.read() as cur:
        if _person_count(cur):
            raise CrmError("store_not_empty")
    from faker import Faker

    rng = random.Random(seed)
    fake = Faker("nl_NL")
    fake.seed_instance(seed)
    accounts, accounts_created = _ensure_accounts(store, actor)
    planner = _Planner(rng, fake, accounts)

    duplicates = min(DUPLICATES, persons // 50)
    taken_phones: set = set()
    taken_emails: set = set()
    base = [planner.plan(raw) for raw in synthetic_people(
        rng, persons - duplicates, as_of=planner.today, taken_phones=taken_phones, taken_emails=taken_emails)]
    base.sort(key=lambda p: p.created)

    # True duplicates: the same human registered again later, through another source.
    twins: list[_Planned] = []
    used: set[int] = set()
    order = list(range(len(base) // 2))  # originals from the older half, so the twin can come later
    rng.shuffle(order)
    for how in _TWIN_KINDS[:duplicates]:
        for index in order:
            if index in used:
                continue
            original = base[index]
            twin_raw = planner.twin(original, how, taken_phones)
            if twin_raw is None:
                continue
            used.add(index)
            first_kind = original.sources[0]["kind"]
            kind = rng.choice([k for k in ("market", "coach_referral", "partner_org", "event", "self_registration")
                               if k != first_kind])
            twin = planner.plan(twin_raw, kind, after=original.created.date() + dt.timedelta(days=7))
            twin.twin_of = original
            twin.stage_manual = None
            twins.append(twin)
            break

    people = sorted(base + twins, key=lambda p: p.created)
    # alumni referrals point at someone registered earlier
    for index, person in enumerate(people):
        for source in person.sources:
            if source["kind"] == "alumni_referral":
                source["referrer"] = people[rng.randrange(index)] if index else None
                if source["referrer"] is None:
                    source.update(kind="other", referrer=None, detail=rng.choice(planner.ctx["other_details"]))
    follow_ups = planner.plant_follow_ups(people)

    # Validate every person and source as the services would, then key the rows.
    for person in people:
        person.row = person_row(person.raw, created_utc=person.created, created_by=person.created_by,
                                stage_manual=person.stage_manual)
        last = max([person.created] + [a["occurred_utc"] for a in person.activities]
                   + [c[3] for c in person.consents] + [s["recorded_utc"] for s in person.sources])
        person.row["updated_utc"] = last
        errors: list[FieldError] = []
        for source in person.sources:
            referrer = None if source["referrer"] is None else 0  # the id is known after the insert
            validate_source(SourceInput(source["kind"], source["source_name"], source["source_org"],
                                        source["source_date"], referrer, source["detail"]), errors)
        for activity in person.activities:
            if activity["kind"] not in reference.ACTIVITY_KINDS:
                errors.append(FieldError("activity_kind", "invalid_choice"))
        if errors:
            raise ValidationError(errors)

    def work(cur):
        if _person_count(cur):
            raise CrmError("store_not_empty")
        ids = bulk_insert_persons(cur, [p.row for p in people])
        id_of = {id(p): new_id for p, new_id in zip(people, ids)}
        source_rows, consent_rows, activity_rows = [], [], []
        for person, person_id in zip(people, ids):
            for source in person.sources:
                referrer = source["referrer"]
                source_rows.append({**source, "person_id": person_id,
                                    "referrer_id": id_of[id(referrer)] if referrer is not None else None})
            for purpose, granted, method, when, by in person.consents:
                consent_rows.append({"person_id": person_id, "purpose": purpose, "granted": granted,
                                     "method": method, "text_version": reference.CONSENT_TEXT_VERSION,
                                     "recorded_utc": when, "recorded_by": by})
            for activity in person.activities:
                activity_rows.append({**activity, "person_id": person_id})
        source_rows.sort(key=lambda r: (r["recorded_utc"], r["person_id"]))
        consent_rows.sort(key=lambda r: (r["recorded_utc"], r["person_id"]))
        activity_rows.sort(key=lambda r: (r["occurred_utc"], r["person_id"]))
        insert_arrow(cur, "person_source", _SOURCE_COLUMNS, source_rows)
        insert_arrow(cur, "consent", _CONSENT_COLUMNS, consent_rows)
        insert_arrow(cur, "activity", _ACTIVITY_COLUMNS, activity_rows)
        network_ids = _insert_networks(cur)
        network_counts = demo_networks.seed(cur, network_ids, rng, planner.today, accounts.get("manager"))
        audit.record(cur, actor, "demo.fill", None, None)
        pairs = [[id_of[id(p.twin_of)], id_of[id(p)]] for p in people if p.twin_of is not None]
        return {
            "persons": len(ids), "duplicates_planted": len(pairs), "duplicate_pairs": sorted(pairs),
            "sources": len(source_rows), "consents": len(consent_rows), "activities": len(activity_rows),
            "open_follow_ups": sum(1 for a in activity_rows if a["follow_up_date"] and not a["follow_up_done"]),
            "planted_follow_ups": follow_ups, "networks": len(network_ids), **network_counts,
        }

    summary = store.write(work)
    summary.update({"users": len(accounts), "users_created": accounts_created, "seed": seed,
                    "seconds": round(time.perf_counter() - started, 2)})
    return summary


def _insert_networks(cur) -> dict[str, int]:
    ids: dict[str, int] = {}
    alumni_id = None
    now = clock.utcnow()
    for name, kind, low, high, term, terms, rest, cadence, has_alumni in NETWORKS:
        new_id = cur.execute(
            "INSERT INTO network (name, kind, min_places, max_places, term_months, max_consecutive_terms, "
            "rest_months, meeting_cadence, alumni_network_id, created_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "RETURNING id",
            [name, kind, low, high, term, terms, rest, cadence, alumni_id if has_alumni else None, now],
        ).fetchone()[0]
        if kind == "alumni_network":
            alumni_id = new_id
        ids[name] = new_id
    return ids
