"""Twenty staff at once on one server, as threads on one Store: registering people, putting them on the lists
of three small networks, offering the open places, answering offers, ending memberships, on overlapping records.

Afterwards the tables hold exactly what was acknowledged: one person per acknowledged registration, one entry per
acknowledged list addition, a membership for every acknowledged acceptance; no network ever holds more members
and open offers than places; and every refusal was a plain one (no place left, already answered, changed by
someone else), never a database error.
"""
from __future__ import annotations

import random
import threading

import pytest
from networks_kit import letters, manager, network, register

from crm_app.core.errors import CrmError
from crm_app.networks import memberships, offers, selection, waitlists

WORKERS, STEPS, PLACES = 20, 12, (2, 3, 4)
# what a user may be told when someone else was quicker (a list addition refused is a validation error)
PLAIN = {"not_enough_places", "entry_not_waiting", "offer_not_open", "membership_already_ended", "concurrent_change",
         "validation_failed"}


@pytest.mark.slow
def test_twenty_workers_mixing_writes_on_overlapping_records(store, frozen_clock):
    boss = manager(1)
    boards = [network(store, boss, f"Raad {letters(i)}", max_places=places) for i, places in enumerate(PLACES)]
    acked = {"person": [], "entry": [], "accepted": [], "ended": []}
    refused, broken, lock = [], [], threading.Lock()
    barrier = threading.Barrier(WORKERS)

    def worker(n: int) -> None:
        rng, me = random.Random(n), manager(100 + n)
        barrier.wait()
        for _ in range(STEPS):
            board = rng.choice(boards)
            step = rng.choice(("register", "list", "list", "offer", "answer", "answer", "end"))
            try:
                if step == "register":
                    result = ("person", register(store, me, letters(n * 100 + len(acked["person"]))))
                elif step == "list":
                    with lock:
                        people = list(acked["person"]) or [None]
                    person = rng.choice(people)
                    result = None if person is None else ("entry", waitlists.add(store, me, board, person))
                elif step == "offer":
                    plan = selection.propose(store, me, board)
                    result = None
                    if plan.proposals:
                        offers.make(store, me, board, [p.candidate.entry_id for p in plan.proposals], "waitlist")
                elif step == "answer":
                    open_offers = offers.open_offers(store, me, board)
                    result = None
                    if open_offers:
                        answer = rng.choice(("accept", "accept", "decline"))
                        outcome = offers.respond(store, me, rng.choice(open_offers)["id"], answer)
                        if answer == "accept":
                            result = ("accepted", outcome["membership_id"])
                else:
                    current = memberships.members(store, me, board)
                    result = None
                    if current:
                        memberships.end_early(store, me, rng.choice(current)["id"], "left")
                        result = ("ended", 1)
            except CrmError as exc:
                with lock:
                    (refused if exc.code in PLAIN else broken).append(exc.code)
                continue
            except Exception as exc:          # a database error reaching a user would be a defect
                with lock:
                    broken.append(type(exc).__name__)
                continue
            if result:
                with lock:
                    acked[result[0]].append(result[1])

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert broken == []
    assert acked["person"] and acked["entry"] and acked["accepted"], acked

    with store.read() as cur:
        persons = {row[0] for row in cur.execute("SELECT id FROM person").fetchall()}
        entries = {row[0] for row in cur.execute("SELECT id FROM waitlist_entry").fetchall()}
        members = {row[0] for row in cur.execute("SELECT id FROM membership").fetchall()}
        over = cur.execute(
            """SELECT count(*) FROM network n
               WHERE n.max_places < (SELECT count(*) FROM membership m WHERE m.network_id = n.id
                                     AND m.actual_end_date IS NULL)
                                    + (SELECT count(*) FROM offer o WHERE o.network_id = n.id AND o.status = 'open')"""
        ).fetchone()[0]
    assert persons == set(acked["person"])
    assert entries == set(acked["entry"])
    assert set(acked["accepted"]) <= members and len(members) == len(acked["accepted"])
    assert over == 0
