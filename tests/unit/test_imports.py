"""Importing persons from files: every encoding and separator a partner's program writes, XLSX by content,
limits refused before anything is stored, every row checked like a registration, all or nothing, never twice."""
from __future__ import annotations

import codecs
import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from crm_app.access.audit import CLI_OPERATOR, Actor
from crm_app.core.errors import PermissionDenied
from crm_app.people import dedupe, persons
from crm_app.people.imports import batch, duplicates, reader, rejects
from crm_app.people.imports.reader import ImportRefused
from crm_app.people.imports.rows import Defaults
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput

HEADER = ["voornaam", "achternaam", "telefoon", "e-mail", "geboortejaar", "toestemming contact",
          "toestemming diversiteit", "notitie"]
GOOD = [
    ["Amal", "Haddad", "06 12345678", "amal@example.org", "1990", "ja", "ja", ""],
    ["Chloé", "Müller", "", "", "", "", "", "regel één\nregel twee"],
    ["Yusuf", "Ahmadi", "0031 6 2345 6789", "", "", "yes", "", ""],
]
BAD = [
    ["Bad1", "Digit", "06 12", "", "", "ja", "", ""],         # a digit in the name, a short phone
    ["Sara", "Omar", "", "sara@example", "", "ja", "", ""],  # an email without a domain
    ["Nora", "Jansen", "0612345670", "", "", "", "", ""],    # a phone without contact consent
]
OPTIONS = batch.Options(Defaults(source_kind="partner_org", source_name="Taalschool Oost"))


def csv_data(rows, *, separator=",", encoding="utf-8", header=HEADER) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=separator).writerows([header, *rows])
    return buffer.getvalue().encode(encoding)


def xlsx_data(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in [header, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def stored_names(store) -> list[str]:
    with store.read() as cur:
        return [row[0] for row in cur.execute("SELECT given_name FROM person ORDER BY id").fetchall()]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
@pytest.mark.parametrize("separator", [",", ";"])
def test_every_encoding_and_separator_reads_the_same_rows(encoding, separator):
    sheet = reader.read(csv_data(GOOD, separator=separator, encoding=encoding))
    assert sheet.headers == HEADER
    assert sheet.rows == GOOD                       # accents intact, the quoted line break kept in its cell
    assert sheet.separator == separator and sheet.numbers == [2, 3, 4]


def test_xlsx_is_read_by_its_content_whatever_its_name(tmp_path):
    data = xlsx_data([["Amal", "Haddad", "0612345678", "", 1990, "ja", "ja", None]])
    (tmp_path / "lijst.csv").write_bytes(data)   # an XLSX renamed to .csv
    sheet = reader.read((tmp_path / "lijst.csv").read_bytes())
    assert sheet.kind == "xlsx"
    assert sheet.rows == [["Amal", "Haddad", "0612345678", "", "1990", "ja", "ja", ""]]


@pytest.mark.parametrize(("data", "code"), [
    (b"", "import_empty"),
    (codecs.BOM_UTF8 + b"\r\n\r\n", "import_empty"),
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "import_old_excel"),
    (b"PK\x03\x04" + b"\x00" * 100, "import_not_spreadsheet"),     # a ZIP that is no workbook
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "import_not_spreadsheet"),
])
def test_a_file_that_is_no_spreadsheet_is_refused_plainly(data, code):
    with pytest.raises(ImportRefused) as refused:
        reader.read(data)
    assert refused.value.code == code


def test_limits_are_refused_before_anything_is_stored(store):
    too_many = b"voornaam\n" + b"Amal\n" * (reader.MAX_ROWS + 1)
    for data, code in ((too_many, "import_too_many_rows"), (b"x" * (reader.MAX_BYTES + 1), "import_too_large")):
        with pytest.raises(ImportRefused) as refused:
            batch.run(store, CLI_OPERATOR, data, OPTIONS)
        assert refused.value.code == code
    assert stored_names(store) == []


def test_good_rows_go_in_and_each_bad_row_says_which_field(store):
    report = batch.run(store, CLI_OPERATOR, csv_data(GOOD + BAD), OPTIONS)
    assert [r.status for r in report.results] == ["accepted"] * 3 + ["rejected"] * 3
    assert [{e.field for e in r.errors} for r in report.results[3:]] == [
        {"given_name", "phone"}, {"email"}, {"consent_contact"}]
    assert stored_names(store) == ["Amal", "Chloé", "Yusuf"]
    with store.read() as cur:
        assert cur.execute("SELECT phone_e164 FROM person WHERE given_name = 'Yusuf'").fetchone()[0] == "+31623456789"
        assert cur.execute("SELECT count(DISTINCT import_batch_id) FROM person_source").fetchone()[0] == 1
        assert cur.execute("SELECT note FROM person WHERE given_name = 'Chloé'").fetchone()[0] == "regel één\nregel twee"


def test_an_imported_person_has_only_the_consents_the_file_states(store):
    batch.run(store, CLI_OPERATOR, csv_data(GOOD), OPTIONS)
    with store.read() as cur:
        consents = cur.execute("SELECT p.given_name, c.purpose, c.method FROM consent c JOIN person p "
                               "ON p.id = c.person_id ORDER BY p.id, c.purpose").fetchall()
    assert consents == [("Amal", "contact", "written"), ("Amal", "diversity_statistics", "written"),
                        ("Yusuf", "contact", "written")]


def test_running_the_same_file_again_adds_nothing(store):
    data = csv_data(GOOD + BAD)
    first = batch.run(store, CLI_OPERATOR, data, OPTIONS)
    again = batch.run(store, CLI_OPERATOR, data, OPTIONS)
    assert stored_names(store) == ["Amal", "Chloé", "Yusuf"]
    assert [r.status for r in again.results[:3]] == ["already_imported"] * 3
    assert again.earlier_batch == first.batch_id and again.batch_id is None
    # the same rows in another file and order, spelled differently, are still recognised
    moved = csv_data([GOOD[2], ["amal ", "Haddad", "+31612345678", "amal@example.org", "1990", "J", "ja", ""]])
    assert {r.status for r in batch.run(store, CLI_OPERATOR, moved, OPTIONS).results} == {"already_imported"}


def test_a_failure_while_storing_leaves_nothing_half_stored(store, monkeypatch):
    def broken(cur, ids=None):
        raise RuntimeError("disk full")
    monkeypatch.setattr(dedupe, "refresh_name_keys", broken)
    with pytest.raises(RuntimeError):
        batch.run(store, CLI_OPERATOR, csv_data(GOOD), OPTIONS)
    with store.read() as cur:
        left = [cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("person", "person_source", "consent", "import_batch")]
    assert left == [0, 0, 0, 0]


def test_formula_cells_are_refused_and_the_refused_file_neutralises_them(store):
    data = xlsx_data([["=HYPERLINK(\"http://evil.example\",\"klik\")", "Haddad", "", "", "", "", "", ""],
                      ["Amal", "@SUM(A1)", "", "", "", "", "", ""], ["Amal", "-Haddad", "", "", "", "", "", ""]])
    report = batch.run(store, CLI_OPERATOR, data, OPTIONS)
    assert [(r.status, [e.code for e in r.errors]) for r in report.results[:2]] == [
        ("rejected", ["import_formula"]), ("rejected", ["import_formula"])]
    cells = [cell for row in csv.reader(io.StringIO(rejects.csv_file(report).decode("utf-8-sig"))) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=HYPERLINK(\"http://evil.example\",\"klik\")" in cells


def test_the_refused_rows_corrected_go_in_on_the_next_import(store):
    first = batch.run(store, CLI_OPERATOR, csv_data(GOOD + BAD), OPTIONS)
    lines = list(csv.reader(io.StringIO(rejects.csv_file(first).decode("utf-8-sig"))))
    assert lines[0] == [*HEADER, "reden"] and len(lines) == 4
    assert "Voornaam" in lines[1][-1] and "Telefoon" in lines[1][-1]
    fixed = [["Bilal", "Digit", "06 34567890", "", "", "ja", "", "", ""],
             ["Sara", "Omar", "", "sara@example.org", "", "ja", "", "", ""],
             ["Nora", "Jansen", "0612345670", "", "", "ja", "", "", ""]]
    again = batch.run(store, CLI_OPERATOR, csv_data(fixed, header=lines[0]), OPTIONS)
    assert [r.status for r in again.results] == ["accepted"] * 3
    assert len(stored_names(store)) == 6


def test_possible_duplicates_of_stored_persons_and_of_rows_are_held_back(store):
    persons.register(store, CLI_OPERATOR, PersonInput(given_name="Mohammed", family_name="Alhassan",
                                                      phone="0687654321", consent_contact=True),
                     SourceInput(kind="market"), confirmed_new=True)
    rows = [["Muhammad", "Alhasan", "", "", "", "", "", ""],         # a spelling variant of the stored person
            ["Mo", "Other", "+31687654321", "", "", "ja", "", ""],   # the stored person's phone
            ["Fatima", "Zahra", "0611112222", "", "", "ja", "", ""],
            ["Fatma", "Zahra", "0611112222", "", "", "ja", "", ""]]  # the row above
    report = batch.run(store, CLI_OPERATOR, csv_data(rows), OPTIONS)
    assert [r.status for r in report.results] == ["duplicate", "duplicate", "accepted", "duplicate"]
    assert report.results[0].persons == report.results[1].persons == [1]
    assert "same_phone" in report.results[1].reasons
    assert report.results[3].rows == [4] and "same_phone" in report.results[3].reasons
    # told to add look-alikes, a name-only match goes in; a same phone never does
    told = batch.run(store, CLI_OPERATOR, csv_data(rows),
                     batch.Options(OPTIONS.defaults, None, add_duplicates=True))
    assert [r.status for r in told.results] == ["accepted", "duplicate", "already_imported", "duplicate"]
    # and the look-alike waits in the review queue beside the stored person, as a kiosk registration would
    with store.read() as cur:
        queued = cur.execute("SELECT first_person_id, second_person_id, origin, status FROM duplicate_pair").fetchall()
    assert queued == [(1, told.results[0].persons[0], "import", "open")]


def test_the_file_check_finds_what_the_entry_check_finds(store):
    names = [("Mohammed", "Alhassan", 1990), ("Yusuf", "Ahmadi", None), ("Amal", "Haddad", 1985),
             ("Joesoef", "Achmadi", 1970), ("Sara", "Omar", 2001)]
    for given_name, family_name, year in names:
        persons.register(store, CLI_OPERATOR, PersonInput(given_name=given_name, family_name=family_name,
                                                          birth_year=year, consent_diversity_statistics=bool(year)),
                         SourceInput(kind="market"), confirmed_new=True)
    probes = [("Muhamad", "Alhasan", 1991), ("Youssef", "Ahmadi", 1980), ("Haddad", "Amal", None),
              ("Amal", "Hadad", 1990), ("Sarah", "Omar", None), ("Pieter", "Jansen", 1990), ("Yusuf", "Ahmady", None)]
    keyed = [(i, dedupe.Keys.of(g, f, None, None, y), y) for i, (g, f, y) in enumerate(probes)]
    with store.read() as cur:
        found = duplicates.find(cur, keyed)
        for i, keys, year in keyed:
            entry = dedupe.find_duplicates(cur, keys, year, limit=duplicates.PER_ROW)
            assert [m.other for m in found.get(i, []) if not m.of_row] == [m.person_id for m in entry], probes[i]
            assert [m.reasons for m in found.get(i, []) if not m.of_row] == [m.reasons for m in entry]


def test_the_mapping_is_given_or_remembered_per_source(store):
    data = csv_data([["Amal", "Haddad"]], header=["Naam", "Familie"])
    explicit = batch.Options(OPTIONS.defaults, {"Naam": "given_name", "Familie": "family_name"})
    batch.run(store, CLI_OPERATOR, data, explicit)
    _, remembered = batch.read_mapping(store, CLI_OPERATOR, data, OPTIONS.defaults)
    assert remembered == {"Naam": "given_name", "Familie": "family_name"}
    _, other_source = batch.read_mapping(store, CLI_OPERATOR, data, Defaults(source_kind="market"))
    assert other_source == {}


def test_an_import_is_audited_without_personal_data(store):
    report = batch.run(store, CLI_OPERATOR, csv_data(GOOD), OPTIONS)
    with store.read() as cur:
        events = cur.execute("SELECT action, record_type, record_id, result FROM audit_event "
                             "WHERE action = 'person.import'").fetchall()
        batch_row = cur.execute("SELECT * FROM import_batch").fetchall()
    assert events == [("person.import", "import_batch", report.batch_id, "rows=3 added=3")]
    assert not [value for value in map(str, batch_row[0]) if "Amal" in value or "0612" in value]


@pytest.mark.parametrize("role", ["outreach", "coordinator", "kiosk"])
def test_only_managers_and_admins_import(store, role):
    with pytest.raises(PermissionDenied):
        batch.run(store, Actor(None, role), csv_data(GOOD), OPTIONS)
    assert stored_names(store) == []


@given(st.binary(max_size=300))
def test_any_bytes_read_as_a_sheet_or_a_plain_refusal(data):
    try:
        sheet = reader.read(data)
    except ImportRefused:
        return
    assert all(len(row) == len(sheet.headers) for row in sheet.rows)


_CELL = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)


@given(st.lists(st.lists(_CELL, min_size=3, max_size=3), min_size=1, max_size=5),
       st.sampled_from([",", ";"]), st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_a_written_table_reads_back_cell_for_cell(rows, separator, encoding):
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    header = ["voornaam", "achternaam", "telefoon"]
    sheet = reader.read(csv_data(rows, separator=separator, encoding=encoding, header=header))
    assert sheet.rows == [[cell.replace("\r\n", "\n").replace("\r", "\n") for cell in row] for row in rows] \
        or sheet.rows == rows
