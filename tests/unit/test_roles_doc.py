"""docs/roles.md is the table the code enforces, and every action the code checks is in that table."""
from __future__ import annotations

import re
from pathlib import Path

from crm_app.access import roles
from crm_app.core import permissions, reference

ROOT = Path(__file__).resolve().parents[2]
_SERVICE_CHECK = re.compile(r"""permissions\.(?:require|allowed)\(\s*[^,]+,\s*["']([a-z_.]+)["']""")
_PAGE_CHECK = re.compile(r"""session\.require\(\s*["']([a-z_.]+)["']\s*\)""")


def test_the_committed_roles_document_is_the_generated_one():
    committed = (ROOT / "docs" / "roles.md").read_text(encoding="utf-8")
    assert committed == roles.matrix_markdown(), \
        "docs/roles.md is out of date: run `crm roles --markdown -o docs/roles.md`"


def test_every_action_checked_in_the_code_is_in_the_table():
    used: dict[str, str] = {}
    for path in [*(ROOT / "crm_app").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]:
        source = path.read_text(encoding="utf-8")
        for pattern in (_SERVICE_CHECK, _PAGE_CHECK):
            for action in pattern.findall(source):
                used.setdefault(action, str(path.relative_to(ROOT)))
    assert len(used) >= 10, "the checks were found"
    unknown = {action: where for action, where in used.items() if action not in permissions.ACTIONS}
    assert not unknown, f"checked but not in permissions.ACTIONS (so nobody may do them): {unknown}"


def test_the_document_shows_each_role_s_rights_as_the_table_says():
    text = roles.matrix_markdown()
    header = [line for line in text.splitlines() if line.startswith("| action |")][0]
    columns = [cell.strip() for cell in header.strip("|").split("|")]
    for action, allowed in permissions.ACTIONS.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{action}` |"))
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        marks = dict(zip(columns[3:], cells[3:]))
        for role in reference.ROLES:
            from crm_app.core import i18n
            assert (marks[i18n.label("role", role, "en")] == roles.YES) == (role in allowed), (action, role)


def test_every_action_is_explained_in_the_language_of_the_screen():
    """The Roles screen explained every action in English only; each is a message in every catalogue now."""
    _, dutch = roles.actions_table("nl")
    _, english = roles.actions_table("en")
    assert [row[0] for row in dutch] == list(permissions.ACTIONS)
    for nl_row, en_row in zip(dutch, english, strict=True):
        assert nl_row[1] and en_row[1] and nl_row[1] != en_row[1], nl_row[0]
        assert not nl_row[1].startswith("roles.allows."), "a missing message shows its id"
    assert {row[0]: row[1] for row in dutch}["privacy.erase"].startswith("Een persoon volledig wissen")
