"""The tamper-evident audit log: every event chains to the one before it, and `verify` finds the
first event that was edited, deleted or forged; concurrent writers through one Store keep one chain.
"""
from __future__ import annotations

import dataclasses
import json
import shutil
import threading

import pytest

from crm_app.access import audit
from crm_app.access.audit import CLI_OPERATOR, Actor
from crm_app.cli.main import main
from crm_app.core import store as store_module
from crm_app.core.errors import PermissionDenied
from crm_app.core.paths import SCHEMA_DIR
from crm_app.core.store import Store
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput


def _rows(store, sql, params=None):
    with store.read() as cur:
        return cur.execute(sql, params or []).fetchall()


def _exec(store, sql, params=None):
    with store.read() as cur:
        cur.execute(sql, params or [])


def _realistic(store, actor) -> list[int]:
    ids = []
    for given, family in (("Amal", "Haddad"), ("Tesfay", "Ghebre"), ("Olena", "Kovalenko")):
        ids.append(persons.register(store, actor, PersonInput(given_name=given, family_name=family),
                                    SourceInput(kind="market", source_name="Markt Oost"),
                                    confirmed_new=True).person_id)
    person = persons.get(store, actor, ids[0])
    persons.update(store, actor, ids[0], dataclasses.replace(persons.to_input(person), given_name="Amaal"))
    persons.get(store, actor, ids[1])
    return ids


def test_each_event_links_to_the_previous_one(store, actor):
    _realistic(store, actor)
    rows = _rows(store, "SELECT id, prev_hash, event_hash FROM audit_event ORDER BY id")
    assert len(rows) >= 6
    assert all(len(h) == 64 for _, _, h in rows)
    for (_, _, before), (_, prev, _) in zip(rows, rows[1:]):
        assert prev == before
    assert _rows(store, "SELECT last_id, last_hash FROM audit_head") == [(rows[-1][0], rows[-1][2])]
    result = audit.verify(store)
    assert result.ok and result.events_checked == len(rows) and result.first_bad_id is None


def test_audit_rows_hold_no_personal_data(store, actor):
    _realistic(store, actor)
    text = repr(_rows(store, "SELECT * FROM audit_event"))
    for value in ("Amal", "Haddad", "Tesfay", "Ghebre", "Olena", "Kovalenko", "Markt", "Amaal"):
        assert value not in text


@pytest.fixture
def chained(store, actor):
    _realistic(store, actor)
    ids = [r[0] for r in _rows(store, "SELECT id FROM audit_event ORDER BY id")]
    assert audit.verify(store).ok
    return ids


def test_an_edited_action_is_found(store, chained):
    target = chained[3]
    _exec(store, "UPDATE audit_event SET action = 'person.view' WHERE id = ?", [target])
    result = audit.verify(store)
    assert (result.ok, result.first_bad_id, result.reason) == (False, target, "hash_mismatch")


def test_an_edited_result_with_a_hash_recomputed_without_the_key_is_found_at_that_event(store, chained):
    target = chained[2]
    (prev, occurred, user_id, action, rtype, rid, origin) = _rows(
        store, "SELECT prev_hash, occurred_utc, user_id, action, record_type, record_id, origin FROM audit_event "
               "WHERE id = ?", [target])[0]
    forged = audit.event_hash(prev, target, occurred, user_id, action, rtype, rid, "refused", origin)
    _exec(store, "UPDATE audit_event SET result = 'refused', event_hash = ? WHERE id = ?", [forged, target])
    result = audit.verify(store)
    assert (result.ok, result.first_bad_id, result.reason) == (False, target, "hash_mismatch")


def test_a_deleted_event_is_found(store, chained):
    target = chained[2]
    _exec(store, "DELETE FROM audit_event WHERE id = ?", [target])
    result = audit.verify(store)
    assert (result.ok, result.first_bad_id, result.reason) == (False, chained[3], "gap")


def test_deleting_the_newest_event_is_found_through_the_head(store, chained):
    _exec(store, "DELETE FROM audit_event WHERE id = ?", [chained[-1]])
    result = audit.verify(store)
    assert (result.ok, result.first_bad_id, result.reason) == (False, chained[-1], "head_mismatch")


def test_a_forged_event_is_found(store, chained):
    # A forger who knows the scheme inserts a row between two events with a valid-looking hash.
    (prev,) = _rows(store, "SELECT event_hash FROM audit_event WHERE id = ?", [chained[1]])[0]
    forged_id = 100_000
    occurred = _rows(store, "SELECT occurred_utc FROM audit_event WHERE id = ?", [chained[1]])[0][0]
    # Ids are unique, so a forged row either goes after the head or takes a gap; put it at the end.
    digest = audit.event_hash(prev, forged_id, occurred, None, "person.erase", "person", 1, "ok", "cli")
    _exec(store, "INSERT INTO audit_event (id, occurred_utc, user_id, action, record_type, record_id, result, "
                 "origin, prev_hash, event_hash) VALUES (?, ?, NULL, 'person.erase', 'person', 1, 'ok', 'cli', ?, ?)",
          [forged_id, occurred, prev, digest])
    result = audit.verify(store)
    assert (result.ok, result.first_bad_id) == (False, forged_id)


def test_an_unhashed_row_after_the_chain_started_is_found(store, chained):
    _exec(store, "INSERT INTO audit_event (occurred_utc, action, result, origin) VALUES (now(), 'x', 'ok', 'cli')")
    (new_id,) = _rows(store, "SELECT max(id) FROM audit_event")[0]
    result = audit.verify(store)
    assert (result.ok, result.first_bad_id, result.reason) == (False, new_id, "hash_missing")


def test_concurrent_writers_through_one_store_keep_one_valid_chain(store):
    writers = [Actor(user_id=None, role="admin", origin="cli"), Actor(user_id=None, role="admin", origin="web")]
    errors: list[BaseException] = []
    start = threading.Barrier(len(writers))
    before = _rows(store, "SELECT count(*) FROM audit_event")[0][0]

    def run(actor):
        try:
            start.wait()
            for n in range(50):
                # Generous retries: the point is a valid chain, not how often DuckDB reports a conflict.
                for attempt in range(20):
                    try:
                        store.write(audit.record, actor, "test.concurrent", "thread", n)
                        break
                    except store_module.ConcurrentChange:
                        if attempt == 19:
                            raise
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(a,)) for a in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert _rows(store, "SELECT count(*) FROM audit_event")[0][0] == before + 100
    result = audit.verify(store)
    assert result.ok, result
    # No fork: every prev_hash is used exactly once.
    assert _rows(store, "SELECT count(*) - count(DISTINCT prev_hash) FROM audit_event WHERE prev_hash IS NOT NULL") \
        == [(0,)]


def test_the_migration_applies_to_a_store_at_schema_2(tmp_path, monkeypatch):
    old_schemas = tmp_path / "schemas-v2"
    old_schemas.mkdir()
    for name in ("001_foundation.sql", "002_networks.sql"):
        shutil.copyfile(SCHEMA_DIR / name, old_schemas / name)
    path = tmp_path / "crm.duckdb"
    monkeypatch.setattr(store_module, "SCHEMA_DIR", old_schemas)
    old = Store(path)
    assert old.schema_version() == 2
    for action in ("user.add", "login"):
        _exec(old, "INSERT INTO audit_event (occurred_utc, action, result, origin) VALUES (now(), ?, 'ok', 'cli')",
              [action])
    old.close()
    monkeypatch.setattr(store_module, "SCHEMA_DIR", SCHEMA_DIR)
    store = Store(path)
    try:
        versions = [r[0] for r in _rows(store, "SELECT version FROM schema_migration ORDER BY version")]
        assert 3 in versions and store.schema_version() >= 3
        assert _rows(store, "SELECT count(*) FROM audit_event WHERE event_hash IS NULL") == [(2,)]
        # Pre-chain era only: nothing protects these rows, so this is no "intact" chain.
        assert audit.verify(store) == audit.VerifyResult(False, 0, None, "not_keyed")
        store.write(audit.record, CLI_OPERATOR, "test.after_migration")
        store.write(audit.record, CLI_OPERATOR, "test.after_migration")
        assert audit.verify(store) == audit.VerifyResult(True, 3)    # the keyed start and the two events
        # The old rows stay unhashed; once the chain started, tampering is still found.
        _exec(store, "UPDATE audit_event SET action = 'x' WHERE action = 'test.after_migration' AND id = "
                     "(SELECT max(id) FROM audit_event)")
        assert not audit.verify(store).ok
    finally:
        store.close()


# -- search --------------------------------------------------------------------------------------------
def test_search_filters_and_needs_permission(store, actor, chained):
    admin = Actor(user_id=None, role="admin")
    coordinator = Actor(user_id=None, role="coordinator")
    rows = audit.search(store, admin)
    assert [r["id"] for r in rows] == sorted(chained, reverse=True)
    views = audit.search(store, coordinator, action="VIEW")
    assert views and all("view" in r["action"] for r in views)
    by_user = audit.search(store, admin, user_id=actor.user_id)
    assert by_user and all(r["user_id"] == actor.user_id for r in by_user)
    assert {r["user_display_name"] for r in by_user} == {"Olga Outreach"}
    assert len(audit.search(store, admin, limit=2)) == 2
    for role in ("outreach", "program_manager", "kiosk"):
        with pytest.raises(PermissionDenied):
            audit.search(store, Actor(user_id=None, role=role))


def test_search_finds_the_newest_matches_however_far_back_they_are(store, actor):
    # the search reads the newest events first and widens until the page is full
    admin = Actor(user_id=None, role="admin")
    registered = _realistic(store, actor)
    for _ in range(30):
        persons.get(store, actor, registered[2])
    everything = audit.search(store, admin, limit=5000)
    registrations = [r["id"] for r in everything if r["action"] == "person.register"]
    assert len(registrations) == 3 and len(everything) > 30
    assert [r["id"] for r in audit.search(store, admin, action="person.register", limit=2)] == registrations[:2]
    assert [r["id"] for r in audit.search(store, admin, action="person.register", limit=1)] == registrations[:1]
    assert [r["id"] for r in audit.search(store, admin, limit=3)] == [r["id"] for r in everything[:3]]


def test_the_user_filter_lists_every_account_to_those_who_may_search(store, actor):
    assert audit.staff(store, Actor(user_id=None, role="coordinator")) == {actor.user_id: "Olga Outreach"}
    for role in ("outreach", "program_manager", "kiosk"):
        with pytest.raises(PermissionDenied):
            audit.staff(store, Actor(user_id=None, role=role))


# -- command line ---------------------------------------------------------------------------------------
def _cli(db, *args, capsys):
    code = main(["--db", str(db), "--lang", "en", *args])
    return code, capsys.readouterr().out


def test_cli_verify_exit_codes(store, chained, capsys):
    db = store.path
    store.close()
    code, out = _cli(db, "audit", "verify", capsys=capsys)
    assert code == 0 and "intact" in out
    code, out = _cli(db, "--json", "audit", "verify", capsys=capsys)
    assert code == 0 and json.loads(out)["ok"] is True
    tampered = Store(db)
    _exec(tampered, "UPDATE audit_event SET action = 'x' WHERE id = ?", [chained[2]])
    tampered.close()
    code, out = _cli(db, "audit", "verify", capsys=capsys)
    assert code == 1 and f"id {chained[2]}" in out
    code, out = _cli(db, "--json", "audit", "verify", capsys=capsys)
    data = json.loads(out)
    assert code == 1 and (data["ok"], data["first_bad_id"]) == (False, chained[2])
    code, out = _cli(db, "--json", "audit", "list", "--action", "person.register", "--limit", "2", capsys=capsys)
    rows = json.loads(out)
    assert code == 0 and len(rows) == 2 and all(r["action"] == "person.register" for r in rows)
