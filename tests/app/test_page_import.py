"""The Import screen: upload, columns mapped from the header, check (nothing stored), import (the good rows
in), the report per row; the Export screen offers every kind; other roles do not get either screen."""
from __future__ import annotations

import pytest
from apptest_kit import count, main_text, t, tn

from crm_app.access import screens

LIST = ("Voornaam;Achternaam;Telefoon;Toestemming contact;Schoenmaat\n"
        "Amal;Haddad;0612345678;ja;38\n"
        "Bilal;Ahmadi;06 12;ja;44\n"
        "Chloé;Müller;;;39\n").encode("cp1252")


def upload(at, data=LIST, name="lijst.csv"):
    at.file_uploader(key="import_file").set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_check_then_import_takes_the_good_rows_and_reports_the_bad_one(login, store):
    at = upload(login("program_manager", "import"))
    at.selectbox(key="import_source").set_value("partner_org").run()
    assert [at.selectbox(key=f"import_map_{i}").value for i in range(5)] == [
        "given_name", "family_name", "phone", "consent_contact", ""]
    at.button(key="import_check").click().run()
    assert t("import.checked_only") in main_text(at)
    assert count(store, "SELECT count(*) FROM person") == 0
    report = at.dataframe[-1].value
    assert list(report[t("import.col.status")]) == [t("import.status.accepted"), t("import.status.rejected"),
                                                    t("import.status.accepted")]
    assert t("field.phone") in report[t("import.col.reason")][1]

    at.button(key="import_submit").click().run()
    assert not at.exception
    assert tn("import.done", 2) in main_text(at)
    assert count(store, "SELECT count(*) FROM person") == 2
    assert count(store, "SELECT count(*) FROM audit_event WHERE action = 'person.import'") == 1


def test_a_column_mapped_by_hand_is_used(login, store):
    at = upload(login("admin", "import"), b"Naam,Familie\nAmal,Haddad\n", "x.csv")
    at.selectbox(key="import_source").set_value("market").run()
    at.selectbox(key="import_map_0").set_value("given_name").run()
    at.selectbox(key="import_map_1").set_value("family_name").run()
    at.button(key="import_submit").click().run()
    with store.read() as cur:
        assert cur.execute("SELECT given_name, family_name FROM person").fetchall() == [("Amal", "Haddad")]


def test_a_file_that_is_no_spreadsheet_says_so(login, store):
    at = upload(login("admin", "import"), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "foto.csv")
    assert t("err.import_not_spreadsheet") in [e.value for e in at.error]


def test_export_offers_every_kind(login):
    at = login("program_manager", "export")
    assert not at.exception
    assert len(at.selectbox(key="export_kind").options) == 4


@pytest.mark.parametrize("role", ["outreach", "coordinator", "kiosk"])
def test_other_roles_get_neither_screen(role):
    assert not {"import", "export"} & {screen.key for screen in screens.screens_for(role)}
