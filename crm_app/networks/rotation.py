"""Rotation: terms end on time, renewals are confirmed, members move to the alumni network, places open.

The daily processing (`process`; run on app start and daily in the server through
maintenance.run_due, and by `crm rotate [--as-of DATE] [--apply]`) looks at every current
membership whose term ends within the renewal notice period:

- a member with terms left (term number below the network's maximum of consecutive terms) gets a
  renewal proposal once their end date is within `renewal_notice_days`; the program manager
  confirms it (a new membership for the next term starts the day the old one ends, the place stays
  held) or declines it;
- at the end date: a confirmed renewal swaps the terms; otherwise, when the member is at the
  maximum, was declined, or the manager did not decide within `renewal_grace_days` after the end,
  the membership ends (`term_completed`, actual end = the planned end) and the place opens;
- ending, the member moves to the network's alumni network when they agreed to (their answer in the
  exit conversation, `alumni_choice = 'yes'`) and their contact consent still stands. Without an
  alumni network (or a full one) the move waits (`alumni_pending`) until one is created.

State, not a run counter, decides what is due, so processing a day twice equals once; a day before
the last processed day is refused when it would change anything (that would rewrite history).
Every change is audited with record ids only.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions, settings
from crm_app.core.clock import add_months, today, utcnow
from crm_app.core.errors import CrmError, FieldError, NotFound, ValidationError
from crm_app.core.fields import NOTE_MAX, clean_text, display_name
from crm_app.networks import alumni, registry

log = logging.getLogger("crm_app.networks.rotation")
SYSTEM = Actor(user_id=None, role="system", origin="job")
ALUMNI_CHOICES = ("yes", "no")
PREVIEW_MONTHS = 120   # a preview reaches ten years ahead: far enough for any term, and dates stay in range


@dataclass
class Due:
    """One current membership whose end is in view."""
    membership_id: int
    network_id: int
    person_id: int
    start_date: dt.date
    planned_end_date: dt.date
    term_number: int
    term_months: int
    max_terms: int
    alumni_network_id: int | None
    renewal: str | None
    alumni_choice: str | None

    @property
    def terms_left(self) -> bool:
        return self.term_number < self.max_terms


@dataclass
class DayPlan:
    as_of: dt.date
    renew: list[Due] = field(default_factory=list)
    end: list[Due] = field(default_factory=list)
    propose: list[Due] = field(default_factory=list)
    alumni_periods: list[tuple[int, dt.date]] = field(default_factory=list)   # (alumni network, period start)

    @property
    def changes(self) -> int:
        return len(self.renew) + len(self.end) + len(self.propose) + len(self.alumni_periods)

    def summary(self) -> dict:
        return {"as_of": self.as_of, "renew": [d.membership_id for d in self.renew],
                "end": [d.membership_id for d in self.end], "propose": [d.membership_id for d in self.propose],
                "alumni_periods": [{"network_id": n, "period_start": s} for n, s in self.alumni_periods]}


_DUE_SQL = """
SELECT m.id, m.network_id, m.person_id, m.start_date, m.planned_end_date, m.term_number, n.term_months,
       n.max_consecutive_terms, n.alumni_network_id, d.renewal, d.alumni_choice
FROM membership m JOIN network n ON n.id = m.network_id
LEFT JOIN membership_decision d ON d.membership_id = m.id
WHERE m.actual_end_date IS NULL AND m.planned_end_date <= $until
  AND (m.planned_end_date <= $as_of OR d.membership_id IS NULL)
ORDER BY m.planned_end_date, m.id
"""


def plan_day(cur, as_of: dt.date) -> DayPlan:
    """What processing `as_of` would change (reads only)."""
    notice = settings.get(cur, "renewal_notice_days")
    grace = settings.get(cur, "renewal_grace_days")
    plan = DayPlan(as_of)
    rows = cur.execute(_DUE_SQL, {"until": as_of + dt.timedelta(days=notice), "as_of": as_of}).fetchall()
    for row in rows:
        due = Due(*row)
        if due.planned_end_date > as_of:
            if due.terms_left and due.renewal is None:
                plan.propose.append(due)
        elif due.renewal == "confirmed" and due.terms_left:
            plan.renew.append(due)
        elif due.terms_left and due.renewal != "declined" and as_of <= due.planned_end_date + dt.timedelta(days=grace):
            if due.renewal is None:
                plan.propose.append(due)     # (the notice period was skipped: propose now, decide in the grace)
        else:
            plan.end.append(due)
    plan.alumni_periods = alumni.periods_due(cur, as_of)
    return plan


def last_processed(cur) -> dt.date | None:
    return cur.execute("SELECT max(run_date) FROM rotation_run").fetchone()[0]


def process(store, as_of: dt.date | None = None, *, apply: bool = True, actor: Actor = SYSTEM) -> dict:
    """Process one day (default today). With apply=False only say what would change."""
    if actor is not SYSTEM:
        permissions.require(actor.role, "rotation.manage")
    as_of = as_of or today()
    if as_of > add_months(today(), PREVIEW_MONTHS):
        raise CrmError("rotation_date_too_far", date=as_of, latest=add_months(today(), PREVIEW_MONTHS))
    if not apply:
        with store.read() as cur:
            plan = plan_day(cur, as_of)
            last = last_processed(cur)
        return plan.summary() | {"applied": False, "last_processed": last, "changes": plan.changes}
    if as_of > today():
        raise CrmError("rotation_date_in_future", date=as_of)

    def work(cur):
        last = last_processed(cur)
        plan = plan_day(cur, as_of)
        if last is not None and as_of < last:
            if plan.changes:
                raise CrmError("rotation_before_last_run", date=as_of, last=last)
            return plan.summary() | {"applied": False, "last_processed": last, "changes": 0}
        counts = {"renewed": 0, "ended": 0, "moved": 0, "proposed": 0, "alumni_periods": 0}
        while plan.changes:   # a renewed term may itself be due already when a long gap is caught up
            _apply(cur, plan, actor, counts)
            plan = plan_day(cur, as_of)
        seen = cur.execute("SELECT 1 FROM rotation_run WHERE run_date = ?", [as_of]).fetchone()
        changed = sum(counts.values())
        if not seen:
            cur.execute("INSERT INTO rotation_run VALUES (?, ?, ?, ?, ?, ?)",
                        [as_of, utcnow(), counts["renewed"], counts["ended"], counts["moved"], counts["proposed"]])
        elif changed:
            cur.execute("UPDATE rotation_run SET renewed = renewed + ?, ended = ended + ?, moved = moved + ?, "
                        "proposed = proposed + ? WHERE run_date = ?",
                        [counts["renewed"], counts["ended"], counts["moved"], counts["proposed"], as_of])
        if changed:
            audit.record(cur, actor, "rotation.run", None, None,
                         "renewed={renewed} ended={ended} moved={moved} proposed={proposed} "
                         "alumni_periods={alumni_periods}".format(**counts))
        return {"as_of": as_of, "applied": True, "last_processed": max(as_of, last or as_of), "changes": changed,
                **counts}

    return store.write(work)


def run_daily(store, as_of: dt.date | None = None) -> dict:
    """The server's and the commands' daily run: a refusal (e.g. a clock set back) is logged, not raised."""
    try:
        return process(store, as_of)
    except CrmError as exc:
        log.warning("rotation not processed: %s", exc.code)
        return {"refused": exc.code}


def _apply(cur, plan: DayPlan, actor: Actor, counts: dict) -> None:
    if plan.propose:
        cur.execute("INSERT INTO membership_decision (membership_id, network_id, person_id, renewal, proposed_on) "
                    "SELECT unnest($m), unnest($n), unnest($p), 'proposed', $d ON CONFLICT DO NOTHING",
                    {"m": [d.membership_id for d in plan.propose], "n": [d.network_id for d in plan.propose],
                     "p": [d.person_id for d in plan.propose], "d": plan.as_of})
    for due in plan.propose:
        audit.record(cur, actor, "rotation.renewal_proposed", "membership", due.membership_id)
        counts["proposed"] += 1
    for due in plan.renew:
        _renew(cur, due, actor)
        counts["renewed"] += 1
    for due in plan.end:
        if _end(cur, due, actor) == "moved_to_alumni":
            counts["moved"] += 1
        counts["ended"] += 1
    if plan.alumni_periods:
        for network_id, start in plan.alumni_periods:
            alumni.create_proposal(cur, network_id, start, plan.as_of, actor)
            counts["alumni_periods"] += 1


_DECISION_COLUMNS = ("renewal", "proposed_on", "alumni_choice", "outcome", "decided_utc", "decided_by")


def _decision(cur, due: Due, **values) -> None:
    """Create or update the membership's decision row in one statement (column names from this module only)."""
    columns = [c for c in _DECISION_COLUMNS if c in values]
    cur.execute(f"INSERT INTO membership_decision (membership_id, network_id, person_id, {', '.join(columns)}) "
                f"VALUES (?, ?, ?, {', '.join('?' * len(columns))}) ON CONFLICT (membership_id) DO UPDATE SET "
                + ", ".join(f"{c} = excluded.{c}" for c in columns),
                [due.membership_id, due.network_id, due.person_id, *(values[c] for c in columns)])


def _renew(cur, due: Due, actor: Actor) -> int:
    """The next term starts the day this one ends; the place stays held."""
    registry.lock(cur, due.network_id)
    cur.execute("UPDATE membership SET actual_end_date = planned_end_date, end_reason = 'term_completed' "
                "WHERE id = ? AND actual_end_date IS NULL", [due.membership_id])
    start = due.planned_end_date
    new_id = cur.execute(
        "INSERT INTO membership (network_id, person_id, offer_id, start_date, planned_end_date, term_number) "
        "SELECT network_id, person_id, offer_id, ?, ?, ? FROM membership WHERE id = ? RETURNING id",
        [start, add_months(start, due.term_months), due.term_number + 1, due.membership_id]).fetchone()[0]
    _decision(cur, due, outcome="renewed")
    audit.record(cur, actor, "rotation.renewed", "membership", new_id)
    return new_id


def alumni_problem(cur, network_id: int, alumni_network_id: int | None, person_id: int) -> str | None:
    """Why this person cannot move to the alumni network now, or None."""
    if alumni_network_id is None:
        return "alumni_network_missing"
    if not registry.may_contact(cur, person_id):
        return "alumni_contact_consent_needed"
    if cur.execute("SELECT 1 FROM membership WHERE network_id = ? AND person_id = ? AND actual_end_date IS NULL",
                   [alumni_network_id, person_id]).fetchone():
        return None   # already an alumnus there (of another network): nothing to add
    places = cur.execute("SELECT max_places FROM network WHERE id = ?", [alumni_network_id]).fetchone()[0]
    if registry.places_taken(cur, alumni_network_id) >= places:
        return "alumni_network_full"
    return None


def _join_alumni(cur, alumni_network_id: int, person_id: int, start: dt.date, actor: Actor) -> None:
    if cur.execute("SELECT 1 FROM membership WHERE network_id = ? AND person_id = ? AND actual_end_date IS NULL",
                   [alumni_network_id, person_id]).fetchone():
        return
    registry.lock(cur, alumni_network_id)
    term = cur.execute("SELECT term_months FROM network WHERE id = ?", [alumni_network_id]).fetchone()[0]
    new_id = cur.execute("INSERT INTO membership (network_id, person_id, start_date, planned_end_date) "
                         "VALUES (?, ?, ?, ?) RETURNING id",
                         [alumni_network_id, person_id, start, add_months(start, term)]).fetchone()[0]
    audit.record(cur, actor, "rotation.joined_alumni", "membership", new_id)


def _end(cur, due: Due, actor: Actor) -> str:
    """The term ends on its planned end date; the place opens; the member moves to alumni if they agreed."""
    registry.lock(cur, due.network_id)
    reason, outcome = "term_completed", "ended"
    if due.alumni_choice == "yes":
        if alumni_problem(cur, due.network_id, due.alumni_network_id, due.person_id) is None:
            _join_alumni(cur, due.alumni_network_id, due.person_id, due.planned_end_date, actor)
            reason, outcome = "moved_to_alumni", "moved_to_alumni"
        else:
            outcome = "alumni_pending"
    cur.execute("UPDATE membership SET actual_end_date = planned_end_date, end_reason = ? "
                "WHERE id = ? AND actual_end_date IS NULL", [reason, due.membership_id])
    _decision(cur, due, outcome=outcome)
    audit.record(cur, actor, f"rotation.{outcome}", "membership", due.membership_id)
    return outcome


# -- the program manager's decisions ------------------------------------------------------------------
def _load_due(cur, membership_id: int) -> tuple[Due, dt.date | None, str | None, str | None]:
    row = cur.execute(
        "SELECT m.id, m.network_id, m.person_id, m.start_date, m.planned_end_date, m.term_number, n.term_months, "
        "n.max_consecutive_terms, n.alumni_network_id, d.renewal, d.alumni_choice, m.actual_end_date, m.end_reason, "
        "d.outcome FROM membership m JOIN network n ON n.id = m.network_id "
        "LEFT JOIN membership_decision d ON d.membership_id = m.id WHERE m.id = ?", [membership_id]).fetchone()
    if row is None:
        raise NotFound("membership_not_found")
    return Due(*row[:11]), row[11], row[12], row[13]


def _note(note: str | None, field_name: str) -> str | None:
    errors: list[FieldError] = []
    clean = clean_text(note, field_name, errors, max_len=NOTE_MAX, multiline=True)
    if errors:
        raise ValidationError(errors)
    return clean


def decide_renewal(store, actor: Actor, membership_id: int, confirm: bool, note: str | None = None) -> dict:
    """Confirm or decline the next term, recorded as a renewal conversation on the person. When the term
    has ended already (within the grace period) the decision takes effect at once."""
    permissions.require(actor.role, "rotation.manage")
    note = _note(note, "rotation_note")

    def work(cur):
        due, ended, _, _ = _load_due(cur, membership_id)
        if ended is not None:
            raise CrmError("membership_already_ended")
        if not due.terms_left:
            raise CrmError("no_terms_left", terms=due.max_terms)
        decision = "confirmed" if confirm else "declined"
        _decision(cur, due, renewal=decision, decided_utc=utcnow(), decided_by=actor.user_id)
        due.renewal = decision
        _activity(cur, due.person_id, "renewal_conversation", note, actor)
        audit.record(cur, actor, f"rotation.renewal_{decision}", "membership", membership_id)
        result = {"membership_id": membership_id, "renewal": decision, "person_id": due.person_id}
        if due.planned_end_date <= today():
            result["new_membership_id"] = _renew(cur, due, actor) if confirm else None
            if not confirm:
                result["outcome"] = _end(cur, due, actor)
        return result

    return store.write(work)


def record_exit(store, actor: Actor, membership_id: int, alumni_choice: str, note: str | None = None) -> dict:
    """The exit conversation: does the member want to join the alumni network? Recorded on the person.
    A 'yes' after the term ended (the move was waiting) moves them at once when it can."""
    permissions.require(actor.role, "rotation.manage")
    if alumni_choice not in ALUMNI_CHOICES:
        raise ValidationError([FieldError("alumni_choice", "invalid_choice")])
    note = _note(note, "rotation_note")

    def work(cur):
        due, ended, end_reason, outcome = _load_due(cur, membership_id)
        _decision(cur, due, alumni_choice=alumni_choice)
        _activity(cur, due.person_id, "exit_conversation", note, actor)
        audit.record(cur, actor, f"rotation.alumni_{alumni_choice}", "membership", membership_id)
        result = {"membership_id": membership_id, "alumni_choice": alumni_choice}
        if ended is not None and alumni_choice == "yes" and end_reason == "term_completed":
            result["outcome"] = _move(cur, due, ended, actor)
        return result

    return store.write(work)


def move_to_alumni(store, actor: Actor, membership_id: int) -> str:
    """Move a member whose term ended (and who agreed) to the alumni network now."""
    permissions.require(actor.role, "rotation.manage")

    def work(cur):
        due, ended, end_reason, _ = _load_due(cur, membership_id)
        if ended is None or end_reason != "term_completed":
            raise CrmError("not_ended_term")
        if due.alumni_choice != "yes":
            raise CrmError("alumni_not_agreed")
        return _move(cur, due, ended, actor)

    return store.write(work)


def _move(cur, due: Due, ended: dt.date, actor: Actor) -> str:
    problem = alumni_problem(cur, due.network_id, due.alumni_network_id, due.person_id)
    if problem == "alumni_network_missing":
        name = cur.execute("SELECT name FROM network WHERE id = ?", [due.network_id]).fetchone()[0]
        raise CrmError("no_alumni_network", network=name, network_id=due.network_id)
    if problem:
        raise CrmError(problem)
    _join_alumni(cur, due.alumni_network_id, due.person_id, max(ended, today()), actor)
    cur.execute("UPDATE membership SET end_reason = 'moved_to_alumni' WHERE id = ?", [due.membership_id])
    _decision(cur, due, outcome="moved_to_alumni")
    audit.record(cur, actor, "rotation.moved_to_alumni", "membership", due.membership_id)
    return "moved_to_alumni"


def _activity(cur, person_id: int, kind: str, summary: str | None, actor: Actor) -> None:
    cur.execute("INSERT INTO activity (person_id, kind, summary, occurred_utc, staff_id) VALUES (?, ?, ?, ?, ?)",
                [person_id, kind, summary, utcnow(), actor.user_id])
    audit.record(cur, actor, "activity.log", "person", person_id)


def create_alumni_network(store, actor: Actor, network_id: int) -> int:
    """An alumni network for this network ("Alumni <name>"), linked to it; returns its id."""
    permissions.require(actor.role, "network.manage")
    with store.read() as cur:
        network = registry.load(cur, network_id)
    if network.kind == "alumni_network":
        raise CrmError("is_alumni_network")
    if network.alumni_network_id is not None:
        return network.alumni_network_id
    name = f"Alumni {network.name}"[:120]
    alumni_id = registry.save(store, actor, registry.NetworkInput(
        name=name, kind="alumni_network", min_places=0, max_places=min(max(40, network.max_places * 4), 500),
        term_months=36, max_consecutive_terms=1, rest_months=0, meeting_cadence="quarterly"))

    def link(cur):
        registry.lock(cur, network_id)
        cur.execute("UPDATE network SET alumni_network_id = ? WHERE id = ?", [alumni_id, network_id])
        audit.record(cur, actor, "network.alumni_linked", "network", network_id)

    store.write(link)
    return alumni_id


# -- seeing the future --------------------------------------------------------------------------------
_STATUS_ORDER = ("overdue", "renewal_proposed", "renewal_confirmed", "renewal_declined", "last_term", "term")


def _status(due: Due, as_of: dt.date, notice: int) -> str:
    if due.planned_end_date <= as_of:
        return "overdue"
    if not due.terms_left:
        return "last_term"
    if due.renewal == "confirmed":
        return "renewal_confirmed"
    if due.renewal == "declined":
        return "renewal_declined"
    if due.renewal == "proposed" or due.planned_end_date <= as_of + dt.timedelta(days=notice):
        return "renewal_proposed"
    return "term"


_CURRENT_SQL = """
SELECT m.id, m.network_id, m.person_id, m.start_date, m.planned_end_date, m.term_number, n.term_months,
       n.max_consecutive_terms, n.alumni_network_id, d.renewal, d.alumni_choice,
       n.name, p.given_name, p.family_name, n.kind
FROM membership m JOIN network n ON n.id = m.network_id JOIN person p ON p.id = m.person_id
LEFT JOIN membership_decision d ON d.membership_id = m.id
WHERE m.actual_end_date IS NULL AND ($network IS NULL OR m.network_id = $network)
  AND ($until IS NULL OR m.planned_end_date <= $until)
ORDER BY m.planned_end_date, m.id
"""


def ending_soon(store, actor: Actor, *, days: int | None = None, as_of: dt.date | None = None,
                network_id: int | None = None) -> list[dict]:
    """Members whose term ends within `days` (default the setting, 60), the overdue decisions first."""
    permissions.require(actor.role, "rotation.view")
    as_of = as_of or today()
    with store.read() as cur:
        days = days if days is not None else settings.get(cur, "ending_soon_days")
        notice = settings.get(cur, "renewal_notice_days")
        rows = cur.execute(_CURRENT_SQL, {"network": network_id, "until": as_of + dt.timedelta(days=days)}).fetchall()
    result = []
    for row in rows:
        due = Due(*row[:11])
        if row[14] == "alumni_network":
            continue   # alumni terms simply run out; the alumni page shows them
        result.append({"membership_id": due.membership_id, "network_id": due.network_id, "network": row[11],
                       "person_id": due.person_id, "given_name": row[12], "family_name": row[13],
                       "start_date": due.start_date, "planned_end_date": due.planned_end_date,
                       "term_number": due.term_number, "max_terms": due.max_terms, "terms_left": due.terms_left,
                       "renewal": due.renewal, "alumni_choice": due.alumni_choice,
                       "has_alumni_network": due.alumni_network_id is not None,
                       "status": _status(due, as_of, notice),
                       "days_left": (due.planned_end_date - as_of).days})
    return result


def open_decisions(row: dict) -> tuple[bool, bool]:
    """For an `ending_soon` row: whether the renewal can still be decided (terms left, neither confirmed
    nor declined), and whether to ask the exit question (alumni or not) — whenever the term may end."""
    renewal_open = row["terms_left"] and row["renewal"] not in ("confirmed", "declined")
    return renewal_open, not row["terms_left"] or row["renewal"] == "declined" or renewal_open


def ending_soon_window(store, actor: Actor) -> tuple[int, dt.date | None]:
    """How many days ahead `ending_soon` looks (the setting), and the last day the daily processing ran."""
    permissions.require(actor.role, "rotation.view")
    with store.read() as cur:
        return settings.get(cur, "ending_soon_days"), last_processed(cur)


def pending_alumni_moves(store, actor: Actor, network_id: int | None = None) -> list[dict]:
    """Members whose term ended, who agreed to join the alumni network, and who could not be moved yet."""
    permissions.require(actor.role, "rotation.view")
    with store.read() as cur:
        rows = cur.execute(
            "SELECT m.id, m.network_id, n.name, m.person_id, p.given_name, p.family_name, m.actual_end_date, "
            "n.alumni_network_id FROM membership_decision d JOIN membership m ON m.id = d.membership_id "
            "JOIN network n ON n.id = m.network_id JOIN person p ON p.id = m.person_id "
            "WHERE d.outcome = 'alumni_pending' AND ($n IS NULL OR m.network_id = $n) ORDER BY m.actual_end_date",
            {"n": network_id}).fetchall()
    keys = ("membership_id", "network_id", "network", "person_id", "given_name", "family_name", "ended",
            "alumni_network_id")
    return [dict(zip(keys, r)) for r in rows]


def timeline(store, actor: Actor, network_id: int, *, as_of: dt.date | None = None,
             months: int = 12) -> list[dict]:
    """The network's seats: each place, who holds it from when until when (and a confirmed next term),
    offers in flight (until their deadline), and open places — for the Gantt chart and its table."""
    permissions.require(actor.role, "rotation.view")
    as_of = as_of or today()
    horizon = add_months(as_of, months)
    with store.read() as cur:
        network = registry.load(cur, network_id)
        notice = settings.get(cur, "renewal_notice_days")
        rows = cur.execute(_CURRENT_SQL, {"network": network_id, "until": None}).fetchall()
        offer_rows = cur.execute(
            "SELECT o.id, o.person_id, p.given_name, p.family_name, o.offered_utc, o.deadline_date FROM offer o "
            "JOIN person p ON p.id = o.person_id WHERE o.network_id = ? AND o.status = 'open' "
            "ORDER BY o.deadline_date, o.id", [network_id]).fetchall()
    bars: list[dict] = []
    seat = 0
    for row in rows:
        due = Due(*row[:11])
        seat += 1
        name = display_name(row[12], row[13])
        status = _status(due, as_of, notice)
        bars.append({"seat": seat, "holder": name, "person_id": due.person_id, "kind": "member",
                     "status": status, "start": due.start_date, "end": due.planned_end_date,
                     "term": f"{due.term_number}/{due.max_terms}"})
        if status == "renewal_confirmed":
            bars.append({"seat": seat, "holder": name, "person_id": due.person_id, "kind": "member",
                         "status": "next_term", "start": due.planned_end_date,
                         "end": add_months(due.planned_end_date, due.term_months),
                         "term": f"{due.term_number + 1}/{due.max_terms}"})
        else:
            bars.append({"seat": seat, "holder": "", "person_id": None, "kind": "open", "status": "opens",
                         "start": max(due.planned_end_date, as_of), "end": max(horizon, due.planned_end_date),
                         "term": ""})
    for _offer_id, person_id, given, family, offered, deadline in offer_rows:
        seat += 1
        bars.append({"seat": seat, "holder": display_name(given, family), "person_id": person_id,
                     "kind": "offer", "status": "offer", "start": offered.date(), "end": deadline, "term": ""})
    while seat < network.max_places:
        seat += 1
        bars.append({"seat": seat, "holder": "", "person_id": None, "kind": "open", "status": "open",
                     "start": as_of, "end": horizon, "term": ""})
    return bars


def forecast(store, actor: Actor, *, as_of: dt.date | None = None, months: int = 12,
             network_id: int | None = None) -> list[dict]:
    """Places opening per month for the next `months` months, per network: `certain` (last term, or
    renewal declined) and `possible` (terms left, renewal not yet confirmed). Confirmed renewals are
    followed into their next term."""
    permissions.require(actor.role, "rotation.view")
    as_of = as_of or today()
    first = as_of.replace(day=1)
    month_starts = [add_months(first, i) for i in range(months)]
    horizon = add_months(first, months)
    with store.read() as cur:
        rows = cur.execute(_CURRENT_SQL, {"network": network_id, "until": horizon}).fetchall()
        names = dict(cur.execute("SELECT id, name FROM network WHERE kind <> 'alumni_network' "
                                 "AND (? IS NULL OR id = ?)", [network_id, network_id]).fetchall())
    counts: dict[tuple[int, dt.date], list[int]] = {(n, m): [0, 0] for n in names for m in month_starts}
    for row in rows:
        due = Due(*row[:11])
        if due.network_id not in names:
            continue
        end, term, renewal = due.planned_end_date, due.term_number, due.renewal
        while end < horizon:
            month = max(end, first).replace(day=1)
            if term >= due.max_terms or renewal == "declined":
                counts[(due.network_id, month)][0] += 1
                break
            if renewal != "confirmed":
                counts[(due.network_id, month)][1] += 1
                break
            end, term, renewal = add_months(end, due.term_months), term + 1, None
    return [{"network_id": n, "network": names[n], "month": m, "certain": c, "possible": p}
            for (n, m), (c, p) in sorted(counts.items(), key=lambda kv: (names[kv[0][0]], kv[0][1]))]


def status_of_person(cur, person_id: int) -> list[dict]:
    """Per network: whether the person is a member, or resting (not a member, last term ended within the
    rest period) — for the person screen and the tests."""
    rows = cur.execute(
        "SELECT n.id, n.name, n.rest_months, bool_or(m.actual_end_date IS NULL), max(m.actual_end_date) "
        "FROM membership m JOIN network n ON n.id = m.network_id WHERE m.person_id = ? "
        "GROUP BY n.id, n.name, n.rest_months ORDER BY n.name", [person_id]).fetchall()
    out = []
    for network_id, name, rest, member, last_end in rows:
        resting = (not member) and last_end is not None and add_months(last_end, rest) > today()
        out.append({"network_id": network_id, "network": name, "member": bool(member), "resting": resting,
                    "resting_until": add_months(last_end, rest) if resting else None})
    return out
