"""The server process killed (SIGKILL) while it imports a file, twenty times at random moments: the store opens
every time, and each import is all or nothing — its batch holds every accepted row, or neither the batch nor
any of its persons exists (no person, consent or source of a half-stored file).

Each trial forks a child from this process (no Python start-up per trial) that imports a file of 500 persons
(a different file each time) and is killed after a random delay around the time a whole import takes.
"""
from __future__ import annotations

import csv
import io
import os
import random
import signal
import time

import pytest

from crm_app.access.audit import CLI_OPERATOR
from crm_app.core.store import Store
from crm_app.people.imports import batch
from crm_app.people.imports.rows import Defaults

TRIALS, ROWS = 20, 500
# generated names look alike: told to add look-alikes (each goes to the review queue), every row goes in
OPTIONS = batch.Options(Defaults(source_kind="partner_org", source_name="Taalschool Oost"), add_duplicates=True)
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def a_file(trial: int) -> bytes:
    """500 persons (letters only in names, each their own phone number), with contact consent."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["voornaam", "achternaam", "telefoon", "toestemming contact"])
    for row in range(ROWS):
        n = trial * ROWS + row
        given = "".join(LETTERS[(n // 26 ** k) % 26] for k in range(4)).capitalize()
        writer.writerow([given, "Import" + LETTERS[trial % 26], f"06 2{n:07d}", "ja"])
    return buffer.getvalue().encode("utf-8")


def import_in_a_child(path, data: bytes) -> int:
    child = os.fork()
    if child == 0:                                  # pragma: no cover - the child never returns
        try:
            store = Store(path)
            batch.run(store, CLI_OPERATOR, data, OPTIONS)
        finally:
            os._exit(0)
    return child


@pytest.mark.slow
def test_twenty_kills_during_an_import_leave_each_batch_whole_or_absent(store):
    path = store.path
    store.close()                                    # no connection may cross the fork
    rng = random.Random(2026)
    started = time.monotonic()
    waitpid = os.waitpid(import_in_a_child(path, a_file(0)), 0)   # one whole import: how long it takes here
    assert waitpid[1] == 0
    whole = time.monotonic() - started
    outcomes, before = {"whole": 0, "absent": 0}, 1
    for trial in range(1, TRIALS + 1):
        child = import_in_a_child(path, a_file(trial))
        time.sleep(rng.uniform(0.2, 1.6) * whole)
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        reopened = Store(path)
        try:
            with reopened.read() as cur:
                batches = cur.execute("SELECT id, rows_added FROM import_batch ORDER BY id").fetchall()
                per_batch = dict(cur.execute("SELECT import_batch_id, count(DISTINCT person_id) FROM person_source "
                                             "WHERE import_batch_id IS NOT NULL GROUP BY 1").fetchall())
                orphans = cur.execute(
                    """SELECT count(*) FROM person p WHERE NOT EXISTS (SELECT 1 FROM person_source s
                       WHERE s.person_id = p.id) OR NOT EXISTS (SELECT 1 FROM consent c WHERE c.person_id = p.id)"""
                ).fetchone()[0]
                persons = cur.execute("SELECT count(*) FROM person").fetchone()[0]
        finally:
            reopened.close()
        assert all(per_batch.get(batch_id) == added == ROWS for batch_id, added in batches), (trial, batches, per_batch)
        assert orphans == 0 and persons == ROWS * len(batches), f"trial {trial}: a half-stored import"
        assert len(batches) in (before, before + 1), f"trial {trial}"
        outcomes["whole" if len(batches) > before else "absent"] += 1
        before = len(batches)
    assert outcomes["whole"] and outcomes["absent"], outcomes   # the kills landed before and after the commit
