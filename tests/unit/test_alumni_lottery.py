"""The alumni network's active group drawn by lot: continuing alumni keep their place and count toward the
targets, the other places are drawn from the LEXIMIN lottery over the resting alumni with contact consent,
the draw is recorded and reproducible by its seed, and targets no group can meet give the least relaxation."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from networks_kit import alumni_network, insert_people, manager

from crm_app.cli.main import main
from crm_app.core import clock
from crm_app.core.errors import CrmError
from crm_app.networks import alumni, rotation
from crm_app.networks.registry import TargetInput

PM = manager()
T0 = dt.datetime(2026, 5, 10, 9, 30)     # the half year July–December is proposed from 17-05 on (45 days ahead)
MAN, WOMAN = {"gender": "man"}, {"gender": "woman"}


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(T0)
    yield
    clock.freeze(None)


def make_alumni(store, specs: list[dict], **options) -> tuple[int, list[int]]:
    return alumni_network(store, PM, specs, T0.date(), **options)


def proposals(store, network_id: int) -> list[dict]:
    return alumni.overview(store, PM, network_id).proposals


def chosen(proposal: dict) -> list[int]:
    return sorted(a.person_id for a, _ in proposal["rows"])


def recorded_draws(store, network_id: int) -> list[dict]:
    with store.read() as cur:
        rows = cur.execute("SELECT id, seed, input_hash, distribution, panel FROM lottery_draw WHERE network_id = ? "
                           "ORDER BY id", [network_id]).fetchall()
    return [{"id": i, "seed": s, "hash": h, "distribution": json.loads(d), "panel": json.loads(p)}
            for i, s, h, d, p in rows]


def test_the_same_alumni_targets_and_seed_give_the_same_proposal_and_the_draw_is_recorded(store):
    network_id, people = make_alumni(store, [MAN, WOMAN] * 5, targets=[TargetInput("gender", "woman", "count", "2")])
    alumni.save_setting(store, PM, network_id, 4, 6, 1, "lottery")
    assert alumni.overview(store, PM, network_id).setting.method == "lottery"
    alumni.repropose(store, PM, network_id, seed=4242)
    first = proposals(store, network_id)[0]
    alumni.repropose(store, PM, network_id, seed=4242)
    again = proposals(store, network_id)[0]
    assert again["id"] != first["id"] and chosen(again) == chosen(first) and again["seed"] == 4242
    *_, one, two = recorded_draws(store, network_id)
    assert (one["seed"], one["hash"], one["panel"]) == (two["seed"], two["hash"], two["panel"])
    assert sorted(one["panel"]) == chosen(first)
    # every alumnus has a chance (ten for four places, two women at least: 0.4 each), shown with the proposal
    assert first["minimum"] == pytest.approx(0.4, abs=1e-6)
    assert all(alumni.chance(r) == pytest.approx(0.4, abs=1e-4) for _, r in first["rows"])
    # another seed draws (at some seed) another group from the same lottery
    others = set()
    for seed in range(1, 8):
        alumni.repropose(store, PM, network_id, seed=seed)
        others.add(tuple(chosen(proposals(store, network_id)[0])))
    assert len(others) > 1


def test_continuing_alumni_keep_their_place_and_count_toward_the_targets(store):
    # at most two men active; the first half year goes in turn: the two men longest alumni and a woman
    specs = [MAN, MAN, WOMAN, MAN, WOMAN, WOMAN, MAN]
    network_id, people = make_alumni(store, specs, targets=[TargetInput("gender", "man", "count", None, "2")])
    alumni.save_setting(store, PM, network_id, 3, 6, 2)
    (current,) = proposals(store, network_id)
    assert chosen(current) == sorted(people[:3])
    alumni.confirm(store, PM, current["id"])
    # four places by lot from now on; the daily processing proposes the next half year
    alumni.save_setting(store, PM, network_id, 4, 6, 2, "lottery")
    clock.freeze(dt.datetime(2026, 5, 17, 9, 30))
    rotation.process(store, clock.today())
    (following,) = proposals(store, network_id)
    assert following["start"] == dt.date(2026, 7, 1) and following["seed"] is not None
    codes = {a.person_id: [r.code for r in reasons] for a, reasons in following["rows"]}
    assert {pid for pid, c in codes.items() if c[0] == "alumni_continues"} == set(people[:3])
    (new,) = [pid for pid, c in codes.items() if "drawn" in c]
    assert new in (people[4], people[5])               # a third man would break the target: only the women
    (draw,) = recorded_draws(store, network_id)
    chances = dict(map(tuple, draw["distribution"]["probabilities"]))
    assert set(chances) == set(people[3:])             # the resting ones only: the continuing are not redrawn
    assert chances[people[3]] == chances[people[6]] == 0.0
    assert chances[people[4]] == pytest.approx(0.5) and chances[people[5]] == pytest.approx(0.5)
    with store.read() as cur:                           # the proposal keeps its draw
        assert cur.execute("SELECT draw_id FROM alumni_period WHERE id = ?", [following["id"]]).fetchone()[0] == draw["id"]


def test_every_weighted_group_meets_the_targets_with_the_continuing_alumni(store):
    specs = [WOMAN, MAN, MAN, MAN, WOMAN, MAN, WOMAN, MAN, MAN, WOMAN, MAN, WOMAN]
    targets = [TargetInput("gender", "woman", "count", "3", None), TargetInput("gender", "man", "count", None, "3")]
    network_id, people = make_alumni(store, specs, targets=targets)
    alumni.save_setting(store, PM, network_id, 4, 6, 2, "lottery")
    alumni.confirm(store, PM, proposals(store, network_id)[0]["id"])
    alumni.save_setting(store, PM, network_id, 7, 6, 2)
    clock.freeze(dt.datetime(2026, 5, 17, 9, 30))
    rotation.process(store, clock.today())
    (following,) = proposals(store, network_id)
    continuing = {a.person_id for a, r in following["rows"] if r[0].code == "alumni_continues"}
    assert len(continuing) == 4 and len(following["rows"]) == 7
    gender = dict(zip(people, (s["gender"] for s in specs)))
    draw = recorded_draws(store, network_id)[-1]
    panels = draw["distribution"]["panels"]
    assert panels and sum(w for _, w in panels) == pytest.approx(1.0)
    for panel, weight in panels:
        group = [gender[p] for p in continuing] + [gender[p] for p in panel]
        assert not continuing & set(panel)
        assert group.count("woman") >= 3 and group.count("man") <= 3, (panel, weight)


def test_targets_no_group_can_meet_give_the_least_relaxation_and_no_draw(store):
    network_id, people = make_alumni(store, [MAN, MAN, MAN, WOMAN, WOMAN],
                                     targets=[TargetInput("gender", "woman", "count", "3", None)])
    alumni.save_setting(store, PM, network_id, 3, 6, 1, "lottery")
    (proposal,) = proposals(store, network_id)
    assert proposal["rows"] == [] and proposal["seed"] is not None and proposal["minimum"] is None
    codes = [r.code for r in proposal["unmet"]]
    assert codes[0] == "lottery_infeasible"
    (relax,) = [r for r in proposal["unmet"] if r.code == "lottery_relax_min"]
    assert (relax.params["limit"], relax.params["relaxed"]) == (3, 2)
    assert recorded_draws(store, network_id) == []


def test_only_alumni_with_contact_consent_are_drawn(store):
    network_id, with_consent = make_alumni(store, [MAN, WOMAN])
    without = insert_people(store, [MAN, WOMAN], contact=False)

    def seat(cur):
        for pid in without:
            cur.execute("INSERT INTO membership (network_id, person_id, start_date, planned_end_date) "
                        "VALUES (?, ?, ?, ?)", [network_id, pid, dt.date(2023, 1, 1), dt.date(2027, 1, 1)])

    store.write(seat)
    alumni.save_setting(store, PM, network_id, 2, 6, 1, "lottery")
    (proposal,) = proposals(store, network_id)
    assert chosen(proposal) == sorted(with_consent)
    # the order rule takes the longest alumni, with or without consent (as it always did)
    alumni.repropose(store, PM, network_id, "rotation")
    assert chosen(proposals(store, network_id)[0]) == sorted(without)


def test_a_seed_needs_the_lottery_and_an_unknown_method_is_refused(store):
    network_id, _ = make_alumni(store, [MAN, WOMAN])
    alumni.save_setting(store, PM, network_id, 1, 6, 1)
    with pytest.raises(CrmError) as caught:
        alumni.repropose(store, PM, network_id, seed=7)
    assert caught.value.code == "alumni_seed_without_lottery"
    with pytest.raises(CrmError) as caught:
        alumni.repropose(store, PM, network_id, "coin")
    assert caught.value.code == "method_unknown"
    alumni.save_setting(store, PM, network_id, 1, 6, 1, "lottery")
    alumni.save_setting(store, PM, network_id, 2, 6, 1)           # no method given: the lottery stays
    assert alumni.overview(store, PM, network_id).setting.method == "lottery"


def test_crm_alumni_rotate_draws_again_with_a_seed(store, tmp_path, capsys):
    network_id, people = make_alumni(store, [MAN, WOMAN] * 4)
    alumni.save_setting(store, PM, network_id, 3, 6, 1)
    store.close()

    def crm(*args: str) -> dict:
        code = main(["--db", str(tmp_path / "crm.duckdb"), "--lang", "en", "--json", *args])
        out, err = capsys.readouterr()
        assert code == 0, err
        return json.loads(out)

    ok = crm("alumni", "settings", str(network_id), "--active", "3", "--period-months", "6", "--method", "lottery")
    assert ok["method"] == "lottery"
    first = crm("alumni", "rotate", str(network_id), "--seed", "99")["proposals"][0]
    again = crm("alumni", "rotate", str(network_id), "--method", "lottery", "--seed", "99")["proposals"][0]
    assert first["seed"] == again["seed"] == 99 and first["pool_hash"] == again["pool_hash"]
    assert [a["person_id"] for a in first["active"]] == [a["person_id"] for a in again["active"]]
    assert all(a["probability"] == pytest.approx(3 / 8, abs=1e-4) for a in first["active"])
    by_turn = crm("alumni", "rotate", str(network_id), "--method", "rotation")["proposals"][0]
    assert by_turn["seed"] is None and sorted(a["person_id"] for a in by_turn["active"]) == sorted(people[:3])
