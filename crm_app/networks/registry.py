"""Networks: places, terms, rest periods, cadence and composition targets; the open-places overview."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions, settings
from crm_app.core.clock import add_months, today, utcnow
from crm_app.core.errors import FieldError, NotFound, ValidationError
from crm_app.core.fields import clean_text, record_id
from crm_app.networks import composition
from crm_app.networks.composition import Target

KINDS = ("sounding_board", "advisory_council", "alumni_network", "platform_delegation")
CADENCES = ("weekly", "biweekly", "monthly", "bimonthly", "quarterly", "half_yearly", "yearly")
MEASURES = ("count", "share", "distinct")
MAX_PLACES_LIMIT = 500


@dataclass
class NetworkInput:
    name: str | None = None
    kind: str | None = "sounding_board"
    min_places: int | str | None = None
    max_places: int | str | None = None
    term_months: int | str | None = 12
    max_consecutive_terms: int | str | None = 2
    rest_months: int | str | None = 12
    meeting_cadence: str | None = "monthly"
    alumni_network_id: int | None = None


@dataclass
class TargetInput:
    dimension: str | None = None
    dim_value: str | None = None
    measure: str | None = "count"
    min_value: float | str | None = None
    max_value: float | str | None = None


@dataclass
class Network:
    id: int
    name: str
    kind: str
    min_places: int
    max_places: int
    term_months: int
    max_consecutive_terms: int
    rest_months: int
    meeting_cadence: str
    alumni_network_id: int | None
    targets: list[Target] = field(default_factory=list)


def _int(raw, name: str, errors: list[FieldError], low: int, high: int) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        errors.append(FieldError(name, "required"))
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        errors.append(FieldError(name, "not_whole_number"))
        return None
    if not low <= value <= high:
        errors.append(FieldError(name, "out_of_range", {"low": low, "high": high}))
        return None
    return value


def _number(raw, name: str, errors: list[FieldError]) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = float(str(raw).strip().rstrip("%").replace(",", "."))
    except ValueError:
        errors.append(FieldError(name, "not_number"))
        return None
    if value < 0:
        errors.append(FieldError(name, "out_of_range", {"low": 0, "high": MAX_PLACES_LIMIT}))
        return None
    return value


def _is_percent(raw) -> bool:
    return isinstance(raw, str) and raw.strip().endswith("%")


def validate_network(data: NetworkInput, errors: list[FieldError]) -> dict:
    name = clean_text(data.name, "name", errors, max_len=120, required=True)
    if data.kind not in KINDS:
        errors.append(FieldError("kind", "invalid_choice"))
    if data.meeting_cadence not in CADENCES:
        errors.append(FieldError("meeting_cadence", "invalid_choice"))
    max_places = _int(data.max_places, "max_places", errors, 1, MAX_PLACES_LIMIT)
    min_places = _int(data.min_places if data.min_places not in (None, "") else 0, "min_places", errors, 0,
                      MAX_PLACES_LIMIT)
    if min_places is not None and max_places is not None and min_places > max_places:
        errors.append(FieldError("min_places", "min_above_max", {"max": max_places}))
    return {
        "name": name, "kind": data.kind, "min_places": min_places, "max_places": max_places,
        "term_months": (errors.append(FieldError("term_months", "term_length_zero"))
                        if str(data.term_months).strip() == "0" else
                        _int(data.term_months, "term_months", errors, 1, 120)),
        "max_consecutive_terms": _int(data.max_consecutive_terms, "max_consecutive_terms", errors, 1, 20),
        "rest_months": _int(data.rest_months, "rest_months", errors, 0, 120),
        "meeting_cadence": data.meeting_cadence, "alumni_network_id": data.alumni_network_id,
    }


def validate_targets(targets: list[TargetInput], max_places: int | None, errors: list[FieldError]) -> list[Target]:
    """Each target must be meetable within the network's places; problems are reported per row."""
    clean = []
    for index, item in enumerate(targets):
        where = f"target_{index + 1}"
        before = len(errors)
        if item.dimension not in composition.DIMENSIONS:
            errors.append(FieldError(f"{where}_dimension", "invalid_choice"))
        if item.measure not in MEASURES:
            errors.append(FieldError(f"{where}_measure", "invalid_choice"))
        value = clean_text(item.dim_value, f"{where}_value", errors, max_len=120)
        low = _number(item.min_value, f"{where}_min", errors)
        high = _number(item.max_value, f"{where}_max", errors)
        if len(errors) > before:
            continue
        if low is None and high is None:
            errors.append(FieldError(f"{where}_min", "target_needs_bound"))
            continue
        if item.measure == "share":  # a percentage when typed with a % sign or above 1; else a fraction
            low, high = (None if v is None else v / 100 if _is_percent(raw) or v > 1 else v
                         for v, raw in ((low, item.min_value), (high, item.max_value)))
        if item.measure == "distinct" and value is not None:
            errors.append(FieldError(f"{where}_value", "distinct_has_no_value"))
            continue
        if value is not None:
            known = composition.known_value(item.dimension, value)
            if known is None:
                errors.append(_unknown_value(f"{where}_value", item.dimension, value))
                continue
            value = known
        if item.measure != "distinct" and value is None and low is not None:
            errors.append(FieldError(f"{where}_value", "target_needs_value"))
            continue
        if low is not None and high is not None and low > high:
            errors.append(FieldError(f"{where}_min", "min_above_max", {"max": high}))
            continue
        target = Target(None, item.dimension, value, item.measure, low, high)
        if max_places is not None:
            min_count, _ = target.bounds(max_places)
            if min_count is not None and min_count > max_places:
                errors.append(FieldError(f"{where}_min", "target_above_places", {"places": max_places}))
                continue
        clean.append(target)
    return clean


def _unknown_value(field_name: str, dimension: str, value: str) -> FieldError:
    """A refusal that names what was typed and what the dimension allows."""
    if dimension == "country_of_origin":
        return FieldError(field_name, "target_value_not_country", {"value": value})
    if dimension == "language":
        return FieldError(field_name, "target_value_not_language", {"value": value})
    return FieldError(field_name, "target_value_unknown", {
        "value": value, "dimension": dimension, "allowed": ", ".join(composition.dimension_values(dimension))})


_SAVED_COLUMNS = ("name", "kind", "min_places", "max_places", "term_months", "max_consecutive_terms",
                  "rest_months", "meeting_cadence", "alumni_network_id")
_INSERT_NETWORK = (
    "INSERT INTO network (name, kind, min_places, max_places, term_months, max_consecutive_terms, rest_months, "
    "meeting_cadence, alumni_network_id, created_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)
_UPDATE_NETWORK = (
    "UPDATE network SET name = ?, kind = ?, min_places = ?, max_places = ?, term_months = ?, "
    "max_consecutive_terms = ?, rest_months = ?, meeting_cadence = ?, alumni_network_id = ? WHERE id = ?"
)


def save(store, actor: Actor, data: NetworkInput, targets: list[TargetInput] | None = None,
         network_id: int | None = None) -> int:
    """Create a network, or change one (never below its current members plus open offers)."""
    permissions.require(actor.role, "network.manage")
    errors: list[FieldError] = []
    values = validate_network(data, errors)
    clean_targets = validate_targets(targets or [], values["max_places"], errors)
    if errors:
        raise ValidationError(errors)

    def work(cur):
        if network_id is not None:
            lock(cur, network_id)
            taken = places_taken(cur, network_id)
            if values["max_places"] < taken:
                raise ValidationError([FieldError("max_places", "max_below_members", {"taken": taken})])
        clash = cur.execute("SELECT id FROM network WHERE lower(name) = lower(?)", [values["name"]]).fetchone()
        if clash and clash[0] != network_id:
            raise ValidationError([FieldError("name", "name_taken")])
        if values["alumni_network_id"] is not None and not cur.execute(
                "SELECT 1 FROM network WHERE id = ? AND kind = 'alumni_network'", [values["alumni_network_id"]]
        ).fetchone():
            raise ValidationError([FieldError("alumni_network_id", "invalid_choice")])
        row = [values[c] for c in _SAVED_COLUMNS]
        if network_id is None:
            new_id = cur.execute(_INSERT_NETWORK, [*row, utcnow()]).fetchone()[0]
        else:
            new_id = network_id
            cur.execute(_UPDATE_NETWORK, [*row, network_id])
        if targets is not None:
            cur.execute("DELETE FROM network_target WHERE network_id = ?", [new_id])
            for target in clean_targets:
                cur.execute(
                    "INSERT INTO network_target (network_id, dimension, dim_value, measure, min_value, max_value) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [new_id, target.dimension, target.dim_value, target.measure, target.min_value, target.max_value])
        audit.record(cur, actor, "network.save", "network", new_id)
        return new_id

    return store.write(work)


_SET_BOUND = {"min": "UPDATE network_target SET min_value = ? WHERE id = ?",
              "max": "UPDATE network_target SET max_value = ? WHERE id = ?"}


def relax_targets(store, actor: Actor, network_id: int, changes: list[tuple[int, str, int]]) -> None:
    """Move target bounds (target id, 'min' or 'max', the new bound in persons or values), as a lottery
    proposes when no panel meets the targets. A share keeps being a share: the new count of the places."""
    permissions.require(actor.role, "network.manage")

    def work(cur):
        lock(cur, network_id)
        network = load(cur, network_id)
        by_id = {t.id: t for t in network.targets}
        for target_id, side, limit in changes:
            target = by_id.get(target_id)
            if target is None or side not in _SET_BOUND:
                raise NotFound("target_not_found")
            value = limit / network.max_places if target.measure == "share" else float(max(limit, 0))
            cur.execute(_SET_BOUND[side], [max(value, 0.0), target_id])
        audit.record(cur, actor, "network.save", "network", network_id)

    store.write(work)


def lock(cur, network_id: int) -> None:
    """Claim the network row for this transaction: concurrent changes of its places conflict and retry."""
    updated = cur.execute("UPDATE network SET version = version + 1 WHERE id = ? RETURNING id", [network_id]).fetchall()
    if not updated:
        raise NotFound("network_not_found")


def may_contact(cur, person_id: int) -> bool:
    """Whether the person's latest contact consent is a yes: nobody joins a list or the alumni network without it.

    Read straight from the consent table (as composition reads the diversity consent): crm_app.people sits
    above networks, because withdrawing that consent takes a person off every list (docs/architecture.md).
    """
    return bool(cur.execute("SELECT arg_max(granted, id) FROM consent WHERE person_id = ? AND purpose = 'contact'",
                            [person_id]).fetchone()[0])


def contactable(cur, person_ids: list[int]) -> set[int]:
    """Those of `person_ids` whose latest contact consent is a yes (may_contact for many in one look-up)."""
    if not person_ids:
        return set()
    return {r[0] for r in cur.execute(
        "SELECT person_id FROM consent WHERE purpose = 'contact' AND person_id IN (SELECT unnest(?)) "
        "GROUP BY person_id HAVING arg_max(granted, id)", [list(person_ids)]).fetchall()}


def places_taken(cur, network_id: int) -> int:
    """Current members plus places on offer."""
    return cur.execute(
        "SELECT (SELECT count(*) FROM membership WHERE network_id = $n AND actual_end_date IS NULL) + "
        "(SELECT count(*) FROM offer WHERE network_id = $n AND status = 'open')", {"n": network_id},
    ).fetchone()[0]


_NETWORK_COLUMNS = ("id, name, kind, min_places, max_places, term_months, max_consecutive_terms, rest_months, "
                    "meeting_cadence, alumni_network_id")
_TARGET_COLUMNS = "id, dimension, dim_value, measure, min_value, max_value"


def load(cur, network_id: int) -> Network:
    row = cur.execute(f"SELECT {_NETWORK_COLUMNS} FROM network WHERE id = ?", [network_id]).fetchone()
    if row is None:
        raise NotFound("network_not_found")
    network = Network(*row)
    network.targets = [Target(*t) for t in cur.execute(
        f"SELECT {_TARGET_COLUMNS} FROM network_target WHERE network_id = ? ORDER BY id", [network_id]).fetchall()]
    return network


def load_all(cur, kind: str | None = None) -> list[Network]:
    """Every network (or every one of `kind`) by name, with its targets: two queries, however many networks."""
    where, params = ("WHERE kind = ?", [kind]) if kind else ("", [])
    networks = [Network(*row) for row in cur.execute(
        f"SELECT {_NETWORK_COLUMNS} FROM network {where} ORDER BY name", params).fetchall()]
    by_id = {network.id: network for network in networks}
    for network_id, *target in cur.execute(
            f"SELECT network_id, {_TARGET_COLUMNS} FROM network_target "
            f"WHERE network_id IN (SELECT id FROM network {where}) ORDER BY id", params).fetchall():
        by_id[network_id].targets.append(Target(*target))
    return networks


def get(store, actor: Actor, network_id: int) -> Network:
    permissions.require(actor.role, "network.view")
    with store.read() as cur:
        return load(cur, network_id)


def find_id(store, name_or_id: str) -> int:
    """A network by id or (case-insensitive) name, for the command line."""
    with store.read() as cur:
        if (network_id := record_id(str(name_or_id))) is not None:
            row = cur.execute("SELECT id FROM network WHERE id = ?", [network_id]).fetchone()
        else:
            row = cur.execute("SELECT id FROM network WHERE lower(name) = lower(?)", [name_or_id.strip()]).fetchone()
    if row is None:
        raise NotFound("network_not_found")
    return row[0]


def list_networks(store, actor: Actor) -> list[Network]:
    permissions.require(actor.role, "network.view")
    with store.read() as cur:
        return load_all(cur)


@dataclass
class PlacesRow:
    network_id: int
    name: str
    kind: str
    min_places: int
    max_places: int
    members: int
    on_offer: int
    open_now: int
    opening_soon: int
    waiting: int
    below_min: bool
    targets: list[tuple[Target, str, str]]   # target, status now, status with offers in flight
    active_alumni: int | None = None         # an alumni network: its alumni active this period (the rest rest)

    @property
    def targets_short(self) -> int:
        return sum(1 for _, now, _ in self.targets if now != "met")


def active_alumni(cur, network_id: int, as_of: dt.date) -> set[int]:
    """Persons active in the alumni network on `as_of` (confirmed period, still an alumnus)."""
    return {r[0] for r in cur.execute(
        f"SELECT a.person_id {_ACTIVE_ALUMNI} AND p.network_id = ?", [as_of, as_of, network_id]).fetchall()}


_ACTIVE_ALUMNI = ("FROM alumni_active a JOIN alumni_period p ON p.id = a.period_id "
                  "JOIN membership m ON m.id = a.membership_id "
                  "WHERE p.status = 'confirmed' AND p.period_start <= ? AND ? < p.period_end "
                  "AND m.actual_end_date IS NULL")

# Counts per network, each table grouped once (not a subquery per network).
_PLACES_SQL = """
WITH m AS (SELECT network_id, count(*) AS members, count(*) FILTER (WHERE planned_end_date <= $until) AS opening
           FROM membership WHERE actual_end_date IS NULL GROUP BY network_id),
     o AS (SELECT network_id, count(*) AS on_offer FROM offer WHERE status = 'open' GROUP BY network_id),
     w AS (SELECT network_id, count(*) AS waiting FROM waitlist_entry WHERE status = 'waiting' GROUP BY network_id)
SELECT n.id, coalesce(m.members, 0), coalesce(o.on_offer, 0), coalesce(m.opening, 0), coalesce(w.waiting, 0)
FROM network n LEFT JOIN m ON m.network_id = n.id LEFT JOIN o ON o.network_id = n.id
     LEFT JOIN w ON w.network_id = n.id
"""
# The members and the persons on offer of every network that has targets.
_HOLDERS_SQL = """
SELECT network_id, person_id, FALSE FROM membership
WHERE actual_end_date IS NULL AND network_id IN (SELECT network_id FROM network_target)
UNION ALL
SELECT network_id, person_id, TRUE FROM offer WHERE status = 'open' AND network_id IN (SELECT network_id FROM network_target)
"""


def overview(store, actor: Actor, as_of: dt.date | None = None) -> list[PlacesRow]:
    """Per network: members, places on offer, open places now and those opening within the horizon.

    A fixed number of queries whatever the number of networks: counts grouped per table, the values of
    every member and offered person read once.
    """
    permissions.require(actor.role, "network.view")
    as_of = as_of or today()
    with store.read() as cur:
        horizon = settings.get(cur, "opening_horizon_months")
        counts = {row[0]: row[1:] for row in cur.execute(_PLACES_SQL, {"until": add_months(as_of, horizon)}).fetchall()}
        networks = load_all(cur)
        holders: dict[int, tuple[list[int], list[int]]] = {}
        for network_id, person_id, offered in cur.execute(_HOLDERS_SQL).fetchall():
            holders.setdefault(network_id, ([], []))[offered].append(person_id)
        values = composition.values_of(cur, f"SELECT DISTINCT person_id AS id FROM ({_HOLDERS_SQL})", as_of.year)
        active = dict(cur.execute(f"SELECT p.network_id, count(DISTINCT a.person_id) {_ACTIVE_ALUMNI} "
                                  "GROUP BY p.network_id", [as_of, as_of]).fetchall())
    result = []
    for network in networks:
        members, on_offer, opening, waiting = counts[network.id]
        member_ids, offered_ids = holders.get(network.id, ([], []))
        now = composition.Tally([values.get(p, {}) for p in member_ids])
        after = composition.Tally([values.get(p, {}) for p in member_ids + offered_ids])
        places = network.max_places
        targets = [(t, composition.status(t, now, places), composition.status(t, after, places))
                   for t in network.targets]
        # an alumni network has no places to fill: alumni take turns being active
        alumni_active = active.get(network.id, 0) if network.kind == "alumni_network" else None
        result.append(PlacesRow(network.id, network.name, network.kind, network.min_places, places, members,
                                on_offer, max(places - members - on_offer, 0), opening, waiting,
                                members + on_offer < network.min_places, targets, alumni_active))
    return result
