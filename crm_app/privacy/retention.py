"""Retention: records past their retention period leave the store (through the erasure service).

Rules (each a setting, see crm_app.core.settings):
- `candidate_inactive`: a person who never held a place (no membership at all) and has no open
  offer, with no contact or re-confirmation for `retention_candidate_months` (24) → erased.
- `alumnus_inactive`: an alumnus (stage `alumnus`) without any activity for `retention_alumni_years`
  (5) → erased.
- `waitlist_expired`: a waiting-list entry that expired `retention_waitlist_months` (12) ago →
  the entry (and the offers made on it) are deleted. The person stays: they may be in contact on
  other matters, and if nothing else happens they fall under `candidate_inactive` in due time.
Current members and persons with an open offer are never touched.

"Last activity" of a person is the latest of: registration, a contact moment (activity), a
consent given or withdrawn, a source recorded (met again), joining a waiting list, a "still
interested?" confirmation, an offer made or answered, a membership starting or ending. An edit of
the record by staff is not contact with the person and does not count.

A limit is passed when the day after `add_months(last_activity_day, months)` is reached:
last activity on 29-11-2024, 24 months → still kept on 29-11-2026, erased from 30-11-2026.

`preview` lists what would go and why (ids, stage, rule, last-activity date) and records that it was
seen; `apply` removes and writes one audit event with counts (never names). The daily job runs
`apply` only once an admin has switched retention on (`enable`), which requires a preview first.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions, settings
from crm_app.core.clock import add_months, to_local, today
from crm_app.core.errors import CrmError
from crm_app.core.fields import display_name
from crm_app.core.store import mark_compaction_pending
from crm_app.privacy import erasure

RULES = ("candidate_inactive", "alumnus_inactive", "waitlist_expired")

_PERSONS = """
WITH activity_last AS (SELECT person_id, max(occurred_utc) AS t FROM activity GROUP BY person_id),
     consent_last AS (SELECT person_id, max(recorded_utc) AS t FROM consent GROUP BY person_id),
     source_last AS (SELECT person_id, max(recorded_utc) AS t FROM person_source GROUP BY person_id),
     waitlist_last AS (SELECT person_id, max(greatest(joined_utc, coalesce(last_check_utc, joined_utc))) AS t
                       FROM waitlist_entry GROUP BY person_id),
     offer_last AS (SELECT person_id, max(greatest(offered_utc, coalesce(responded_utc, offered_utc))) AS t
                    FROM offer GROUP BY person_id),
     membership_last AS (SELECT person_id, count(*) AS n,
                                max(greatest(CAST(start_date AS TIMESTAMP),
                                             CAST(coalesce(actual_end_date, start_date) AS TIMESTAMP))) AS t
                         FROM membership GROUP BY person_id)
SELECT p.id, s.stage, coalesce(m.n, 0) AS memberships,
       greatest(p.created_utc, coalesce(a.t, p.created_utc), coalesce(c.t, p.created_utc),
                coalesce(so.t, p.created_utc), coalesce(w.t, p.created_utc), coalesce(o.t, p.created_utc),
                coalesce(m.t, p.created_utc)) AS last_activity
FROM person p JOIN person_stage s ON s.person_id = p.id
LEFT JOIN activity_last a ON a.person_id = p.id
LEFT JOIN consent_last c ON c.person_id = p.id
LEFT JOIN source_last so ON so.person_id = p.id
LEFT JOIN waitlist_last w ON w.person_id = p.id
LEFT JOIN offer_last o ON o.person_id = p.id
LEFT JOIN membership_last m ON m.person_id = p.id
ORDER BY p.id
"""


@dataclass(frozen=True)
class Item:
    rule: str
    person_id: int
    stage: str
    last_activity: dt.date          # for waitlist_expired: the day the entry expired
    entry_id: int | None = None     # waitlist_expired only

    def as_dict(self) -> dict:
        return asdict(self)


def _day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return to_local(value).date()
    return value


def _passed(last: dt.date, months: int, as_of: dt.date) -> bool:
    return add_months(last, months) < as_of


def due(cur, as_of: dt.date) -> list[Item]:
    """Everything past its retention period on `as_of` (no permission check: for services and the job)."""
    candidate_months = settings.get(cur, "retention_candidate_months")
    alumni_months = settings.get(cur, "retention_alumni_years") * 12
    waitlist_months = settings.get(cur, "retention_waitlist_months")
    items: list[Item] = []
    erased: set[int] = set()
    for person_id, stage, memberships, last in cur.execute(_PERSONS).fetchall():
        last_day = _day(last)
        if memberships == 0 and stage != "offered" and _passed(last_day, candidate_months, as_of):
            items.append(Item("candidate_inactive", person_id, stage, last_day))
            erased.add(person_id)
        elif stage == "alumnus" and _passed(last_day, alumni_months, as_of):
            items.append(Item("alumnus_inactive", person_id, stage, last_day))
            erased.add(person_id)
    rows = cur.execute(
        "SELECT w.id, w.person_id, s.stage, w.status_utc FROM waitlist_entry w "
        "JOIN person_stage s ON s.person_id = w.person_id WHERE w.status = 'expired' ORDER BY w.id").fetchall()
    for entry_id, person_id, stage, expired_utc in rows:
        if person_id not in erased and _passed(_day(expired_utc), waitlist_months, as_of):
            items.append(Item("waitlist_expired", person_id, stage, _day(expired_utc), entry_id))
    return items


def preview(store, actor: Actor, as_of: dt.date | None = None, *, record: bool = True) -> list[Item]:
    """What retention would remove on `as_of` and why; recorded in the audit log as seen (counts only)."""
    permissions.require(actor.role, "privacy.manage")
    as_of = as_of or today()

    def work(cur):
        items = due(cur, as_of)
        if record:
            audit.record(cur, actor, "retention.preview", None, None, _count_text(items))
        return items

    return store.write(work)


def _count_text(items: list[Item]) -> str:
    return " ".join(f"{rule}={sum(1 for i in items if i.rule == rule)}" for rule in RULES)


def counts(items: list[Item]) -> dict[str, int]:
    return {rule: sum(1 for i in items if i.rule == rule) for rule in RULES}


def names(store, actor: Actor, person_ids: list[int]) -> dict[int, str]:
    """Names for the admin screen's preview (admins may see persons); never for the CLI, JSON or log."""
    permissions.require(actor.role, "privacy.manage")
    if not person_ids:
        return {}
    with store.read() as cur:
        rows = cur.execute("SELECT id, given_name, family_name FROM person WHERE id IN (SELECT unnest(?))",
                           [sorted(set(person_ids))]).fetchall()
    return {pid: display_name(given, family) for pid, given, family in rows}


def apply(store, actor: Actor, as_of: dt.date | None = None, *, permission: bool = True,
          compact: bool = True) -> dict[str, int]:
    """Remove everything past its retention period; one audit event with the counts. Compacts if anything went,
    unless told to leave the compaction pending (the app: see crm_app.privacy.erasure).

    A run by hand is always audited; the daily job's run only when it removed something.
    """
    if permission:
        permissions.require(actor.role, "privacy.manage")
    as_of = as_of or today()

    def remove_entries(cur):
        items = due(cur, as_of)
        entry_ids = [i.entry_id for i in items if i.rule == "waitlist_expired"]
        if entry_ids:
            cur.execute("DELETE FROM offer WHERE waitlist_entry_id IN (SELECT unnest(?)) AND status <> 'accepted'",
                        [entry_ids])
            cur.execute("DELETE FROM waitlist_entry WHERE id IN (SELECT unnest(?))", [entry_ids])
            mark_compaction_pending(cur, "retention")      # deleted entries' values leave the file's bytes too
        if items or permission:
            audit.record(cur, actor, "retention.apply", None, None, _count_text(items))
        return items

    items = store.write(remove_entries)
    person_ids = [i.person_id for i in items if i.rule != "waitlist_expired"]
    result = erasure.erase_many(store, actor, person_ids, reason="retention", missing_ok=True, compact=False)
    if compact:
        store.compact_if_pending()
    return counts(items) | {"persons_erased": len(result.person_ids)}


SETTINGS = ("retention_candidate_months", "retention_waitlist_months", "retention_alumni_years")


def rules(store) -> dict[str, int]:
    """The three retention periods now in force."""
    with store.read() as cur:
        return {name: settings.get(cur, name) for name in SETTINGS}


def set_rules(store, actor: Actor, values: dict[str, int]) -> None:
    """Change retention periods (admins); each within its limits, all or nothing; audited by name, not value."""
    permissions.require(actor.role, "privacy.manage")

    def work(cur):
        for name, value in values.items():
            if name not in SETTINGS:
                raise KeyError(name)
            settings.set_value(cur, name, value)
            audit.record(cur, actor, f"setting.{name}", None, None, str(value))

    store.write(work)


def is_enabled(store) -> bool:
    with store.read() as cur:
        return settings.get(cur, "retention_enabled") == 1


def enable(store, actor: Actor, on: bool = True) -> None:
    """Switch the daily retention run on (only after a preview was seen) or off."""
    permissions.require(actor.role, "privacy.manage")

    def work(cur):
        if on and not cur.execute("SELECT 1 FROM audit_event WHERE action = 'retention.preview' LIMIT 1").fetchone():
            raise CrmError("retention_preview_first")
        settings.set_value(cur, "retention_enabled", 1 if on else 0)
        audit.record(cur, actor, "retention.enable" if on else "retention.disable")

    store.write(work)


def run_daily(store, actor: Actor, as_of: dt.date) -> dict[str, int] | None:
    """The daily job's step: apply retention if an admin has switched it on, else nothing."""
    if not is_enabled(store):
        return None
    return apply(store, actor, as_of, permission=False)
