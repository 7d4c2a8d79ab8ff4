"""Helpers for the AppTest suite: open the app, log in through its form, read what a user sees.

Imported by the test modules of tests/app (pytest puts this folder on sys.path); the fixtures that
use them live in tests/app/conftest.py.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest, app_test, local_script_runner

from crm_app.core import i18n

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES_DIR = ROOT / "pages"
PASSWORD = "correct horse battery staple"
FIRST_RUN_TIMEOUT = 20   # imports and the store's first connection; reruns take milliseconds
RERUN_TIMEOUT = 10

# role → (username, display name); usernames follow crm_app.access.users' rules.
STAFF = {
    "outreach": ("olga", "Olga Outreach"),
    "program_manager": ("pim", "Pim Programma"),
    "coordinator": ("cor", "Cor Coördinator"),
    "admin": ("ada", "Ada Admin"),
    "kiosk": ("kiosk-bieb", "Kiosk Bibliotheek"),
}


def t(key: str, **params) -> str:
    """The Dutch text (the UI's default language) of an i18n key."""
    return i18n.t(key, i18n.DEFAULT_LANG, **params)


def tn(key: str, count: int, **params) -> str:
    """The Dutch text of a message with plural forms, for `count`."""
    return i18n.tn(key, count, i18n.DEFAULT_LANG, **params)


_component_manager = None


def _shared_component_manager():
    """One scan of the installed packages for Streamlit components, shared by every AppTest.

    AppTest scans all installed distributions' metadata for each new instance (about 0.1 s, most
    of a page run); the result cannot change during a test session.
    """
    global _component_manager
    if _component_manager is None:
        from streamlit.components.v2.component_manager import BidiComponentManager
        _component_manager = BidiComponentManager()
        _component_manager.discover_and_register_components(start_file_watching=False)
    return _component_manager


_SCRIPT_CACHE = ScriptCache()


def _shared_script_cache() -> ScriptCache:
    """One cache of compiled scripts for every AppTest run, as a server keeps one for all its sessions.

    AppTest makes two new caches per run, so every run compiled app.py and its page again (about 4 ms of
    a 40 ms run); the scripts cannot change during a test session.
    """
    return _SCRIPT_CACHE


# Both modules name the class at run time; without these names (another Streamlit) runs only compile more.
for _module in (app_test, local_script_runner):
    if hasattr(_module, "ScriptCache"):
        _module.ScriptCache = _shared_script_cache


def new_app(script: str = APP) -> AppTest:
    at = AppTest.from_file(script, default_timeout=RERUN_TIMEOUT)
    if hasattr(at, "_bidi_component_manager"):   # a private attribute: without it, only slower
        at._bidi_component_manager = _shared_component_manager()
    return at


def first_run(at: AppTest) -> AppTest:
    return at.run(timeout=FIRST_RUN_TIMEOUT)


def submit_login(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button(key="login_submit").click().run()


def open_page(at: AppTest, page: str, *, query: dict | None = None) -> AppTest:
    """Switch to pages/<page>.py (as the navigation would) with these query parameters."""
    at.query_params.clear()
    at.query_params.update(query or {})
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# -- reading what the user sees --------------------------------------------------------------------
def _is_block(node) -> bool:
    return hasattr(node, "children")


def elements(node) -> list:
    """The elements (not layout blocks) under `node`, in drawing order."""
    return [child for child in node if not _is_block(child)]


def texts(node) -> list[str]:
    """Every text the elements under `node` show: headings, markdown, alerts, captions, labels,
    links, the values in widgets and the cells of tables."""
    out: list[str] = []
    for element in elements(node):
        proto = getattr(element, "proto", None)
        for attr in ("body", "label"):
            value = getattr(proto, attr, None)
            if isinstance(value, str) and value:
                out.append(value)
        if element.type in ("table", "arrow_table", "dataframe", "arrow_data_frame"):
            out.append(element.value.to_csv())
        elif hasattr(element, "value") and element.type not in ("markdown", "caption", "title", "header",
                                                                  "subheader", "error", "info", "success",
                                                                  "warning", "page_link", "text"):
            try:
                value = element.value
            except Exception:
                continue
            if value not in (None, "", [], False, True):
                out.append(str(value))
    return out


def main_text(node) -> str:
    """All the text of the main area of an AppTest (or of one block)."""
    return "\n".join(texts(node.main if isinstance(node, AppTest) else node))


def values(node, kind: str) -> list[str]:
    """The texts of every element of one type (error, success, title, …) under `node`."""
    return [e.value for e in elements(node) if e.type == kind]


def field_messages(at: AppTest, screen: str, field: str) -> list[str]:
    """The per-field messages drawn right after the widget `<screen>_<field>`, in the same container."""
    key = f"{screen}_{field}"
    for block in _blocks(at.main):
        children = list(block.children.values())
        for index, child in enumerate(children):
            if getattr(child, "key", None) == key:
                messages = []
                for follower in children[index + 1:]:
                    body = getattr(getattr(follower, "proto", None), "body", "")
                    if getattr(follower, "type", "") == "markdown" and body.startswith(":red["):
                        messages.append(body)
                    else:
                        break
                return messages
    raise KeyError(f"no widget {key!r} on the page")


def _blocks(block):
    yield block
    for child in block.children.values():
        if _is_block(child):
            yield from _blocks(child)


def shown_cells(table, column: str) -> list[str]:
    """The cells of a table's column as the browser shows them (a pandas Styler's display values)."""
    from streamlit import dataframe_util
    return list(dataframe_util.convert_arrow_bytes_to_pandas_df(table.proto.arrow_data.styler.display_values)[column])


def page_links(node) -> list[tuple[str, str, str]]:
    """(label, url path, query string) of every page link under `node`."""
    return [(e.proto.label, e.proto.page, e.proto.query_string) for e in elements(node) if e.type == "page_link"]


def count(store, sql: str, params: list | None = None) -> int:
    with store.read() as cur:
        return cur.execute(sql, params or []).fetchone()[0]


def sign_in(at: AppTest, user) -> str:
    """Give this AppTest a real server-side session of `user` (as a login would) and return its token.

    Only a token the store knows opens anything: a User object or a role placed in session state
    does not (tests/app/test_escalation.py).
    """
    from crm_app.access import sessions
    from crm_app.ui.resources import get_store
    from crm_app.ui.session import TOKEN_KEY
    token = sessions.start(get_store(), user, "local")
    at.session_state[TOKEN_KEY] = token
    return token


def feedback_box(at: AppTest, button_key: str):
    """The outcome box drawn right above a submit button (crm_app.ui.feedback): its elements, and the
    data of its focus script (None when there is none: no click just now)."""
    for block in _blocks(at.main):
        children = list(block.children.values())
        for index, child in enumerate(children):
            if getattr(child, "key", None) == button_key:
                box = children[index - 1]
                assert getattr(box, "key", None) == f"{button_key}_feedback", "the outcome sits right above the button"
                shown = [e for e in elements(box) if e.type != "html"]
                scripts = [e.proto.body for e in elements(box) if e.type == "html"]
                return shown, (script_data(scripts[0]) if scripts else None)
    raise KeyError(f"no button {button_key!r} on the page")


def outcome_box(at: AppTest, box: str):
    """The outcome box `<box>_feedback` of a list's actions (crm_app.ui.actions.Buttons.outcome): its elements
    and the data of its focus script (None when there is none: no click just now)."""
    for block in _blocks(at.main):
        if getattr(block, "key", None) == f"{box}_feedback":
            shown = [e for e in elements(block) if e.type != "html"]
            scripts = [e.proto.body for e in elements(block) if e.type == "html"]
            return shown, (script_data(scripts[0]) if scripts else None)
    raise KeyError(f"no outcome box {box!r} on the page")


def script_data(script: str) -> dict:
    """The JSON a focus script carries (which box, which fields)."""
    return json.loads(re.search(r"var d=(\{.*?\}),n=0", script).group(1))


def pick_row(at: AppTest, table_key: str, index: int) -> AppTest:
    """Select row `index` of the st.dataframe `table_key` (single-row selection), as a click on it would."""
    at.session_state[table_key] = {"selection": {"rows": [index], "columns": [], "cells": []}}
    return at.run()


def account_row(store, username: str) -> int:
    """The row of `username` in the users table (accounts in username order)."""
    from crm_app.access import users
    return [row["username"] for row in users.list_users(store)].index(username)
