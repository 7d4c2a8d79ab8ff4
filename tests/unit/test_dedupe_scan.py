"""The batch scan and the `crm dedupe` / `crm merge` commands on a real store."""
from __future__ import annotations

import json

import pytest

from crm_app.cli.main import main
from crm_app.people import persons, scan
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput


@pytest.fixture
def crm(tmp_path, capsys):
    db = tmp_path / "crm.duckdb"

    def run(*args: str, as_json: bool = True):
        code = main(["--db", str(db), "--lang", "en", *(["--json"] if as_json else []), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def ok(result):
    code, out, err = result
    assert code == 0, err
    return json.loads(out)


def add(crm, given, family, *extra) -> int:
    return ok(crm("person", "add", "--given-name", given, "--family-name", family, "--source", "market",
                  "--consent", "contact,diversity_statistics", *extra))["id"]


@pytest.fixture
def people(crm):
    """Two records of one person (a typo in the phone, the name spelled otherwise), one of a namesake born
    decades later, and someone else."""
    return {
        "yusuf": add(crm, "Yusuf", "Haddad", "--phone", "0612345678", "--birth-year", "1990", "--district", "Overvecht"),
        "youssef": add(crm, "Youssef", "Hadad", "--phone", "0612345687", "--birth-year", "1990", "--district", "Overvecht"),
        "namesake": add(crm, "Yusuf", "Haddad", "--birth-year", "1958"),
        "amina": add(crm, "Amina", "Karimi", "--phone", "0687654321", "--birth-year", "1985"),
    }


def test_scan_finds_the_pair_and_apply_queues_it_once(crm, people):
    found = ok(crm("dedupe", "scan"))
    likely = [(p["first_id"], p["second_id"]) for p in found["pairs"] if p["level"] == "likely"]
    assert likely == [(people["yusuf"], people["youssef"])]
    assert all(people["amina"] not in (p["first_id"], p["second_id"]) for p in found["pairs"])
    assert found["queued"] == 0, "without --apply nothing is queued"
    # `person add` stores a possible duplicate and queues it (origin registration); the scan adds the rest
    before = {(p["first_person_id"], p["second_person_id"]): p["origin"] for p in ok(crm("dedupe", "list"))}
    assert before == {(people["yusuf"], people["youssef"]): "registration"}
    applied = ok(crm("dedupe", "scan", "--apply"))
    assert applied["queued"] == len({(p["first_id"], p["second_id"]) for p in found["pairs"]} - set(before))
    assert ok(crm("dedupe", "scan", "--apply"))["queued"] == 0    # found again: nothing twice
    assert {(p["first_person_id"], p["second_person_id"]) for p in ok(crm("dedupe", "list"))} >= {
        (people["yusuf"], people["youssef"])}


def test_a_common_name_agrees_for_less_than_a_rare_one(store, actor):
    def person(given, family, birth_year=None):
        return persons.register(store, actor, PersonInput(given_name=given, family_name=family, birth_year=birth_year,
                                                          consent_diversity_statistics=birth_year is not None),
                                SourceInput(kind="market"), confirmed_new=True).person_id

    for n in range(12):      # twelve persons named Mohammed, none named Tesfay
        person("Mohammed", f"Test{chr(65 + n % 26)}{chr(65 + n // 26)}")
    common = (person("Mohammed", "Haddad", 1990), person("Mohammed", "Haddad", 1990))
    rare = (person("Tesfay", "Haddad", 1990), person("Tesfay", "Haddad", 1990))
    with store.read() as cur:
        weight = {(p.first_id, p.second_id): p.weight for p in scan.find_pairs(cur)}
    assert weight[rare] > weight[common]


def test_merge_and_undo_through_the_command(crm, people):
    code, _, err = crm("merge", str(people["yusuf"]), str(people["yusuf"]))
    assert code == 1 and err
    merged = ok(crm("merge", str(people["yusuf"]), str(people["youssef"]), "--keep", "given_name=merged"))
    shown = ok(crm("person", "show", str(people["yusuf"])))
    assert shown["given_name"] == "Youssef" and len(shown["sources"]) == 2
    assert crm("person", "show", str(people["youssef"]))[0] == 1
    assert ok(crm("merge", "--undo", str(merged["merge_id"]))) == {"merge_id": merged["merge_id"],
                                                                   "restored_id": people["youssef"]}
    assert ok(crm("person", "show", str(people["yusuf"])))["given_name"] == "Yusuf"
    assert ok(crm("person", "show", str(people["youssef"])))["given_name"] == "Youssef"
    code, _, err = crm("merge", "--undo", str(merged["merge_id"]))
    assert code == 1 and "undone already" in err


def test_merge_refuses_a_bad_keep_option_and_changes_nothing(crm, people):
    code, _, err = crm("merge", str(people["yusuf"]), str(people["youssef"]), "--keep", "given_name")
    assert code == 1 and "NAME=VALUE" in err
    code, _, _ = crm("merge", str(people["yusuf"]), str(people["youssef"]), "--keep", "shoe_size=merged")
    assert code == 1
    assert ok(crm("person", "show", str(people["youssef"])))["given_name"] == "Youssef"


def test_find_prints_how_each_result_matched(crm, people):
    found = {r["id"]: r["matched"] for r in ok(crm("person", "find", "Youssef"))}
    assert found[people["youssef"]] == ["name"] and found[people["yusuf"]] == ["name_variant"]
    assert ok(crm("person", "find", "06 12345678"))[0]["matched"] == ["phone"]
