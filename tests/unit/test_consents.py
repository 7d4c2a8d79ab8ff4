"""Every consent purpose given and withdrawn as history, at registration, on edit and through `crm`; the waiting
lists picked at registration, each with its own outcome."""
from __future__ import annotations

import dataclasses
import json

import pytest
from networks_kit import manager, network

from crm_app.access.audit import Actor
from crm_app.cli.main import main
from crm_app.core import reference
from crm_app.core.errors import PermissionDenied, ValidationError
from crm_app.networks import registry, waitlists
from crm_app.people import consents, persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput
from crm_app.privacy import subject_access

MARKET = SourceInput(kind="market", source_name="Markt Oost")
COACH = SourceInput(kind="coach_referral", source_name="Coach Petra", source_org="VluchtelingenWerk")
AMAL = PersonInput(given_name="Amal", family_name="Haddad", phone="06 12345678", consent_contact=True)


def rows(store, person_id: int) -> list[tuple]:
    with store.read() as cur:
        return cur.execute("SELECT purpose, granted, method, text_version FROM consent WHERE person_id = ? ORDER BY id",
                           [person_id]).fetchall()


def audit_actions(store, prefix: str) -> list[str]:
    with store.read() as cur:
        return [a for (a,) in cur.execute("SELECT action FROM audit_event WHERE action LIKE ? ORDER BY id",
                                          [prefix + "%"]).fetchall()]


def test_registration_stores_photo_and_sharing_with_the_method_and_text_version(store, actor):
    data = dataclasses.replace(AMAL, consent_photo=True, consent_share_with_referrer=True)
    person_id = persons.register(store, actor, data, COACH, consent_method="written").person_id
    version = reference.CONSENT_TEXT_VERSION
    assert rows(store, person_id) == [("contact", True, "written", version),
                                      ("share_with_referrer", True, "written", version),
                                      ("photo", True, "written", version)]


def test_sharing_with_the_referrer_is_refused_at_registration_without_a_referrer_and_nothing_is_stored(store, actor):
    data = dataclasses.replace(AMAL, consent_photo=True, consent_share_with_referrer=True, email="amal@")
    with pytest.raises(ValidationError) as refused:
        persons.register(store, actor, data, MARKET)
    assert {(e.field, e.code) for e in refused.value.errors} == {
        ("consent_share_with_referrer", "referrer_source_needed"), ("email", "email_invalid")}, "all at once"
    with store.read() as cur:
        assert cur.execute("SELECT count(*) FROM person").fetchone() == (0,)


@pytest.mark.parametrize("purpose", reference.CONSENT_PURPOSES)
def test_each_purpose_is_given_and_withdrawn_as_new_rows_with_its_history(store, actor, purpose):
    person_id = persons.register(store, actor, PersonInput(given_name="Amal"), COACH).person_id
    consents.set_consent(store, actor, person_id, purpose, True, "written")
    consents.set_consent(store, actor, person_id, purpose, False, "verbal")

    person = persons.get(store, actor, person_id)
    assert person["consents"] == {purpose: False}
    history = [(h["purpose"], h["granted"], h["method"], h["text_version"], h["recorded_by"])
               for h in person["consent_history"]]
    assert history == [(purpose, False, "verbal", reference.CONSENT_TEXT_VERSION, "Olga Outreach"),
                       (purpose, True, "written", reference.CONSENT_TEXT_VERSION, "Olga Outreach")], "newest first"
    assert audit_actions(store, "consent.") == [f"consent.give.{purpose}", f"consent.withdraw.{purpose}"]


def test_sharing_needs_a_referring_source_to_be_given_but_can_always_be_withdrawn(store, actor):
    person_id = persons.register(store, actor, PersonInput(given_name="Amal"), MARKET).person_id
    with pytest.raises(ValidationError) as refused:
        consents.set_consent(store, actor, person_id, "share_with_referrer", True, "verbal")
    assert refused.value.errors[0].code == "referrer_source_needed"
    consents.set_consent(store, actor, person_id, "share_with_referrer", False, "verbal")
    assert rows(store, person_id) == [("share_with_referrer", False, "verbal", reference.CONSENT_TEXT_VERSION)]


def test_an_edit_records_only_the_purposes_it_asked_and_each_change_is_audited(store, actor):
    person_id = persons.register(store, actor, dataclasses.replace(AMAL, consent_photo=True), MARKET).person_id
    persons.update(store, actor, person_id, AMAL)   # photo not asked (None): stays given
    assert persons.get(store, actor, person_id)["consents"] == {"contact": True, "photo": True}
    persons.update(store, actor, person_id, dataclasses.replace(AMAL, consent_photo=False), consent_method="written")
    assert rows(store, person_id)[-1] == ("photo", False, "written", reference.CONSENT_TEXT_VERSION)
    assert audit_actions(store, "consent.") == ["consent.withdraw.photo"]


def test_withdrawing_contact_on_edit_removes_phone_and_email_and_ends_the_waiting_lists(store, actor):
    pm = manager(actor.user_id)
    person_id = persons.register(store, actor, dataclasses.replace(AMAL, email="amal@example.org"), MARKET).person_id
    board = network(store, pm)
    waitlists.add(store, pm, board, person_id)

    persons.update(store, actor, person_id, dataclasses.replace(AMAL, email="amal@example.org", consent_contact=False))

    person = persons.get(store, actor, person_id)
    assert (person["phone_e164"], person["email"], person["consents"]) == (None, None, {"contact": False})
    assert [(w["status"], w["status_reason"]) for w in person["waitlists"]] == [("withdrawn", "contact_consent_withdrawn")]


def test_same_person_at_registration_may_take_sharing_from_the_referring_source_just_typed(store, actor):
    person_id = persons.register(store, actor, AMAL, MARKET).person_id
    typed = dataclasses.replace(AMAL, consent_share_with_referrer=True)
    persons.add_to_existing(store, actor, person_id, typed, COACH, ["consent_share_with_referrer"])
    assert persons.get(store, actor, person_id)["consents"] == {"contact": True, "share_with_referrer": True}


def test_join_puts_the_person_on_each_list_that_takes_them_and_says_why_not_for_the_others(store, actor):
    pm = manager(actor.user_id)
    board, council = network(store, pm, "Klankbordgroep De Stem"), network(store, pm, "Adviesraad Nieuwkomers")
    alumni = registry.save(store, pm, registry.NetworkInput(name="Alumni Netwerk", kind="alumni_network",
                                                            min_places=0, max_places=40, term_months=36))
    person_id = persons.register(store, actor, AMAL, MARKET).person_id
    waitlists.add(store, pm, council, person_id)
    assert list(waitlists.joinable(store, actor).values()) == ["Adviesraad Nieuwkomers", "Klankbordgroep De Stem"]

    outcome = waitlists.join(store, actor, person_id, [board, council, alumni])

    assert {n: (p.code if p else None) for n, p in outcome.items()} == {
        board: None, council: "already_on_list", alumni: "alumni_network_no_list"}
    assert [(w["network"], w["status"]) for w in persons.get(store, actor, person_id)["waitlists"]] == [
        ("Adviesraad Nieuwkomers", "waiting"), ("Klankbordgroep De Stem", "waiting")]
    assert audit_actions(store, "waitlist.") == ["waitlist.add", "waitlist.add"]


def test_join_needs_contact_consent_and_a_role_that_registers(store, actor):
    board = network(store, manager(actor.user_id))
    person_id = persons.register(store, actor, PersonInput(given_name="Amal"), MARKET).person_id
    assert waitlists.join(store, actor, person_id, [board])[board].code == "contact_consent_needed"
    with pytest.raises(PermissionDenied):
        waitlists.join(store, Actor(user_id=None, role="coordinator"), person_id, [board])


def test_crm_person_add_and_consent_keep_the_history_and_subject_access_lists_it(tmp_path, capsys, store, actor):
    db = tmp_path / "cli.duckdb"

    def crm(*args):
        code = main(["--db", str(db), "--lang", "en", "--json", *args])
        out, err = capsys.readouterr()
        assert code == 0, err
        return json.loads(out)

    added = crm("person", "add", "--given-name", "Amal", "--source", "coach_referral", "--source-name", "Petra",
                "--consent", "photo,share_with_referrer", "--consent-method", "form")
    assert crm("person", "consent", str(added["id"]), "photo", "no", "--method", "written")["consents"] == {
        "share_with_referrer": True, "photo": False}
    with pytest.raises(SystemExit) as usage:
        main(["--db", str(db), "person", "consent", str(added["id"]), "share_with_referrer", "maybe"])
    assert usage.value.code == 2
    capsys.readouterr()

    from crm_app.core.store import Store
    cli_store = Store(db)
    try:
        document = subject_access.collect(cli_store, Actor(user_id=None, role="admin"), added["id"])
    finally:
        cli_store.close()
    assert [(h["purpose"], h["granted"], h["method"]) for h in document["consent_history"]] == [
        ("share_with_referrer", True, "form"), ("photo", True, "form"), ("photo", False, "written")]
