"""The Privacy screen (administrators): erase with a confirmation that shows what goes, retention preview and
switch, backup; the subject-access download on the person page."""
from __future__ import annotations

import json

import pytest
from apptest_kit import count, main_text, t, tn, values

from crm_app.access import audit
from crm_app.access.audit import CLI_OPERATOR
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput
from crm_app.privacy import erasure

GIVEN, FAMILY = "Zqvmaristella", "Kwyxbarnabetti"


@pytest.fixture
def person_id(store):
    return persons.register(store, CLI_OPERATOR, PersonInput(given_name=GIVEN, family_name=FAMILY, consent_contact=True,
                                                             note="notitie kanarie"),
                            SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id


def test_erase_shows_what_goes_then_erases_after_confirmation(login, store, person_id):
    at = login("admin", "privacy")
    at.text_input(key="privacy_person_id").input(str(person_id))
    at.button(key="privacy_erase_preview").click().run()
    box = at.get_by_key("privacy_erase_confirmation")
    shown = main_text(box)
    assert GIVEN in shown and t("privacy.kind.consents") in shown
    assert count(store, "SELECT count(*) FROM person") == 1, "nothing is erased before the confirmation"

    at.button(key="privacy_erase_confirm").click().run()
    assert not at.exception
    assert values(at.main, "success") == [t("privacy.erased_pending", id=person_id)]
    assert count(store, "SELECT count(*) FROM person") == 0
    assert audit.verify(store).ok
    assert [e["person_id"] for e in erasure.journal(store.path)] == [person_id]

    # the rows are gone at once; the file is rewritten later, and the screen says so until it is
    owed = main_text(at.get_by_key("privacy_compaction"))
    assert tn("privacy.compaction_pending", 1, since="{s}").split("{s}")[0] in owed
    assert store.pending_compaction()["requests"] == 1
    at.button(key="privacy_compact_now").click().run()
    assert not at.exception
    [done] = values(at.main, "success")
    assert done.startswith(t("privacy.compacted", seconds="{s}").split("{s}")[0])
    assert t("privacy.compaction_none") in main_text(at.get_by_key("privacy_compaction"))
    assert store.pending_compaction() is None
    assert GIVEN.encode() not in store.path.read_bytes()


def test_cancel_erases_nothing_and_a_bad_number_is_refused(login, store, person_id):
    at = login("admin", "privacy")
    at.text_input(key="privacy_person_id").input(str(person_id))
    at.button(key="privacy_erase_preview").click().run()
    at.button(key="privacy_erase_cancel").click().run()
    assert not [b for b in at.button if b.key == "privacy_erase_confirm"]
    assert count(store, "SELECT count(*) FROM person") == 1
    at.text_input(key="privacy_person_id").input("abc").run()
    at.button(key="privacy_erase_preview").click().run()
    assert t("privacy.bad_id") in values(at.main, "error")
    at.text_input(key="privacy_person_id").input(str(person_id + 50)).run()
    at.button(key="privacy_erase_preview").click().run()
    assert t("err.person_not_found") in values(at.main, "error")


def test_retention_preview_before_switching_on(login, store, person_id):
    at = login("admin", "privacy")
    assert not [b for b in at.button if b.key == "privacy_retention_enable"], "no switch before a preview"
    at.button(key="privacy_retention_preview").click().run()
    assert t("privacy.retention_counts", candidates=0, alumni=0, entries=0) in main_text(at)
    at.button(key="privacy_retention_enable").click().run()
    assert t("privacy.retention_on") in main_text(at)
    at.button(key="privacy_retention_disable").click().run()
    assert t("privacy.retention_off") in main_text(at)


def test_backup_download(login, store, person_id):
    at = login("admin", "privacy")
    at.button(key="privacy_backup").click().run()
    assert not at.exception
    assert at.get_by_key("privacy_backup_download")
    assert [e["action"] for e in audit.search(store, CLI_OPERATOR, action="store.backup")] == ["store.backup"]


@pytest.mark.parametrize("role, allowed", [("program_manager", True), ("admin", True), ("outreach", False)])
def test_subject_access_button_on_the_person_page(login, store, person_id, role, allowed):
    at = login(role, "person", query={"id": str(person_id)})
    buttons = [b for b in at.button if b.key == "person_subject_access"]
    assert bool(buttons) == allowed
    if allowed:
        buttons[0].click().run()
        assert not at.exception
        assert at.get_by_key("person_subject_access_json") and at.get_by_key("person_subject_access_html")
        assert len(audit.search(store, CLI_OPERATOR, action="person.subject_access")) == 1
        document = at.session_state["person_subject_access_ready"][1]
        assert json.loads(document)["record"]["given_name"] == GIVEN


def test_a_database_error_in_a_callback_reaches_neither_screen_nor_log(login, store, caplog, capfd):
    """A unique-constraint error (DuckDB puts the duplicate email in its message) raised in the register
    page's save callback: the user sees no value, the log gets a code and the error's type only."""
    import logging

    from streamlit import config
    caplog.set_level(logging.DEBUG)
    value = "canary.dup.5521@example.org"
    persons.register(store, CLI_OPERATOR, PersonInput(given_name="Amal", email=value, consent_contact=True),
                     SourceInput(kind="market"), confirmed_new=True)
    store.write(lambda cur: cur.execute("CREATE UNIQUE INDEX person_email_unique ON person (email_key)"))
    previous = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "none")       # as .streamlit/config.toml sets it
    try:
        at = login("outreach", "register")
        at.text_input(key="register_given_name").input("Bilal")
        at.checkbox(key="register_consent_contact").check()
        at.text_input(key="register_email").input(value)
        at.button(key="register_submit").click().run()
        at.button(key="register_confirm_new").click().run()        # the duplicate panel: store a new one anyway
    finally:
        config.set_option("client.showErrorDetails", previous)
    assert count(store, "SELECT count(*) FROM person") == 1, "nothing was stored"
    shown = main_text(at) + "".join(str(e.value) for e in at.exception)
    captured = capfd.readouterr()
    for text in (shown, caplog.text, captured.err, captured.out):
        assert value not in text and "canary.dup" not in text
    assert "ConstraintException" in caplog.text + captured.err, "the log names the kind of error"


def test_retention_periods_can_be_changed_within_their_limits(login, store):
    from crm_app.privacy import retention
    at = login("admin", "privacy")
    at.number_input(key="privacy_retention_candidate_months").set_value(36)
    at.button(key="privacy_rules_save").click().run()
    assert values(at.main, "success") == [t("privacy.rules_saved")]
    assert retention.rules(store)["retention_candidate_months"] == 36
    at.number_input(key="privacy_retention_alumni_years").set_value(99)
    at.button(key="privacy_rules_save").click().run()
    assert retention.rules(store)["retention_alumni_years"] == 5, "out of range: nothing saved"
    assert "30" in main_text(at)


def test_a_damaged_erasure_journal_is_shown_with_its_line(login, store, person_id):
    other = persons.register(store, CLI_OPERATOR, PersonInput(given_name="Amal", family_name="Haddad",
                                                              consent_contact=True),
                             SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id
    erasure.erase(store, CLI_OPERATOR, person_id)
    erasure.erase(store, CLI_OPERATOR, other)
    journal_file = erasure.journal_path(store.path)
    lines = journal_file.read_text().splitlines()
    journal_file.write_text(lines[0] + "\n" + lines[1].replace('"request"', '"requesT"') + "\n")
    at = login("admin", "privacy")
    assert tn("privacy.journal_damaged", 1, line=2) in values(at.main, "error")
    assert t("privacy.journal", count=1) in main_text(at.main)


def test_the_daily_backups_show_where_how_many_and_the_last_outcome(login, store, tmp_path, monkeypatch):
    import datetime as dt

    from crm_app.core import settings
    from crm_app.privacy import backups
    monkeypatch.setenv("CRM_BACKUP_DIR", str(tmp_path / "daily"))
    backups.scheduled(store, dt.datetime(2026, 12, 1, 8, 0))
    at = login("admin", "privacy")
    text = main_text(at)
    assert "daily" in text and "crm-20261201-0900" in text    # the folder, and the file in the last outcome and the list
    assert len(at.dataframe) == 1
    assert at.number_input(key="privacy_backup_keep").value == 14
    at.number_input(key="privacy_backup_keep").set_value(400)
    at.button(key="privacy_backup_keep_save").click().run()
    with store.read() as cur:
        assert settings.get(cur, "backup_keep") == 14, "out of range: nothing saved"
    assert "365" in main_text(at)
    at.number_input(key="privacy_backup_keep").set_value(0)
    at.button(key="privacy_backup_keep_save").click().run()
    with store.read() as cur:
        assert settings.get(cur, "backup_keep") == 0
    assert t("privacy.backup_off") in main_text(at)


def test_a_damaged_store_shows_the_restore_message_and_nothing_else(crm_db):
    import os
    import subprocess
    import sys

    from apptest_kit import first_run, new_app

    from crm_app.ui.resources import get_store
    get_store().close()
    get_store.clear()
    leave_a_wal = ("import os, sys, duckdb\ncon = duckdb.connect(sys.argv[1])\n"
                   "con.execute(\"SET checkpoint_threshold = '1GB'\")\n"
                   "con.execute('PRAGMA disable_checkpoint_on_shutdown')\n"
                   "con.execute(\"INSERT INTO app_setting VALUES ('offer_deadline_days', '20', now())\")\nos._exit(0)\n")
    subprocess.run([sys.executable, "-c", leave_a_wal, str(crm_db)], check=True)
    wal = crm_db.with_name(crm_db.name + ".wal")
    data = bytearray(wal.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 40] = bytes(b ^ 0xFF for b in data[middle:middle + 40])
    wal.write_bytes(bytes(data))
    at = first_run(new_app())
    assert values(at.main, "error") == [t("err.store_damaged")]
    assert not at.exception and not at.text_input and os.path.exists(wal)
    wal.unlink()     # the test's own clean-up: the fixture opens the store once more to close it
