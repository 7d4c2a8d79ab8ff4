"""Backups that can be trusted: private files with a manifest of counts and checksums, checked on restore; a daily
backup made by the running app, keeping the newest N; a damaged store refused at opening, never silently repaired.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import threading

import duckdb
import pytest

from crm_app.access.audit import CLI_OPERATOR
from crm_app.cli import main as cli
from crm_app.core import fingerprints, night, settings
from crm_app.core.errors import BackupDamaged, StoreDamaged, ValidationError
from crm_app.core.store import Store
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput
from crm_app.privacy import backups, erasure

# 00:30 and 01:30 in Amsterdam on a winter day (UTC+1)
BEFORE_ONE = dt.datetime(2026, 12, 1, 23, 30) - dt.timedelta(days=1)
AFTER_ONE = dt.datetime(2026, 12, 1, 0, 30)


def register(store, given: str) -> int:
    return persons.register(store, CLI_OPERATOR, PersonInput(given_name=given, family_name="Haddad", consent_contact=True),
                            SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id


def table_counts(path) -> dict[str, int]:
    return {name: table["rows"] for name, table in fingerprints.of_file(path).items()}


def test_a_backup_is_private_and_its_manifest_holds_every_tables_count(store, tmp_path):
    for given in ("Amal", "Bilal", "Chen"):
        register(store, given)
    target = backups.backup(store, CLI_OPERATOR, tmp_path / "out" / "b.duckdb")
    manifest = fingerprints.manifest_path(target)
    assert oct(target.stat().st_mode & 0o777) == "0o600" and oct(manifest.stat().st_mode & 0o777) == "0o600"
    tables = json.loads(manifest.read_text())["tables"]
    with store.read() as cur:
        assert tables["person"]["rows"] == cur.execute("SELECT count(*) FROM person").fetchone()[0] == 3
        # the backup's own audit event is written after the copy
        assert tables["audit_event"]["rows"] == cur.execute("SELECT count(*) FROM audit_event").fetchone()[0] - 1
    assert set(tables) >= {"person", "consent", "audit_event", "schema_migration"}
    assert sorted(p.name for p in target.parent.iterdir()) == ["b.duckdb", "b.duckdb.manifest.json"]


def test_a_backup_changed_after_it_was_made_is_refused_and_the_store_is_untouched(store, tmp_path):
    register(store, "Amal")
    target = backups.backup(store, CLI_OPERATOR, tmp_path / "b.duckdb")
    store.close()
    before = (tmp_path / "crm.duckdb").read_bytes()
    con = duckdb.connect(str(target))
    con.execute("UPDATE person SET given_name = 'Bilal'")      # same count, other checksum
    con.close()
    with pytest.raises(BackupDamaged) as refused:
        backups.restore(CLI_OPERATOR, target, tmp_path / "crm.duckdb")
    assert refused.value.params["tables"] == "person"
    assert (tmp_path / "crm.duckdb").read_bytes() == before


def test_restore_drill_backup_under_load_restored_in_a_fresh_folder(store, tmp_path):
    """Backup while eight threads register people; the restored copy equals the manifest table by table, and a
    person erased after the backup stays erased."""
    register(store, "Amal")
    stop, made, failed = threading.Event(), [], []

    def keep_registering(n: int) -> None:
        try:
            while not stop.is_set():
                made.append(register(store, "Zoë" + "abcdefgh"[n]))
        except Exception as exc:
            failed.append(exc)

    workers = [threading.Thread(target=keep_registering, args=(n,)) for n in range(8)]
    for worker in workers:
        worker.start()
    try:
        target = backups.backup(store, CLI_OPERATOR, tmp_path / "backups" / "drill.duckdb")
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    assert not failed and made
    expected = fingerprints.read_manifest(target)
    in_backup = duckdb.connect(str(target), read_only=True).execute("SELECT min(id) FROM person").fetchone()[0]
    erasure.erase(store, CLI_OPERATOR, in_backup)
    store.close()

    elsewhere = tmp_path / "elsewhere" / "crm.duckdb"
    shutil.copyfile(tmp_path / "crm.duckdb.erasures.jsonl", tmp_path / "journal-copy")
    elsewhere.parent.mkdir()
    shutil.copyfile(tmp_path / "journal-copy", elsewhere.with_name("crm.duckdb.erasures.jsonl"))
    restored = backups.restore(CLI_OPERATOR, target, elsewhere)
    assert restored.verified and restored.erasures_reapplied == 1 and restored.damaged_kept is None
    after = Store(elsewhere)
    try:
        with after.read() as cur:
            assert cur.execute("SELECT count(*) FROM person WHERE id = ?", [in_backup]).fetchone()[0] == 0
            assert cur.execute("SELECT count(*) FROM person").fetchone()[0] == expected["person"]["rows"] - 1
    finally:
        after.close()


def test_the_daily_backup_is_made_once_a_day_from_one_oclock_and_keeps_the_newest(store, tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_BACKUP_DIR", str(tmp_path / "daily"))
    store.write(settings.set_value, "backup_keep", 2)
    assert backups.scheduled(store, BEFORE_ONE) is None
    first = backups.scheduled(store, AFTER_ONE)
    assert first is not None and first.parent == tmp_path / "daily"
    assert backups.scheduled(store, AFTER_ONE + dt.timedelta(hours=5)) is None      # the same local day
    for day in (1, 2):
        assert backups.scheduled(store, AFTER_ONE + dt.timedelta(days=day)) is not None
    kept = backups.backups_in(tmp_path / "daily")
    assert len(kept) == 2 and first not in kept and not fingerprints.manifest_path(first).exists()
    plan = backups.schedule(store)
    assert (plan.keep, plan.last_file, plan.last_failure_utc) == (2, kept[0].name, None)
    assert plan.last_success_utc == AFTER_ONE + dt.timedelta(days=2)

    store.write(settings.set_value, "backup_keep", 0)                              # switched off
    assert backups.scheduled(store, AFTER_ONE + dt.timedelta(days=3)) is None


def test_a_failed_daily_backup_is_recorded_not_raised(store, tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    monkeypatch.setenv("CRM_BACKUP_DIR", str(blocked / "daily"))
    assert backups.scheduled(store, AFTER_ONE) is None
    monkeypatch.setenv("CRM_BACKUP_DIR", str(tmp_path / "daily"))
    (tmp_path / "daily").mkdir()
    (tmp_path / "daily" / backups.STATUS_FILE).write_text(json.dumps({"last_failure_utc": AFTER_ONE.isoformat(),
                                                                     "last_error": "OSError"}))
    plan = backups.schedule(store)
    assert (plan.last_error, plan.last_failure_utc, plan.last_success_utc) == ("OSError", AFTER_ONE, None)


def test_how_many_to_keep_is_a_limited_audited_setting(store):
    backups.set_keep(store, CLI_OPERATOR, 30)
    with store.read() as cur:
        assert settings.get(cur, "backup_keep") == 30
        assert cur.execute("SELECT count(*) FROM audit_event WHERE action = 'setting.change' "
                           "AND result = 'backup_keep'").fetchone()[0] == 1
    with pytest.raises(ValidationError):
        backups.set_keep(store, CLI_OPERATOR, 1000)


def test_the_timed_jobs_run_every_job_and_end_with_the_store():
    class Dummy:
        path = None
    seen = []
    store = Dummy()
    jobs = night.TimedJobs(store, (lambda s: seen.append("compact"), lambda s: seen.append("backup")), interval=0.01)
    jobs.start()
    while len(seen) < 4:
        pass
    del store
    jobs.join(timeout=5)
    assert not jobs.is_alive() and seen[:4] == ["compact", "backup", "compact", "backup"]


# -- a damaged store --------------------------------------------------------------------------------------
LEAVE_A_WAL = """
import os, sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("SET checkpoint_threshold = '1GB'")
con.execute("PRAGMA disable_checkpoint_on_shutdown")
con.execute("INSERT INTO app_setting VALUES ('offer_deadline_days', '20', now())")
os._exit(0)     # as if the server was killed: the change is only in the WAL
"""


def damaged_wal(tmp_path, store) -> tuple:
    path = store.path
    store.close()
    subprocess.run([sys.executable, "-c", LEAVE_A_WAL, str(path)], check=True)
    wal = path.with_name(path.name + ".wal")
    data = bytearray(wal.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 40] = bytes(b ^ 0xFF for b in data[middle:middle + 40])
    wal.write_bytes(bytes(data))
    return path, wal


def test_a_damaged_wal_is_refused_at_opening_and_kept(store, tmp_path):
    path, wal = damaged_wal(tmp_path, store)
    damaged_bytes = wal.read_bytes()
    with pytest.raises(StoreDamaged):
        Store(path)
    assert wal.read_bytes() == damaged_bytes          # nothing deleted or repaired behind the operator's back
    assert cli.main(["--db", str(path), "person", "find", "x"]) == 1


def test_restoring_over_a_damaged_store_keeps_the_damaged_file_aside(store, tmp_path, capsys):
    register(store, "Amal")
    target = backups.backup(store, CLI_OPERATOR, tmp_path / "b.duckdb")
    path, wal = damaged_wal(tmp_path, store)
    assert cli.main(["--db", str(path), "--json", "restore", str(target)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["verified"] is True and result["damaged_kept"]
    kept = result["damaged_kept"]
    assert os.path.exists(kept) and os.path.exists(kept + ".wal")
    reopened = Store(path)
    try:
        with reopened.read() as cur:
            assert cur.execute("SELECT count(*) FROM person").fetchone()[0] == table_counts(target)["person"]
    finally:
        reopened.close()
