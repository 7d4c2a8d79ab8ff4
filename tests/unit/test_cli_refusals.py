"""The `crm` command refuses bad values with a clear message and an exit code, and writes nothing."""
import json
import os
import subprocess
import sys

import pytest

from crm_app.cli import main as cli
from crm_app.core import i18n


def test_a_negative_number_of_places_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["--db", str(tmp_path / "crm.duckdb"), "fill", "1", "--places", "-3"])
    assert stop.value.code == 2
    assert "--places: '-3' is not a whole number of 1 or more" in capsys.readouterr().err


@pytest.mark.parametrize("lang, expected", [(None, "bestaat niet; er is niets geschreven"),
                                            ("en", "does not exist; nothing was written")])
def test_an_export_into_a_missing_folder_is_refused_plainly_in_the_chosen_language(tmp_path, capsys, lang, expected):
    target = tmp_path / "missing" / "persons.csv"
    chosen = ["--lang", lang] if lang else []
    assert cli.main(["--db", str(tmp_path / "crm.duckdb"), *chosen, "export", "persons", "-o", str(target)]) == 1
    assert expected in capsys.readouterr().err
    assert not target.exists()


def test_output_follows_lang_and_json_does_not(tmp_path, capsys):
    db = str(tmp_path / "crm.duckdb")
    add = ["person", "add", "--given-name", "Amal", "--source", "market", "--consent", "contact"]
    assert cli.main(["--db", db, *add]) == 0
    assert capsys.readouterr().out.strip() == "persoon 1 toegevoegd"
    assert cli.main(["--db", db, "--lang", "en", "person", "show", "1"]) == 0
    assert "  consent contact: yes" in capsys.readouterr().out.splitlines()
    assert cli.main(["--db", db, "person", "show", "1"]) == 0
    assert "  toestemming contact: ja" in capsys.readouterr().out.splitlines()
    outputs = []
    for lang in i18n.LANGS:
        assert cli.main(["--db", db, "--json", "--lang", lang, "person", "find", "Amal"]) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    assert outputs[0] == outputs[1] and outputs[0][0]["stage"] == "new"


def test_a_rotation_date_far_in_the_future_is_refused_plainly(tmp_path, capsys):
    assert cli.main(["--db", str(tmp_path / "crm.duckdb"), "--lang", "en", "rotate", "--as-of", "9999-12-31"]) == 1
    err = capsys.readouterr().err
    assert "is too far ahead: a preview reaches up to" in err
    assert "internal error" not in err.lower()


@pytest.mark.parametrize("digits", ["٣", "３", "۳"])
def test_an_id_in_other_digits_is_a_usage_error_not_another_record(tmp_path, capsys, digits):
    """int() reads Arabic-Indic, Persian and full-width digits: "٣" must not open person 3."""
    db = str(tmp_path / "crm.duckdb")
    for name in ("Amal", "Bilal", "Chen"):
        assert cli.main(["--db", db, "person", "add", "--given-name", name, "--source", "market"]) == 0
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        cli.main(["--db", db, "person", "show", digits])
    assert stop.value.code == 2
    assert "is not an id (a whole number from 1, digits 0-9)" in capsys.readouterr().err


def test_output_piped_into_a_reader_that_stops_early_is_no_internal_error(tmp_path):
    """`crm network list | head -1`: the reader closes the pipe; crm stops writing without an error message."""
    db = str(tmp_path / "crm.duckdb")
    for name in ("Klankbord", "Adviesraad"):
        assert cli.main(["--db", db, "network", "add", "--name", name, "--max-places", "5"]) == 0
    run = subprocess.Popen([sys.executable, "-m", "crm_app.cli", "--db", db, "network", "list"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    run.stdout.close()                      # the reader is gone before crm writes its first line
    assert run.wait(60) == cli.EXIT_READER_GONE
    assert run.stderr.read().decode() == ""
