"""Messages on the screens, as a program manager works them: the waiting list's "still interested?" with
links a phone opens and an email that really arrives, an offer's links on the fill screen and the warning
about contact fatigue, and meeting invitations mailed (a server that is down is said plainly, nothing recorded)."""
from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from apptest_kit import _blocks, count, elements, main_text, outcome_box, pick_row, t, tn, values
from smtp_kit import free_port, smtp_server, write_secrets

from crm_app.core import clock
from crm_app.networks import meetings, offers, registry, waitlists
from crm_app.people import activities, consents, persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput


@pytest.fixture(autouse=True)
def late_november():
    clock.freeze(dt.datetime(2026, 11, 29, 9, 30))
    yield
    clock.freeze(None)


@pytest.fixture
def inbox(tmp_path, monkeypatch):
    with smtp_server(tmp_path) as server:
        monkeypatch.setenv("CRM_SECRETS", str(server.secrets))
        yield server


@pytest.fixture
def board(store, staff):
    """A network; Amal (English, email and phone) and Samir (phone only) on its waiting list."""
    pm = staff["program_manager"].as_user().actor()
    net = registry.save(store, pm, registry.NetworkInput(name="Klankbordgroep De Stem", min_places=0, max_places=9))
    people = {}
    for given, email, language in (("Amal", "amal@example.org", "eng"), ("Samir", None, None)):
        people[given] = persons.register(
            store, pm, PersonInput(given_name=given, family_name="Haddad", phone="06 12345678", email=email,
                                   preferred_language=language, consent_contact=True),
            SourceInput(kind="market"), confirmed_new=True).person_id
        waitlists.add(store, pm, net, people[given])
    return net, people, pm


def block(at, key: str):
    return next(b for b in _blocks(at.main) if getattr(b, "key", None) == key)


def links(node) -> dict[str, tuple[str, str]]:
    """Scheme or host → (label, url) of every link button under `node`."""
    found = [e for e in elements(node) if e.type == "link_button"]
    return {(urlsplit(e.proto.url).hostname or urlsplit(e.proto.url).scheme): (e.proto.label, e.proto.url)
            for e in found}


def test_still_interested_links_and_an_email_that_arrives(login, board, store, inbox):
    _, people, _ = board
    at = login("program_manager", "waitlist")
    pick_row(at, "waitlist_table", 0)                                  # Amal
    shown = links(block(at, "waitlist_selected"))
    assert shown["tel"] == ("+31 6 12345678", "tel:+31-6-12345678")
    sms_text = parse_qs(urlsplit(shown["sms"][1]).query)["body"][0]
    assert sms_text.startswith("Hello Amal, you are on the waiting list of Klankbordgroep De Stem")   # her language
    assert shown["wa.me"][1].startswith("https://wa.me/31612345678?text=Hello%20Amal")
    at.button(key="waitlist_message_email").click().run()
    shown_outcome, _ = outcome_box(at, "waitlist_message_box")
    assert [e.value for e in shown_outcome] == [t("messages.sent")]
    [(to, arrived)] = inbox.messages
    assert to == ["amal@example.org"] and arrived["Subject"] == "Would you still like to join Klankbordgroep De Stem?"
    at.radio(key="waitlist_message_channel").set_value("whatsapp")
    at.button(key="waitlist_message_mark").click().run()
    assert count(store, "SELECT count(*) FROM message_log WHERE person_id = ?", [people["Amal"]]) == 2
    assert count(store, "SELECT count(*) FROM activity WHERE person_id = ? AND kind = 'message'", [people["Amal"]]) == 2


def test_an_offer_card_has_its_links_and_a_tired_candidate_is_warned_about(login, board, store):
    net, people, pm = board
    store.write(lambda cur: cur.executemany(
        "INSERT INTO message_log (person_id, kind, channel, network_id, meeting_id, language, status, sent_utc) "
        "VALUES (?, 'meeting_invitation', 'sms', 99, ?, 'nl', 'prepared', ?)",
        [[people["Samir"], m, clock.utcnow() - dt.timedelta(days=m)] for m in range(1, 5)]))
    at = login("program_manager", "fill")
    warnings = " ".join(values(block(at, f"fill_proposal_{waitlists.entries(store, pm, net)[1].id}"), "warning"))
    assert warnings == tn("messages.fatigue", 4, limit=4, days=30)       # Samir, and only Samir
    assert values(block(at, f"fill_proposal_{waitlists.entries(store, pm, net)[0].id}"), "warning") == []
    [offer_id] = offers.make(store, pm, net, [waitlists.entries(store, pm, net)[0].id], "waitlist")
    at.run()
    shown = links(block(at, f"fill_offer_{offer_id}"))
    assert set(shown) == {"tel", "sms", "wa.me"}
    assert "Klankbordgroep%20De%20Stem" in shown["sms"][1] and "December%20" in shown["sms"][1]


def test_meeting_invitations_mailed_and_a_server_that_is_down_records_nothing(login, board, store, inbox, tmp_path,
                                                                              monkeypatch):
    net, people, pm = board
    store.write(lambda cur: [cur.execute(
        "INSERT INTO membership (network_id, person_id, start_date, planned_end_date) VALUES (?, ?, ?, ?)",
        [net, pid, dt.date(2025, 1, 1), dt.date(2027, 1, 1)]) for pid in people.values()])
    meeting = meetings.plan(store, pm, meetings.MeetingInput(network_id=net, meeting_date=dt.date(2026, 12, 10),
                                                             start_time="19:30", topic="Wonen"))
    meetings.invite(store, pm, meeting)
    monkeypatch.setenv("CRM_SECRETS", str(write_secrets(tmp_path / "down.toml", free_port())))
    at = login("program_manager", "meetings")
    pick_row(at, "meetings_table", 0)
    at.button(key="meetings_send_invitations").click().run()
    assert t("err.message_send_failed") in main_text(at)
    assert count(store, "SELECT count(*) FROM message_log") == 0 and inbox.messages == []
    monkeypatch.setenv("CRM_SECRETS", str(inbox.secrets))
    at.button(key="meetings_send_invitations").click().run()
    shown, _ = outcome_box(at, "meetings_attendance_box")
    assert [e.value for e in shown] == [tn("messages.batch.sent", 1) + " · " + tn("messages.batch.no_email", 1)]
    assert [to for to, _ in inbox.messages] == [["amal@example.org"]]
    pick_row(at, "meetings_attendance_table", 1)                      # Samir: phone only
    shown = links(block(at, "meetings_selected"))
    assert parse_qs(urlsplit(shown["sms"][1]).query)["body"][0].startswith(
        "Hallo Samir, je bent uitgenodigd voor Klankbordgroep De Stem op donderdag 10 december 2026 om 19:30")


def test_no_links_for_someone_without_contact_consent(login, board, store):
    net, people, pm = board
    store.write(lambda cur: cur.execute(
        "INSERT INTO membership (network_id, person_id, start_date, planned_end_date) VALUES (?, ?, ?, ?)",
        [net, people["Samir"], dt.date(2025, 1, 1), dt.date(2027, 1, 1)]))
    meeting = meetings.plan(store, pm, meetings.MeetingInput(network_id=net, meeting_date=dt.date(2026, 12, 10)))
    meetings.invite(store, pm, meeting)
    consents.set_consent(store, pm, people["Samir"], "contact", False, "verbal")
    at = login("program_manager", "meetings")
    pick_row(at, "meetings_table", 0)
    pick_row(at, "meetings_attendance_table", 0)
    assert links(block(at, "meetings_selected")) == {}
    assert t("err.message_no_contact_consent") in values(block(at, "meetings_selected"), "info")


def test_a_follow_up_with_someone_on_a_waiting_list_has_the_question_ready(login, board, store):
    _, people, pm = board
    activities.log(store, pm, people["Samir"], "call", "Terugbellen", follow_up=clock.today())
    at = login("program_manager", "follow_ups")
    pick_row(at, "followups_table", 0)
    card = block(at, "followups_selected")
    assert t("label.message_kind.still_interested") in main_text(card)
    assert parse_qs(urlsplit(links(card)["sms"][1]).query)["body"][0].startswith(
        "Hallo Samir, je staat op de wachtlijst van Klankbordgroep De Stem")
