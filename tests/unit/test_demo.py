"""The demo data set: what a person trying the app would check first."""
from __future__ import annotations

import random

import phonenumbers
import pytest

from crm_app.access import users
from crm_app.access.audit import Actor
from crm_app.core import reference
from crm_app.core.errors import CrmError
from crm_app.core.store import Store
from crm_app.demo.fill import DEMO_ACCOUNTS, DEMO_PASSWORD, fill_demo
from crm_app.demo.people import synthetic_people
from crm_app.networks import meetings
from crm_app.people import activities, dedupe


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("demo") / "crm.duckdb")
    summary = fill_demo(store)
    yield store, summary
    store.close()


def test_about_two_thousand_persons(filled):
    store, summary = filled
    with store.read() as cur:
        count = cur.execute("SELECT count(*) FROM person").fetchone()[0]
    assert count == summary["persons"]
    assert 1900 <= count <= 2100


def test_every_phone_is_valid_e164(filled):
    store, _ = filled
    with store.read() as cur:
        phones = [row[0] for row in cur.execute("SELECT phone_e164 FROM person WHERE phone_e164 IS NOT NULL")
                  .fetchall()]
    assert len(phones) > 1500
    for phone in phones:
        number = phonenumbers.parse(phone, None)
        assert phonenumbers.is_valid_number(number), phone
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == phone
    assert sum(p.startswith("+316") for p in phones) > len(phones) / 2  # mostly Dutch mobiles
    assert {p[:4] for p in phones} & {"+963", "+380", "+291"}  # and some foreign ones


def test_values_within_reference_lists(filled):
    store, _ = filled
    with store.read() as cur:
        rows = cur.execute("SELECT DISTINCT gender, education_level, integration_route, preferred_language, "
                           "country_of_origin FROM person").fetchall()
        no_consent_with_dims = cur.execute(
            "SELECT count(*) FROM person p WHERE birth_year IS NOT NULL AND NOT coalesce((SELECT arg_max(granted, id) "
            "FROM consent c WHERE c.person_id = p.id AND purpose = 'diversity_statistics'), false)").fetchone()[0]
    languages = reference.languages()
    for gender, education, route, language, country in rows:
        assert gender in (None, *reference.GENDERS)
        assert education in (None, *reference.EDUCATION_LEVELS)
        assert route in (None, *reference.INTEGRATION_ROUTES)
        assert language is None or language in languages
        assert country is None or reference.country_code(country) == country
    assert no_consent_with_dims == 0


def test_three_networks_with_their_places(filled):
    store, _ = filled
    with store.read() as cur:
        rows = cur.execute("SELECT name, kind, min_places, max_places, term_months, meeting_cadence, "
                           "alumni_network_id, id FROM network").fetchall()
    networks = {row[0]: row for row in rows}
    assert set(networks) == {"Klankbordgroep De Stem", "Adviesraad", "Alumni Netwerk"}
    alumni_id = networks["Alumni Netwerk"][7]
    assert networks["Klankbordgroep De Stem"][1:7] == ("sounding_board", 15, 15, 12, "monthly", alumni_id)
    assert networks["Adviesraad"][1:5] == ("advisory_council", 6, 10, 24)
    assert networks["Adviesraad"][6] == alumni_id
    assert networks["Alumni Netwerk"][1:4] == ("alumni_network", 0, 40)


def test_one_account_per_role_with_the_demo_password(filled):
    store, _ = filled
    assert len(DEMO_PASSWORD) >= 12
    by_role = {}
    for username, _, role in DEMO_ACCOUNTS:
        user = users.authenticate(store, username, DEMO_PASSWORD, origin="cli")
        assert user is not None and user.role == role, username
        by_role[user.role] = user
    assert set(by_role) == set(reference.ROLES)
    assert users.authenticate(store, "outreach", "wrong password!") is None


def test_planted_duplicates_are_found_for_their_twin(filled):
    store, summary = filled
    pairs = summary["duplicate_pairs"]
    assert 10 <= summary["duplicates_planted"] == len(pairs) <= 20
    with store.read() as cur:
        for original, twin in pairs:
            given, family, phone, email_key, birth_year = cur.execute(
                "SELECT given_name, family_name, phone_e164, email_key, birth_year FROM person WHERE id = ?", [twin]
            ).fetchone()
            keys = dedupe.Keys.of(given, family, phone, email_key, birth_year)
            found = [m.person_id for m in dedupe.find_duplicates(cur, keys, birth_year, exclude_id=twin)]
            assert original in found, (original, twin)


def test_follow_ups_due_for_the_demo_accounts(filled):
    store, _ = filled
    for username, overdue_at_least, due_at_least in (("outreach", 3, 5), ("manager", 1, 2)):
        user = users.authenticate(store, username, DEMO_PASSWORD)
        due = activities.follow_ups(store, user.actor())
        assert len(due) >= due_at_least, username
        assert sum(item["overdue"] for item in due) >= overdue_at_least, username
        assert any(not item["overdue"] for item in due), username  # some are due today


def test_filling_a_store_with_persons_is_refused(filled):
    store, _ = filled
    with pytest.raises(CrmError) as refused:
        fill_demo(store)
    assert refused.value.code == "store_not_empty"


def test_same_seed_same_people(tmp_path):
    raw_a = list(synthetic_people(random.Random(7), 50))
    raw_b = list(synthetic_people(random.Random(7), 50))
    assert raw_a == raw_b
    assert raw_a != list(synthetic_people(random.Random(8), 50))


def test_meetings_with_attendance_reimbursements_advice_and_one_conversation_to_have(filled):
    store, summary = filled
    manager = Actor(user_id=None, role="program_manager", origin="web")
    assert summary["meetings"] >= 6 and summary["inputs"] >= 3 and summary["reimbursements"] > 0
    assert len(meetings.repeated_absence(store, manager)) >= 1
    with store.read() as cur:
        assert cur.execute("SELECT count(*) FROM meeting WHERE meeting_date >= current_date").fetchone()[0] >= 2
