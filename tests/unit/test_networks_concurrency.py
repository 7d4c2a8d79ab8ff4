"""Two program managers at the same moment, as in the app: one process, one Store (one DuckDB
connection), a cursor per unit of work, each manager in their own thread.

Filling the last place of a 15-place network: exactly one offer is made, the other manager is told
plainly (not_enough_places, or ConcurrentChange when the retries ran out) — never 16.

The threads are released together by a barrier, and every test checks that its rounds really
overlapped: the store counts the units of work that had to wait for the writer, which only overlapping
units of work do.
"""
from __future__ import annotations

import threading
from functools import partial

import pytest
from networks_kit import insert_people, letters, manager, network, seat_directly, taken

from crm_app.core.errors import ConcurrentChange, CrmError
from crm_app.networks import memberships, offers, waitlists

ROUNDS = 20


class Races:
    """Runs calls in threads released at the same moment, and counts the writes that waited for another meanwhile."""

    def __init__(self, store):
        self.store = store
        self.overlaps = 0

    def __call__(self, *calls) -> list:
        """Each call's result or exception, in order."""
        barrier = threading.Barrier(len(calls))
        outcomes: list = [None] * len(calls)

        def run(index, call):
            barrier.wait()
            try:
                outcomes[index] = call()
            except Exception as exc:
                outcomes[index] = exc

        before = self.store.queued_behind
        threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)
        self.overlaps += self.store.queued_behind - before
        return outcomes


@pytest.fixture
def race(store):
    races = Races(store)
    yield races
    assert races.overlaps > 0, "no round overlapped: the test raced nothing"


def told_plainly(outcome) -> bool:
    return isinstance(outcome, ConcurrentChange) or (
        isinstance(outcome, CrmError) and outcome.code in ("not_enough_places", "entry_not_waiting", "offer_not_open"))


@pytest.fixture
def managers():
    return manager(1001), manager(1002)


def test_two_managers_filling_the_last_place(store, managers, frozen_clock, race):
    anna, bram = managers
    for round_ in range(ROUNDS):
        board = network(store, anna, "Raad " + letters(round_), max_places=15)
        people = insert_people(store, [{} for _ in range(16)])
        seat_directly(store, board, people[:14])
        first, second = (waitlists.add(store, anna, board, p) for p in people[14:])

        outcomes = race(partial(offers.make, store, anna, board, [first], "waitlist"),
                        partial(offers.make, store, bram, board, [second], "waitlist"))

        made = [o for o in outcomes if isinstance(o, list)]
        assert len(made) == 1, outcomes
        assert all(told_plainly(o) for o in outcomes if not isinstance(o, list)), outcomes
        assert taken(store, board) == (14, 1)
        with store.read() as cur:
            assert cur.execute("SELECT count(*) FROM waitlist_entry WHERE network_id = ? AND status = 'offered'",
                               [board]).fetchone() == (1,)
            assert cur.execute("SELECT count(*) FROM audit_event WHERE action = 'offer.make' AND record_id IN (?, ?)",
                               people[14:]).fetchone() == (1,)


def test_two_managers_offering_the_same_two_open_places(store, managers, frozen_clock, race):
    """Both want both open places for different people: all or nothing each, so one wins both."""
    anna, bram = managers
    for round_ in range(5):
        board = network(store, anna, "Raad " + letters(round_), max_places=15)
        people = insert_people(store, [{} for _ in range(17)])
        seat_directly(store, board, people[:13])
        entries = [waitlists.add(store, anna, board, p) for p in people[13:]]
        outcomes = race(partial(offers.make, store, anna, board, entries[:2], "waitlist"),
                        partial(offers.make, store, bram, board, entries[2:], "waitlist"))
        assert sum(isinstance(o, list) for o in outcomes) == 1, outcomes
        assert taken(store, board) == (13, 2)


def one_open_offer(store, anna, round_) -> tuple[int, int]:
    """(network, offer): a 15-place network with 14 members and an open offer for the last place."""
    board = network(store, anna, "Raad " + letters(round_), max_places=15)
    people = insert_people(store, [{} for _ in range(15)])
    seat_directly(store, board, people[:14])
    [offer] = offers.make(store, anna, board, [waitlists.add(store, anna, board, people[14])], "waitlist")
    return board, offer


def test_two_accepts_of_the_same_offer(store, managers, frozen_clock, race):
    anna, bram = managers
    for round_ in range(5):
        board, offer = one_open_offer(store, anna, round_)

        outcomes = race(partial(offers.respond, store, anna, offer, "accept"),
                        partial(offers.respond, store, bram, offer, "accept"))

        accepted = [o for o in outcomes if isinstance(o, dict)]
        assert len(accepted) == 1, outcomes
        assert all(told_plainly(o) for o in outcomes if not isinstance(o, dict)), outcomes
        assert taken(store, board) == (15, 0)
        assert len(memberships.members(store, anna, board)) == 15


def test_accept_and_withdraw_of_one_offer_at_once(store, managers, frozen_clock, race):
    anna, bram = managers
    for round_ in range(5):
        board, offer = one_open_offer(store, anna, round_)

        outcomes = race(partial(offers.respond, store, anna, offer, "accept"),
                        partial(offers.respond, store, bram, offer, "withdraw"))

        assert sum(isinstance(o, dict) for o in outcomes) == 1, outcomes
        members, on_offer = taken(store, board)
        assert on_offer == 0 and members in (14, 15)
        with store.read() as cur:
            status = cur.execute("SELECT status FROM offer WHERE id = ?", [offer]).fetchone()[0]
        assert (status, members) in (("accepted", 15), ("withdrawn", 14))


def test_two_accepts_of_different_offers_both_count(store, managers, frozen_clock, race):
    anna, bram = managers
    for round_ in range(5):
        board = network(store, anna, "Klankbord " + letters(round_), max_places=15)
        people = insert_people(store, [{} for _ in range(15)])
        seat_directly(store, board, people[:13])
        made = offers.make(store, anna, board, [waitlists.add(store, anna, board, p) for p in people[13:]], "waitlist")
        outcomes = race(partial(offers.respond, store, anna, made[0], "accept"),
                        partial(offers.respond, store, bram, made[1], "accept"))
        # the network row serialises them; the loser's retry goes through (or is told to reload)
        assert all(isinstance(o, dict | ConcurrentChange) for o in outcomes), outcomes
        members, on_offer = taken(store, board)
        accepted = sum(isinstance(o, dict) for o in outcomes)
        assert (members, on_offer) == (13 + accepted, 2 - accepted)
        assert members + on_offer == 15
