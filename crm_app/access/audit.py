"""Audit events: who did what to which record, when, from where, and with what result.

Never the personal data itself: record ids and action names only.

Tamper evidence: every event stores `prev_hash` (the hash of the event before it) and
`event_hash` = sha256 over a canonical encoding of (prev_hash, id, occurred_utc, user_id, action,
record_type, record_id, result, origin). The one-row table `audit_head` holds the last event's id
and hash; `record` updates it in the same transaction as the insert, so two writers cannot both
append to the same head (DuckDB raises a write conflict and `Store.write` retries).
`verify` walks the chain in id order; an edited, deleted or forged row breaks it.

The audit table cannot be edited from the app: no service updates or deletes audit rows, and the
only reads are `search` (the Audit screen, `crm audit list`) and `verify`.
Rows written before the chain migration (schema 003) have no hash: they are the pre-chain era.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from crm_app.core import i18n, permissions, reference
from crm_app.core.clock import utcnow


@dataclass(frozen=True)
class Actor:
    """The staff member (or operator at the command line) on whose behalf a service runs."""
    user_id: int | None
    role: str
    origin: str = "web"        # 'web' or 'cli'


CLI_OPERATOR = Actor(user_id=None, role="admin", origin="cli")

# Every action the services record, each with a label (label.audit_action.<code>) so the Audit screen shows
# and searches words rather than codes. A refused screen is recorded under its permission (ui.session): no label.
ACTIONS = (
    "login", "logout", "session.start", "session.end", "session.expire",
    "user.add", "user.link_identity", "user.passwd", "user.role", "user.disable", "user.enable",
    "setting.change", "setting.retention_candidate_months", "setting.retention_waitlist_months",
    "setting.retention_alumni_years",
    "person.register", "person.edit", "person.set_stage", "person.view", "person.search", "person.add_source",
    "person.erase", "person.subject_access",
    *(f"consent.{verb}.{purpose}" for verb in ("give", "withdraw") for purpose in reference.CONSENT_PURPOSES),
    "activity.log", "activity.follow_up_done",
    "waitlist.add", "waitlist.withdrawn", "waitlist.removed", "waitlist.confirm_interest",
    "offer.make", "offer.accept", "offer.decline", "offer.withdraw",
    "membership.end_left", "membership.end_removed",
    "network.save", "network.alumni_linked",
    "rotation.run", "rotation.renewal_proposed", "rotation.renewal_confirmed", "rotation.renewal_declined",
    "rotation.renewed", "rotation.joined_alumni", "rotation.ended", "rotation.alumni_pending",
    "rotation.moved_to_alumni", "rotation.alumni_yes", "rotation.alumni_no",
    "alumni.setting", "alumni.rotation_proposed", "alumni.rotation_confirmed", "alumni.referral_linked",
    "export.persons", "export.networks", "export.members", "export.waitlist", "export.alumni", "export.seat_timeline",
    "retention.preview", "retention.apply", "retention.enable", "retention.disable",
    "store.backup", "store.restore", "maintenance.expire", "demo.fill",
)
_ACTION_SET = frozenset(ACTIONS)


def action_label(action: str, lang: str = i18n.DEFAULT_LANG) -> str:
    """An action as the user reads it ("Inloggen"); a code without a label (a refused screen) as it is."""
    return i18n.label("audit_action", action, lang) if action in _ACTION_SET else action


def actions_matching(text: str, lang: str = i18n.DEFAULT_LANG) -> list[str]:
    """The actions whose label in `lang` contains `text` (case-insensitive): "inloggen" → ["login"]."""
    needle = text.strip().casefold()
    return [a for a in ACTIONS if needle and needle in action_label(a, lang).casefold()]

SEARCH_LIMIT_MAX = 5000


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(timespec="microseconds")
    return str(value)


def event_hash(prev_hash: str | None, event_id: int, occurred_utc, user_id, action: str, record_type,
               record_id, result: str, origin: str) -> str:
    """sha256 (hex) over a canonical JSON array of the event's fields and the previous hash."""
    canonical = json.dumps(
        [prev_hash, int(event_id), _iso(occurred_utc), None if user_id is None else int(user_id), action,
         record_type, None if record_id is None else int(record_id), result, origin],
        ensure_ascii=True, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def record(cur, actor: Actor, action: str, record_type: str | None = None, record_id: int | None = None,
           result: str = "ok") -> None:
    """Append one event to the chain. Runs inside the caller's transaction (a store.write unit)."""
    # Claim the head first: the UPDATE makes concurrent appenders conflict (and retry) right here.
    cur.execute("UPDATE audit_head SET last_id = last_id WHERE id = 1")
    _, prev_hash = cur.execute("SELECT last_id, last_hash FROM audit_head WHERE id = 1").fetchone()
    event_id = cur.execute("SELECT nextval('audit_event_id_seq')").fetchone()[0]
    # TIMESTAMP keeps microseconds; hash exactly what the column will hold.
    occurred = utcnow()
    if isinstance(occurred, dt.datetime):
        occurred = occurred.replace(tzinfo=None)
    digest = event_hash(prev_hash, event_id, occurred, actor.user_id, action, record_type, record_id, result,
                        actor.origin)
    cur.execute(
        "INSERT INTO audit_event (id, occurred_utc, user_id, action, record_type, record_id, result, origin, "
        "prev_hash, event_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [event_id, occurred, actor.user_id, action, record_type, record_id, result, actor.origin, prev_hash, digest],
    )
    cur.execute("UPDATE audit_head SET last_id = ?, last_hash = ? WHERE id = 1", [event_id, digest])


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events_checked: int
    first_bad_id: int | None = None
    reason: str | None = None


def staff(store, actor: Actor) -> dict[int, str]:
    """Every staff account (also disabled ones, who stay in the log), id → display name, for the user filter."""
    permissions.require(actor.role, "audit.view")
    with store.read() as cur:
        return dict(cur.execute("SELECT id, display_name FROM app_user ORDER BY username").fetchall())


def verify(store) -> VerifyResult:
    """Walk the chain in id order; report the first event that does not fit."""
    with store.read() as cur:
        rows = cur.execute(
            "SELECT id, occurred_utc, user_id, action, record_type, record_id, result, origin, prev_hash, "
            "event_hash FROM audit_event ORDER BY id"
        ).fetchall()
        head_id, head_hash = cur.execute("SELECT last_id, last_hash FROM audit_head WHERE id = 1").fetchone()
    prev: str | None = None
    started = False
    checked = 0
    for (event_id, occurred, user_id, action, record_type, record_id, result, origin, prev_hash,
         digest) in rows:
        if digest is None:
            if started:
                return VerifyResult(False, checked, event_id, "unhashed_after_chain_start")
            continue            # pre-chain era: written before the hash chain existed
        if not started:
            started = True
            if prev_hash is not None:
                return VerifyResult(False, checked, event_id, "chain_start_has_previous")
        elif prev_hash != prev:
            return VerifyResult(False, checked, event_id, "previous_hash_mismatch")
        expected = event_hash(prev_hash, event_id, occurred, user_id, action, record_type, record_id, result,
                              origin)
        if expected != digest:
            return VerifyResult(False, checked, event_id, "hash_mismatch")
        checked += 1
        prev = digest
        last_id = event_id
    if started and (head_hash != prev or head_id != last_id):
        # The newest events were deleted (or the head moved): the chain ends before the head says.
        return VerifyResult(False, checked, head_id, "head_mismatch")
    if not started and head_hash is not None:
        return VerifyResult(False, checked, head_id, "head_mismatch")
    return VerifyResult(True, checked)


def search(store, actor: Actor, *, action: str | None = None, user_id: int | None = None,
           record_type: str | None = None, record_id: int | None = None, since: dt.date | dt.datetime | None = None,
           until: dt.date | dt.datetime | None = None, limit: int = 500, lang: str | None = None) -> list[dict]:
    """Audit events for the Audit screen and `crm audit list`, newest first (permission audit.view).

    `action` matches the code as a case-insensitive substring and, given `lang`, the action's label in
    that language ("inloggen" finds login); `since`/`until` are UTC; a date `until` includes that whole day.
    """
    permissions.require(actor.role, "audit.view")
    where, params = [], []
    if action:
        labelled = actions_matching(action, lang) if lang else []
        where.append("(strpos(lower(e.action), lower(?)) > 0" + "".join(" OR e.action = ?" for _ in labelled) + ")")
        params += [action.strip(), *labelled]
    if user_id is not None:
        where.append("e.user_id = ?")
        params.append(int(user_id))
    if record_type:
        where.append("e.record_type = ?")
        params.append(record_type)
    if record_id is not None:
        where.append("e.record_id = ?")
        params.append(int(record_id))
    if since is not None:
        if not isinstance(since, dt.datetime):
            since = dt.datetime.combine(since, dt.time())
        where.append("e.occurred_utc >= ?")
        params.append(since)
    if until is not None:
        if not isinstance(until, dt.datetime):
            until = dt.datetime.combine(until + dt.timedelta(days=1), dt.time())
        where.append("e.occurred_utc < ?")
        params.append(until)
    limit = max(1, min(int(limit), SEARCH_LIMIT_MAX))
    sql = ("SELECT e.id, e.occurred_utc, e.user_id, u.display_name AS user_display_name, e.action, e.record_type, "
           "e.record_id, e.result, e.origin FROM audit_event e LEFT JOIN app_user u ON u.id = e.user_id")
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY e.id DESC LIMIT ?"
    params.append(limit)
    with store.read() as cur:
        cur.execute(sql, params)
        columns = [d[0] for d in cur.description]
        return [dict(zip(columns, row)) for row in cur.fetchall()]
