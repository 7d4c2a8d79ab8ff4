"""The demo's networks brought to life: members with terms at different stages, alumni, waiting
lists with "still interested?" checks due, and composition targets that are not all met — so the
open-places overview, the fill proposal and its reasons have something real to show.

Members came the way real ones do: a waiting-list entry (placed), an accepted offer, a membership.
"""
from __future__ import annotations

import datetime as dt
import json
import random

from crm_app.core.clock import add_months

ALUMNI_SETTING = (6, 6, 1)   # active alumni per period, period in months, periods in a row active

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
    counts.update(_rotation(cur, network_ids, rng, today, manager_id))
    return counts


def _rotation(cur, network_ids: dict[str, int], rng: random.Random, today: dt.date, manager_id) -> dict:
    """The rotation brought to life: the alumni's decisions, a renewal already confirmed, a member in
    their last term who agreed to join the alumni network, the alumni rotation (last period and this one
    confirmed) and alumni referrals pointing at alumni."""
    from crm_app.access.audit import Actor
    from crm_app.networks import alumni
    staff = Actor(user_id=manager_id, role="program_manager", origin="web")
    alumni_id = network_ids["Alumni Netwerk"]
    cur.execute("INSERT INTO membership_decision (membership_id, network_id, person_id, renewal, alumni_choice, "
                "outcome) SELECT id, network_id, person_id, 'declined', 'yes', 'moved_to_alumni' FROM membership "
                "WHERE end_reason = 'moved_to_alumni'")
    # the three terms ending soonest (in De Stem or the Adviesraad) end within 60 days: one in its last
    # term whose member agreed to join the alumni network, one renewal confirmed, one to confirm
    ending = cur.execute("SELECT m.id, m.person_id, m.network_id, n.term_months, m.planned_end_date FROM membership m "
                         "JOIN network n ON n.id = m.network_id WHERE n.kind <> 'alumni_network' "
                         "AND m.actual_end_date IS NULL ORDER BY m.planned_end_date, m.id LIMIT 3").fetchall()
    moment = dt.datetime.combine(today - dt.timedelta(days=3), dt.time(13, 0))
    for index, (membership_id, _, _, term, end) in enumerate(ending):
        if end > today + dt.timedelta(days=55):
            end = today + dt.timedelta(days=15 * (index + 1))
            cur.execute("UPDATE membership SET start_date = ?, planned_end_date = ? WHERE id = ?",
                        [add_months(end, -term), end, membership_id])
    if len(ending) == 3:
        (last_term, last_person, last_network, *_), (renewed, renewed_person, renewed_network, *_) = ending[:2]
        cur.execute("UPDATE membership SET term_number = 2 WHERE id = ?", [last_term])
        cur.execute("INSERT INTO membership_decision (membership_id, network_id, person_id, alumni_choice, "
                    "decided_utc, decided_by) VALUES (?, ?, ?, 'yes', ?, ?)",
                    [last_term, last_network, last_person, moment, manager_id])
        cur.execute("INSERT INTO membership_decision (membership_id, network_id, person_id, renewal, proposed_on, "
                    "decided_utc, decided_by) VALUES (?, ?, ?, 'confirmed', ?, ?, ?)",
                    [renewed, renewed_network, renewed_person, today - dt.timedelta(days=20), moment, manager_id])
        for person_id, kind, summary in ((last_person, "exit_conversation", "Laatste termijn; wil graag alumnus worden."),
                                         (renewed_person, "renewal_conversation", "Wil nog een termijn door.")):
            cur.execute("INSERT INTO activity (person_id, kind, summary, occurred_utc, staff_id) VALUES (?, ?, ?, ?, ?)",
                        [person_id, kind, summary, moment, manager_id])
    # the alumni rotation: six active per half year; the last period and this one confirmed
    places, months, periods = ALUMNI_SETTING
    cur.execute("INSERT INTO alumni_setting (network_id, active_places, period_months, active_periods, updated_utc) "
                "VALUES (?, ?, ?, ?, ?)",
                [alumni_id, places, months, periods, dt.datetime.combine(today, dt.time(8, 0))])
    current = alumni.period_start(today, months)
    for start in (add_months(current, -months), current):
        period_id = alumni.create_proposal(cur, alumni_id, start, today, staff)
        cur.execute("UPDATE alumni_period SET status = 'confirmed', confirmed_utc = ?, confirmed_by = ? WHERE id = ?",
                    [dt.datetime.combine(start, dt.time(9, 0)), manager_id, period_id])
    # alumni referrals: the referrers are alumni (a few bring in most)
    alumni_people = [r[0] for r in cur.execute("SELECT person_id FROM membership WHERE network_id = ? "
                                               "ORDER BY person_id", [alumni_id]).fetchall()]
    referrals = cur.execute("SELECT id, person_id FROM person_source WHERE kind = 'alumni_referral' ORDER BY id").fetchall()
    weights = [1 / (i + 1) for i in range(len(alumni_people))]
    for index, (source_id, person_id) in enumerate(referrals):
        referrer = rng.choices(alumni_people, weights)[0] if alumni_people else None
        if referrer == person_id:
            continue
        if index < 2:   # two named only in words at registration: the alumni screen links them
            given = cur.execute("SELECT given_name FROM person WHERE id = ?", [referrer]).fetchone()[0]
            cur.execute("UPDATE person_source SET referrer_id = NULL, source_name = ? WHERE id = ?", [given, source_id])
            continue
        cur.execute("UPDATE person_source SET referrer_id = ? WHERE id = ?", [referrer, source_id])
    return {"alumni_referrals": len(referrals)}


def _entry(cur, network_id, person_id, joined: dt.date, status, last_check, manager_id) -> int:
    joined_utc = dt.datetime.combine(joined, dt.time(10, 0))
    check_utc = dt.datetime.combine(last_check, dt.time(11, 0)) if last_check else None
    return cur.execute(
        "INSERT INTO waitlist_entry (network_id, person_id, joined_utc, status, status_utc, last_check_utc, added_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [network_id, person_id, joined_utc, status, joined_utc, check_utc, manager_id]).fetchone()[0]


def _registered_before(cur, person_id: int, day: dt.date) -> None:
    """A member was registered (found, consented) before joining the waiting list: the funnel's order."""
    moment = dt.datetime.combine(day, dt.time(11, 0))
    cur.execute("UPDATE person SET created_utc = least(created_utc, ?) WHERE id = ?", [moment, person_id])
    cur.execute("UPDATE person_source SET recorded_utc = least(recorded_utc, ?), source_date = least(source_date, ?) "
                "WHERE person_id = ?", [moment, day, person_id])
    cur.execute("UPDATE consent SET recorded_utc = least(recorded_utc, ?) WHERE person_id = ?", [moment, person_id])


def _member(cur, network_id, person_id, start: dt.date, planned_end: dt.date, actual_end, end_reason,
            manager_id, rng: random.Random) -> None:
    joined = start - dt.timedelta(days=rng.randrange(60, 300))
    _registered_before(cur, person_id, joined - dt.timedelta(days=rng.randrange(7, 90)))
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
