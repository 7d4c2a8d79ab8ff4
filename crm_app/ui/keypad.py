"""The telephone keypad for phone fields: Streamlit's text_input has no `type="tel"`, so a phone
brought up the full keyboard.

A small script sets `inputmode="tel"` on the field's input, and again whenever Streamlit draws it
anew. Like the cookie script in crm_app.ui.session it is raw HTML, so nothing typed by a user
reaches it: only a widget key written in the code, checked against the key pattern, quoted by
json.dumps for JavaScript.
"""
from __future__ import annotations

import json
import re

import streamlit as st

_KEY_SHAPE = re.compile(r"[a-z][a-z0-9_]{0,80}")


def script(widget_key: str) -> str:
    if not _KEY_SHAPE.fullmatch(widget_key):
        raise ValueError("not a widget key")
    selector = json.dumps(f".st-key-{widget_key} input")
    return (
        "<script>(function(){var s=" + selector + ",w=window.crmKeypad=window.crmKeypad||{};"
        "function set(){document.querySelectorAll(s).forEach(function(i){"
        "if(i.getAttribute('inputmode')!=='tel'){i.setAttribute('inputmode','tel');}});}"
        "set();if(!w[s]){w[s]=new MutationObserver(set);w[s].observe(document.body,{childList:true,subtree:true});}"
        "})();</script>"
    )


def telephone(widget_key: str) -> None:
    """Ask for the telephone keypad on the text input with this key (drawn in the sidebar: no gap in the form)."""
    with st.sidebar:
        st.html(script(widget_key), unsafe_allow_javascript=True)
