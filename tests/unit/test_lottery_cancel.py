"""Stopping a lottery while it computes: the fill screen's background job asks the computation to stop between
its rounds; the service then refuses with `lottery_cancelled`, and nothing is drawn or recorded."""
from __future__ import annotations

import threading

import pytest

from crm_app.access.audit import CLI_OPERATOR
from crm_app.cli.main import main
from crm_app.core.errors import CrmError
from crm_app.core.store import Store
from crm_app.networks import registry, selection
from crm_app.ui import background


@pytest.fixture
def network(tmp_path, capsys, frozen_clock):
    """A network of 3 places with a target, and 8 waiting (4 women): a lottery that needs the solver."""
    db = tmp_path / "crm.duckdb"

    def crm(*args: str) -> None:
        assert main(["--db", str(db), "--lang", "en", "--json", *args]) == 0, capsys.readouterr().err

    crm("network", "add", "--name", "Klankbord", "--max-places", "3", "--target", "gender=woman>=2")
    for i, given in enumerate(("Amal", "Bashir", "Carla", "Dina", "Esra", "Farid", "Goli", "Hiba")):
        crm("person", "add", "--given-name", given, "--family-name", "Haddad", "--source", "market",
            "--consent", "contact,diversity_statistics", "--gender", ("woman", "man")[i % 2])
        crm("waitlist", "Klankbord", "--add", str(i + 1))
    capsys.readouterr()
    store = Store(db)
    [(network_id, _)] = [(n.id, n.name) for n in registry.list_networks(store, CLI_OPERATOR)]
    yield store, network_id
    store.close()


def recorded(store: Store) -> tuple[int, int]:
    with store.read() as cur:
        return (cur.execute("SELECT count(*) FROM lottery_draw").fetchone()[0],
                cur.execute("SELECT count(*) FROM offer").fetchone()[0])


def test_a_cancelled_job_ends_with_a_refusal_and_records_nothing(network):
    store, network_id = network
    start = threading.Event()

    def work(report):
        start.wait()
        return selection.propose(store, CLI_OPERATOR, network_id, None, "lottery", seed=5, progress=report)

    job = background.Job("k", work)
    job.cancel()
    start.set()
    assert job.wait(120)
    assert job.result is None
    assert isinstance(job.error, CrmError) and job.error.code == "lottery_cancelled"
    assert job.progress is not None and job.progress.candidates == 8
    assert recorded(store) == (0, 0)


def test_an_uncancelled_job_draws_as_the_service_does(network):
    store, network_id = network
    job = background.Job("k", lambda report: selection.propose(store, CLI_OPERATOR, network_id, None, "lottery",
                                                               seed=5, progress=report))
    assert job.wait(120) and job.error is None
    expected = selection.propose(store, CLI_OPERATOR, network_id, None, "lottery", seed=5)
    assert [p.candidate.entry_id for p in job.result.proposals] == [p.candidate.entry_id for p in expected.proposals]
    assert len(job.result.proposals) == 3
