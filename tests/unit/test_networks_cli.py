"""The `crm` command for networks, waiting lists, fills and offers (README, "The `crm` command"), run in-process.

Exit codes: 0 done; 1 refused (nothing changed, message on stderr); 2 usage error.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
from networks_kit import snapshot

from crm_app.cli.main import main
from crm_app.core import clock
from crm_app.core.store import Store


@pytest.fixture
def crm(tmp_path, capsys, frozen_clock):
    """crm(*args) → (exit code, stdout, stderr), on a store file of this test, in English."""
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


def add_person(crm, given: str, *extra: str) -> int:
    return ok(crm("person", "add", "--given-name", given, "--family-name", "Haddad", "--source", "market",
                  "--consent", "contact,diversity_statistics", *extra))["id"]


def state(crm) -> dict:
    store = Store(crm.db)
    try:
        return snapshot(store)
    finally:
        store.close()


@pytest.fixture
def board(crm):
    """A 3-place network with a target for women; Amal (man), Bashir (man), Carla (woman), Dina (woman) wait."""
    ok(crm("network", "add", "--name", "Klankbordgroep De Stem", "--min-places", "3", "--max-places", "3",
           "--target", "gender=woman>=2", "--target", "municipality each<=2"))
    people = {}
    for given, gender in (("Amal", "man"), ("Bashir", "man"), ("Carla", "woman"), ("Dina", "woman")):
        people[given] = add_person(crm, given, "--gender", gender, "--municipality", "Utrecht")
        ok(crm("waitlist", "Klankbordgroep De Stem", "--add", str(people[given])))
        clock.freeze(clock.utcnow() + dt.timedelta(days=1))
    return people


def test_network_add_with_targets(crm):
    data = ok(crm("network", "add", "--name", "Klankbordgroep De Stem", "--min-places", "15", "--max-places", "15",
                  "--term-months", "12", "--rest-months", "6", "--target", "gender=woman>=40%",
                  "--target", "country_of_origin distinct>=3", "--target", "municipality each<=4",
                  "--target", "gender=man<=1%"))
    assert (data["min_places"], data["max_places"], data["term_months"], data["rest_months"]) == (15, 15, 12, 6)
    assert [(t["dimension"], t["dim_value"], t["measure"], t["min_value"], t["max_value"]) for t in data["targets"]] == [
        ("gender", "woman", "share", 0.4, None), ("country_of_origin", None, "distinct", 3, None),
        ("municipality", None, "count", None, 4), ("gender", "man", "share", None, 0.01)]
    assert [t["text"] for t in data["targets"]][:3] == [
        "Gender Woman: at least 6 (40% of 15)", "Country of origin: at least 3 different",
        "Municipality: at most 4 each"]

    [row] = ok(crm("network", "list"))
    assert (row["name"], row["open_now"], row["on_offer"], row["members"], row["below_min"]) == (
        "Klankbordgroep De Stem", 15, 0, 0, True)
    shown = ok(crm("network", "show", "klankbordgroep de stem"))
    assert shown["id"] == data["id"] and shown["members"] == [] and shown["open_now"] == 15


@pytest.mark.parametrize("args, message", [
    (["--min-places", "16", "--max-places", "15"], "min_places: The minimum is above the maximum (15)."),
    (["--max-places", "15", "--target", "gender=woman>=20"], "target_1_min: This target can never be met with 15 places."),
    (["--max-places", "15", "--target", "gender=woman>=120%"], "target_1_min: This target can never be met with 15 places."),
    (["--max-places", "15", "--term-months", "0"], "term_months: A term or period of 0 months is not possible"),
    (["--max-places", "15", "--target", "gender woman 40"], "--target 'gender woman 40': write it as"),
    (["--max-places", "15", "--target", "gender=vrouw>=40%"],
     "target_1_value: 'vrouw' is not a value of gender. Allowed: woman, man, other."),
    (["--max-places", "15", "--target", "gender=woman>=20%", "--target", "country_of_origin=Syrie>=2"],
     "target_2_value: 'Syrie' is not a known country. Use an ISO country code, such as SY or ER."),
    (["--max-places", "15", "--target", "language=arabisch>=2"],
     "target_1_value: 'arabisch' is not a known language. Use an ISO language code, such as ara or tir."),
])
def test_network_add_refusals_change_nothing(crm, args, message):
    before = state(crm)
    code, out, err = crm("network", "add", "--name", "Adviesraad", *args)
    assert code == 1
    assert message in err
    assert "Traceback" not in err
    assert state(crm) == before


def test_a_refused_target_value_creates_no_network(crm):
    code, out, err = crm("network", "add", "--name", "Adviesraad", "--max-places", "15", "--target", "gender=vrouw>=40%")
    assert (code, json.loads(out)) == (1, {"errors": [{"field": "target_1_value", "code": "target_value_unknown"}]})
    assert "Internal error" not in err and "Interne fout" not in err
    assert ok(crm("network", "list")) == []
    assert crm("network", "show", "Adviesraad")[0] == 1


def test_a_stored_unknown_target_value_is_shown_not_fatal(crm):
    ok(crm("network", "add", "--name", "Adviesraad", "--max-places", "10", "--target", "gender=woman>=40%"))
    ok(crm("network", "add", "--name", "Klankbord", "--max-places", "10"))
    store = Store(crm.db)
    try:   # as an older version could have stored it
        store.write(lambda cur: cur.execute("INSERT INTO network_target (network_id, dimension, dim_value, measure, "
                                            "min_value) SELECT id, 'gender', 'vrouw', 'share', 0.4 FROM network"))
    finally:
        store.close()
    code, out, err = crm("network", "show", "Adviesraad", as_json=False)
    assert code == 0, err
    assert "target: Gender Woman: at least 4 (40% of 10)" in out
    assert "target: Gender unknown value 'vrouw': at least 4 (40% of 10)" in out
    assert [row["name"] for row in ok(crm("network", "list"))] == ["Adviesraad", "Klankbord"]
    assert ok(crm("network", "show", "Klankbord"))["targets"][0]["text"].startswith("Gender unknown value 'vrouw'")
    assert crm("fill", "Klankbord", "--method", "quota")[0] == 0


def test_a_duplicate_network_name_is_refused(crm):
    ok(crm("network", "add", "--name", "Adviesraad", "--max-places", "10"))
    code, _, err = crm("network", "add", "--name", "adviesraad", "--max-places", "10")
    assert (code, err.strip()) == (1, "name: This name already exists.")


def test_waitlist_add_shows_the_list_in_order(crm, board):
    entries = ok(crm("waitlist", "Klankbordgroep De Stem"))
    assert [(e["given_name"], e["position"], e["status"]) for e in entries] == [
        ("Amal", 1, "waiting"), ("Bashir", 2, "waiting"), ("Carla", 3, "waiting"), ("Dina", 4, "waiting")]
    assert [e["waited_days"] for e in entries] == [4, 3, 2, 1]

    code, _, err = crm("waitlist", "Klankbordgroep De Stem", "--add", str(board["Amal"]))
    assert (code, err.strip()) == (1, "network: Already on this waiting list.")
    silent = ok(crm("person", "add", "--given-name", "Elif", "--source", "market"))["id"]
    code, _, err = crm("waitlist", "Klankbordgroep De Stem", "--add", str(silent))
    assert (code, err.strip()) == (1, "network: Without consent to be contacted, a person cannot be on a waiting list.")
    code, out, _ = crm("waitlist", "Klankbordgroep De Stem", as_json=False)
    assert out.splitlines()[0].split()[:3] == ["1", f"#{board['Amal']}", "Amal"]


def test_fill_proposes_with_reasons_and_changes_nothing(crm, board):
    before = state(crm)
    plan = ok(crm("fill", "Klankbordgroep De Stem", "--method", "quota"))
    assert state(crm) == before
    assert (plan["method"], plan["open_places"]) == ("quota", 3)
    assert [p["given_name"] for p in plan["proposals"]] == ["Carla", "Dina"]
    assert plan["proposals"][0]["reason"] == (
        "waited 2 days (number 3 on the list); adds gender Woman: 0 of 3 now, target at least 2")
    assert plan["unmet"] == ["Every remaining candidate would exceed the maximum of municipality (at most 2)."]

    waiting = ok(crm("fill", "Klankbordgroep De Stem", "--method", "waitlist", "--places", "2"))
    assert [(p["given_name"], p["position"]) for p in waiting["proposals"]] == [("Amal", 1), ("Bashir", 2)]
    code, out, _ = crm("fill", "Klankbordgroep De Stem", "--method", "quota", as_json=False)
    assert code == 0 and "(proposal only; --apply makes the offers)" in out.splitlines()[0]


def test_fill_apply_makes_the_offers(crm, board):
    plan = ok(crm("fill", "Klankbordgroep De Stem", "--method", "quota", "--places", "2", "--apply"))
    assert len(plan["offer_ids"]) == 2
    [row] = ok(crm("network", "list"))
    assert (row["on_offer"], row["open_now"], row["waiting"]) == (2, 1, 2)
    entries = ok(crm("waitlist", "Klankbordgroep De Stem"))
    assert [(e["given_name"], e["status"], e["position"]) for e in entries] == [
        ("Amal", "waiting", 1), ("Bashir", "waiting", 2), ("Carla", "offered", None), ("Dina", "offered", None)]


def test_offer_decline_prints_the_next_proposal(crm, board):
    [offer_id] = ok(crm("fill", "Klankbordgroep De Stem", "--method", "waitlist", "--places", "1", "--apply"))["offer_ids"]
    result = ok(crm("offer", "decline", str(offer_id)))
    assert (result["status"], result["person_id"], result["method"]) == ("declined", board["Amal"], "waitlist")
    assert [p["given_name"] for p in result["next"]["proposals"]] == ["Bashir"]

    [second] = ok(crm("fill", "Klankbordgroep De Stem", "--places", "1", "--apply"))["offer_ids"]
    code, out, _ = crm("offer", "decline", str(second), as_json=False)
    assert code == 0 and out.splitlines()[1].startswith(f"  next (Waiting list): #{board['Carla']} Carla Haddad: waited")


def test_after_a_declined_quota_offer_the_next_is_proposed_by_quota(crm, board):
    [offer_id] = ok(crm("fill", "Klankbordgroep De Stem", "--method", "quota", "--places", "1", "--apply"))["offer_ids"]
    code, out, _ = crm("offer", "decline", str(offer_id), as_json=False)
    assert code == 0 and out.splitlines()[1].startswith(f"  next (Quota): #{board['Dina']} Dina Haddad: waited")
    plan = ok(crm("fill", "Klankbordgroep De Stem", "--places", "1"))
    assert (plan["method"], [p["given_name"] for p in plan["proposals"]]) == ("quota", ["Dina"]), \
        "without --method: the declined offer's"


def test_offer_accept_makes_a_member(crm, board):
    [offer_id] = ok(crm("fill", "Klankbordgroep De Stem", "--places", "1", "--apply"))["offer_ids"]
    result = ok(crm("offer", "accept", str(offer_id)))
    assert result["status"] == "accepted" and result["membership_id"]
    shown = ok(crm("network", "show", "Klankbordgroep De Stem"))
    assert [(m["person_id"], m["planned_end_date"]) for m in shown["members"]] == [(board["Amal"], "2027-12-03")]


def test_accepting_an_expired_offer_is_refused_plainly(crm, board):
    [offer_id] = ok(crm("fill", "Klankbordgroep De Stem", "--places", "1", "--apply"))["offer_ids"]
    clock.freeze(clock.utcnow() + dt.timedelta(days=15))
    before = state(crm)
    code, out, err = crm("offer", "accept", str(offer_id))
    assert (code, out) == (1, "")
    assert err.strip() == "This offer expired on 12/17/2026; it can no longer be accepted."
    after = state(crm)
    assert after["membership"] == before["membership"] == []
    code, _, err = crm("offer", "accept", "999")
    assert (code, err.strip()) == (1, "This offer does not exist.")


def test_unknown_network(crm):
    code, _, err = crm("fill", "Nergens")
    assert (code, err.strip()) == (1, "This network does not exist.")


@pytest.mark.parametrize("args", [
    ["fill"], ["fill", "X", "--method", "raffle"], ["fill", "X", "--seed", "-3"], ["fill", "X", "--places", "two"],
    ["offer", "accept", "first"],
    ["offer", "maybe", "1"], ["network", "add", "--name", "X"], ["waitlist"], ["network", "add", "--name", "X",
                                                                              "--max-places", "9", "--kind", "club"],
])
def test_usage_errors_exit_2(crm, args):
    with pytest.raises(SystemExit) as caught:
        crm(*args)
    assert caught.value.code == 2
