"""The package map of docs/architecture.md holds: layers, Streamlit only in the UI, thin pages, no cycles.

import-linter checks the contracts in pyproject.toml ([tool.importlinter]); what it cannot express
(pages/ and app.py are no package; cycles between single modules) is checked here with ast and grimp.
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from crm_app.core import reference

ROOT = Path(__file__).resolve().parents[2]
SCREEN_FILES = sorted(ROOT.glob("pages/*.py")) + [ROOT / "app.py"]
SQL = re.compile(r"\bSELECT\b.*\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\b.*\bSET\b|\bDELETE\s+FROM\b", re.I | re.S)


def _lint_imports() -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("lint-imports")
    command = [str(script)] if script.exists() else [sys.executable, "-c",
                                                      "from importlinter.cli import lint_imports_command as c; c()"]
    return subprocess.run([*command, "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_the_import_contracts_in_pyproject_hold():
    result = _lint_imports()
    assert result.returncode == 0 and " 0 broken" in result.stdout, result.stdout + result.stderr


def _compares_a_role(node: ast.Compare) -> bool:
    """`user.role == "admin"`, `role in ("program_manager", "admin")`: who may do what is permissions' table."""
    operands = [node.left, *node.comparators]
    names_role = any(ast.unparse(o).split(".")[-1] == "role" for o in operands)
    return names_role and any(isinstance(c, ast.Constant) and c.value in reference.ROLES
                              for o in operands for c in ast.walk(o))


def _screen_breaches(path: Path) -> list[str]:
    """What in a page (or app.py) belongs in a service: SQL, a cursor, the store opened, a role compared."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        where = f"{path.parent.name}/{path.name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, owner = node.func.attr, ast.unparse(node.func.value)
            if method in ("cursor", "execute", "executemany", "sql") or (
                    method in ("read", "write") and "store" in owner.lower()):
                found.append(f"{where} calls {owner}.{method}()")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            found += [f"{where} imports {name}" for name in names if name.split(".")[0] == "duckdb"
                      or name == "crm_app.core.store"]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            found.append(f"{where} holds SQL: {node.value[:60]!r}")
        elif isinstance(node, ast.Compare) and _compares_a_role(node):
            found.append(f"{where} compares a role with {ast.unparse(node)!r}: ask crm_app.core.permissions instead")
    return found


@pytest.mark.parametrize("path", SCREEN_FILES, ids=lambda p: p.name)
def test_screens_call_services_and_hold_no_sql(path):
    assert _screen_breaches(path) == []


def test_the_screen_check_sees_a_breach(tmp_path):
    page = tmp_path / "breach.py"
    page.write_text("import duckdb\n"
                    "with store.read() as cur:\n"
                    "    n = cur.execute('SELECT count(*) FROM person').fetchone()\n"
                    "if user.role in ('program_manager', 'admin'):\n    pass\n", encoding="utf-8")
    assert len(_screen_breaches(page)) == 5, _screen_breaches(page)   # duckdb, store.read, execute, SQL, the roles


UNGUARDED_ALLOWED = {"session.logout", "state.update"}   # no user needed, or nothing but the tab's own state


def _unguarded_callbacks(path: Path) -> list[str]:
    """Widget callbacks (`on_click=`, `on_change=`, …) that are not `@actions.callback` functions.

    A callback that raises ends the run on Streamlit's generic error screen; the guard turns a refusal into
    a message and skips the callback once its user is gone."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    guarded = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
               and any(ast.unparse(d) == "actions.callback" for d in node.decorator_list)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg and node.arg.startswith("on_") and node.arg != "on_select":
            name = ast.unparse(node.value)
            if (isinstance(node.value, (ast.Lambda, ast.Constant)) or name in guarded or name in UNGUARDED_ALLOWED
                    or name.endswith(".run")):   # actions.Buttons.run guards itself
                continue
            found.append(f"{path.name}:{node.value.lineno} {node.arg}={name}")
    return found


CALLBACK_FILES = sorted(ROOT.glob("pages/*.py")) + [ROOT / "crm_app/ui/privacy.py"]


@pytest.mark.parametrize("path", CALLBACK_FILES, ids=lambda p: p.name)
def test_every_callback_of_a_screen_is_guarded(path):
    assert _unguarded_callbacks(path) == []


def test_the_callback_check_sees_an_unguarded_one(tmp_path):
    page = tmp_path / "breach.py"
    page.write_text("def _save():\n    pass\n\n"
                    "@actions.callback\ndef _ok():\n    pass\n\n"
                    "st.button('a', on_click=_save)\nst.button('b', on_click=_ok)\n", encoding="utf-8")
    assert _unguarded_callbacks(page) == ["breach.py:8 on_click=_save"]


def _choices_without_placeholder(path: Path) -> list[str]:
    """`selectbox`/`multiselect` calls without `placeholder=`: Streamlit then shows its English "Choose an
    option" (also in the aria attributes of a chosen one) on a Dutch screen."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [f"{path.name}:{node.lineno}" for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("selectbox", "multiselect") and not any(k.arg == "placeholder" for k in node.keywords)]


@pytest.mark.parametrize("path", sorted(ROOT.glob("pages/*.py")) + sorted((ROOT / "crm_app/ui").glob("*.py")),
                         ids=lambda p: p.name)
def test_every_choice_has_a_placeholder_in_the_users_language(path):
    assert _choices_without_placeholder(path) == []


AGGREGATE_DOWNLOADS = {ROOT / "crm_app/ui/charts.py", ROOT / "pages/places.py", ROOT / "pages/rotation.py"}


def test_downloads_go_through_the_expiring_helper():
    """`st.download_button` leaves its bytes at /media/<id> without the session cookie for minutes;
    personal data goes through crm_app.ui.downloads. Only counts and network facts may use it directly."""
    direct = []
    for path in [*ROOT.glob("pages/*.py"), *ROOT.glob("crm_app/ui/*.py")]:
        if path.name == "downloads.py":
            continue
        calls = [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                 and node.func.attr == "download_button"]
        if calls and path not in AGGREGATE_DOWNLOADS:
            direct.append(f"{path.relative_to(ROOT)}:{calls}")
    assert direct == []


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, imported = work[-1]
            for other in imported:
                if other not in index:
                    index[other] = low[other] = len(index)
                    stack.append(other)
                    on_stack.add(other)
                    work.append((other, iter(sorted(graph.find_modules_directly_imported_by(other)))))
                    break
                if other in on_stack:
                    low[module] = min(low[module], index[other])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == index[module]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == module:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_no_module_imports_itself_through_others():
    """Imports inside functions count: a lazy import hides a cycle, it does not remove it."""
    graph = grimp.build_graph("crm_app", cache_dir=None)
    cycles = _cycles(graph)
    details = [f"{a} → {b} (line {d['line_number']})" for cycle in cycles for a in cycle for b in cycle
               for d in graph.get_import_details(importer=a, imported=b)]
    assert cycles == [], "\n".join(details)


def test_the_cycle_check_finds_a_cycle():
    graph = grimp.ImportGraph()
    for name in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(name)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.z", imported="a.x")
    assert _cycles(graph) == [["a.x", "a.y"]]


# Comments point at documents in this repository, not at tracker numbers or a design file it does not hold.
_POINTER = re.compile(r"\b[Ii]ssue #?\d+|\bDESIGN\b")
_DOC_LINK = re.compile(r"\bdocs/[\w./-]+\.md\b")


def test_comments_point_at_documents_that_exist():
    stale = []
    files = [ROOT / "app.py", *(path for folder in ("crm_app", "pages", "tests", "benchmarks")
                                for path in sorted((ROOT / folder).rglob("*.py")))]
    for path in files:
        if path != Path(__file__).resolve():
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                where = f"{path.relative_to(ROOT)}:{number}"
                stale += [f"{where}: {m.group()}" for m in _POINTER.finditer(line)]
                stale += [f"{where}: {m.group()} is missing" for m in _DOC_LINK.finditer(line)
                          if not (ROOT / m.group()).exists()]
    assert stale == []
