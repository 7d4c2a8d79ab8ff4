"""How a person was found. A person can have several sources; the first is kept as the origin."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions, reference
from crm_app.core.clock import today, utcnow
from crm_app.core.errors import FieldError, NotFound, ValidationError
from crm_app.core.fields import SHORT_TEXT_MAX, clean_text, parse_choice, parse_date


@dataclass
class SourceInput:
    kind: str | None = None
    source_name: str | None = None   # which market, coach, partner organisation or event
    source_org: str | None = None    # the coach's organisation
    source_date: dt.date | str | None = None
    referrer_id: int | None = None   # the alumnus who referred
    detail: str | None = None


@dataclass
class CleanSource:
    kind: str
    source_name: str | None
    source_org: str | None
    source_date: dt.date | None
    referrer_id: int | None
    detail: str | None


def validate_source(data: SourceInput, errors: list[FieldError]) -> CleanSource | None:
    """Check a source; problems are added to `errors` under `source_*` field names."""
    before = len(errors)
    kind = parse_choice(data.kind, "source_kind", reference.SOURCE_KINDS, errors)
    if data.kind in (None, ""):
        errors.append(FieldError("source_kind", "required"))
    name = clean_text(data.source_name, "source_name", errors, max_len=SHORT_TEXT_MAX)
    org = clean_text(data.source_org, "source_org", errors, max_len=SHORT_TEXT_MAX)
    when = parse_date(data.source_date, "source_date", errors)
    detail = clean_text(data.detail, "source_detail", errors, max_len=SHORT_TEXT_MAX * 2)
    if when and when > today() + dt.timedelta(days=1):
        errors.append(FieldError("source_date", "date_in_future"))
    referrer = data.referrer_id
    if kind == "alumni_referral" and referrer is None and name is None:
        errors.append(FieldError("source_name", "referrer_required"))
    if len(errors) > before:
        return None
    return CleanSource(kind, name, org, when, referrer, detail)


def insert(cur, person_id: int, source: CleanSource, actor: Actor) -> int:
    if source.referrer_id is not None and not cur.execute("SELECT 1 FROM person WHERE id = ?",
                                                          [source.referrer_id]).fetchone():
        raise ValidationError([FieldError("source_referrer", "referrer_unknown")])
    return cur.execute(
        "INSERT INTO person_source (person_id, kind, source_name, source_org, source_date, referrer_id, "
        "detail, recorded_utc, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [person_id, source.kind, source.source_name, source.source_org, source.source_date,
         source.referrer_id, source.detail, utcnow(), actor.user_id],
    ).fetchone()[0]


def add_source(store, actor: Actor, person_id: int, data: SourceInput) -> int:
    """Add how an existing person was found again (e.g. met at another market)."""
    permissions.require(actor.role, "person.edit")
    errors: list[FieldError] = []
    source = validate_source(data, errors)
    if errors:
        raise ValidationError(errors)

    def work(cur):
        if not cur.execute("SELECT 1 FROM person WHERE id = ?", [person_id]).fetchone():
            raise NotFound("person_not_found")
        source_id = insert(cur, person_id, source, actor)
        audit.record(cur, actor, "person.add_source", "person", person_id)
        return source_id

    return store.write(work)


def of_person(cur, person_id: int) -> list[dict]:
    """A person's sources, the first (their origin) first."""
    rows = cur.execute(
        "SELECT s.id, s.kind, s.source_name, s.source_org, s.source_date, s.referrer_id, s.detail, "
        "s.recorded_utc, r.given_name, r.family_name FROM person_source s "
        "LEFT JOIN person r ON r.id = s.referrer_id WHERE s.person_id = ? ORDER BY s.recorded_utc, s.id",
        [person_id],
    ).fetchall()
    keys = ("id", "kind", "source_name", "source_org", "source_date", "referrer_id", "detail",
            "recorded_utc", "referrer_given_name", "referrer_family_name")
    return [dict(zip(keys, row)) for row in rows]
