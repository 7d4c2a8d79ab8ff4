"""Compose a message to one person, send it by email or record it as prepared, and keep the message log.

A message is about something: an offer (`about` = the offer's id), a waiting-list entry ("still
interested?": the entry's id) or a meeting (invitation, reminder: the meeting's id, the person on its list).
Nobody without `contact` consent gets one: composing refuses. Every message sent (email) or prepared (a call,
SMS or WhatsApp opened from its link and marked as contacted by staff) is a row in `message_log` and a contact
moment (activity) on the person, in the same unit of work; an email the server did not take records nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import i18n, permissions
from crm_app.core.clock import utcnow
from crm_app.core.errors import CrmError, FieldError, NotFound, ValidationError
from crm_app.core.fields import display_name, tel_url
from crm_app.networks import registry
from crm_app.people import activities
from crm_app.people.messages import calendar, mail, texts

KINDS = texts.KINDS
CHANNELS = ("email", "phone", "sms", "whatsapp")
LINK_CHANNELS = ("phone", "sms", "whatsapp")
STATUSES = ("sent", "prepared")
# Who may send a kind of message: whoever may act on what it is about.
ACTION = {"offer": "places.fill", "still_interested": "waitlist.manage", "meeting_invitation": "meeting.manage",
          "meeting_reminder": "meeting.manage"}
_ACTIVITY_KIND = {"email": "message", "sms": "message", "whatsapp": "message", "phone": "call"}


@dataclass
class Message:
    kind: str
    person_id: int
    name: str
    language: str
    subject: str
    body: str
    short: str
    email: str | None
    phone_e164: str | None
    network_id: int
    network: str
    offer_id: int | None = None
    entry_id: int | None = None
    meeting_id: int | None = None
    ics: bytes | None = field(default=None, repr=False)

    def links(self) -> dict[str, str]:
        """Channel → the link a phone opens: tel: to call, sms: and WhatsApp with the short text filled in."""
        if not self.phone_e164:
            return {}
        return {"phone": tel_url(self.phone_e164), "sms": texts.sms_url(self.phone_e164, self.short),
                "whatsapp": texts.whatsapp_url(self.phone_e164, self.short)}


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationError([FieldError("kind", "invalid_choice")])


def _person(cur, person_id: int) -> tuple:
    row = cur.execute("SELECT given_name, family_name, email, phone_e164, preferred_language FROM person "
                      "WHERE id = ?", [person_id]).fetchone()
    if row is None:
        raise NotFound("person_not_found")
    return row


def _compose(cur, kind: str, person_id: int, about: int) -> Message:
    given, family, email, phone, preferred = _person(cur, person_id)
    if not registry.may_contact(cur, person_id):
        raise CrmError("message_no_contact_consent")
    lang = texts.language_of(preferred)
    ids: dict = {}
    params: dict = {"name": given}
    ics = None
    if kind == "offer":
        row = cur.execute("SELECT network_id, deadline_date, status FROM offer WHERE id = ? AND person_id = ?",
                          [about, person_id]).fetchone()
        if row is None:
            raise NotFound("offer_not_found")
        if row[2] != "open":
            raise CrmError("offer_not_open", status=row[2])
        network_id, ids["offer_id"] = row[0], about
        params["deadline"] = texts.when(row[1], None, lang)["date"]
    elif kind == "still_interested":
        row = cur.execute("SELECT network_id, status FROM waitlist_entry WHERE id = ? AND person_id = ?",
                          [about, person_id]).fetchone()
        if row is None:
            raise NotFound("entry_not_found")
        if row[1] != "waiting":
            raise ValidationError([FieldError("status", "entry_not_waiting", {"status": row[1]})])
        network_id, ids["entry_id"] = row[0], about
    else:
        row = cur.execute(
            "SELECT g.network_id, g.meeting_date, g.start_time, g.place, g.topic FROM meeting g "
            "JOIN meeting_attendance a ON a.meeting_id = g.id WHERE g.id = ? AND a.person_id = ?",
            [about, person_id]).fetchone()
        if row is None:
            raise NotFound("meeting_person_not_invited")
        network_id, day, start, place, topic = row
        ids["meeting_id"] = about
        params |= texts.when(day, start, lang) | {"place": place or i18n.t("message.place_unknown", lang),
                                                   "topic": topic or i18n.t("message.topic_unknown", lang)}
    network = registry.load(cur, network_id).name
    if kind in ("meeting_invitation", "meeting_reminder"):
        ics = calendar.meeting_ics(about, network, day, start, place, topic)
    words = texts.render(kind, lang, network=network, **params)
    return Message(kind, person_id, display_name(given, family), lang, words["subject"], words["body"],
                   words["short"], email, phone, network_id, network, ics=ics, **ids)


def compose(store, actor: Actor, kind: str, person_id: int, about: int) -> Message:
    """The message as it would go out (the screen shows its links); refused without contact consent."""
    _check_kind(kind)
    permissions.require(actor.role, ACTION[kind])
    with store.read() as cur:
        return _compose(cur, kind, person_id, about)


def open_request(store, actor: Actor, person_id: int) -> tuple[str, int] | None:
    """What a follow-up with this person is likely about, as (kind, about): their open offer, else their oldest
    waiting-list entry ("still interested?"); None when neither, or when the actor may not send that kind."""
    permissions.require(actor.role, "activity.log")
    with store.read() as cur:
        offer = cur.execute("SELECT id FROM offer WHERE person_id = ? AND status = 'open' ORDER BY deadline_date, id "
                            "LIMIT 1", [person_id]).fetchone()
        entry = cur.execute("SELECT id FROM waitlist_entry WHERE person_id = ? AND status = 'waiting' "
                            "ORDER BY joined_utc, id LIMIT 1", [person_id]).fetchone()
    for kind, row in (("offer", offer), ("still_interested", entry)):
        if row is not None and permissions.allowed(actor.role, ACTION[kind]):
            return kind, row[0]
    return None


def _record(cur, actor: Actor, message: Message, channel: str, status: str, lang: str) -> int:
    """The log row, the contact moment and the audit event of one message (ids only in the audit)."""
    log_id = cur.execute(
        "INSERT INTO message_log (person_id, kind, channel, network_id, offer_id, waitlist_entry_id, meeting_id, "
        "language, status, sent_utc, sent_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [message.person_id, message.kind, channel, message.network_id, message.offer_id, message.entry_id,
         message.meeting_id, message.language, status, utcnow(), actor.user_id]).fetchone()[0]
    summary = i18n.t(f"message.activity.{status}", lang, kind=i18n.label("message_kind", message.kind, lang),
                     channel=i18n.label("message_channel", channel, lang), network=message.network)
    activities.insert(cur, actor, message.person_id, _ACTIVITY_KIND[channel], summary)
    audit.record(cur, actor, f"message.{status}", "person", message.person_id)
    return log_id


def _email(settings: mail.SmtpSettings, message: Message):
    attachment = (i18n.t("message.ics_filename", message.language) + ".ics", message.ics) if message.ics else None
    return mail.build(settings, message.name, message.email, message.subject, message.body, message.language,
                      attachment)


def send_email(store, actor: Actor, kind: str, person_id: int, about: int, *, lang: str = i18n.DEFAULT_LANG,
               settings: mail.SmtpSettings | None = None) -> int:
    """Send one message by email now; returns its log id. Refused without consent or email address; a server
    that is down or refuses the address is said plainly, and nothing is recorded."""
    message = compose(store, actor, kind, person_id, about)
    if not message.email:
        raise CrmError("message_no_email")
    settings = settings or mail.required_settings()
    result = mail.send(settings, [_email(settings, message)])[0]
    if result == "refused":
        raise CrmError("message_recipient_refused")
    if result != "sent":
        raise CrmError("message_send_failed")
    return store.write(lambda cur: _record(cur, actor, message, "email", "sent", lang))


def record_prepared(store, actor: Actor, kind: str, person_id: int, about: int, channel: str, *,
                    lang: str = i18n.DEFAULT_LANG) -> int:
    """Staff called, or sent the SMS or WhatsApp message from its link: record it (a contact moment)."""
    if channel not in LINK_CHANNELS:
        raise ValidationError([FieldError("channel", "invalid_choice")])
    message = compose(store, actor, kind, person_id, about)
    if not message.phone_e164:
        raise CrmError("message_no_phone")
    return store.write(lambda cur: _record(cur, actor, message, channel, "prepared", lang))


@dataclass
class BatchResult:
    """Person ids per outcome of sending one message to many."""
    sent: list[int] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)       # the mail server refused the address
    failed: list[int] = field(default_factory=list)        # not sent: the connection broke off
    no_email: list[int] = field(default_factory=list)      # reach them by phone
    no_consent: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)       # had this one by email already


def send_meeting(store, actor: Actor, meeting_id: int, kind: str, *, lang: str = i18n.DEFAULT_LANG,
                 settings: mail.SmtpSettings | None = None) -> BatchResult:
    """Email the invitation or the reminder to everyone on the meeting's list who may be contacted and has an
    address, once each (pressing twice sends nobody a second one). A reminder goes to those whose attendance
    is not recorded yet."""
    if kind not in ("meeting_invitation", "meeting_reminder"):
        raise ValidationError([FieldError("kind", "invalid_choice")])
    permissions.require(actor.role, ACTION[kind])
    result, ready = BatchResult(), []
    with store.read() as cur:
        if cur.execute("SELECT 1 FROM meeting WHERE id = ?", [meeting_id]).fetchone() is None:
            raise NotFound("meeting_not_found")
        listed = [r[0] for r in cur.execute(
            "SELECT person_id FROM meeting_attendance WHERE meeting_id = ? AND (? OR status = 'invited') "
            "ORDER BY person_id", [meeting_id, kind == "meeting_invitation"]).fetchall()]
        done = {r[0] for r in cur.execute(
            "SELECT person_id FROM message_log WHERE meeting_id = ? AND kind = ? AND channel = 'email'",
            [meeting_id, kind]).fetchall()}
        for person_id in listed:
            if person_id in done:
                result.already.append(person_id)
                continue
            try:
                message = _compose(cur, kind, person_id, meeting_id)
            except CrmError as exc:
                if exc.code != "message_no_contact_consent":
                    raise
                result.no_consent.append(person_id)
                continue
            if message.email:
                ready.append(message)
            else:
                result.no_email.append(person_id)
    if not ready:
        return result
    settings = settings or mail.required_settings()
    outcomes = mail.send(settings, [_email(settings, m) for m in ready])
    sent = [m for m, outcome in zip(ready, outcomes) if outcome == "sent"]
    if sent:
        store.write(lambda cur: [_record(cur, actor, m, "email", "sent", lang) for m in sent])
    for message, outcome in zip(ready, outcomes):
        getattr(result, outcome).append(message.person_id)
    return result


def of_person(cur, person_id: int) -> list[dict]:
    """The person's message log, newest first (subject access, the person screen)."""
    rows = cur.execute(
        "SELECT m.kind, m.channel, n.name, m.offer_id, m.meeting_id, m.language, m.status, m.sent_utc, u.role "
        "FROM message_log m LEFT JOIN network n ON n.id = m.network_id LEFT JOIN app_user u ON u.id = m.sent_by "
        "WHERE m.person_id = ? ORDER BY m.sent_utc DESC, m.id DESC", [person_id]).fetchall()
    keys = ("kind", "channel", "network", "offer_id", "meeting_id", "language", "status", "sent_utc", "staff_role")
    return [dict(zip(keys, row)) for row in rows]


