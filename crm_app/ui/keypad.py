"""The right on-screen keypad for phone and PIN fields: Streamlit's text_input has no `inputmode`, so a phone
number or a PIN brought up the full keyboard on a phone or tablet.

A small script sets `inputmode` ("tel" for a phone, "numeric" for a PIN) on the field's input, and again
whenever Streamlit draws it anew. Like the cookie script in crm_app.ui.session it is raw HTML, so nothing
typed by a user reaches it: only a widget key written in the code, checked against the key pattern, quoted
by json.dumps for JavaScript, and one of the two modes.
"""
from __future__ import annotations

import json
import re

import streamlit as st

_KEY_SHAPE = re.compile(r"[a-z][a-z0-9_]{0,80}")
MODES = ("tel", "numeric")


def script(widget_key: str, mode: str = "tel") -> str:
    if not _KEY_SHAPE.fullmatch(widget_key):
        raise ValueError("not a widget key")
    if mode not in MODES:
        raise ValueError("not an input mode")
    selector, wanted = json.dumps(f".st-key-{widget_key} input"), json.dumps(mode)
    return (
        "<script>(function(){var s=" + selector + ",m=" + wanted + ",w=window.crmKeypad=window.crmKeypad||{};"
        "function set(){document.querySelectorAll(s).forEach(function(i){"
        "if(i.getAttribute('inputmode')!==m){i.setAttribute('inputmode',m);}});}"
        "set();if(!w[s]){w[s]=new MutationObserver(set);w[s].observe(document.body,{childList:true,subtree:true});}"
        "})();</script>"
    )


def telephone(widget_key: str) -> None:
    """Ask for the telephone keypad on the text input with this key (drawn in the sidebar: no gap in the form)."""
    _draw(widget_key, "tel")


def digits(widget_key: str) -> None:
    """Ask for the number pad on the PIN input with this key (a kiosk's PIN is digits only)."""
    _draw(widget_key, "numeric")


def _draw(widget_key: str, mode: str) -> None:
    with st.sidebar:
        st.html(script(widget_key, mode), unsafe_allow_javascript=True)
