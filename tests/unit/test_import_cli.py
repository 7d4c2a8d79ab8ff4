"""`crm import`: exit 0 when every row is in, 1 when some were refused (the good ones are in), 2 for usage errors;
the report names each refused row and field; --dry-run stores nothing."""
from __future__ import annotations

import json

import pytest

from crm_app.cli import main as cli
from crm_app.core.store import Store

LIST = ("voornaam;achternaam;telefoon;toestemming contact\n"
        "Amal;Haddad;0612345678;ja\n"
        "Bilal;Ahmadi;06 12;ja\n"
        "Chloé;Müller;;\n")


@pytest.fixture
def db(tmp_path):
    return tmp_path / "crm.duckdb"


def crm(db, *argv):
    return cli.main(["--db", str(db), *argv])


def count(db) -> int:
    store = Store(db)
    try:
        with store.read() as cur:
            return cur.execute("SELECT count(*) FROM person").fetchone()[0]
    finally:
        store.close()


def test_dry_run_reports_and_stores_nothing_then_the_import_takes_the_good_rows(db, tmp_path, capsys):
    path = tmp_path / "lijst.csv"
    path.write_text(LIST, encoding="cp1252")
    assert crm(db, "import", str(path), "--source", "partner_org", "--dry-run") == 1
    text = capsys.readouterr().out
    assert "rij 3: Telefoon:" in text and "Proef, niets opgeslagen" in text
    assert count(db) == 0
    assert crm(db, "--json", "import", str(path), "--source", "partner_org") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["counts"] == {"accepted": 2, "rejected": 1, "duplicate": 0, "already_imported": 0}
    assert report["rows"][1] == {"row": 3, "status": "rejected", "persons": [], "rows": [], "reasons": [],
                                 "errors": [{"field": "phone", "code": "phone_invalid"}]}
    assert count(db) == 2


def test_every_row_in_exits_0_and_a_second_run_adds_nothing(db, tmp_path, capsys):
    path = tmp_path / "goed.csv"
    path.write_text("given_name,family_name,source\nAmal,Haddad,market\nChloé,Müller,Markt\n", encoding="utf-8-sig")
    assert crm(db, "--lang", "en", "import", str(path)) == 0
    assert "2 rows: 2 added" in capsys.readouterr().out
    assert crm(db, "--lang", "en", "import", str(path)) == 0
    assert "2 already imported" in capsys.readouterr().out
    assert count(db) == 2


def test_map_names_columns_and_a_wrong_one_is_a_usage_error(db, tmp_path, capsys):
    path = tmp_path / "lijst.csv"
    path.write_text("Naam;Familie\nAmal;Haddad\n", encoding="utf-8")
    assert crm(db, "import", str(path), "--source", "market", "--map", "Naam=given_nam") == 2
    assert crm(db, "import", str(path), "--source", "market", "--map", "Kolom=given_name") == 2
    assert crm(db, "import", str(tmp_path / "missing.csv")) == 2
    with pytest.raises(SystemExit) as usage:
        crm(db, "import", str(path), "--source", "markt")
    assert usage.value.code == 2
    capsys.readouterr()
    assert crm(db, "import", str(path), "--source", "market", "--map", "Naam=given_name",
               "--map", "Familie=family_name") == 0
    assert count(db) == 1


def test_an_unreadable_file_is_refused_with_exit_1(db, tmp_path, capsys):
    path = tmp_path / "lijst.csv"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 600)
    assert crm(db, "import", str(path)) == 1
    assert ".xls" in capsys.readouterr().err


def test_rejects_file_is_written(db, tmp_path, capsys):
    path, rejected = tmp_path / "lijst.csv", tmp_path / "geweigerd.csv"
    path.write_text(LIST, encoding="utf-8")
    assert crm(db, "import", str(path), "--source", "market", "--rejects", str(rejected)) == 1
    lines = rejected.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "voornaam,achternaam,telefoon,toestemming contact,reden" and lines[1].startswith("Bilal,")
