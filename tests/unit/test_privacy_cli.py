"""The privacy commands: crm erase, subject-access, backup, restore, retention; database errors keep values out
of the terminal and the log."""
from __future__ import annotations

import json
import logging

import pytest

from crm_app.cli import main as cli
from crm_app.core.store import Store


def crm(db, *argv):
    return cli.main(["--db", str(db), "--json", *argv])


def out(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "crm.duckdb"


def add_person(db, capsys, given="Amal", *extra) -> int:
    assert crm(db, "person", "add", "--given-name", given, "--family-name", "Haddad", "--source", "market",
               "--consent", "contact", *extra) == 0
    return out(capsys)["id"]


def test_erase_dry_run_then_erase(db, capsys):
    pid = add_person(db, capsys, "Zqvmaristella")
    assert crm(db, "erase", str(pid), "--dry-run") == 0
    assert out(capsys)["would_remove"]["person"] == 1
    assert crm(db, "erase", str(pid)) == 0
    result = out(capsys)
    assert result["removed"]["consents"] == 1 and result["audit_chain_ok"] is True
    assert result["compaction_seconds"] >= 0
    assert b"Zqvmaristella" not in db.read_bytes()
    assert crm(db, "erase", str(pid)) == 1
    assert "Deze persoon bestaat niet." in capsys.readouterr().err


def test_subject_access_writes_json_and_html(db, tmp_path, capsys):
    pid = add_person(db, capsys)
    target = tmp_path / "out" / "amal.json"
    assert crm(db, "subject-access", str(pid), "-o", str(target)) == 1
    assert "bestaat niet" in capsys.readouterr().err
    target.parent.mkdir()
    assert crm(db, "subject-access", str(pid), "-o", str(target)) == 0
    assert out(capsys) == {"person_id": pid, "json": str(target), "html": str(target.with_suffix(".html"))}
    assert json.loads(target.read_text())["record"]["given_name"] == "Amal"
    assert "Amal" in target.with_suffix(".html").read_text()


def test_backup_restore_reports_reapplied_erasures(db, tmp_path, capsys):
    keep = add_person(db, capsys, "Amal")
    gone = add_person(db, capsys, "Bilal")
    backup = tmp_path / "backup.duckdb"
    assert crm(db, "backup", str(backup)) == 0
    assert out(capsys)["bytes"] > 0
    assert crm(db, "erase", str(gone)) == 0
    capsys.readouterr()
    assert crm(db, "restore", str(backup)) == 0
    assert out(capsys)["erasures_reapplied"] == 1
    store = Store(db)
    try:
        with store.read() as cur:
            assert [r[0] for r in cur.execute("SELECT id FROM person").fetchall()] == [keep]
    finally:
        store.close()
    assert crm(db, "restore", str(tmp_path / "missing.duckdb")) == 1
    assert "dit bestand bestaat niet" in capsys.readouterr().err


def test_retention_preview_shows_ids_not_names(db, capsys):
    add_person(db, capsys, "Zqvmaristella")
    assert crm(db, "retention", "--as-of", "2099-01-01") == 0
    data = out(capsys)
    assert data["counts"]["candidate_inactive"] == 1 and data["daily_job"] is False
    assert "Zqvmaristella" not in json.dumps(data)
    assert crm(db, "retention", "--as-of", "2099-01-01", "--enable") == 0
    assert out(capsys)["daily_job"] is True
    assert crm(db, "retention", "--as-of", "1-1-2099") == 1
    assert crm(db, "retention", "--as-of", "2099-01-01", "--apply", "--disable") == 0
    data = out(capsys)
    assert data["applied"]["persons_erased"] == 1 and data["daily_job"] is False


def test_a_database_error_carrying_a_value_reaches_neither_terminal_nor_log(db, capsys, caplog):
    """A constraint violation (DuckDB puts the duplicate value in its message) through the real CLI path."""
    caplog.set_level(logging.DEBUG)
    value = "canary.unique.7781@example.org"
    add_person(db, capsys, "Amal", "--email", value)
    store = Store(db)
    store.write(lambda cur: cur.execute("CREATE UNIQUE INDEX person_email_unique ON person (email_key)"))
    store.close()
    code = crm(db, "person", "add", "--given-name", "Bilal", "--source", "market", "--consent", "contact",
               "--email", value)
    captured = capsys.readouterr()
    assert code == 1
    assert "code" in captured.err.lower()
    for text in (captured.err, captured.out, caplog.text):
        assert value not in text and "canary.unique" not in text
    assert "ConstraintException" in caplog.text, "the log names the kind of error and a code"
