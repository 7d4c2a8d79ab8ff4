"""The demo's networks brought to life: members with terms at different stages, alumni, waiting
lists with "still interested?" checks due, and composition targets that are not all met — so the
open-places overview, the fill proposal and its reasons have something real to show.

Members came the way real ones do: a waiting-list entry (placed), an accepted offer, a membership.
"""
from __future__ import annotations

import datetime as dt
import json
import random

from .clock import add_months

# network name → (current members, of whom women, waiting-list length)
PLAN = {"Klankbordgroep De Stem": (13, 4, 60), "Adviesraad": (7, 3, 25)}
TARGETS = {
    "Klankbordgroep De Stem": [("gender", "woman", "share", 0.4, None), ("country_of_origin", None, "distinct", 4, None),
                               ("district", None, "count", None, 4), ("age_band", "20-29", "count", 2, None)],
    "Adviesraad": [("gender", "woman", "count", 4, None), ("integration_route", "z_route", "count", 1, None),
                   ("country_of_origin", None, "distinct", 3, None)],
}
FORMER_MEMBERS = 18          # De Stem members whose terms ended; they are in the alumni network now


def seed(cur, network_ids: dict[str, int], rng: random.Random, today: dt.date, manager_id: int | None) -> dict:
    """Members, alumni, waiting lists and targets for the demo networks (inside the demo's transaction)."""
    people = cur.execute(
        """SELECT p.id, p.gender FROM person p
           WHERE (SELECT arg_max(granted, id) FROM consent c WHERE c.person_id = p.id AND c.purpose = 'contact')
             AND (SELECT arg_max(granted, id) FROM consent c WHERE c.person_id = p.id AND c.purpose = 'diversity_statistics')
           ORDER BY p.id""").fetchall()
    rng.shuffle(people)
    women = [pid for pid, gender in people if gender == "woman"]
    others = [pid for pid, gender in people if gender != "woman"]
    used: set[int] = set()

    def take(pool: list[int], n: int) -> list[int]:
        chosen = [pid for pid in pool if pid not in used][:n]
        used.update(chosen)
        return chosen

    for name, rows in TARGETS.items():
        for dimension, value, measure, low, high in rows:
            cur.execute("INSERT INTO network_target (network_id, dimension, dim_value, measure, min_value, max_value) "
                        "VALUES (?, ?, ?, ?, ?, ?)", [network_ids[name], dimension, value, measure, low, high])

    counts = {"members": 0, "alumni": 0, "waiting": 0}
    alumni_id = network_ids["Alumni Netwerk"]
    for name, (members, of_whom_women, waiting) in PLAN.items():
        network_id = network_ids[name]
        term = cur.execute("SELECT term_months FROM network WHERE id = ?", [network_id]).fetchone()[0]
        for index, pid in enumerate(take(women, of_whom_women) + take(others, members - of_whom_women)):
            # starts spread over the term, so some terms end within the next three months
            start = add_months(today, -(index * (term - 1) // members) - 1) - dt.timedelta(days=rng.randrange(20))
            _member(cur, network_id, pid, start, add_months(start, term), None, None, manager_id, rng)
            counts["members"] += 1
        for pid in take(women, waiting // 3) + take(others, waiting - waiting // 3):
            joined = today - dt.timedelta(days=rng.randrange(10, 540))
            last_check = None
            if (today - joined).days > 170:  # most confirmed in time; a few are due for their check now
                last_check = joined + dt.timedelta(days=(today - joined).days - rng.randrange(20, 200))
            _entry(cur, network_id, pid, joined, "waiting", last_check, manager_id)
            counts["waiting"] += 1

    stem = network_ids["Klankbordgroep De Stem"]
    for pid in take(women, FORMER_MEMBERS // 2) + take(others, FORMER_MEMBERS - FORMER_MEMBERS // 2):
        start = today - dt.timedelta(days=rng.randrange(400, 1100))
        end = add_months(start, 12)
        _member(cur, stem, pid, start, end, end, "moved_to_alumni", manager_id, rng)
        cur.execute("INSERT INTO membership (network_id, person_id, start_date, planned_end_date) VALUES (?, ?, ?, ?)",
                    [alumni_id, pid, end, add_months(end, 36)])
        counts["alumni"] += 1
    return counts


def _entry(cur, network_id, person_id, joined: dt.date, status, last_check, manager_id) -> int:
    joined_utc = dt.datetime.combine(joined, dt.time(10, 0))
    check_utc = dt.datetime.combine(last_check, dt.time(11, 0)) if last_check else None
    return cur.execute(
        "INSERT INTO waitlist_entry (network_id, person_id, joined_utc, status, status_utc, last_check_utc, added_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [network_id, person_id, joined_utc, status, joined_utc, check_utc, manager_id]).fetchone()[0]


def _member(cur, network_id, person_id, start: dt.date, planned_end: dt.date, actual_end, end_reason,
            manager_id, rng: random.Random) -> None:
    joined = start - dt.timedelta(days=rng.randrange(60, 300))
    entry_id = _entry(cur, network_id, person_id, joined, "placed", None, manager_id)
    offered = dt.datetime.combine(start - dt.timedelta(days=rng.randrange(3, 12)), dt.time(14, 0))
    offer_id = cur.execute(
        "INSERT INTO offer (network_id, person_id, waitlist_entry_id, method, reason, offered_utc, deadline_date, "
        "status, responded_utc, offered_by) VALUES (?, ?, ?, 'waitlist', ?, ?, ?, 'accepted', ?, ?) RETURNING id",
        [network_id, person_id, entry_id, json.dumps([]), offered, offered.date() + dt.timedelta(days=14),
         dt.datetime.combine(start, dt.time(9, 0)), manager_id]).fetchone()[0]
    cur.execute("INSERT INTO membership (network_id, person_id, offer_id, start_date, planned_end_date, actual_end_date, "
                "end_reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [network_id, person_id, offer_id, start, planned_end, actual_end, end_reason])
