"""Exports: hostile cell values never become formulas, XLSX holds no formula at all, every export is audited."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import pandas as pd
import pytest

from crm_app.access.audit import CLI_OPERATOR, Actor
from crm_app.core.errors import PermissionDenied
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput
from crm_app.privacy import exports

HOSTILE_NOTES = ["=HYPERLINK(\"http://evil.example\",\"klik\")", "+1+1", "-2+3", "@SUM(A1:A2)", "=cmd|' /C calc'!A0"]


@pytest.fixture
def hostile_store(store):
    """Persons whose names a spreadsheet would run as formulas if exported naively."""
    for index, family in enumerate(["=Haddad", "+Hyperlink", "-Omar", "@Sara", "Haddad"]):
        persons.register(store, CLI_OPERATOR, PersonInput(given_name=f"Amal{'abcde'[index]}", family_name=family,
                                                          note=HOSTILE_NOTES[index]),
                         SourceInput(kind="market", source_name="=Markt Oost"), confirmed_new=True)
    return store


def test_formula_starts_are_neutralised():
    assert [exports.neutralise(v) for v in ["=1+1", "+31612345678", "-3", "@A1", "\tx", "\rx", "Haddad", 7, None]] == \
        ["'=1+1", "'+31612345678", "'-3", "'@A1", "'\tx", "'\rx", "Haddad", 7, None]


def test_csv_export_has_no_cell_a_spreadsheet_would_run(hostile_store, tmp_path):
    path = tmp_path / "persons.csv"
    assert exports.write(hostile_store, CLI_OPERATOR, "persons", "csv", path) == 5
    with path.open(encoding="utf-8") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=Haddad" in cells and "'+Hyperlink" in cells and "Haddad" in cells


def test_xlsx_export_contains_no_formula(hostile_store, tmp_path):
    path = tmp_path / "persons.xlsx"
    exports.write(hostile_store, CLI_OPERATOR, "persons", "xlsx", path)
    with zipfile.ZipFile(path) as book:
        sheets = [name for name in book.namelist() if name.startswith("xl/worksheets/")]
        xml = "".join(book.read(name).decode("utf-8") for name in sheets)
        strings = book.read("xl/sharedStrings.xml").decode("utf-8")
    assert "<f>" not in xml and "<f " not in xml
    assert "'=Haddad" in strings and "'-Omar" in strings


def test_json_export_keeps_values_as_they_are(hostile_store, tmp_path):
    path = tmp_path / "persons.json"
    exports.write(hostile_store, CLI_OPERATOR, "persons", "json", path)
    families = {row["family_name"] for row in json.loads(path.read_text(encoding="utf-8"))}
    assert "=Haddad" in families


def test_every_export_is_audited_without_its_content(hostile_store, tmp_path):
    for kind in exports.KINDS:
        exports.write(hostile_store, CLI_OPERATOR, kind, "csv", tmp_path / f"{kind}.csv")
    with hostile_store.read() as cur:
        events = cur.execute("SELECT action, result FROM audit_event WHERE action LIKE 'export.%' ORDER BY id").fetchall()
        audit_text = " ".join(str(v) for row in cur.execute("SELECT * FROM audit_event").fetchall() for v in row)
    assert [action for action, _ in events] == [f"export.{kind}" for kind in exports.KINDS]
    assert "Amal" not in audit_text and "Haddad" not in audit_text


@pytest.mark.parametrize("role", ["outreach", "coordinator", "kiosk"])
def test_only_managers_and_admins_export(hostile_store, tmp_path, role):
    with pytest.raises(PermissionDenied):
        exports.write(hostile_store, Actor(None, role), "persons", "csv", tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


def test_a_screen_download_neutralises_every_cell_that_a_spreadsheet_would_run():
    frame = pd.DataFrame({"network": ["=HYPERLINK(\"http://x\")", "De Stem"], "holder": ["@SUM(A1)", "-2+3"],
                          "seats": [1, 2]})
    text = exports.csv_bytes(frame).decode("utf-8")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text and "'-2+3" in text
    assert "De Stem" in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["network", "holder", "seats"] and rows[2][2] == "2"
