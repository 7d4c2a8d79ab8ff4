"""`fill_demo`: a realistic demo store for demonstrations and training.

Fills an empty store with about 2,000 synthetic newcomers (crm_app.demo.people) found at markets,
through coaches, partners, events and the kiosk; their consents, contact moments and follow-ups;
a handful of true duplicates for the duplicate review (crm_app.demo.planner); three networks with
members, alumni, waiting lists and targets (crm_app.demo.networks); and one demo account per role.
Deterministic for a given seed (Faker and `random.Random` seeded; nothing depends on hash order).
Every person passes `validation.validate_person`, and the dedupe keys are computed with
`dedupe.Keys.of` as `persons.register` does; rows are bulk-inserted through Arrow
(crm_app.core.bulk) in one transaction (no audit row per person; one `demo.fill` event). A fill
takes 2-3 s, most of it hashing the five demo passwords (argon2id).
"""
from __future__ import annotations

import datetime as dt
import random
import time

import pyarrow as pa

from crm_app.access import audit, users
from crm_app.access.audit import Actor
from crm_app.core import clock, reference
from crm_app.core.bulk import bulk_insert_persons, insert_arrow
from crm_app.core.errors import CrmError, FieldError, ValidationError
from crm_app.demo import meetings as demo_meetings
from crm_app.demo import networks as demo_networks
from crm_app.demo.people import person_row, synthetic_people
from crm_app.demo.planner import Planned, Planner
from crm_app.people import dedupe
from crm_app.people.sources import SourceInput, validate_source

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
DUPLICATES = 15             # true duplicates planted at the default size

_SOURCE_COLUMNS = (("person_id", pa.int64()), ("kind", pa.string()), ("source_name", pa.string()),
                   ("source_org", pa.string()), ("source_date", pa.date32()), ("referrer_id", pa.int64()),
                   ("detail", pa.string()), ("recorded_utc", pa.timestamp("us")), ("recorded_by", pa.int64()))
_CONSENT_COLUMNS = (("person_id", pa.int64()), ("purpose", pa.string()), ("granted", pa.bool_()),
                    ("method", pa.string()), ("text_version", pa.string()), ("recorded_utc", pa.timestamp("us")),
                    ("recorded_by", pa.int64()))
_ACTIVITY_COLUMNS = (("person_id", pa.int64()), ("kind", pa.string()), ("summary", pa.string()),
                     ("occurred_utc", pa.timestamp("us")), ("follow_up_date", pa.date32()),
                     ("follow_up_done", pa.bool_()), ("staff_id", pa.int64()))


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
    planner = Planner(rng, fake, accounts)

    duplicates = min(DUPLICATES, persons // 50)
    taken_phones: set = set()
    taken_emails: set = set()
    base = [planner.plan(raw) for raw in synthetic_people(
        rng, persons - duplicates, as_of=planner.today, taken_phones=taken_phones, taken_emails=taken_emails)]
    base.sort(key=lambda p: p.created)

    # True duplicates: the same human registered again later, through another source.
    twins: list[Planned] = []
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
        dedupe.refresh_name_keys(cur, ids)
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
        network_counts |= demo_meetings.seed(cur, network_ids, rng, planner.today, accounts.get("manager"))
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
