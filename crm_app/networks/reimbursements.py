"""Reimbursements per meeting and person: travel costs and a volunteer allowance, in exact euros.

Amounts are `Decimal` with two places from input to store (DECIMAL(9, 2)) to file; a float never
touches them (0.1 + 0.2 is not 0.3 in binary). Negative amounts, more than two decimals and amounts
above `MAX_AMOUNT` per line are refused.

The caps (settings `allowance_cap_month_euros`, `allowance_cap_year_euros`; defaults the Dutch tax-free
volunteer allowance limits, docs/settings.md) apply to the allowance per person per calendar month and
year of the meeting's date. Travel costs are actual, specified costs: they do not count towards them.
`check` says beforehand whether a line would exceed a cap; `record` then refuses it unless an
override reason is given, which is stored with the line and audited.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions, settings
from crm_app.core.clock import utcnow
from crm_app.core.errors import CrmError, FieldError, ValidationError
from crm_app.core.fields import clean_text
from crm_app.networks import meetings

MAX_AMOUNT = Decimal("1000.00")   # per line and kind: more is a typing error, not a volunteer's allowance
CENT = Decimal("0.01")
_AMOUNT = re.compile(r"\d+(?:[.,]\d{1,2})?")


def parse_amount(raw, field_name: str, errors: list[FieldError]) -> Decimal:
    """Euros typed as `12,50`, `12.50`, `€ 12` or a Decimal/int; empty is 0. Never a float."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Decimal("0.00")
    if isinstance(raw, float):
        raise TypeError("amounts are Decimal or text, never float")
    text = str(raw).strip().removeprefix("€").strip()
    if text.startswith("-"):
        errors.append(FieldError(field_name, "amount_negative"))
        return Decimal("0.00")
    if not _AMOUNT.fullmatch(text):
        errors.append(FieldError(field_name, "amount_invalid"))
        return Decimal("0.00")
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        errors.append(FieldError(field_name, "amount_invalid"))
        return Decimal("0.00")
    if value > MAX_AMOUNT:
        errors.append(FieldError(field_name, "amount_too_high"))
        return Decimal("0.00")
    return value.quantize(CENT)


@dataclass(frozen=True)
class CapCheck:
    month_total: Decimal     # the allowance in the meeting's month with this line
    month_cap: Decimal
    year_total: Decimal
    year_cap: Decimal

    @property
    def over_month(self) -> bool:
        return self.month_total > self.month_cap

    @property
    def over_year(self) -> bool:
        return self.year_total > self.year_cap

    @property
    def over(self) -> bool:
        return self.over_month or self.over_year


def _check(cur, meeting_id: int, person_id: int, allowance: Decimal, day: dt.date) -> CapCheck:
    month, year = dt.date(day.year, day.month, 1), dt.date(day.year, 1, 1)
    month_sum, year_sum = cur.execute(
        "SELECT coalesce(sum(r.allowance) FILTER (WHERE g.meeting_date >= ? AND g.meeting_date < ?), 0), "
        "coalesce(sum(r.allowance), 0) "
        "FROM reimbursement r JOIN meeting g ON g.id = r.meeting_id "
        "WHERE r.person_id = ? AND r.meeting_id <> ? AND g.meeting_date >= ? AND g.meeting_date < ?",
        [month, _next_month(month), person_id, meeting_id, year, dt.date(day.year + 1, 1, 1)]).fetchone()
    return CapCheck(Decimal(month_sum) + allowance, Decimal(settings.get(cur, "allowance_cap_month_euros")),
                    Decimal(year_sum) + allowance, Decimal(settings.get(cur, "allowance_cap_year_euros")))


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def check(store, actor: Actor, meeting_id: int, person_id: int, allowance) -> CapCheck:
    """What the person's allowance would total in the meeting's month and year with this line (which replaces
    an earlier line of the same meeting), beside the caps: the warning before saving."""
    permissions.require(actor.role, "meeting.manage")
    errors: list[FieldError] = []
    amount = parse_amount(allowance, "allowance", errors)
    if errors:
        raise ValidationError(errors)
    with store.read() as cur:
        meeting = meetings.load(cur, meeting_id)
        return _check(cur, meeting_id, person_id, amount, meeting.meeting_date)


def record(store, actor: Actor, meeting_id: int, person_id: int, travel, allowance,
           override_reason: str | None = None) -> CapCheck:
    """Save (or replace) one person's reimbursement for a meeting they attended. Over a cap it is refused
    unless `override_reason` says why (stored, and audited as `reimbursement.cap_override`)."""
    permissions.require(actor.role, "meeting.manage")
    errors: list[FieldError] = []
    travel_amount = parse_amount(travel, "travel", errors)
    allowance_amount = parse_amount(allowance, "allowance", errors)
    reason = clean_text(override_reason, "override_reason", errors, max_len=500)
    if errors:
        raise ValidationError(errors)

    def work(cur):
        meeting = meetings.load(cur, meeting_id)
        row = cur.execute("SELECT status FROM meeting_attendance WHERE meeting_id = ? AND person_id = ?",
                          [meeting_id, person_id]).fetchone()
        if row is None or row[0] != "present":
            raise CrmError("reimbursement_not_present")
        result = _check(cur, meeting_id, person_id, allowance_amount, meeting.meeting_date)
        if result.over and reason is None:
            raise CrmError("reimbursement_over_cap")
        cur.execute("DELETE FROM reimbursement WHERE meeting_id = ? AND person_id = ?", [meeting_id, person_id])
        cur.execute("INSERT INTO reimbursement (meeting_id, person_id, travel, allowance, override_reason, "
                    "recorded_utc, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [meeting_id, person_id, travel_amount, allowance_amount, reason if result.over else None,
                     utcnow(), actor.user_id])
        audit.record(cur, actor, "reimbursement.cap_override" if result.over else "reimbursement.record",
                     "person", person_id)
        return result

    return store.write(work)


def parse_month(text: str) -> dt.date:
    """`YYYY-MM` → the month's first day."""
    try:
        return dt.date.fromisoformat(f"{str(text).strip()}-01")
    except ValueError:
        raise ValidationError([FieldError("month", "month_invalid")]) from None


def payment_list(store, actor: Actor, month: dt.date) -> list[dict]:
    """Every reimbursement of meetings in `month` (its first day), for finance: by name, then date."""
    permissions.require(actor.role, "meeting.manage")
    with store.read() as cur:
        rows = cur.execute(
            "SELECT r.person_id, p.given_name, p.family_name, n.name, g.meeting_date, r.travel, r.allowance, "
            "r.travel + r.allowance, r.override_reason "
            "FROM reimbursement r JOIN meeting g ON g.id = r.meeting_id JOIN network n ON n.id = g.network_id "
            "JOIN person p ON p.id = r.person_id WHERE g.meeting_date >= ? AND g.meeting_date < ? "
            "ORDER BY p.family_key, p.given_key, r.person_id, g.meeting_date, g.id",
            [month, _next_month(month)]).fetchall()
    keys = ("person_id", "given_name", "family_name", "network", "meeting_date", "travel", "allowance", "total",
            "override_reason")
    return [dict(zip(keys, row)) for row in rows]

