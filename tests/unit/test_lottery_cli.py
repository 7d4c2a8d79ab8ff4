"""`crm fill --method lottery`: the fair lottery through the command (README, "The `crm` command"), in-process."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from crm_app.cli.main import main
from crm_app.core import clock
from crm_app.core.store import Store

PEOPLE = (("Amal", "man", "Utrecht"), ("Bashir", "man", "Utrecht"), ("Carla", "woman", "Utrecht"),
          ("Dina", "woman", "Zeist"), ("Esra", "woman", "Zeist"), ("Farid", "man", "Zeist"),
          ("Goli", "woman", "Utrecht"))


@pytest.fixture
def crm(tmp_path, capsys, frozen_clock):
    db = tmp_path / "crm.duckdb"

    def run(*args: str, as_json: bool = True):
        code = main(["--db", str(db), "--lang", "en", *(["--json"] if as_json else []), *args])
        out, err = capsys.readouterr()
        return code, out, err

    run.db = db
    return run


def ok(result):
    code, out, err = result
    assert code == 0, err
    return json.loads(out)


def rows(crm, sql: str) -> list:
    store = Store(crm.db)
    try:
        with store.read() as cur:
            return cur.execute(sql).fetchall()
    finally:
        store.close()


def network(crm, places: int, *targets: str) -> dict[str, int]:
    ok(crm("network", "add", "--name", "Klankbord", "--max-places", str(places),
           *[arg for spec in targets for arg in ("--target", spec)]))
    ids = {}
    for given, gender, town in PEOPLE:
        ids[given] = ok(crm("person", "add", "--given-name", given, "--family-name", "Haddad", "--source", "market",
                            "--consent", "contact,diversity_statistics", "--gender", gender,
                            "--municipality", town))["id"]
        ok(crm("waitlist", "Klankbord", "--add", str(ids[given])))
        clock.freeze(clock.utcnow() + dt.timedelta(days=1))
    return ids


def drawn(plan: dict) -> list[int]:
    return sorted(p["person_id"] for p in plan["proposals"])


def test_a_lottery_draws_within_the_targets_and_the_seed_repeats_it(crm):
    ids = network(crm, 4, "gender=woman>=3", "municipality each<=2")
    plan = ok(crm("fill", "Klankbord", "--method", "lottery", "--seed", "11"))
    assert (plan["method"], plan["seed"], len(plan["proposals"])) == ("lottery", 11, 4)
    women = {ids[g] for g, gender, _ in PEOPLE if gender == "woman"}
    assert len(women & set(drawn(plan))) >= 3
    towns = [next(t for g, _, t in PEOPLE if ids[g] == pid) for pid in drawn(plan)]
    assert max(towns.count("Utrecht"), towns.count("Zeist")) <= 2
    chances = {p["person_id"]: p["probability"] for p in plan["probabilities"]}
    assert set(chances) == set(ids.values())
    assert abs(sum(chances.values()) - 4) < 1e-6
    assert plan["min_probability"] == pytest.approx(min(chances.values()), abs=1e-9) and plan["panels"] >= 1
    assert all(p["reason"].startswith("drawn by lot (chance ") for p in plan["proposals"])
    for _ in range(2):
        assert drawn(ok(crm("fill", "Klankbord", "--method", "lottery", "--seed", "11"))) == drawn(plan)

    chosen = ok(crm("fill", "Klankbord", "--method", "lottery"))
    assert isinstance(chosen["seed"], int), "without --seed a seed is chosen and printed"
    assert drawn(ok(crm("fill", "Klankbord", "--method", "lottery", "--seed", str(chosen["seed"])))) == drawn(chosen)
    code, out, _ = crm("fill", "Klankbord", "--method", "lottery", "--seed", "11", as_json=False)
    assert code == 0 and out.splitlines()[1].startswith("  lottery with seed 11: smallest chance ")
    assert rows(crm, "SELECT (SELECT count(*) FROM lottery_draw), (SELECT count(*) FROM offer)") == [(0, 0)], \
        "a proposal changes nothing"


def test_apply_records_the_draw_and_a_decline_draws_the_next_with_the_same_seed(crm):
    network(crm, 3, "gender=woman>=2")
    plan = ok(crm("fill", "Klankbord", "--method", "lottery", "--seed", "5", "--apply"))
    assert len(plan["offer_ids"]) == 3
    [(seed, digest, places, panel, distribution)] = rows(
        crm, "SELECT seed, input_hash, places, panel, distribution FROM lottery_draw")
    assert (seed, digest, places, json.loads(panel)) == (5, plan["pool_hash"], 3, drawn(plan))
    assert {pid for pid, _ in json.loads(distribution)["probabilities"]} == {
        p["person_id"] for p in plan["probabilities"]}
    assert rows(crm, "SELECT DISTINCT method, seed FROM offer") == [("lottery", 5)]

    result = ok(crm("offer", "decline", str(plan["offer_ids"][0])))
    assert (result["next"]["method"], result["next"]["seed"]) == ("lottery", 5), "the next from the same lottery"
    assert len(result["next"]["proposals"]) == 1
    again = ok(crm("fill", "Klankbord", "--places", "1"))
    assert (again["method"], again["seed"], drawn(again)) == ("lottery", 5, drawn(result["next"])), \
        "without --method and --seed: the declined offer's"


def test_targets_no_panel_can_meet_get_the_least_relaxation(crm):
    network(crm, 3, "gender=woman>=3", "municipality=Utrecht>=2", "gender=man>=1")
    plan = ok(crm("fill", "Klankbord", "--method", "lottery", "--seed", "3"))
    assert plan["proposals"] == [] and plan["probabilities"] == [] and plan["min_probability"] is None
    assert plan["unmet"][0].startswith("No group meets all targets at once.")
    assert len(plan["relaxations"]) == 1, "one bound moved by one is the least change"
    [relaxation] = plan["relaxations"]
    assert (relaxation["from"] - relaxation["to"], relaxation["bound"]) == (1, "min")
    assert plan["unmet"][1] in ("lower the minimum of gender Woman from 3 to 2",
                                "lower the minimum of gender Man from 1 to 0")
