"""Right to erasure: the canary proof (no table, no file byte, no log line keeps the person), the list of
tables that hold persons, compaction under concurrent use, and the journal that survives a restore."""
from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import duckdb
import pytest
from networks_kit import network, register

from crm_app import maintenance
from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.cli import main as cli
from crm_app.core import clock, i18n, night
from crm_app.core import store as store_module
from crm_app.core.errors import CrmError, NotFound, PermissionDenied, StoreLocked
from crm_app.core.store import Store
from crm_app.networks import meetings, offers, reimbursements, waitlists
from crm_app.people import activities, persons, sources
from crm_app.people.messages import outbox
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput
from crm_app.privacy import backups, erasure, exports

ROOT = Path(__file__).resolve().parents[2]

# Unique strings in every free field of the person to erase (names take letters only).
CANARY = {
    "given": "Zqvmaristella",
    "family": "Kwyxbarnabetti",
    "email": "zq.canary.mail7731@example.org",
    "phone": "+31687319562",
    "note": "NOTE-CANARY-4f1e memo about the person",
    "source_name": "SRCNAME-CANARY-8a2c coach",
    "source_org": "SRCORG-CANARY-19bd welfare",
    "source_detail": "DETAIL-CANARY-77ee met near the fish stall",
    "activity": "ACTIVITY-CANARY-3c5d called about the meeting",
    "waitlist_reason": "REASON-CANARY-60fa moved away for a while",
    "municipality": "Gemcanarystad",
    "district": "Wijkcanaryhoek",
    "referral_detail": "REFERRAL-CANARY-5b7d brought in at the community centre",
    "reimbursement_reason": "OVERRIDE-CANARY-2d9e two days at the national platform",
}
FULL_NAME = f"{CANARY['given']} {CANARY['family']}"


@pytest.fixture
def admin(actor):
    return Actor(user_id=actor.user_id, role="admin", origin="web")


def varchar_hits(store: Store, needle: str) -> list[tuple[str, str]]:
    """(table, column) of every VARCHAR column of every table holding `needle` anywhere in a value."""
    hits = []
    with store.read() as cur:
        columns = cur.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c JOIN information_schema.tables t "
            "ON t.table_name = c.table_name AND t.table_schema = c.table_schema "
            "WHERE t.table_type = 'BASE TABLE' AND c.data_type IN ('VARCHAR', 'VARCHAR[]')").fetchall()
        assert len(columns) > 30, "the scan covers the store's text columns"
        for table, column in columns:
            expr = f'CAST("{column}" AS VARCHAR)'
            if cur.execute(f'SELECT count(*) FROM "{table}" WHERE strpos({expr}, ?) > 0', [needle]).fetchone()[0]:
                hits.append((table, column))
    return hits


def file_bytes(path: Path) -> bytes:
    data = path.read_bytes() if path.exists() else b""
    wal = path.with_name(path.name + ".wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def make_canary_person(store, admin, folder: Path) -> dict:
    """The person to erase, present everywhere a person can be, plus a neighbour who must survive."""
    data = PersonInput(given_name=CANARY["given"], family_name=CANARY["family"], phone=CANARY["phone"],
                       email=CANARY["email"], note=CANARY["note"], consent_contact=True,
                       consent_diversity_statistics=True, municipality=CANARY["municipality"],
                       district=CANARY["district"], gender="woman", birth_year=1990)
    pid = persons.register(store, admin, data, SourceInput(
        kind="coach_referral", source_name=CANARY["source_name"], source_org=CANARY["source_org"],
        detail=CANARY["source_detail"]), confirmed_new=True).person_id
    sources.add_source(store, admin, pid, SourceInput(kind="market", source_name="Markt Oost",
                                                      detail=CANARY["source_detail"]))
    activities.log(store, admin, pid, "call", CANARY["activity"])
    # a neighbour referred by the canary person (alumni referral) and sharing a network
    other = persons.register(store, admin, PersonInput(given_name="Amal", family_name="Haddad", consent_contact=True),
                             SourceInput(kind="alumni_referral", referrer_id=pid, source_name=FULL_NAME,
                                         detail=CANARY["referral_detail"]), confirmed_new=True).person_id
    # a referral typed in words only (never linked to the alumnus), and a colleague's note naming the person
    named = persons.register(store, admin, PersonInput(given_name="Bilal", family_name="Demir", consent_contact=True,
                                                       note=f"neef van {CANARY['given'].upper()}  {CANARY['family']}"),
                             SourceInput(kind="alumni_referral", source_name=f"alumnus {FULL_NAME} (Oost)"),
                             confirmed_new=True).person_id
    board = network(store, admin, "Klankbordgroep Oost", max_places=5)
    council = network(store, admin, "Adviesraad West", max_places=5)
    entry = waitlists.add(store, admin, board, pid)
    waitlists.add(store, admin, board, other)
    [offer_id] = offers.make(store, admin, board, [entry], "waitlist")
    membership = offers.respond(store, admin, offer_id, "accept")["membership_id"]
    second = waitlists.add(store, admin, council, pid)
    waitlists.end(store, admin, second, "withdrawn", CANARY["waitlist_reason"])
    meeting = meetings.plan(store, admin, meetings.MeetingInput(network_id=board, meeting_date=clock.today()))
    meetings.invite(store, admin, meeting)
    outbox.record_prepared(store, admin, "meeting_invitation", pid, meeting, "sms")   # a message log row
    meetings.record_attendance(store, admin, meeting, pid, "present")
    reimbursements.record(store, admin, meeting, pid, "12,50", "250", CANARY["reimbursement_reason"])
    persons.get(store, admin, pid)                       # an audited read
    export_file = folder / "export" / "persons.csv"
    export_file.parent.mkdir()
    exports.write(store, admin, "persons", "csv", export_file)
    return {"id": pid, "other": other, "named": named, "board": board, "membership": membership,
            "export": export_file}


def test_canary_erasure_leaves_no_trace_in_tables_file_or_log(store, admin, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)           # every logger, every level, for the whole flow
    made = make_canary_person(store, admin, tmp_path)
    pid = made["id"]
    assert CANARY["given"] in made["export"].read_text(encoding="utf-8"), "the export did contain the person"
    for value in CANARY.values():
        assert varchar_hits(store, value), f"the scan finds {value!r} before erasure"

    counts = erasure.preview(store, admin, pid)
    assert counts == {"person": 1, "sources": 2, "consents": 2, "activities": 2, "waitlist_entries": 2,
                      "offers": 1, "memberships": 1, "referred_by_links": 1, "meeting_attendance": 1,
                      "reimbursements": 1, "messages": 1}

    result = erasure.erase(store, admin, pid, compact=False)
    assert result.counts == counts
    for value in CANARY.values():
        assert varchar_hits(store, value) == [], f"{value!r} is in no table after erasure"
    # DuckDB keeps deleted values in the file: this is why the store is compacted (and proves the scan can fail)
    with store.read() as cur:
        cur.execute("CHECKPOINT")
    before = file_bytes(store.path)
    assert any(value.encode() in before for value in CANARY.values()), "deleted rows are still in the file bytes"

    store.compact()
    folder_files = [p for p in store.path.parent.rglob("*") if p.is_file() and p != made["export"]]
    assert store.path in folder_files
    for path in folder_files:                 # the store, any .wal, the erasure journal, left-overs
        data = path.read_bytes()
        for value in CANARY.values():
            assert value.encode() not in data, f"{value!r} in the bytes of {path.name}"
    for value in CANARY.values():
        assert value not in caplog.text, f"{value!r} reached the log"

    assert audit.verify(store).ok, "the audit chain still verifies"
    with store.read() as cur:
        # the neighbour stays, without the link to the erased referrer; the audit keeps only the number
        assert cur.execute("SELECT referrer_id, source_name, detail FROM person_source WHERE person_id = ?",
                           [made["other"]]).fetchall() == [(None, None, None)], "the referral's text went with the link"
        assert cur.execute("SELECT s.source_name, p.note FROM person_source s JOIN person p ON p.id = s.person_id "
                           "WHERE p.id = ?", [made["named"]]).fetchall() == [
            (f"alumnus {erasure.ERASED_NAME} (Oost)", f"neef van {erasure.ERASED_NAME}")], "the name in words is gone"
        assert cur.execute("SELECT count(*) FROM waitlist_entry WHERE person_id = ?", [made["other"]]).fetchone()[0] == 1
        events = cur.execute("SELECT action FROM audit_event WHERE record_type = 'person' AND record_id = ? "
                             "ORDER BY id", [pid]).fetchall()
        assert ("person.erase",) in events and ("person.register",) in events
        for table, column, _ in erasure.PERSON_COLUMNS:
            assert cur.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", [pid]).fetchone()[0] == 0
    assert [e["person_id"] for e in erasure.journal(store.path)] == [pid]


def test_every_column_that_can_hold_a_person_is_handled_by_erasure(store):
    """A new table with a person_id (or *_person_id / referrer_id) column must be added to PERSON_COLUMNS."""
    with store.read() as cur:
        found = erasure.person_columns(cur)
        assert erasure.unlisted_columns(cur) == set(), "tables holding persons that erasure does not know"
    listed = {(t, c) for t, c, _ in erasure.PERSON_COLUMNS}
    assert listed - {("person", "id")} <= found, "every listed column exists"


def test_a_new_table_holding_persons_is_noticed_and_still_emptied(store, admin, frozen_clock):
    store.write(lambda cur: cur.execute("CREATE TABLE event_guest (meeting_id BIGINT, attendee_person_id BIGINT, "
                                        "remark VARCHAR)"))
    pid = register(store, admin, "Samira", family="Tahiri")
    keep = register(store, admin, "Yusuf", family="Demir")
    store.write(lambda cur: cur.execute("INSERT INTO event_guest VALUES (1, ?, 'x'), (1, ?, 'y')", [pid, keep]))
    with store.read() as cur:
        assert erasure.unlisted_columns(cur) == {("event_guest", "attendee_person_id")}
    erasure.erase(store, admin, pid)
    with store.read() as cur:
        assert cur.execute("SELECT attendee_person_id FROM event_guest").fetchall() == [(keep,)]


def test_erasure_needs_the_admin_role_and_an_existing_person(store, actor, admin, frozen_clock):
    pid = register(store, admin, "Samira", family="Tahiri")
    with pytest.raises(PermissionDenied):
        erasure.erase(store, actor, pid)                      # outreach
    with pytest.raises(PermissionDenied):
        erasure.erase(store, Actor(actor.user_id, "program_manager"), pid)
    with pytest.raises(NotFound):
        erasure.erase(store, admin, pid + 1000)
    assert erasure.journal(store.path) == [], "a refused erasure records nothing"


def test_compaction_keeps_everything_else_and_the_sequences(store, admin, frozen_clock):
    ids = [register(store, admin, name, family="Test") for name in ("Amal", "Bilal", "Chaima")]
    with store.read() as cur:
        tables = [r[0] for r in cur.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
        before = {t: cur.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}
        constraints = cur.execute("SELECT count(*) FROM duckdb_constraints()").fetchone()
    store.compact()
    with store.read() as cur:
        assert {t: cur.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables} == before
        assert cur.execute("SELECT count(*) FROM duckdb_constraints()").fetchone() == constraints
    new_id = register(store, admin, "Dounia", family="Test")
    assert new_id > max(ids), "ids are never reused after compaction"
    assert audit.verify(store).ok


def test_units_of_work_wait_for_a_compaction_and_then_carry_on(store, admin, frozen_clock):
    """Many threads read and write through one Store (as the app's sessions do) while it compacts."""
    errors, written = [], []
    stop = threading.Event()

    def writer(index):
        n = 0
        while not stop.is_set() and n < 40:
            try:
                written.append(register(store, admin, "Amal", family=f"Schrijver{chr(97 + index)}"))
                with store.read() as cur:
                    cur.execute("SELECT count(*) FROM person").fetchone()
            except Exception as exc:
                errors.append(repr(exc))
            n += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for _ in range(4):
        store.compact()
    stop.set()
    for thread in threads:
        thread.join()
    assert errors == []
    with store.read() as cur:
        assert cur.execute("SELECT count(*) FROM person WHERE id IN (SELECT unnest(?))",
                           [written]).fetchone()[0] == len(written)
    assert audit.verify(store).ok


def test_compaction_inside_a_unit_of_work_is_refused(store):
    def work(cur):
        store.compact()

    with pytest.raises(RuntimeError):
        store.write(work)


def test_an_erasure_is_reapplied_after_restoring_an_older_backup(store, admin, tmp_path, frozen_clock):
    keep = register(store, admin, "Amal", family="Haddad")
    gone = register(store, admin, CANARY["given"], family=CANARY["family"])
    backup_file = tmp_path / "backups" / "before.duckdb"
    backup_file.parent.mkdir()
    backups.backup(store, admin, backup_file)
    assert CANARY["given"].encode() in backup_file.read_bytes()
    erasure.erase(store, admin, gone)
    path = store.path
    store.close()

    result = backups.restore(admin, backup_file, path)
    assert result.erasures_reapplied == 1
    restored = Store(path)
    try:
        with restored.read() as cur:
            assert [r[0] for r in cur.execute("SELECT id FROM person ORDER BY id").fetchall()] == [keep]
        assert CANARY["given"].encode() not in file_bytes(path)
        assert audit.verify(restored).ok
        again = list(audit.search(restored, admin, action="store.restore"))
        assert again and again[0]["result"] == "erasures_reapplied=1"
    finally:
        restored.close()


def test_a_reapply_never_erases_a_different_person_with_a_once_used_number(store, admin, frozen_clock):
    pid = register(store, admin, "Amal", family="Haddad")
    # a journal line for this number but another record (e.g. a number handed out again after a restore)
    line = json.dumps({"erased_utc": "x", "fingerprint": "0" * 64, "person_id": pid, "reason": "request"})
    with open(erasure.journal_path(store.path), "a", encoding="ascii") as journal:
        journal.write(line + "\n")
    assert erasure.reapply(store, admin) == 0
    with store.read() as cur:
        assert cur.execute("SELECT count(*) FROM person WHERE id = ?", [pid]).fetchone()[0] == 1


def test_the_journal_holds_no_personal_data(store, admin, frozen_clock):
    pid = register(store, admin, CANARY["given"], family=CANARY["family"])
    erasure.erase(store, admin, pid)
    text = erasure.journal_path(store.path).read_text()
    assert CANARY["given"] not in text and CANARY["family"] not in text
    [entry] = erasure.journal(store.path)
    assert set(entry) == {"person_id", "fingerprint", "erased_utc", "reason"}


def test_restore_is_refused_while_another_process_holds_the_store(store, admin, tmp_path):
    backup_file = tmp_path / "b.duckdb"
    backups.backup(store, admin, backup_file)
    path = store.path
    store.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from crm_app.core.store import Store
            s = Store({str(path)!r}); print("ready", flush=True); sys.stdin.readline()
        """)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLocked):
            backups.restore(admin, backup_file, path)
    finally:
        holder.stdin.close()
        holder.wait(timeout=20)
    assert not path.with_name(path.name + ".restore").exists()


def test_a_leftover_old_file_from_an_interrupted_compaction_is_shredded_at_open(store, tmp_path):
    path = store.path
    store.close()
    old = path.with_name(path.name + ".old")
    old.write_bytes(b"secret bytes")
    Store(path).close()
    assert not old.exists()


def test_restore_refuses_a_file_that_is_not_a_crm_backup(store, admin, tmp_path):
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE x (a INTEGER)")
    con.close()
    path = store.path
    store.close()
    with pytest.raises(ValueError):
        backups.restore(admin, other, path)
    Store(path).close()      # the store is untouched and opens


def test_the_journal_can_live_elsewhere_and_is_used_on_restore(store, admin, tmp_path, monkeypatch, frozen_clock):
    elsewhere = tmp_path / "other-disk" / "erasures.jsonl"
    monkeypatch.setenv("CRM_ERASURE_JOURNAL", str(elsewhere))
    gone = register(store, admin, "Samira", family="Tahiri")
    backup_file = tmp_path / "b.duckdb"
    backups.backup(store, admin, backup_file)
    erasure.erase(store, admin, gone)
    assert [e["person_id"] for e in erasure.journal(store.path)] == [gone]
    assert elsewhere.exists() and not store.path.with_name(store.path.name + ".erasures.jsonl").exists()
    path = store.path
    store.close()
    assert backups.restore(admin, backup_file, path).erasures_reapplied == 1


# -- a compaction that fails: the erasure stands, the command says so, the next open finishes it ---------------
def test_a_compaction_that_fails_for_a_full_disk_is_finished_at_the_next_open(store, admin, frozen_clock):
    """`crm erase` in a child process whose files may not grow (RLIMIT_FSIZE, as on a full disk)."""
    pid = register(store, admin, CANARY["given"], family=CANARY["family"])
    keep = register(store, admin, "Amal", family="Haddad")
    with store.read() as cur:
        cur.execute("CHECKPOINT")
    path = store.path
    store.close()
    assert CANARY["given"].encode() in file_bytes(path)
    child = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import resource, signal, sys
        from crm_app.cli import main as cli
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)        # a write past the limit fails instead of killing us
        resource.setrlimit(resource.RLIMIT_FSIZE, ({path.stat().st_size // 2}, resource.RLIM_INFINITY))
        sys.exit(cli.main(["--db", {str(path)!r}, "--lang", "en", "erase", "{pid}"]))
    """)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr
    assert i18n.t("cli.erase.compaction_pending", "en", id=pid) in child.stderr
    assert "nothing changed" not in child.stderr + child.stdout and "Internal error" not in child.stderr
    assert CANARY["given"].encode() in file_bytes(path), "the compaction really failed: the bytes are still there"

    reopened = Store(path)              # the next start compacts what is owed
    try:
        assert reopened.pending_compaction() is None
        with reopened.read() as cur:
            assert [r[0] for r in cur.execute("SELECT id FROM person ORDER BY id").fetchall()] == [keep]
        for item in path.parent.iterdir():
            assert CANARY["given"].encode() not in item.read_bytes(), item.name
        assert audit.verify(reopened).ok
        with pytest.raises(NotFound):
            erasure.erase(reopened, admin, pid)      # erased once, for good
    finally:
        reopened.close()


def test_a_failed_compaction_keeps_the_store_usable_and_is_counted(store, admin, frozen_clock, monkeypatch):
    pid = register(store, admin, CANARY["given"], family=CANARY["family"])

    def disk_full(con, fresh):
        fresh.write_bytes(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module, "_copy_database", disk_full)
    result = erasure.erase(store, admin, pid)
    assert result.compaction_pending and result.person_ids == [pid]
    owed = store.pending_compaction()
    assert owed["requests"] == 1 and owed["attempts"] == 1 and owed["last_error"] == "OSError"
    assert not store.path.with_name(store.path.name + ".compact").exists(), "no partial copy is left"
    assert register(store, admin, "Amal", family="Haddad"), "the store still takes writes"
    with pytest.raises(CrmError) as refused:
        erasure.compact_now(store, admin)
    assert refused.value.code == "compaction_failed"
    assert store.pending_compaction()["attempts"] == 2
    monkeypatch.undo()
    assert erasure.compact_now(store, admin) >= 0
    assert store.pending_compaction() is None
    assert CANARY["given"].encode() not in file_bytes(store.path)


def test_the_daily_upkeep_and_the_night_run_compact_what_is_owed(store, admin, frozen_clock):
    pid = register(store, admin, CANARY["given"], family=CANARY["family"])
    result = erasure.erase(store, admin, pid, compact=False)
    assert result.compaction_pending and store.pending_compaction()["requests"] == 1
    noon = dt.datetime(2026, 6, 1, 10, 0)        # 12:00 in Amsterdam: not night
    assert night.compact_at_night(store, noon) is None
    assert store.pending_compaction() is not None
    small_hours = dt.datetime(2026, 6, 1, 1, 30)   # 03:30 in Amsterdam
    assert night.compact_at_night(store, small_hours) is not None
    assert store.pending_compaction() is None
    assert CANARY["given"].encode() not in file_bytes(store.path)

    other = register(store, admin, "Samira", family="Tahiri")
    erasure.erase(store, admin, other, compact=False)
    assert maintenance.run_due(store)["compacted"] is True
    assert store.pending_compaction() is None
    assert "compacted" not in maintenance.run_due(store), "nothing owed, nothing done"


def test_a_backup_owes_no_compaction(store, admin, tmp_path, frozen_clock):
    erasure.erase(store, admin, register(store, admin, "Amal"), compact=False)
    backup_file = tmp_path / "b.duckdb"
    backups.backup(store, admin, backup_file)
    con = duckdb.connect(str(backup_file))
    try:
        assert con.execute("SELECT count(*) FROM compaction_pending").fetchone() == (0,)
    finally:
        con.close()


# -- the journal's protection ---------------------------------------------------------------------------------
def _backup_then_erase(store, admin, tmp_path) -> tuple[Path, int, int]:
    keep = register(store, admin, "Amal", family="Haddad")
    gone = [register(store, admin, name, family="Tahiri") for name in ("Samira", "Yusuf", "Chaima")]
    backup_file = tmp_path / "backups" / "before.duckdb"
    backup_file.parent.mkdir()
    backups.backup(store, admin, backup_file)
    for pid in gone:
        erasure.erase(store, admin, pid)
    return backup_file, keep, gone


def _journal_lines(store) -> list[str]:
    return erasure.journal_path(store.path).read_text().splitlines()


def _write_lines(store, lines: list[str]) -> None:
    erasure.journal_path(store.path).write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("damage", ["flip_fingerprint", "truncate", "drop_middle_line"])
def test_a_damaged_journal_stops_the_restore_naming_the_line(store, admin, tmp_path, frozen_clock, damage):
    backup_file, keep, gone = _backup_then_erase(store, admin, tmp_path)
    lines = _journal_lines(store)
    assert len(lines) == 3 and all('"sha256":' in line for line in lines)
    if damage == "flip_fingerprint":
        item = json.loads(lines[1])
        fp = item["fingerprint"]
        item["fingerprint"] = fp[:10] + ("0" if fp[10] != "0" else "1") + fp[11:]
        lines[1] = json.dumps(item, sort_keys=True, separators=(",", ":"))
        bad_line = 2
    elif damage == "truncate":
        lines[1] = lines[1][: len(lines[1]) // 2]
        bad_line = 2
    else:
        del lines[1]
        bad_line = 2            # the line now second says the one before it is not the one it followed
    _write_lines(store, lines)
    path = store.path
    store.close()
    before = path.read_bytes()

    with pytest.raises(erasure.JournalDamaged) as refused:
        backups.restore(admin, backup_file, path)
    assert refused.value.params["line"] == bad_line
    assert path.read_bytes() == before, "the store was not touched"

    # knowingly: the lines that verify are applied, the damage is audited with its line numbers
    result = backups.restore(admin, backup_file, path, accept_damaged_journal=True)
    assert result.erasures_reapplied == 2
    restored = Store(path)
    try:
        with restored.read() as cur:
            left = {r[0] for r in cur.execute("SELECT id FROM person").fetchall()}
        assert keep in left and len(left & set(gone)) == 1
        [event] = list(audit.search(restored, admin, action="store.restore"))
        assert event["result"] == f"erasures_reapplied=2 damaged_journal_lines={bad_line}"
    finally:
        restored.close()


def test_crm_restore_refuses_a_damaged_journal_and_proceeds_when_told(store, admin, tmp_path, frozen_clock, capsys):
    backup_file, keep, gone = _backup_then_erase(store, admin, tmp_path)
    lines = _journal_lines(store)
    lines[0] = lines[0].replace('"reason":"request"', '"reason":"requesT"')
    _write_lines(store, lines)
    path = store.path
    store.close()
    assert cli.main(["--db", str(path), "--lang", "en", "restore", str(backup_file)]) == 1
    err = capsys.readouterr().err
    assert "line 1" in err and "--accept-damaged-journal" in err
    assert cli.main(["--db", str(path), "--json", "restore", str(backup_file), "--accept-damaged-journal"]) == 0
    assert json.loads(capsys.readouterr().out)["erasures_reapplied"] == 2


def test_an_untouched_journal_reapplies_every_erasure_and_old_lines_still_count(store, admin, tmp_path, frozen_clock):
    keep = register(store, admin, "Amal", family="Haddad")
    gone = [register(store, admin, name, family="Tahiri") for name in ("Samira", "Yusuf", "Chaima")]
    backup_file = tmp_path / "before.duckdb"
    backups.backup(store, admin, backup_file)
    erasure.erase(store, admin, gone[0])
    [line] = _journal_lines(store)       # as written before lines had checksums
    old = {k: v for k, v in json.loads(line).items() if k in ("erased_utc", "fingerprint", "person_id", "reason")}
    _write_lines(store, [json.dumps(old)])
    for pid in gone[1:]:
        erasure.erase(store, admin, pid)
    assert erasure.journal_problems(store.path) == []
    path = store.path
    store.close()
    assert backups.restore(admin, backup_file, path).erasures_reapplied == 3
    restored = Store(path)
    try:
        with restored.read() as cur:
            assert [r[0] for r in cur.execute("SELECT id FROM person").fetchall()] == [keep]
    finally:
        restored.close()


def test_journal_lines_are_appended_after_a_cut_off_last_line(store, admin, frozen_clock):
    erasure.erase(store, admin, register(store, admin, "Amal"))
    journal_file = erasure.journal_path(store.path)
    journal_file.write_text(journal_file.read_text()[:-20])          # a crash cut the last line
    erasure.erase(store, admin, register(store, admin, "Samira"))
    assert [p.line for p in erasure.journal_problems(store.path)] == [1]
    assert len(erasure.journal(store.path)) == 1, "the new line is a line of its own and verifies"
