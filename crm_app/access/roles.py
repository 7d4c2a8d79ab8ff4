"""The written role × screen × action matrix (docs/roles.md), generated from the tables the code enforces.

`crm_app.core.permissions.ACTIONS` (checked by every service and page) and `crm_app.access.screens.SCREENS`
(the navigation each role gets) are the source; this module only adds the plain-language description of each action
(`roles.allows.<action>` in the catalogues, so the Roles screen speaks the user's language).
Regenerate with `crm roles --markdown -o docs/roles.md`; tests/unit/test_roles_doc.py fails
while the committed file differs from what the code enforces.
"""
from __future__ import annotations

from crm_app.access.screens import SCREENS
from crm_app.core import i18n, permissions, reference

YES, NO = "✔", "–"


def screens_table(lang: str = "en") -> tuple[list[str], list[list[str]]]:
    """(header, rows) of screens × roles: title, file, action, then ✔/– per role (also the roles screen's table)."""
    header = [i18n.t("roles.col.screen", lang), i18n.t("roles.col.file", lang), i18n.t("roles.col.action", lang),
              *_role_header(lang)]
    rows = []
    for screen in SCREENS:
        title = i18n.t(screen.title_key, lang)
        shown = f"{title} {i18n.t('roles.opened_elsewhere', lang)}" if screen.hidden else title
        rows.append([shown, screen.path, screen.action, *_marks(screen.action)])
    return header, rows


def actions_table(lang: str = "en") -> tuple[list[str], list[list[str]]]:
    """(header, rows) of actions × roles: action, what it allows, screens, then ✔/– per role."""
    screens_by_action: dict[str, list[str]] = {}
    for screen in SCREENS:
        screens_by_action.setdefault(screen.action, []).append(screen.key)
    header = [i18n.t("roles.col.action", lang), i18n.t("roles.col.allows", lang), i18n.t("roles.col.screens", lang),
              *_role_header(lang)]
    rows = [[action, i18n.t(f"roles.allows.{action}", lang),
             ", ".join(screens_by_action.get(action, [])) or i18n.t("roles.no_screen", lang), *_marks(action)]
            for action in permissions.ACTIONS]
    return header, rows


def _role_header(lang: str) -> list[str]:
    return [i18n.label("role", role, lang) for role in reference.ROLES]


def _marks(action: str) -> list[str]:
    return [YES if permissions.allowed(role, action) else NO for role in reference.ROLES]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _code(cell: str) -> str:
    return f"`{cell}`"


def matrix_markdown() -> str:
    """docs/roles.md: screens × roles, then actions × roles with what each action means."""
    screen_header, screen_rows = screens_table()
    action_header, action_rows = actions_table()
    lines = [
        "# Roles: who may open which screen and do what",
        "",
        "Generated from `crm_app/core/permissions.py` (ACTIONS, enforced by every service and on every page) and",
        "`crm_app/access/screens.py` (SCREENS). Do not edit by hand: run `crm roles --markdown -o docs/roles.md`.",
        "A test fails while this file differs from what the code enforces.",
        "",
        "The role comes only from the CRM's own user table (also for logins through the identity",
        "provider), never from a token, a URL or the browser. One exception narrows it: a staff session put in",
        "kiosk mode (`kiosk.start`, the Kiosk screen) has the Kiosk column's rights until its PIN ends it.",
        "",
        "## Screens",
        "",
        _row(screen_header),
        _row(["---"] * len(screen_header)),
        *[_row([title, _code(path), _code(action), *marks]) for title, path, action, *marks in screen_rows],
        "",
        "## Actions",
        "",
        _row(action_header),
        _row(["---"] * len(action_header)),
        *[_row([_code(action), *rest]) for action, *rest in action_rows],
    ]
    lines += [
        "",
        "## Without a role",
        "",
        "Nobody logged in (or a session that ended: logout, 30 idle minutes, 8 hours, a disabled account)",
        "sees only the login page; every page URL, query parameter or browser-side value leads there.",
        "The `crm` command runs as the operator on the server (administrator rights, origin `cli` in the",
        "audit log).",
        "",
    ]
    return "\n".join(lines)
