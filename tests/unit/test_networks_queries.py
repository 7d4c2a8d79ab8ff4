"""The reads behind the network screens cost a fixed number of queries, whatever the number of networks.

A page calls them on every rerun; one query per network made the places page take seconds with 200
networks. Queries are counted as the cursor's executes, at 5 networks and again at 50.
"""
from __future__ import annotations

import contextlib

from networks_kit import insert_people, manager, network, seat_directly

from crm_app.networks import alumni, offers, registry, waitlists

WHO = manager()


def _counting(store) -> list[int]:
    """Count every execute on the cursors the store hands out from now on."""
    counter = [0]
    read = store.read

    class Cursor:
        def __init__(self, cur):
            self._cur = cur

        def execute(self, *args, **kwargs):
            counter[0] += 1
            self._cur.execute(*args, **kwargs)
            return self

        def __getattr__(self, name):
            return getattr(self._cur, name)

    @contextlib.contextmanager
    def counting_read():
        with read() as cur:
            yield Cursor(cur)

    store.read = counting_read
    return counter


def _add_networks(store, first: int, last: int) -> None:
    """Networks first..last-1: a board with two targets, two members and an open offer; every fifth an
    alumni network with one alumnus."""
    for index in range(first, last):
        if index % 5 == 4:
            alumni_id = registry.save(store, WHO, registry.NetworkInput(
                name=f"Alumni {index:03d}", kind="alumni_network", min_places=0, max_places=100, term_months=36))
            seat_directly(store, alumni_id, insert_people(store, [{"gender": "man"}]), term_months=36)
            continue
        network_id = network(store, WHO, f"Netwerk {index:03d}", max_places=5, targets=[
            registry.TargetInput("gender", "woman", "count", 2, None),
            registry.TargetInput("country_of_origin", None, "distinct", 2, None)])
        seat_directly(store, network_id, insert_people(store, [{"gender": "woman", "country_of_origin": "SY"},
                                                               {"gender": "man", "country_of_origin": "ER"}]))
        entry = waitlists.add(store, WHO, network_id, insert_people(store, [{"gender": "woman"}])[0])
        offers.make(store, WHO, network_id, [entry], "waitlist")


def _queries(store, counter, read) -> int:
    counter[0] = 0
    read()
    return counter[0]


def test_network_reads_do_not_grow_with_the_number_of_networks(store):
    reads = {
        "list_networks": lambda: registry.list_networks(store, WHO),
        "overview": lambda: registry.overview(store, WHO),
        "alumni_networks": lambda: alumni.alumni_networks(store, WHO),
    }
    _add_networks(store, 0, 5)
    counter = _counting(store)
    at_5 = {name: _queries(store, counter, read) for name, read in reads.items()}
    _add_networks(store, 5, 50)
    at_50 = {name: _queries(store, counter, read) for name, read in reads.items()}
    assert at_50 == at_5, (at_5, at_50)

    rows = registry.overview(store, WHO)
    assert len(rows) == 50
    boards = [r for r in rows if r.kind == "sounding_board"]
    assert {(r.members, r.on_offer, r.open_now) for r in boards} == {(2, 1, 2)}
    # two members: one woman (short of two), two countries (met); with the woman on offer both are met
    assert {tuple((now, after) for _, now, after in r.targets) for r in boards} == {(("short", "met"), ("met", "met"))}
    assert {(r.members, r.active_alumni) for r in rows if r.kind == "alumni_network"} == {(1, 0)}
    with store.read() as cur:   # the same networks and targets, in the same order, as one load per network
        one_by_one = [registry.load(cur, network_id) for network_id in
                      [r[0] for r in cur.execute("SELECT id FROM network ORDER BY name").fetchall()]]
    assert registry.list_networks(store, WHO) == one_by_one
    assert alumni.alumni_networks(store, WHO) == [n for n in one_by_one if n.kind == "alumni_network"]
