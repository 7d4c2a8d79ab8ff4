"""The alumni network's rotating composition, and alumni referrals.

Alumni hold memberships of an alumni network. Its setting (alumni_setting) says how many of them are
active per period (`active_places`), how long a period is (`period_months`: 1, 2, 3, 4, 6 or 12;
periods follow the calendar, e.g. January–June and July–December), and for how many periods in a row
one alumnus stays active (`active_periods`). The others rest.

At each period change the daily processing (crm_app.networks.rotation) proposes who becomes active — first
those active last period who have periods left, then the longest not active, within the alumni
network's own composition targets (the same greedy quota rule as filling places, selection.by_quota,
with the targets' bounds taken on the active places) — `alumni_proposal_days` before the period
starts. The setting's `method` may instead be `lottery`: the continuing alumni keep their place as
above and count toward the targets; the other places are drawn with a seed from the LEXIMIN lottery
(crm_app.networks.lottery, as a fill's lottery) over the resting alumni with contact consent — those
whose periods ran out, or who lost their place to a smaller setting, only when the resting are too few.
The draw is recorded (lottery_draw) and the proposal keeps its seed: the same alumni, targets and seed
give the same proposal. Targets no group can meet give no drawn alumni but the least relaxation that
would. The coordinator (or program manager) confirms it. Active = named in the confirmed period
that covers the day and still an alumnus; the number never exceeds the setting the proposal was made
with, and a proposal made under an older setting must be made again before it can be confirmed.

Referrals: a person source `alumni_referral` whose `referrer_id` is the alumnus (person) counts for them.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions, settings
from crm_app.core.clock import add_months, today, utcnow
from crm_app.core.errors import CrmError, FieldError, NotFound, ValidationError
from crm_app.core.fields import display_name
from crm_app.networks import composition, lottery, offers, registry, selection
from crm_app.networks.selection import Candidate, Draw, Reason

PERIOD_MONTHS = (1, 2, 3, 4, 6, 12)
METHODS = ("rotation", "lottery")


@dataclass
class AlumniSetting:
    network_id: int
    active_places: int
    period_months: int
    active_periods: int
    method: str = "rotation"


def period_start(day: dt.date, months: int) -> dt.date:
    return dt.date(day.year, (day.month - 1) // months * months + 1, 1)


def get_setting(cur, network_id: int) -> AlumniSetting | None:
    row = cur.execute("SELECT network_id, active_places, period_months, active_periods, coalesce(method, 'rotation') "
                      "FROM alumni_setting WHERE network_id = ?", [network_id]).fetchone()
    return AlumniSetting(*row) if row else None


def _whole(raw, name: str, errors: list[FieldError], low: int, high: int) -> int | None:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        errors.append(FieldError(name, "not_whole_number"))
        return None
    if value == 0 and name == "period_months":
        errors.append(FieldError(name, "term_length_zero"))
        return None
    if not low <= value <= high:
        errors.append(FieldError(name, "out_of_range", {"low": low, "high": high}))
        return None
    return value


def save_setting(store, actor: Actor, network_id: int, active_places, period_months, active_periods,
                 method: str | None = None) -> None:
    """Set how many alumni are active per period, for how long, and how they are chosen (`method`; None keeps
    the method set before, else rotation); open proposals are made again."""
    permissions.require(actor.role, "network.manage")

    def work(cur):
        network = registry.load(cur, network_id)
        if network.kind != "alumni_network":
            raise CrmError("not_alumni_network")
        errors: list[FieldError] = []
        places = _whole(active_places, "active_places", errors, 1, network.max_places)
        months = _whole(period_months, "period_months", errors, 1, 12)
        if months is not None and months not in PERIOD_MONTHS:
            errors.append(FieldError("period_months", "period_not_divisor"))
        periods = _whole(active_periods, "active_periods", errors, 1, 20)
        if method is not None and method not in METHODS:
            errors.append(FieldError("method", "invalid_choice"))
        if errors:
            raise ValidationError(errors)
        registry.lock(cur, network_id)
        before = get_setting(cur, network_id)
        chosen = method or (before.method if before else "rotation")
        cur.execute("INSERT OR REPLACE INTO alumni_setting (network_id, active_places, period_months, active_periods, "
                    "updated_utc, method) VALUES (?, ?, ?, ?, ?, ?)",
                    [network_id, places, months, periods, utcnow(), chosen])
        _drop_proposals(cur, network_id)
        audit.record(cur, actor, "alumni.setting", "network", network_id)
        for nid, start in periods_due(cur, today(), network_id):
            create_proposal(cur, nid, start, today(), actor)

    store.write(work)


def _drop_proposals(cur, network_id: int) -> None:
    cur.execute("DELETE FROM alumni_active WHERE period_id IN "
                "(SELECT id FROM alumni_period WHERE network_id = ? AND status = 'proposed')", [network_id])
    cur.execute("DELETE FROM alumni_period WHERE network_id = ? AND status = 'proposed'", [network_id])


def periods_due(cur, as_of: dt.date, network_id: int | None = None) -> list[tuple[int, dt.date]]:
    """Alumni networks whose current period, or the next one starting within alumni_proposal_days, has no
    proposal yet."""
    ahead = settings.get(cur, "alumni_proposal_days")
    rows = cur.execute("SELECT s.network_id, s.period_months FROM alumni_setting s "
                       "WHERE ? IS NULL OR s.network_id = ? ORDER BY s.network_id", [network_id, network_id]).fetchall()
    if not rows:
        return []
    known = {(n, s) for n, s in cur.execute("SELECT network_id, period_start FROM alumni_period").fetchall()}
    due = []
    for nid, months in rows:
        current = period_start(as_of, months)
        following = add_months(current, months)
        for start in (current, following):
            if start > as_of + dt.timedelta(days=ahead) or (nid, start) in known:
                continue
            due.append((nid, start))
    return due


@dataclass
class Alumnus:
    person_id: int
    membership_id: int
    given_name: str
    family_name: str | None
    since: dt.date
    last_active_end: dt.date | None
    streak: int          # periods in a row active up to the period before the one asked about
    referrals: int = 0
    active: bool = False

    def label(self, show_names: bool) -> str:
        if show_names:
            return display_name(self.given_name, self.family_name)
        return f"A-{self.membership_id}"


def _alumni(cur, network_id: int, before: dt.date) -> list[Alumnus]:
    """Current alumni, with when they were last active and their streak of active periods ending just
    before `before`."""
    rows = cur.execute(
        "SELECT m.person_id, m.id, p.given_name, p.family_name, m.start_date FROM membership m "
        "JOIN person p ON p.id = m.person_id WHERE m.network_id = ? AND m.actual_end_date IS NULL "
        "ORDER BY m.start_date, m.id", [network_id]).fetchall()
    periods = cur.execute(
        "SELECT id, period_start, period_end FROM alumni_period WHERE network_id = ? AND status = 'confirmed' "
        "AND period_start < ? ORDER BY period_start DESC", [network_id, before]).fetchall()
    active_in = {pid: set() for pid, *_ in periods}
    for period_id, person_id in cur.execute(
            "SELECT a.period_id, a.person_id FROM alumni_active a JOIN alumni_period p ON p.id = a.period_id "
            "WHERE p.network_id = ? AND p.status = 'confirmed'", [network_id]).fetchall():
        active_in.setdefault(period_id, set()).add(person_id)
    result = []
    for person_id, membership_id, given, family, since in rows:
        last_end = next((end for pid, _, end in periods if person_id in active_in[pid]), None)
        streak, expected_end = 0, before
        for pid, start, end in periods:
            if end != expected_end or person_id not in active_in[pid]:
                break
            streak, expected_end = streak + 1, start
        result.append(Alumnus(person_id, membership_id, given, family, since, last_end, streak))
    return result


@dataclass
class Proposed:
    """A period's proposal before it is stored: who becomes active, with reasons; a lottery's draw (seed, hash,
    distribution, panel); and what could not be met (the targets' least relaxation, too few alumni)."""
    rows: list[tuple[Alumnus, list[Reason]]]
    draw: Draw | None = None
    unmet: list[Reason] = dataclasses.field(default_factory=list)


def compute_proposal(cur, network_id: int, start: dt.date, method: str | None = None,
                     seed: int | None = None) -> Proposed:
    """Who becomes active in the period starting `start`, with reasons (reads only). `method` defaults to the
    setting's; a lottery draws with `seed` (default a new one)."""
    setting = get_setting(cur, network_id)
    if setting is None:
        raise CrmError("alumni_setting_missing")
    method = method or setting.method
    if method not in METHODS:
        raise CrmError("method_unknown", method=method)
    network = registry.load(cur, network_id)
    alumni = _alumni(cur, network_id, start)
    continuing = sorted((a for a in alumni if 0 < a.streak < setting.active_periods),
                        key=lambda a: (-a.streak, a.since, a.person_id))[:setting.active_places]
    kept = {a.person_id for a in continuing}
    others = sorted((a for a in alumni if a.person_id not in kept),
                    key=lambda a: (a.last_active_end or a.since, a.since, a.person_id))
    values = composition.person_values(cur, [a.person_id for a in alumni], start.year)
    candidates = [Candidate(a.membership_id, a.person_id, a.given_name, a.family_name, index + 1,
                            (start - (a.last_active_end or a.since)).days, values[a.person_id])
                  for index, a in enumerate(others)]
    tally = composition.Tally([values[a.person_id] for a in continuing])
    wanted = setting.active_places - len(continuing)
    result = Proposed([(a, [Reason("alumni_continues", {"period": a.streak + 1, "of": setting.active_periods})])
                       for a in continuing])
    if wanted <= 0 or not candidates:
        return result
    if method == "lottery":
        contactable = registry.contactable(cur, [c.person_id for c in candidates])
        by_person = {a.person_id: a for a in others}
        eligible = [c for c in candidates if c.person_id in contactable]
        resting = [c for c in eligible if by_person[c.person_id].streak == 0]
        pool = selection.Pool.of(resting if len(resting) >= wanted else eligible)
        result.draw, proposals, result.unmet = selection.by_lottery(
            pool, wanted, network.targets, setting.active_places, tally, lottery.new_seed() if seed is None else seed)
    else:
        proposals, _ = selection.by_quota(candidates, wanted, network.targets, setting.active_places, tally)
    by_person = {a.person_id: a for a in others}
    for proposal in proposals:
        c = proposal.candidate
        rested = Reason("alumni_rested", {"months": c.waited_days // 30, "position": c.position,
                                          "never": by_person[c.person_id].last_active_end is None})
        result.rows.append((by_person[c.person_id], [rested] + [r for r in proposal.reasons if r.code != "waited"]))
    return result


def create_proposal(cur, network_id: int, start: dt.date, as_of: dt.date, actor: Actor, method: str | None = None,
                    seed: int | None = None) -> int:
    """Store the proposal for the period starting `start` (by `method`, default the setting's); a lottery's
    draw is recorded with it."""
    setting = get_setting(cur, network_id)
    proposed = compute_proposal(cur, network_id, start, method, seed)
    draw = proposed.draw
    draw_id = offers.record_draw(cur, network_id, draw, actor) if draw and draw.distribution else None
    period_id = cur.execute(
        "INSERT INTO alumni_period (network_id, period_start, period_end, status, active_places, created_utc, seed, "
        "draw_id, unmet) VALUES (?, ?, ?, 'proposed', ?, ?, ?, ?, ?) RETURNING id",
        [network_id, start, add_months(start, setting.period_months), setting.active_places, utcnow(),
         draw.seed if draw else None, draw_id, _reasons_json(proposed.unmet)]).fetchone()[0]
    for alumnus, reasons in proposed.rows:
        cur.execute("INSERT INTO alumni_active VALUES (?, ?, ?, ?)",
                    [period_id, alumnus.person_id, alumnus.membership_id, _reasons_json(reasons)])
    audit.record(cur, actor, "alumni.rotation_proposed", "network", network_id,
                 f"period={period_id} size={len(proposed.rows)}" + (f" seed={draw.seed}" if draw else ""))
    return period_id


def _reasons_json(reasons: list[Reason]) -> str:
    return json.dumps([dataclasses.asdict(r) for r in reasons])


def _reasons(stored: str | None) -> list[Reason]:
    return [Reason(**r) for r in json.loads(stored or "[]")]


def chance(reasons: list[Reason]) -> float | None:
    """A drawn alumnus's chance in the lottery they were drawn from (None: not drawn)."""
    return next((r.params["chance"] for r in reasons if r.code == "drawn"), None)


def repropose(store, actor: Actor, network_id: int, method: str | None = None, seed: int | None = None) -> None:
    """Make the open proposals again from today's alumni and setting, by `method` (default the setting's); a
    lottery with `seed` (default a new one): the same alumni, targets and seed give the same proposal."""
    permissions.require(actor.role, "alumni.rotate")
    if method is not None and method not in METHODS:
        raise CrmError("method_unknown", method=method)

    def work(cur):
        registry.lock(cur, network_id)
        setting = get_setting(cur, network_id)
        if setting is None:
            raise CrmError("alumni_setting_missing")
        if seed is not None and (method or setting.method) != "lottery":
            raise CrmError("alumni_seed_without_lottery")
        _drop_proposals(cur, network_id)
        for nid, start in periods_due(cur, today(), network_id):
            create_proposal(cur, nid, start, today(), actor, method, seed)

    store.write(work)


def confirm(store, actor: Actor, period_id: int) -> None:
    """The coordinator confirms who is active in the period."""
    permissions.require(actor.role, "alumni.rotate")

    def work(cur):
        row = cur.execute("SELECT network_id, status, active_places FROM alumni_period WHERE id = ?",
                          [period_id]).fetchone()
        if row is None:
            raise NotFound("alumni_period_not_found")
        network_id, status, places = row
        if status != "proposed":
            raise CrmError("alumni_period_confirmed")
        registry.lock(cur, network_id)
        setting = get_setting(cur, network_id)
        size = cur.execute("SELECT count(*) FROM alumni_active WHERE period_id = ?", [period_id]).fetchone()[0]
        if setting is None or setting.active_places != places or size > setting.active_places:
            raise CrmError("alumni_proposal_outdated")
        cur.execute("UPDATE alumni_period SET status = 'confirmed', confirmed_utc = ?, confirmed_by = ? WHERE id = ?",
                    [utcnow(), actor.user_id, period_id])
        audit.record(cur, actor, "alumni.rotation_confirmed", "network", network_id, f"period={period_id}")

    store.write(work)


active_ids = registry.active_alumni   # in registry, whose places overview counts them too


def referral_counts(cur, person_ids: list[int]) -> dict[int, int]:
    if not person_ids:
        return {}
    return dict(cur.execute(
        "SELECT referrer_id, count(*) FROM person_source WHERE kind = 'alumni_referral' "
        "AND referrer_id IN (SELECT unnest(?)) GROUP BY referrer_id", [person_ids]).fetchall())


def referred_by(cur, person_id: int) -> list[int]:
    """Persons this alumnus referred (their first source or a later one)."""
    return [r[0] for r in cur.execute("SELECT DISTINCT person_id FROM person_source WHERE kind = 'alumni_referral' "
                                      "AND referrer_id = ? ORDER BY 1", [person_id]).fetchall()]


@dataclass
class Overview:
    network_id: int
    name: str
    max_places: int
    setting: AlumniSetting | None
    period: tuple[dt.date, dt.date] | None       # the current period (when there is a setting)
    period_confirmed: bool
    alumni: list[Alumnus]
    proposals: list[dict]     # open proposals: id, start, end, rows [(Alumnus, reasons)]; a lottery's seed, pool_hash,
                              # minimum (smallest chance); unmet (reasons: the targets' least relaxation, too few)
    show_names: bool
    targets: list


def overview(store, actor: Actor, network_id: int, as_of: dt.date | None = None) -> Overview:
    permissions.require(actor.role, "alumni.view")
    as_of = as_of or today()
    show_names = permissions.allowed(actor.role, "person.view")
    with store.read() as cur:
        network = registry.load(cur, network_id)
        if network.kind != "alumni_network":
            raise CrmError("not_alumni_network")
        setting = get_setting(cur, network_id)
        alumni = _alumni(cur, network_id, as_of)
        active = active_ids(cur, network_id, as_of)
        counts = referral_counts(cur, [a.person_id for a in alumni])
        for a in alumni:
            a.active = a.person_id in active
            a.referrals = counts.get(a.person_id, 0)
        period, confirmed = None, False
        if setting:
            start = period_start(as_of, setting.period_months)
            period = (start, add_months(start, setting.period_months))
            confirmed = bool(cur.execute("SELECT 1 FROM alumni_period WHERE network_id = ? AND period_start = ? "
                                         "AND status = 'confirmed'", [network_id, start]).fetchone())
        by_membership = {a.membership_id: a for a in alumni}
        proposals = []
        for pid, start, end, seed, unmet, digest, distribution in cur.execute(
                "SELECT p.id, p.period_start, p.period_end, p.seed, p.unmet, d.input_hash, d.distribution "
                "FROM alumni_period p LEFT JOIN lottery_draw d ON d.id = p.draw_id "
                "WHERE p.network_id = ? AND p.status = 'proposed' ORDER BY p.period_start", [network_id]).fetchall():
            rows = []
            for membership_id, reason in cur.execute("SELECT membership_id, reason FROM alumni_active "
                                                     "WHERE period_id = ? ORDER BY rowid", [pid]).fetchall():
                if membership_id in by_membership:
                    rows.append((by_membership[membership_id], _reasons(reason)))
            chances = [p for _, p in json.loads(distribution)["probabilities"]] if distribution else []
            proposals.append({"id": pid, "start": start, "end": end, "rows": rows, "seed": seed, "pool_hash": digest,
                              "minimum": min(chances) if chances else None, "unmet": _reasons(unmet)})
    alumni.sort(key=lambda a: (not a.active, a.last_active_end or a.since, a.person_id))
    return Overview(network_id, network.name, network.max_places, setting, period, confirmed, alumni, proposals,
                    show_names, network.targets)


def alumni_networks(store, actor: Actor) -> list[registry.Network]:
    permissions.require(actor.role, "alumni.view")
    with store.read() as cur:
        return registry.load_all(cur, "alumni_network")


# -- linking referrals to the alumnus -------------------------------------------------------------------
def unlinked_referrals(store, actor: Actor, limit: int = 50) -> list[dict]:
    """Sources `alumni_referral` that name an alumnus only in words (as typed at registration)."""
    permissions.require(actor.role, "person.edit")
    with store.read() as cur:
        rows = cur.execute(
            "SELECT s.id, s.person_id, p.given_name, p.family_name, s.source_name, s.recorded_utc FROM person_source s "
            "JOIN person p ON p.id = s.person_id WHERE s.kind = 'alumni_referral' AND s.referrer_id IS NULL "
            "ORDER BY s.recorded_utc DESC, s.id DESC LIMIT ?", [limit]).fetchall()
    keys = ("source_id", "person_id", "given_name", "family_name", "named", "recorded_utc")
    return [dict(zip(keys, r)) for r in rows]


def link_referral(store, actor: Actor, source_id: int, alumnus_person_id: int) -> None:
    """Say which alumnus referred: the source then counts for them."""
    permissions.require(actor.role, "person.edit")

    def work(cur):
        row = cur.execute("SELECT person_id, kind FROM person_source WHERE id = ?", [source_id]).fetchone()
        if row is None or row[1] != "alumni_referral":
            raise NotFound("referral_not_found")
        if row[0] == alumnus_person_id or not cur.execute(
                "SELECT 1 FROM membership m JOIN network n ON n.id = m.network_id "
                "WHERE m.person_id = ? AND n.kind = 'alumni_network'", [alumnus_person_id]).fetchone():
            raise CrmError("not_an_alumnus")
        cur.execute("UPDATE person_source SET referrer_id = ? WHERE id = ?", [alumnus_person_id, source_id])
        audit.record(cur, actor, "alumni.referral_linked", "person", row[0])

    store.write(work)
