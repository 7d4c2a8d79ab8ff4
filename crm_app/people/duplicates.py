"""The review queue of possible duplicates: pairs found at registration, at a kiosk, by an import or by the scan.

One row per pair (the lower id first), so a pair found again adds nothing and a "not a duplicate" is
remembered. Staff (outreach and program managers) work through the open pairs on the Duplicates screen;
a merge (crm_app.people.merges) closes its pair. Other services put pairs here through `flag` (inside their
own unit of work) or `flag_possible_duplicates` (a unit of its own).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions
from crm_app.core.clock import utcnow
from crm_app.core.errors import FieldError, NotFound, ValidationError

ORIGINS = ("registration", "kiosk", "import", "scan")
LIKELY_SCORE = 0.9            # same phone or email, or names and birth year that agree well


@dataclass(frozen=True)
class Candidate:
    """A person who may be the same as another, with how sure and why (reason codes of dedupe)."""
    person_id: int
    score: float
    reasons: tuple[str, ...] = ()

    @classmethod
    def of(cls, value) -> Candidate:
        """From a dedupe.Match, a mapping with person_id/score/reasons, or a bare person id."""
        if isinstance(value, Candidate):
            return value
        if isinstance(value, int):
            return cls(value, 0.5)
        if isinstance(value, Mapping):
            return cls(int(value["person_id"]), float(value.get("score", 0.5)), tuple(value.get("reasons", ())))
        return cls(int(value.person_id), float(value.score), tuple(value.reasons))


def level_of(score: float) -> str:
    return "likely" if score >= LIKELY_SCORE else "possible"


def flag(cur, person_id: int, candidates: Iterable, origin: str) -> int:
    """Put (person, candidate) pairs in the queue inside the caller's unit of work; a pair already there
    (open, decided or merged) stays as it is. Returns how many pairs were new."""
    if origin not in ORIGINS:
        raise ValueError(origin)
    now, added = utcnow(), 0
    for candidate in map(Candidate.of, candidates):
        if candidate.person_id == person_id:
            continue
        first, second = sorted((int(person_id), candidate.person_id))
        added += len(cur.execute(
            "INSERT INTO duplicate_pair (first_person_id, second_person_id, origin, level, score, reasons, status, "
            "found_utc) VALUES (?, ?, ?, ?, ?, ?, 'open', ?) ON CONFLICT DO NOTHING RETURNING id",
            [first, second, origin, level_of(candidate.score), round(candidate.score, 3),
             ",".join(candidate.reasons), now]).fetchall())
    return added


def flag_pairs(cur, pairs: list[tuple[int, int, str, float, tuple[str, ...]]], origin: str) -> int:
    """Many (first, second, level, score, reasons) pairs in one statement (the scan's thousands); as `flag`."""
    if origin not in ORIGINS:
        raise ValueError(origin)
    rows = [(min(a, b), max(a, b), level, round(score, 3), ",".join(reasons))
            for a, b, level, score, reasons in pairs if a != b]
    if not rows:
        return 0
    firsts, seconds, levels, scores, reasons = (list(column) for column in zip(*rows))
    return len(cur.execute(
        "INSERT INTO duplicate_pair (first_person_id, second_person_id, origin, level, score, reasons, status, "
        "found_utc) SELECT f, s, ?, l, sc, r, 'open', ? FROM (SELECT unnest(?::BIGINT[]) AS f, "
        "unnest(?::BIGINT[]) AS s, unnest(?::VARCHAR[]) AS l, unnest(?::DOUBLE[]) AS sc, unnest(?::VARCHAR[]) AS r) "
        "ON CONFLICT DO NOTHING RETURNING id",
        [origin, utcnow(), firsts, seconds, levels, scores, reasons]).fetchall())


def flag_possible_duplicates(store, person_id: int, candidates: Iterable, origin: str) -> int:
    """`flag` as a unit of work of its own (for a caller outside a transaction)."""
    candidates = list(candidates)
    return store.write(lambda cur: flag(cur, person_id, candidates, origin))


def open_count(store, actor: Actor) -> int:
    """How many pairs wait for a decision (the start screen's figure; a number, not audited)."""
    permissions.require(actor.role, "duplicates.review")
    with store.read() as cur:
        return cur.execute("SELECT count(*) FROM duplicate_pair WHERE status = 'open'").fetchone()[0]


_PAIR_COLUMNS = ("id", "first_person_id", "second_person_id", "origin", "level", "score", "reasons", "status",
                 "found_utc")


def open_pairs(store, actor: Actor, *, limit: int = 500) -> list[dict]:
    """The open pairs, likely before possible, highest score first, with both names (the queue's table)."""
    permissions.require(actor.role, "duplicates.review")
    with store.read() as cur:
        rows = cur.execute(
            f"SELECT {', '.join('d.' + c for c in _PAIR_COLUMNS)}, a.given_name, a.family_name, b.given_name, "
            "b.family_name FROM duplicate_pair d JOIN person a ON a.id = d.first_person_id "
            "JOIN person b ON b.id = d.second_person_id WHERE d.status = 'open' "
            "ORDER BY d.level = 'likely' DESC, d.score DESC, d.id LIMIT ?", [limit]).fetchall()
    pairs = []
    for row in rows:
        pair = dict(zip(_PAIR_COLUMNS, row[:len(_PAIR_COLUMNS)]))
        pair["reasons"] = [r for r in pair["reasons"].split(",") if r]
        pair["first_name"], pair["second_name"] = row[-4:-2], row[-2:]
        pairs.append(pair)
    return pairs


def pair(cur, pair_id: int) -> dict:
    row = cur.execute(f"SELECT {', '.join(_PAIR_COLUMNS)} FROM duplicate_pair WHERE id = ?", [pair_id]).fetchone()
    if row is None:
        raise NotFound("pair_not_found")
    found = dict(zip(_PAIR_COLUMNS, row))
    found["reasons"] = [r for r in found["reasons"].split(",") if r]
    return found


def not_duplicate(store, actor: Actor, pair_id: int) -> None:
    """Remember that the two are different persons: no scan or import puts the pair back."""
    permissions.require(actor.role, "duplicates.review")

    def work(cur):
        found = pair(cur, pair_id)
        if found["status"] != "open":
            raise ValidationError([FieldError("pair", "pair_decided")])
        cur.execute("UPDATE duplicate_pair SET status = 'not_duplicate', decided_utc = ?, decided_by = ? WHERE id = ?",
                    [utcnow(), actor.user_id, pair_id])
        audit.record(cur, actor, "duplicates.not_duplicate", "person", found["first_person_id"],
                     f"pair={pair_id} other={found['second_person_id']}")

    store.write(work)
