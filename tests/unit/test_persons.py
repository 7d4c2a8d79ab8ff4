"""Persons end to end on a real store: register, open, edit, consents, search, contact moments, roles, audit."""
from __future__ import annotations

import dataclasses
import datetime as dt
import shutil

import pytest

from crm_app.access.audit import Actor
from crm_app.core import clock
from crm_app.core.errors import NotFound, PermissionDenied, ValidationError
from crm_app.core.store import Store
from crm_app.people import activities, consents, persons, sources
from crm_app.people.sources import SourceInput
from crm_app.people.stages import MANUAL_STAGES
from crm_app.people.validation import PersonInput

MARKET = SourceInput(kind="market", source_name="Markt Kanaleneiland", source_date="2026-11-28")
COACH = SourceInput(kind="coach_referral", source_name="Coach Petra", source_org="VluchtelingenWerk")


def amina(**changes) -> PersonInput:
    data = PersonInput(
        given_name="Amina", family_name="Al-Hassan", phone="06 12345678", phone_country="NL",
        email="Amina.AlHassan@Example.org", preferred_language="ara", other_languages=["nld"],
        consent_contact=True, consent_diversity_statistics=True, gender="woman", birth_year=1991,
        country_of_origin="SY", education_level="university", municipality="Utrecht", district="Overvecht",
        arrival_year=2016, integration_route="b1",
    )
    return dataclasses.replace(data, **changes)


def registered(store, actor, data: PersonInput | None = None, source: SourceInput = MARKET) -> int:
    result = persons.register(store, actor, data or amina(), source, consent_method="written")
    assert result.saved, result.duplicates
    return result.person_id


def person_row(store, person_id: int, *, without: tuple[str, ...] = ()) -> dict:
    with store.read() as cur:
        cur.execute("SELECT * FROM person WHERE id = ?", [person_id])
        names = [d[0] for d in cur.description]
        row = dict(zip(names, cur.fetchone()))
    return {k: v for k, v in row.items() if k not in without}


# -- register and open ----------------------------------------------------------------------------
def test_registered_person_opens_with_source_consents_and_stage_new(store, actor, frozen_clock):
    person_id = registered(store, actor)
    person = persons.get(store, actor, person_id)
    assert (person["given_name"], person["family_name"]) == ("Amina", "Al-Hassan")
    assert person["phone_e164"] == "+31612345678" and person["phone_country"] == "NL"
    assert person["email"] == "Amina.AlHassan@example.org"
    assert person["stage"] == "new"
    assert person["birth_year"] == 1991 and person["country_of_origin"] == "SY"
    assert person["other_languages"] == ["nld"]
    assert person["created_utc"] == frozen_clock
    [source] = person["sources"]
    assert (source["kind"], source["source_name"], source["source_date"]) == (
        "market", "Markt Kanaleneiland", dt.date(2026, 11, 28))
    assert person["consents"] == {"contact": True, "diversity_statistics": True}
    history = person["consent_history"]
    assert sorted(h["purpose"] for h in history) == ["contact", "diversity_statistics"]
    assert all(h["granted"] and h["method"] == "written" and h["recorded_by"] == "Olga Outreach" for h in history)
    assert person["activities"] == []


def test_unknown_person_is_not_found(store, actor):
    with pytest.raises(NotFound):
        persons.get(store, actor, 999)


def test_second_source_added_and_the_first_stays_first(store, actor, frozen_clock):
    person_id = registered(store, actor)
    clock.freeze(frozen_clock + dt.timedelta(days=3))
    sources.add_source(store, actor, person_id, COACH)
    kinds = [s["kind"] for s in persons.get(store, actor, person_id)["sources"]]
    assert kinds == ["market", "coach_referral"]


def test_source_validated(store, actor, frozen_clock):
    person_id = registered(store, actor)
    with pytest.raises(ValidationError) as info:
        sources.add_source(store, actor, person_id, SourceInput(kind="fax", source_date="2027-12-01"))
    assert {e.field: e.code for e in info.value.errors} == {"source_kind": "invalid_choice",
                                                            "source_date": "date_in_future"}
    with pytest.raises(ValidationError) as info:
        sources.add_source(store, actor, person_id, SourceInput(kind="alumni_referral"))
    assert info.value.for_field("source_name").code == "referrer_required"
    assert len(persons.get(store, actor, person_id)["sources"]) == 1


def test_register_without_a_source_kind_is_refused_with_the_person_errors_too(store, actor):
    with pytest.raises(ValidationError) as info:
        persons.register(store, actor, amina(phone="12"), SourceInput())
    assert {e.field: e.code for e in info.value.errors} == {"phone": "phone_invalid", "source_kind": "required"}


def test_unknown_referrer_leaves_nothing_half_written(store, actor):
    with pytest.raises(ValidationError) as info:
        persons.register(store, actor, amina(), SourceInput(kind="alumni_referral", referrer_id=12345))
    assert info.value.for_field("source_referrer").code == "referrer_unknown"
    with store.read() as cur:
        for table in ("person", "person_source", "consent"):
            assert cur.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
        assert cur.execute("SELECT count(*) FROM audit_event WHERE action = 'person.register'").fetchone() == (0,)


# -- edit -----------------------------------------------------------------------------------------
def test_update_uses_the_same_validation_and_changes_nothing_when_refused(store, actor):
    person_id = registered(store, actor)
    before = person_row(store, person_id)
    for bad in (amina(phone="0944 123 456"), amina(email="amina@"), amina(given_name="A\u202eB"),
                amina(consent_diversity_statistics=False)):
        with pytest.raises(ValidationError):
            persons.update(store, actor, person_id, bad)
    assert person_row(store, person_id) == before


def test_update_stores_the_normalised_values_and_new_keys(store, actor):
    person_id = registered(store, actor)
    persons.update(store, actor, person_id, amina(given_name="Aminah", phone="0944 123 456", phone_country="SY",
                                                  email="AMINA@example.ORG"))
    person = persons.get(store, actor, person_id)
    assert (person["given_name"], person["phone_e164"], person["phone_country"], person["email"]) == (
        "Aminah", "+963944123456", "SY", "AMINA@example.org")
    assert [p["id"] for p in persons.find(store, actor, "aminah")] == [person_id]
    assert [p["id"] for p in persons.find(store, actor, "amina@EXAMPLE.org")] == [person_id]


def test_round_trip_through_the_edit_form_changes_nothing(store, actor):
    person_id = registered(store, actor)
    before = person_row(store, person_id, without=("updated_utc",))
    persons.update(store, actor, person_id, persons.to_input(persons.get(store, actor, person_id)))
    assert person_row(store, person_id, without=("updated_utc",)) == before
    with store.read() as cur:
        assert cur.execute("SELECT count(*) FROM consent").fetchone() == (2,)   # no consent re-recorded


def test_update_of_unknown_person_is_not_found(store, actor):
    with pytest.raises(NotFound):
        persons.update(store, actor, 999, amina())


# -- consents -------------------------------------------------------------------------------------
def test_withdrawing_diversity_consent_clears_every_dimension(store, actor):
    person_id = registered(store, actor)
    consents.set_consent(store, actor, person_id, "diversity_statistics", False, "verbal")
    person = persons.get(store, actor, person_id)
    for dimension in ("gender", "birth_year", "country_of_origin", "education_level", "municipality", "district",
                      "arrival_year", "integration_route"):
        assert person[dimension] is None, dimension
    assert person["consents"] == {"contact": True, "diversity_statistics": False}
    assert person["consent_history"][0]["purpose"] == "diversity_statistics"
    assert person["consent_history"][0]["granted"] is False
    assert len(person["consent_history"]) == 3   # given twice at registration, withdrawn once
    assert person["phone_e164"] == "+31612345678"   # contact details untouched
    with store.read() as cur:
        assert cur.execute("SELECT family_year_block FROM person WHERE id = ?", [person_id]).fetchone() == (None,)
        # nor does any typo-tolerant name key keep the birth year
        assert cur.execute("SELECT count(*) FROM person_name_key WHERE person_id = ? AND name_key & 255 <> 0",
                           [person_id]).fetchone() == (0,)
        assert cur.execute("SELECT count(*) FROM person_name_key WHERE person_id = ?", [person_id]).fetchone()[0] > 0


def test_withdrawing_contact_consent_clears_phone_and_email(store, actor):
    person_id = registered(store, actor)
    consents.set_consent(store, actor, person_id, "contact", False, "verbal")
    person = persons.get(store, actor, person_id)
    assert (person["phone_e164"], person["phone_country"], person["email"]) == (None, None, None)
    assert person["country_of_origin"] == "SY"   # dimensions untouched
    assert persons.find(store, actor, "0612345678") == []
    assert persons.find(store, actor, "amina.alhassan@example.org") == []
    assert [p["id"] for p in persons.find(store, actor, "amina")] == [person_id]


def test_unknown_consent_purpose_or_method_refused(store, actor):
    person_id = registered(store, actor)
    with pytest.raises(ValidationError):
        consents.set_consent(store, actor, person_id, "marketing", True, "verbal")
    with pytest.raises(ValidationError):
        consents.set_consent(store, actor, person_id, "photo", True, "telepathy")
    consents.set_consent(store, actor, person_id, "photo", True, "form")
    assert persons.get(store, actor, person_id)["consents"]["photo"] is True


# -- find -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def directory(_store_template, tmp_path_factory):
    """One store with a handful of people for the read-only search tests: (store, actor, ids by name)."""
    template, user_id = _store_template
    path = tmp_path_factory.mktemp("find") / "crm.duckdb"
    shutil.copyfile(template, path)
    store = Store(path)
    actor = Actor(user_id, "outreach")
    entries = {
        "amina": amina(),
        "oleksandr": PersonInput(given_name="Олександр", family_name="Коваленко", phone="+380 50 123 4567",
                                 consent_contact=True),
        "tesfay": PersonInput(given_name="Tesfay", family_name="Gebremedhin", email="tesfay@example.org",
                              consent_contact=True),
        "jose": PersonInput(given_name="Jose\u0301", family_name="García"),
        "samira": PersonInput(given_name="Samira", family_name="Benali", phone="0944 123 456", phone_country="SY",
                              consent_contact=True),
    }
    try:
        yield store, actor, {key: registered(store, actor, data) for key, data in entries.items()}
    finally:
        store.close()


def found(directory, text) -> list[int]:
    store, actor, _ = directory
    return [p["id"] for p in persons.find(store, actor, text)]


@pytest.mark.parametrize("text, who", [
    ("hassan", "amina"), ("HASSAN", "amina"), ("al-hassan", "amina"), ("amina hassan", "amina"), ("amin", "amina"),
    ("oleksandr", "oleksandr"), ("Коваленко", "oleksandr"), ("kovalenko", "oleksandr"),
    ("ተስፋይ", "tesfay"), ("gebremedhin", "tesfay"),
    ("jose", "jose"), ("José", "jose"), ("garcia", "jose"),
    # another spelling of the whole word: the same consonant skeleton
    ("Aminah Alhasan", "amina"), ("alhasan", "amina"), ("Tesfaye", "tesfay"), ("Olexander Kowalenko", "oleksandr"),
])
def test_find_by_any_part_of_a_name_in_any_case_or_script(directory, text, who):
    assert found(directory, text) == [directory[2][who]]


@pytest.mark.parametrize("text, who", [
    ("0612345678", "amina"), ("+31 6 1234 5678", "amina"), ("0031 6 12345678", "amina"),
    ("+380501234567", "oleksandr"), ("00380 50 123 4567", "oleksandr"),
    ("+963 944 123 456", "samira"), ("00963944123456", "samira"),
])
def test_find_by_phone_in_any_notation(directory, text, who):
    assert found(directory, text) == [directory[2][who]]


def test_find_by_email_in_any_case(directory):
    assert found(directory, "amina.alhassan@EXAMPLE.ORG") == [directory[2]["amina"]]
    assert found(directory, "TESFAY@example.org") == [directory[2]["tesfay"]]


def test_find_returns_nothing_for_nothing(directory):
    for text in ("", "   ", "%", "_", "zzyzx", "0600000000"):
        assert found(directory, text) == [], text


def test_find_shows_the_stage(directory):
    store, actor, _ = directory
    [hit] = persons.find(store, actor, "hassan")
    assert hit["stage"] == "new"
    assert hit["given_name"] == "Amina" and hit["phone_e164"] == "+31612345678"


# -- contact moments and follow-ups ---------------------------------------------------------------
def test_contact_moment_with_follow_up_makes_the_person_contacted_and_due(store, actor, frozen_clock):
    person_id = registered(store, actor)
    today = clock.today()
    activity_id = activities.log(store, actor, person_id, "call", "Belde, terugbellen", follow_up=today)
    assert persons.get(store, actor, person_id)["stage"] == "contacted"
    [due] = activities.follow_ups(store, actor)
    assert (due["id"], due["person_id"], due["follow_up_date"], due["overdue"]) == (
        activity_id, person_id, today, False)
    clock.freeze(frozen_clock + dt.timedelta(days=2))
    [due] = activities.follow_ups(store, actor)
    assert due["overdue"] is True
    activities.mark_done(store, actor, activity_id)
    assert activities.follow_ups(store, actor) == []
    [moment] = persons.get(store, actor, person_id)["activities"]
    assert moment["follow_up_done"] is True and moment["staff"] == "Olga Outreach"


def test_follow_up_in_the_future_is_not_due_yet(store, actor, frozen_clock):
    person_id = registered(store, actor)
    activities.log(store, actor, person_id, "message", follow_up=clock.today() + dt.timedelta(days=7))
    assert activities.follow_ups(store, actor) == []
    assert len(activities.follow_ups(store, actor, as_of=clock.today() + dt.timedelta(days=7))) == 1


def test_follow_ups_are_listed_for_their_own_staff_member_only(store, actor, frozen_clock):
    person_id = registered(store, actor)
    activities.log(store, actor, person_id, "visit", follow_up=clock.today())
    colleague = Actor(user_id=actor.user_id + 1000, role="outreach")
    assert activities.follow_ups(store, colleague) == []


def test_follow_up_in_the_past_refused(store, actor, frozen_clock):
    person_id = registered(store, actor)
    with pytest.raises(ValidationError) as info:
        activities.log(store, actor, person_id, "call", follow_up=clock.today() - dt.timedelta(days=1))
    assert {e.field: e.code for e in info.value.errors} == {"activity_follow_up": "date_in_past"}
    assert persons.get(store, actor, person_id)["stage"] == "new"


def test_today_follows_the_amsterdam_calendar(store, actor):
    # 23:30 UTC on 28 November is already 29 November in Amsterdam.
    clock.freeze(dt.datetime(2026, 11, 28, 23, 30))
    try:
        person_id = registered(store, actor)
        assert clock.today() == dt.date(2026, 11, 29)
        with pytest.raises(ValidationError):
            activities.log(store, actor, person_id, "call", follow_up="2026-11-28")
        activities.log(store, actor, person_id, "call", follow_up="2026-11-29")
        assert [d["follow_up_date"] for d in activities.follow_ups(store, actor)] == [dt.date(2026, 11, 29)]
    finally:
        clock.freeze(None)


def test_contact_moment_kind_and_text_validated(store, actor):
    person_id = registered(store, actor)
    with pytest.raises(ValidationError) as info:
        activities.log(store, actor, person_id, "carrier pigeon", "hi\x1b[31m", follow_up="morgen")
    assert {e.field: e.code for e in info.value.errors} == {
        "activity_kind": "invalid_choice", "activity_summary": "control_character",
        "activity_follow_up": "date_invalid"}
    with pytest.raises(NotFound):
        activities.log(store, actor, 999, "call")
    with pytest.raises(NotFound):
        activities.mark_done(store, actor, 999)


@pytest.mark.parametrize("stage", MANUAL_STAGES)
def test_manual_stage(store, actor, stage):
    person_id = registered(store, actor)
    persons.set_stage(store, actor, person_id, stage)   # the database's check and view know it too
    assert persons.get(store, actor, person_id)["stage"] == stage
    with pytest.raises(ValidationError):
        persons.set_stage(store, actor, person_id, "member")   # derived from facts, never typed
    persons.set_stage(store, actor, person_id, None)
    assert persons.get(store, actor, person_id)["stage"] == "new"


# -- who may do what ------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["coordinator", "kiosk"])
def test_coordinator_and_kiosk_cannot_open_search_or_edit_persons(store, actor, role):
    person_id = registered(store, actor)
    other = Actor(user_id=None, role=role)
    calls = [
        lambda: persons.get(store, other, person_id),
        lambda: persons.find(store, other, "amina"),
        lambda: persons.count(store, other),
        lambda: persons.update(store, other, person_id, amina()),
        lambda: persons.check_duplicates(store, other, amina()),
        lambda: sources.add_source(store, other, person_id, MARKET),
        lambda: consents.set_consent(store, other, person_id, "contact", False, "verbal"),
        lambda: activities.log(store, other, person_id, "call"),
        lambda: activities.follow_ups(store, other),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    with store.read() as cur:
        assert cur.execute("SELECT count(*) FROM audit_event WHERE record_type = 'person'").fetchone() == (1,)


def test_the_count_is_every_person_whatever_their_stage(store, actor):
    registered(store, actor)
    withdrawn = registered(store, actor, amina(given_name="Bilal", phone="06 87654321", email=None))
    persons.set_stage(store, actor, withdrawn, "withdrawn")
    assert persons.count(store, actor) == 2


def test_coordinator_cannot_register(store):
    with pytest.raises(PermissionDenied):
        persons.register(store, Actor(None, "coordinator"), amina(), MARKET)
    with store.read() as cur:
        assert cur.execute("SELECT count(*) FROM person").fetchone() == (0,)


@pytest.mark.parametrize("role", ["none", "", "superuser"])
def test_unknown_roles_may_do_nothing(store, role):
    with pytest.raises(PermissionDenied):
        persons.register(store, Actor(None, role), amina(), MARKET)
    with pytest.raises(PermissionDenied):
        persons.find(store, Actor(None, role), "amina")


def test_kiosk_registers_only_as_self_registration(store):
    kiosk = Actor(user_id=None, role="kiosk")
    with pytest.raises(PermissionDenied):
        persons.register(store, kiosk, amina(), MARKET)
    result = persons.register(store, kiosk, amina(), SourceInput(kind="self_registration", source_name="Kiosk"),
                              consent_method="form")
    assert result.saved
    with store.read() as cur:
        assert cur.execute("SELECT kind FROM person_source WHERE person_id = ?", [result.person_id]).fetchall() == [
            ("self_registration",)]
        assert cur.execute("SELECT DISTINCT method FROM consent").fetchall() == [("form",)]


def test_kiosk_never_sees_who_else_is_registered(store, actor):
    existing = registered(store, actor)
    kiosk = Actor(user_id=None, role="kiosk")
    # The same phone and email typed at the kiosk: stored for staff to review, nothing shown back.
    result = persons.register(store, kiosk, amina(given_name="Samira", family_name="Benali"),
                              SourceInput(kind="self_registration"), consent_method="form")
    assert result.saved and result.person_id != existing
    assert result.duplicates == []
    # Staff still see the possible duplicate.
    assert [m.person_id for m in persons.check_duplicates(store, actor, amina(), exclude_id=existing)] == [
        result.person_id]


# -- audit ----------------------------------------------------------------------------------------
def test_register_view_and_edit_are_audited_without_personal_data(store, actor, frozen_clock):
    data = amina()
    person_id = registered(store, actor, data)
    persons.get(store, actor, person_id)
    persons.update(store, actor, person_id, amina(note="Spreekt ook Koerdisch"))
    consents.set_consent(store, actor, person_id, "contact", False, "verbal")
    activities.log(store, actor, person_id, "call", "Amina gebeld op 06 12345678")
    persons.find(store, actor, "Al-Hassan")
    with store.read() as cur:
        events = cur.execute(
            "SELECT action, record_type, record_id, user_id, result, origin, occurred_utc FROM audit_event "
            "WHERE record_type = 'person' ORDER BY id").fetchall()
        everything = cur.execute("SELECT * FROM audit_event").fetchall()
    assert [e[0] for e in events] == ["person.register", "person.view", "person.edit", "consent.withdraw.contact",
                                      "activity.log"]
    assert all(e[1:7] == ("person", person_id, actor.user_id, "ok", "web", frozen_clock) for e in events)
    text = repr(everything).casefold()
    for secret in ("amina", "hassan", "612345678", "+31", "example.org", "koerdisch", "overvecht", "utrecht",
                   "1991", "gebeld"):
        assert secret not in text, secret
