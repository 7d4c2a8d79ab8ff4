"""The outcome of a Save where the user is looking: beside the button, as a toast, focus on the first wrong field.

Streamlit keeps the page's scroll position when it draws the page again after a click. On a phone the
finger is at the button at the bottom of a long form, so a message drawn at the top went unseen and Save
seemed to do nothing. A page therefore draws its outcome with `outcome`, just above its submit button.
Right after the button was pressed (and only then), a success is also shown as a toast, and a tiny script
scrolls the outcome into view or, on a refusal, moves the focus to the first wrong field on the screen.

The script follows the rules of the session cookie script (crm_app.ui.session.cookie_script): nothing a
user typed reaches it. It holds only widget keys made by the code (anything else is left out) and a run
counter, quoted by json.dumps.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

_KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,100}")
_COUNTER = "feedback_runs"   # makes each script new, so the browser runs it again after the next Save

# Waits (up to about two seconds) until Streamlit has finished drawing the page, then focuses the first
# wrong field in screen order (its error stays in view below it) or scrolls the outcome box into view.
# No "<" in it: the HTML sanitiser drops a script whose text looks like markup ("<4").
_SCRIPT = """<script>(function(){var d=%s,n=0;function go(){
var app=document.querySelector('[data-testid="stApp"]');
if(app&&app.getAttribute('data-test-script-state')==='running'&&40>n++){setTimeout(go,50);return;}
var sel=d.fields.map(function(k){return '.st-key-'+k;}).join(',');
var wrong=sel?document.querySelector(sel):null;
if(wrong){var input=wrong.querySelector('input,textarea,[role="combobox"],[tabindex]:not([tabindex="-1"])');
if(input){input.focus({preventScroll:true});}wrong.scrollIntoView({block:'center'});return;}
var box=document.querySelector('.st-key-'+d.box);if(box){box.scrollIntoView({block:'nearest'});}}
setTimeout(go,50);})();</script>"""


def pressed(*button_keys: str) -> bool:
    """Whether this run follows a click on one of these buttons (a button is True only in that run)."""
    return any(st.session_state.get(key) is True for key in button_keys)


def outcome(screen: str, *, after: tuple[str, ...], success: str | None = None, summary: str | None = None,
            errors: Mapping[str, str] | None = None, widget_keys: Mapping[str, str] | None = None) -> DeltaGenerator:
    """Draw the outcome of a form here, just above (or below) its submit button; returns the box
    (`<button>_feedback`) so a page can add to it (a link to what was saved).

    `after` names the buttons whose click this outcome follows, the submit button first; `errors` are the
    per-field messages (field → text, drawn beside each field by the page), `summary` the line that says
    some fields need fixing. A field's widget is `<screen>_<field>` unless `widget_keys` says otherwise.
    """
    errors = errors or {}
    box_key = f"{after[0]}_feedback"
    box = st.container(key=box_key)
    with box:
        if success:
            st.success(success)
        if summary and errors:
            st.error(summary)
    if pressed(*after):
        if success:
            st.toast(success, icon=":material/check_circle:")   # seen however far the page is scrolled
        if success or errors:
            keys = [(widget_keys or {}).get(field, f"{screen}_{field}") for field in errors]
            runs = int(st.session_state.get(_COUNTER, 0)) + 1
            st.session_state[_COUNTER] = runs
            with box:
                st.html(focus_script(box_key, keys, runs), unsafe_allow_javascript=True)
    return box


def focus_script(box_key: str, field_keys: Iterable[str], run: int) -> str:
    """The script for one outcome. Only widget keys of the expected shape get in (any other is left out)
    and the run number, which makes the script new each time."""
    data = {"box": box_key if _KEY_SHAPE.fullmatch(box_key) else "",
            "fields": [key for key in dict.fromkeys(field_keys) if _KEY_SHAPE.fullmatch(key)], "run": int(run)}
    return _SCRIPT % json.dumps(data)
