"""The lottery on the fill screen in AppTest: chances per candidate, the seed, the draw and its record, the
next draw after a decline, and the relaxation offered when no group meets the targets."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from apptest_kit import count, elements, main_text, shown_cells, t, tn, values

from crm_app.core import clock
from crm_app.networks import offers, registry, selection, waitlists
from crm_app.networks.registry import NetworkInput, TargetInput
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput

NOW = dt.datetime(2026, 11, 29, 9, 30)
WAITING = (("Amal", "man"), ("Bashir", "man"), ("Carla", "woman"), ("Dina", "woman"), ("Esra", "woman"),
           ("Farid", "man"))


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield NOW
    clock.freeze(None)


@pytest.fixture
def pm(staff):
    return staff["program_manager"].as_user().actor()


def board(store, pm, *targets: TargetInput) -> dict[str, int]:
    """A 4-place network with one member (a man), so three open places, and six waiting, three of them women."""
    network_id = registry.save(store, pm, NetworkInput("Klankbord", "sounding_board", 0, 4), list(targets))
    ids = {"network": network_id}
    for days, (given, gender) in enumerate((("Omar", "man"), *WAITING)):
        clock.freeze(NOW - dt.timedelta(days=30 - days))
        ids[given] = persons.register(
            store, pm, PersonInput(given_name=given, family_name="Test", consent_contact=True,
                                   consent_diversity_statistics=True, gender=gender),
            SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id
        ids[f"{given}_entry"] = waitlists.add(store, pm, network_id, ids[given])
    clock.freeze(NOW)
    [offer] = offers.make(store, pm, network_id, [ids["Omar_entry"]], "waitlist")
    offers.respond(store, pm, offer, "accept")
    return ids


def proposed(at) -> list[int]:
    return sorted(int(b.key.rsplit("_", 1)[1]) for b in _blocks(at.main) if (b.key or "").startswith("fill_proposal_"))


def _blocks(block):
    yield block
    for child in block.children.values():
        if hasattr(child, "children"):
            yield from _blocks(child)


def chances(at) -> dict[str, float]:
    [table] = [e for e in elements(at.main) if e.type == "dataframe"]
    frame = table.value
    return dict(zip(frame[t("fill.lottery.name")], frame[t("fill.lottery.chance")]))


def test_the_lottery_shows_every_chance_and_draws_the_same_group_for_a_seed(login, store, pm):
    ids = board(store, pm, TargetInput("gender", "woman", "count", "2", None))
    at = login("program_manager", "fill")
    at.radio(key="fill_method").set_value("lottery").run()
    assert t("fill.method_help.lottery") in values(at.main, "caption")
    at.number_input(key="fill_seed").set_value(77).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = chances(at)
    assert set(shown) == {f"{given} Test" for given, _ in WAITING}
    assert sum(shown.values()) == pytest.approx(3), "the chances add up to the three open places"
    [table] = [e for e in elements(at.main) if e.type == "dataframe"]
    cells = shown_cells(table, t("fill.lottery.chance"))
    assert len(cells) == len(WAITING) and all(re.fullmatch(r"\d+,\d%", cell) for cell in cells), \
        "each chance as Dutch writes it (66,7%), not 66.7 %"
    plan = selection.propose(store, pm, ids["network"], 3, "lottery", seed=77)
    expected = sorted(p.candidate.entry_id for p in plan.proposals)
    assert proposed(at) == expected, "the screen draws what the service draws with this seed"
    assert tn("fill.lottery.summary", plan.draw.distribution.panel_count,
              minimum=f"{100 * plan.draw.distribution.minimum:.1f}%".replace(".", ","), seed=77) in values(
        at.main, "caption")
    women = {ids[f"{g}_entry"] for g, gender in WAITING if gender == "woman"}
    assert len(women & set(proposed(at))) >= 2
    at.run()
    assert proposed(at) == expected, "a rerun keeps the seed and the group"

    at.button(key="fill_make_offers").click().run()
    assert values(at.main, "success") == [tn("fill.offers_made", 3)]
    with store.read() as cur:
        assert cur.execute("SELECT DISTINCT method, seed FROM offer WHERE method = 'lottery'").fetchall() == [
            ("lottery", 77)]
        [(seed, panel)] = cur.execute("SELECT seed, panel FROM lottery_draw").fetchall()
    assert (seed, sorted(json.loads(panel))) == (77, sorted(p.candidate.person_id for p in plan.proposals))


def test_after_a_declined_lottery_offer_the_next_is_drawn_with_its_seed(login, store, pm):
    ids = board(store, pm, TargetInput("gender", "woman", "count", "2", None))
    plan = selection.propose(store, pm, ids["network"], 2, "lottery", seed=31)
    made = offers.make(store, pm, ids["network"], [p.candidate.entry_id for p in plan.proposals], "lottery",
                       {p.candidate.entry_id: p.reasons for p in plan.proposals}, plan.draw)
    offers.respond(store, pm, made[0], "decline")
    at = login("program_manager", "fill")
    assert at.radio(key="fill_method").value == "lottery"
    assert at.number_input(key="fill_seed").value == 31
    assert proposed(at) == sorted(p.candidate.entry_id for p in selection.propose(
        store, pm, ids["network"], 2, "lottery", seed=31).proposals)


def test_targets_no_group_can_meet_show_the_least_change_and_accepting_it_draws(login, store, pm):
    ids = board(store, pm, TargetInput("gender", "woman", "count", "4", None),
                TargetInput("gender", "man", "count", "2", None))
    at = login("program_manager", "fill")
    at.radio(key="fill_method").set_value("lottery").run()
    warnings = values(at.main, "warning")
    assert warnings[0] == t("reason.lottery_infeasible")
    # three open places, one man a member: at most 3 women, and then no second man; the least change moves
    # the bounds by two persons in all (women to 3 and men to 1, or women to 2)
    moved = selection.propose(store, pm, ids["network"], None, "lottery", seed=1).draw.relaxations
    assert sum(abs(r.bound.limit - r.relaxed) for r in moved) == 2
    label = {"woman": "Vrouw", "man": "Man"}
    assert warnings[1:] == [t(f"reason.lottery_relax_{r.bound.side}", subject=f"gender {label[r.bound.target.dim_value]}",
                              limit=r.bound.limit, relaxed=r.relaxed) for r in moved]
    assert proposed(at) == [] and "solver" not in main_text(at.main).lower()

    at.button(key="fill_relax").click().run()
    assert values(at.main, "success") == [t("fill.lottery.relaxed")]
    assert len(proposed(at)) == 3
    network = registry.get(store, pm, ids["network"])
    expected = {"woman": 4, "man": 2} | {r.bound.target.dim_value: r.relaxed for r in moved}
    assert {x.dim_value: int(x.min_value) for x in network.targets} == expected
    assert count(store, "SELECT count(*) FROM offer WHERE method = 'lottery'") == 0
