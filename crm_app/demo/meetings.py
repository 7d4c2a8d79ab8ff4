"""Demo meetings: half a year of meetings per network at its cadence and the next one planned, attendance of
the members on each day (one member absent three times in a row: a conversation to have on the start page),
reimbursements of those present, and advice with what came of it ("you said, we did")."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from crm_app.core.clock import add_months, utcnow
from crm_app.networks import meetings

TOPICS = ("Wonen en huisvesting", "Werk en inkomen", "Taallessen", "Gezondheidszorg", "Kinderopvang",
          "Informatie van de gemeente", "Inburgeringsexamen", "Vrijwilligerswerk")
PLACES = ("Stadhuis, zaal 2", "Buurthuis De Brug", "Bibliotheek Centrum", "Online (Teams)")
ADDRESSED = ("Gemeente, sociaal domein", "Gemeente, wonen", "Taalschool", "GGD", "Ministerie van SZW")
ADVICE = ("Leg brieven uit in eenvoudige taal.", "Meer avondlessen voor wie overdag werkt.",
          "Een vast aanspreekpunt per wijk.", "Kinderopvang tijdens de taalles.", "Informatie ook in het Arabisch.")
RESPONSES = (("received", "Doorgestuurd naar de afdeling."), ("in_progress", "Wordt onderzocht, besluit volgt."),
             ("adopted", "Overgenomen: gaat in per 1 januari."), ("partly_adopted", "Deels overgenomen."),
             ("not_adopted", "Niet overgenomen."))
TRAVEL = (Decimal("0.00"), Decimal("4.60"), Decimal("7.80"), Decimal("12.40"))
ALLOWANCE = Decimal("25.00")


def _dates(cadence: str, today: dt.date) -> list[dt.date]:
    """Meetings at the cadence from half a year ago, and the first one after today."""
    start, out, times = add_months(today, -6), [], 0
    while not out or out[-1] < today:
        out.append(meetings.step(start, cadence, times))
        times += 1
    return out


def seed(cur, network_ids: dict[str, int], rng: random.Random, today: dt.date, manager_id: int | None) -> dict:
    now = utcnow()
    made = {"meetings": 0, "attendance": 0, "reimbursements": 0, "inputs": 0}
    planted_absence = False
    for network_id in network_ids.values():
        kind, cadence = cur.execute("SELECT kind, meeting_cadence FROM network WHERE id = ?", [network_id]).fetchone()
        if kind == "alumni_network":
            continue
        past = [day for day in _dates(cadence, today) if day < today]
        absentee = None
        if not planted_absence and len(past) >= 3:
            row = cur.execute("SELECT min(person_id) FROM membership WHERE network_id = ? AND start_date <= ? "
                              "AND actual_end_date IS NULL", [network_id, past[-3]]).fetchone()
            absentee, planted_absence = row[0], row[0] is not None
        for index, day in enumerate(_dates(cadence, today)):
            meeting_id = cur.execute(
                "INSERT INTO meeting (network_id, meeting_date, start_time, place, topic, interpreter, language_coach, "
                "created_utc, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [network_id, day, dt.time(19, 0), rng.choice(PLACES), TOPICS[index % len(TOPICS)], rng.random() < 0.3,
                 rng.random() < 0.5, now, manager_id]).fetchone()[0]
            made["meetings"] += 1
            members = [r[0] for r in cur.execute(
                "SELECT DISTINCT person_id FROM membership WHERE network_id = ? AND start_date <= ? "
                "AND (actual_end_date IS NULL OR actual_end_date > ?) ORDER BY person_id",
                [network_id, day, day]).fetchall()]
            for person_id in members:
                if day >= today:
                    status = "invited"
                elif person_id == absentee and day in past[-3:]:
                    status = "absent"
                else:
                    status = rng.choices(("present", "excused", "absent"), (80, 12, 8))[0]
                cur.execute("INSERT INTO meeting_attendance VALUES (?, ?, ?, ?, ?)",
                            [meeting_id, person_id, status, now, manager_id])
                made["attendance"] += 1
                if status == "present":
                    cur.execute("INSERT INTO reimbursement (meeting_id, person_id, travel, allowance, recorded_utc, "
                                "recorded_by) VALUES (?, ?, ?, ?, ?, ?)",
                                [meeting_id, person_id, rng.choice(TRAVEL), ALLOWANCE, now, manager_id])
                    made["reimbursements"] += 1
            if day < today:
                made["inputs"] += _advice(cur, rng, network_id, meeting_id, day, today, now, manager_id)
    return made


def _advice(cur, rng, network_id: int, meeting_id: int, day: dt.date, today: dt.date, now, manager_id) -> int:
    count = rng.choice((0, 1, 1, 2))
    for _ in range(count):
        input_id = cur.execute(
            "INSERT INTO network_input (network_id, meeting_id, topic, body, given_date, addressed_to, created_utc, "
            "created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [network_id, meeting_id, rng.choice(TOPICS), rng.choice(ADVICE), day, rng.choice(ADDRESSED), now,
             manager_id]).fetchone()[0]
        answered = min(today, day + dt.timedelta(days=rng.randint(7, 40)))
        status, text = rng.choice(RESPONSES)
        cur.execute("INSERT INTO input_response (input_id, action_taken, status, reason, response_date, created_utc, "
                    "created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [input_id, text, status, "Past niet in de begroting." if status == "not_adopted" else None,
                     answered, now, manager_id])
    return count
