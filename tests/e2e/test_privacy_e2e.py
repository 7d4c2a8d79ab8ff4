"""An administrator erases a person in Chromium on a real server while an outreach worker keeps working in
another browser: the confirmation shows what goes, the store is compacted under the running app, the other
session carries on, and the person's values are in neither the file nor the server's log."""
from __future__ import annotations

import pytest
from e2e_kit import (
    DESKTOP,
    PASSWORD,
    TIMEOUT_MS,
    Server,
    add_user,
    copy_store,
    key,
    log_in,
    main_area,
    press,
    t,
    tn,
    type_into,
)
from playwright.sync_api import expect

from crm_app.access.audit import CLI_OPERATOR
from crm_app.core.store import Store
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput

pytestmark = pytest.mark.e2e

ADMIN = ("ada", "Ada Admin")
CANARY_GIVEN, CANARY_FAMILY = "Zqvmaristella", "Kwyxbarnabetti"
CANARY_NOTE = "NOTE-CANARY-e2e-4f1e"


@pytest.fixture
def privacy_server(e2e_dir, template_store):
    db = e2e_dir / "privacy.duckdb"
    copy_store(template_store, db)
    store = Store(db)
    try:
        add_user(store, ADMIN[0], ADMIN[1], "admin", PASSWORD)
        for index in range(20):
            persons.register(store, CLI_OPERATOR, PersonInput(given_name="Amal", family_name=f"Haddad{chr(97 + index)}"),
                             SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True)
        canary = persons.register(store, CLI_OPERATOR, PersonInput(
            given_name=CANARY_GIVEN, family_name=CANARY_FAMILY, note=CANARY_NOTE),
            SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id
    finally:
        store.close()
    srv = Server(db, e2e_dir / "privacy.log")
    srv.canary_id = canary
    srv.db = db
    yield srv
    srv.stop()


def test_erase_under_a_running_app_with_another_session_at_work(browser, privacy_server, outreach_login):
    admin_ctx, outreach_ctx = browser.new_context(**DESKTOP), browser.new_context(**DESKTOP)
    admin_ctx.set_default_timeout(TIMEOUT_MS)
    outreach_ctx.set_default_timeout(TIMEOUT_MS)
    try:
        admin, worker = admin_ctx.new_page(), outreach_ctx.new_page()
        log_in(worker, privacy_server.url, outreach_login[0])
        log_in(admin, privacy_server.url, ADMIN[0])
        admin.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav.privacy"), exact=True).click()
        expect(admin.get_by_role("heading", name=t("privacy.title"))).to_be_visible()

        type_into(admin, "privacy_person_id", str(privacy_server.canary_id))
        press(admin, "privacy_erase_preview")
        confirmation = key(admin, "privacy_erase_confirmation")
        expect(confirmation).to_contain_text(f"{CANARY_GIVEN} {CANARY_FAMILY}")
        expect(confirmation).to_contain_text(t("privacy.kind.consents"))

        worker.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav.find"), exact=True).click()
        press(admin, "privacy_erase_confirm")
        expect(main_area(admin).get_by_text(t("privacy.erased_pending", id=privacy_server.canary_id),
                                            exact=False)).to_be_visible()
        # the rows are gone at once: the other session no longer finds the person, without waiting for a rewrite
        type_into(worker, "find_query", CANARY_GIVEN)
        expect(main_area(worker)).to_contain_text(t("find.none"))

        # the file still owes its rewrite: the admin sees it and does it now
        expect(key(admin, "privacy_compaction")).to_contain_text(
            tn("privacy.compaction_pending", 1, since="{s}").split("{s}")[0])
        press(admin, "privacy_compact_now")
        expect(key(admin, "privacy_compaction")).to_contain_text(t("privacy.compaction_none"))
        expect(main_area(admin).get_by_text(t("privacy.compacted", seconds="{s}").split("{s}")[0],
                                            exact=False)).to_be_visible()

        # the other session keeps working on the compacted store
        type_into(worker, "find_query", "Haddadt")   # a table shows the rows in view: one Amal, not twenty
        expect(main_area(worker)).to_contain_text("Haddadt")
        type_into(worker, "find_query", CANARY_GIVEN)
        expect(main_area(worker)).to_contain_text(t("find.none"))
    finally:
        admin_ctx.close()
        outreach_ctx.close()
    privacy_server.stop()
    log = privacy_server.output()
    folder_bytes = b"".join(p.read_bytes() for p in privacy_server.db.parent.glob(privacy_server.db.name + "*"))
    for value in (CANARY_GIVEN, CANARY_FAMILY, CANARY_NOTE):
        assert value not in log
        assert value.encode() not in folder_bytes
