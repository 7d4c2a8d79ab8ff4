"""You said, we did: the advice a network gave (inputs) and what the policy side did with it (responses).

An input belongs to a network and usually to the meeting where it was given; it went to a policy area or
organisation. Each response says what was done and where it stands; the latest response is the input's
status. "Led to a change" = the latest status is adopted or partly adopted.

Every member and alumnus can be handed a personal overview: the inputs of the meetings they attended
(present) and what came of them, as a self-contained HTML page in Dutch or English. The network
overview counts inputs per year (no persons in it, so the small-counts rule does not apply).
"""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import formats, i18n, permissions
from crm_app.core.clock import today, utcnow
from crm_app.core.errors import FieldError, NotFound, ValidationError
from crm_app.core.fields import clean_text, display_name, parse_date
from crm_app.networks import meetings, registry

RESPONSE_STATUSES = ("received", "in_progress", "adopted", "partly_adopted", "not_adopted")
LANGUAGES = ("nl", "en")   # the languages of the personal overview


@dataclass
class InputData:
    network_id: int | None = None
    meeting_id: int | None = None
    topic: str | None = None
    body: str | None = None
    given_date: dt.date | str | None = None
    addressed_to: str | None = None


@dataclass
class ResponseData:
    input_id: int | None = None
    action_taken: str | None = None
    status: str | None = "received"
    reason: str | None = None
    response_date: dt.date | str | None = None


def add_input(store, actor: Actor, data: InputData) -> int:
    """Record advice the network gave; its date is the meeting's unless given."""
    permissions.require(actor.role, "meeting.manage")
    errors: list[FieldError] = []
    topic = clean_text(data.topic, "topic", errors, max_len=200, required=True)
    body = clean_text(data.body, "body", errors, max_len=5000, multiline=True)
    addressed_to = clean_text(data.addressed_to, "addressed_to", errors, max_len=200)
    given = parse_date(data.given_date, "given_date", errors)
    if errors:
        raise ValidationError(errors)

    def work(cur):
        registry.load(cur, data.network_id)
        day = given
        if data.meeting_id is not None:
            meeting = meetings.load(cur, data.meeting_id)
            if meeting.network_id != data.network_id:
                raise ValidationError([FieldError("meeting", "meeting_other_network")])
            day = day or meeting.meeting_date
        input_id = cur.execute(
            "INSERT INTO network_input (network_id, meeting_id, topic, body, given_date, addressed_to, created_utc, "
            "created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [data.network_id, data.meeting_id, topic, body, day or today(), addressed_to, utcnow(),
             actor.user_id]).fetchone()[0]
        audit.record(cur, actor, "feedback.input", "network_input", input_id)
        return input_id

    return store.write(work)


def add_response(store, actor: Actor, data: ResponseData) -> int:
    """Record what was done with an input; "not adopted" needs the reason."""
    permissions.require(actor.role, "meeting.manage")
    errors: list[FieldError] = []
    action = clean_text(data.action_taken, "action_taken", errors, max_len=5000, required=True, multiline=True)
    if data.status not in RESPONSE_STATUSES:
        errors.append(FieldError("status", "invalid_choice"))
    reason = clean_text(data.reason, "reason", errors, max_len=2000, multiline=True)
    if data.status == "not_adopted" and reason is None and not any(e.field == "reason" for e in errors):
        errors.append(FieldError("reason", "required"))
    day = parse_date(data.response_date, "response_date", errors) or today()
    if errors:
        raise ValidationError(errors)

    def work(cur):
        if cur.execute("SELECT 1 FROM network_input WHERE id = ?", [data.input_id]).fetchone() is None:
            raise NotFound("input_not_found")
        response_id = cur.execute(
            "INSERT INTO input_response (input_id, action_taken, status, reason, response_date, created_utc, "
            "created_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [data.input_id, action, data.status, reason, day, utcnow(), actor.user_id]).fetchone()[0]
        audit.record(cur, actor, "feedback.response", "network_input", data.input_id)
        return response_id

    return store.write(work)


_INPUTS_SQL = """
SELECT i.id, i.network_id, i.meeting_id, g.meeting_date, i.topic, i.body, i.given_date, i.addressed_to,
       (SELECT r.status FROM input_response r WHERE r.input_id = i.id
        ORDER BY r.response_date DESC, r.id DESC LIMIT 1) AS status
FROM network_input i LEFT JOIN meeting g ON g.id = i.meeting_id
"""
_INPUT_KEYS = ("id", "network_id", "meeting_id", "meeting_date", "topic", "body", "given_date", "addressed_to",
               "status")


def _responses(cur, input_ids: list[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {i: [] for i in input_ids}
    if input_ids:
        for input_id, *rest in cur.execute(
                "SELECT input_id, id, action_taken, status, reason, response_date FROM input_response "
                "WHERE list_contains(?, input_id) ORDER BY response_date, id", [input_ids]).fetchall():
            out[input_id].append(dict(zip(("id", "action_taken", "status", "reason", "response_date"), rest)))
    return out


def inputs(store, actor: Actor, network_id: int) -> list[dict]:
    """The network's inputs, the latest first, each with its responses and current status."""
    permissions.require(actor.role, "meeting.manage")
    with store.read() as cur:
        rows = [dict(zip(_INPUT_KEYS, row)) for row in cur.execute(
            _INPUTS_SQL + "WHERE i.network_id = ? ORDER BY i.given_date DESC, i.id DESC", [network_id]).fetchall()]
        responses = _responses(cur, [r["id"] for r in rows])
    return [row | {"responses": responses[row["id"]]} for row in rows]


def network_overview(store, actor: Actor, network_id: int) -> list[dict]:
    """Per year of the inputs: how many, how many led to a change, were not adopted, are still open."""
    permissions.require(actor.role, "feedback.view")
    with store.read() as cur:
        rows = cur.execute(
            "SELECT year(given_date), count(*), count(*) FILTER (WHERE status IN ('adopted', 'partly_adopted')), "
            "count(*) FILTER (WHERE status = 'not_adopted'), "
            "count(*) FILTER (WHERE status IS NULL OR status IN ('received', 'in_progress')) "
            "FROM (" + _INPUTS_SQL + " WHERE i.network_id = ?) GROUP BY ALL ORDER BY 1 DESC", [network_id]).fetchall()
    return [dict(zip(("year", "inputs", "changed", "not_adopted", "open"), row)) for row in rows]


def attendees(store, actor: Actor, network_id: int) -> list[dict]:
    """Everyone who was present at a meeting of the network: who can be given a personal overview."""
    permissions.require(actor.role, "meeting.manage")
    with store.read() as cur:
        rows = cur.execute(
            "SELECT DISTINCT p.id, p.given_name, p.family_name, p.given_key, p.family_key "
            "FROM meeting_attendance a JOIN meeting g ON g.id = a.meeting_id JOIN person p ON p.id = a.person_id "
            "WHERE g.network_id = ? AND a.status = 'present' ORDER BY p.given_key, p.family_key, p.id",
            [network_id]).fetchall()
    return [{"person_id": r[0], "given_name": r[1], "family_name": r[2]} for r in rows]


def personal(store, actor: Actor, person_id: int) -> dict:
    """The meetings the person attended (any network), each with its inputs and their responses; audited."""
    permissions.require(actor.role, "meeting.manage")

    def work(cur):
        row = cur.execute("SELECT given_name, family_name FROM person WHERE id = ?", [person_id]).fetchone()
        if row is None:
            raise NotFound("person_not_found")
        attended = cur.execute(
            "SELECT g.id, n.name, g.meeting_date, g.topic FROM meeting_attendance a "
            "JOIN meeting g ON g.id = a.meeting_id JOIN network n ON n.id = g.network_id "
            "WHERE a.person_id = ? AND a.status = 'present' ORDER BY g.meeting_date, g.id", [person_id]).fetchall()
        ids = [m[0] for m in attended]
        given = [dict(zip(_INPUT_KEYS, r)) for r in cur.execute(
            _INPUTS_SQL + "WHERE list_contains(?, i.meeting_id) ORDER BY i.given_date, i.id", [ids]).fetchall()]
        responses = _responses(cur, [i["id"] for i in given])
        audit.record(cur, actor, "person.feedback_overview", "person", person_id)
        return {
            "person_id": person_id, "name": display_name(*row), "generated": today(),
            "meetings": [{"meeting_id": m[0], "network": m[1], "meeting_date": m[2], "topic": m[3],
                          "inputs": [i | {"responses": responses[i["id"]]} for i in given if i["meeting_id"] == m[0]]}
                         for m in attended],
        }

    return store.write(work)


_STYLE = ("body{font-family:sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;line-height:1.4}"
          "section{border-top:1px solid #bbb;margin-top:1.5rem}blockquote{margin:.5rem 0 .5rem 1rem;color:#333}"
          "li{margin-bottom:.5rem}@media print{body{margin:0}}")


def to_html(document: dict, lang: str = i18n.DEFAULT_LANG) -> str:
    """A printable page with no scripts and nothing fetched from elsewhere; every stored value escaped."""
    def t(key: str, **params) -> str:
        return html.escape(i18n.t(key, lang, **params))

    title = t("feedback.personal_title", name=document["name"])
    parts = ["<!DOCTYPE html>", f'<html lang="{html.escape(lang)}"><head><meta charset="utf-8">',
             f"<title>{title}</title><style>{_STYLE}</style></head><body>", f"<h1>{title}</h1>",
             f"<p>{t('feedback.personal_intro', date=formats.date(document['generated'], lang))}</p>"]
    if not document["meetings"]:
        parts.append(f"<p>{t('feedback.personal_none')}</p>")
    for meeting in document["meetings"]:
        heading = t("feedback.personal_meeting", network=meeting["network"],
                    date=formats.date(meeting["meeting_date"], lang))
        parts.append(f'<section class="meeting" data-meeting="{int(meeting["meeting_id"])}"><h2>{heading}</h2>')
        if meeting["topic"]:
            parts.append(f"<p>{t('feedback.personal_topic', topic=meeting['topic'])}</p>")
        if not meeting["inputs"]:
            parts.append(f"<p>{t('feedback.personal_no_inputs')}</p>")
        for item in meeting["inputs"]:
            parts.append(f"<h3>{t('feedback.personal_you_said', topic=item['topic'])}</h3>")
            if item["body"]:
                parts.append(f"<blockquote>{html.escape(item['body'])}</blockquote>")
            if item["addressed_to"]:
                parts.append(f"<p>{t('feedback.personal_went_to', to=item['addressed_to'])}</p>")
            parts.append(f"<p><strong>{t('feedback.personal_we_did')}</strong></p>")
            if not item["responses"]:
                parts.append(f"<p>{t('feedback.personal_no_response')}</p>")
            else:
                parts.append("<ul>")
                for response in item["responses"]:
                    line = t("feedback.personal_response", date=formats.date(response["response_date"], lang),
                             status=i18n.label("response_status", response["status"], lang),
                             action=response["action_taken"])
                    reason = (f"<br>{t('feedback.personal_reason', reason=response['reason'])}"
                              if response["reason"] else "")
                    parts.append(f"<li>{line}{reason}</li>")
                parts.append("</ul>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)
