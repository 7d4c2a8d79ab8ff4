"""Messages that go out: the templates in both languages, links a phone opens with the text intact, no message
without contact consent, contact fatigue across networks and at the period's edges, and email through a real
SMTP server on loopback (what arrived: headers, language, the .ics and its start)."""
from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from networks_kit import insert_people, manager, network
from smtp_kit import free_port, smtp_server, write_secrets

from crm_app.access.audit import Actor
from crm_app.core import clock, settings
from crm_app.core.errors import CrmError, PermissionDenied
from crm_app.networks import meetings, offers, waitlists
from crm_app.networks.meetings import MeetingInput
from crm_app.people import activities
from crm_app.people.messages import fatigue, outbox, texts
from crm_app.privacy import erasure, subject_access

PM = manager()
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def inbox(tmp_path, monkeypatch):
    with smtp_server(tmp_path) as server:
        monkeypatch.setenv("CRM_SECRETS", str(server.secrets))
        yield server


def contactable(store, given: str, *, email: str | None = None, phone: str | None = "+31612345678",
                language: str | None = None, contact: bool = True) -> int:
    [person_id] = insert_people(store, [{"given_name": given, "family_name": "Haddad", "preferred_language": language}],
                                contact=contact)
    store.write(lambda cur: cur.execute("UPDATE person SET email = ?, phone_e164 = ? WHERE id = ?",
                                        [email, phone, person_id]))
    return person_id


def offer_to(store, net: int, person_id: int) -> int:
    entry = waitlists.add(store, PM, net, person_id)
    [offer_id] = offers.make(store, PM, net, [entry], "waitlist")
    return offer_id


def logged(store, person_id: int) -> tuple[list, list]:
    """(message_log rows, activity rows) of a person."""
    with store.read() as cur:
        log = cur.execute("SELECT kind, channel, status FROM message_log WHERE person_id = ? ORDER BY id",
                          [person_id]).fetchall()
        moments = cur.execute("SELECT kind, summary FROM activity WHERE person_id = ? ORDER BY id",
                              [person_id]).fetchall()
    return log, moments


# -- texts ------------------------------------------------------------------------------------------------
def test_the_offer_reads_in_dutch_and_english_with_the_deadline_written_out():
    deadline = texts.when(dt.date(2026, 12, 10), None, "nl")["date"]
    dutch = texts.render("offer", "nl", name="Amal", network="De Stem", deadline=deadline)
    english = texts.render("offer", "en", name="Amal", network="De Stem",
                           deadline=texts.when(dt.date(2026, 12, 10), None, "en")["date"])
    assert dutch["subject"] == "Er is een plaats voor je in De Stem"
    assert "tot en met donderdag 10 december 2026" in dutch["body"] and dutch["body"].startswith("Beste Amal,")
    assert english["subject"] == "A place for you in De Stem"
    assert "by Thursday, December 10, 2026" in english["body"] and english["body"].startswith("Dear Amal,")


@pytest.mark.parametrize("kind", texts.KINDS)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_kind_has_every_part_in_both_languages(kind, lang):
    filled = texts.render(kind, lang, name="Amal", network="De Stem", deadline="D", date="DATE", time="T",
                          place="P", topic="TOPIC")
    assert all("{" not in part and "De Stem" in part for part in filled.values())
    if kind.startswith("meeting"):
        assert all(word in filled["body"] for word in ("DATE", "T", "P", "TOPIC"))


@pytest.mark.parametrize(("preferred", "lang"), [("eng", "en"), ("nld", "nl"), ("ara", "nl"), (None, "nl")])
def test_the_persons_language_where_a_catalogue_translates_the_messages_else_dutch(preferred, lang):
    assert texts.language_of(preferred) == lang


def test_links_keep_a_name_with_an_ampersand_and_arabic_script_whole():
    text = "مرحبا Nour & Sami #1? 50% = ok"
    sms = texts.sms_url("+31612345678", text)
    assert sms.startswith("sms:+31612345678?body=") and sms.count("&") == 0 and "#" not in sms and " " not in sms
    assert parse_qs(urlsplit(sms).query)["body"] == [text]
    wa = texts.whatsapp_url("+963944123456", text)
    assert wa.startswith("https://wa.me/963944123456?text=") and wa.count("&") == 0
    assert unquote(urlsplit(wa).query.removeprefix("text=")) == text


def test_a_message_carries_the_call_sms_and_whatsapp_links(store, frozen_clock):
    net = network(store, PM)
    person = contactable(store, "Nour & Sami")
    message = outbox.compose(store, PM, "offer", person, offer_to(store, net, person))
    links = message.links()
    assert links["phone"] == "tel:+31-6-12345678"
    assert parse_qs(urlsplit(links["sms"]).query)["body"] == [message.short]
    assert "Nour & Sami" in message.short and "Klankbordgroep De Stem" in message.short


# -- consent, permission ----------------------------------------------------------------------------------
def test_no_message_without_contact_consent_and_nothing_recorded(store, frozen_clock, inbox):
    net = network(store, PM)
    person = contactable(store, "Amal", email="amal@example.org")
    offer_id = offer_to(store, net, person)
    store.write(lambda cur: cur.execute("INSERT INTO consent (person_id, purpose, granted, method, text_version, "
                                        "recorded_utc) VALUES (?, 'contact', FALSE, 'verbal', 'x', ?)",
                                        [person, clock.utcnow()]))
    for attempt in (lambda: outbox.compose(store, PM, "offer", person, offer_id),
                    lambda: outbox.send_email(store, PM, "offer", person, offer_id),
                    lambda: outbox.record_prepared(store, PM, "offer", person, offer_id, "whatsapp")):
        with pytest.raises(CrmError) as refused:
            attempt()
        assert refused.value.code == "message_no_contact_consent"
    assert inbox.messages == [] and logged(store, person) == ([], [])


def test_outreach_may_not_send_an_offer(store, actor, frozen_clock):
    net = network(store, PM)
    person = contactable(store, "Amal")
    with pytest.raises(PermissionDenied):
        outbox.compose(store, actor, "offer", person, offer_to(store, net, person))


# -- fatigue ----------------------------------------------------------------------------------------------
def test_fatigue_counts_requests_across_networks_once_each_within_the_period(store, frozen_clock):
    stem, raad = network(store, PM), network(store, PM, "Adviesraad Nieuwkomers")
    person = contactable(store, "Amal")
    stem_offer, raad_offer = offer_to(store, stem, person), offer_to(store, raad, person)
    outbox.record_prepared(store, PM, "offer", person, stem_offer, "whatsapp")
    outbox.record_prepared(store, PM, "offer", person, stem_offer, "phone")     # the same request: counts once
    outbox.record_prepared(store, PM, "offer", person, raad_offer, "sms")
    with store.read() as cur:
        assert fatigue.counts(cur, [person])[person].count == 2

    def old(kind: str, about: int, days: float) -> None:
        store.write(lambda cur: cur.execute(
            "INSERT INTO message_log (person_id, kind, channel, network_id, meeting_id, language, status, sent_utc) "
            "VALUES (?, ?, 'email', ?, ?, 'nl', 'sent', ?)",
            [person, kind, stem, about, frozen_clock - dt.timedelta(days=days)]))

    old("meeting_invitation", 901, 30)                    # exactly 30 days ago: outside the period
    old("meeting_invitation", 902, 29.999)                # just inside
    old("meeting_reminder", 902, 1)                       # a reminder is no new request
    with store.read() as cur:
        counted = fatigue.counts(cur, [person])[person]
    assert (counted.count, counted.limit, counted.days, counted.reached) == (3, 4, 30, False)
    old("still_interested", 903, 0)
    assert fatigue.of_persons(store, PM, [person])[person].reached
    store.write(lambda cur: settings.set_value(cur, "contact_period_days", 7))
    assert fatigue.of_persons(store, PM, [person])[person].count == 3   # the 29.999-days-old one falls out


# -- email through a real SMTP server ---------------------------------------------------------------------
def test_an_offer_arrives_in_the_persons_language_and_is_a_contact_moment(store, frozen_clock, inbox):
    net = network(store, PM)
    person = contactable(store, "Amal", email="amal@example.org", language="eng")
    offer_id = offer_to(store, net, person)
    outbox.send_email(store, PM, "offer", person, offer_id, lang="nl")
    [(recipients, arrived)] = inbox.messages
    assert recipients == ["amal@example.org"]
    assert arrived["To"] == "Amal Haddad <amal@example.org>" and arrived["From"] == "Deelnemersnetwerken " \
                                                                                  "<netwerken@gemeente.example>"
    assert arrived["Subject"] == "A place for you in Klankbordgroep De Stem" and arrived["Content-Language"] == "en"
    deadline = offers.open_offers(store, PM, net)[0]["deadline_date"]
    assert f"by {texts.when(deadline, None, 'en')['date']}" in arrived.get_body(("plain",)).get_content()
    log, moments = logged(store, person)
    assert log == [("offer", "email", "sent")]
    assert moments == [("message", "Aanbod van een plaats verstuurd per E-mail (Klankbordgroep De Stem)")]


def test_a_meeting_invitation_carries_an_ics_with_the_local_start(store, frozen_clock, inbox):
    net = network(store, PM)
    amal = contactable(store, "Amal", email="amal@example.org")
    samir = contactable(store, "Samir", email=None)                    # no address: reach by phone
    for person in (amal, samir):
        store.write(lambda cur, p=person: cur.execute(
            "INSERT INTO membership (network_id, person_id, start_date, planned_end_date) "
            "VALUES (?, ?, DATE '2026-01-01', DATE '2027-01-01')", [net, p]))
    meeting_id = meetings.plan(store, PM, MeetingInput(network_id=net, meeting_date="2026-12-10", start_time="19:30",
                                                       place="Stadhuis, zaal 2", topic="Wonen & werk"))
    meetings.invite(store, PM, meeting_id)
    result = outbox.send_meeting(store, PM, meeting_id, "meeting_invitation")
    assert (result.sent, result.no_email) == ([amal], [samir])
    [(_, arrived)] = inbox.messages
    assert arrived["Subject"] == "Uitnodiging: Klankbordgroep De Stem op donderdag 10 december 2026"
    body = arrived.get_body(("plain",)).get_content()
    assert "Tijd: 19:30" in body and "Plaats: Stadhuis, zaal 2" in body and "Onderwerp: Wonen & werk" in body
    [attachment] = list(arrived.iter_attachments())
    assert attachment.get_content_type() == "text/calendar" and attachment.get_filename() == "bijeenkomst.ics"
    [event] = icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    start = event.decoded("dtstart")
    assert start == dt.datetime(2026, 12, 10, 19, 30, tzinfo=AMSTERDAM)
    assert event["dtstart"].params["TZID"] == "Europe/Amsterdam"
    assert start.astimezone(dt.UTC) == dt.datetime(2026, 12, 10, 18, 30, tzinfo=dt.UTC)   # CET: UTC+1
    assert (str(event["location"]), str(event["summary"])) == ("Stadhuis, zaal 2", "Klankbordgroep De Stem: Wonen & werk")
    again = outbox.send_meeting(store, PM, meeting_id, "meeting_invitation")
    assert (again.sent, again.already) == ([], [amal]) and len(inbox.messages) == 1


def test_a_refused_address_and_a_server_that_is_down_record_nothing(store, frozen_clock, inbox, tmp_path,
                                                                     monkeypatch):
    net = network(store, PM)
    person = contactable(store, "Amal", email="amal@refused.example")
    offer_id = offer_to(store, net, person)
    with pytest.raises(CrmError) as refused:
        outbox.send_email(store, PM, "offer", person, offer_id)
    assert refused.value.code == "message_recipient_refused"
    store.write(lambda cur: cur.execute("UPDATE person SET email = 'amal@example.org' WHERE id = ?", [person]))
    monkeypatch.setenv("CRM_SECRETS", str(write_secrets(tmp_path / "down.toml", free_port())))   # nobody listens
    with pytest.raises(CrmError) as down:
        outbox.send_email(store, PM, "offer", person, offer_id)
    assert down.value.code == "message_send_failed"
    monkeypatch.setenv("CRM_SECRETS", str(tmp_path / "none.toml"))
    with pytest.raises(CrmError) as missing:
        outbox.send_email(store, PM, "offer", person, offer_id)
    assert missing.value.code == "smtp_not_configured"
    assert inbox.messages == [] and logged(store, person) == ([], [])


def test_the_log_is_in_subject_access_and_gone_after_erasure(store, frozen_clock, inbox):
    net = network(store, PM)
    person = contactable(store, "Amal", email="amal@example.org")
    outbox.send_email(store, PM, "offer", person, offer_to(store, net, person))
    admin = Actor(user_id=None, role="admin", origin="web")
    document = subject_access.collect(store, admin, person)
    assert [(m["kind"], m["channel"], m["status"]) for m in document["messages"]] == [("offer", "email", "sent")]
    erasure.erase(store, admin, person, compact=False)
    with store.read() as cur:
        assert cur.execute("SELECT count(*) FROM message_log WHERE person_id = ?", [person]).fetchone()[0] == 0


def test_a_prepared_message_is_a_call_or_message_moment(store, frozen_clock):
    net = network(store, PM)
    person = contactable(store, "Amal")
    entry = waitlists.add(store, PM, net, person)
    outbox.record_prepared(store, PM, "still_interested", person, entry, "phone")
    assert logged(store, person) == ([("still_interested", "phone", "prepared")],
                                     [("call", "Vraag: nog interesse? via Bellen (Klankbordgroep De Stem)")])
    with store.read() as cur:
        assert [a["kind"] for a in activities.of_person(cur, person)] == ["call"]   # on the person page


# -- crm --------------------------------------------------------------------------------------------------
def test_crm_fill_sends_the_offers_and_warns_about_contact_fatigue(tmp_path, capsys, frozen_clock, inbox):
    from crm_app.cli.main import main
    from crm_app.core.store import Store

    def crm(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(tmp_path / "crm.duckdb"), "--lang", "en", *args])
        out, err = capsys.readouterr()
        return code, out, err

    crm("network", "add", "--name", "De Stem", "--max-places", "2")
    for given, address in (("Amal", "amal@example.org"), ("Samir", None)):
        crm("person", "add", "--given-name", given, "--family-name", "Haddad", "--source", "market",
            "--consent", "contact", "--phone", "0612345678", "--phone-country", "NL",
            *(["--email", address] if address else []))
    store = Store(tmp_path / "crm.duckdb")
    try:
        for person in (1, 2):
            waitlists.add(store, PM, 1, person)
        store.write(lambda cur: cur.executemany(      # Samir had four requests from other networks this month
            "INSERT INTO message_log (person_id, kind, channel, network_id, meeting_id, language, status, sent_utc) "
            "VALUES (2, 'meeting_invitation', 'sms', 7, ?, 'nl', 'prepared', ?)",
            [[m, frozen_clock - dt.timedelta(days=m)] for m in range(1, 5)]))
    finally:
        store.close()
    code, out, _ = crm("fill", "De Stem", "--apply", "--send")
    assert code == 0
    assert "! #2 already had 4 invitations or requests in the last 30 days (at most 4)" in out
    assert "Email sent to person #1." in out and "! #2: No email address is known for this person." in out
    assert [to for to, _ in inbox.messages] == [["amal@example.org"]]
    code, out, _ = crm("--json", "message", "links", "offer", "2", "2")
    assert code == 0 and '"sms": "sms:+31612345678?body=Hello%20Samir' not in out   # Samir's language: Dutch
    assert '"sms": "sms:+31612345678?body=Hallo%20Samir%2C%20er%20is%20een%20plaats' in out
    code, out, _ = crm("message", "record", "offer", "2", "2", "--channel", "whatsapp")
    assert (code, out.strip()) == (0, "Recorded: contact with person #2 by WhatsApp.")
