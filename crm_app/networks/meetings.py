"""Meetings of a network: planning (the next date from the network's cadence), invitations, attendance,
and who has been absent too often in a row.

Invited are the members on the meeting's date; for an alumni network, the alumni active on that date.
Attendance (present, excused, absent) is recorded only for a person who was a member of the network
on the meeting's date, and only once the day has come. Absent `absence_alert_count` recorded meetings
in a row (excused breaks nothing and counts nothing: it is skipped) makes a conversation to have.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions, settings
from crm_app.core.clock import add_months, today, utcnow
from crm_app.core.errors import CrmError, FieldError, NotFound, ValidationError
from crm_app.core.fields import clean_text, parse_date
from crm_app.networks import registry

STATUSES = ("present", "excused", "absent")
# The cadence (networks.registry.CADENCES) as a step: days, or months.
_STEP = {"weekly": (7, 0), "biweekly": (14, 0), "monthly": (0, 1), "bimonthly": (0, 2), "quarterly": (0, 3),
         "half_yearly": (0, 6), "yearly": (0, 12)}


@dataclass
class MeetingInput:
    network_id: int | None = None
    meeting_date: dt.date | str | None = None
    start_time: dt.time | str | None = None
    place: str | None = None
    topic: str | None = None
    interpreter: bool = False
    language_coach: bool = False


@dataclass
class Meeting:
    id: int
    network_id: int
    network: str
    meeting_date: dt.date
    start_time: dt.time | None
    place: str | None
    topic: str | None
    interpreter: bool
    language_coach: bool
    invited: int = 0
    present: int = 0


def step(day: dt.date, cadence: str, times: int = 1) -> dt.date:
    """`times` cadence steps after `day` (months counted from `day` itself, so 31-01 stays on the 31st)."""
    days, months = _STEP.get(cadence, (0, 1))
    return day + dt.timedelta(days=days * times) if days else add_months(day, months * times)


def next_date(cadence: str, last: dt.date | None, as_of: dt.date) -> dt.date:
    """One cadence step after the last meeting, moved on by whole steps until it is not in the past;
    without a meeting, one step from `as_of`."""
    start, times = last or as_of, 1
    while step(start, cadence, times) < as_of:
        times += 1
    return step(start, cadence, times)


def propose_date(store, actor: Actor, network_id: int, as_of: dt.date | None = None) -> dt.date:
    permissions.require(actor.role, "meeting.manage")
    with store.read() as cur:
        network = registry.load(cur, network_id)
        last = cur.execute("SELECT max(meeting_date) FROM meeting WHERE network_id = ?", [network_id]).fetchone()[0]
    return next_date(network.meeting_cadence, last, as_of or today())


def _time(raw, errors: list[FieldError]) -> dt.time | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, dt.time):
        return raw.replace(second=0, microsecond=0)
    try:
        return dt.time.fromisoformat(str(raw).strip())
    except ValueError:
        errors.append(FieldError("start_time", "time_invalid"))
        return None


def plan(store, actor: Actor, data: MeetingInput) -> int:
    """Plan a meeting; returns its id. Nobody is invited yet (`invite` does that)."""
    permissions.require(actor.role, "meeting.manage")
    errors: list[FieldError] = []
    day = parse_date(data.meeting_date, "meeting_date", errors)
    if day is None and not any(e.field == "meeting_date" for e in errors):
        errors.append(FieldError("meeting_date", "required"))
    start = _time(data.start_time, errors)
    place = clean_text(data.place, "place", errors, max_len=200)
    topic = clean_text(data.topic, "topic", errors, max_len=200)
    if errors:
        raise ValidationError(errors)

    def work(cur):
        registry.load(cur, data.network_id)
        meeting_id = cur.execute(
            "INSERT INTO meeting (network_id, meeting_date, start_time, place, topic, interpreter, language_coach, "
            "created_utc, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [data.network_id, day, start, place, topic, bool(data.interpreter), bool(data.language_coach), utcnow(),
             actor.user_id]).fetchone()[0]
        audit.record(cur, actor, "meeting.plan", "meeting", meeting_id)
        return meeting_id

    return store.write(work)


_MEETING_SQL = """
SELECT g.id, g.network_id, n.name, g.meeting_date, g.start_time, g.place, g.topic, g.interpreter, g.language_coach,
       count(a.person_id), count(a.person_id) FILTER (WHERE a.status = 'present')
FROM meeting g JOIN network n ON n.id = g.network_id LEFT JOIN meeting_attendance a ON a.meeting_id = g.id
"""
_GROUP = " GROUP BY ALL ORDER BY g.meeting_date DESC, g.id DESC"


def load(cur, meeting_id: int) -> Meeting:
    row = cur.execute(_MEETING_SQL + "WHERE g.id = ?" + _GROUP, [meeting_id]).fetchone()
    if row is None:
        raise NotFound("meeting_not_found")
    return Meeting(*row)


def of_network(store, actor: Actor, network_id: int) -> list[Meeting]:
    """The network's meetings, the latest first, with how many were invited and came."""
    permissions.require(actor.role, "feedback.view")
    with store.read() as cur:
        return [Meeting(*row) for row in cur.execute(_MEETING_SQL + "WHERE g.network_id = ?" + _GROUP,
                                                     [network_id]).fetchall()]


def get(store, actor: Actor, meeting_id: int) -> Meeting:
    permissions.require(actor.role, "meeting.manage")
    with store.read() as cur:
        return load(cur, meeting_id)


_MEMBER_ON = ("SELECT 1 FROM membership m WHERE m.network_id = ? AND m.person_id = ? AND m.start_date <= ? "
              "AND (m.actual_end_date IS NULL OR m.actual_end_date > ?)")


def invitees(cur, meeting: Meeting) -> list[int]:
    """Who is invited: the members on the day, or for an alumni network the alumni active on the day."""
    network = registry.load(cur, meeting.network_id)
    if network.kind == "alumni_network":
        return sorted(registry.active_alumni(cur, network.id, meeting.meeting_date))
    return [r[0] for r in cur.execute(
        "SELECT DISTINCT person_id FROM membership WHERE network_id = ? AND start_date <= ? "
        "AND (actual_end_date IS NULL OR actual_end_date > ?) ORDER BY person_id",
        [network.id, meeting.meeting_date, meeting.meeting_date]).fetchall()]


def invite(store, actor: Actor, meeting_id: int) -> int:
    """Invite everyone who belongs to the meeting and is not on its list yet; returns how many were added."""
    permissions.require(actor.role, "meeting.manage")

    def work(cur):
        meeting = load(cur, meeting_id)
        known = {r[0] for r in cur.execute("SELECT person_id FROM meeting_attendance WHERE meeting_id = ?",
                                           [meeting_id]).fetchall()}
        new = [p for p in invitees(cur, meeting) if p not in known]
        now = utcnow()
        for person_id in new:
            cur.execute("INSERT INTO meeting_attendance VALUES (?, ?, 'invited', ?, ?)",
                        [meeting_id, person_id, now, actor.user_id])
        audit.record(cur, actor, "meeting.invite", "meeting", meeting_id, f"invited={len(new)}")
        return len(new)

    return store.write(work)


def attendance(store, actor: Actor, meeting_id: int) -> list[dict]:
    """Everyone on the meeting's list, with their status, by name."""
    permissions.require(actor.role, "meeting.manage")
    with store.read() as cur:
        load(cur, meeting_id)
        rows = cur.execute(
            "SELECT a.person_id, p.given_name, p.family_name, a.status, r.travel, r.allowance "
            "FROM meeting_attendance a JOIN person p ON p.id = a.person_id "
            "LEFT JOIN reimbursement r ON r.meeting_id = a.meeting_id AND r.person_id = a.person_id "
            "WHERE a.meeting_id = ? ORDER BY p.given_key, p.family_key, a.person_id", [meeting_id]).fetchall()
    keys = ("person_id", "given_name", "family_name", "status", "travel", "allowance")
    return [dict(zip(keys, row)) for row in rows]


def record_attendance(store, actor: Actor, meeting_id: int, person_id: int, status: str) -> None:
    """Present, excused or absent; refused for someone who was not a member on the day, or before the day."""
    permissions.require(actor.role, "meeting.manage")
    if status not in STATUSES:
        raise ValidationError([FieldError("status", "invalid_choice")])

    def work(cur):
        meeting = load(cur, meeting_id)
        if meeting.meeting_date > today():
            raise CrmError("meeting_not_yet_held", date=meeting.meeting_date)
        if cur.execute(_MEMBER_ON, [meeting.network_id, person_id, meeting.meeting_date,
                                    meeting.meeting_date]).fetchone() is None:
            raise CrmError("attendance_not_member", date=meeting.meeting_date)
        cur.execute("INSERT OR REPLACE INTO meeting_attendance VALUES (?, ?, ?, ?, ?)",
                    [meeting_id, person_id, status, utcnow(), actor.user_id])
        audit.record(cur, actor, f"meeting.attendance_{status}", "person", person_id)

    store.write(work)


def repeated_absence(store, actor: Actor) -> list[dict]:
    """Current members absent at their last `absence_alert_count` recorded meetings of a network (excused
    ones skipped): one row per person and network."""
    permissions.require(actor.role, "meeting.manage")
    with store.read() as cur:
        count = settings.get(cur, "absence_alert_count")
        rows = cur.execute("""
            WITH recorded AS (
                SELECT g.network_id, a.person_id, a.status, g.meeting_date,
                       row_number() OVER (PARTITION BY g.network_id, a.person_id
                                          ORDER BY g.meeting_date DESC, g.id DESC) AS back
                FROM meeting_attendance a JOIN meeting g ON g.id = a.meeting_id
                WHERE a.status IN ('present', 'absent'))
            SELECT r.network_id, n.name, r.person_id, p.given_name, p.family_name, max(r.meeting_date)
            FROM recorded r JOIN network n ON n.id = r.network_id JOIN person p ON p.id = r.person_id
            WHERE r.back <= ? AND EXISTS (SELECT 1 FROM membership m WHERE m.network_id = r.network_id
                                          AND m.person_id = r.person_id AND m.actual_end_date IS NULL)
            GROUP BY r.network_id, n.name, r.person_id, p.given_name, p.family_name, p.given_key, p.family_key
            HAVING count(*) = ? AND bool_and(r.status = 'absent')
            ORDER BY n.name, p.given_key, p.family_key""", [count, count]).fetchall()
    keys = ("network_id", "network", "person_id", "given_name", "family_name", "last_meeting")
    return [dict(zip(keys, row)) | {"count": count} for row in rows]
