"""Import in the browser: a CSV with three bad rows, the refused rows downloaded, corrected, imported again."""
from __future__ import annotations

import csv
import io

import pytest
from e2e_kit import (
    DESKTOP,
    PASSWORD,
    TIMEOUT_MS,
    Server,
    add_user,
    choose,
    copy_store,
    key,
    log_in,
    logged_in_as,
    press,
    screenshot,
    t,
    tn,
)
from playwright.sync_api import expect

from crm_app.core.store import Store

pytestmark = pytest.mark.e2e
MANAGER = ("pim", "Pim Programma")
LIST = ("voornaam;achternaam;telefoon;toestemming contact\n"
        "Amal;Haddad;0612345678;ja\n"
        "Bilal2;Ahmadi;0623456789;ja\n"          # a digit in the name
        "Chloé;Müller;;\n"
        "Sara;Omar;06 12;ja\n"                   # a phone too short
        "Nora;Jansen;0645678901;\n")             # a phone without contact consent


@pytest.fixture
def manager_server(e2e_dir, template_store):
    db = e2e_dir / "import.duckdb"
    copy_store(template_store, db)
    store = Store(db)
    try:
        add_user(store, MANAGER[0], MANAGER[1], "program_manager", PASSWORD)
    finally:
        store.close()
    srv = Server(db, e2e_dir / "import.log")
    yield srv
    srv.stop()


def test_refused_rows_are_downloaded_corrected_and_imported(browser, manager_server, tmp_path):
    context = browser.new_context(**DESKTOP, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log_in(page, manager_server.url, MANAGER[0])
    logged_in_as(page, MANAGER[1])
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav.import"), exact=True).click()
    choose(page, "import_source", "Partner", t("label.source_kind.partner_org"))
    first = tmp_path / "lijst.csv"
    first.write_bytes(LIST.encode("cp1252"))
    key(page, "import_file").locator("input[type=file]").set_input_files(first)
    press(page, "import_submit")
    expect(key(page, "import_outcome")).to_contain_text(tn("import.done", 2))
    screenshot(page, "import_report")

    with page.expect_download() as event:
        key(page, "import_rejects").locator("button").click()
    refused = list(csv.reader(io.StringIO(event.value.path().read_bytes().decode("utf-8-sig"))))
    assert [row[0] for row in refused] == ["voornaam", "Bilal2", "Sara", "Nora"]
    assert all(row[-1] for row in refused[1:]), "each refused row says why"

    refused[1][0], refused[2][2], refused[3][3] = "Bilal", "06 34567890", "ja"
    fixed = tmp_path / "verbeterd.csv"
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(refused)
    fixed.write_text(buffer.getvalue(), encoding="utf-8-sig")
    key(page, "import_file").locator("input[type=file]").set_input_files(fixed)
    expect(key(page, "import_submit")).to_be_visible()
    press(page, "import_submit")
    expect(key(page, "import_outcome")).to_contain_text(tn("import.done", 3))
    expect(key(page, "import_outcome")).to_contain_text(tn("import.counts", 3, accepted=3, rejected=0, duplicate=0,
                                                           already_imported=0))
    context.close()
