"""Audit events: who did what to which record, when, from where, and with what result.

Never the personal data itself: record ids and action names only.

Tamper evidence: every event stores `prev_hash` (the hash of the event before it) and
`event_hash` = HMAC-SHA256, with the audit key (crm_app.access.audit_key, kept outside the store),
over a canonical encoding of (prev_hash, id, occurred_utc, user_id, action, record_type, record_id,
result, origin). Without the key nobody can recompute a hash after deleting or editing an event.
The one-row table `audit_head` holds the last event's id and hash and `key_check`, which recognises
the key; `record` updates it in the same transaction as the insert and numbers events from it, so ids
have no gaps. `verify` walks the chain in id order: an edited, deleted or forged row, a gap, a chain
that ends before the head, a missing hash or the wrong key each fail it.

History: rows written before schema 003 have no hash (the pre-chain era); rows from schema 003 until
the chain was keyed carry plain sha256 hashes. Keying appends one event `audit.chain_keyed` whose HMAC
covers the last plain hash, so the older part can no longer be rewritten either; every event after
it must carry an HMAC. Truncating the newest events together with the head, or wiping the whole log,
cannot be seen from inside the store: the heads exported outside it (crm_app.access.audit_heads) show it.

The audit table cannot be edited from the app: no service updates or deletes audit rows, and the
only reads are `search` (the Audit screen, `crm audit list`) and `verify`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass

from crm_app.access import audit_key
from crm_app.core import i18n, permissions, reference
from crm_app.core.clock import utcnow
from crm_app.core.errors import CrmError


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
    "person.erase", "person.subject_access", "person.import", "person.merge", "person.merge_undo",
    "duplicates.not_duplicate", "duplicates.scan",
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
    "export.import_rejects",
    "retention.preview", "retention.apply", "retention.enable", "retention.disable",
    "store.backup", "store.restore", "store.compact", "maintenance.expire", "demo.fill", "audit.chain_keyed",
    "meeting.plan", "meeting.invite", "meeting.attendance_present", "meeting.attendance_excused",
    "meeting.attendance_absent", "reimbursement.record", "reimbursement.cap_override", "export.payments",
    "feedback.input", "feedback.response", "person.feedback_overview",
    "message.sent", "message.prepared",
    "kiosk.start", "kiosk.end",
)
KEYED_START = "audit.chain_keyed"
KEYED_ACTOR = Actor(user_id=None, role="system", origin="job")
_ACTION_SET = frozenset(ACTIONS)


def action_label(action: str, lang: str = i18n.DEFAULT_LANG) -> str:
    """An action as the user reads it ("Inloggen"); a code without a label (a refused screen) as it is."""
    return i18n.label("audit_action", action, lang) if action in _ACTION_SET else action


RESULTS = ("ok", "refused", "failed", "throttled")   # what happened; other results are details without names
ORIGINS = ("web", "cli", "job")


def result_label(result: str, lang: str = i18n.DEFAULT_LANG) -> str:
    """A result code as a word ("gelukt"); a detail ("period=3 size=12") as it is."""
    return i18n.label("audit_result", result, lang) if result in RESULTS else result


def origin_label(origin: str, lang: str = i18n.DEFAULT_LANG) -> str:
    return i18n.label("audit_origin", origin, lang) if origin in ORIGINS else origin


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
               record_id, result: str, origin: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 (hex) with `key` over a canonical JSON array of the event's fields and the previous hash;
    plain sha256 without a key (the events written before the chain was keyed)."""
    canonical = json.dumps(
        [prev_hash, int(event_id), _iso(occurred_utc), None if user_id is None else int(user_id), action,
         record_type, None if record_id is None else int(record_id), result, origin],
        ensure_ascii=True, separators=(",", ":"),
    ).encode("ascii")
    if key is None:
        return hashlib.sha256(canonical).hexdigest()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def record(cur, actor: Actor, action: str, record_type: str | None = None, record_id: int | None = None,
           result: str = "ok") -> None:
    """Append one event to the chain. Runs inside the caller's transaction (a store.write unit).

    The first event appended to a store whose chain is not keyed yet is preceded by the keyed start.
    """
    next_id, prev_hash, key_check = _claim_head(cur)
    key = _writing_key(cur, key_check)
    if key_check is None:
        next_id, prev_hash = _start_keyed(cur, key, prev_hash)
    _append(cur, key, next_id, prev_hash, actor, action, record_type, record_id, result)


def start_keyed_chain(store) -> None:
    """Key the chain now if it is not keyed yet (`crm init`), so the key file exists from the start."""
    def work(cur):
        _, prev_hash, key_check = _claim_head(cur)
        if key_check is None:
            _start_keyed(cur, _writing_key(cur, None), prev_hash)
    store.write(work)


def _claim_head(cur) -> tuple[int, str | None, str | None]:
    """Claim the head row first, so that concurrent appenders conflict (and retry) right here, before either
    inserts an event under the same id. The update must change the row: DuckDB skips one that changes nothing,
    and a skipped update conflicts with nobody. Returns the next event's id, the last hash and the key check."""
    cur.execute("UPDATE audit_head SET last_id = coalesce(last_id, 0) + 1 WHERE id = 1")
    return cur.execute("SELECT last_id, last_hash, key_check FROM audit_head WHERE id = 1").fetchone()


def _start_keyed(cur, key: bytes, prev_hash: str | None) -> tuple[int, str]:
    """Append the keyed start after every event so far (its HMAC covers the last plain hash) and note the key.
    Returns the id and previous hash for the event after it."""
    last_id, legacy = cur.execute("SELECT coalesce(max(id), 0), count(*) FROM audit_event").fetchone()
    digest = _append(cur, key, last_id + 1, prev_hash, KEYED_ACTOR, KEYED_START, None, None,
                     f"legacy_events={legacy}")
    cur.execute("UPDATE audit_head SET key_check = ? WHERE id = 1", [audit_key.check_value(key)])
    return last_id + 2, digest


def _writing_key(cur, key_check: str | None) -> bytes:
    """The key to append with: never a key the chain was not keyed with; a new key file only for a new chain."""
    path = audit_key.store_path(cur)
    key = audit_key.load(path)
    if key is None:
        if key_check is not None:
            raise CrmError("audit_key_missing", file=str(audit_key.key_file(path)))
        try:
            return audit_key.create(path)
        except FileExistsError:         # another unit of work created it a moment ago
            return audit_key.load(path)
    if key_check is not None and not hmac.compare_digest(audit_key.check_value(key), key_check):
        raise CrmError("audit_key_mismatch")
    return key


def _append(cur, key: bytes, event_id: int, prev_hash: str | None, actor: Actor, action: str, record_type,
            record_id, result: str) -> str:
    # The id follows the head, so a rolled-back unit leaves no gap. The column's sequence is still drawn:
    # a row inserted with the default id (only tests do) then never collides with an id the chain has used.
    cur.execute("SELECT nextval('audit_event_id_seq')")
    # TIMESTAMP keeps microseconds; hash exactly what the column will hold.
    occurred = utcnow()
    if isinstance(occurred, dt.datetime):
        occurred = occurred.replace(tzinfo=None)
    digest = event_hash(prev_hash, event_id, occurred, actor.user_id, action, record_type, record_id, result,
                        actor.origin, key)
    cur.execute(
        "INSERT INTO audit_event (id, occurred_utc, user_id, action, record_type, record_id, result, origin, "
        "prev_hash, event_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [event_id, occurred, actor.user_id, action, record_type, record_id, result, actor.origin, prev_hash, digest],
    )
    cur.execute("UPDATE audit_head SET last_id = ?, last_hash = ? WHERE id = 1", [event_id, digest])
    return digest


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events_checked: int
    first_bad_id: int | None = None
    reason: str | None = None


# Why verify failed, each with a sentence audit.reason.<code> (crm_app.core.message_ids).
REASONS = ("empty", "no_key", "not_keyed", "wrong_key", "hash_missing", "chain_start_has_previous",
           "previous_hash_mismatch", "hash_mismatch", "gap", "head_mismatch", "exported_head_missing",
           "exported_head_mismatch")


def head(store) -> tuple[int | None, str | None]:
    """The last event's id and hash, as the head row holds them."""
    with store.read() as cur:
        return cur.execute("SELECT last_id, last_hash FROM audit_head WHERE id = 1").fetchone()


def staff(store, actor: Actor) -> dict[int, str]:
    """Every staff account (also disabled ones, who stay in the log), id → display name, for the user filter."""
    permissions.require(actor.role, "audit.view")
    with store.read() as cur:
        return dict(cur.execute("SELECT id, display_name FROM app_user ORDER BY username").fetchall())


def holds(store, event_id: int, event_hash: str) -> bool:
    """Whether the chain still has this event with this hash (an exported head)."""
    with store.read() as cur:
        row = cur.execute("SELECT event_hash FROM audit_event WHERE id = ?", [event_id]).fetchone()
    return row is not None and row[0] == event_hash


def verify(store, exported: list[tuple[int, str]] = ()) -> VerifyResult:
    """Walk the chain in id order and report the first thing that does not fit.

    `exported`: heads (id, hash) exported earlier (crm_app.access.audit_heads); each must still be in the
    chain with the same hash, so a chain rewritten or cut back since then fails.
    """
    with store.read() as cur:
        rows = cur.execute(
            "SELECT id, occurred_utc, user_id, action, record_type, record_id, result, origin, prev_hash, "
            "event_hash FROM audit_event ORDER BY id"
        ).fetchall()
        head_id, head_hash, key_check = cur.execute(
            "SELECT last_id, last_hash, key_check FROM audit_head WHERE id = 1").fetchone()
    if not rows:
        return VerifyResult(False, 0, None, "empty")
    key = audit_key.load(store.path)
    if key is None:
        return VerifyResult(False, 0, None, "no_key")
    if key_check is None:
        return VerifyResult(False, 0, None, "not_keyed")
    if not hmac.compare_digest(audit_key.check_value(key), key_check):
        return VerifyResult(False, 0, None, "wrong_key")
    prev: str | None = None
    started = keyed = False
    checked = 0
    last_id = None
    for (event_id, occurred, user_id, action, record_type, record_id, result, origin, prev_hash,
         digest) in rows:
        if digest is None:
            if started:
                return VerifyResult(False, checked, event_id, "hash_missing")
            continue            # pre-chain era: written before the hash chain existed
        keyed = keyed or action == KEYED_START
        if keyed and last_id is not None and event_id != last_id + 1:
            return VerifyResult(False, checked, event_id, "gap")
        if not started:
            started = True
            if prev_hash is not None:
                return VerifyResult(False, checked, event_id, "chain_start_has_previous")
        elif prev_hash != prev:
            return VerifyResult(False, checked, event_id, "previous_hash_mismatch")
        expected = event_hash(prev_hash, event_id, occurred, user_id, action, record_type, record_id, result,
                              origin, key if keyed else None)
        if not hmac.compare_digest(expected, digest):
            return VerifyResult(False, checked, event_id, "hash_mismatch")
        checked += 1
        prev = digest
        last_id = event_id
    if not keyed:
        return VerifyResult(False, checked, None, "not_keyed")
    if head_hash != prev or head_id != last_id:
        # The newest events were deleted (or the head moved): the chain ends before the head says.
        return VerifyResult(False, checked, head_id, "head_mismatch")
    hashes = {row[0]: row[9] for row in rows}
    for exported_id, exported_hash in exported:
        if exported_id not in hashes:
            return VerifyResult(False, checked, exported_id, "exported_head_missing")
        if hashes[exported_id] != exported_hash:
            return VerifyResult(False, checked, exported_id, "exported_head_mismatch")
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
    with store.read() as cur:
        newest = cur.execute("SELECT max(id) FROM audit_event").fetchone()[0] or 0
        span = 2 * limit
        while True:
            # ids grow with time: the newest events are in the last row groups, which an id bound lets the
            # scan read alone (zonemaps) instead of sorting the whole log; widened until the page is full
            bound = newest - span if span < newest else None
            rows, columns = _search_page(cur, where, params, limit, bound)
            if len(rows) == limit or bound is None:
                return [dict(zip(columns, row)) for row in rows]
            span *= 16


def _search_page(cur, where: list[str], params: list, limit: int, above_id: int | None) -> tuple[list, list[str]]:
    conditions = [*where, "e.id > ?"] if above_id is not None else where
    sql = ("SELECT e.id, e.occurred_utc, e.user_id, u.display_name AS user_display_name, e.action, e.record_type, "
           "e.record_id, e.result, e.origin FROM (SELECT * FROM audit_event e"
           + (" WHERE " + " AND ".join(conditions) if conditions else "")
           + " ORDER BY e.id DESC LIMIT ?) e LEFT JOIN app_user u ON u.id = e.user_id ORDER BY e.id DESC")
    cur.execute(sql, [*params, *([above_id] if above_id is not None else []), limit])
    return cur.fetchall(), [d[0] for d in cur.description]
