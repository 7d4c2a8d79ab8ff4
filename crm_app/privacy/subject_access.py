"""Right of access: everything held about one person, as one JSON document and a readable HTML page.

Contents: the record (with the derived search/dedupe keys), stage, sources, current consents and
their full history, contact moments, waiting-list entries, offers, memberships, meetings (invited,
attended), reimbursements and the messages sent or prepared, and the audit
events about the person (when, what, result, origin, the staff member's role).

Nobody else's data: a source naming an alumnus who referred the person says only that an alumnus
referred them (no name, no id); staff members appear by role, never by name. Audited as
`person.subject_access` (the event itself is in the document).
"""
from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import i18n, permissions
from crm_app.core.clock import utcnow
from crm_app.core.errors import NotFound
from crm_app.networks import memberships, offers, waitlists
from crm_app.people import consents
from crm_app.people.messages import outbox

_RECORD = (
    "SELECT p.id, p.given_name, p.family_name, p.phone_e164, p.phone_country, p.email, p.preferred_language, "
    "p.other_languages, p.note, p.stage_manual, p.gender, p.birth_year, p.country_of_origin, p.education_level, "
    "p.municipality, p.district, p.arrival_year, p.integration_route, p.created_utc, p.updated_utc, "
    "p.email_key, p.given_key, p.family_key, p.name_block, p.family_year_block, s.stage "
    "FROM person p JOIN person_stage s ON s.person_id = p.id WHERE p.id = ?"
)
_DERIVED = ("email_key", "given_key", "family_key", "name_block", "family_year_block")


# Which part of the document holds each table that erasure empties: a table holding persons that is
# missing here is missing from the subject-access file too (tests/unit/test_subject_access.py).
SECTION_OF_TABLE = {
    "person": "record", "person_source": "sources", "consent": "consent_history", "activity": "activities",
    "waitlist_entry": "waitlist_entries", "offer": "offers", "membership": "memberships",
    "membership_decision": "term_decisions", "alumni_active": "alumni_active_periods",
    "person_name_key": "derived_keys", "person_find_key": "derived_keys",
    "meeting_attendance": "meetings", "reimbursement": "reimbursements", "message_log": "messages",
    "duplicate_pair": "duplicate_pairs", "person_merge": "merges", "person_merge_change": "merges",
    "person_interest": "interests",
}


def _rows(cur, sql: str, params: list) -> list[dict]:
    cur.execute(sql, params)
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, row)) for row in cur.fetchall()]


def collect(store, actor: Actor, person_id: int) -> dict:
    """The whole document for one person (permission person.subject_access); audited."""
    permissions.require(actor.role, "person.subject_access")

    def work(cur):
        found = _rows(cur, _RECORD, [person_id])
        if not found:
            raise NotFound("person_not_found")
        record = found[0]
        stage = record.pop("stage")
        derived = {key: record.pop(key) for key in _DERIVED}
        derived["name_keys"] = [row[0] for row in cur.execute(
            "SELECT name_key FROM person_name_key WHERE person_id = ? ORDER BY name_key", [person_id]).fetchall()]
        derived["find_keys"] = [row[0] for row in cur.execute(
            "SELECT find_key FROM person_find_key WHERE person_id = ? ORDER BY find_key", [person_id]).fetchall()]
        audit.record(cur, actor, "person.subject_access", "person", person_id)
        sources = _rows(cur, "SELECT kind, source_name, source_org, source_date, detail, recorded_utc, "
                             "referrer_id IS NOT NULL AS referred_by_alumnus FROM person_source "
                             "WHERE person_id = ? ORDER BY recorded_utc, id", [person_id])
        history = _rows(cur, "SELECT c.purpose, c.granted, c.method, c.text_version, c.recorded_utc, "
                             "u.role AS recorded_by_role FROM consent c LEFT JOIN app_user u ON u.id = c.recorded_by "
                             "WHERE c.person_id = ? ORDER BY c.id", [person_id])
        contact = _rows(cur, "SELECT a.kind, a.summary, a.occurred_utc, a.follow_up_date, a.follow_up_done, "
                             "u.role AS staff_role FROM activity a LEFT JOIN app_user u ON u.id = a.staff_id "
                             "WHERE a.person_id = ? ORDER BY a.occurred_utc, a.id", [person_id])
        events = _rows(cur, "SELECT e.id, e.occurred_utc, e.action, e.result, e.origin, u.role AS staff_role "
                            "FROM audit_event e LEFT JOIN app_user u ON u.id = e.user_id "
                            "WHERE e.record_type = 'person' AND e.record_id = ? ORDER BY e.id", [person_id])
        decisions = _rows(cur, "SELECT n.name AS network, d.renewal, d.proposed_on, d.alumni_choice, d.outcome, "
                               "d.decided_utc FROM membership_decision d JOIN network n ON n.id = d.network_id "
                               "WHERE d.person_id = ? ORDER BY d.membership_id", [person_id])
        active = _rows(cur, "SELECT n.name AS network, p.period_start, p.period_end, p.status "
                            "FROM alumni_active a JOIN alumni_period p ON p.id = a.period_id "
                            "JOIN network n ON n.id = p.network_id WHERE a.person_id = ? ORDER BY p.period_start",
                       [person_id])
        attended = _rows(cur, "SELECT n.name AS network, g.meeting_date, g.topic, a.status FROM meeting_attendance a "
                              "JOIN meeting g ON g.id = a.meeting_id JOIN network n ON n.id = g.network_id "
                              "WHERE a.person_id = ? ORDER BY g.meeting_date, g.id", [person_id])
        paid = _rows(cur, "SELECT n.name AS network, g.meeting_date, r.travel, r.allowance, r.override_reason, "
                          "r.recorded_utc FROM reimbursement r JOIN meeting g ON g.id = r.meeting_id "
                          "JOIN network n ON n.id = g.network_id WHERE r.person_id = ? ORDER BY g.meeting_date, g.id",
                     [person_id])
        interested = _rows(cur, "SELECT n.name AS network, i.noted_utc, i.via FROM person_interest i "
                                "JOIN network n ON n.id = i.network_id WHERE i.person_id = ? ORDER BY n.name", [person_id])
        pairs = _rows(cur, "SELECT CASE WHEN first_person_id = $p THEN second_person_id ELSE first_person_id END "
                           "AS other_person_id, origin, level, reasons, status, found_utc, decided_utc "
                           "FROM duplicate_pair WHERE $p IN (first_person_id, second_person_id) ORDER BY id",
                      {"p": person_id})
        merged = _rows(cur, "SELECT m.id AS merge_id, m.merged_person_id, m.merged_utc, c.table_name, c.column_name, "
                            "c.old_value, c.new_value FROM person_merge m JOIN person_merge_change c ON c.merge_id = m.id "
                            "WHERE m.kept_person_id = ? ORDER BY m.id, c.seq", [person_id])
        return {
            "generated_utc": utcnow(),
            "person_id": person_id,
            "record": record,
            "stage": stage,
            "derived_keys": derived,
            "sources": sources,
            "consents": consents.current(cur, person_id),
            "consent_history": history,
            "activities": contact,
            "waitlist_entries": waitlists.of_person(cur, person_id),
            "offers": offers.of_person(cur, person_id),
            "memberships": memberships.of_person(cur, person_id),
            "term_decisions": decisions,
            "alumni_active_periods": active,
            "meetings": attended,
            "reimbursements": paid,
            "messages": outbox.of_person(cur, person_id),
            "interests": interested,
            "duplicate_pairs": pairs,
            "merges": merged,     # the records merged into this one, as the undo would put them back
            "audit_events": events,
        }

    return store.write(work)


def _default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def to_json(document: dict) -> str:
    return json.dumps(document, default=_default, ensure_ascii=False, indent=2)


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, (list, tuple)):
        return html.escape(", ".join(str(v) for v in value))
    if isinstance(value, (dt.date, dt.datetime)):
        return html.escape(value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat())
    return html.escape(str(value))


def _table(rows: list[dict], lang: str) -> str:
    if not rows:
        return f"<p>{html.escape(i18n.t('sar.none', lang))}</p>"
    columns = list(rows[0])
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(row[c])}</td>" for c in columns) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _pairs(mapping: dict) -> str:
    rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{_cell(v)}</td></tr>" for k, v in mapping.items())
    return f"<table>{rows}</table>"


def to_html(document: dict, lang: str = i18n.DEFAULT_LANG) -> str:
    """A self-contained, readable page (no scripts, no external resources); every value escaped."""
    title = i18n.t("sar.title", lang, id=document["person_id"])
    parts = [
        "<!DOCTYPE html>", f'<html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "table{border-collapse:collapse;margin-bottom:1rem}th,td{border:1px solid #bbb;padding:.25rem .5rem;"
        "text-align:left;vertical-align:top}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(i18n.t('sar.generated', lang, when=_cell(document['generated_utc'])))}</p>",
        f"<h2>{html.escape(i18n.t('sar.record', lang))}</h2>",
        _pairs(document["record"] | {"stage": document["stage"]}),
        f"<h2>{html.escape(i18n.t('sar.derived', lang))}</h2>", _pairs(document["derived_keys"]),
        f"<h2>{html.escape(i18n.t('sar.consents', lang))}</h2>", _pairs(document["consents"]),
        _table(document["consent_history"], lang),
    ]
    for key in ("sources", "activities", "waitlist_entries", "offers", "memberships", "term_decisions",
                "alumni_active_periods", "meetings", "reimbursements", "messages", "interests", "duplicate_pairs",
                "merges",
                "audit_events"):
        parts += [f"<h2>{html.escape(i18n.t('sar.' + key, lang))}</h2>", _table(document[key], lang)]
    parts.append("</body></html>")
    return "\n".join(parts)


def output_paths(path: str | Path) -> tuple[Path, Path]:
    """`-o FILE`: FILE ending in .html → the HTML there and the JSON beside it (.json); any other
    name → the JSON there and the HTML beside it with the suffix replaced by .html."""
    path = Path(path)
    if path.suffix.lower() in (".html", ".htm"):
        return path.with_suffix(".json"), path
    return path, path.with_suffix(".html") if path.suffix else path.with_name(path.name + ".html")


def write(store, actor: Actor, person_id: int, path: str | Path, lang: str = i18n.DEFAULT_LANG) -> tuple[Path, Path]:
    document = collect(store, actor, person_id)
    json_path, html_path = output_paths(path)
    json_path.write_text(to_json(document), encoding="utf-8")
    html_path.write_text(to_html(document, lang), encoding="utf-8")
    return json_path, html_path
