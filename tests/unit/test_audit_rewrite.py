"""Someone with write access to the store file rewrites the audit log with plain SQL: each rewrite must make
`verify` fail, and what cannot be seen inside the store (the newest events cut off with the head) is caught
by comparing with the heads exported outside it. Every test works on a real store file through SQL.
"""
from __future__ import annotations

import json
import logging
import os

import pytest

from crm_app import maintenance
from crm_app.access import audit, audit_heads, audit_key
from crm_app.access.audit import CLI_OPERATOR
from crm_app.cli.main import main
from crm_app.core.store import Store


def _rows(store, sql, params=None):
    with store.read() as cur:
        return cur.execute(sql, params or []).fetchall()


def _exec(store, sql, params=None):
    with store.read() as cur:
        cur.execute(sql, params or [])


@pytest.fixture
def chained(store) -> list[int]:
    for n in range(6):
        store.write(audit.record, CLI_OPERATOR, "person.view", "person", n + 1)
    ids = [r[0] for r in _rows(store, "SELECT id FROM audit_event ORDER BY id")]
    assert audit.verify(store).ok
    return ids


def _rechain(store, key: bytes | None) -> None:
    """Recompute every hash in id order, as a forger would after deleting or editing rows, and move the head."""
    rows = _rows(store, "SELECT id, occurred_utc, user_id, action, record_type, record_id, result, origin "
                        "FROM audit_event ORDER BY id")
    prev = None
    for event_id, occurred, user_id, action, rtype, rid, result, origin in rows:
        digest = audit.event_hash(prev, event_id, occurred, user_id, action, rtype, rid, result, origin, key)
        _exec(store, "UPDATE audit_event SET prev_hash = ?, event_hash = ? WHERE id = ?", [prev, digest, event_id])
        prev = digest
    _exec(store, "UPDATE audit_head SET last_id = ?, last_hash = ?", [rows[-1][0], prev])


def test_every_hash_nulled_and_events_deleted_fails(store, chained):
    _exec(store, "DELETE FROM audit_event WHERE id IN (?, ?)", [chained[1], chained[4]])
    _exec(store, "UPDATE audit_event SET prev_hash = NULL, event_hash = NULL")
    _exec(store, "UPDATE audit_head SET last_id = NULL, last_hash = NULL")
    assert audit.verify(store) == audit.VerifyResult(False, 0, None, "not_keyed")
    _exec(store, "UPDATE audit_head SET key_check = NULL")      # the head's key check wiped too
    assert audit.verify(store) == audit.VerifyResult(False, 0, None, "not_keyed")


def test_an_empty_log_fails(store, chained):
    _exec(store, "DELETE FROM audit_event")
    _exec(store, "UPDATE audit_head SET last_id = NULL, last_hash = NULL, key_check = NULL")
    assert audit.verify(store) == audit.VerifyResult(False, 0, None, "empty")


def test_one_nulled_hash_fails(store, chained):
    _exec(store, "UPDATE audit_event SET event_hash = NULL WHERE id = ?", [chained[3]])
    result = audit.verify(store)
    assert (result.ok, result.first_bad_id, result.reason) == (False, chained[3], "hash_missing")


def test_a_deleted_event_rechained_with_plain_sha256_fails(store, chained):
    _exec(store, "DELETE FROM audit_event WHERE id = ?", [chained[3]])
    _rechain(store, None)
    result = audit.verify(store)
    assert (result.ok, result.reason) == (False, "hash_mismatch")
    assert result.first_bad_id == chained[0], "the keyed start cannot be recomputed without the key"


def test_a_plain_rechain_without_the_keyed_start_fails(store, chained):
    _exec(store, "DELETE FROM audit_event WHERE action = ?", [audit.KEYED_START])
    _exec(store, "DELETE FROM audit_event WHERE id = ?", [chained[3]])
    _rechain(store, None)
    assert audit.verify(store) == audit.VerifyResult(False, len(chained) - 2, None, "not_keyed")


def test_a_deleted_event_rechained_with_another_key_fails(store, chained):
    _exec(store, "DELETE FROM audit_event WHERE id = ?", [chained[3]])
    _rechain(store, b"not the key of this store, but long enough")
    result = audit.verify(store)
    assert (result.ok, result.first_bad_id, result.reason) == (False, chained[0], "hash_mismatch")
    # A forger who also writes their key's check into the head is told apart before any event is read.
    _exec(store, "UPDATE audit_head SET key_check = ?", [audit_key.check_value(b"not the key of this store, but "
                                                                               b"long enough")])
    assert audit.verify(store) == audit.VerifyResult(False, 0, None, "wrong_key")


def test_a_rolled_back_event_leaves_no_gap(store, chained):
    class Refusal(Exception):
        pass

    def work(cur):
        audit.record(cur, CLI_OPERATOR, "person.edit", "person", 1)
        raise Refusal()

    with pytest.raises(Refusal):
        store.write(work)
    store.write(audit.record, CLI_OPERATOR, "person.view", "person", 1)
    assert _rows(store, "SELECT max(id) FROM audit_event") == [(chained[-1] + 1,)]
    assert audit.verify(store).ok


def test_a_gap_in_the_ids_fails_even_with_the_links_repaired(store, chained, monkeypatch):
    # Only the key's holder can relink; the gap check then still finds the missing event.
    _exec(store, "DELETE FROM audit_event WHERE id = ?", [chained[3]])
    _rechain(store, os.environ[audit_key.ENV].encode())
    result = audit.verify(store)
    assert (result.ok, result.first_bad_id, result.reason) == (False, chained[4], "gap")


def test_the_newest_events_cut_off_with_the_head_are_caught_by_the_exported_head(store, chained):
    exported = audit_heads.export(store)
    assert exported is not None and exported.event_id == chained[-1]
    _exec(store, "DELETE FROM audit_event WHERE id >= ?", [chained[-2]])
    (last_hash,) = _rows(store, "SELECT event_hash FROM audit_event WHERE id = ?", [chained[-3]])[0]
    _exec(store, "UPDATE audit_head SET last_id = ?, last_hash = ?", [chained[-3], last_hash])
    assert audit.verify(store).ok, "inside the store a cut-off end looks whole"
    heads = [(h.event_id, h.event_hash) for h in audit_heads.read(audit_heads.heads_file(store.path))]
    assert audit.verify(store, heads) == audit.VerifyResult(False, len(chained) - 2, chained[-1],
                                                             "exported_head_missing")


def test_a_rewrite_with_the_stolen_key_is_caught_by_the_exported_head(store, chained):
    audit_heads.export(store)
    _exec(store, "UPDATE audit_event SET record_id = 99 WHERE id = ?", [chained[2]])
    _rechain(store, os.environ[audit_key.ENV].encode())
    assert audit.verify(store).ok
    heads = [(h.event_id, h.event_hash) for h in audit_heads.read(audit_heads.heads_file(store.path))]
    result = audit.verify(store, heads)
    assert (result.ok, result.first_bad_id, result.reason) == (False, chained[-1], "exported_head_mismatch")


# -- the exported heads ---------------------------------------------------------------------------------
def test_the_daily_upkeep_appends_the_head_once_and_logs_it(store, chained, caplog):
    path = audit_heads.heads_file(store.path)
    assert path.name == "crm.duckdb.audit-heads.log" and path.parent == store.path.parent
    with caplog.at_level(logging.INFO, logger="crm_app.access.audit_heads"):
        maintenance.run_due(store)
        maintenance.run_due(store)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    head_id, head_hash = audit.head(store)
    assert [(line["id"], line["hash"]) for line in lines] == [(head_id, head_hash)]
    assert lines[0]["time"].endswith("Z")
    assert [r.getMessage() for r in caplog.records] == [
        f"audit head: event {head_id}, hash {head_hash}, at {lines[0]['time']}"]
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    store.write(audit.record, CLI_OPERATOR, "person.view", "person", 1)
    maintenance.run_due(store)
    assert len(path.read_text().splitlines()) == 2, "a new head is appended; the old line stays"


def test_the_export_logs_an_error_when_the_chain_lost_the_last_exported_head(store, chained, caplog):
    audit_heads.export(store)
    _exec(store, "DELETE FROM audit_event WHERE id = ?", [chained[-1]])
    (last_hash,) = _rows(store, "SELECT event_hash FROM audit_event WHERE id = ?", [chained[-2]])[0]
    _exec(store, "UPDATE audit_head SET last_id = ?, last_hash = ?", [chained[-2], last_hash])
    with caplog.at_level(logging.INFO, logger="crm_app.access.audit_heads"):
        audit_heads.export(store)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and f"event {chained[-1]}" in errors[0]


def test_the_upkeep_goes_on_with_a_damaged_or_unwritable_heads_file(store, chained, tmp_path, monkeypatch, caplog):
    path = audit_heads.heads_file(store.path)
    path.write_text('{"id": 1, "ha\n')
    with caplog.at_level(logging.INFO, logger="crm_app.access.audit_heads"):
        maintenance.run_due(store)
    assert json.loads(path.read_text().splitlines()[-1])["id"] == chained[-1], "appended after the damaged line"
    assert any("cannot be read" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    caplog.clear()
    monkeypatch.setenv(audit_heads.ENV, str(tmp_path / "no-such-folder" / "heads.log"))
    store.write(audit.record, CLI_OPERATOR, "person.view", "person", 1)
    with caplog.at_level(logging.INFO, logger="crm_app.access.audit_heads"):
        maintenance.run_due(store)
    messages = [r.getMessage() for r in caplog.records]
    assert any("could not append" in m for m in messages)
    assert any(m.startswith(f"audit head: event {audit.head(store)[0]},") for m in messages), "the log line is kept"


def test_the_heads_file_can_be_set(store, chained, tmp_path, monkeypatch):
    elsewhere = tmp_path / "shipped" / "heads.log"
    elsewhere.parent.mkdir()
    monkeypatch.setenv(audit_heads.ENV, str(elsewhere))
    audit_heads.export(store)
    assert json.loads(elsewhere.read_text())["id"] == chained[-1]


# -- command line ---------------------------------------------------------------------------------------
def _cli(db, *args, capsys):
    code = main(["--db", str(db), "--lang", "en", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_cli_verify_fails_clearly_on_an_empty_log(store, chained, capsys):
    _exec(store, "DELETE FROM audit_event")
    _exec(store, "UPDATE audit_head SET last_id = NULL, last_hash = NULL")
    db = store.path
    store.close()
    code, out = _cli(db, "audit", "verify", capsys=capsys)
    assert code == 1 and "audit chain not in order: The audit log is empty." in out
    code, out = _cli(db, "audit", "head", capsys=capsys)
    assert code == 1 and "The audit log is empty." in out


def test_cli_head_then_verify_against_the_shipped_copy(store, chained, tmp_path, capsys):
    db = store.path
    store.close()
    code, out = _cli(db, "--json", "audit", "head", capsys=capsys)
    head = json.loads(out)
    assert code == 0 and head["id"] == chained[-1]
    shipped = tmp_path / "shipped-heads.log"
    shipped.write_bytes(audit_heads.heads_file(db).read_bytes())
    code, out = _cli(db, "audit", "verify", "--against", str(shipped), capsys=capsys)
    assert code == 0 and "still in the chain" in out

    cut = Store(db)
    _exec(cut, "DELETE FROM audit_event WHERE id = ?", [chained[-1]])
    (last_hash,) = _rows(cut, "SELECT event_hash FROM audit_event WHERE id = ?", [chained[-2]])[0]
    _exec(cut, "UPDATE audit_head SET last_id = ?, last_hash = ?", [chained[-2], last_hash])
    cut.close()
    assert _cli(db, "audit", "verify", capsys=capsys)[0] == 0
    code, out = _cli(db, "audit", "verify", "--against", str(shipped), capsys=capsys)
    assert code == 1 and f"broken at id {chained[-1]}: A head exported earlier is no longer in the chain" in out
    code, out = _cli(db, "--json", "audit", "verify", "--against", str(shipped), capsys=capsys)
    assert code == 1 and json.loads(out)["reason"] == "exported_head_missing"


def test_cli_verify_refuses_an_unreadable_heads_file(store, chained, tmp_path, capsys):
    db = store.path
    store.close()
    damaged = tmp_path / "heads.log"
    damaged.write_text('{"id": 3, "hash": "ab", "time": "2026-11-30T10:00:00Z"}\n{"id": 4, "ha\n')
    code, out = _cli(db, "audit", "verify", "--against", str(damaged), capsys=capsys)
    assert code == 1 and "Line 2 of" in out
    code, out = _cli(db, "audit", "verify", "--against", str(tmp_path / "missing.log"), capsys=capsys)
    assert code == 1 and "does not exist" in out
