"""The audit key lives outside the store: a key file beside it (made at `crm init` or the first event) or
CRM_AUDIT_KEY. A missing or wrong key is refused before anything is appended; an existing store with a
plain-sha256 chain is keyed by one event whose HMAC covers the old chain.
"""
from __future__ import annotations

import json
import shutil

import pytest

from crm_app.access import audit, audit_key
from crm_app.access.audit import CLI_OPERATOR
from crm_app.cli.main import main
from crm_app.core import store as store_module
from crm_app.core.errors import CrmError
from crm_app.core.paths import SCHEMA_DIR
from crm_app.core.store import Store


@pytest.fixture
def no_key_env(monkeypatch):
    monkeypatch.delenv(audit_key.ENV, raising=False)


def _rows(store, sql, params=None):
    with store.read() as cur:
        return cur.execute(sql, params or []).fetchall()


def _exec(store, sql, params=None):
    with store.read() as cur:
        cur.execute(sql, params or [])


def test_crm_init_makes_an_owner_only_key_file_beside_the_store(tmp_path, no_key_env, capsys):
    db = tmp_path / "crm.duckdb"
    assert main(["--db", str(db), "--lang", "en", "--json", "init"]) == 0
    out = json.loads(capsys.readouterr().out)
    key_file = tmp_path / "crm.duckdb.audit-key"
    assert out["audit_key_file"] == str(key_file)
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert len(key_file.read_text().strip()) == 64
    assert main(["--db", str(db), "--lang", "en", "audit", "verify"]) == 0
    assert "intact (1 events checked)" in capsys.readouterr().out
    # Running init again keeps the key and the chain.
    before = key_file.read_bytes()
    assert main(["--db", str(db), "--lang", "en", "init"]) == 0
    assert "audit key: " in capsys.readouterr().out and key_file.read_bytes() == before
    store = Store(db)
    try:
        assert _rows(store, "SELECT action FROM audit_event") == [(audit.KEYED_START,)]
    finally:
        store.close()


def test_the_first_event_of_a_new_store_makes_the_key_file(tmp_path, no_key_env):
    store = Store(tmp_path / "crm.duckdb")
    try:
        store.write(audit.record, CLI_OPERATOR, "user.add", "app_user", 1)
        assert (tmp_path / "crm.duckdb.audit-key").exists()
        assert [r[0] for r in _rows(store, "SELECT action FROM audit_event ORDER BY id")] == [
            audit.KEYED_START, "user.add"]
        assert audit.verify(store) == audit.VerifyResult(True, 2)
    finally:
        store.close()


def test_a_key_in_the_environment_needs_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv(audit_key.ENV, "k" * 40)
    store = Store(tmp_path / "crm.duckdb")
    try:
        store.write(audit.record, CLI_OPERATOR, "login")
        assert not (tmp_path / "crm.duckdb.audit-key").exists()
        assert audit.verify(store).ok
        monkeypatch.setenv(audit_key.ENV, "k" * 10)
        with pytest.raises(CrmError) as info:
            store.write(audit.record, CLI_OPERATOR, "login")
        assert (info.value.code, info.value.params) == ("audit_key_too_short", {"length": 32})
    finally:
        store.close()


def test_a_lost_key_file_stops_writes_and_verify_says_why(tmp_path, no_key_env):
    store = Store(tmp_path / "crm.duckdb")
    try:
        store.write(audit.record, CLI_OPERATOR, "login")
        (tmp_path / "crm.duckdb.audit-key").unlink()
        with pytest.raises(CrmError) as info:
            store.write(audit.record, CLI_OPERATOR, "logout")
        assert info.value.code == "audit_key_missing"
        assert not (tmp_path / "crm.duckdb.audit-key").exists(), "no new key for a chain keyed with another"
        assert _rows(store, "SELECT count(*) FROM audit_event WHERE action = 'logout'") == [(0,)]
        assert audit.verify(store) == audit.VerifyResult(False, 0, None, "no_key")
    finally:
        store.close()


def test_a_wrong_key_is_refused_before_anything_is_appended(tmp_path, monkeypatch):
    monkeypatch.setenv(audit_key.ENV, "a" * 40)
    store = Store(tmp_path / "crm.duckdb")
    try:
        store.write(audit.record, CLI_OPERATOR, "login")
        monkeypatch.setenv(audit_key.ENV, "b" * 40)
        with pytest.raises(CrmError) as info:
            store.write(audit.record, CLI_OPERATOR, "logout")
        assert info.value.code == "audit_key_mismatch"
        assert audit.verify(store) == audit.VerifyResult(False, 0, None, "wrong_key")
        monkeypatch.setenv(audit_key.ENV, "a" * 40)
        assert audit.verify(store) == audit.VerifyResult(True, 2)
    finally:
        store.close()


def test_a_store_with_a_plain_sha256_chain_is_keyed_at_its_next_event(tmp_path, monkeypatch):
    """A store from before the key: pre-chain rows (no hash), then a plain-sha256 chain with a gap in its ids
    (the sequence skipped a rolled-back value). The next event keys it; the old part stays as it was and
    can no longer be rewritten, because the keyed start's HMAC covers its last hash."""
    old_schemas = tmp_path / "schemas-unkeyed"
    old_schemas.mkdir()
    for path in SCHEMA_DIR.glob("*.sql"):
        if path.name != "011_audit_key.sql":
            shutil.copyfile(path, old_schemas / path.name)
    db = tmp_path / "crm.duckdb"
    monkeypatch.setattr(store_module, "SCHEMA_DIR", old_schemas)
    old = Store(db)
    _exec(old, "INSERT INTO audit_event (id, occurred_utc, action, result, origin) VALUES (1, now(), 'login', 'ok', "
               "'cli')")
    prev = None
    for event_id in (2, 3, 5, 6):
        occurred = _rows(old, "SELECT now()::TIMESTAMP")[0][0]
        digest = audit.event_hash(prev, event_id, occurred, None, "person.view", "person", event_id, "ok", "cli")
        _exec(old, "INSERT INTO audit_event (id, occurred_utc, action, record_type, record_id, result, origin, "
                   "prev_hash, event_hash) VALUES (?, ?, 'person.view', 'person', ?, 'ok', 'cli', ?, ?)",
              [event_id, occurred, event_id, prev, digest])
        prev = digest
    _exec(old, "UPDATE audit_head SET last_id = 6, last_hash = ?", [prev])
    for _ in range(6):
        _exec(old, "SELECT nextval('audit_event_id_seq')")
    old.close()

    monkeypatch.setattr(store_module, "SCHEMA_DIR", SCHEMA_DIR)
    store = Store(db)
    try:
        assert audit.verify(store) == audit.VerifyResult(False, 0, None, "not_keyed")
        store.write(audit.record, CLI_OPERATOR, "login")
        events = _rows(store, "SELECT id, action, result, prev_hash FROM audit_event WHERE id > 6 ORDER BY id")
        assert events[0] == (7, audit.KEYED_START, "legacy_events=5", prev)
        assert events[1][:2] == (8, "login")
        assert audit.verify(store) == audit.VerifyResult(True, 6)     # 4 plain, the keyed start, the login
        # Rewriting the old part with plain sha256 no longer passes: the keyed start still points to the old hash.
        _exec(store, "DELETE FROM audit_event WHERE id = 3")
        rows = _rows(store, "SELECT id, occurred_utc, record_id FROM audit_event WHERE id IN (5, 6) ORDER BY id")
        relinked = _rows(store, "SELECT event_hash FROM audit_event WHERE id = 2")[0][0]
        for event_id, occurred, record_id in rows:
            digest = audit.event_hash(relinked, event_id, occurred, None, "person.view", "person", record_id, "ok",
                                      "cli")
            _exec(store, "UPDATE audit_event SET prev_hash = ?, event_hash = ? WHERE id = ?",
                  [relinked, digest, event_id])
            relinked = digest
        result = audit.verify(store)
        assert (result.ok, result.first_bad_id, result.reason) == (False, 7, "previous_hash_mismatch")
    finally:
        store.close()
