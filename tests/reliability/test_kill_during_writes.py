"""The server process killed (SIGKILL) in the middle of saving, twenty times: the store opens every time, every
save that was acknowledged is there, and nothing is half-written (a person has its consent, its source and its
audit event, and the audit chain verifies).

Each trial forks a child from this process (the modules are imported once, so a trial costs the writes, not a
Python start-up). The child opens the store, registers people one after another and reports each acknowledged
id through a pipe; the parent kills it after a random number of acknowledgements, so the kill lands at a random
point of a write, and then opens the store as the next server start would.
"""
from __future__ import annotations

import os
import random
import signal

import pytest

from crm_app.access import audit
from crm_app.access.audit import CLI_OPERATOR
from crm_app.core.store import Store
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput

TRIALS = 20
GIVEN = ("Amal", "Bilal", "Chen", "Dina", "Esra", "Farid", "Goli", "Hana")


def keep_registering(path, pipe: int) -> None:
    """The child: save people until killed, one acknowledgement (an id and a newline) per committed save."""
    store = Store(path)
    for n in range(10_000):
        person_id = persons.register(
            store, CLI_OPERATOR, PersonInput(given_name=GIVEN[n % len(GIVEN)], family_name="Haddad", consent_contact=True),
            SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id
        os.write(pipe, f"{person_id}\n".encode())


def run_and_kill(path, acknowledgements: int) -> set[int]:
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:                              # pragma: no cover - the child never returns
        os.close(read_end)
        try:
            keep_registering(path, write_end)
        finally:
            os._exit(0)
    os.close(write_end)
    acked, buffer = set(), b""
    with os.fdopen(read_end, "rb", buffering=0) as reader:
        while len(acked) < acknowledgements:
            chunk = reader.read(64)
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            acked.update(int(line) for line in lines)
        os.kill(child, signal.SIGKILL)
        buffer += reader.read()                 # acknowledgements written before the kill
    acked.update(int(line) for line in buffer.split(b"\n")[:-1])
    os.waitpid(child, 0)
    return acked


@pytest.mark.slow
def test_twenty_kills_during_writes_lose_no_acknowledged_save_and_leave_nothing_half_written(store):
    path = store.path
    store.close()                               # the children open it; no connection may cross the fork
    rng = random.Random(2026)
    acknowledged: set[int] = set()
    for trial in range(TRIALS):
        acknowledged |= run_and_kill(path, rng.randint(1, 5))
        reopened = Store(path)                  # opens every time: no damage, no lock left behind
        try:
            with reopened.read() as cur:
                stored = {row[0] for row in cur.execute("SELECT id FROM person").fetchall()}
                half = cur.execute(
                    """SELECT count(*) FROM person p
                       WHERE NOT EXISTS (SELECT 1 FROM consent c WHERE c.person_id = p.id AND c.purpose = 'contact')
                          OR NOT EXISTS (SELECT 1 FROM person_source s WHERE s.person_id = p.id)
                          OR NOT EXISTS (SELECT 1 FROM audit_event a WHERE a.action = 'person.register'
                                         AND a.record_id = p.id)""").fetchone()[0]
            assert acknowledged <= stored, f"trial {trial}: acknowledged saves lost"
            assert half == 0, f"trial {trial}: a person without its consent, source or audit event"
            assert audit.verify(reopened).ok, f"trial {trial}: the audit chain does not verify"
        finally:
            reopened.close()
    assert len(acknowledged) >= TRIALS
