"""The command reference and the settings documentation stay true: a test fails when the code moves on without them."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from crm_app.cli import reference
from crm_app.cli.main import build_parser
from crm_app.core import settings
from crm_app.core.errors import ValidationError

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_command_reference_is_the_generated_one():
    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == reference.markdown(build_parser()), "docs/cli.md is out of date: run `crm docs -o docs/cli.md`"


def test_the_reference_has_every_command_with_every_option():
    text = reference.markdown(build_parser())
    found = list(reference.commands(build_parser()))
    assert len(found) >= 40 and found[0][0] == "crm init"
    for prog, about, command in found:
        assert about and f"## `{prog}`" in text, prog
        options = {option for action in command._actions for option in action.option_strings} - {"-h", "--help"}
        assert all(f"`{option}" in text or f", {option}" in text for option in options), (prog, options)


def test_the_readme_points_at_the_reference_and_the_settings():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/cli.md)" in readme and "(docs/settings.md)" in readme


def _limits(name: str) -> tuple[int, int]:
    """The limits the code enforces, read from its refusal (set_value checks before it writes)."""
    with pytest.raises(ValidationError) as refused:
        settings.set_value(None, name, -10**9)
    params = refused.value.errors[0].params
    return params["low"], params["high"]


@pytest.mark.parametrize("name", sorted(settings.DEFAULTS))
def test_every_setting_is_documented_with_its_default_and_limits(name):
    rows = [line for line in (ROOT / "docs" / "settings.md").read_text(encoding="utf-8").splitlines()
            if re.match(rf"\|\s*`{name}`\s*\|", line)]
    assert len(rows) == 1, f"docs/settings.md: add one row for the setting `{name}`"
    cells = [cell.strip() for cell in rows[0].strip().strip("|").split("|")]
    low, high = _limits(name)
    assert cells[1:3] == [str(settings.DEFAULTS[name]), f"{low}–{high}"], f"docs/settings.md: `{name}` differs from the code"
    assert all(cells[3:5]), f"docs/settings.md: say what `{name}` means and where it is changed"
