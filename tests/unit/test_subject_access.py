"""Subject access (everything about one person, nobody else's data) and withdrawing contact consent."""
from __future__ import annotations

import json

import pytest
from networks_kit import network

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core.errors import NotFound, PermissionDenied
from crm_app.networks import offers, waitlists
from crm_app.people import activities, consents, persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput
from crm_app.privacy import subject_access

OTHER = {"given": "Qorvalinde", "family": "Brixtonhuis", "phone": "+31687110042", "email": "other.person@example.org",
         "note": "OTHER-NOTE-b71c"}


@pytest.fixture
def pm(actor):
    return Actor(user_id=actor.user_id, role="program_manager", origin="web")


def add(store, who, given, family, phone, email, note, source):
    return persons.register(store, who, PersonInput(given_name=given, family_name=family, phone=phone, email=email,
                                                    note=note, consent_contact=True), source,
                            confirmed_new=True).person_id


def test_the_document_holds_everything_about_the_person_and_nothing_about_another(store, pm, frozen_clock, tmp_path):
    market = SourceInput(kind="market", source_name="Markt Oost", detail="bij de groentekraam")
    other = add(store, pm, OTHER["given"], OTHER["family"], OTHER["phone"], OTHER["email"], OTHER["note"], market)
    pid = add(store, pm, "Amal", "Haddad", "+31612345678", "amal@example.org", "eigen notitie",
              SourceInput(kind="alumni_referral", referrer_id=other))
    from crm_app.people import sources
    sources.add_source(store, pm, pid, market)
    activities.log(store, pm, pid, "call", "gebeld over de klankbordgroep")
    activities.log(store, pm, other, "call", "OTHER-ACTIVITY-9d1e")
    board = network(store, pm, max_places=5)
    entry = waitlists.add(store, pm, board, pid)
    waitlists.add(store, pm, board, other)
    [offer_id] = offers.make(store, pm, board, [entry], "waitlist")
    offers.respond(store, pm, offer_id, "accept")
    consents.set_consent(store, pm, pid, "photo", True, "written")

    json_path, html_path = subject_access.write(store, pm, pid, tmp_path / "amal.json")
    assert (json_path, html_path) == (tmp_path / "amal.json", tmp_path / "amal.html")
    document = json.loads(json_path.read_text(encoding="utf-8"))
    page = html_path.read_text(encoding="utf-8")
    assert document["record"]["given_name"] == "Amal" and document["record"]["phone_e164"] == "+31612345678"
    assert document["record"]["note"] == "eigen notitie"
    assert document["stage"] == "member"
    assert document["derived_keys"]["given_key"] == "amal"
    assert {"p:am", "p:amal"} <= set(document["derived_keys"]["find_keys"])   # find's keys of the name too
    assert [s["kind"] for s in document["sources"]] == ["alumni_referral", "market"]
    assert document["sources"][0]["referred_by_alumnus"] is True
    assert document["consents"] == {"contact": True, "photo": True}
    assert [(c["purpose"], c["granted"]) for c in document["consent_history"]] == [("contact", True), ("photo", True)]
    assert [a["summary"] for a in document["activities"]] == ["gebeld over de klankbordgroep"]
    assert [w["status"] for w in document["waitlist_entries"]] == ["placed"]
    assert [o["status"] for o in document["offers"]] == ["accepted"]
    assert len(document["memberships"]) == 1
    actions = [e["action"] for e in document["audit_events"]]
    assert {"person.register", "activity.log", "waitlist.add", "offer.make", "offer.accept",
            "person.subject_access"} <= set(actions)
    for text in (json_path.read_text(encoding="utf-8"), page):
        for value in (*OTHER.values(), "OTHER-ACTIVITY-9d1e", "Olga Outreach"):
            assert value not in text, f"{value!r} belongs to someone else"
    assert "Amal" in page and "gebeld over de klankbordgroep" in page and "<script" not in page
    [event] = audit.search(store, Actor(pm.user_id, "admin"), action="person.subject_access")
    assert (event["record_type"], event["record_id"]) == ("person", pid)


def test_html_escapes_every_value(store, pm, frozen_clock):
    pid = add(store, pm, "Amal", "Haddad", None, None, "<script>alert(1)</script> & co",
              SourceInput(kind="market", source_name="<b>Markt</b>"))
    page = subject_access.to_html(subject_access.collect(store, pm, pid))
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert "<b>Markt</b>" not in page


def test_output_names(tmp_path):
    assert subject_access.output_paths(tmp_path / "x.html") == (tmp_path / "x.json", tmp_path / "x.html")
    assert subject_access.output_paths(tmp_path / "x") == (tmp_path / "x", tmp_path / "x.html")


def test_subject_access_is_for_program_managers_and_admins(store, actor, pm, frozen_clock):
    pid = add(store, pm, "Amal", "Haddad", None, None, None, SourceInput(kind="market"))
    for role in ("outreach", "coordinator", "kiosk"):
        with pytest.raises(PermissionDenied):
            subject_access.collect(store, Actor(actor.user_id, role), pid)
    subject_access.collect(store, Actor(actor.user_id, "admin"), pid)
    with pytest.raises(NotFound):
        subject_access.collect(store, pm, pid + 99)


def test_withdrawing_contact_takes_the_person_off_waiting_lists_with_a_record(store, pm, frozen_clock):
    pid = add(store, pm, "Amal", "Haddad", "+31612345678", None, None, SourceInput(kind="market"))
    board, council = network(store, pm, "Klankbordgroep", max_places=5), network(store, pm, "Adviesraad", max_places=5)
    waitlists.add(store, pm, board, pid)
    offered_entry = waitlists.add(store, pm, council, pid)
    [offer_id] = offers.make(store, pm, council, [offered_entry], "waitlist")
    consents.set_consent(store, pm, pid, "contact", False, "verbal")
    with store.read() as cur:
        entries = cur.execute("SELECT status, status_reason FROM waitlist_entry WHERE person_id = ? ORDER BY id",
                              [pid]).fetchall()
        offer = cur.execute("SELECT status FROM offer WHERE id = ?", [offer_id]).fetchone()[0]
        phone = cur.execute("SELECT phone_e164 FROM person WHERE id = ?", [pid]).fetchone()[0]
    assert entries == [("withdrawn", "contact_consent_withdrawn")] * 2
    assert offer == "withdrawn" and phone is None
    assert waitlists.entries(store, pm, board) == [] and waitlists.entries(store, pm, council) == []
    events = [(e["action"], e["result"]) for e in audit.search(store, Actor(pm.user_id, "admin"), record_id=pid)]
    assert events.count(("waitlist.withdrawn", "contact_consent_withdrawn")) == 2
    assert ("offer.withdraw", "contact_consent_withdrawn") in events
    assert audit.verify(store).ok


def test_every_table_erasure_empties_has_its_part_in_the_document(store, pm, frozen_clock):
    """Right of access and right to erasure cover the same data: a new table holding persons needs both."""
    from crm_app.privacy import erasure
    person_id = add(store, pm, "Amal", "Haddad", "+31612345678", "amal@example.org", None,
                    SourceInput(kind="market", source_name="Markt Oost"))
    document = subject_access.collect(store, pm, person_id)
    erased_tables = {table for table, _, how in erasure.PERSON_COLUMNS if how == "delete"}
    assert erased_tables <= set(subject_access.SECTION_OF_TABLE)
    assert all(section in document for section in subject_access.SECTION_OF_TABLE.values())
