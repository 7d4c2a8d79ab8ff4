"""The `crm` command refuses bad values with a clear message and an exit code, and writes nothing."""
import pytest

from crm_app.cli import main as cli


def test_a_negative_number_of_places_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["--db", str(tmp_path / "crm.duckdb"), "fill", "1", "--places", "-3"])
    assert stop.value.code == 2
    assert "--places: give 1 or more" in capsys.readouterr().err


def test_an_export_into_a_missing_folder_is_refused_plainly(tmp_path, capsys):
    target = tmp_path / "missing" / "persons.csv"
    assert cli.main(["--db", str(tmp_path / "crm.duckdb"), "export", "persons", "-o", str(target)]) == 1
    assert "does not exist; nothing was written" in capsys.readouterr().err
    assert not target.exists()
