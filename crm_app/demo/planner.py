"""The plan of the demo store: for each synthetic person when and how they were found, their consents,
contact moments and follow-ups, and true duplicates registered later through another source.

Decided in Python and deterministically (one seeded `random.Random` and Faker), before anything
is written (crm_app.demo.fill inserts the plan).
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import phonenumbers

from crm_app.core import clock
from crm_app.demo.people import DIMENSIONS, NL_MOBILE, Weighted, new_phone, phone_notation, variant_spellings, world
from crm_app.people import dedupe

HISTORY_DAYS = 540          # registrations spread over the last ~18 months
_SOURCE_KINDS = {"market": 38, "coach_referral": 20, "partner_org": 13, "self_registration": 10,
                 "internal_coach": 7, "event": 6, "alumni_referral": 4, "other": 2}
_ACTIVITY_KIND_WEIGHTS = {"call": 45, "message": 30, "visit": 8, "meeting": 12, "other": 5}
_ACTIVITY_KINDS = Weighted(_ACTIVITY_KIND_WEIGHTS)


@dataclass
class Planned:
    raw: dict
    created: dt.datetime
    created_by: int | None
    sources: list[dict] = field(default_factory=list)
    consents: list[tuple] = field(default_factory=list)
    activities: list[dict] = field(default_factory=list)
    stage_manual: str | None = None
    twin_of: Planned | None = None
    row: dict | None = None


def _utc(day: dt.date, hour: int, minute: int) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.LOCAL_TZ)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


class Planner:
    """Decides, in Python and deterministically, everything the demo store will hold."""

    def __init__(self, rng: random.Random, fake, accounts: dict[str, int]):
        self.rng, self.fake, self.accounts = rng, fake, accounts
        self.now = clock.utcnow()
        self.today = clock.today()
        ctx = world().context
        self.ctx = ctx
        self.market_pick = Weighted({i: m["weight"] for i, m in enumerate(ctx["markets"])})
        self.coach_org_pick = Weighted({i: o["weight"] for i, o in enumerate(ctx["coach_orgs"])})
        self.partner_pick = Weighted({p["name"]: p["weight"] for p in ctx["partner_orgs"]})
        self.self_reg_pick = Weighted({p["name"]: p["weight"] for p in ctx["self_registration"]})
        self.kind_pick = Weighted(_SOURCE_KINDS)
        # Coaches of the referring organisations and the programme's own coaches: generated Dutch names.
        self.coaches = [[f"{fake.first_name()} {fake.last_name()}" for _ in range(org["coaches"])]
                        for org in ctx["coach_orgs"]]
        self.internal_coaches = [f"{fake.first_name()} {fake.last_name()}" for _ in range(ctx["internal_coaches"])]
        # Contact moments are logged by the roles that may (permissions: activity.log).
        self.staff_pick = Weighted({accounts["outreach"]: 70, accounts["manager"]: 30})

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
    def plan(self, raw: dict, kind: str | None = None, after: dt.date | None = None) -> Planned:
        rng = self.rng
        kind = kind or self.kind_pick.pick(rng)
        source, created = self.source(kind, after)
        by = self.recorder(source["kind"])
        source["recorded_by"] = by
        planned = Planned(raw, created, by, sources=[source])
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
                    for name in DIMENSIONS:
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

    def _activities(self, planned: Planned) -> None:
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

    def plant_follow_ups(self, people: list[Planned]) -> int:
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
    def twin(self, original: Planned, how: str, taken_phones: set) -> dict | None:
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
        country_code, national = new_phone(self.rng, "NL", NL_MOBILE, taken_phones, True)
        raw_phone, country = phone_notation(self.rng, "NL", country_code, national)
        return {"phone": raw_phone, "phone_country": country, "phone_e164": f"+{country_code}{national}",
                "email": None}
