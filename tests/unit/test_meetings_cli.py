"""`crm meeting|reimbursements|feedback`, run in-process: plan with the proposed date, attendance,
a reimbursement over the cap, the month's payment list, a personal overview."""
from __future__ import annotations

import csv
import json
import zipfile

import pytest

from crm_app.cli.main import main
from crm_app.core.store import Store


@pytest.fixture
def crm(tmp_path, capsys, frozen_clock):
    db = tmp_path / "crm.duckdb"

    def run(*args: str, as_json: bool = True):
        code = main(["--db", str(db), "--lang", "en", *(["--json"] if as_json else []), *args])
        out, err = capsys.readouterr()
        return code, (json.loads(out) if as_json and code == 0 else out), err

    run.db = db
    return run


@pytest.fixture
def member(crm):
    """A monthly network "De Stem" with one member, Amal, since 2026-01-01."""
    assert crm("network", "add", "--name", "De Stem", "--max-places", "5")[0] == 0
    _, person, _ = crm("person", "add", "--given-name", "Amal", "--family-name", "Haddad", "--source", "market",
                       "--consent", "contact")
    store = Store(crm.db)
    try:
        store.write(lambda cur: cur.execute(
            "INSERT INTO membership (network_id, person_id, start_date, planned_end_date) "
            "VALUES (1, ?, DATE '2026-01-01', DATE '2027-01-01')", [person["id"]]))
    finally:
        store.close()
    return person["id"]


def test_a_meeting_attendance_reimbursement_payment_list_and_overview(crm, member, tmp_path):
    code, planned, _ = crm("meeting", "add", "De Stem", "--date", "2026-11-02", "--time", "19:30", "--topic", "Wonen",
                           "--interpreter", "--invite")
    assert code == 0 and (planned["date"], planned["time"], planned["invited"], planned["interpreter"]) == (
        "2026-11-02", "19:30", 1, True)
    _, proposed, _ = crm("meeting", "add", "De Stem")
    assert proposed["date"] == "2026-12-02"                         # one monthly step after the last meeting
    _, listed, _ = crm("meeting", "attendance", str(planned["id"]), "--person", str(member), "--status", "present")
    assert listed == [{"person_id": member, "status": "present"}]

    code, _, err = crm("meeting", "reimburse", str(planned["id"]), str(member), "--travel", "12,50",
                       "--allowance", "210,01")
    assert code == 1 and "cap" in err
    _, paid, _ = crm("meeting", "reimburse", str(planned["id"]), str(member), "--travel", "12,50",
                     "--allowance", "210,01", "--override-reason", "=1+1 platform days")
    assert (paid["month_total"], paid["over_cap"]) == ("210.01", True)

    _, written, _ = crm("reimbursements", "--month", "2026-11", "-o", str(tmp_path / "nov.csv"))
    assert written["rows"] == 1
    [row] = list(csv.DictReader((tmp_path / "nov.csv").open(encoding="utf-8")))
    assert (row["name"], row["travel"], row["allowance"], row["total"], row["override_reason"]) == (
        "Amal Haddad", "12.50", "210.01", "222.51", "'=1+1 platform days")      # no formula reaches finance
    crm("reimbursements", "--month", "2026-11", "-o", str(tmp_path / "nov.xlsx"))
    sheet = zipfile.ZipFile(tmp_path / "nov.xlsx").read("xl/worksheets/sheet1.xml").decode()
    assert "<v>222.51</v>" in sheet and "<f>" not in sheet

    _, overview, _ = crm("feedback", str(member), "-o", str(tmp_path / "amal.html"))
    assert (overview["meetings"], overview["inputs"]) == (1, 0)
    assert "Amal Haddad" in (tmp_path / "amal.html").read_text(encoding="utf-8")


def test_attendance_of_a_non_member_and_a_bad_month_are_refused(crm, member, tmp_path):
    _, planned, _ = crm("meeting", "add", "De Stem", "--date", "2025-12-31")
    code, _, err = crm("meeting", "attendance", str(planned["id"]), "--person", str(member), "--status", "present",
                       as_json=False)
    assert code == 1 and "not a member" in err
    code, _, _ = crm("reimbursements", "--month", "2026-13", "-o", str(tmp_path / "x.csv"), as_json=False)
    assert code == 1 and not (tmp_path / "x.csv").exists()
